package bot_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/phases"
)

const (
	renewEN    = "How do I renew my passport?"
	renewFR    = "Comment renouveler mon passeport?"
	goatEN     = "Can my neighbour's goat attend the citizenship ceremony on Thursday?"
	goatEN2    = "Is my neighbour's goat allowed at the citizenship ceremony?"
	goatFR     = "Est-ce que la chèvre de mon voisin peut venir à la cérémonie de citoyenneté jeudi?"
	lead       = "U_SAM"
	notALead   = "U_ALEX"
	unrostered = "U_STRANGER"
)

func (e *env) setPhase(p phases.Phase, channel bot.ChannelKey) {
	e.t.Helper()
	if _, err := e.eng.SetPhase(e.ctx, bot.PhaseRequest{Actor: bot.Actor{DeskUserID: lead}, Phase: p, Channel: channel, Reason: "test"}); err != nil {
		e.t.Fatal(err)
	}
}

func TestRepliesPhaseAnswersInTheCitizensLanguage(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		name, text string
		lang       bot.Lang
	}{
		{"english", renewEN, bot.English},
		{"french", renewFR, bot.French},
		{"french without accents", "comment renouveller mon passeport svp", bot.French},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := e.ask("ana", tt.text)
			if d.Action != bot.ActAnswer || d.Lang != tt.lang || d.EntryID != "passport-renew" {
				t.Fatalf("decision = %+v, want an answer from passport-renew in %s", d, tt.lang)
			}
			if d.Phase != phases.Replies || d.Reason != bot.ReasonConfident {
				t.Errorf("phase %v reason %v", d.Phase, d.Reason)
			}
		})
	}
	e.tick()
	got := e.ch.all()
	if len(got) != len(tests) {
		t.Fatalf("sent %d replies, want %d", len(got), len(tests))
	}
	for i, s := range got {
		if s.Reply.Kind != bot.KindAnswer || s.Reply.Lang != tests[i].lang || !s.Reply.Feedback {
			t.Errorf("reply %d = %+v", i, s.Reply)
		}
		if s.To.ReplyTo == "" || s.To.UserID != "ana" || s.To.ChannelID != "help" {
			t.Errorf("reply %d address = %+v", i, s.To)
		}
	}
	if got[0].Reply.Text == got[1].Reply.Text {
		t.Error("English and French answers are the same text")
	}
	if !strings.Contains(got[1].Reply.Text, "👍") || !strings.Contains(got[1].Reply.Text, "utile") {
		t.Errorf("French answer lacks the French feedback prompt: %q", got[1].Reply.Text)
	}
}

func TestBroadcastPhaseRecordsShadowDecisionsAndSaysNothing(t *testing.T) {
	e := newEnv(t, nil)
	e.setPhase(phases.Broadcast, "")
	d1 := e.ask("ana", renewEN)
	d2 := e.ask("ben", goatEN)
	if d1.Action != bot.ActShadow || d1.Would != bot.ActAnswer || d1.EntryID != "passport-renew" {
		t.Errorf("known question: %+v, want shadow that would answer", d1)
	}
	if d2.Action != bot.ActShadow || d2.Would != bot.ActEscalate {
		t.Errorf("unknown question: %+v, want shadow that would escalate", d2)
	}
	e.tick()
	if n := len(e.ch.all()); n != 0 {
		t.Fatalf("phase 1 posted %d public replies", n)
	}
	if e.desk.postCount() != 0 {
		t.Error("phase 1 escalated to the desk")
	}
	sum, err := e.st.Summary(e.ctx, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Shadow != 2 || sum.ShadowWouldAnswer != 1 {
		t.Errorf("summary shadow=%d would-answer=%d, want 2 and 1", sum.Shadow, sum.ShadowWouldAnswer)
	}
	if n := len(e.desk.noticesOf(bot.NoticePhase)); n != 1 {
		t.Errorf("phase change announced %d times on the desk, want 1", n)
	}
	// Broadcasts still go out in phase 1.
	if _, err := e.eng.Broadcast(e.ctx, bot.BroadcastRequest{Actor: bot.Actor{DeskUserID: lead}, EN: "Offices close at noon today.", FR: "Les bureaux ferment à midi aujourd’hui."}); err != nil {
		t.Fatal(err)
	}
	e.tick()
	if k := e.ch.kinds(); len(k) != 3 || k[0] != bot.KindBroadcast {
		t.Errorf("phase 1 broadcast kinds = %v, want 3 broadcasts", k)
	}
}

func TestChannelOverridePilotsRepliesInOneChannel(t *testing.T) {
	e := newEnv(t, nil)
	e.setPhase(phases.Broadcast, "")
	e.setPhase(phases.Replies, "mem:help")
	if d := e.ask("ana", renewEN); d.Action != bot.ActAnswer {
		t.Errorf("help channel (phase 2 pilot): %+v", d)
	}
	m := e.msg("general", "ben", "@liaison "+renewEN, "g1")
	m.Mentioned = true
	d, err := e.eng.HandleMessage(e.ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if d.Action != bot.ActShadow || d.Phase != phases.Broadcast {
		t.Errorf("general channel (phase 1): %+v", d)
	}
	// Removing the override returns the channel to the global phase.
	e.setPhase(0, "mem:help")
	if d := e.ask("ana", renewFR); d.Action != bot.ActShadow {
		t.Errorf("after removing the override: %+v", d)
	}
}

func TestOutreachPhaseBehavesAsRepliesUntilBuilt(t *testing.T) {
	e := newEnv(t, nil)
	e.setPhase(phases.Outreach, "")
	if d := e.askIn("general", "ana", "my passport renewal is so slow, complaint"); d.Action != bot.ActIgnore || d.Reason != bot.ReasonNotAddressed {
		t.Errorf("unaddressed message in phase 3: %+v, want ignored", d)
	}
	if d := e.ask("ana", renewEN); d.Action != bot.ActAnswer || d.Phase != phases.Outreach {
		t.Errorf("addressed question in phase 3: %+v", d)
	}
}

func TestOnlyCommsLeadsSwitchPhasesAndEveryAttemptIsAudited(t *testing.T) {
	e := newEnv(t, nil)
	for _, who := range []string{notALead, unrostered} {
		_, err := e.eng.SetPhase(e.ctx, bot.PhaseRequest{Actor: bot.Actor{DeskUserID: who}, Phase: phases.Broadcast, Reason: "try"})
		if !errors.Is(err, bot.ErrForbidden) {
			t.Errorf("%s: err = %v, want ErrForbidden", who, err)
		}
	}
	if _, err := e.eng.SetPhase(e.ctx, bot.PhaseRequest{Actor: bot.Actor{DeskUserID: lead}, Phase: phases.Broadcast}); !errors.Is(err, bot.ErrInvalid) {
		t.Errorf("no reason: err = %v, want ErrInvalid", err)
	}
	if got := e.eng.PhaseState(e.ctx).Global; got != phases.Replies {
		t.Fatalf("phase changed to %v by refused requests", got)
	}
	e.setPhase(phases.Broadcast, "")
	log, err := e.st.AuditLog(e.ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var refused, allowed int
	for _, a := range log {
		if a.Action != "phase.set" {
			continue
		}
		if a.Allowed {
			allowed++
			if a.Actor != "sam" || !strings.Contains(a.Detail, "test") {
				t.Errorf("allowed entry = %+v", a)
			}
		} else {
			refused++
		}
	}
	if refused != 3 || allowed != 1 {
		t.Errorf("audit: %d refused (two who may not, one without a reason), %d allowed; want 3 and 1", refused, allowed)
	}
	changes, err := e.st.PhaseChanges(e.ctx, 0)
	if err != nil || len(changes) != 1 || changes[0].By != "sam" || changes[0].From != phases.Replies || changes[0].To != phases.Broadcast {
		t.Errorf("changes = %+v, %v", changes, err)
	}
}

func TestMessagesNotForTheBotAreRecordedAndIgnored(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		name   string
		m      bot.Message
		reason bot.Reason
	}{
		{"not addressed", bot.Message{ChannelID: "general", Text: renewEN}, bot.ReasonNotAddressed},
		{"bot author", bot.Message{ChannelID: "help", Text: renewEN, AuthorBot: true}, bot.ReasonBotAuthor},
		{"empty", bot.Message{ChannelID: "help", Text: "  \x00 "}, bot.ReasonEmpty},
		{"abuse", bot.Message{ChannelID: "help", Text: "you are all idiots"}, bot.ReasonAbuse},
	}
	for i, tt := range tests {
		tt.m.Platform, tt.m.ID, tt.m.AuthorID = "mem", "x"+string(rune('a'+i)), "zed"
		d, err := e.eng.HandleMessage(e.ctx, tt.m)
		if err != nil || d.Action != bot.ActIgnore || d.Reason != tt.reason {
			t.Errorf("%s: %+v %v, want ignore/%s", tt.name, d, err, tt.reason)
		}
	}
	// Frustrated swearing is still a question.
	if d := e.ask("zed", "why is the damn passport renewal so fucking slow, how do I renew my passport"); d.Action == bot.ActIgnore {
		t.Errorf("swearing without a target was ignored: %+v", d)
	}
	e.tick()
	for _, s := range e.ch.all() {
		if s.To.ReplyTo != "m1" {
			t.Errorf("replied to an ignored message: %+v", s)
		}
	}
}

// Swearing in frustration is still a question: an English contraction
// ("can't") or "pros and cons" does not make it abuse aimed at someone.
func TestFrustratedQuestionWithAContractionIsAnswered(t *testing.T) {
	e := newEnv(t, nil)
	for _, text := range []string{
		"Why can't I renew my passport online, this is bullshit",
		"I don't understand the pros and cons of renewing my passport early",
		"My passport renewal is taking forever, I can't believe this shit",
	} {
		if d := e.ask("ana", text); d.Action == bot.ActIgnore {
			t.Errorf("%q: %s/%s, want an answer or an escalation", text, d.Action, d.Reason)
		}
	}
}

// Swearing at a thing is frustration and the question in it is answered, in
// either language; swearing or an insult aimed at a person is recorded as
// abuse and gets no reply.
func TestFrustratedSwearingIsAnsweredAndAbuseAtPeopleIsNot(t *testing.T) {
	e := newEnv(t, nil)
	for _, text := range []string{
		"Can you tell me why my fucking passport is late?",
		"this damn form won't submit, can you help me renew my passport",
		"Pouvez-vous me dire pourquoi mon crisse de passeport est en retard?",
		"mon tabarnak de passeport est pas arrivé, vous pouvez vérifier?",
		"this f*cking form won't submit, can you help me renew my passport",
		"mon t@b@rn@k de passeport est pas arrivé, vous pouvez vérifier?",
	} {
		if d := e.ask("ana", text); d.Action == bot.ActIgnore {
			t.Errorf("%q: %s/%s, want an answer or an escalation", text, d.Action, d.Reason)
		}
	}
	e.tick()
	sent := len(e.ch.all())
	for _, text := range []string{
		"you're a fucking idiot",
		"fuck off",
		"t’es un crisse de cave",
		"t'es rien qu'un crisse de cave",
		"tes rien quun crisse de cave",
		"vous êtes des incompétents de merde",
		"f*ck off",
		"ta g*eule",
	} {
		if d := e.ask("zed", text); d.Action != bot.ActIgnore || d.Reason != bot.ReasonAbuse {
			t.Errorf("%q: %s/%s, want ignore/abuse", text, d.Action, d.Reason)
		}
	}
	e.tick()
	if got := e.ch.all(); len(got) != sent {
		t.Errorf("replied to abuse: %+v", got[sent:])
	}
}

// A citizen who names someone they dealt with by an insult ("that idiot
// hung up on me") is complaining about the service: the complaint reaches
// staff, in either language. The same insult thrown at the one addressed is
// abuse.
func TestComplaintNamingSomeoneByAnInsultReachesStaff(t *testing.T) {
	e := newEnv(t, nil)
	for _, text := range []string{
		"I called and that idiot hung up on me",
		"J'ai appelé et cet imbécile m'a raccroché au nez",
		"I called and some idiot hung up on me",
		"J'ai appelé et un imbécile m'a raccroché au nez",
	} {
		if d := e.ask("ana", text); d.Action != bot.ActEscalate {
			t.Errorf("%q: %s/%s, want an escalation", text, d.Action, d.Reason)
		}
	}
	for _, text := range []string{"you idiot", "vous êtes des imbéciles"} {
		if d := e.ask("zed", text); d.Action != bot.ActIgnore || d.Reason != bot.ReasonAbuse {
			t.Errorf("%q: %s/%s, want ignore/abuse", text, d.Action, d.Reason)
		}
	}
	e.tick()
	e.desk.mu.Lock()
	posted := len(e.desk.order)
	e.desk.mu.Unlock()
	if posted == 0 {
		t.Error("no complaint was posted to the staff desk")
	}
}

// A citizen who only says thank you, after an answer, is neither answered
// from the knowledge base ("Thank you so much" matched what a passport
// costs) nor passed to staff as a question: the message is recorded and
// left. So is a message of emoji or punctuation alone ("???", "👍"), which
// was passed to staff and thanked for its question. A thank-you with a
// question in it is handled as the question, and so is anything with a
// letter or a digit ("??? passport", "T4?", "123").
func TestThankYouIsNeitherAnsweredNorPassedToStaff(t *testing.T) {
	e := newEnv(t, nil)
	for i, c := range []struct {
		text string
		want bot.Reason
	}{
		{"thanks!", bot.ReasonCourtesy},
		{"Thank you so much 🙏", bot.ReasonCourtesy},
		{"thx", bot.ReasonCourtesy},
		{"ok thanks, have a good day", bot.ReasonCourtesy},
		{"thank you for your help", bot.ReasonCourtesy},
		{"Merci beaucoup!", bot.ReasonCourtesy},
		{"ok merci", bot.ReasonCourtesy},
		{"merci pour l'info", bot.ReasonCourtesy},
		{"merci pour votre aide", bot.ReasonCourtesy},
		{"Merci mille fois, bonne journée", bot.ReasonCourtesy},
		{"😡😡😡😡😡", bot.ReasonNoWords},
		{"???", bot.ReasonNoWords},
		{"👍", bot.ReasonNoWords},
		{"!!!", bot.ReasonNoWords},
		{"🙏🙏", bot.ReasonNoWords},
		{"?! …", bot.ReasonNoWords},
		// A server's own emoji, as adapters write it (Discord's
		// <:blobheart:123…>), is an emoji too.
		{":blobheart:", bot.ReasonNoWords},
		{":wave: :wave:", bot.ReasonNoWords},
		{"Thanks! :heart:", bot.ReasonCourtesy},
		{"merci :coeur:", bot.ReasonCourtesy},
	} {
		d := e.ask(fmt.Sprint("thanks", i), c.text)
		if d.Action != bot.ActIgnore || d.Reason != c.want {
			t.Errorf("%q: %s (%s), want it left (%s)", c.text, d.Action, d.Reason, c.want)
		}
	}
	e.tick()
	if s := e.ch.all(); len(s) != 0 {
		t.Errorf("%d replies to thank-yous or emoji, first %q", len(s), s[0].Reply.Text)
	}
	if n := e.desk.postCount(); n != 0 {
		t.Errorf("%d thank-yous or emoji passed to staff", n)
	}
	for i, text := range []string{
		"Thank you. How do I renew my passport?",
		"merci, comment renouveler mon passeport?",
		"thanks but my cheque still didn't come",
		"thanks for nothing",
		"??? passport",
		"😡 my cheque is late",
		"T4?",
		"123",
		":sad: my cheque is late",
		"Is the office open at 10:30:00?",
	} {
		if d := e.ask(fmt.Sprint("asks", i), text); d.Action == bot.ActIgnore {
			t.Errorf("%q is left (%s), want it handled as a question", text, d.Reason)
		}
	}
}

// A message of files alone (a screenshot, a voice message) addressed to the
// bot is neither answered nor passed to staff, who would get an empty
// question: the citizen is asked, in both languages since it says none, to
// write it; in shadow mode that is what the bot would have done. Files in a
// channel where nobody spoke to the bot are left alone.
func TestFilesAloneAreAskedToBeWritten(t *testing.T) {
	e := newEnv(t, nil)
	m := e.msg("help", "ana", "", "pic")
	m.Files = 1
	d, err := e.eng.HandleMessage(e.ctx, m)
	if err != nil || d.Action != bot.ActNotice || d.Reason != bot.ReasonFilesOnly {
		t.Fatalf("%+v %v, want a notice (%s)", d, err, bot.ReasonFilesOnly)
	}
	e.tick()
	s := e.ch.all()
	if len(s) != 1 || s[0].To.ReplyTo != "pic" || !strings.Contains(s[0].Reply.Text, "type your question") ||
		!strings.Contains(s[0].Reply.Text, "écrire votre question") {
		t.Errorf("sent %+v, want the request to write the question, in both languages", s)
	}
	if list, err := e.st.Escalations(e.ctx, bot.EscalationFilter{}); err != nil || len(list) != 0 {
		t.Errorf("%d escalations (%v), want none", len(list), err)
	}
	m = e.msg("general", "ana", "", "pic2")
	m.Files = 2
	if d, err := e.eng.HandleMessage(e.ctx, m); err != nil || d.Action != bot.ActIgnore || d.Reason != bot.ReasonNotAddressed {
		t.Errorf("files in #general: %+v %v, want them left (not addressed)", d, err)
	}
	e.setPhase(phases.Broadcast, "")
	m = e.msg("help", "ana", "", "pic3")
	m.Files = 1
	if d, err := e.eng.HandleMessage(e.ctx, m); err != nil || d.Action != bot.ActShadow || d.Would != bot.ActNotice {
		t.Errorf("files in phase 1: %+v %v, want shadow (would notice)", d, err)
	}
}

func TestPartisanQuestionGetsTheNeutralNotice(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("ana", "Pour qui voter aux prochaines élections, les libéraux ou les conservateurs?")
	if d.Action != bot.ActNotice || d.Reason != bot.ReasonPartisan || d.Lang != bot.French {
		t.Fatalf("%+v", d)
	}
	e.tick()
	s := e.ch.all()
	if len(s) != 1 || !strings.Contains(s[0].Reply.Text, "partisanes") {
		t.Errorf("sent %+v", s)
	}
	// Leaders compared, with no word of opinion.
	for i, q := range []struct {
		text string
		lang bot.Lang
	}{
		{"Carney vs. Poilievre?", bot.English},
		{"Who is better, Carney or Poilievre?", bot.English},
		{"Poilievre ou Carney?", bot.French},
		{"Qui est mieux entre Carney et Poilievre?", bot.French},
		// Opinions of a leader's budget or plan.
		{"Carney's budget is a disaster", bot.English},
		{"I think Poilievre's plan is bad", bot.English},
		{"Je trouve que le plan de Poilievre est mauvais", bot.French},
		{"Le budget de Carney est un désastre", bot.French},
	} {
		if d := e.ask(fmt.Sprintf("voter%d", i), q.text); d.Action != bot.ActNotice || d.Reason != bot.ReasonPartisan || d.Lang != q.lang {
			t.Errorf("%q: %s/%s in %s, want the partisan notice in %s", q.text, d.Action, d.Reason, d.Lang, q.lang)
		}
	}
}

// A citizen who shares a party leader's surname, or names a clerk who does,
// is answered: only a leader's full name, or a surname next to a word of
// elections or opinion about the person, is partisan.
func TestCitizenNamedLikeAPartyLeaderIsAnswered(t *testing.T) {
	e := newEnv(t, nil)
	if d := e.ask("harpreet", "Hi, I'm Harpreet Singh. How do I renew my passport?"); d.Action != bot.ActAnswer || d.EntryID != "passport-renew" {
		t.Errorf("%s/%s (entry %q), want the passport-renew answer", d.Action, d.Reason, d.EntryID)
	}
	for _, text := range []string{
		"I think Singh handled my file, can you check?",
		"Je pense que Singh s'occupe de mon dossier, pouvez-vous vérifier?",
		"I think Singh sent the wrong form, can you check?",
		"Je pense que Singh a le mauvais dossier, pouvez-vous vérifier?",
		"Can I see Mr. Singh or Ms. Carney at the office?",
		"My case officer is Singh or maybe Carney, I forget. Can you check my file?",
		"Puis-je voir M. Singh ou Mme Carney au bureau?",
		"Mon agente est Singh ou peut-être Carney, je ne sais plus. Pouvez-vous vérifier mon dossier?",
		"Singh's office sent me a letter, what do I do with it?",
		"Le bureau de Singh m'a envoyé une lettre, qu'est-ce que je dois en faire?",
	} {
		if d := e.ask("raj", text); d.Reason == bot.ReasonPartisan || d.Action == bot.ActIgnore {
			t.Errorf("%q: %s/%s, want an answer or an escalation", text, d.Action, d.Reason)
		}
	}
	if d := e.ask("ana", "What do you think of Jagmeet Singh?"); d.Reason != bot.ReasonPartisan {
		t.Errorf("question about a party leader: %s/%s, want the partisan notice", d.Action, d.Reason)
	}
}

func TestRedeliveredMessageIsHandledOnce(t *testing.T) {
	e := newEnv(t, nil)
	m := e.msg("help", "ana", renewEN, "same-id")
	d1, err1 := e.eng.HandleMessage(e.ctx, m)
	d2, err2 := e.eng.HandleMessage(e.ctx, m)
	if err1 != nil || err2 != nil || d1.MessageID != d2.MessageID || d2.Action != bot.ActAnswer {
		t.Fatalf("first %+v %v, second %+v %v", d1, err1, d2, err2)
	}
	e.tick()
	if n := len(e.ch.all()); n != 1 {
		t.Errorf("answered %d times", n)
	}
}

func TestFloodGetsOneNoticeNotFiftyAnswers(t *testing.T) {
	e := newEnv(t, func(c *bot.Config) { c.FloodPerMinute = 5 })
	counts := map[bot.Action]int{}
	for i := 0; i < 50; i++ {
		d := e.ask("spammer", renewEN)
		counts[d.Action]++
		e.clock.Advance(time.Second) // 50 messages in 50 seconds
	}
	if counts[bot.ActAnswer] != 5 || counts[bot.ActNotice] != 1 || counts[bot.ActIgnore] != 44 {
		t.Errorf("actions = %v, want 5 answers, 1 notice, 44 ignored", counts)
	}
	e.clock.Advance(2 * time.Minute)
	if d := e.ask("spammer", renewEN); d.Action != bot.ActAnswer {
		t.Errorf("after the window: %+v", d)
	}
	if d := e.ask("someone-else", renewEN); d.Action != bot.ActAnswer {
		t.Errorf("another user was throttled: %+v", d)
	}
	e.tick()
	var notices int
	for _, s := range e.ch.all() {
		if s.Reply.Kind == bot.KindNotice {
			notices++
		}
	}
	if notices != 1 {
		t.Errorf("%d flood notices sent", notices)
	}
}

func TestOversizedAndHostileTextIsHandled(t *testing.T) {
	e := newEnv(t, nil)
	huge := strings.Repeat("passport renew ", 20000) + "\x00\x07\xff"
	d := e.ask("ana", huge)
	if d.Action == "" || d.MessageID == 0 {
		t.Fatalf("%+v", d)
	}
}

// A threshold that is not a number from 0 to 1 is refused: a NaN compares
// false with every bound, and the engine would never answer.
func TestNewRefusesAThresholdOutOfRange(t *testing.T) {
	for _, th := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -0.1, 1.5} {
		_, err := bot.New(bot.Config{AnswerThreshold: th}, bot.Deps{})
		if err == nil || !strings.Contains(err.Error(), "answer threshold") {
			t.Errorf("threshold %v: err = %v, want it refused", th, err)
		}
	}
}

// A message whose language cannot be told (digits, an acronym) in a
// bilingual channel is acknowledged in both official languages; in a
// French channel, in French.
func TestUndetectableQuestionIsAcknowledgedInBothLanguages(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("ana", "4471 ???")
	if d.Action != bot.ActEscalate {
		t.Fatalf("decision = %+v, want an escalation", d)
	}
	e.tick()
	got := e.ch.all()
	if len(got) != 1 || got[0].Reply.Kind != bot.KindAck || got[0].Reply.Lang != bot.Unknown {
		t.Fatalf("sent %+v, want one bilingual acknowledgement", got)
	}
	en, fr := e.msgs.Text(bot.English, bot.MsgAck, nil), e.msgs.Text(bot.French, bot.MsgAck, nil)
	if !strings.Contains(got[0].Reply.Text, en) || !strings.Contains(got[0].Reply.Text, fr) {
		t.Errorf("acknowledgement %q lacks one of %q, %q", got[0].Reply.Text, en, fr)
	}
	m := e.msg("fr", "bob", "4471 ???", "m-fr")
	m.Mentioned = true
	if _, err := e.eng.HandleMessage(e.ctx, m); err != nil {
		t.Fatal(err)
	}
	e.tick()
	got = e.ch.all()
	if len(got) != 2 || got[1].Reply.Lang != bot.French || got[1].Reply.Text != fr {
		t.Errorf("in the French channel: sent %+v, want the French acknowledgement", got[len(got)-1])
	}
}

// A question the knowledge base answers whose language cannot be told ("cheque",
// spelled alike in both) is answered, in a bilingual channel, in both
// official languages, as it is acknowledged: one reply, English then French,
// each part the entry's answer with its link and the feedback invitation in
// that language. The decision keeps the language of the entry that matched;
// feedback on the reply counts, against the entry. A French channel answers
// in French, and a question in a telling language is answered in it alone.
func TestUndetectableQuestionIsAnsweredInBothLanguages(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("ana", "cheque")
	if d.Action != bot.ActAnswer || d.EntryID == "" || !d.Lang.Valid() || d.LangSource != "knowledge" {
		t.Fatalf("decision = %+v, want an answer, in the language of the entry that matched", d)
	}
	e.tick()
	got := e.ch.all()
	if len(got) != 1 {
		t.Fatalf("sent %+v, want one answer", got)
	}
	r := got[0].Reply
	var want [2]string
	for i, l := range bot.Langs {
		h, err := e.kb.Entry(e.ctx, d.EntryID, l)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = bot.ComposeAnswer(e.msgs, h).Text
	}
	if r.Kind != bot.KindAnswer || r.EntryID != d.EntryID || !r.Feedback {
		t.Errorf("reply %+v, want an answer with entry %s inviting feedback", r, d.EntryID)
	}
	checkParts(t, "answer", r.Lang, r.Text, r.Parts, "\n\n· · ·\n\n", want[0], want[1])

	ref := got[0].Ref
	if err := e.eng.HandleReaction(e.ctx, bot.Reaction{Platform: "mem", ChannelID: ref.ChannelID, MessageID: ref.ID, UserID: "ana", Value: 1}); err != nil {
		t.Fatal(err)
	}
	sum, err := e.st.Summary(e.ctx, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Helpful != 1 || sum.Answered != 1 || sum.Questions[d.Lang] != 1 {
		t.Errorf("summary = %+v, want one question answered, in %s, found helpful", sum, d.Lang)
	}
	said, err := e.st.Conversation(e.ctx, "mem", "help", 10)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(said); n != 2 || said[1].Sent == nil || said[1].Sent.Reply.EntryID != d.EntryID {
		t.Errorf("conversation %+v, want the question and the answer with entry %s", said, d.EntryID)
	}

	for _, c := range []struct {
		channel, text string
		lang          bot.Lang
	}{
		{"fr", "cheque", bot.French},
		{"help", renewEN, bot.English},
	} {
		m := e.msg(c.channel, "bob", c.text, "m-"+c.channel)
		m.Mentioned = true
		if d, err := e.eng.HandleMessage(e.ctx, m); err != nil || d.Action != bot.ActAnswer {
			t.Fatalf("%q in #%s: %+v, %v; want an answer", c.text, c.channel, d, err)
		}
		e.tick()
		got = e.ch.all()
		if r := got[len(got)-1].Reply; r.Lang != c.lang || r.Parts != nil {
			t.Errorf("%q in #%s: lang %q, parts %q; want %s alone", c.text, c.channel, r.Lang, r.Parts, c.lang)
		}
	}
}

// A message that comes without the time it was posted counts toward the
// flood limit as posted when it is handled.
func TestFloodCountsMessagesWithoutAPostedTime(t *testing.T) {
	e := newEnv(t, func(c *bot.Config) { c.FloodPerMinute = 5 })
	counts := map[bot.Action]int{}
	for i := range 20 {
		m := e.msg("help", "spammer", renewEN, fmt.Sprintf("z%d", i))
		m.Time = time.Time{}
		d, err := e.eng.HandleMessage(e.ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		counts[d.Action]++
		e.clock.Advance(time.Second)
	}
	if counts[bot.ActAnswer] != 5 || counts[bot.ActNotice] != 1 || counts[bot.ActIgnore] != 14 {
		t.Errorf("actions = %v, want 5 answers, 1 notice, 14 ignored", counts)
	}
}

// Abuse and partisan talk disguised with characters drawn as nothing
// (zero-width spaces, word joiners, soft hyphens), full-width letters or
// letters of another alphabet drawn like Latin ones is read as it shows:
// not acknowledged nor passed to staff. The message is kept as written,
// for the archive; a question written in another alphabet, or with such
// characters, is still a question.
func TestDisguisedAbuseAndPartisanTextIsReadAsItShows(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		name, text string
		reason     bot.Reason
	}{
		{"zero-width space", "you idi\u200bot", bot.ReasonAbuse},
		{"Cyrillic i", "you \u0456diot", bot.ReasonAbuse},
		{"full-width letters", "you \uff29\uff24\uff29\uff2f\uff34", bot.ReasonAbuse},
		{"soft hyphens", "f\u00adu\u00adc\u00adk off", bot.ReasonAbuse},
		{"word joiner", "go to h\u2060ell", bot.ReasonAbuse},
		{"French, zero-width space", "ta gu\u200beule", bot.ReasonAbuse},
		{"zero-width space, partisan", "vote li\u200bberal", bot.ReasonPartisan},
		{"Cyrillic C, partisan", "Vote \u0421onservative!", bot.ReasonPartisan},
		{"zero-width joiner, partisan", "votez lib\u00e9\u200dral", bot.ReasonPartisan},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user := fmt.Sprintf("troll%d", i)
			d := e.ask(user, tt.text)
			if d.Reason != tt.reason || d.EscalationID != 0 {
				t.Errorf("decision = %+v, want reason %s", d, tt.reason)
			}
		})
	}
	if d := e.ask("ana", "How do I renew my pass\u200bport?"); d.Action != bot.ActAnswer || d.EntryID != "passport-renew" {
		t.Errorf("a question with a zero-width space: %+v, want the answer", d)
	}
	if d := e.ask("olena", "\u0414\u043e\u0431\u0440\u043e\u0433\u043e \u0434\u043d\u044f, \u044f\u043a \u043f\u043e\u043d\u043e\u0432\u0438\u0442\u0438 \u043f\u0430\u0441\u043f\u043e\u0440\u0442?"); d.Reason == bot.ReasonAbuse || d.Reason == bot.ReasonPartisan {
		t.Errorf("a question in Ukrainian: %+v, want it handled as a question", d)
	}
	said, err := e.eng.Conversation(e.ctx, "mem", "help", 100)
	if err != nil {
		t.Fatal(err)
	}
	kept := map[string]bool{}
	for _, s := range said {
		if s.Message != nil {
			kept[s.Message.Text] = true
		}
	}
	for _, tt := range tests {
		if !kept[tt.text] {
			t.Errorf("%q is not kept as written", tt.text)
		}
	}
}

// A flood that goes on for minutes gets one notice, not one a minute: the
// bot does not fill a channel with notices to someone who keeps flooding
// it. Once they are within the limit again they are answered, and a new
// flood gets a new notice.
func TestSustainedFloodGetsOneNotice(t *testing.T) {
	e := newEnv(t, func(c *bot.Config) { c.FloodPerMinute = 5 })
	counts := map[bot.Action]int{}
	for range 180 { // three minutes, one message a second
		counts[e.ask("spammer", renewEN).Action]++
		e.clock.Advance(time.Second)
	}
	if counts[bot.ActAnswer] != 5 || counts[bot.ActNotice] != 1 || counts[bot.ActIgnore] != 174 {
		t.Errorf("actions = %v, want 5 answers, 1 notice, 174 ignored", counts)
	}
	e.clock.Advance(2 * time.Minute)
	if d := e.ask("spammer", renewEN); d.Action != bot.ActAnswer {
		t.Errorf("after the flood: %+v, want an answer", d)
	}
	counts = map[bot.Action]int{}
	for range 10 {
		counts[e.ask("spammer", renewEN).Action]++
	}
	if counts[bot.ActNotice] != 1 {
		t.Errorf("a new flood: actions = %v, want one notice", counts)
	}
}
