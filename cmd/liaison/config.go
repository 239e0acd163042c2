package main

import (
	"bytes"
	"cmp"
	"encoding"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/channels/discord"
	"github.com/liaison-gc/liaison/channels/slack"
	"github.com/liaison-gc/liaison/channels/web"
	"github.com/liaison-gc/liaison/knowledge"
	"github.com/liaison-gc/liaison/phases"
)

// Config is the whole configuration file (config.example.toml documents
// every key). Defaults first, then the file, then secrets from the
// environment, then Validate.
type Config struct {
	DataDir    string           `toml:"data_dir"`
	Log        LogConfig        `toml:"log"`
	Admin      AdminConfig      `toml:"admin"`
	Knowledge  KnowledgeConfig  `toml:"knowledge"`
	Engine     EngineConfig     `toml:"engine"`
	Escalation EscalationConfig `toml:"escalation"`
	Privacy    PrivacyConfig    `toml:"privacy"`
	Web        web.Config       `toml:"web"`
	Discord    discord.Config   `toml:"discord"`
	Slack      slack.Config     `toml:"slack"`
	Staff      []StaffConfig    `toml:"staff"`

	secrets secrets
	// source is the file the configuration came from, "" for the embedded
	// defaults.
	source string
	// lines holds the line of every key and table the file sets (see
	// keyLines), so that Validate's errors name it.
	lines map[string]int
	// wrongType holds the keys whose value the file gives with the wrong
	// type: they are reported as such, not again by Validate.
	wrongType map[string]bool
}

// LogConfig is the [log] section.
type LogConfig struct {
	Level       string `toml:"level"`        // debug, info, warn, error
	Format      string `toml:"format"`       // json or text
	CitizenText bool   `toml:"citizen_text"` // log (masked) citizen text; off for privacy
}

// AdminConfig is the [admin] section: health endpoints on loopback.
type AdminConfig struct {
	Addr string `toml:"addr"`
}

// KnowledgeConfig is the [knowledge] section.
type KnowledgeConfig struct {
	Path            string   `toml:"path"`     // TOML directory or JSON Lines file; "" = bundled sample
	Variants        string   `toml:"variants"` // optional variants file (JSON Lines)
	AnswerThreshold float64  `toml:"answer_threshold"`
	AllowUnpaired   bool     `toml:"allow_unpaired"`
	ReloadInterval  Duration `toml:"reload_interval"` // how often edits are looked for; 0 disables
}

// EngineConfig is the [engine] section.
type EngineConfig struct {
	InitialPhase    string `toml:"initial_phase"`
	DefaultLanguage string `toml:"default_language"`
	FloodPerMinute  int    `toml:"flood_per_minute"`
	MaxMessageChars int    `toml:"max_message_chars"`
}

// EscalationConfig is the [escalation] section.
type EscalationConfig struct {
	RemindAfter Duration `toml:"remind_after"`
	// MaxReminders is how many times in all an unclaimed escalation is
	// reminded or re-routed, one each remind_after, before the whole desk
	// is told once and it is left alone; 0: none, the desk is told at the
	// first remind_after.
	MaxReminders int `toml:"max_reminders"`
}

// PrivacyConfig is the [privacy] section.
type PrivacyConfig struct {
	// RetentionDays is how long records keep what a citizen wrote and who
	// they are; 0 keeps everything forever.
	RetentionDays int `toml:"retention_days"`
}

// defaultRetentionDays is two years: what the sample knowledge base tells
// citizens (entry privacy-retention).
const defaultRetentionDays = 730

// StaffConfig is one [[staff]] table.
type StaffConfig struct {
	ID        string   `toml:"id"`
	Name      string   `toml:"name"`
	TitleEN   string   `toml:"title_en"`
	TitleFR   string   `toml:"title_fr"`
	Languages []string `toml:"languages"`
	Topics    []string `toml:"topics"`
	DeskUser  string   `toml:"desk_user"`
	CommsLead bool     `toml:"comms_lead"`
}

// secrets come from the environment only.
type secrets struct {
	discordToken  string
	slackBotToken string
	slackAppToken string
	webToken      string
	// webStaffTokens are the personal desk tokens, by environment
	// variable (LIAISON_WEB_TOKEN_<ID>, see web.TokenVar).
	webStaffTokens map[string]string
}

// Environment variables holding secrets.
const (
	envDiscordToken = "LIAISON_DISCORD_TOKEN"
	envWebToken     = "LIAISON_WEB_TOKEN"
)

// minReloadInterval is the shortest knowledge.reload_interval: looking for
// edits more often than each second costs CPU and serves nobody.
const minReloadInterval = time.Second

// Duration is a time.Duration written as "30m", "1h30m".
type Duration time.Duration

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration: write it like \"30m\" or \"1h\"", b)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// DefaultConfig is what `liaison serve` runs with no file: everything local.
func DefaultConfig() Config {
	return Config{
		DataDir:    "./liaison-data",
		Log:        LogConfig{Level: "info", Format: "json"},
		Admin:      AdminConfig{Addr: "127.0.0.1:8081"},
		Knowledge:  KnowledgeConfig{AnswerThreshold: knowledge.DefaultThreshold, ReloadInterval: Duration(10 * time.Second)},
		Engine:     EngineConfig{InitialPhase: "replies", DefaultLanguage: "en", FloodPerMinute: 10, MaxMessageChars: 2000},
		Escalation: EscalationConfig{RemindAfter: Duration(30 * time.Minute), MaxReminders: 3},
		Privacy:    PrivacyConfig{RetentionDays: defaultRetentionDays},
		Web:        web.Default(),
		Discord:    discord.Default(),
		Slack:      slack.DefaultConfig(),
		Staff:      defaultStaff(),
	}
}

// defaultStaff is the roster of the embedded defaults, so the local desk
// shows routing, answering and comms-lead rights on a fresh machine.
func defaultStaff() []StaffConfig {
	return []StaffConfig{
		{ID: "alex", Name: "Alex Martin", TitleEN: "Client Services Officer", TitleFR: "Agent des services à la clientèle",
			Languages: []string{"en", "fr"}, Topics: []string{"passports", "offices", "contact", "accessibility"}, DeskUser: "alex"},
		{ID: "nadia", Name: "Nadia Roy", TitleEN: "Benefits and Taxes Officer", TitleFR: "Agente des prestations et de l’impôt",
			Languages: []string{"fr", "en"}, Topics: []string{"benefits", "taxes", "privacy"}, DeskUser: "nadia"},
		{ID: "sam", Name: "Sam Tremblay", TitleEN: "Communications Lead", TitleFR: "Responsable des communications",
			Languages: []string{"en", "fr"}, Topics: []string{"*"}, DeskUser: "sam", CommsLead: true},
	}
}

// loadConfig reads path over the defaults ("" keeps the defaults), then the
// environment, then validates, for `liaison serve`: the tokens of the
// platforms configured are required, a staff desk and a roster. Every
// problem is reported at once, naming the file, line and key.
func loadConfig(path string) (Config, error) { return load(path, true) }

// loadHostConfig is loadConfig for a host operator's command (phase,
// broadcast, report, archive, kb drafts): these work on the database only
// and never connect to Discord or Slack nor escalate, so the platforms'
// tokens need not be in their environment, nor a desk or [[staff]] in the
// file. Everything else is validated as for serve.
func loadHostConfig(path string) (Config, error) { return load(path, false) }

func load(path string, forServe bool) (Config, error) {
	cfg := DefaultConfig()
	// unknown holds the file's values of the wrong type and unknown keys:
	// the decoder has still decoded every other key, so they are validated
	// too and reported with them.
	var unknown error
	if path != "" {
		var err error
		if cfg, unknown, err = readConfig(path); err != nil {
			return cfg, err
		}
	}
	cfg.secrets = secrets{
		discordToken:   strings.TrimSpace(os.Getenv(envDiscordToken)),
		slackBotToken:  strings.TrimSpace(os.Getenv(slack.EnvBotToken)),
		slackAppToken:  strings.TrimSpace(os.Getenv(slack.EnvAppToken)),
		webToken:       strings.TrimSpace(os.Getenv(envWebToken)),
		webStaffTokens: personalTokens(os.Environ()),
	}
	if err := errors.Join(unknown, cfg.validate(forServe)); err != nil {
		where := "config (embedded defaults)"
		if path != "" {
			where = "config " + path
		}
		return cfg, fmt.Errorf("%s:\n%w", where, err)
	}
	return cfg, nil
}

// personalTokens are the personal desk tokens set in env (KEY=value
// pairs), by variable: every LIAISON_WEB_TOKEN_… variable that is not
// empty.
func personalTokens(env []string) map[string]string {
	out := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, envWebToken+"_") && strings.TrimSpace(v) != "" {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out
}

// staffTokens are the personal desk tokens by staff id, for web.New:
// each [[staff]] member whose LIAISON_WEB_TOKEN_<ID> is set.
func (c Config) staffTokens() map[string]string {
	out := map[string]string{}
	for _, s := range c.Staff {
		if v, ok := c.secrets.webStaffTokens[web.TokenVar(s.ID)]; ok {
			out[s.ID] = v
		}
	}
	return out
}

// checkStaffTokens reports every personal desk token serve cannot use:
// one whose variable names nobody on the roster or two people, and those
// web.CheckStaffTokens refuses (too short, easy to guess, held by another
// person too, or the shared LIAISON_WEB_TOKEN), and the shared token when
// it is the one in use and web.CheckSharedToken refuses it (too short, easy
// to guess). Values are never shown.
func (c Config) checkStaffTokens() error {
	var errs []error
	owners := map[string][]string{} // variable → staff ids it names
	for _, s := range c.Staff {
		if s.ID != "" {
			owners[web.TokenVar(s.ID)] = append(owners[web.TokenVar(s.ID)], s.ID)
		}
	}
	named := map[string]string{} // variable → token, for one person each
	for _, k := range slices.Sorted(maps.Keys(c.secrets.webStaffTokens)) {
		switch ids := owners[k]; {
		case len(ids) == 0:
			errs = append(errs, fmt.Errorf("%s is set but no [[staff]] id gives that name (%s, then the id upper-cased, every character other than A-Z and 0-9 written as _): unset it, or add that person to the roster", k, envWebToken+"_"))
		case len(ids) > 1:
			errs = append(errs, fmt.Errorf("%s is set but staff ids %q all give that name: rename all but one, so that each person's token has its own variable", k, ids))
		default:
			named[k] = c.secrets.webStaffTokens[k]
		}
	}
	if len(c.secrets.webStaffTokens) == 0 { // else personal sign-in only: the shared token is not used
		errs = append(errs, web.CheckSharedToken(c.secrets.webToken))
	}
	return errors.Join(append(errs, web.CheckStaffTokens(named, c.secrets.webToken))...)
}

// readConfig decodes the file at path over the defaults, without the
// environment and without validating. It returns what decodes, with the
// file's values of the wrong type and unknown keys as problems, each with
// its line; or, when the file cannot be read or decoded, stop, naming the
// file and every problem found before the decoder stopped.
func readConfig(path string) (cfg Config, problems, stop error) {
	cfg = DefaultConfig()
	b, err := os.ReadFile(path)
	if err != nil {
		return cfg, nil, configFileError(path, err)
	}
	// Editors such as Notepad may start the file with a byte order
	// mark, which TOML's parser takes for a key: it is not one.
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	// A file replaces the demo roster: staff come from the file only.
	cfg.Staff = nil
	// Values of the wrong type stop the decoder at the first: they are
	// found first, each with its line, and left out of the decoding,
	// so that every other problem is reported with them.
	wrong, masked := wrongTypes(b)
	base := cfg
	var unknown error
	for tries := 0; ; tries++ {
		cfg = base
		dec := toml.NewDecoder(bytes.NewReader(masked))
		dec.DisallowUnknownFields()
		err := dec.Decode(&cfg)
		if err == nil {
			break
		}
		var strict *toml.StrictMissingError
		if errors.As(err, &strict) {
			unknown = errors.New(describeTOMLError(err, b))
			break
		}
		// A value the decoder refuses (a duration such as "soon"):
		// report it and decode without it, once per key at most, and
		// for maxRefusedValues of them: each costs a decoding.
		var de *toml.DecodeError
		if errors.As(err, &de) && tries < maxRefusedValues {
			row, _ := de.Position()
			if maskAt(b, masked, row) {
				wrong = append(wrong, wrongValue{key: describedKey(de, b), msg: describeTOMLError(err, b)})
				continue
			}
		}
		if len(wrong) == 0 {
			return cfg, nil, fmt.Errorf("config %s: %s", path, describeTOMLError(err, b))
		}
		wrong = append(wrong, wrongValue{msg: describeTOMLError(err, b)})
		if tries >= maxRefusedValues {
			wrong = append(wrong, wrongValue{msg: fmt.Sprintf("more than %d values are refused: correct these and load the file again", maxRefusedValues)})
		}
		return cfg, nil, fmt.Errorf("config %s:\n%w", path, wrong.err())
	}
	cfg.source = path
	cfg.lines = keyLines(b)
	cfg.wrongType = map[string]bool{}
	for _, w := range wrong {
		cfg.wrongType[w.key] = true
	}
	return cfg, errors.Join(wrong.err(), unknown), nil
}

// configFileError says why the file at path could not be read, err, and
// what to do, in terms of the path given rather than the system call.
func configFileError(path string, err error) error {
	if fi, serr := os.Stat(path); serr == nil && fi.IsDir() {
		return fmt.Errorf("config %s is a directory: give the configuration file (TOML) with --config", path)
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("config %s: no such file: check the path given with --config", path)
	}
	return fmt.Errorf("config %s: cannot read it: %w", path, err)
}

// describeTOMLError turns go-toml's errors on the file src into a message
// with the line and key and what to do.
func describeTOMLError(err error, src []byte) string {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) {
		var b strings.Builder
		for _, e := range strict.Errors {
			row, col := e.Position()
			key := strings.Join(e.Key(), ".")
			if secretKey.MatchString(key) {
				fmt.Fprintf(&b, "\n  line %d, column %d: key %q: secrets are read from the environment only, never from this file: delete the line and export %s instead", row, col, key, cmp.Or(secretVars[key], "the variable README.md names for it"))
				continue
			}
			fmt.Fprintf(&b, "\n  line %d, column %d: unknown key %q: check its spelling against config.example.toml", row, col, key)
		}
		return "unknown keys:" + b.String() + "\n" + fileLines(strict.String(), src)
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, col := de.Position()
		key := describedKey(de, src)
		msg := fmt.Sprintf("line %d, column %d", row, col)
		if key != "" {
			msg += ", key " + key
		}
		found := strings.TrimPrefix(de.Error(), "toml: ")
		if want := expectedValue(found); want != "" {
			// The decoder names Go types (main.EngineConfig.FloodPerMinute
			// of type int): say what to write instead.
			return msg + ": " + want + "\n" + strings.Replace(fileLines(de.String(), src), found, want, 1)
		}
		return msg + ": " + de.Error() + "\n" + fileLines(de.String(), src)
	}
	return err.Error()
}

// quotedLine is a line of the file that go-toml quotes around an error:
// its number, then its text.
var quotedLine = regexp.MustCompile(`(?m)^( *)([0-9]+)\|(?: .*)?$`)

// fileLines puts back into go-toml's quote of the file the lines of src,
// the file as written: the decoder reads it without its values of the
// wrong type (see wrongTypes), which go-toml would quote as blank lines.
func fileLines(quote string, src []byte) string {
	lines := strings.Split(string(src), "\n")
	return quotedLine.ReplaceAllStringFunc(quote, func(l string) string {
		m := quotedLine.FindStringSubmatch(l)
		n, err := strconv.Atoi(m[2])
		if err != nil || n < 1 || n > len(lines) {
			return l
		}
		text := hideSecrets(strings.TrimRight(lines[n-1], "\r"))
		if text == "" {
			return m[1] + m[2] + "|"
		}
		return m[1] + m[2] + "| " + text
	})
}

// secretKey matches a key that holds a secret: a token pasted into the file
// by mistake ([discord] token = "…", [slack] bot_token = "…").
var secretKey = regexp.MustCompile(`(?i)(token|secret|password)[^.]*$`)

// secretVars names the environment variable that holds what each key a
// token is most often pasted under would hold.
var secretVars = map[string]string{
	"discord.token":     envDiscordToken,
	"discord.bot_token": envDiscordToken,
	"slack.token":       slack.EnvBotToken,
	"slack.bot_token":   slack.EnvBotToken,
	"slack.app_token":   slack.EnvAppToken,
	"web.token":         envWebToken,
}

// secretValue matches the value of a key that holds a secret on a line of
// the file, in a table or an inline table, quoted or not.
var secretValue = regexp.MustCompile(`(?i)([A-Za-z0-9_-]*(?:token|secret|password)[A-Za-z0-9_-]*["']?\s*=\s*)("(?:[^"\\]|\\.)*"?|'[^']*'?|[^\s,}]+)`)

// hideSecrets is a line of the file as an error quotes it, with the value of
// every key holding a secret hidden: a token pasted into the file must not
// reach the terminal or the service's logs.
func hideSecrets(line string) string { return secretValue.ReplaceAllString(line, `${1}"[hidden]"`) }

// describedKey is the key of the decoding error de on the file src as
// Validate names it, with the index of its array table.
func describedKey(de *toml.DecodeError, src []byte) string {
	row, _ := de.Position()
	key := strings.Join(de.Key(), ".")
	if k := indexedKey(src, key, row); k != "" {
		key = k
	}
	return key
}

// typeMismatch matches go-toml's message for a value of the wrong type:
// what the file holds, and the Go type of the field.
var typeMismatch = regexp.MustCompile(`^cannot decode TOML ([a-z ]+) into (?:struct field .+ of type )?(\S+)$`)

// expectedValue says, for go-toml's type-mismatch message found, what the
// key takes and what the file holds instead ("a whole number without
// quotes, such as 10, not a string"); "" for any other message.
func expectedValue(found string) string {
	m := typeMismatch.FindStringSubmatch(found)
	if m == nil {
		return ""
	}
	return wantInstead(m[2], m[1])
}

// wantInstead says what a field of the Go type goType ("int",
// "main.Duration") takes and that the file holds a TOML value of type held
// ("string") instead; "" for a type it cannot name.
func wantInstead(goType, held string) string {
	var want string
	switch {
	case goType == "main.Duration":
		want = `a duration in quotes, such as "30m" or "10s"`
	case goType == "bool":
		want = "true or false, without quotes"
	case goType == "string":
		want = "text in quotes"
	case goType == "float64" || goType == "float32":
		want = "a number without quotes, such as 0.8"
	case strings.HasPrefix(goType, "int") || strings.HasPrefix(goType, "uint"):
		want = "a whole number without quotes, such as 10"
	case goType == "[]string":
		want = `a list of texts in quotes, such as ["en", "fr"]`
	case strings.HasPrefix(goType, "[]"):
		want = "tables, each under its own [[...]] header, as in config.example.toml"
	case strings.Contains(goType, "."):
		want = "a table: a [...] section, as in config.example.toml"
	default:
		return ""
	}
	return want + ", not " + article(held)
}

// article puts "a" or "an" before a TOML type's name.
func article(s string) string {
	if strings.IndexByte("aeiou", s[0]) >= 0 {
		return "an " + s
	}
	return "a " + s
}

// indexedKey names key (as go-toml gives it, "staff.languages") as Validate
// does, with the index of its array table ("staff[1].languages"), from the
// key the file sets on line row; "" when none matches.
func indexedKey(src []byte, key string, row int) string {
	if key == "" || !strings.Contains(key, ".") {
		return ""
	}
	for k, n := range keyLines(src) {
		if n == row && arrayIndex.ReplaceAllString(k, "") == key {
			return k
		}
	}
	return ""
}

// arrayIndex is the index of an array table in a key: "[1]" in "staff[1].name".
var arrayIndex = regexp.MustCompile(`\[[0-9]+\]`)

// Validate reports every problem at once, what only serve needs included.
func (c Config) Validate() error { return c.validate(true) }

// validate is Validate, leaving out unless forServe what only serve needs:
// the platforms' tokens, a staff desk and a roster.
func (c Config) validate(forServe bool) error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if strings.TrimSpace(c.DataDir) == "" {
		bad("data_dir: must not be empty: the directory for the database and the search index")
	}
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level %q: use debug, info, warn or error", c.Log.Level)
	}
	switch c.Log.Format {
	case "json", "text":
	default:
		bad("log.format %q: use json or text", c.Log.Format)
	}
	if err := checkLoopback("admin.addr", c.Admin.Addr); err != nil {
		errs = append(errs, err)
	}
	if t := c.Knowledge.AnswerThreshold; !(t > 0 && t <= 1) { // NaN too
		bad("knowledge.answer_threshold %v: must be above 0 and at most 1 (a calibrated probability)", t)
	}
	// A bare number decodes as nanoseconds: reload_interval = 10 would
	// read the files and the drafts without pause, a core's worth of CPU.
	if d := time.Duration(c.Knowledge.ReloadInterval); d != 0 && d < minReloadInterval {
		bad("knowledge.reload_interval %s: must be at least %s, or \"0s\" to turn reloading off: write a duration in quotes, such as \"10s\"", d, minReloadInterval)
	}
	if _, err := phases.Parse(c.Engine.InitialPhase); err != nil {
		bad("engine.initial_phase: %v", err)
	}
	if _, err := bot.ParseLang(c.Engine.DefaultLanguage); err != nil {
		bad("engine.default_language: %v", err)
	}
	if c.Engine.FloodPerMinute < 1 {
		bad("engine.flood_per_minute %d: must be at least 1", c.Engine.FloodPerMinute)
	}
	if c.Engine.MaxMessageChars < 100 {
		bad("engine.max_message_chars %d: must be at least 100", c.Engine.MaxMessageChars)
	}
	if c.Escalation.RemindAfter < Duration(time.Minute) {
		bad("escalation.remind_after %s: must be at least 1m: write a duration in quotes, such as \"30m\"", time.Duration(c.Escalation.RemindAfter))
	}
	if n := c.Escalation.MaxReminders; n < 0 {
		bad("escalation.max_reminders %d: must not be negative: write how many reminders an unclaimed question gets before the whole desk is told (3), or 0 for none", n)
	}
	if d := c.Privacy.RetentionDays; d < 0 {
		bad("privacy.retention_days %d: must not be negative: write the number of days records keep citizens' text and names (730: two years), or 0 to keep them forever", d)
	}
	if err := c.Web.Validate(); err != nil {
		errs = append(errs, err)
	}
	if forServe && c.webEnabled() {
		if err := c.checkStaffTokens(); err != nil {
			errs = append(errs, err)
		}
	}
	if c.discordEnabled() {
		if forServe && c.secrets.discordToken == "" {
			bad("discord: the [discord] section is set but %s is empty: export the bot token, or remove the section", envDiscordToken)
		}
		if err := c.Discord.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if c.slackEnabled() {
		if forServe {
			if err := slack.CheckTokens(c.secrets.slackBotToken, c.secrets.slackAppToken); err != nil {
				errs = append(errs, err)
			}
		}
		if err := c.Slack.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if forServe && !c.webEnabled() && !c.slackEnabled() {
		// Escalations and reminders would be stored and shown to no one,
		// while citizens are told a member of the team will answer.
		bad("web.enabled = false and Slack is not configured: escalations would reach no staff desk: set web.enabled = true (or remove it) for the web desk, or set slack.desk_channel, with %s and %s in the environment, for the Slack desk", slack.EnvBotToken, slack.EnvAppToken)
	}
	if forServe && len(c.Staff) == 0 {
		// A file replaces the demonstration roster: without its own, every
		// escalation would be routed to nobody, and nobody could answer.
		bad("staff: the file lists no [[staff]]: escalations need at least one member of staff to answer them, and one comms lead (comms_lead = true) to switch phases: add a [[staff]] block for each person, as at the end of config.example.toml")
	}
	seen := map[string]int{}
	desk := map[string]int{}
	for i, s := range c.Staff {
		k := fmt.Sprintf("staff[%d]", i)
		if s.ID == "" {
			bad("%s.id: required: a short stable id such as \"alex\"", k)
		} else if j, dup := seen[s.ID]; dup {
			bad("%s.id %q: also used by staff[%d]", k, s.ID, j)
		} else {
			seen[s.ID] = i
		}
		if s.Name == "" {
			bad("%s.name: required: the name citizens see on answers", k)
		}
		if s.TitleEN == "" || s.TitleFR == "" {
			bad("%s: title_en and title_fr are both required: answers are signed in the citizen's language", k)
		}
		if len(s.Languages) == 0 {
			bad("%s.languages: required: [\"en\"], [\"fr\"] or [\"en\", \"fr\"]", k)
		}
		for _, l := range s.Languages {
			if _, err := bot.ParseLang(l); err != nil {
				bad("%s.languages: %v", k, err)
			}
		}
		if s.DeskUser == "" {
			bad("%s.desk_user: required: the Slack user id (U…) or local desk login", k)
		} else if j, dup := desk[s.DeskUser]; dup {
			bad("%s.desk_user %q: also used by staff[%d]", k, s.DeskUser, j)
		} else {
			desk[s.DeskUser] = i
		}
	}
	if len(c.Staff) > 0 && !c.hasCommsLead() {
		bad("staff: nobody has comms_lead = true: at least one comms lead is needed to switch phases and send broadcasts")
	}
	return c.located(errors.Join(errs...))
}

// located prefixes each of err's problems with the line of the file that
// sets the key it names ("line 12: engine.flood_per_minute 0: ..."). A
// problem names its key first, as "table.key", "staff[1].name" or
// "discord.channel[0]"; one about a key the file leaves out gets the line of
// its table, and one about no key in particular (an environment variable)
// none.
func (c Config) located(err error) error {
	if err == nil || len(c.lines) == 0 {
		return err
	}
	var out []error
	for _, e := range leafErrors(err) {
		key := leadingKey.FindString(e.Error())
		if c.wrongType[key] {
			continue
		}
		for key != "" {
			if n, ok := c.lines[key]; ok {
				e = fmt.Errorf("line %d: %w", n, e)
				break
			}
			i := strings.LastIndexAny(key, ".[")
			if i < 0 {
				break
			}
			key = key[:i]
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

// leadingKey matches the config key a problem starts with.
var leadingKey = regexp.MustCompile(`^[a-z_]+(\[[0-9]+\])?(\.[a-z_]+(\[[0-9]+\])?)*`)

// leafErrors flattens errors.Join trees.
func leafErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, leafErrors(e)...)
		}
		return out
	}
	return []error{err}
}

// keyLines maps every key and table of a TOML file that decoded without
// error to its line (from 1): "privacy.retention_days", "privacy",
// "staff[1].name" for the second [[staff]] table, "staff[1]" for its
// header. go-toml's decoder reports positions for decoding errors only, and
// Validate needs them for values that decode but make no sense: its parser
// gives them, past multi-line strings and arrays. The first line setting a
// key wins.
func keyLines(src []byte) map[string]int {
	lines := map[string]int{}
	var p unstable.Parser
	p.Reset(src)
	li := newLineIndex(src)
	// key is an expression's dotted key and the line it starts on.
	key := func(e *unstable.Node) (string, int) {
		var parts []string
		line := 0
		for it := e.Key(); it.Next(); {
			if line == 0 {
				line, _ = li.at(int(it.Node().Raw.Offset))
			}
			parts = append(parts, string(it.Node().Data))
		}
		return strings.Join(parts, "."), line
	}
	set := func(k string, n int) {
		if _, ok := lines[k]; !ok {
			lines[k] = n
		}
	}
	table := ""
	arrays := map[string]int{}
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.ArrayTable:
			name, n := key(e)
			table = fmt.Sprintf("%s[%d]", name, arrays[name])
			arrays[name]++
			set(table, n)
		case unstable.Table:
			name, n := key(e)
			table = name
			set(table, n)
		case unstable.KeyValue:
			k, n := key(e)
			if table != "" {
				k = table + "." + k
			}
			set(k, n)
		}
	}
	return lines
}

func (c Config) hasCommsLead() bool {
	for _, s := range c.Staff {
		if s.CommsLead {
			return true
		}
	}
	return false
}

// discordEnabled: a token, guilds or channels turn Discord on.
func (c Config) discordEnabled() bool {
	return c.secrets.discordToken != "" || len(c.Discord.Guilds) > 0 || len(c.Discord.Channel) > 0
}

// slackEnabled: tokens or a desk channel turn the Slack desk on.
func (c Config) slackEnabled() bool {
	return c.secrets.slackBotToken != "" || c.secrets.slackAppToken != "" || c.Slack.DeskChannel != ""
}

// webEnabled: on when asked, or in auto mode when Slack is not configured,
// with Discord or without: the web desk is then the staff desk, and the
// web chat, served by the same server, runs with it.
func (c Config) webEnabled() bool {
	mode, _ := c.Web.Enablement()
	switch mode {
	case web.EnabledOn:
		return true
	case web.EnabledOff:
		return false
	}
	return !c.slackEnabled()
}

// roster converts the [[staff]] tables.
func (c Config) roster() bot.Roster {
	var r bot.Roster
	for _, s := range c.Staff {
		st := bot.Staff{ID: s.ID, Name: s.Name, TitleEN: s.TitleEN, TitleFR: s.TitleFR, Topics: s.Topics, DeskUserID: s.DeskUser, CommsLead: s.CommsLead}
		for _, l := range s.Languages {
			if lang, err := bot.ParseLang(l); err == nil {
				st.Languages = append(st.Languages, lang)
			}
		}
		r = append(r, st)
	}
	return r
}

// channels lists the public channels of every enabled platform.
func (c Config) channels() []bot.ChannelConfig {
	var out []bot.ChannelConfig
	if c.webEnabled() {
		out = append(out, c.Web.Channels()...)
	}
	if c.discordEnabled() {
		out = append(out, c.Discord.Channels()...)
	}
	return out
}

// engineConfig builds the engine's configuration.
func (c Config) engineConfig() bot.Config {
	p, _ := phases.Parse(c.Engine.InitialPhase)
	l, _ := bot.ParseLang(c.Engine.DefaultLanguage)
	return bot.Config{
		AnswerThreshold: c.Knowledge.AnswerThreshold,
		InitialPhase:    p,
		DefaultLang:     l,
		RemindAfter:     time.Duration(c.Escalation.RemindAfter),
		MaxReminders:    cmp.Or(c.Escalation.MaxReminders, bot.NoReminders), // 0 is none, not the engine's default
		FloodPerMinute:  c.Engine.FloodPerMinute,
		MaxTextRunes:    c.Engine.MaxMessageChars,
		Channels:        c.channels(),
		Staff:           c.roster(),
		LogCitizenText:  c.Log.CitizenText,
	}
}

// dbPath is the SQLite file in the data directory.
func (c Config) dbPath() string { return filepath.Join(c.DataDir, "liaison.db") }

// indexDir is where the search index is persisted.
func (c Config) indexDir() string { return filepath.Join(c.DataDir, "index") }

// checkLoopback refuses a non-loopback address for admin endpoints, and one
// serve could not listen on.
func checkLoopback(key, addr string) error {
	if err := web.CheckAddr(key, addr, "127.0.0.1:8081"); err != nil {
		return err
	}
	host := addr
	if i := strings.LastIndex(addr, ":"); i >= 0 {
		host = addr[:i]
	}
	host = strings.Trim(host, "[]")
	switch host {
	case "127.0.0.1", "localhost", "::1":
		return nil
	}
	if strings.HasPrefix(host, "127.") {
		return nil
	}
	return fmt.Errorf("%s %q: must be a loopback address such as 127.0.0.1:8081 (health endpoints are for the host only)", key, addr)
}

// maxRefusedValues is how many values the decoder refuses (a duration such
// as "soon", a list of numbers for a list of texts) are reported before the
// reading stops: each is found by decoding the file again.
const maxRefusedValues = 20

// lineIndex holds the offsets at which the lines of a file start, to find
// the line and column of an offset without reading the file from its start
// (as go-toml's Parser.Shape does) for each key of a long file.
type lineIndex []int

func newLineIndex(src []byte) lineIndex {
	li := lineIndex{0}
	for i, c := range src {
		if c == '\n' {
			li = append(li, i+1)
		}
	}
	return li
}

// at is the line and column (from 1, in bytes) of offset off.
func (li lineIndex) at(off int) (line, col int) {
	n := sort.SearchInts(li, off+1) // lines starting at or before off
	return n, off - li[n-1] + 1
}

// wrongValue is a value of the file the decoder cannot take: its key as
// Validate names it, and the message saying what to write; no message for
// the inline table holding such a value, which is left out with it.
type wrongValue struct{ key, msg string }

type wrongValues []wrongValue

// err joins the messages; nil for none.
func (ws wrongValues) err() error {
	var errs []error
	for _, w := range ws {
		if w.msg != "" { // a table left out for a value inside it
			errs = append(errs, errors.New(w.msg))
		}
	}
	return errors.Join(errs...)
}

// wrongTypes finds every key of the file src whose value has the wrong
// type for its field of Config ("yes" for a boolean, true for a duration),
// with its line, column and what to write, and every table header with
// the wrong brackets ([staff] for [[staff]], [[engine]] for [engine]); and
// returns src with those keys, and those headers with their keys, blanked,
// lines kept, for the decoder to read everything else. Keys it does not
// know are left to the decoder.
func wrongTypes(src []byte) (wrongValues, []byte) {
	masked := bytes.Clone(src)
	var wrong wrongValues
	var p unstable.Parser
	p.Reset(src)
	li := newLineIndex(src)
	root := reflect.TypeFor[Config]()
	table, prefix := root, ""
	arrays := map[string]int{}
	// left out: the current table's header has the wrong brackets, so its
	// keys are left out with it rather than read into another table.
	leftOut := false
	for p.NextExpression() {
		e := p.Expression()
		parts, last := keyParts(e)
		name := strings.Join(parts, ".")
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = fieldType(root, parts)
			leftOut = false
			if want := wantedBrackets(e.Kind, name, table); want != "" {
				it := e.Key()
				it.Next()
				line, col := li.at(int(it.Node().Raw.Offset))
				wrong = append(wrong, wrongValue{key: name,
					msg: fmt.Sprintf("line %d, column %d, key %s: %s", line, col, name, want)})
				end := len(src)
				if line < len(li) {
					end = li[line] - 1
				}
				blank(masked, li[line-1], end)
				leftOut = true
				continue
			}
			prefix = name
			if e.Kind == unstable.ArrayTable {
				prefix = fmt.Sprintf("%s[%d]", name, arrays[name])
				arrays[name]++
			}
			if table != nil && table.Kind() == reflect.Slice {
				table = table.Elem()
			}
		case unstable.KeyValue:
			if leftOut {
				blank(masked, int(e.Raw.Offset), int(e.Raw.Offset+e.Raw.Length))
				continue
			}
			ft := fieldType(table, parts)
			if ft == nil {
				continue
			}
			key := name
			if prefix != "" {
				key = prefix + "." + name
			}
			found := len(wrong)
			wrong = wrongIn(wrong, src, li, ft, e.Value(), key, valueOffset(src, last))
			if len(wrong) > found {
				// A value inside an inline table leaves out the whole
				// table: Validate is not to report it as missing either.
				if wrong[found].key != key {
					wrong = append(wrong, wrongValue{key: key})
				}
				blank(masked, int(e.Raw.Offset), int(e.Raw.Offset+e.Raw.Length))
			}
		}
	}
	return wrong, masked
}

// listNouns names what each block of a list of tables describes.
var listNouns = map[string]string{"staff": "person", "discord.channel": "channel", "web.room": "room"}

// wantedBrackets says what to write for the header of a table named name,
// of kind k, for a field of type t, when its brackets are wrong: [staff]
// for a list of tables, [[engine]] for a single section; "" otherwise.
func wantedBrackets(k unstable.Kind, name string, t reflect.Type) string {
	switch {
	case t == nil:
		return ""
	case k == unstable.Table && t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		return fmt.Sprintf("write [[%s]]: one [[%s]] block per %s, as in config.example.toml", name, name, cmp.Or(listNouns[name], "item"))
	case k == unstable.ArrayTable && t.Kind() == reflect.Struct:
		return fmt.Sprintf("write [%s]: one [%s] section, not a list of them, as in config.example.toml", name, name)
	}
	return ""
}

// keyParts is the dotted key of the expression e, part by part, and its
// last part's node (nil for none).
func keyParts(e *unstable.Node) (parts []string, last *unstable.Node) {
	for it := e.Key(); it.Next(); {
		last = it.Node()
		parts = append(parts, string(last.Data))
	}
	return parts, last
}

// valueOffset is the offset in src of the value after the key part last:
// past the '=' and blanks.
func valueOffset(src []byte, last *unstable.Node) int {
	off := int(last.Raw.Offset + last.Raw.Length)
	for off < len(src) && strings.IndexByte(" \t=", src[off]) >= 0 {
		off++
	}
	return off
}

// wrongIn appends to wrong the value v at offset off, for a field of type t
// named key, when it has the wrong type; and those of the keys of an inline
// table (log = { citizen_text = "yes" }), or of a list of them for a list of
// tables (staff = [{ languages = "en" }]), each named by its own key.
func wrongIn(wrong wrongValues, src []byte, li lineIndex, t reflect.Type, v *unstable.Node, key string, off int) wrongValues {
	if want := wantedValue(t, v.Kind); want != "" {
		line, col := li.at(off)
		return append(wrong, wrongValue{key: key,
			msg: fmt.Sprintf("line %d, column %d, key %s: %s", line, col, key, want)})
	}
	switch {
	case v.Kind == unstable.InlineTable && t.Kind() == reflect.Struct:
		for it := v.Children(); it.Next(); {
			kv := it.Node()
			if kv.Kind != unstable.KeyValue {
				continue
			}
			parts, last := keyParts(kv)
			if ft := fieldType(t, parts); ft != nil {
				wrong = wrongIn(wrong, src, li, ft, kv.Value(), key+"."+strings.Join(parts, "."), valueOffset(src, last))
			}
		}
	case v.Kind == unstable.Array && t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		i := 0
		for it := v.Children(); it.Next(); {
			n := it.Node()
			if n.Kind == unstable.Comment {
				continue
			}
			// Only inline tables have their place: other items are left
			// to the decoder, which names it.
			if n.Kind == unstable.InlineTable {
				wrong = wrongIn(wrong, src, li, t.Elem(), n, fmt.Sprintf("%s[%d]", key, i), int(n.Raw.Offset))
			}
			i++
		}
	}
	return wrong
}

// fieldType is the type of the field of t (a struct, or a slice of them)
// that the dotted key parts name by its toml tag; nil when none does.
func fieldType(t reflect.Type, parts []string) reflect.Type {
	for _, part := range parts {
		if t == nil {
			return nil
		}
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return nil
		}
		var next reflect.Type
		for i := range t.NumField() {
			f := t.Field(i)
			if tag, _, _ := strings.Cut(f.Tag.Get("toml"), ","); f.IsExported() && tag == part {
				next = f.Type
				break
			}
		}
		t = next
	}
	return t
}

// wantedValue says what to write for a field of type t that the file gives
// a value of kind k, as expectedValue does; "" when k suits t, or when the
// decoder is left to judge (types that read text themselves, list items).
func wantedValue(t reflect.Type, k unstable.Kind) string {
	var ok bool
	switch {
	case t == reflect.TypeFor[Duration]():
		ok = k == unstable.String || k == unstable.Integer // an integer is refused by Validate
	case reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()):
		return ""
	case t.Kind() == reflect.Bool:
		ok = k == unstable.Bool
	case t.Kind() == reflect.String:
		ok = k == unstable.String
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		ok = k == unstable.Integer
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		ok = k == unstable.Float || k == unstable.Integer
	case t.Kind() == reflect.Slice:
		ok = k == unstable.Array
	case t.Kind() == reflect.Struct:
		ok = k == unstable.InlineTable
	default:
		return ""
	}
	if ok {
		return ""
	}
	// A date-time is left to the decoder, which says what it holds.
	held := map[unstable.Kind]string{unstable.String: "string", unstable.Bool: "boolean", unstable.Integer: "integer",
		unstable.Float: "float", unstable.Array: "array", unstable.InlineTable: "inline table", unstable.LocalDate: "local date",
		unstable.LocalTime: "local time"}[k]
	if held == "" {
		return ""
	}
	return wantInstead(t.String(), held)
}

// blank replaces src[from:to] with spaces, keeping its line breaks.
func blank(src []byte, from, to int) {
	for i := from; i < to && i < len(src); i++ {
		if src[i] != '\n' && src[i] != '\r' {
			src[i] = ' '
		}
	}
}

// maskAt blanks in masked the key and value of the file src that spans its
// line row; false when no key of the file does, or it is blank already.
func maskAt(src, masked []byte, row int) bool {
	var p unstable.Parser
	p.Reset(src)
	li := newLineIndex(src)
	for p.NextExpression() {
		e := p.Expression()
		if e.Kind != unstable.KeyValue {
			continue
		}
		from, to := int(e.Raw.Offset), int(e.Raw.Offset+e.Raw.Length)
		first, _ := li.at(from)
		if first > row {
			return false
		}
		if last, _ := li.at(to); row > last {
			continue
		}
		if len(bytes.TrimSpace(masked[from:to])) == 0 {
			return false
		}
		blank(masked, from, to)
		return true
	}
	return false
}
