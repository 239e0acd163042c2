package store

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

func TestSaveFeedback(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	o := answerOutcome("m1")
	must(t, db.SaveOutcome(ctx, o))
	ref := bot.MessageRef{Platform: "web", ChannelID: "help", ID: "bot-1"}
	must(t, db.MarkSent(ctx, o.Outbox[0].ID, ref, t0))
	react := func(user string, v int, at time.Time) bot.Reaction {
		return bot.Reaction{Platform: "web", ChannelID: "help", MessageID: "bot-1", UserID: user, Value: v, Time: at}
	}
	value := func(user string) (int, bool) {
		var v int
		err := db.r.QueryRow(`SELECT value FROM feedback WHERE outbox_id = ? AND user_id = ?`, o.Outbox[0].ID, user).Scan(&v)
		return v, err == nil
	}

	must(t, db.SaveFeedback(ctx, react("u1", 1, t0)))
	must(t, db.SaveFeedback(ctx, react("u1", -1, t0.Add(time.Second)))) // changed their mind
	if v, _ := value("u1"); v != -1 {
		t.Errorf("second reaction did not replace the first: %d", v)
	}
	must(t, db.SaveFeedback(ctx, react("u1", 1, t0.Add(-time.Second)))) // an older one delivered late
	if v, _ := value("u1"); v != -1 {
		t.Errorf("a late, older reaction replaced a newer one: %d", v)
	}
	must(t, db.SaveFeedback(ctx, react("u1", 0, t0.Add(2*time.Second)))) // withdrawn
	if v, ok := value("u1"); v != 0 || !ok {
		t.Errorf("withdrawn: %d %v", v, ok)
	}
	if n := count(t, db, "feedback"); n != 1 {
		t.Errorf("feedback rows: %d, want 1 per user and message", n)
	}
	r := react("u2", 1, time.Time{}) // zero time: the clock
	r.ChannelID = ""                 // channel unknown: matched by id
	must(t, db.SaveFeedback(ctx, r))

	tests := []struct {
		name string
		r    bot.Reaction
		want error
	}{
		{"not a bot message", bot.Reaction{Platform: "web", ChannelID: "help", MessageID: "citizen-7", UserID: "u1", Value: 1}, bot.ErrNotFound},
		{"other channel", bot.Reaction{Platform: "web", ChannelID: "other", MessageID: "bot-1", UserID: "u1", Value: 1}, bot.ErrNotFound},
		{"empty message id", bot.Reaction{Platform: "web", UserID: "u1", Value: 1}, bot.ErrNotFound},
		{"value out of range", react("u1", 2, t0), bot.ErrInvalid},
		{"no user", react("", 1, t0), bot.ErrInvalid},
		{"removal without a value", bot.Reaction{Platform: "web", ChannelID: "help", MessageID: "bot-1", UserID: "u1", Removed: true, Time: t0}, bot.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := counts(t, db)
			wantErr(t, db.SaveFeedback(ctx, tt.r), tt.want)
			sameCounts(t, before, counts(t, db))
		})
	}
}

// TestSaveFeedbackKeepsEachEmoji: on Discord a citizen may hold 👍 and 👎
// on one answer at once, and removing one leaves the other, which is then
// counted; with both held, the one added last is counted.
func TestSaveFeedbackKeepsEachEmoji(t *testing.T) {
	type step struct {
		value   int
		removed bool
	}
	add := func(v int) step { return step{value: v} }
	remove := func(v int) step { return step{value: v, removed: true} }
	tests := []struct {
		name                string
		steps               []step
		helpful, notHelpful int
	}{
		{"👍 added, 👎 added, 👍 removed: 👎 is left", []step{add(1), add(-1), remove(1)}, 0, 1},
		{"👎 added, 👍 added, 👎 removed: 👍 is left", []step{add(-1), add(1), remove(-1)}, 1, 0},
		{"👍 added then removed: nothing is left", []step{add(1), remove(1)}, 0, 0},
		{"👎 added then removed, 👍 added: 👍", []step{add(-1), remove(-1), add(1)}, 1, 0},
		{"👎 removed that was never recorded: nothing", []step{remove(-1)}, 0, 0},
		{"👍 added, 👎 added, 👎 removed: 👍 is left", []step{add(1), add(-1), remove(-1)}, 1, 0},
		{"👎 added, 👍 added, 👍 removed: 👎 is left", []step{add(-1), add(1), remove(1)}, 0, 1},
		{"👍 added, 👎 added: the last added counts", []step{add(1), add(-1)}, 0, 1},
		{"👍, 👎, 👎 removed, 👍 removed: nothing", []step{add(1), add(-1), remove(-1), remove(1)}, 0, 0},
		{"web chat: 0 withdraws whatever is recorded", []step{add(-1), add(0)}, 0, 0},
		{"web chat: 0 withdraws both emoji", []step{add(1), add(-1), add(0)}, 0, 0},
		{"web chat: 👍, 👎, then 👍 chosen again: 👍", []step{add(1), add(-1), add(1)}, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := newDB(t)
			ctx := context.Background()
			o := answerOutcome("m1")
			must(t, db.SaveOutcome(ctx, o))
			must(t, db.MarkSent(ctx, o.Outbox[0].ID, bot.MessageRef{Platform: "discord", ChannelID: "help", ID: "bot-1"}, t0))
			for i, s := range tt.steps {
				must(t, db.SaveFeedback(ctx, bot.Reaction{Platform: "discord", ChannelID: "help", MessageID: "bot-1", UserID: "u1",
					Value: s.value, Removed: s.removed, Time: t0.Add(time.Duration(i+1) * time.Second)}))
			}
			s, err := db.Summary(ctx, t0.Add(-time.Hour), time.Time{})
			must(t, err)
			if s.Helpful != tt.helpful || s.NotHelpful != tt.notHelpful {
				t.Errorf("helpful %d, not helpful %d; want %d, %d", s.Helpful, s.NotHelpful, tt.helpful, tt.notHelpful)
			}
		})
	}
}

// TestSaveFeedbackOnAReplyPostedAsSeveralMessages: a reply too long for one
// message is posted as several, and a citizen may hold an emoji on more
// than one of them. They hold it on the reply while any of them does:
// taking it off one leaves it counted, taking it off the last one held
// does not; with both emoji held, the one added last counts.
func TestSaveFeedbackOnAReplyPostedAsSeveralMessages(t *testing.T) {
	type step struct {
		part    string // "first" or "last"
		value   int
		removed bool
	}
	add := func(part string, v int) step { return step{part: part, value: v} }
	remove := func(part string, v int) step { return step{part: part, value: v, removed: true} }
	tests := []struct {
		name                string
		steps               []step
		helpful, notHelpful int
	}{
		{"👍 on both, taken off the last: 👍 on the first is left", []step{add("first", 1), add("last", 1), remove("last", 1)}, 1, 0},
		{"👍 on both, taken off the first: 👍 on the last is left", []step{add("first", 1), add("last", 1), remove("first", 1)}, 1, 0},
		{"👍 on both, taken off both: nothing", []step{add("first", 1), add("last", 1), remove("last", 1), remove("first", 1)}, 0, 0},
		{"👎 on both, 👍 on the first, 👎 taken off the last: 👍 added last", []step{add("first", -1), add("last", -1), add("first", 1), remove("last", -1)}, 1, 0},
		{"👍 on the first, 👎 on the last, 👎 taken off: 👍 is left", []step{add("first", 1), add("last", -1), remove("last", -1)}, 1, 0},
		{"👍 on the first, taken off the last where it never was: 👍 is left", []step{add("first", 1), remove("last", 1)}, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := newDB(t)
			ctx := context.Background()
			o := answerOutcome("m1")
			must(t, db.SaveOutcome(ctx, o))
			must(t, db.MarkSent(ctx, o.Outbox[0].ID, bot.MessageRef{Platform: "discord", ChannelID: "help", ID: "bot-2", Earlier: []string{"bot-1"}}, t0))
			ids := map[string]string{"first": "bot-1", "last": "bot-2"}
			for i, s := range tt.steps {
				must(t, db.SaveFeedback(ctx, bot.Reaction{Platform: "discord", ChannelID: "help", MessageID: ids[s.part], UserID: "u1",
					Value: s.value, Removed: s.removed, Time: t0.Add(time.Duration(i+1) * time.Second)}))
			}
			s, err := db.Summary(ctx, t0.Add(-time.Hour), time.Time{})
			must(t, err)
			if s.Helpful != tt.helpful || s.NotHelpful != tt.notHelpful {
				t.Errorf("helpful %d, not helpful %d; want %d, %d", s.Helpful, s.NotHelpful, tt.helpful, tt.notHelpful)
			}
		})
	}
}

// Only answers and relayed staff answers invite feedback: a reaction on a
// broadcast, an acknowledgement or a notice is not about an answer, is not
// recorded and, when recorded before that rule, is not counted.
func TestFeedbackIsOnlyOnAnswersAndRelays(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	sent := func(items []bot.Outgoing, ref string) {
		t.Helper()
		must(t, db.MarkSent(ctx, items[0].ID, bot.MessageRef{Platform: "web", ChannelID: "help", ID: ref}, t0))
	}
	bc := []bot.Outgoing{{To: bot.Address{Platform: "web", ChannelID: "help"},
		Reply: bot.Reply{Kind: bot.KindBroadcast, Text: "Offices close at noon. / Les bureaux ferment à midi.", Key: "broadcast:1:web:help"}}}
	must(t, db.Enqueue(ctx, bc))
	sent(bc, "r-broadcast")
	notice := []bot.Outgoing{{To: bot.Address{Platform: "web", ChannelID: "help", UserID: "u9"},
		Reply: bot.Reply{Kind: bot.KindNotice, Text: "One question at a time, please.", Key: "notice:web:9"}}}
	must(t, db.Enqueue(ctx, notice))
	sent(notice, "r-notice")
	esc := escalateOutcome("esc", "benefits", bot.English)
	must(t, db.SaveOutcome(ctx, esc))
	sent(esc.Outbox, "r-ack")
	ans := answerOutcome("ans")
	must(t, db.SaveOutcome(ctx, ans))
	sent(ans.Outbox, "r-answer")
	e, err := db.Escalation(ctx, esc.NewEscalation.ID)
	must(t, err)
	e.State = bot.StateAnswered
	k := e.Askers[0]
	c := &bot.EscalationChange{Escalation: &e, Outbox: []bot.Outgoing{{To: k.Address, MessageID: k.MessageID, AskerMessageID: k.MessageID,
		Reply: bot.Reply{Kind: bot.KindRelay, Text: "It leaves tomorrow. — Sam", Feedback: true, Key: "relay:esc"}}}}
	must(t, db.ApplyEscalation(ctx, c))
	sent(c.Outbox, "r-relay")

	for _, r := range []struct {
		ref  string
		v    int
		kept bool
	}{
		{"r-broadcast", 1, false}, {"r-notice", -1, false}, {"r-ack", -1, false},
		{"r-answer", 1, true}, {"r-relay", -1, true},
	} {
		before := count(t, db, "feedback")
		must(t, db.SaveFeedback(ctx, bot.Reaction{Platform: "web", ChannelID: "help", MessageID: r.ref, UserID: "u1", Value: r.v, Time: t0.Add(time.Minute)}))
		want := 0
		if r.kept {
			want = 1
		}
		if got := count(t, db, "feedback") - before; got != want {
			t.Errorf("a reaction on %s added %d feedback rows, want %d", r.ref, got, want)
		}
	}
	// A reaction on the acknowledgement recorded before that rule.
	_, err = db.w.Exec(`INSERT INTO feedback (outbox_id, user_id, value, rated_at, at, helpful, helpful_at)
		VALUES (?1, 'u2', 1, ?2, ?2, 1, ?2)`, esc.Outbox[0].ID, ts(t0.Add(time.Minute)))
	must(t, err)

	s, err := db.Summary(ctx, t0, time.Time{})
	must(t, err)
	if s.Helpful != 1 || s.NotHelpful != 1 {
		t.Errorf("Summary: helpful %d, not helpful %d; want 1 and 1 (the answer's and the relay's only)", s.Helpful, s.NotHelpful)
	}
}

func TestSummaryEmpty(t *testing.T) {
	db, _ := newDB(t)
	s, err := db.Summary(context.Background(), time.Time{}, time.Time{})
	must(t, err)
	want := bot.Summary{Questions: map[bot.Lang]int{}}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("Summary = %+v", s)
	}
}

func TestSummary(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	sec := time.Second
	save := func(o *bot.Outcome) *bot.Outcome {
		t.Helper()
		must(t, db.SaveOutcome(ctx, o))
		return o
	}
	sent := func(id int64, ref string, after time.Duration) {
		t.Helper()
		must(t, db.MarkSent(ctx, id, bot.MessageRef{Platform: "web", ChannelID: "help", ID: ref}, t0.Add(after)))
	}
	decided := func(o *bot.Outcome, lang bot.Lang, a bot.Action, r bot.Reason, would bot.Action) *bot.Outcome {
		o.Decision.Lang, o.Decision.Action, o.Decision.Reason, o.Decision.Would = lang, a, r, would
		o.Decision.At = t0
		return o
	}

	// Before the period: not counted, except an escalation still open.
	old := answerOutcome("old")
	old.Message.Time, old.Decision.At = t0.Add(-time.Hour), t0.Add(-time.Hour)
	save(old)
	sent(old.Outbox[0].ID, "r-old", -time.Hour+sec)
	stale := escalateOutcome("stale", "passports", bot.English)
	stale.Message.Time, stale.Decision.At = t0.Add(-2*time.Hour), t0.Add(-2*time.Hour)
	stale.NewEscalation.CreatedAt = t0.Add(-2 * time.Hour)
	stale.NewEscalation.Askers[0].AskedAt = t0.Add(-2 * time.Hour)
	save(stale)

	// Answered, in both languages.
	en := save(decided(answerOutcome("en"), bot.English, bot.ActAnswer, bot.ReasonConfident, ""))
	sent(en.Outbox[0].ID, "r-en", 2*sec)
	fr := save(decided(answerOutcome("fr"), bot.French, bot.ActAnswer, bot.ReasonConfident, ""))
	sent(fr.Outbox[0].ID, "r-fr", 4*sec)

	// Escalated, joined, acknowledged, answered and relayed.
	esc := save(escalateOutcome("esc", "passports", bot.English))
	sent(esc.Outbox[0].ID, "ack-esc", 1*sec)
	join := joinOutcome("join", esc.NewEscalation.ID)
	join.Decision.Lang, join.Decision.At = bot.French, t0
	save(join)
	sent(join.Outbox[0].ID, "ack-join", 3*sec)
	e, _ := db.Escalation(ctx, esc.NewEscalation.ID)
	e.State = bot.StateAnswered
	var relays []bot.Outgoing
	for _, k := range e.Askers {
		relays = append(relays, bot.Outgoing{To: k.Address, MessageID: k.MessageID, AskerMessageID: k.MessageID,
			Reply: bot.Reply{Kind: bot.KindRelay, Key: "relay:" + k.Address.ReplyTo}})
	}
	c := &bot.EscalationChange{Escalation: &e, Outbox: relays}
	must(t, db.ApplyEscalation(ctx, c))
	sent(c.Outbox[0].ID, "relay-1", 10*time.Minute)
	sent(c.Outbox[1].ID, "relay-2", 12*time.Minute)

	// Escalated, still open, with a desk notice (not a reply to the citizen).
	taxes := escalateOutcome("taxes", "taxes", bot.English)
	taxes.NewEscalation.CreatedAt = t0.Add(time.Minute)
	taxes.Outbox[0].To = bot.Address{Platform: bot.DeskPlatform}
	save(taxes)
	sent(taxes.Outbox[0].ID, "desk-1", sec/2)

	// Shadow, ignored, noticed, and not questions at all.
	save(decided(answerOutcome("sh1"), bot.French, bot.ActShadow, bot.ReasonPhase, bot.ActAnswer))
	save(decided(answerOutcome("sh2"), bot.English, bot.ActShadow, bot.ReasonPhase, bot.ActEscalate))
	save(decided(answerOutcome("abuse"), bot.English, bot.ActIgnore, bot.ReasonAbuse, ""))
	save(decided(answerOutcome("flood"), bot.English, bot.ActNotice, bot.ReasonFlood, ""))
	save(decided(answerOutcome("chatter"), bot.English, bot.ActIgnore, bot.ReasonNotAddressed, ""))
	save(decided(answerOutcome("image"), "", bot.ActIgnore, bot.ReasonEmpty, ""))
	botMsg := decided(answerOutcome("bot"), bot.English, bot.ActIgnore, bot.ReasonBotAuthor, "")
	botMsg.Message.AuthorBot = true
	save(botMsg)

	// Feedback: one helpful, one changed to helpful, one withdrawn, one not helpful.
	for _, r := range []struct {
		ref, user string
		v         int
		at        time.Duration
	}{
		{"r-en", "a", 1, sec}, {"r-en", "b", -1, sec}, {"r-en", "b", 1, 2 * sec}, {"r-en", "c", 1, sec},
		{"r-en", "c", 0, 2 * sec}, {"r-fr", "a", -1, sec}, {"r-old", "a", -1, -time.Hour},
	} {
		must(t, db.SaveFeedback(ctx, bot.Reaction{Platform: "web", ChannelID: "help", MessageID: r.ref, UserID: r.user, Value: r.v, Time: t0.Add(r.at)}))
	}

	got, err := db.Summary(ctx, t0, time.Time{})
	must(t, err)
	want := bot.Summary{
		Since:               t0,
		Questions:           map[bot.Lang]int{bot.English: 6, bot.French: 3},
		Answered:            2,
		Escalated:           3,
		Shadow:              2,
		ShadowWouldAnswer:   1,
		Ignored:             2,
		OpenEscalations:     2,
		OldestOpen:          t0.Add(-2 * time.Hour),
		MedianFirstResponse: 2500 * time.Millisecond, // 1s, 2s, 3s, 4s
		FirstResponses:      4,                       // en, fr, esc and join, each once though relayed too
		MedianStaffAnswer:   10 * time.Minute,
		StaffAnswers:        1,
		Helpful:             2,
		NotHelpful:          1,
		TopGaps:             []bot.Gap{{Topic: "passports", Count: 2}, {Topic: "taxes", Count: 1}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Summary =\n%+v\nwant\n%+v", got, want)
	}

	// Over everything: the older answer, escalation and feedback count too.
	all, err := db.Summary(ctx, time.Time{}, time.Time{})
	must(t, err)
	if all.Questions[bot.English] != 8 || all.Answered != 3 || all.NotHelpful != 2 || all.TopGaps[0] != (bot.Gap{Topic: "passports", Count: 3}) {
		t.Errorf("Summary(all) = %+v", all)
	}
	if all.MedianFirstResponse != 2*sec { // 1s, 1s, 2s, 3s, 4s
		t.Errorf("MedianFirstResponse(all) = %v", all.MedianFirstResponse)
	}

	// A closed period, before t0: only the older answer, escalation and
	// feedback; what is open is what waited at its end (the stale
	// escalation; those created at t0 and after came later).
	before, err := db.Summary(ctx, t0.Add(-2*time.Hour), t0)
	must(t, err)
	wantBefore := bot.Summary{
		Since:               t0.Add(-2 * time.Hour),
		Until:               t0,
		Questions:           map[bot.Lang]int{bot.English: 2},
		Answered:            1,
		Escalated:           1,
		OpenEscalations:     1,
		OldestOpen:          t0.Add(-2 * time.Hour),
		MedianFirstResponse: sec,
		FirstResponses:      1,
		NotHelpful:          1,
		TopGaps:             []bot.Gap{{Topic: "passports", Count: 1}},
	}
	if !reflect.DeepEqual(before, wantBefore) {
		t.Errorf("Summary(before t0) =\n%+v\nwant\n%+v", before, wantBefore)
	}
}

// Reports count what reached the citizen: an answer withheld at a switch to
// phase 1, or refused by the platform for good, is not counted as
// answered, but as withheld or undelivered; one sent or still on its way
// is. Other decisions keep their own figures whatever became of their
// replies.
func TestSummaryCountsAnswersThatReachedTheCitizen(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	answer := func(id string, lang bot.Lang) *bot.Outcome {
		t.Helper()
		o := answerOutcome(id)
		o.Decision.Lang, o.Decision.At = lang, t0
		must(t, db.SaveOutcome(ctx, o))
		return o
	}
	withheld := func(o *bot.Outcome) {
		t.Helper()
		must(t, db.MarkWithheld(ctx, o.Outbox[0].ID, bot.AuditEntry{Actor: "engine", Via: "engine", Action: "reply.send",
			Target: fmt.Sprintf("outgoing:%d", o.Outbox[0].ID), Detail: "answer withheld: web:help is in phase 1 (broadcast)"}))
	}

	sent := answer("sent", bot.English)
	must(t, db.MarkSent(ctx, sent.Outbox[0].ID, bot.MessageRef{Platform: "web", ChannelID: "help", ID: "r-sent"}, t0.Add(time.Second)))
	answer("pending", bot.French) // still on its way
	withheld(answer("withheld-en", bot.English))
	withheld(answer("withheld-fr", bot.French))
	refused := answer("refused", bot.English)
	must(t, db.MarkFailed(ctx, refused.Outbox[0].ID, "unknown message"))
	// A flood notice withheld too: still not answered by policy.
	flood := answerOutcome("flood")
	flood.Decision.Action, flood.Decision.Reason, flood.Decision.At = bot.ActNotice, bot.ReasonFlood, t0
	flood.Outbox[0].Reply.Kind = bot.KindNotice
	must(t, db.SaveOutcome(ctx, flood))
	withheld(flood)

	got, err := db.Summary(ctx, time.Time{}, time.Time{})
	must(t, err)
	want := bot.Summary{
		Questions:           map[bot.Lang]int{bot.English: 4, bot.French: 2},
		Answered:            2,
		Withheld:            2,
		Undelivered:         1,
		Ignored:             1,
		MedianFirstResponse: time.Second,
		FirstResponses:      1,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Summary =\n%+v\nwant\n%+v", got, want)
	}
	checkPlan(t, db, unreachedQuery, "outbox_unreached_answers", "", endOfTime)
	checkPlan(t, db, decisionsQuery, "messages_at", "", endOfTime)
}

// A question whose answer was queued more than once counts by the most
// favourable of its items: answered when one was sent or is on its way,
// else withheld when one was withheld, else undelivered. Questions asked
// outside the period count in none of these figures.
func TestSummaryCountsAnAnswerByItsBestItem(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	withhold := func(id int64) {
		t.Helper()
		must(t, db.MarkWithheld(ctx, id, bot.AuditEntry{Actor: "engine", Via: "engine", Action: "reply.send",
			Target: fmt.Sprintf("outgoing:%d", id), Detail: "answer withheld"}))
	}
	fail := func(id int64) { t.Helper(); must(t, db.MarkFailed(ctx, id, "unknown message")) }
	send := func(id int64) {
		t.Helper()
		must(t, db.MarkSent(ctx, id, bot.MessageRef{Platform: "web", ChannelID: "help", ID: fmt.Sprint("r", id)}, t0.Add(time.Second)))
	}
	keep := func(int64) {}
	tests := []struct {
		id            string
		at            time.Time
		first, second func(int64)
	}{
		{"withheld-failed", t0, withhold, fail}, // withheld
		{"failed-withheld", t0, fail, withhold}, // withheld
		{"failed-failed", t0, fail, fail},       // undelivered
		{"failed-pending", t0, fail, keep},      // answered
		{"withheld-sent", t0, withhold, send},   // answered
		{"before", t0.Add(-time.Hour), withhold, fail},
		{"after", t0.Add(time.Hour), fail, fail},
	}
	for _, tt := range tests {
		o := answerOutcome(tt.id)
		o.Message.Time, o.Decision.At = tt.at, tt.at
		again := o.Outbox[0]
		again.Reply.Key += ":again"
		o.Outbox = append(o.Outbox, again)
		must(t, db.SaveOutcome(ctx, o))
		tt.first(o.Outbox[0].ID)
		tt.second(o.Outbox[1].ID)
	}

	got, err := db.Summary(ctx, t0, t0.Add(time.Minute))
	must(t, err)
	if got.Questions[bot.English] != 5 || got.Answered != 2 || got.Withheld != 2 || got.Undelivered != 1 {
		t.Errorf("Summary: %d questions, %d answered, %d withheld, %d undelivered; want 5, 2, 2, 1",
			got.Questions[bot.English], got.Answered, got.Withheld, got.Undelivered)
	}
}
