package bot

// Ids of the bot's own words, rendered by Messages in either language. The
// i18n package's tests fail when any of them lacks English or French.
const (
	MsgAnswerMore       = "answer.more"        // {{.Link}}
	MsgFeedbackPrompt   = "feedback.prompt"    // invitation to react 👍/👎
	MsgAck              = "ack"                // escalated: a person will answer here
	MsgSignature        = "relay.signature"    // {{.Name}}, {{.Title}}
	MsgRelayOtherLang   = "relay.other_lang"   // the answer is in {{.AnswerLang}}; ask for {{.AskerLang}}
	MsgLanguageAsked    = "relay.lang_asked"   // to the citizen who took that offer: the answer in {{.AskerLang}} is asked for
	MsgFlood            = "flood"              // too many messages
	MsgPartisan         = "policy.partisan"    // no partisan statements
	MsgFilesOnly        = "files_only"         // files alone: please write the question
	MsgBroadcastDivider = "broadcast.divider"  // between the English and French halves
	MsgLangEN           = "lang.en"            // the name of English
	MsgLangFR           = "lang.fr"            // the name of French
	MsgPhaseBroadcast   = "phase.broadcast"    // the name of phase 1
	MsgPhaseReplies     = "phase.replies"      // the name of phase 2
	MsgPhaseOutreach    = "phase.outreach"     // the name of phase 3
	MsgPhaseInherit     = "phase.inherit"      // a channel following the global phase
	MsgDeskReminder     = "desk.reminder"      // {{.Minutes}} (plural, as Count); the desk adds the mention
	MsgDeskReroute      = "desk.reroute"       // {{.From}}
	MsgDeskRerouteGone  = "desk.reroute.gone"  // {{.From}}, who held it, left the roster
	MsgDeskMismatch     = "desk.mismatch"      // {{.AnswerLang}} {{.AskerLang}}
	MsgDeskRelayed      = "desk.relayed"       // {{.Count}} (plural)
	MsgDeskUndelivered  = "desk.undelivered"   // {{.ID}} {{.Name}} {{.Reason}}
	MsgDeskCitizen      = "desk.citizen"       // a citizen not named: {{.Name}} of MsgDeskUndelivered once purged
	MsgDeskReopened     = "desk.reopened"      // {{.ID}}, {{.Count}} (plural) askers without the answer
	MsgDeskUnclaimed    = "desk.unclaimed"     // {{.ID}}, {{.Minutes}} (plural, as Count): to the whole desk, last of the reminders
	MsgDeskNotRoster    = "desk.not_roster"    // the author is not on the roster
	MsgDeskNotLead      = "desk.not_lead"      // only comms leads may do this
	MsgDeskPhaseGlobal  = "desk.phase.global"  // {{.Phase}} {{.From}} {{.By}} {{.Reason}} {{.Note}}, as every phase announcement: MsgPhaseOutreachNote or empty
	MsgDeskPhaseChannel = "desk.phase.channel" // {{.Channel}} {{.Phase}} {{.From}} {{.By}} {{.Reason}}
	MsgDeskPhaseInherit = "desk.phase.inherit" // {{.Channel}} {{.Phase}} (the global one) {{.From}} {{.By}} {{.Reason}}
	// MsgDeskPhaseGlobalKept announces a global change while channels keep
	// their own phase: {{.Phase}} {{.From}} {{.By}} {{.Reason}} {{.Kept}}, a
	// list of MsgPhaseKeptItem.
	MsgDeskPhaseGlobalKept = "desk.phase.global.kept"
	MsgPhaseKeptItem       = "desk.phase.kept_item" // {{.Channel}} {{.Phase}}
	MsgPhaseOutreachNote   = "desk.phase.outreach"  // phase 3 is not built yet: the bot behaves as in phase 2
	MsgDeskDropped         = "desk.dropped"         // {{.AskerLang}}: held answer dropped, waiting for the translation
	MsgDeskClosed          = "desk.closed"          // {{.By}} {{.Reason}}
	MsgDeskClaimed         = "desk.claimed"         // {{.Name}}
	MsgDeskLangAsked       = "desk.lang_asked"      // {{.ID}} {{.AskerLang}} {{.Text}}: a citizen asked for the answer in their language
	MsgDeskEdited          = "desk.edited"          // {{.ID}}: the citizen edited the question after asking it
	MsgDeskDeleted         = "desk.deleted"         // {{.ID}}: the citizen deleted the message of the question while it waits
)

// MessageIDs lists every id above, for the catalogue's completeness test.
func MessageIDs() []string {
	return []string{
		MsgAnswerMore, MsgFeedbackPrompt, MsgAck, MsgSignature, MsgRelayOtherLang,
		MsgFlood, MsgPartisan, MsgFilesOnly, MsgBroadcastDivider, MsgLangEN, MsgLangFR,
		MsgPhaseBroadcast, MsgPhaseReplies, MsgPhaseOutreach, MsgPhaseInherit,
		MsgDeskReminder, MsgDeskReroute, MsgDeskMismatch, MsgDeskRelayed,
		MsgDeskNotRoster, MsgDeskNotLead, MsgDeskPhaseGlobal, MsgDeskPhaseChannel,
		MsgDeskPhaseGlobalKept, MsgPhaseKeptItem, MsgDeskPhaseInherit, MsgPhaseOutreachNote,
		MsgDeskDropped, MsgDeskClosed, MsgDeskClaimed, MsgDeskUndelivered, MsgDeskCitizen,
		MsgDeskRerouteGone, MsgDeskReopened, MsgDeskUnclaimed, MsgLanguageAsked, MsgDeskLangAsked,
		MsgDeskEdited, MsgDeskDeleted,
	}
}
