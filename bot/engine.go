package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/liaison-gc/liaison/phases"
)

// ChannelConfig is what the engine knows of one public channel. Adapters
// derive it from their own configuration.
type ChannelConfig struct {
	Key       ChannelKey
	Name      string // display name ("#help" on Discord); English readers' when NameFR is set
	NameFR    string // display name for French readers when it differs (a web room's name_fr)
	Lang      Lang   // the channel's language; Unknown for a bilingual channel
	Help      bool   // every message here is addressed to the bot
	Broadcast bool   // broadcasts are posted here
}

// NameIn returns the channel's display name for readers of l.
func (c ChannelConfig) NameIn(l Lang) string {
	if l == French && c.NameFR != "" {
		return c.NameFR
	}
	return c.Name
}

// Named reports whether s is one of the channel's names, in either
// language, in any case, with or without its "#" and its accents ("aide",
// "#Aide", "general" for « #général »).
func (c ChannelConfig) Named(s string) bool {
	s = Fold(strings.TrimPrefix(s, "#"))
	for _, name := range []string{c.NameIn(English), c.NameIn(French)} {
		if name = Fold(strings.TrimPrefix(name, "#")); name != "" && name == s {
			return true
		}
	}
	return false
}

// Config tunes the engine. Zero values take the defaults listed.
type Config struct {
	AnswerThreshold float64       // calibrated confidence needed to answer (0.5)
	InitialPhase    phases.Phase  // global phase before any recorded change (Replies)
	DefaultLang     Lang          // when neither detection nor the channel decides (English)
	RemindAfter     time.Duration // unclaimed escalations are reminded, then re-routed (30m)
	MaxReminders    int           // reminders and re-routes of an unclaimed escalation, in all, before the whole desk is told once (3; negative, NoReminders: none)
	FloodPerMinute  int           // addressed messages per user per minute before the flood notice (10)
	MaxTextRunes    int           // text beyond this is truncated for search (2000)
	Channels        []ChannelConfig
	Staff           Roster
	// LogCitizenText allows citizen text in logs; off by default (privacy).
	LogCitizenText bool
	// PollInterval is how often background loops look for work that
	// another process may have added (phase changes and broadcasts from the
	// CLI, retries) (1s).
	PollInterval time.Duration
}

func (c *Config) setDefaults() {
	if c.AnswerThreshold == 0 {
		c.AnswerThreshold = 0.5
	}
	if c.InitialPhase == 0 {
		c.InitialPhase = phases.Replies
	}
	if c.DefaultLang == Unknown {
		c.DefaultLang = English
	}
	if c.RemindAfter == 0 {
		c.RemindAfter = 30 * time.Minute
	}
	if c.MaxReminders == 0 {
		c.MaxReminders = 3
	}
	if c.FloodPerMinute == 0 {
		c.FloodPerMinute = 10
	}
	if c.MaxTextRunes == 0 {
		c.MaxTextRunes = 2000
	}
	if c.PollInterval == 0 {
		c.PollInterval = time.Second
	}
}

func (c Config) validate() error {
	var errs []error
	if !(c.AnswerThreshold >= 0 && c.AnswerThreshold <= 1) { // NaN too
		errs = append(errs, fmt.Errorf("answer threshold %v: must be between 0 and 1", c.AnswerThreshold))
	}
	if !c.InitialPhase.Valid() {
		errs = append(errs, fmt.Errorf("initial phase %d: %w", c.InitialPhase, phases.ErrUnknownPhase))
	}
	if !c.DefaultLang.Valid() {
		errs = append(errs, fmt.Errorf("default language %q: use en or fr", c.DefaultLang))
	}
	if c.RemindAfter < 0 || c.FloodPerMinute < 0 || c.MaxTextRunes < 0 {
		errs = append(errs, errors.New("remind-after, flood limit and text limit must not be negative"))
	}
	seen := map[string]bool{}
	desk := map[string]bool{}
	for i, s := range c.Staff {
		switch {
		case s.ID == "":
			errs = append(errs, fmt.Errorf("staff[%d]: id is required", i))
		case seen[s.ID]:
			errs = append(errs, fmt.Errorf("staff[%d]: id %q is used twice", i, s.ID))
		}
		seen[s.ID] = true
		if s.DeskUserID != "" && desk[s.DeskUserID] {
			errs = append(errs, fmt.Errorf("staff[%d]: desk user %q is used twice", i, s.DeskUserID))
		}
		desk[s.DeskUserID] = true
	}
	return errors.Join(errs...)
}

// NoReminders as Config.MaxReminders: an unclaimed escalation is neither
// reminded nor re-routed; the desk is told at the first RemindAfter.
const NoReminders = -1

// maxReminders is Config.MaxReminders with NoReminders read as 0.
func (c Config) maxReminders() int { return max(c.MaxReminders, 0) }

// Deps are the engine's collaborators.
type Deps struct {
	Store     Store
	Knowledge Knowledge
	Messages  Messages
	Detect    Detector
	Channels  []Channel // public channels, by Name()
	Desk      Desk      // nil: escalations wait in the store until a desk runs
	Logger    *slog.Logger
	Now       func() time.Time // nil: time.Now
}

// Engine decides what to do with each public message and runs the
// escalation workflow. It implements Handler and DeskHandler; all its
// methods are safe for concurrent use.
type Engine struct {
	cfg      Config
	st       Store
	kb       Knowledge
	msgs     Messages
	detect   Detector
	desk     Desk
	log      *slog.Logger
	now      func() time.Time
	channels map[string]Channel
	chans    map[ChannelKey]ChannelConfig

	flood *floodLimiter
	early earlyReactions

	// escMu serialises the decisions that create, join or answer
	// escalations, so a question never joins an escalation that is being
	// answered at the same moment. waiting mirrors the escalations that
	// new questions may join.
	escMu   sync.Mutex
	waiting map[int64]*waitingEsc

	phaseMu   sync.RWMutex
	phase     phases.State
	phaseRead time.Time

	wakeMu sync.Mutex
	wake   map[string]chan struct{}

	// untargeted holds the due broadcasts left scheduled for want of a
	// channel whose reason was told (see keepUntargeted).
	bcMu       sync.Mutex
	untargeted map[int64]bool

	// refusedPosts holds the escalations whose desk post the desk refused
	// (a failure of their own), with when each is tried again, and
	// deskDown when posts are tried again after failures of the whole
	// desk (see syncPost); backlogAfter is the id after which the next
	// round reads the desk backlog (see syncPosts).
	refusedMu    sync.Mutex
	refusedPosts map[int64]postRetry
	deskDown     postRetry
	backlogAfter int64

	// unrecorded holds the outbox items sent whose delivery the store
	// did not record, with their refs (see rememberSent), and unsynced
	// the desk posts made that it did not record (see markDeskSynced).
	sentMu     sync.Mutex
	unrecorded map[int64]MessageRef
	unsynced   map[int64]deskPost
}

var (
	_ Handler     = (*Engine)(nil)
	_ DeskHandler = (*Engine)(nil)
)

// New checks cfg and deps and returns an engine. Call Run to start its
// background work (delivery, reminders, scheduled broadcasts, desk sync).
func New(cfg Config, d Deps) (*Engine, error) {
	cfg.setDefaults()
	var errs []error
	if err := cfg.validate(); err != nil {
		errs = append(errs, err)
	}
	if d.Store == nil || d.Knowledge == nil || d.Messages == nil || d.Detect == nil {
		errs = append(errs, errors.New("engine: store, knowledge, messages and detector are required"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	e := &Engine{
		cfg: cfg, st: d.Store, kb: d.Knowledge, msgs: d.Messages, detect: d.Detect, desk: d.Desk,
		log: d.Logger, now: d.Now,
		channels: map[string]Channel{}, chans: map[ChannelKey]ChannelConfig{},
		flood: newFloodLimiter(cfg.FloodPerMinute, time.Minute),
		wake:  map[string]chan struct{}{}, waiting: map[int64]*waitingEsc{}, untargeted: map[int64]bool{},
		refusedPosts: map[int64]postRetry{}, unrecorded: map[int64]MessageRef{}, unsynced: map[int64]deskPost{},
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.now == nil {
		e.now = time.Now
	}
	for _, c := range d.Channels {
		e.channels[c.Name()] = c
	}
	for _, c := range cfg.Channels {
		e.chans[c.Key] = c
	}
	return e, nil
}

// Roster returns the staff roster.
func (e *Engine) Roster() Roster { return e.cfg.Staff }

// Config returns the engine's configuration with defaults applied.
func (e *Engine) Config() Config { return e.cfg }

// Run delivers outgoing replies, sends reminders and scheduled broadcasts,
// and keeps the desk in sync until ctx ends. It does not run the channels:
// the caller runs each Channel with the engine as its Handler (and the Desk
// with the engine as its DeskHandler). Run returns nil when ctx ends.
func (e *Engine) Run(ctx context.Context) error {
	if err := e.loadWaiting(ctx); err != nil {
		return err
	}
	var wg sync.WaitGroup
	loop := func(name string, every time.Duration, f func(context.Context)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.loop(ctx, name, every, f)
		}()
	}
	for name := range e.channels {
		loop(name, e.cfg.PollInterval, func(ctx context.Context) { e.deliver(ctx, name) })
	}
	if e.desk != nil {
		loop(DeskPlatform, e.cfg.PollInterval, e.syncDesk)
	}
	loop("broadcasts", e.cfg.PollInterval, e.queueDueBroadcasts)
	loop("reminders", min(e.cfg.RemindAfter/4, 30*time.Second), e.remind)
	loop("phase", 2*time.Second, func(ctx context.Context) { e.refreshPhase(ctx) })
	loop("flood", time.Minute, func(context.Context) { e.flood.sweep(e.now()) })
	loop("reactions", 2*time.Second, e.retryEarlyReactions)
	wg.Wait()
	return nil
}

// Tick runs one round of the background work now: queue due broadcasts,
// send reminders, sync the desk and deliver every platform's outbox. Run
// does the same on timers; tests and one-shot commands call Tick.
func (e *Engine) Tick(ctx context.Context) {
	e.refreshPhase(ctx)
	e.queueDueBroadcasts(ctx)
	e.remind(ctx)
	e.syncDesk(ctx)
	for name := range e.channels {
		e.deliver(ctx, name)
	}
	e.syncDesk(ctx)
	e.retryEarlyReactions(ctx)
}

// loop runs f every interval, and at once when woken for name.
func (e *Engine) loop(ctx context.Context, name string, every time.Duration, f func(context.Context)) {
	wake := e.wakeChan(name)
	t := time.NewTicker(max(every, 10*time.Millisecond))
	defer t.Stop()
	for {
		f(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
	}
}

func (e *Engine) wakeChan(name string) chan struct{} {
	e.wakeMu.Lock()
	defer e.wakeMu.Unlock()
	c, ok := e.wake[name]
	if !ok {
		c = make(chan struct{}, 1)
		e.wake[name] = c
	}
	return c
}

// poke wakes the loop named name without blocking.
func (e *Engine) poke(name string) {
	select {
	case e.wakeChan(name) <- struct{}{}:
	default:
	}
}

// pokeFor wakes the delivery loops that items need.
func (e *Engine) pokeFor(items []Outgoing) {
	seen := map[string]bool{}
	for _, it := range items {
		if !seen[it.To.Platform] {
			seen[it.To.Platform] = true
			e.poke(it.To.Platform)
		}
	}
}

// channelConfig returns the configuration of key, or a bilingual default.
func (e *Engine) channelConfig(key ChannelKey) ChannelConfig {
	if c, ok := e.chans[key]; ok {
		return c
	}
	return ChannelConfig{Key: key, Name: key.ID()}
}

// Channels lists the configured public channels.
func (e *Engine) Channels() []ChannelConfig { return e.cfg.Channels }
