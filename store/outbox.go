package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

const outboxCols = `id, address, reply, notice, COALESCE(message_id, 0), COALESCE(escalation_id, 0),
	COALESCE(asker_message_id, 0), COALESCE(broadcast_id, 0), state, attempts, not_before,
	ref_platform, ref_channel, ref_id, err, created_at, sent_at`

func scanOutgoing(sc scanner) (bot.Outgoing, error) {
	var (
		o     bot.Outgoing
		state string
	)
	err := sc.Scan(&o.ID, jsonCol{&o.To}, jsonCol{&o.Reply}, jsonCol{&o.Notice}, &o.MessageID,
		&o.EscalationID, &o.AskerMessageID, &o.BroadcastID, &state, &o.Attempts, timeCol{&o.NotBefore},
		&o.Ref.Platform, &o.Ref.ChannelID, &o.Ref.ID, &o.Err, timeCol{&o.CreatedAt}, timeCol{&o.SentAt})
	o.State = bot.OutState(state)
	return o, err
}

// insertOutgoing inserts it, filling ID, State and CreatedAt; an item whose
// Reply.Key is already in the outbox is skipped and keeps ID 0.
func insertOutgoing(ctx context.Context, tx *sql.Tx, it *bot.Outgoing, now time.Time) error {
	if it.To.Platform == "" {
		return fmt.Errorf("outbox: %w: item without To.Platform", bot.ErrInvalid)
	}
	switch it.State {
	case "":
		it.State = bot.OutPending
	case bot.OutPending, bot.OutSent, bot.OutFailed:
	default:
		return fmt.Errorf("outbox: %w: unknown state %q", bot.ErrInvalid, it.State)
	}
	if it.CreatedAt.IsZero() {
		it.CreatedAt = now
	}
	addr, err := jsonVal(it.To)
	if err != nil {
		return err
	}
	reply, err := jsonVal(it.Reply)
	if err != nil {
		return err
	}
	var notice any
	if it.Notice != nil {
		if notice, err = jsonVal(it.Notice); err != nil {
			return err
		}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO outbox (platform, channel, address, kind, key, reply, notice,
		message_id, escalation_id, asker_message_id, broadcast_id, state, attempts, not_before,
		ref_platform, ref_channel, ref_id, err, created_at, sent_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (key) DO NOTHING`,
		it.To.Platform, it.To.ChannelID, addr, string(it.Reply.Kind), nullStr(it.Reply.Key), reply, notice,
		id(it.MessageID), id(it.EscalationID), id(it.AskerMessageID), id(it.BroadcastID), string(it.State),
		it.Attempts, ts(it.NotBefore), it.Ref.Platform, it.Ref.ChannelID, it.Ref.ID, it.Err,
		ts(it.CreatedAt), ts(it.SentAt))
	if err != nil {
		return fmt.Errorf("outbox: %w", constraint(err))
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		it.ID = 0
		return err
	}
	it.ID, err = res.LastInsertId()
	return err
}

// Enqueue adds items in one transaction. An item whose Reply.Key is already
// in the outbox is skipped silently and keeps ID 0; the others get their ID,
// State (pending when empty) and CreatedAt. bot.ErrInvalid when an item has
// no To.Platform or refers to a record that does not exist.
func (db *DB) Enqueue(ctx context.Context, items []bot.Outgoing) error {
	if len(items) == 0 {
		return nil
	}
	out := make([]bot.Outgoing, len(items))
	copy(out, items)
	now := db.now()
	err := db.write(ctx, func(tx *sql.Tx) error {
		for i := range out {
			if err := insertOutgoing(ctx, tx, &out[i], now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: enqueue: %w", err)
	}
	copy(items, out)
	return nil
}

// Pending lists up to limit (0: all) pending items for platform whose
// NotBefore is not after now, in id order. An item that failed and waits to
// retry holds the items queued after it for the same channel (same
// To.ChannelID), so that each channel gets its items in the order they were
// queued: they are left out until it is due again.
func (db *DB) Pending(ctx context.Context, platform string, now time.Time, limit int) ([]bot.Outgoing, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+outboxCols+` FROM outbox o
		WHERE platform = ? AND state = 'pending' AND (not_before IS NULL OR not_before <= ?)
		AND NOT EXISTS (SELECT 1 FROM outbox w
			WHERE w.platform = o.platform AND w.channel = o.channel AND w.state = 'pending'
			AND w.attempts > 0 AND w.id < o.id AND w.not_before > ?)
		ORDER BY id LIMIT ?`, platform, ts(now), ts(now), limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("store: pending: %w", err)
	}
	defer rows.Close()
	var items []bot.Outgoing
	for rows.Next() {
		o, err := scanOutgoing(rows)
		if err != nil {
			return nil, fmt.Errorf("store: pending: %w", err)
		}
		items = append(items, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: pending: %w", err)
	}
	return items, nil
}

// MarkSent records that item id was delivered as ref at at (now when zero),
// and the messages it was posted as before ref's (ref.Earlier), by which
// SentByRef and SaveFeedback find it too. Marking an item already sent again changes nothing and is not an error
// (delivery is at least once). For a relay (an item with EscalationID and
// AskerMessageID) it also records as relayed the asker and every other asker
// of the escalation the relay reached: the same user (when known) in the
// same platform, channel and thread, who asked more than once and was sent
// one relay, unless a later relay of the escalation to that citizen is
// still pending: a relay that waited to retry and arrives after a
// follow-up answer was queued leaves them waiting for the follow-up. Once
// every asker of the escalation is relayed, it moves an answered
// escalation to StateRelayed (incrementing its Version).
// bot.ErrNotFound when the item does not exist.
func (db *DB) MarkSent(ctx context.Context, id int64, ref bot.MessageRef, at time.Time) error {
	at = orNow(at, db.now())
	err := db.write(ctx, func(tx *sql.Tx) error {
		var eid, asker int64
		err := tx.QueryRowContext(ctx, `UPDATE outbox SET state = 'sent', attempts = attempts + 1,
			ref_platform = ?, ref_channel = ?, ref_id = ?, sent_at = ?, err = ''
			WHERE id = ? AND state <> 'sent'
			RETURNING COALESCE(escalation_id, 0), COALESCE(asker_message_id, 0)`,
			ref.Platform, ref.ChannelID, ref.ID, ts(at), id).Scan(&eid, &asker)
		if errors.Is(err, sql.ErrNoRows) {
			_, err = outboxState(ctx, tx, id)
			return err // nil: sent before
		}
		if err != nil {
			return err
		}
		for _, part := range ref.Earlier {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO outbox_parts (outbox_id, ref_id) VALUES (?, ?)`,
				id, part); err != nil {
				return fmt.Errorf("parts: %w", err)
			}
		}
		if eid == 0 || asker == 0 {
			return nil
		}
		// A later answer still on its way to the same citizen is what
		// they wait for now: this earlier one, delivered late (it waited
		// to retry), does not count them as relayed.
		var later bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM outbox o
			WHERE o.escalation_id = ? AND o.kind = 'relay' AND o.state = 'pending' AND o.id > ?
			AND o.asker_message_id IN (SELECT message_id FROM escalation_askers
				WHERE escalation_id = ? AND `+reachedBy+`))`,
			eid, id, eid, asker, asker, eid).Scan(&later); err != nil {
			return fmt.Errorf("later relay: %w", err)
		}
		if later {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE escalation_askers SET relayed_at = ?
			WHERE escalation_id = ? AND relayed_at IS NULL AND `+reachedBy,
			ts(at), eid, asker, asker, eid); err != nil {
			return fmt.Errorf("asker: %w", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE escalations SET state = 'relayed', version = version + 1,
			updated_at = ? WHERE id = ? AND state = 'answered' AND NOT EXISTS
			(SELECT 1 FROM escalation_askers WHERE escalation_id = ? AND relayed_at IS NULL)`,
			ts(at), eid, eid)
		if err != nil {
			return fmt.Errorf("escalation %d: %w", eid, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: mark sent %d: %w", id, err)
	}
	return nil
}

// reachedBy matches the askers of an escalation that one relay reaches:
// the asker it is addressed to (message id, bound twice) and every other
// asker of the escalation (bound third) who is the same user in the same
// platform, channel and thread.
const reachedBy = `(message_id = ? OR EXISTS
	(SELECT 1 FROM escalation_askers k WHERE k.message_id = ? AND k.escalation_id = ?
		AND json_extract(k.address, '$.user_id') = json_extract(escalation_askers.address, '$.user_id')
		AND json_extract(k.address, '$.platform') = json_extract(escalation_askers.address, '$.platform')
		AND json_extract(k.address, '$.channel_id') = json_extract(escalation_askers.address, '$.channel_id')
		AND COALESCE(json_extract(k.address, '$.thread_id'), '') = COALESCE(json_extract(escalation_askers.address, '$.thread_id'), '')))`

// awaitRelay marks as not yet relayed the askers that the relay it, just
// queued (a duplicate skipped has ID 0 and changes nothing), will reach: they have not got this answer, whatever they got
// before, so the escalation moves to relayed only once they have it (see
// MarkSent).
func awaitRelay(ctx context.Context, tx *sql.Tx, it bot.Outgoing) error {
	if it.ID == 0 || it.EscalationID == 0 || it.AskerMessageID == 0 || it.State != bot.OutPending {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE escalation_askers SET relayed_at = NULL
		WHERE escalation_id = ? AND `+reachedBy,
		it.EscalationID, it.AskerMessageID, it.AskerMessageID, it.EscalationID); err != nil {
		return fmt.Errorf("asker: %w", err)
	}
	return nil
}

// outboxState returns the state of item id, or ErrNotFound.
func outboxState(ctx context.Context, q querier, id int64) (bot.OutState, error) {
	var s string
	if err := q.QueryRowContext(ctx, `SELECT state FROM outbox WHERE id = ?`, id).Scan(&s); err != nil {
		return "", noRows(err, "outbox item", id)
	}
	return bot.OutState(s), nil
}

// settle applies a failed attempt to a pending item: ErrNotFound when it
// does not exist, ErrConflict when it is no longer pending.
func (db *DB) settle(ctx context.Context, id int64, query string, args ...any) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		state, err := outboxState(ctx, tx, id)
		if err != nil {
			return err
		}
		return fmt.Errorf("outbox item %d is %s, not pending: %w", id, state, bot.ErrConflict)
	})
}

// MarkRetry records a failed attempt on a pending item (Attempts + 1, Err)
// and defers it to next. bot.ErrNotFound when it does not exist,
// bot.ErrConflict when it is no longer pending.
func (db *DB) MarkRetry(ctx context.Context, id int64, errText string, next time.Time) error {
	err := db.settle(ctx, id, `UPDATE outbox SET attempts = attempts + 1, err = ?, not_before = ?
		WHERE id = ? AND state = 'pending'`, errText, ts(next), id)
	if err != nil {
		return fmt.Errorf("store: mark retry %d: %w", id, err)
	}
	return nil
}

// MarkFailed gives up on a pending item (Attempts + 1, Err, StateFailed)
// and records when (see Undelivered). bot.ErrNotFound when it does not
// exist, bot.ErrConflict when it is no longer pending.
func (db *DB) MarkFailed(ctx context.Context, id int64, errText string) error {
	err := db.settle(ctx, id, `UPDATE outbox SET state = 'failed', attempts = attempts + 1, err = ?, failed_at = ?
		WHERE id = ? AND state = 'pending'`, errText, ts(db.now()), id)
	if err != nil {
		return fmt.Errorf("store: mark failed %d: %w", id, err)
	}
	return nil
}

// MarkWithheld records that a pending item will not be sent (state
// withheld, Err the audit entry's Detail; Attempts unchanged: nothing was
// tried) and appends audit to the audit log, in one transaction. A withheld
// item keeps its reply, as a record of what would have been said, and no
// longer holds the items after it in its channel. bot.ErrNotFound when it
// does not exist, bot.ErrConflict when it is no longer pending.
func (db *DB) MarkWithheld(ctx context.Context, id int64, audit bot.AuditEntry) error {
	now := db.now()
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'withheld', err = ?
			WHERE id = ? AND state = 'pending'`, audit.Detail, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			state, err := outboxState(ctx, tx, id)
			if err != nil {
				return err
			}
			return fmt.Errorf("outbox item %d is %s, not pending: %w", id, state, bot.ErrConflict)
		}
		return insertAudit(ctx, tx, &audit, now)
	})
	if err != nil {
		return fmt.Errorf("store: mark withheld %d: %w", id, err)
	}
	return nil
}

// Outgoing returns one outbox item, or an error wrapping bot.ErrNotFound.
func (db *DB) Outgoing(ctx context.Context, id int64) (bot.Outgoing, error) {
	o, err := scanOutgoing(db.r.QueryRowContext(ctx, `SELECT `+outboxCols+` FROM outbox WHERE id = ?`, id))
	if err != nil {
		return bot.Outgoing{}, fmt.Errorf("store: %w", noRows(err, "outbox item", id))
	}
	return o, nil
}

// deliveredAs matches the outbox items delivered as a message: as the
// message of their ref, or one posted before it (outbox_parts). Its
// arguments (deliveredAsArgs): ?1 the platform, ?2 the message id, ?3 the
// channel ("" matches any channel).
const deliveredAs = `ref_platform = ?1 AND (?3 = '' OR ref_channel = ?3)
	AND id IN (SELECT id FROM outbox WHERE ref_platform = ?1 AND ref_id = ?2 AND ref_id <> ''
		UNION ALL SELECT outbox_id FROM outbox_parts WHERE ref_id = ?2)`

// deliveredAsArgs are deliveredAs's arguments for a message.
func deliveredAsArgs(platform, channelID, messageID string) []any {
	return []any{platform, messageID, channelID}
}

// sentByRef is the query for the item delivered as a message (see
// deliveredAs).
const sentByRef = `SELECT ` + outboxCols + ` FROM outbox WHERE ` + deliveredAs + ` ORDER BY id LIMIT 1`

// SentByRef finds the item delivered as ref (ref.ChannelID "" matches any
// channel), whether ref.ID is its last message or one posted before it,
// or an error wrapping bot.ErrNotFound. The item's Ref has no Earlier.
func (db *DB) SentByRef(ctx context.Context, ref bot.MessageRef) (bot.Outgoing, error) {
	o, err := scanOutgoing(db.r.QueryRowContext(ctx, sentByRef, deliveredAsArgs(ref.Platform, ref.ChannelID, ref.ID)...))
	if err != nil {
		return bot.Outgoing{}, fmt.Errorf("store: sent message: %w",
			noRows(err, "message", ref.Platform+"/"+ref.ChannelID+"/"+ref.ID))
	}
	return o, nil
}
