package bot

import "time"

// OutState is where an outgoing reply stands.
type OutState string

// Outbox states.
const (
	OutPending OutState = "pending"
	OutSent    OutState = "sent"
	OutFailed  OutState = "failed" // permanently: the platform refused it
	// OutWithheld: never sent, and never will be, because the channel's
	// phase no longer let the bot say it when it was due (see withholds);
	// kept, with its text, as a record of what would have been said.
	OutWithheld OutState = "withheld"
)

// DeskPlatform is the Address.Platform of outgoing items meant for the staff
// desk (whichever desk runs: Slack or the local web desk).
const DeskPlatform = "desk"

// Outgoing is one reply waiting in the outbox, written in the same
// transaction as the decision that produced it and delivered afterwards, so a
// crash loses no reply and a restart resumes where it stopped.
type Outgoing struct {
	ID    int64
	To    Address
	Reply Reply // Reply.Key is unique across the outbox: a second item with a seen Key is skipped
	// Notice is set for desk items (To.Platform == DeskPlatform).
	Notice *Notice

	MessageID      int64 // store id of the citizen message this answers, 0 if none
	EscalationID   int64
	AskerMessageID int64 // for relays: the asker this delivers to
	BroadcastID    int64

	State     OutState
	Attempts  int
	NotBefore time.Time // do not try before (retry back-off, scheduled sends)
	Ref       MessageRef
	Err       string
	CreatedAt time.Time
	SentAt    time.Time
}

// NoticeKind says what a desk notice is about, so the desk can add buttons.
type NoticeKind string

// Desk notice kinds.
const (
	NoticeReminder    NoticeKind = "reminder"     // nobody claimed it in time
	NoticeReroute     NoticeKind = "reroute"      // routed to someone else
	NoticeUnclaimed   NoticeKind = "unclaimed"    // to the whole desk: still unclaimed after its reminders, not reminded again; in its thread, shown in the desk channel too
	NoticeMismatch    NoticeKind = "mismatch"     // answer language differs from the askers': send anyway / translate
	NoticeRelayed     NoticeKind = "relayed"      // confirmation: the answer reached every asker (N citizens)
	NoticeUndelivered NoticeKind = "undelivered"  // a relay failed for good: the citizen named did not get the answer
	NoticeReopened    NoticeKind = "reopened"     // the answer did not reach every asker: back with its author, to answer again or close
	NoticeRefused     NoticeKind = "refused"      // the author is not on the roster, or not allowed
	NoticePhase       NoticeKind = "phase"        // a phase change announcement
	NoticeLangRequest NoticeKind = "lang_request" // a citizen asked for the answer in their language, after one sent anyway in the other: the question waits again
	NoticeEdited      NoticeKind = "edited"       // the citizen edited the question while it waits: the post shows the edit
	NoticeDeleted     NoticeKind = "deleted"      // the citizen deleted the message of the question while it waits: it stays on record
	NoticeInfo        NoticeKind = "info"
)

// Notice is a message to staff on the desk. Text is already written in the
// language of the person it is for, or in both (Lang ""), each then in
// Parts as for Reply.
type Notice struct {
	Kind         NoticeKind `json:"kind"`
	EscalationID int64      `json:"escalation_id,omitempty"` // post in this escalation's thread; 0 for the desk channel
	StaffID      string     `json:"staff_id,omitempty"`      // who it is for (mentioned), "" for everyone
	DeskUserID   string     `json:"desk_user_id,omitempty"`
	AnswerID     int64      `json:"answer_id,omitempty"` // for NoticeMismatch: the held answer
	Lang         Lang       `json:"lang,omitempty"`
	Text         string     `json:"text"`
	DeskRef      string     `json:"desk_ref,omitempty"` // filled at delivery from the escalation
	Parts        []Part     `json:"parts,omitempty"`    // Text in both languages, one part each (see Reply.Parts)
	// Redacted is, for a notice that names a citizen (NoticeUndelivered),
	// the same notice calling them "the citizen" (MsgDeskCitizen): once
	// the retention period is over, the purge puts its Text and Parts in
	// place of the notice's and removes it. Nil for other notices.
	Redacted *NoticeText `json:"redacted,omitempty"`
}

// NoticeText is the text of a notice, as Notice.Text and Notice.Parts.
type NoticeText struct {
	Text  string `json:"text"`
	Parts []Part `json:"parts,omitempty"`
}

// AuditEntry records one privileged or staff action, allowed or refused.
type AuditEntry struct {
	ID      int64
	At      time.Time
	Actor   string // operator name, staff roster id, or desk user id when not on the roster
	Via     string // "cli", "slack", "web", "engine"
	Action  string // "phase.set", "broadcast.create", "escalation.claim", "escalation.answer", ...
	Target  string // what it acted on: a channel key, "escalation:12", "broadcast:3"
	Detail  string
	Allowed bool
}

// BroadcastState is where a broadcast stands.
type BroadcastState string

// Broadcast states.
const (
	BroadcastScheduled BroadcastState = "scheduled"
	BroadcastQueued    BroadcastState = "queued" // written to the outbox, one item per channel
	BroadcastCancelled BroadcastState = "cancelled"
)

// Broadcast is an announcement, always in both languages.
type Broadcast struct {
	ID        int64
	EN        string
	FR        string
	At        time.Time    // when to send; the creation time for "now"
	Channels  []ChannelKey // empty: every channel configured for broadcasts
	By        string
	Via       string
	State     BroadcastState
	CreatedAt time.Time
}

// Summary is the live picture for comms leads and reports.
type Summary struct {
	Since               time.Time
	Until               time.Time    // end of the period, excluded; zero: up to now
	Questions           map[Lang]int // addressed questions by language
	Answered            int          // answers sent or on their way: see Withheld and Undelivered
	Withheld            int          // answers never posted: due after their channel was switched to phase 1
	Undelivered         int          // answers the platform refused for good
	Escalated           int
	Shadow              int // phase 1: recorded, not answered
	ShadowWouldAnswer   int
	Ignored             int
	LanguageRequests    int // replies asking for a staff answer in the citizen's language (ReasonLanguageRequest): not new questions, so in neither Questions nor Escalated
	Left                int // thank-yous and messages of emoji or punctuation alone (ReasonCourtesy, ReasonNoWords), recorded and left: not questions, so in neither Questions nor Ignored
	OpenEscalations     int
	OldestOpen          time.Time     // zero when none
	MedianFirstResponse time.Duration // question to first reply (answer or ack or relay), 0 when none
	FirstResponses      int           // questions MedianFirstResponse is taken over: 0, it means nothing
	MedianStaffAnswer   time.Duration // escalation to relay, 0 when none
	StaffAnswers        int           // escalations MedianStaffAnswer is taken over: 0, it means nothing
	Helpful             int
	NotHelpful          int
	TopGaps             []Gap // topics most escalated: what the bot could not answer
}

// Gap is a topic the bot escalated, with how often.
type Gap struct {
	Topic string
	Count int
}

// EscalationFilter selects escalations. Zero fields select all.
type EscalationFilter struct {
	States []EscalationState
	Lang   Lang
	Limit  int // 0: no limit
	// Newest keeps the Limit most recent escalations rather than the
	// oldest; they are listed oldest first all the same.
	Newest bool
}

// Outcome is everything the engine writes for one public message, in one
// transaction.
type Outcome struct {
	Message  Message
	Decision Decision
	// NewEscalation, when set, is created with this message as its first
	// asker (the store fills ID and the asker's MessageID).
	NewEscalation *Escalation
	// JoinEscalation, when non-zero, attaches this message as an asker of
	// that escalation; Asker describes it.
	JoinEscalation int64
	Asker          *Asker
	Outbox         []Outgoing

	// counted is the message's count against the flood limit, made as it
	// was decided: the engine takes it back when the outcome is not
	// recorded (see floodLimiter.undo).
	counted floodHit
}

// EscalationChange is one change to an escalation, in one transaction: its
// new fields, and what comes with the change.
type EscalationChange struct {
	// Escalation carries the new field values; its Version must be the
	// stored version (else ErrConflict) and is incremented on success.
	// Askers are not written here, except that each pending relay in
	// Outbox marks the askers it will reach as not yet relayed (RelayedAt
	// zero): a follow-up answer is relayed once every asker has it.
	Escalation *Escalation
	// Answer, when set, is inserted (ID 0; ErrDuplicate when its EventID was
	// seen before, and then nothing is written) or has its Status updated.
	Answer *StaffAnswer
	Audit  []AuditEntry
	Outbox []Outgoing
	// Edit, when set, is the new text of an asker's message, edited by
	// its author while the question waits (see Engine.HandleEdit).
	Edit *QuestionEdit
	// Once, when set, writes the change only the first time: when the
	// first Outbox item's Reply.Key was seen before, nothing is written
	// and ApplyEscalation returns ErrDuplicate (a redelivered event).
	Once bool
}

// QuestionEdit is the text an asker gave their message after asking: their
// message takes Text, and their asker record Question. The escalation's
// own Question, when it is theirs, is written with the escalation.
type QuestionEdit struct {
	MessageID int64  // the asker's
	Text      string // as they wrote it
	Question  string // masked (Redact)
	Lang      Lang   // the asker's language, when the edit changed it; "" keeps it
}
