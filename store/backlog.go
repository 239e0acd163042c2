package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// Queue is what one side of the outbox holds.
type Queue struct {
	Pending       int
	OldestPending time.Time // when the oldest pending item was queued; zero when none
	Failed        int       // items given up on (the platform refused them) since the time asked
}

// Backlog is what waits for delivery and for staff.
type Backlog struct {
	Replies   Queue // to citizens and public channels
	Desk      Queue // notices to the staff desk
	DeskPosts int   // escalations whose desk post is missing or shows an older version
	// Waiting counts the escalations waiting for staff (open or claimed);
	// OldestWaiting is the oldest one's creation, zero when none.
	Waiting       int
	OldestWaiting time.Time
	// OldestUnclaimed is the creation of the oldest escalation no one has
	// claimed (open), zero when none: one claimed has someone on it.
	OldestUnclaimed time.Time
}

// Backlog counts, from one snapshot, the outbox items pending and those
// failed since failedSince (for an item failed before failed_at was
// recorded, its last retry or its queueing stands in), the desk posts to
// make, and the escalations waiting for staff, claimed or not.
func (db *DB) Backlog(ctx context.Context, failedSince time.Time) (Backlog, error) {
	var b Backlog
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT platform = ?, COUNT(*) FILTER (WHERE state = 'pending'),
			MIN(created_at) FILTER (WHERE state = 'pending'),
			COUNT(*) FILTER (WHERE state = 'failed' AND COALESCE(failed_at, not_before, created_at) >= ?)
			FROM outbox WHERE state IN ('pending', 'failed') GROUP BY 1`, bot.DeskPlatform, ts(failedSince))
		if err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var desk bool
			var q Queue
			if err := rows.Scan(&desk, &q.Pending, timeCol{&q.OldestPending}, &q.Failed); err != nil {
				return fmt.Errorf("outbox: %w", err)
			}
			if desk {
				b.Desk = q
			} else {
				b.Replies = q
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM escalations WHERE `+deskBacklog).Scan(&b.DeskPosts); err != nil {
			return fmt.Errorf("desk backlog: %w", err)
		}
		var s bot.Summary
		if err := openEscalations(ctx, tx, time.Time{}, &s); err != nil {
			return fmt.Errorf("open escalations: %w", err)
		}
		b.Waiting, b.OldestWaiting = s.OpenEscalations, s.OldestOpen
		if err := tx.QueryRowContext(ctx, `SELECT MIN(created_at) FROM escalations WHERE state = 'open'`).Scan(timeCol{&b.OldestUnclaimed}); err != nil {
			return fmt.Errorf("unclaimed escalations: %w", err)
		}
		return nil
	})
	if err != nil {
		return Backlog{}, fmt.Errorf("store: backlog: %w", err)
	}
	return b, nil
}
