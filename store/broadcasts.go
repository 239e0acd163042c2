package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

const broadcastCols = `id, en, fr, at, channels, created_by, via, state, created_at`

func scanBroadcast(sc scanner) (bot.Broadcast, error) {
	var (
		b     bot.Broadcast
		state string
	)
	err := sc.Scan(&b.ID, &b.EN, &b.FR, timeCol{&b.At}, jsonCol{&b.Channels}, &b.By, &b.Via, &state,
		timeCol{&b.CreatedAt})
	b.State = bot.BroadcastState(state)
	return b, err
}

// SaveBroadcast stores a new broadcast with its audit entry, in one
// transaction, and fills b.ID, State (scheduled when empty), CreatedAt and
// At (the creation time when zero), and the audit entry's Target
// ("broadcast:ID" when empty). bot.ErrInvalid when either language is
// missing: nothing goes out in one language only.
func (db *DB) SaveBroadcast(ctx context.Context, b *bot.Broadcast, audit bot.AuditEntry) error {
	if b == nil || strings.TrimSpace(b.EN) == "" || strings.TrimSpace(b.FR) == "" {
		return fmt.Errorf("store: save broadcast: %w: a broadcast needs both English and French text", bot.ErrInvalid)
	}
	switch b.State {
	case "", bot.BroadcastScheduled, bot.BroadcastQueued, bot.BroadcastCancelled:
	default:
		return fmt.Errorf("store: save broadcast: %w: unknown state %q", bot.ErrInvalid, b.State)
	}
	now := db.now()
	nb := *b
	if nb.State == "" {
		nb.State = bot.BroadcastScheduled
	}
	nb.CreatedAt = orNow(nb.CreatedAt, now)
	if nb.At.IsZero() {
		nb.At = nb.CreatedAt
	}
	channels, err := jsonVal(nb.Channels)
	if err != nil {
		return fmt.Errorf("store: save broadcast: %w", err)
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO broadcasts (en, fr, at, channels, created_by, via, state,
			created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			nb.EN, nb.FR, ts(nb.At), channels, nb.By, nb.Via, string(nb.State), ts(nb.CreatedAt))
		if err != nil {
			return err
		}
		if nb.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if audit.Target == "" {
			audit.Target = fmt.Sprintf("broadcast:%d", nb.ID)
		}
		return insertAudit(ctx, tx, &audit, now)
	})
	if err != nil {
		return fmt.Errorf("store: save broadcast: %w", err)
	}
	*b = nb
	return nil
}

// DueBroadcasts lists scheduled broadcasts whose At is not after now, in
// the order they are due.
func (db *DB) DueBroadcasts(ctx context.Context, now time.Time) ([]bot.Broadcast, error) {
	bs, err := db.broadcasts(ctx, `SELECT `+broadcastCols+` FROM broadcasts
		WHERE state = 'scheduled' AND at <= ? ORDER BY at, id`, ts(now))
	if err != nil {
		return nil, fmt.Errorf("store: due broadcasts: %w", err)
	}
	return bs, nil
}

// QueueBroadcast moves a scheduled broadcast to queued and writes its outbox
// items (BroadcastID defaults to id; IDs are filled), in one transaction.
// It returns an error wrapping bot.ErrConflict, writing nothing, when the
// broadcast is not scheduled (already queued, by this process or another,
// or cancelled), and bot.ErrNotFound when it does not exist. So a broadcast
// is queued once.
func (db *DB) QueueBroadcast(ctx context.Context, id int64, out []bot.Outgoing) error {
	now := db.now()
	items := make([]bot.Outgoing, len(out))
	copy(items, out)
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE broadcasts SET state = 'queued'
			WHERE id = ? AND state = 'scheduled'`, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			var state string
			if err := tx.QueryRowContext(ctx, `SELECT state FROM broadcasts WHERE id = ?`, id).Scan(&state); err != nil {
				return noRows(err, "broadcast", id)
			}
			return fmt.Errorf("broadcast %d is %s, not scheduled: %w", id, state, bot.ErrConflict)
		}
		for i := range items {
			if items[i].BroadcastID == 0 {
				items[i].BroadcastID = id
			}
			if err := insertOutgoing(ctx, tx, &items[i], now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: queue broadcast: %w", err)
	}
	copy(out, items)
	return nil
}

// Broadcasts lists broadcasts, newest first (limit 0: all).
func (db *DB) Broadcasts(ctx context.Context, limit int) ([]bot.Broadcast, error) {
	bs, err := db.broadcasts(ctx, `SELECT `+broadcastCols+` FROM broadcasts ORDER BY id DESC LIMIT ?`,
		limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("store: broadcasts: %w", err)
	}
	return bs, nil
}

func (db *DB) broadcasts(ctx context.Context, query string, args ...any) ([]bot.Broadcast, error) {
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var bs []bot.Broadcast
	for rows.Next() {
		b, err := scanBroadcast(rows)
		if err != nil {
			return nil, err
		}
		bs = append(bs, b)
	}
	return bs, rows.Err()
}
