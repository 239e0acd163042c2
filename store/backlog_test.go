package store

import (
	"context"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// Backlog counts replies and desk notices apart: pending (with the oldest's
// queueing), failed since the time asked; the escalations without their
// desk post, and those waiting for staff, claimed or not.
func TestBacklog(t *testing.T) {
	db, clk := newDB(t)
	ctx := context.Background()
	b, err := db.Backlog(ctx, t0)
	must(t, err)
	if b != (Backlog{}) {
		t.Fatalf("empty store: %+v", b)
	}

	old := item("discord", "r1")
	must(t, db.Enqueue(ctx, []bot.Outgoing{old}))
	clk.Add(time.Minute)
	items := []bot.Outgoing{item("discord", "r2"), item("web", "r3"), item(bot.DeskPlatform, "d1"), item(bot.DeskPlatform, "d2")}
	must(t, db.Enqueue(ctx, items))
	must(t, db.MarkSent(ctx, items[1].ID, bot.MessageRef{Platform: "web", ID: "m1"}, time.Time{}))
	clk.Add(time.Minute)
	must(t, db.MarkFailed(ctx, items[0].ID, "403 Missing Permissions"))
	must(t, db.MarkFailed(ctx, items[2].ID, "not_in_channel"))
	e := escalate(t, db, "m1", "tax", bot.English)
	escalate(t, db, "m2", "tax", bot.French)
	must(t, db.MarkDeskSynced(ctx, e.ID, "1.0001", e.Version))

	b, err = db.Backlog(ctx, t0)
	must(t, err)
	want := Backlog{
		Replies:   Queue{Pending: 3, OldestPending: t0, Failed: 1}, // r1 and the escalations' acks
		Desk:      Queue{Pending: 1, OldestPending: t0.Add(time.Minute), Failed: 1},
		DeskPosts: 1, Waiting: 2, OldestWaiting: b.OldestWaiting, OldestUnclaimed: b.OldestWaiting, // none claimed
	}
	if b != want || b.OldestWaiting.IsZero() {
		t.Errorf("Backlog = %+v\nwant %+v", b, want)
	}
	// Failures before the time asked are not counted.
	b, err = db.Backlog(ctx, clk.Now().Add(time.Second))
	must(t, err)
	if b.Replies.Failed != 0 || b.Desk.Failed != 0 || b.Replies.Pending != 3 {
		t.Errorf("Backlog since after the failures = %+v", b)
	}
}
