package bot

import (
	"context"
	"time"
)

// Channel connects the engine to one public platform (Discord, the local
// web chat).
type Channel interface {
	// Name is the platform name used in Message.Platform and ChannelKey.
	Name() string
	// Run delivers incoming events to h until ctx ends; it reconnects by
	// itself and returns nil when ctx is done.
	Run(ctx context.Context, h Handler) error
	// Send posts r at to. On failure the engine keeps the reply and retries
	// with back-off, unless the error implements Retryable and says false
	// (a permanent refusal).
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

// Historian is implemented by the Engine for channels and desks that show
// their history again after a restart (the web chat and desk): the last
// limit things said in a channel, oldest first, as the store keeps them
// (the desk's notices are said on DeskPlatform, channel ""), and the staff
// answers of an escalation, to tell which held answers are still waiting.
type Historian interface {
	Conversation(ctx context.Context, platform, channelID string, limit int) ([]Said, error)
	Answers(ctx context.Context, escalationID int64) ([]StaffAnswer, error)
}

// Tracker is implemented by the Engine for channels that catch up, after
// a restart, on what was posted while they were away (Discord): for each
// channel of platform where a message was recorded, the id of the newest
// one, keyed by the platform's id of the channel it was posted in (the
// thread's, for a message in a thread). Ids are decimal: they compare by
// length, then value.
//
// A catch-up records where it starts reading each channel before it reads
// (SetCatchUpFrom, in one write), and forgets it once the channel was read
// (ClearCatchUpFrom): a channel whose catch-up did not finish is found in
// CatchUpFrom at the next start, and read from there, even if a message
// was since recorded in it live.
type Tracker interface {
	LastSeen(ctx context.Context, platform string) (map[string]string, error)
	CatchUpFrom(ctx context.Context, platform string) (map[string]string, error)
	SetCatchUpFrom(ctx context.Context, platform string, from map[string]string) error
	ClearCatchUpFrom(ctx context.Context, platform, channelID string) error
}

// EditHandler is implemented by the Engine for channels whose messages
// their authors can edit (Discord): m is a message handled before, with
// the text its author gave it since and Edited set. See Engine.HandleEdit.
type EditHandler interface {
	HandleEdit(ctx context.Context, m Message) (Decision, error)
}

// DeleteHandler is implemented by the Engine for channels that report
// messages deleted (Discord): platform and messageID name a message
// handled before, or not. See Engine.HandleDelete.
type DeleteHandler interface {
	HandleDelete(ctx context.Context, platform, messageID string) error
}

var (
	_ Historian     = (*Engine)(nil)
	_ Tracker       = (*Engine)(nil)
	_ EditHandler   = (*Engine)(nil)
	_ DeleteHandler = (*Engine)(nil)
)

// Optional channel capabilities, found by type assertion.

// MemberCounter reports how many people can see the bot's channels
// (followers, for reports).
type MemberCounter interface {
	MemberCount(ctx context.Context) (int, error)
}

// Retryable is implemented by errors from Send and Desk methods to say
// whether trying again later can succeed: true for rate limits and dropped
// connections, false for permanent refusals (unknown channel, missing
// permission). Errors that do not implement it are retried a bounded
// number of times.
type Retryable interface {
	Retryable() bool
}

// Waiter is implemented by errors from Send that say how long the platform
// asked to wait before trying again (a rate limit's retry_after). The
// engine retries no sooner, up to maxRetryWait, instead of spending its
// attempts on a back-off shorter than the platform's wait.
type Waiter interface {
	RetryWait() time.Duration
}
