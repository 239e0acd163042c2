package web

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/liaison-gc/liaison/bot"
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

// snapshot returns a copy of the kept events.
func (t *topic) snapshot() []event {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.history)
}

// rewrite removes from the kept events those whose id is in drop and
// replaces the data of those whose id is in edits, ids unchanged, in one
// step: people who connect later are sent the history rewritten.
func (t *topic) rewrite(drop map[int64]bool, edits map[int64][]byte) {
	if len(drop) == 0 && len(edits) == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.history = slices.DeleteFunc(t.history, func(ev event) bool { return drop[ev.ID] })
	for i, ev := range t.history {
		if data, ok := edits[ev.ID]; ok {
			t.history[i].Data = data
		}
	}
}

// forgotten is a "forget" event: the chat ids of the messages a room
// dropped after a purge, and its replies shown again without them.
type forgotten struct {
	Drop    []string    `json:"drop"`
	Replace []chatEvent `json:"replace"`
}

// ForgetPurged makes each room forget what the retention purge took from
// the store, by Restore's rule: the citizen messages h no longer lists
// (Conversation leaves purged messages out) are dropped from the history
// people who open the page later are sent, and the replies h lists are
// shown as Restore shows them, without the name, words or pseudonym of a
// citizen the purge removed; a reply h does not list loses its quote and
// pseudonym when the message it answers is dropped. Messages posted less
// than workTimeout ago, which the engine may not have recorded yet, are
// left for the next call. serve calls it after each purge, so a purge run
// from the command line, in another process, reaches the chat at serve's
// next purge. Pages open at the time are told (a "forget" event) to remove
// the dropped messages and show the replies as rewritten.
// The desk's notices are shown as the store now keeps them (forgetPurgedNotices).
func (s *Server) ForgetPurged(ctx context.Context, h bot.Historian) error {
	recorded := s.now().Add(-workTimeout) // messages posted before are recorded
	for _, rc := range s.cfg.Rooms {
		room := s.rooms[rc.ID]
		past := room.snapshot()
		// Twice web.history: the room keeps up to that many events
		// between two trims (topic.send).
		said, err := h.Conversation(ctx, Platform, rc.ID, 2*s.cfg.History)
		if err != nil {
			return fmt.Errorf("web: forget purged messages in room %s: %w", rc.ID, err)
		}
		listed := map[string]bool{}
		sent := map[string]*bot.Outgoing{}
		for _, x := range said {
			switch {
			case x.Message != nil:
				listed[x.Message.ID] = true
			case x.Sent != nil && x.Sent.Ref.ID != "":
				sent[x.Sent.Ref.ID] = x.Sent
			}
		}
		drop := map[int64]bool{}
		dropped := map[string]bool{}    // chat ids of the dropped messages
		var told forgotten              // what open pages are told
		left := &topic{keep: room.keep} // the room as it will be, for quotes
		for _, ev := range past {
			var c chatEvent
			if ev.Type == "message" && json.Unmarshal(ev.Data, &c) == nil &&
				c.Kind == "citizen" && !listed[c.ID] && c.Time.Before(recorded) {
				drop[ev.ID], dropped[c.ID] = true, true
				told.Drop = append(told.Drop, c.ID)
				continue
			}
			left.history = append(left.history, ev)
		}
		edits := map[int64][]byte{}
		for _, ev := range left.history {
			var c chatEvent
			if ev.Type != "message" || json.Unmarshal(ev.Data, &c) != nil || !c.Bot {
				continue
			}
			if o, ok := sent[c.ID]; ok {
				c = s.replyEvent(left, o.To, o.Reply, c.ID, c.Time)
			} else if dropped[c.ReplyTo] {
				c.Quote, c.ToTag = nil, ""
			} else {
				continue
			}
			if data, err := json.Marshal(c); err == nil && !bytes.Equal(data, ev.Data) {
				edits[ev.ID] = data
				told.Replace = append(told.Replace, c)
			}
		}
		room.rewrite(drop, edits)
		if len(drop) > 0 || len(edits) > 0 {
			room.tell("forget", told)
		}
	}
	return s.forgetPurgedNotices(ctx, h)
}
