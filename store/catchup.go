package store

import (
	"context"
	"database/sql"
	"fmt"
)

// CatchUpFrom returns, for each channel of platform whose catch-up was
// begun and not finished, the id of the message it was to be read after.
func (db *DB) CatchUpFrom(ctx context.Context, platform string) (map[string]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT channel, after_id FROM catch_up_from WHERE platform = ?`, platform)
	if err != nil {
		return nil, fmt.Errorf("store: catch-up from: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var channel, after string
		if err := rows.Scan(&channel, &after); err != nil {
			return nil, fmt.Errorf("store: catch-up from: %w", err)
		}
		out[channel] = after
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: catch-up from: %w", err)
	}
	return out, nil
}

// SetCatchUpFrom records, in one write, the id each channel of platform
// in from is to be read after, replacing what was recorded for it. Other
// channels keep theirs.
func (db *DB) SetCatchUpFrom(ctx context.Context, platform string, from map[string]string) error {
	if len(from) == 0 {
		return nil
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO catch_up_from (platform, channel, after_id) VALUES (?, ?, ?)
			ON CONFLICT (platform, channel) DO UPDATE SET after_id = excluded.after_id`)
		if err != nil {
			return err
		}
		defer st.Close()
		for channel, after := range from {
			if _, err := st.ExecContext(ctx, platform, channel, after); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: set catch-up from: %w", err)
	}
	return nil
}

// ClearCatchUpFrom forgets where channelID of platform was to be read
// from, once it was read.
func (db *DB) ClearCatchUpFrom(ctx context.Context, platform, channelID string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM catch_up_from WHERE platform = ? AND channel = ?`, platform, channelID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: clear catch-up from: %w", err)
	}
	return nil
}
