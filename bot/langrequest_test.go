package bot_test

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// sentAnyway has staff member deskUser answer chloe's French question in
// English and send it anyway, delivers it, and returns the escalation and
// the relay as posted (with the offer of the answer in French).
func sentAnyway(e *env, deskUser string) (int64, sent) {
	e.t.Helper()
	d := e.ask("chloe", goatFR)
	e.tick()
	res, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: deskUser, EventID: "ev-en",
		Text: "Only service animals are allowed at the ceremony."})
	if err != nil || !res.Mismatch {
		e.t.Fatal(res, err)
	}
	if _, err := e.eng.ResolveMismatch(e.ctx, res.Answer.ID, deskUser, true); err != nil {
		e.t.Fatal(err)
	}
	e.tick()
	e.tick()
	relay, ok := lastOf(e, bot.KindRelay)
	if !ok || !strings.Contains(relay.Reply.Text, "répondez ici") {
		e.t.Fatalf("relay %+v, want the offer of the answer in French", relay)
	}
	return d.EscalationID, relay
}

func lastOf(e *env, kind bot.ReplyKind) (sent, bool) {
	all := e.ch.all()
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Reply.Kind == kind {
			return all[i], true
		}
	}
	return sent{}, false
}

// replyTo has user reply text to the bot's message ref.
func (e *env) replyTo(user, ref, text string) bot.Decision {
	e.t.Helper()
	e.seq++
	m := e.msg("help", user, text, "r"+strconv.Itoa(e.seq))
	m.ReplyToBot, m.ReplyTo = true, ref
	d, err := e.eng.HandleMessage(e.ctx, m)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

// The citizen who takes the offer of an answer sent in the other official
// language gets it: their reply goes back to the same escalation, not to
// the knowledge base (« oui en français svp » matched the entry on
// official languages); its author, who writes French, has it back with a
// notice in their language; the citizen is told in theirs; the answer
// then written in French is relayed as any answer, without the offer.
func TestReplyTakingTheOfferOfAnAnswerInTheCitizensLanguageGoesBackToStaff(t *testing.T) {
	e := newEnv(t, nil)
	id, relay := sentAnyway(e, "U_SAM")
	audits := e.auditCount()

	d := e.replyTo("chloe", relay.Ref.ID, "oui en français svp")
	if d.Action != bot.ActEscalate || d.Reason != bot.ReasonLanguageRequest || d.EscalationID != id || d.EntryID != "" {
		t.Fatalf("decision %+v, want a language request on escalation %d, no entry", d, id)
	}
	esc, _ := e.eng.Escalation(e.ctx, id)
	if esc.State != bot.StateClaimed || esc.ClaimedBy != "sam" {
		t.Fatalf("escalation %s, claimed by %q; want claimed by sam", esc.State, esc.ClaimedBy)
	}
	e.tick()
	e.tick()
	ack, _ := lastOf(e, bot.KindAck)
	if want := "Merci. Nous avons demandé cette réponse en français. Un membre de notre équipe vous la transmettra ici."; ack.Reply.Text != want ||
		ack.To.UserID != "chloe" || ack.Reply.Lang != bot.French {
		t.Errorf("to the citizen %+v, want %q", ack, want)
	}
	var told []bot.Notice
	for _, n := range e.desk.noticesOf(bot.NoticeLangRequest) {
		if n.EscalationID == id && strings.Contains(n.Text, "asked for the answer") {
			told = append(told, n)
		}
	}
	want := "A citizen asked for the answer to question " + strconv.FormatInt(id, 10) + " in French (they wrote: “oui en français svp”). " +
		"The question is waiting again: write the answer in French and send it; it goes to the citizens who asked."
	if len(told) != 1 || told[0].Text != want || told[0].DeskUserID != "U_SAM" || told[0].Lang != bot.English {
		t.Errorf("staff told %+v, want once to U_SAM: %q", told, want)
	}
	if a := e.auditedSince(audits); len(a) != 1 || a[0].Action != "escalation.reopen" ||
		a[0].Detail != "citizen asked for the answer in fr: back with sam" {
		t.Errorf("audited %+v", a)
	}

	res, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: id, DeskUserID: "U_SAM", EventID: "ev-fr",
		Text: "Seuls les animaux d'assistance sont admis à la cérémonie."})
	if err != nil || res.Mismatch || res.Relays != 1 {
		t.Fatalf("answer in French: %+v, %v; want relayed to 1 citizen, not held", res, err)
	}
	e.tick()
	e.tick()
	fr, _ := lastOf(e, bot.KindRelay)
	if fr.To.UserID != "chloe" || !strings.HasPrefix(fr.Reply.Text, "Seuls les animaux") || fr.Reply.BodyLang != "" ||
		strings.Contains(fr.Reply.Text, "répondez ici") {
		t.Errorf("relay %+v, want the French answer without the offer", fr)
	}
	if esc, _ := e.eng.Escalation(e.ctx, id); esc.State != bot.StateRelayed {
		t.Errorf("state %s, want relayed", esc.State)
	}
	// The offer is kept: a further reply to the English relay is an
	// ordinary message.
	if d := e.replyTo("chloe", relay.Ref.ID, "oui en français svp"); d.Reason == bot.ReasonLanguageRequest {
		t.Errorf("reply to the old relay after the French answer: %+v", d)
	}
}

// An author who does not write the citizen's language (or who left the
// roster) does not get the question back: it is open, routed to someone
// who writes it, and they are told in their language.
func TestLanguageRequestOnAnAnswerByStaffWhoDoNotWriteItOpensTheQuestion(t *testing.T) {
	e := newEnv(t, nil)
	id, relay := sentAnyway(e, "U_ALEX")
	e.replyTo("chloe", relay.Ref.ID, "Je ne lis pas l'anglais")
	esc, _ := e.eng.Escalation(e.ctx, id)
	if esc.State != bot.StateOpen || esc.ClaimedBy != "" || esc.RoutedTo != "sam" {
		t.Fatalf("escalation %s, claimed by %q, routed to %q; want open, routed to sam (any topic, writes French)", esc.State, esc.ClaimedBy, esc.RoutedTo)
	}
	e.tick()
	var told []bot.Notice
	for _, n := range e.desk.noticesOf(bot.NoticeLangRequest) {
		if strings.HasPrefix(n.Text, "A citizen asked for the answer") {
			told = append(told, n)
		}
	}
	if len(told) != 1 || told[0].DeskUserID != "U_SAM" || !strings.Contains(told[0].Text, "in French (they wrote: “Je ne lis pas l'anglais”)") {
		t.Errorf("staff told %+v, want sam, in English", told)
	}
	if a := e.auditedSince(e.auditCount() - 1); a[0].Detail != "citizen asked for the answer in fr: open, routed to sam (alex is not on the roster or does not write fr)" {
		t.Errorf("audited %+v", a[0])
	}
}

// The offer is the citizen's, once: nobody else can take it, a reply to
// any other message of the bot is not a request, a thank-you or a no is
// not one, and a second reply neither reopens the question again nor
// tells anyone twice.
func TestLanguageOfferIsTakenOnlyByItsCitizenOnce(t *testing.T) {
	e := newEnv(t, nil)
	id, relay := sentAnyway(e, "U_SAM")
	ack, _ := lastOf(e, bot.KindAck)

	for _, c := range []struct{ name, user, ref, text string }{
		{"another citizen", "zoe", relay.Ref.ID, "oui en français svp"},
		{"a reply to the acknowledgement", "chloe", ack.Ref.ID, "oui en français svp"},
		{"a thank-you", "chloe", relay.Ref.ID, "merci!"},
		{"a no", "chloe", relay.Ref.ID, "non merci"},
	} {
		if d := e.replyTo(c.user, c.ref, c.text); d.Reason == bot.ReasonLanguageRequest {
			t.Errorf("%s: %+v, want no language request", c.name, d)
		}
	}
	if esc, _ := e.eng.Escalation(e.ctx, id); esc.State != bot.StateRelayed {
		t.Fatalf("state %s, want still relayed", esc.State)
	}

	audits := e.auditCount()
	e.replyTo("chloe", relay.Ref.ID, "oui merci")
	esc, _ := e.eng.Escalation(e.ctx, id)
	e.tick()
	d := e.replyTo("chloe", relay.Ref.ID, "allo? en français svp")
	e.tick()
	if d.Reason != bot.ReasonLanguageRequest || d.EscalationID != id {
		t.Errorf("second reply %+v, want recorded against escalation %d", d, id)
	}
	if again, _ := e.eng.Escalation(e.ctx, id); again.Version != esc.Version || again.State != bot.StateClaimed {
		t.Errorf("the second reply changed the escalation: version %d → %d, %s", esc.Version, again.Version, again.State)
	}
	acks := 0
	for _, s := range e.ch.all() {
		if strings.HasPrefix(s.Reply.Text, "Merci. Nous avons demandé") {
			acks++
		}
	}
	told := 0
	for _, n := range e.desk.noticesOf(bot.NoticeLangRequest) {
		if strings.Contains(n.Text, "asked for the answer") {
			told++
		}
	}
	if acks != 1 || told != 1 {
		t.Errorf("citizen told %d times, staff %d; want once each", acks, told)
	}
	if a := e.auditedSince(audits); len(a) != 2 || a[0].Action != "escalation.reopen" || a[1].Action != "escalation.language" {
		t.Errorf("audited %+v, want the reopening then the second request", a)
	}

	// Closed by staff, the offer is gone.
	if _, err := e.eng.Close(e.ctx, id, "U_SAM", "answered by phone"); err != nil {
		t.Fatal(err)
	}
	if d := e.replyTo("chloe", relay.Ref.ID, "en français svp"); d.Reason == bot.ReasonLanguageRequest {
		t.Errorf("after closing: %+v", d)
	}
}

// A reply in the thread the bot started on the question, where the relay
// was posted, takes the offer too, with no reply reference.
func TestLanguageOfferIsTakenInTheRelaysThread(t *testing.T) {
	e := newEnv(t, nil)
	id, relay := sentAnyway(e, "U_SAM")
	m := e.msg("help", "chloe", "en français svp", "in-thread")
	m.ThreadID, m.ReplyToBot = relay.To.ReplyTo, true
	d, err := e.eng.HandleMessage(e.ctx, m)
	if err != nil || d.Reason != bot.ReasonLanguageRequest || d.EscalationID != id {
		t.Fatalf("in the thread: %+v, %v; want a language request on %d", d, err, id)
	}
	m = e.msg("help", "zoe", "en français svp", "in-thread-zoe")
	m.ThreadID, m.ReplyToBot = relay.To.ReplyTo, true
	if d, _ := e.eng.HandleMessage(e.ctx, m); d.Reason == bot.ReasonLanguageRequest {
		t.Errorf("another citizen in the thread: %+v", d)
	}
}

// The answer in the askers' language after one sent anyway in the other
// goes to every asker, also when the question waits for some of them only
// (one joined it after it was given back): each was sent the offer.
func TestAnswerInTheAskersLanguageAfterOneSentAnywayGoesToEveryAsker(t *testing.T) {
	e := newEnv(t, nil)
	id, relay := sentAnyway(e, "U_SAM")
	e.replyTo("chloe", relay.Ref.ID, "oui svp")
	if d := e.ask("marc", goatFR); d.EscalationID != id {
		t.Fatalf("marc's question %+v, want it to join %d", d, id)
	}
	res, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: id, DeskUserID: "U_SAM", EventID: "ev-fr",
		Text: "Seuls les animaux d'assistance sont admis à la cérémonie."})
	if err != nil || res.Relays != 2 {
		t.Fatalf("answer in French: %d relays, %v; want chloe and marc", res.Relays, err)
	}
}

// A reply to the relay that is a new question the knowledge base answers
// with confidence ("Comment renouveler mon passeport?" the next morning:
// on the web chat, the citizen's next message is taken as a reply) is
// answered as any question, and the escalation is left as it is; the
// offer still stands, and a yes or a word about the language takes it.
func TestNewQuestionTheKnowledgeBaseAnswersIsNotTakenAsTheLanguageRequest(t *testing.T) {
	e := newEnv(t, nil)
	id, relay := sentAnyway(e, "U_SAM")
	if d := e.replyTo("chloe", relay.Ref.ID, renewFR); d.Action != bot.ActAnswer || d.EntryID != "passport-renew" {
		t.Fatalf("new question in reply to the relay: %+v, want the answer on passport renewal", d)
	}
	if esc, _ := e.eng.Escalation(e.ctx, id); esc.State != bot.StateRelayed {
		t.Fatalf("escalation %s after a new question, want still relayed", esc.State)
	}
	if d := e.replyTo("chloe", relay.Ref.ID, "Je ne lis pas l'anglais"); d.Reason != bot.ReasonLanguageRequest || d.EscalationID != id {
		t.Errorf("then a reply about the language: %+v, want the language request", d)
	}
}

// The answer in the askers' language after one sent anyway in the other
// goes to those the latter reached, not to an asker who already had an
// earlier answer in their language: ben got nadia's English answer, the
// relay to ana failed, the French one was sent anyway to ana only; the
// English answer then written is for ana.
func TestAnswerInTheAskersLanguageAfterOneSentAnywayIsNotSentAgainToWhoHadOneInTheirs(t *testing.T) {
	e := newEnv(t, nil)
	id := undeliveredToAna(e)
	e.tick()
	e.tick()
	e.ch.fail = nil
	e.clock.Advance(time.Minute)
	res, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: id, DeskUserID: "U_NADIA", EventID: "a2",
		Text: "Seuls les animaux d'assistance sont admis à la cérémonie de citoyenneté."})
	if err != nil || !res.Mismatch {
		t.Fatal(res, err)
	}
	if r, err := e.eng.ResolveMismatch(e.ctx, res.Answer.ID, "U_NADIA", true); err != nil || r.Relays != 1 {
		t.Fatalf("sent anyway: %+v, %v; want to ana only", r, err)
	}
	e.tick()
	e.tick()
	res, err = e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: id, DeskUserID: "U_NADIA", EventID: "a3",
		Text: "Only service animals may attend the citizenship ceremony."})
	if err != nil || res.Relays != 1 {
		t.Fatalf("answer in English: %+v, %v; want relayed to ana only", res, err)
	}
	e.tick()
	e.tick()
	if last, _ := lastOf(e, bot.KindRelay); last.To.UserID != "ana" {
		t.Errorf("last relay to %q, want ana", last.To.UserID)
	}
}

// Reports count a citizen's request for the answer in their language as a
// language request, not as a new question nor a new escalation: the
// question was counted once, when it was asked, and its acknowledgement is
// not a first response to a question. The question waits again.
func TestLanguageRequestIsCountedApartFromQuestionsInReports(t *testing.T) {
	e := newEnv(t, nil)
	_, relay := sentAnyway(e, "U_SAM")
	before, err := e.st.Summary(e.ctx, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	if d := e.replyTo("chloe", relay.Ref.ID, "oui en français svp"); d.Reason != bot.ReasonLanguageRequest {
		t.Fatalf("decision %+v, want a language request", d)
	}
	e.clock.Advance(time.Hour) // its acknowledgement goes out an hour later
	e.tick()
	e.tick()
	after, err := e.st.Summary(e.ctx, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(after.Questions, before.Questions) || after.Escalated != before.Escalated ||
		after.MedianFirstResponse != before.MedianFirstResponse || !reflect.DeepEqual(after.TopGaps, before.TopGaps) {
		t.Errorf("after the language request: questions %v, escalated %d, first response %v, gaps %v; want as before: %v, %d, %v, %v",
			after.Questions, after.Escalated, after.MedianFirstResponse, after.TopGaps,
			before.Questions, before.Escalated, before.MedianFirstResponse, before.TopGaps)
	}
	if before.LanguageRequests != 0 || after.LanguageRequests != 1 || after.OpenEscalations != 1 {
		t.Errorf("language requests %d then %d, open escalations %d; want 0 then 1, 1 open",
			before.LanguageRequests, after.LanguageRequests, after.OpenEscalations)
	}
}
