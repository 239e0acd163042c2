package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/phases"
)

const insertMessage = `INSERT INTO messages (platform, platform_id, channel, thread_id, author_id, author_name,
	author_bot, text, mentioned, dm, reply_to_bot, in_help_channel, at, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (platform, platform_id) DO NOTHING`

const insertDecision = `INSERT INTO decisions (message_id, action, reason, phase, lang, lang_source, lang_conf,
	entry_id, confidence, would, escalation_id, addressed, at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// SaveOutcome records o in one transaction: the message, its decision, the
// escalation it creates or joins (with its asker) and the outbox items.
//
// It returns an error wrapping bot.ErrDuplicate, and writes nothing, when
// (Platform, ID) was recorded before; bot.ErrConflict when
// o.JoinEscalation is no longer waiting for an answer (bot.ErrNotFound when
// it does not exist); bot.ErrInvalid when the message has no platform or id,
// the decision no action, or both NewEscalation and JoinEscalation are set.
//
// On success it fills o.Decision.MessageID and EscalationID (and At when
// zero); for a new escalation its ID, Version (1), State (open when empty),
// CreatedAt, UpdatedAt and its single asker (built from the message when
// Askers is empty); for a join, o.Asker.MessageID; and for each outbox item
// its ID (0 when skipped because its Reply.Key was seen before), State,
// CreatedAt, and MessageID and EscalationID when they were 0 (the message
// and the escalation of this outcome), and AskerMessageID of a relay. A join
// increments the escalation's Version (UpdatedAt becomes the decision's At)
// so that the desk post is refreshed and a concurrent ApplyEscalation made
// without this asker fails.
func (db *DB) SaveOutcome(ctx context.Context, o *bot.Outcome) error {
	err := db.saveOutcome(ctx, o, func(tx *sql.Tx, at, now time.Time) (int64, error) {
		m := o.Message
		res, err := tx.ExecContext(ctx, insertMessage,
			m.Platform, m.ID, string(m.Channel()), m.ThreadID, m.AuthorID, m.AuthorName,
			boolInt(m.AuthorBot), m.Text, boolInt(m.Mentioned), boolInt(m.DM), boolInt(m.ReplyToBot),
			boolInt(m.InHelpChannel), ts(at), ts(now))
		if err != nil {
			return 0, fmt.Errorf("message: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return 0, err
		} else if n == 0 {
			return 0, fmt.Errorf("message %s/%s: %w", m.Platform, m.ID, bot.ErrDuplicate)
		}
		return res.LastInsertId()
	})
	if err != nil {
		return fmt.Errorf("store: save outcome: %w", err)
	}
	return nil
}

// SaveEdit records o, the decision on the edited text of a message recorded
// before (o.Message has its Platform, ID and author), in place of the
// decision recorded for it, in one transaction with audit, which says what
// was decided before: the message takes the edited text and the edited
// reasons it is addressed to the bot, and keeps its time; its decision is
// replaced by o.Decision, written with o's escalation and outbox items as
// SaveOutcome writes them (and o filled in the same way).
//
// It returns an error wrapping bot.ErrNotFound when the message was never
// recorded, or was purged; and, writing nothing, bot.ErrDuplicate when the
// decision recorded for it no longer has was's Action and Reason (another
// edit was decided meanwhile), bot.ErrInvalid when its author is not
// o.Message's, and bot.ErrConflict when o joins an escalation no longer
// waiting.
func (db *DB) SaveEdit(ctx context.Context, o *bot.Outcome, was bot.Decision, audit bot.AuditEntry) error {
	err := db.saveOutcome(ctx, o, func(tx *sql.Tx, _, now time.Time) (int64, error) {
		m := o.Message
		var (
			id             int64
			author         string
			action, reason string
		)
		err := tx.QueryRowContext(ctx, `SELECT m.id, m.author_id, d.action, d.reason
			FROM messages m JOIN decisions d ON d.message_id = m.id
			WHERE m.platform = ? AND m.platform_id = ? AND m.redacted = 0`, m.Platform, m.ID).Scan(&id, &author, &action, &reason)
		if err != nil {
			return 0, noRows(err, "message", m.Platform+"/"+m.ID)
		}
		if author != m.AuthorID {
			return 0, fmt.Errorf("message %s/%s: edited by another author: %w", m.Platform, m.ID, bot.ErrInvalid)
		}
		if bot.Action(action) != was.Action || bot.Reason(reason) != was.Reason {
			return 0, fmt.Errorf("message %s/%s: decided %s (%s) meanwhile: %w", m.Platform, m.ID, action, reason, bot.ErrDuplicate)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET text = ?, mentioned = ?, reply_to_bot = ?,
			in_help_channel = ? WHERE id = ?`,
			m.Text, boolInt(m.Mentioned), boolInt(m.ReplyToBot), boolInt(m.InHelpChannel), id); err != nil {
			return 0, fmt.Errorf("message: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM decisions WHERE message_id = ?`, id); err != nil {
			return 0, fmt.Errorf("decision: %w", err)
		}
		if err := insertAudit(ctx, tx, &audit, now); err != nil {
			return 0, err
		}
		return id, nil
	})
	if err != nil {
		return fmt.Errorf("store: save edit: %w", err)
	}
	return nil
}

// saveOutcome writes o in one transaction, its message through message,
// which returns the message's store id (see SaveOutcome).
func (db *DB) saveOutcome(ctx context.Context, o *bot.Outcome, message func(tx *sql.Tx, at, now time.Time) (int64, error)) error {
	if err := checkOutcome(o); err != nil {
		return err
	}
	m := o.Message
	now := db.now()
	at := orNow(m.Time, now)
	dec := o.Decision
	dec.At = orNow(dec.At, now)
	out := make([]bot.Outgoing, len(o.Outbox))
	copy(out, o.Outbox)
	var (
		esc   bot.Escalation
		asker bot.Asker
	)
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		if dec.MessageID, err = message(tx, at, now); err != nil {
			return err
		}
		switch {
		case o.NewEscalation != nil:
			esc = *o.NewEscalation
			if len(esc.Askers) == 1 {
				asker = esc.Askers[0]
			}
			fillAsker(&asker, m, dec, at, esc.Question)
			asker.MessageID = dec.MessageID
			if esc.State == "" {
				esc.State = bot.StateOpen
			}
			if esc.Lang == "" {
				esc.Lang = dec.Lang
			}
			if esc.Channel == "" {
				esc.Channel = m.Channel()
			}
			esc.CreatedAt = orNow(esc.CreatedAt, now)
			esc.UpdatedAt = esc.CreatedAt
			esc.Version = 1
			if esc.ID, err = insertEscalation(ctx, tx, &esc); err != nil {
				return err
			}
			esc.Askers = []bot.Asker{asker}
			dec.EscalationID = esc.ID
		case o.JoinEscalation != 0:
			if o.Asker != nil {
				asker = *o.Asker
			}
			fillAsker(&asker, m, dec, at, "")
			asker.MessageID = dec.MessageID
			if err := joinEscalation(ctx, tx, o.JoinEscalation, dec.At); err != nil {
				return err
			}
			dec.EscalationID = o.JoinEscalation
		}
		if asker.MessageID != 0 {
			if err := insertAsker(ctx, tx, dec.EscalationID, asker); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, insertDecision,
			dec.MessageID, string(dec.Action), string(dec.Reason), int(dec.Phase), string(dec.Lang),
			dec.LangSource, dec.LangConf, dec.EntryID, dec.Confidence, string(dec.Would),
			id(dec.EscalationID), boolInt(addressed(m, dec)), ts(dec.At)); err != nil {
			return fmt.Errorf("decision: %w", constraint(err))
		}
		for i := range out {
			it := &out[i]
			if it.MessageID == 0 {
				it.MessageID = dec.MessageID
			}
			if it.EscalationID == 0 {
				it.EscalationID = dec.EscalationID
			}
			if it.AskerMessageID == 0 && it.Reply.Kind == bot.KindRelay {
				it.AskerMessageID = dec.MessageID
			}
			if err := insertOutgoing(ctx, tx, it, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	o.Decision = dec
	if o.NewEscalation != nil {
		*o.NewEscalation = esc
	}
	if o.JoinEscalation != 0 && o.Asker != nil {
		*o.Asker = asker
	}
	copy(o.Outbox, out)
	return nil
}

func checkOutcome(o *bot.Outcome) error {
	if o == nil {
		return fmt.Errorf("%w: nil outcome", bot.ErrInvalid)
	}
	var problems []string
	if o.Message.Platform == "" || o.Message.ID == "" {
		problems = append(problems, "the message needs a platform and an id")
	}
	if o.Decision.Action == "" {
		problems = append(problems, "the decision needs an action")
	}
	if o.NewEscalation != nil && o.JoinEscalation != 0 {
		problems = append(problems, "an outcome creates an escalation or joins one, not both")
	}
	if o.NewEscalation != nil {
		if len(o.NewEscalation.Askers) > 1 {
			problems = append(problems, "a new escalation starts with one asker: the message")
		}
		if o.NewEscalation.State != "" && !validState(o.NewEscalation.State) {
			problems = append(problems, fmt.Sprintf("unknown escalation state %q", o.NewEscalation.State))
		}
	}
	for _, it := range o.Outbox {
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

// fillAsker completes what the engine left empty from the message itself.
func fillAsker(a *bot.Asker, m bot.Message, d bot.Decision, at time.Time, question string) {
	if a.Address == (bot.Address{}) {
		a.Address = bot.Address{Platform: m.Platform, ChannelID: m.ChannelID, ThreadID: m.ThreadID,
			ReplyTo: m.ID, UserID: m.AuthorID, UserName: m.AuthorName, DM: m.DM}
	}
	if a.Lang == "" {
		a.Lang = d.Lang
	}
	if a.Question == "" {
		a.Question = question
	}
	if a.AskedAt.IsZero() {
		a.AskedAt = at
	}
}

// addressed reports whether the message counts as a question to the bot in
// reports: written by a person, with text or files, and not set aside as not
// addressed (the engine's help-channel rule is reflected in its reason) nor
// a proactive reach-out.
func addressed(m bot.Message, d bot.Decision) bool {
	if m.AuthorBot || d.Action == bot.ActReachOut {
		return false
	}
	switch d.Reason {
	case bot.ReasonBotAuthor, bot.ReasonNotAddressed, bot.ReasonEmpty:
		return false
	}
	return true
}

// DecisionFor returns the decision recorded for a platform message, or an
// error wrapping bot.ErrNotFound.
func (db *DB) DecisionFor(ctx context.Context, platform, messageID string) (bot.Decision, error) {
	var (
		d                     bot.Decision
		action, reason, would string
		lang                  string
		phase                 int
	)
	err := db.r.QueryRowContext(ctx, `SELECT d.message_id, d.action, d.reason, d.phase, d.lang, d.lang_source,
		d.lang_conf, d.entry_id, d.confidence, d.would, COALESCE(d.escalation_id, 0), d.at
		FROM messages m JOIN decisions d ON d.message_id = m.id
		WHERE m.platform = ? AND m.platform_id = ?`, platform, messageID).Scan(
		&d.MessageID, &action, &reason, &phase, &lang, &d.LangSource, &d.LangConf, &d.EntryID,
		&d.Confidence, &would, &d.EscalationID, timeCol{&d.At})
	if err != nil {
		return bot.Decision{}, fmt.Errorf("store: decision: %w", noRows(err, "message", platform+"/"+messageID))
	}
	d.Action, d.Reason, d.Would, d.Lang = bot.Action(action), bot.Reason(reason), bot.Action(would), bot.Lang(lang)
	d.Phase = phases.Phase(phase)
	return d, nil
}

// lastSeen finds the newest message of each channel and thread of a
// platform, in the order of the messages_last_seen index, which holds every
// column it reads. Ids are ordered by length, then as text: numerically
// for decimal ids such as Discord's snowflakes.
const lastSeen = `SELECT thread_id, channel, substr(max(printf('%04d', length(platform_id)) || platform_id), 5)
FROM messages WHERE platform = ? GROUP BY thread_id, channel`

// LastSeen returns, for each channel of platform in which a message was
// recorded, the id of the newest one recorded there. It is keyed by the
// platform's id of the channel the message was posted in: the thread's
// when it was in a thread. Decimal ids compare as numbers. Purged messages
// count: their ids are kept.
func (db *DB) LastSeen(ctx context.Context, platform string) (map[string]string, error) {
	rows, err := db.r.QueryContext(ctx, lastSeen, platform)
	if err != nil {
		return nil, fmt.Errorf("store: last seen: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var thread, channel, id string
		if err := rows.Scan(&thread, &channel, &id); err != nil {
			return nil, fmt.Errorf("store: last seen: %w", err)
		}
		place := cmp.Or(thread, bot.ChannelKey(channel).ID())
		// A place can come twice: a thread's messages recorded under
		// their thread, and under the thread's own id when its channel
		// could not be told (bot.Message.ChannelUnknown).
		if old, ok := out[place]; !ok || len(id) > len(old) || len(id) == len(old) && id > old {
			out[place] = id
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: last seen: %w", err)
	}
	return out, nil
}
