package discord

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/channels/discord/fakediscord"
	"github.com/liaison-gc/liaison/i18n"
	"github.com/liaison-gc/liaison/knowledge"
	"github.com/liaison-gc/liaison/phases"
	"github.com/liaison-gc/liaison/store"
)

// End-to-end tests: the real engine (bot.New), the real store (SQLite in a
// temporary directory), the real knowledge base (the bundled sample, indexed
// by Bleve) and the real message catalogue, with this adapter running the
// real discordgo session against fakediscord. Only Discord is replaced.

var (
	kbOnce sync.Once
	kbIdx  *knowledge.Index
	kbErr  error
)

// sampleKB indexes the bundled sample once per test binary.
func sampleKB(t *testing.T) *knowledge.Index {
	t.Helper()
	kbOnce.Do(func() { kbIdx, kbErr = knowledge.Open(context.Background(), knowledge.Options{}) })
	if kbErr != nil {
		t.Fatal(kbErr)
	}
	return kbIdx
}

var roster = bot.Roster{
	{ID: "alex", Name: "Alex Martin", TitleEN: "Client Services Officer", TitleFR: "Agent des services aux clients",
		Languages: []bot.Lang{bot.English}, Topics: []string{"*"}, DeskUserID: "U_ALEX"},
	{ID: "nadia", Name: "Nadia Roy", TitleEN: "Benefits Officer", TitleFR: "Agente des prestations",
		Languages: []bot.Lang{bot.French, bot.English}, Topics: []string{"*"}, DeskUserID: "U_NADIA", CommsLead: true},
}

// world is Liaison on Discord, for one test.
type world struct {
	*running
	st  *store.DB
	eng *bot.Engine
	obs *observed
	ctx context.Context
}

// observed passes everything to the real engine and counts the messages it
// delivers, so a test can tell that a redelivery did reach the engine.
type observed struct {
	*bot.Engine
	mu    sync.Mutex
	seen  map[string]int
	order []string // message ids, in the order delivered
	// slowLastSeen delays reading the newest messages recorded, as a
	// large or busy store does.
	slowLastSeen time.Duration
	// failing makes every message fail to be recorded, as when the store
	// cannot write (a full disk).
	failing bool
	// recorded, when set, is called with each message the engine
	// recorded, as HandleMessage returns.
	recorded func(bot.Message)
}

func (o *observed) LastSeen(ctx context.Context, platform string) (map[string]string, error) {
	o.mu.Lock()
	d := o.slowLastSeen
	o.mu.Unlock()
	time.Sleep(d)
	return o.Engine.LastSeen(ctx, platform)
}

func (o *observed) HandleMessage(ctx context.Context, m bot.Message) (bot.Decision, error) {
	o.mu.Lock()
	o.seen[m.ID]++
	o.order = append(o.order, m.ID)
	failing, recorded := o.failing, o.recorded
	o.mu.Unlock()
	if failing {
		return bot.Decision{}, errors.New("engine: record message: commit: database or disk is full")
	}
	d, err := o.Engine.HandleMessage(ctx, m)
	if err == nil && recorded != nil {
		recorded(m)
	}
	return d, err
}

func (o *observed) count(id string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.seen[id]
}

func newWorld(t *testing.T, tweak func(*bot.Config)) *world {
	t.Helper()
	return newWorldWith(t, tweak, testOptions(t))
}

// newWorldWith is newWorld with the adapter's options.
func newWorldWith(t *testing.T, tweak func(*bot.Config), opts Options) *world {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv := fake(t, fakediscord.Config{HeartbeatInterval: 200 * time.Millisecond})
	ch := newChannel(t, srv, testConfig(), opts)
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	msgs, err := i18n.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	cfg := bot.Config{Channels: ch.Channels(), Staff: roster, AnswerThreshold: knowledge.DefaultThreshold, PollInterval: 50 * time.Millisecond}
	if tweak != nil {
		tweak(&cfg)
	}
	eng, err := bot.New(cfg, bot.Deps{Store: st, Knowledge: sampleKB(t), Messages: msgs, Detect: i18n.Detect,
		Channels: []bot.Channel{ch}, Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("engine: %v", err)
		}
	})
	obs := &observed{Engine: eng, seen: map[string]int{}}
	return &world{running: run(t, srv, ch, obs), st: st, eng: eng, obs: obs, ctx: ctx}
}

// replyTo waits for the bot's message referencing question in channelID.
func (w *world) replyTo(t *testing.T, channelID, question string) fakediscord.Posted {
	t.Helper()
	var got fakediscord.Posted
	w.srv.Await(t, "the reply to "+question, func() bool {
		for _, p := range w.srv.Posted(channelID) {
			if p.MessageReference != nil && p.MessageReference.MessageID == question {
				got = p
				return true
			}
		}
		return false
	})
	return got
}

func (w *world) decision(t *testing.T, id string) bot.Decision {
	t.Helper()
	var d bot.Decision
	w.srv.Await(t, "the decision on "+id, func() bool {
		var err error
		d, err = w.st.DecisionFor(w.ctx, Platform, id)
		return err == nil
	})
	return d
}

// checkPings fails unless p pings nobody but the asker, under a body that
// allows nothing else.
func checkPings(t *testing.T, p fakediscord.Posted, asker string) {
	t.Helper()
	w := decode(t, p)
	if w.AllowedMentions == nil || len(w.AllowedMentions.Parse) != 0 || len(w.AllowedMentions.Roles) != 0 ||
		len(w.AllowedMentions.Users) > 1 || len(w.AllowedMentions.Users) == 1 && w.AllowedMentions.Users[0] != asker {
		t.Errorf("allowed_mentions %+v lets more than the asker be pinged", w.AllowedMentions)
	}
	if p.Pings.Everyone || len(p.Pings.Roles) > 0 || slices.ContainsFunc(p.Pings.Users, func(u string) bool { return u != asker }) {
		t.Errorf("message %q pings %+v", p.Content, p.Pings)
	}
}

func TestEndToEndFrenchQuestionInHelpChannel(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	for _, c := range []struct{ name, channel string }{{"inline reply", helpID}, {"thread", threadedID}} {
		q := w.ask(c.channel, "Bonjour, comment renouveler mon passeport?")
		d := w.decision(t, q)
		if d.Action != bot.ActAnswer || d.Lang != bot.French || d.EntryID != "passport-renew" {
			t.Fatalf("%s: decision %+v, want a French answer from passport-renew", c.name, d)
		}
		var p fakediscord.Posted
		if c.channel == helpID {
			p = w.replyTo(t, helpID, q)
			if w := decode(t, p); w.MessageReference.FailIfNotExists == nil || !*w.MessageReference.FailIfNotExists {
				t.Errorf("reference %+v", w.MessageReference)
			}
		} else {
			w.srv.Await(t, "the answer in its thread", func() bool { return len(w.srv.Posted(q)) == 1 })
			p = w.srv.Posted(q)[0]
			if th, _ := w.srv.Channel(q); th.ParentID != threadedID || th.Name != "Réponse pour Marie" {
				t.Errorf("thread %+v", th)
			}
		}
		if !strings.Contains(p.Content, "renouveler votre passeport en ligne") || !strings.Contains(p.Content, "https://example.gc.ca/fr/passeports/renouveler") {
			t.Errorf("%s: reply is not the French answer: %q", c.name, p.Content)
		}
		if strings.Contains(p.Content, "renew your passport") {
			t.Errorf("%s: the reply has English in it: %q", c.name, p.Content)
		}
		w.srv.Await(t, "the feedback reactions", func() bool {
			for _, x := range w.srv.Posted(p.ChannelID) {
				if x.ID == p.ID {
					return slices.Equal(x.Reactions, []string{"👍", "👎"})
				}
			}
			return false
		})
		checkPings(t, p, citizenID)
	}
}

func TestEndToEndCitizenAndStaffTextNeverPings(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	hostile := "@everyone @here <@&" + roleID + "> <@" + strangerID + "> Why is the office on Elm Street closed on a Tuesday?"
	q := w.ask(helpID, hostile)
	d := w.decision(t, q)
	if d.Action != bot.ActEscalate || d.EscalationID == 0 {
		t.Fatalf("decision %+v, want an escalation", d)
	}
	ack := w.replyTo(t, helpID, q)
	checkPings(t, ack, citizenID)
	// Staff answer with pings of their own; the relay must not ping either.
	// (The engine also defangs @everyone, @here and role mentions in what it
	// publishes; a user mention stays, and only allowed_mentions stops it.
	// The adapter-level test sends raw hostile text.)
	res, err := w.eng.Answer(w.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_ALEX", EventID: "ev1",
		Text: "@everyone the Elm Street office closes on Tuesdays for training; <@&" + roleID + "> <@" + strangerID + "> take note."})
	if err != nil || res.Relays != 1 {
		t.Fatalf("Answer = %+v, %v", res, err)
	}
	var relay fakediscord.Posted
	w.srv.Await(t, "the relayed staff answer", func() bool {
		for _, p := range w.srv.Posted(helpID) {
			if strings.Contains(p.Content, "Elm Street office closes") {
				relay = p
				return true
			}
		}
		return false
	})
	if !strings.Contains(relay.Content, "Alex Martin") {
		t.Errorf("the relay is not signed: %q", relay.Content)
	}
	if relay.MessageReference == nil || relay.MessageReference.MessageID != q {
		t.Errorf("the relay does not reference the question")
	}
	checkPings(t, relay, citizenID)
	if !slices.Equal(relay.Pings.Users, []string{citizenID}) {
		t.Errorf("the relay does not notify the asker: %+v", relay.Pings)
	}
}

func TestEndToEndDropResumeAnsweredOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	q := w.ask(helpID, "How do I renew my passport?")
	w.replyTo(t, helpID, q)
	w.settle(t)

	// The gateway drops; on resume the server redelivers everything since
	// the question (a gateway delivers at least once), and a new question
	// arrives while the bot is away.
	w.srv.Drop(10)
	q2 := w.ask(helpID, "How long does it take to get a passport?")
	w.srv.Await(t, "the resume", func() bool { g := w.srv.Gateway(); return g.Resumes == 1 && g.Connected })
	w.replyTo(t, helpID, q2)

	// A new adapter (a restart: its memory of handled messages is gone)
	// sees the first question redelivered: the engine answers it once.
	// (The first start's catch-up may also have read it, posted as it ran.)
	before := w.obs.count(q)
	if err := w.stop(); err != nil {
		t.Fatal(err)
	}
	ch2 := newChannel(t, w.srv, testConfig(), testOptions(t))
	w.running = run(t, w.srv, ch2, w.obs)
	w.srv.Redeliver(q)
	q3 := w.ask(helpID, "How do I get a passport for my child?")
	w.replyTo(t, helpID, q3)
	// q3 may come first, read by the new session's catch-up as the
	// redelivery waits its turn in the gateway's events.
	w.srv.Await(t, "the first question's redelivery", func() bool { return w.obs.count(q) > before })
	w.settle(t)
	if n := w.obs.count(q); n != before+1 {
		t.Errorf("the first question reached the engine %d times, want %d (as before the restart, then its redelivery)", n, before+1)
	}

	count := map[string]int{}
	for _, p := range w.srv.Posted(helpID) {
		if p.MessageReference != nil {
			count[p.MessageReference.MessageID]++
		}
	}
	if count[q] != 1 || count[q2] != 1 || count[q3] != 1 {
		t.Errorf("replies per question %v, want one each", count)
	}
	if g := w.srv.Gateway(); g.Identifies != 2 {
		t.Errorf("identified %d times, want 2 (start, restart): the drop must resume", g.Identifies)
	}
}

func TestEndToEndRateLimitedSendArrives(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	// Short limits are waited out within one Send.
	w.srv.RateLimit(helpID, 2, 100*time.Millisecond, false)
	q := w.ask(helpID, "How do I renew my passport?")
	w.replyTo(t, helpID, q)
	// A longer limit makes Send give up with a retryable error; the engine
	// keeps the reply and sends it on its next attempt.
	w.srv.RateLimit(generalID, 1, 1500*time.Millisecond, false)
	q2 := w.srv.Post(fakediscord.Post{ChannelID: generalID, Author: citizen(), Content: "<@" + w.srv.BotID() + "> How do I renew my passport?"})
	w.replyTo(t, generalID, q2)

	var statuses []int
	for _, r := range w.srv.Requests() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/messages") {
			statuses = append(statuses, r.Status)
		}
	}
	if n := countOf(statuses, http.StatusTooManyRequests); n != 3 {
		t.Errorf("%d rate-limited answers in %v, want 3", n, statuses)
	}
	for _, id := range []string{q, q2} {
		n := 0
		for _, p := range w.srv.Posted("") {
			if p.MessageReference != nil && p.MessageReference.MessageID == id {
				n++
			}
		}
		if n != 1 {
			t.Errorf("question %s answered %d times", id, n)
		}
	}
}

func countOf(xs []int, v int) int {
	n := 0
	for _, x := range xs {
		if x == v {
			n++
		}
	}
	return n
}

func TestEndToEndReactionsStoredAsFeedback(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	q := w.ask(helpID, "How do I renew my passport?")
	answer := w.replyTo(t, helpID, q)
	// Citizens react once the answer is there: by then the engine has
	// recorded its delivery (a reaction faster than that finds no answer
	// to attach to; see the report on this adapter).
	w.srv.Await(t, "the delivery to be recorded", func() bool {
		_, err := w.st.SentByRef(w.ctx, bot.MessageRef{Platform: Platform, ChannelID: helpID, ID: answer.ID})
		return err == nil
	})
	w.srv.React(helpID, answer.ID, citizenID, "👍", true)
	w.srv.React(helpID, answer.ID, strangerID, "👎", true)
	w.srv.React(helpID, q, strangerID, "👍", true) // on the citizen's own message: not feedback
	var sum bot.Summary
	w.srv.Await(t, "the feedback in the store", func() bool {
		var err error
		sum, err = w.st.Summary(w.ctx, time.Time{}, time.Time{})
		return err == nil && sum.Helpful == 1 && sum.NotHelpful == 1
	})
	// The citizen changes their mind: withdrawing counts no more.
	w.srv.React(helpID, answer.ID, citizenID, "👍", false)
	w.srv.Await(t, "the withdrawn reaction", func() bool {
		sum, _ = w.st.Summary(w.ctx, time.Time{}, time.Time{})
		return sum.Helpful == 0 && sum.NotHelpful == 1
	})
}

// A staff answer sent anyway in English to a French question, too long for
// one message, is posted as several, the offer of the answer in French and
// the feedback reactions in the last. The citizen may reply to, or react
// on, any of them: a reply to the first takes the offer, and a 👍 on it
// counts, as on the last.
func TestEndToEndReplyOrReactionToAnyPartOfALongRelayIsToTheRelay(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	q := w.ask(helpID, "Pourquoi le bureau de la rue Elm est-il fermé le mardi?")
	d := w.decision(t, q)
	if d.Action != bot.ActEscalate {
		t.Fatalf("decision %+v, want an escalation", d)
	}
	long := strings.Repeat("The Elm Street office closes on Tuesdays for staff training. ", 50)
	res, err := w.eng.Answer(w.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_ALEX", EventID: "ev1", Text: long})
	if err != nil || !res.Mismatch {
		t.Fatalf("Answer = %+v, %v; want it held as in the other language", res, err)
	}
	if _, err := w.eng.ResolveMismatch(w.ctx, res.Answer.ID, "U_ALEX", true); err != nil {
		t.Fatal(err)
	}
	var parts []fakediscord.Posted
	w.srv.Await(t, "the relay's parts", func() bool {
		parts = nil
		for _, p := range w.srv.Posted(helpID) {
			if strings.Contains(p.Content, "Elm Street office") || strings.Contains(p.Content, "répondez ici") {
				parts = append(parts, p)
			}
		}
		return len(parts) >= 2 && strings.Contains(parts[len(parts)-1].Content, "répondez ici")
	})
	last := parts[len(parts)-1]
	w.srv.Await(t, "the delivery to be recorded", func() bool {
		_, err := w.st.SentByRef(w.ctx, bot.MessageRef{Platform: Platform, ChannelID: helpID, ID: last.ID})
		return err == nil
	})
	// Reactions in a channel are handled in order: once the 👎 on the last
	// part is counted, so is the 👍 on the first, if it is to count.
	w.srv.React(helpID, parts[0].ID, citizenID, "👍", true)
	w.srv.React(helpID, last.ID, strangerID, "👎", true)
	w.srv.Await(t, "the 👎", func() bool {
		sum, _ := w.st.Summary(w.ctx, time.Time{}, time.Time{})
		return sum.NotHelpful == 1
	})
	if sum, _ := w.st.Summary(w.ctx, time.Time{}, time.Time{}); sum.Helpful != 1 {
		t.Errorf("helpful %d: the 👍 on the first part is not counted", sum.Helpful)
	}
	r := w.srv.Post(fakediscord.Post{ChannelID: helpID, Author: citizen(), Content: "oui en français svp", ReplyTo: parts[0].ID})
	if d := w.decision(t, r); d.Reason != bot.ReasonLanguageRequest {
		t.Errorf("reply to the first part decided %+v; want the request for the answer in French", d)
	}
}

// TestEndToEndRemovingOneFeedbackEmojiKeepsTheOther: a citizen may hold 👍
// and 👎 on one answer at once; taking one away leaves the other counted.
func TestEndToEndRemovingOneFeedbackEmojiKeepsTheOther(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	q := w.ask(helpID, "How do I renew my passport?")
	answer := w.replyTo(t, helpID, q)
	w.srv.Await(t, "the delivery to be recorded", func() bool {
		_, err := w.st.SentByRef(w.ctx, bot.MessageRef{Platform: Platform, ChannelID: helpID, ID: answer.ID})
		return err == nil
	})
	// 👍, then 👎 (changed their mind), then 👍 taken away: 👎 is left.
	w.srv.React(helpID, answer.ID, citizenID, "👍", true)
	w.srv.React(helpID, answer.ID, citizenID, "👎", true)
	w.srv.React(helpID, answer.ID, citizenID, "👍", false)
	// The reverse: 👍 is left.
	w.srv.React(helpID, answer.ID, strangerID, "👎", true)
	w.srv.React(helpID, answer.ID, strangerID, "👍", true)
	w.srv.React(helpID, answer.ID, strangerID, "👎", false)
	// Events in a channel are handled in order: once this last one is
	// counted, so are the removals before it.
	const third = "300000000000000003"
	w.srv.React(helpID, answer.ID, third, "👍", true)
	var sum bot.Summary
	w.srv.Await(t, "👎 from the citizen, 👍 from the two others", func() bool {
		var err error
		sum, err = w.st.Summary(w.ctx, time.Time{}, time.Time{})
		return err == nil && sum.Helpful == 2 && sum.NotHelpful == 1
	})
	w.settle(t)
	if sum, _ = w.st.Summary(w.ctx, time.Time{}, time.Time{}); sum.Helpful != 2 || sum.NotHelpful != 1 {
		t.Errorf("helpful %d, not helpful %d; want 2, 1", sum.Helpful, sum.NotHelpful)
	}
}

// A message of the server's own emoji alone, or a thank-you with one, in a
// help channel asks nothing: it is recorded and left, as one of Unicode
// emoji is, rather than passed to staff and acknowledged as a question.
func TestEndToEndServerEmojiAreNotQuestions(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	for _, c := range []struct {
		text string
		want bot.Reason
	}{
		{"<:blobheart:123456789012345678>", bot.ReasonNoWords},
		{"<a:wave:123456789012345678> <a:wave:123456789012345678>", bot.ReasonNoWords},
		{"Thanks! <:heart:123456789012345678>", bot.ReasonCourtesy},
		{"merci <:coeur:123456789012345678>", bot.ReasonCourtesy},
	} {
		q := w.ask(helpID, c.text)
		if d := w.decision(t, q); d.Action != bot.ActIgnore || d.Reason != c.want {
			t.Errorf("%q: %s (%s), want it left (%s)", c.text, d.Action, d.Reason, c.want)
		}
	}
	w.settle(t)
	if p := w.srv.Posted(helpID); len(p) != 0 {
		t.Errorf("the bot posted %q", p[0].Content)
	}
	if list, err := w.st.Escalations(w.ctx, bot.EscalationFilter{}); err != nil || len(list) != 0 {
		t.Errorf("%d escalations (%v), want none", len(list), err)
	}
}

// A message forwarded into a help channel (Discord's "Forward", which
// carries no text of its own) is the citizen's question: it is answered
// from what the message forwarded says, in its language, rather than left
// as an empty message.
func TestEndToEndForwardedQuestionIsAnswered(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	q := w.srv.Post(fakediscord.Post{ChannelID: helpID, Author: citizen(), Forward: &fakediscord.Forward{
		GuildID: "100000000000000777", ChannelID: "100000000000000778", MessageID: "100000000000000779",
		Content: "Bonjour, comment renouveler mon passeport?"}})
	d := w.decision(t, q)
	if d.Action != bot.ActAnswer || d.Lang != bot.French || d.EntryID != "passport-renew" {
		t.Fatalf("decision %+v, want a French answer from passport-renew", d)
	}
	if p := w.replyTo(t, helpID, q); !strings.Contains(p.Content, "renouveler votre passeport en ligne") {
		t.Errorf("reply is not the French answer: %q", p.Content)
	}
}

// A picture sent alone to the bot (a screenshot of a letter, by DM) gets an
// answer asking for the question in writing, rather than none; a picture
// with words is the question its words ask.
func TestEndToEndFilesAloneAreAskedToBeWritten(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	q := w.srv.Post(fakediscord.Post{ChannelID: dmID, Author: citizen(), Files: []string{"letter.png"}})
	if d := w.decision(t, q); d.Action != bot.ActNotice || d.Reason != bot.ReasonFilesOnly {
		t.Fatalf("decision %+v, want a notice (%s)", d, bot.ReasonFilesOnly)
	}
	if p := w.replyTo(t, dmID, q); !strings.Contains(p.Content, "type your question") {
		t.Errorf("reply %q does not ask for the question in writing", p.Content)
	}
	q = w.srv.Post(fakediscord.Post{ChannelID: dmID, Author: citizen(), Content: "How do I renew my passport?", Files: []string{"passport.jpg"}})
	if d := w.decision(t, q); d.Action != bot.ActAnswer || d.EntryID != "passport-renew" {
		t.Errorf("decision %+v on a question with a picture, want an answer from passport-renew", d)
	}
}

// A bilingual broadcast too long for one message is posted a language
// after the other: the French half is not begun at the end of the English
// post and finished in the next, while the English stands whole.
func TestEndToEndLongBilingualBroadcastPostsEachLanguageWhole(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	en := strings.TrimSpace(strings.Repeat("Passport offices close at noon on Friday for maintenance. ", 15))
	fr := strings.TrimSpace(strings.Repeat("Les bureaux des passeports ferment à midi vendredi pour l’entretien. ", 26))
	if _, err := w.eng.Broadcast(w.ctx, bot.BroadcastRequest{Actor: bot.Actor{Via: "cli", Name: "ops"}, EN: en, FR: fr}); err != nil {
		t.Fatal(err)
	}
	w.srv.Await(t, "the broadcast", func() bool {
		pending, err := w.st.Pending(w.ctx, Platform, time.Now().Add(time.Hour), 10)
		return len(w.srv.Posted(newsID)) > 0 && err == nil && len(pending) == 0
	})
	posts := w.srv.Posted(newsID)
	if len(posts) != 2 || posts[0].Content != en || posts[1].Content != fr {
		var got []string
		for _, p := range posts {
			got = append(got, p.Content)
		}
		t.Fatalf("posted %q, want the English whole, then the French whole", got)
	}
	for _, p := range posts {
		checkPings(t, p, "")
	}
}

func TestEndToEndPhaseOneShadowOnly(t *testing.T) {
	t.Parallel()
	w := newWorld(t, func(c *bot.Config) { c.InitialPhase = phases.Broadcast })
	q := w.ask(helpID, "Comment renouveler mon passeport?")
	d := w.decision(t, q)
	if d.Action != bot.ActShadow || d.Would != bot.ActAnswer || d.Phase != phases.Broadcast || d.Lang != bot.French {
		t.Fatalf("decision %+v, want a shadow record of a French answer", d)
	}
	// Broadcasts still go out in phase 1, in both languages, pinging nobody;
	// once the broadcast is posted, any reply would have been posted too.
	if _, err := w.eng.Broadcast(w.ctx, bot.BroadcastRequest{Actor: bot.Actor{Via: "cli", Name: "ops"},
		EN: "@everyone Offices close at noon on Friday.", FR: "@everyone Les bureaux ferment à midi vendredi."}); err != nil {
		t.Fatal(err)
	}
	w.srv.Await(t, "the broadcast", func() bool { return len(w.srv.Posted(newsID)) == 1 })
	b := w.srv.Posted(newsID)[0]
	if !strings.Contains(b.Content, "Offices close") || !strings.Contains(b.Content, "Les bureaux ferment") {
		t.Errorf("broadcast %q is not bilingual", b.Content)
	}
	checkPings(t, b, "")
	w.settle(t)
	if p := w.srv.Posted(helpID); len(p) != 0 {
		t.Errorf("phase 1 posted %d replies: %q", len(p), p[0].Content)
	}
	pending, err := w.st.Pending(w.ctx, Platform, time.Now().Add(time.Hour), 10)
	if err != nil || len(pending) != 0 {
		t.Errorf("outbox holds %d items (%v)", len(pending), err)
	}
	sum, err := w.st.Summary(w.ctx, time.Time{}, time.Time{})
	if err != nil || sum.Shadow != 1 || sum.ShadowWouldAnswer != 1 {
		t.Errorf("summary %+v, %v; want one shadow record that would answer", sum, err)
	}
}

func TestEndToEndMemberCount(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	var mc bot.MemberCounter = w.ch
	n, err := mc.MemberCount(w.ctx)
	if err != nil || n != 1234 {
		t.Errorf("MemberCount = %d, %v", n, err)
	}
}

func TestEndToEndThreadOfUnknownChannelIsNeverAnsweredPublicly(t *testing.T) {
	t.Parallel()
	opts := testOptions(t)
	opts.EventRetryFor = time.Second
	w := newWorldWith(t, nil, opts) // global phase 2, replies
	if _, err := w.eng.SetPhase(w.ctx, bot.PhaseRequest{Actor: bot.Actor{Via: "cli", Name: "ops"},
		Phase: phases.Broadcast, Channel: bot.Key(Platform, generalID), Reason: "pilot elsewhere first"}); err != nil {
		t.Fatal(err)
	}
	// The gateway did not announce either thread and the API is down, so
	// Discord cannot say which channel they belong to: one is in #general,
	// held in phase 1, the other in a channel nobody watches.
	held, unwatched := "100000000000000021", "100000000000000022"
	w.srv.AddThreadUnannounced(generalID, held, "my question", citizenID)
	w.srv.AddThreadUnannounced(otherID, unwatched, "my question", citizenID)
	for _, thread := range []string{held, unwatched} {
		w.srv.FailLookups(thread, 1000, http.StatusServiceUnavailable)
		q := w.ask(thread, "<@"+w.srv.BotID()+"> How do I renew my passport?")
		// Recorded, in shadow mode: the strictest phase wins.
		if d := w.decision(t, q); d.Action != bot.ActShadow || d.Would != bot.ActAnswer || d.Phase != phases.Broadcast {
			t.Errorf("thread %s: decision %s/%s under phase %s; want a shadow record under broadcast", thread, d.Action, d.Reason, d.Phase)
		}
	}
	w.settle(t)
	for _, id := range []string{held, unwatched, generalID, otherID} {
		if p := w.srv.Posted(id); len(p) != 0 {
			t.Errorf("posted %d messages in %s during the outage: %q", len(p), id, p[0].Content)
		}
	}
	pending, err := w.st.Pending(w.ctx, Platform, time.Now().Add(time.Hour), 10)
	if err != nil || len(pending) != 0 {
		t.Errorf("outbox holds %d items (%v)", len(pending), err)
	}
}

// A question the store could not record (another process holding its
// write lock), tried again and again by the adapter, does not count each
// try against its author's flood limit: once the store records again, it
// and the citizen's next question are answered, not taken for a flood.
func TestEndToEndQuestionTriedWhileTheStoreFailsIsNotAFlood(t *testing.T) {
	t.Parallel()
	opts := testOptions(t)
	opts.HandleTimeout = 500 * time.Millisecond // each try gives up at the lock before the store's busy timeout
	w := newWorldWith(t, func(c *bot.Config) { c.FloodPerMinute = 3 }, opts)
	lock := newWriteLock(t, w.st.Path())
	lock.hold()
	q := w.ask(helpID, "How do I renew my passport?")
	w.srv.AwaitWithin(t, time.Minute, "the question parked", func() bool { return w.parked(q) })
	lock.release()

	later := w.ask(helpID, "How long does it take to get a passport?")
	for _, id := range []string{later, q} {
		if d := w.decision(t, id); d.Reason == bot.ReasonFlood || d.Reason == bot.ReasonFloodSilent {
			t.Fatalf("message %s decided %s/%s: taken for a flood", id, d.Action, d.Reason)
		}
	}
	if d := w.decision(t, q); d.Action != bot.ActAnswer {
		t.Errorf("decision %+v, want an answer", d)
	}
	w.replyTo(t, helpID, q)
	w.settle(t)
	if n := replies(w.srv, helpID, q); n != 1 {
		t.Errorf("%d replies to the question, want 1", n)
	}
}

// A question the store could not record while it failed (a full disk),
// however many times the adapter tried, is recorded and answered once the
// store records again: the gateway never sends it again, and the catch-up
// of a later session would start after the next message recorded in its
// channel.
func TestEndToEndQuestionGivenUpWhileTheStoreFailsIsAnsweredOnceItRecords(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	w.obs.mu.Lock()
	w.obs.failing = true
	w.obs.mu.Unlock()
	q := w.ask(helpID, "How do I renew my passport?")
	w.srv.Await(t, "the question given up", func() bool { return w.obs.count(q) >= handleAttempts })
	w.settle(t)
	w.obs.mu.Lock()
	w.obs.failing = false
	w.obs.mu.Unlock()

	later := w.ask(helpID, "How long does it take to get a passport?")
	w.replyTo(t, helpID, later)
	w.replyTo(t, helpID, q)
	if d := w.decision(t, q); d.Action != bot.ActAnswer {
		t.Errorf("decision %+v, want an answer", d)
	}
	w.settle(t)
	if n := replies(w.srv, helpID, q); n != 1 {
		t.Errorf("%d replies to the question, want 1", n)
	}
	// Recorded, it is not read again at the next start.
	if from, err := w.st.CatchUpFrom(w.ctx, Platform); err != nil || len(from) != 0 {
		t.Errorf("where channels are read from at the next start: %v, %v; want nothing", from, err)
	}
}
