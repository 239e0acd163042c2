package bot

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/liaison-gc/liaison/phases"
)

// ChannelConfig is what the engine knows of one public channel. Adapters
// derive it from their own configuration.
type ChannelConfig struct {
	Key       ChannelKey
	Name      string // display name ("#help" on Discord)
	Lang      Lang   // the channel's language; Unknown for a bilingual channel
	Help      bool   // every message here is addressed to the bot
	Broadcast bool   // broadcasts are posted here
}

// Config tunes the engine. Zero values take the defaults listed.
type Config struct {
	AnswerThreshold float64       // calibrated confidence needed to answer (0.5)
	InitialPhase    phases.Phase  // global phase before any recorded change (Replies)
	DefaultLang     Lang          // when neither detection nor the channel decides (English)
	RemindAfter     time.Duration // unclaimed escalations are reminded, then re-routed (30m)
	FloodPerMinute  int           // addressed messages per user per minute before the flood notice (10)
	MaxTextRunes    int           // text beyond this is truncated for search (2000)
	Channels        []ChannelConfig
	Staff           Roster
	// LogCitizenText allows citizen text in logs; off by default (privacy).
	LogCitizenText bool
}

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
// escalation workflow. It implements Handler and DeskHandler.
type Engine struct {
	cfg Config
	d   Deps
}

var errTODO = errors.New("engine: not built yet")

// New checks cfg and deps and returns an engine. Call Run to start its
// background work (delivery, reminders, scheduled broadcasts, desk sync).
func New(cfg Config, d Deps) (*Engine, error) { return &Engine{cfg: cfg, d: d}, errTODO }

// Run delivers outgoing replies, sends reminders and scheduled broadcasts,
// and keeps the desk in sync until ctx ends. It does not run the channels:
// the caller runs each Channel with the engine as its Handler.
func (e *Engine) Run(ctx context.Context) error { return errTODO }
