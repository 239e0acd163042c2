package slack

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/i18n"
	"github.com/liaison-gc/liaison/knowledge"
	"github.com/liaison-gc/liaison/phases"
	"github.com/liaison-gc/liaison/store"
)

// End-to-end: the real engine, store (SQLite in a temp dir), knowledge base
// (the bundled sample) and i18n catalogue, with this desk talking to the
// fake Slack. The public side is a recording channel standing in for the
// citizens' platform.

// publicChannel stands in for a public platform: it records what the
// engine sends there.
type publicChannel struct {
	mu   sync.Mutex
	sent []bot.Reply
	// fail, when set, is the error a send to an address gets instead.
	fail func(to bot.Address, r bot.Reply) error
}

func (p *publicChannel) Name() string { return "test" }
func (p *publicChannel) Run(ctx context.Context, h bot.Handler) error {
	<-ctx.Done()
	return nil
}
func (p *publicChannel) Send(ctx context.Context, to bot.Address, r bot.Reply) (bot.MessageRef, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail != nil {
		if err := p.fail(to, r); err != nil {
			return bot.MessageRef{}, err
		}
	}
	p.sent = append(p.sent, r)
	return bot.MessageRef{Platform: "test", ChannelID: to.ChannelID, ID: fmt.Sprintf("out%d", len(p.sent))}, nil
}

// of lists the replies of kind sent so far.
func (p *publicChannel) of(kind bot.ReplyKind) []bot.Reply {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []bot.Reply
	for _, r := range p.sent {
		if r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}

// system is one running Liaison: engine, store, desk.
type system struct {
	st   *store.DB
	eng  *bot.Engine
	desk *Desk
	pub  *publicChannel
	stop func()
	// runDesk runs the desk (see startSystemDeskHeld).
	runDesk func()
}

var (
	kbOnce sync.Once
	kbIdx  *knowledge.Index
	kbErr  error
)

// sampleKB opens the bundled sample knowledge base once for all tests.
func sampleKB(t *testing.T) *knowledge.Index {
	t.Helper()
	kbOnce.Do(func() { kbIdx, kbErr = knowledge.Open(context.Background(), knowledge.Options{}) })
	if kbErr != nil {
		t.Fatalf("knowledge: %v", kbErr)
	}
	return kbIdx
}

// startSystem opens the store at dbPath and starts the desk on f and, when
// runEngine is set, the engine's background work (delivery, desk sync).
func startSystem(t *testing.T, f *fakeSlack, dbPath string, runEngine bool) *system {
	t.Helper()
	return startSystemWith(t, f, dbPath, runEngine, systemConfig())
}

// systemConfig is the engine configuration of startSystem: the test
// roster and one help channel.
func systemConfig() bot.Config {
	return bot.Config{
		Staff:    testRoster(),
		Channels: []bot.ChannelConfig{{Key: "test:help", Name: "#help", Help: true, Broadcast: true}},
	}
}

// startSystemWith is startSystem with the engine configured by cfg.
func startSystemWith(t *testing.T, f *fakeSlack, dbPath string, runEngine bool, cfg bot.Config) *system {
	t.Helper()
	s := startSystemConfigured(t, f, dbPath, runEngine, cfg)
	s.runDesk()
	return s
}

// startSystemDeskHeld is startSystem with the desk run only once
// s.runDesk is called, as when the engine syncs its posts before the desk
// connects.
func startSystemDeskHeld(t *testing.T, f *fakeSlack, dbPath string, runEngine bool) *system {
	t.Helper()
	return startSystemConfigured(t, f, dbPath, runEngine, systemConfig())
}

// startSystemConfigured is startSystemDeskHeld with the engine configured
// by cfg.
func startSystemConfigured(t *testing.T, f *fakeSlack, dbPath string, runEngine bool, cfg bot.Config) *system {
	t.Helper()
	return startSystemOpts(t, f, dbPath, runEngine, cfg, systemOptions{})
}

// systemOptions are what startSystemOpts may change.
type systemOptions struct {
	// now is the clock of the engine, the desk and the store; nil: the
	// system's. Tests that run the engine's rounds by hand move it.
	now func() time.Time
	// log is the engine's and the desk's logger; nil: the engine logs
	// nothing, the desk to testLogger.
	log *slog.Logger
}

// startSystemOpts is startSystemConfigured with o.
func startSystemOpts(t *testing.T, f *fakeSlack, dbPath string, runEngine bool, cfg bot.Config, o systemOptions) *system {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var storeOpts []store.Option
	if o.now != nil {
		storeOpts = append(storeOpts, store.WithClock(o.now))
	}
	st, err := store.Open(ctx, dbPath, storeOpts...)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := i18n.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	deskLog := o.log
	if deskLog == nil {
		deskLog = testLogger(t)
	}
	desk, err := New(f.config(), testBotToken, testAppToken, Options{Logger: deskLog, Now: o.now})
	if err != nil {
		t.Fatal(err)
	}
	pub := &publicChannel{}
	cfg.PollInterval = 20 * time.Millisecond
	eng, err := bot.New(cfg, bot.Deps{Store: st, Knowledge: sampleKB(t), Messages: msgs, Detect: i18n.Detect, Desk: desk, Channels: []bot.Channel{pub},
		Logger: o.log, Now: o.now})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	if runEngine {
		wg.Go(func() {
			if err := eng.Run(ctx); err != nil {
				t.Errorf("engine: %v", err)
			}
		})
	}
	s := &system{st: st, eng: eng, desk: desk, pub: pub}
	s.runDesk = func() {
		wg.Go(func() {
			if err := desk.Run(ctx, eng); err != nil {
				t.Errorf("desk: %v", err)
			}
		})
	}
	var once sync.Once
	s.stop = func() {
		once.Do(func() {
			cancel()
			wg.Wait()
			if err := st.Close(); err != nil {
				t.Errorf("store close: %v", err)
			}
		})
	}
	t.Cleanup(s.stop)
	return s
}

// hostileQuestion is a French question the sample knowledge base cannot
// answer, carrying Slack markup that must not ping anyone on the desk.
const hostileQuestion = "<!channel> <@U123> Mon colis envoyé par la poste est perdu depuis trois semaines, que dois-je faire?"

// ask has a citizen ask q in the help channel; it must be escalated.
func (s *system) ask(t *testing.T, id, q string) bot.Decision {
	t.Helper()
	d, err := s.eng.HandleMessage(context.Background(), bot.Message{
		Platform: "test", ChannelID: "help", ID: id, AuthorID: "cit-" + id, AuthorName: "Citoyen",
		Text: q, Time: time.Now(), InHelpChannel: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.Action != bot.ActEscalate {
		t.Fatalf("decision = %s (%s, entry %q at %.2f), want an escalation", d.Action, d.Reason, d.EntryID, d.Confidence)
	}
	return d
}

// escalationPost waits for the desk post of the n-th escalation, and for the
// engine to have recorded it (a staff member cannot answer a post before
// Slack has shown it, which is after the engine learns its ts).
func escalationPost(t *testing.T, f *fakeSlack, s *system, n int) apiCall {
	t.Helper()
	var post apiCall
	eventually(t, "the escalation post", func() bool {
		k := 0
		for _, c := range f.callsTo("chat.postMessage") {
			if !c.Form.Has("thread_ts") && strings.Contains(everything(c), "liaison.claim") {
				k++
				if k == n {
					post = c
					return true
				}
			}
		}
		return false
	})
	eventually(t, "the post's ts recorded", func() bool {
		_, err := s.st.EscalationByDeskRef(context.Background(), post.TS)
		return err == nil
	})
	return post
}

// threadPosts lists the messages posted in thread ts.
func threadPosts(f *fakeSlack, ts string) []apiCall {
	var out []apiCall
	for _, c := range f.callsTo("chat.postMessage") {
		if c.Form.Get("thread_ts") == ts {
			out = append(out, c)
		}
	}
	return out
}

func TestEndToEndEscalationAnsweredOnceDespiteRedelivery(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	d := s.ask(t, "m1", hostileQuestion)

	post := escalationPost(t, f, s, 1)
	all := everything(post)
	for _, want := range []string{"<@UMARIE>", "&lt;!channel&gt;", "&lt;@U123&gt;", "Mon colis", "français", "#help"} {
		if !strings.Contains(all, want) {
			t.Errorf("escalation post lacks %q:\n%s", want, all)
		}
	}
	for _, bad := range []string{"<!channel>", "<@U123>"} {
		if strings.Contains(all, bad) {
			t.Errorf("escalation post contains %q: the citizen could ping the desk", bad)
		}
	}
	if esc, err := s.st.Escalation(context.Background(), d.EscalationID); err != nil || esc.DeskRef != post.TS {
		t.Fatalf("escalation desk ref = %q (%v), want the post's ts %q", esc.DeskRef, err, post.TS)
	}

	// Marie answers in the thread. Slack redelivers the event (new envelope,
	// same event id), and the first envelope once more.
	reply := threadReply("UMARIE", post.TS, "1700000000.900001", "Bonjour, déposez une réclamation en ligne auprès de Postes Canada.")
	f.send(eventsEnvelope("ans-1", "EvAns1", 0, reply))
	f.ack("ans-1", 1)
	f.send(eventsEnvelope("ans-2", "EvAns1", 1, reply))
	f.ack("ans-2", 1)
	f.send(eventsEnvelope("ans-1", "EvAns1", 2, reply))
	f.ack("ans-1", 2)

	eventually(t, "the relay to the citizen", func() bool { return len(s.pub.of(bot.KindRelay)) == 1 })
	relay := s.pub.of(bot.KindRelay)[0]
	if !strings.Contains(relay.Text, "déposez une réclamation") || !strings.Contains(relay.Text, "Marie Tremblay") {
		t.Errorf("relay = %q, want the answer signed by Marie", relay.Text)
	}
	eventually(t, "the confirmation in the thread", func() bool { return len(threadPosts(f, post.TS)) >= 1 })
	eventually(t, "the post updated", func() bool {
		for _, c := range f.callsTo("chat.update") {
			if c.TS == post.TS && strings.Contains(everything(c), "Réponse de <@UMARIE>") {
				return true
			}
		}
		return false
	})

	// Let the engine run a full round more: still one relay, one confirmation.
	s.eng.Tick(context.Background())
	if n := len(s.pub.of(bot.KindRelay)); n != 1 {
		t.Errorf("relayed %d times, want once", n)
	}
	conf := threadPosts(f, post.TS)
	if len(conf) != 1 || !strings.Contains(everything(conf[0]), "<@UMARIE>") {
		var texts []string
		for _, c := range conf {
			texts = append(texts, everything(c))
		}
		t.Errorf("thread posts = %d, want one confirmation mentioning Marie:\n%s", len(conf), strings.Join(texts, "\n---\n"))
	}
	answers, err := s.st.Answers(context.Background(), d.EscalationID)
	if err != nil || len(answers) != 1 || answers[0].EventID != "slack:EvAns1" || answers[0].StaffID != "marie" {
		t.Errorf("answers = %+v (%v), want one from marie with the Slack event id", answers, err)
	}
}

// An escalation whose post Slack refuses is posted in a short form, which
// the engine records like any post: it is not tried again at every round,
// and staff answer it in its thread as usual.
func TestEndToEndRefusedPostIsPostedShortAndAnswered(t *testing.T) {
	f := newFakeSlack(t)
	// What only the full post holds: its suggestions, or the line saying
	// there are none.
	for _, s := range []string{"liaison.nosugg", "(confiance", "(confidence"} {
		f.refuseBlocks(s, "invalid_blocks")
	}
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	d := s.ask(t, "m1", hostileQuestion)

	post := escalationPost(t, f, s, 2) // the first one was refused
	if !strings.Contains(everything(post), "liaison.refused") {
		t.Fatalf("the recorded post is not the short form:\n%s", everything(post))
	}
	var tries int
	for _, c := range f.callsTo("chat.postMessage") {
		if !c.Form.Has("thread_ts") && strings.Contains(everything(c), "liaison.claim") {
			tries++
		}
	}
	s.eng.Tick(context.Background())
	var after int
	for _, c := range f.callsTo("chat.postMessage") {
		if !c.Form.Has("thread_ts") && strings.Contains(everything(c), "liaison.claim") {
			after++
		}
	}
	if tries != 2 || after != 2 {
		t.Errorf("posts of the escalation: %d, then %d after a round; want the refused one and the short one, no more", tries, after)
	}

	f.send(eventsEnvelope("ans-1", "EvAns1", 0, threadReply("UMARIE", post.TS, "1700000000.900001", "Bonjour, déposez une réclamation en ligne auprès de Postes Canada.")))
	f.ack("ans-1", 1)
	eventually(t, "the relay to the citizen", func() bool { return len(s.pub.of(bot.KindRelay)) == 1 })
	if esc, err := s.st.Escalation(context.Background(), d.EscalationID); err != nil || esc.DeskRef != post.TS || esc.AnsweredBy != "marie" {
		t.Errorf("escalation = %+v (%v), want answered by marie in the short post's thread", esc, err)
	}
}

// An escalation whose post Slack refuses in every form, the shortest too,
// is not posted again at every round of the engine (a second apart),
// which called Slack three times and logged an error each second for as
// long as it waited: it is tried again after a growing back-off, and is
// not taken for posted meanwhile.
func TestEndToEndPostRefusedInEveryFormIsTriedAgainAfterABackOff(t *testing.T) {
	ctx := context.Background()
	f := newFakeSlack(t)
	f.refuseBlocks("liaison.meta", "invalid_blocks") // in every form of the post
	clk := &clock{t: testClock()}
	lb := &logBuf{}
	s := startSystemOpts(t, f, filepath.Join(t.TempDir(), "liaison.db"), false, systemConfig(),
		systemOptions{now: clk.now, log: slog.New(slog.NewTextHandler(lb, nil))})
	d := s.ask(t, "m1", hostileQuestion)

	// Ten minutes of rounds, one a second: tried at once, at the next
	// round, then after 2, 4, 8 ... 256 s: 10 tries.
	for range 600 {
		s.eng.Tick(ctx)
		clk.add(time.Second)
	}
	tries := strings.Count(lb.String(), "desk post refused")
	if tries != 10 {
		t.Errorf("the post was tried %d times in ten minutes of rounds, want 10", tries)
	}
	f.mu.Lock()
	calls := len(f.calls)
	f.mu.Unlock()
	if calls > 4*tries {
		t.Errorf("%d Slack calls for %d tries, want at most 4 a try (the full post, two short forms, a look in the history)", calls, tries)
	}
	if esc, err := s.st.Escalation(ctx, d.EscalationID); err != nil || esc.DeskRef != "" {
		t.Errorf("desk ref %q (%v), want none: Slack took no post", esc.DeskRef, err)
	}
}

// The post counts citizens, not their messages, as the engine relays to
// them: one who asked twice is one of the people who asked, and one of
// those the answer was sent to.
func TestEndToEndPostCountsCitizensNotTheirMessages(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	for _, m := range []struct{ id, author string }{{"m1", "ana"}, {"m2", "ana"}, {"m3", "ben"}} {
		d, err := s.eng.HandleMessage(context.Background(), bot.Message{
			Platform: "test", ChannelID: "help", ID: m.id, AuthorID: m.author, AuthorName: "Citoyen",
			Text: hostileQuestion, Time: time.Now(), InHelpChannel: true,
		})
		if err != nil || d.Action != bot.ActEscalate || d.EscalationID != 1 {
			t.Fatalf("%s: decision %+v (%v), want escalation 1", m.id, d, err)
		}
	}
	post := escalationPost(t, f, s, 1)
	f.send(eventsEnvelope("ans-1", "EvAns1", 0, threadReply("UMARIE", post.TS, "1700000000.900001", "Bonjour, déposez une réclamation en ligne auprès de Postes Canada.")))
	f.ack("ans-1", 1)
	eventually(t, "the relays to ana and ben", func() bool { return len(s.pub.of(bot.KindRelay)) == 2 })
	var last string
	// The post is updated as each relay goes out ("1 … sur 2", then "2 …
	// sur 2"): wait for the last update.
	eventually(t, "the post updated as relayed to both", func() bool {
		for _, c := range f.callsTo("chat.update") {
			if c.TS == post.TS {
				last = everything(c)
			}
		}
		return strings.Contains(last, "Réponse transmise\u00a0: 2 ")
	})
	for _, want := range []string{"2 personnes ont posé cette question", "Réponse transmise\u00a0: 2 personne(s) sur 2"} {
		if !strings.Contains(last, want) {
			t.Errorf("post lacks %q:\n%s", want, last)
		}
	}
	for _, c := range append(f.callsTo("chat.update"), post) {
		if strings.Contains(everything(c), "3 personne") {
			t.Errorf("a post counted ana's two messages as two people:\n%s", everything(c))
		}
	}
}

func TestEndToEndNonRosterReplyIsNotRelayed(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	d := s.ask(t, "m1", hostileQuestion)
	post := escalationPost(t, f, s, 1)

	f.send(eventsEnvelope("x-1", "EvX1", 0, threadReply("UOUTSIDER", post.TS, "1700000000.900002", "Je crois que c'est perdu.")))
	f.ack("x-1", 1)
	eventually(t, "the refusal in the thread", func() bool { return len(threadPosts(f, post.TS)) == 1 })
	all := everything(threadPosts(f, post.TS)[0])
	if !strings.Contains(all, "<@UOUTSIDER>") || !strings.Contains(all, "only people on the staff list") || !strings.Contains(all, "Cette réponse n’a pas été transmise") {
		t.Errorf("refusal should mention the author and say why, in both languages:\n%s", all)
	}
	s.eng.Tick(context.Background())
	if n := len(s.pub.of(bot.KindRelay)); n != 0 {
		t.Errorf("a reply from outside the roster was relayed %d times", n)
	}
	log, err := s.st.AuditLog(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !hasAudit(log, "UOUTSIDER", "escalation.answer", false) {
		t.Errorf("refused answer not audited: %+v", log)
	}
	esc, _ := s.st.Escalation(context.Background(), d.EscalationID)
	if !esc.State.Waiting() {
		t.Errorf("escalation is %s, want still waiting", esc.State)
	}
}

// An empty reply in an escalation's thread (a file shared without text) is
// refused, its author told, and audited as every refused answer is.
func TestEndToEndEmptyReplyIsRefusedAndAudited(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	d := s.ask(t, "m1", hostileQuestion)
	post := escalationPost(t, f, s, 1)

	f.send(eventsEnvelope("x-1", "EvX1", 0, threadReply("USAM", post.TS, "1700000000.900002", "  ")))
	f.ack("x-1", 1)
	eventually(t, "the refusal in the thread", func() bool { return len(threadPosts(f, post.TS)) == 1 })
	if all := everything(threadPosts(f, post.TS)[0]); !strings.Contains(all, "it is empty") {
		t.Errorf("the author should be told the reply is empty:\n%s", all)
	}
	log, err := s.st.AuditLog(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !hasAudit(log, "sam", "escalation.answer", false) {
		t.Errorf("empty answer not audited: %+v", log)
	}
	if esc, _ := s.st.Escalation(context.Background(), d.EscalationID); !esc.State.Waiting() {
		t.Errorf("escalation is %s, want still waiting", esc.State)
	}
}

// The notice telling the whole desk that a question is still unclaimed
// after its reminders is shown in the desk channel and belongs to the
// question's thread: staff who reply to it, where Slack puts the reply in
// the thread the notice is in, answer the citizen, instead of writing in a
// thread of their own that reaches nobody.
func TestEndToEndReplyToTheUnclaimedNoticeAnswersTheQuestion(t *testing.T) {
	f := newFakeSlack(t)
	clk := &clock{t: time.Now()}
	cfg := systemConfig()
	cfg.MaxReminders = bot.NoReminders // the desk is told at the first reminder
	s := startSystemOpts(t, f, filepath.Join(t.TempDir(), "liaison.db"), false, cfg, systemOptions{now: clk.now})
	s.runDesk()
	f.conn(1)
	ctx := context.Background()
	s.ask(t, "m1", hostileQuestion)
	s.eng.Tick(ctx)
	post := escalationPost(t, f, s, 1)
	clk.add(31 * time.Minute)
	s.eng.Tick(ctx)

	var notice apiCall
	for _, c := range f.callsTo("chat.postMessage") {
		if strings.Contains(c.Form.Get("text"), "nobody has claimed it") {
			notice = c
		}
	}
	if notice.TS == "" {
		t.Fatal("the desk was not told the question is still unclaimed")
	}
	if notice.Form.Get("thread_ts") != post.TS || notice.Form.Get("reply_broadcast") != "true" {
		t.Errorf("notice thread_ts %q, reply_broadcast %q; want it in the question's thread %s and sent to the channel too",
			notice.Form.Get("thread_ts"), notice.Form.Get("reply_broadcast"), post.TS)
	}
	if all := everything(notice); strings.Contains(all, "<@") || strings.Contains(all, "<!") {
		t.Errorf("the notice for the whole desk mentions someone:\n%s", all)
	}

	// Slack puts a reply to a message of a thread in that thread, and to
	// a message of the channel in a thread of its own.
	thread := cmp.Or(notice.Form.Get("thread_ts"), notice.TS)
	f.send(eventsEnvelope("r-1", "EvR1", 0, threadReply("UMARIE", thread, "1700000000.900001", "Déposez une réclamation auprès de Postes Canada.")))
	f.ack("r-1", 1)
	s.eng.Tick(ctx)
	if n := len(s.pub.of(bot.KindRelay)); n != 1 {
		t.Fatalf("a reply to the unclaimed notice was relayed %d times, want once", n)
	}
	if relay := s.pub.of(bot.KindRelay)[0]; !strings.Contains(relay.Text, "Postes Canada") {
		t.Errorf("relay = %q, want the reply", relay.Text)
	}
}

func hasAudit(log []bot.AuditEntry, actor, action string, allowed bool) bool {
	for _, a := range log {
		if a.Actor == actor && a.Action == action && a.Allowed == allowed {
			return true
		}
	}
	return false
}

func TestEndToEndPhaseCommand(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	ctx := context.Background()

	f.send(slashEnvelope("p1", "USAM", "phase broadcast #help just testing"))
	if text := ackText(t, f.ack("p1", 1)); !strings.Contains(text, "Sorry, only communications leads") {
		t.Errorf("non-lead reply:\n%s", text)
	}
	f.send(slashEnvelope("p2", "UMARIE", "phase broadcast #help pause pendant la panne"))
	if text := ackText(t, f.ack("p2", 1)); !strings.Contains(text, "La phase dans #help (`test:help`) est maintenant *diffusion* (avant\u00a0: réponses).") {
		t.Errorf("lead reply:\n%s", text)
	}
	st, err := s.st.PhaseState(ctx, phases.Replies)
	if err != nil || st.For("test:help") != phases.Broadcast {
		t.Errorf("phase state = %+v (%v), want broadcast in test:help", st, err)
	}
	log, err := s.st.AuditLog(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !hasAudit(log, "sam", "phase.set", false) || !hasAudit(log, "marie", "phase.set", true) {
		t.Errorf("audit log lacks the refusal and the change: %+v", log)
	}
	// The change is announced to the desk channel.
	eventually(t, "the phase announcement", func() bool {
		for _, c := range f.callsTo("chat.postMessage") {
			if !c.Form.Has("thread_ts") && strings.Contains(everything(c), "pause pendant la panne") {
				return true
			}
		}
		return false
	})
	f.send(slashEnvelope("p3", "USAM", "status"))
	if text := ackText(t, f.ack("p3", 1)); !strings.Contains(text, "#help (`test:help`): broadcast") {
		t.Errorf("status:\n%s", text)
	}
	// Every command is audited, including those the desk answers itself.
	f.send(slashEnvelope("p4", "USAM", "broadcast"))
	f.ack("p4", 1)
	log, err = s.st.AuditLog(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !hasAudit(log, "sam", "command.status", true) || !hasAudit(log, "sam", "command.broadcast.open", false) {
		t.Errorf("audit log lacks the status and the refused broadcast: %+v", log)
	}
}

// A phase change with a reason too long for one Slack section, once in
// each language, is still announced to the desk, shortened.
func TestEndToEndLongPhaseReasonIsAnnounced(t *testing.T) {
	f := newFakeSlack(t)
	startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	reason := "pause pendant la panne " + strings.Repeat("a & b ", 300)
	f.send(slashEnvelope("p1", "UMARIE", "phase broadcast #help "+strings.ReplaceAll(reason, "&", "&amp;")))
	f.ack("p1", 1)
	var c apiCall
	eventually(t, "the phase announcement", func() bool {
		for _, c = range f.callsTo("chat.postMessage") {
			if !c.Form.Has("thread_ts") && strings.Contains(everything(c), "pause pendant la panne") {
				return true
			}
		}
		return false
	})
	if c.Err != "" {
		t.Fatalf("Slack refused the announcement: %s", c.Err)
	}
	if all := everything(c); !strings.Contains(all, "(shortened)") || !strings.Contains(all, "(texte abrégé)") {
		t.Errorf("the announcement does not say, in both languages, that it is shortened:\n%s", all)
	}
}

// The override of a channel removed from the configuration can be ended
// from Slack by the channel's full key, by a comms lead, and audited; a
// phase cannot be set there, and the channel stays unknown otherwise.
func TestEndToEndPhaseInheritOnARemovedChannel(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	ctx := context.Background()
	now := time.Now()
	// Set when test:old was configured; it has been removed since.
	if err := s.st.SavePhaseChange(ctx, phases.Change{Channel: "test:old", To: phases.Broadcast, By: "marie", Via: "cli", Reason: "pilot", At: now},
		bot.AuditEntry{At: now, Actor: "marie", Via: "cli", Action: "phase.set", Target: "test:old", Allowed: true}, nil); err != nil {
		t.Fatal(err)
	}
	override := func() bool {
		st, err := s.st.PhaseState(ctx, phases.Replies)
		if err != nil {
			t.Fatal(err)
		}
		_, ok := st.Overrides["test:old"]
		return ok
	}

	f.send(slashEnvelope("p1", "UMARIE", "phase replies test:old back on"))
	if text := ackText(t, f.ack("p1", 1)); !strings.Contains(text, "Canal `test:old` inconnu") {
		t.Errorf("setting a phase on a removed channel should be refused as unknown:\n%s", text)
	}
	f.send(slashEnvelope("p2", "UMARIE", "phase inherit #old fin du projet pilote"))
	if text := ackText(t, f.ack("p2", 1)); !strings.Contains(text, "Canal `#old` inconnu") {
		t.Errorf("a removed channel has no name to go by:\n%s", text)
	}
	f.send(slashEnvelope("p3", "USAM", "phase inherit test:old pilot over"))
	if text := ackText(t, f.ack("p3", 1)); !strings.Contains(text, "Sorry, only communications leads") {
		t.Errorf("non-lead reply:\n%s", text)
	}
	if !override() {
		t.Fatal("the override was ended by someone who is not a comms lead")
	}
	f.send(slashEnvelope("p4", "UMARIE", "phase hériter test:old fin du projet pilote"))
	if text := ackText(t, f.ack("p4", 1)); !strings.Contains(text, "`test:old` suit maintenant la phase globale (avant\u00a0: diffusion).") {
		t.Errorf("lead reply:\n%s", text)
	}
	if override() {
		t.Error("the override of the removed channel is still in force")
	}
	log, err := s.st.AuditLog(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var refused, ended bool
	for _, a := range log {
		if a.Action == "phase.set" && a.Via == "slack" && a.Target == "test:old" {
			refused = refused || a.Actor == "sam" && !a.Allowed
			ended = ended || a.Actor == "marie" && a.Allowed
		}
	}
	if !refused || !ended {
		t.Errorf("audit log lacks the refusal and the end of the override from Slack: %+v", log)
	}
}

// Someone who may not change the phase is refused politely whatever they
// name, a channel that never existed or a phase that does not, and the
// refusal is audited; they are not shown the channels.
func TestEndToEndPhaseRefusedToNonLeadsWhateverTheyName(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	for _, tt := range []struct{ user, text, want, target string }{
		{"USAM", "phase inherit test:never pilot over", "Sorry, only communications leads", "test:never"},
		{"USAM", "phase replies #nowhere pilot", "Sorry, only communications leads", "#nowhere"},
		{"USAM", "phase frobnicate", "Sorry, only communications leads", "global"},
		{"UOUTSIDER", "phase replies test:never x", "only staff on the Liaison roster", "test:never"},
		{"UOUTSIDER", "phase inherit", "only staff on the Liaison roster", "global"},
	} {
		id := fmt.Sprintf("%s-%s", tt.user, tt.text)
		f.send(slashEnvelope(id, tt.user, tt.text))
		text := ackText(t, f.ack(id, 1))
		if !strings.Contains(text, tt.want) || strings.Contains(text, "test:help") || strings.Contains(text, "Seul un canal") {
			t.Errorf("%s %q: reply, want %q and no channel or hint:\n%s", tt.user, tt.text, tt.want, text)
		}
		log, err := s.st.AuditLog(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		actor := map[string]string{"USAM": "sam", "UOUTSIDER": "UOUTSIDER"}[tt.user]
		if !slices.ContainsFunc(log, func(a bot.AuditEntry) bool {
			return a.Action == "phase.set" && a.Actor == actor && a.Target == tt.target && !a.Allowed
		}) {
			t.Errorf("%s %q: no refusal audited on %s: %+v", tt.user, tt.text, tt.target, log)
		}
	}
}

// A comms lead's phase change the desk cannot pass on (an unknown phase or
// channel, inherit without a channel, no reason) is explained to them in
// their language, with the channels they may name, and audited once with
// its reason, as the changes the engine refuses are.
func TestEndToEndPhaseRefusedToALeadIsAuditedOnceWithItsReason(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	refusals := func() []bot.AuditEntry {
		log, err := s.st.AuditLog(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []bot.AuditEntry
		for _, a := range log {
			if a.Action == "phase.set" && a.Actor == "marie" && a.Via == "slack" && !a.Allowed {
				out = append(out, a)
			}
		}
		return out
	}
	for i, tt := range []struct{ text, want, target, why string }{
		{"phase frobnicate #help projet pilote", "Phase inconnue `frobnicate`\u00a0: utilisez diffusion (1)", "test:help", `Unknown phase "frobnicate"`},
		{"phase réponses #nulle-part projet pilote", "Canal `#nulle-part` inconnu. Canaux possibles\u00a0: #help (`test:help`).", "#nulle-part", `Unknown channel "#nulle-part". Possible channels: test:help.`},
		{"phase hériter fin du projet pilote", "Seul un canal peut suivre la phase globale", "global", "Only a channel can follow the global phase"},
		{"phase réponses #help", "Un motif est requis", "test:help", "A reason is required."},
	} {
		seen := len(refusals())
		id := fmt.Sprintf("lead%d", i)
		f.send(slashEnvelope(id, "UMARIE", tt.text))
		if text := ackText(t, f.ack(id, 1)); !strings.Contains(text, tt.want) {
			t.Errorf("%q: reply, want %q:\n%s", tt.text, tt.want, text)
		}
		got := refusals()
		got = got[:len(got)-seen] // the log is newest first
		if len(got) != 1 || got[0].Target != tt.target || !strings.Contains(got[0].Detail, tt.why) {
			t.Errorf("%q: audited %+v, want one refusal on %s saying %q", tt.text, got, tt.target, tt.why)
		}
	}
	if st, err := s.st.PhaseState(context.Background(), phases.Replies); err != nil || len(st.Overrides) > 0 || st.Global != phases.Replies {
		t.Errorf("phase state = %+v (%v), want nothing changed", st, err)
	}
}

func TestEndToEndBroadcastModal(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	ctx := context.Background()

	f.send(slashEnvelope("b1", "UMARIE", "broadcast"))
	f.ack("b1", 1)
	f.waitCalls("views.open", 1)

	f.send(interactiveEnvelope("v1", viewSubmission("UMARIE", "V9", "h1", cbBroadcast, "", "The office is closed Monday.", "", 0)))
	p := ackPayload(t, f.ack("v1", 1))
	if errs, _ := p["errors"].(map[string]any); p["response_action"] != "errors" || errs[blockFR] == nil {
		t.Fatalf("ack = %v, want the French field refused", p)
	}
	if bs, err := s.st.Broadcasts(ctx, 0); err != nil || len(bs) != 0 {
		t.Fatalf("broadcasts = %v (%v), want none", bs, err)
	}

	f.send(interactiveEnvelope("v2", viewSubmission("UMARIE", "V9", "h2", cbBroadcast, "", "The office is closed Monday.", "Le bureau est fermé lundi.", 0)))
	p = ackPayload(t, f.ack("v2", 1))
	meta := p["view"].(map[string]any)["private_metadata"].(string)
	f.send(interactiveEnvelope("v3", viewSubmission("UMARIE", "V9", "h3", cbBroadcastConfirm, meta, "The office is closed Monday.", "Le bureau est fermé lundi.", 0)))
	f.ack("v3", 1)

	bs, err := s.st.Broadcasts(ctx, 0)
	if err != nil || len(bs) != 1 || bs[0].EN != "The office is closed Monday." || bs[0].FR != "Le bureau est fermé lundi." || bs[0].By != "marie" {
		t.Fatalf("broadcasts = %+v (%v)", bs, err)
	}
	eventually(t, "the broadcast on the public channel", func() bool { return len(s.pub.of(bot.KindBroadcast)) == 1 })
	if text := s.pub.of(bot.KindBroadcast)[0].Text; !strings.Contains(text, "closed Monday") || !strings.Contains(text, "fermé lundi") {
		t.Errorf("broadcast = %q, want both languages", text)
	}
	log, _ := s.st.AuditLog(ctx, 0)
	if !hasAudit(log, "marie", "broadcast.create", true) {
		t.Errorf("broadcast not audited: %+v", log)
	}
}

// A broadcast form the desk refuses (a language missing, a time past) is
// audited as a refused broadcast, with its reasons in English whatever the
// comms lead reads, as the broadcasts the engine refuses are.
func TestEndToEndBroadcastFormRefusalsAreAudited(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	past := time.Now().Add(-time.Hour).Unix()
	for i, tt := range []struct {
		en, fr string
		at     int64
		why    []string
	}{
		{"The office is closed Monday.", "", 0, []string{"invalid request: The French text is required"}},
		{"Closed", "Fermé", past, []string{"invalid request: This time has passed"}},
		{"", "Fermé", past, []string{"invalid request: The English text is required", "\ninvalid request: This time has passed"}},
	} {
		id := fmt.Sprintf("v%d", i)
		f.send(interactiveEnvelope(id, viewSubmission("UMARIE", "V9", id, cbBroadcast, "", tt.en, tt.fr, tt.at)))
		if p := ackPayload(t, f.ack(id, 1)); p["response_action"] != "errors" {
			t.Fatalf("%d: ack = %v, want the form refused", i, p)
		}
		log, err := s.st.AuditLog(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []bot.AuditEntry
		for _, a := range log {
			if a.Action == "broadcast.create" {
				got = append(got, a)
			}
		}
		if len(got) != i+1 || got[0].Actor != "marie" || got[0].Via != "slack" || got[0].Target != "broadcast" || got[0].Allowed {
			t.Fatalf("%d: audited %+v, want one more refused broadcast by marie", i, got)
		}
		for _, w := range tt.why {
			if !strings.Contains(got[0].Detail, w) {
				t.Errorf("%d: audit detail %q, want %q", i, got[0].Detail, w)
			}
		}
	}
	if bs, err := s.st.Broadcasts(context.Background(), 0); err != nil || len(bs) != 0 {
		t.Errorf("broadcasts = %+v (%v), want none", bs, err)
	}
}

func TestEndToEndButtonsAndMismatch(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	d := s.ask(t, "m1", hostileQuestion)
	post := escalationPost(t, f, s, 1)

	// Claim.
	f.send(interactiveEnvelope("c1", blockAction("UMARIE", actClaim, fmt.Sprint(d.EscalationID), "2.1", post.TS)))
	f.ack("c1", 1)
	eventually(t, "the post showing the claim", func() bool {
		for _, c := range f.callsTo("chat.update") {
			if c.TS == post.TS && strings.Contains(everything(c), "Prise en charge par <@UMARIE>") {
				return true
			}
		}
		return false
	})

	// Marie answers in English to a French question: held, and the engine
	// asks her to choose, with buttons.
	f.send(eventsEnvelope("a1", "EvEn1", 0, threadReply("UMARIE", post.TS, "1700000000.900003", "Please file a claim online with Canada Post, they will trace your parcel.")))
	f.ack("a1", 1)
	var notice apiCall
	eventually(t, "the mismatch notice", func() bool {
		for _, c := range threadPosts(f, post.TS) {
			if _, ok := buttonsOf(t, c)[actSendAnyway]; ok {
				notice = c
				return true
			}
		}
		return false
	})
	if n := len(s.pub.of(bot.KindRelay)); n != 0 {
		t.Fatalf("a held answer was relayed")
	}
	answerID := buttonsOf(t, notice)[actSendAnyway]
	f.send(interactiveEnvelope("c2", blockAction("UMARIE", actSendAnyway, answerID, "2.2", notice.TS)))
	f.ack("c2", 1)
	eventually(t, "the relay after send anyway", func() bool { return len(s.pub.of(bot.KindRelay)) == 1 })
	eventually(t, "the notice without its buttons", func() bool {
		for _, c := range f.callsTo("chat.update") {
			if c.TS == notice.TS && len(buttonsOf(t, c)) == 0 {
				return true
			}
		}
		return false
	})

	// Save as draft, now that there is an answer.
	f.send(interactiveEnvelope("c3", blockAction("UMARIE", actDraft, fmt.Sprint(d.EscalationID), "2.3", post.TS)))
	f.ack("c3", 1)
	c := f.waitCalls("chat.postEphemeral", 1)[0]
	if !strings.Contains(everything(c), "Ébauche de fiche nº\u00a01 enregistrée") {
		t.Errorf("draft message:\n%s", everything(c))
	}
	drafts, err := s.st.Drafts(context.Background(), "")
	if err != nil || len(drafts) != 1 || drafts[0].EscalationID != d.EscalationID {
		t.Errorf("drafts = %+v (%v)", drafts, err)
	}
}

// An answer held for its language, then written again in the citizen's
// language in the thread (without choosing to translate first), is not
// sent anyway afterwards: the click is refused, telling the clicker why in
// their language, and the citizen gets one answer.
func TestEndToEndHeldAnswerIsNotSentAnywayAfterTheTranslation(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	d := s.ask(t, "m1", hostileQuestion)
	post := escalationPost(t, f, s, 1)
	f.send(eventsEnvelope("a1", "EvEn1", 0, threadReply("UMARIE", post.TS, "1700000000.900003", "Please file a claim online with Canada Post, they will trace your parcel.")))
	f.ack("a1", 1)
	var notice apiCall
	eventually(t, "the mismatch notice", func() bool {
		for _, c := range threadPosts(f, post.TS) {
			if _, ok := buttonsOf(t, c)[actSendAnyway]; ok {
				notice = c
				return true
			}
		}
		return false
	})
	f.send(eventsEnvelope("a2", "EvFr1", 0, threadReply("UMARIE", post.TS, "1700000000.900004", "Veuillez déposer une réclamation en ligne auprès de Postes Canada, qui retracera votre colis.")))
	f.ack("a2", 1)
	eventually(t, "the answer in French", func() bool { return len(s.pub.of(bot.KindRelay)) == 1 })

	f.send(interactiveEnvelope("c1", blockAction("UMARIE", actSendAnyway, buttonsOf(t, notice)[actSendAnyway], "2.1", notice.TS)))
	f.ack("c1", 1)
	c := f.waitCalls("chat.postEphemeral", 1)[0]
	want := "Cette réponse n'a pas été transmise.\nUne réponse plus récente à la question nº\u00a0" + strconv.FormatInt(d.EscalationID, 10) + " a été transmise depuis"
	if !strings.Contains(everything(c), want) {
		t.Errorf("the clicker is told:\n%s\nwant %q", everything(c), want)
	}
	if n := len(s.pub.of(bot.KindRelay)); n != 1 {
		t.Errorf("%d relays, want the French answer only", n)
	}
}

// Two staff who click the same suggested entry at once (or one who clicks
// twice) send it once: the later click is told, in the clicker's language,
// that nothing was sent and why.
func TestEndToEndSuggestionClickedTwiceIsSentOnce(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	d := s.ask(t, "m1", hostileQuestion)
	post := escalationPost(t, f, s, 1)
	var act, val string
	for a, v := range buttonsOf(t, post) {
		if strings.HasPrefix(a, actSuggest+".") {
			act, val = a, v
		}
	}
	if act == "" {
		t.Fatalf("the post offers no suggested entry: %v", buttonsOf(t, post))
	}
	f.send(interactiveEnvelope("c1", blockAction("UMARIE", act, val, "2.1", post.TS)))
	f.send(interactiveEnvelope("c2", blockAction("USAM", act, val, "2.2", post.TS)))
	f.ack("c1", 1)
	f.ack("c2", 1)
	// Both clicks are recorded once acknowledged.
	answers, err := s.eng.Answers(context.Background(), d.EscalationID)
	if err != nil || len(answers) != 1 {
		t.Fatalf("answers = %+v, %v; want the suggestion sent once", answers, err)
	}
	refusal := f.waitCalls("chat.postEphemeral", 1)[0]
	text := everything(refusal)
	// Answered, or relayed already: the engine says which.
	id := strconv.FormatInt(d.EscalationID, 10)
	want := map[string]*regexp.Regexp{
		"UMARIE": regexp.MustCompile(`Cette fiche n'a pas été envoyée\.\n(La question nº\x{a0}` + id + ` a déjà reçu une réponse|La réponse à la question nº\x{a0}` + id + ` a déjà été transmise)\.`),
		"USAM":   regexp.MustCompile(`This entry was not sent\.\n(Question ` + id + ` has already been answered|The answer to question ` + id + ` has already been sent)\.`),
	}[refusal.Form.Get("user")]
	if want == nil || refusal.Form.Get("user") == answers[0].DeskUserID || !want.MatchString(text) {
		t.Errorf("the later clicker should be told nothing was sent, in their language:\n%s", text)
	}
}

// A claim the engine refuses tells the clicker why, in their language, as
// the web desk does: who claimed the question first, by name.
func TestEndToEndClaimRefusedSaysWhoClaimedIt(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	d := s.ask(t, "m1", hostileQuestion)
	post := escalationPost(t, f, s, 1)
	id := strconv.FormatInt(d.EscalationID, 10)
	f.send(interactiveEnvelope("c1", blockAction("USAM", actClaim, id, "2.1", post.TS)))
	f.ack("c1", 1)
	f.send(interactiveEnvelope("c2", blockAction("UMARIE", actClaim, id, "2.2", post.TS)))
	f.ack("c2", 1)
	c := f.waitCalls("chat.postEphemeral", 1)[0]
	want := "La question nº\u00a0" + id + " a déjà été prise en charge par Sam Lee."
	if c.Form.Get("user") != "UMARIE" || !strings.Contains(everything(c), want) {
		t.Errorf("the clicker is told:\n%s\nwant %q", everything(c), want)
	}
}

// A staff answer edited or deleted after it was relayed stays with the
// citizens as first written: its author is told so, privately, in their
// language, and that replying again corrects it. An edit that leaves the
// text as it was (a link preview) and a change to someone else's message
// say nothing.
func TestEndToEndEditedOrDeletedAnswerTellsItsAuthor(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	s.ask(t, "m1", hostileQuestion)
	post := escalationPost(t, f, s, 1)
	const ts = "1700000000.900003"
	orig := "Appelez le 1-800-555-0100 pour retrouver votre colis."
	f.send(eventsEnvelope("a1", "EvA1", 0, threadReply("UMARIE", post.TS, ts, orig)))
	f.ack("a1", 1)
	eventually(t, "the relay", func() bool { return len(s.pub.of(bot.KindRelay)) == 1 })

	reply := func(user, text string) map[string]any {
		return map[string]any{"type": "message", "user": user, "text": text, "ts": ts, "thread_ts": post.TS}
	}
	changed := func(prev, now map[string]any) map[string]any {
		return map[string]any{"type": "message", "subtype": "message_changed", "hidden": true, "channel": testDesk,
			"ts": "1700000000.900010", "event_ts": "1700000000.900010", "message": now, "previous_message": prev}
	}
	deleted := map[string]any{"type": "message", "subtype": "message_deleted", "hidden": true, "channel": testDesk,
		"ts": "1700000000.900020", "event_ts": "1700000000.900020", "deleted_ts": ts, "previous_message": reply("UMARIE", orig)}
	for _, ev := range []struct {
		id    string
		event map[string]any
	}{
		{"unfurl", changed(reply("UMARIE", orig), reply("UMARIE", orig))},
		{"not on the roster", changed(reply("UOUT", "hello"), reply("UOUT", "hello there"))},
		{"edit", changed(reply("UMARIE", orig), reply("UMARIE", strings.Replace(orig, "0100", "0199", 1)))},
		{"delete", deleted},
	} {
		f.send(eventsEnvelope(ev.id, "Ev-"+ev.id, 0, ev.event))
		f.ack(ev.id, 1)
	}
	told := f.waitCalls("chat.postEphemeral", 2)
	want := []string{
		"Votre modification n'est pas transmise aux personnes\u00a0: elles reçoivent seulement une réponse telle qu'elle a d'abord été écrite. Pour corriger votre réponse, répondez de nouveau dans ce fil.",
		"La suppression de votre réponse ne la retire pas aux personnes qui l'ont déjà reçue. Pour corriger votre réponse, répondez de nouveau dans ce fil.",
	}
	var got []string
	for _, c := range told {
		if c.Form.Get("user") != "UMARIE" || c.Form.Get("thread_ts") != post.TS {
			t.Errorf("told %s in thread %q, want Marie in the question's thread", c.Form.Get("user"), c.Form.Get("thread_ts"))
		}
		got = append(got, c.Form.Get("text"))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("told %q, want %q", got, want)
	}
	if n := len(s.pub.of(bot.KindRelay)); n != 1 {
		t.Errorf("%d relays, want the answer as first written only", n)
	}
}

// A language-mismatch notice whose refresh after the click failed (a long
// rate limit) still comes to show the choice after a restart, which ends
// the retry in the background: the engine's update of the escalation's
// post, pending until it succeeds, refreshes it, also when the engine makes
// it before the desk connects, and when the notice is past the first page
// of a long thread.
func TestEndToEndMismatchNoticeRefreshedAfterRestart(t *testing.T) {
	for _, tt := range []struct {
		name      string
		deskFirst bool
		// pad is how many messages staff write in the thread before the
		// answer: past historyLimit, the notice is on a later page.
		pad int
	}{{"desk connected first", true, 0}, {"post updated before the desk runs", false, 0},
		{"notice past the thread's first page", true, historyLimit + 50}} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlack(t)
			db := filepath.Join(t.TempDir(), "liaison.db")
			s := startSystem(t, f, db, true)
			f.conn(1)
			s.ask(t, "m1", hostileQuestion)
			post := escalationPost(t, f, s, 1)
			f.padThread(post.TS, tt.pad)
			f.send(eventsEnvelope("a1", "EvEn1", 0, threadReply("UMARIE", post.TS, "1700000000.900003", "Please file a claim online with Canada Post, they will trace your parcel.")))
			f.ack("a1", 1)
			var notice apiCall
			eventually(t, "the mismatch notice", func() bool {
				for _, c := range threadPosts(f, post.TS) {
					if _, ok := buttonsOf(t, c)[actSendAnyway]; ok {
						notice = c
						return true
					}
				}
				return false
			})

			// Slack lets no message be updated for a minute, longer than
			// this run.
			wait := make([]string, 2000)
			for i := range wait {
				wait[i] = "60"
			}
			f.rateLimit("chat.update", wait...)
			f.send(interactiveEnvelope("c1", blockAction("UMARIE", actSendAnyway, buttonsOf(t, notice)[actSendAnyway], "2.1", notice.TS)))
			f.ack("c1", 1)
			eventually(t, "the relay after send anyway", func() bool { return len(s.pub.of(bot.KindRelay)) == 1 })
			eventually(t, "the clicker told the choice is recorded", func() bool {
				for _, c := range f.callsTo("chat.postEphemeral") {
					if strings.Contains(everything(c), "Votre choix est enregistré") {
						return true
					}
				}
				return false
			})
			s.stop()
			for _, c := range f.callsTo("chat.update") {
				if c.TS == notice.TS {
					t.Fatal("the notice was refreshed through the rate limit")
				}
			}

			f.mu.Lock()
			delete(f.limited, "chat.update")
			f.mu.Unlock()
			before := len(f.callsTo("chat.update"))
			s = startSystemDeskHeld(t, f, db, true)
			if !tt.deskFirst {
				eventually(t, "the post updated by the engine", func() bool {
					for _, c := range f.callsTo("chat.update")[before:] {
						if c.TS == post.TS {
							return true
						}
					}
					return false
				})
			}
			s.runDesk()
			f.conn(2)
			eventually(t, "the notice showing the choice after the restart", func() bool {
				for _, c := range f.callsTo("chat.update") {
					if c.TS == notice.TS && len(buttonsOf(t, c)) == 0 && strings.Contains(everything(c), "La réponse a été envoyée telle quelle.") {
						return true
					}
				}
				return false
			})
		})
	}
}

// A rate limit on reading a thread, to refresh a language-mismatch notice
// still showing both choices, holds up that notice only: its escalation's
// post is updated, the other escalations' posts too, and the notice is
// refreshed at the engine's next round once Slack lets the thread be read.
func TestEndToEndThreadRateLimitHoldsUpOnlyItsNotice(t *testing.T) {
	f := newFakeSlack(t)
	db := filepath.Join(t.TempDir(), "liaison.db")
	s := startSystem(t, f, db, true)
	f.conn(1)
	s.ask(t, "m1", hostileQuestion)
	held := escalationPost(t, f, s, 1)
	other := s.ask(t, "m2", "My neighbour's dog keeps barking all night long, who should I call about the noise?")
	otherPost := escalationPost(t, f, s, 2)
	f.send(eventsEnvelope("a1", "EvEn1", 0, threadReply("UMARIE", held.TS, "1700000000.900003", "Please file a claim online with Canada Post, they will trace your parcel.")))
	f.ack("a1", 1)
	var notice apiCall
	eventually(t, "the mismatch notice", func() bool {
		for _, c := range threadPosts(f, held.TS) {
			if _, ok := buttonsOf(t, c)[actSendAnyway]; ok {
				notice = c
				return true
			}
		}
		return false
	})
	// Slack lets nothing be updated for a minute, longer than this run:
	// the notice keeps both choices, and the post its old state.
	aMinute := func() []string {
		wait := make([]string, 2000)
		for i := range wait {
			wait[i] = "60"
		}
		return wait
	}
	f.rateLimit("chat.update", aMinute()...)
	f.send(interactiveEnvelope("c1", blockAction("UMARIE", actSendAnyway, buttonsOf(t, notice)[actSendAnyway], "2.1", notice.TS)))
	f.ack("c1", 1)
	eventually(t, "the clicker told the choice is recorded", func() bool {
		for _, c := range f.callsTo("chat.postEphemeral") {
			if strings.Contains(everything(c), "Votre choix est enregistré") {
				return true
			}
		}
		return false
	})
	// The answer sent anyway goes out, and is recorded as relayed, before
	// the restart: after it, the escalation changes no more, and its post
	// is updated once a round.
	eventually(t, "the answer sent anyway recorded as relayed", func() bool {
		e, err := s.st.EscalationByDeskRef(context.Background(), held.TS)
		return err == nil && e.State == bot.StateRelayed
	})
	s.stop()

	// After a restart, messages may be updated, but the thread not read.
	// The engine's rounds are run by hand, once the desk is connected.
	f.mu.Lock()
	delete(f.limited, "chat.update")
	f.mu.Unlock()
	f.rateLimit("conversations.replies", aMinute()...)
	clk := &clock{t: time.Now()}
	s = startSystemOpts(t, f, db, false, systemConfig(), systemOptions{now: clk.now})
	s.runDesk()
	f.conn(2)
	if _, err := s.eng.Claim(context.Background(), other.EscalationID, "USAM"); err != nil {
		t.Fatal(err)
	}
	before := len(f.callsTo("chat.update"))
	s.eng.Tick(context.Background())
	updated := func(ts, want string) bool {
		for _, c := range f.callsTo("chat.update")[before:] {
			if c.TS == ts && strings.Contains(everything(c), want) {
				return true
			}
		}
		return false
	}
	if !updated(held.TS, "Réponse de <@UMARIE>") {
		t.Error("the post of the escalation whose thread could not be read was not updated")
	}
	if !updated(otherPost.TS, "Prise en charge par <@USAM>") {
		t.Error("the other escalation's post waited for the thread of another to be read")
	}
	if updated(notice.TS, "") {
		t.Fatal("the notice was refreshed without its thread read")
	}

	f.mu.Lock()
	delete(f.limited, "conversations.replies")
	f.mu.Unlock()
	clk.add(time.Second) // the engine's rounds are a second apart
	s.eng.Tick(context.Background())
	if !updated(notice.TS, "La réponse a été envoyée telle quelle.") {
		t.Error("the notice was not refreshed at the next round once the thread could be read")
	}
}

func TestEndToEndAnswerSurvivesRestartBeforeRelay(t *testing.T) {
	f := newFakeSlack(t)
	db := filepath.Join(t.TempDir(), "liaison.db")

	// 1. The question is escalated and posted.
	s1 := startSystem(t, f, db, true)
	f.conn(1)
	s1.ask(t, "m1", hostileQuestion)
	post := escalationPost(t, f, s1, 1)
	s1.stop()

	// 2. The answer arrives and is acknowledged, then the process stops
	//    before the engine delivered anything.
	s2 := startSystem(t, f, db, false)
	f.conn(2)
	f.send(eventsEnvelope("r-1", "EvR1", 0, threadReply("UMARIE", post.TS, "1700000000.900004", "Déposez une réclamation auprès de Postes Canada.")))
	f.ack("r-1", 1)
	if n := len(s2.pub.of(bot.KindRelay)); n != 0 {
		t.Fatalf("relayed without a running engine")
	}
	s2.stop()

	// 3. After the restart, the answer goes out, once.
	s3 := startSystem(t, f, db, true)
	f.conn(3)
	eventually(t, "the relay after restart", func() bool { return len(s3.pub.of(bot.KindRelay)) == 1 })
	// Slack redelivers the answer to the new process: nothing more happens.
	f.send(eventsEnvelope("r-2", "EvR1", 1, threadReply("UMARIE", post.TS, "1700000000.900004", "Déposez une réclamation auprès de Postes Canada.")))
	f.ack("r-2", 1)
	s3.eng.Tick(context.Background())
	if n := len(s3.pub.of(bot.KindRelay)); n != 1 {
		t.Errorf("relayed %d times after restart, want once", n)
	}
}

// A staff reply the store cannot record is left for Slack to deliver
// again; at Slack's last delivery, after which the reply would be lost
// without a word, it is acknowledged and its author told privately, in
// their language, that it was not recorded and to send it again.
func TestEndToEndReplyNotRecordedAtSlacksLastDeliveryTellsItsAuthor(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), false)
	f.conn(1)
	s.ask(t, "m1", hostileQuestion)
	s.eng.Tick(context.Background())
	post := escalationPost(t, f, s, 1)
	if err := s.st.Close(); err != nil { // every write and read fails from now on
		t.Fatal(err)
	}

	reply := threadReply("UMARIE", post.TS, "1700000000.900001", "Déposez une réclamation auprès de Postes Canada.")
	f.send(eventsEnvelope("r-4", "EvR1", lastRetryAttempt, reply))
	f.ack("r-4", 1)
	told := f.waitCalls("chat.postEphemeral", 1)[0]
	if told.Form.Get("user") != "UMARIE" || told.Form.Get("thread_ts") != post.TS || !strings.Contains(everything(told), "envoyez-la de nouveau") {
		t.Errorf("told %s in thread %q:\n%s\nwant Marie, in the question's thread, in French", told.Form.Get("user"), told.Form.Get("thread_ts"), everything(told))
	}
}

func TestEndToEndReconnect(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	s.ask(t, "m1", hostileQuestion)
	post := escalationPost(t, f, s, 1)

	f.send(map[string]any{"type": "disconnect", "reason": "link_disabled"})
	f.conn(2)
	f.send(eventsEnvelope("k-1", "EvK1", 0, threadReply("UMARIE", post.TS, "1700000000.900005", "Déposez une réclamation auprès de Postes Canada.")))
	if a := f.ack("k-1", 1); a.Conn != 2 {
		t.Errorf("acked on connection %d, want 2", a.Conn)
	}
	eventually(t, "the relay after reconnecting", func() bool { return len(s.pub.of(bot.KindRelay)) == 1 })
}

// closeSubmission is the close modal submitted with a reason.
func closeSubmission(user, viewID, meta, reason string) map[string]any {
	values := map[string]any{blockReason: map[string]any{actReason: map[string]any{"type": "plain_text_input", "value": reason}}}
	return map[string]any{
		"type": "view_submission", "user": map[string]any{"id": user}, "trigger_id": "trig-" + viewID,
		"view": map[string]any{"id": viewID, "hash": "h", "callback_id": cbClose, "private_metadata": meta,
			"type": "modal", "state": map[string]any{"values": values}},
	}
}

func TestEndToEndCloseWithReason(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	ctx := context.Background()
	d := s.ask(t, "m1", hostileQuestion)
	post := escalationPost(t, f, s, 1)
	if _, ok := buttonsOf(t, post)[actClose]; !ok {
		t.Fatalf("the post has no Close button: %v", buttonsOf(t, post))
	}
	id := fmt.Sprint(d.EscalationID)

	// Someone outside the roster gets no modal.
	f.send(interactiveEnvelope("k0", blockAction("UOUTSIDER", actClose, id, "3.0", post.TS)))
	f.ack("k0", 1)
	if c := f.waitCalls("chat.postEphemeral", 1)[0]; !strings.Contains(everything(c), "roster") {
		t.Errorf("refusal:\n%s", everything(c))
	}

	// Staff get the modal, with the escalation in its metadata.
	f.send(interactiveEnvelope("k1", blockAction("UMARIE", actClose, id, "3.1", post.TS)))
	f.ack("k1", 1)
	open := f.waitCalls("views.open", 1)[0]
	view, _ := json.Marshal(open.JSON["view"])
	for _, w := range []string{`"callback_id":"liaison.close"`, `"private_metadata":"` + id + `"`, `"block_id":"close_reason"`} {
		if !strings.Contains(string(view), w) {
			t.Errorf("modal lacks %s:\n%s", w, view)
		}
	}

	// No reason: refused, naming the field; nothing changes.
	f.send(interactiveEnvelope("k2", closeSubmission("UMARIE", "V1", id, "   ")))
	if p := ackPayload(t, f.ack("k2", 1)); p["response_action"] != "errors" {
		t.Fatalf("ack = %v, want the reason refused", p)
	}
	if esc, _ := s.st.Escalation(ctx, d.EscalationID); !esc.State.Waiting() {
		t.Fatalf("escalation is %s after a refused close", esc.State)
	}

	// With a reason (whose mention must not ping): closed, audited, shown.
	f.send(interactiveEnvelope("k3", closeSubmission("UMARIE", "V1", id, "Duplicate of an answered question <!channel>")))
	p := ackPayload(t, f.ack("k3", 1))
	if p["response_action"] != "update" {
		t.Fatalf("ack = %v, want the modal updated", p)
	}
	esc, err := s.st.Escalation(ctx, d.EscalationID)
	if err != nil || esc.State != bot.StateClosed || esc.ClosedBy != "marie" || !strings.HasPrefix(esc.CloseReason, "Duplicate") {
		t.Fatalf("escalation = %+v (%v), want closed by marie with the reason", esc, err)
	}
	log, _ := s.st.AuditLog(ctx, 0)
	if !hasAudit(log, "marie", "escalation.close", true) {
		t.Errorf("close not audited: %+v", log)
	}
	eventually(t, "the post showing the close", func() bool {
		for _, c := range f.callsTo("chat.update") {
			all := everything(c)
			if c.TS == post.TS && strings.Contains(all, "Fermée par <@UMARIE>") && strings.Contains(all, "&lt;!channel&gt;") && len(buttonsOf(t, c)) == 0 {
				return true
			}
		}
		return false
	})

	// A second close (the modal submitted again) changes nothing.
	f.send(interactiveEnvelope("k4", closeSubmission("UMARIE", "V2", id, "again")))
	f.ack("k4", 1)
	if again, _ := s.st.Escalation(ctx, d.EscalationID); again.CloseReason != esc.CloseReason {
		t.Errorf("close reason changed to %q", again.CloseReason)
	}
}

// A close the engine refuses replaces the form with why, in the closer's
// language, as the web desk says it: a question closed by a colleague
// meanwhile is said to be closed, not possibly claimed (a claimed one can
// be closed).
func TestEndToEndCloseRefusedSaysWhy(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	d := s.ask(t, "m1", hostileQuestion)
	escalationPost(t, f, s, 1)
	id := strconv.FormatInt(d.EscalationID, 10)
	f.send(interactiveEnvelope("k1", closeSubmission("UMARIE", "V1", id, "Duplicate")))
	f.ack("k1", 1)
	f.send(interactiveEnvelope("k2", closeSubmission("USAM", "V2", id, "Out of scope")))
	p := ackPayload(t, f.ack("k2", 1))
	view, _ := json.Marshal(p["view"])
	if p["response_action"] != "update" || !strings.Contains(string(view), "Question "+id+" is closed.") || strings.Contains(string(view), "claimed") {
		t.Errorf("the closer is told:\n%s\nwant that question %s is closed", view, id)
	}
}

// "Save as draft entry" on a question with no answer sent yet (a post not
// yet refreshed) tells the clicker so in the engine's words, in their
// language, without calling the request invalid: nothing is saved.
func TestEndToEndDraftWithoutAnAnswerSaysSo(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	d := s.ask(t, "m1", hostileQuestion)
	post := escalationPost(t, f, s, 1)
	id := strconv.FormatInt(d.EscalationID, 10)
	f.send(interactiveEnvelope("c1", blockAction("UMARIE", actDraft, id, "2.1", post.TS)))
	f.ack("c1", 1)
	f.send(interactiveEnvelope("c2", blockAction("USAM", actDraft, id, "2.2", post.TS)))
	f.ack("c2", 1)
	told := map[string]string{}
	for _, c := range f.waitCalls("chat.postEphemeral", 2) {
		told[c.Form.Get("user")] = c.Form.Get("text")
	}
	if want := "La question nº\u00a0" + id + " n’a pas encore de réponse envoyée à enregistrer."; told["UMARIE"] != want {
		t.Errorf("Marie is told %q, want %q", told["UMARIE"], want)
	}
	if want := "Question " + id + " has no sent answer to save yet."; told["USAM"] != want {
		t.Errorf("Sam is told %q, want %q", told["USAM"], want)
	}
	if drafts, err := s.st.Drafts(context.Background(), ""); err != nil || len(drafts) != 0 {
		t.Errorf("drafts = %+v (%v), want none", drafts, err)
	}
}

// A click on "Close without answer" by someone off the roster opens no
// form: it is refused, they are told why, and the refusal is audited as
// every other button's is.
func TestEndToEndCloseClickedOffTheRosterIsRefusedAndAudited(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	ctx := context.Background()
	d := s.ask(t, "m1", hostileQuestion)
	post := escalationPost(t, f, s, 1)
	id := fmt.Sprint(d.EscalationID)

	f.send(interactiveEnvelope("k0", blockAction("UOUTSIDER", actClose, id, "3.0", post.TS)))
	f.ack("k0", 1)
	c := f.waitCalls("chat.postEphemeral", 1)[0]
	if c.Form.Get("user") != "UOUTSIDER" || !strings.Contains(everything(c), "roster") {
		t.Errorf("refusal to %s:\n%s", c.Form.Get("user"), everything(c))
	}
	log, err := s.st.AuditLog(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var refused []bot.AuditEntry
	for _, a := range log {
		if a.Action == "escalation.close" {
			refused = append(refused, a)
		}
	}
	if len(refused) != 1 || refused[0].Actor != "UOUTSIDER" || refused[0].Allowed || refused[0].Target != "escalation:"+id || refused[0].Via != "slack" {
		t.Errorf("close audit entries %+v, want one refusal of UOUTSIDER on escalation:%s", refused, id)
	}
	if n := len(f.callsTo("views.open")); n != 0 {
		t.Errorf("%d forms opened for someone off the roster", n)
	}
	if esc, _ := s.st.Escalation(ctx, d.EscalationID); !esc.State.Waiting() {
		t.Errorf("escalation is %s, want still waiting", esc.State)
	}
}

// The retention purge empties an old question from the records; the desk
// post, which quoted it, is drawn again without it.
func TestEndToEndPurgeRedrawsThePostWithoutTheQuestion(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	s.ask(t, "m1", hostileQuestion)
	post := escalationPost(t, f, s, 1)
	reply := threadReply("UMARIE", post.TS, "1700000000.900001", "Bonjour, déposez une réclamation en ligne auprès de Postes Canada.")
	f.send(eventsEnvelope("ans-1", "EvAns1", 0, reply))
	f.ack("ans-1", 1)
	eventually(t, "the relay to the citizen", func() bool { return len(s.pub.of(bot.KindRelay)) == 1 })

	r, err := s.st.Purge(context.Background(), time.Now().Add(time.Hour))
	if err != nil || r.Escalations != 1 {
		t.Fatalf("purge = %+v, %v; want one escalation purged", r, err)
	}
	eventually(t, "the post drawn without the question", func() bool {
		for _, c := range f.callsTo("chat.update") {
			all := everything(c)
			if c.TS == post.TS && strings.Contains(all, "politique de conservation") {
				if strings.Contains(all, "Mon colis") {
					t.Fatalf("the redrawn post still quotes the question:\n%s", all)
				}
				return true
			}
		}
		return false
	})
}

// A desk post deleted in Slack (by an admin, or staff tidying the channel)
// does not stop the desk: when its escalation changes, it is posted again,
// and later escalations are posted as before.
func TestEndToEndDeletedPostIsPostedAgain(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	f.conn(1)
	ctx := context.Background()

	d1 := s.ask(t, "m1", hostileQuestion)
	post1 := escalationPost(t, f, s, 1)
	f.deletePost(post1.TS, "message_not_found")
	if _, err := s.eng.Claim(ctx, d1.EscalationID, "UMARIE"); err != nil {
		t.Fatalf("claim: %v", err)
	}
	var again apiCall
	eventually(t, "the escalation posted again", func() bool {
		for _, c := range f.callsTo("chat.postMessage") {
			if !c.Form.Has("thread_ts") && c.TS != post1.TS && strings.Contains(c.Form.Get("metadata"), `"escalation_id":"`+strconv.FormatInt(d1.EscalationID, 10)+`"`) {
				again = c
				return true
			}
		}
		return false
	})
	if !strings.Contains(everything(again), "Prise en charge par <@UMARIE>") {
		t.Errorf("the new post does not show the claim:\n%s", everything(again))
	}
	eventually(t, "the new post recorded", func() bool {
		esc, err := s.st.Escalation(ctx, d1.EscalationID)
		return err == nil && esc.DeskRef == again.TS
	})

	d2 := s.ask(t, "m2", "Why was my grant application for the community garden rejected last spring?")
	if d2.EscalationID == d1.EscalationID {
		t.Fatalf("the second question joined the first escalation")
	}
	eventually(t, "the second escalation posted", func() bool {
		esc, err := s.st.Escalation(ctx, d2.EscalationID)
		return err == nil && esc.DeskRef != ""
	})
}

// permanentFailure is a send the platform refuses for good.
type permanentFailure struct{}

func (permanentFailure) Error() string   { return "unknown channel" }
func (permanentFailure) Retryable() bool { return false }

// An answer that did not reach every citizen who asked brings the question
// back to its author, claimed: its post says how many citizens are still
// owed the answer, that answering again goes only to them, and that it may
// be closed with a reason instead.
func TestEndToEndAnswerNotDeliveredShowsOnThePost(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystem(t, f, filepath.Join(t.TempDir(), "liaison.db"), true)
	s.pub.mu.Lock()
	s.pub.fail = func(to bot.Address, r bot.Reply) error {
		if r.Kind == bot.KindRelay && to.UserID == "cit-m1" {
			return permanentFailure{}
		}
		return nil
	}
	s.pub.mu.Unlock()
	f.conn(1)
	ctx := context.Background()
	d := s.ask(t, "m1", hostileQuestion)
	if d2 := s.ask(t, "m2", "Mon colis envoyé par la poste est perdu depuis trois semaines, que faire?"); d2.EscalationID != d.EscalationID {
		t.Fatalf("the second question did not join the first: %+v", d2)
	}
	post := escalationPost(t, f, s, 1)
	f.send(eventsEnvelope("ans-1", "EvAns1", 0, threadReply("UMARIE", post.TS, "1700000000.900001", "Déposez une réclamation auprès de Postes Canada.")))
	f.ack("ans-1", 1)

	eventually(t, "the escalation back with Marie", func() bool {
		esc, err := s.st.Escalation(ctx, d.EscalationID)
		return err == nil && esc.State == bot.StateClaimed && len(esc.Undelivered()) == 1
	})
	want := []string{
		"Prise en charge par <@UMARIE> · Réponse non transmise à 1 personne(s) sur 2\u00a0: répondez de nouveau dans ce fil (votre réponse ira seulement aux personnes qui ne l'ont pas reçue) ou fermez la question en indiquant un motif",
		"votre réponse est transmise seulement aux personnes qui n'ont pas reçu la réponse",
	}
	eventually(t, "the post showing the answer not delivered", func() bool {
		for _, c := range f.callsTo("chat.update") {
			if c.TS != post.TS {
				continue
			}
			all, ok := everything(c), true
			for _, w := range want {
				ok = ok && strings.Contains(all, w)
			}
			if ok {
				return true
			}
		}
		return false
	})
}

// Staff read a public channel's name in their language, with its key: a
// web room by its French name in French posts, replies, forms and previews,
// by its English name in English ones, and by both in a post written in
// both languages, each half naming it in its own.
func TestEndToEndChannelsNamedInTheReadersLanguage(t *testing.T) {
	cfg := func(roster bot.Roster) bot.Config {
		return bot.Config{Staff: roster, Channels: []bot.ChannelConfig{{Key: "test:help", Name: "#help", NameFR: "#aide", Help: true, Broadcast: true}}}
	}
	f := newFakeSlack(t)
	s := startSystemWith(t, f, filepath.Join(t.TempDir(), "liaison.db"), true, cfg(testRoster()))
	f.conn(1)

	// Marie reads French, Sam English.
	s.ask(t, "m1", hostileQuestion)
	if post := everything(escalationPost(t, f, s, 1)); !strings.Contains(post, "Posée dans #aide (`test:help`)") || strings.Contains(post, "#help") {
		t.Errorf("French post, want the room's French name:\n%s", post)
	}
	for _, c := range []struct{ id, user, text, want, not string }{
		{"s1", "UMARIE", "status", "• #aide (`test:help`)", "#help"},
		{"s2", "USAM", "status", "• #help (`test:help`): ", "#aide"},
		{"s3", "UMARIE", "phase réponses #nulle-part projet pilote", "Canaux possibles\u00a0: #aide (`test:help`).", "#help"},
	} {
		f.send(slashEnvelope(c.id, c.user, c.text))
		if text := ackText(t, f.ack(c.id, 1)); !strings.Contains(text, c.want) || strings.Contains(text, c.not) {
			t.Errorf("%s %q: reply, want %q and no %q:\n%s", c.user, c.text, c.want, c.not, text)
		}
	}

	f.send(slashEnvelope("b1", "UMARIE", "broadcast"))
	f.ack("b1", 1)
	if modal := strings.Join(stringsIn(f.waitCalls("views.open", 1)[0].JSON), "\n"); !strings.Contains(modal, "#aide test:help") || strings.Contains(modal, "#help") {
		t.Errorf("French broadcast form, want the room's French name:\n%s", modal)
	}
	sub := viewSubmission("UMARIE", "V9", "h1", cbBroadcast, "", "The office is closed Monday.", "Le bureau est fermé lundi.", 0)
	sub["view"].(map[string]any)["state"].(map[string]any)["values"].(map[string]any)[blockChannels] = map[string]any{
		actChannels: map[string]any{"type": "multi_static_select", "selected_options": []any{map[string]any{"value": "test:help"}}},
	}
	f.send(interactiveEnvelope("v1", sub))
	if preview := strings.Join(stringsIn(ackPayload(t, f.ack("v1", 1))), "\n"); !strings.Contains(preview, "Canaux\u00a0: #aide (`test:help`)") || strings.Contains(preview, "#help") {
		t.Errorf("French broadcast preview, want the room's French name:\n%s", preview)
	}

	// Nobody to route to: the post is in both languages, each half
	// naming the room in its own.
	f2 := newFakeSlack(t)
	s2 := startSystemWith(t, f2, filepath.Join(t.TempDir(), "liaison.db"), true, cfg(nil))
	f2.conn(1)
	s2.ask(t, "m1", hostileQuestion)
	if post := everything(escalationPost(t, f2, s2, 1)); !strings.Contains(post, "Asked in #help (`test:help`) / Posée dans #aide (`test:help`)") {
		t.Errorf("bilingual post, want each half to name the room in its language:\n%s", post)
	}
}

// A comms lead may name a web room in /liaison phase by either of its
// names: « #aide » finds the room named #help / #aide as "#help" does.
func TestEndToEndPhaseCommandFindsAWebRoomByEitherName(t *testing.T) {
	f := newFakeSlack(t)
	s := startSystemWith(t, f, filepath.Join(t.TempDir(), "liaison.db"), true, bot.Config{
		Staff:    testRoster(),
		Channels: []bot.ChannelConfig{{Key: "test:help", Name: "#help", NameFR: "#aide", Help: true, Broadcast: true}},
	})
	f.conn(1)
	for i, tt := range []struct {
		text string
		want phases.Phase
	}{
		{"phase diffusion #aide pause pendant la panne", phases.Broadcast},
		{"phase proactif #Aide projet pilote", phases.Outreach},
		{"phase réponses #HELP fin du projet pilote", phases.Replies},
	} {
		id := fmt.Sprintf("p%d", i)
		f.send(slashEnvelope(id, "UMARIE", tt.text))
		text := ackText(t, f.ack(id, 1))
		st, err := s.st.PhaseState(context.Background(), phases.Replies)
		if err != nil || st.For("test:help") != tt.want {
			t.Errorf("%q: phase in test:help = %v (%v), want %v; reply:\n%s", tt.text, st.For("test:help"), err, tt.want, text)
		}
	}
}

// A channel named without its "#", in either language and any case, is
// the channel switched, never the first word of a reason that would switch
// every channel; a reason whose first word names no channel still sets the
// global phase, and « hériter » ends the override of a channel so named.
func TestEndToEndPhaseCommandReadsABareChannelName(t *testing.T) {
	f := newFakeSlack(t)
	s := startWithLead(t, f, helpAndGeneral...)
	f.conn(1)
	ctx := context.Background()
	for i, tt := range []struct {
		user, text    string
		global        phases.Phase
		help, general phases.Phase
		want          string
	}{
		{"UMARIE", "phase diffusion aide pause pendant la panne", phases.Replies, phases.Broadcast, phases.Replies,
			"La phase dans #aide (`test:help`) est maintenant *diffusion*"},
		{"UALEX", "phase outreach HELP pilot", phases.Replies, phases.Outreach, phases.Replies,
			"The phase in #help (`test:help`) is now *outreach*"},
		{"UMARIE", "phase diffusion général panne du serveur", phases.Replies, phases.Outreach, phases.Broadcast,
			"La phase dans #général (`test:general`) est maintenant *diffusion*"},
		{"UALEX", "phase inherit General outage over", phases.Replies, phases.Outreach, phases.Replies,
			"#general (`test:general`) now follows the global phase"},
		{"UMARIE", "phase hériter AIDE fin du projet pilote", phases.Replies, phases.Replies, phases.Replies,
			"#aide (`test:help`) suit maintenant la phase globale"},
		// A first word that names no channel is the reason's.
		{"UALEX", "phase broadcast everyone outage", phases.Broadcast, phases.Broadcast, phases.Broadcast,
			"The global phase is now *broadcast*"},
		{"UMARIE", "phase réponses panne terminée", phases.Replies, phases.Replies, phases.Replies,
			"La phase globale est maintenant *réponses*"},
	} {
		id := fmt.Sprintf("p%d", i)
		f.send(slashEnvelope(id, tt.user, tt.text))
		text := ackText(t, f.ack(id, 1))
		if !strings.Contains(text, tt.want) {
			t.Errorf("%q: reply, want %q:\n%s", tt.text, tt.want, text)
		}
		st, err := s.st.PhaseState(ctx, phases.Replies)
		if err != nil || st.Global != tt.global || st.For("test:help") != tt.help || st.For("test:general") != tt.general {
			t.Errorf("%q: phases = %+v (%v), want global %v, test:help %v, test:general %v", tt.text, st, err, tt.global, tt.help, tt.general)
		}
	}
}
