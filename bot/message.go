package bot

import (
	"strings"
	"time"
)

// Message is one public message as the engine sees it, whatever the
// platform. Adapters build it from their SDK's event; raw SDK types never
// leave the adapter.
type Message struct {
	Platform   string // adapter name: "discord", "web"
	ChannelID  string // platform channel id (a DM channel for DMs)
	ThreadID   string // thread the message was posted in, "" when none
	ID         string // platform message id; (Platform, ID) is unique
	AuthorID   string
	AuthorName string
	AuthorBot  bool // written by a bot, a webhook, or this bot itself: recorded, never answered
	Text       string
	Time       time.Time
	// Edited is when its author last changed the text, for a message
	// handed to HandleEdit; zero for a message as first posted.
	Edited time.Time
	// Files is how many files the message carries (pictures, documents,
	// voice messages), which the engine does not read: a message of files
	// alone, addressed to the bot, is asked to be written instead.
	Files int

	// Why the message is addressed to the bot. The engine also treats every
	// message in a channel configured as a help channel as addressed.
	Mentioned     bool // the bot was mentioned
	DM            bool // a direct message to the bot
	ReplyToBot    bool // a reply to one of the bot's own messages
	InHelpChannel bool // the adapter knows the channel is a help channel

	// ReplyTo is the platform id of the bot's message this one answers,
	// "" when none or unknown: the message it replies to on a platform
	// with replies (Discord); on the web chat, which has none, the bot's
	// last message to the author in the room when they said nothing there
	// since, lately (see channels/web). The engine uses it to take a reply
	// to a staff answer sent in the other official language as the
	// citizen's request for the answer in theirs (see Engine.HandleMessage).
	ReplyTo string

	// ChannelUnknown: the adapter could not tell which channel the message
	// belongs to (a thread whose parent Discord could not name during an
	// outage), so neither that channel's phase override nor whether it is
	// watched at all is known. The engine records the message under the
	// strictest phase, broadcast: nothing is said publicly or escalated,
	// and an addressed question is kept in shadow mode.
	ChannelUnknown bool
}

// Addressed reports whether the adapter saw the message as addressed to the
// bot. The engine adds its own help-channel configuration on top.
func (m Message) Addressed() bool {
	return m.Mentioned || m.DM || m.ReplyToBot || m.InHelpChannel
}

// Channel returns the key of the channel the message was posted in.
func (m Message) Channel() ChannelKey { return Key(m.Platform, m.ChannelID) }

// ChannelKey names one channel across platforms: "platform:id", such as
// "discord:1234" or "web:help". Phase overrides, broadcasts and channel
// settings use it.
type ChannelKey string

// Key builds a ChannelKey.
func Key(platform, channelID string) ChannelKey {
	return ChannelKey(platform + ":" + channelID)
}

// Platform returns the platform part of the key.
func (k ChannelKey) Platform() string {
	p, _, _ := strings.Cut(string(k), ":")
	return p
}

// ID returns the platform channel id part of the key.
func (k ChannelKey) ID() string {
	_, id, _ := strings.Cut(string(k), ":")
	return id
}

// Address says where a reply goes.
type Address struct {
	Platform  string `json:"platform"`
	ChannelID string `json:"channel_id"`
	ThreadID  string `json:"thread_id,omitempty"` // post inside this thread
	ReplyTo   string `json:"reply_to,omitempty"`  // platform message id the reply answers
	UserID    string `json:"user_id,omitempty"`   // the asker: the only user a reply may mention
	UserName  string `json:"user_name,omitempty"` // the asker's display name
	DM        bool   `json:"dm,omitempty"`        // ChannelID is a direct-message channel
}

// ReplyKind says what a reply is, so adapters can present it (reactions on
// answers, a distinct look for staff answers) and reports can count it.
type ReplyKind string

// Kinds of reply.
const (
	KindAnswer    ReplyKind = "answer"    // a knowledge-base answer; invites feedback
	KindAck       ReplyKind = "ack"       // acknowledgement of an escalated question
	KindRelay     ReplyKind = "relay"     // a staff answer relayed, signed; invites feedback
	KindNotice    ReplyKind = "notice"    // flood notice, policy notice, error
	KindBroadcast ReplyKind = "broadcast" // a bilingual announcement
	KindOutreach  ReplyKind = "outreach"  // proactive help (phase 3)
	KindDesk      ReplyKind = "desk"      // a notice to staff on the desk
)

// Reply is what the bot posts. Text is final: already localised, signed and
// with its link. Adapters must post it so that it pings nobody but To.UserID
// (no @everyone, @here, roles or other users), whatever the text contains.
type Reply struct {
	Kind    ReplyKind `json:"kind"`
	Lang    Lang      `json:"lang,omitempty"` // "" for bilingual text
	Text    string    `json:"text"`
	EntryID string    `json:"entry_id,omitempty"`
	Link    string    `json:"link,omitempty"`
	// Feedback asks the adapter to invite feedback (👍/👎 reactions, buttons).
	Feedback bool `json:"feedback,omitempty"`
	// Key is a stable idempotency key: the same Key is never shown twice to
	// citizens. Adapters pass it to the platform where it dedupes (Discord's
	// nonce) or dedupe themselves.
	Key string `json:"key,omitempty"`
	// Signature is the signer of a relayed staff answer ("Name, Title"),
	// already included in Text; adapters may style it.
	Signature string `json:"signature,omitempty"`
	// BodyLang is the language of the reply's body when it is not Lang: a
	// staff answer sent anyway in the other language, followed by a note,
	// the signature and the invitation in Lang. "" when all is in Lang.
	BodyLang Lang `json:"body_lang,omitempty"`
	// Parts is a bilingual Text (Lang "") as the engine wrote it, one part
	// per language, English first, for adapters that show each language
	// apart (tagged with its language); Text still holds all of it, for
	// adapters that post one message. Nil for text in one language, and in
	// records stored before parts were kept.
	Parts []Part `json:"parts,omitempty"`
}

// Part is one language's part of a bilingual text.
type Part struct {
	Lang Lang   `json:"lang"`
	Text string `json:"text"`
}

// MessageRef identifies a message the bot posted.
type MessageRef struct {
	Platform  string `json:"platform"`
	ChannelID string `json:"channel_id"`
	ID        string `json:"id"`
	// Earlier are the messages before ID, first to last, in the same
	// channel, when the reply was posted as several (a text too long for
	// one): a reply or a reaction to any of them is to the reply, as to
	// ID, which is the last. Nil when it was posted as one.
	Earlier []string `json:"earlier,omitempty"`
}

// Reaction is a citizen's reaction on one of the bot's messages, recorded as
// feedback on the answer it reacted to.
//
// A platform where a user can hold 👍 and 👎 at once (Discord) reports each
// emoji added (Value +1 or -1) and the removal of one of them with Removed
// and the Value of the emoji removed. Each emoji is kept apart, and the user's
// rating is the one that remains, or with both held the one added last: after
// 👍 then 👎, taking 👎 away leaves the 👍 counted, taking 👍 away the 👎.
// Value 0 (Removed false) withdraws both: a platform with one choice per user
// (the web chat) reports a withdrawal so, and a new choice there as an add,
// which is then the one added last.
type Reaction struct {
	Platform  string
	ChannelID string
	MessageID string // the bot's message
	UserID    string
	Value     int  // +1 helpful, -1 not helpful, 0 withdrawn
	Removed   bool // the reaction with Value (+1 or -1) was taken away
	Time      time.Time
}
