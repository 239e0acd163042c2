package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// Asking any command or subcommand for its usage prints it on stderr and
// exits 0, as asking is not a mistake; it touches no data directory. A
// mistake still exits 2, and a mistaken drafts subcommand creates nothing
// either.
func TestHelpOfEveryCommandExitsZero(t *testing.T) {
	clearSecrets(t)
	tests := [][]string{
		{"--help"}, {"help"},
		{"serve", "--help"},
		{"ask", "-h"},
		{"kb", "--help"}, {"kb", "check", "--help"}, {"kb", "stats", "-h"}, {"kb", "search", "-h"}, {"kb", "eval", "--help"},
		{"kb", "bench", "-h"}, {"kb", "calibrate", "-h"},
		{"kb", "drafts", "--help"}, {"kb", "drafts", "-h"}, {"kb", "drafts", "list", "-h"}, {"kb", "drafts", "approve", "--help"},
		{"phase", "--help"}, {"phase", "-h"}, {"phase", "show", "-h"}, {"phase", "set", "--help"},
		{"broadcast", "--help"},
		{"archive", "--help"}, {"archive", "-h"}, {"archive", "export", "-h"}, {"archive", "purge", "--help"},
		{"report", "--help"},
		{"discord", "--help"}, {"discord", "invite-url", "--help"},
		{"slack", "-h"}, {"slack", "manifest", "--help"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			var out, errw bytes.Buffer
			err := run(context.Background(), args, &out, &errw)
			if code := exitCode(err); code != 0 {
				t.Errorf("exit code %d (%v), want 0", code, err)
			}
			if !strings.Contains(strings.ToLower(errw.String()), "usage") {
				t.Errorf("no usage on stderr:\n%s", errw.String())
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("asking for help created %v", ents)
			}
		})
	}
	for _, args := range [][]string{{"phase", "list"}, {"archive", "delete"}, {"kb", "drafts", "remove", "3"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			var out, errw bytes.Buffer
			if code := exitCode(run(context.Background(), args, &out, &errw)); code != 2 {
				t.Errorf("exit code %d, want 2", code)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("a mistaken command created %v", ents)
			}
		})
	}
}

// An unknown flag, or a flag without its value, is a usage mistake on every
// command: exit 2, as the kb commands already did, and nothing is created.
func TestMistakenFlagIsAUsageError(t *testing.T) {
	clearSecrets(t)
	tests := [][]string{
		{"serve", "--bogus"}, {"serve", "--config"},
		{"phase", "show", "--bogus"}, {"phase", "show", "--history", "ten"}, {"phase", "set", "replies", "--bogus"},
		{"broadcast", "--bogus"},
		{"archive", "export", "--bogus"}, {"archive", "purge", "--older-than-days", "ninety"},
		{"report", "--bogus"}, {"report", "--since"},
		{"kb", "drafts", "list", "--bogus"},
		{"discord", "invite-url", "--bogus"},
		{"slack", "manifest", "--bogus"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			var out, errw bytes.Buffer
			err := run(context.Background(), args, &out, &errw)
			if code := exitCode(err); code != 2 {
				t.Errorf("exit code %d (%v), want 2", code, err)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("a mistaken flag created %v", ents)
			}
		})
	}
}

// An argument a command does not take (words of an unquoted --reason or
// --en-answer, a state written without --state) is a usage mistake naming
// it, instead of being dropped while the rest is recorded; nothing is
// created.
func TestUnexpectedArgumentIsAUsageError(t *testing.T) {
	clearSecrets(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"phase", "show", "now"}, `phase show: unexpected argument "now"`},
		{[]string{"phase", "set", "replies", "--by", "sam", "--reason", "pilot", "in", "help"}, `phase set: unexpected argument "in": put text with spaces in quotes`},
		{[]string{"phase", "set", "replies", "now", "--by", "sam", "--reason", "pilot"}, `phase set: unexpected argument "now"`},
		{[]string{"kb", "drafts", "list", "approved"}, `kb drafts list: unexpected argument "approved"`},
		{[]string{"kb", "drafts", "export", "approved"}, `kb drafts export: unexpected argument "approved"`},
		{[]string{"kb", "drafts", "show", "1", "2"}, `kb drafts show: unexpected argument "2"`},
		{[]string{"kb", "drafts", "edit", "1", "--en-answer", "Only", "service", "animals"}, `kb drafts edit: unexpected argument "service": put text with spaces in quotes`},
		{[]string{"kb", "drafts", "show"}, "kb drafts show: a draft number is required"},
		{[]string{"kb", "drafts", "approve", "abc", "--by", "sam"}, `kb drafts approve: "abc" is not a draft number`},
		{[]string{"phase", "show", "--history", "-1"}, "phase show: --history -1: give how many changes to list, or 0 for all"},
		{[]string{"kb", "bench", "--entries", "-1"}, "kb bench: --entries -1: give how many entries to generate, at least 1"},
		{[]string{"kb", "bench", "--queries", "0"}, "kb bench: --queries 0: give how many searches to time, at least 1"},
		{[]string{"kb", "bench", "10000"}, `kb bench: unexpected argument "10000"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			var out, errw bytes.Buffer
			err := run(context.Background(), tt.args, &out, &errw)
			if code := exitCode(err); code != 2 {
				t.Errorf("exit code %d (%v), want 2", code, err)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("a mistaken argument created %v", ents)
			}
		})
	}
}

// A --state that is none of the drafts' states is a usage mistake naming
// them, instead of an empty list or an empty export that look like no
// drafts at all.
func TestDraftsStateMustBeOneOfTheStates(t *testing.T) {
	clearSecrets(t)
	for _, sub := range []string{"list", "export"} {
		t.Run(sub, func(t *testing.T) {
			t.Chdir(t.TempDir())
			_, _, err := runCLI(t, "kb", "drafts", sub, "--state", "aproved")
			want := `kb drafts ` + sub + `: --state "aproved": use draft, approved, in-files, rejected or all`
			if exitCode(err) != 2 || err.Error() != want {
				t.Errorf("err = %v (exit %d), want %s", err, exitCode(err), want)
			}
		})
	}
}

// The usage of --channel says what it takes, as resolveChannel does: a
// channel's key, its id, or its name in either language.
func TestChannelFlagUsageNamesEveryWayToGiveAChannel(t *testing.T) {
	clearSecrets(t)
	for _, args := range [][]string{{"phase", "set", "-h"}, {"broadcast", "-h"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Chdir(t.TempDir())
			_, stderr, _ := runCLI(t, args...)
			_, usage, _ := strings.Cut(stderr, "-channel")
			usage, _, _ = strings.Cut(usage, "\n  -")
			for _, want := range []string{"key (web:help)", "id", "name in either language (help, aide)"} {
				if !strings.Contains(usage, want) {
					t.Errorf("--channel usage lacks %q:%s", want, usage)
				}
			}
		})
	}
}
