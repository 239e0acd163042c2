package bot_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// DeskFailures counts the failures of the whole desk in a row while it is
// unavailable, and is 0 again once it takes a post.
func TestDeskFailuresFollowAnOutageOfTheDesk(t *testing.T) {
	e, desk, _ := newLoggedRefusingEnv(t)
	if n, _ := e.eng.DeskFailures(); n != 0 {
		t.Fatalf("DeskFailures at start = %d", n)
	}
	d1 := e.ask("ana", goatEN)
	desk.set(func() { desk.refuse[d1.EscalationID] = fmt.Errorf("channel_not_found: %w", bot.ErrDeskUnavailable) })
	e.tick()
	e.clock.Advance(time.Second)
	e.tick()
	n, next := e.eng.DeskFailures()
	if n != 2 || !next.After(e.clock.Now()) {
		t.Errorf("DeskFailures after two refused rounds = %d, next try %v (now %v)", n, next, e.clock.Now())
	}
	desk.set(func() { delete(desk.refuse, d1.EscalationID) })
	e.clock.Advance(5 * time.Minute)
	e.tick()
	if n, _ := e.eng.DeskFailures(); n != 0 || e.deskRef(d1.EscalationID) == "" {
		t.Errorf("DeskFailures once the desk takes posts again = %d (posted %q)", n, e.deskRef(d1.EscalationID))
	}
}

// ConnState keeps when a connection went down across the errors that
// follow, and the last error once it is up again.
func TestConnStateKeepsSinceAndLastError(t *testing.T) {
	var s bot.ConnState
	t0 := time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)
	s.Up("ready", t0)
	s.Down("disconnect", "", t0.Add(time.Minute))
	s.Down("connect failed", "dial tcp: connection refused", t0.Add(2*time.Minute))
	c := s.Connection()
	if c.Connected || !c.Since.Equal(t0.Add(time.Minute)) || c.Err != "dial tcp: connection refused" || !c.ErrAt.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("down: %+v", c)
	}
	s.Up("resumed", t0.Add(3*time.Minute))
	s.Up("ready", t0.Add(4*time.Minute))
	c = s.Connection()
	if !c.Connected || !c.Since.Equal(t0.Add(3*time.Minute)) || c.Event != "ready" || c.Err == "" {
		t.Errorf("up again: %+v", c)
	}
}
