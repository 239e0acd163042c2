package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// SaveFollowers records follower counts in one write; a zero At is now.
func (db *DB) SaveFollowers(ctx context.Context, fs []bot.Followers) error {
	if len(fs) == 0 {
		return nil
	}
	now := db.now()
	err := db.write(ctx, func(tx *sql.Tx) error {
		for _, f := range fs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO followers (platform, place, place_name, count, at)
				VALUES (?, ?, ?, ?, ?)`, f.Platform, f.Place, f.PlaceName, f.Count, ts(orNow(f.At, now))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save followers: %w", err)
	}
	return nil
}

// Followers returns, for every place whose followers were ever recorded
// (by platform, then place id), the counts recorded last at or before
// since and at or before until (zero: now, the last recorded), nil when
// none was by then. The place is named as at the end, else as at the
// start, else as when first counted. A count at until itself is the
// end's: the end is the last count known when the period closes.
func (db *DB) Followers(ctx context.Context, since, until time.Time) ([]bot.FollowerChange, error) {
	var out []bot.FollowerChange
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT platform, place, (SELECT place_name FROM followers f
				WHERE f.platform = p.platform AND f.place = p.place ORDER BY at, id LIMIT 1)
			FROM (SELECT DISTINCT platform, place FROM followers) p ORDER BY platform, place`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c bot.FollowerChange
			if err := rows.Scan(&c.Platform, &c.Place, &c.PlaceName); err != nil {
				rows.Close()
				return err
			}
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		end := any(endOfTime)
		if !until.IsZero() {
			end = ts(until)
		}
		for i := range out {
			c := &out[i]
			if !since.IsZero() {
				if c.Start, err = lastFollowers(ctx, tx, c.Platform, c.Place, ts(since)); err != nil {
					return err
				}
			}
			if c.End, err = lastFollowers(ctx, tx, c.Platform, c.Place, end); err != nil {
				return err
			}
			switch {
			case c.End != nil:
				c.PlaceName = c.End.PlaceName
			case c.Start != nil:
				c.PlaceName = c.Start.PlaceName
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: followers: %w", err)
	}
	return out, nil
}

// lastFollowers is the count of a place recorded last at or before at,
// nil when none.
func lastFollowers(ctx context.Context, tx *sql.Tx, platform, place string, at any) (*bot.Followers, error) {
	f := bot.Followers{Platform: platform, Place: place}
	err := tx.QueryRowContext(ctx, `SELECT place_name, count, at FROM followers
		WHERE platform = ? AND place = ? AND at <= ? ORDER BY at DESC, id DESC LIMIT 1`,
		platform, place, at).Scan(&f.PlaceName, &f.Count, timeCol{&f.At})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &f, nil
}
