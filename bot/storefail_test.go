package bot_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/liaison-gc/liaison/bot"
)

// The store failing to write while the engine runs: here another process
// (a backup, `liaison archive purge`) holds the database's write lock past
// the store's busy timeout, so every write fails, as on a full disk, while
// reads go on.

// writeLock holds the write lock of the engine's database, as another
// process would, until released.
type writeLock struct {
	t    testing.TB
	conn *sql.Conn
}

func newWriteLock(t testing.TB, e *env) *writeLock {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(e.dir, "liaison.db")+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &writeLock{t: t, conn: conn}
}

func (l *writeLock) hold() {
	if _, err := l.conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		l.t.Error(err)
	}
}

func (l *writeLock) release() {
	if _, err := l.conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		l.t.Error(err)
	}
}

// A reply the platform took, whose delivery the store could not record, is
// recorded at the next rounds, not posted again: a platform's idempotency
// key stops a repeat for minutes at most (Discord's nonce), and the store
// may fail for longer, with the engine trying every second.
func TestAReplySentWhileTheStoreCannotWriteIsNotSentAgain(t *testing.T) {
	e := newEnv(t, nil)
	lock := newWriteLock(t, e)
	e.ch.fail = func(bot.Address, bot.Reply) error {
		if len(e.ch.sent) == 0 {
			lock.hold() // as the platform takes the reply
		}
		return nil
	}
	if d := e.ask("ana", renewEN); d.Action != bot.ActAnswer {
		t.Fatalf("decision %s, want an answer", d.Action)
	}
	e.tick() // sent; its delivery not recorded
	lock.release()
	e.tick()
	e.tick()
	if got := e.ch.kinds(); len(got) != 1 || got[0] != bot.KindAnswer {
		t.Errorf("sent %v, want the answer once", got)
	}
	if left, err := e.st.Pending(e.ctx, "mem", e.clock.Now().Add(time.Hour), 10); err != nil || len(left) != 0 {
		t.Errorf("outbox: %d pending (%v), want the answer recorded as sent", len(left), err)
	}
}

// An escalation posted to the desk while the store cannot record the post
// is recorded as posted at the next round, not posted again: staff would
// see the question twice (or once a second, for as long as the store
// fails), and claim or answer it in two threads.
func TestAnEscalationPostedWhileTheStoreCannotWriteIsNotPostedAgain(t *testing.T) {
	e := newEnv(t, nil)
	lock := newWriteLock(t, e)
	e.desk.onPost = func() {
		if len(e.desk.order) == 0 { // (onPost runs under the desk's lock)
			lock.hold() // as the desk takes the post
		}
	}
	e.ch.fail = func(bot.Address, bot.Reply) error {
		if len(e.ch.sent) == 0 {
			lock.release() // later in the same round, before the desk's turn again
		}
		return nil
	}
	d := e.ask("ana", goatEN)
	if d.Action != bot.ActEscalate {
		t.Fatalf("decision %s, want an escalation", d.Action)
	}
	e.tick()
	e.tick()
	if n := e.desk.postCount(); n != 1 {
		t.Errorf("escalation posted %d times, want once", n)
	}
	esc, err := e.st.Escalation(e.ctx, d.EscalationID)
	if err != nil || esc.DeskRef == "" {
		t.Errorf("escalation %+v (%v): want its post recorded", esc, err)
	}
}

// A question the store cannot record is offered again by its adapter,
// several times in a row and again later (Discord parks it): the tries
// that failed do not count against the citizen's flood limit, so once the
// store records again the question is answered, not taken for a flood,
// and the limit still counts the messages recorded as before.
func TestAQuestionOfferedAgainWhileTheStoreCannotWriteIsNotAFlood(t *testing.T) {
	e := newEnv(t, func(c *bot.Config) { c.FloodPerMinute = 3 })
	lock := newWriteLock(t, e)
	lock.hold()
	q := e.msg("help", "ana", renewEN, "q")
	for i := range 6 {
		// Each try gives up at its deadline, as the adapter's do.
		ctx, cancel := context.WithTimeout(e.ctx, 250*time.Millisecond)
		_, err := e.eng.HandleMessage(ctx, q)
		cancel()
		if err == nil {
			t.Fatalf("try %d recorded while another process holds the lock", i+1)
		}
	}
	lock.release()
	d, err := e.eng.HandleMessage(e.ctx, q)
	if err != nil || d.Action != bot.ActAnswer {
		t.Fatalf("once the store records: %s/%s (%v), want an answer", d.Action, d.Reason, err)
	}
	want := []bot.Action{bot.ActAnswer, bot.ActAnswer, bot.ActNotice, bot.ActIgnore}
	for i, w := range want {
		if d := e.ask("ana", renewEN); d.Action != w {
			t.Errorf("message %d after the question: %s/%s, want %s", i+2, d.Action, d.Reason, w)
		}
	}
}
