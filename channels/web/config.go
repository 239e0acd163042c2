package web

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"

	"github.com/liaison-gc/liaison/bot"
)

// Config is the [web] section of the configuration file. Zero fields take
// the defaults documented on each field (see Default and config.example.toml).
type Config struct {
	// Enabled is "auto" (the default: on when Slack is not configured, with
	// Discord or without), true or false. TOML may give it as a bool or a string;
	// see Enablement. The caller decides; the server does not read it.
	Enabled any `toml:"enabled"`
	// Addr is the listen address (127.0.0.1:8080). Any address that is not
	// loopback requires a desk token.
	Addr string `toml:"addr"`
	// MaxMessageChars limits a citizen message, in characters (1000).
	MaxMessageChars int `toml:"max_message_chars"`
	// FloodPerMinute is how many messages one browser may post per minute
	// before it gets HTTP 429 (12), after a burst of FloodBurst (5).
	FloodPerMinute int `toml:"flood_per_minute"`
	FloodBurst     int `toml:"flood_burst"`
	// AddressFloodPerMinute and AddressFloodBurst bound the messages from
	// one network address (60 a minute after 20, and at least five and four
	// times the browser's), whatever browser ids it
	// presents: a script that drops its cookie is one address. An IPv6
	// address counts with its whole /64, which one connection is handed.
	// Behind a proxy every citizen shares the proxy's address; raise them
	// to what the whole site may send.
	AddressFloodPerMinute int `toml:"address_flood_per_minute"`
	AddressFloodBurst     int `toml:"address_flood_burst"`
	// BodyTimeoutSeconds is how long a request's body may take to arrive
	// once its headers have (30): a body sent slowly, or never finished,
	// no longer holds a connection open. Pages and live-update streams
	// send no body.
	BodyTimeoutSeconds int `toml:"body_timeout_seconds"`
	// StreamsPerAddress is how many live-update streams (each open chat or
	// desk page holds one) one network address may hold open at once
	// (100); one more is refused with HTTP 429 and its page tries again
	// later. An IPv6 address counts with its whole /64. Behind a proxy
	// everyone shares the proxy's address; raise it to what the whole site
	// keeps open.
	StreamsPerAddress int `toml:"streams_per_address"`
	// History is how many recent messages per room the server shows people
	// who open the page later (200); Server.Restore reads them again from
	// the store after a restart.
	History int `toml:"history"`
	// Rooms are the public chat rooms; none configured means the two
	// default rooms "help" and "general".
	Rooms []Room `toml:"room"`
}

// Room is one public chat room ([[web.room]]).
type Room struct {
	ID     string `toml:"id"`      // lowercase letters, digits, dashes; the channel id ("web:ID")
	NameEN string `toml:"name_en"` // shown in English pages
	NameFR string `toml:"name_fr"` // shown in French pages
	// Lang is "bilingual" (the default), "en" or "fr": the language the
	// bot falls back to when it cannot tell a message's language.
	Lang string `toml:"lang"`
	// Help makes every message in the room addressed to the bot; elsewhere
	// people address it with @liaison.
	Help bool `toml:"help"`
	// Broadcast posts announcements in this room.
	Broadcast bool `toml:"broadcast"`
}

// Name returns the room's name in l.
func (r Room) Name(l bot.Lang) string {
	if l == bot.French && r.NameFR != "" || r.NameEN == "" {
		return r.NameFR
	}
	return r.NameEN
}

// Enabled modes, from Config.Enablement.
const (
	EnabledAuto = "auto"
	EnabledOn   = "on"
	EnabledOff  = "off"
)

// Defaults.
const (
	DefaultAddr            = "127.0.0.1:8080"
	DefaultMaxMessageChars = 1000
	DefaultFloodPerMinute  = 12
	DefaultFloodBurst      = 5
	DefaultAddressFlood    = 60 // per minute, from one address
	DefaultAddressBurst    = 20
	DefaultHistory         = 200
	DefaultBodyTimeout     = 30 // seconds
	DefaultStreams         = 100
)

// Default returns the configuration used when the file has no [web] section.
func Default() Config {
	c := Config{Enabled: EnabledAuto}
	return c.withDefaults()
}

// DefaultRooms are the rooms served when none is configured: a help room
// where every message is for the bot, and a general room where people
// address it with @liaison.
func DefaultRooms() []Room {
	return []Room{
		{ID: "help", NameEN: "Help", NameFR: "Aide", Lang: "bilingual", Help: true, Broadcast: true},
		{ID: "general", NameEN: "General", NameFR: "Général", Lang: "bilingual", Broadcast: true},
	}
}

// withDefaults fills zero fields.
func (c Config) withDefaults() Config {
	if c.Enabled == nil {
		c.Enabled = EnabledAuto
	}
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.MaxMessageChars == 0 {
		c.MaxMessageChars = DefaultMaxMessageChars
	}
	if c.FloodPerMinute == 0 {
		c.FloodPerMinute = DefaultFloodPerMinute
	}
	if c.FloodBurst == 0 {
		c.FloodBurst = DefaultFloodBurst
	}
	if c.AddressFloodPerMinute == 0 {
		c.AddressFloodPerMinute = max(DefaultAddressFlood, 5*c.FloodPerMinute)
	}
	if c.AddressFloodBurst == 0 {
		c.AddressFloodBurst = max(DefaultAddressBurst, 4*c.FloodBurst)
	}
	if c.History == 0 {
		c.History = DefaultHistory
	}
	if c.BodyTimeoutSeconds == 0 {
		c.BodyTimeoutSeconds = DefaultBodyTimeout
	}
	if c.StreamsPerAddress == 0 {
		c.StreamsPerAddress = DefaultStreams
	}
	if len(c.Rooms) == 0 {
		c.Rooms = DefaultRooms()
	}
	rooms := make([]Room, len(c.Rooms))
	for i, r := range c.Rooms {
		if r.Lang == "" {
			r.Lang = "bilingual"
		}
		if r.NameEN == "" && r.NameFR == "" {
			r.NameEN, r.NameFR = r.ID, r.ID
		}
		rooms[i] = r
	}
	c.Rooms = rooms
	return c
}

// Enablement returns EnabledAuto, EnabledOn or EnabledOff from the enabled
// key, which may be a bool or one of "auto", "true", "false", "on", "off".
func (c Config) Enablement() (string, error) {
	switch v := c.Enabled.(type) {
	case nil:
		return EnabledAuto, nil
	case bool:
		if v {
			return EnabledOn, nil
		}
		return EnabledOff, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "", "auto":
			return EnabledAuto, nil
		case "true", "on", "yes":
			return EnabledOn, nil
		case "false", "off", "no":
			return EnabledOff, nil
		}
	}
	return "", fmt.Errorf("web.enabled: %v is not valid: use \"auto\", true or false", c.Enabled)
}

var roomID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// CheckAddr reports an address to listen on, given as key, that is not
// host:port with a port from 0 to 65535, saying so with example.
func CheckAddr(key, addr, example string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s: %q is not host:port (example: %q): %w", key, addr, example, err)
	}
	if n, err := strconv.Atoi(port); err == nil && (n < 0 || n > 65535) {
		return fmt.Errorf("%s: %q: port %d is out of range: use a port from 1 to 65535 (example: %q)", key, addr, n, example)
	}
	return nil
}

// Validate reports every problem in c (after defaults), each naming its key.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if _, err := c.Enablement(); err != nil {
		errs = append(errs, err)
	}
	if err := CheckAddr("web.addr", c.Addr, DefaultAddr); err != nil {
		errs = append(errs, err)
	}
	if c.MaxMessageChars < 1 || c.MaxMessageChars > 10000 {
		errs = append(errs, fmt.Errorf("web.max_message_chars: %d is out of range: use 1 to 10000", c.MaxMessageChars))
	}
	if c.FloodPerMinute < 1 {
		errs = append(errs, fmt.Errorf("web.flood_per_minute: %d must be at least 1", c.FloodPerMinute))
	}
	if c.FloodBurst < 1 {
		errs = append(errs, fmt.Errorf("web.flood_burst: %d must be at least 1", c.FloodBurst))
	}
	if c.AddressFloodPerMinute < c.FloodPerMinute {
		errs = append(errs, fmt.Errorf("web.address_flood_per_minute: %d is below web.flood_per_minute (%d): one address is at least one browser", c.AddressFloodPerMinute, c.FloodPerMinute))
	}
	if c.AddressFloodBurst < c.FloodBurst {
		errs = append(errs, fmt.Errorf("web.address_flood_burst: %d is below web.flood_burst (%d): one address is at least one browser", c.AddressFloodBurst, c.FloodBurst))
	}
	if c.History < 1 || c.History > 10000 {
		errs = append(errs, fmt.Errorf("web.history: %d is out of range: use 1 to 10000", c.History))
	}
	if c.BodyTimeoutSeconds < 1 || c.BodyTimeoutSeconds > 600 {
		errs = append(errs, fmt.Errorf("web.body_timeout_seconds: %d is out of range: use 1 to 600", c.BodyTimeoutSeconds))
	}
	if c.StreamsPerAddress < 1 {
		errs = append(errs, fmt.Errorf("web.streams_per_address: %d must be at least 1", c.StreamsPerAddress))
	}
	seen := map[string]int{}
	for i, r := range c.Rooms {
		key := fmt.Sprintf("web.room[%d]", i)
		if !roomID.MatchString(r.ID) {
			errs = append(errs, fmt.Errorf("%s.id: %q must be 1 to 40 lowercase letters, digits or dashes", key, r.ID))
		}
		if j, ok := seen[r.ID]; ok {
			errs = append(errs, fmt.Errorf("%s.id: %q is already used by web.room[%d]", key, r.ID, j))
		}
		seen[r.ID] = i
		if _, err := roomLang(r.Lang); err != nil {
			errs = append(errs, fmt.Errorf("%s.lang: %w", key, err))
		}
		if (r.NameEN == "") != (r.NameFR == "") {
			errs = append(errs, fmt.Errorf("%s: name_en and name_fr are both required (the page is bilingual)", key))
		}
	}
	return errors.Join(errs...)
}

func roomLang(s string) (bot.Lang, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "bilingual", "both":
		return bot.Unknown, nil
	case "en":
		return bot.English, nil
	case "fr":
		return bot.French, nil
	}
	return bot.Unknown, fmt.Errorf("%q is not valid: use \"bilingual\", \"en\" or \"fr\"", s)
}

// Channels returns what the engine must know of the rooms.
func (c Config) Channels() []bot.ChannelConfig {
	c = c.withDefaults()
	out := make([]bot.ChannelConfig, 0, len(c.Rooms))
	for _, r := range c.Rooms {
		l, _ := roomLang(r.Lang)
		out = append(out, bot.ChannelConfig{
			Key:       bot.Key(Platform, r.ID),
			Name:      r.NameEN,
			NameFR:    r.NameFR,
			Lang:      l,
			Help:      r.Help,
			Broadcast: r.Broadcast,
		})
	}
	return out
}

// room finds a configured room.
func (c Config) room(id string) (Room, bool) {
	for _, r := range c.Rooms {
		if r.ID == id {
			return r, true
		}
	}
	return Room{}, false
}

// isLoopback reports whether addr's host only listens on loopback.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	return loopbackHost(host)
}

// loopbackHost reports whether host (a request's Host, with or without a
// port) names this computer: localhost or a loopback address.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
