package discord

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/liaison-gc/liaison/bot"
)

func TestLanesKeepOrderPerKey(t *testing.T) {
	t.Parallel()
	l := newLanes()
	var mu sync.Mutex
	got := map[string][]int{}
	gate := make(chan struct{})
	l.do("a", func() { <-gate })
	for i := range 50 {
		for _, k := range []string{"a", "b"} {
			l.do(k, func() {
				mu.Lock()
				got[k] = append(got[k], i)
				mu.Unlock()
			})
		}
	}
	if n := l.pending(); n < 50 {
		t.Errorf("pending %d while key a is blocked", n)
	}
	close(gate)
	l.wait()
	if !l.idle() {
		t.Error("not idle after wait")
	}
	for _, k := range []string{"a", "b"} {
		if len(got[k]) != 50 || !slices.IsSorted(got[k]) {
			t.Errorf("key %s ran %v", k, got[k])
		}
	}
}

func TestRecent(t *testing.T) {
	t.Parallel()
	r := newRecent(3)
	for i := range 3 {
		if !r.add(strconv.Itoa(i)) {
			t.Fatalf("%d seen as old", i)
		}
	}
	if r.add("1") {
		t.Error("a repeat was new")
	}
	r.forget("1")
	r.forget("absent")
	if !r.add("1") {
		t.Error("a forgotten id was not new")
	}
	r.add("3") // evicts the oldest
	if !r.add("0") {
		t.Error("the oldest id was not evicted")
	}
}

func TestMessageGivenUpIsHandledOnRedelivery(t *testing.T) {
	t.Parallel()
	h := &recording{fail: handleAttempts}
	r := start(t, h)
	id := r.ask(helpID, "the store is down")
	r.srv.Await(t, "the handler to give up", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.calls == handleAttempts
	})
	r.settle(t)
	r.srv.Redeliver(id)
	r.srv.Await(t, "the redelivered message", func() bool { return len(h.byID(id)) == 1 })
}

func TestInvalidMessageIsNotRetried(t *testing.T) {
	t.Parallel()
	calls := 0
	var mu sync.Mutex
	h := &invalid{calls: &calls, mu: &mu}
	r := start(t, h)
	r.ask(helpID, "x")
	r.settle(t)
	mu.Lock()
	defer mu.Unlock()
	if calls != 1 {
		t.Errorf("handler called %d times for an invalid message", calls)
	}
}

// invalid refuses every message as malformed.
type invalid struct {
	recording
	mu    *sync.Mutex
	calls *int
}

func (v *invalid) HandleMessage(ctx context.Context, m bot.Message) (bot.Decision, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if m.AuthorBot {
		return bot.Decision{}, nil
	}
	*v.calls++
	return bot.Decision{}, bot.ErrInvalid
}
