package bot

import (
	"sync"
	"time"
)

// Connection is where an adapter's link to its platform stands, as the
// platform client's own events (connect, ready, resumed, hello,
// disconnect) told the adapter. It never holds a token or what anyone
// wrote.
type Connection struct {
	Connected bool
	Since     time.Time // when it last connected or lost the connection; zero: never tried yet
	Event     string    // the client's last event: "ready", "resumed", "disconnect", ...
	Err       string    // the last connection error, "" when none since the process started
	ErrAt     time.Time
}

// ConnectionReporter is an optional capability of a Channel or a Desk that
// keeps a connection to its platform open: serve's status page reports it.
type ConnectionReporter interface {
	Connection() Connection
}

// ConnState records the events of one connection for an adapter's
// Connection. The zero value is ready to use (never connected); it is
// safe for concurrent use.
type ConnState struct {
	mu sync.Mutex
	c  Connection
}

// Up records that the connection is up after event, at now.
func (s *ConnState) Up(event string, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.c.Connected {
		s.c.Since = now
	}
	s.c.Connected, s.c.Event = true, event
}

// Down records that the connection is down after event, at now, with err
// ("" when the event says none). A connection already down keeps its
// Since: it has been down since then.
func (s *ConnState) Down(event, err string, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c.Connected || s.c.Since.IsZero() {
		s.c.Since = now
	}
	s.c.Connected, s.c.Event = false, event
	if err != "" {
		s.c.Err, s.c.ErrAt = err, now
	}
}

// Failed records err, at now, without changing whether the connection is
// up (an error the client reports and survives).
func (s *ConnState) Failed(err string, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.c.Err, s.c.ErrAt = err, now
}

// Connection returns what was recorded.
func (s *ConnState) Connection() Connection {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c
}

// DeskFailures returns how many times in a row the whole desk refused or
// failed a post or notice (0 when the last one went through), and when
// the engine tries again.
func (e *Engine) DeskFailures() (int, time.Time) {
	e.refusedMu.Lock()
	defer e.refusedMu.Unlock()
	return e.deskDown.attempts, e.deskDown.next
}

// Unattended is how long an escalation waits unclaimed before the whole
// desk is told (after its reminders and re-routes): one still waiting
// longer is overdue.
func (e *Engine) Unattended() time.Duration {
	return e.cfg.RemindAfter * time.Duration(e.cfg.maxReminders()+1)
}
