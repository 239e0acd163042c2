package slack

import (
	"strings"
	"testing"
)

// Connection follows the Socket Mode connection as slack-go's events tell
// it: up once connected, down with the error while Slack refuses to open
// a new one after a drop, and up again after.
func TestConnectionFollowsTheSocketThroughADrop(t *testing.T) {
	f := newFakeSlack(t)
	d := newTestDesk(t, f, nil)
	if c := d.Connection(); c.Connected || !c.Since.IsZero() {
		t.Fatalf("before Run: %+v", c)
	}
	runDesk(t, f, d, &recHandler{roster: testRoster()})
	eventually(t, "connected", func() bool { return d.Connection().Connected })
	if up := d.Connection(); up.Err != "" || up.Since.IsZero() {
		t.Errorf("connected: %+v", up)
	}

	f.mu.Lock()
	f.failOpens = 1 << 20 // Slack is down until told otherwise
	f.mu.Unlock()
	f.conn(1).close()
	eventually(t, "disconnected with the error", func() bool {
		c := d.Connection()
		return !c.Connected && c.Err != ""
	})
	down := d.Connection()
	if down.Event != "connection_error" || !strings.Contains(down.Err, "503") || down.ErrAt.IsZero() {
		t.Errorf("while Slack is down: %+v", down)
	}
	if strings.Contains(down.Err, testAppToken) || strings.Contains(down.Err, testBotToken) {
		t.Errorf("the error shows a token: %q", down.Err)
	}

	f.mu.Lock()
	f.failOpens = 0
	f.mu.Unlock()
	f.conn(2)
	eventually(t, "connected again", func() bool { return d.Connection().Connected })
	if again := d.Connection(); again.Event != "hello" && again.Event != "connected" || again.Err != down.Err {
		t.Errorf("connected again: %+v (the last error stays, with its time)", again)
	}
}
