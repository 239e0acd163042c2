package bot

import "context"

// Channel connects the engine to one public platform (Discord, the local
// web chat).
type Channel interface {
	// Name is the platform name used in Message.Platform and ChannelKey.
	Name() string
	// Run delivers incoming events to h until ctx ends; it reconnects by
	// itself and returns nil when ctx is done.
	Run(ctx context.Context, h Handler) error
	// Send posts r at to. It returns an error wrapping ErrRetryLater-like
	// platform errors as is; the engine keeps the reply and retries.
	Send(ctx context.Context, to Address, r Reply) (MessageRef, error)
}

// Handler receives what channels see. The Engine implements it.
// Both methods are safe for concurrent use; they return once the event is
// durably recorded (and any reply written to the outbox, to be sent by the
// engine through Channel.Send), so an adapter may acknowledge the platform
// afterwards. A redelivered message (same Platform and ID) returns the
// decision recorded the first time, with a nil error, and does nothing else.
type Handler interface {
	HandleMessage(ctx context.Context, m Message) (Decision, error)
	HandleReaction(ctx context.Context, r Reaction) error
}

// Optional channel capabilities, found by type assertion.

// MemberCounter reports how many people can see the bot's channels
// (followers, for reports).
type MemberCounter interface {
	MemberCount(ctx context.Context) (int, error)
}

// Retryable is implemented by errors from Send that are worth retrying later
// (rate limits, dropped connections). Send errors that do not implement it,
// or return false, are permanent.
type Retryable interface {
	Retryable() bool
}
