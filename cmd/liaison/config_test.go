package main

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func clearSecrets(t *testing.T) {
	for _, k := range []string{envDiscordToken, envWebToken, "LIAISON_SLACK_BOT_TOKEN", "LIAISON_SLACK_APP_TOKEN"} {
		t.Setenv(k, "")
	}
	for k := range personalTokens(os.Environ()) {
		t.Setenv(k, "")
	}
}

func TestEmbeddedDefaultsAreValid(t *testing.T) {
	clearSecrets(t)
	cfg, err := loadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.webEnabled() || cfg.discordEnabled() || cfg.slackEnabled() {
		t.Errorf("defaults: web %v discord %v slack %v", cfg.webEnabled(), cfg.discordEnabled(), cfg.slackEnabled())
	}
	ec := cfg.engineConfig()
	if ec.InitialPhase.String() != "replies" || len(ec.Staff) != 3 || len(ec.Channels) == 0 {
		t.Errorf("engine config = %+v", ec)
	}
}

// config.example.toml shows every key with its default: read as shipped it
// is valid, and every section of it, the roster included, is the embedded
// defaults. The [discord] and [slack] sections and the [[web.room]] blocks
// are commented out in the file (on, they would connect, or replace the
// default rooms): their keys are read uncommented, and those that show an
// example of what to fill in rather than a default (server and channel
// ids, another server's address) are left out of the comparison. Only
// what no file sets is not compared: secrets, read from the environment,
// and where the configuration came from.
func TestExampleConfigIsTheEmbeddedDefaults(t *testing.T) {
	clearSecrets(t)
	example := filepath.Join("..", "..", "config.example.toml")
	if _, err := loadConfig(example); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	cfg, problems, err := readConfig(writeFile(t, "example.toml", uncommentSections(string(b))))
	if err != nil || problems != nil {
		t.Fatalf("config.example.toml with its sections uncommented: %v %v", err, problems)
	}
	def := DefaultConfig()
	cfg.Discord.Guilds, cfg.Discord.APIURL, cfg.Discord.Channel = def.Discord.Guilds, def.Discord.APIURL, def.Discord.Channel
	cfg.Slack.DeskChannel, cfg.Slack.APIURL = def.Slack.DeskChannel, def.Slack.APIURL
	got, want := reflect.ValueOf(cfg), reflect.ValueOf(def)
	for i := range got.NumField() {
		f := got.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		if !reflect.DeepEqual(got.Field(i).Interface(), want.Field(i).Interface()) {
			t.Errorf("config.example.toml: %s differs from the embedded default:\nexample %+v\ndefault %+v",
				f.Tag.Get("toml"), got.Field(i).Interface(), want.Field(i).Interface())
		}
	}
}

var (
	commentedHeader = regexp.MustCompile(`^# (\[\[?[a-z_.]+\]\]?)\s*$`)
	commentedKey    = regexp.MustCompile(`^# ([a-z_]+ = .*)$`)
)

// uncommentSections turns on, in the TOML file src, the tables whose
// header is commented out ("# [discord]") and their commented keys
// ("# dms = true"), up to the next line that is not a comment.
func uncommentSections(src string) string {
	lines := strings.Split(src, "\n")
	in := false
	for i, l := range lines {
		switch {
		case commentedHeader.MatchString(l):
			in = true
			lines[i] = commentedHeader.ReplaceAllString(l, "$1")
		case in && commentedKey.MatchString(l):
			lines[i] = commentedKey.ReplaceAllString(l, "$1")
		case strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "#"):
			in = false
		}
	}
	return strings.Join(lines, "\n")
}

func TestUnknownKeyNamesTheLine(t *testing.T) {
	clearSecrets(t)
	p := writeFile(t, "typo.toml", "data_dir = \"x\"\n\n[knowledge]\nanswer_treshold = 0.7\n")
	_, err := loadConfig(p)
	if err == nil {
		t.Fatal("a misspelt key was accepted")
	}
	for _, want := range []string{p, "line 4", "knowledge.answer_treshold", "config.example.toml"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestBadValueNamesTheLine(t *testing.T) {
	clearSecrets(t)
	p := writeFile(t, "bad.toml", "[escalation]\nremind_after = \"soon\"\n")
	_, err := loadConfig(p)
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "30m") {
		t.Fatalf("err = %v", err)
	}
}

func TestEveryProblemIsReportedAtOnce(t *testing.T) {
	clearSecrets(t)
	p := writeFile(t, "many.toml", `
[log]
level = "loud"
[admin]
addr = "0.0.0.0:8081"
[knowledge]
answer_threshold = 1.5
[engine]
initial_phase = "launch"
default_language = "de"
[[staff]]
id = "a"
name = "A"
title_en = "Officer"
languages = ["en", "es"]
desk_user = "ua"
[[staff]]
id = "a"
name = "B"
title_en = "Officer"
title_fr = "Agente"
languages = ["fr"]
desk_user = "ua"
`)
	_, err := loadConfig(p)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"log.level", "admin.addr", "knowledge.answer_threshold", "engine.initial_phase",
		"engine.default_language", "staff[0]: title_en and title_fr", "staff[0].languages", "staff[1].id", "staff[1].desk_user", "comms_lead"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q", want)
		}
	}
	// Each names the line that sets the key, or the header of its table
	// when the key is missing.
	for _, want := range []string{"line 3: log.level", "line 5: admin.addr", "line 7: knowledge.answer_threshold",
		"line 9: engine.initial_phase", "line 10: engine.default_language", "line 11: staff[0]: title_en",
		"line 15: staff[0].languages", "line 18: staff[1].id", "line 23: staff[1].desk_user"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// A misspelt key does not hide the file's bad values: both are reported at
// once, each with its line.
func TestUnknownKeysAndBadValuesAreReportedTogether(t *testing.T) {
	clearSecrets(t)
	p := writeFile(t, "two.toml", "[knowledge]\nanswer_treshold = 0.7\n[engine]\nflood_per_minute = 0\n"+staffTOML)
	_, err := loadConfig(p)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{p, "line 2, column 1: unknown key \"knowledge.answer_treshold\"", "line 4: engine.flood_per_minute 0"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestPlatformsAreEnabledByTheirTokensAndSections(t *testing.T) {
	clearSecrets(t)
	t.Setenv(envDiscordToken, "secret-token-value")
	_, err := loadConfig("")
	if err == nil || !strings.Contains(err.Error(), "discord.guilds") {
		t.Fatalf("a Discord token without [discord] must name discord.guilds: %v", err)
	}
	if strings.Contains(err.Error(), "secret-token-value") {
		t.Fatal("the error shows the token")
	}
	clearSecrets(t)
	p := writeFile(t, "slack.toml", "[slack]\ndesk_channel = \"C0123ABCD\"\n"+staffTOML)
	if _, err := loadConfig(p); err == nil || !strings.Contains(err.Error(), "LIAISON_SLACK_BOT_TOKEN") {
		t.Fatalf("[slack] without tokens: %v", err)
	}
	t.Setenv("LIAISON_SLACK_BOT_TOKEN", "xoxb-1-2-abc")
	t.Setenv("LIAISON_SLACK_APP_TOKEN", "xapp-1-A1-2-abc")
	cfg, err := loadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.slackEnabled() || cfg.webEnabled() {
		t.Errorf("slack %v web %v: with Slack configured the web chat is off unless enabled", cfg.slackEnabled(), cfg.webEnabled())
	}
}

// Without Slack, and with the web server turned off, escalations would be
// stored and shown to no one while citizens are told a member of the team
// will answer: serve refuses to start, naming the keys and what to do. The
// host's commands, which never escalate, still run with the file.
func TestServeRefusesAConfigurationWithNoStaffDesk(t *testing.T) {
	clearSecrets(t)
	t.Setenv(envDiscordToken, "discord-bot-token-value")
	p := writeFile(t, "nodesk.toml", "data_dir = \""+t.TempDir()+"\"\n[web]\nenabled = false\n"+
		"[discord]\nguilds = [\"111111111111111111\"]\napi_url = \"http://127.0.0.1:1\"\n"+staffTOML)
	// Stopped before it starts: serve returns at once if it does not refuse.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	err := run(ctx, []string{"serve", "--config", p}, &out, &errOut)
	if err == nil {
		t.Fatalf("serve started with no staff desk:\n%s", out.String())
	}
	for _, want := range []string{p, "line 3: web.enabled = false and Slack is not configured", "no staff desk",
		"set web.enabled = true", "slack.desk_channel", "LIAISON_SLACK_BOT_TOKEN and LIAISON_SLACK_APP_TOKEN"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if _, _, err := runCLI(t, "phase", "show", "--config", p); err != nil {
		t.Errorf("phase show with the same file: %v", err)
	}
	// Either desk will do.
	for name, toml := range map[string]string{
		"web":   "[web]\nenabled = true\n",
		"slack": "[web]\nenabled = false\n[slack]\ndesk_channel = \"C0123ABCD\"\n",
	} {
		t.Setenv("LIAISON_SLACK_BOT_TOKEN", "xoxb-1-2-abc")
		t.Setenv("LIAISON_SLACK_APP_TOKEN", "xapp-1-A1-2-abc")
		if name == "web" {
			t.Setenv("LIAISON_SLACK_BOT_TOKEN", "")
			t.Setenv("LIAISON_SLACK_APP_TOKEN", "")
		}
		p := writeFile(t, name+".toml", toml+"[discord]\nguilds = [\"111111111111111111\"]\n"+staffTOML)
		if _, err := loadConfig(p); err != nil {
			t.Errorf("%s desk: %v", name, err)
		}
	}
}

// A file replaces the demonstration roster: one that lists no [[staff]]
// would have escalations routed to nobody and answered by nobody, so serve
// refuses it, naming the file and pointing to the example. The host's
// commands, which never escalate, still run with it.
func TestServeRefusesAFileWithNoStaff(t *testing.T) {
	clearSecrets(t)
	p := writeFile(t, "nostaff.toml", "data_dir = \""+t.TempDir()+"\"\n[admin]\naddr = \"127.0.0.1:0\"\n[web]\naddr = \"127.0.0.1:0\"\n")
	// Stopped before it starts: serve returns at once if it does not refuse.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	err := run(ctx, []string{"serve", "--config", p}, &out, &errOut)
	if err == nil {
		t.Fatalf("serve started with no staff:\n%s", out.String())
	}
	for _, want := range []string{"config " + p + ":", "lists no [[staff]]", "at least one member of staff", "one comms lead",
		"add a [[staff]] block for each person, as at the end of config.example.toml"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	for _, args := range [][]string{
		{"phase", "show"},
		{"phase", "set", "broadcast", "--by", "ops", "--reason", "outage"},
		{"broadcast", "--en", "Offices close at noon.", "--fr", "Les bureaux ferment à midi.", "--by", "ops", "--channel", "help"},
		{"report"},
		{"archive", "export"},
		{"kb", "drafts", "list"},
	} {
		if _, _, err := runCLI(t, append(args, "--config", p)...); err != nil {
			t.Errorf("%s with a file without [[staff]]: %v", strings.Join(args, " "), err)
		}
	}
}

const staffTOML = `
[[staff]]
id = "sam"
name = "Sam"
title_en = "Lead"
title_fr = "Responsable"
languages = ["en"]
desk_user = "U1"
comms_lead = true
`

func TestResolveChannel(t *testing.T) {
	clearSecrets(t)
	cfg, _ := loadConfig("")
	tests := []struct {
		in   string
		want bot.ChannelKey
		bad  bool
	}{
		{"", "", false},
		{"web:help", "web:help", false},
		{"help", "web:help", false},
		{"nowhere", "", true},
	}
	for _, tt := range tests {
		got, err := resolveChannel(cfg, tt.in)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("resolveChannel(%q) = %q, %v", tt.in, got, err)
		}
	}
}

func TestRetentionDays(t *testing.T) {
	clearSecrets(t)
	cfg, err := loadConfig("")
	if err != nil || cfg.Privacy.RetentionDays != 730 {
		t.Fatalf("default retention_days = %d, %v; want 730 (what the sample knowledge base promises)", cfg.Privacy.RetentionDays, err)
	}
	tests := []struct {
		name string
		toml string
		days int
		want []string // in the error; none: valid
	}{
		{name: "set", toml: "[privacy]\nretention_days = 365\n", days: 365},
		{name: "forever", toml: "[privacy]\nretention_days = 0\n", days: 0},
		{name: "omitted", toml: "[privacy]\n", days: 730},
		{name: "negative", toml: "data_dir = \"x\"\n\n[privacy]\n# comment\nretention_days = -1\n",
			want: []string{"line 5", "privacy.retention_days -1", "must not be negative", "0 to keep them forever"}},
		{name: "negative dotted", toml: "privacy.retention_days = -30\n",
			want: []string{"line 1", "privacy.retention_days -30"}},
		{name: "not a number", toml: "[privacy]\nretention_days = \"two years\"\n",
			want: []string{"line 2", "privacy.retention_days"}},
		{name: "misspelt", toml: "[privacy]\nretention_day = 30\n",
			want: []string{"line 2", "privacy.retention_day", "config.example.toml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, "privacy.toml", tt.toml+staffTOML)
			cfg, err := loadConfig(p)
			if len(tt.want) == 0 {
				if err != nil || cfg.Privacy.RetentionDays != tt.days {
					t.Fatalf("retention_days = %d, %v; want %d", cfg.Privacy.RetentionDays, err, tt.days)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted retention_days = %d", cfg.Privacy.RetentionDays)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// escalation.max_reminders caps the reminders of an unclaimed escalation:
// 3 by default, 0 for none (the engine's NoReminders, not its default), and
// a negative count is refused with the key named.
func TestMaxReminders(t *testing.T) {
	clearSecrets(t)
	tests := []struct {
		name   string
		toml   string
		engine int      // bot.Config.MaxReminders
		want   []string // in the error; none: valid
	}{
		{name: "omitted", toml: "[escalation]\n", engine: 3},
		{name: "set", toml: "[escalation]\nmax_reminders = 5\n", engine: 5},
		{name: "none", toml: "[escalation]\nmax_reminders = 0\n", engine: bot.NoReminders},
		{name: "negative", toml: "[escalation]\nremind_after = \"1h\"\nmax_reminders = -2\n",
			want: []string{"line 3", "escalation.max_reminders -2", "must not be negative"}},
		{name: "not a number", toml: "[escalation]\nmax_reminders = \"three\"\n",
			want: []string{"line 2", "escalation.max_reminders"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, "escalation.toml", tt.toml+staffTOML)
			cfg, err := loadConfig(p)
			if len(tt.want) == 0 {
				if err != nil || cfg.engineConfig().MaxReminders != tt.engine {
					t.Fatalf("engine MaxReminders = %d, %v; want %d", cfg.engineConfig().MaxReminders, err, tt.engine)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted max_reminders = %d", cfg.Escalation.MaxReminders)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// The threshold is a calibrated probability: not a number, or an infinity,
// is refused like any value out of range (a NaN compares false with every
// bound, and the bot would then never answer).
func TestAnswerThreshold(t *testing.T) {
	clearSecrets(t)
	tests := []struct {
		value string
		want  float64 // when valid
		bad   bool
	}{
		{value: "0.9", want: 0.9},
		{value: "1", want: 1},
		{value: "0", bad: true},
		{value: "1.5", bad: true},
		{value: "-0.2", bad: true},
		{value: "nan", bad: true},
		{value: "+nan", bad: true},
		{value: "-nan", bad: true},
		{value: "inf", bad: true},
		{value: "-inf", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			p := writeFile(t, "threshold.toml", "[knowledge]\nanswer_threshold = "+tt.value+"\n"+staffTOML)
			cfg, err := loadConfig(p)
			if !tt.bad {
				if err != nil || cfg.Knowledge.AnswerThreshold != tt.want {
					t.Fatalf("answer_threshold = %v, %v; want %v", cfg.Knowledge.AnswerThreshold, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted answer_threshold = %v", cfg.Knowledge.AnswerThreshold)
			}
			if !strings.Contains(err.Error(), "line 2: knowledge.answer_threshold") {
				t.Errorf("error lacks the line and key:\n%v", err)
			}
		})
	}
}

// Lines come from the TOML parser: a multi-line string holding what looks
// like a table or a key does not shift them, and quoted and dotted keys
// are named as Validate names them.
func TestKeyLines(t *testing.T) {
	src := `[engine]
flood_per_minute = 0
[[staff]]
name = """
[log]
level = "x"
"""
"comms_lead" = true
[[staff]]
knowledge.answer_threshold = 2
`
	got := keyLines([]byte(src))
	want := map[string]int{"engine": 1, "engine.flood_per_minute": 2, "staff[0]": 3, "staff[0].name": 4, "staff[0].comms_lead": 8, "staff[1]": 9, "staff[1].knowledge.answer_threshold": 10}
	if !maps.Equal(got, want) {
		t.Errorf("keyLines = %v, want %v", got, want)
	}
}

// A bare number is read as nanoseconds: reload_interval = 10 would look for
// edits without pause and burn a core. It is refused, as is any interval
// under a second, with the line and how to write a duration; "0s" turns
// reloading off.
func TestReloadInterval(t *testing.T) {
	clearSecrets(t)
	tests := []struct {
		value string
		want  time.Duration // when valid
		bad   bool
	}{
		{value: `"10s"`, want: 10 * time.Second},
		{value: `"1s"`, want: time.Second},
		{value: `"0s"`, want: 0},
		{value: `10`, bad: true},
		{value: `"1ns"`, bad: true},
		{value: `"500ms"`, bad: true},
		{value: `"-1s"`, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			p := writeFile(t, "reload.toml", "[knowledge]\nreload_interval = "+tt.value+"\n"+staffTOML)
			cfg, err := loadConfig(p)
			if !tt.bad {
				if err != nil || time.Duration(cfg.Knowledge.ReloadInterval) != tt.want {
					t.Fatalf("reload_interval = %v, %v; want %v", time.Duration(cfg.Knowledge.ReloadInterval), err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted reload_interval = %v", time.Duration(cfg.Knowledge.ReloadInterval))
			}
			for _, want := range []string{"line 2: knowledge.reload_interval", `"10s"`} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%v", want, err)
				}
			}
		})
	}
}

// A value of the wrong type names the line and the key, the key of an
// array table with its index as Validate names it, and says what to write
// there, not the Go field and type the decoder meets.
func TestWrongTypeSaysWhatToWrite(t *testing.T) {
	clearSecrets(t)
	tests := []struct {
		name, body string
		want       []string
	}{
		{"string for a number", "[engine]\nflood_per_minute = \"ten\"\n",
			[]string{"line 2, column 20, key engine.flood_per_minute: a whole number without quotes, such as 10, not a string"}},
		{"string for a boolean", "[log]\ncitizen_text = \"yes\"\n",
			[]string{"line 2, column 16, key log.citizen_text: true or false, without quotes, not a string"}},
		{"float for a whole number", "[privacy]\nretention_days = 1.5\n",
			[]string{"key privacy.retention_days: a whole number without quotes, such as 10, not a float"}},
		{"string for a probability", "[knowledge]\nanswer_threshold = \"high\"\n",
			[]string{"key knowledge.answer_threshold: a number without quotes, such as 0.8, not a string"}},
		{"number for a text", "data_dir = 5\n", []string{"line 1, column 12, key data_dir: text in quotes, not an integer"}},
		{"string for a list, second staff member", "[[staff]]\nid = \"a\"\n[[staff]]\nid = \"b\"\nlanguages = \"en\"\n",
			[]string{"line 5, column 13, key staff[1].languages: a list of texts in quotes"}},
		{"number for a table", "log = 3\n", []string{"key log: a table"}},
		{"number for array tables", "staff = 3\n", []string{"key staff: tables, each under its own [[...]] header"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, "type.toml", tt.body)
			_, err := loadConfig(p)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, want := range append(tt.want, p) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%v", want, err)
				}
			}
			for _, jargon := range []string{"main.", "struct field", "of type"} {
				if strings.Contains(err.Error(), jargon) {
					t.Errorf("error speaks Go (%q):\n%v", jargon, err)
				}
			}
		})
	}
	// The invite command reads the file with a decoder of its own.
	p := writeFile(t, "invite.toml", "[discord]\napplication_id = 5\n")
	_, _, err := runCLI(t, "discord", "invite-url", "--config", p)
	if err == nil || !strings.Contains(err.Error(), "key discord.application_id: text in quotes, not an integer") || strings.Contains(err.Error(), "struct") {
		t.Errorf("invite-url: %v", err)
	}
}

// Values of the wrong type do not stop the reading at the first: each is
// reported with its line, column, key and what to write, together with the
// file's other problems (a duration that is not one, a misspelt key, a bad
// value), and the key is not also reported as missing.
func TestWrongTypesAreReportedWithEveryOtherProblem(t *testing.T) {
	clearSecrets(t)
	p := writeFile(t, "types.toml", `[log]
citizen_text = "yes"
level = "loud"
[knowledge]
answer_threshold = "high"
answer_treshold = 1
reload_interval = "often"
[escalation]
remind_after = true
[engine]
flood_per_minute = 0
`+staffTOML+`
[[staff]]
id = "b"
name = "B"
title_en = "Officer"
title_fr = "Agente"
languages = "en"
desk_user = "U2"
`)
	_, err := loadConfig(p)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{p,
		"line 2, column 16, key log.citizen_text: true or false, without quotes, not a string",
		"line 3: log.level \"loud\"",
		"line 5, column 20, key knowledge.answer_threshold: a number without quotes, such as 0.8, not a string",
		"line 6, column 1: unknown key \"knowledge.answer_treshold\"",
		"line 7, column 19, key knowledge.reload_interval: ", "\"often\" is not a duration: write it like \"30m\"",
		"line 9, column 16, key escalation.remind_after: a duration in quotes, such as \"30m\" or \"10s\", not a boolean",
		"line 11: engine.flood_per_minute 0",
		"line 27, column 13, key staff[1].languages: a list of texts in quotes, such as [\"en\", \"fr\"], not a string",
		// go-toml's quote of the file shows its lines as written.
		"5| answer_threshold = \"high\"",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "staff[1].languages: required") {
		t.Errorf("a list of the wrong type is also reported as missing:\n%v", err)
	}
}

// A file of thousands of values the decoder refuses (a [[staff]] table's
// languages = [1], ten thousand times) is reported at once: the first ones,
// each with its line, and where the reading stopped, instead of decoding
// the file again after each, for hours.
func TestManyRefusedValuesAreReportedAtOnce(t *testing.T) {
	clearSecrets(t)
	var b strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&b, "[[staff]]\nid = \"s%d\"\nname = \"S\"\ntitle_en = \"Officer\"\ntitle_fr = \"Agente\"\nlanguages = [1]\ndesk_user = \"U%d\"\n", i, i)
	}
	p := writeFile(t, "many.toml", b.String())
	_, err := loadConfig(p)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		"line 6, column 14, key staff[0].languages: text in quotes, not an integer",
		"line 13, column 14, key staff[1].languages: text in quotes, not an integer",
		fmt.Sprintf("line %d, column 14, key staff[%d].languages: text in quotes, not an integer", 6+7*maxRefusedValues, maxRefusedValues),
		fmt.Sprintf("more than %d values are refused: correct these and load the file again", maxRefusedValues),
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q", want)
		}
	}
	if n := strings.Count(err.Error(), "key staff["); n != maxRefusedValues+1 {
		t.Errorf("%d values reported, want %d", n, maxRefusedValues+1)
	}
}

// A value of the wrong type inside an inline table, or in a list of them
// for the [[staff]] tables, is named by its own key (log.citizen_text,
// staff[1].languages), not by the table's, which would say that the table
// is to be true or false or a list of texts; the table is not also
// reported as missing.
func TestWrongTypeInsideAnInlineTableNamesItsKey(t *testing.T) {
	clearSecrets(t)
	p := writeFile(t, "inline.toml", `log = { level = "info", citizen_text = "yes" }
staff = [
  { id = "a", name = "A", title_en = "Officer", title_fr = "Agente", languages = ["en"], desk_user = "U1" },
  { id = "b", name = "B", title_en = "Officer", title_fr = "Agente", languages = "en", desk_user = "U2" }, # fr soon
]
`)
	_, err := loadConfig(p)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		"line 1, column 40, key log.citizen_text: true or false, without quotes, not a string",
		"line 4, column 82, key staff[1].languages: a list of texts in quotes, such as [\"en\", \"fr\"], not a string",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Count(err.Error(), "\n") != 2 {
		t.Errorf("other problems reported:\n%v", err)
	}
}

// A file saved with a byte order mark (Notepad) is read as without one, its
// lines and columns as written.
func TestByteOrderMarkIsIgnored(t *testing.T) {
	clearSecrets(t)
	p := writeFile(t, "bom.toml", "\ufeff[log]\r\ncitizen_text = \"yes\"\r\nlevel = \"loud\"\r\n"+staffTOML)
	_, err := loadConfig(p)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		"line 2, column 16, key log.citizen_text: true or false, without quotes, not a string",
		"line 3: log.level \"loud\"",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	p = writeFile(t, "bom-valid.toml", "\ufeffdata_dir = \"./d\"\n"+staffTOML)
	cfg, err := loadConfig(p)
	if err != nil || cfg.DataDir != "./d" {
		t.Errorf("valid file with a byte order mark: %q, %v", cfg.DataDir, err)
	}
}

// A table written with one pair of brackets where the file is to hold a
// list of them ([staff] for [[staff]], [web.room], [discord.channel]), or
// with two where it holds one section ([[engine]]), is reported with its
// line and what to write, together with every other problem of the file,
// instead of stopping the reading (two [staff] blocks) or being taken
// silently (one [web.room] rewrites a room of the defaults).
func TestTableBracketsSayWhatToWrite(t *testing.T) {
	clearSecrets(t)
	p := writeFile(t, "brackets.toml", `[log]
level = "loud"
[staff]
id = "a"
name = "A"
[staff]
id = "b"
[web.room]
id = "lobby"
[discord.channel]
id = "1"
[[engine]]
flood_per_minute = 20
[[web]]
addr = "127.0.0.1:8080"
[privacy]
retention_days = -1
`+staffTOML)
	_, err := loadConfig(p)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{p,
		"line 2: log.level \"loud\"",
		"line 3, column 2, key staff: write [[staff]]: one [[staff]] block per person",
		"line 6, column 2, key staff: write [[staff]]: one [[staff]] block per person",
		"line 8, column 2, key web.room: write [[web.room]]: one [[web.room]] block per room",
		"line 10, column 2, key discord.channel: write [[discord.channel]]: one [[discord.channel]] block per channel",
		"line 12, column 3, key engine: write [engine]: one [engine] section, not a list of them",
		"line 14, column 3, key web: write [web]: one [web] section, not a list of them",
		"line 17: privacy.retention_days -1",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	// The keys under such a header are not read into another table, nor
	// into the file's [[staff]] block.
	for _, unwanted := range []string{"unknown key", "already exists", "array table", "staff[0].", "staff[1]", "LIAISON_DISCORD_TOKEN"} {
		if strings.Contains(err.Error(), unwanted) {
			t.Errorf("error has %q:\n%v", unwanted, err)
		}
	}
}

// A --config that names no file, or a directory, says so with the path
// given and what to do, for every command that reads it.
func TestConfigPathMistakesSayWhatToDo(t *testing.T) {
	clearSecrets(t)
	dir := t.TempDir()
	missing := filepath.Join(dir, "liaison.toml")
	for _, args := range [][]string{{"serve"}, {"phase", "show"}, {"discord", "invite-url"}} {
		for _, tt := range []struct{ path, want string }{
			{missing, "config " + missing + ": no such file: check the path given with --config"},
			{dir, "config " + dir + " is a directory: give the configuration file (TOML) with --config"},
		} {
			_, _, err := runCLI(t, append(args, "--config", tt.path)...)
			if err == nil || err.Error() != tt.want {
				t.Errorf("%v --config %s: %v\nwant %s", args, tt.path, err, tt.want)
			}
			if exitCode(err) != 1 {
				t.Errorf("%v --config %s: exit code %d", args, tt.path, exitCode(err))
			}
		}
	}
}

// A host operator's commands read the database only: with Discord and
// Slack configured, they run without the platforms' tokens in their
// environment (an access-to-information officer exporting records need not
// hold the bot's secrets), and still report every other mistake. serve,
// which connects, still names each missing variable.
func TestHostCommandsNeedNoPlatformTokens(t *testing.T) {
	clearSecrets(t)
	t.Chdir(t.TempDir())
	platforms := "data_dir = \"data\"\n[discord]\nguilds = [\"123456789012345678\"]\n[[discord.channel]]\nid = \"345678901234567890\"\nname = \"help\"\n[slack]\ndesk_channel = \"C0123ABCD\"\n" + staffTOML
	p := writeFile(t, "platforms.toml", platforms)
	for _, args := range [][]string{
		{"phase", "show", "--config", p},
		{"phase", "set", "broadcast", "--channel", "help", "--by", "sam", "--reason", "pilot", "--config", p},
		{"broadcast", "--en", "Closed Friday.", "--fr", "Fermé vendredi.", "--channel", "help", "--by", "sam", "--config", p},
		{"report", "--config", p},
		{"archive", "export", "--config", p},
		{"archive", "purge", "--config", p},
		{"kb", "drafts", "list", "--config", p},
	} {
		if _, stderr, err := runCLI(t, args...); err != nil {
			t.Errorf("%s: %v\n%s", strings.Join(args[:2], " "), err, stderr)
		}
	}
	out, _, err := runCLI(t, "phase", "show", "--config", p)
	if err != nil || !strings.Contains(out, "discord:345678901234567890") {
		t.Errorf("phase show without tokens lists the Discord channel: %v\n%s", err, out)
	}
	bad := writeFile(t, "bad.toml", strings.Replace(platforms, `name = "help"`, "name = \"help\"\nlang = \"french\"", 1))
	if _, _, err := runCLI(t, "report", "--config", bad); err == nil || !strings.Contains(err.Error(), "discord.channel[0].lang") {
		t.Errorf("a host command still reports a mistake in the file: %v", err)
	}
	_, err = loadConfig(p)
	for _, want := range []string{envDiscordToken, "LIAISON_SLACK_BOT_TOKEN", "LIAISON_SLACK_APP_TOKEN"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("serve's configuration without tokens must name %s: %v", want, err)
		}
	}
}

// A token pasted into the file by mistake, under the key it would have or
// in an inline table, is never echoed in the error (which serve's service
// manager keeps in its logs), and the error says which variable holds it.
func TestTokenPastedIntoTheFileIsNotEchoed(t *testing.T) {
	clearSecrets(t)
	p := writeFile(t, "tokens.toml", `web = { token = "webSecretValue1234567" }
[discord]
token = "MTEyMzQ1Njc4OTAxMjM0NTY3OA.GhIjKl.discordSecretValue"
guilds = ["123456789012345678"]
[slack]
bot_token = "xoxb-1234-5678-slackSecretValue"
app_token = 'xapp-1-A1-appSecretValue'
`+staffTOML)
	for _, args := range [][]string{{"serve"}, {"phase", "show"}} {
		_, stderr, err := runCLI(t, append(args, "--config", p)...)
		if err == nil {
			t.Fatalf("%v: accepted", args)
		}
		msg := stderr + err.Error()
		for _, secret := range []string{"discordSecretValue", "slackSecretValue", "appSecretValue", "webSecretValue"} {
			if strings.Contains(msg, secret) {
				t.Errorf("%v: the error shows %s:\n%s", args, secret, msg)
			}
		}
		for _, want := range []string{
			`line 3, column 1: key "discord.token": secrets are read from the environment only, never from this file: delete the line and export LIAISON_DISCORD_TOKEN instead`,
			`line 6, column 1: key "slack.bot_token": secrets are read from the environment only, never from this file: delete the line and export LIAISON_SLACK_BOT_TOKEN instead`,
			`key "slack.app_token"`, "export LIAISON_SLACK_APP_TOKEN instead",
			`3| token = "[hidden]"`, `1| web = { token = "[hidden]" }`,
		} {
			if !strings.Contains(msg, want) {
				t.Errorf("%v: the error lacks %q:\n%s", args, want, msg)
			}
		}
	}
}

// A port out of range, or an address without one, is a mistake of the
// file reported with its line and every other problem, before serve opens
// the database or the knowledge base, rather than the first listen's
// failure alone.
func TestListenAddressesAreChecked(t *testing.T) {
	clearSecrets(t)
	p := writeFile(t, "ports.toml", "data_dir = \""+t.TempDir()+"\"\n[admin]\naddr = \"127.0.0.1:70000\"\n[web]\naddr = \"127.0.0.1:99999\"\n[log]\nlevel = \"loud\"\n"+staffTOML)
	_, _, err := runCLI(t, "serve", "--config", p)
	for _, want := range []string{
		`line 3: admin.addr: "127.0.0.1:70000": port 70000 is out of range: use a port from 1 to 65535 (example: "127.0.0.1:8081")`,
		`line 5: web.addr: "127.0.0.1:99999": port 99999 is out of range: use a port from 1 to 65535 (example: "127.0.0.1:8080")`,
		`line 7: log.level "loud"`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q: %v", want, err)
		}
	}
	p = writeFile(t, "noport.toml", "[admin]\naddr = \"127.0.0.1\"\n"+staffTOML)
	if _, err := loadConfig(p); err == nil || !strings.Contains(err.Error(), `line 2: admin.addr: "127.0.0.1" is not host:port (example: "127.0.0.1:8081")`) {
		t.Errorf("admin.addr without a port: %v", err)
	}
}
