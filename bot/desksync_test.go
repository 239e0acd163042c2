package bot_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/i18n"
)

// refusingDesk is a memDesk that refuses some of its posts: a deleted post
// (ErrNotFound on update) or a permanent or retryable failure for one
// escalation. It records which escalations it was asked to post or update.
type refusingDesk struct {
	*memDesk
	mu       sync.Mutex
	gone     map[string]bool // refs deleted on the desk
	refuse   map[int64]error // escalation id → the error of its posts and updates
	attempts []int64
}

type deskError struct {
	msg   string
	retry bool
}

func (e deskError) Error() string   { return e.msg }
func (e deskError) Retryable() bool { return e.retry }

func (d *refusingDesk) refusal(id int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.attempts = append(d.attempts, id)
	return d.refuse[id]
}

func (d *refusingDesk) PostEscalation(ctx context.Context, e bot.Escalation) (string, error) {
	if err := d.refusal(e.ID); err != nil {
		return "", err
	}
	d.memDesk.mu.Lock()
	ref := fmt.Sprintf("post-%d-%d", e.ID, len(d.order))
	d.posts[ref] = e
	d.order = append(d.order, ref)
	d.memDesk.mu.Unlock()
	return ref, nil
}

func (d *refusingDesk) UpdateEscalation(ctx context.Context, ref string, e bot.Escalation) error {
	if err := d.refusal(e.ID); err != nil {
		return err
	}
	d.mu.Lock()
	gone := d.gone[ref]
	d.mu.Unlock()
	if gone {
		return fmt.Errorf("update %s: %w", ref, bot.ErrNotFound)
	}
	return d.memDesk.UpdateEscalation(ctx, ref, e)
}

func (d *refusingDesk) set(f func()) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f()
}

func (d *refusingDesk) tried() []int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.attempts)
}

const gardenEN = "Why was my grant application for the community garden rejected last spring?"

// newRefusingEnv is newEnv with its engine on a refusingDesk.
func newRefusingEnv(t *testing.T) (*env, *refusingDesk) {
	t.Helper()
	e := newEnv(t, nil)
	desk := &refusingDesk{memDesk: newMemDesk(), gone: map[string]bool{}, refuse: map[int64]error{}}
	eng, err := bot.New(e.cfg, bot.Deps{Store: e.st, Knowledge: e.kb, Messages: e.msgs, Detect: i18n.Detect,
		Channels: []bot.Channel{e.ch}, Desk: desk, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.eng = eng
	return e, desk
}

func (e *env) deskRef(id int64) string {
	e.t.Helper()
	esc, err := e.st.Escalation(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return esc.DeskRef
}

// A desk post deleted on the desk is posted again when its escalation
// changes, and the new post is recorded.
func TestDeskSyncPostsADeletedPostAgain(t *testing.T) {
	e, desk := newRefusingEnv(t)
	d := e.ask("ana", goatEN)
	e.tick()
	first := e.deskRef(d.EscalationID)
	if first == "" {
		t.Fatal("the escalation was not posted")
	}
	desk.set(func() { desk.gone[first] = true })
	if _, err := e.eng.Claim(e.ctx, d.EscalationID, "U_SAM"); err != nil {
		t.Fatal(err)
	}
	e.tick()
	again := e.deskRef(d.EscalationID)
	if again == "" || again == first {
		t.Fatalf("desk ref %q after the post %q was deleted, want a new post", again, first)
	}
	desk.memDesk.mu.Lock()
	shown := desk.posts[again]
	desk.memDesk.mu.Unlock()
	if shown.State != bot.StateClaimed {
		t.Errorf("the new post shows %s, want claimed", shown.State)
	}
	backlog, err := e.st.DeskBacklog(e.ctx, 0)
	if err != nil || len(backlog) != 0 {
		t.Errorf("desk backlog after the new post: %d (%v), want none", len(backlog), err)
	}
}

// An escalation the desk refuses for good does not hold up the ones after
// it; one the desk cannot take for now (a rate limit) stops the round, as
// the rest would fail too.
func TestDeskSyncFailureOfOneEscalation(t *testing.T) {
	t.Run("permanent: the others are posted", func(t *testing.T) {
		e, desk := newRefusingEnv(t)
		d1 := e.ask("ana", goatEN)
		d2 := e.ask("ben", gardenEN)
		if d1.EscalationID == d2.EscalationID {
			t.Fatal("the questions share an escalation")
		}
		desk.set(func() { desk.refuse[d1.EscalationID] = deskError{msg: "msg_too_long"} })
		e.tick()
		if e.deskRef(d2.EscalationID) == "" {
			t.Errorf("escalation %d was not posted behind the refused escalation %d", d2.EscalationID, d1.EscalationID)
		}
		// Tried again at the next round, and posted once the desk takes it.
		desk.set(func() { delete(desk.refuse, d1.EscalationID) })
		e.tick()
		if e.deskRef(d1.EscalationID) == "" {
			t.Errorf("escalation %d was not posted once the desk took it", d1.EscalationID)
		}
	})
	t.Run("retryable: the round stops", func(t *testing.T) {
		e, desk := newRefusingEnv(t)
		d1 := e.ask("ana", goatEN)
		d2 := e.ask("ben", gardenEN)
		desk.set(func() { desk.refuse[d1.EscalationID] = deskError{msg: "ratelimited", retry: true} })
		e.eng.Tick(e.ctx)
		if slices.Contains(desk.tried(), d2.EscalationID) {
			t.Errorf("escalation %d was tried after a rate limit: %v", d2.EscalationID, desk.tried())
		}
	})
	t.Run("desk unavailable: the round stops", func(t *testing.T) {
		e, desk := newRefusingEnv(t)
		d1 := e.ask("ana", goatEN)
		d2 := e.ask("ben", gardenEN)
		desk.set(func() {
			desk.refuse[d1.EscalationID] = fmt.Errorf("channel_not_found: %w", bot.ErrDeskUnavailable)
		})
		e.eng.Tick(e.ctx)
		if slices.Contains(desk.tried(), d2.EscalationID) {
			t.Errorf("escalation %d was tried although the desk is unavailable: %v", d2.EscalationID, desk.tried())
		}
	})
}
