package store

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

func item(platform, key string) bot.Outgoing {
	return bot.Outgoing{To: bot.Address{Platform: platform, ChannelID: "c1", UserID: "u1"},
		Reply: bot.Reply{Kind: bot.KindNotice, Text: "hello " + key, Key: key}}
}

func ids(items []bot.Outgoing) []int64 {
	var out []int64
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

func TestEnqueue(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	items := []bot.Outgoing{item("web", "k1"), item("web", ""), item("web", ""), item("discord", "k2")}
	must(t, db.Enqueue(ctx, items))
	for i, it := range items {
		if it.ID == 0 || it.State != bot.OutPending || !it.CreatedAt.Equal(t0) {
			t.Errorf("item %d not filled: %+v", i, it)
		}
	}
	got, err := db.Outgoing(ctx, items[0].ID)
	must(t, err)
	if !reflect.DeepEqual(got, items[0]) {
		t.Errorf("Outgoing = %+v\nwant %+v", got, items[0])
	}
	// A seen key is skipped silently; empty keys never collide.
	again := []bot.Outgoing{item("web", "k1"), item("web", "k3"), item("web", "")}
	must(t, db.Enqueue(ctx, again))
	if again[0].ID != 0 || again[1].ID == 0 || again[2].ID == 0 {
		t.Errorf("ids %v: want the seen key skipped", ids(again))
	}
	if n := count(t, db, "outbox"); n != 6 {
		t.Errorf("outbox: %d items, want 6", n)
	}
	must(t, db.Enqueue(ctx, nil))

	// All or nothing.
	before := counts(t, db)
	bad := []bot.Outgoing{item("web", "k9"), item("", "k10")}
	wantErr(t, db.Enqueue(ctx, bad), bot.ErrInvalid)
	sameCounts(t, before, counts(t, db))
	if bad[0].ID != 0 {
		t.Errorf("id filled on failure: %+v", bad[0])
	}
	wantErr(t, db.Enqueue(ctx, []bot.Outgoing{{To: bot.Address{Platform: "web"}, BroadcastID: 77}}), bot.ErrInvalid)
	_, err = db.Outgoing(ctx, 999)
	wantErr(t, err, bot.ErrNotFound)
}

func TestEnqueueDeskNotice(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	e := escalate(t, db, "m1", "t", bot.English)
	n := bot.Outgoing{To: bot.Address{Platform: bot.DeskPlatform}, EscalationID: e.ID,
		Reply:  bot.Reply{Kind: bot.KindDesk, Text: "remind", Key: "reminder:1"},
		Notice: &bot.Notice{Kind: bot.NoticeReminder, EscalationID: e.ID, StaffID: "ana", DeskUserID: "U1", Lang: bot.French, Text: "rappel"}}
	must(t, db.Enqueue(ctx, []bot.Outgoing{n, item("web", "x")}))
	list, err := db.Pending(ctx, bot.DeskPlatform, t0, 0)
	must(t, err)
	if len(list) != 1 || !reflect.DeepEqual(list[0].Notice, n.Notice) || list[0].EscalationID != e.ID {
		t.Errorf("desk pending = %+v", list)
	}
	if list, _ := db.Pending(ctx, "web", t0, 0); len(list) != 2 || list[1].Notice != nil {
		t.Errorf("web pending = %+v", list)
	}
}

func TestPending(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	items := []bot.Outgoing{item("web", "a"), item("discord", "b"), item("web", "c"), item("web", "d"), item("web", "e"), item("web", "f")}
	items[2].NotBefore = t0.Add(time.Minute) // scheduled later
	must(t, db.Enqueue(ctx, items))
	must(t, db.MarkSent(ctx, items[3].ID, bot.MessageRef{Platform: "web", ChannelID: "c1", ID: "p1"}, t0))
	must(t, db.MarkFailed(ctx, items[4].ID, "refused"))

	tests := []struct {
		name     string
		platform string
		now      time.Time
		limit    int
		want     []int64
	}{
		{"due, in id order", "web", t0, 0, []int64{items[0].ID, items[5].ID}},
		{"NotBefore reached", "web", t0.Add(time.Minute), 0, []int64{items[0].ID, items[2].ID, items[5].ID}},
		{"limit", "web", t0.Add(time.Hour), 2, []int64{items[0].ID, items[2].ID}},
		{"other platform", "discord", t0, 0, []int64{items[1].ID}},
		{"none", "slack", t0, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Pending(ctx, tt.platform, tt.now, tt.limit)
			must(t, err)
			if !equal(ids(got), tt.want) {
				t.Errorf("Pending = %v, want %v", ids(got), tt.want)
			}
		})
	}
}

func TestPendingHoldsAChannelBehindAnItemWaitingToRetry(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	in := func(channel, key string) bot.Outgoing {
		it := item("web", key)
		it.To.ChannelID = channel
		return it
	}
	items := []bot.Outgoing{in("c1", "a"), in("c2", "b"), in("c1", "c"), in("c2", "d"), in("c1", "e"), in("c3", "f"), in("c3", "g")}
	items[5].NotBefore = t0.Add(time.Hour) // scheduled later, never tried: holds nothing
	must(t, db.Enqueue(ctx, items))
	a, b, c, d, e, g := items[0].ID, items[1].ID, items[2].ID, items[3].ID, items[4].ID, items[6].ID
	must(t, db.MarkRetry(ctx, a, "429 slow down", t0.Add(2*time.Second)))
	must(t, db.MarkRetry(ctx, d, "timeout", t0.Add(time.Minute)))
	must(t, db.MarkRetry(ctx, g, "timeout", t0.Add(-time.Second))) // due again

	tests := []struct {
		name  string
		now   time.Time
		limit int
		want  []int64
	}{
		{"later items of a channel wait for its retry", t0, 0, []int64{b, g}},
		{"limit counts only what is due", t0, 1, []int64{b}},
		{"retry due: the channel goes on in order", t0.Add(2 * time.Second), 0, []int64{a, b, c, e, g}},
		{"every retry due", t0.Add(time.Minute), 0, []int64{a, b, c, d, e, g}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Pending(ctx, "web", tt.now, tt.limit)
			must(t, err)
			if !equal(ids(got), tt.want) {
				t.Errorf("Pending = %v, want %v", ids(got), tt.want)
			}
		})
	}
	// Given up for good, an item holds nothing any more.
	must(t, db.MarkFailed(ctx, a, "403 forbidden"))
	if got, _ := db.Pending(ctx, "web", t0, 0); !equal(ids(got), []int64{b, c, e, g}) {
		t.Errorf("after a failed for good: Pending = %v, want %v", ids(got), []int64{b, c, e, g})
	}
}

func TestMarkSentRetryFailed(t *testing.T) {
	db, clk := newDB(t)
	ctx := context.Background()
	items := []bot.Outgoing{item("web", "a"), item("web", "b"), item("web", "c")}
	must(t, db.Enqueue(ctx, items))
	a, b, c := items[0].ID, items[1].ID, items[2].ID

	// Retry, then sent.
	must(t, db.MarkRetry(ctx, a, "429 slow down", t0.Add(2*time.Second)))
	if got, _ := db.Pending(ctx, "web", t0, 0); len(got) != 0 { // b and c wait behind a: same channel
		t.Errorf("backing-off item, or the items behind it, pending now: %v", ids(got))
	}
	got, _ := db.Outgoing(ctx, a)
	if got.Attempts != 1 || got.Err != "429 slow down" || !got.NotBefore.Equal(t0.Add(2*time.Second)) || got.State != bot.OutPending {
		t.Errorf("after retry: %+v", got)
	}
	ref := bot.MessageRef{Platform: "web", ChannelID: "c1", ID: "posted-a"}
	clk.Add(5 * time.Second)
	must(t, db.MarkSent(ctx, a, ref, time.Time{})) // zero: the clock
	got, _ = db.Outgoing(ctx, a)
	if got.State != bot.OutSent || !reflect.DeepEqual(got.Ref, ref) || got.Attempts != 2 || got.Err != "" || !got.SentAt.Equal(t0.Add(5*time.Second)) {
		t.Errorf("after sent: %+v", got)
	}
	// Sent again (at least once delivery): nothing changes, no error.
	must(t, db.MarkSent(ctx, a, bot.MessageRef{Platform: "web", ID: "other"}, t0.Add(time.Hour)))
	if again, _ := db.Outgoing(ctx, a); !reflect.DeepEqual(again, got) {
		t.Errorf("second MarkSent changed the item: %+v", again)
	}

	must(t, db.MarkFailed(ctx, b, "403 forbidden"))
	got, _ = db.Outgoing(ctx, b)
	if got.State != bot.OutFailed || got.Attempts != 1 || got.Err != "403 forbidden" {
		t.Errorf("after failed: %+v", got)
	}

	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"retry a sent item", func() error { return db.MarkRetry(ctx, a, "x", t0) }, bot.ErrConflict},
		{"fail a sent item", func() error { return db.MarkFailed(ctx, a, "x") }, bot.ErrConflict},
		{"fail a failed item", func() error { return db.MarkFailed(ctx, b, "x") }, bot.ErrConflict},
		{"retry a failed item", func() error { return db.MarkRetry(ctx, b, "x", t0) }, bot.ErrConflict},
		{"retry a missing item", func() error { return db.MarkRetry(ctx, 999, "x", t0) }, bot.ErrNotFound},
		{"fail a missing item", func() error { return db.MarkFailed(ctx, 999, "x") }, bot.ErrNotFound},
		{"send a missing item", func() error { return db.MarkSent(ctx, 999, ref, t0) }, bot.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, tt.call(), tt.want)
		})
	}
	// A failed item that reached the platform after all can still be marked sent.
	must(t, db.MarkSent(ctx, b, bot.MessageRef{Platform: "web", ID: "late"}, t0))
	if got, _ := db.Outgoing(ctx, c); got.State != bot.OutPending {
		t.Errorf("untouched item: %+v", got)
	}
}

// A withheld item keeps its reply, says why, is audited with it, is not
// pending any more and holds nothing behind it in its channel.
func TestMarkWithheld(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	items := []bot.Outgoing{item("web", "a"), item("web", "b"), item("web", "c")}
	must(t, db.Enqueue(ctx, items))
	a, b, c := items[0].ID, items[1].ID, items[2].ID
	must(t, db.MarkRetry(ctx, a, "429 slow down", t0.Add(time.Minute)))
	audit := bot.AuditEntry{Actor: "engine", Via: "engine", Action: "reply.send", Target: fmt.Sprintf("outgoing:%d", a),
		Detail: "notice withheld: web:c1 is in phase 1 (broadcast)"}
	must(t, db.MarkWithheld(ctx, a, audit))
	got, err := db.Outgoing(ctx, a)
	must(t, err)
	if got.State != bot.OutWithheld || got.Err != audit.Detail || got.Attempts != 1 || got.Reply.Text != "hello a" || !got.SentAt.IsZero() {
		t.Errorf("after withheld: %+v", got)
	}
	if p, _ := db.Pending(ctx, "web", t0, 0); !equal(ids(p), []int64{b, c}) {
		t.Errorf("Pending = %v, want %v: a withheld item holds nothing", ids(p), []int64{b, c})
	}
	log, err := db.AuditLog(ctx, 0)
	must(t, err)
	if len(log) != 1 || log[0].Action != "reply.send" || log[0].Target != audit.Target || log[0].Detail != audit.Detail || !log[0].At.Equal(t0) {
		t.Errorf("audit log %+v", log)
	}

	must(t, db.MarkSent(ctx, b, bot.MessageRef{Platform: "web", ID: "posted-b"}, t0))
	before := counts(t, db)
	tests := []struct {
		name string
		id   int64
		want error
	}{
		{"withhold a withheld item", a, bot.ErrConflict},
		{"withhold a sent item", b, bot.ErrConflict},
		{"withhold a missing item", 999, bot.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, db.MarkWithheld(ctx, tt.id, audit), tt.want)
		})
	}
	sameCounts(t, before, counts(t, db)) // nothing audited for a refused change
	wantErr(t, db.MarkRetry(ctx, a, "x", t0), bot.ErrConflict)
	wantErr(t, db.MarkFailed(ctx, a, "x"), bot.ErrConflict)
}

func TestMarkSentRelaysOnce(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	e := escalate(t, db, "m1", "t", bot.English)
	must(t, db.SaveOutcome(ctx, joinOutcome("m2", e.ID)))
	e, _ = db.Escalation(ctx, e.ID)

	relays := func(event string) []bot.Outgoing {
		var out []bot.Outgoing
		for _, k := range e.Askers {
			out = append(out, bot.Outgoing{To: k.Address, MessageID: k.MessageID, AskerMessageID: k.MessageID,
				Reply: bot.Reply{Kind: bot.KindRelay, Text: "Signed answer", Key: fmt.Sprintf("relay:%s:%d", event, k.MessageID)}})
		}
		return out
	}
	answered := e
	answered.State, answered.AnsweredBy = bot.StateAnswered, "ana"
	c := &bot.EscalationChange{Escalation: &answered, Outbox: relays("ev-1"),
		Answer: &bot.StaffAnswer{StaffID: "ana", EventID: "ev-1", Text: "x", Status: bot.AnswerQueued}}
	must(t, db.ApplyEscalation(ctx, c))
	r1, r2 := c.Outbox[0], c.Outbox[1]
	if r1.EscalationID != e.ID {
		t.Fatalf("relay not linked: %+v", r1)
	}
	// The same answer event redelivered: nothing new is queued.
	dup := answered
	wantErr(t, db.ApplyEscalation(ctx, &bot.EscalationChange{Escalation: &dup, Outbox: relays("ev-1"),
		Answer: &bot.StaffAnswer{StaffID: "ana", EventID: "ev-1", Text: "x", Status: bot.AnswerQueued}}), bot.ErrDuplicate)
	if list, _ := db.Pending(ctx, "web", t0, 0); len(list) != 4 { // 2 acks + 2 relays
		t.Errorf("pending: %d, want 4", len(list))
	}

	must(t, db.MarkSent(ctx, r1.ID, bot.MessageRef{Platform: "web", ChannelID: "help", ID: "r1"}, t0.Add(time.Minute)))
	got, _ := db.Escalation(ctx, e.ID)
	if got.State != bot.StateAnswered || !got.Askers[0].RelayedAt.Equal(t0.Add(time.Minute)) || !got.Askers[1].RelayedAt.IsZero() {
		t.Errorf("after first relay: %s %+v", got.State, got.Askers)
	}
	must(t, db.MarkSent(ctx, r2.ID, bot.MessageRef{Platform: "web", ChannelID: "help", ID: "r2"}, t0.Add(2*time.Minute)))
	got, _ = db.Escalation(ctx, e.ID)
	if got.State != bot.StateRelayed || got.Version != answered.Version+1 || !got.UpdatedAt.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("after every relay: %s v%d (answered v%d) updated %v", got.State, got.Version, answered.Version, got.UpdatedAt)
	}
	// Marking a relay sent again changes nothing.
	must(t, db.MarkSent(ctx, r2.ID, bot.MessageRef{Platform: "web", ID: "r2b"}, t0.Add(time.Hour)))
	again, _ := db.Escalation(ctx, e.ID)
	if !reflect.DeepEqual(again, got) {
		t.Errorf("second MarkSent changed the escalation: %+v", again)
	}
}

// A follow-up answer on an escalation already relayed waits for every
// asker again: its first relay delivered leaves the escalation answered.
func TestFollowUpRelaysMoveToRelayedOnceEveryAskerHasThem(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	e := escalate(t, db, "m1", "t", bot.English)
	must(t, db.SaveOutcome(ctx, joinOutcome("m2", e.ID)))
	e, _ = db.Escalation(ctx, e.ID)
	answer := func(event string, at time.Time) []bot.Outgoing {
		t.Helper()
		var out []bot.Outgoing
		for _, k := range e.Askers {
			out = append(out, bot.Outgoing{To: k.Address, MessageID: k.MessageID, AskerMessageID: k.MessageID,
				Reply: bot.Reply{Kind: bot.KindRelay, Text: "Signed answer", Key: fmt.Sprintf("relay:%s:%d", event, k.MessageID)}})
		}
		answered := e
		answered.State, answered.AnsweredBy, answered.AnsweredAt = bot.StateAnswered, "ana", at
		c := &bot.EscalationChange{Escalation: &answered, Outbox: out,
			Answer: &bot.StaffAnswer{StaffID: "ana", EventID: event, Text: "x", Status: bot.AnswerQueued}}
		must(t, db.ApplyEscalation(ctx, c))
		e, _ = db.Escalation(ctx, e.ID)
		return c.Outbox
	}
	first := answer("ev-1", t0)
	for i, r := range first {
		must(t, db.MarkSent(ctx, r.ID, bot.MessageRef{Platform: "web", ChannelID: "help", ID: fmt.Sprint("a", i)}, t0.Add(time.Minute)))
	}
	if e, _ = db.Escalation(ctx, e.ID); e.State != bot.StateRelayed {
		t.Fatalf("first answer delivered to both: %s, want relayed", e.State)
	}

	second := answer("ev-2", t0.Add(time.Hour))
	if e.State != bot.StateAnswered || !e.Askers[0].RelayedAt.IsZero() || !e.Askers[1].RelayedAt.IsZero() {
		t.Errorf("follow-up queued: %s %+v, want answered and no asker relayed", e.State, e.Askers)
	}
	must(t, db.MarkSent(ctx, second[0].ID, bot.MessageRef{Platform: "web", ChannelID: "help", ID: "b0"}, t0.Add(2*time.Hour)))
	if got, _ := db.Escalation(ctx, e.ID); got.State != bot.StateAnswered {
		t.Errorf("one follow-up relay of two delivered: %s, want answered", got.State)
	}
	must(t, db.MarkSent(ctx, second[1].ID, bot.MessageRef{Platform: "web", ChannelID: "help", ID: "b1"}, t0.Add(2*time.Hour)))
	if got, _ := db.Escalation(ctx, e.ID); got.State != bot.StateRelayed {
		t.Errorf("both follow-up relays delivered: %s, want relayed", got.State)
	}
}

// A citizen who asked twice in one place is sent one relay; delivered, it
// records both their questions as relayed, and not those of another user or
// of the same user elsewhere.
func TestMarkSentRelayReachesEveryQuestionOfTheCitizenThere(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	at := func(user, channel, thread string) func(*bot.Outcome) {
		return func(o *bot.Outcome) {
			a := bot.Address{Platform: "web", ChannelID: channel, ThreadID: thread, UserID: user, ReplyTo: o.Message.ID}
			if o.NewEscalation != nil {
				o.NewEscalation.Askers[0].Address = a
			} else {
				o.Asker.Address = a
			}
		}
	}
	first := escalateOutcome("m1", "t", bot.English)
	at("ana", "help", "")(first)
	must(t, db.SaveOutcome(ctx, first))
	eid := first.NewEscalation.ID
	for _, j := range []struct {
		id   string
		addr func(*bot.Outcome)
	}{
		{"m2", at("ana", "help", "")},     // asked again: reached by the same relay
		{"m3", at("ben", "help", "")},     // someone else
		{"m4", at("ana", "general", "")},  // elsewhere
		{"m5", at("ana", "help", "th-1")}, // in a thread
		{"m6", at("", "help", "")},        // unknown user
		{"m7", at("", "help", "")},
	} {
		o := joinOutcome(j.id, eid)
		j.addr(o)
		must(t, db.SaveOutcome(ctx, o))
	}
	e, _ := db.Escalation(ctx, eid)
	answered := e
	answered.State, answered.AnsweredBy = bot.StateAnswered, "ana"
	k := e.Askers[0]
	relay := bot.Outgoing{To: k.Address, MessageID: k.MessageID, AskerMessageID: k.MessageID,
		Reply: bot.Reply{Kind: bot.KindRelay, Text: "Signed answer", Key: "relay:ev-1:1"}}
	c := &bot.EscalationChange{Escalation: &answered, Outbox: []bot.Outgoing{relay},
		Answer: &bot.StaffAnswer{StaffID: "ana", EventID: "ev-1", Text: "x", Status: bot.AnswerQueued}}
	must(t, db.ApplyEscalation(ctx, c))
	must(t, db.MarkSent(ctx, c.Outbox[0].ID, bot.MessageRef{Platform: "web", ChannelID: "help", ID: "r1"}, t0.Add(time.Hour)))
	got, _ := db.Escalation(ctx, eid)
	var relayed []string
	for _, k := range got.Askers {
		if !k.RelayedAt.IsZero() {
			relayed = append(relayed, k.Address.ReplyTo)
		}
	}
	if want := []string{"m1", "m2"}; !equal(relayed, want) || got.State != bot.StateAnswered {
		t.Errorf("relayed %v (state %s), want %v and still answered", relayed, got.State, want)
	}
}

func TestMarkSentRelayBeforeAnsweredKeepsState(t *testing.T) {
	// A relay delivered while the escalation is not (yet) answered records
	// the asker but does not move the state.
	db, _ := newDB(t)
	ctx := context.Background()
	e := escalate(t, db, "m1", "t", bot.English)
	k := e.Askers[0]
	items := []bot.Outgoing{{To: k.Address, EscalationID: e.ID, AskerMessageID: k.MessageID, Reply: bot.Reply{Kind: bot.KindRelay, Key: "r"}}}
	must(t, db.Enqueue(ctx, items))
	must(t, db.MarkSent(ctx, items[0].ID, bot.MessageRef{Platform: "web", ID: "x"}, t0))
	got, _ := db.Escalation(ctx, e.ID)
	if got.State != bot.StateOpen || got.Version != 1 || got.Askers[0].RelayedAt.IsZero() {
		t.Errorf("%s v%d %+v", got.State, got.Version, got.Askers[0])
	}
}

func TestSentByRef(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	items := []bot.Outgoing{item("discord", "a"), item("discord", "b")}
	must(t, db.Enqueue(ctx, items))
	ref := bot.MessageRef{Platform: "discord", ChannelID: "c1", ID: "900"}
	must(t, db.MarkSent(ctx, items[0].ID, ref, t0))

	tests := []struct {
		name string
		ref  bot.MessageRef
		want int64
	}{
		{"exact", ref, items[0].ID},
		{"any channel", bot.MessageRef{Platform: "discord", ID: "900"}, items[0].ID},
		{"other channel", bot.MessageRef{Platform: "discord", ChannelID: "c2", ID: "900"}, 0},
		{"other platform", bot.MessageRef{Platform: "web", ChannelID: "c1", ID: "900"}, 0},
		{"unsent item has no ref", bot.MessageRef{Platform: "discord", ChannelID: "c1", ID: ""}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.SentByRef(ctx, tt.ref)
			if tt.want == 0 {
				wantErr(t, err, bot.ErrNotFound)
				return
			}
			must(t, err)
			if got.ID != tt.want || !reflect.DeepEqual(got.Ref, ref) {
				t.Errorf("SentByRef = %+v", got)
			}
		})
	}
}

// A reply too long for one message is posted as several: a reply or a
// reaction to any of them is to it, not only to the last, which its ref
// names.
func TestSentByRefAndFeedbackFindAReplyByAnyOfItsMessages(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	o := answerOutcome("m1")
	must(t, db.SaveOutcome(ctx, o))
	id := o.Outbox[0].ID
	ref := bot.MessageRef{Platform: "discord", ChannelID: "help", ID: "903", Earlier: []string{"901", "902"}}
	must(t, db.MarkSent(ctx, id, ref, t0))
	must(t, db.MarkSent(ctx, id, ref, t0)) // delivered again: no error
	tests := []struct {
		name string
		ref  bot.MessageRef
		want int64
	}{
		{"last", bot.MessageRef{Platform: "discord", ChannelID: "help", ID: "903"}, id},
		{"first", bot.MessageRef{Platform: "discord", ChannelID: "help", ID: "901"}, id},
		{"second, any channel", bot.MessageRef{Platform: "discord", ID: "902"}, id},
		{"first, other channel", bot.MessageRef{Platform: "discord", ChannelID: "other", ID: "901"}, 0},
		{"first, other platform", bot.MessageRef{Platform: "web", ChannelID: "help", ID: "901"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.SentByRef(ctx, tt.ref)
			if tt.want == 0 {
				wantErr(t, err, bot.ErrNotFound)
				return
			}
			must(t, err)
			if got.ID != tt.want || got.Ref.ID != "903" {
				t.Errorf("SentByRef = %+v", got)
			}
		})
	}
	must(t, db.SaveFeedback(ctx, bot.Reaction{Platform: "discord", ChannelID: "help", MessageID: "901", UserID: "u1", Value: 1, Time: t0.Add(time.Minute)}))
	must(t, db.SaveFeedback(ctx, bot.Reaction{Platform: "discord", ChannelID: "help", MessageID: "903", UserID: "u2", Value: -1, Time: t0.Add(time.Minute)}))
	wantErr(t, db.SaveFeedback(ctx, bot.Reaction{Platform: "discord", ChannelID: "other", MessageID: "902", UserID: "u3", Value: 1}), bot.ErrNotFound)
	s, err := db.Summary(ctx, time.Time{}, time.Time{})
	must(t, err)
	if s.Helpful != 1 || s.NotHelpful != 1 {
		t.Errorf("helpful %d, not helpful %d; want 1 each (on the first message and on the last)", s.Helpful, s.NotHelpful)
	}
}
