//go:build unix

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Shutdown does not wait forever for a background loop that cannot stop:
// here the knowledge reload is stuck reading a file that never ends (a
// named pipe standing in for a hung network share), which closing the
// index waits for. serve gives that close a deadline and says so in the
// log.
func TestServeStopsWhileAKnowledgeReloadIsStuck(t *testing.T) {
	clearSecrets(t)
	dataDir, kbDir := t.TempDir(), t.TempDir()
	sample, err := filepath.Glob("../../knowledge/sample/*.toml")
	if err != nil || len(sample) == 0 {
		t.Fatalf("sample files: %v", err)
	}
	for _, f := range sample {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(kbDir, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := writeFile(t, "serve.toml", "data_dir = \""+dataDir+"\"\n[admin]\naddr = \"127.0.0.1:0\"\n[web]\naddr = \"127.0.0.1:0\"\n"+
		"[knowledge]\npath = \""+kbDir+"\"\nreload_interval = \"1s\"\n"+staffTOML)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut lockedBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--config", cfg}, &out, &errOut) }()
	for deadline := time.Now().Add(30 * time.Second); !healthRe.MatchString(out.String()); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", errOut.String())
		}
	}

	pipe := filepath.Join(kbDir, "zz-stuck.toml")
	if err := syscall.Mkfifo(pipe, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	// The reload has opened the pipe once a writer can open it without
	// blocking; the writer is held open, so its read never ends.
	var w *os.File
	for deadline := time.Now().Add(30 * time.Second); w == nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the knowledge reload never read the new file")
		}
		w, _ = os.OpenFile(pipe, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	}
	defer w.Close()

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not stop while the knowledge reload was stuck")
	}
	if !strings.Contains(errOut.String(), "the knowledge index did not close in time") {
		t.Errorf("the log does not say what did not stop:\n%s", errOut.String())
	}
}
