package web

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// A request body sent slowly, one byte at a time, or never finished, does
// not hold a connection open past web.body_timeout_seconds: the request is
// refused and the connection closed. Live-update streams, which send no
// body, are not cut by it.
func TestSlowRequestBodyIsCutOff(t *testing.T) {
	h := newHarness(t, Config{Addr: "127.0.0.1:0", BodyTimeoutSeconds: 1}, "")
	events, _ := deskStream(t, h.client(t))

	// A browser's request, CSRF token and all, but for its body.
	c := h.client(t)
	u, _ := url.Parse(h.ts.URL)
	var cookies []string
	for _, k := range c.http.Jar.Cookies(u) {
		cookies = append(cookies, k.String())
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const size = 2000
	fmt.Fprintf(conn, "POST /api/chat/messages HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nCookie: %s\r\n%s: %s\r\nContent-Length: %d\r\n\r\n{",
		u.Host, strings.Join(cookies, "; "), headerCSRF, c.csrf, size)
	stop := make(chan struct{})
	defer close(stop)
	go func() { // a byte every 50 ms: the whole body would take 100 s
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for range size - 1 {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
		}
	}()
	// Only a guard against a hung test, far past the server's deadline.
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer to a body that trickles in: %v", err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("a body that trickles in = %d, want 400", res.StatusCode)
	}
	// Closed: the end of the stream, or a reset for the bytes still coming.
	if _, err := br.ReadByte(); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("the connection stays open after its body timed out: %v", err)
	}

	// The stream opened before is still live.
	if _, err := h.srv.Desk().Notify(context.Background(), bot.Notice{Kind: bot.NoticeInfo, Lang: bot.English, Text: "still here"}); err != nil {
		t.Fatal(err)
	}
	if typ := <-events; typ != "notice" {
		t.Errorf("the live stream received %q, want the notice", typ)
	}
	// And a body sent at once is read as usual.
	if code, body := c.post("/api/chat/messages", map[string]any{"room": "help", "text": "hello", "name": "Ana"}); code != http.StatusAccepted {
		t.Errorf("a message sent at once = %d %v", code, body)
	}
}
