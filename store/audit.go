package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

func insertAudit(ctx context.Context, tx *sql.Tx, e *bot.AuditEntry, now time.Time) error {
	if e.Action == "" {
		return fmt.Errorf("audit: %w: entry without an action", bot.ErrInvalid)
	}
	if e.At.IsZero() {
		e.At = now
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor, via, action, target, detail, allowed)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		ts(e.At), e.Actor, e.Via, e.Action, e.Target, e.Detail, boolInt(e.Allowed))
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	e.ID, err = res.LastInsertId()
	return err
}

// Audit appends e to the audit log (At defaults to now). bot.ErrInvalid when
// it has no Action.
func (db *DB) Audit(ctx context.Context, e bot.AuditEntry) error {
	now := db.now()
	err := db.write(ctx, func(tx *sql.Tx) error { return insertAudit(ctx, tx, &e, now) })
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// AuditLog lists entries newest first (limit 0: all).
func (db *DB) AuditLog(ctx context.Context, limit int) ([]bot.AuditEntry, error) {
	es, err := auditEntries(ctx, db.r, `ORDER BY at DESC, id DESC LIMIT ?`, limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	return es, nil
}

// auditEntries reads the audit entries that tail (the query's WHERE,
// ORDER BY and LIMIT clauses, with args) selects.
func auditEntries(ctx context.Context, q querier, tail string, args ...any) ([]bot.AuditEntry, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, at, actor, via, action, target, detail, allowed
		FROM audit_log `+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var es []bot.AuditEntry
	for rows.Next() {
		var e bot.AuditEntry
		if err := rows.Scan(&e.ID, timeCol{&e.At}, &e.Actor, &e.Via, &e.Action, &e.Target, &e.Detail,
			&e.Allowed); err != nil {
			return nil, err
		}
		es = append(es, e)
	}
	return es, rows.Err()
}
