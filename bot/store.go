package bot

import (
	"context"
	"time"

	"github.com/liaison-gc/liaison/phases"
)

// Store is everything Liaison keeps. The store package implements it on
// SQLite. Every method is safe for concurrent use. Methods return errors
// wrapping ErrNotFound, ErrDuplicate or ErrConflict where the doc says so,
// and never (zero, nil) for a missing record.
type Store interface {
	MessageStore
	EscalationStore
	OutboxStore
	PhaseStore
	BroadcastStore
	DraftStore
	AuditStore
	FeedbackStore
	// Summary computes the comms-lead picture for activity in [since,
	// until); a zero until runs up to now.
	Summary(ctx context.Context, since, until time.Time) (Summary, error)
	Close() error
}

// MessageStore records public messages and decisions.
type MessageStore interface {
	// SaveOutcome records o atomically: the message, its decision, the
	// escalation it creates or joins, and the outbox items. It returns
	// ErrDuplicate, writing nothing, when (Platform, ID) was recorded
	// before. It fills o.Decision.MessageID, o.NewEscalation.ID (and its
	// Version, Askers[0].MessageID) and the Outbox items' IDs. Joining an
	// escalation that is no longer waiting returns ErrConflict.
	SaveOutcome(ctx context.Context, o *Outcome) error
	// SaveEdit records o, the decision on the edited text of a message
	// recorded before, in place of the one recorded for it, which must
	// still have was's Action and Reason (else ErrDuplicate, writing
	// nothing: another edit was decided meanwhile), with audit, atomically,
	// as SaveOutcome writes an outcome (ErrConflict joining an escalation
	// no longer waiting). ErrNotFound when the message was never recorded,
	// ErrInvalid when it was by another author.
	SaveEdit(ctx context.Context, o *Outcome, was Decision, audit AuditEntry) error
	// DecisionFor returns the decision recorded for a platform message.
	DecisionFor(ctx context.Context, platform, messageID string) (Decision, error)
	// Conversation lists the last limit things said in a channel, oldest
	// first: the messages posted there (purged ones left out) and the
	// replies delivered there.
	Conversation(ctx context.Context, platform, channelID string, limit int) ([]Said, error)
	// LastSeen returns, for each channel of platform where a message was
	// recorded, the id of the newest one (decimal ids compare as numbers),
	// keyed by the platform's id of the channel it was posted in: the
	// thread's for a message in a thread.
	LastSeen(ctx context.Context, platform string) (map[string]string, error)
	// CatchUpFrom returns, for each channel of platform whose catch-up was
	// begun and not finished, the id it was to be read after.
	CatchUpFrom(ctx context.Context, platform string) (map[string]string, error)
	// SetCatchUpFrom records in one write the id each channel in from is
	// to be read after, replacing what was recorded for it.
	SetCatchUpFrom(ctx context.Context, platform string, from map[string]string) error
	// ClearCatchUpFrom forgets where a channel was to be read from.
	ClearCatchUpFrom(ctx context.Context, platform, channelID string) error
}

// Said is one thing said in a channel: a message someone posted, or a
// reply the bot delivered there.
type Said struct {
	Message *Message  // posted by someone
	Sent    *Outgoing // delivered by the bot: To, Reply, Ref and SentAt
	At      time.Time
	// Lang is the language the engine told from the message's text
	// (Decision.LangSource "detected"); "" when it could not tell, and
	// for a reply.
	Lang Lang
}

// EscalationStore keeps escalations, their askers and staff answers.
type EscalationStore interface {
	// Escalation returns one escalation with its askers.
	Escalation(ctx context.Context, id int64) (Escalation, error)
	// EscalationByDeskRef finds the escalation whose desk post is ref.
	EscalationByDeskRef(ctx context.Context, ref string) (Escalation, error)
	// Escalations lists escalations matching f, oldest first, with askers.
	Escalations(ctx context.Context, f EscalationFilter) ([]Escalation, error)
	// ApplyEscalation writes c atomically (see EscalationChange).
	ApplyEscalation(ctx context.Context, c *EscalationChange) error
	// StaffAnswer returns one staff answer.
	StaffAnswer(ctx context.Context, id int64) (StaffAnswer, error)
	// Answers lists the staff answers of an escalation, oldest first.
	Answers(ctx context.Context, escalationID int64) ([]StaffAnswer, error)
	// DeskBacklogAfter lists escalations whose desk post is missing
	// (DeskRef "") or out of date (DeskVersion < Version) and whose id is
	// above after, by id, at most limit (0: all).
	DeskBacklogAfter(ctx context.Context, after int64, limit int) ([]Escalation, error)
	// MarkDeskSynced records that the desk post ref shows version.
	MarkDeskSynced(ctx context.Context, id int64, ref string, version int) error
	// Undelivered lists the answered escalations with no relay pending
	// whose askers have not all been relayed to (a relay failed for good),
	// oldest first, leaving out those whose question was purged, those
	// whose askers not relayed to were all purged (Asker.Redacted), and
	// those with no relay failed at or after since (zero: no bound).
	Undelivered(ctx context.Context, since time.Time) ([]Escalation, error)
	// DueForReminder lists escalations whose RoutedAt is before the given
	// time and that wait for someone to claim them, oldest first: the open
	// ones, and the claimed ones whose claimer is not among staff (roster
	// ids).
	DueForReminder(ctx context.Context, before time.Time, staff []string) ([]Escalation, error)
}

// OutboxStore delivers replies at least once, in order per platform.
type OutboxStore interface {
	// Enqueue adds items outside any other change (an item whose
	// Reply.Key exists is skipped). IDs are filled in.
	Enqueue(ctx context.Context, items []Outgoing) error
	// Pending lists pending items for platform whose NotBefore has passed,
	// in id order, leaving out those queued for a channel after an item
	// that waits to retry (per-channel order).
	Pending(ctx context.Context, platform string, now time.Time, limit int) ([]Outgoing, error)
	// MarkSent records delivery. For a relay it also marks as relayed the
	// asker and the other askers it reached (the same user in the same
	// channel and thread, see citizenPlace), unless a later relay of the
	// escalation to them is still pending (a follow-up answer they have
	// not got yet), and, once every asker of the escalation has been
	// relayed, moves the escalation to StateRelayed.
	MarkSent(ctx context.Context, id int64, ref MessageRef, at time.Time) error
	// MarkRetry records a failed attempt to try again at next.
	MarkRetry(ctx context.Context, id int64, err string, next time.Time) error
	// MarkFailed gives up on an item.
	MarkFailed(ctx context.Context, id int64, err string) error
	// MarkWithheld records that a pending item will not be sent, with
	// audit (its Detail is kept as the item's Err), atomically.
	// ErrConflict when the item is no longer pending.
	MarkWithheld(ctx context.Context, id int64, audit AuditEntry) error
	// Outgoing returns one item.
	Outgoing(ctx context.Context, id int64) (Outgoing, error)
	// SentByRef finds the item delivered as ref (for feedback on a reply,
	// or a reply to it): ref.ID may be any of the messages it was posted
	// as (MessageRef.Earlier), as MarkSent recorded them.
	SentByRef(ctx context.Context, ref MessageRef) (Outgoing, error)
}

// PhaseStore keeps phase changes; the state in force is their replay.
type PhaseStore interface {
	// PhaseState returns the state in force: initial replayed with every
	// stored change.
	PhaseState(ctx context.Context, initial phases.Phase) (phases.State, error)
	// SavePhaseChange stores c with its audit entry and announcements.
	SavePhaseChange(ctx context.Context, c phases.Change, audit AuditEntry, out []Outgoing) error
	// PhaseChanges lists changes, newest first (limit 0: all).
	PhaseChanges(ctx context.Context, limit int) ([]phases.Change, error)
}

// BroadcastStore keeps scheduled broadcasts.
type BroadcastStore interface {
	// SaveBroadcast stores a new broadcast with its audit entry; ID is filled.
	SaveBroadcast(ctx context.Context, b *Broadcast, audit AuditEntry) error
	// DueBroadcasts lists scheduled broadcasts with At not after now.
	DueBroadcasts(ctx context.Context, now time.Time) ([]Broadcast, error)
	// QueueBroadcast moves a scheduled broadcast to queued and writes its
	// outbox items, atomically; ErrConflict when it is not scheduled.
	QueueBroadcast(ctx context.Context, id int64, out []Outgoing) error
	// Broadcasts lists broadcasts, newest first.
	Broadcasts(ctx context.Context, limit int) ([]Broadcast, error)
}

// DraftStore keeps draft knowledge-base entries.
type DraftStore interface {
	// SaveDraft inserts (ID 0) or updates a draft.
	SaveDraft(ctx context.Context, d *Draft) error
	Draft(ctx context.Context, id int64) (Draft, error)
	// Drafts lists drafts in state (all when ""), oldest first.
	Drafts(ctx context.Context, state DraftState) ([]Draft, error)
}

// AuditStore keeps the audit log.
type AuditStore interface {
	Audit(ctx context.Context, e AuditEntry) error
	// AuditLog lists entries newest first (limit 0: all).
	AuditLog(ctx context.Context, limit int) ([]AuditEntry, error)
}

// FeedbackStore keeps citizens' reactions to answers.
type FeedbackStore interface {
	// SaveFeedback records r against the outbox item delivered as its
	// message (ErrNotFound when the bot did not send that message). It
	// keeps which emoji each user holds there, and counts one rating per
	// user: the emoji that remains, or with 👍 and 👎 both held the one
	// added last (see Reaction). Once a purge has taken the users of a
	// message's reactions, a reaction from a user not recorded there is
	// ignored: it could not be told from a change of one already counted.
	SaveFeedback(ctx context.Context, r Reaction) error
}
