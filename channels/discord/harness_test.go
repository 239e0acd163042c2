package discord

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/channels/discord/fakediscord"
)

// Ids used across the tests.
const (
	guildID    = "100000000000000001"
	helpID     = "100000000000000010" // help channel, bilingual
	generalID  = "100000000000000011" // not a help channel, English
	threadedID = "100000000000000012" // help channel answering in threads, French
	newsID     = "100000000000000013" // broadcasts
	otherID    = "100000000000000099" // not watched
	dmID       = "100000000000000050"
	citizenID  = "300000000000000001"
	strangerID = "300000000000000002"
	roleID     = "400000000000000001"
)

func testConfig() Config {
	c := Default()
	c.Guilds = []string{guildID}
	c.Channel = []ChannelSettings{
		{ID: helpID, Name: "help", Help: true},
		{ID: generalID, Name: "general", Lang: "en"},
		{ID: threadedID, Name: "aide", Lang: "fr", Help: true, ReplyStyle: StyleThread},
		{ID: newsID, Name: "news", Broadcast: true},
	}
	return c
}

// fake starts a fake Discord with the test guild and its channels.
func fake(t *testing.T, fc fakediscord.Config) *fakediscord.Server {
	t.Helper()
	srv := fakediscord.Start(t, fc)
	srv.AddGuild(guildID, 1234)
	for _, id := range []string{helpID, generalID, threadedID, newsID, otherID} {
		srv.AddChannel(guildID, id, "chan-"+id[len(id)-2:])
	}
	srv.AddUser(fakediscord.User{ID: citizenID, Username: "marie", GlobalName: "Marie"})
	srv.AddUser(fakediscord.User{ID: strangerID, Username: "bob"})
	srv.AddDM(dmID, fakediscord.User{ID: citizenID, Username: "marie"})
	return srv
}

// recording is a Handler that records what it receives, for adapter-level
// tests of the mapping and the wire protocol (the end-to-end tests use the
// real engine).
type recording struct {
	mu        sync.Mutex
	messages  []bot.Message
	reactions []bot.Reaction
	calls     int
	fail      int               // fail this many calls first
	hook      func(bot.Message) // called for each message, outside the lock
	block     chan struct{}     // when set, HandleMessage waits for it to close
	blockOnly string            // when set, only messages in this channel wait
	entered   chan struct{}     // when set, signalled as HandleMessage starts
	rhook     func(bot.Reaction) error
}

func (r *recording) HandleMessage(ctx context.Context, m bot.Message) (bot.Decision, error) {
	if r.entered != nil && (r.blockOnly == "" || r.blockOnly == m.ChannelID) {
		select {
		case r.entered <- struct{}{}:
		default:
		}
	}
	if r.block != nil && (r.blockOnly == "" || r.blockOnly == m.ChannelID) {
		select {
		case <-r.block:
		case <-ctx.Done():
			return bot.Decision{}, ctx.Err()
		}
	}
	r.mu.Lock()
	r.calls++
	if r.fail > 0 {
		r.fail--
		r.mu.Unlock()
		return bot.Decision{}, errors.New("store unavailable")
	}
	r.messages = append(r.messages, m)
	hook := r.hook
	r.mu.Unlock()
	if hook != nil {
		hook(m)
	}
	return bot.Decision{Action: bot.ActIgnore}, nil
}

func (r *recording) HandleReaction(ctx context.Context, re bot.Reaction) error {
	r.mu.Lock()
	hook := r.rhook
	r.mu.Unlock()
	if hook != nil {
		if err := hook(re); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reactions = append(r.reactions, re)
	return nil
}

func (r *recording) Messages() []bot.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.messages)
}

func (r *recording) Reactions() []bot.Reaction {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.reactions)
}

// byID returns the recorded messages with id.
func (r *recording) byID(id string) []bot.Message {
	var out []bot.Message
	for _, m := range r.Messages() {
		if m.ID == id {
			out = append(out, m)
		}
	}
	return out
}

// running is a Channel running against a fake.
type running struct {
	ch   *Channel
	srv  *fakediscord.Server
	h    bot.Handler
	stop func() error // cancels Run and returns its error
}

func testOptions(t *testing.T) Options {
	return Options{
		Logger:           slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		RequestTimeout:   5 * time.Second,
		MaxRateLimitWait: time.Second,
		ReconnectMin:     50 * time.Millisecond,
		ReconnectMax:     500 * time.Millisecond,
		ShutdownTimeout:  5 * time.Second,
	}
}

// testWriter sends logs to t.Log, so they show only for failing tests.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(p))
	return len(p), nil
}

// newChannel builds a Channel pointed at srv.
func newChannel(t *testing.T, srv *fakediscord.Server, cfg Config, opts Options) *Channel {
	t.Helper()
	cfg.APIURL = srv.URL
	ch, err := New(cfg, srv.Token(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// run starts ch.Run(h) and waits until the gateway session is ready.
func run(t *testing.T, srv *fakediscord.Server, ch *Channel, h bot.Handler) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ch.Run(ctx, h) }()
	var once sync.Once
	var err error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				err = errors.New("Run did not return after its context ended")
			}
		})
		return err
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	srv.AwaitReady(t)
	srv.Await(t, "the bot's id", func() bool { return ch.self() != "" })
	return &running{ch: ch, srv: srv, h: h, stop: stop}
}

// start is fake + newChannel + run with the test configuration.
func start(t *testing.T, h bot.Handler) *running {
	t.Helper()
	srv := fake(t, fakediscord.Config{HeartbeatInterval: 200 * time.Millisecond})
	return run(t, srv, newChannel(t, srv, testConfig(), testOptions(t)), h)
}

func citizen() fakediscord.User {
	return fakediscord.User{ID: citizenID, Username: "marie", GlobalName: "Marie"}
}

// settle waits until the client has read every event the server sent (its
// heartbeat carries the last sequence number) and handled them all.
func (r *running) settle(t *testing.T) {
	t.Helper()
	target := r.srv.Gateway().Seq
	seen := false
	// A minute: some tests queue thousands of events, which the race
	// detector on a busy machine can take longer than Await's ten seconds
	// to handle.
	r.srv.AwaitWithin(t, time.Minute, "the events to be handled", func() bool {
		g := r.srv.Gateway()
		if g.LastBeatSeq == nil || *g.LastBeatSeq < target {
			return false
		}
		if !seen { // check idleness on a later round, once queued
			seen = true
			return false
		}
		r.ch.mu.Lock()
		defer r.ch.mu.Unlock()
		return r.ch.running == nil || r.ch.running.lanes.idle()
	})
}
