package bot

import (
	"sync"
	"time"
)

// floodLimiter counts addressed messages per user in a sliding window. A
// user over the limit gets one notice per window, then silence, so that 50
// messages a minute produce one polite notice and not 50 answers.
type floodLimiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	users  map[string]*floodUser
}

type floodUser struct {
	times    []time.Time
	notified time.Time
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

// hit records a message from user at now and returns the verdict.
func (f *floodLimiter) hit(user string, now time.Time) floodVerdict {
	f.mu.Lock()
	defer f.mu.Unlock()
	u := f.users[user]
	if u == nil {
		u = &floodUser{}
		f.users[user] = u
	}
	cut := now.Add(-f.window)
	i := 0
	for i < len(u.times) && u.times[i].Before(cut) {
		i++
	}
	u.times = append(u.times[i:], now)
	if len(u.times) <= f.limit {
		return floodOK
	}
	if u.notified.After(cut) {
		return floodSilent
	}
	u.notified = now
	return floodNotify
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
