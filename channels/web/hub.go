package web

import (
	"cmp"
	"encoding/json"
	"slices"
	"sync"
	"time"
)

// event is one server-sent event on a topic. Data is JSON.
type event struct {
	ID   int64
	Type string
	Data []byte
}

// topic fans events out to live subscribers and keeps the last few for
// people who connect later or reconnect (Last-Event-ID). It is safe for
// concurrent use.
type topic struct {
	mu      sync.Mutex
	seq     int64
	keep    int
	history []event
	told    []event // the last few told events, for pages that reconnect
	subs    map[chan event]struct{}
}

// maxTold is how many told events a topic keeps for reconnecting pages.
const maxTold = 64

// newTopic starts event ids at the time in microseconds, so that the ids
// of a restarted server follow those of the one before: a browser that
// reconnects with the Last-Event-ID of the old process is sent everything
// the new one published since it started.
func newTopic(keep int) *topic {
	return &topic{keep: keep, seq: time.Now().UnixMicro(), subs: map[chan event]struct{}{}}
}

// subBuffer is how many events a slow subscriber may lag behind before it is
// dropped; its browser reconnects and catches up from the history.
const subBuffer = 256

// publish sends v (marshalled to JSON) as an event of type typ, kept in
// the history of people who connect later.
func (t *topic) publish(typ string, v any) event {
	return t.send(&t.history, t.keep, typ, v)
}

// tell sends v as an event of type typ to live subscribers: it takes no
// place in the history of people who connect later, but a page that
// reconnects (Last-Event-ID) is sent the told events it missed.
func (t *topic) tell(typ string, v any) {
	t.send(&t.told, maxTold, typ, v)
}

// send gives v, marshalled to JSON, the next event id, keeps it in *kept
// (history or told: at least their last keep events) and sends it to every
// subscriber.
func (t *topic) send(kept *[]event, keep int, typ string, v any) event {
	data, err := json.Marshal(v)
	if err != nil { // our own view types always marshal; keep the stream valid anyway
		data = []byte("null")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seq++
	ev := event{ID: t.seq, Type: typ, Data: data}
	*kept = append(*kept, ev)
	if len(*kept) >= 2*keep { // trim in batches: amortised O(1)
		*kept = append((*kept)[:0:0], (*kept)[len(*kept)-keep:]...)
	}
	for ch := range t.subs {
		select {
		case ch <- ev:
		default: // too slow: drop it; it reconnects with Last-Event-ID
			delete(t.subs, ch)
			close(ch)
		}
	}
	return ev
}

// amend replaces, in place, the data of the newest kept event for which
// match is true with edit's result: people who connect later are sent the
// edited event, with its id unchanged. It reports whether an event matched.
func (t *topic) amend(match func(event) bool, edit func([]byte) []byte) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := len(t.history) - 1; i >= 0; i-- {
		if match(t.history[i]) {
			t.history[i].Data = edit(t.history[i].Data)
			return true
		}
	}
	return false
}

// subscribe returns, when replay is set, the kept events whose id is after
// the given one, and a channel of the events that follow. The channel is
// closed when the subscriber is dropped for lagging or cancel is called.
func (t *topic) subscribe(after int64, replay bool) ([]event, chan event, func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var past []event
	if replay {
		kept := t.history[max(0, len(t.history)-t.keep):]
		for _, ev := range kept {
			if ev.ID > after {
				past = append(past, ev)
			}
		}
		if after > 0 { // a reconnect: what it missed of the told events too
			for _, ev := range t.told[max(0, len(t.told)-maxTold):] {
				if ev.ID > after {
					past = append(past, ev)
				}
			}
			slices.SortFunc(past, func(a, b event) int { return cmp.Compare(a.ID, b.ID) })
		}
	}
	ch := make(chan event, subBuffer)
	t.subs[ch] = struct{}{}
	cancel := func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		if _, ok := t.subs[ch]; ok {
			delete(t.subs, ch)
			close(ch)
		}
	}
	return past, ch, cancel
}

// find returns the newest kept event for which match is true.
func (t *topic) find(match func(event) bool) (event, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := len(t.history) - 1; i >= 0; i-- {
		if match(t.history[i]) {
			return t.history[i], true
		}
	}
	return event{}, false
}
