package web

import (
	"sync"
	"time"
)

// throttle is a token bucket per key (a browser id): burst messages at once,
// then perMinute a minute. It is safe for concurrent use.
type throttle struct {
	mu      sync.Mutex
	rate    float64 // tokens per second
	burst   float64
	now     func() time.Time
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxBuckets bounds memory: past it, full (idle) buckets are forgotten.
const maxBuckets = 50000

func newThrottle(perMinute, burst int, now func() time.Time) *throttle {
	return &throttle{rate: float64(perMinute) / 60, burst: float64(burst), now: now, buckets: map[string]*bucket{}}
}

// allow takes one token for key and reports whether there was one.
func (t *throttle) allow(key string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	b, ok := t.buckets[key]
	if !ok {
		if len(t.buckets) >= maxBuckets {
			t.prune(now)
		}
		b = &bucket{tokens: t.burst, last: now}
		t.buckets[key] = b
	}
	b.tokens = min(t.burst, b.tokens+now.Sub(b.last).Seconds()*t.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// wait is how long until key has a token again: 0 when it has one now.
// It takes none.
func (t *throttle) wait(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	b, ok := t.buckets[key]
	if !ok {
		return 0
	}
	tokens := min(t.burst, b.tokens+t.now().Sub(b.last).Seconds()*t.rate)
	if tokens >= 1 {
		return 0
	}
	return time.Duration((1 - tokens) / t.rate * float64(time.Second))
}

func (t *throttle) prune(now time.Time) {
	for k, b := range t.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*t.rate >= t.burst {
			delete(t.buckets, k)
		}
	}
}

// keyset remembers up to n keys with a value, forgetting the oldest first.
// Not safe for concurrent use: the server holds its lock.
type keyset struct {
	n     int
	order []string
	m     map[string]string
}

func newKeyset(n int) *keyset { return &keyset{n: n, m: map[string]string{}} }

func (k *keyset) get(key string) (string, bool) { v, ok := k.m[key]; return v, ok }

func (k *keyset) put(key, v string) {
	if _, ok := k.m[key]; ok {
		return
	}
	k.m[key] = v
	k.order = append(k.order, key)
	if len(k.order) > k.n {
		old := k.order[0]
		k.order = k.order[1:]
		delete(k.m, old)
	}
}

// sentSet remembers, for window, the message id given to each key (a
// browser and the client id its page gave a message), at most n keys,
// forgetting the oldest first. Not safe for concurrent use: the server
// holds its lock.
type sentSet struct {
	n      int
	window time.Duration
	order  []sentEntry // oldest first; forgotten keys stay until dropped
	m      map[string]sentEntry
}

type sentEntry struct {
	key, id string
	at      time.Time
}

func newSentSet(n int, window time.Duration) *sentSet {
	return &sentSet{n: n, window: window, m: map[string]sentEntry{}}
}

// get returns the message id given to key less than window before now.
func (k *sentSet) get(key string, now time.Time) (string, bool) {
	e, ok := k.m[key]
	if !ok || now.Sub(e.at) >= k.window {
		return "", false
	}
	return e.id, true
}

// put remembers id for key from now, in place of what key had.
func (k *sentSet) put(key, id string, now time.Time) {
	for len(k.order) > 0 && now.Sub(k.order[0].at) >= k.window {
		k.drop()
	}
	e := sentEntry{key: key, id: id, at: now}
	k.m[key] = e
	k.order = append(k.order, e)
	for len(k.order) > k.n {
		k.drop()
	}
}

// forget forgets key when it still holds id.
func (k *sentSet) forget(key, id string) {
	if e, ok := k.m[key]; ok && e.id == id {
		delete(k.m, key)
	}
}

func (k *sentSet) drop() {
	e := k.order[0]
	k.order = k.order[1:]
	k.forget(e.key, e.id)
}
