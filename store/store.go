package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/liaison-gc/liaison/bot"
)

var _ bot.Store = (*DB)(nil)

// DB is the SQLite store. It is safe for concurrent use; see the package
// documentation for how writes and reads are shared.
type DB struct {
	w    *sql.DB // one connection: the single writer
	r    *sql.DB // readers
	ck   *sql.DB // one connection: the checkpointer
	path string
	abs  string      // path made absolute
	file os.FileInfo // the file opened at abs (see Check)
	now  func() time.Time
	log  *slog.Logger

	commits   atomic.Int64  // write transactions since the last checkpoint
	kick      chan struct{} // wakes the checkpointer
	stop      chan struct{} // closed by Close
	stopped   chan struct{} // closed when the checkpointer has returned
	closeOnce sync.Once

	phases phaseMemo // the last replay of the phase changes (PhaseState)

	// refused is the last write the disk refused (see unwritable), until
	// a write succeeds: Check reports it.
	refused atomic.Pointer[error]
}

// Option configures Open.
type Option func(*options)

type options struct {
	now     func() time.Time
	log     *slog.Logger
	readers int
}

// WithClock sets the clock used for times the caller leaves zero (recorded
// at, updated at). The default is time.Now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithLogger sets the logger (migrations applied). The default discards.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithReaders sets how many connections serve reads (default: the number
// of CPUs, at least 2).
func WithReaders(n int) Option { return func(o *options) { o.readers = n } }

// busyTimeout is how long a write waits for another process's lock (see
// begin), and a read or checkpoint (_busy_timeout in dsnParams).
const busyTimeout = 5 * time.Second

// dsnParams are the pragmas every pooled connection gets, but the writer
// (writerParams). _stmt_cache_size keeps each connection's prepared
// statements, so the hot inserts are parsed once per connection, not once
// per call.
const (
	commonParams = "_journal_mode=WAL&_foreign_keys=on&_synchronous=NORMAL&_stmt_cache_size=64"
	dsnParams    = commonParams + "&_busy_timeout=5000"
	// writerParams: BEGIN IMMEDIATE, and no busy wait of SQLite's, which
	// would not end with the caller's context; begin waits instead.
	writerParams = commonParams + "&_busy_timeout=0&_txlock=immediate"
)

// Open opens (creating it and its directory if needed) the database file at
// path and brings its schema up to date. It fails when the file is not a
// SQLite database, was changed by a newer build, or holds an applied
// migration that differs from the embedded one.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	o := options{now: time.Now, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, opt := range opts {
		opt(&o)
	}
	if o.readers <= 0 {
		o.readers = max(2, runtime.NumCPU())
	}
	if path == "" {
		return nil, fmt.Errorf("store: open: empty database path: %w", bot.ErrInvalid)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, fmt.Errorf("store: open %s: create directory: %w", path, err)
	}
	// The database holds what citizens wrote: a new one is created
	// readable by its owner only, and SQLite gives its WAL and
	// shared-memory files the same mode. An existing file keeps its mode, with
	// a warning when others can read it.
	if f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("store: open %s: %w", path, err)
		}
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("store: open %s: create: %w", path, err)
	}
	// The path goes into a SQLite URI: escape '?', '#', '%' and spaces.
	file := "file:" + (&url.URL{Path: abs}).EscapedPath() + "?"

	clock := o.now
	db := &DB{path: path, abs: abs, log: o.log, now: func() time.Time { return clock().UTC().Round(0) },
		kick: make(chan struct{}, 1), stop: make(chan struct{}), stopped: make(chan struct{})}
	fail := func(err error) (*DB, error) {
		for _, p := range []*sql.DB{db.r, db.ck, db.w} {
			if p != nil {
				p.Close()
			}
		}
		var se sqlite3.Error
		if errors.As(err, &se) && (se.Code == sqlite3.ErrNotADB || se.Code == sqlite3.ErrCorrupt) {
			return nil, fmt.Errorf("store: open %s: %w: the file is damaged or is not a Liaison database; restore it from a backup, or move it aside to start with an empty database", path, err)
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// Writes: one connection, and BEGIN IMMEDIATE so a transaction holds the
	// write lock from its first statement (no deadlock on lock upgrade
	// between processes). Its commits never checkpoint: the checkpointer
	// does, on a connection of its own (see checkpoint.go).
	db.w = pool(file+writerParams, 1, "PRAGMA wal_autocheckpoint = 0")
	if err := whileBusy(ctx, openBusyWait, func() error {
		if err := db.w.PingContext(ctx); err != nil {
			return err
		}
		return db.migrate(ctx)
	}); err != nil {
		return fail(err)
	}
	if db.file, err = os.Stat(abs); err != nil {
		return fail(err)
	}
	if perm := db.file.Mode().Perm(); perm&0o077 != 0 {
		db.log.Warn(fmt.Sprintf("store: the database can be read by other users of this machine, and it holds what citizens wrote: run chmod 600 %s (its -wal and -shm files take its mode when next created)", abs),
			"path", path, "mode", fmt.Sprintf("%#o", perm))
	}
	db.ck = pool(file+dsnParams, 1, "")
	// Reads: deferred transactions (a read snapshot, no write lock) on
	// connections that refuse writes.
	db.r = pool(file+dsnParams+"&_txlock=deferred&_query_only=1", o.readers, "")
	for _, p := range []*sql.DB{db.ck, db.r} {
		if err := whileBusy(ctx, openBusyWait, func() error { return p.PingContext(ctx) }); err != nil {
			return fail(err)
		}
	}
	go db.checkpointLoop()
	return db, nil
}

// whileBusy runs f again while it fails because another process holds the
// database: at Open, opening a connection sets the WAL journal mode, which
// SQLite answers with SQLITE_BUSY at once, without the busy timeout, while
// another connection creates or migrates the same new file; a write's
// BEGIN waits so (see begin). It gives up after limit, or when ctx ends,
// returning f's last error.
func whileBusy(ctx context.Context, limit time.Duration, f func() error) error {
	giveUp := time.Now().Add(limit)
	for wait := time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
		err := f()
		left := time.Until(giveUp)
		if err == nil || !isBusy(err) || left <= 0 {
			return err
		}
		t := time.NewTimer(min(wait, left))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return err
		}
	}
}

// isBusy reports whether err is SQLite's "another connection holds the
// lock".
func isBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

// openBusyWait bounds how long Open waits for another process's lock.
const openBusyWait = 10 * time.Second

// pool opens a pool of at most n connections to dsn that stay open, each
// running init (a PRAGMA) when it connects.
func pool(dsn string, n int, init string) *sql.DB {
	d := &sqlite3.SQLiteDriver{}
	if init != "" {
		d.ConnectHook = func(c *sqlite3.SQLiteConn) error {
			_, err := c.Exec(init, nil)
			return err
		}
	}
	p := sql.OpenDB(connector{dsn: dsn, driver: d})
	p.SetMaxOpenConns(n)
	p.SetMaxIdleConns(n)
	p.SetConnMaxLifetime(0)
	p.SetConnMaxIdleTime(0)
	return p
}

// connector opens connections with a driver of our own, so that connect
// hooks need no globally registered driver name.
type connector struct {
	dsn    string
	driver *sqlite3.SQLiteDriver
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.driver.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return c.driver }

// Path returns the database file path given to Open.
func (db *DB) Path() string { return db.path }

// Check reports whether the database answers a read, took the last write
// (one the disk refused fails Check until a write succeeds), and is still
// the file at its path. SQLite keeps using a file that was deleted or replaced while
// open (by hand, or a backup copied into place), and all that is written to
// it from then on is lost when the process stops: Check then fails, naming
// the path and what to do. It is safe for concurrent use.
func (db *DB) Check(ctx context.Context) error {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		return fmt.Errorf("store: %s does not answer: %w", db.path, err)
	}
	if err := db.refused.Load(); err != nil {
		return fmt.Errorf("store: the last write failed: %w", *err)
	}
	return db.sameFile()
}

// sameFile fails when the file at the database's path is no longer the one
// open.
func (db *DB) sameFile() error {
	if fi, err := os.Stat(db.abs); err == nil && os.SameFile(fi, db.file) {
		return nil
	}
	return fmt.Errorf("store: the database file %s was deleted or replaced while in use: what is recorded from now on is lost when Liaison stops; put the file back (from a backup if need be) and restart Liaison", db.path)
}

// Close stops the checkpointer and closes the database. Calls after Close
// fail; Close itself may be called more than once.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { close(db.stop) })
	<-db.stopped
	errs := []error{db.r.Close(), db.ck.Close()}
	// The writer closes last: the last connection checkpoints the WAL.
	errs = append(errs, db.w.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: close %s: %w", db.path, err)
	}
	return nil
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// write runs fn in one write transaction and commits it. fn's error rolls
// everything back and is returned as is. When another process holds the
// write lock past the busy timeout, or until ctx ends, nothing is written
// and the error says to try again.
func (db *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.begin(ctx)
	if err != nil {
		switch {
		case isBusy(err) && ctx.Err() != nil:
			return fmt.Errorf("begin: the database file %s stayed locked by another process as long as the caller could wait, so nothing was changed: try again (%w)", db.path, err)
		case isBusy(err):
			return fmt.Errorf("begin: the database file %s stayed locked by another process for %s, so nothing was changed: try again (%w)", db.path, busyTimeout, err)
		}
		return db.unwritable(fmt.Errorf("begin: %w", err))
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return db.unwritable(err)
	}
	if err := tx.Commit(); err != nil {
		return db.unwritable(fmt.Errorf("commit: %w", err))
	}
	if db.refused.Load() != nil {
		db.refused.Store(nil)
	}
	if db.commits.Add(1)%checkpointEvery == 0 {
		select {
		case db.kick <- struct{}{}:
		default: // already awake
		}
	}
	return nil
}

// begin starts a write transaction, waiting busyTimeout at most for
// another process's write lock, and no longer than ctx: SQLite's busy wait
// would not end with ctx. It returns the busy error when the wait runs out,
// and ctx's error, joined to it, when ctx ends first.
func (db *DB) begin(ctx context.Context) (*sql.Tx, error) {
	var tx *sql.Tx
	err := whileBusy(ctx, busyTimeout, func() (err error) {
		tx, err = db.w.BeginTx(ctx, nil)
		return err
	})
	if isBusy(err) && ctx.Err() != nil {
		err = errors.Join(ctx.Err(), err)
	}
	return tx, err
}

// unwritable adds to err, when the disk refused the write (full,
// read-only, failing), the database file and what to do: the write was
// rolled back, so nothing of it was recorded. Such an error is kept for
// Check until a write succeeds. Other errors are returned as is.
func (db *DB) unwritable(err error) error {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code {
	case sqlite3.ErrFull:
		err = fmt.Errorf("%w: the disk holding the database file %s is full, so nothing was recorded: free space on it, or move data_dir to a larger disk", err, db.path)
	case sqlite3.ErrReadonly, sqlite3.ErrCantOpen:
		err = fmt.Errorf("%w: the database file %s cannot be written, so nothing was recorded: make it, its -wal and -shm files and their directory writable by the user running Liaison (and the disk writable), then restart Liaison", err, db.path)
	case sqlite3.ErrIoErr:
		err = fmt.Errorf("%w: the disk holding the database file %s failed to write, so nothing was recorded: check the disk and the file (and the system log), then restart Liaison", err, db.path)
	default:
		return err
	}
	db.refused.Store(&err)
	return err
}

// read runs fn in one read transaction: every query sees the same snapshot.
func (db *DB) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.r.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read only: nothing to keep
	return fn(tx)
}

// orNow returns t in UTC, or now when t is zero.
func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t.UTC()
}

// timeLayout is fixed width so that stored times sort as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// ts is the column value of t: NULL for the zero time.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeLayout)
}

// timeCol scans a stored time (NULL or "" is the zero time).
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(v any) error {
	var s string
	switch v := v.(type) {
	case nil:
		*c.t = time.Time{}
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("time column: unexpected %T", v)
	}
	if s == "" {
		*c.t = time.Time{}
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("time column: %w", err)
	}
	*c.t = t.UTC()
	return nil
}

// id is the column value of a reference: NULL for 0.
func id(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// nullStr is the column value of an optional unique key: NULL for "".
func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// jsonVal is the JSON text of v.
func jsonVal(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode %T: %w", v, err)
	}
	return string(b), nil
}

// jsonCol scans JSON text into v; NULL leaves v unchanged.
type jsonCol struct{ v any }

func (c jsonCol) Scan(src any) error {
	var b []byte
	switch s := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(s)
	case []byte:
		b = s
	default:
		return fmt.Errorf("json column: unexpected %T", src)
	}
	if err := json.Unmarshal(b, c.v); err != nil {
		return fmt.Errorf("json column: %w", err)
	}
	return nil
}

// notFound wraps bot.ErrNotFound, naming what was looked for.
func notFound(what string, key any) error {
	return fmt.Errorf("%s %v: %w", what, key, bot.ErrNotFound)
}

// noRows maps sql.ErrNoRows to ErrNotFound.
func noRows(err error, what string, key any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(what, key)
	}
	return err
}

// constraint maps SQLite constraint failures that a caller can cause to the
// bot sentinels: a reference to a record that does not exist is ErrInvalid.
func constraint(err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintForeignKey {
		return fmt.Errorf("%w: refers to a record that does not exist (%v)", bot.ErrInvalid, err)
	}
	return err
}

// limitArg turns "0: no limit" into SQLite's -1.
func limitArg(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
