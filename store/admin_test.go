package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/phases"
)

func TestPhases(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	s, err := db.PhaseState(ctx, phases.Replies)
	must(t, err)
	if s.Global != phases.Replies || len(s.Overrides) != 0 {
		t.Fatalf("no changes: %+v", s)
	}
	changes := []phases.Change{
		{Channel: "", From: phases.Replies, To: phases.Broadcast, By: "lead", Via: "cli", Reason: "launch", At: t0},
		{Channel: "discord:1", From: phases.Broadcast, To: phases.Replies, By: "lead", Via: "slack", Reason: "pilot", At: t0.Add(time.Minute)},
		{Channel: "discord:2", From: phases.Broadcast, To: phases.Outreach, By: "lead", Reason: "try", At: t0.Add(2 * time.Minute)},
		{Channel: "discord:2", From: phases.Outreach, To: 0, By: "lead", Reason: "back", At: t0.Add(3 * time.Minute)},
	}
	for i, c := range changes {
		out := []bot.Outgoing{{To: bot.Address{Platform: bot.DeskPlatform}, Reply: bot.Reply{Kind: bot.KindDesk, Text: "phase", Key: fmt.Sprint("phase:", i)},
			Notice: &bot.Notice{Kind: bot.NoticePhase, Text: "phase"}}}
		must(t, db.SavePhaseChange(ctx, c, bot.AuditEntry{Actor: c.By, Via: c.Via, Action: "phase.set", Allowed: true}, out))
		if out[0].ID == 0 {
			t.Errorf("change %d: announcement id not filled", i)
		}
	}
	s, err = db.PhaseState(ctx, phases.Replies)
	must(t, err)
	if want := phases.Replay(phases.Replies, changes); !reflect.DeepEqual(s, want) {
		t.Errorf("PhaseState = %+v, want %+v", s, want)
	}
	if s.Global != phases.Broadcast || s.For("discord:1") != phases.Replies || s.For("discord:2") != phases.Broadcast {
		t.Errorf("state %+v", s)
	}
	all, err := db.PhaseChanges(ctx, 0)
	must(t, err)
	if len(all) != 4 || !reflect.DeepEqual(all[0], changes[3]) || !reflect.DeepEqual(all[3], changes[0]) {
		t.Errorf("PhaseChanges newest first = %+v", all)
	}
	if two, _ := db.PhaseChanges(ctx, 2); len(two) != 2 || two[0].Reason != "back" {
		t.Errorf("limit 2 = %+v", two)
	}
	log, _ := db.AuditLog(ctx, 0)
	if len(log) != 4 || !log[0].At.Equal(t0.Add(3*time.Minute)) {
		t.Errorf("audit: %+v", log)
	}
	if n := count(t, db, "outbox"); n != 4 {
		t.Errorf("announcements: %d", n)
	}
}

// PhaseState keeps its replay of the changes between reads (the engine
// reads it before each automated reply it sends), yet a change saved by
// another process on the same file (the CLI's liaison phase set) is in
// force at the next read, each initial phase is replayed for itself, and a
// caller changing the state it was given changes no other read.
func TestPhaseStateSeesEachChangeAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "liaison.db")
	daemon, _ := openAt(t, path)
	cli, _ := openAt(t, path)
	ctx := context.Background()
	save := func(c phases.Change) {
		t.Helper()
		must(t, cli.SavePhaseChange(ctx, c, bot.AuditEntry{Actor: c.By, Via: "cli", Action: "phase.set", Allowed: true}, nil))
	}
	read := func(initial phases.Phase) phases.State {
		t.Helper()
		s, err := daemon.PhaseState(ctx, initial)
		must(t, err)
		return s
	}
	if s := read(phases.Replies); s.Global != phases.Replies || len(s.Overrides) != 0 {
		t.Fatalf("no changes: %+v", s)
	}
	save(phases.Change{Channel: "discord:1", From: phases.Replies, To: phases.Broadcast, By: "lead", Reason: "crisis", At: t0})
	s := read(phases.Replies)
	if s.For("discord:1") != phases.Broadcast {
		t.Fatalf("after a change saved by another process: %+v, want discord:1 in phase 1", s)
	}
	s.Overrides["discord:1"] = phases.Outreach
	delete(s.Overrides, "discord:1")
	s.Overrides["discord:2"] = phases.Broadcast
	if again := read(phases.Replies); again.For("discord:1") != phases.Broadcast || again.For("discord:2") != phases.Replies {
		t.Errorf("a caller's change to its state reached the next read: %+v", again)
	}
	if other := read(phases.Outreach); other.Global != phases.Outreach || other.For("discord:1") != phases.Broadcast {
		t.Errorf("replayed from phase 3: %+v", other)
	}
	save(phases.Change{Channel: "discord:1", From: phases.Broadcast, To: 0, By: "lead", Reason: "over", At: t0.Add(time.Minute)})
	if s := read(phases.Replies); s.For("discord:1") != phases.Replies || len(s.Overrides) != 0 {
		t.Errorf("after the override was ended: %+v", s)
	}
}

func TestSavePhaseChangeInvalidWritesNothing(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	ok := phases.Change{To: phases.Replies, By: "lead", Reason: "r"}
	out := []bot.Outgoing{{To: bot.Address{Platform: bot.DeskPlatform}, Reply: bot.Reply{Key: "p"}}}
	tests := []struct {
		name  string
		c     phases.Change
		audit bot.AuditEntry
		out   []bot.Outgoing
		want  error
	}{
		{"no author", phases.Change{To: phases.Replies, Reason: "r"}, bot.AuditEntry{Action: "phase.set"}, out, phases.ErrInvalidChange},
		{"no reason", phases.Change{To: phases.Replies, By: "x"}, bot.AuditEntry{Action: "phase.set"}, out, phases.ErrInvalidChange},
		{"no global phase", phases.Change{By: "x", Reason: "r"}, bot.AuditEntry{Action: "phase.set"}, out, phases.ErrUnknownPhase},
		{"bad channel phase", phases.Change{Channel: "web:x", To: 7, By: "x", Reason: "r"}, bot.AuditEntry{Action: "phase.set"}, out, phases.ErrUnknownPhase},
		{"audit without action", ok, bot.AuditEntry{}, out, bot.ErrInvalid},
		{"bad announcement", ok, bot.AuditEntry{Action: "phase.set"}, []bot.Outgoing{{}}, bot.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := counts(t, db)
			err := db.SavePhaseChange(ctx, tt.c, tt.audit, tt.out)
			wantErr(t, err, tt.want)
			wantErr(t, err, bot.ErrInvalid)
			sameCounts(t, before, counts(t, db))
		})
	}
}

func TestBroadcasts(t *testing.T) {
	db, clk := newDB(t)
	ctx := context.Background()
	now := &bot.Broadcast{EN: "Offices closed Monday.", FR: "Bureaux fermés lundi.", By: "lead", Via: "cli"}
	later := &bot.Broadcast{EN: "Later.", FR: "Plus tard.", At: t0.Add(time.Hour), Channels: []bot.ChannelKey{"discord:1", "web:help"}, By: "lead"}
	must(t, db.SaveBroadcast(ctx, now, bot.AuditEntry{Actor: "lead", Action: "broadcast.create", Allowed: true}))
	clk.Add(time.Second)
	must(t, db.SaveBroadcast(ctx, later, bot.AuditEntry{Actor: "lead", Action: "broadcast.create", Target: "broadcast", Allowed: true}))
	if now.ID == 0 || now.State != bot.BroadcastScheduled || !now.At.Equal(t0) || !now.CreatedAt.Equal(t0) {
		t.Errorf("defaults not filled: %+v", now)
	}
	log, _ := db.AuditLog(ctx, 0)
	if len(log) != 2 || log[1].Target != fmt.Sprint("broadcast:", now.ID) || log[0].Target != "broadcast" {
		t.Errorf("audit targets: %+v", log)
	}

	due, err := db.DueBroadcasts(ctx, t0)
	must(t, err)
	if len(due) != 1 || !reflect.DeepEqual(due[0], *now) {
		t.Errorf("due now = %+v\nwant %+v", due, *now)
	}
	if due, _ := db.DueBroadcasts(ctx, t0.Add(time.Hour)); len(due) != 2 || due[1].ID != later.ID || !reflect.DeepEqual(due[1].Channels, later.Channels) {
		t.Errorf("due later = %+v", due)
	}
	all, err := db.Broadcasts(ctx, 0)
	must(t, err)
	if len(all) != 2 || all[0].ID != later.ID {
		t.Errorf("Broadcasts newest first = %+v", all)
	}
	if one, _ := db.Broadcasts(ctx, 1); len(one) != 1 || one[0].ID != later.ID {
		t.Errorf("limit 1 = %+v", one)
	}

	out := []bot.Outgoing{
		{To: bot.Address{Platform: "discord", ChannelID: "1"}, Reply: bot.Reply{Kind: bot.KindBroadcast, Text: "Offices closed Monday.\n\nBureaux fermés lundi.", Key: "broadcast:1:discord:1"}},
		{To: bot.Address{Platform: "web", ChannelID: "help"}, Reply: bot.Reply{Kind: bot.KindBroadcast, Text: "…", Key: "broadcast:1:web:help"}},
	}
	must(t, db.QueueBroadcast(ctx, now.ID, out))
	if out[0].ID == 0 || out[0].BroadcastID != now.ID || out[1].BroadcastID != now.ID {
		t.Errorf("items not filled: %+v", out)
	}
	if due, _ := db.DueBroadcasts(ctx, t0); len(due) != 0 {
		t.Errorf("queued broadcast still due: %+v", due)
	}
	before := counts(t, db)
	wantErr(t, db.QueueBroadcast(ctx, now.ID, []bot.Outgoing{{To: bot.Address{Platform: "web"}, Reply: bot.Reply{Key: "other"}}}), bot.ErrConflict)
	wantErr(t, db.QueueBroadcast(ctx, 999, nil), bot.ErrNotFound)
	sameCounts(t, before, counts(t, db))

	cancelled := &bot.Broadcast{EN: "x", FR: "y", State: bot.BroadcastCancelled}
	must(t, db.SaveBroadcast(ctx, cancelled, bot.AuditEntry{Action: "broadcast.create"}))
	wantErr(t, db.QueueBroadcast(ctx, cancelled.ID, nil), bot.ErrConflict)
}

func TestSaveBroadcastInvalid(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		b     *bot.Broadcast
		audit bot.AuditEntry
	}{
		{"no french", &bot.Broadcast{EN: "Hello"}, bot.AuditEntry{Action: "a"}},
		{"blank english", &bot.Broadcast{EN: "  ", FR: "Bonjour"}, bot.AuditEntry{Action: "a"}},
		{"nil", nil, bot.AuditEntry{Action: "a"}},
		{"unknown state", &bot.Broadcast{EN: "a", FR: "b", State: "sent"}, bot.AuditEntry{Action: "a"}},
		{"audit without action", &bot.Broadcast{EN: "a", FR: "b"}, bot.AuditEntry{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := counts(t, db)
			wantErr(t, db.SaveBroadcast(ctx, tt.b, tt.audit), bot.ErrInvalid)
			sameCounts(t, before, counts(t, db))
			if tt.b != nil && tt.b.ID != 0 {
				t.Errorf("id filled: %+v", tt.b)
			}
		})
	}
}

func TestQueueBroadcastOnceAcrossProcesses(t *testing.T) {
	// Two serve processes (two handles) and several goroutines each find
	// the same due broadcast: it is queued once.
	path := filepath.Join(t.TempDir(), "liaison.db")
	db1, _ := openAt(t, path)
	db2, _ := openAt(t, path)
	ctx := context.Background()
	b := &bot.Broadcast{EN: "Hello", FR: "Bonjour"}
	must(t, db1.SaveBroadcast(ctx, b, bot.AuditEntry{Action: "broadcast.create"}))
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		queued    int
		conflicts int
	)
	for i := range 16 {
		db := db1
		if i%2 == 1 {
			db = db2
		}
		wg.Go(func() {
			out := []bot.Outgoing{
				{To: bot.Address{Platform: "discord", ChannelID: "1"}, Reply: bot.Reply{Kind: bot.KindBroadcast, Key: fmt.Sprint("b:", i, ":1")}},
				{To: bot.Address{Platform: "discord", ChannelID: "2"}, Reply: bot.Reply{Kind: bot.KindBroadcast, Key: fmt.Sprint("b:", i, ":2")}},
			}
			err := db.QueueBroadcast(ctx, b.ID, out)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				queued++
			case errors.Is(err, bot.ErrConflict):
				conflicts++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if queued != 1 || conflicts != 15 {
		t.Errorf("queued %d, conflicts %d; want 1, 15", queued, conflicts)
	}
	if n := count(t, db1, "outbox"); n != 2 {
		t.Errorf("outbox: %d items, want 2", n)
	}
}

func TestDrafts(t *testing.T) {
	db, clk := newDB(t)
	ctx := context.Background()
	e := escalate(t, db, "m1", "passports", bot.English)
	d := &bot.Draft{EscalationID: e.ID, EntryID: "renew-passport", Topic: "passports", QuestionEN: "How?", AnswerEN: "Online.", By: "ana"}
	must(t, db.SaveDraft(ctx, d))
	if d.ID == 0 || d.State != bot.DraftOpen || !d.CreatedAt.Equal(t0) || !d.UpdatedAt.Equal(t0) {
		t.Fatalf("not filled: %+v", d)
	}
	other := &bot.Draft{EntryID: "other", State: bot.DraftRejected, CreatedAt: t0.Add(-time.Hour)}
	must(t, db.SaveDraft(ctx, other))

	clk.Add(time.Minute)
	d.QuestionFR, d.AnswerFR, d.State, d.ApprovedBy = "Comment?", "En ligne.", bot.DraftApproved, "lead"
	d.CreatedAt = t0.Add(time.Hour) // ignored on update
	must(t, db.SaveDraft(ctx, d))
	if !d.CreatedAt.Equal(t0) || !d.UpdatedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("update times: created %v updated %v", d.CreatedAt, d.UpdatedAt)
	}
	got, err := db.Draft(ctx, d.ID)
	must(t, err)
	if !reflect.DeepEqual(got, *d) || !got.Complete() {
		t.Errorf("Draft = %+v\nwant %+v", got, *d)
	}
	tests := []struct {
		state bot.DraftState
		want  []int64
	}{
		{"", []int64{other.ID, d.ID}},
		{bot.DraftApproved, []int64{d.ID}},
		{bot.DraftRejected, []int64{other.ID}},
		{bot.DraftOpen, nil},
	}
	for _, tt := range tests {
		list, err := db.Drafts(ctx, tt.state)
		must(t, err)
		var got []int64
		for _, x := range list {
			got = append(got, x.ID)
		}
		if !equal(got, tt.want) {
			t.Errorf("Drafts(%q) = %v, want %v", tt.state, got, tt.want)
		}
	}
	_, err = db.Draft(ctx, 999)
	wantErr(t, err, bot.ErrNotFound)
	wantErr(t, db.SaveDraft(ctx, &bot.Draft{ID: 999, EntryID: "x"}), bot.ErrNotFound)
	wantErr(t, db.SaveDraft(ctx, &bot.Draft{State: "published"}), bot.ErrInvalid)
	wantErr(t, db.SaveDraft(ctx, &bot.Draft{EscalationID: 999}), bot.ErrInvalid)
	wantErr(t, db.SaveDraft(ctx, nil), bot.ErrInvalid)
}

// MoveDraft changes a draft's state only from the one the caller read, and
// audits the move in the same transaction: a change made meanwhile (a
// rejection) is kept, and nothing is audited for it.
func TestMoveDraft(t *testing.T) {
	db, clk := newDB(t)
	ctx := context.Background()
	d := &bot.Draft{EntryID: "renew-passport", State: bot.DraftApproved, ApprovedBy: "lead"}
	must(t, db.SaveDraft(ctx, d))
	clk.Add(time.Minute)
	moved := bot.AuditEntry{Actor: "liaison", Via: "serve", Action: "draft.in-files", Target: "draft:1", Detail: "renew-passport", Allowed: true}
	must(t, db.MoveDraft(ctx, d.ID, bot.DraftApproved, bot.DraftInFiles, moved))
	got, err := db.Draft(ctx, d.ID)
	must(t, err)
	if got.State != bot.DraftInFiles || !got.UpdatedAt.Equal(t0.Add(time.Minute)) || got.ApprovedBy != "lead" {
		t.Errorf("after the move: %+v", got)
	}
	if list, err := db.Drafts(ctx, bot.DraftInFiles); err != nil || len(list) != 1 {
		t.Errorf("Drafts(in-files) = %v, %v", list, err)
	}
	wantErr(t, db.MoveDraft(ctx, d.ID, bot.DraftApproved, bot.DraftInFiles, moved), bot.ErrConflict)
	wantErr(t, db.MoveDraft(ctx, 999, bot.DraftApproved, bot.DraftInFiles, moved), bot.ErrNotFound)
	wantErr(t, db.MoveDraft(ctx, d.ID, bot.DraftInFiles, "published", moved), bot.ErrInvalid)
	log, err := db.AuditLog(ctx, 0)
	must(t, err)
	if len(log) != 1 || log[0].Action != "draft.in-files" || log[0].Actor != "liaison" || !log[0].At.Equal(t0.Add(time.Minute)) {
		t.Errorf("audit log = %+v, want the one move", log)
	}
}

func TestAudit(t *testing.T) {
	db, clk := newDB(t)
	ctx := context.Background()
	entries := []bot.AuditEntry{
		{Actor: "lead", Via: "cli", Action: "phase.set", Target: "global", Detail: "replies → broadcast", Allowed: true},
		{Actor: "U9", Via: "slack", Action: "escalation.claim", Target: "escalation:1", Detail: "not on the staff roster", Allowed: false},
		{At: t0.Add(-time.Hour), Actor: "old", Action: "x"}, // given time: sorts first in time
	}
	for _, e := range entries {
		must(t, db.Audit(ctx, e))
		clk.Add(time.Second)
	}
	log, err := db.AuditLog(ctx, 0)
	must(t, err)
	if len(log) != 3 || log[0].Actor != "U9" || log[0].Allowed || !log[0].At.Equal(t0.Add(time.Second)) || log[2].Actor != "old" {
		t.Errorf("AuditLog newest first = %+v", log)
	}
	want := entries[0]
	want.ID, want.At = log[1].ID, t0
	if log[1] != want {
		t.Errorf("entry = %+v, want %+v", log[1], want)
	}
	if two, _ := db.AuditLog(ctx, 2); len(two) != 2 {
		t.Errorf("limit 2: %d", len(two))
	}
	wantErr(t, db.Audit(ctx, bot.AuditEntry{Actor: "x"}), bot.ErrInvalid)
}
