package discord

import (
	"cmp"
	"regexp"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/liaison-gc/liaison/bot"
)

// place is what the adapter knows of the channel an event happened in,
// beyond the event itself: for a thread, its parent channel and its owner.
type place struct {
	parent string // the thread's parent channel id; "" when not a thread
	owner  string // the thread's creator
	// title is the thread's name: of a forum post, the title its author
	// gave it, often the question itself (see toMessage).
	title string
	// unknown: Discord could not be asked (a long outage or rate limit), so
	// the channel may be a thread of a watched channel, or not.
	unknown bool
}

// toMessage maps a Discord message to the engine's Message. ok is false when
// the message is not for Liaison at all: a server or channel that is not
// watched, a DM while DMs are off, a system message (join, pin, thread
// created). botID is the bot's own user id; p says whether the message's
// channel is a thread and of what. A forward's text is that of the message
// forwarded (see said).
//
// It is pure: the same input always gives the same output.
func toMessage(m *discordgo.Message, botID string, cfg Config, p place) (msg bot.Message, ok bool) {
	if m == nil || m.Author == nil || m.ID == "" {
		return bot.Message{}, false
	}
	if m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply {
		return bot.Message{}, false
	}
	src := said(m)
	msg = bot.Message{
		Platform:   Platform,
		ChannelID:  m.ChannelID,
		ID:         m.ID,
		AuthorID:   m.Author.ID,
		AuthorName: displayName(m),
		AuthorBot:  m.Author.Bot || m.WebhookID != "" || (botID != "" && m.Author.ID == botID),
		Text:       plainMentions(stripSelfMention(plainEmoji(src.Content), botID), src.Mentions),
		Time:       m.Timestamp.UTC(),
		Files:      len(src.Attachments),
	}
	if p.parent != "" && m.ID == m.ChannelID && p.title != "" &&
		!strings.HasPrefix(strings.ToLower(msg.Text), strings.ToLower(p.title)) {
		// The first message of a forum post (the only message whose id
		// is its channel's): its title, which Discord asks for first and
		// holds apart, is where the question usually is ("Renewing a
		// passport from abroad?"), the message saying more, or only
		// "see title". Both are the question.
		msg.Text = strings.TrimSpace(p.title + "\n" + msg.Text)
	}
	if m.GuildID == "" {
		if !cfg.DMs {
			return bot.Message{}, false
		}
		msg.DM = true
	} else {
		if !cfg.guild(m.GuildID) {
			return bot.Message{}, false
		}
		ch, watched := cfg.channel(m.ChannelID)
		if !watched && p.parent != "" {
			if ch, watched = cfg.channel(p.parent); watched {
				msg.ChannelID, msg.ThreadID = p.parent, m.ChannelID
			}
		}
		if !watched && p.unknown {
			// Which watched channel this thread belongs to, if any, could
			// not be learnt. Rather than lose a question that may be in
			// one, the engine gets the message under its own channel id,
			// which no configuration names (not a help channel, both
			// languages), marked ChannelUnknown. The strictest rule that
			// could apply must win, and the strictest is that of an
			// unwatched channel, where the bot says nothing: so the engine
			// records it under phase 1, broadcast, whatever the global
			// phase. A comms lead who held a channel in phase 1, or never
			// watched it, does not see the bot answer there because
			// Discord had an outage; an addressed question is still kept,
			// in shadow mode, with what the bot would have said.
			watched, msg.ThreadID, msg.ChannelUnknown = true, "", true
		}
		if !watched {
			return bot.Message{}, false
		}
		msg.InHelpChannel = ch.Help
	}
	if botID != "" {
		for _, u := range m.Mentions {
			if u != nil && u.ID == botID {
				msg.Mentioned = true
			}
		}
		if r := m.ReferencedMessage; r != nil && r.Author != nil && r.Author.ID == botID {
			// Which of its messages: a reply to a staff answer sent in
			// the other language takes its offer of the citizen's.
			msg.ReplyToBot, msg.ReplyTo = true, r.ID
		}
		// A thread the bot started for an answer is a conversation with
		// it: follow-up questions there need no mention.
		if msg.ThreadID != "" && p.owner == botID {
			msg.ReplyToBot = true
		}
	}
	return msg, true
}

// said returns the message whose text and files are what m says: m
// itself, or the message it forwards. A forward (Discord's "Forward") has
// no text of its own, a comment going in a message of its own: it says
// what the message forwarded says, which Discord copies into it. Put
// before the bot (in a DM, a help channel, the bot's thread),
// it is the citizen's question as much as if they had pasted it: they want
// to know about what they forward ("is this true?", a friend's question),
// and taking it for an empty message would leave them without a word, and
// their comment, if any, without its subject. Whether it is addressed to
// the bot is the forward's own: a mention of the bot in the message
// forwarded was made to someone else, elsewhere (Mentioned is left false).
func said(m *discordgo.Message) *discordgo.Message {
	if f := forwarded(m); f != nil && strings.TrimSpace(m.Content) == "" && len(m.Attachments) == 0 {
		return f
	}
	return m
}

// forwarded returns the message m forwards, nil when m is no forward.
func forwarded(m *discordgo.Message) *discordgo.Message {
	if m.MessageReference == nil || m.MessageReference.Type != discordgo.MessageReferenceTypeForward {
		return nil
	}
	for _, s := range m.MessageSnapshots {
		if s.Message != nil {
			return s.Message
		}
	}
	return nil
}

// blank reports whether m carries nothing at all: no text, file, embed,
// sticker, poll, nor, for a forward, anything in the message forwarded.
// From a person, that is the sign of a missing message-content intent
// (Discord then blanks all of them).
func blank(m *discordgo.Message) bool {
	if strings.TrimSpace(m.Content) != "" || len(m.Attachments) > 0 || len(m.Embeds) > 0 || len(m.StickerItems) > 0 || m.Poll != nil {
		return false
	}
	if f := forwarded(m); f != nil {
		return blank(f)
	}
	return true
}

// displayName is the name people see: the server nickname, else the global
// display name, else the username.
func displayName(m *discordgo.Message) string {
	if m.Member != nil && m.Member.Nick != "" {
		return m.Member.Nick
	}
	if m.Author.GlobalName != "" {
		return m.Author.GlobalName
	}
	return m.Author.Username
}

// stripSelfMention removes mentions of the bot ("<@id>", "<@!id>"), which
// carry no question and would only confuse language detection and search.
func stripSelfMention(text, botID string) string {
	if botID == "" {
		return strings.TrimSpace(text)
	}
	text = strings.ReplaceAll(text, "<@"+botID+">", " ")
	text = strings.ReplaceAll(text, "<@!"+botID+">", " ")
	return strings.Join(strings.Fields(text), " ")
}

// mention is a mention as Discord writes it in a message: of a person
// (<@id>, <@!id>), a role (<@&id>) or a channel (<#id>).
var mention = regexp.MustCompile(`<(@!?|@&|#)([0-9]+)>`)

// plainMentions writes the mentions left in text (the bot's are taken out
// before) as Discord shows them: a person by the name mentions gives
// ("@Sam L."), else "@user"; a role "@role", a channel "#channel". Staff
// read names rather than ids, and ids do not reach the search.
func plainMentions(text string, mentions []*discordgo.User) string {
	if !strings.Contains(text, "<") {
		return text
	}
	return mention.ReplaceAllStringFunc(text, func(s string) string {
		m := mention.FindStringSubmatch(s)
		switch m[1] {
		case "@&":
			return "@role"
		case "#":
			return "#channel"
		}
		for _, u := range mentions {
			if u != nil && u.ID == m[2] {
				if name := cmp.Or(u.GlobalName, u.Username); name != "" {
					return "@" + name
				}
			}
		}
		return "@user"
	})
}

// customEmoji is a server's own emoji as Discord writes it in a message:
// <:name:id>, or <a:name:id> when animated.
var customEmoji = regexp.MustCompile(`<a?:([A-Za-z0-9_]{2,32}):[0-9]+>`)

// plainEmoji writes a server's own emoji by its name, ":name:", as Discord
// shows it where it cannot draw it: the engine takes it for an emoji, as it
// does a Unicode one (a message of emoji alone, or a thank-you with one,
// asks nothing of staff), and staff read a name rather than an id.
func plainEmoji(text string) string {
	if !strings.Contains(text, "<") {
		return text
	}
	return customEmoji.ReplaceAllString(text, ":$1:")
}

// Feedback emoji: the bot seeds its answers with them; citizens click one.
const (
	emojiYes = "👍"
	emojiNo  = "👎"
)

// toReaction maps a reaction event to the engine's Reaction. added is false
// for a removal: Removed, with the Value of the emoji taken away, since a
// user may hold 👍 and 👎 at once and removing one leaves the other. ok is
// false for
// reactions Liaison does not record: other emoji, the bot's own seeding
// reactions, unwatched channels.
func toReaction(r *discordgo.MessageReaction, added bool, botID string, cfg Config, p place, at time.Time) (bot.Reaction, bool) {
	if r == nil || r.UserID == "" || r.MessageID == "" || r.Emoji.ID != "" {
		return bot.Reaction{}, false
	}
	if botID != "" && r.UserID == botID {
		return bot.Reaction{}, false
	}
	var v int
	switch {
	case strings.HasPrefix(r.Emoji.Name, emojiYes): // skin tones follow the base emoji
		v = 1
	case strings.HasPrefix(r.Emoji.Name, emojiNo):
		v = -1
	default:
		return bot.Reaction{}, false
	}
	if r.GuildID == "" {
		if !cfg.DMs {
			return bot.Reaction{}, false
		}
	} else {
		if !cfg.guild(r.GuildID) {
			return bot.Reaction{}, false
		}
		if _, ok := cfg.channel(r.ChannelID); !ok && !p.unknown {
			// (A reaction where the place is unknown is kept: the engine
			// records it only if it is on one of the bot's own answers.)
			if _, ok := cfg.channel(p.parent); p.parent == "" || !ok {
				return bot.Reaction{}, false
			}
		}
	}
	return bot.Reaction{
		Platform:  Platform,
		ChannelID: r.ChannelID,
		MessageID: r.MessageID,
		UserID:    r.UserID,
		Value:     v,
		Removed:   !added,
		Time:      at.UTC(),
	}, true
}
