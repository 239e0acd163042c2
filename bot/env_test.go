package bot_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/i18n"
	"github.com/liaison-gc/liaison/knowledge"
	"github.com/liaison-gc/liaison/store"
)

// The engine is tested through the real store (SQLite in a temporary
// directory), the real knowledge base (the bundled sample, indexed by
// Bleve) and the real message catalogue. Only the platforms are replaced:
// memChannel and memDesk stand for Discord and Slack and record what the
// engine asks them to post.

// memChannel is an in-memory public platform.
type memChannel struct {
	name string
	mu   sync.Mutex
	sent []sent
	n    int
	// fail, when set, decides the error of a send (nil: success).
	fail func(to bot.Address, r bot.Reply) error
}

type sent struct {
	To    bot.Address
	Reply bot.Reply
	Ref   bot.MessageRef
}

func (c *memChannel) Name() string { return c.name }

// MemberCount makes the platform report followers.
func (c *memChannel) MemberCount(ctx context.Context) (int, error) { return 1234, nil }
func (c *memChannel) Run(ctx context.Context, h bot.Handler) error {
	<-ctx.Done()
	return nil
}

func (c *memChannel) Send(ctx context.Context, to bot.Address, r bot.Reply) (bot.MessageRef, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		if err := c.fail(to, r); err != nil {
			return bot.MessageRef{}, err
		}
	}
	c.n++
	ref := bot.MessageRef{Platform: c.name, ChannelID: to.ChannelID, ID: fmt.Sprintf("bot-%d", c.n)}
	c.sent = append(c.sent, sent{To: to, Reply: r, Ref: ref})
	return ref, nil
}

func (c *memChannel) all() []sent {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sent)
}

// kinds lists the kinds of reply sent, in order.
func (c *memChannel) kinds() []bot.ReplyKind {
	var out []bot.ReplyKind
	for _, s := range c.all() {
		out = append(out, s.Reply.Kind)
	}
	return out
}

// memDesk is an in-memory staff desk.
type memDesk struct {
	mu      sync.Mutex
	posts   map[string]bot.Escalation
	order   []string
	notices []bot.Notice
	// onPost, when set, is called as each escalation is posted.
	onPost func()
}

func newMemDesk() *memDesk { return &memDesk{posts: map[string]bot.Escalation{}} }

func (d *memDesk) Name() string { return "memdesk" }
func (d *memDesk) Run(ctx context.Context, h bot.DeskHandler) error {
	<-ctx.Done()
	return nil
}

func (d *memDesk) PostEscalation(ctx context.Context, e bot.Escalation) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.onPost != nil {
		d.onPost()
	}
	ref := fmt.Sprintf("post-%d", e.ID)
	d.posts[ref] = e
	d.order = append(d.order, ref)
	return ref, nil
}

func (d *memDesk) UpdateEscalation(ctx context.Context, ref string, e bot.Escalation) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.posts[ref]; !ok {
		return errors.New("no such post")
	}
	d.posts[ref] = e
	return nil
}

func (d *memDesk) Notify(ctx context.Context, n bot.Notice) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.notices = append(d.notices, n)
	return fmt.Sprintf("notice-%d", len(d.notices)), nil
}

func (d *memDesk) noticesOf(kind bot.NoticeKind) []bot.Notice {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []bot.Notice
	for _, n := range d.notices {
		if n.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

func (d *memDesk) postCount() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.order)
}

// clock is an injectable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var roster = bot.Roster{
	{ID: "alex", Name: "Alex Martin", TitleEN: "Client Services Officer", TitleFR: "Agent des services à la clientèle",
		Languages: []bot.Lang{bot.English}, Topics: []string{"passports"}, DeskUserID: "U_ALEX"},
	{ID: "nadia", Name: "Nadia Roy", TitleEN: "Benefits Officer", TitleFR: "Agente des prestations",
		Languages: []bot.Lang{bot.French, bot.English}, Topics: []string{"passports", "benefits"}, DeskUserID: "U_NADIA"},
	{ID: "sam", Name: "Sam Tremblay", TitleEN: "Communications Lead", TitleFR: "Responsable des communications",
		Languages: []bot.Lang{bot.English, bot.French}, Topics: []string{"*"}, DeskUserID: "U_SAM", CommsLead: true},
}

type env struct {
	t     testing.TB
	ctx   context.Context
	dir   string
	st    *store.DB
	kb    *knowledge.Index
	msgs  *i18n.Catalog
	ch    *memChannel
	desk  *memDesk
	clock *clock
	eng   *bot.Engine
	cfg   bot.Config
	seq   int
}

var (
	sharedKBOnce sync.Once
	sharedKB     *knowledge.Index
	sharedKBErr  error
)

// sampleKB indexes the bundled sample once per test binary.
func sampleKB(t testing.TB) *knowledge.Index {
	sharedKBOnce.Do(func() {
		sharedKB, sharedKBErr = knowledge.Open(context.Background(), knowledge.Options{})
	})
	if sharedKBErr != nil {
		t.Fatal(sharedKBErr)
	}
	return sharedKB
}

func defaultChannels() []bot.ChannelConfig {
	return []bot.ChannelConfig{
		{Key: "mem:help", Name: "#help", Help: true, Broadcast: true},
		{Key: "mem:general", Name: "#general", Broadcast: true},
		{Key: "mem:fr", Name: "#fr", Lang: bot.French, Broadcast: true},
	}
}

func newEnv(t testing.TB, tweak func(*bot.Config)) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e := &env{t: t, ctx: ctx, dir: t.TempDir(), ch: &memChannel{name: "mem"}, desk: newMemDesk(),
		clock: &clock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}}
	var err error
	// The store keeps the engine's time, as both read the system clock in
	// production: what it stamps (a relay's failure, say) compares with the
	// engine's now.
	e.st, err = store.Open(ctx, filepath.Join(e.dir, "liaison.db"), store.WithClock(e.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.st.Close() })
	e.kb = sampleKB(t)
	if e.msgs, err = i18n.NewCatalog(); err != nil {
		t.Fatal(err)
	}
	e.cfg = bot.Config{Channels: defaultChannels(), Staff: roster, RemindAfter: 30 * time.Minute, AnswerThreshold: knowledge.DefaultThreshold}
	if tweak != nil {
		tweak(&e.cfg)
	}
	e.start()
	return e
}

// start (re)builds the engine on the same store, as a restart would.
func (e *env) start() {
	var err error
	e.eng, err = bot.New(e.cfg, bot.Deps{Store: e.st, Knowledge: e.kb, Messages: e.msgs, Detect: i18n.Detect,
		Channels: []bot.Channel{e.ch}, Desk: e.desk, Now: e.clock.Now})
	if err != nil {
		e.t.Fatal(err)
	}
}

// ask sends a citizen message to the help channel and returns the decision.
func (e *env) ask(user, text string) bot.Decision {
	return e.askIn("help", user, text)
}

func (e *env) askIn(channel, user, text string) bot.Decision {
	e.t.Helper()
	e.seq++
	d, err := e.eng.HandleMessage(e.ctx, e.msg(channel, user, text, fmt.Sprintf("m%d", e.seq)))
	if err != nil {
		e.t.Fatalf("HandleMessage(%q): %v", text, err)
	}
	return d
}

func (e *env) msg(channel, user, text, id string) bot.Message {
	return bot.Message{Platform: "mem", ChannelID: channel, ID: id, AuthorID: user, AuthorName: strings.ToUpper(user[:1]) + user[1:],
		Text: text, Time: e.clock.Now()}
}

// tick runs one round of background work.
func (e *env) tick() { e.eng.Tick(e.ctx) }
