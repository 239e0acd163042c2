package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

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
	notify   error // the error of every notice, when set
	notified int   // notices tried
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

func (d *refusingDesk) Notify(ctx context.Context, n bot.Notice) (string, error) {
	d.mu.Lock()
	d.notified++
	err := d.notify
	d.mu.Unlock()
	if err != nil {
		return "", err
	}
	return d.memDesk.Notify(ctx, n)
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
	e, desk, _ := newLoggedRefusingEnv(t)
	return e, desk
}

// newLoggedRefusingEnv is newRefusingEnv with the engine's log kept.
func newLoggedRefusingEnv(t *testing.T) (*env, *refusingDesk, *logBuffer) {
	t.Helper()
	e := newEnv(t, nil)
	desk := &refusingDesk{memDesk: newMemDesk(), gone: map[string]bool{}, refuse: map[int64]error{}}
	logs := &logBuffer{}
	eng, err := bot.New(e.cfg, bot.Deps{Store: e.st, Knowledge: e.kb, Messages: e.msgs, Detect: i18n.Detect,
		Channels: []bot.Channel{e.ch}, Desk: desk, Now: e.clock.Now, Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e.eng = eng
	return e, desk, logs
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
		// Tried again once its back-off is over, and posted once the desk
		// takes it.
		desk.set(func() { delete(desk.refuse, d1.EscalationID) })
		e.clock.Advance(2 * time.Second)
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

// attemptsOf counts the escalation's post and update attempts so far.
func (d *refusingDesk) attemptsOf(id int64) int {
	n := 0
	for _, a := range d.tried() {
		if a == id {
			n++
		}
	}
	return n
}

// A post the desk keeps refusing for itself (Slack refuses even its
// shortest form) is tried again after a back-off that grows with each
// refusal, from 2 s to 5 min, not at every round, and the refusal is
// logged once per try; an escalation that changes is tried at once, and
// one the desk takes again is posted and forgotten. The others are posted
// meanwhile.
func TestDeskSyncBacksOffAPostTheDeskKeepsRefusing(t *testing.T) {
	e, desk, logs := newLoggedRefusingEnv(t)
	d := e.ask("ana", goatEN)
	id := d.EscalationID
	desk.set(func() { desk.refuse[id] = deskError{msg: "msg_too_long"} })

	// An hour of engine rounds, one a second: tried at once, at the next
	// round, then after 2, 4, 8 ... 256 s, then every 5 min (from 519 s
	// to 820, 1121 ... 3529 s): 20 tries, not one a round.
	for range 3600 {
		e.tick()
		e.clock.Advance(time.Second)
	}
	if n := desk.attemptsOf(id); n != 20 {
		t.Errorf("the refused post was tried %d times in an hour of rounds, want 20", n)
	}
	if n := strings.Count(logs.String(), "desk post refused"); n != desk.attemptsOf(id) {
		t.Errorf("the refusal is logged %d times for %d tries, want once a try", n, desk.attemptsOf(id))
	}

	// Another escalation is posted meanwhile.
	d2 := e.ask("ben", gardenEN)
	e.tick()
	if e.deskRef(d2.EscalationID) == "" {
		t.Errorf("escalation %d was not posted while %d waits", d2.EscalationID, id)
	}

	// A change to the escalation is tried at once.
	before := desk.attemptsOf(id)
	if _, err := e.eng.Claim(e.ctx, id, "U_SAM"); err != nil {
		t.Fatal(err)
	}
	e.tick()
	if n := desk.attemptsOf(id) - before; n != 1 {
		t.Errorf("the changed escalation was tried %d times at the next round, want once", n)
	}

	// The desk takes it again: posted at the end of the back-off.
	desk.set(func() { delete(desk.refuse, id) })
	e.tick()
	if e.deskRef(id) != "" {
		t.Errorf("escalation %d was posted before its back-off ended", id)
	}
	e.clock.Advance(5*time.Minute + time.Second)
	e.tick()
	if e.deskRef(id) == "" {
		t.Errorf("escalation %d was not posted once the desk took it", id)
	}
}

// While the whole desk fails (its channel archived, the app removed from
// it: ErrDeskUnavailable), the posts waiting for it are tried again at the
// next round, then after a back-off that grows from 2 s to 5 min, not at
// every round, and the failure is logged once per try; once the desk takes
// a post again, the others follow at once and the back-off starts over.
func TestDeskSyncBacksOffWhileTheDeskIsUnavailable(t *testing.T) {
	e, desk, logs := newLoggedRefusingEnv(t)
	d1 := e.ask("ana", goatEN)
	d2 := e.ask("ben", gardenEN)
	unavailable := fmt.Errorf("channel_not_found: %w", bot.ErrDeskUnavailable)
	desk.set(func() { desk.refuse[d1.EscalationID] = unavailable })

	// An hour of engine rounds, one a second: 20 tries, as for one post
	// the desk refuses.
	for range 3600 {
		e.tick()
		e.clock.Advance(time.Second)
	}
	if n := len(desk.tried()); n != 20 {
		t.Errorf("the desk was tried %d times in an hour of rounds while unavailable, want 20", n)
	}
	if n := strings.Count(logs.String(), "desk post failed"); n != 20 {
		t.Errorf("the failure is logged %d times for 20 tries, want once a try", n)
	}

	// Mended: at the end of the back-off, every post is made.
	desk.set(func() { delete(desk.refuse, d1.EscalationID) })
	e.clock.Advance(5 * time.Minute)
	e.tick()
	if e.deskRef(d1.EscalationID) == "" || e.deskRef(d2.EscalationID) == "" {
		t.Fatalf("desk refs %q and %q once the desk takes posts again, want both posted", e.deskRef(d1.EscalationID), e.deskRef(d2.EscalationID))
	}
	if !strings.Contains(logs.String(), "the desk takes posts again") {
		t.Errorf("the log does not say the desk takes posts again:\n%s", logs.String())
	}

	// The back-off starts over: a new failure is tried again at the next
	// round.
	d3 := e.ask("chloe", "My tax refund cheque was sent to the wrong address after I moved, can someone fix it?")
	if d3.EscalationID == 0 || d3.EscalationID == d1.EscalationID || d3.EscalationID == d2.EscalationID {
		t.Fatalf("chloe: %+v, want a new escalation", d3)
	}
	desk.set(func() { desk.refuse[d3.EscalationID] = unavailable })
	e.tick()
	desk.set(func() { delete(desk.refuse, d3.EscalationID) })
	e.clock.Advance(time.Second)
	e.tick()
	if e.deskRef(d3.EscalationID) == "" {
		t.Errorf("escalation %d was not posted at the next round after a new failure", d3.EscalationID)
	}
}

// Desk notices wait out an outage of the whole desk (its channel archived,
// the app removed from it), however long, with the posts' back-off, and
// are delivered once it is mended: none is given up as failed, which would
// leave staff never told.
func TestDeskNoticesWaitOutAnOutageOfTheDesk(t *testing.T) {
	e, desk, logs := newLoggedRefusingEnv(t)
	d := e.ask("ana", goatEN)
	e.tick()
	if e.deskRef(d.EscalationID) == "" {
		t.Fatal("the escalation was not posted")
	}
	desk.set(func() {
		desk.notify = fmt.Errorf("notify reminder: chat.postMessage: %w: is_archived", bot.ErrDeskUnavailable)
	})

	// Two hours of rounds, one a second, while the desk channel is
	// archived: the reminder (after 30 minutes) and the re-route (after 30
	// more) are due, and tried with the back-off of an unavailable desk.
	for range 7200 {
		e.tick()
		e.clock.Advance(time.Second)
	}
	desk.set(func() {})
	desk.mu.Lock()
	tried := desk.notified
	desk.mu.Unlock()
	if tried == 0 || tried > 40 {
		t.Errorf("notices tried %d times in two hours of outage, want a few, with the back-off", tried)
	}
	if n := len(desk.noticesOf(bot.NoticeReminder)) + len(desk.noticesOf(bot.NoticeReroute)); n != 0 {
		t.Fatalf("%d notices delivered while the desk was archived", n)
	}

	// Mended: at the end of the back-off, the notices are delivered.
	desk.set(func() { desk.notify = nil })
	e.clock.Advance(5 * time.Minute)
	for range 3 {
		e.tick()
		e.clock.Advance(time.Second)
	}
	// Reminded at 30 minutes, re-routed at 60, the next person reminded
	// at 90.
	if len(desk.noticesOf(bot.NoticeReminder)) != 2 || len(desk.noticesOf(bot.NoticeReroute)) != 1 {
		t.Errorf("after the outage: %d reminders and %d re-routes delivered, want 2 and 1", len(desk.noticesOf(bot.NoticeReminder)), len(desk.noticesOf(bot.NoticeReroute)))
	}
	if strings.Contains(logs.String(), "delivery failed for good") {
		t.Errorf("a notice was given up during the outage:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "the desk takes posts again") {
		t.Errorf("the log does not say the desk takes posts again")
	}
}

// Posts the desk keeps refusing, however many, do not hold up the
// escalations after them: a round passes over those waiting out their
// back-off, reading the backlog page after page, and a later round goes
// on where the last one stopped when all it read was waiting.
func TestDeskSyncPostsPastManyRefusedPosts(t *testing.T) {
	for _, n := range []int{100, 1000} {
		t.Run(fmt.Sprintf("%d refused", n), func(t *testing.T) {
			e, desk := newRefusingEnv(t)
			for i := range n {
				d := e.ask(fmt.Sprintf("user%d", i), fmt.Sprintf("Why was my kq%da wz%db pv%dc jx%dd application refused?", i, i, i, i))
				if d.EscalationID == 0 {
					t.Fatalf("question %d was not escalated: %+v", i, d)
				}
				desk.set(func() { desk.refuse[d.EscalationID] = deskError{msg: "msg_too_long"} })
			}
			// Every post tried and refused, a page a round at least: each
			// waits out its back-off.
			for range n / 100 {
				e.tick()
			}
			if got := len(desk.tried()); got != n {
				t.Fatalf("%d posts tried, want each of the %d once", got, n)
			}
			d := e.ask("ana", goatEN)
			e.tick()
			if e.deskRef(d.EscalationID) == "" {
				t.Errorf("escalation %d was not posted behind %d refused posts", d.EscalationID, n)
			}
		})
	}
}
