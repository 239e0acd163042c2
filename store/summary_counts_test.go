package store

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// Each median comes with the number of measurements behind it: the
// questions asked in the period that got a reply (each once, however many
// replies it got, and even when the reply came after the period), and the
// escalations created in the period whose staff answer was relayed (each
// once, however many citizens it reached). A purge leaves both as they
// were.
func TestSummaryCountsTheMeasurementsBehindEachMedian(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	since, until := t0, t0.Add(3*time.Hour)

	// Asked before the period: neither its reply nor its relay, both in
	// the period, is measured.
	answered(t, db, "before", since.Add(-time.Second))
	old := escalated(t, db, "old-escalation", since.Add(-time.Hour))
	for i, r := range answerEscalation(t, db, old, since.Add(30*time.Minute)) {
		must(t, db.MarkSent(ctx, r.ID, bot.MessageRef{Platform: "web", ChannelID: "help", ID: fmt.Sprint("relay-old-", i)}, since.Add(time.Hour)))
	}

	// In the period: an answer (1 s); a question acknowledged (1 s) and
	// then relayed, with a second citizen who joined it (acknowledged in
	// 1 s, relayed too); an answer sent after the period ends (1 s).
	answered(t, db, "answered", since.Add(10*time.Minute))
	e := escalated(t, db, "escalated", since)
	join := joinOutcome("joined", e.ID)
	join.Message.Time, join.Decision.At = since.Add(time.Minute), since.Add(time.Minute)
	must(t, db.SaveOutcome(ctx, join))
	must(t, db.MarkSent(ctx, join.Outbox[0].ID, bot.MessageRef{Platform: "web", ChannelID: "help", ID: "ack-joined"}, since.Add(time.Minute+time.Second)))
	e, err := db.Escalation(ctx, e.ID)
	must(t, err)
	for i, r := range answerEscalation(t, db, e, since.Add(time.Hour)) {
		must(t, db.MarkSent(ctx, r.ID, bot.MessageRef{Platform: "web", ChannelID: "help", ID: fmt.Sprint("relay-", i)}, since.Add(2*time.Hour)))
	}
	answered(t, db, "late", until.Add(-time.Second))

	// Not measured: a question whose reply is still on its way, an
	// escalation not answered yet, and a question after the period.
	pending := answerOutcome("pending")
	pending.Message.Time, pending.Decision.At = since.Add(20*time.Minute), since.Add(20*time.Minute)
	must(t, db.SaveOutcome(ctx, pending))
	waiting := escalateOutcome("waiting", "taxes", bot.English)
	waiting.Message.Time, waiting.Decision.At = since.Add(30*time.Minute), since.Add(30*time.Minute)
	waiting.NewEscalation.CreatedAt = since.Add(30 * time.Minute)
	must(t, db.SaveOutcome(ctx, waiting))
	answered(t, db, "after", until.Add(time.Hour))

	check := func(when string) {
		t.Helper()
		s, err := db.Summary(ctx, since, until)
		must(t, err)
		if s.FirstResponses != 4 || s.MedianFirstResponse != time.Second {
			t.Errorf("%s: median first response %v over %d questions, want 1s over 4 (answered, escalated, joined, late)",
				when, s.MedianFirstResponse, s.FirstResponses)
		}
		if s.StaffAnswers != 1 || s.MedianStaffAnswer != 2*time.Hour {
			t.Errorf("%s: median staff answer %v over %d escalations, want 2h0m0s over 1", when, s.MedianStaffAnswer, s.StaffAnswers)
		}
	}
	check("before the purge")
	res, err := db.Purge(ctx, until.Add(2*time.Hour))
	must(t, err)
	if res.Messages == 0 {
		t.Fatalf("the purge took nothing: %+v", res)
	}
	check("after the purge")

	// Nothing to measure: both medians and their counts are 0.
	s, err := db.Summary(ctx, until.Add(3*time.Hour), until.Add(4*time.Hour))
	must(t, err)
	if s.FirstResponses != 0 || s.MedianFirstResponse != 0 || s.StaffAnswers != 0 || s.MedianStaffAnswer != 0 {
		t.Errorf("an empty period: first response %v over %d, staff answer %v over %d; want all 0",
			s.MedianFirstResponse, s.FirstResponses, s.MedianStaffAnswer, s.StaffAnswers)
	}
}

// The comment policy records and leaves a thank-you and a message of emoji
// or punctuation alone: they ask nothing, so they count neither as
// questions nor as questions not answered by policy, in the decisions the
// engine writes for them (in a help channel and in reply to the bot), but
// apart, as messages left.
// Abuse, a partisan notice and a message over the flood limit (stopped
// before its text is read) are questions not answered by policy.
func TestSummaryDoesNotCountThanksOrEmojiAsQuestions(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	save := func(id, text string, lang bot.Lang, a bot.Action, r bot.Reason, kind bot.ReplyKind) {
		t.Helper()
		o := answerOutcome(id)
		o.Message.Text = text
		o.Decision = bot.Decision{Action: a, Reason: r, Phase: 2, Lang: lang, At: t0}
		o.Outbox[0].Reply.Kind, o.Outbox[0].Reply.Key = kind, string(r)+":web:"+id
		if kind == "" {
			o.Outbox = nil
		}
		must(t, db.SaveOutcome(ctx, o))
	}
	save("thanks", "thanks!", bot.English, bot.ActIgnore, bot.ReasonCourtesy, "")
	save("merci", "merci pour l'info", bot.French, bot.ActIgnore, bot.ReasonCourtesy, "")
	save("marks", "???", bot.English, bot.ActIgnore, bot.ReasonNoWords, "")
	save("emoji", "🙏🙏", bot.French, bot.ActIgnore, bot.ReasonNoWords, "")
	replied := answerOutcome("replied")
	replied.Message.Mentioned, replied.Message.ReplyToBot, replied.Message.Text = false, true, "thank you so much"
	replied.Decision, replied.Outbox = bot.Decision{Action: bot.ActIgnore, Reason: bot.ReasonCourtesy, Phase: 2, Lang: bot.English, At: t0}, nil
	must(t, db.SaveOutcome(ctx, replied))

	save("abuse", "you idiot", bot.English, bot.ActIgnore, bot.ReasonAbuse, "")
	save("partisan", "Carney vs. Poilievre?", bot.English, bot.ActNotice, bot.ReasonPartisan, bot.KindNotice)
	save("flood", "passport?", bot.French, bot.ActNotice, bot.ReasonFlood, bot.KindNotice)
	save("flood-silent", "thanks!", bot.French, bot.ActIgnore, bot.ReasonFloodSilent, "")

	s, err := db.Summary(ctx, time.Time{}, time.Time{})
	must(t, err)
	if want := map[bot.Lang]int{bot.English: 2, bot.French: 2}; !maps.Equal(s.Questions, want) || s.Ignored != 4 {
		t.Errorf("questions %v, not answered by policy %d: want %v and 4 (abuse, partisan, two over the flood limit)",
			s.Questions, s.Ignored, want)
	}
	if s.Left != 5 {
		t.Errorf("%d messages left, want 5 (three thank-yous, two of emoji or punctuation)", s.Left)
	}
	if s.Answered+s.Escalated+s.Shadow+s.LanguageRequests+s.FirstResponses != 0 {
		t.Errorf("summary %+v: want no answer, escalation, shadow record, language request or first response", s)
	}
}
