package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/phases"
)

// PhaseState returns initial replayed with every stored change, in the
// order they were saved.
func (db *DB) PhaseState(ctx context.Context, initial phases.Phase) (phases.State, error) {
	cs, err := db.phaseChanges(ctx, `ORDER BY id`, -1)
	if err != nil {
		return phases.State{}, fmt.Errorf("store: phase state: %w", err)
	}
	return phases.Replay(initial, cs), nil
}

// SavePhaseChange stores c (At defaults to now) with its audit entry (At
// defaults to c.At) and its announcements, in one transaction. bot.ErrInvalid
// (with phases.ErrInvalidChange or phases.ErrUnknownPhase) when c has no
// author or reason, or names no valid phase.
func (db *DB) SavePhaseChange(ctx context.Context, c phases.Change, audit bot.AuditEntry, out []bot.Outgoing) error {
	if _, _, err := (phases.State{}).Apply(c); err != nil {
		return fmt.Errorf("store: save phase change: %w: %w", bot.ErrInvalid, err)
	}
	now := db.now()
	c.At = orNow(c.At, now)
	if audit.At.IsZero() {
		audit.At = c.At
	}
	items := make([]bot.Outgoing, len(out))
	copy(items, out)
	err := db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO phase_changes (channel, from_phase, to_phase, actor, via,
			reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			c.Channel, int(c.From), int(c.To), c.By, c.Via, c.Reason, ts(c.At)); err != nil {
			return fmt.Errorf("phase change: %w", err)
		}
		if err := insertAudit(ctx, tx, &audit, now); err != nil {
			return err
		}
		for i := range items {
			if err := insertOutgoing(ctx, tx, &items[i], now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save phase change: %w", err)
	}
	copy(out, items)
	return nil
}

// PhaseChanges lists changes, newest first (limit 0: all).
func (db *DB) PhaseChanges(ctx context.Context, limit int) ([]phases.Change, error) {
	cs, err := db.phaseChanges(ctx, `ORDER BY id DESC`, limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("store: phase changes: %w", err)
	}
	return cs, nil
}

func (db *DB) phaseChanges(ctx context.Context, order string, limit int) ([]phases.Change, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT channel, from_phase, to_phase, actor, via, reason, at
		FROM phase_changes `+order+` LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cs []phases.Change
	for rows.Next() {
		var c phases.Change
		var from, to int
		if err := rows.Scan(&c.Channel, &from, &to, &c.By, &c.Via, &c.Reason, timeCol{&c.At}); err != nil {
			return nil, err
		}
		c.From, c.To = phases.Phase(from), phases.Phase(to)
		cs = append(cs, c)
	}
	return cs, rows.Err()
}
