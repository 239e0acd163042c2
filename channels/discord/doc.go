// Package discord connects Liaison to Discord through discordgo: citizens'
// questions in watched channels, threads and direct messages become
// bot.Messages, and the engine's replies go back as inline replies or in
// threads, with 👍/👎 reactions whose clicks become feedback. A citizen may
// hold both at once: the latest added counts, and taking one away leaves the
// other counted.
//
// Only this package imports discordgo; raw discordgo types never leave it.
// Every message the bot posts restricts allowed_mentions to the asker, so no
// text, whoever wrote it, can ping @everyone, @here, a role or anyone else.
// Sends carry the reply's key as a nonce that Discord enforces, have a
// deadline, and wait out only short rate limits: longer ones come back as
// retryable errors for the engine's outbox to retry later. Run reconnects and
// resumes the gateway session by itself and handles events in one queue per
// channel. When a new session begins (at start, or when Discord ended the
// last one), it catches up in the background on what was posted while it
// was away (see catchup.go), within Config.CatchUpHours, and on what was
// edited meanwhile of the messages it had recorded. An event in a thread needs Discord to say which channel the thread
// belongs to: the gateway says so as threads are created and when the bot
// connects; for a thread it did not name, the API is asked, and that lookup
// waits out rate limits and outages for Options.EventRetryFor. Past that the
// event is handed to the engine without it rather than lost, marked as in a
// channel unknown, which the engine records under the strictest phase
// (broadcast: nothing is posted).
// An edit of a message by its author (MESSAGE_UPDATE with edited_timestamp;
// not the previews Discord adds) goes to the engine's HandleEdit, which
// answers a message set aside as not for the bot once it mentions it, and
// files sent alone once their author writes the question in them.
// A message deleted (MESSAGE_DELETE, each id of MESSAGE_DELETE_BULK) goes to
// the engine's HandleDelete, which tells staff holding a question its
// author deleted.
// The api_url setting points the client at a Discord-compatible server
// (self-hosted, or the fake in package fakediscord that tests use).
package discord
