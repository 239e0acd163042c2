package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/i18n"
	"github.com/liaison-gc/liaison/knowledge"
	"github.com/liaison-gc/liaison/store"
)

func TestUnknownQuestionIsAcknowledgedAndEscalated(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("ana", goatEN+" My email is ana@example.com")
	if d.Action != bot.ActEscalate || d.EscalationID == 0 {
		t.Fatalf("%+v", d)
	}
	e.tick()
	s := e.ch.all()
	if len(s) != 1 || s[0].Reply.Kind != bot.KindAck || s[0].Reply.Lang != bot.English {
		t.Fatalf("sent %+v", s)
	}
	if e.desk.postCount() != 1 {
		t.Fatalf("desk posts: %d", e.desk.postCount())
	}
	esc, err := e.eng.Escalation(e.ctx, d.EscalationID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(esc.Question, "ana@example.com") || !strings.Contains(esc.Question, "[email]") {
		t.Errorf("personal data reached the desk: %q", esc.Question)
	}
	if esc.DeskRef == "" || esc.State != bot.StateOpen || esc.RoutedTo == "" {
		t.Errorf("escalation = %+v", esc)
	}
}

func TestSimilarQuestionsJoinOneEscalationAndEveryAskerGetsTheAnswerOnce(t *testing.T) {
	e := newEnv(t, nil)
	d1 := e.ask("ana", goatEN)
	d2 := e.ask("ben", goatEN2)
	d3 := e.ask("chloe", goatFR)
	if d2.Reason != bot.ReasonJoined || d2.EscalationID != d1.EscalationID {
		t.Fatalf("similar question did not join: first %+v second %+v", d1, d2)
	}
	if d3.EscalationID == d1.EscalationID {
		t.Fatalf("French question joined the English escalation")
	}
	e.tick()
	if e.desk.postCount() != 2 {
		t.Fatalf("desk posts = %d, want 2", e.desk.postCount())
	}
	esc, _ := e.eng.Escalation(e.ctx, d1.EscalationID)
	if len(esc.Askers) != 2 {
		t.Fatalf("askers = %d", len(esc.Askers))
	}
	staff, _ := roster.ByID(esc.RoutedTo)
	if !staff.Speaks(bot.English) {
		t.Errorf("English escalation routed to %s, who does not speak English", staff.ID)
	}
	res, err := e.eng.Answer(e.ctx, bot.DeskAnswer{DeskRef: esc.DeskRef, DeskUserID: staff.DeskUserID, EventID: "ev-1",
		Text: "Only service animals may attend the ceremony. @everyone"})
	if err != nil || res.Relays != 2 || res.Mismatch {
		t.Fatalf("answer: %+v %v", res, err)
	}
	// The desk redelivers the same event.
	again, err := e.eng.Answer(e.ctx, bot.DeskAnswer{DeskRef: esc.DeskRef, DeskUserID: staff.DeskUserID, EventID: "ev-1", Text: "Only service animals may attend the ceremony. @everyone"})
	if err != nil || !again.Duplicate {
		t.Fatalf("redelivered answer: %+v %v", again, err)
	}
	e.tick()
	e.tick()
	var relays []sent
	for _, s := range e.ch.all() {
		if s.Reply.Kind == bot.KindRelay {
			relays = append(relays, s)
		}
	}
	if len(relays) != 2 {
		t.Fatalf("relayed %d times, want 2 (one per asker)", len(relays))
	}
	users := map[string]bool{}
	for _, r := range relays {
		users[r.To.UserID] = true
		if !strings.Contains(r.Reply.Text, staff.Name) || !strings.Contains(r.Reply.Text, staff.TitleEN) {
			t.Errorf("relay not signed: %q", r.Reply.Text)
		}
		if strings.Contains(r.Reply.Text, "@everyone") {
			t.Errorf("relay can ping everyone: %q", r.Reply.Text)
		}
	}
	if !users["ana"] || !users["ben"] {
		t.Errorf("relayed to %v", users)
	}
	esc, _ = e.eng.Escalation(e.ctx, d1.EscalationID)
	if esc.State != bot.StateRelayed {
		t.Errorf("state = %s, want relayed", esc.State)
	}
	if n := len(e.desk.noticesOf(bot.NoticeRelayed)); n != 1 {
		t.Errorf("%d relay confirmations on the desk", n)
	}
	// A new question like the answered one opens a new escalation.
	if d := e.ask("dan", goatEN2); d.EscalationID == d1.EscalationID {
		t.Error("joined an escalation that was already answered")
	}
}

// A citizen who asks the same thing twice in one place is one citizen: the
// staff answer reaches them there once, and the desk counts them once. Asking
// again in another channel, they get it there too.
func TestCitizenWhoAskedTwiceGetsTheAnswerOnceInEachPlace(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("ana", goatEN)
	e.ask("ana", goatEN2)
	e.ask("ben", goatEN2)
	m := e.msg("general", "ana", goatEN, "g1")
	m.Mentioned = true
	if again, err := e.eng.HandleMessage(e.ctx, m); err != nil || again.EscalationID != d.EscalationID {
		t.Fatalf("the question in #general: %+v %v, want it to join %d", again, err, d.EscalationID)
	}
	e.tick()
	if esc, _ := e.eng.Escalation(e.ctx, d.EscalationID); len(esc.Askers) != 4 {
		t.Fatalf("askers = %d, want 4", len(esc.Askers))
	}
	res, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_ALEX", EventID: "a1",
		Text: "Only service animals may attend the ceremony."})
	if err != nil || res.Relays != 3 {
		t.Fatalf("answer: relays %d, err %v; want 3", res.Relays, err)
	}
	e.tick()
	e.tick()
	var got []string
	for _, s := range e.ch.all() {
		if s.Reply.Kind == bot.KindRelay {
			got = append(got, s.To.ChannelID+" "+s.To.UserID)
		}
	}
	slices.Sort(got)
	if want := []string{"general ana", "help ana", "help ben"}; !slices.Equal(got, want) {
		t.Errorf("relayed to %q, want %q", got, want)
	}
	notices := e.desk.noticesOf(bot.NoticeRelayed)
	if len(notices) != 1 || !strings.Contains(notices[0].Text, "3 citizens") {
		t.Errorf("desk told %+v, want one notice counting 3 citizens", notices)
	}
	esc, _ := e.eng.Escalation(e.ctx, d.EscalationID)
	if esc.State != bot.StateRelayed {
		t.Errorf("state = %s, want relayed", esc.State)
	}
	for _, k := range esc.Askers {
		if k.RelayedAt.IsZero() {
			t.Errorf("asker %+v not recorded as relayed", k.Address)
		}
	}
}

// A different question on the same occasion shares words with an open
// escalation but not its likely entry or topic: it opens its own, and its
// asker is not sent the other question's answer.
func TestDifferentQuestionOnTheSameOccasionDoesNotJoin(t *testing.T) {
	e := newEnv(t, nil)
	goat := e.ask("ana", goatEN)
	parking := e.ask("ben", "Is there parking at the citizenship ceremony on Thursday?")
	if parking.Action != bot.ActEscalate || parking.Reason == bot.ReasonJoined || parking.EscalationID == goat.EscalationID {
		t.Fatalf("parking question: %s/%s escalation %d, want its own escalation (the goat's is %d)",
			parking.Action, parking.Reason, parking.EscalationID, goat.EscalationID)
	}
	e.tick()
	if _, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: goat.EscalationID, DeskUserID: "U_ALEX", EventID: "a",
		Text: "Only service animals may attend the ceremony; please leave the goat at home."}); err != nil {
		t.Fatal(err)
	}
	e.tick()
	for _, s := range e.ch.all() {
		if s.Reply.Kind == bot.KindRelay && s.To.UserID != "ana" {
			t.Errorf("the goat answer was relayed to %s", s.To.UserID)
		}
	}
}

func TestRoutingByTopicAndLanguage(t *testing.T) {
	tests := []struct {
		topic string
		lang  bot.Lang
		want  string
	}{
		{"passports", bot.English, "alex"}, // owns the topic, speaks English
		{"passports", bot.French, "nadia"}, // alex does not speak French
		{"benefits", bot.English, "nadia"}, // owner who speaks English
		{"taxes", bot.French, "sam"},       // nobody owns taxes: "*" who speaks French
		{"PASSPORTS", bot.English, "alex"}, // topics are case-insensitive
	}
	for _, tt := range tests {
		got, ok := roster.Route(tt.topic, tt.lang)
		if !ok || got.ID != tt.want {
			t.Errorf("Route(%s, %s) = %s, want %s", tt.topic, tt.lang, got.ID, tt.want)
		}
	}
	if got, _ := roster.Route("passports", bot.English, "alex"); got.ID != "nadia" {
		t.Errorf("backup for passports/en = %s, want nadia", got.ID)
	}
	if _, ok := (bot.Roster{}).Route("x", bot.English); ok {
		t.Error("empty roster routed")
	}
}

func TestRouteTopicVotesWithConfidence(t *testing.T) {
	h := func(topic string, conf float64) bot.Hit { return bot.Hit{Topic: topic, Confidence: conf} }
	tests := []struct {
		name string
		hits []bot.Hit
		want string
	}{
		{"no hits", nil, "general"},
		{"no topics", []bot.Hit{h("", 0.5)}, "general"},
		{"one sure hit", []bot.Hit{h("taxes", 0.7), h("benefits", 0.1), h("benefits", 0.1)}, "taxes"},
		{"two hits outweigh the top one", []bot.Hit{h("taxes", 0.2), h("benefits", 0.15), h("benefits", 0.1)}, "benefits"},
		{"a tie goes to the better hit", []bot.Hit{h("taxes", 0.2), h("benefits", 0.1), h("benefits", 0.1)}, "taxes"},
		{"hits without a topic do not count", []bot.Hit{h("", 0.5), h("privacy", 0.1)}, "privacy"},
	}
	for _, tt := range tests {
		if got := bot.RouteTopic(tt.hits); got != tt.want {
			t.Errorf("%s: RouteTopic = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// An unsure question goes to the topic its hits share, not to the topic of
// the single best hit: here the best hit is about accessibility feedback
// (nobody owns accessibility), but most of the confidence is on benefits
// entries, which Nadia owns.
func TestEscalationRoutedToTheTopicTheHitsShare(t *testing.T) {
	e := newEnv(t, nil)
	const q = "problem with my application"
	hits, err := e.kb.Search(e.ctx, q, bot.English, bot.RoutingHits)
	if err != nil || len(hits) < 2 || hits[0].Topic == "benefits" {
		t.Fatalf("the sample no longer puts another topic first for %q: %+v, %v", q, hits, err)
	}
	d := e.ask("ana", q)
	esc, err := e.eng.Escalation(e.ctx, d.EscalationID)
	if err != nil {
		t.Fatalf("not escalated: %+v, %v", d, err)
	}
	if esc.Topic != "benefits" || esc.RoutedTo != "nadia" {
		t.Errorf("routed to %s on topic %q, want nadia on benefits", esc.RoutedTo, esc.Topic)
	}
	if len(esc.Suggestions) != 3 || esc.Suggestions[0].EntryID != hits[0].EntryID {
		t.Errorf("suggestions = %+v, want the 3 best hits", esc.Suggestions)
	}
}

func TestUnclaimedEscalationIsRemindedThenRerouted(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("ana", goatEN)
	e.tick()
	esc, _ := e.eng.Escalation(e.ctx, d.EscalationID)
	first := esc.RoutedTo

	e.clock.Advance(29 * time.Minute)
	e.tick()
	if n := len(e.desk.noticesOf(bot.NoticeReminder)); n != 0 {
		t.Fatalf("reminded after 29 minutes")
	}
	e.clock.Advance(2 * time.Minute)
	e.tick()
	rem := e.desk.noticesOf(bot.NoticeReminder)
	if len(rem) != 1 || rem[0].StaffID != first || rem[0].DeskRef == "" {
		t.Fatalf("reminders = %+v", rem)
	}
	e.tick()
	if n := len(e.desk.noticesOf(bot.NoticeReminder)); n != 1 {
		t.Fatalf("reminded %d times", n)
	}
	e.clock.Advance(31 * time.Minute)
	e.tick()
	re := e.desk.noticesOf(bot.NoticeReroute)
	if len(re) != 1 || re[0].StaffID == first {
		t.Fatalf("reroutes = %+v (first was %s)", re, first)
	}
	esc, _ = e.eng.Escalation(e.ctx, d.EscalationID)
	if esc.RoutedTo == first || esc.Reroutes != 1 {
		t.Errorf("after re-route: routed to %s, reroutes %d", esc.RoutedTo, esc.Reroutes)
	}
	// A claimed escalation is not reminded.
	if _, err := e.eng.Claim(e.ctx, esc.ID, "U_NADIA"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(3 * time.Hour)
	e.tick()
	if n := len(e.desk.noticesOf(bot.NoticeReminder)); n != 1 {
		t.Errorf("claimed escalation reminded: %d reminders", n)
	}
}

func TestAnswerInTheOtherLanguageIsHeldForTheStaffMember(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("chloe", goatFR)
	e.tick()
	esc, _ := e.eng.Escalation(e.ctx, d.EscalationID)
	res, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: esc.ID, DeskUserID: "U_NADIA", EventID: "ev-en",
		Text: "Only service animals are allowed at the ceremony, sorry."})
	if err != nil || !res.Mismatch || res.Relays != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	e.tick()
	for _, s := range e.ch.all() {
		if s.Reply.Kind == bot.KindRelay {
			t.Fatal("a mismatched answer was relayed before the staff member chose")
		}
	}
	flags := e.desk.noticesOf(bot.NoticeMismatch)
	if len(flags) != 1 || flags[0].AnswerID != res.Answer.ID || flags[0].StaffID != "nadia" || flags[0].Lang != bot.French {
		t.Fatalf("mismatch flags = %+v", flags)
	}
	// Staff chose to translate: the held answer is dropped.
	if r, err := e.eng.ResolveMismatch(e.ctx, res.Answer.ID, "U_NADIA", false); err != nil || r.Answer.Status != bot.AnswerDropped {
		t.Fatalf("drop: %+v %v", r, err)
	}
	res2, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: esc.ID, DeskUserID: "U_NADIA", EventID: "ev-fr",
		Text: "Seuls les animaux d’assistance sont admis à la cérémonie. Merci de votre compréhension."})
	if err != nil || res2.Mismatch || res2.Relays != 1 {
		t.Fatalf("French answer: %+v %v", res2, err)
	}
	e.tick()
	var relays []sent
	for _, s := range e.ch.all() {
		if s.Reply.Kind == bot.KindRelay {
			relays = append(relays, s)
		}
	}
	if len(relays) != 1 || relays[0].Reply.Lang != bot.French || relays[0].Reply.BodyLang != "" || !strings.Contains(relays[0].Reply.Text, "Agente des prestations") {
		t.Fatalf("relays = %+v", relays)
	}
}

// enqueueFailsOnce is the real store whose Enqueue fails once, as a store
// may (a locked database, a full disk).
type enqueueFailsOnce struct {
	*store.DB
	failed bool
}

func (f *enqueueFailsOnce) Enqueue(ctx context.Context, items []bot.Outgoing) error {
	if !f.failed {
		f.failed = true
		return errors.New("database is locked")
	}
	return f.DB.Enqueue(ctx, items)
}

// The flag to the author of a held answer is queued after the answer is
// stored. When queueing it fails, Answer says so, and the desk's redelivery
// of the event queues it: the answer is never held with no way to release
// it.
func TestHeldAnswerIsFlaggedAfterAFailureToQueueTheFlag(t *testing.T) {
	e := newEnv(t, nil)
	eng, err := bot.New(e.cfg, bot.Deps{Store: &enqueueFailsOnce{DB: e.st}, Knowledge: e.kb, Messages: e.msgs, Detect: i18n.Detect,
		Channels: []bot.Channel{e.ch}, Desk: e.desk, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	d, err := eng.HandleMessage(e.ctx, e.msg("help", "chloe", goatFR, "q1"))
	if err != nil {
		t.Fatal(err)
	}
	eng.Tick(e.ctx)
	ans := bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_SAM", EventID: "ev", Text: "Only service animals are allowed at the ceremony."}
	if _, err := eng.Answer(e.ctx, ans); err == nil {
		t.Fatal("Answer reported success, but the flag to its author was not queued")
	}
	for range 2 { // the desk redelivers the event, perhaps more than once
		res, err := eng.Answer(e.ctx, ans)
		if err != nil || !res.Mismatch || !res.Duplicate {
			t.Fatalf("redelivered answer: %+v, %v", res, err)
		}
	}
	eng.Tick(e.ctx)
	eng.Tick(e.ctx)
	flags := e.desk.noticesOf(bot.NoticeMismatch)
	list, _ := eng.Answers(e.ctx, d.EscalationID)
	if len(list) != 1 || list[0].Status != bot.AnswerHeld {
		t.Fatalf("answers = %+v, want one held", list)
	}
	if len(flags) != 1 || flags[0].AnswerID != list[0].ID || flags[0].StaffID != "sam" {
		t.Fatalf("flags = %+v, want one for answer %d", flags, list[0].ID)
	}
	if r, err := eng.ResolveMismatch(e.ctx, flags[0].AnswerID, "U_SAM", true); err != nil || r.Relays != 1 {
		t.Errorf("send anyway: %+v, %v", r, err)
	}
}

func TestMismatchSentAnywayCarriesANote(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("chloe", goatFR)
	e.tick()
	res, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_SAM", EventID: "ev",
		Text: "Only service animals are allowed at the ceremony."})
	if err != nil || !res.Mismatch {
		t.Fatal(res, err)
	}
	r, err := e.eng.ResolveMismatch(e.ctx, res.Answer.ID, "U_SAM", true)
	if err != nil || r.Relays != 1 {
		t.Fatal(r, err)
	}
	e.tick()
	var relay *sent
	for _, s := range e.ch.all() {
		if s.Reply.Kind == bot.KindRelay {
			relay = &s
		}
	}
	if relay == nil || !strings.Contains(relay.Reply.Text, "anglais") || !strings.Contains(relay.Reply.Text, "Responsable des communications") {
		t.Fatalf("relay = %+v", relay)
	}
}

// Whoever chooses to send a held answer anyway is audited for that choice;
// the answer stays its author's.
func TestSendAnywayIsAuditedAsWhoChoseIt(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("chloe", goatFR)
	e.tick()
	res, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_ALEX", EventID: "ev",
		Text: "Only service animals are allowed at the ceremony."})
	if err != nil || !res.Mismatch {
		t.Fatal(res, err)
	}
	if _, err := e.eng.ResolveMismatch(e.ctx, res.Answer.ID, "U_NADIA", true); err != nil {
		t.Fatal(err)
	}
	log, err := e.st.AuditLog(e.ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var answered, chose string
	for _, a := range log {
		switch a.Action {
		case "escalation.answer":
			answered = a.Actor
		case "escalation.mismatch":
			chose = a.Actor + ": " + a.Detail
		}
	}
	if answered != "alex" || chose != "nadia: sent anyway, written by alex" {
		t.Errorf("audited answer by %q, choice %q; want the answer alex's and the choice nadia's", answered, chose)
	}
}

// A held answer cannot reopen an escalation closed meanwhile: "send
// anyway" is refused, audited, and nothing is relayed.
func TestMismatchCannotBeSentAfterTheEscalationIsClosed(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("chloe", goatFR)
	e.tick()
	res, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_SAM", EventID: "ev",
		Text: "Only service animals are allowed at the ceremony."})
	if err != nil || !res.Mismatch {
		t.Fatal(res, err)
	}
	if _, err := e.eng.Close(e.ctx, d.EscalationID, "U_NADIA", "answered by phone"); err != nil {
		t.Fatal(err)
	}
	before, _ := e.st.AuditLog(e.ctx, 0)
	r, err := e.eng.ResolveMismatch(e.ctx, res.Answer.ID, "U_SAM", true)
	if !errors.Is(err, bot.ErrConflict) || r.Relays != 0 {
		t.Errorf("send anyway on a closed escalation: %d relays, err %v; want ErrConflict", r.Relays, err)
	}
	if esc, _ := e.eng.Escalation(e.ctx, d.EscalationID); esc.State != bot.StateClosed {
		t.Errorf("closed escalation moved to %s", esc.State)
	}
	after, _ := e.st.AuditLog(e.ctx, 0)
	if len(after) != len(before)+1 || after[0].Allowed || after[0].Action != "escalation.mismatch" {
		t.Errorf("refusal not audited: newest entry %+v", after[0])
	}
	e.tick()
	for _, s := range e.ch.all() {
		if s.Reply.Kind == bot.KindRelay {
			t.Errorf("relayed on a closed escalation: %q", s.Reply.Text)
		}
	}
}

// An answer held for its language is not sent anyway once a later answer
// went to the citizens (its author wrote the translation without choosing
// to, a colleague answered): that would be a second answer, in the other
// language. The click is refused, saying why, and audited; the held
// answer can still be dropped.
func TestHeldAnswerIsNotSentAnywayOnceALaterAnswerWasSent(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("chloe", goatFR)
	e.tick()
	held, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_NADIA", EventID: "ev-en",
		Text: "Only service animals are allowed at the ceremony, sorry."})
	if err != nil || !held.Mismatch {
		t.Fatalf("%+v, %v; want the answer held", held, err)
	}
	if res, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_NADIA", EventID: "ev-fr",
		Text: "Seuls les animaux d’assistance sont admis à la cérémonie. Merci de votre compréhension."}); err != nil || res.Relays != 1 {
		t.Fatalf("the translation: %+v, %v", res, err)
	}
	e.tick()
	n := e.auditCount()
	_, err = e.eng.ResolveMismatch(e.ctx, held.Answer.ID, "U_SAM", true)
	want := "A later answer to question " + strconv.FormatInt(d.EscalationID, 10) + " has been sent since: this one was not sent."
	if !errors.Is(err, bot.ErrConflict) || bot.Explain(err, bot.English) != want || !strings.Contains(bot.Explain(err, bot.French), "plus récente") {
		t.Errorf("send anyway: %v; want ErrConflict saying %q, in both languages", err, want)
	}
	if a := e.auditedSince(n); len(a) != 1 || a[0].Action != "escalation.mismatch" || a[0].Allowed {
		t.Errorf("audited %+v, want the refusal", a)
	}
	e.tick()
	var relays []sent
	for _, s := range e.ch.all() {
		if s.Reply.Kind == bot.KindRelay {
			relays = append(relays, s)
		}
	}
	if len(relays) != 1 || relays[0].Reply.Lang != bot.French || relays[0].Reply.BodyLang != "" {
		t.Errorf("relays %+v, want the French answer only", relays)
	}
	if r, err := e.eng.ResolveMismatch(e.ctx, held.Answer.ID, "U_NADIA", false); err != nil || r.Answer.Status != bot.AnswerDropped {
		t.Errorf("drop: %+v, %v; want it dropped", r.Answer, err)
	}
}

func TestDeskActionsNeedTheRoster(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("ana", goatEN)
	e.tick()
	_, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: unrostered, EventID: "x", Text: "Sure, bring the goat!"})
	if !errors.Is(err, bot.ErrForbidden) {
		t.Fatalf("err = %v", err)
	}
	if _, err := e.eng.Claim(e.ctx, d.EscalationID, unrostered); !errors.Is(err, bot.ErrForbidden) {
		t.Errorf("claim: %v", err)
	}
	if _, err := e.eng.Close(e.ctx, d.EscalationID, unrostered, "spam"); !errors.Is(err, bot.ErrForbidden) {
		t.Errorf("close: %v", err)
	}
	e.tick()
	for _, s := range e.ch.all() {
		if s.Reply.Kind == bot.KindRelay {
			t.Fatal("an answer from outside the roster was relayed")
		}
	}
	if n := len(e.desk.noticesOf(bot.NoticeRefused)); n != 1 {
		t.Errorf("%d refusal notices", n)
	}
	esc, _ := e.eng.Escalation(e.ctx, d.EscalationID)
	if esc.State != bot.StateOpen {
		t.Errorf("state = %s", esc.State)
	}
	// Claim, double claim, close.
	if _, err := e.eng.Claim(e.ctx, esc.ID, "U_ALEX"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.eng.Claim(e.ctx, esc.ID, "U_NADIA"); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("second claim: %v", err)
	}
	if _, err := e.eng.Close(e.ctx, esc.ID, "U_ALEX", ""); !errors.Is(err, bot.ErrInvalid) {
		t.Errorf("close without reason: %v", err)
	}
	if c, err := e.eng.Close(e.ctx, esc.ID, "U_ALEX", "duplicate of a phone call"); err != nil || c.State != bot.StateClosed {
		t.Errorf("close: %+v %v", c, err)
	}
	if _, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: esc.ID, DeskUserID: "U_ALEX", EventID: "late", Text: "ok"}); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("answer after close: %v", err)
	}
}

// Every desk action, allowed or refused, is audited, and staff words are
// archived: an answer on a closed escalation is kept (rejected, not
// relayed) and its refusal audited, once per desk event; refused claims
// and closes are audited too.
func TestRefusedDeskActionsAreAuditedAndAnswersKept(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("ana", goatEN)
	e.tick()
	if _, err := e.eng.Close(e.ctx, d.EscalationID, "U_ALEX", "spam"); err != nil {
		t.Fatal(err)
	}
	before, _ := e.st.AuditLog(e.ctx, 0)
	late := bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_SAM", EventID: "late", Text: "Only service animals may attend the ceremony."}
	for range 2 { // the desk redelivers the event
		if _, err := e.eng.Answer(e.ctx, late); !errors.Is(err, bot.ErrConflict) {
			t.Fatalf("answer on a closed escalation: err = %v, want ErrConflict", err)
		}
	}
	if _, err := e.eng.Claim(e.ctx, d.EscalationID, "U_NADIA"); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("claim of a closed escalation: %v", err)
	}
	if _, err := e.eng.Close(e.ctx, d.EscalationID, "U_NADIA", "again"); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("second close: %v", err)
	}
	if _, err := e.eng.Close(e.ctx, d.EscalationID, "U_NADIA", " "); !errors.Is(err, bot.ErrInvalid) {
		t.Errorf("close without a reason: %v", err)
	}
	answers, err := e.eng.Answers(e.ctx, d.EscalationID)
	if err != nil || len(answers) != 1 || answers[0].Status != bot.AnswerRejected || answers[0].StaffID != "sam" || answers[0].Text != late.Text {
		t.Errorf("answers = %+v, %v; want the late answer kept as rejected", answers, err)
	}
	after, _ := e.st.AuditLog(e.ctx, 0)
	var got []string
	for _, a := range after[:len(after)-len(before)] {
		if a.Allowed {
			t.Errorf("refusal audited as allowed: %+v", a)
		}
		got = append(got, a.Actor+" "+a.Action)
	}
	slices.Reverse(got)
	want := []string{"sam escalation.answer", "nadia escalation.claim", "nadia escalation.close", "nadia escalation.close"}
	if !slices.Equal(got, want) {
		t.Errorf("audited %q, want %q", got, want)
	}
	e.tick()
	for _, s := range e.ch.all() {
		if s.Reply.Kind == bot.KindRelay {
			t.Errorf("relayed on a closed escalation: %q", s.Reply.Text)
		}
	}
}

func TestSuggestionIsSentInEachAskersLanguage(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("chloe", goatFR)
	e.tick()
	res, err := e.eng.SendSuggestion(e.ctx, d.EscalationID, "passport-renew", "U_NADIA", "")
	if err != nil || res.Relays != 1 {
		t.Fatal(res, err)
	}
	if _, err := e.eng.SendSuggestion(e.ctx, d.EscalationID, "passport-renew", "U_NADIA", ""); err != nil {
		t.Fatal(err) // a second click is the same event
	}
	e.tick()
	var relays []sent
	for _, s := range e.ch.all() {
		if s.Reply.Kind == bot.KindRelay {
			relays = append(relays, s)
		}
	}
	if len(relays) != 1 || relays[0].Reply.Lang != bot.French || relays[0].Reply.EntryID != "passport-renew" || !strings.Contains(relays[0].Reply.Text, "passeport") {
		t.Fatalf("relays = %+v", relays)
	}
}

// A suggestion clicked once the escalation is answered (a double click, a
// colleague's click at the same moment, a post not yet refreshed) sends
// nothing, whichever entry, and is audited as refused; the click that
// answered, delivered again, is still the same answer.
func TestSuggestionAfterTheAnswerIsRefused(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("chloe", goatFR)
	e.tick()
	if _, err := e.eng.SendSuggestion(e.ctx, d.EscalationID, "passport-renew", "U_NADIA", "click-1"); err != nil {
		t.Fatal(err)
	}
	before, _ := e.st.AuditLog(e.ctx, 0)
	for _, click := range []struct{ who, entry, event string }{
		{"U_NADIA", "passport-renew", "click-2"},
		{"U_ALEX", "passport-renew", "click-3"},
		{"U_ALEX", "passport-child", "click-4"},
	} {
		if _, err := e.eng.SendSuggestion(e.ctx, d.EscalationID, click.entry, click.who, click.event); !errors.Is(err, bot.ErrConflict) || bot.Explain(err, bot.English) != "Question "+strconv.FormatInt(d.EscalationID, 10)+" has already been answered." {
			t.Errorf("%s sends %s after the answer: err = %v, want ErrConflict saying it is answered", click.who, click.entry, err)
		}
	}
	if res, err := e.eng.SendSuggestion(e.ctx, d.EscalationID, "passport-renew", "U_NADIA", "click-1"); err != nil || !res.Duplicate {
		t.Errorf("the answering click delivered again: %+v, %v; want the same answer", res, err)
	}
	after, _ := e.st.AuditLog(e.ctx, 0)
	refusals := 0
	for _, a := range after[:len(after)-len(before)] {
		if a.Action == "escalation.suggestion" && !a.Allowed {
			refusals++
		}
	}
	if refusals != 3 {
		t.Errorf("%d refused suggestions audited, want 3", refusals)
	}
	e.tick()
	relays := 0
	for _, s := range e.ch.all() {
		if s.Reply.Kind == bot.KindRelay {
			relays++
		}
	}
	if relays != 1 {
		t.Errorf("the citizen got %d answers, want 1", relays)
	}
}

// A suggestion whose entry the knowledge base dropped at a reload since
// the desk showed it (removed or renamed in the files) sends nothing and
// says so, audited, rather than that the question is gone; the question
// still waits for an answer.
func TestSuggestionOfAnEntryRemovedAtAReloadIsRefusedSayingWhy(t *testing.T) {
	e := newEnv(t, nil)
	dir := t.TempDir()
	files, err := filepath.Glob("../knowledge/sample/*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("sample files: %v, %v", files, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	kb, err := knowledge.Open(e.ctx, knowledge.Options{Path: dir, DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kb.Close() })
	e.kb = kb
	e.start()
	d := e.ask("ana", goatEN)
	e.tick()
	esc, err := e.eng.Escalation(e.ctx, d.EscalationID)
	if err != nil || len(esc.Suggestions) == 0 {
		t.Fatalf("escalation %+v, %v; want suggestions", esc, err)
	}
	gone := esc.Suggestions[0].EntryID
	removed := false
	for _, f := range files {
		p := filepath.Join(dir, filepath.Base(f))
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var keep []string
		for _, block := range strings.Split(string(b), "\n[[entry]]") {
			if strings.Contains(block, `id = "`+gone+`"`) {
				removed = true
				continue
			}
			keep = append(keep, block)
		}
		if err := os.WriteFile(p, []byte(strings.Join(keep, "\n[[entry]]")), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if !removed {
		t.Fatalf("entry %s not found in the files", gone)
	}
	if err := kb.Reload(e.ctx); err != nil {
		t.Fatal(err)
	}
	n := e.auditCount()
	_, err = e.eng.SendSuggestion(e.ctx, esc.ID, gone, "U_ALEX", "click-1")
	want := `The entry "` + gone + `" is no longer in the knowledge base: nothing was sent. Write the answer instead.`
	if !errors.Is(err, bot.ErrConflict) || bot.Explain(err, bot.English) != want ||
		!strings.Contains(bot.Explain(err, bot.French), "n’est plus dans la base de connaissances") {
		t.Errorf("err = %v, want ErrConflict saying %q, in both languages", err, want)
	}
	if a := e.auditedSince(n); len(a) != 1 || a[0].Action != "escalation.suggestion" || a[0].Allowed {
		t.Errorf("audited %+v, want the refused suggestion", a)
	}
	e.tick()
	if k := e.ch.kinds(); !slices.Equal(k, []bot.ReplyKind{bot.KindAck}) {
		t.Errorf("sent %v, want the acknowledgement only", k)
	}
	if esc, _ := e.eng.Escalation(e.ctx, d.EscalationID); esc.State != bot.StateOpen {
		t.Errorf("state %s, want open", esc.State)
	}
}

func TestStaffAnswerCanBecomeADraftEntry(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("ana", goatEN)
	e.tick()
	if _, err := e.eng.SaveDraft(e.ctx, d.EscalationID, "U_ALEX"); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("draft before any answer: %v", err)
	}
	if _, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_ALEX", EventID: "a", Text: "Only service animals may attend the ceremony."}); err != nil {
		t.Fatal(err)
	}
	dr, err := e.eng.SaveDraft(e.ctx, d.EscalationID, "U_ALEX")
	if err != nil {
		t.Fatal(err)
	}
	if dr.QuestionEN == "" || dr.AnswerEN == "" || dr.QuestionFR != "" || dr.Complete() || dr.State != bot.DraftOpen || dr.EntryID == "" {
		t.Errorf("draft = %+v", dr)
	}
}

// Saving the same answer as a draft again (a double click, a colleague's
// click) gives the draft made already, instead of another copy to review;
// a later answer makes a draft of its own.
func TestSavingTheSameAnswerAsADraftTwiceMakesOneDraft(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("ana", goatEN)
	e.tick()
	if _, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_ALEX", EventID: "a", Text: "Only service animals may attend the ceremony."}); err != nil {
		t.Fatal(err)
	}
	first, err := e.eng.SaveDraft(e.ctx, d.EscalationID, "U_ALEX")
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"U_ALEX", "U_SAM"} {
		if again, err := e.eng.SaveDraft(e.ctx, d.EscalationID, who); err != nil || again.ID != first.ID {
			t.Errorf("%s saves the same answer again: draft %d, %v; want draft %d", who, again.ID, err, first.ID)
		}
	}
	if _, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_ALEX", EventID: "b", Text: "Service animals only, and they must be leashed."}); err != nil {
		t.Fatal(err)
	}
	second, err := e.eng.SaveDraft(e.ctx, d.EscalationID, "U_ALEX")
	if err != nil || second.ID == first.ID || second.AnswerEN != "Service animals only, and they must be leashed." {
		t.Errorf("draft of the later answer = %+v, %v; want a new one", second, err)
	}
	if drafts, err := e.st.Drafts(e.ctx, ""); err != nil || len(drafts) != 2 {
		t.Errorf("drafts = %+v, %v; want one per answer", drafts, err)
	}
}

// An English answer sent anyway to a French question goes into the
// draft's English answer, under the French question.
func TestDraftFromAnAnswerSentAnywayKeepsEachLanguage(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("chloe", goatFR)
	e.tick()
	en := "Only service animals are allowed at the ceremony."
	res, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_SAM", EventID: "ev", Text: en})
	if err != nil || !res.Mismatch {
		t.Fatal(res, err)
	}
	if _, err := e.eng.ResolveMismatch(e.ctx, res.Answer.ID, "U_SAM", true); err != nil {
		t.Fatal(err)
	}
	dr, err := e.eng.SaveDraft(e.ctx, d.EscalationID, "U_SAM")
	if err != nil {
		t.Fatal(err)
	}
	if dr.QuestionFR == "" || dr.AnswerEN != en || dr.QuestionEN != "" || dr.AnswerFR != "" {
		t.Errorf("draft = question EN %q FR %q, answer EN %q FR %q; want the French question and the English answer",
			dr.QuestionEN, dr.QuestionFR, dr.AnswerEN, dr.AnswerFR)
	}
}

func TestRelayIsDeliveredExactlyOnceAcrossARestart(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("ana", goatEN)
	e.tick()
	down := true
	e.ch.fail = func(to bot.Address, r bot.Reply) error {
		if down && r.Kind == bot.KindRelay {
			return errors.New("connection reset")
		}
		return nil
	}
	if _, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_ALEX", EventID: "a1", Text: "Only service animals may attend."}); err != nil {
		t.Fatal(err)
	}
	e.tick() // the platform is down: the relay stays in the outbox
	// Restart: a new engine on the same database, the platform is back.
	down = false
	e.start()
	e.clock.Advance(time.Minute)
	e.tick()
	e.tick()
	e.start()
	e.clock.Advance(time.Hour)
	e.tick()
	var relays int
	for _, s := range e.ch.all() {
		if s.Reply.Kind == bot.KindRelay {
			relays++
		}
	}
	if relays != 1 {
		t.Fatalf("relayed %d times, want exactly 1", relays)
	}
	esc, _ := e.eng.Escalation(e.ctx, d.EscalationID)
	if esc.State != bot.StateRelayed || esc.Askers[0].RelayedAt.IsZero() {
		t.Errorf("escalation after relay: %s %+v", esc.State, esc.Askers)
	}
}

type permanent struct{}

func (permanent) Error() string   { return "unknown channel" }
func (permanent) Retryable() bool { return false }

func TestPermanentSendFailureDoesNotBlockTheChannel(t *testing.T) {
	e := newEnv(t, nil)
	e.ch.fail = func(to bot.Address, r bot.Reply) error {
		if to.ReplyTo == "m1" {
			return permanent{}
		}
		return nil
	}
	e.ask("ana", renewEN)
	e.ask("ben", renewFR)
	e.tick()
	if s := e.ch.all(); len(s) != 1 || s[0].To.UserID != "ben" {
		t.Errorf("sent %+v", s)
	}
}

// A reply that fails and waits to retry holds the replies queued after it
// in its channel: a citizen never gets the staff answer before the
// acknowledgement, nor a later asker's answer before an earlier one's. Other
// channels go on.
func TestReplyWaitingToRetryHoldsTheRepliesAfterItInItsChannel(t *testing.T) {
	e := newEnv(t, nil)
	failed := false
	e.ch.fail = func(to bot.Address, r bot.Reply) error {
		if r.Kind == bot.KindAck && !failed {
			failed = true
			return errors.New("connection reset")
		}
		return nil
	}
	d := e.ask("ana", goatEN)
	e.tick() // the acknowledgement fails: retried in 2s
	if _, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_ALEX", EventID: "a1",
		Text: "Only service animals may attend the ceremony."}); err != nil {
		t.Fatal(err)
	}
	e.ask("ben", renewEN)
	m := e.msg("general", "chloe", renewEN, "g1")
	m.Mentioned = true
	if _, err := e.eng.HandleMessage(e.ctx, m); err != nil {
		t.Fatal(err)
	}
	e.tick() // same instant: #help waits for its retry, #general does not
	var got []string
	for _, s := range e.ch.all() {
		got = append(got, s.To.ChannelID+" "+s.To.UserID+" "+string(s.Reply.Kind))
	}
	if len(got) != 1 || got[0] != "general chloe answer" {
		t.Fatalf("while #help waits to retry, sent %q; want only chloe's answer in #general", got)
	}
	e.clock.Advance(time.Minute)
	e.tick()
	got = got[:0]
	for _, s := range e.ch.all() {
		got = append(got, s.To.ChannelID+" "+s.To.UserID+" "+string(s.Reply.Kind))
	}
	want := []string{"general chloe answer", "help ana ack", "help ana relay", "help ben answer"}
	if !slices.Equal(got, want) {
		t.Errorf("sent %q, want %q", got, want)
	}
}

// startupStore runs during once, right after the engine reads the
// joinable escalations at start, and closes running once Run's loops read
// the store.
type startupStore struct {
	bot.Store
	during      func()
	duringOnce  sync.Once
	running     chan struct{}
	runningOnce sync.Once
}

func (s *startupStore) Escalations(ctx context.Context, f bot.EscalationFilter) ([]bot.Escalation, error) {
	list, err := s.Store.Escalations(ctx, f)
	s.duringOnce.Do(s.during)
	return list, err
}

func (s *startupStore) DueBroadcasts(ctx context.Context, now time.Time) ([]bot.Broadcast, error) {
	s.runningOnce.Do(func() { close(s.running) })
	return s.Store.DueBroadcasts(ctx, now)
}

// Channels run alongside Run: a question escalated while Run reads the
// joinable escalations at start is joinable too.
func TestQuestionEscalatedWhileTheEngineStartsCanBeJoined(t *testing.T) {
	e := newEnv(t, nil)
	var first bot.Decision
	st := &startupStore{Store: e.st, running: make(chan struct{})}
	st.during = func() {
		var err error
		if first, err = e.eng.HandleMessage(e.ctx, e.msg("help", "ana", goatEN, "s1")); err != nil {
			t.Error(err)
		}
	}
	var err error
	e.eng, err = bot.New(e.cfg, bot.Deps{Store: st, Knowledge: e.kb, Messages: e.msgs, Detect: i18n.Detect,
		Channels: []bot.Channel{e.ch}, Desk: e.desk, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- e.eng.Run(ctx) }()
	select {
	case <-st.running:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not start")
	}
	second, askErr := e.eng.HandleMessage(e.ctx, e.msg("help", "ben", goatEN2, "s2"))
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if askErr != nil {
		t.Fatal(askErr)
	}
	if first.EscalationID == 0 || second.EscalationID != first.EscalationID {
		t.Errorf("second asker: escalation %d (%s), want to join %d", second.EscalationID, second.Reason, first.EscalationID)
	}
}

// The staff member who answered is told the answer was sent only once every
// asker has it, and told, in their language, of each citizen it could not
// be delivered to and why. The escalation then does not pass for answered
// (see TestAnswerNotDeliveredGoesBackToItsAuthor).
func TestRelayFailedForGoodIsReportedToItsAuthorNotAsSent(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("ana", goatEN)
	e.ask("ben", goatEN2)
	e.tick()
	e.ch.fail = func(to bot.Address, r bot.Reply) error {
		if r.Kind == bot.KindRelay && to.UserID == "ana" {
			return permanent{}
		}
		return nil
	}
	if _, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_NADIA", EventID: "a1",
		Text: "Only service animals may attend the ceremony."}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		e.tick()
		e.clock.Advance(time.Hour)
	}
	if n := e.desk.noticesOf(bot.NoticeRelayed); len(n) != 0 {
		t.Errorf("ana never got the answer, yet the desk was told %q", n[0].Text)
	}
	n := e.desk.noticesOf(bot.NoticeUndelivered)
	want := "Votre réponse à la question nº\u00a0" + strconv.FormatInt(d.EscalationID, 10) + " n’a pas pu être transmise à Ana\u00a0: unknown channel."
	if len(n) != 1 || n[0].Text != want || n[0].DeskUserID != "U_NADIA" || n[0].EscalationID != d.EscalationID {
		t.Errorf("undelivered notices %+v, want one to U_NADIA in her language: %q", n, want)
	}
	esc, _ := e.eng.Escalation(e.ctx, d.EscalationID)
	if esc.State == bot.StateAnswered || esc.State == bot.StateRelayed {
		t.Errorf("state = %s, want it waiting again", esc.State)
	}
}

// Once the retention period is over, the desk notice telling staff an
// answer could not be delivered no longer names the citizen: it says the
// same of "the citizen", in the language it was written in, or in both
// for a notice to the whole desk (its author off the roster), and so do
// the records the desk shows again after a restart. A second purge
// changes nothing.
func TestUndeliveredNoticeNoLongerNamesTheCitizenOncePurged(t *testing.T) {
	for _, tt := range []struct {
		name      string
		offRoster bool // the answer's author left the roster before the relay failed
		want      func(id string) bot.NoticeText
	}{
		{"to its author, in their language", false, func(id string) bot.NoticeText {
			return bot.NoticeText{Text: "Votre réponse à la question nº\u00a0" + id + " n’a pas pu être transmise à la personne\u00a0: unknown channel."}
		}},
		{"to the whole desk, in both languages", true, func(id string) bot.NoticeText {
			parts := []bot.Part{
				{Lang: bot.English, Text: "Your answer to question " + id + " could not be delivered to the citizen: unknown channel."},
				{Lang: bot.French, Text: "Votre réponse à la question nº\u00a0" + id + " n’a pas pu être transmise à la personne\u00a0: unknown channel."},
			}
			return bot.NoticeText{Text: parts[0].Text + "\n" + parts[1].Text, Parts: parts}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			d := e.ask("zelie", goatEN)
			e.tick()
			e.ch.fail = func(to bot.Address, r bot.Reply) error {
				if r.Kind == bot.KindRelay {
					return permanent{}
				}
				return nil
			}
			if _, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_NADIA", EventID: "a1",
				Text: "Only service animals may attend the ceremony."}); err != nil {
				t.Fatal(err)
			}
			if tt.offRoster {
				e.cfg.Staff = slices.DeleteFunc(slices.Clone(roster), func(s bot.Staff) bool { return s.ID == "nadia" })
				e.start()
			}
			for range 3 {
				e.tick()
				e.clock.Advance(time.Hour)
			}
			deskItems := func() []bot.Outgoing {
				t.Helper()
				said, err := e.st.Conversation(e.ctx, bot.DeskPlatform, "", 100)
				if err != nil {
					t.Fatal(err)
				}
				var out []bot.Outgoing
				for _, s := range said {
					if s.Sent != nil {
						out = append(out, *s.Sent)
					}
				}
				return out
			}
			naming := func(items []bot.Outgoing) []string {
				var out []string
				for _, it := range items {
					b, err := json.Marshal(it)
					if err != nil {
						t.Fatal(err)
					}
					if strings.Contains(strings.ToLower(string(b)), "zelie") {
						out = append(out, string(b))
					}
				}
				return out
			}
			if n := e.desk.noticesOf(bot.NoticeUndelivered); len(n) != 1 || !strings.Contains(n[0].Text, "Zelie") {
				t.Fatalf("undelivered notices %+v, want one naming Zelie", n)
			}
			if len(naming(deskItems())) == 0 {
				t.Fatal("no desk item names Zelie before the purge: nothing to look for")
			}

			e.clock.Advance(40 * 24 * time.Hour)
			cut := e.clock.Now().Add(-30 * 24 * time.Hour)
			if _, err := e.st.Purge(e.ctx, cut); err != nil {
				t.Fatal(err)
			}
			after := deskItems()
			for _, s := range naming(after) {
				t.Errorf("after the purge, a desk item names the citizen: %s", s)
			}
			want := tt.want(strconv.FormatInt(d.EscalationID, 10))
			var found int
			for _, it := range after {
				if n := it.Notice; n != nil && n.Kind == bot.NoticeUndelivered {
					found++
					got := bot.NoticeText{Text: n.Text, Parts: n.Parts}
					if !reflect.DeepEqual(got, want) || n.Redacted != nil || it.Reply.Text != want.Text || !reflect.DeepEqual(it.Reply.Parts, want.Parts) {
						t.Errorf("undelivered notice after the purge: %+v, reply %+v; want %+v", n, it.Reply, want)
					}
				}
			}
			if found != 1 {
				t.Errorf("%d undelivered notices after the purge, want 1", found)
			}
			if res, err := e.st.Purge(e.ctx, cut); err != nil || res.Changed() != 0 {
				t.Errorf("second purge: %+v, %v; want nothing changed", res, err)
			}
			if again := deskItems(); !reflect.DeepEqual(again, after) {
				t.Errorf("second purge changed the desk items:\n%+v\nwant\n%+v", again, after)
			}
		})
	}
}

// undeliveredToAna answers goatEN, asked by ana then ben, as nadia, and the
// relay to ana fails for good; it returns the escalation's id.
func undeliveredToAna(e *env) int64 {
	e.t.Helper()
	d := e.ask("ana", goatEN)
	if d2 := e.ask("ben", goatEN2); d2.EscalationID != d.EscalationID {
		e.t.Fatalf("ben's question did not join: %+v", d2)
	}
	e.tick()
	e.ch.fail = func(to bot.Address, r bot.Reply) error {
		if r.Kind == bot.KindRelay && to.UserID == "ana" {
			return permanent{}
		}
		return nil
	}
	if _, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_NADIA", EventID: "a1",
		Text: "Only service animals may attend the ceremony."}); err != nil {
		e.t.Fatal(err)
	}
	return d.EscalationID
}

// An answer that did not reach every asker does not pass for done: once no
// relay of it is pending, the escalation goes back to its author, claimed,
// among the questions waiting on the desk and in the reports, with a notice
// in their language and an audit entry. Answered again, the answer goes to
// the citizens who did not get it only; or it is closed with a reason.
func TestAnswerNotDeliveredGoesBackToItsAuthor(t *testing.T) {
	e := newEnv(t, nil)
	id := undeliveredToAna(e)
	e.tick()
	e.tick()

	esc, _ := e.eng.Escalation(e.ctx, id)
	if esc.State != bot.StateClaimed || esc.ClaimedBy != "nadia" || esc.AnsweredBy != "nadia" {
		t.Fatalf("after the failure: %s, claimed by %q, answered by %q; want claimed by nadia", esc.State, esc.ClaimedBy, esc.AnsweredBy)
	}
	if u := esc.Undelivered(); len(u) != 1 || u[0].Address.UserID != "ana" {
		t.Errorf("undelivered %+v, want ana's", u)
	}
	if e.desk.posts[esc.DeskRef].State != bot.StateClaimed {
		t.Errorf("desk post shows %s, want claimed", e.desk.posts[esc.DeskRef].State)
	}
	waiting, _ := e.eng.Escalations(e.ctx, bot.EscalationFilter{States: []bot.EscalationState{bot.StateOpen, bot.StateClaimed}})
	if len(waiting) != 1 || waiting[0].ID != id {
		t.Errorf("waiting on the desk: %+v", waiting)
	}
	if s, _ := e.st.Summary(e.ctx, time.Time{}, time.Time{}); s.OpenEscalations != 1 {
		t.Errorf("reports count %d open escalations, want 1", s.OpenEscalations)
	}
	n := e.desk.noticesOf(bot.NoticeReopened)
	want := "La question nº\u00a0" + strconv.FormatInt(id, 10) + " vous revient\u00a0: votre réponse n’a pas pu être transmise à 1 personne. " +
		"Répondez de nouveau et elle ne sera transmise qu’à cette personne, ou fermez la question en indiquant un motif."
	if len(n) != 1 || n[0].Text != want || n[0].DeskUserID != "U_NADIA" || n[0].EscalationID != id {
		t.Errorf("reopened notices %+v, want one to U_NADIA: %q", n, want)
	}
	if a := e.auditedSince(e.auditCount() - 1); a[0].Action != "escalation.reopen" || a[0].Actor != "engine" ||
		a[0].Detail != "answer not delivered to 1 of 2 citizens: back with nadia" {
		t.Errorf("audited %+v", a[0])
	}

	t.Run("answered again", func(t *testing.T) {
		e.ch.fail = nil
		before := len(e.ch.all())
		res, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: id, DeskUserID: "U_NADIA", EventID: "a2",
			Text: "Only service animals may attend the ceremony, Ana."})
		if err != nil || res.Relays != 1 {
			t.Fatalf("answer again: %d relays, %v; want 1", res.Relays, err)
		}
		e.tick()
		e.tick()
		got := e.ch.all()[before:]
		if len(got) != 1 || got[0].To.UserID != "ana" || got[0].Reply.Kind != bot.KindRelay {
			t.Errorf("sent %+v, want the answer to ana only", got)
		}
		if esc, _ := e.eng.Escalation(e.ctx, id); esc.State != bot.StateRelayed {
			t.Errorf("state = %s, want relayed", esc.State)
		}
		if n := e.desk.noticesOf(bot.NoticeRelayed); len(n) != 1 || n[0].Text != "Réponse transmise à 2 personnes." {
			t.Errorf("confirmations %+v", n)
		}
	})
}

func TestAnswerNotDeliveredCanBeClosed(t *testing.T) {
	e := newEnv(t, nil)
	id := undeliveredToAna(e)
	e.tick()
	esc, err := e.eng.Close(e.ctx, id, "U_NADIA", "Ana left the server")
	if err != nil || esc.State != bot.StateClosed || esc.CloseReason != "Ana left the server" {
		t.Fatalf("close: %s %q, %v", esc.State, esc.CloseReason, err)
	}
	e.clock.Advance(time.Hour)
	e.tick()
	if esc, _ := e.eng.Escalation(e.ctx, id); esc.State != bot.StateClosed {
		t.Errorf("state = %s after closing, want closed", esc.State)
	}
}

// A relay that failed for good just before the engine stopped, before the
// escalation went back to its author, is caught at the next round of
// reminders after the restart.
func TestAnswerNotDeliveredBeforeARestartGoesBackToItsAuthor(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("ana", goatEN)
	e.tick()
	if _, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_ALEX", EventID: "a1",
		Text: "Only service animals may attend the ceremony."}); err != nil {
		t.Fatal(err)
	}
	pending, err := e.st.Pending(e.ctx, "mem", e.clock.Now(), 0)
	if err != nil || len(pending) != 1 || pending[0].Reply.Kind != bot.KindRelay {
		t.Fatalf("pending %+v, %v", pending, err)
	}
	// What the delivery loop records before it would go on.
	if err := e.st.MarkFailed(e.ctx, pending[0].ID, "unknown channel"); err != nil {
		t.Fatal(err)
	}
	e.start()
	e.tick()
	esc, _ := e.eng.Escalation(e.ctx, d.EscalationID)
	if esc.State != bot.StateClaimed || esc.ClaimedBy != "alex" {
		t.Errorf("after the restart: %s, claimed by %q; want claimed by alex", esc.State, esc.ClaimedBy)
	}
	if n := e.desk.noticesOf(bot.NoticeReopened); len(n) != 1 || n[0].Text != "Question "+strconv.FormatInt(esc.ID, 10)+
		" is yours again: your answer did not reach 1 citizen. Answer again and it goes to that citizen only, or close the question with a reason." {
		t.Errorf("reopened notices %+v", n)
	}
}

// failRelaysBeforeACrash records every pending relay as failed for good,
// as the delivery loop does just before the engine stops, before the
// engine gives their escalation back.
func failRelaysBeforeACrash(e *env) {
	e.t.Helper()
	pending, err := e.st.Pending(e.ctx, "mem", e.clock.Now(), 0)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, p := range pending {
		if p.Reply.Kind != bot.KindRelay {
			continue
		}
		if err := e.st.MarkFailed(e.ctx, p.ID, "unknown channel"); err != nil {
			e.t.Fatal(err)
		}
	}
}

// A citizen whose identity the retention purge took can no longer be
// reached, so is not owed the answer. Asked before the purge's cut-off and
// answered after it, a question whose relay failed just before a restart
// can lose its askers to the purge before the engine gives it back: staff
// are not asked to answer again for them. Answered again, the answer goes
// to the citizens still reachable only.
func TestAnswerNotDeliveredToPurgedAskersIsOwedToNobody(t *testing.T) {
	answer := func(e *env, id int64, event string) {
		e.t.Helper()
		if _, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: id, DeskUserID: "U_ALEX", EventID: event,
			Text: "Only service animals may attend the ceremony."}); err != nil {
			e.t.Fatal(err)
		}
	}
	t.Run("every asker purged", func(t *testing.T) {
		e := newEnv(t, nil)
		d := e.ask("ana", goatEN)
		e.tick()
		e.clock.Advance(40 * 24 * time.Hour)
		answer(e, d.EscalationID, "a1")
		failRelaysBeforeACrash(e)
		if res, err := e.st.Purge(e.ctx, e.clock.Now().Add(-30*24*time.Hour)); err != nil || res.Askers != 1 {
			t.Fatalf("purge %+v, %v; want ana's asker purged", res, err)
		}
		e.start()
		e.tick()
		esc, _ := e.eng.Escalation(e.ctx, d.EscalationID)
		if esc.State != bot.StateAnswered || len(esc.Undelivered()) != 0 {
			t.Errorf("state %s, undelivered %+v; want answered, owed to nobody", esc.State, esc.Undelivered())
		}
		if n := e.desk.noticesOf(bot.NoticeReopened); len(n) != 0 {
			t.Errorf("reopened notices %+v, want none", n)
		}
	})
	t.Run("one asker purged, one not", func(t *testing.T) {
		e := newEnv(t, nil)
		d := e.ask("ana", goatEN)
		e.tick()
		e.clock.Advance(40 * 24 * time.Hour)
		if d2 := e.ask("ben", goatEN2); d2.EscalationID != d.EscalationID {
			t.Fatalf("ben's question did not join: %+v", d2)
		}
		answer(e, d.EscalationID, "a1")
		failRelaysBeforeACrash(e)
		if res, err := e.st.Purge(e.ctx, e.clock.Now().Add(-30*24*time.Hour)); err != nil || res.Askers != 1 {
			t.Fatalf("purge %+v, %v; want ana's asker purged", res, err)
		}
		e.start()
		e.tick()
		esc, _ := e.eng.Escalation(e.ctx, d.EscalationID)
		if u := esc.Undelivered(); esc.State != bot.StateClaimed || len(u) != 1 || u[0].Address.UserID != "ben" {
			t.Fatalf("state %s, undelivered %+v; want claimed, owed to ben only", esc.State, u)
		}
		if n := e.desk.noticesOf(bot.NoticeReopened); len(n) != 1 || n[0].Text != "Question "+strconv.FormatInt(esc.ID, 10)+
			" is yours again: your answer did not reach 1 citizen. Answer again and it goes to that citizen only, or close the question with a reason." {
			t.Errorf("reopened notices %+v", n)
		}
		before := len(e.ch.all())
		answer(e, d.EscalationID, "a2")
		e.tick()
		if got := e.ch.all()[before:]; len(got) != 1 || got[0].To.UserID != "ben" || got[0].Reply.Kind != bot.KindRelay {
			t.Errorf("sent %+v, want the answer to ben only", got)
		}
	})
}

// A staff answer to a question finished long ago (a correction, a
// follow-up in its thread) goes only to the askers the retention purge has
// not taken: those it took can no longer be reached and are owed nothing.
// When it took them all, the answer is refused, saying why, audited and
// kept for the record; nothing is sent.
func TestFollowUpAnswerSkipsTheAskersThePurgeTook(t *testing.T) {
	answer := func(e *env, id int64, event, text string) (bot.AnswerResult, error) {
		return e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: id, DeskUserID: "U_ALEX", EventID: event, Text: text})
	}
	const first, again = "Only service animals may attend the ceremony.", "A correction: no animals at all may attend, sorry."
	t.Run("every asker purged", func(t *testing.T) {
		e := newEnv(t, nil)
		d := e.ask("ana", goatEN)
		if _, err := answer(e, d.EscalationID, "a1", first); err != nil {
			t.Fatal(err)
		}
		e.tick()
		e.clock.Advance(40 * 24 * time.Hour)
		if res, err := e.st.Purge(e.ctx, e.clock.Now().Add(-30*24*time.Hour)); err != nil || res.Askers != 1 {
			t.Fatalf("purge %+v, %v; want ana's asker purged", res, err)
		}
		before, n := len(e.ch.all()), e.auditCount()
		res, err := answer(e, d.EscalationID, "a2", again)
		want := "The citizens who asked question " + strconv.FormatInt(d.EscalationID, 10) + " can no longer be reached: the retention period has removed who they are."
		if !errors.Is(err, bot.ErrConflict) || bot.Explain(err, bot.English) != want ||
			!strings.Contains(bot.Explain(err, bot.French), "ne peuvent plus être jointes") {
			t.Errorf("err = %v, want ErrConflict saying %q, in both languages", err, want)
		}
		if res.Answer.Status != bot.AnswerRejected || res.Answer.ID == 0 {
			t.Errorf("answer %+v, want kept as rejected", res.Answer)
		}
		if a := e.auditedSince(n); len(a) != 1 || a[0].Action != "escalation.answer" || a[0].Allowed {
			t.Errorf("audited %+v, want the refused answer", a)
		}
		e.tick()
		if got := e.ch.all()[before:]; len(got) != 0 {
			t.Errorf("sent %+v, want nothing", got)
		}
		if n := e.desk.noticesOf(bot.NoticeRelayed); len(n) != 1 {
			t.Errorf("%d confirmations, want the first answer's only", len(n))
		}
		if esc, _ := e.eng.Escalation(e.ctx, d.EscalationID); esc.State != bot.StateRelayed {
			t.Errorf("state %s, want relayed", esc.State)
		}
	})
	t.Run("one asker purged, one not", func(t *testing.T) {
		e := newEnv(t, nil)
		d := e.ask("ana", goatEN)
		e.clock.Advance(40 * 24 * time.Hour)
		if d2 := e.ask("ben", goatEN2); d2.EscalationID != d.EscalationID {
			t.Fatalf("ben's question did not join: %+v", d2)
		}
		if _, err := answer(e, d.EscalationID, "a1", first); err != nil {
			t.Fatal(err)
		}
		e.tick()
		e.clock.Advance(40 * 24 * time.Hour)
		if res, err := e.st.Purge(e.ctx, e.clock.Now().Add(-60*24*time.Hour)); err != nil || res.Askers != 1 {
			t.Fatalf("purge %+v, %v; want ana's asker purged", res, err)
		}
		before := len(e.ch.all())
		if res, err := answer(e, d.EscalationID, "a2", again); err != nil || res.Relays != 1 {
			t.Fatalf("follow-up: %+v, %v; want it relayed to one citizen", res, err)
		}
		e.tick()
		if got := e.ch.all()[before:]; len(got) != 1 || got[0].To.UserID != "ben" || !strings.Contains(got[0].Reply.Text, "A correction") {
			t.Errorf("sent %+v, want the follow-up to ben only", got)
		}
		if n := e.desk.noticesOf(bot.NoticeRelayed); len(n) != 2 || n[1].Text != "Answer sent to 1 citizen." {
			t.Errorf("confirmations %+v, want the follow-up's to say 1 citizen", n)
		}
	})
}

// A relay that failed for good more than a week before the engine looks
// again (a long stop, an upgrade from a release that left such escalations
// answered) leaves its escalation answered: its author was told then, and
// old questions are not all sent back to the desk at once. One that failed
// within the week goes back to its author.
func TestAnswerNotDeliveredLongBeforeARestartStaysAnswered(t *testing.T) {
	for _, tt := range []struct {
		name    string
		after   time.Duration
		want    bot.EscalationState
		notices int
	}{
		{"six days after", 6 * 24 * time.Hour, bot.StateClaimed, 1},
		{"eight days after", 8 * 24 * time.Hour, bot.StateAnswered, 0},
		{"three months after", 90 * 24 * time.Hour, bot.StateAnswered, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			d := e.ask("ana", goatEN)
			e.tick()
			if _, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_ALEX", EventID: "a1",
				Text: "Only service animals may attend the ceremony."}); err != nil {
				t.Fatal(err)
			}
			failRelaysBeforeACrash(e)
			e.clock.Advance(tt.after)
			e.start()
			e.tick()
			esc, _ := e.eng.Escalation(e.ctx, d.EscalationID)
			if esc.State != tt.want {
				t.Errorf("state %s, want %s", esc.State, tt.want)
			}
			if n := len(e.desk.noticesOf(bot.NoticeReopened)); n != tt.notices {
				t.Errorf("%d reopened notices, want %d", n, tt.notices)
			}
		})
	}
}

func TestAnswerIsConfirmedToItsAuthorOnceDelivered(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("ana", goatEN)
	e.askIn("help", "ben", goatEN2)
	e.tick()
	down := true
	e.ch.fail = func(to bot.Address, r bot.Reply) error {
		if down && r.Kind == bot.KindRelay && to.UserID == "ben" {
			return errors.New("connection reset")
		}
		return nil
	}
	if _, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_ALEX", EventID: "a1",
		Text: "Only service animals may attend the ceremony."}); err != nil {
		t.Fatal(err)
	}
	e.tick()
	if n := e.desk.noticesOf(bot.NoticeRelayed); len(n) != 0 {
		t.Fatalf("ben's relay waits to retry, yet the desk was told %q", n[0].Text)
	}
	down = false
	e.clock.Advance(time.Minute)
	e.tick()
	e.tick()
	n := e.desk.noticesOf(bot.NoticeRelayed)
	if len(n) != 1 || n[0].Text != "Answer sent to 2 citizens." || n[0].DeskUserID != "U_ALEX" {
		t.Errorf("confirmations %+v, want one to U_ALEX: Answer sent to 2 citizens.", n)
	}
}

// A follow-up answer on an escalation already relayed is confirmed to its
// author only once every asker has it, not when its first relay arrives.
func TestFollowUpAnswerIsConfirmedOnlyOnceEveryAskerHasIt(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("ana", goatEN)
	if d2 := e.ask("ben", goatEN2); d2.EscalationID != d.EscalationID {
		t.Fatalf("ben's question did not join: %+v", d2)
	}
	e.tick()
	if _, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_ALEX", EventID: "a1",
		Text: "Only service animals may attend the ceremony."}); err != nil {
		t.Fatal(err)
	}
	e.tick()
	e.tick()
	if n := e.desk.noticesOf(bot.NoticeRelayed); len(n) != 1 {
		t.Fatalf("first answer: %d confirmations, want 1", len(n))
	}
	down := true
	e.ch.fail = func(to bot.Address, r bot.Reply) error {
		if down && r.Kind == bot.KindRelay && to.UserID == "ben" {
			return errors.New("connection reset")
		}
		return nil
	}
	e.clock.Advance(time.Minute)
	res, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_ALEX", EventID: "a2",
		Text: "Correction: the ceremony is now on Friday."})
	if err != nil || res.Relays != 2 {
		t.Fatalf("follow-up answer: %+v %v", res, err)
	}
	e.clock.Advance(time.Second)
	e.tick()
	e.tick()
	if n := e.desk.noticesOf(bot.NoticeRelayed); len(n) != 1 {
		esc, _ := e.eng.Escalation(e.ctx, d.EscalationID)
		t.Fatalf("ben has not got the follow-up (escalation %s), yet the desk was told %q", esc.State, n[len(n)-1].Text)
	}
	down = false
	e.clock.Advance(time.Hour)
	e.tick()
	e.tick()
	if n := e.desk.noticesOf(bot.NoticeRelayed); len(n) != 2 || n[1].Text != "Answer sent to 2 citizens." {
		t.Errorf("confirmations %+v, want a second one once ben has the follow-up", n)
	}
	if esc, _ := e.eng.Escalation(e.ctx, d.EscalationID); esc.State != bot.StateRelayed {
		t.Errorf("state = %s, want relayed", esc.State)
	}
}

// A relay that waited to retry and arrives after a follow-up answer was
// queued to the same citizen does not count them as having the follow-up:
// the escalation passes for relayed, and its author is told, only once
// they have that too.
func TestRelayDeliveredLateDoesNotStandForTheFollowUp(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("ana", goatEN)
	if d2 := e.ask("ben", goatEN2); d2.EscalationID != d.EscalationID {
		t.Fatalf("ben's question did not join: %+v", d2)
	}
	e.tick()
	benDown, correctionDown := true, true
	e.ch.fail = func(to bot.Address, r bot.Reply) error {
		correction := strings.Contains(r.Text, "Correction")
		switch {
		case r.Kind != bot.KindRelay:
			return nil
		case to.UserID == "ana" && !correction:
			return permanent{}
		case to.UserID == "ben" && (benDown || correction && correctionDown):
			return errors.New("connection reset")
		}
		return nil
	}
	if _, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_ALEX", EventID: "a1",
		Text: "Only service animals may attend the ceremony."}); err != nil {
		t.Fatal(err)
	}
	e.tick() // ana's relay fails for good, ben's waits to retry
	e.clock.Advance(time.Second)
	if res, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_ALEX", EventID: "a2",
		Text: "Correction: only service animals, and the ceremony is on Friday."}); err != nil || res.Relays != 2 {
		t.Fatalf("follow-up answer: %+v %v", res, err)
	}
	benDown = false
	e.clock.Advance(time.Hour)
	e.tick() // ben gets the first answer, ana the correction; ben's correction waits to retry
	e.tick()
	if esc, _ := e.eng.Escalation(e.ctx, d.EscalationID); esc.State != bot.StateAnswered {
		t.Errorf("state = %s while ben's correction waits to retry, want answered", esc.State)
	}
	if n := e.desk.noticesOf(bot.NoticeRelayed); len(n) != 0 {
		t.Errorf("ben has not got the correction, yet the desk was told %q", n[0].Text)
	}
	correctionDown = false
	e.clock.Advance(time.Hour)
	e.tick()
	e.tick()
	if esc, _ := e.eng.Escalation(e.ctx, d.EscalationID); esc.State != bot.StateRelayed {
		t.Errorf("state = %s once ben has the correction, want relayed", esc.State)
	}
	if n := e.desk.noticesOf(bot.NoticeRelayed); len(n) != 1 || n[0].Text != "Answer sent to 2 citizens." {
		t.Errorf("confirmations %+v, want one once ben has the correction", n)
	}
}

// A question whose staff member is the only one who speaks its language is
// not re-routed to someone who cannot answer in it: they are reminded again.
func TestUnclaimedEscalationIsNotReroutedToSomeoneWhoDoesNotSpeakItsLanguage(t *testing.T) {
	e := newEnv(t, func(c *bot.Config) {
		c.Staff = bot.Roster{
			{ID: "alex", Name: "Alex Martin", Languages: []bot.Lang{bot.English}, Topics: []string{"*"}, DeskUserID: "U_ALEX"},
			{ID: "nadia", Name: "Nadia Roy", Languages: []bot.Lang{bot.French}, Topics: []string{"*"}, DeskUserID: "U_NADIA"},
		}
	})
	d := e.ask("chloe", goatFR)
	e.tick()
	for range 3 {
		e.clock.Advance(31 * time.Minute)
		e.tick()
	}
	esc, _ := e.eng.Escalation(e.ctx, d.EscalationID)
	if esc.RoutedTo != "nadia" || esc.Reroutes != 0 {
		t.Errorf("French escalation routed to %s after %d re-routes, want it to stay with nadia", esc.RoutedTo, esc.Reroutes)
	}
	if re := e.desk.noticesOf(bot.NoticeReroute); len(re) != 0 {
		t.Errorf("re-routed: %+v", re)
	}
	rem := e.desk.noticesOf(bot.NoticeReminder)
	if len(rem) != 3 {
		t.Fatalf("%d reminders in 93 minutes, want 3", len(rem))
	}
	for _, n := range rem {
		if n.DeskUserID != "U_NADIA" || n.Lang != bot.French {
			t.Errorf("reminder %+v, want one to nadia in French", n)
		}
	}
}

// bob owns passports questions; he leaves the roster while questions are
// his.
var bob = bot.Staff{ID: "bob", Name: "Bob Leblanc", Languages: []bot.Lang{bot.English}, Topics: []string{"passports"}, DeskUserID: "U_BOB"}

// withBob routes goatEN to bob (passports), then restarts without him.
func withBob(t *testing.T, then func(e *env, id int64)) *env {
	e := newEnv(t, func(c *bot.Config) { c.Staff = append(bot.Roster{bob}, roster...) })
	d := e.ask("ana", goatEN)
	e.tick()
	if esc, _ := e.eng.Escalation(e.ctx, d.EscalationID); esc.RoutedTo != "bob" {
		t.Fatalf("routed to %s (topic %s), want bob", esc.RoutedTo, esc.Topic)
	}
	if then != nil {
		then(e, d.EscalationID)
	}
	e.cfg.Staff = roster
	e.start()
	return e
}

// An escalation routed to someone who left the roster is re-routed to
// someone on it when its reminder is due, instead of reminding nobody.
func TestEscalationOfStaffWhoLeftTheRosterIsReroutedWhenDue(t *testing.T) {
	var id int64
	e := withBob(t, func(e *env, eid int64) { id = eid })
	e.clock.Advance(31 * time.Minute)
	e.tick()
	esc, _ := e.eng.Escalation(e.ctx, id)
	re := e.desk.noticesOf(bot.NoticeReroute)
	if _, ok := roster.ByID(esc.RoutedTo); !ok || esc.State != bot.StateOpen || len(re) != 1 || re[0].StaffID != esc.RoutedTo {
		t.Fatalf("after remind_after: %s, routed to %q; re-route notices %+v", esc.State, esc.RoutedTo, re)
	}
	if want := "This question is now routed to you: bob, who had it, is no longer on the staff list."; re[0].Text != want {
		t.Errorf("notice %q, want %q", re[0].Text, want)
	}
	if n := e.desk.noticesOf(bot.NoticeReminder); len(n) != 0 {
		t.Errorf("reminders: %+v", n)
	}
	// From then on it is an ordinary unclaimed escalation.
	e.clock.Advance(31 * time.Minute)
	e.tick()
	if rem := e.desk.noticesOf(bot.NoticeReminder); len(rem) != 1 || rem[0].StaffID != esc.RoutedTo {
		t.Errorf("reminders %+v, want one to %s", rem, esc.RoutedTo)
	}
}

// A claim by someone who left the roster holds nothing: once its reminder
// is due the claim is released and the escalation re-routed, and before
// that anyone on the roster may take it over (audited).
func TestEscalationClaimedByStaffWhoLeftTheRosterIsReleased(t *testing.T) {
	claimBob := func(e *env, id int64) {
		if _, err := e.eng.Claim(e.ctx, id, "U_BOB"); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("released when due", func(t *testing.T) {
		var id int64
		e := withBob(t, func(e *env, eid int64) { id = eid; claimBob(e, eid) })
		e.clock.Advance(31 * time.Minute)
		e.tick()
		esc, _ := e.eng.Escalation(e.ctx, id)
		re := e.desk.noticesOf(bot.NoticeReroute)
		if _, ok := roster.ByID(esc.RoutedTo); !ok || esc.State != bot.StateOpen || esc.ClaimedBy != "" || len(re) != 1 {
			t.Fatalf("after remind_after: %s, claimed by %q, routed to %q; re-route notices %+v", esc.State, esc.ClaimedBy, esc.RoutedTo, re)
		}
		if a := e.auditedSince(e.auditCount() - 1); a[0].Action != "escalation.reroute" || !strings.Contains(a[0].Detail, "claim released: bob") {
			t.Errorf("audited %+v", a[0])
		}
		if _, err := e.eng.Claim(e.ctx, id, "U_NADIA"); err != nil {
			t.Errorf("claim after release: %v", err)
		}
	})
	t.Run("taken over", func(t *testing.T) {
		var id int64
		e := withBob(t, func(e *env, eid int64) { id = eid; claimBob(e, eid) })
		esc, err := e.eng.Claim(e.ctx, id, "U_ALEX")
		if err != nil || esc.ClaimedBy != "alex" {
			t.Fatalf("take over: claimed by %q, %v", esc.ClaimedBy, err)
		}
		if a := e.auditedSince(e.auditCount() - 1); a[0].Action != "escalation.claim" || !a[0].Allowed || a[0].Detail != "taken over from bob (not on the staff roster)" {
			t.Errorf("audited %+v", a[0])
		}
		// Claimed by someone on the roster, it is theirs.
		if _, err := e.eng.Claim(e.ctx, id, "U_NADIA"); !errors.Is(err, bot.ErrConflict) {
			t.Errorf("claim of alex's escalation: %v, want ErrConflict", err)
		}
		e.clock.Advance(3 * time.Hour)
		e.tick()
		if n := len(e.desk.noticesOf(bot.NoticeReminder)) + len(e.desk.noticesOf(bot.NoticeReroute)); n != 0 {
			t.Errorf("%d reminders or re-routes of an escalation claimed by alex", n)
		}
	})
}

// With nobody else on the roster, an unclaimed escalation is not
// "re-routed" to the person it is routed to: they are reminded again.
func TestUnclaimedEscalationOfTheOnlyStaffMemberIsRemindedAgain(t *testing.T) {
	e := newEnv(t, func(c *bot.Config) { c.Staff = roster[2:] })
	d := e.ask("ana", goatEN)
	e.tick()
	for range 3 {
		e.clock.Advance(31 * time.Minute)
		e.tick()
	}
	esc, _ := e.eng.Escalation(e.ctx, d.EscalationID)
	if esc.RoutedTo != "sam" || esc.Reroutes != 0 {
		t.Errorf("routed to %s after %d re-routes, want sam and none", esc.RoutedTo, esc.Reroutes)
	}
	if re := e.desk.noticesOf(bot.NoticeReroute); len(re) != 0 {
		t.Errorf("re-routed: %q", re[0].Text)
	}
	rem := e.desk.noticesOf(bot.NoticeReminder)
	if len(rem) != 3 {
		t.Fatalf("%d reminders in 93 minutes, want 3", len(rem))
	}
	if want := "Reminder: this question has been waiting 93 minutes and nobody has claimed it yet."; rem[2].Text != want || rem[2].StaffID != "sam" {
		t.Errorf("third reminder %+v, want %q to sam", rem[2], want)
	}
}

// After MaxReminders reminders and re-routes in all (3 by default), an
// unclaimed escalation is not reminded again: the next time it is due, the
// whole desk is told once, in both languages, in the desk channel and
// mentioning nobody, and then nothing more is said, also after a restart.
// Anyone may still claim it.
func TestUnclaimedEscalationIsRemindedAtMostMaxRemindersThenTheDeskIsToldOnce(t *testing.T) {
	e := newEnv(t, func(c *bot.Config) { c.Staff = roster[2:] })
	d := e.ask("ana", goatEN)
	e.tick()
	for range 4 {
		e.clock.Advance(31 * time.Minute)
		e.tick()
	}
	if rem := e.desk.noticesOf(bot.NoticeReminder); len(rem) != 3 {
		t.Errorf("%d reminders, want 3", len(rem))
	}
	last := e.desk.noticesOf(bot.NoticeUnclaimed)
	id := strconv.FormatInt(d.EscalationID, 10)
	want := "Question " + id + " has been waiting 124 minutes and nobody has claimed it after its reminders. It will not be reminded again: anyone on the staff list can claim it.\n" +
		"La question nº\u00a0" + id + " attend depuis 124 minutes et personne ne l’a prise en charge malgré les rappels. Il n’y aura plus de rappel\u00a0: toute personne de la liste du personnel peut la prendre en charge."
	if len(last) != 1 || last[0].Text != want {
		t.Fatalf("desk-wide notices %+v, want one: %q", last, want)
	}
	// In the question's thread, so that a reply to it answers the
	// question (the desk shows it to the whole desk as well).
	esc, err := e.eng.Escalation(e.ctx, d.EscalationID)
	if err != nil {
		t.Fatal(err)
	}
	if n := last[0]; n.StaffID != "" || n.DeskUserID != "" || n.EscalationID != d.EscalationID || n.DeskRef == "" || n.DeskRef != esc.DeskRef || n.Lang != "" {
		t.Errorf("notice %+v, want it in the question's thread, in both languages, mentioning nobody", n)
	}
	if a := e.auditedSince(e.auditCount() - 1); a[0].Action != "escalation.unclaimed" || a[0].Target != "escalation:"+id {
		t.Errorf("audited %+v", a[0])
	}
	for range 4 {
		e.clock.Advance(31 * time.Minute)
		e.tick()
	}
	e.start()
	e.clock.Advance(31 * time.Minute)
	e.tick()
	if n := len(e.desk.noticesOf(bot.NoticeReminder)) + len(e.desk.noticesOf(bot.NoticeUnclaimed)); n != 4 {
		t.Errorf("%d reminders and desk-wide notices in all, want 3 and 1", n)
	}
	if esc, err := e.eng.Claim(e.ctx, d.EscalationID, "U_SAM"); err != nil || esc.State != bot.StateClaimed {
		t.Errorf("claim after the reminders: %s, %v", esc.State, err)
	}
}

// Re-routes count with the reminders: reminded, re-routed, reminded, then
// the desk is told.
func TestReroutesCountAsReminders(t *testing.T) {
	e := newEnv(t, nil)
	e.ask("ana", goatEN)
	e.tick()
	for range 6 {
		e.clock.Advance(31 * time.Minute)
		e.tick()
	}
	rem, re := e.desk.noticesOf(bot.NoticeReminder), e.desk.noticesOf(bot.NoticeReroute)
	if len(rem) != 2 || len(re) != 1 || len(e.desk.noticesOf(bot.NoticeUnclaimed)) != 1 {
		t.Errorf("%d reminders, %d re-routes, %d desk-wide notices; want 2, 1, 1", len(rem), len(re), len(e.desk.noticesOf(bot.NoticeUnclaimed)))
	}
}

// With no reminders (NoReminders, max_reminders = 0), the whole desk is
// told at the first remind_after and nobody is reminded or re-routed.
func TestNoRemindersTellsTheDeskAtTheFirstRemindAfter(t *testing.T) {
	e := newEnv(t, func(c *bot.Config) { c.MaxReminders = bot.NoReminders })
	e.ask("ana", goatEN)
	e.tick()
	e.clock.Advance(29 * time.Minute)
	e.tick()
	if n := len(e.desk.noticesOf(bot.NoticeUnclaimed)); n != 0 {
		t.Fatalf("desk told after 29 minutes")
	}
	for range 3 {
		e.clock.Advance(31 * time.Minute)
		e.tick()
	}
	if n := len(e.desk.noticesOf(bot.NoticeReminder)) + len(e.desk.noticesOf(bot.NoticeReroute)); n != 0 {
		t.Errorf("%d reminders or re-routes, want none", n)
	}
	if n := len(e.desk.noticesOf(bot.NoticeUnclaimed)); n != 1 {
		t.Errorf("%d desk-wide notices, want 1", n)
	}
}

// Desks count the citizens an answer did not reach as the engine's
// relays and notices do: a citizen who asked twice in the same place is
// one, the same person elsewhere (another thread) is another.
func TestCitizensAreCountedAsTheEngineRelays(t *testing.T) {
	at := func(user, channel, thread string) bot.Asker {
		return bot.Asker{Address: bot.Address{Platform: "web", ChannelID: channel, ThreadID: thread, UserID: user}}
	}
	tests := []struct {
		name   string
		askers []bot.Asker
		want   int
	}{
		{"none", nil, 0},
		{"two people", []bot.Asker{at("a", "help", ""), at("b", "help", "")}, 2},
		{"asked twice in one place", []bot.Asker{at("a", "help", ""), at("a", "help", "")}, 1},
		{"asked in two threads", []bot.Asker{at("a", "help", ""), at("a", "help", "t1")}, 2},
		{"unknown users count alone", []bot.Asker{at("", "help", ""), at("", "help", "")}, 2},
	}
	for _, tt := range tests {
		if got := bot.Citizens(tt.askers); got != tt.want {
			t.Errorf("%s: citizens = %d, want %d", tt.name, got, tt.want)
		}
	}
}

// waitErr is a platform's refusal that says how long to wait (a rate
// limit's retry_after).
type waitErr time.Duration

func (w waitErr) Error() string            { return "rate limited" }
func (w waitErr) Retryable() bool          { return true }
func (w waitErr) RetryWait() time.Duration { return time.Duration(w) }

// A platform that asks for a wait longer than the back-off is not tried
// again before it ends: the attempts are not spent on refusals.
func TestSendRetriedNoSoonerThanThePlatformAsks(t *testing.T) {
	e := newEnv(t, nil)
	refusals := 0
	e.ch.fail = func(to bot.Address, r bot.Reply) error {
		if refusals < 1 {
			refusals++
			return waitErr(10 * time.Minute)
		}
		return nil
	}
	e.ask("ana", renewEN)
	e.tick() // refused: wait 10 minutes, not the back-off's 2 s
	for range 9 {
		e.clock.Advance(time.Minute)
		e.tick()
	}
	if n := len(e.ch.all()); n != 0 || refusals != 1 {
		t.Fatalf("within the platform's wait: %d sent, %d refused; want nothing tried again", n, refusals)
	}
	e.clock.Advance(time.Minute)
	e.tick()
	if n := len(e.ch.all()); n != 1 {
		t.Fatalf("after the platform's wait: %d sent, want the answer", n)
	}
}

// A suggestion of an entry the knowledge base holds in one language only
// (knowledge.allow_unpaired), for a question with askers in both (the
// first edited it into French), sends nothing to anyone and says which
// language the entry lacks, audited, rather than that the question is
// gone; the question still waits for an answer.
func TestSuggestionOfAnEntryLackingAnAskersLanguageIsRefusedSayingWhich(t *testing.T) {
	e := newEnv(t, nil)
	dir := t.TempDir()
	files, err := filepath.Glob("../knowledge/sample/*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("sample files: %v, %v", files, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	kb, err := knowledge.Open(e.ctx, knowledge.Options{Path: dir, DataDir: t.TempDir(), AllowUnpaired: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kb.Close() })
	e.kb = kb
	e.start()
	m := e.msg("help", "ana", goatEN, "q-ana")
	d, err := e.eng.HandleMessage(e.ctx, m)
	if err != nil || d.Action != bot.ActEscalate {
		t.Fatalf("decision %+v, %v: want an escalation", d, err)
	}
	if d2 := e.ask("ben", goatEN2); d2.EscalationID != d.EscalationID {
		t.Fatalf("ben's question %+v did not join escalation %d", d2, d.EscalationID)
	}
	e.tick()
	e.clock.Advance(time.Minute)
	if _, err := e.eng.HandleEdit(e.ctx, e.edit(m, goatFR, false)); err != nil {
		t.Fatal(err)
	}
	e.tick()
	esc, err := e.eng.Escalation(e.ctx, d.EscalationID)
	if err != nil || len(esc.Suggestions) == 0 || len(esc.Askers) != 2 || esc.Askers[0].Lang == esc.Askers[1].Lang {
		t.Fatalf("escalation %+v, %v; want suggestions and askers in both languages", esc, err)
	}
	// The suggested entry loses the half in the language the escalation
	// is not in, which one of its askers writes.
	entry, lacks := esc.Suggestions[0].EntryID, esc.Lang.Other()
	cut := false
	for _, f := range files {
		p := filepath.Join(dir, filepath.Base(f))
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		blocks := strings.Split(string(b), "\n[[entry]]")
		for i, block := range blocks {
			if !strings.Contains(block, `id = "`+entry+`"`) {
				continue
			}
			keep, drop, ok := strings.Cut(block, "[entry."+string(lacks)+"]")
			if !ok {
				t.Fatalf("entry %s has no %s half", entry, lacks)
			}
			// The half in the escalation's language may follow the
			// dropped one.
			if _, after, ok := strings.Cut(drop, "[entry."+string(esc.Lang)+"]"); ok {
				keep += "[entry." + string(esc.Lang) + "]" + after
			}
			blocks[i], cut = keep, true
		}
		if err := os.WriteFile(p, []byte(strings.Join(blocks, "\n[[entry]]")), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if !cut {
		t.Fatalf("entry %s not found in the files", entry)
	}
	if err := kb.Reload(e.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := kb.Entry(e.ctx, entry, lacks); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("entry %s in %s: %v, want it missing", entry, lacks, err)
	}
	if _, err := kb.Entry(e.ctx, entry, esc.Lang); err != nil {
		t.Fatalf("entry %s in %s: %v, want it kept", entry, esc.Lang, err)
	}
	n := e.auditCount()
	sentBefore := len(e.ch.all())
	_, err = e.eng.SendSuggestion(e.ctx, esc.ID, entry, "U_NADIA", "click-1")
	name, nom := "French", "français"
	if lacks == bot.English {
		name, nom = "English", "anglais"
	}
	want := `The entry "` + entry + `" has no ` + name + ` version, the language of someone who asked this question: nothing was sent. Write the answer instead.`
	wantFR := "La fiche «\u00a0" + entry + "\u00a0» n’existe pas en " + nom + ", la langue d’une personne qui a posé cette question\u00a0: rien n’a été envoyé. Rédigez plutôt la réponse."
	if !errors.Is(err, bot.ErrConflict) || bot.Explain(err, bot.English) != want || bot.Explain(err, bot.French) != wantFR {
		t.Errorf("err = %v, want ErrConflict saying %q, in both languages", err, want)
	}
	if a := e.auditedSince(n); len(a) != 1 || a[0].Action != "escalation.suggestion" || a[0].Allowed || !strings.Contains(a[0].Detail, "has no "+name+" version") {
		t.Errorf("audited %+v, want the refused suggestion", a)
	}
	e.tick()
	if s := e.ch.all(); len(s) != sentBefore {
		t.Errorf("sent %d more messages, want none", len(s)-sentBefore)
	}
	if esc, _ := e.eng.Escalation(e.ctx, d.EscalationID); !esc.State.Waiting() {
		t.Errorf("state %s, want still waiting", esc.State)
	}
}
