package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one embedded schema change.
type migration struct {
	version  int
	file     string // "001_init.sql"
	sql      string
	checksum string // sha256 of sql, hex
}

var migrationName = regexp.MustCompile(`^([0-9]{3})_[a-z0-9_]+\.sql$`)

// loadMigrations reads the migrations in fsys (a migrations/ directory),
// in version order. Names must be NNN_name.sql with unique numbers.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, "migrations")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var ms []migration
	var errs []error
	seen := map[int]string{}
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if e.IsDir() || m == nil {
			errs = append(errs, fmt.Errorf("migrations/%s: name must be NNN_name.sql (lowercase)", e.Name()))
			continue
		}
		v, _ := strconv.Atoi(m[1])
		if prev, ok := seen[v]; ok {
			errs = append(errs, fmt.Errorf("migrations/%s: number %03d already used by %s", e.Name(), v, prev))
			continue
		}
		seen[v] = e.Name()
		b, err := fs.ReadFile(fsys, path.Join("migrations", e.Name()))
		if err != nil {
			errs = append(errs, fmt.Errorf("migrations/%s: %w", e.Name(), err))
			continue
		}
		sum := sha256.Sum256(b)
		ms = append(ms, migration{version: v, file: e.Name(), sql: string(b), checksum: hex.EncodeToString(sum[:])})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	return ms, nil
}

// migrate applies the embedded migrations not yet recorded, each in its own
// transaction. Several processes may open the same file at once: the
// immediate transaction serialises them and each migration is applied once.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		return err
	}
	return db.applyMigrations(ctx, ms)
}

func (db *DB) applyMigrations(ctx context.Context, ms []migration) error {
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		file       TEXT NOT NULL,
		checksum   TEXT NOT NULL,
		applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("migrations table: %w", err)
	}
	var newest sql.NullInt64
	if err := db.w.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&newest); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	known := 0
	if len(ms) > 0 {
		known = ms[len(ms)-1].version
	}
	if newest.Valid && int(newest.Int64) > known {
		return fmt.Errorf("the database has schema version %d but this build knows only up to %d: run a newer Liaison, or restore a backup", newest.Int64, known)
	}
	// Those applied already are skipped without taking the write lock, so
	// that opening an up-to-date database does not wait for another
	// process's write (a host command while serve is busy).
	done := map[int]string{}
	rows, err := db.w.QueryContext(ctx, `SELECT version, checksum FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	for rows.Next() {
		var v int
		var sum string
		if err := rows.Scan(&v, &sum); err != nil {
			rows.Close()
			return fmt.Errorf("migrations: %w", err)
		}
		done[v] = sum
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	for _, m := range ms {
		if sum, ok := done[m.version]; ok && sum == m.checksum {
			continue
		}
		applied := false
		err := db.write(ctx, func(tx *sql.Tx) error {
			var sum string
			err := tx.QueryRowContext(ctx, `SELECT checksum FROM schema_migrations WHERE version = ?`, m.version).Scan(&sum)
			switch {
			case err == nil && sum == m.checksum:
				return nil // applied before
			case err == nil:
				return fmt.Errorf("migration %s was changed after it was applied to this database: restore the original file and add a new migration instead", m.file)
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, file, checksum, applied_at) VALUES (?, ?, ?, ?)`,
				m.version, m.file, m.checksum, ts(db.now()))
			applied = err == nil
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.file, err)
		}
		if applied {
			db.log.Info("store: migration applied", "migration", m.file, "path", db.path)
		}
	}
	return nil
}
