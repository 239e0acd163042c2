package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/liaison-gc/liaison/channels/slack"
)

// runSlack is `liaison slack manifest`: it prints the Slack app manifest to
// paste into https://api.slack.com/apps (Create New App → From an app
// manifest).
func runSlack(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "manifest" {
		fmt.Fprintln(stderr, "Usage: liaison slack manifest [--command /NAME]")
		if len(args) == 0 {
			return usagef("slack: a subcommand is required: manifest")
		}
		if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
			return flag.ErrHelp
		}
		return usagef("slack: unknown subcommand %q: use manifest", args[0])
	}
	fs := flag.NewFlagSet("slack manifest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	command := fs.String("command", slack.DefaultCommand, "slash command to declare (must match slack.command in the config)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: liaison slack manifest [--command /NAME]\n\nPrints the Slack app manifest (YAML) for the staff desk.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("slack manifest: unexpected argument %q", fs.Arg(0))
	}
	m, err := slack.Manifest(*command)
	if err != nil {
		return usagef("%v", err)
	}
	_, err = io.WriteString(stdout, m)
	return err
}
