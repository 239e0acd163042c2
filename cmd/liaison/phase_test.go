package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// A comms lead may name a web room by either of its names, in any case,
// with or without its "#": « #aide » finds the room named Help / Aide as
// "help" does.
func TestPhaseSetFindsAWebRoomByEitherName(t *testing.T) {
	cfg, _ := testConfig(t)
	for i, name := range []string{"aide", "#aide", "Aide", "#Help", "help", "général"} {
		phase := []string{"replies", "broadcast"}[i%2] // each a change: setting the phase a room has is refused
		out, _, err := runCLI(t, "phase", "set", phase, "--channel", name, "--by", "ops", "--reason", "pilot", "--config", cfg)
		want := "web:help"
		if name == "général" {
			want = "web:general"
		}
		if err != nil || !strings.Contains(out, "in "+want+" ") {
			t.Errorf("phase set --channel %q = %q, %v; want the phase set in %s", name, out, err, want)
		}
	}
}

// Ending a channel's override says that the channel follows the global
// phase again, and which one, rather than "Phase inherit".
func TestPhaseClearSaysTheChannelFollowsTheGlobalPhase(t *testing.T) {
	cfg, _ := testConfig(t)
	if _, _, err := runCLI(t, "phase", "set", "broadcast", "--channel", "help", "--by", "ops", "--reason", "pilot", "--config", cfg); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "phase", "set", "--clear", "--channel", "help", "--by", "ops", "--reason", "pilot over", "--config", cfg)
	if want := "web:help follows the global phase again: replies (was broadcast)."; err != nil || !strings.HasPrefix(out, want) {
		t.Errorf("phase set --clear = %q, %v; want it to start %q", out, err, want)
	}
}

// A host command run where there is no database yet (before the first
// serve, or with another data_dir than serve's: a forgotten --config) says
// that it created a new, empty one, rather than leaving the operator to
// believe that a running serve applies a phase set there; the next command
// on that database says nothing more.
func TestHostCommandSaysWhenItCreatedTheDatabase(t *testing.T) {
	cfg, dataDir := testConfig(t)
	_, errOut, err := runCLI(t, "phase", "set", "broadcast", "--by", "ops", "--reason", "launch", "--config", cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dataDir, "liaison.db")
	if !strings.Contains(errOut, "no database at "+db) || !strings.Contains(errOut, "--config") {
		t.Errorf("phase set on a new data_dir: stderr %q, want it to say it created %s and to mention --config", errOut, db)
	}
	_, errOut, err = runCLI(t, "phase", "show", "--config", cfg)
	if err != nil || errOut != "" {
		t.Errorf("phase show on the existing database: stderr %q, %v", errOut, err)
	}
}
