package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/liaison-gc/liaison/bot"
)

// feedbackKinds are the outbox kinds that invite feedback, as an SQL list:
// the bot's answers and relayed staff answers (bot.Reply.Feedback).
const feedbackKinds = `('` + string(bot.KindAnswer) + `', '` + string(bot.KindRelay) + `')`

// SaveFeedback records r against the outbox item delivered as its message
// (bot.ErrNotFound when the bot sent no such message). Only answers and
// relayed staff answers (feedbackKinds) invite feedback: a reaction on
// another of the bot's messages (an acknowledgement, a notice, a
// broadcast) is not about an answer and is not recorded (it returns nil).
// A user has one reaction per message: a later one replaces the earlier (a
// reaction older than the stored one, delivered late, is ignored), and
// Value 0 records that it was withdrawn. A removal (r.Removed) records the
// withdrawal only when the stored value is the one removed: the user still
// holds the other emoji otherwise. Once the purge has taken the user of a
// reaction to that message, a reaction from a user with none recorded
// there is not recorded (it returns nil): it may be a change of the purged
// one, which would then count twice. bot.ErrInvalid for a Value other than
// -1, 0, +1, a removal without a value (-1 or +1) or an empty UserID.
func (db *DB) SaveFeedback(ctx context.Context, r bot.Reaction) error {
	if r.Value < -1 || r.Value > 1 || r.UserID == "" || (r.Removed && r.Value == 0) {
		return fmt.Errorf("store: save feedback: %w: want a user and a value of -1, 0 or +1 (-1 or +1 for a removal)", bot.ErrInvalid)
	}
	// withdraws, for a removal, is the only stored value it takes away;
	// 0 matches any value.
	value, withdraws := r.Value, 0
	if r.Removed {
		value, withdraws = 0, r.Value
	}
	at := orNow(r.Time, db.now())
	err := db.write(ctx, func(tx *sql.Tx) error {
		var (
			outboxID int64
			rated    bool
		)
		err := tx.QueryRowContext(ctx, `SELECT id, kind IN `+feedbackKinds+` FROM outbox
			WHERE ref_platform = ? AND ref_id = ? AND ref_id <> '' AND (? = '' OR ref_channel = ?)
			ORDER BY id LIMIT 1`, r.Platform, r.MessageID, r.ChannelID, r.ChannelID).Scan(&outboxID, &rated)
		if err != nil {
			return noRows(err, "bot message", r.Platform+"/"+r.ChannelID+"/"+r.MessageID)
		}
		if !rated {
			return nil
		}
		var known, purged bool
		err = tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM feedback WHERE outbox_id = ? AND user_id = ?),
			EXISTS (SELECT 1 FROM feedback WHERE outbox_id = ? AND redacted = 1)`,
			outboxID, r.UserID, outboxID).Scan(&known, &purged)
		if err != nil || (!known && purged) {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO feedback (outbox_id, user_id, value, at) VALUES (?, ?, ?, ?)
			ON CONFLICT (outbox_id, user_id) DO UPDATE SET value = excluded.value, at = excluded.at
			WHERE excluded.at >= feedback.at AND (? = 0 OR feedback.value = ?)`,
			outboxID, r.UserID, value, ts(at), withdraws, withdraws)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: save feedback: %w", err)
	}
	return nil
}
