// Command liaison runs the Liaison bot and its operator tools.
//
//	liaison serve [--config FILE]      run the bot (embedded defaults with no config)
//	liaison ask "text"                 what the bot would answer in phase 2
//	liaison kb check|stats|search|eval|bench|drafts
//	liaison phase show|set
//	liaison broadcast --en TEXT --fr TEXT [--at TIME] [--channel ID]...
//	liaison archive export [--since DATE] [--until DATE] [--contains TEXT] [--out FILE]
//	liaison archive purge [--before DATE | --older-than-days N]
//	liaison report [--since DATE] [--json]
//	liaison discord invite-url
//	liaison slack manifest
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// defaultGCPercent is the collector's target when GOGC is not set: half of
// Go's default of 100. Liaison's live heap is mostly the knowledge base's
// statistics, which change only on reload, so collecting more often costs
// little CPU and keeps the footprint small on shared hosts (kb bench on
// 10,000 entries: a 120-135 MB peak against 170-180 MB at 100). GOGC and
// GOMEMLIMIT in the environment still apply as usual.
const defaultGCPercent = 50

func main() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(defaultGCPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) && !errors.Is(err, errReported) {
			fmt.Fprintln(os.Stderr, "liaison:", err)
		}
		os.Exit(exitCode(err))
	}
}

// errReported marks an error whose details were already written to stderr
// (kb check's list of problems, for instance): main only sets the exit code.
var errReported = errors.New("reported")

// exitCode is 0 for help asked for (-h, --help), 2 for usage errors, 1
// for everything else.
func exitCode(err error) int {
	var u usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &u):
		return 2
	}
	return 1
}

// parseFlags parses a command's flags: help asked for stays flag.ErrHelp,
// any other mistake (an unknown flag, a bad value) is a usage error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usagef("%s: %v", fs.Name(), err)
}

// isHelp reports whether a command's first argument asks for its usage.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help" || arg == "help"
}

// usageError is a command-line mistake: wrong command, flag or argument.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// command is one subcommand: it parses its own flags from args.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the bot (embedded defaults when no config is given)", runServe},
		{"ask", "show what the bot would answer in phase 2", runAsk},
		{"kb", "knowledge base: check, stats, search, eval, bench, drafts", runKB},
		{"phase", "show or set the rollout phase", runPhase},
		{"broadcast", "send or schedule a bilingual announcement", runBroadcast},
		{"archive", "records: export as JSON Lines, purge personal data past retention", runArchive},
		{"report", "activity: questions, answers, escalations, response times, feedback, gaps", runReport},
		{"discord", "Discord helpers: invite-url", runDiscord},
		{"slack", "Slack helpers: manifest", runSlack},
	}
}

// run is the whole CLI, with its arguments and writers passed in so that
// tests can drive it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || isHelp(args[0]) {
		usage(stderr)
		if len(args) == 0 {
			return usagef("a command is required")
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	usage(stderr)
	return usagef("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: liaison COMMAND [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'liaison COMMAND -h' for a command's flags.")
}
