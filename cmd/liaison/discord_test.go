package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/liaison-gc/liaison/channels/discord"
)

func TestDiscordInviteURL(t *testing.T) {
	dir := t.TempDir()
	withID := filepath.Join(dir, "with.toml")
	os.WriteFile(withID, []byte("[discord]\napplication_id = \"123456789012345678\"\nguilds = [\"1\"]\n"), 0o600)
	withoutID := filepath.Join(dir, "without.toml")
	os.WriteFile(withoutID, []byte("[discord]\nguilds = [\"1\"]\n"), 0o600)
	broken := filepath.Join(dir, "broken.toml")
	os.WriteFile(broken, []byte("[discord\n"), 0o600)

	tests := []struct {
		name    string
		args    []string
		id      string // the client_id expected in the URL
		usage   bool
		wantErr string
	}{
		{"flag", []string{"discord", "invite-url", "--application-id", "987654321098765432"}, "987654321098765432", false, ""},
		{"config", []string{"discord", "invite-url", "--config", withID}, "123456789012345678", false, ""},
		{"flag wins", []string{"discord", "invite-url", "--config", withID, "--application-id", "987654321098765432"}, "987654321098765432", false, ""},
		{"no id", []string{"discord", "invite-url"}, "", true, "application id is required"},
		{"config without id", []string{"discord", "invite-url", "--config", withoutID}, "", true, "discord.application_id is not set"},
		{"broken config", []string{"discord", "invite-url", "--config", broken}, "", false, "line 1"},
		{"missing config", []string{"discord", "invite-url", "--config", filepath.Join(dir, "nope.toml")}, "", false, "no such file"},
		{"malformed id", []string{"discord", "invite-url", "--application-id", "my-bot"}, "", true, "not a Discord id"},
		{"no subcommand", []string{"discord"}, "", true, "invite-url"},
		{"unknown subcommand", []string{"discord", "invite"}, "", true, "unknown subcommand"},
		{"extra argument", []string{"discord", "invite-url", "--application-id", "1", "now"}, "", true, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errw bytes.Buffer
			err := run(context.Background(), tt.args, &out, &errw)
			if tt.id == "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				if got := exitCode(err) == 2; got != tt.usage {
					t.Errorf("exit code %d for %v", exitCode(err), err)
				}
				if out.Len() != 0 {
					t.Errorf("stdout %q on error", out.String())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(strings.TrimSpace(out.String()))
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			if u.Scheme != "https" || u.Host != "discord.com" || u.Path != "/oauth2/authorize" || q.Get("client_id") != tt.id ||
				q.Get("scope") != "bot applications.commands" || q.Get("permissions") != strconv.FormatInt(discord.Permissions, 10) {
				t.Errorf("URL %s", u)
			}
			if !strings.Contains(out.String(), "scope=bot%20applications.commands") {
				t.Errorf("scope not encoded with %%20: %s", out.String())
			}
		})
	}
	var out, errw bytes.Buffer
	if err := run(context.Background(), []string{"discord", "invite-url", "-h"}, &out, &errw); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
	if !strings.Contains(errw.String(), "--application-id") && !strings.Contains(errw.String(), "-application-id") {
		t.Errorf("help does not list the flags: %s", errw.String())
	}
}

// invite-url reads its --config file as serve does: every value of the
// wrong type and unknown key is reported at once, each with its line, not
// the application id's alone; the token, which a URL does not need, is
// not asked for.
func TestDiscordInviteURLReportsEveryProblemOfTheFile(t *testing.T) {
	clearSecrets(t)
	p := writeFile(t, "invite.toml", `[log]
citizen_text = "yes"
[discord]
application_id = 5
[engine]
flood_per_minute = "ten"
flood_per_minut = 3
`)
	_, _, err := runCLI(t, "discord", "invite-url", "--config", p)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{p,
		"line 2, column 16, key log.citizen_text: true or false, without quotes, not a string",
		"line 4, column 18, key discord.application_id: text in quotes, not an integer",
		"line 6, column 20, key engine.flood_per_minute: a whole number without quotes, such as 10, not a string",
		"line 7, column 1: unknown key \"engine.flood_per_minut\"",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if exitCode(err) != 1 {
		t.Errorf("exit code %d", exitCode(err))
	}
	ok := writeFile(t, "ok.toml", "[discord]\napplication_id = \"123456789012345678\"\nguilds = [\"1\"]\n")
	out, _, err := runCLI(t, "discord", "invite-url", "--config", ok)
	if err != nil || !strings.Contains(out, "client_id=123456789012345678") {
		t.Errorf("without the token: %q, %v", out, err)
	}
}
