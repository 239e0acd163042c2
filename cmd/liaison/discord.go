package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/liaison-gc/liaison/channels/discord"
)

const discordUsage = "Usage: liaison discord invite-url [--application-id ID | --config FILE]"

// runDiscord is `liaison discord invite-url`: it prints the OAuth2 URL that
// adds the bot to a server with exactly the permissions it needs (see
// discord.Permissions).
func runDiscord(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "invite-url" {
		fmt.Fprintln(stderr, discordUsage)
		if len(args) == 0 {
			return usagef("discord: a subcommand is required: invite-url")
		}
		if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
			return flag.ErrHelp
		}
		return usagef("discord: unknown subcommand %q: use invite-url", args[0])
	}
	fs := flag.NewFlagSet("discord invite-url", flag.ContinueOnError)
	fs.SetOutput(stderr)
	appID := fs.String("application-id", "", "the application's id (Developer Portal → General Information → Application ID)")
	configPath := fs.String("config", "", "configuration file whose discord.application_id to use")
	fs.Usage = func() {
		fmt.Fprintln(stderr, discordUsage+"\n\nPrints the URL that adds the bot to a Discord server with the permissions it needs.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("discord invite-url: unexpected argument %q", fs.Arg(0))
	}
	id := strings.TrimSpace(*appID)
	if id == "" && *configPath != "" {
		var err error
		if id, err = applicationID(*configPath); err != nil {
			return err
		}
	}
	if id == "" {
		return usagef("discord invite-url: the application id is required: pass --application-id ID (Developer Portal → General Information → Application ID) or set discord.application_id in the file given with --config")
	}
	u, err := discord.InviteURL(id)
	if err != nil {
		return usagef("%v", err)
	}
	_, err = fmt.Fprintln(stdout, u)
	return err
}

// applicationID reads discord.application_id from a configuration file.
// The file is read as serve reads it, every value of the wrong type and
// unknown key reported at once, but not validated: printing a URL needs
// neither the token nor a complete configuration.
func applicationID(path string) (string, error) {
	cfg, problems, err := readConfig(path)
	if err != nil {
		return "", err
	}
	if problems != nil {
		return "", fmt.Errorf("config %s:\n%w", path, problems)
	}
	id := strings.TrimSpace(cfg.Discord.ApplicationID)
	if id == "" {
		return "", usagef("config %s: discord.application_id is not set: add it to the [discord] section or pass --application-id", path)
	}
	return id, nil
}
