package bot

import (
	"context"
	"time"

	"github.com/liaison-gc/liaison/phases"
)

// Desk is where staff take escalations: Slack, or the local web desk.
type Desk interface {
	// Name is the desk's platform name ("slack", "web").
	Name() string
	// Run delivers staff actions to h until ctx ends; it reconnects by
	// itself and returns nil when ctx is done.
	Run(ctx context.Context, h DeskHandler) error
	// PostEscalation creates the desk post for e (mentioning the staff
	// member it is routed to) and returns its ref (a thread root).
	//
	// An error of PostEscalation or UpdateEscalation that concerns the
	// whole desk, not e (a rate limit or the desk unreachable: Retryable;
	// the desk channel gone or the app removed from it: wrapping
	// ErrDeskUnavailable), stops the engine's round of posts; any other is
	// e's own, and the engine goes on with the other escalations.
	PostEscalation(ctx context.Context, e Escalation) (ref string, err error)
	// UpdateEscalation refreshes the post ref to show e's current state.
	// When the post is gone from the desk (deleted) or may no longer be
	// edited, the error wraps ErrNotFound, and the engine posts e again.
	UpdateEscalation(ctx context.Context, ref string, e Escalation) error
	// Notify posts n, in the escalation's thread when n.DeskRef is set.
	// An error that concerns the whole desk, as for PostEscalation, holds
	// every notice and post for the engine's back-off without counting as
	// an attempt: notices wait out an outage, however long.
	Notify(ctx context.Context, n Notice) (ref string, err error)
}

// Actor is who asks for a privileged action.
type Actor struct {
	Via        string // "cli", "slack", "web"
	DeskUserID string // for desk actions: checked against the roster
	Name       string // for host operators (CLI): trusted, recorded as given
}

// DeskAnswer is a staff answer as it arrives from the desk.
type DeskAnswer struct {
	EscalationID int64  // or DeskRef
	DeskRef      string // the thread the answer was posted in
	DeskUserID   string
	EventID      string // the desk's event id, for idempotency
	Text         string
}

// AnswerResult says what became of a staff answer.
type AnswerResult struct {
	Answer     StaffAnswer
	Escalation Escalation
	Relays     int  // citizens the answer is queued to
	Mismatch   bool // held: its language differs from the askers'; staff choose send anyway or translate
	Duplicate  bool // the event was seen before; nothing new happened
}

// PhaseRequest asks to switch the phase globally (Channel "") or in one
// channel (Phase 0 removes the channel's override).
type PhaseRequest struct {
	Actor   Actor
	Phase   phases.Phase
	Channel ChannelKey
	Reason  string
}

// BroadcastRequest asks to send an announcement. Both languages are required.
type BroadcastRequest struct {
	Actor    Actor
	EN, FR   string
	At       time.Time // zero: now
	Channels []ChannelKey
}

// Status is the short picture the desk's status command shows.
type Status struct {
	Phase    phases.State
	Channels []ChannelKey // configured public channels
	Summary  Summary
	Oldest   *Escalation // oldest waiting escalation, nil when none
	// Followers counts the people who can see the bot, by platform, for
	// the platforms that can tell (MemberCounter).
	Followers map[string]int
}

// DeskHandler is what the desk may ask of the engine. The Engine implements
// it. Actions by desk users not on the roster return ErrForbidden; phase and
// broadcast actions by staff who are not comms leads too. Every action,
// allowed or refused, is audited.
type DeskHandler interface {
	Roster() Roster
	Escalation(ctx context.Context, id int64) (Escalation, error)
	EscalationByDeskRef(ctx context.Context, ref string) (Escalation, error)
	Escalations(ctx context.Context, f EscalationFilter) ([]Escalation, error)

	Claim(ctx context.Context, escalationID int64, deskUserID string) (Escalation, error)
	// Answer records a staff answer and queues its relay to every asker,
	// exactly once per EventID.
	Answer(ctx context.Context, a DeskAnswer) (AnswerResult, error)
	// ResolveMismatch settles a held answer: send it anyway, or drop it
	// because the staff member will write a translation.
	ResolveMismatch(ctx context.Context, answerID int64, deskUserID string, sendAnyway bool) (AnswerResult, error)
	// SendSuggestion answers with a suggested knowledge-base entry, in each
	// asker's language.
	SendSuggestion(ctx context.Context, escalationID int64, entryID, deskUserID, eventID string) (AnswerResult, error)
	Close(ctx context.Context, escalationID int64, deskUserID, reason string) (Escalation, error)
	// SaveDraft turns the escalation's question and latest staff answer into
	// a draft knowledge-base entry.
	SaveDraft(ctx context.Context, escalationID int64, deskUserID string) (Draft, error)

	SetPhase(ctx context.Context, r PhaseRequest) (phases.Change, error)
	Broadcast(ctx context.Context, r BroadcastRequest) (Broadcast, error)
	Status(ctx context.Context) (Status, error)
}

// Auditor is an optional capability of a DeskHandler (the Engine has it):
// desks record there the commands they answer themselves, so every command
// is audited, allowed or refused.
type Auditor interface {
	Audit(ctx context.Context, e AuditEntry) error
}

var _ Auditor = (*Engine)(nil)

// Messages renders the bot's own words in either language (package i18n).
type Messages interface {
	// Text renders message id in lang with data; it never fails (a missing
	// message renders its id, and tests forbid missing messages).
	Text(lang Lang, id string, data map[string]any) string
}
