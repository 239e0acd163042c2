package web

import (
	"bufio"
	"context"
	"encoding/json"
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

// One network address may hold only web.streams_per_address live-update
// streams open at once, chat and desk together: one more is refused with
// 429 and a message in the page's language, and a stream that ends frees
// its place.
func TestLiveStreamsPerAddressAreCapped(t *testing.T) {
	h := newHarness(t, Config{Addr: "127.0.0.1:0", StreamsPerAddress: 3}, "")
	open := func(path string, hdr map[string]string) (*http.Response, context.CancelFunc) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", h.ts.URL+path, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		t.Cleanup(func() { cancel(); res.Body.Close() })
		return res, cancel
	}
	first, closeFirst := open("/api/chat/events?room=help", nil)
	second, _ := open("/api/chat/events?room=general", nil)
	desk, _ := open("/api/desk/events", nil)
	for _, res := range []*http.Response{first, second, desk} {
		if res.StatusCode != http.StatusOK {
			t.Fatalf("stream %s = %d, want 200", res.Request.URL.Path, res.StatusCode)
		}
	}
	for _, tc := range []struct{ lang, want string }{
		{"en", "Too many pages of this site with live updates are open from your network address."},
		{"fr", "Trop de pages de ce site à mise à jour en direct sont ouvertes depuis votre adresse réseau."},
	} {
		res, _ := open("/api/chat/events?room=help", map[string]string{"Cookie": cookieLang + "=" + tc.lang})
		var body map[string]string
		_ = json.NewDecoder(res.Body).Decode(&body)
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" || !strings.HasPrefix(body["error"], tc.want) {
			t.Errorf("a fourth stream (%s) = %d %q, Retry-After %q; want 429 saying %q", tc.lang, res.StatusCode, body["error"], res.Header.Get("Retry-After"), tc.want)
		}
	}
	// A page closed frees its place, once the server sees it gone.
	closeFirst()
	for i := 0; ; i++ {
		res, cancel := open("/api/chat/events?room=help", nil)
		if res.StatusCode == http.StatusOK {
			break
		}
		cancel()
		if i == 200 {
			t.Fatal("a stream that ended still holds its place")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
