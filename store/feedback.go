package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// feedbackKinds are the outbox kinds that invite feedback, as an SQL list:
// the bot's answers and relayed staff answers (bot.Reply.Feedback).
const feedbackKinds = `('` + string(bot.KindAnswer) + `', '` + string(bot.KindRelay) + `')`

// SaveFeedback records r against the outbox item delivered as its message,
// any of them for a reply posted as several (bot.ErrNotFound when the bot
// sent no such message). Only answers and
// relayed staff answers (feedbackKinds) invite feedback: a reaction on
// another of the bot's messages (an acknowledgement, a notice, a
// broadcast) is not about an answer and is not recorded (it returns nil).
//
// Each citizen has one feedback row per message, which keeps whether they
// hold 👍 and whether they hold 👎, each with the time it last changed
// (see reactions.apply): Value +1 or -1 adds that emoji, a removal
// (r.Removed) takes that emoji away and leaves the other, and Value 0
// takes both away (a platform with one choice per user withdrawing it).
// An event older than the last change of the emoji it is about, delivered
// late, is ignored; adding an emoji already held (the web chat's choice
// made again) makes it the one added last. For a reply posted as several
// messages, the citizen holds an emoji on it while they hold it on any of
// them: taking it off one while another holds it changes nothing counted
// (see heldElsewhere). The rating counted is derived from what remains (see
// reactions.rating). Once the purge has taken the user of a reaction to
// that message, a reaction from a user with none recorded there is not
// recorded (it returns nil): it may be a change of the purged one, which
// would then count twice. bot.ErrInvalid for a Value other than -1, 0, +1,
// a removal without a value (-1 or +1) or an empty UserID.
func (db *DB) SaveFeedback(ctx context.Context, r bot.Reaction) error {
	if r.Value < -1 || r.Value > 1 || r.UserID == "" || (r.Removed && r.Value == 0) {
		return fmt.Errorf("store: save feedback: %w: want a user and a value of -1, 0 or +1 (-1 or +1 for a removal)", bot.ErrInvalid)
	}
	r.Time = orNow(r.Time, db.now())
	err := db.write(ctx, func(tx *sql.Tx) error {
		var (
			outboxID int64
			rated    bool
		)
		err := tx.QueryRowContext(ctx, `SELECT id, kind IN `+feedbackKinds+` FROM outbox
			WHERE `+deliveredAs+` ORDER BY id LIMIT 1`, deliveredAsArgs(r.Platform, r.ChannelID, r.MessageID)...).Scan(&outboxID, &rated)
		if err != nil {
			return noRows(err, "bot message", r.Platform+"/"+r.ChannelID+"/"+r.MessageID)
		}
		if !rated {
			return nil
		}
		var (
			s  reactions
			id int64
		)
		err = tx.QueryRowContext(ctx, `SELECT id, helpful, helpful_at, not_helpful, not_helpful_at, value FROM feedback
			WHERE outbox_id = ? AND user_id = ?`, outboxID, r.UserID).Scan(
			&id, &s.up.held, timeCol{&s.up.at}, &s.down.held, timeCol{&s.down.at}, &s.value)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			var purged bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM feedback WHERE outbox_id = ? AND redacted = 1)`,
				outboxID).Scan(&purged); err != nil || purged {
				return err
			}
		case err != nil:
			return err
		}
		if s.late(r) {
			return nil
		}
		if id != 0 && r.Removed {
			if held, err := heldElsewhere(ctx, tx, id, r); err != nil || held {
				return err
			}
		}
		if s.apply(r) {
			err = tx.QueryRowContext(ctx, `INSERT INTO feedback (outbox_id, user_id, value, rated_at, at,
					helpful, helpful_at, not_helpful, not_helpful_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (outbox_id, user_id) DO UPDATE SET value = excluded.value, rated_at = excluded.rated_at,
					at = excluded.at, helpful = excluded.helpful, helpful_at = excluded.helpful_at,
					not_helpful = excluded.not_helpful, not_helpful_at = excluded.not_helpful_at
				RETURNING id`,
				outboxID, r.UserID, s.value, ts(s.ratedAt()), ts(r.Time),
				s.up.held, ts(s.up.at), s.down.held, ts(s.down.at)).Scan(&id)
			if err != nil {
				return err
			}
		}
		return savePart(ctx, tx, id, r)
	})
	if err != nil {
		return fmt.Errorf("store: save feedback: %w", err)
	}
	return nil
}

// partColumns are the feedback_parts columns of the emoji a reaction is
// about: Value +1 👍, -1 👎, 0 both.
func partColumns(v int) []string {
	switch {
	case v > 0:
		return []string{"helpful"}
	case v < 0:
		return []string{"not_helpful"}
	}
	return []string{"helpful", "not_helpful"}
}

// heldElsewhere records r, the removal of an emoji from one message of the
// reply of feedback row id, and reports whether the citizen still holds
// that emoji on another message of the reply (one posted as several): the
// emoji then stays held on the reply, and the row as it is.
func heldElsewhere(ctx context.Context, tx *sql.Tx, id int64, r bot.Reaction) (bool, error) {
	col := partColumns(r.Value)[0]
	var held bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM feedback_parts
		WHERE feedback_id = ? AND ref_id <> ? AND `+col+` = 1)`, id, r.MessageID).Scan(&held); err != nil || !held {
		return false, err
	}
	return true, savePart(ctx, tx, id, r)
}

// savePart records which emoji r leaves the citizen holding on the message
// it is on, for feedback row id (none when 0: nothing recorded).
func savePart(ctx context.Context, tx *sql.Tx, id int64, r bot.Reaction) error {
	if id == 0 {
		return nil
	}
	held := r.Value != 0 && !r.Removed
	for _, col := range partColumns(r.Value) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO feedback_parts (feedback_id, ref_id, `+col+`) VALUES (?, ?, ?)
			ON CONFLICT (feedback_id, ref_id) DO UPDATE SET `+col+` = excluded.`+col, id, r.MessageID, held); err != nil {
			return fmt.Errorf("parts: %w", err)
		}
	}
	return nil
}

// reactions is what one citizen holds on one reply: 👍 (up) and 👎 (down),
// and the rating counted from them (value: +1, -1 or 0).
type reactions struct {
	up, down emoji
	value    int
}

// emoji is whether a citizen holds one emoji and when that last changed
// (added or taken away; zero: never seen).
type emoji struct {
	held bool
	at   time.Time
}

// apply changes s by r (its Time set) and reports whether anything
// changed. An event is about one emoji (Value +1: 👍, -1: 👎), or both for
// Value 0 (withdraw all); it is ignored for an emoji whose last change is
// more recent than it, since it was delivered late. Then the rating is
// derived from what remains (rating).
func (s *reactions) apply(r bot.Reaction) bool {
	set := func(e *emoji, held bool) bool {
		if r.Time.Before(e.at) || (e.held == held && e.at.Equal(r.Time)) {
			return false
		}
		*e = emoji{held: held, at: r.Time}
		return true
	}
	var changed bool
	switch {
	case r.Value == 0:
		up, down := set(&s.up, false), set(&s.down, false)
		changed = up || down
	case r.Value > 0:
		changed = set(&s.up, !r.Removed)
	default:
		changed = set(&s.down, !r.Removed)
	}
	if changed {
		s.value = s.rating(r)
	}
	return changed
}

// rating is the value counted for what s holds after r (its last change):
// the emoji held, or with both held the one added most recently; when both
// were added at the same instant, the one r added (the later to arrive),
// else the rating already counted. Nothing held counts 0.
func (s *reactions) rating(r bot.Reaction) int {
	switch {
	case s.up.held && s.down.held:
		switch {
		case s.up.at.After(s.down.at):
			return 1
		case s.down.at.After(s.up.at):
			return -1
		case !r.Removed && r.Value != 0:
			return r.Value
		}
		return s.value
	case s.up.held:
		return 1
	case s.down.held:
		return -1
	}
	return 0
}

// late reports whether r is older than the last change of every emoji it
// is about: delivered late, it changes nothing (see apply).
func (s *reactions) late(r bot.Reaction) bool {
	switch {
	case r.Value > 0:
		return r.Time.Before(s.up.at)
	case r.Value < 0:
		return r.Time.Before(s.down.at)
	}
	return r.Time.Before(s.up.at) && r.Time.Before(s.down.at)
}

// ratedAt is when the emoji counted was added (zero when none is): a
// report counts the rating in that period.
func (s *reactions) ratedAt() time.Time {
	switch s.value {
	case 1:
		return s.up.at
	case -1:
		return s.down.at
	}
	return time.Time{}
}
