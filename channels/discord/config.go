package discord

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/liaison-gc/liaison/bot"
)

// Platform is the name of this channel in bot.Message.Platform, addresses
// and channel keys ("discord:1234").
const Platform = "discord"

// Config is the [discord] section of the configuration file. The bot token
// is not here: it comes from the environment (LIAISON_DISCORD_TOKEN).
type Config struct {
	// Guilds are the ids of the Discord servers the bot serves. Messages and
	// reactions from any other server are ignored.
	Guilds []string `toml:"guilds"`
	// ApplicationID is the application's id (Developer Portal → General
	// Information). Only `liaison discord invite-url` needs it.
	ApplicationID string `toml:"application_id"`
	// DMs answers direct messages to the bot (true in Default).
	DMs bool `toml:"dms"`
	// APIURL points the bot at a Discord-compatible server instead of
	// https://discord.com: the base URL under which its /api/v9/ routes
	// live. The gateway URL is asked of that server. Empty: Discord.
	APIURL string `toml:"api_url"`
	// CatchUpHours is how far back, at start, the bot reads what was posted
	// while it was away (a restart, or a session Discord ended), in hours:
	// 24 in Default, 0 turns catch-up off, at most MaxCatchUpHours.
	CatchUpHours int `toml:"catch_up_hours"`
	// Channel lists the watched channels ([[discord.channel]]). Messages in
	// threads of a watched channel belong to it.
	Channel []ChannelSettings `toml:"channel"`
}

// ChannelSettings is one watched channel ([[discord.channel]]).
type ChannelSettings struct {
	ID   string `toml:"id"`   // the channel id (Developer Mode → right-click → Copy Channel ID)
	Name string `toml:"name"` // shown in reports, without "#"; the id when empty
	// Lang is "bilingual" (the default), "en" or "fr": the language the bot
	// falls back to when it cannot tell which one a message is written in.
	Lang string `toml:"lang"`
	// Help makes every message in the channel addressed to the bot;
	// elsewhere people address it by mention, by replying to it or by DM.
	Help bool `toml:"help"`
	// ReplyStyle is "reply" (the default: an inline reply to the question)
	// or "thread" (a thread started on the question, the answer inside).
	ReplyStyle string `toml:"reply_style"`
	// Broadcast posts announcements in this channel.
	Broadcast bool `toml:"broadcast"`
}

// Languages and reply styles accepted in ChannelSettings.
const (
	LangBilingual = "bilingual"
	StyleReply    = "reply"
	StyleThread   = "thread"
)

// Default returns the configuration used before the file is read: direct
// messages answered, no guild and no channel (Validate then asks for them).
func Default() Config { return Config{DMs: true, CatchUpHours: DefaultCatchUpHours} }

// Bounds of CatchUpHours.
const (
	DefaultCatchUpHours = 24
	MaxCatchUpHours     = 720 // 30 days
)

// Validate reports every problem at once, each naming its key
// (discord.channel[2].lang) and what to do. Channel indexes count from 0 in
// the order of the [[discord.channel]] tables.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("discord.%s: %s", key, fmt.Sprintf(format, a...)))
	}
	if len(c.Guilds) == 0 {
		bad("guilds", "no server configured: add the server id (Developer Mode → right-click the server → Copy Server ID), e.g. guilds = [\"123456789012345678\"]")
	}
	seenGuild := map[string]bool{}
	for i, g := range c.Guilds {
		switch {
		case !snowflake(g):
			bad(fmt.Sprintf("guilds[%d]", i), "%q is not a Discord id: use the server's numeric id", g)
		case seenGuild[g]:
			bad(fmt.Sprintf("guilds[%d]", i), "%s is listed twice: remove one", g)
		}
		seenGuild[g] = true
	}
	if c.ApplicationID != "" && !snowflake(c.ApplicationID) {
		bad("application_id", "%q is not a Discord id: copy the Application ID from the Developer Portal (General Information)", c.ApplicationID)
	}
	if c.APIURL != "" {
		if _, err := apiBase(c.APIURL); err != nil {
			bad("api_url", "%v", err)
		}
	}
	if c.CatchUpHours < 0 || c.CatchUpHours > MaxCatchUpHours {
		bad("catch_up_hours", "%d is out of range: use 0 (no catch-up) to %d hours (the default is %d)", c.CatchUpHours, MaxCatchUpHours, DefaultCatchUpHours)
	}
	if len(c.Channel) == 0 && !c.DMs {
		bad("channel", "no [[discord.channel]] and dms = false: the bot would read nothing; add a channel or set dms = true")
	}
	seen := map[string]int{}
	for i, ch := range c.Channel {
		key := fmt.Sprintf("channel[%d]", i)
		switch {
		case ch.ID == "":
			bad(key+".id", "missing: every [[discord.channel]] needs the channel's id")
		case !snowflake(ch.ID):
			bad(key+".id", "%q is not a Discord id: use the channel's numeric id", ch.ID)
		default:
			if j, dup := seen[ch.ID]; dup {
				bad(key+".id", "%s is also discord.channel[%d]: merge the two tables", ch.ID, j)
			} else {
				seen[ch.ID] = i
			}
		}
		if _, err := parseChannelLang(ch.Lang); err != nil {
			bad(key+".lang", "%q (channel %s) is not a channel language: use bilingual, en or fr", ch.Lang, ch.ID)
		}
		switch ch.ReplyStyle {
		case "", StyleReply, StyleThread:
		default:
			bad(key+".reply_style", "%q (channel %s) is not a reply style: use reply or thread", ch.ReplyStyle, ch.ID)
		}
		if strings.ContainsAny(ch.Name, "\n\r") {
			bad(key+".name", "must be on one line")
		}
	}
	return errors.Join(errs...)
}

// Channels describes the watched channels to the engine, in configuration
// order.
func (c Config) Channels() []bot.ChannelConfig {
	out := make([]bot.ChannelConfig, 0, len(c.Channel))
	for _, ch := range c.Channel {
		lang, _ := parseChannelLang(ch.Lang)
		out = append(out, bot.ChannelConfig{
			Key:       bot.Key(Platform, ch.ID),
			Name:      "#" + ch.displayName(),
			Lang:      lang,
			Help:      ch.Help,
			Broadcast: ch.Broadcast,
		})
	}
	return out
}

func (ch ChannelSettings) displayName() string {
	if n := strings.TrimPrefix(strings.TrimSpace(ch.Name), "#"); n != "" {
		return n
	}
	return ch.ID
}

// channel returns the settings of a watched channel.
func (c Config) channel(id string) (ChannelSettings, bool) {
	for _, ch := range c.Channel {
		if ch.ID == id {
			return ch, true
		}
	}
	return ChannelSettings{}, false
}

// guild reports whether messages from guild id are served.
func (c Config) guild(id string) bool {
	for _, g := range c.Guilds {
		if g == id {
			return true
		}
	}
	return false
}

func parseChannelLang(s string) (bot.Lang, error) {
	switch s {
	case "", LangBilingual:
		return bot.Unknown, nil
	case "en":
		return bot.English, nil
	case "fr":
		return bot.French, nil
	}
	return bot.Unknown, fmt.Errorf("unknown channel language %q", s)
}

// snowflake reports whether s looks like a Discord id: decimal digits only.
func snowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// apiBase parses api_url: an absolute http(s) URL, with or without a
// trailing /api or /api/vN (the routes below it are added by the client).
func apiBase(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL: %v", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("%q must be an absolute http:// or https:// URL, such as https://chat.example.org", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q must not have a query or fragment", raw)
	}
	p := strings.TrimSuffix(u.Path, "/")
	if i := strings.LastIndex(p, "/api"); i >= 0 {
		rest := p[i+len("/api"):]
		if rest == "" || strings.HasPrefix(rest, "/v") && snowflake(rest[2:]) {
			p = p[:i]
		}
	}
	u.Path, u.RawPath = p, ""
	return u, nil
}
