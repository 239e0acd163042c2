package bot

import (
	"slices"
	"time"
)

// EscalationState is where an escalation stands. The normal path is
// open → claimed → answered → relayed; closed ends it without an answer.
// An answer that did not reach every asker (a relay failed for good) sends
// the escalation back to claimed, by the answer's author, once no relay of
// it is pending: staff answer again, which goes to the askers who did not
// get it (see Undelivered), or close it with a reason.
type EscalationState string

// Escalation states.
const (
	StateOpen     EscalationState = "open"
	StateClaimed  EscalationState = "claimed"
	StateAnswered EscalationState = "answered" // an answer is queued to every asker
	StateRelayed  EscalationState = "relayed"  // every asker has received it
	StateClosed   EscalationState = "closed"
)

// Waiting reports whether the escalation still waits for a staff answer
// (new askers may join it).
func (s EscalationState) Waiting() bool { return s == StateOpen || s == StateClaimed }

// Escalation is a question the bot could not answer, handed to staff. Several
// citizens asking the same thing share one escalation.
type Escalation struct {
	ID          int64
	State       EscalationState
	Lang        Lang
	Topic       string
	Question    string // the first asker's question, personal data masked
	Suggestions []Hit  // entries the search found below the threshold, best first (at most maxSuggestions)
	Channel     ChannelKey

	RoutedTo  string // Staff.ID of the person it is routed to
	RoutedAt  time.Time
	Reminders int // reminders sent since RoutedAt
	Reroutes  int
	// Nudges counts the reminders and re-routes for want of a claim, in
	// all; at Config.MaxReminders the whole desk is told instead, once
	// (Nudges then passes it), and the escalation is reminded no more.
	Nudges int

	ClaimedBy   string // Staff.ID
	ClaimedAt   time.Time
	AnsweredBy  string // Staff.ID
	AnsweredAt  time.Time
	ClosedBy    string
	CloseReason string
	ClosedAt    time.Time

	CreatedAt time.Time
	UpdatedAt time.Time

	// DeskRef is the desk post for this escalation (a Slack ts, a web desk
	// id); "" until posted. DeskVersion is the Version the post shows.
	DeskRef     string
	DeskVersion int
	// Version increases with every change; the store refuses an update whose
	// Version is not the stored one (ErrConflict).
	Version int

	Askers []Asker
}

// Asker is one citizen attached to an escalation.
type Asker struct {
	MessageID int64   // store id of the citizen's message
	Address   Address // where the answer goes: the thread they asked in
	Lang      Lang
	Question  string // masked
	AskedAt   time.Time
	RelayedAt time.Time // zero until the answer reached them
	// Redacted is set once the retention purge took the citizen's question
	// and identity (user id and name) from the asker: an answer can no
	// longer reach them by name, so none is owed to them (see Undelivered).
	Redacted bool
}

// holder is the staff member esc waits on: who claimed it, or else whom
// it is routed to ("" for nobody).
func (e Escalation) holder() string {
	if e.State == StateClaimed {
		return e.ClaimedBy
	}
	return e.RoutedTo
}

// quotes reports whether esc still waits for staff (open or claimed) with
// messageID (a store id) as its first question: the message its desk post
// quotes.
func (e Escalation) quotes(messageID int64) bool {
	return e.State.Waiting() && len(e.Askers) > 0 && e.Askers[0].MessageID == messageID
}

// citizenPlace is where a reply to an asker reaches: a known user in one
// channel and thread is one citizen there. A citizen who asked twice there
// gets one relay; asking elsewhere (another channel, a DM) they get one
// there too. The store records every asker a relay reaches by the same
// rule (MarkSent).
type citizenPlace struct{ platform, user, channel, thread string }

// Undelivered lists the askers still waiting for an answer that the
// escalation already has: those its relay failed to reach for good, and
// those who joined it since it was reopened for that reason. It is empty
// unless the escalation waits (StateOpen, StateClaimed) after an answer;
// desks show such an escalation as not delivered. An asker the retention
// purge took (Redacted) is not among them: nobody is left to reach.
func (e Escalation) Undelivered() []Asker {
	if !e.State.Waiting() || e.AnsweredAt.IsZero() {
		return nil
	}
	return owed(e.Askers)
}

// owed returns the askers the escalation's answer has not reached and can
// still reach: not relayed to, and not taken by the retention purge.
func owed(askers []Asker) []Asker {
	var out []Asker
	for _, k := range askers {
		if k.RelayedAt.IsZero() && !k.Redacted {
			out = append(out, k)
		}
	}
	return out
}

// reachable returns the askers the retention purge has not taken: only
// they can be sent an answer (see Asker.Redacted).
func reachable(askers []Asker) []Asker {
	return slices.DeleteFunc(slices.Clone(askers), func(k Asker) bool { return k.Redacted })
}

// recipients returns the askers of esc that each get a relay: the first
// question of each citizen in each place they asked (see citizenPlace); an
// asker the platform does not name gets one of their own.
func recipients(askers []Asker) []Asker {
	seen := make(map[citizenPlace]bool, len(askers))
	var out []Asker
	for _, k := range askers {
		if a := k.Address; a.UserID != "" {
			p := citizenPlace{a.Platform, a.UserID, a.ChannelID, a.ThreadID}
			if seen[p] {
				continue
			}
			seen[p] = true
		}
		out = append(out, k)
	}
	return out
}

// Citizens counts the citizens among askers as the engine relays an answer
// to them and its notices count them (see recipients): a known user once in
// each channel and thread they asked in, an asker the platform does not
// name alone. Desks use it to say how many citizens an answer did not
// reach (Undelivered) out of how many asked.
func Citizens(askers []Asker) int {
	return len(recipients(askers))
}

// AnswerStatus is what became of a staff answer.
type AnswerStatus string

// Staff answer statuses.
const (
	AnswerQueued   AnswerStatus = "queued"   // relays written to the outbox
	AnswerHeld     AnswerStatus = "held"     // language mismatch: waits for the staff member's choice
	AnswerDropped  AnswerStatus = "dropped"  // the staff member chose to translate instead
	AnswerRejected AnswerStatus = "rejected" // refused (its author is not on the roster, or the escalation is closed); kept for the record
)

// StaffAnswer is an answer written on the desk.
type StaffAnswer struct {
	ID           int64
	EscalationID int64
	StaffID      string // "" when the author is not on the roster
	DeskUserID   string
	EventID      string // the desk's event id: an answer event is applied once
	Text         string
	Lang         Lang // detected language of Text
	Status       AnswerStatus
	EntryID      string // set when staff sent a suggested entry instead of writing
	At           time.Time
}

// otherLang reports whether a is written in another language than l: an
// answer staff wrote, in a language detected, not l (a suggested entry is
// sent in each asker's language). Queued so, it was sent anyway, with the
// offer of an answer in l (see MsgRelayOtherLang).
func (a StaffAnswer) otherLang(l Lang) bool {
	return a.EntryID == "" && a.Lang.Valid() && a.Lang != l
}

// lastQueued returns the latest answer of list (oldest first) queued to
// the askers, the one they were last sent.
func lastQueued(list []StaffAnswer) (StaffAnswer, bool) {
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].Status == AnswerQueued {
			return list[i], true
		}
	}
	return StaffAnswer{}, false
}

// Draft is a proposed knowledge-base entry, usually from a staff answer. It is
// servable only when both languages are written and it is approved.
type Draft struct {
	ID           int64
	EscalationID int64
	EntryID      string // proposed id (lowercase letters, digits, dashes)
	Topic        string
	QuestionEN   string
	AnswerEN     string
	QuestionFR   string
	AnswerFR     string
	State        DraftState
	By           string // who saved it
	ApprovedBy   string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// DraftState is a draft's review state.
type DraftState string

// Draft states.
const (
	DraftOpen     DraftState = "draft"
	DraftApproved DraftState = "approved"
	DraftRejected DraftState = "rejected"
	// DraftInFiles is an approved draft whose entry the knowledge-base
	// files hold (exported into them): the files serve it from then on, so
	// that an edit or a deletion there changes or removes it.
	DraftInFiles DraftState = "in-files"
)

// Complete reports whether both languages have a question and an answer.
func (d Draft) Complete() bool {
	return d.QuestionEN != "" && d.AnswerEN != "" && d.QuestionFR != "" && d.AnswerFR != ""
}
