package slack

import "sync"

// seenSet remembers the envelopes handled lately, so that a redelivery (the
// same event id, action or view submission) is acknowledged again but not
// handled twice. It is bounded: the oldest finished keys are forgotten
// first. The engine is idempotent on answer event ids too; this set saves
// the round trip and covers commands, which are not.
type seenSet struct {
	mu    sync.Mutex
	state map[string]bool // false: being handled; true: handled
	ring  []string        // finished keys, oldest overwritten first
	next  int
}

func newSeenSet(max int) *seenSet {
	return &seenSet{state: make(map[string]bool, max), ring: make([]string, max)}
}

// seen outcomes of begin.
const (
	seenNew  = iota // handle it
	seenBusy        // another delivery is being handled: leave it
	seenDone        // handled already: acknowledge again, do nothing else
)

// begin claims key for handling.
func (s *seenSet) begin(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	done, ok := s.state[key]
	switch {
	case !ok:
		s.state[key] = false
		return seenNew
	case done:
		return seenDone
	}
	return seenBusy
}

// finish records key as handled.
func (s *seenSet) finish(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.ring[s.next]; old != "" {
		delete(s.state, old)
	}
	s.ring[s.next] = key
	s.next = (s.next + 1) % len(s.ring)
	s.state[key] = true
}

// abort forgets key, so that a redelivery is handled afresh.
func (s *seenSet) abort(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if done := s.state[key]; !done {
		delete(s.state, key)
	}
}

// done reports whether key was handled (and is still remembered).
func (s *seenSet) done(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state[key]
}

// len is the number of keys remembered.
func (s *seenSet) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.state)
}
