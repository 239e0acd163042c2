package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// escalate records a new escalation and returns it as stored.
func escalate(t testing.TB, db *DB, id, topic string, lang bot.Lang) bot.Escalation {
	t.Helper()
	o := escalateOutcome(id, topic, lang)
	must(t, db.SaveOutcome(context.Background(), o))
	e, err := db.Escalation(context.Background(), o.NewEscalation.ID)
	must(t, err)
	return e
}

func TestEscalationNotFound(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	_, err := db.Escalation(ctx, 42)
	wantErr(t, err, bot.ErrNotFound)
	for _, ref := range []string{"", "nope"} {
		_, err = db.EscalationByDeskRef(ctx, ref)
		wantErr(t, err, bot.ErrNotFound)
	}
	_, err = db.StaffAnswer(ctx, 42)
	wantErr(t, err, bot.ErrNotFound)
}

func TestEscalationsFilter(t *testing.T) {
	db, clk := newDB(t)
	ctx := context.Background()
	var ids []int64
	for i, lang := range []bot.Lang{bot.English, bot.French, bot.English, bot.French} {
		o := escalateOutcome(fmt.Sprint("m", i), "t", lang)
		// Created in reverse id order: the list is by creation time.
		o.NewEscalation.CreatedAt = t0.Add(time.Duration(10-i) * time.Minute)
		must(t, db.SaveOutcome(ctx, o))
		ids = append(ids, o.NewEscalation.ID)
		clk.Add(time.Second)
	}
	e, _ := db.Escalation(ctx, ids[1])
	e.State = bot.StateClaimed
	must(t, db.ApplyEscalation(ctx, &bot.EscalationChange{Escalation: &e}))
	e, _ = db.Escalation(ctx, ids[2])
	e.State = bot.StateClosed
	must(t, db.ApplyEscalation(ctx, &bot.EscalationChange{Escalation: &e}))

	tests := []struct {
		name string
		f    bot.EscalationFilter
		want []int64
	}{
		{"all, oldest first", bot.EscalationFilter{}, []int64{ids[3], ids[2], ids[1], ids[0]}},
		{"waiting", bot.EscalationFilter{States: []bot.EscalationState{bot.StateOpen, bot.StateClaimed}}, []int64{ids[3], ids[1], ids[0]}},
		{"closed", bot.EscalationFilter{States: []bot.EscalationState{bot.StateClosed}}, []int64{ids[2]}},
		{"french", bot.EscalationFilter{Lang: bot.French}, []int64{ids[3], ids[1]}},
		{"open english", bot.EscalationFilter{States: []bot.EscalationState{bot.StateOpen}, Lang: bot.English}, []int64{ids[0]}},
		{"limit", bot.EscalationFilter{Limit: 2}, []int64{ids[3], ids[2]}},
		{"newest two, oldest first", bot.EscalationFilter{Limit: 2, Newest: true}, []int64{ids[1], ids[0]}},
		{"newest french", bot.EscalationFilter{Lang: bot.French, Limit: 1, Newest: true}, []int64{ids[1]}},
		{"newest without a limit is all", bot.EscalationFilter{Newest: true}, []int64{ids[3], ids[2], ids[1], ids[0]}},
		{"none", bot.EscalationFilter{States: []bot.EscalationState{bot.StateRelayed}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, err := db.Escalations(ctx, tt.f)
			must(t, err)
			var got []int64
			for _, e := range es {
				got = append(got, e.ID)
				if len(e.Askers) != 1 {
					t.Errorf("escalation %d has %d askers, want 1", e.ID, len(e.Askers))
				}
			}
			if !equal(got, tt.want) {
				t.Errorf("ids %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAskersOrderedPerEscalation(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	a := escalate(t, db, "a1", "t", bot.English)
	b := escalate(t, db, "b1", "t", bot.English)
	for i := range 3 {
		for _, e := range []bot.Escalation{a, b} {
			j := joinOutcome(fmt.Sprintf("%d-%d", e.ID, i), e.ID)
			j.Asker.AskedAt = t0.Add(time.Duration(i+1) * time.Minute)
			must(t, db.SaveOutcome(ctx, j))
		}
	}
	es, err := db.Escalations(ctx, bot.EscalationFilter{})
	must(t, err)
	for _, e := range es {
		if len(e.Askers) != 4 {
			t.Fatalf("escalation %d: %d askers", e.ID, len(e.Askers))
		}
		for i, k := range e.Askers {
			if !k.AskedAt.Equal(t0.Add(time.Duration(i) * time.Minute)) {
				t.Errorf("escalation %d asker %d asked at %v", e.ID, i, k.AskedAt)
			}
		}
	}
}

func TestApplyEscalationClaim(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	e := escalate(t, db, "m1", "passports", bot.English)
	must(t, db.MarkDeskSynced(ctx, e.ID, "desk-1", 1))

	claimed := e // as loaded before the desk sync: DeskRef "" must not be written back
	claimed.State, claimed.ClaimedBy, claimed.ClaimedAt = bot.StateClaimed, "ana", t0.Add(time.Minute)
	claimed.UpdatedAt = t0.Add(time.Minute)
	c := &bot.EscalationChange{
		Escalation: &claimed,
		Audit:      []bot.AuditEntry{{Actor: "ana", Via: "web", Action: "escalation.claim", Allowed: true}},
		Outbox:     []bot.Outgoing{{To: bot.Address{Platform: bot.DeskPlatform}, Reply: bot.Reply{Kind: bot.KindDesk, Text: "claimed", Key: "claimed:1"}, Notice: &bot.Notice{Kind: bot.NoticeInfo, Text: "claimed"}}},
	}
	must(t, db.ApplyEscalation(ctx, c))
	if claimed.Version != 2 || !claimed.UpdatedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("version %d updated %v", claimed.Version, claimed.UpdatedAt)
	}
	if c.Audit[0].ID == 0 || c.Audit[0].Target != fmt.Sprintf("escalation:%d", e.ID) || c.Outbox[0].ID == 0 || c.Outbox[0].EscalationID != e.ID {
		t.Errorf("audit %+v outbox %+v", c.Audit[0], c.Outbox[0])
	}
	got, err := db.Escalation(ctx, e.ID)
	must(t, err)
	want := claimed
	want.DeskRef, want.DeskVersion = "desk-1", 1
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stored %+v\nwant %+v", got, want)
	}
	if got, _ := db.EscalationByDeskRef(ctx, "desk-1"); got.ID != e.ID {
		t.Errorf("by desk ref: %+v", got)
	}
}

func TestApplyEscalationErrorsWriteNothing(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	e := escalate(t, db, "m1", "passports", bot.English)
	answer := func(event string) *bot.StaffAnswer {
		return &bot.StaffAnswer{StaffID: "ana", DeskUserID: "U1", EventID: event, Text: "Yes.", Lang: bot.English, Status: bot.AnswerQueued}
	}
	first := e
	first.State = bot.StateAnswered
	must(t, db.ApplyEscalation(ctx, &bot.EscalationChange{Escalation: &first, Answer: answer("ev-1")}))

	extras := func(c *bot.EscalationChange) *bot.EscalationChange {
		c.Audit = []bot.AuditEntry{{Actor: "ana", Action: "x"}}
		c.Outbox = []bot.Outgoing{{To: bot.Address{Platform: "web"}, Reply: bot.Reply{Kind: bot.KindRelay, Key: "never"}}}
		return c
	}
	stale, fresh := e, first // e has version 1, first the stored 2
	missing := e
	missing.ID = 999
	tests := []struct {
		name string
		c    *bot.EscalationChange
		want error
	}{
		{"stale version", extras(&bot.EscalationChange{Escalation: &stale}), bot.ErrConflict},
		{"seen event with the right version", extras(&bot.EscalationChange{Escalation: &fresh, Answer: answer("ev-1")}), bot.ErrDuplicate},
		{"seen event with a stale version", extras(&bot.EscalationChange{Escalation: &stale, Answer: answer("ev-1")}), bot.ErrDuplicate},
		{"missing escalation", extras(&bot.EscalationChange{Escalation: &missing}), bot.ErrNotFound},
		{"status of a missing answer", extras(&bot.EscalationChange{Answer: &bot.StaffAnswer{ID: 999, Status: bot.AnswerDropped}}), bot.ErrNotFound},
		{"answer to a missing escalation", extras(&bot.EscalationChange{Answer: &bot.StaffAnswer{EscalationID: 999, Status: bot.AnswerQueued}}), bot.ErrInvalid},
		{"nil", nil, bot.ErrInvalid},
		{"empty", &bot.EscalationChange{}, bot.ErrInvalid},
		{"unknown state", &bot.EscalationChange{Escalation: &bot.Escalation{ID: e.ID, State: "gone", Version: 2}}, bot.ErrInvalid},
		{"no id", &bot.EscalationChange{Escalation: &bot.Escalation{State: bot.StateOpen}}, bot.ErrInvalid},
		{"unknown answer status", &bot.EscalationChange{Answer: &bot.StaffAnswer{EscalationID: e.ID, Status: "meh"}}, bot.ErrInvalid},
		{"answer without escalation", &bot.EscalationChange{Answer: &bot.StaffAnswer{Status: bot.AnswerQueued}}, bot.ErrInvalid},
		{"outbox without platform", &bot.EscalationChange{Outbox: []bot.Outgoing{{}}}, bot.ErrInvalid},
		{"audit without action", &bot.EscalationChange{Audit: []bot.AuditEntry{{Actor: "x"}}}, bot.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := counts(t, db)
			stored, _ := db.Escalation(ctx, e.ID)
			wantErr(t, db.ApplyEscalation(ctx, tt.c), tt.want)
			sameCounts(t, before, counts(t, db))
			after, _ := db.Escalation(ctx, e.ID)
			if !reflect.DeepEqual(stored, after) {
				t.Errorf("escalation changed:\n%+v\n%+v", stored, after)
			}
		})
	}
}

func TestApplyEscalationAnswers(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	e := escalate(t, db, "m1", "passports", bot.English)

	// A rejected answer (not on the roster) is kept without touching the
	// escalation.
	rejected := &bot.StaffAnswer{EscalationID: e.ID, DeskUserID: "U9", EventID: "ev-0", Text: "hm", Status: bot.AnswerRejected}
	must(t, db.ApplyEscalation(ctx, &bot.EscalationChange{Answer: rejected}))
	if rejected.ID == 0 || !rejected.At.Equal(t0) {
		t.Errorf("rejected answer not filled: %+v", rejected)
	}

	held := &bot.StaffAnswer{StaffID: "ana", DeskUserID: "U1", EventID: "ev-1", Text: "Oui.", Lang: bot.French, Status: bot.AnswerHeld, At: t0.Add(time.Minute)}
	must(t, db.ApplyEscalation(ctx, &bot.EscalationChange{Escalation: &e, Answer: held}))
	if held.EscalationID != e.ID || e.Version != 2 {
		t.Errorf("held answer %+v, escalation version %d", held, e.Version)
	}
	// Settling it updates its status only.
	settled := *held
	settled.Status, settled.Text = bot.AnswerDropped, "ignored"
	must(t, db.ApplyEscalation(ctx, &bot.EscalationChange{Answer: &settled}))
	got, err := db.StaffAnswer(ctx, held.ID)
	must(t, err)
	want := *held
	want.Status = bot.AnswerDropped
	if !reflect.DeepEqual(got, want) {
		t.Errorf("StaffAnswer = %+v\nwant %+v", got, want)
	}
	// Answers without an event id are not deduplicated.
	for range 2 {
		must(t, db.ApplyEscalation(ctx, &bot.EscalationChange{Answer: &bot.StaffAnswer{EscalationID: e.ID, Text: "x", Status: bot.AnswerQueued}}))
	}
	list, err := db.Answers(ctx, e.ID)
	must(t, err)
	if len(list) != 4 || list[0].ID != rejected.ID || list[1].ID != held.ID {
		t.Errorf("Answers = %+v", list)
	}
	if list, _ := db.Answers(ctx, 999); len(list) != 0 {
		t.Errorf("answers of a missing escalation: %+v", list)
	}
}

func TestApplyEscalationConcurrentClaims(t *testing.T) {
	// Staff click "claim" at once: one wins, the others get ErrConflict.
	db, _ := newDB(t)
	ctx := context.Background()
	e := escalate(t, db, "m1", "passports", bot.English)
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		winners   []string
		conflicts int
	)
	for i := range 16 {
		wg.Go(func() {
			c := e
			c.State, c.ClaimedBy = bot.StateClaimed, fmt.Sprint("staff-", i)
			err := db.ApplyEscalation(ctx, &bot.EscalationChange{Escalation: &c,
				Audit: []bot.AuditEntry{{Actor: c.ClaimedBy, Action: "escalation.claim", Allowed: true}}})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				winners = append(winners, c.ClaimedBy)
			case errors.Is(err, bot.ErrConflict):
				conflicts++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, _ := db.Escalation(ctx, e.ID)
	if len(winners) != 1 || conflicts != 15 || got.ClaimedBy != winners[0] || got.Version != 2 {
		t.Errorf("winners %v conflicts %d stored %q v%d", winners, conflicts, got.ClaimedBy, got.Version)
	}
	if n := count(t, db, "audit_log"); n != 1 {
		t.Errorf("audit entries: %d, want 1", n)
	}
}

func TestDeskBacklogAndSync(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	a := escalate(t, db, "a", "t", bot.English)
	b := escalate(t, db, "b", "t", bot.English)
	backlog := func() []int64 {
		t.Helper()
		es, err := db.DeskBacklog(ctx, 0)
		must(t, err)
		var ids []int64
		for _, e := range es {
			ids = append(ids, e.ID)
		}
		return ids
	}
	if got := backlog(); !equal(got, []int64{a.ID, b.ID}) {
		t.Fatalf("new escalations: backlog %v", got)
	}
	if es, _ := db.DeskBacklog(ctx, 1); len(es) != 1 || es[0].ID != a.ID || len(es[0].Askers) != 1 {
		t.Errorf("limit 1: %+v", es)
	}
	must(t, db.MarkDeskSynced(ctx, a.ID, "ts-a", a.Version))
	must(t, db.MarkDeskSynced(ctx, b.ID, "ts-b", b.Version))
	if got := backlog(); len(got) != 0 {
		t.Fatalf("after sync: backlog %v", got)
	}
	// A new asker changes what the post shows.
	must(t, db.SaveOutcome(ctx, joinOutcome("a2", a.ID)))
	if got := backlog(); !equal(got, []int64{a.ID}) {
		t.Fatalf("after join: backlog %v", got)
	}
	// A late sync of an older version does not go back.
	must(t, db.MarkDeskSynced(ctx, a.ID, "ts-a", 2))
	must(t, db.MarkDeskSynced(ctx, a.ID, "ts-a", 1))
	got, _ := db.Escalation(ctx, a.ID)
	if got.DeskVersion != 2 || got.Version != 2 || len(backlog()) != 0 {
		t.Errorf("desk version %d version %d backlog %v", got.DeskVersion, got.Version, backlog())
	}
	// Posted again elsewhere: the new ref and its version replace the old.
	must(t, db.MarkDeskSynced(ctx, a.ID, "ts-a2", 1))
	got, _ = db.Escalation(ctx, a.ID)
	if got.DeskRef != "ts-a2" || got.DeskVersion != 1 || !equal(backlog(), []int64{a.ID}) {
		t.Errorf("after re-post: %q v%d backlog %v", got.DeskRef, got.DeskVersion, backlog())
	}
	if _, err := db.EscalationByDeskRef(ctx, "ts-a"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("old ref still found: %v", err)
	}
	wantErr(t, db.MarkDeskSynced(ctx, 999, "x", 1), bot.ErrNotFound)
	wantErr(t, db.MarkDeskSynced(ctx, a.ID, "", 1), bot.ErrInvalid)
}

func TestDueForReminder(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	mk := func(id string, routed time.Time, state bot.EscalationState) int64 {
		o := escalateOutcome(id, "t", bot.English)
		o.NewEscalation.RoutedAt, o.NewEscalation.State = routed, state
		must(t, db.SaveOutcome(ctx, o))
		return o.NewEscalation.ID
	}
	claimedBy := func(id string, routed time.Time, by string) int64 {
		eid := mk(id, routed, bot.StateClaimed)
		e, err := db.Escalation(ctx, eid)
		must(t, err)
		e.ClaimedBy, e.ClaimedAt = by, t0
		must(t, db.ApplyEscalation(ctx, &bot.EscalationChange{Escalation: &e}))
		return eid
	}
	late := mk("late", t0.Add(-time.Hour), bot.StateOpen)
	later := mk("later", t0.Add(-2*time.Hour), bot.StateOpen)
	mk("recent", t0.Add(-time.Minute), bot.StateOpen)
	claimed := claimedBy("claimed", t0.Add(-time.Hour), "ana")
	left := claimedBy("claimer left", t0.Add(-90*time.Minute), "bob")
	claimedBy("claimer left, recent", t0.Add(-time.Minute), "bob")
	mk("unrouted", time.Time{}, bot.StateOpen)
	tests := []struct {
		name  string
		staff []string
		want  []int64
	}{
		{"open, and claimed by someone off the roster", []string{"ana", "sam"}, []int64{later, left, late}},
		{"every claimer on the roster", []string{"ana", "bob"}, []int64{later, late}},
		{"empty roster: every claimer left", nil, []int64{later, left, late, claimed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, err := db.DueForReminder(ctx, t0.Add(-30*time.Minute), tt.staff)
			must(t, err)
			var ids []int64
			for _, e := range es {
				ids = append(ids, e.ID)
			}
			if !equal(ids, tt.want) {
				t.Errorf("due %v, want %v (longest waiting first)", ids, tt.want)
			}
		})
	}
}

// Undelivered lists an escalation whose relay failed for good only when
// the failure is at or after since: MarkFailed records when. A relay that
// failed before that was recorded (before 010_outbox_failed_at, or by a
// build from before it) counts as failed at the last time known of it, its
// last retry, else when it was queued. A zero since is no bound.
func TestUndeliveredListsRelaysFailedSince(t *testing.T) {
	db, clk := newDB(t)
	ctx := context.Background()
	// fail answers e and gives up on its relay now; it returns the relay.
	fail := func(id string) (bot.Escalation, bot.Outgoing) {
		e := escalated(t, db, id, clk.Now())
		r := answerEscalation(t, db, e, clk.Now())[0]
		must(t, db.MarkFailed(ctx, r.ID, "403 Forbidden"))
		return e, r
	}
	old, _ := fail("old")
	legacyOld, r := fail("legacy-old")
	_, err := db.w.Exec(`UPDATE outbox SET failed_at = NULL WHERE id = ?`, r.ID)
	must(t, err)
	legacyRetried, r := fail("legacy-retried")
	_, err = db.w.Exec(`UPDATE outbox SET failed_at = NULL, not_before = ? WHERE id = ?`, ts(t0.AddDate(0, 0, 9)), r.ID)
	must(t, err)
	clk.Add(10 * 24 * time.Hour)
	recent, _ := fail("recent")

	ids := func(since time.Time) []int64 {
		t.Helper()
		es, err := db.Undelivered(ctx, since)
		must(t, err)
		var out []int64
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	if got, want := ids(clk.Now().Add(-7*24*time.Hour)), []int64{legacyRetried.ID, recent.ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("failed in the last 7 days: %v, want %v", got, want)
	}
	if got, want := ids(time.Time{}), []int64{old.ID, legacyOld.ID, legacyRetried.ID, recent.ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("with no bound: %v, want %v", got, want)
	}
}
