package bot

import (
	"time"

	"github.com/liaison-gc/liaison/phases"
)

// Action is what the engine decided to do with a public message.
type Action string

// Actions.
const (
	ActIgnore   Action = "ignore"    // not for the bot (not addressed, a bot, abuse, ...)
	ActShadow   Action = "shadow"    // phase 1: recorded what it would have done, said nothing
	ActAnswer   Action = "answer"    // answered from the knowledge base
	ActEscalate Action = "escalate"  // acknowledged and handed to staff
	ActReachOut Action = "reach_out" // proactive help (phase 3)
	ActNotice   Action = "notice"    // a fixed notice (flood, partisan question)
)

// Reason explains a decision in a stable, machine-readable word that
// reports group by.
type Reason string

// Reasons.
const (
	ReasonBotAuthor       Reason = "bot_author"
	ReasonNotAddressed    Reason = "not_addressed"
	ReasonEmpty           Reason = "empty"
	ReasonFlood           Reason = "flood"            // the user exceeded the flood limit; one notice sent
	ReasonFloodSilent     Reason = "flood_silent"     // over the limit, notice already sent
	ReasonAbuse           Reason = "abuse"            // comment policy: abusive text is not answered
	ReasonPartisan        Reason = "partisan"         // comment policy: no partisan statements
	ReasonCourtesy        Reason = "courtesy"         // only a thank-you: nothing to answer or pass to staff
	ReasonNoWords         Reason = "no_words"         // only emoji or punctuation, no letter or digit: nothing to answer or pass to staff
	ReasonFilesOnly       Reason = "files_only"       // files (pictures, voice messages) and no text: the citizen is asked to write the question
	ReasonConfident       Reason = "confident"        // top hit reached the threshold
	ReasonLowConfidence   Reason = "low_confidence"   // below the threshold: escalated
	ReasonJoined          Reason = "joined"           // escalated by joining an open escalation
	ReasonAlreadyAnswered Reason = "already_answered" // joined an escalation already answered: relayed at once
	ReasonPhase           Reason = "phase"            // the phase forbids a public reply
	// ReasonLanguageRequest: a reply to a staff answer sent in the other
	// official language, which offered it in the citizen's: the
	// escalation goes back to staff for the answer in their language.
	ReasonLanguageRequest Reason = "language_request"
)

// Decision is what the engine did with one message, stored with its reason
// so that reports and audits can explain it.
type Decision struct {
	MessageID int64 // store id of the message, filled in by the store
	Action    Action
	Reason    Reason
	Phase     phases.Phase
	Lang      Lang
	// LangSource says where Lang comes from: "detected" from the text;
	// for text that shows no language, "channel" (the channel's own),
	// "knowledge" (the entry that matched, in a bilingual channel, which is
	// answered in both languages) or "default" (the configured default, in
	// a bilingual channel, whose acknowledgement or notice goes out in both
	// languages).
	LangSource string
	LangConf   float64 // detector confidence
	EntryID    string  // top knowledge-base entry, "" when none
	Confidence float64 // its calibrated confidence
	// Would is, in shadow mode, what phase 2 would have done (answer or
	// escalate) — the business case for switching.
	Would        Action
	EscalationID int64
	At           time.Time
}
