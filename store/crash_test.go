package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// crashChildEnv tells the test binary, re-run as a child process, to write
// to the database at its value until it is killed.
const crashChildEnv = "LIAISON_STORE_CRASH_CHILD"

// TestKillNineLosesNothing runs a writer in another process, kills it with
// SIGKILL in the middle of its work, and checks that everything it had
// been told was committed is there, whole, and that nothing marked sent
// is pending again (so a restart never relays twice).
func TestKillNineLosesNothing(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path) // never returns
	}
	if testing.Short() {
		t.Skip("starts a process")
	}
	path := filepath.Join(t.TempDir(), "liaison.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillNineLosesNothing$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	cmd.Stderr = os.Stderr
	must(t, cmd.Start())

	// Each line is written only after the call it reports has returned.
	var saved []string
	var sent []int64
	lines := bufio.NewScanner(stdout)
	deadline := time.Now().Add(20 * time.Second)
	for lines.Scan() && len(saved) < 300 && time.Now().Before(deadline) {
		f := strings.Fields(lines.Text())
		switch {
		case len(f) == 2 && f[0] == "saved":
			saved = append(saved, f[1])
		case len(f) == 2 && f[0] == "sent":
			n, _ := strconv.ParseInt(f[1], 10, 64)
			sent = append(sent, n)
		}
	}
	must(t, cmd.Process.Kill()) // SIGKILL: no deferred Close, no checkpoint
	_ = cmd.Wait()
	if len(saved) < 50 {
		t.Fatalf("the child reported only %d saves before the deadline", len(saved))
	}

	db, _ := openAt(t, path)
	ctx := context.Background()
	var integrity string
	must(t, db.r.QueryRow(`PRAGMA integrity_check`).Scan(&integrity))
	if integrity != "ok" {
		t.Fatalf("integrity_check: %s", integrity)
	}
	for _, id := range saved {
		d, err := db.DecisionFor(ctx, "web", id)
		if err != nil {
			t.Fatalf("message %s was reported saved, then lost: %v", id, err)
		}
		e, err := db.Escalation(ctx, d.EscalationID)
		if err != nil || len(e.Askers) != 1 {
			t.Fatalf("message %s: escalation incomplete: %+v %v", id, e, err)
		}
	}
	for _, id := range sent {
		o, err := db.Outgoing(ctx, id)
		if err != nil || o.State != bot.OutSent {
			t.Fatalf("item %d was reported sent, now %+v %v", id, o, err)
		}
	}
	// Every recorded message is whole: its decision, escalation, asker and
	// acknowledgement were written together or not at all.
	for table, want := range map[string]string{
		"decisions":         `SELECT COUNT(*) FROM messages`,
		"escalations":       `SELECT COUNT(*) FROM messages`,
		"escalation_askers": `SELECT COUNT(*) FROM messages`,
		"outbox":            `SELECT COUNT(*) FROM messages`,
	} {
		var n, m int
		must(t, db.r.QueryRow(`SELECT COUNT(*) FROM `+table).Scan(&n))
		must(t, db.r.QueryRow(want).Scan(&m))
		if n != m {
			t.Errorf("%s: %d rows for %d messages", table, n, m)
		}
	}
	pending, err := db.Pending(ctx, "web", time.Now(), 0)
	must(t, err)
	t.Logf("killed after %d reported saves and %d reported sends; %d messages recorded, %d replies pending",
		len(saved), len(sent), count(t, db, "messages"), len(pending))
}

// crashChild writes escalations and delivers their acknowledgements from
// several goroutines, reporting each completed call on stdout, until killed.
func crashChild(path string) {
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var out sync.Mutex
	report := func(format string, args ...any) {
		out.Lock()
		defer out.Unlock()
		fmt.Fprintf(os.Stdout, format+"\n", args...)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				id := fmt.Sprintf("g%d-%d", g, i)
				if err := db.SaveOutcome(ctx, escalateOutcome(id, "t", bot.English)); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(2)
				}
				report("saved %s", id)
			}
		})
	}
	wg.Go(func() { // the delivery loop
		for n := 0; ; n++ {
			items, err := db.Pending(ctx, "web", time.Now().Add(time.Hour), 10)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			for _, it := range items {
				if err := db.MarkSent(ctx, it.ID, bot.MessageRef{Platform: "web", ChannelID: "help", ID: fmt.Sprint("p", it.ID)}, time.Time{}); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(2)
				}
				report("sent %d", it.ID)
			}
		}
	})
	wg.Wait()
	os.Exit(0)
}
