package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

const escalationCols = `id, state, lang, topic, question, suggestions, channel, routed_to, routed_at,
	reminders, reroutes, claimed_by, claimed_at, answered_by, answered_at, closed_by, close_reason, closed_at,
	created_at, updated_at, desk_ref, desk_version, version, nudges`

type scanner interface{ Scan(dest ...any) error }

func scanEscalation(sc scanner) (bot.Escalation, error) {
	var (
		e                    bot.Escalation
		state, lang, channel string
	)
	err := sc.Scan(&e.ID, &state, &lang, &e.Topic, &e.Question, jsonCol{&e.Suggestions}, &channel,
		&e.RoutedTo, timeCol{&e.RoutedAt}, &e.Reminders, &e.Reroutes, &e.ClaimedBy, timeCol{&e.ClaimedAt},
		&e.AnsweredBy, timeCol{&e.AnsweredAt}, &e.ClosedBy, &e.CloseReason, timeCol{&e.ClosedAt},
		timeCol{&e.CreatedAt}, timeCol{&e.UpdatedAt}, &e.DeskRef, &e.DeskVersion, &e.Version, &e.Nudges)
	e.State, e.Lang, e.Channel = bot.EscalationState(state), bot.Lang(lang), bot.ChannelKey(channel)
	return e, err
}

func validState(s bot.EscalationState) bool {
	switch s {
	case bot.StateOpen, bot.StateClaimed, bot.StateAnswered, bot.StateRelayed, bot.StateClosed:
		return true
	}
	return false
}

func insertEscalation(ctx context.Context, tx *sql.Tx, e *bot.Escalation) (int64, error) {
	sugg, err := jsonVal(e.Suggestions)
	if err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO escalations (state, lang, topic, question, suggestions,
		channel, routed_to, routed_at, reminders, reroutes, claimed_by, claimed_at, answered_by, answered_at,
		closed_by, close_reason, closed_at, created_at, updated_at, version, nudges)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(e.State), string(e.Lang), e.Topic, e.Question, sugg, string(e.Channel), e.RoutedTo,
		ts(e.RoutedAt), e.Reminders, e.Reroutes, e.ClaimedBy, ts(e.ClaimedAt), e.AnsweredBy, ts(e.AnsweredAt),
		e.ClosedBy, e.CloseReason, ts(e.ClosedAt), ts(e.CreatedAt), ts(e.UpdatedAt), e.Version, e.Nudges)
	if err != nil {
		return 0, fmt.Errorf("escalation: %w", err)
	}
	return res.LastInsertId()
}

func insertAsker(ctx context.Context, tx *sql.Tx, escalationID int64, a bot.Asker) error {
	addr, err := jsonVal(a.Address)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO escalation_askers (message_id, escalation_id, address, lang,
		question, asked_at, relayed_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		a.MessageID, escalationID, addr, string(a.Lang), a.Question, ts(a.AskedAt), ts(a.RelayedAt))
	if err != nil {
		return fmt.Errorf("asker: %w", constraint(err))
	}
	return nil
}

// joinEscalation bumps the version of an escalation that still waits.
func joinEscalation(ctx context.Context, tx *sql.Tx, id int64, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE escalations SET version = version + 1, updated_at = ?
		WHERE id = ? AND state IN ('open', 'claimed')`, ts(now), id)
	if err != nil {
		return fmt.Errorf("join escalation %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var state string
	if err := tx.QueryRowContext(ctx, `SELECT state FROM escalations WHERE id = ?`, id).Scan(&state); err != nil {
		return fmt.Errorf("join: %w", noRows(err, "escalation", id))
	}
	return fmt.Errorf("join escalation %d: it is %s, no longer waiting: %w", id, state, bot.ErrConflict)
}

// escalations runs a query selecting escalationCols and loads their askers
// in the same snapshot.
func (db *DB) escalations(ctx context.Context, query string, args ...any) ([]bot.Escalation, error) {
	var es []bot.Escalation
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEscalation(rows)
			if err != nil {
				return err
			}
			es = append(es, e)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return loadAskers(ctx, tx, es)
	})
	return es, err
}

// loadAskers fills the Askers of es, oldest first.
func loadAskers(ctx context.Context, q querier, es []bot.Escalation) error {
	if len(es) == 0 {
		return nil
	}
	at := make(map[int64]int, len(es))
	ids := make([]int64, len(es))
	for i, e := range es {
		at[e.ID] = i
		ids[i] = e.ID
	}
	list, err := jsonVal(ids)
	if err != nil {
		return err
	}
	// One statement for any number of escalations (json_each), so the
	// statement cache keeps a single entry.
	rows, err := q.QueryContext(ctx, `SELECT escalation_id, message_id, address, lang, question, asked_at,
		relayed_at, redacted FROM escalation_askers WHERE escalation_id IN (SELECT value FROM json_each(?))
		ORDER BY escalation_id, asked_at, message_id`, list)
	if err != nil {
		return fmt.Errorf("askers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			a    bot.Asker
			eid  int64
			lang string
		)
		if err := rows.Scan(&eid, &a.MessageID, jsonCol{&a.Address}, &lang, &a.Question,
			timeCol{&a.AskedAt}, timeCol{&a.RelayedAt}, &a.Redacted); err != nil {
			return fmt.Errorf("askers: %w", err)
		}
		a.Lang = bot.Lang(lang)
		e := &es[at[eid]]
		e.Askers = append(e.Askers, a)
	}
	return rows.Err()
}

// Escalation returns one escalation with its askers, or an error wrapping
// bot.ErrNotFound.
func (db *DB) Escalation(ctx context.Context, id int64) (bot.Escalation, error) {
	es, err := db.escalations(ctx, `SELECT `+escalationCols+` FROM escalations WHERE id = ?`, id)
	if err == nil && len(es) == 0 {
		err = notFound("escalation", id)
	}
	if err != nil {
		return bot.Escalation{}, fmt.Errorf("store: %w", err)
	}
	return es[0], nil
}

// EscalationByDeskRef finds the escalation whose desk post is ref (the
// latest one, should a ref ever have been reused), or an error wrapping
// bot.ErrNotFound.
func (db *DB) EscalationByDeskRef(ctx context.Context, ref string) (bot.Escalation, error) {
	var es []bot.Escalation
	var err error
	if ref != "" {
		es, err = db.escalations(ctx, `SELECT `+escalationCols+` FROM escalations
			WHERE desk_ref = ? AND desk_ref <> '' ORDER BY id DESC LIMIT 1`, ref)
	}
	if err == nil && len(es) == 0 {
		err = notFound("escalation with desk post", fmt.Sprintf("%q", ref))
	}
	if err != nil {
		return bot.Escalation{}, fmt.Errorf("store: %w", err)
	}
	return es[0], nil
}

// Escalations lists escalations matching f, oldest first, with askers. An
// empty result is not an error.
func (db *DB) Escalations(ctx context.Context, f bot.EscalationFilter) ([]bot.Escalation, error) {
	var where []string
	var args []any
	if len(f.States) > 0 {
		states := make([]string, len(f.States))
		for i, s := range f.States {
			states[i] = string(s)
		}
		list, err := jsonVal(states)
		if err != nil {
			return nil, fmt.Errorf("store: escalations: %w", err)
		}
		where = append(where, `state IN (SELECT value FROM json_each(?))`)
		args = append(args, list)
	}
	if f.Lang != "" {
		where = append(where, `lang = ?`)
		args = append(args, string(f.Lang))
	}
	q := `SELECT ` + escalationCols + ` FROM escalations`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	if f.Newest && f.Limit > 0 {
		q = `SELECT * FROM (` + q + ` ORDER BY created_at DESC, id DESC LIMIT ?) ORDER BY created_at, id`
	} else {
		q += ` ORDER BY created_at, id LIMIT ?`
	}
	args = append(args, limitArg(f.Limit))
	es, err := db.escalations(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: escalations: %w", err)
	}
	return es, nil
}

// deskBacklog selects the escalations whose desk post is missing or shows
// an older version (the partial index escalations_desk_backlog).
const deskBacklog = `(desk_ref = '' OR desk_version < version)`

// DeskBacklog lists escalations whose desk post is missing or shows an older
// version, oldest first (limit 0: all).
func (db *DB) DeskBacklog(ctx context.Context, limit int) ([]bot.Escalation, error) {
	return db.DeskBacklogAfter(ctx, 0, limit)
}

// DeskBacklogAfter lists escalations whose desk post is missing or shows
// an older version and whose id is above after, by id (limit 0: all).
func (db *DB) DeskBacklogAfter(ctx context.Context, after int64, limit int) ([]bot.Escalation, error) {
	es, err := db.escalations(ctx, `SELECT `+escalationCols+` FROM escalations
		WHERE id > ? AND `+deskBacklog+` ORDER BY id LIMIT ?`, after, limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("store: desk backlog: %w", err)
	}
	return es, nil
}

// Undelivered lists the answered escalations whose answer did not reach
// every asker and will not: no relay of theirs is pending, and an asker
// has none delivered (a relay failed for good). Those whose question was
// purged are left out: nothing is left to answer. So are those whose
// askers without it were all purged (their user id and name removed, the
// purge counting the escalation finished): they can no longer be reached,
// so nobody is owed the answer. Only those with a relay failed at or
// after since are listed; one failed before 010_outbox_failed_at, which
// has no failed_at, counts as failed at the last time known of it: its
// last retry, else when it was queued. A zero since is no bound. Oldest
// first.
func (db *DB) Undelivered(ctx context.Context, since time.Time) ([]bot.Escalation, error) {
	p := newPeriod(since, time.Time{})
	es, err := db.escalations(ctx, `SELECT `+escalationCols+` FROM escalations e
		WHERE e.state = 'answered' AND e.question <> ''
		AND EXISTS (SELECT 1 FROM escalation_askers a WHERE a.escalation_id = e.id AND a.relayed_at IS NULL
			AND a.redacted = 0)
		AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.escalation_id = e.id AND o.kind = 'relay' AND o.state = 'pending')
		AND EXISTS (SELECT 1 FROM outbox o WHERE o.escalation_id = e.id AND o.kind = 'relay' AND o.state = 'failed'
			AND COALESCE(o.failed_at, o.not_before, o.created_at) >= ?)
		ORDER BY e.created_at, e.id`, p.from)
	if err != nil {
		return nil, fmt.Errorf("store: undelivered: %w", err)
	}
	return es, nil
}

// DueForReminder lists the escalations routed before the given time that
// wait for someone to claim them, oldest first: the open ones, and the
// claimed ones whose claimer is not among staff (the roster's ids: they
// left it).
func (db *DB) DueForReminder(ctx context.Context, before time.Time, staff []string) ([]bot.Escalation, error) {
	if staff == nil {
		staff = []string{} // JSON null would match no claimer
	}
	ids, err := jsonVal(staff)
	if err != nil {
		return nil, fmt.Errorf("store: due for reminder: %w", err)
	}
	es, err := db.escalations(ctx, `SELECT `+escalationCols+` FROM escalations
		WHERE state = 'open' AND routed_at < ?
		UNION ALL
		SELECT `+escalationCols+` FROM escalations
		WHERE state = 'claimed' AND routed_at < ? AND claimed_by NOT IN (SELECT value FROM json_each(?))
		ORDER BY routed_at, id`, ts(before), ts(before), ids)
	if err != nil {
		return nil, fmt.Errorf("store: due for reminder: %w", err)
	}
	return es, nil
}

// MarkDeskSynced records that the desk post ref shows version. It does not
// change the escalation's Version. A new ref (the post was made again)
// replaces the old one; for the same ref the shown version never goes back.
func (db *DB) MarkDeskSynced(ctx context.Context, id int64, ref string, version int) error {
	if ref == "" {
		return fmt.Errorf("store: mark desk synced %d: %w: empty desk ref", id, bot.ErrInvalid)
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE escalations SET desk_ref = ?,
			desk_version = CASE WHEN desk_ref = ? THEN MAX(desk_version, ?) ELSE ? END WHERE id = ?`,
			ref, ref, version, version, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return notFound("escalation", id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: mark desk synced: %w", err)
	}
	return nil
}

// ApplyEscalation writes c in one transaction, in this order:
//
//   - c.Answer, when set: inserted when its ID is 0 (EscalationID defaults
//     to c.Escalation's, At to now; ErrDuplicate when its EventID was seen
//     before, and then nothing at all is written), else only its Status is
//     updated (ErrNotFound when it does not exist);
//   - c.Escalation, when set: every field except ID, CreatedAt, DeskRef,
//     DeskVersion (see MarkDeskSynced) and Askers, provided its Version is
//     the stored one (else ErrConflict; ErrNotFound when it does not exist);
//     Version is then incremented, and UpdatedAt written as given (the
//     caller's clock) or now when zero;
//   - c.Edit, when set: the asker's message and masked question (ErrNotFound
//     when the message is no asker of the escalation, or was purged);
//   - c.Audit entries (At defaults to now, Target to "escalation:ID");
//   - c.Outbox items (EscalationID defaults to the escalation's; an item
//     whose Reply.Key was seen before is skipped and keeps ID 0). A pending
//     relay (AskerMessageID set) clears RelayedAt of the askers it will
//     reach, as MarkSent counts them: a follow-up answer moves the
//     escalation to StateRelayed only once every asker has it. With
//     c.Once, a first item whose Reply.Key was seen before writes nothing
//     at all, and ErrDuplicate is returned.
//
// On success the IDs and defaults are filled in c.
func (db *DB) ApplyEscalation(ctx context.Context, c *bot.EscalationChange) error {
	if err := checkChange(c); err != nil {
		return fmt.Errorf("store: apply escalation: %w", err)
	}
	now := db.now()
	var (
		esc bot.Escalation
		ans bot.StaffAnswer
		eid int64
	)
	if c.Escalation != nil {
		esc = *c.Escalation
		eid = esc.ID
	}
	if c.Answer != nil {
		ans = *c.Answer
		if eid == 0 {
			eid = ans.EscalationID
		}
	}
	audit := make([]bot.AuditEntry, len(c.Audit))
	copy(audit, c.Audit)
	out := make([]bot.Outgoing, len(c.Outbox))
	copy(out, c.Outbox)

	err := db.write(ctx, func(tx *sql.Tx) error {
		if c.Answer != nil {
			if err := writeAnswer(ctx, tx, &ans, eid, now); err != nil {
				return err
			}
		}
		if c.Escalation != nil {
			if err := updateEscalation(ctx, tx, &esc, now); err != nil {
				return err
			}
		}
		if c.Edit != nil {
			if err := editQuestion(ctx, tx, eid, *c.Edit); err != nil {
				return err
			}
		}
		for i := range audit {
			if audit[i].Target == "" && eid != 0 {
				audit[i].Target = fmt.Sprintf("escalation:%d", eid)
			}
			if err := insertAudit(ctx, tx, &audit[i], now); err != nil {
				return err
			}
		}
		for i := range out {
			if out[i].EscalationID == 0 {
				out[i].EscalationID = eid
			}
			if err := insertOutgoing(ctx, tx, &out[i], now); err != nil {
				return err
			}
			if i == 0 && c.Once && out[i].ID == 0 {
				return fmt.Errorf("outbox key %q: %w", out[i].Reply.Key, bot.ErrDuplicate)
			}
			if err := awaitRelay(ctx, tx, out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: apply escalation: %w", err)
	}
	if c.Escalation != nil {
		*c.Escalation = esc
	}
	if c.Answer != nil {
		*c.Answer = ans
	}
	copy(c.Audit, audit)
	copy(c.Outbox, out)
	return nil
}

// editQuestion writes the text an asker of escalation eid gave their
// message after asking: the message's, and the asker's masked question
// and, when set, language.
func editQuestion(ctx context.Context, tx *sql.Tx, eid int64, e bot.QuestionEdit) error {
	res, err := tx.ExecContext(ctx, `UPDATE escalation_askers SET question = ?, lang = CASE WHEN ? = '' THEN lang ELSE ? END
		WHERE message_id = ? AND escalation_id = ? AND redacted = 0`, e.Question, string(e.Lang), string(e.Lang), e.MessageID, eid)
	if err != nil {
		return fmt.Errorf("asker %d: %w", e.MessageID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return notFound("asker", e.MessageID)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE messages SET text = ? WHERE id = ? AND redacted = 0`, e.Text, e.MessageID); err != nil {
		return fmt.Errorf("message %d: %w", e.MessageID, err)
	}
	return nil
}

func checkChange(c *bot.EscalationChange) error {
	if c == nil || c.Escalation == nil && c.Answer == nil && len(c.Audit) == 0 && len(c.Outbox) == 0 {
		return fmt.Errorf("%w: empty escalation change", bot.ErrInvalid)
	}
	var problems []string
	if e := c.Escalation; e != nil {
		if e.ID == 0 {
			problems = append(problems, "the escalation has no id")
		}
		if !validState(e.State) {
			problems = append(problems, fmt.Sprintf("unknown escalation state %q", e.State))
		}
	}
	if a := c.Answer; a != nil {
		if !validAnswerStatus(a.Status) {
			problems = append(problems, fmt.Sprintf("unknown answer status %q", a.Status))
		}
		if a.ID == 0 && a.EscalationID == 0 && c.Escalation == nil {
			problems = append(problems, "a new answer needs its escalation")
		}
	}
	if c.Edit != nil && c.Escalation == nil {
		problems = append(problems, "an edited question needs its escalation")
	}
	if c.Once && (len(c.Outbox) == 0 || c.Outbox[0].Reply.Key == "") {
		problems = append(problems, "a change made once needs an outbox item with a key")
	}
	for _, it := range c.Outbox {
		if it.To.Platform == "" {
			problems = append(problems, "an outbox item needs To.Platform")
			break
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", bot.ErrInvalid, strings.Join(problems, "; "))
	}
	return nil
}

func validAnswerStatus(s bot.AnswerStatus) bool {
	switch s {
	case bot.AnswerQueued, bot.AnswerHeld, bot.AnswerDropped, bot.AnswerRejected:
		return true
	}
	return false
}

func writeAnswer(ctx context.Context, tx *sql.Tx, a *bot.StaffAnswer, escalationID int64, now time.Time) error {
	if a.ID != 0 {
		res, err := tx.ExecContext(ctx, `UPDATE staff_answers SET status = ? WHERE id = ?`, string(a.Status), a.ID)
		if err != nil {
			return fmt.Errorf("answer %d: %w", a.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return notFound("staff answer", a.ID)
		}
		return nil
	}
	if a.EscalationID == 0 {
		a.EscalationID = escalationID
	}
	if a.At.IsZero() {
		a.At = now
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO staff_answers (escalation_id, staff_id, desk_user_id, event_id,
		text, lang, status, entry_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (event_id) DO NOTHING`,
		a.EscalationID, a.StaffID, a.DeskUserID, nullStr(a.EventID), a.Text, string(a.Lang), string(a.Status),
		a.EntryID, ts(a.At))
	if err != nil {
		return fmt.Errorf("answer: %w", constraint(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("answer event %q: %w", a.EventID, bot.ErrDuplicate)
	}
	a.ID, err = res.LastInsertId()
	return err
}

func updateEscalation(ctx context.Context, tx *sql.Tx, e *bot.Escalation, now time.Time) error {
	updated := orNow(e.UpdatedAt, now)
	sugg, err := jsonVal(e.Suggestions)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE escalations SET state = ?, lang = ?, topic = ?, question = ?,
		suggestions = ?, channel = ?, routed_to = ?, routed_at = ?, reminders = ?, reroutes = ?,
		claimed_by = ?, claimed_at = ?, answered_by = ?, answered_at = ?, closed_by = ?, close_reason = ?,
		closed_at = ?, updated_at = ?, nudges = ?, version = version + 1
		WHERE id = ? AND version = ?`,
		string(e.State), string(e.Lang), e.Topic, e.Question, sugg, string(e.Channel), e.RoutedTo,
		ts(e.RoutedAt), e.Reminders, e.Reroutes, e.ClaimedBy, ts(e.ClaimedAt), e.AnsweredBy, ts(e.AnsweredAt),
		e.ClosedBy, e.CloseReason, ts(e.ClosedAt), ts(updated), e.Nudges, e.ID, e.Version)
	if err != nil {
		return fmt.Errorf("escalation %d: %w", e.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 1 {
		e.Version++
		e.UpdatedAt = updated
		return nil
	}
	var version int
	if err := tx.QueryRowContext(ctx, `SELECT version FROM escalations WHERE id = ?`, e.ID).Scan(&version); err != nil {
		return noRows(err, "escalation", e.ID)
	}
	return fmt.Errorf("escalation %d: version %d given, %d stored: %w", e.ID, e.Version, version, bot.ErrConflict)
}

const answerCols = `id, escalation_id, staff_id, desk_user_id, COALESCE(event_id, ''), text, lang, status,
	entry_id, at`

func scanAnswer(sc scanner) (bot.StaffAnswer, error) {
	var (
		a            bot.StaffAnswer
		lang, status string
	)
	err := sc.Scan(&a.ID, &a.EscalationID, &a.StaffID, &a.DeskUserID, &a.EventID, &a.Text, &lang, &status,
		&a.EntryID, timeCol{&a.At})
	a.Lang, a.Status = bot.Lang(lang), bot.AnswerStatus(status)
	return a, err
}

// StaffAnswer returns one staff answer, or an error wrapping bot.ErrNotFound.
func (db *DB) StaffAnswer(ctx context.Context, id int64) (bot.StaffAnswer, error) {
	a, err := scanAnswer(db.r.QueryRowContext(ctx, `SELECT `+answerCols+` FROM staff_answers WHERE id = ?`, id))
	if err != nil {
		return bot.StaffAnswer{}, fmt.Errorf("store: %w", noRows(err, "staff answer", id))
	}
	return a, nil
}

// Answers lists the staff answers of an escalation, oldest first.
func (db *DB) Answers(ctx context.Context, escalationID int64) ([]bot.StaffAnswer, error) {
	as, err := escalationAnswers(ctx, db.r, escalationID)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return as, nil
}

// escalationAnswers lists the staff answers of an escalation, oldest first,
// through q (the read pool or a transaction).
func escalationAnswers(ctx context.Context, q querier, id int64) ([]bot.StaffAnswer, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+answerCols+` FROM staff_answers WHERE escalation_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("answers: %w", err)
	}
	defer rows.Close()
	var as []bot.StaffAnswer
	for rows.Next() {
		a, err := scanAnswer(rows)
		if err != nil {
			return nil, fmt.Errorf("answers: %w", err)
		}
		as = append(as, a)
	}
	return as, rows.Err()
}
