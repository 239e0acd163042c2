package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/phases"
)

// Retention: records are kept, but after the retention period they lose
// what identifies or was written by a citizen. The numbers the reports
// need stay: decisions, escalation states and times, staff answers (the
// department's own words, signed), phase changes, broadcasts, the audit log.

// purgeBatch is how many rows one purge transaction changes at most, so a
// purge never holds the write lock for long while the bot runs.
const purgeBatch = 500

// PurgeResult counts what one purge changed, per table.
type PurgeResult struct {
	Before time.Time // records older than this were purged
	// Messages had their text and author removed (messages.redacted set).
	Messages int
	// Askers (escalation_askers) had their question and the user id and
	// name in their address removed.
	Askers int
	// Escalations, finished (relayed, closed, or answered with no relay
	// still pending), had their question removed.
	Escalations int
	// Drafts not approved, saved from those escalations, had the question
	// they copied from them, or the entry id made from it, removed.
	Drafts int
	// Outbox items delivered or given up had the user id and name removed
	// from their address and key, or, for a desk notice quoting a
	// citizen's words, their text emptied, and for one naming a citizen,
	// their text replaced by the same calling them "the citizen".
	Outbox int
	// Feedback rows had the reacting user's id replaced by a placeholder.
	Feedback int
	// Kept counts messages older than Before left whole because a reply to
	// them is still due (their escalation waits, or an outbox item is
	// pending); a later purge takes them once it is delivered.
	Kept int
}

// Changed is the number of rows the purge changed.
func (r PurgeResult) Changed() int {
	return r.Messages + r.Askers + r.Escalations + r.Drafts + r.Outbox + r.Feedback
}

// String sums the result up for logs and the audit log; it holds no
// citizen text.
func (r PurgeResult) String() string {
	return fmt.Sprintf("messages %d, askers %d, escalations %d, drafts %d, outbox %d, feedback %d; %d messages kept until their reply is delivered",
		r.Messages, r.Askers, r.Escalations, r.Drafts, r.Outbox, r.Feedback, r.Kept)
}

// purgeStep changes at most limit rows in one transaction and returns how
// many it changed and how many it visited (fewer visited than limit: done).
type purgeStep struct {
	count *int
	run   func(ctx context.Context, tx *sql.Tx, before string, limit int) (changed, visited int, err error)
}

// Purge removes, from records older than before, what identifies or was
// written by a citizen, and audits it (actor "retention", via "engine")
// when anything changed. See PurgeVia.
func (db *DB) Purge(ctx context.Context, before time.Time) (PurgeResult, error) {
	return db.PurgeVia(ctx, before, "engine")
}

// PurgeVia is Purge with the audit entry's Via ("engine" for the hourly
// run in serve, "cli" for an operator's command). For records older than
// before it:
//
//   - empties messages.text, author_id and author_name and sets redacted;
//   - empties escalation_askers.question and removes the user id and name
//     from the asker's address, once its escalation is finished: relayed,
//     closed, or answered with no relay still pending (a relay that failed
//     for good is not retried);
//   - empties escalations.question once finished (last updated
//     before), and advances its version so that the desk redraws its post
//     (a Slack message quoting the question) without it;
//   - empties, in drafts not approved saved from such an escalation, the
//     question still equal to the escalation's (the citizen's words) and
//     the entry id made from it (bot.DraftEntryID); an approved draft,
//     exported into the knowledge-base files or not (bot.DraftInFiles), is
//     the department's own entry and is kept whole;
//   - removes the user id and name from the address of outbox items
//     delivered or given up, and from their key; empties the text of
//     those that are desk notices quoting a citizen (bot.NoticeLangRequest)
//     and, in those naming one (bot.NoticeUndelivered), puts the same
//     notice calling them "the citizen" (bot.Notice.Redacted) in place of
//     the text, or empties it in one written without that version;
//   - replaces the user id of feedback with a placeholder (the reaction's
//     value stays counted; SaveFeedback then records no new reaction to
//     that message, which could be the same citizen's counted twice).
//
// It never touches what an undelivered reply still needs: the message and
// asker of an escalation still open, claimed or answered with a relay pending,
// nor anything an outbox item still pending refers to. Decisions, phase
// changes, staff answers, approved drafts, broadcasts and the audit log
// are kept whole.
//
// The work is done in transactions of at most 500 rows, so the bot keeps
// writing in between. Purge is idempotent: a second call with the same
// before changes nothing and writes no audit entry. When ctx ends midway,
// what was done is counted, audited and returned with the error.
// bot.ErrInvalid when before is zero.
func (db *DB) PurgeVia(ctx context.Context, before time.Time, via string) (PurgeResult, error) {
	return db.purge(ctx, before, via, purgeBatch)
}

func (db *DB) purge(ctx context.Context, before time.Time, via string, batch int) (PurgeResult, error) {
	r := PurgeResult{Before: before.UTC()}
	if before.IsZero() {
		return r, fmt.Errorf("store: purge: %w: no cut-off time", bot.ErrInvalid)
	}
	cut := before.UTC().Format(timeLayout)
	steps := []purgeStep{
		{&r.Askers, purgeAskers},
		{&r.Drafts, purgeDrafts}, // before the escalations: it reads their question
		{&r.Escalations, purgeEscalations},
		{&r.Outbox, purgeOutbox},
		{&r.Feedback, purgeFeedback},
		{&r.Messages, purgeMessages},
	}
	var runErr error
steps:
	for _, s := range steps {
		for {
			if err := ctx.Err(); err != nil {
				runErr = err
				break steps
			}
			var changed, visited int
			err := db.write(ctx, func(tx *sql.Tx) error {
				var err error
				changed, visited, err = s.run(ctx, tx, cut, batch)
				return err
			})
			if err != nil {
				runErr = err
				break steps
			}
			*s.count += changed
			if visited < batch {
				break
			}
		}
	}
	if runErr == nil {
		runErr = db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages WHERE redacted = 0 AND at < ?`, cut).Scan(&r.Kept)
	}
	if r.Changed() > 0 {
		// What was done is audited even when the purge was interrupted.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		err := db.write(actx, func(tx *sql.Tx) error {
			return insertAudit(actx, tx, &bot.AuditEntry{Actor: "retention", Via: via, Action: "retention.purge",
				Target: "records before " + r.Before.Format(time.RFC3339), Detail: r.String(), Allowed: true}, db.now())
		})
		cancel()
		if runErr == nil {
			runErr = err
		}
	}
	if runErr != nil {
		return r, fmt.Errorf("store: purge: %w", runErr)
	}
	return r, nil
}

// escalationDone is true for an escalation no reply is due from any more:
// relayed, closed, or answered with no relay still pending (a relay that
// failed for good is not retried; the engine then gives the escalation
// back to its author, waiting again, see Undelivered), so one left
// answered keeps no personal data past the retention period. Its askers may
// be purged before the engine gives it back (asked before the cut-off,
// answered after it, the relay failing just before a crash or an
// upgrade): they can no longer be reached, are owed nothing, and the
// escalation stays answered unless someone else is (Undelivered). e is
// the escalations alias.
const escalationDone = `(e.state IN ('relayed', 'closed') OR (e.state = 'answered' AND NOT EXISTS
		(SELECT 1 FROM outbox o WHERE o.escalation_id = e.id AND o.kind = 'relay' AND o.state = 'pending')))`

// waitingReply is true for a message some reply is still due to: its
// escalation waits for staff or its answer is still on its way, or an
// outbox item about it is pending. m is the messages alias.
const waitingReply = `(EXISTS (SELECT 1 FROM escalation_askers a JOIN escalations e ON e.id = a.escalation_id
		WHERE a.message_id = m.id AND NOT ` + escalationDone + `)
	OR EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id AND o.state = 'pending')
	OR EXISTS (SELECT 1 FROM outbox o WHERE o.asker_message_id = m.id AND o.state = 'pending'))`

func purgeMessages(ctx context.Context, tx *sql.Tx, before string, limit int) (int, int, error) {
	res, err := tx.ExecContext(ctx, `UPDATE messages SET text = '', author_id = '', author_name = '', redacted = 1
		WHERE id IN (SELECT m.id FROM messages m WHERE m.redacted = 0 AND m.at < ? AND NOT `+waitingReply+`
			ORDER BY m.at LIMIT ?)`, before, limit)
	return affected(res, err, "messages")
}

// withoutUser is an address (JSON bot.Address) without the citizen's
// identity; the channel, thread and message replied to stay.
const withoutUser = `json_remove(address, '$.user_id', '$.user_name')`

func purgeAskers(ctx context.Context, tx *sql.Tx, before string, limit int) (int, int, error) {
	res, err := tx.ExecContext(ctx, `UPDATE escalation_askers SET question = '', address = `+withoutUser+`, redacted = 1
		WHERE message_id IN (SELECT a.message_id FROM escalation_askers a JOIN escalations e ON e.id = a.escalation_id
			WHERE a.redacted = 0 AND a.asked_at < ? AND `+escalationDone+`
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.asker_message_id = a.message_id AND o.state = 'pending')
			ORDER BY a.asked_at LIMIT ?)`, before, limit)
	return affected(res, err, "askers")
}

func purgeEscalations(ctx context.Context, tx *sql.Tx, before string, limit int) (int, int, error) {
	// The version moves on so that the desk post, which quotes the
	// question, is drawn again without it (bot.Engine's desk sync).
	res, err := tx.ExecContext(ctx, `UPDATE escalations SET question = '', version = version + 1
		WHERE id IN (SELECT e.id FROM escalations e WHERE e.question <> '' AND e.updated_at < ?
			AND `+escalationDone+` ORDER BY e.updated_at LIMIT ?)`, before, limit)
	return affected(res, err, "escalations")
}

// purgeDrafts empties what drafts not approved copied from a citizen's
// question: the question itself, while staff have not rewritten it, and the
// entry id SaveDraft made from it. It visits the drafts of the escalations
// purgeEscalations is about to empty, so it runs first.
func purgeDrafts(ctx context.Context, tx *sql.Tx, before string, limit int) (int, int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT d.id, d.entry_id, d.question_en, d.question_fr, e.question
		FROM drafts d JOIN escalations e ON e.id = d.escalation_id
		WHERE d.state NOT IN ('approved', 'in-files') AND e.question <> '' AND e.updated_at < ? AND `+escalationDone+`
		AND (d.question_en = e.question OR d.question_fr = e.question OR d.entry_id <> '')
		ORDER BY d.id`, before)
	if err != nil {
		return 0, 0, fmt.Errorf("drafts: %w", err)
	}
	type draft struct {
		id                    int64
		entryID, qEN, qFR, eq string
	}
	var change []draft
	for rows.Next() && len(change) < limit {
		var d draft
		if err := rows.Scan(&d.id, &d.entryID, &d.qEN, &d.qFR, &d.eq); err != nil {
			rows.Close()
			return 0, 0, fmt.Errorf("drafts: %w", err)
		}
		fromQuestion := d.entryID != "" && d.entryID == bot.DraftEntryID(d.eq)
		if d.qEN != d.eq && d.qFR != d.eq && !fromQuestion {
			continue // the staff's own words
		}
		if d.qEN == d.eq {
			d.qEN = ""
		}
		if d.qFR == d.eq {
			d.qFR = ""
		}
		if fromQuestion {
			d.entryID = ""
		}
		change = append(change, d)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return 0, 0, fmt.Errorf("drafts: %w", err)
	}
	for _, d := range change {
		if _, err := tx.ExecContext(ctx, `UPDATE drafts SET entry_id = ?, question_en = ?, question_fr = ? WHERE id = ?`,
			d.entryID, d.qEN, d.qFR, d.id); err != nil {
			return 0, 0, fmt.Errorf("drafts: %w", err)
		}
	}
	return len(change), len(change), nil
}

// quotesCitizen is true for a desk notice that quotes a citizen's words
// or names them: what they wrote when asking for a staff answer in their
// language (bot.NoticeLangRequest); their name or user id, as the one an
// answer could not be delivered to (bot.NoticeUndelivered, written with
// the same notice calling them "the citizen": bot.Notice.Redacted), or
// any notice written with such a version.
const quotesCitizen = `(json_extract(notice, '$.kind') IN ('` + string(bot.NoticeLangRequest) + `', '` +
	string(bot.NoticeUndelivered) + `') OR json_type(notice, '$.redacted') IS NOT NULL)`

// withoutCitizen is col (reply or notice) of a desk notice quoting or
// naming a citizen, with the text and parts of the notice's version
// without them (bot.Notice.Redacted), or with no text when it has none: a
// notice written before the engine kept one, or quoting their words.
func withoutCitizen(col string) string {
	return `CASE WHEN json_type(notice, '$.redacted.parts') = 'array'
		THEN json_set(` + col + `, '$.text', json_extract(notice, '$.redacted.text'), '$.parts', json(json_extract(notice, '$.redacted.parts')))
		ELSE json_remove(json_set(` + col + `, '$.text', COALESCE(json_extract(notice, '$.redacted.text'), '')), '$.parts') END`
}

// purgeOutbox marks every finished item it visits, so none is visited
// twice, and counts those whose address named a user or that quoted a
// citizen. A key that names the user the item was sent to (the
// acknowledgement of a language request is sent once per citizen and
// answer) names the item instead, and stays unique.
func purgeOutbox(ctx context.Context, tx *sql.Tx, before string, limit int) (int, int, error) {
	ids, err := selectIDs(ctx, tx, `SELECT id FROM outbox WHERE redacted = 0 AND created_at < ? AND state <> 'pending'
		ORDER BY created_at LIMIT ?`, before, limit)
	if err != nil || len(ids) == 0 {
		return 0, 0, err
	}
	list, err := jsonVal(ids)
	if err != nil {
		return 0, 0, err
	}
	const user = `json_extract(address, '$.user_id')`
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET key = replace(key, `+user+`, 'redacted:' || id),
			reply = json_set(reply, '$.key', replace(json_extract(reply, '$.key'), `+user+`, 'redacted:' || id))
		WHERE id IN (SELECT value FROM json_each(?)) AND `+user+` <> '' AND instr(key, `+user+`) > 0`, list); err != nil {
		return 0, 0, fmt.Errorf("outbox keys: %w", err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE outbox SET address = `+withoutUser+`
		WHERE id IN (SELECT value FROM json_each(?))
		AND (json_extract(address, '$.user_id') IS NOT NULL OR json_extract(address, '$.user_name') IS NOT NULL)`, list)
	changed, _, err := affected(res, err, "outbox")
	if err != nil {
		return 0, 0, err
	}
	res, err = tx.ExecContext(ctx, `UPDATE outbox SET reply = `+withoutCitizen("reply")+`,
			notice = json_remove(`+withoutCitizen("notice")+`, '$.redacted')
		WHERE id IN (SELECT value FROM json_each(?)) AND `+quotesCitizen, list)
	quoted, _, err := affected(res, err, "outbox notices")
	if err != nil {
		return 0, 0, err
	}
	changed += quoted
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET redacted = 1 WHERE id IN (SELECT value FROM json_each(?))`, list); err != nil {
		return 0, 0, fmt.Errorf("outbox: %w", err)
	}
	return changed, len(ids), nil
}

// purgeFeedback keeps one row per citizen and reply (the placeholder is
// unique), with the emoji held and the rating, so the helpful and
// not-helpful counts do not change.
func purgeFeedback(ctx context.Context, tx *sql.Tx, before string, limit int) (int, int, error) {
	res, err := tx.ExecContext(ctx, `UPDATE feedback SET user_id = 'redacted:' || id, redacted = 1
		WHERE id IN (SELECT id FROM feedback WHERE redacted = 0 AND at < ? ORDER BY at LIMIT ?)`, before, limit)
	return affected(res, err, "feedback")
}

func affected(res sql.Result, err error, what string) (int, int, error) {
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", what, err)
	}
	return int(n), int(n), nil
}

func selectIDs(ctx context.Context, q querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ArchiveFilter selects the messages Archive reads.
type ArchiveFilter struct {
	// Since and Until bound the period: messages posted in it, and those
	// posted before whose escalation was answered, relayed or closed in it
	// (see Archive). Zero Since: from the first; zero Until: up to the last.
	Since time.Time
	Until time.Time // excluded
	// Contains keeps messages whose words hold it, ignoring case, accents
	// and the form of apostrophes (foldText): their text, their staff
	// answers or the bot's replies to them; "" keeps all. A purged
	// message has no text: only the department's words can match it.
	Contains string
}

// ArchivedMessage is one recorded public message and what became of it.
type ArchivedMessage struct {
	MessageID  int64
	At         time.Time
	Platform   string
	Channel    bot.ChannelKey
	ThreadID   string
	AuthorName string // "" once purged
	AuthorBot  bool
	DM         bool
	Text       string // "" once purged
	Redacted   bool
	// Decision is what the engine decided; nil when none was recorded.
	Decision *bot.Decision
	// Escalation is the escalation the message created or joined; nil when
	// none.
	Escalation *ArchivedEscalation
	// Replies are what the bot sent or queued to the message's author about
	// it, oldest first: its answer, acknowledgement or notice, and the
	// signed staff answers relayed to them (not desk notices). They are the
	// department's words and are kept by the purge, which takes only whom
	// they were addressed to.
	Replies []ArchivedReply
}

// ArchivedReply is one reply of the bot to an archived message.
type ArchivedReply struct {
	Kind   bot.ReplyKind
	Lang   bot.Lang // "" for bilingual text
	Text   string
	State  bot.OutState
	SentAt time.Time // zero until delivered
	// Helpful and NotHelpful count the citizens whose rating of the reply
	// (an answer or a relayed staff answer) is 👍 or 👎 now, as reports
	// count them; the purge keeps them.
	Helpful, NotHelpful int
}

// ArchivedEscalation is an escalation as seen from one of its askers.
type ArchivedEscalation struct {
	ID    int64
	State bot.EscalationState
	Topic string
	// RoutedTo and ClaimedBy are staff roster ids ("" when none).
	RoutedTo  string
	ClaimedBy string
	// ClosedBy, CloseReason and ClosedAt record a close without an answer.
	ClosedBy    string
	CloseReason string
	ClosedAt    time.Time
	// RelayedAt is when the staff answer reached this message's author;
	// zero until then.
	RelayedAt time.Time
	// Answers are the staff answers written on the desk, oldest first.
	Answers []bot.StaffAnswer
}

// archivePage is how many messages Archive reads per query.
const archivePage = 500

// Archive calls fn for every message matching f, oldest first (by posted
// time, then id), all read from one snapshot. A period (f.Since) holds the
// messages posted in it and, before them, those posted earlier whose
// escalation got a staff answer, a relay or a close in it: that answer is
// a record of the period. fn's error stops the reading and is returned as
// is.
func (db *DB) Archive(ctx context.Context, f ArchiveFilter, fn func(ArchivedMessage) error) error {
	needle := foldText(f.Contains)
	until := ""
	if !f.Until.IsZero() {
		until = f.Until.UTC().Format(timeLayout)
	}
	since := ""
	if !f.Since.IsZero() {
		since = f.Since.UTC().Format(timeLayout)
	}
	var fnErr error
	err := db.read(ctx, func(tx *sql.Tx) error {
		answers := map[int64][]bot.StaffAnswer{}
		// read calls fn for the messages posted in [from, to) ("": no end),
		// only those of ids when it is not nil.
		read := func(from, to string, ids []int64) error {
			only := "null"
			if ids != nil {
				var err error
				if only, err = jsonVal(ids); err != nil {
					return err
				}
			}
			lastAt, lastID := from, int64(0)
			for {
				page, err := archivePageAfter(ctx, tx, lastAt, lastID, to, only)
				if err != nil {
					return err
				}
				if len(page) > 0 {
					last := page[len(page)-1]
					lastAt, lastID = last.At.UTC().Format(timeLayout), last.MessageID
				}
				if err := archiveReplies(ctx, tx, page); err != nil {
					return err
				}
				for i := range page {
					m := &page[i]
					if e := m.Escalation; e != nil {
						as, ok := answers[e.ID]
						if !ok {
							if as, err = escalationAnswers(ctx, tx, e.ID); err != nil {
								return err
							}
							answers[e.ID] = as
						}
						e.Answers = as
					}
					if needle != "" && !archivedHolds(*m, needle) {
						continue
					}
					if err := fn(*m); err != nil {
						fnErr = err
						return err
					}
				}
				if len(page) < archivePage {
					return nil
				}
			}
		}
		if since != "" {
			earlier, err := archiveAnsweredIn(ctx, tx, since, until)
			if err != nil {
				return err
			}
			if len(earlier) > 0 {
				if err := read("", since, earlier); err != nil {
					return err
				}
			}
		}
		return read(since, until, nil)
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return fmt.Errorf("store: archive: %w", err)
	}
	return nil
}

// archivedHolds reports whether the words of m hold needle (folded, see
// foldText): the message's text, its staff answers or the bot's replies
// to its author.
func archivedHolds(m ArchivedMessage, needle string) bool {
	texts := []string{m.Text}
	if m.Escalation != nil {
		for _, a := range m.Escalation.Answers {
			texts = append(texts, a.Text)
		}
	}
	for _, r := range m.Replies {
		texts = append(texts, r.Text)
	}
	for _, t := range texts {
		if strings.Contains(foldText(t), needle) {
			return true
		}
	}
	return false
}

// archiveAnsweredIn lists the messages posted before since whose
// escalation got a staff answer, a relay or a close in [since, until)
// (until "": no end).
func archiveAnsweredIn(ctx context.Context, tx *sql.Tx, since, until string) ([]int64, error) {
	if until == "" {
		until = endOfTime
	}
	ids, err := selectIDs(ctx, tx, `SELECT a.message_id FROM escalation_askers a JOIN messages m ON m.id = a.message_id
		WHERE m.at < ? AND (a.escalation_id IN (
				SELECT escalation_id FROM staff_answers WHERE at >= ? AND at < ?
				UNION SELECT id FROM escalations WHERE closed_at >= ? AND closed_at < ?)
			OR a.message_id IN (SELECT asker_message_id FROM outbox
				WHERE kind = 'relay' AND sent_at >= ? AND sent_at < ?))`,
		since, since, until, since, until, since, until)
	if err != nil {
		return nil, fmt.Errorf("answered in the period: %w", err)
	}
	return ids, nil
}

// archiveRepliesQuery reads the replies to a JSON list of message ids.
const archiveRepliesQuery = `SELECT p.value, o.kind, COALESCE(json_extract(o.reply, '$.lang'), ''),
		COALESCE(json_extract(o.reply, '$.text'), ''), o.state, o.sent_at,
		(SELECT COUNT(*) FROM feedback f WHERE f.outbox_id = o.id AND f.value > 0),
		(SELECT COUNT(*) FROM feedback f WHERE f.outbox_id = o.id AND f.value < 0)
		FROM json_each(?) p JOIN outbox o ON o.message_id = p.value OR o.asker_message_id = p.value
		WHERE o.platform <> ?
		ORDER BY o.id`

// archiveReplies fills in the replies to the messages of a page, with
// their ratings, in one query: the items answering a message (MessageID)
// and the relays to its author (AskerMessageID), on the message's
// platform, never the desk.
func archiveReplies(ctx context.Context, tx *sql.Tx, page []ArchivedMessage) error {
	if len(page) == 0 {
		return nil
	}
	at := make(map[int64]int, len(page))
	ids := make([]int64, len(page))
	for i, m := range page {
		at[m.MessageID], ids[i] = i, m.MessageID
	}
	list, err := jsonVal(ids)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, archiveRepliesQuery, list, bot.DeskPlatform)
	if err != nil {
		return fmt.Errorf("replies: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id                int64
			r                 ArchivedReply
			kind, lang, state string
		)
		if err := rows.Scan(&id, &kind, &lang, &r.Text, &state, timeCol{&r.SentAt}, &r.Helpful, &r.NotHelpful); err != nil {
			return fmt.Errorf("replies: %w", err)
		}
		r.Kind, r.Lang, r.State = bot.ReplyKind(kind), bot.Lang(lang), bot.OutState(state)
		m := &page[at[id]]
		m.Replies = append(m.Replies, r)
	}
	return rows.Err()
}

// archivePageAfter reads the next page of messages after (at, id), posted
// before until ("" for no end), only those of the JSON list of ids only
// unless it is "null".
func archivePageAfter(ctx context.Context, tx *sql.Tx, at string, id int64, until, only string) ([]ArchivedMessage, error) {
	rows, err := tx.QueryContext(ctx, `SELECT m.id, m.at, m.platform, m.channel, m.thread_id, m.author_name,
		m.author_bot, m.dm, m.text, m.redacted,
		d.message_id IS NOT NULL, COALESCE(d.action, ''), COALESCE(d.reason, ''), COALESCE(d.phase, 0),
		COALESCE(d.lang, ''), COALESCE(d.lang_source, ''), COALESCE(d.lang_conf, 0), COALESCE(d.entry_id, ''),
		COALESCE(d.confidence, 0), COALESCE(d.would, ''), d.at,
		COALESCE(e.id, 0), COALESCE(e.state, ''), COALESCE(e.topic, ''), a.relayed_at,
		COALESCE(e.routed_to, ''), COALESCE(e.claimed_by, ''), COALESCE(e.closed_by, ''),
		COALESCE(e.close_reason, ''), e.closed_at
		FROM messages m
		LEFT JOIN decisions d ON d.message_id = m.id
		LEFT JOIN escalation_askers a ON a.message_id = m.id
		LEFT JOIN escalations e ON e.id = COALESCE(d.escalation_id, a.escalation_id)
		WHERE (m.at > ? OR (m.at = ? AND m.id > ?)) AND (? = '' OR m.at < ?)
		AND (? = 'null' OR m.id IN (SELECT value FROM json_each(?)))
		ORDER BY m.at, m.id LIMIT ?`, at, at, id, until, until, only, only, archivePage)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var page []ArchivedMessage
	for rows.Next() {
		var (
			m                           ArchivedMessage
			channel                     string
			hasDecision                 bool
			d                           bot.Decision
			action, reason, lang, would string
			phase                       int
			e                           ArchivedEscalation
			state                       string
		)
		if err := rows.Scan(&m.MessageID, timeCol{&m.At}, &m.Platform, &channel, &m.ThreadID, &m.AuthorName,
			&m.AuthorBot, &m.DM, &m.Text, &m.Redacted,
			&hasDecision, &action, &reason, &phase, &lang, &d.LangSource, &d.LangConf, &d.EntryID,
			&d.Confidence, &would, timeCol{&d.At},
			&e.ID, &state, &e.Topic, timeCol{&e.RelayedAt},
			&e.RoutedTo, &e.ClaimedBy, &e.ClosedBy, &e.CloseReason, timeCol{&e.ClosedAt}); err != nil {
			return nil, err
		}
		m.Channel = bot.ChannelKey(channel)
		if hasDecision {
			d.MessageID, d.EscalationID = m.MessageID, e.ID
			d.Action, d.Reason, d.Would, d.Lang = bot.Action(action), bot.Reason(reason), bot.Action(would), bot.Lang(lang)
			d.Phase = phases.Phase(phase)
			m.Decision = &d
		}
		if e.ID != 0 {
			e.State = bot.EscalationState(state)
			m.Escalation = &e
		}
		page = append(page, m)
	}
	return page, rows.Err()
}

// ArchivedRecord is a decision other than the bot's in the archive: one of
// PhaseChange, Broadcast or Audit is set.
type ArchivedRecord struct {
	At          time.Time
	PhaseChange *phases.Change
	Broadcast   *bot.Broadcast
	// Audit is an entry of the audit log: every admin action and desk
	// action, allowed or refused.
	Audit *bot.AuditEntry
	// QueuedTo is, for a queued broadcast, where it went: the channel of
	// each of its outbox items (one per channel), in the order they were
	// queued, whether or not it chose its channels. Empty before it is
	// queued.
	QueuedTo []bot.ChannelKey
}

// ArchiveRecords calls fn for the phase changes, broadcasts (by the time
// they go out) and audit entries of the period of f (Since, Until; a
// zero one is no bound), oldest first, all read from one snapshot. With
// f.Contains, only those whose words hold it, as Archive does: the reason
// of a phase change, either text of a broadcast, the target or detail of
// an audit entry. fn's error stops the reading and is returned as is.
func (db *DB) ArchiveRecords(ctx context.Context, f ArchiveFilter, fn func(ArchivedRecord) error) error {
	p := newPeriod(f.Since, f.Until)
	needle := foldText(f.Contains)
	holds := func(texts ...string) bool {
		if needle == "" {
			return true
		}
		for _, t := range texts {
			if strings.Contains(foldText(t), needle) {
				return true
			}
		}
		return false
	}
	var recs []ArchivedRecord
	err := db.read(ctx, func(tx *sql.Tx) error {
		cs, err := phaseChanges(ctx, tx, `WHERE at >= ? AND at < ? ORDER BY at, id`, p.from, p.to)
		if err != nil {
			return fmt.Errorf("phase changes: %w", err)
		}
		for i := range cs {
			if c := &cs[i]; holds(c.Reason) {
				recs = append(recs, ArchivedRecord{At: c.At, PhaseChange: c})
			}
		}

		rows, err := tx.QueryContext(ctx, `SELECT `+broadcastCols+` FROM broadcasts
			WHERE at >= ? AND at < ? ORDER BY at, id`, p.from, p.to)
		if err != nil {
			return fmt.Errorf("broadcasts: %w", err)
		}
		index := map[int64]int{} // broadcast id: its index in recs
		for rows.Next() {
			b, err := scanBroadcast(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("broadcasts: %w", err)
			}
			if holds(b.EN, b.FR) {
				index[b.ID] = len(recs)
				recs = append(recs, ArchivedRecord{At: b.At, Broadcast: &b})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("broadcasts: %w", err)
		}
		if err := broadcastChannels(ctx, tx, p, func(id int64, k bot.ChannelKey) {
			if i, ok := index[id]; ok {
				recs[i].QueuedTo = append(recs[i].QueuedTo, k)
			}
		}); err != nil {
			return fmt.Errorf("broadcast channels: %w", err)
		}

		es, err := auditEntries(ctx, tx, `WHERE at >= ? AND at < ? ORDER BY at, id`, p.from, p.to)
		if err != nil {
			return fmt.Errorf("audit log: %w", err)
		}
		for i := range es {
			if e := &es[i]; holds(e.Target, e.Detail) {
				recs = append(recs, ArchivedRecord{At: e.At, Audit: e})
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: archive records: %w", err)
	}
	slices.SortStableFunc(recs, func(a, b ArchivedRecord) int { return a.At.Compare(b.At) })
	for _, r := range recs {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// broadcastChannels calls fn with the channel of each outbox item of the
// broadcasts of period p, in the order they were queued.
func broadcastChannels(ctx context.Context, tx *sql.Tx, p period, fn func(id int64, k bot.ChannelKey)) error {
	rows, err := tx.QueryContext(ctx, `SELECT o.broadcast_id, o.platform, o.channel FROM outbox o
		JOIN broadcasts b ON b.id = o.broadcast_id
		WHERE b.at >= ? AND b.at < ? ORDER BY o.id`, p.from, p.to)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id                int64
			platform, channel string
		)
		if err := rows.Scan(&id, &platform, &channel); err != nil {
			return err
		}
		fn(id, bot.Key(platform, channel))
	}
	return rows.Err()
}

// foldText is s as the archive search compares it: lower-case, without
// accents and with typographic apostrophes as ', so that "cheque" finds
// "chèque", "Quebec" finds "Québec" and "l'aide" finds "l’aide", and the
// reverse.
func foldText(s string) string { return apostrophes.Replace(bot.Fold(s)) }

var apostrophes = strings.NewReplacer("’", "'", "‘", "'", "ʼ", "'")
