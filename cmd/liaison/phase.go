package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/i18n"
	"github.com/liaison-gc/liaison/phases"
	"github.com/liaison-gc/liaison/store"
)

// openAdmin loads the configuration and opens the store for a host
// operator's command. When there was no database yet it creates one and
// says so on stderr: a command given another data_dir than serve's (a
// forgotten --config) would otherwise seem to work while serve never sees
// what it did.
func openAdmin(ctx context.Context, configPath string, stderr io.Writer) (Config, *store.DB, bot.Admin, error) {
	cfg, err := loadHostConfig(configPath)
	if err != nil {
		return cfg, nil, bot.Admin{}, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return cfg, nil, bot.Admin{}, fmt.Errorf("data_dir %s: %w", cfg.DataDir, err)
	}
	_, statErr := os.Stat(cfg.dbPath())
	st, err := store.Open(ctx, cfg.dbPath())
	if err != nil {
		return cfg, nil, bot.Admin{}, err
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		fmt.Fprintf(stderr, "Note: there was no database at %s: a new, empty one was created. A 'liaison serve' running with another data_dir does not see it: give this command the --config that serve runs with.\n", cfg.dbPath())
	}
	msgs, err := i18n.NewCatalog()
	if err != nil {
		st.Close()
		return cfg, nil, bot.Admin{}, err
	}
	ec := cfg.engineConfig()
	return cfg, st, bot.Admin{Store: st, Messages: msgs, Staff: ec.Staff, InitialPhase: ec.InitialPhase, Channels: ec.Channels}, nil
}

// phaseUsage lists the phase subcommands, for -h and mistakes.
const phaseUsage = `Usage:
  liaison phase show [--config FILE] [--history N]
  liaison phase set PHASE --by NAME --reason TEXT [--channel KEY|NAME] [--config FILE]
  liaison phase set --clear --channel KEY|NAME --by NAME --reason TEXT [--config FILE]

PHASE is broadcast (1), replies (2) or outreach (3). Run 'liaison phase show -h'
or 'liaison phase set -h' for each one's flags.`

func runPhase(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("phase: use 'liaison phase show' or 'liaison phase set PHASE --by NAME --reason TEXT [--channel KEY|NAME]'")
	}
	if isHelp(args[0]) {
		fmt.Fprintln(stderr, phaseUsage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "show":
		return phaseShow(ctx, args[1:], stdout, stderr)
	case "set":
		return phaseSet(ctx, args[1:], stdout, stderr)
	}
	return usagef("phase: unknown subcommand %q: use show or set", args[0])
}

func phaseShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("phase show", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "configuration file; empty: embedded defaults")
	history := fs.Int("history", 10, "how many recent changes to list (0: all)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("phase show: unexpected argument %q", fs.Arg(0))
	}
	if *history < 0 {
		return usagef("phase show: --history %d: give how many changes to list, or 0 for all", *history)
	}
	cfg, st, admin, err := openAdmin(ctx, *configPath, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	state, err := st.PhaseState(ctx, admin.InitialPhase)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Global phase: %s (%d)\n", state.Global, state.Global)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	chans := cfg.channels()
	if len(chans) > 0 || len(state.Overrides) > 0 {
		fmt.Fprintln(tw, "CHANNEL\tNAME\tPHASE\t")
		seen := map[string]bool{}
		for _, c := range chans {
			seen[string(c.Key)] = true
			p := state.For(string(c.Key))
			mark := ""
			if _, ok := state.Overrides[string(c.Key)]; ok {
				mark = "override"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Key, c.Name, p, mark)
		}
		for _, k := range state.Channels() {
			if !seen[k] {
				fmt.Fprintf(tw, "%s\t(not configured)\t%s\toverride\n", k, state.Overrides[k])
			}
		}
		tw.Flush()
	}
	changes, err := st.PhaseChanges(ctx, *history)
	if err != nil {
		return err
	}
	if len(changes) > 0 {
		fmt.Fprintln(stdout, "\nRecent changes:")
		for _, c := range changes {
			scope := "global"
			if c.Channel != "" {
				scope = c.Channel
			}
			fmt.Fprintf(stdout, "  %s  %-8s %s → %s  by %s (%s): %s\n", c.At.Local().Format("2006-01-02 15:04"), scope, c.From, c.To, c.By, c.Via, c.Reason)
		}
	}
	return nil
}

func phaseSet(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("phase set", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "configuration file; empty: embedded defaults")
	channel := fs.String("channel", "", "channel to override: its key (web:help), id, or name in either language (help, aide); empty: the global phase")
	by := fs.String("by", "", "who is making the change (required)")
	reason := fs.String("reason", "", "why (required; recorded and announced to staff)")
	clear := fs.Bool("clear", false, "remove the channel's override (with --channel)")
	phaseArg, rest := splitPositional(args)
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("phase set: unexpected argument %q: %s", fs.Arg(0), quoteHint)
	}
	var p phases.Phase
	switch {
	case *clear && *channel == "":
		return usagef("phase set --clear needs --channel")
	case *clear:
		if phaseArg != "" {
			return usagef("phase set --clear takes no PHASE")
		}
	case phaseArg == "":
		return usagef("phase set: PHASE is required: broadcast (1), replies (2) or outreach (3)")
	default:
		var err error
		if p, err = phases.Parse(phaseArg); err != nil {
			return usageError{err.Error()}
		}
	}
	cfg, st, admin, err := openAdmin(ctx, *configPath, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	key, err := resolveChannel(cfg, *channel)
	if err != nil && *clear && strings.Contains(*channel, ":") {
		// A channel removed from the configuration may keep an override
		// in the store: its full key ends it (the store decides).
		key, err = bot.ChannelKey(strings.TrimSpace(*channel)), nil
	}
	if err != nil {
		return err
	}
	c, err := admin.SetPhase(ctx, bot.PhaseRequest{Actor: bot.Actor{Via: "cli", Name: strings.TrimSpace(*by)}, Phase: p, Channel: key, Reason: *reason})
	if err != nil {
		if errors.Is(err, bot.ErrInvalid) {
			hint := ""
			if errors.Is(err, phases.ErrInvalidChange) && strings.TrimSpace(*reason) == "" {
				hint = " Give it with --reason TEXT: it is recorded and announced to staff."
			}
			return refused("phase set", err, hint)
		}
		return err
	}
	const applied = "Recorded and announced to staff; a running 'liaison serve' applies it within seconds."
	if c.Channel != "" && c.To == 0 {
		state, err := st.PhaseState(ctx, admin.InitialPhase)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s follows the global phase again: %s (was %s). %s\n", c.Channel, state.Global, c.From, applied)
		return nil
	}
	scope := "everywhere"
	if c.Channel != "" {
		scope = "in " + c.Channel
	}
	fmt.Fprintf(stdout, "Phase %s %s (was %s). %s\n", c.To, scope, c.From, applied)
	return nil
}

// refused is a request the engine refused (bot.ErrInvalid) as a usage
// error: its explanations, as the desks show them, one a line, then hint.
func refused(cmd string, err error, hint string) error {
	why := bot.Explain(err, bot.English)
	if why == "" {
		why = err.Error()
	}
	if strings.Contains(why, "\n") {
		why = "\n  " + strings.ReplaceAll(why, "\n", "\n  ")
	} else {
		why = " " + why
	}
	return usagef("%s:%s%s", cmd, why, hint)
}

// splitPositional pulls the first non-flag argument out of args, so that
// "set replies --by x" and "set --by x replies" both work.
func splitPositional(args []string) (string, []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			if i+1 < len(args) {
				return args[i+1], append(append([]string{}, args[:i]...), args[i+2:]...)
			}
			break
		}
		if strings.HasPrefix(a, "-") {
			if !strings.Contains(a, "=") && !isBoolFlag(a) {
				i++ // skip the flag's value
			}
			continue
		}
		return a, append(append([]string{}, args[:i]...), args[i+1:]...)
	}
	return "", args
}

// quoteHint ends the message for an argument a command does not take,
// most often the second word of a flag's text written without quotes.
const quoteHint = "put text with spaces in quotes"

func isBoolFlag(a string) bool {
	a = strings.TrimLeft(a, "-")
	return a == "clear" || a == "json" || a == "h" || a == "help"
}

// resolveChannel accepts a channel key ("discord:123") or a bare id or name
// matching exactly one configured channel. A name is either of a web
// room's (English or French), in any case, with or without its "#".
func resolveChannel(cfg Config, s string) (bot.ChannelKey, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	var matches []bot.ChannelKey
	for _, c := range cfg.channels() {
		if string(c.Key) == s {
			return c.Key, nil
		}
		if c.Key.ID() == s || c.Named(s) {
			matches = append(matches, c.Key)
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		var keys []string
		for _, c := range cfg.channels() {
			keys = append(keys, string(c.Key))
		}
		return "", usagef("unknown channel %q: use one of %s", s, strings.Join(keys, ", "))
	}
	return "", usagef("channel %q is ambiguous: use the full key, one of %v", s, matches)
}

func runBroadcast(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("broadcast", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "configuration file; empty: embedded defaults")
	en := fs.String("en", "", "the English text (required)")
	fr := fs.String("fr", "", "the French text (required)")
	at := fs.String("at", "", "when to send: RFC 3339 (2026-11-23T09:00:00-05:00), local \"2026-11-23 09:00\", or \"+2h\"; empty: now")
	by := fs.String("by", os.Getenv("USER"), "who is sending it (recorded)")
	var chans stringList
	fs.Var(&chans, "channel", "channel to post to: its key (web:help), id, or name in either language (help, aide); repeatable; none: every channel configured for broadcasts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("broadcast: unexpected arguments %q: put the texts in --en and --fr", fs.Args())
	}
	now := time.Now()
	when, err := parseWhen(*at, now)
	if err != nil {
		return usageError{err.Error()}
	}
	// The engine refuses it too (and audits it); said here first, in the
	// terms of the command line.
	if bot.BroadcastPast(when, now) {
		return usagef("broadcast: --at %s is past: leave --at out to send now, or give a time to come", when.Local().Format("2006-01-02 15:04 MST"))
	}
	cfg, st, admin, err := openAdmin(ctx, *configPath, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	var keys []bot.ChannelKey
	for _, c := range chans {
		k, err := resolveChannel(cfg, c)
		if err != nil {
			return err
		}
		keys = append(keys, k)
	}
	name := strings.TrimSpace(*by)
	if name == "" {
		name = "operator"
	}
	b, err := admin.Broadcast(ctx, bot.BroadcastRequest{Actor: bot.Actor{Via: "cli", Name: name}, EN: *en, FR: *fr, At: when, Channels: keys})
	if err != nil {
		if errors.Is(err, bot.ErrInvalid) {
			return refused("broadcast", err, "")
		}
		return err
	}
	target := "every broadcast channel"
	if len(keys) > 0 {
		var ks []string
		for _, k := range keys {
			ks = append(ks, string(k))
		}
		target = strings.Join(ks, ", ")
	}
	fmt.Fprintf(stdout, "Announcement %d scheduled for %s to %s. The running 'liaison serve' sends it once, in both languages.\n",
		b.ID, b.At.Local().Format("2006-01-02 15:04 MST"), target)
	return nil
}

// parseWhen reads --at.
func parseWhen(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if strings.HasPrefix(s, "+") {
		d, err := time.ParseDuration(s[1:])
		if err != nil {
			return time.Time{}, fmt.Errorf("--at %q: write a delay like +30m or +2h", s)
		}
		return now.Add(d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if layout == time.RFC3339 {
			if t, err := time.Parse(layout, s); err == nil {
				return t, nil
			}
			continue
		}
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--at %q: use RFC 3339 (2026-11-23T09:00:00-05:00), \"2026-11-23 09:00\" (local time) or \"+2h\"", s)
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }
