package bot

import (
	"slices"
	"sync"
	"time"
)

// floodLimiter counts addressed messages per user in a sliding window. A
// user over the limit gets one notice, then silence for as long as they stay
// over it, so that 50 messages a minute for an hour produce one polite
// notice and not 3,000 answers or 60 notices.
type floodLimiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	users  map[string]*floodUser
}

type floodUser struct {
	times []time.Time
	// flooding is set by the notice and cleared once a message is within
	// the limit again: a flood that goes on for minutes gets one notice,
	// not one a minute.
	flooding bool
}

func newFloodLimiter(limit int, window time.Duration) *floodLimiter {
	return &floodLimiter{limit: limit, window: window, users: map[string]*floodUser{}}
}

// floodVerdict is what to do with one more message from a user.
type floodVerdict int

const (
	floodOK     floodVerdict = iota
	floodNotify              // over the limit: send the notice once
	floodSilent              // over the limit, notice already sent
)

// floodHit is one message counted by hit, which undo takes back.
type floodHit struct {
	user    string // "": nothing was counted
	at      time.Time
	verdict floodVerdict
}

// hit records a message from user posted at and returns the verdict, in
// what it counted (for undo). The window is counted back from when each
// message was posted, not from when it is handled: messages read late
// (caught up after a restart) are not a flood because they are handled at
// once. The times are kept in order, as messages from several channels may
// come out of it.
func (f *floodLimiter) hit(user string, at time.Time) floodHit {
	f.mu.Lock()
	defer f.mu.Unlock()
	u := f.users[user]
	if u == nil {
		u = &floodUser{}
		f.users[user] = u
	}
	cut := at.Add(-f.window)
	i := 0
	for i < len(u.times) && u.times[i].Before(cut) {
		i++
	}
	u.times = u.times[i:]
	j := len(u.times)
	for j > 0 && u.times[j-1].After(at) {
		j--
	}
	u.times = slices.Insert(u.times, j, at)
	h := floodHit{user: user, at: at}
	switch {
	case j+1 <= f.limit: // the messages posted in the window up to this one
		u.flooding = false
		h.verdict = floodOK
	case u.flooding:
		h.verdict = floodSilent
	default:
		u.flooding = true
		h.verdict = floodNotify
	}
	return h
}

// undo takes back h, a message counted but not recorded (the store
// failing: a full disk, a lock another process holds): the adapter offers
// it again, maybe many times, and it counts once, when it is recorded, so
// that a citizen's question that waited out an outage is answered, not
// taken for a flood. A notice it was to carry was not sent either: the
// next message over the limit carries it.
func (f *floodLimiter) undo(h floodHit) {
	if h.user == "" {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	u := f.users[h.user]
	if u == nil {
		return // swept meanwhile
	}
	if i := slices.IndexFunc(u.times, h.at.Equal); i >= 0 {
		u.times = slices.Delete(u.times, i, i+1)
	}
	if h.verdict == floodNotify {
		u.flooding = false
	}
}

// sweep forgets users idle for a whole window, so memory follows the
// number of active users.
func (f *floodLimiter) sweep(now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cut := now.Add(-f.window)
	for k, u := range f.users {
		if len(u.times) == 0 || u.times[len(u.times)-1].Before(cut) {
			delete(f.users, k)
		}
	}
}
