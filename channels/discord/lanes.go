package discord

import "sync"

// lanes runs work in one queue per key (a Discord channel): in order within
// a key, concurrently across keys. A goroutine lives only while its key has
// work. The queues are unbounded: a burst is absorbed, never dropped.
type lanes struct {
	mu sync.Mutex
	q  map[string][]func() // pending work; a key is present while its goroutine runs
	wg sync.WaitGroup
}

func newLanes() *lanes { return &lanes{q: map[string][]func(){}} }

// do queues f on key.
func (l *lanes) do(key string, f func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	pending, running := l.q[key]
	l.q[key] = append(pending, f)
	if !running {
		l.wg.Add(1)
		go l.run(key)
	}
}

func (l *lanes) run(key string) {
	defer l.wg.Done()
	for {
		l.mu.Lock()
		pending := l.q[key]
		if len(pending) == 0 {
			delete(l.q, key)
			l.mu.Unlock()
			return
		}
		f := pending[0]
		pending[0] = nil
		l.q[key] = pending[1:]
		l.mu.Unlock()
		f()
	}
}

// wait blocks until every queue is empty and its goroutine gone.
func (l *lanes) wait() { l.wg.Wait() }

// idle reports whether no work is queued or running.
func (l *lanes) idle() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.q) == 0
}

// pending counts the work not yet started.
func (l *lanes) pending() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, p := range l.q {
		n += len(p)
	}
	return n
}

// recent remembers the last n ids added, to skip events delivered twice.
type recent struct {
	mu   sync.Mutex
	set  map[string]struct{}
	ring []string
	next int
}

func newRecent(n int) *recent {
	return &recent{set: make(map[string]struct{}, n), ring: make([]string, n)}
}

// add records id and reports whether it was new.
func (r *recent) add(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.set[id]; ok {
		return false
	}
	if old := r.ring[r.next]; old != "" {
		delete(r.set, old)
	}
	r.ring[r.next] = id
	r.next = (r.next + 1) % len(r.ring)
	r.set[id] = struct{}{}
	return true
}

// forget removes id, so that it is new again.
func (r *recent) forget(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.set[id]; !ok {
		return
	}
	delete(r.set, id)
	for i, v := range r.ring { // rare (a failure path): a scan is fine
		if v == id {
			r.ring[i] = ""
		}
	}
}
