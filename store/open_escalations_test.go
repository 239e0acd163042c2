package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// A report on a past period counts the escalations waiting at its end:
// created before it and neither answered nor closed by then, whatever
// became of them since; so it gives the same figures whenever it is run.
// With no end, it counts those waiting now.
func TestSummaryOpenEscalationsAtThePeriodEnd(t *testing.T) {
	db, clk := newDB(t)
	ctx := context.Background()
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	create := func(id string, d time.Duration) int64 {
		t.Helper()
		clk.Add(at(d).Sub(clk.Now()))
		o := escalateOutcome(id, "passports", bot.English)
		must(t, db.SaveOutcome(ctx, o))
		return o.NewEscalation.ID
	}
	change := func(id int64, d time.Duration, state bot.EscalationState) {
		t.Helper()
		clk.Add(at(d).Sub(clk.Now()))
		e, err := db.Escalation(ctx, id)
		must(t, err)
		e.State, e.UpdatedAt = state, clk.Now()
		switch state {
		case bot.StateClaimed:
			e.ClaimedBy, e.ClaimedAt = "ana", clk.Now()
		case bot.StateAnswered:
			e.AnsweredBy, e.AnsweredAt = "ana", clk.Now()
		case bot.StateClosed:
			e.ClosedBy, e.CloseReason, e.ClosedAt = "ana", "duplicate", clk.Now()
		}
		must(t, db.ApplyEscalation(ctx, &bot.EscalationChange{Escalation: &e}))
	}
	open := func(until time.Time) (int, time.Time) {
		t.Helper()
		s, err := db.Summary(ctx, t0.Add(-24*time.Hour), until)
		must(t, err)
		return s.OpenEscalations, s.OldestOpen
	}
	end := at(time.Hour) // the period [t0-24h, t0+1h)

	closedLater := create("closed-later", 0)
	answeredBefore := create("answered-before", time.Minute)
	claimed := create("claimed", 2*time.Minute)
	givenBack := create("given-back", 3*time.Minute)
	change(answeredBefore, 10*time.Minute, bot.StateAnswered)
	change(claimed, 20*time.Minute, bot.StateClaimed)
	change(givenBack, 30*time.Minute, bot.StateAnswered)
	change(givenBack, 40*time.Minute, bot.StateClaimed) // its answer did not reach everyone
	create("at-the-end", time.Hour)                     // the end is excluded
	first, oldest := open(end)
	if first != 3 || !oldest.Equal(t0) {
		t.Fatalf("open at the end: %d, oldest %v; want 3 (closed-later, claimed, given-back), oldest %v", first, oldest, t0)
	}

	// What happens after the end does not change the report on the period.
	change(closedLater, 2*time.Hour, bot.StateClosed)
	change(claimed, 2*time.Hour, bot.StateAnswered)
	change(givenBack, 3*time.Hour, bot.StateClosed)
	if again, oldest := open(end); again != first || !oldest.Equal(t0) {
		t.Errorf("open at the same end, reported later: %d, oldest %v; want %d, %v as before", again, oldest, first, t0)
	}
	// Without an end: waiting now.
	if now, oldest := open(time.Time{}); now != 1 || !oldest.Equal(at(time.Hour)) {
		t.Errorf("open now: %d, oldest %v; want 1 (at-the-end), %v", now, oldest, at(time.Hour))
	}
	// A period ending after everything: the same as now.
	if later, _ := open(at(4 * time.Hour)); later != 1 {
		t.Errorf("open at t0+4h: %d, want 1", later)
	}
}

// A database written before escalations kept their history (migration
// 007) reports past periods from what its escalations still tell: created
// open, stopped waiting when closed or first answered.
func TestEscalationStatesMigrationKeepsPastPeriods(t *testing.T) {
	path := filepath.Join(t.TempDir(), "liaison.db")
	ctx := context.Background()
	old := oldDatabase(t, path, 6)
	at := func(d time.Duration) any { return ts(t0.Add(d)) }
	for _, e := range []struct {
		id                                 int
		state                              string
		created, claimed, answered, closed any
	}{
		{1, "open", at(0), nil, nil, nil},
		{2, "closed", at(0), nil, nil, at(time.Hour)},
		// First answered at 30m (its staff answer), answered_at moved to 2h by a follow-up.
		{3, "relayed", at(0), at(5 * time.Minute), at(2 * time.Hour), nil},
		{4, "claimed", at(0), at(10 * time.Minute), nil, nil},
		{5, "open", at(2 * time.Hour), nil, nil, nil},
	} {
		if _, err := old.ExecContext(ctx, `INSERT INTO escalations (id, state, claimed_at, answered_at, closed_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, e.id, e.state, e.claimed, e.answered, e.closed, e.created, ts(t0.Add(3*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []struct {
		status string
		at     any
	}{{"held", at(20 * time.Minute)}, {"queued", at(30 * time.Minute)}, {"queued", at(2 * time.Hour)}} {
		if _, err := old.ExecContext(ctx, `INSERT INTO staff_answers (escalation_id, status, at) VALUES (3, ?, ?)`, a.status, a.at); err != nil {
			t.Fatal(err)
		}
	}
	must(t, old.Close())

	db, _ := openAt(t, path)
	for _, tt := range []struct {
		end  time.Duration
		want int
	}{
		{20 * time.Minute, 4}, // all four created at t0
		{45 * time.Minute, 3}, // 3 was answered at 30m
		{90 * time.Minute, 2}, // 2 was closed at 1h
		{4 * time.Hour, 3},    // 1, 4 and 5
	} {
		s, err := db.Summary(ctx, t0.Add(-time.Hour), t0.Add(tt.end))
		must(t, err)
		if s.OpenEscalations != tt.want {
			t.Errorf("open at t0+%v: %d, want %d", tt.end, s.OpenEscalations, tt.want)
		}
	}
}
