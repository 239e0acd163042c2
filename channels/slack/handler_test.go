package slack

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/phases"
)

// recHandler is a DeskHandler that records what the adapter asks of it, for
// adapter-level tests of mapping and wire protocol. The end-to-end tests use
// the real engine instead.
type recHandler struct {
	mu     sync.Mutex
	roster bot.Roster
	calls  []string

	answer   func(bot.DeskAnswer) (bot.AnswerResult, error)
	claim    func(id int64, user string) (bot.Escalation, error)
	suggest  func(id int64, entry, user, event string) (bot.AnswerResult, error)
	draft    func(id int64, user string) (bot.Draft, error)
	mismatch func(id int64, user string, send bool) (bot.AnswerResult, error)
	phase    func(bot.PhaseRequest) (phases.Change, error)
	bcast    func(bot.BroadcastRequest) (bot.Broadcast, error)
	status   bot.Status
}

var _ bot.DeskHandler = (*recHandler)(nil)

func (h *recHandler) record(format string, a ...any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, fmt.Sprintf(format, a...))
}

// log returns the calls so far.
func (h *recHandler) log() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.calls...)
}

func (h *recHandler) Roster() bot.Roster { return h.roster }
func (h *recHandler) Escalation(ctx context.Context, id int64) (bot.Escalation, error) {
	return bot.Escalation{}, bot.ErrNotFound
}
func (h *recHandler) EscalationByDeskRef(ctx context.Context, ref string) (bot.Escalation, error) {
	return bot.Escalation{}, bot.ErrNotFound
}
func (h *recHandler) Escalations(ctx context.Context, f bot.EscalationFilter) ([]bot.Escalation, error) {
	return nil, nil
}
func (h *recHandler) Claim(ctx context.Context, id int64, user string) (bot.Escalation, error) {
	h.record("claim %d %s", id, user)
	if h.claim != nil {
		return h.claim(id, user)
	}
	return bot.Escalation{ID: id, State: bot.StateClaimed}, nil
}
func (h *recHandler) Answer(ctx context.Context, a bot.DeskAnswer) (bot.AnswerResult, error) {
	h.record("answer %s %s %s %q", a.DeskRef, a.DeskUserID, a.EventID, a.Text)
	if h.answer != nil {
		return h.answer(a)
	}
	return bot.AnswerResult{Relays: 2}, nil
}
func (h *recHandler) ResolveMismatch(ctx context.Context, id int64, user string, send bool) (bot.AnswerResult, error) {
	h.record("mismatch %d %s %v", id, user, send)
	if h.mismatch != nil {
		return h.mismatch(id, user, send)
	}
	return bot.AnswerResult{}, nil
}
func (h *recHandler) SendSuggestion(ctx context.Context, id int64, entry, user, event string) (bot.AnswerResult, error) {
	h.record("suggest %d %s %s %s", id, entry, user, event)
	if h.suggest != nil {
		return h.suggest(id, entry, user, event)
	}
	return bot.AnswerResult{Relays: 1}, nil
}
func (h *recHandler) Close(ctx context.Context, id int64, user, reason string) (bot.Escalation, error) {
	h.record("close %d %s %s", id, user, reason)
	return bot.Escalation{}, nil
}
func (h *recHandler) SaveDraft(ctx context.Context, id int64, user string) (bot.Draft, error) {
	h.record("draft %d %s", id, user)
	if h.draft != nil {
		return h.draft(id, user)
	}
	return bot.Draft{ID: 7, EscalationID: id}, nil
}
func (h *recHandler) SetPhase(ctx context.Context, r bot.PhaseRequest) (phases.Change, error) {
	h.record("phase %s %s %d %q %q", r.Actor.Via, r.Actor.DeskUserID, r.Phase, r.Channel, r.Reason)
	if h.phase != nil {
		return h.phase(r)
	}
	return phases.Change{Channel: string(r.Channel), From: phases.Broadcast, To: r.Phase, Reason: r.Reason}, nil
}
func (h *recHandler) Broadcast(ctx context.Context, r bot.BroadcastRequest) (bot.Broadcast, error) {
	h.record("broadcast %s %s %q %q %d %v", r.Actor.Via, r.Actor.DeskUserID, r.EN, r.FR, r.At.Unix(), r.Channels)
	if h.bcast != nil {
		return h.bcast(r)
	}
	return bot.Broadcast{ID: 3, EN: r.EN, FR: r.FR, At: r.At}, nil
}
func (h *recHandler) Status(ctx context.Context) (bot.Status, error) {
	h.record("status")
	return h.status, nil
}

// testRoster: Marie (French first, comms lead), Sam (English, staff).
func testRoster() bot.Roster {
	return bot.Roster{
		{ID: "marie", Name: "Marie Tremblay", Languages: []bot.Lang{bot.French, bot.English}, Topics: []string{"*"}, DeskUserID: "UMARIE", CommsLead: true},
		{ID: "sam", Name: "Sam Lee", Languages: []bot.Lang{bot.English}, Topics: []string{"passports"}, DeskUserID: "USAM"},
	}
}

// testClock is a fixed clock for the adapter.
func testClock() time.Time { return time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC) }

// newTestDesk builds a desk on the fake.
func newTestDesk(t *testing.T, f *fakeSlack, roster bot.Roster) *Desk {
	t.Helper()
	d, err := New(f.config(), testBotToken, testAppToken, Options{Roster: roster, Now: testClock, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// runDesk runs d with h until the test ends, and waits for the socket.
func runDesk(t *testing.T, f *fakeSlack, d *Desk, h bot.DeskHandler) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, h) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Run did not return after cancel")
		}
	})
	f.conn(1)
}
