package slack

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Environment variables holding the Slack tokens. Tokens never live in the
// configuration file and are never logged.
const (
	EnvBotToken = "LIAISON_SLACK_BOT_TOKEN" // xoxb-…: Web API calls as the bot user
	EnvAppToken = "LIAISON_SLACK_APP_TOKEN" // xapp-…: opens Socket Mode connections
)

// DefaultCommand is the slash command the shipped manifest declares.
const DefaultCommand = "/liaison"

// Config is the `[slack]` section of the configuration file.
type Config struct {
	// DeskChannel is the id of the Slack channel where escalations are
	// posted and staff answer in threads ("C0123ABCD"). Required.
	DeskChannel string `toml:"desk_channel"`
	// APIURL replaces https://slack.com for a Slack-compatible server (and
	// tests). Empty: Slack itself.
	APIURL string `toml:"api_url"`
	// Command is the slash command comms leads and staff type. It must match
	// the app manifest. Empty: DefaultCommand.
	Command string `toml:"command"`
}

// DefaultConfig returns the section's defaults: no desk channel (it must be
// set) and the default slash command.
func DefaultConfig() Config { return Config{Command: DefaultCommand} }

var (
	channelIDRe = regexp.MustCompile(`^[CG][A-Z0-9]{2,}$`)
	commandRe   = regexp.MustCompile(`^/[a-z0-9][a-z0-9_-]{0,30}$`)
)

// Validate reports every problem in c at once, each naming its key in the
// `[slack]` section and what to do about it.
func (c Config) Validate() error {
	var errs []error
	switch {
	case strings.TrimSpace(c.DeskChannel) == "":
		errs = append(errs, errors.New("slack.desk_channel is required: the id of the Slack channel where escalations go (channel details → About, such as C0123ABCD)"))
	case !channelIDRe.MatchString(c.DeskChannel):
		errs = append(errs, fmt.Errorf("slack.desk_channel %q is not a Slack channel id: use the id (such as C0123ABCD), not the #name", c.DeskChannel))
	}
	if c.APIURL != "" {
		u, err := url.Parse(c.APIURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("slack.api_url %q is not an http(s) URL: remove it to use Slack, or give the server's base URL (such as https://slack.example.org)", c.APIURL))
		}
	}
	if c.Command != "" && !commandRe.MatchString(c.Command) {
		errs = append(errs, fmt.Errorf("slack.command %q is not a slash command: use a slash, then up to 31 lowercase letters, digits, - or _ (default %s)", c.Command, DefaultCommand))
	}
	return errors.Join(errs...)
}

// command returns the configured slash command or the default.
func (c Config) command() string {
	if c.Command == "" {
		return DefaultCommand
	}
	return c.Command
}

// apiURL returns the Web API base URL slack-go expects (with "/api/").
func (c Config) apiURL() string {
	if c.APIURL == "" {
		return "https://slack.com/api/"
	}
	return strings.TrimRight(c.APIURL, "/") + "/api/"
}

// CheckTokens reports whether the bot and app tokens look like what Slack
// issues, naming the environment variable at fault (never the value).
func CheckTokens(botToken, appToken string) error {
	var errs []error
	switch {
	case botToken == "":
		errs = append(errs, fmt.Errorf("%s is not set: give the app's Bot User OAuth Token (xoxb-…)", EnvBotToken))
	case !strings.HasPrefix(botToken, "xoxb-"):
		errs = append(errs, fmt.Errorf("%s is not a bot token: it must start with xoxb- (OAuth & Permissions → Bot User OAuth Token)", EnvBotToken))
	}
	switch {
	case appToken == "":
		errs = append(errs, fmt.Errorf("%s is not set: give an app-level token with the connections:write scope (xapp-…)", EnvAppToken))
	case !strings.HasPrefix(appToken, "xapp-"):
		errs = append(errs, fmt.Errorf("%s is not an app-level token: it must start with xapp- (Basic Information → App-Level Tokens, scope connections:write)", EnvAppToken))
	}
	return errors.Join(errs...)
}
