package discord

import (
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/liaison-gc/liaison/bot"
)

const botID = "900000000000000001"

func TestToMessage(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 14, 0, 0, 0, time.FixedZone("EST", -5*3600))
	citizenUser := &discordgo.User{ID: citizenID, Username: "marie", GlobalName: "Marie T."}
	msg := func(mod func(*discordgo.Message)) *discordgo.Message {
		m := &discordgo.Message{ID: "700", ChannelID: generalID, GuildID: guildID, Author: citizenUser,
			Content: "How do I renew my passport?", Timestamp: at}
		if mod != nil {
			mod(m)
		}
		return m
	}
	base := bot.Message{Platform: Platform, ChannelID: generalID, ID: "700", AuthorID: citizenID, AuthorName: "Marie T.",
		Text: "How do I renew my passport?", Time: at.UTC()}
	with := func(mod func(*bot.Message)) bot.Message {
		m := base
		mod(&m)
		return m
	}
	noDMs := testConfig()
	noDMs.DMs = false
	cases := []struct {
		name string
		in   *discordgo.Message
		cfg  *Config
		p    place
		ok   bool
		want bot.Message
	}{
		{"plain message in a watched channel: not addressed", msg(nil), nil, place{}, true, base},
		{"help channel", msg(func(m *discordgo.Message) { m.ChannelID = helpID }), nil, place{}, true,
			with(func(m *bot.Message) { m.ChannelID = helpID; m.InHelpChannel = true })},
		{"mention, stripped from the text", msg(func(m *discordgo.Message) {
			m.Content = "<@" + botID + "> How do I renew my passport?"
			m.Mentions = []*discordgo.User{{ID: botID, Bot: true}}
		}), nil, place{}, true, with(func(m *bot.Message) { m.Mentioned = true })},
		{"nickname mention", msg(func(m *discordgo.Message) {
			m.Content = "How do I renew <@!" + botID + ">  my passport?"
			m.Mentions = []*discordgo.User{{ID: strangerID}, {ID: botID}}
		}), nil, place{}, true, with(func(m *bot.Message) { m.Mentioned = true; m.Text = "How do I renew my passport?" })},
		{"mention of someone else, by the name Discord shows", msg(func(m *discordgo.Message) {
			m.Content = "<@" + strangerID + "> hi"
			m.Mentions = []*discordgo.User{{ID: strangerID}}
		}), nil, place{}, true, with(func(m *bot.Message) { m.Text = "@user hi" })},
		{"mentions of people, a role and a channel read as Discord shows them", msg(func(m *discordgo.Message) {
			m.Content = "<@" + strangerID + "> and <@!444> from <@&555>, see <#666>"
			m.Mentions = []*discordgo.User{{ID: strangerID, Username: "sam", GlobalName: "Sam L."}, {ID: "444", Username: "jo"}}
		}), nil, place{}, true, with(func(m *bot.Message) { m.Text = "@Sam L. and @jo from @role, see #channel" })},
		{"a server's own emoji, by its name", msg(func(m *discordgo.Message) {
			m.Content = "Thanks! <:blobheart:123456789012345678> <a:wave:223456789012345678>"
		}), nil, place{}, true, with(func(m *bot.Message) { m.Text = "Thanks! :blobheart: :wave:" })},
		{"reply to the bot", msg(func(m *discordgo.Message) {
			m.Type = discordgo.MessageTypeReply
			m.MessageReference = &discordgo.MessageReference{MessageID: "650"}
			m.ReferencedMessage = &discordgo.Message{ID: "650", Author: &discordgo.User{ID: botID, Bot: true}}
		}), nil, place{}, true, with(func(m *bot.Message) { m.ReplyToBot, m.ReplyTo = true, "650" })},
		{"reply to someone else", msg(func(m *discordgo.Message) {
			m.Type = discordgo.MessageTypeReply
			m.ReferencedMessage = &discordgo.Message{ID: "650", Author: &discordgo.User{ID: strangerID}}
		}), nil, place{}, true, base},
		{"a forward: the text of the message forwarded, whose mentions address others", msg(func(m *discordgo.Message) {
			m.Content = ""
			m.MessageReference = &discordgo.MessageReference{Type: discordgo.MessageReferenceTypeForward, MessageID: "650", ChannelID: otherID}
			m.MessageSnapshots = []discordgo.MessageSnapshot{{Message: &discordgo.Message{
				Content:  "<@" + botID + "> <@" + strangerID + "> How do I renew my passport?",
				Mentions: []*discordgo.User{{ID: botID, Bot: true}, {ID: strangerID, Username: "sam"}}}}}
		}), nil, place{}, true, with(func(m *bot.Message) { m.Text = "@sam How do I renew my passport?" })},
		{"files, counted", msg(func(m *discordgo.Message) {
			m.Content = ""
			m.Attachments = []*discordgo.MessageAttachment{{ID: "1", Filename: "letter.png"}, {ID: "2", Filename: "voice-message.ogg"}}
		}), nil, place{}, true, with(func(m *bot.Message) { m.Text, m.Files = "", 2 })},
		{"a forward of a picture: its file", msg(func(m *discordgo.Message) {
			m.Content = ""
			m.MessageReference = &discordgo.MessageReference{Type: discordgo.MessageReferenceTypeForward, MessageID: "650"}
			m.MessageSnapshots = []discordgo.MessageSnapshot{{Message: &discordgo.Message{
				Attachments: []*discordgo.MessageAttachment{{ID: "1", Filename: "letter.png"}}}}}
		}), nil, place{}, true, with(func(m *bot.Message) { m.Text, m.Files = "", 1 })},
		{"a reply to another message keeps its own text", msg(func(m *discordgo.Message) {
			m.MessageReference = &discordgo.MessageReference{MessageID: "650"}
			m.MessageSnapshots = []discordgo.MessageSnapshot{{Message: &discordgo.Message{Content: "something else"}}}
		}), nil, place{}, true, base},
		{"DM", msg(func(m *discordgo.Message) { m.GuildID = ""; m.ChannelID = dmID }), nil, place{}, true,
			with(func(m *bot.Message) { m.ChannelID = dmID; m.DM = true })},
		{"DM while DMs are off", msg(func(m *discordgo.Message) { m.GuildID = ""; m.ChannelID = dmID }), &noDMs, place{}, false, bot.Message{}},
		{"another server", msg(func(m *discordgo.Message) { m.GuildID = "100000000000000002" }), nil, place{}, false, bot.Message{}},
		{"unwatched channel", msg(func(m *discordgo.Message) { m.ChannelID = otherID }), nil, place{}, false, bot.Message{}},
		{"thread of a watched channel", msg(func(m *discordgo.Message) { m.ChannelID = "800" }), nil, place{parent: helpID, owner: citizenID}, true,
			with(func(m *bot.Message) { m.ChannelID = helpID; m.ThreadID = "800"; m.InHelpChannel = true })},
		{"the bot's answer thread", msg(func(m *discordgo.Message) { m.ChannelID = "800" }), nil, place{parent: generalID, owner: botID}, true,
			with(func(m *bot.Message) { m.ThreadID = "800"; m.ReplyToBot = true })},
		{"the first message of a forum post: its title, then its text", msg(func(m *discordgo.Message) { m.ID, m.ChannelID, m.Content = "800", "800", "I live abroad." }),
			nil, place{parent: helpID, owner: citizenID, title: "Passport renewal?"}, true,
			with(func(m *bot.Message) {
				m.ID, m.ChannelID, m.ThreadID, m.InHelpChannel, m.Text = "800", helpID, "800", true, "Passport renewal?\nI live abroad."
			})},
		{"the first message of a forum post that repeats its title", msg(func(m *discordgo.Message) { m.ID, m.ChannelID = "800", "800" }),
			nil, place{parent: helpID, owner: citizenID, title: "how do I renew"}, true,
			with(func(m *bot.Message) { m.ID, m.ChannelID, m.ThreadID, m.InHelpChannel = "800", helpID, "800", true })},
		{"a later message in a forum post: its own text", msg(func(m *discordgo.Message) { m.ChannelID = "800" }),
			nil, place{parent: helpID, owner: citizenID, title: "Passport renewal?"}, true,
			with(func(m *bot.Message) { m.ChannelID, m.ThreadID, m.InHelpChannel = helpID, "800", true })},
		{"thread of an unwatched channel", msg(func(m *discordgo.Message) { m.ChannelID = "800" }), nil, place{parent: otherID}, false, bot.Message{}},
		{"place unknown: its own channel, not a help channel, marked unknown", msg(func(m *discordgo.Message) { m.ChannelID = "800" }), nil, place{unknown: true}, true,
			with(func(m *bot.Message) { m.ChannelID = "800"; m.ChannelUnknown = true })},
		{"place unknown, mentioning the bot", msg(func(m *discordgo.Message) {
			m.ChannelID = "800"
			m.Content = "<@" + botID + "> How do I renew my passport?"
			m.Mentions = []*discordgo.User{{ID: botID, Bot: true}}
		}), nil, place{unknown: true}, true, with(func(m *bot.Message) { m.ChannelID = "800"; m.Mentioned = true; m.ChannelUnknown = true })},
		{"place unknown in a watched channel: the channel's settings", msg(func(m *discordgo.Message) { m.ChannelID = helpID }), nil, place{unknown: true}, true,
			with(func(m *bot.Message) { m.ChannelID = helpID; m.InHelpChannel = true })},
		{"another bot", msg(func(m *discordgo.Message) { m.Author = &discordgo.User{ID: "55", Username: "other", Bot: true} }), nil, place{}, true,
			with(func(m *bot.Message) { m.AuthorID = "55"; m.AuthorName = "other"; m.AuthorBot = true })},
		{"a webhook", msg(func(m *discordgo.Message) { m.WebhookID = "66" }), nil, place{}, true, with(func(m *bot.Message) { m.AuthorBot = true })},
		{"the bot itself", msg(func(m *discordgo.Message) { m.Author = &discordgo.User{ID: botID, Username: "liaison"} }), nil, place{}, true,
			with(func(m *bot.Message) { m.AuthorID = botID; m.AuthorName = "liaison"; m.AuthorBot = true })},
		{"server nickname wins", msg(func(m *discordgo.Message) { m.Member = &discordgo.Member{Nick: "Marie (Ottawa)"} }), nil, place{}, true,
			with(func(m *bot.Message) { m.AuthorName = "Marie (Ottawa)" })},
		{"username when no display name", msg(func(m *discordgo.Message) { m.Author = &discordgo.User{ID: citizenID, Username: "marie"} }), nil, place{}, true,
			with(func(m *bot.Message) { m.AuthorName = "marie" })},
		{"system message", msg(func(m *discordgo.Message) { m.Type = discordgo.MessageTypeGuildMemberJoin }), nil, place{}, false, bot.Message{}},
		{"thread starter message", msg(func(m *discordgo.Message) { m.Type = discordgo.MessageTypeThreadStarterMessage }), nil, place{}, false, bot.Message{}},
		{"no author", msg(func(m *discordgo.Message) { m.Author = nil }), nil, place{}, false, bot.Message{}},
		{"nil", nil, nil, place{}, false, bot.Message{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			if tc.cfg != nil {
				cfg = *tc.cfg
			}
			got, ok := toMessage(tc.in, botID, cfg, tc.p)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tc.ok, got)
			}
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestToMessageBeforeReady(t *testing.T) {
	t.Parallel()
	// Without the bot's id (no READY yet) nothing counts as addressed by
	// mention, and the bot's mention is left in the text, as any other.
	m := &discordgo.Message{ID: "1", ChannelID: generalID, GuildID: guildID, Author: &discordgo.User{ID: citizenID},
		Content: " <@" + botID + "> hi ", Mentions: []*discordgo.User{{ID: botID, Username: "Liaison"}}}
	got, ok := toMessage(m, "", testConfig(), place{})
	if !ok || got.Mentioned || got.Text != "@Liaison hi" {
		t.Errorf("got %+v %v", got, ok)
	}
}

func TestToReaction(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 14, 0, 0, 0, time.UTC)
	r := func(mod func(*discordgo.MessageReaction)) *discordgo.MessageReaction {
		x := &discordgo.MessageReaction{UserID: citizenID, MessageID: "900", ChannelID: helpID, GuildID: guildID, Emoji: discordgo.Emoji{Name: "👍"}}
		if mod != nil {
			mod(x)
		}
		return x
	}
	noDMs := testConfig()
	noDMs.DMs = false
	cases := []struct {
		name  string
		in    *discordgo.MessageReaction
		added bool
		cfg   *Config
		p     place
		ok    bool
		value int
	}{
		{"thumbs up", r(nil), true, nil, place{}, true, 1},
		{"thumbs down", r(func(x *discordgo.MessageReaction) { x.Emoji.Name = "👎" }), true, nil, place{}, true, -1},
		{"skin tone", r(func(x *discordgo.MessageReaction) { x.Emoji.Name = "👍🏿" }), true, nil, place{}, true, 1},
		{"👍 removed", r(nil), false, nil, place{}, true, 1},
		{"👎 removed", r(func(x *discordgo.MessageReaction) { x.Emoji.Name = "👎" }), false, nil, place{}, true, -1},
		{"other emoji", r(func(x *discordgo.MessageReaction) { x.Emoji.Name = "🎉" }), true, nil, place{}, false, 0},
		{"custom emoji named like it", r(func(x *discordgo.MessageReaction) { x.Emoji.ID = "77" }), true, nil, place{}, false, 0},
		{"the bot's own seed", r(func(x *discordgo.MessageReaction) { x.UserID = botID }), true, nil, place{}, false, 0},
		{"unwatched channel", r(func(x *discordgo.MessageReaction) { x.ChannelID = otherID }), true, nil, place{}, false, 0},
		{"another server", r(func(x *discordgo.MessageReaction) { x.GuildID = "5" }), true, nil, place{}, false, 0},
		{"thread of a watched channel", r(func(x *discordgo.MessageReaction) { x.ChannelID = "800" }), true, nil, place{parent: helpID}, true, 1},
		{"thread of an unwatched channel", r(func(x *discordgo.MessageReaction) { x.ChannelID = "800" }), true, nil, place{parent: otherID}, false, 0},
		{"place unknown: left to the engine", r(func(x *discordgo.MessageReaction) { x.ChannelID = "800" }), true, nil, place{unknown: true}, true, 1},
		{"place unknown in another server", r(func(x *discordgo.MessageReaction) { x.ChannelID = "800"; x.GuildID = "5" }), true, nil, place{unknown: true}, false, 0},
		{"DM", r(func(x *discordgo.MessageReaction) { x.GuildID = ""; x.ChannelID = dmID }), true, nil, place{}, true, 1},
		{"DM while DMs are off", r(func(x *discordgo.MessageReaction) { x.GuildID = ""; x.ChannelID = dmID }), true, &noDMs, place{}, false, 0},
		{"no user", r(func(x *discordgo.MessageReaction) { x.UserID = "" }), true, nil, place{}, false, 0},
		{"nil", nil, true, nil, place{}, false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			if tc.cfg != nil {
				cfg = *tc.cfg
			}
			got, ok := toReaction(tc.in, tc.added, botID, cfg, tc.p, at)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tc.ok, got)
			}
			if !ok {
				return
			}
			want := bot.Reaction{Platform: Platform, ChannelID: tc.in.ChannelID, MessageID: "900", UserID: tc.in.UserID, Value: tc.value, Removed: !tc.added, Time: at}
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func BenchmarkToMessage(b *testing.B) {
	cfg := testConfig()
	m := &discordgo.Message{ID: "700", ChannelID: helpID, GuildID: guildID, Type: discordgo.MessageTypeReply,
		Author:            &discordgo.User{ID: citizenID, Username: "marie"},
		Content:           "<@" + botID + "> Comment renouveler mon passeport si je suis à l'étranger?",
		Mentions:          []*discordgo.User{{ID: botID}},
		ReferencedMessage: &discordgo.Message{ID: "650", Author: &discordgo.User{ID: botID}}}
	b.ReportAllocs()
	for b.Loop() {
		toMessage(m, botID, cfg, place{})
	}
}
