// Package slack is Liaison's staff desk on Slack. It is the only package
// that imports slack-go.
//
// The Desk posts one Block Kit message per escalation in the desk channel
// (the citizen's question escaped so it can never ping or inject links,
// its language, where it was asked, suggested entries, and a mention of the
// staff member it is routed to), keeps that post up to date as the
// escalation changes state, and posts the engine's notices in its thread.
// A post Slack refuses for what it holds (invalid_blocks, msg_too_long) is
// made in a short form that says so, which staff claim and answer as
// usual; the full post is tried again, with a back-off, as it changes.
//
// Run connects over Socket Mode, so no public inbound endpoint is needed.
// It hands thread replies from staff to the engine as answers (their text
// only: files shared in a reply are not relayed, and its author is told so
// in the thread; one who edits or deletes a reply after it is sent is told,
// privately, that citizens keep it as first written), turns button clicks into claims, suggestions, drafts and
// language-mismatch choices, and serves the slash command (phase,
// broadcast, status) for comms leads. Every envelope is recorded through
// the engine first, acknowledged next (Slack wants an ack within three
// seconds), and only then followed by slower work such as confirmations; a
// redelivered envelope is not handled twice. A staff reply still not
// recorded at Slack's last delivery (the store failing for minutes) is
// acknowledged, and its author told privately to send it again.
//
// Web API calls carry a deadline each, and so does the request that opens
// the Socket Mode connection, which is tried again, with back-off, when it
// fails or times out; a rate limit (429) is retried after Slack's
// Retry-After a few times and then returned as an error that implements
// bot.Retryable, so the engine tries again later. The desk's own follow-up
// to a click, the language-mismatch notice showing the choice made, is
// retried in the background instead, for a bounded time and until
// shutdown; its clicker is told privately that the choice is recorded. A
// notice still showing both choices is also refreshed by the next update
// of its escalation's post, which the engine makes after every choice and
// tries again until it succeeds, after a restart too; a failure to read
// its thread (a rate limit) holds up that post alone, not the engine's
// updates of the others.
package slack
