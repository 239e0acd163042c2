package slack

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings of the error; none: valid
	}{
		{"defaults need a channel", DefaultConfig(), []string{"slack.desk_channel is required"}},
		{"valid", Config{DeskChannel: "C0123ABCD", Command: "/liaison"}, nil},
		{"private channel id", Config{DeskChannel: "G0123ABCD"}, nil},
		{"api url", Config{DeskChannel: "C1AB", APIURL: "http://127.0.0.1:9999"}, nil},
		{"channel name instead of id", Config{DeskChannel: "#desk"}, []string{`slack.desk_channel "#desk" is not a Slack channel id`}},
		{"everything wrong at once", Config{DeskChannel: "desk", APIURL: "slack.com", Command: "liaison now"},
			[]string{"slack.desk_channel", "slack.api_url", "slack.command"}},
		{"command too long", Config{DeskChannel: "C1AB", Command: "/" + strings.Repeat("a", 40)}, []string{"slack.command"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate accepted it")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
		})
	}
}

func TestCheckTokens(t *testing.T) {
	tests := []struct {
		bot, app string
		want     []string
	}{
		{"xoxb-1", "xapp-1", nil},
		{"", "", []string{EnvBotToken + " is not set", EnvAppToken + " is not set"}},
		{"xapp-secret", "xoxb-secret", []string{EnvBotToken + " is not a bot token", EnvAppToken + " is not an app-level token"}},
	}
	for _, tt := range tests {
		err := CheckTokens(tt.bot, tt.app)
		if len(tt.want) == 0 {
			if err != nil {
				t.Errorf("CheckTokens: %v", err)
			}
			continue
		}
		if err == nil {
			t.Errorf("CheckTokens(%q, %q) accepted", tt.bot, tt.app)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error lacks %q: %v", w, err)
			}
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("error shows a token: %v", err)
		}
	}
}

func TestManifest(t *testing.T) {
	m, err := Manifest("")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		"socket_mode_enabled: true", "is_enabled: true", "- command: /liaison\n",
		"- chat:write\n", "- channels:history\n", "- groups:history\n", "- commands\n",
		"- message.channels\n", "- message.groups\n", "should_escape: false",
	} {
		if !strings.Contains(m, w) {
			t.Errorf("manifest lacks %q", w)
		}
	}
	// Exactly these bot scopes: anything more must be justified here first.
	scopes := m[strings.Index(m, "    bot:\n"):strings.Index(m, "settings:")]
	if n := strings.Count(scopes, "      - "); n != 4 {
		t.Errorf("manifest asks for %d bot scopes, want 4:\n%s", n, scopes)
	}
	if strings.Contains(m, "\t") {
		t.Error("manifest has tabs: YAML wants spaces")
	}
	// What staff read about the app is in both official languages, within
	// Slack's 140 characters for the short description.
	for _, w := range []string{"Staff desk", "Bureau du personnel", "broadcast | status", "diffusion | état"} {
		if !strings.Contains(m, w) {
			t.Errorf("manifest lacks %q", w)
		}
	}
	_, desc, _ := strings.Cut(m, "\n  description: ")
	desc, _, _ = strings.Cut(desc, "\n")
	if desc = strings.ReplaceAll(strings.Trim(desc, `"`), `\u00a0`, "\u00a0"); utf8.RuneCountInString(desc) > 140 {
		t.Errorf("the app description has %d characters, Slack allows 140: %s", utf8.RuneCountInString(desc), desc)
	}
	dev, err := Manifest("/liaison-dev")
	if err != nil || !strings.Contains(dev, "- command: /liaison-dev\n") || strings.Contains(dev, "- command: /liaison\n") {
		t.Errorf("Manifest(/liaison-dev) = %v:\n%s", err, dev)
	}
	if _, err := Manifest("liaison"); err == nil {
		t.Error("a command without a slash was accepted")
	}
}
