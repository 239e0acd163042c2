package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// A database written before each emoji was kept apart (migration 006)
// keeps its ratings: 👍 and 👎 still count, a withdrawn one does not, a
// purged one stays purged; afterwards, a citizen who held 👍 and removes a
// 👎 never recorded still counts as helpful, and a late event older than
// a withdrawal changes nothing.
func TestFeedbackMigrationKeepsRatings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "liaison.db")
	ctx := context.Background()
	old := oldDatabase(t, path, 5)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := old.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	at := ts(t0.Add(time.Minute))
	for i, ref := range []string{"bot-1", "bot-2"} {
		exec(`INSERT INTO outbox (id, platform, channel, address, kind, reply, state, ref_platform, ref_channel, ref_id, created_at, sent_at)
			VALUES (?, 'discord', 'help', '{}', 'answer', '{}', 'sent', 'discord', 'help', ?, ?, ?)`, i+1, ref, ts(t0), ts(t0))
	}
	exec(`INSERT INTO feedback (outbox_id, user_id, value, at, redacted) VALUES
		(1, 'up', 1, ?1, 0), (1, 'down', -1, ?1, 0), (1, 'withdrawn', 0, ?1, 0), (2, 'redacted:4', 1, ?1, 1)`, at)
	must(t, old.Close())

	db, _ := openAt(t, path)
	summary := func() (int, int) {
		t.Helper()
		s, err := db.Summary(ctx, t0, t0.Add(time.Hour))
		must(t, err)
		return s.Helpful, s.NotHelpful
	}
	if h, n := summary(); h != 2 || n != 1 {
		t.Fatalf("after the migration: helpful %d, not helpful %d; want 2 and 1", h, n)
	}
	react := func(ref, user string, v int, removed bool, at time.Time) {
		t.Helper()
		must(t, db.SaveFeedback(ctx, bot.Reaction{Platform: "discord", ChannelID: "help", MessageID: ref, UserID: user,
			Value: v, Removed: removed, Time: at}))
	}
	react("bot-1", "up", -1, true, t0.Add(2*time.Minute))         // a 👎 never recorded taken away
	react("bot-1", "withdrawn", 1, false, t0.Add(30*time.Second)) // older than the withdrawal, delivered late
	react("bot-2", "someone", -1, false, t0.Add(2*time.Minute))   // on a purged reply: not recorded
	if h, n := summary(); h != 2 || n != 1 {
		t.Errorf("after more reactions: helpful %d, not helpful %d; want 2 and 1", h, n)
	}
}

// A rating is counted in the period when the emoji it counts was added,
// so a later change to the other emoji does not move it: 👍 in one period,
// 👎 added in the next and taken away in a third leaves the 👍 counted in
// the first only.
func TestFeedbackCountedWhenItsEmojiWasAdded(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	o := answerOutcome("m1")
	must(t, db.SaveOutcome(ctx, o))
	must(t, db.MarkSent(ctx, o.Outbox[0].ID, bot.MessageRef{Platform: "discord", ChannelID: "help", ID: "bot-1"}, t0))
	day := 24 * time.Hour
	react := func(v int, removed bool, at time.Time) {
		t.Helper()
		must(t, db.SaveFeedback(ctx, bot.Reaction{Platform: "discord", ChannelID: "help", MessageID: "bot-1", UserID: "u1",
			Value: v, Removed: removed, Time: at}))
	}
	react(1, false, t0.Add(time.Hour))
	react(-1, false, t0.Add(day+time.Hour))
	react(-1, true, t0.Add(2*day+time.Hour))
	for i, want := range [][2]int{{1, 0}, {0, 0}, {0, 0}} {
		from := t0.Add(time.Duration(i) * day)
		s, err := db.Summary(ctx, from, from.Add(day))
		must(t, err)
		if s.Helpful != want[0] || s.NotHelpful != want[1] {
			t.Errorf("day %d: helpful %d, not helpful %d; want %d, %d", i+1, s.Helpful, s.NotHelpful, want[0], want[1])
		}
	}
}

func TestFeedbackSummaryUsesItsIndex(t *testing.T) {
	db, _ := newDB(t)
	checkPlan(t, db, `SELECT COUNT(*) FROM feedback f WHERE f.rated_at >= ? AND f.rated_at < ?`, "feedback_rated", "", endOfTime)
}

// olderBuildSaveFeedback is the statement with which a build from before
// migration 006 records a reaction: one value per citizen and reply, the
// latest replacing the earlier, a removal (withdraws) taking away only the
// value stored.
const olderBuildSaveFeedback = `INSERT INTO feedback (outbox_id, user_id, value, at) VALUES (?, ?, ?, ?)
	ON CONFLICT (outbox_id, user_id) DO UPDATE SET value = excluded.value, at = excluded.at
	WHERE excluded.at >= feedback.at AND (? = 0 OR feedback.value = ?)`

// A daemon of the release before 006, still running after a newer build
// migrated the file (`liaison report` of the new release run before the
// daemon was restarted), records reactions as it always did: they count
// in reports, read as 006 read the ratings that were there, and this
// build's own changes afterwards go on from them.
func TestFeedbackFromAnOlderBuildStillRunningCounts(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	o := answerOutcome("m1")
	must(t, db.SaveOutcome(ctx, o))
	must(t, db.MarkSent(ctx, o.Outbox[0].ID, bot.MessageRef{Platform: "discord", ChannelID: "help", ID: "bot-1"}, t0))
	older := pool("file:"+db.path+"?"+dsnParams, 1, "")
	defer older.Close()
	react := func(user string, value, withdraws int, at time.Time) {
		t.Helper()
		if _, err := older.ExecContext(ctx, olderBuildSaveFeedback, o.Outbox[0].ID, user, value, ts(at), withdraws, withdraws); err != nil {
			t.Fatal(err)
		}
	}
	react("up", 1, 0, t0.Add(time.Minute))
	react("changed", 1, 0, t0.Add(time.Minute))
	react("changed", -1, 0, t0.Add(2*time.Minute)) // 👎 replaces 👍
	react("withdrawn", -1, 0, t0.Add(time.Minute))
	react("withdrawn", 0, -1, t0.Add(2*time.Minute)) // 👎 removed
	summary := func() (int, int) {
		t.Helper()
		s, err := db.Summary(ctx, t0, t0.Add(time.Hour))
		must(t, err)
		return s.Helpful, s.NotHelpful
	}
	if h, n := summary(); h != 1 || n != 1 {
		t.Fatalf("ratings of the older build: helpful %d, not helpful %d; want 1 and 1", h, n)
	}

	// This build's events go on from what the older one left.
	must(t, db.SaveFeedback(ctx, bot.Reaction{Platform: "discord", ChannelID: "help", MessageID: "bot-1", UserID: "changed",
		Value: -1, Removed: true, Time: t0.Add(3 * time.Minute)}))
	must(t, db.SaveFeedback(ctx, bot.Reaction{Platform: "discord", ChannelID: "help", MessageID: "bot-1", UserID: "up",
		Value: -1, Time: t0.Add(4 * time.Minute)}))
	must(t, db.SaveFeedback(ctx, bot.Reaction{Platform: "discord", ChannelID: "help", MessageID: "bot-1", UserID: "withdrawn",
		Value: -1, Time: t0.Add(90 * time.Second)})) // older than the removal: late
	if h, n := summary(); h != 0 || n != 1 {
		t.Errorf("after this build's reactions: helpful %d, not helpful %d; want 0 and 1 (up holds 👍 and 👎, 👎 added last)", h, n)
	}
}
