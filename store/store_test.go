package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/phases"
)

// t0 has nanoseconds so that tests see sub-second precision survive.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)

// testClock is a settable clock, safe for concurrent use.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openAt opens a store at path with a fixed test clock and closes it when
// the test ends.
func openAt(t testing.TB, path string, opts ...Option) (*DB, *testClock) {
	t.Helper()
	clk := &testClock{t: t0}
	db, err := Open(context.Background(), path, append([]Option{WithClock(clk.Now)}, opts...)...)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db, clk
}

func newDB(t testing.TB) (*DB, *testClock) {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "liaison.db"))
}

// count returns the number of rows in a table.
func count(t testing.TB, db *DB, table string) int {
	t.Helper()
	var n int
	if err := db.r.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// counts returns the row counts of every table holding records, to check
// that a failed call wrote nothing.
func counts(t testing.TB, db *DB) map[string]int {
	t.Helper()
	m := map[string]int{}
	for _, tb := range []string{"messages", "decisions", "escalations", "escalation_askers", "staff_answers",
		"outbox", "phase_changes", "broadcasts", "drafts", "audit_log", "feedback"} {
		m[tb] = count(t, db, tb)
	}
	return m
}

func sameCounts(t testing.TB, before, after map[string]int) {
	t.Helper()
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s: %d rows, want %d (nothing written)", k, after[k], v)
		}
	}
}

func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("err = %v, want %v", err, target)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func msg(id string) bot.Message {
	return bot.Message{Platform: "web", ChannelID: "help", ID: id, AuthorID: "u-" + id, AuthorName: "Citizen " + id,
		Text: "How do I renew my passport? " + id, Time: t0, Mentioned: true}
}

// answerOutcome answers message id with one reply.
func answerOutcome(id string) *bot.Outcome {
	m := msg(id)
	return &bot.Outcome{
		Message:  m,
		Decision: bot.Decision{Action: bot.ActAnswer, Reason: bot.ReasonConfident, Phase: 2, Lang: bot.English, LangSource: "detected", LangConf: 0.9, EntryID: "passport-renew", Confidence: 0.8},
		Outbox: []bot.Outgoing{{
			To:    bot.Address{Platform: m.Platform, ChannelID: m.ChannelID, ReplyTo: m.ID, UserID: m.AuthorID},
			Reply: bot.Reply{Kind: bot.KindAnswer, Lang: bot.English, Text: "Renew online.", Feedback: true, Key: "answer:web:" + id},
		}},
	}
}

// escalateOutcome escalates message id as a new escalation on topic.
func escalateOutcome(id, topic string, lang bot.Lang) *bot.Outcome {
	m := msg(id)
	o := &bot.Outcome{
		Message:  m,
		Decision: bot.Decision{Action: bot.ActEscalate, Reason: bot.ReasonLowConfidence, Phase: 2, Lang: lang},
		NewEscalation: &bot.Escalation{Lang: lang, Topic: topic, Question: "masked " + id, RoutedTo: "ana", RoutedAt: t0,
			Suggestions: []bot.Hit{{EntryID: "e1", Lang: lang, Topic: topic, Question: "q", Confidence: 0.3}},
			Askers:      []bot.Asker{{Address: bot.Address{Platform: "web", ChannelID: "help", ReplyTo: id}, Lang: lang, Question: "masked " + id, AskedAt: t0}}},
		Outbox: []bot.Outgoing{{
			To:    bot.Address{Platform: m.Platform, ChannelID: m.ChannelID, ReplyTo: m.ID},
			Reply: bot.Reply{Kind: bot.KindAck, Lang: lang, Text: "Staff will answer.", Key: "ack:web:" + id},
		}},
	}
	return o
}

// joinOutcome attaches message id to escalation eid.
func joinOutcome(id string, eid int64) *bot.Outcome {
	m := msg(id)
	return &bot.Outcome{
		Message:        m,
		Decision:       bot.Decision{Action: bot.ActEscalate, Reason: bot.ReasonJoined, Phase: 2, Lang: bot.English},
		JoinEscalation: eid,
		Asker:          &bot.Asker{Address: bot.Address{Platform: "web", ChannelID: "help", ReplyTo: id}, Lang: bot.English, Question: "masked " + id, AskedAt: t0.Add(time.Minute)},
		Outbox: []bot.Outgoing{{
			To:    bot.Address{Platform: m.Platform, ChannelID: m.ChannelID, ReplyTo: m.ID},
			Reply: bot.Reply{Kind: bot.KindAck, Text: "Staff will answer.", Key: "ack:web:" + id},
		}},
	}
}

func TestOpenCreatesDirectoryAndKeepsDataAcrossReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "nested", "dir", "liaison.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	o := escalateOutcome("m1", "passports", bot.English)
	must(t, db.SaveOutcome(ctx, o))
	must(t, db.Close())

	for range 2 { // reopen twice: migrations are not applied again
		db, err = Open(ctx, path)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		e, err := db.Escalation(ctx, o.NewEscalation.ID)
		if err != nil {
			t.Fatalf("after reopen: %v", err)
		}
		if e.Question != "masked m1" || len(e.Askers) != 1 {
			t.Errorf("after reopen: %+v", e)
		}
		if n := count(t, db, "schema_migrations"); n != len(mustMigrations(t)) {
			t.Errorf("schema_migrations has %d rows, want %d", n, len(mustMigrations(t)))
		}
		must(t, db.Close())
	}
	if _, err := db.Escalation(ctx, 1); err == nil {
		t.Error("a closed store still answers")
	}
}

// The database holds what citizens wrote: a new one, and its WAL and
// shared-memory files, are readable by their owner only, whatever the
// directory they are in.
func TestNewDatabaseIsReadableByItsOwnerOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	must(t, os.Chmod(dir, 0o755))
	path := filepath.Join(dir, "liaison.db")
	db, err := Open(ctx, path)
	must(t, err)
	must(t, db.SaveOutcome(ctx, escalateOutcome("m1", "passports", bot.English)))
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if mode := fi.Mode().Perm(); mode&0o077 != 0 {
			t.Errorf("%s has mode %v, want it readable by its owner only", filepath.Base(f), mode)
		}
	}
	must(t, db.Close())
}

// A database made readable by others (an older release created it 0644,
// or a copy kept its mode) is opened as it is, with a warning that says
// how to protect it.
func TestOpeningADatabaseOthersCanReadWarns(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "liaison.db")
	open := func() string {
		t.Helper()
		var logs bytes.Buffer
		db, err := Open(ctx, path, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
		must(t, err)
		must(t, db.Close())
		return logs.String()
	}
	if out := open(); strings.Contains(out, "chmod") {
		t.Fatalf("a new database warned:\n%s", out)
	}
	must(t, os.Chmod(path, 0o644))
	if out := open(); !strings.Contains(out, "level=WARN") || !strings.Contains(out, "chmod 600 "+path) || !strings.Contains(out, "0644") {
		t.Errorf("opening a database others can read:\n%s", out)
	}
	must(t, os.Chmod(path, 0o600))
	if out := open(); strings.Contains(out, "chmod") {
		t.Errorf("a database readable by its owner only warned:\n%s", out)
	}
}

func TestOpenTwiceAtOnce(t *testing.T) {
	// Two handles on one file, as two processes would have: both migrate
	// (once), both write, each sees the other's writes.
	path := filepath.Join(t.TempDir(), "liaison.db")
	var wg sync.WaitGroup
	dbs := make([]*DB, 4)
	errs := make([]error, 4)
	for i := range dbs {
		wg.Go(func() { dbs[i], errs[i] = Open(context.Background(), path) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		defer dbs[i].Close()
	}
	ctx := context.Background()
	must(t, dbs[0].SaveOutcome(ctx, answerOutcome("a")))
	if _, err := dbs[1].DecisionFor(ctx, "web", "a"); err != nil {
		t.Fatalf("second handle: %v", err)
	}
	wantErr(t, dbs[2].SaveOutcome(ctx, answerOutcome("a")), bot.ErrDuplicate)
	if n := count(t, dbs[3], "schema_migrations"); n != len(mustMigrations(t)) {
		t.Errorf("schema_migrations: %d rows", n)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.txt")
	must(t, os.WriteFile(notDB, []byte(strings.Repeat("this is not a database\n", 200)), 0o600))
	// A database whose pages after the first were overwritten.
	damaged := filepath.Join(dir, "damaged.db")
	db, err := Open(context.Background(), damaged)
	must(t, err)
	must(t, db.Close())
	f, err := os.OpenFile(damaged, os.O_WRONLY, 0)
	must(t, err)
	_, err = f.WriteAt(bytes.Repeat([]byte{0xA5}, 64<<10), 4096)
	must(t, err)
	must(t, f.Close())
	fileAsDir := filepath.Join(dir, "file")
	must(t, os.WriteFile(fileAsDir, nil, 0o600))

	tests := []struct {
		name string
		path string
		want string
		is   error
	}{
		{name: "empty path", path: "", want: "empty database path", is: bot.ErrInvalid},
		{name: "not a database", path: notDB, want: notDB + ": file is not a database: the file is damaged or is not a Liaison database; restore it from a backup, or move it aside"},
		{name: "damaged", path: damaged, want: "database disk image is malformed: the file is damaged or is not a Liaison database; restore it from a backup, or move it aside"},
		{name: "parent is a file", path: filepath.Join(fileAsDir, "x.db"), want: "create directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := Open(context.Background(), tt.path)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) {
				t.Errorf("err = %v, want it to mention %q and the path", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want %v", err, tt.is)
			}
		})
	}
}

func TestOpenPathNeedingEscapes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a dir?x=1#frag%20", "liaison.db")
	db, _ := openAt(t, path)
	must(t, db.SaveOutcome(context.Background(), answerOutcome("m")))
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at the given path: %v", err)
	}
}

func TestPragmasOnEveryConnection(t *testing.T) {
	db, _ := openAt(t, filepath.Join(t.TempDir(), "liaison.db"), WithReaders(3))
	ctx := context.Background()
	check := func(label string, q querier) {
		t.Helper()
		busy := "5000"
		if label == "writer" {
			busy = "0" // the writer waits in Go, until its context ends (see begin)
		}
		for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "synchronous": "1", "busy_timeout": busy} {
			var got string
			if err := q.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatalf("%s: PRAGMA %s: %v", label, pragma, err)
			}
			if got != want {
				t.Errorf("%s: PRAGMA %s = %s, want %s", label, pragma, got, want)
			}
		}
	}
	check("writer", db.w)
	var auto int
	must(t, db.w.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&auto))
	if auto != 0 {
		t.Errorf("writer: wal_autocheckpoint = %d, want 0 (the checkpointer does it)", auto)
	}
	// Hold several read connections at once so that each one is checked.
	var conns []*sql.Conn
	for range 3 {
		c, err := db.r.Conn(ctx)
		must(t, err)
		conns = append(conns, c)
		check("reader", c)
	}
	for _, c := range conns {
		c.Close()
	}
	if _, err := db.r.ExecContext(ctx, `DELETE FROM audit_log`); err == nil {
		t.Error("read connections accept writes")
	}
}

func TestLoadMigrations(t *testing.T) {
	tests := []struct {
		name    string
		files   []string
		want    []int
		wantErr []string
	}{
		{name: "sorted by number", files: []string{"002_b.sql", "010_c.sql", "001_a.sql"}, want: []int{1, 2, 10}},
		{name: "bad names and duplicates, all reported", files: []string{"001_a.sql", "001_b.sql", "2_x.sql", "003_Upper.sql"},
			wantErr: []string{"001_b.sql: number 001 already used", "2_x.sql: name must be", "003_Upper.sql: name must be"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for _, f := range tt.files {
				fsys["migrations/"+f] = &fstest.MapFile{Data: []byte("SELECT 1;")}
			}
			ms, err := loadMigrations(fsys)
			for _, w := range tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v, want it to mention %q", err, w)
				}
			}
			if len(tt.wantErr) > 0 {
				return
			}
			must(t, err)
			var got []int
			for _, m := range ms {
				got = append(got, m.version)
			}
			if !equal(got, tt.want) {
				t.Errorf("versions %v, want %v", got, tt.want)
			}
		})
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func mustMigrations(t testing.TB) []migration {
	t.Helper()
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// oldDatabase creates at path a database written by a build that knew the
// migrations up to version only, and returns a connection to fill it in
// (closed when the test ends; close it before opening the path).
func oldDatabase(t testing.TB, path string, version int) *sql.DB {
	t.Helper()
	ctx := context.Background()
	old := pool("file:"+path+"?"+dsnParams, 1, "")
	t.Cleanup(func() { old.Close() })
	if _, err := old.ExecContext(ctx, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, file TEXT NOT NULL,
		checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range mustMigrations(t) {
		if m.version > version {
			break
		}
		if _, err := old.ExecContext(ctx, m.sql); err != nil {
			t.Fatalf("%s: %v", m.file, err)
		}
		if _, err := old.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, ?, ?, ?)`, m.version, m.file, m.checksum, ts(t0)); err != nil {
			t.Fatal(err)
		}
	}
	return old
}

func TestEmbeddedMigrationsNumberedFromOne(t *testing.T) {
	for i, m := range mustMigrations(t) {
		if m.version != i+1 {
			t.Errorf("%s: number %d, want %d (no gaps)", m.file, m.version, i+1)
		}
	}
}

func TestMigrationsAppliedInOrderOnce(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	first := append(mustMigrations(t), migration{version: 900, file: "900_a.sql", checksum: "a",
		sql: `CREATE TABLE extra_a (x INTEGER); INSERT INTO extra_a VALUES (1);`})
	must(t, db.applyMigrations(ctx, first))
	// Applied again with one more: the first ones are skipped (their
	// INSERT would otherwise add a row), the new one runs.
	second := append(first, migration{version: 901, file: "901_b.sql", checksum: "b",
		sql: `INSERT INTO extra_a VALUES (2);`})
	must(t, db.applyMigrations(ctx, second))
	if n := count(t, db, "extra_a"); n != 2 {
		t.Errorf("extra_a has %d rows, want 2", n)
	}
	// A failing migration rolls back whole and is not recorded.
	third := append(second, migration{version: 902, file: "902_c.sql", checksum: "c",
		sql: `INSERT INTO extra_a VALUES (3); INSERT INTO no_such_table VALUES (1);`})
	err := db.applyMigrations(ctx, third)
	if err == nil || !strings.Contains(err.Error(), "902_c.sql") {
		t.Fatalf("err = %v, want it to name 902_c.sql", err)
	}
	if n := count(t, db, "extra_a"); n != 2 {
		t.Errorf("failed migration left a row: extra_a has %d rows", n)
	}
}

func TestOpenRefusesEditedOrNewerSchema(t *testing.T) {
	tests := []struct {
		name   string
		tamper string
		want   string
	}{
		{name: "applied migration edited", tamper: `UPDATE schema_migrations SET checksum = 'x' WHERE version = 1`,
			want: "001_init.sql was changed after it was applied"},
		{name: "newer build", tamper: `INSERT INTO schema_migrations VALUES (999, '999_future.sql', 'x', '')`,
			want: "schema version 999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "liaison.db")
			db, err := Open(context.Background(), path)
			must(t, err)
			_, err = db.w.Exec(tt.tamper)
			must(t, err)
			must(t, db.Close())
			db, err = Open(context.Background(), path)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("err = %v, want it to mention %q and the path", err, tt.want)
			}
		})
	}
}

func TestTimesAreUTCWithNanoseconds(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	loc := time.FixedZone("EST", -5*3600)
	at := time.Date(2026, 3, 1, 7, 0, 0, 987654321, loc)
	must(t, db.Audit(ctx, bot.AuditEntry{At: at, Actor: "x", Action: "test", Allowed: true}))
	log, err := db.AuditLog(ctx, 1)
	must(t, err)
	got := log[0].At
	if !got.Equal(at) || got.Location() != time.UTC || got.Nanosecond() != 987654321 {
		t.Errorf("At = %v (%v), want %v in UTC", got, got.Location(), at)
	}
}

func TestQueryPlansUseIndexes(t *testing.T) {
	db, _ := newDB(t)
	tests := []struct {
		query string
		args  []any
		index string
	}{
		{`SELECT ` + outboxCols + ` FROM outbox WHERE platform = ? AND state = 'pending' AND (not_before IS NULL OR not_before <= ?) ORDER BY id LIMIT ?`,
			[]any{"web", "", 10}, "outbox_pending"},
		{sentByRef, deliveredAsArgs("web", "", "1"), "outbox_ref"},
		{sentByRef, deliveredAsArgs("web", "", "1"), "outbox_parts_ref"},
		{`SELECT id FROM escalations WHERE desk_ref = '' OR desk_version < version ORDER BY id LIMIT ?`, []any{10}, "escalations_desk_backlog"},
		{`SELECT id FROM escalations WHERE desk_ref = ? AND desk_ref <> '' ORDER BY id DESC LIMIT 1`, []any{"x"}, "escalations_desk_ref"},
		{`SELECT id FROM escalations WHERE state = 'open' AND routed_at < ? ORDER BY routed_at, id`, []any{""}, "escalations_"}, // state or reminder index, the planner's choice
		{`SELECT id FROM broadcasts WHERE state = 'scheduled' AND at <= ? ORDER BY at, id`, []any{""}, "broadcasts_due"},
		{`SELECT 1 FROM messages WHERE platform = ? AND platform_id = ?`, []any{"web", "1"}, "sqlite_autoindex_messages_1"},
		{`SELECT 1 FROM decisions WHERE at >= ? AND addressed = 1`, []any{""}, "decisions_at"},
	}
	for _, tt := range tests {
		checkPlan(t, db, tt.query, tt.index, tt.args...)
	}
}

// checkPlan fails t unless SQLite's plan for query uses index.
func checkPlan(t *testing.T, db *DB, query, index string, args ...any) {
	t.Helper()
	rows, err := db.r.Query(`EXPLAIN QUERY PLAN `+query, args...)
	must(t, err)
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		must(t, rows.Scan(&id, &parent, &notused, &detail))
		plan = append(plan, detail)
	}
	rows.Close()
	if p := strings.Join(plan, "; "); !strings.Contains(p, index) {
		t.Errorf("plan for %.60s...: %s; want index %s", query, p, index)
	}
}

func TestCheckpointerKeepsTheWALSmall(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	for i := range 2000 { // about 20,000 WAL pages without checkpoints
		must(t, db.SaveOutcome(ctx, answerOutcome(fmt.Sprint("m", i))))
	}
	// Whatever the background loop did meanwhile, one checkpoint now
	// copies everything, and the next write starts the WAL over.
	_, err := db.checkpoint(ctx)
	must(t, err)
	must(t, db.SaveOutcome(ctx, answerOutcome("last")))
	frames, err := db.checkpoint(ctx)
	must(t, err)
	if frames > 100 {
		t.Errorf("the WAL holds %d pages after a checkpoint and a write: it did not start over", frames)
	}
	// The database file has the data itself, not only the WAL.
	must(t, db.Close())
	db2, _ := openAt(t, db.path)
	if n := count(t, db2, "messages"); n != 2001 {
		t.Errorf("%d messages after reopening, want 2001", n)
	}
}

func TestCloseTwice(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "liaison.db"))
	must(t, err)
	must(t, db.Close())
	must(t, db.Close())
	if err := db.Audit(context.Background(), bot.AuditEntry{Action: "x"}); err == nil {
		t.Error("write after Close succeeded")
	}
}

func TestMigrationsAreLogged(t *testing.T) {
	var buf bytes.Buffer
	path := filepath.Join(t.TempDir(), "liaison.db")
	db, _ := openAt(t, path, WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	if db.Path() != path {
		t.Errorf("Path() = %q", db.Path())
	}
	if !strings.Contains(buf.String(), "migration=001_init.sql") {
		t.Errorf("log: %q", buf.String())
	}
}

func TestEveryMethodFailsCleanlyWhenClosed(t *testing.T) {
	// A store that cannot answer returns an error naming the store, never
	// a zero value with a nil error.
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "liaison.db"))
	must(t, err)
	ctx := context.Background()
	must(t, db.SaveOutcome(ctx, escalateOutcome("m1", "t", bot.English)))
	must(t, db.Close())
	calls := map[string]func() error{
		"SaveOutcome": func() error { return db.SaveOutcome(ctx, answerOutcome("m2")) },
		"DecisionFor": func() error { _, err := db.DecisionFor(ctx, "web", "m1"); return err },
		"Escalation":  func() error { _, err := db.Escalation(ctx, 1); return err },
		"EscalationByDeskRef": func() error {
			_, err := db.EscalationByDeskRef(ctx, "x")
			return err
		},
		"Escalations": func() error {
			_, err := db.Escalations(ctx, bot.EscalationFilter{States: []bot.EscalationState{bot.StateOpen}})
			return err
		},
		"ApplyEscalation": func() error {
			return db.ApplyEscalation(ctx, &bot.EscalationChange{Escalation: &bot.Escalation{ID: 1, State: bot.StateClosed, Version: 1}})
		},
		"StaffAnswer":      func() error { _, err := db.StaffAnswer(ctx, 1); return err },
		"Answers":          func() error { _, err := db.Answers(ctx, 1); return err },
		"DeskBacklog":      func() error { _, err := db.DeskBacklog(ctx, 0); return err },
		"DeskBacklogAfter": func() error { _, err := db.DeskBacklogAfter(ctx, 1, 0); return err },
		"MarkDeskSynced":   func() error { return db.MarkDeskSynced(ctx, 1, "r", 1) },
		"DueForReminder":   func() error { _, err := db.DueForReminder(ctx, t0, nil); return err },
		"Enqueue":          func() error { return db.Enqueue(ctx, []bot.Outgoing{item("web", "k")}) },
		"Pending":          func() error { _, err := db.Pending(ctx, "web", t0, 0); return err },
		"MarkSent":         func() error { return db.MarkSent(ctx, 1, bot.MessageRef{}, t0) },
		"MarkRetry":        func() error { return db.MarkRetry(ctx, 1, "x", t0) },
		"MarkFailed":       func() error { return db.MarkFailed(ctx, 1, "x") },
		"MarkWithheld":     func() error { return db.MarkWithheld(ctx, 1, bot.AuditEntry{Action: "a"}) },
		"Outgoing":         func() error { _, err := db.Outgoing(ctx, 1); return err },
		"SentByRef":        func() error { _, err := db.SentByRef(ctx, bot.MessageRef{Platform: "web", ID: "x"}); return err },
		"PhaseState":       func() error { _, err := db.PhaseState(ctx, 2); return err },
		"SavePhaseChange": func() error {
			return db.SavePhaseChange(ctx, phases.Change{To: 2, By: "x", Reason: "y"}, bot.AuditEntry{Action: "a"}, nil)
		},
		"PhaseChanges": func() error { _, err := db.PhaseChanges(ctx, 0); return err },
		"SaveBroadcast": func() error {
			return db.SaveBroadcast(ctx, &bot.Broadcast{EN: "a", FR: "b"}, bot.AuditEntry{Action: "a"})
		},
		"DueBroadcasts":  func() error { _, err := db.DueBroadcasts(ctx, t0); return err },
		"QueueBroadcast": func() error { return db.QueueBroadcast(ctx, 1, nil) },
		"Broadcasts":     func() error { _, err := db.Broadcasts(ctx, 0); return err },
		"SaveDraft":      func() error { return db.SaveDraft(ctx, &bot.Draft{}) },
		"Draft":          func() error { _, err := db.Draft(ctx, 1); return err },
		"Drafts":         func() error { _, err := db.Drafts(ctx, ""); return err },
		"Audit":          func() error { return db.Audit(ctx, bot.AuditEntry{Action: "a"}) },
		"AuditLog":       func() error { _, err := db.AuditLog(ctx, 0); return err },
		"SaveFeedback": func() error {
			return db.SaveFeedback(ctx, bot.Reaction{Platform: "web", MessageID: "x", UserID: "u", Value: 1})
		},
		"Summary": func() error { _, err := db.Summary(ctx, t0, time.Time{}); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			if err == nil || !strings.HasPrefix(err.Error(), "store: ") {
				t.Errorf("err = %v, want a store error", err)
			}
			if errors.Is(err, bot.ErrNotFound) || errors.Is(err, bot.ErrDuplicate) || errors.Is(err, bot.ErrConflict) {
				t.Errorf("err = %v: a closed store is not a domain answer", err)
			}
		})
	}
}

// A database file deleted, or replaced by another, while the store has it
// open: SQLite goes on with the old file, whose records are lost when the
// process stops. Check says so, and the checkpointer logs it once
// something is written.
func TestCheckFailsWhenTheFileIsDeletedOrReplaced(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, path string)
	}{
		{name: "deleted", tamper: func(t *testing.T, path string) {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				must(t, os.Remove(path+suffix))
			}
		}},
		{name: "replaced", tamper: func(t *testing.T, path string) {
			other := filepath.Join(t.TempDir(), "backup.db")
			b, err := Open(context.Background(), other)
			must(t, err)
			must(t, b.Close())
			must(t, os.Rename(other, path))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			var logs syncBuffer
			path := filepath.Join(t.TempDir(), "liaison.db")
			db, _ := openAt(t, path, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			must(t, db.Check(ctx))
			tt.tamper(t, path)
			err := db.Check(ctx)
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "deleted or replaced") {
				t.Fatalf("Check after the file was %s: %v", tt.name, err)
			}
			must(t, db.SaveOutcome(ctx, answerOutcome("after")))
			for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logs.String(), "database file lost"); time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("nothing logged about the lost file:\n%s", logs.String())
				}
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader in two
// goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Another process holding the write lock (a long write, an open sqlite3
// shell): an up-to-date database still opens and reads, and a write that
// waited the busy timeout in vain changes nothing and says to try again.
func TestOpenAndWriteWhileAnotherProcessHoldsTheLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "liaison.db")
	db, err := Open(ctx, path)
	must(t, err)
	must(t, db.Close())

	other := pool("file:"+path+"?"+dsnParams, 1, "")
	defer other.Close()
	tx, err := other.BeginTx(ctx, nil)
	must(t, err)
	_, err = tx.Exec(`INSERT INTO audit_log (at, action, allowed) VALUES (?, 'held', 1)`, ts(t0))
	must(t, err)

	db, _ = openAt(t, path)
	if _, err := db.PhaseChanges(ctx, 0); err != nil {
		t.Errorf("read while locked: %v", err)
	}
	change := phases.Change{To: phases.Broadcast, By: "sam", Reason: "outage"}
	err = db.SavePhaseChange(ctx, change, bot.AuditEntry{Action: "phase.set"}, nil)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "try again") {
		t.Errorf("write while locked: %v, want the path and to try again", err)
	}
	must(t, tx.Rollback())
	must(t, db.SavePhaseChange(ctx, change, bot.AuditEntry{Action: "phase.set"}, nil))
	if cs, err := db.PhaseChanges(ctx, 0); err != nil || len(cs) != 1 {
		t.Errorf("after the lock was released: %d changes, %v", len(cs), err)
	}
}

// A write waiting for another process's lock gives up when its context
// ends (a request's deadline, shutdown), not only at the busy timeout,
// saying so, and changes nothing.
func TestWriteWaitingForAnotherProcessEndsWithItsContext(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "liaison.db")
	db, _ := openAt(t, path)
	other := pool("file:"+path+"?"+dsnParams, 1, "")
	defer other.Close()
	tx, err := other.BeginTx(ctx, nil)
	must(t, err)
	_, err = tx.Exec(`INSERT INTO audit_log (at, action, allowed) VALUES (?, 'held', 1)`, ts(t0))
	must(t, err)
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	change := phases.Change{To: phases.Broadcast, By: "sam", Reason: "outage"}
	err = db.SavePhaseChange(short, change, bot.AuditEntry{Action: "phase.set"}, nil)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "try again") {
		t.Errorf("write while locked, past its deadline: %v; want the deadline, the path and to try again", err)
	}
	must(t, tx.Rollback())
	if cs, err := db.PhaseChanges(ctx, 0); err != nil || len(cs) != 0 {
		t.Errorf("after a write that gave up: %d changes, %v; want none", len(cs), err)
	}
}

// A disk that fills up while Liaison runs (here: SQLite told the file may
// not grow, which it reports as a full disk) refuses the write whole, and
// the error names the file and what to do, for the log line that reports
// it.
func TestWriteOnAFullDiskNamesTheFileAndWhatToDo(t *testing.T) {
	ctx := context.Background()
	db, _ := newDB(t)
	var pages int
	must(t, db.w.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages))
	_, err := db.w.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages))
	must(t, err)
	before := counts(t, db)
	var n int
	for err == nil && n < 500 {
		before = counts(t, db)
		err = db.SaveOutcome(ctx, answerOutcome(fmt.Sprint("full-", n)))
		n++
	}
	if err == nil {
		t.Fatalf("%d messages saved on a database that may not grow", n)
	}
	for _, want := range []string{db.Path(), "full", "free space"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	sameCounts(t, before, counts(t, db))
}

// Check (behind /readyz) fails while the disk refuses writes, which reads
// alone would not show, and passes again once a write succeeds.
func TestCheckFailsWhileTheDiskRefusesWrites(t *testing.T) {
	ctx := context.Background()
	db, _ := newDB(t)
	var pages int
	must(t, db.w.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages))
	_, err := db.w.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages))
	must(t, err)
	for n := 0; err == nil && n < 500; n++ {
		err = db.SaveOutcome(ctx, answerOutcome(fmt.Sprint("full-", n)))
	}
	if err == nil {
		t.Fatal("no write refused on a database that may not grow")
	}
	if err := db.Check(ctx); err == nil || !strings.Contains(err.Error(), db.Path()) || !strings.Contains(err.Error(), "full") {
		t.Errorf("Check while the disk refuses writes: %v, want the file and that the disk is full", err)
	}
	_, err = db.w.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, 10*pages))
	must(t, err)
	must(t, db.SaveOutcome(ctx, answerOutcome("room-again")))
	if err := db.Check(ctx); err != nil {
		t.Errorf("Check once a write succeeded: %v", err)
	}
}
