package store

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

func TestSaveOutcomeAnswer(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	o := answerOutcome("m1")
	o.Decision.At = t0.Add(time.Second)
	must(t, db.SaveOutcome(ctx, o))

	if o.Decision.MessageID == 0 || o.Outbox[0].ID == 0 {
		t.Fatalf("ids not filled: decision %+v, outbox %+v", o.Decision, o.Outbox[0])
	}
	it := o.Outbox[0]
	if it.MessageID != o.Decision.MessageID || it.State != bot.OutPending || !it.CreatedAt.Equal(t0) {
		t.Errorf("outbox item defaults: %+v", it)
	}
	got, err := db.DecisionFor(ctx, "web", "m1")
	must(t, err)
	if !reflect.DeepEqual(got, o.Decision) {
		t.Errorf("DecisionFor = %+v\nwant %+v", got, o.Decision)
	}
	stored, err := db.Outgoing(ctx, it.ID)
	must(t, err)
	if !reflect.DeepEqual(stored, it) {
		t.Errorf("Outgoing = %+v\nwant %+v", stored, it)
	}
	// The message text is kept, in one place.
	var text string
	var redacted int
	must(t, db.r.QueryRow(`SELECT text, redacted FROM messages WHERE id = ?`, o.Decision.MessageID).Scan(&text, &redacted))
	if text != o.Message.Text || redacted != 0 {
		t.Errorf("stored text %q redacted %d", text, redacted)
	}
}

func TestSaveOutcomeDefaults(t *testing.T) {
	db, clk := newDB(t)
	ctx := context.Background()
	clk.Add(time.Hour)
	o := &bot.Outcome{Message: bot.Message{Platform: "web", ChannelID: "c", ID: "x"},
		Decision: bot.Decision{Action: bot.ActIgnore, Reason: bot.ReasonEmpty}}
	must(t, db.SaveOutcome(ctx, o))
	if !o.Decision.At.Equal(t0.Add(time.Hour)) {
		t.Errorf("Decision.At = %v, want the clock's %v", o.Decision.At, t0.Add(time.Hour))
	}
	var at string
	must(t, db.r.QueryRow(`SELECT at FROM messages WHERE platform_id = 'x'`).Scan(&at))
	if at != "2026-03-01T13:00:00.123456789Z" {
		t.Errorf("message time stored as %q", at)
	}
}

func TestSaveOutcomeDuplicateWritesNothing(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	must(t, db.SaveOutcome(ctx, escalateOutcome("m1", "passports", bot.English)))
	before := counts(t, db)

	tests := []struct {
		name string
		o    *bot.Outcome
	}{
		{"same answer again", answerOutcome("m1")},
		{"same message, another escalation", escalateOutcome("m1", "taxes", bot.French)},
		{"same message, joining", joinOutcome("m1", 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.SaveOutcome(ctx, tt.o)
			wantErr(t, err, bot.ErrDuplicate)
			sameCounts(t, before, counts(t, db))
			if tt.o.Decision.MessageID != 0 || tt.o.Outbox[0].ID != 0 {
				t.Errorf("ids filled on a duplicate: %+v", tt.o)
			}
		})
	}
	// The same id on another platform is another message.
	o := answerOutcome("m1")
	o.Message.Platform = "discord"
	must(t, db.SaveOutcome(ctx, o))
}

func TestSaveOutcomeNewEscalation(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	o := escalateOutcome("m1", "passports", bot.French)
	must(t, db.SaveOutcome(ctx, o))
	e := o.NewEscalation
	if e.ID == 0 || e.Version != 1 || e.State != bot.StateOpen || e.Askers[0].MessageID != o.Decision.MessageID {
		t.Fatalf("escalation not filled: %+v", e)
	}
	if o.Decision.EscalationID != e.ID || o.Outbox[0].EscalationID != e.ID {
		t.Errorf("decision/outbox not linked to escalation %d: %+v %+v", e.ID, o.Decision, o.Outbox[0])
	}
	if e.Channel != "web:help" || !e.CreatedAt.Equal(t0) || !e.UpdatedAt.Equal(t0) {
		t.Errorf("defaults: channel %q created %v updated %v", e.Channel, e.CreatedAt, e.UpdatedAt)
	}
	got, err := db.Escalation(ctx, e.ID)
	must(t, err)
	if !reflect.DeepEqual(got, *e) {
		t.Errorf("Escalation = %+v\nwant %+v", got, *e)
	}
}

func TestSaveOutcomeNewEscalationBuildsAskerFromMessage(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	o := escalateOutcome("m1", "passports", bot.English)
	o.NewEscalation.Askers = nil
	o.Message.ThreadID, o.Message.DM = "th", true
	must(t, db.SaveOutcome(ctx, o))
	a := o.NewEscalation.Askers[0]
	want := bot.Asker{MessageID: o.Decision.MessageID, Lang: bot.English, Question: "masked m1", AskedAt: t0,
		Address: bot.Address{Platform: "web", ChannelID: "help", ThreadID: "th", ReplyTo: "m1", UserID: "u-m1", UserName: "Citizen m1", DM: true}}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("asker = %+v\nwant %+v", a, want)
	}
}

func TestSaveOutcomeJoin(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	first := escalateOutcome("m1", "passports", bot.English)
	must(t, db.SaveOutcome(ctx, first))
	eid := first.NewEscalation.ID

	j := joinOutcome("m2", eid)
	j.Decision.At = t0.Add(time.Minute)
	must(t, db.SaveOutcome(ctx, j))
	if j.Asker.MessageID != j.Decision.MessageID || j.Decision.EscalationID != eid || j.Outbox[0].EscalationID != eid {
		t.Errorf("join not filled: asker %+v decision %+v", j.Asker, j.Decision)
	}
	e, err := db.Escalation(ctx, eid)
	must(t, err)
	if e.Version != 2 || len(e.Askers) != 2 || e.Askers[1] != *j.Asker || !e.UpdatedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("after join: version %d askers %+v updated %v", e.Version, e.Askers, e.UpdatedAt)
	}

	// A claimed escalation still waits: joining is fine.
	e.State, e.ClaimedBy = bot.StateClaimed, "ana"
	must(t, db.ApplyEscalation(ctx, &bot.EscalationChange{Escalation: &e}))
	must(t, db.SaveOutcome(ctx, joinOutcome("m3", eid)))

	// Once answered (or closed), it no longer waits.
	e, _ = db.Escalation(ctx, eid)
	for _, state := range []bot.EscalationState{bot.StateAnswered, bot.StateRelayed, bot.StateClosed} {
		t.Run(string(state), func(t *testing.T) {
			e.State = state
			must(t, db.ApplyEscalation(ctx, &bot.EscalationChange{Escalation: &e}))
			before := counts(t, db)
			err := db.SaveOutcome(ctx, joinOutcome("late-"+string(state), eid))
			wantErr(t, err, bot.ErrConflict)
			sameCounts(t, before, counts(t, db))
			if _, err := db.DecisionFor(ctx, "web", "late-"+string(state)); !errors.Is(err, bot.ErrNotFound) {
				t.Errorf("the refused message was recorded: %v", err)
			}
		})
	}
	wantErr(t, db.SaveOutcome(ctx, joinOutcome("m9", 999)), bot.ErrNotFound)
}

func TestSaveOutcomeInvalid(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	must(t, db.SaveOutcome(ctx, escalateOutcome("m0", "passports", bot.English)))
	tests := []struct {
		name   string
		mutate func(o *bot.Outcome)
		want   error
	}{
		{"no platform", func(o *bot.Outcome) { o.Message.Platform = "" }, bot.ErrInvalid},
		{"no id", func(o *bot.Outcome) { o.Message.ID = "" }, bot.ErrInvalid},
		{"no action", func(o *bot.Outcome) { o.Decision.Action = "" }, bot.ErrInvalid},
		{"new and join", func(o *bot.Outcome) { o.NewEscalation = &bot.Escalation{}; o.JoinEscalation = 1 }, bot.ErrInvalid},
		{"two askers", func(o *bot.Outcome) { o.NewEscalation = &bot.Escalation{Askers: make([]bot.Asker, 2)} }, bot.ErrInvalid},
		{"bad state", func(o *bot.Outcome) { o.NewEscalation = &bot.Escalation{State: "lost"} }, bot.ErrInvalid},
		{"outbox without platform", func(o *bot.Outcome) { o.Outbox[0].To.Platform = "" }, bot.ErrInvalid},
		{"outbox bad state", func(o *bot.Outcome) { o.Outbox[0].State = "maybe" }, bot.ErrInvalid},
		{"outbox to a missing escalation", func(o *bot.Outcome) { o.Outbox[0].EscalationID = 999 }, bot.ErrInvalid},
		{"decision for a missing escalation", func(o *bot.Outcome) { o.Decision.EscalationID = 999 }, bot.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := answerOutcome("m1")
			tt.mutate(o)
			before := counts(t, db)
			wantErr(t, db.SaveOutcome(ctx, o), tt.want)
			sameCounts(t, before, counts(t, db))
		})
	}
	wantErr(t, db.SaveOutcome(ctx, nil), bot.ErrInvalid)
}

func TestSaveOutcomeSkipsSeenReplyKey(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	must(t, db.SaveOutcome(ctx, answerOutcome("m1")))
	o := answerOutcome("m2")
	o.Outbox = append(o.Outbox, o.Outbox[0])
	o.Outbox[0].Reply.Key = "answer:web:m1" // seen with m1
	must(t, db.SaveOutcome(ctx, o))
	if o.Outbox[0].ID != 0 || o.Outbox[1].ID == 0 {
		t.Errorf("ids = %d, %d; want the seen key skipped (0) and the new one written", o.Outbox[0].ID, o.Outbox[1].ID)
	}
	if n := count(t, db, "outbox"); n != 2 {
		t.Errorf("outbox has %d items, want 2", n)
	}
}

func TestDecisionForNotFound(t *testing.T) {
	db, _ := newDB(t)
	_, err := db.DecisionFor(context.Background(), "web", "nope")
	wantErr(t, err, bot.ErrNotFound)
}

func TestSaveOutcomeConcurrentSameMessage(t *testing.T) {
	// Gateways redeliver: many goroutines, and a second handle standing for
	// a second process, record the same message; exactly one wins.
	path := filepath.Join(t.TempDir(), "liaison.db")
	db1, _ := openAt(t, path)
	db2, _ := openAt(t, path)
	ctx := context.Background()
	const n = 32
	var (
		wg              sync.WaitGroup
		mu              sync.Mutex
		saved, dup, bad int
	)
	for i := range n {
		db := db1
		if i%2 == 1 {
			db = db2
		}
		wg.Go(func() {
			err := db.SaveOutcome(ctx, escalateOutcome("same", "passports", bot.English))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				saved++
			case errors.Is(err, bot.ErrDuplicate):
				dup++
			default:
				bad++
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if saved != 1 || dup != n-1 || bad != 0 {
		t.Errorf("saved %d, duplicates %d, errors %d; want 1, %d, 0", saved, dup, bad, n-1)
	}
	for table, want := range map[string]int{"messages": 1, "decisions": 1, "escalations": 1, "escalation_askers": 1, "outbox": 1} {
		if got := count(t, db1, table); got != want {
			t.Errorf("%s: %d rows, want %d", table, got, want)
		}
	}
}

func TestSaveOutcomeConcurrentDistinctMessages(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 25 {
				if err := db.SaveOutcome(ctx, answerOutcome(string(rune('a'+g))+"-"+string(rune('a'+i)))); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if n := count(t, db, "messages"); n != 200 {
		t.Errorf("messages: %d, want 200", n)
	}
}
