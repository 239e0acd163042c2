package store

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"sync"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/phases"
)

// PhaseState returns initial replayed with every stored change, in the
// order they were saved. The engine reads it before sending each automated
// reply (a switch may come from another process), so the replay is kept
// and made again only when the changes stored differ from those it was
// made of: a read costs one short query however long the history.
func (db *DB) PhaseState(ctx context.Context, initial phases.Phase) (phases.State, error) {
	var k phaseKey
	if err := db.r.QueryRowContext(ctx, phaseKeyQuery).Scan(&k.count, &k.last); err != nil {
		return phases.State{}, fmt.Errorf("store: phase state: %w", err)
	}
	k.initial = initial
	if s, ok := db.phases.get(k); ok {
		return s, nil
	}
	var cs []phases.Change
	err := db.read(ctx, func(tx *sql.Tx) error {
		// The key and the changes from one snapshot: a change saved in
		// between is in both or in neither.
		if err := tx.QueryRowContext(ctx, phaseKeyQuery).Scan(&k.count, &k.last); err != nil {
			return err
		}
		var err error
		cs, err = phaseChanges(ctx, tx, `ORDER BY id`)
		return err
	})
	if err != nil {
		return phases.State{}, fmt.Errorf("store: phase state: %w", err)
	}
	s := phases.Replay(initial, cs)
	db.phases.put(k, s)
	return cloneState(s), nil
}

// phaseKeyQuery tells the stored phase changes apart: they are only ever
// added, each with a greater id.
const phaseKeyQuery = `SELECT COUNT(*), COALESCE(MAX(id), 0) FROM phase_changes`

// phaseKey is what a replay of the phase changes was made of.
type phaseKey struct {
	initial phases.Phase
	count   int
	last    int64
}

// phaseMemo keeps the last replay of the phase changes (see PhaseState).
type phaseMemo struct {
	mu    sync.Mutex
	key   phaseKey
	state phases.State
	ok    bool
}

func (m *phaseMemo) get(k phaseKey) (phases.State, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.ok || m.key != k {
		return phases.State{}, false
	}
	return cloneState(m.state), true
}

func (m *phaseMemo) put(k phaseKey, s phases.State) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.key, m.state, m.ok = k, cloneState(s), true
}

// cloneState copies s, so that a caller changing its overrides changes
// nobody else's.
func cloneState(s phases.State) phases.State {
	s.Overrides = maps.Clone(s.Overrides)
	return s
}

// SavePhaseChange stores c (At defaults to now) with its audit entry (At
// defaults to c.At) and its announcements, in one transaction. bot.ErrInvalid
// (with phases.ErrInvalidChange or phases.ErrUnknownPhase) when c has no
// author or reason, or names no valid phase.
func (db *DB) SavePhaseChange(ctx context.Context, c phases.Change, audit bot.AuditEntry, out []bot.Outgoing) error {
	if err := c.Validate(); err != nil {
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
	cs, err := phaseChanges(ctx, db.r, `ORDER BY id DESC LIMIT ?`, limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("store: phase changes: %w", err)
	}
	return cs, nil
}

// phaseChanges reads the phase changes that tail (the query's WHERE,
// ORDER BY and LIMIT clauses, with args) selects.
func phaseChanges(ctx context.Context, q querier, tail string, args ...any) ([]phases.Change, error) {
	rows, err := q.QueryContext(ctx, `SELECT channel, from_phase, to_phase, actor, via, reason, at
		FROM phase_changes `+tail, args...)
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
