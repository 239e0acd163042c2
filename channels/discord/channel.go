package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/liaison-gc/liaison/bot"
)

// Intents are the gateway events the bot subscribes to. Message content is
// privileged: it must be switched on in the Developer Portal (Bot →
// Privileged Gateway Intents), or Discord closes the gateway with 4014.
const Intents = discordgo.IntentsGuilds | // which channel each thread belongs to (GUILD_CREATE, THREAD_*)
	discordgo.IntentsGuildMessages | // questions in watched channels
	discordgo.IntentsDirectMessages | // questions by DM
	discordgo.IntentsMessageContent | // the text of those questions
	discordgo.IntentsGuildMessageReactions | // 👍/👎 feedback on answers in channels
	discordgo.IntentsDirectMessageReactions // and in DMs

// Defaults for Options.
const (
	defaultHTTPTimeout      = 20 * time.Second
	DefaultRequestTimeout   = 10 * time.Second
	DefaultRateLimitRetries = 3
	DefaultMaxRateLimitWait = 5 * time.Second
	DefaultHandleTimeout    = 30 * time.Second
	DefaultShutdownTimeout  = 10 * time.Second
	DefaultReconnectMin     = time.Second
	DefaultReconnectMax     = 2 * time.Minute
	DefaultEventRetryFor    = 5 * time.Minute
	DefaultCatchUpLimit     = 1000
)

// handleAttempts is how many times in a row an event is offered to the
// Handler before it is given up (and logged), a message then parked to be
// tried again later (see parked.go): the gateway never redelivers an event
// that was received, so a store hiccup must not lose a question.
const handleAttempts = 5

// Waits between the tries of an event: doubling from the first to the
// longest, and never shorter than a rate limit's retry_after.
const (
	firstRetryWait = 200 * time.Millisecond
	maxRetryWait   = 30 * time.Second
)

// Options tunes a Channel. Zero fields take the defaults listed.
type Options struct {
	Logger *slog.Logger // nil: logs are discarded
	// HTTPClient is copied (never modified) for the REST API; nil: a client
	// with a 20s timeout.
	HTTPClient *http.Client
	Now        func() time.Time // nil: time.Now
	// RequestTimeout is the deadline of every REST call (10s).
	RequestTimeout time.Duration
	// RateLimitRetries is how many 429 answers one REST call waits out
	// before Send gives up with a retryable error (3).
	RateLimitRetries int
	// MaxRateLimitWait is the longest rate-limit wait Send sits through; a
	// longer one makes it return a retryable error at once (5s).
	MaxRateLimitWait time.Duration
	// HandleTimeout is the deadline of one Handler call (30s).
	HandleTimeout time.Duration
	// ShutdownTimeout is how long Run waits, once its context ends, for the
	// events being handled (10s).
	ShutdownTimeout time.Duration
	// ReconnectMin and ReconnectMax bound the wait between failed gateway
	// connections, which doubles from one to the other (1s, 2m).
	ReconnectMin, ReconnectMax time.Duration
	// EventRetryFor is how long an incoming message or reaction waits out
	// Discord's rate limits and outages when it needs Discord's API to say
	// which channel a thread belongs to, the gateway not having said (5m). Past that, it is handled without
	// knowing (see toMessage) rather than lost.
	EventRetryFor time.Duration
	// CatchUpLimit is the most messages read per channel when catching up
	// at start (1,000); how many more were left is logged.
	CatchUpLimit int
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.RateLimitRetries <= 0 {
		o.RateLimitRetries = DefaultRateLimitRetries
	}
	if o.MaxRateLimitWait <= 0 {
		o.MaxRateLimitWait = DefaultMaxRateLimitWait
	}
	if o.HandleTimeout <= 0 {
		o.HandleTimeout = DefaultHandleTimeout
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = DefaultShutdownTimeout
	}
	if o.ReconnectMin <= 0 {
		o.ReconnectMin = DefaultReconnectMin
	}
	if o.ReconnectMax < o.ReconnectMin {
		o.ReconnectMax = max(DefaultReconnectMax, o.ReconnectMin)
	}
	if o.EventRetryFor <= 0 {
		o.EventRetryFor = DefaultEventRetryFor
	}
	if o.CatchUpLimit <= 0 {
		o.CatchUpLimit = DefaultCatchUpLimit
	}
	return o
}

// Channel is the Discord adapter: it implements bot.Channel and
// bot.MemberCounter. Send and MemberCount are safe for concurrent use, also
// while Run runs; Run may run once at a time.
type Channel struct {
	cfg    Config
	token  string // the raw token; never logged
	opts   Options
	log    *slog.Logger
	client *http.Client
	// limiter is shared by successive sessions so that rate limits learnt
	// before a session is replaced still hold.
	limiter *discordgo.RateLimiter
	sess    atomic.Pointer[discordgo.Session]

	mu      sync.Mutex
	botID   string
	places  map[string]placed // channel id → what it is (threads' parents)
	running *runner           // the Run in progress, nil when none
	gw      net.Conn          // the gateway connection being opened

	// unplaced holds the channels whose lookup was last given up, and
	// when: their next events try once, not for EventRetryFor each, so a
	// long outage does not pile up a thread's messages behind one another.
	unplaced map[string]time.Time

	seen        *recent
	warnedEmpty atomic.Bool

	// partial holds, by reply key, the parts of long replies already
	// posted when a later part failed (see Send).
	partial map[string]posted

	conn bot.ConnState // the gateway's life, for Connection
}

var (
	_ bot.Channel       = (*Channel)(nil)
	_ bot.MemberCounter = (*Channel)(nil)
)

// maxPlaces bounds the cache of channels' places. When it is full, the
// archived threads in it are let go (Discord names a thread again as it
// reopens, and the API can be asked), not the active ones, which Discord
// caps per server; only if that leaves it more than three quarters full is
// all of it.
const maxPlaces = 10000

// placed is a place in the cache.
type placed struct {
	place
	guild    string // the channel's server, "" when not known
	archived bool   // an archived thread, let go first when the cache is full
}

// New checks cfg and returns a Channel that will connect with the bot token
// (from LIAISON_DISCORD_TOKEN; a "Bot " prefix is accepted). Nothing is
// contacted until Run or Send.
func New(cfg Config, token string, opts Options) (*Channel, error) {
	token = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(token), "Bot "))
	if token == "" {
		return nil, errors.New("discord: no bot token: set LIAISON_DISCORD_TOKEN to the token from the Developer Portal (Bot → Reset Token)")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	client, err := httpClient(opts.HTTPClient, cfg.APIURL)
	if err != nil {
		return nil, fmt.Errorf("discord.api_url: %w", err)
	}
	c := &Channel{
		cfg:      cfg,
		token:    token,
		opts:     opts,
		log:      opts.Logger.With("platform", Platform),
		client:   client,
		limiter:  discordgo.NewRatelimiter(),
		places:   map[string]placed{},
		partial:  map[string]posted{},
		seen:     newRecent(4096),
		unplaced: map[string]time.Time{},
	}
	c.sess.Store(c.newSession())
	return c, nil
}

// Name returns "discord".
func (c *Channel) Name() string { return Platform }

// Config returns the configuration the channel runs with.
func (c *Channel) Config() Config { return c.cfg }

// Channels describes the watched channels to the engine.
func (c *Channel) Channels() []bot.ChannelConfig { return c.cfg.Channels() }

// newSession builds a discordgo session. Reconnection is done by Run (so
// shutdown can stop it), rate-limit retries by request (so they are capped).
func (c *Channel) newSession() *discordgo.Session {
	s, _ := discordgo.New("Bot " + c.token) // New never fails
	s.Client = c.client
	s.Ratelimiter = c.limiter
	s.Dialer = &websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: c.opts.RequestTimeout, NetDialContext: c.dial}
	s.ShouldReconnectOnError = false
	s.ShouldRetryOnRateLimit = false
	s.MaxRestRetries = 1
	s.StateEnabled = false
	s.SyncEvents = true // handlers only queue work; see Run
	s.Compress = false
	s.Identify.Compress = false
	s.Identify.Intents = Intents
	s.Identify.Token = c.token // the documented form, without "Bot "
	s.LogLevel = -1            // discordgo logs unstructured to stderr; Run logs what matters
	return s
}

func (c *Channel) session() *discordgo.Session { return c.sess.Load() }

func (c *Channel) self() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.botID
}

// Run connects to the gateway and delivers messages and reactions to h
// until ctx ends, then closes the connection and waits (ShutdownTimeout at
// most) for the events being handled. It reconnects by itself, resuming the
// session so that events sent meanwhile are delivered. It returns nil when
// ctx ends, or an error Discord will not get over by retrying: the token is
// refused, or the message-content intent is not enabled.
//
// Events are handled in one queue per Discord channel, in order: a slow
// channel does not hold up the others, and the gateway is read meanwhile.
// A message id seen recently is not handled twice (the engine also dedupes).
func (c *Channel) Run(ctx context.Context, h bot.Handler) error {
	if h == nil {
		return errors.New("discord: run: nil handler")
	}
	c.mu.Lock()
	if c.running != nil {
		c.mu.Unlock()
		return errors.New("discord: run: already running")
	}
	hctx, stopHandlers := context.WithCancel(context.WithoutCancel(ctx))
	defer stopHandlers()
	patience, impatient := context.WithCancel(hctx)
	defer impatient()
	r := &runner{c: c, h: h, ctx: hctx, patience: patience, impatient: impatient, lanes: newLanes(), down: make(chan struct{}, 1),
		parked: map[string]*discordgo.Message{}, inChannel: map[string]int{}, marks: map[string]parkMark{}, unmarked: map[string]bool{}}
	c.running = r
	c.mu.Unlock()
	r.catching.Add(1)
	go func() {
		defer r.catching.Done()
		r.retryParkedEvery()
	}()
	defer func() {
		c.mu.Lock()
		c.running = nil
		c.mu.Unlock()
	}()

	s := c.session()
	unregister := r.register(s)
	defer func() { unregister() }()
	wait := c.opts.ReconnectMin
	connected := false
	resuming := false // s has been connected: its next Open resumes
	for {
		if !connected {
			err := c.open(ctx, s)
			if ctx.Err() != nil {
				r.shutdown(s, stopHandlers)
				return nil
			}
			switch {
			case err == nil || errors.Is(err, discordgo.ErrWSAlreadyOpen):
				connected, resuming, wait = true, true, c.opts.ReconnectMin
				continue
			case fatal(err) != nil && !(resuming && closeCode(err) == 4004):
				r.shutdown(s, stopHandlers)
				return fatal(err)
			case mustIdentify(err) || resuming && closeCode(err) == 4004:
				// The session cannot be resumed: start a new one, sharing
				// what the rate limiter has learnt. (A resume refused as
				// unauthenticated is retried as an identify too: discordgo
				// resumes with "Bot <token>", which a strict server may
				// refuse where it accepts the documented identify.)
				c.log.Warn("gateway session cannot be resumed; identifying again", "err", err)
				resuming = false
				unregister()
				s.Close()
				s = c.newSession()
				c.sess.Store(s)
				unregister = r.register(s)
				continue
			}
			c.log.Warn("gateway connection failed; retrying", "err", err, "wait", wait.String())
			c.disconnected("connect failed", err)
			if !sleep(ctx, wait) {
				r.shutdown(s, stopHandlers)
				return nil
			}
			wait = min(2*wait, c.opts.ReconnectMax)
			continue
		}
		select {
		case <-ctx.Done():
			r.shutdown(s, stopHandlers)
			return nil
		case <-r.down:
			c.log.Info("gateway disconnected; reconnecting")
			connected = false
		}
	}
}

// dial opens the gateway's TCP connection and remembers it, so that open
// can close it under discordgo's Open.
func (c *Channel) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := (&net.Dialer{Timeout: c.opts.RequestTimeout}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.gw = conn
	c.mu.Unlock()
	return conn, nil
}

// open runs s.Open, which reads HELLO and READY with no deadline and no
// context: if it takes longer than twice RequestTimeout (a stuck server), or
// ctx ends first, the connection being opened is closed under it, so Open
// returns an error.
func (c *Channel) open(ctx context.Context, s *discordgo.Session) error {
	done := make(chan error, 1)
	go func() { done <- s.Open() }()
	abort := func() {
		c.mu.Lock()
		if c.gw != nil {
			c.gw.Close()
		}
		c.mu.Unlock()
	}
	t := time.NewTimer(2 * c.opts.RequestTimeout)
	defer t.Stop()
	var err error
	select {
	case err = <-done:
	case <-t.C:
		abort()
		if err = <-done; err == nil {
			s.Close() // it opened just then, on a closed connection
			err = errors.New("gateway: no READY in time")
		}
	case <-ctx.Done():
		abort()
		err = <-done
		s.Close()
	}
	c.mu.Lock()
	c.gw = nil
	c.mu.Unlock()
	return err
}

// fatal returns a clear error for the connection failures that retrying
// cannot fix, and nil for the others.
func fatal(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 4004:
			return fmt.Errorf("discord: the gateway refused the token (4004): check LIAISON_DISCORD_TOKEN: %w", err)
		case 4013:
			return fmt.Errorf("discord: the gateway refused the intents (4013): %w", err)
		case 4014:
			return fmt.Errorf("discord: the message content intent is not enabled (4014): in the Developer Portal, Bot → Privileged Gateway Intents, switch on MESSAGE CONTENT INTENT: %w", err)
		case 4010, 4011, 4012:
			return fmt.Errorf("discord: the gateway refused the connection (%d): %w", ce.Code, err)
		}
	}
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Response != nil && rest.Response.StatusCode == http.StatusUnauthorized ||
		errors.Is(err, discordgo.ErrUnauthorized) {
		return errors.New("discord: the API refused the token (HTTP 401): check LIAISON_DISCORD_TOKEN")
	}
	return nil
}

// closeCode returns the gateway's close code in err, 0 when none.
func closeCode(err error) int {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return 0
}

// mustIdentify reports whether the gateway ended the session (invalid
// sequence, session timed out): resuming it again would fail again.
func mustIdentify(err error) bool {
	var ce *websocket.CloseError
	return errors.As(err, &ce) && (ce.Code == 4007 || ce.Code == 4009)
}

// runner is one Run: the handler and the queues events wait in.
type runner struct {
	c     *Channel
	h     bot.Handler
	ctx   context.Context // for handler calls: survives Run's ctx until shutdown
	lanes *lanes
	down  chan struct{} // a disconnect happened

	// patience ends as shutdown begins: events waiting on Discord then stop
	// waiting and are handed over with what is known, in the time shutdown
	// gives them.
	patience  context.Context
	impatient context.CancelFunc

	// parked holds the messages the engine could not record, by id,
	// inChannel counts them by channel, and retrying counts their retries
	// queued (see parked.go). marks holds, by channel, the catch-up mark
	// recorded for them, and unmarked the channels where one may be
	// missing (see markParked). mmu is held while catch-up marks are read
	// and recorded.
	pmu       sync.Mutex
	parked    map[string]*discordgo.Message
	inChannel map[string]int
	retrying  int
	marks     map[string]parkMark
	unmarked  map[string]bool
	mmu       sync.Mutex

	// catching runs while a catch-up does (see catchUp); again asks it
	// for another pass, a new session having begun meanwhile. The retry
	// of parked messages counts in it too.
	catching sync.WaitGroup
	cmu      sync.Mutex
	busy     bool
	again    bool
	passes   int       // catch-ups done
	starts   *recorded // read as the latest session began, for the next pass
	// liveEdits holds, while a catch-up runs, when each message edited
	// live meanwhile was last edited: an edit the catch-up read in
	// history before a later one was delivered is not handed on after it
	// (see editedLive).
	liveEdits map[string]time.Time
	// members caches, for one catch-up, the server member each author
	// is (nil: unknown); only the catch-up uses it.
	members map[string]*discordgo.Member
}

// register adds the event handlers to s and returns their removal.
func (r *runner) register(s *discordgo.Session) func() {
	var rm []func()
	rm = append(rm,
		s.AddHandler(func(_ *discordgo.Session, e *discordgo.Ready) {
			if e.User == nil {
				return
			}
			r.c.mu.Lock()
			r.c.botID = e.User.ID
			r.c.mu.Unlock()
			r.c.log.Info("gateway ready", "bot", e.User.ID, "guilds", len(e.Guilds))
			r.c.connected("ready")
			// A new session: what was posted before it will not come
			// through the gateway (a resumed session replays it instead).
			r.catchUp()
		}),
		s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) {
			r.c.log.Info("gateway session resumed")
			r.c.connected("resumed")
		}),
		s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
			r.c.disconnected("disconnect", nil)
			select {
			case r.down <- struct{}{}:
			default:
			}
		}),
		// The gateway names each thread's parent channel as the thread is
		// created, updated (unarchived), listed when the bot connects or
		// is given access: remembered here, before the thread's messages
		// that follow in the same ordered stream, so an API outage or
		// rate limit does not leave them without their channel.
		s.AddHandler(func(_ *discordgo.Session, e *discordgo.GuildCreate) {
			if e.Guild != nil {
				for _, th := range e.Threads {
					r.c.learnThread(e.ID, th)
				}
			}
		}),
		s.AddHandler(func(_ *discordgo.Session, e *discordgo.ThreadCreate) { r.c.learnThread("", e.Channel) }),
		s.AddHandler(func(_ *discordgo.Session, e *discordgo.ThreadUpdate) { r.c.learnThread("", e.Channel) }),
		s.AddHandler(func(_ *discordgo.Session, e *discordgo.ThreadListSync) { r.c.syncThreads(e) }),
		// A thread, a channel (and its threads) deleted, or a server the
		// bot was removed from, are forgotten: they will not be back.
		s.AddHandler(func(_ *discordgo.Session, e *discordgo.ThreadDelete) {
			if e.Channel != nil {
				r.c.mu.Lock()
				delete(r.c.places, e.ID)
				r.c.mu.Unlock()
			}
		}),
		s.AddHandler(func(_ *discordgo.Session, e *discordgo.ChannelDelete) {
			if e.Channel != nil && e.ID != "" {
				r.c.forget(func(id string, p placed) bool { return id == e.ID || p.parent == e.ID })
			}
		}),
		s.AddHandler(func(_ *discordgo.Session, e *discordgo.GuildDelete) {
			if e.Guild != nil && e.ID != "" && !e.Unavailable { // unavailable: an outage, it comes back
				r.c.forget(func(_ string, p placed) bool { return p.guild == e.ID })
			}
		}),
		s.AddHandler(func(_ *discordgo.Session, e *discordgo.MessageCreate) {
			if e.Message == nil || e.ID == "" || !r.c.seen.add(e.ID) {
				return
			}
			m := e.Message
			r.lanes.do(m.ChannelID, func() { r.message(m) })
		}),
		// An edit: the same intents bring it (GUILD_MESSAGES,
		// DIRECT_MESSAGES; MESSAGE_CONTENT for its text). Discord also
		// sends MESSAGE_UPDATE as it adds a link's preview to a message,
		// its author changing nothing: only an edit, which sets
		// edited_timestamp, is handed on, once for each.
		s.AddHandler(func(_ *discordgo.Session, e *discordgo.MessageUpdate) {
			if e.Message == nil || e.ID == "" || e.Author == nil || e.EditedTimestamp == nil {
				return
			}
			m := e.Message
			if key := editKey(m); r.c.seen.add(key) {
				r.editedLive(m)
				r.lanes.do(m.ChannelID, func() { r.edit(m, key) })
			}
		}),
		// A deletion (GUILD_MESSAGES, DIRECT_MESSAGES) names the messages
		// only; each is handed on once, after the events of its channel
		// before it.
		s.AddHandler(func(_ *discordgo.Session, e *discordgo.MessageDelete) {
			if e.Message != nil && e.ID != "" {
				r.deleted(e.ChannelID, []string{e.ID})
			}
		}),
		s.AddHandler(func(_ *discordgo.Session, e *discordgo.MessageDeleteBulk) {
			r.deleted(e.ChannelID, e.Messages)
		}),
		s.AddHandler(func(_ *discordgo.Session, e *discordgo.MessageReactionAdd) {
			// Another bot's reaction (one that adds 👍 to every message)
			// is no citizen's feedback. Discord names who reacted on
			// additions in a server; a removal, which it does not, is of
			// a reaction never recorded.
			if e.Member != nil && e.Member.User != nil && e.Member.User.Bot {
				return
			}
			if e.MessageReaction != nil {
				mr, at := e.MessageReaction, r.c.opts.Now()
				r.lanes.do(mr.ChannelID, func() { r.reaction(mr, true, at) })
			}
		}),
		s.AddHandler(func(_ *discordgo.Session, e *discordgo.MessageReactionRemove) {
			if e.MessageReaction != nil {
				mr, at := e.MessageReaction, r.c.opts.Now()
				r.lanes.do(mr.ChannelID, func() { r.reaction(mr, false, at) })
			}
		}),
	)
	return func() {
		for _, f := range rm {
			f()
		}
	}
}

// message hands one message to the handler, and reports whether it was
// recorded (or was not to be).
func (r *runner) message(m *discordgo.Message) bool {
	c := r.c
	var msg bot.Message
	var ok, handled bool
	p := r.place("message", m.GuildID, m.ChannelID, m.ID)
	r.markBefore(m.ChannelID)
	err := r.attempt("message", time.Now().Add(c.opts.EventRetryFor), func(ctx context.Context) error {
		if msg, ok = toMessage(m, c.self(), c.cfg, p); !ok {
			return nil
		}
		if msg.Time.IsZero() {
			msg.Time = c.opts.Now().UTC()
		}
		// Discord's content, not the text left once the bot's mention is
		// taken out: a citizen who only mentions the bot sent text.
		if blank(m) && !msg.AuthorBot && c.warnedEmpty.CompareAndSwap(false, true) {
			c.log.Warn("a message arrived without its text: is MESSAGE CONTENT INTENT enabled (Developer Portal → Bot)?",
				"channel", string(msg.Channel()))
		}
		_, err := r.h.HandleMessage(ctx, msg)
		if errors.Is(err, bot.ErrDuplicate) {
			err = nil
		}
		handled = err == nil
		return err
	})
	if err != nil {
		c.seen.forget(m.ID) // a redelivery may try again
		if r.park(m, err) {
			c.log.Error("message not recorded; trying it again as soon as the store records again", "channel", string(bot.Key(Platform, m.ChannelID)), "message", m.ID, "err", err)
		} else {
			c.log.Error("message not recorded", "channel", string(bot.Key(Platform, m.ChannelID)), "message", m.ID, "err", err)
		}
		return false
	}
	if handled {
		r.recorded(m.ID)
	}
	return true
}

// editKey names one edit of m among the events seen: its id and when it
// was edited.
func editKey(m *discordgo.Message) string {
	return "edit:" + m.ID + ":" + m.EditedTimestamp.UTC().Format(time.RFC3339Nano)
}

// edit hands one edit of a message to the handler, when it takes edits
// (bot.EditHandler), to be decided again (see bot.Engine.HandleEdit): a
// message set aside as not for the bot, edited to mention it, is then
// answered. An edit of a message parked (see parked.go) replaces it, to
// be recorded as edited; one of a message never recorded (posted while the
// bot was away and not caught up) is left.
func (r *runner) edit(m *discordgo.Message, key string) {
	eh, ok := r.h.(bot.EditHandler)
	if !ok {
		return
	}
	if r.repark(m) {
		return // not recorded yet: recorded as edited when tried again
	}
	c := r.c
	p := r.place("edit", m.GuildID, m.ChannelID, m.ID)
	err := r.attempt("edit", time.Now().Add(c.opts.EventRetryFor), func(ctx context.Context) error {
		msg, ok := toMessage(m, c.self(), c.cfg, p)
		if !ok {
			return nil
		}
		msg.Edited = m.EditedTimestamp.UTC()
		_, err := eh.HandleEdit(ctx, msg)
		if errors.Is(err, bot.ErrNotFound) || errors.Is(err, bot.ErrDuplicate) {
			return nil
		}
		return err
	})
	if err != nil {
		c.seen.forget(key) // a redelivery may try again
		c.log.Error("edit not recorded", "channel", string(bot.Key(Platform, m.ChannelID)), "message", m.ID, "err", err)
	}
}

// deleted hands the messages deleted in channelID to the handler, when it
// takes deletions (bot.DeleteHandler; see bot.Engine.HandleDelete): staff
// holding a question its author deleted are told. Each id is handed on
// once. A message parked, not recorded yet (see parked.go), is forgotten
// instead: its author withdrew it before the bot could take it.
func (r *runner) deleted(channelID string, ids []string) {
	dh, ok := r.h.(bot.DeleteHandler)
	for _, id := range ids {
		key := "delete:" + id
		if id == "" || !r.c.seen.add(key) {
			continue
		}
		r.lanes.do(channelID, func() {
			if r.unpark(id) || !ok {
				return
			}
			c := r.c
			err := r.attempt("delete", time.Now().Add(c.opts.EventRetryFor), func(ctx context.Context) error {
				return dh.HandleDelete(ctx, Platform, id)
			})
			if err != nil {
				c.seen.forget(key) // a redelivery may try again
				c.log.Error("deletion not recorded", "channel", string(bot.Key(Platform, channelID)), "message", id, "err", err)
			}
		})
	}
}

// reaction hands one reaction to the handler.
func (r *runner) reaction(mr *discordgo.MessageReaction, added bool, at time.Time) {
	c := r.c
	p := r.place("reaction", mr.GuildID, mr.ChannelID, mr.MessageID)
	err := r.attempt("reaction", time.Now().Add(c.opts.EventRetryFor), func(ctx context.Context) error {
		re, ok := toReaction(mr, added, c.self(), c.cfg, p, at)
		if !ok {
			return nil
		}
		err := r.h.HandleReaction(ctx, re)
		if errors.Is(err, bot.ErrNotFound) { // not on one of the bot's answers
			return nil
		}
		return err
	})
	if err != nil {
		c.log.Error("reaction not recorded", "channel", string(bot.Key(Platform, mr.ChannelID)), "message", mr.MessageID, "err", err)
	}
}

// place is placeOf for an event, which must not be lost when Discord
// cannot answer: a retryable failure (a rate limit, an outage) is retried
// until EventRetryFor has passed or shutdown begins, honouring Discord's
// retry_after. If Discord still cannot say what the channel is, the event
// is handled as in a channel of unknown place (see toMessage), and the
// give-up is logged.
func (r *runner) place(what, guildID, channelID, eventID string) place {
	c := r.c
	now := time.Now()
	until := now.Add(c.opts.EventRetryFor)
	c.mu.Lock()
	if at, ok := c.unplaced[channelID]; ok && now.Sub(at) < c.opts.EventRetryFor {
		until = now // given up a moment ago: one try, then on with the event
	}
	c.mu.Unlock()
	var p place
	err := r.attempt(what, until, func(ctx context.Context) error {
		var err error
		p, err = c.placeOf(ctx, guildID, channelID)
		return err
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil {
		delete(c.unplaced, channelID)
		return p
	}
	if len(c.unplaced) >= maxPlaces {
		clear(c.unplaced)
	}
	c.unplaced[channelID] = time.Now()
	c.log.Warn("channel lookup given up; handling the event without its thread's parent",
		"event", what, "channel", string(bot.Key(Platform, channelID)), "message", eventID, "err", err)
	return place{unknown: true}
}

// attempt runs f, each try with HandleTimeout, until it succeeds, fails
// with an error retrying cannot fix, or the runner stops. A failure of
// Discord (a retryable *Error: a rate limit, an outage, a timeout) is
// retried until the time until, waiting at least its RetryAfter, and not
// once shutdown has begun; any other failure (the handler's own) is
// retried handleAttempts times in all.
func (r *runner) attempt(what string, until time.Time, f func(context.Context) error) error {
	return r.attemptIn(r.ctx, what, until, f)
}

// attemptIn is attempt with its tries under base, which may end sooner than
// the runner.
func (r *runner) attemptIn(base context.Context, what string, until time.Time, f func(context.Context) error) error {
	wait := firstRetryWait
	for i := 1; ; i++ {
		ctx, cancel := context.WithTimeout(base, r.c.opts.HandleTimeout)
		err := f(ctx)
		cancel()
		if err == nil || base.Err() != nil || errors.Is(err, bot.ErrInvalid) || errors.Is(err, bot.ErrForbidden) {
			return err
		}
		pause, stop := wait, base
		var de *Error
		if errors.As(err, &de) {
			pause, stop = max(wait, de.RetryAfter), r.patience
			if !de.Retry || time.Now().Add(pause).After(until) {
				return err
			}
		} else if i >= handleAttempts {
			return err
		}
		r.c.log.Warn("handling failed; retrying", "event", what, "attempt", i, "wait", pause.String(), "err", err)
		if !sleep(stop, pause) {
			return err
		}
		wait = min(2*wait, maxRetryWait)
	}
}

// shutdown closes the gateway and waits for the events being handled.
func (r *runner) shutdown(s *discordgo.Session, stopHandlers context.CancelFunc) {
	r.impatient()
	if err := s.Close(); err != nil {
		r.c.log.Warn("closing the gateway", "err", err)
	}
	done := make(chan struct{})
	go func() { r.catching.Wait(); r.lanes.wait(); close(done) }()
	t := time.NewTimer(r.c.opts.ShutdownTimeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		r.c.log.Warn("shutdown: events still being handled were abandoned", "pending", r.lanes.pending())
		stopHandlers()
		<-done
	}
	r.parkedAtShutdown()
}

// placeOf says whether channelID is a thread, and of which channel. Watched
// channels, DMs and other servers need no lookup; other channels are asked
// of Discord once and remembered.
func (c *Channel) placeOf(ctx context.Context, guildID, channelID string) (place, error) {
	if guildID == "" || !c.cfg.guild(guildID) {
		return place{}, nil
	}
	if _, watched := c.cfg.channel(channelID); watched {
		return place{}, nil
	}
	c.mu.Lock()
	cached, ok := c.places[channelID]
	c.mu.Unlock()
	if ok {
		return cached.place, nil
	}
	endpoint := discordgo.EndpointChannel(channelID)
	var ch discordgo.Channel
	if err := c.getJSON(ctx, "look up channel", endpoint, endpoint, &ch); err != nil {
		return place{}, err
	}
	var p place
	if ch.IsThread() {
		p = place{parent: ch.ParentID, owner: ch.OwnerID, title: ch.Name}
	}
	c.remember(channelID, placed{place: p, guild: guildID, archived: isArchived(&ch)})
	return p, nil
}

// learnThread remembers what the gateway said of a thread of a watched
// server: its parent and its owner. guildID is used when the channel object
// omits its own (GUILD_CREATE's threads may).
func (c *Channel) learnThread(guildID string, th *discordgo.Channel) {
	if th == nil || th.ID == "" || th.ParentID == "" || !th.IsThread() {
		return
	}
	if th.GuildID != "" {
		guildID = th.GuildID
	}
	if !c.cfg.guild(guildID) {
		return
	}
	c.remember(th.ID, placed{place: place{parent: th.ParentID, owner: th.OwnerID, title: th.Name}, guild: guildID, archived: isArchived(th)})
	c.mu.Lock()
	delete(c.unplaced, th.ID)
	c.mu.Unlock()
}

// syncThreads applies THREAD_LIST_SYNC, which Discord sends as the bot
// can see channels again: the threads it lists are remembered, and the
// others remembered of the channels it covers (of the whole server when it
// names none) are no longer active, archived or hidden from the bot while
// it could not see them, which no other event said. They are kept as
// archived threads are (a thread's parent does not change), let go first
// when the cache is full, rather than counted among the active threads.
func (c *Channel) syncThreads(e *discordgo.ThreadListSync) {
	listed := map[string]bool{}
	for _, th := range e.Threads {
		c.learnThread(e.GuildID, th)
		if th != nil {
			listed[th.ID] = true
		}
	}
	covered := map[string]bool{}
	for _, id := range e.ChannelIDs {
		covered[id] = true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, p := range c.places {
		if p.parent == "" || p.archived || listed[id] {
			continue
		}
		if covered[p.parent] || len(covered) == 0 && e.GuildID != "" && p.guild == e.GuildID {
			p.archived = true
			c.places[id] = p
		}
	}
}

// remember caches the place of a channel.
func (c *Channel) remember(channelID string, p placed) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, known := c.places[channelID]; !known && len(c.places) >= maxPlaces {
		maps.DeleteFunc(c.places, func(_ string, q placed) bool { return q.archived })
		if len(c.places) > maxPlaces*3/4 {
			clear(c.places)
		}
	}
	c.places[channelID] = p
}

// forget drops from the cache every place gone is true of.
func (c *Channel) forget(gone func(id string, p placed) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	maps.DeleteFunc(c.places, gone)
}

func isArchived(ch *discordgo.Channel) bool {
	return ch.ThreadMetadata != nil && ch.ThreadMetadata.Archived
}

// sleep waits d or until ctx ends; it reports whether d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
