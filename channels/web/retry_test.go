package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// postWithClientID posts text in the help room as Marie from the browser of
// cookies, with the page's client id for it ("" for none), and returns
// the status and the message id.
func postWithClientID(t *testing.T, base string, cookies []*http.Cookie, csrf, text, clientID string) (int, string) {
	t.Helper()
	return postChat(t, base, cookies, csrf, map[string]string{"room": "help", "name": "Marie", "text": text, "client_id": clientID})
}

// A page that sends a message again with the same client id (its first
// answer was lost, the citizen pressed Send again) gets the first
// message's id back, and the question is recorded (and handled) once.
// The id is the browser's own: another browser's message with the same
// client id is its own message. Without a client id every post is a
// message, and a client id stands for its message ten minutes.
func TestChatRetryWithTheSameClientIDIsOneMessage(t *testing.T) {
	clock := &testClock{t: time.Now()}
	s := newStackOptions(t, filepath.Join(t.TempDir(), "liaison.db"), "", Options{Now: clock.now})
	marie, csrf := browserSession(t, s.base, "/")
	const question = "When does the office on Elm Street reopen?"
	const cid = "3f9a0c1d2e4b5a6978877665544332211"

	code, first := postWithClientID(t, s.base, marie, csrf, question, cid)
	if code != http.StatusAccepted || first == "" {
		t.Fatalf("first post = %d %q, want 202 with an id", code, first)
	}
	code, again := postWithClientID(t, s.base, marie, csrf, question, cid)
	if code != http.StatusOK || again != first {
		t.Errorf("the same message sent again = %d %q, want 200 %q", code, again, first)
	}
	said, err := s.eng.Conversation(context.Background(), Platform, "help", 50)
	if err != nil {
		t.Fatal(err)
	}
	asked := 0
	for _, x := range said {
		if x.Message != nil && x.Message.Text == question {
			asked++
		}
	}
	if asked != 1 {
		t.Errorf("after a retry the question is recorded %d times, want once", asked)
	}

	other, otherCSRF := browserSession(t, s.base, "/")
	if code, id := postWithClientID(t, s.base, other, otherCSRF, question, cid); code != http.StatusAccepted || id == first {
		t.Errorf("another browser with the same client id = %d %q, want 202 with its own message", code, id)
	}
	_, a := postWithClientID(t, s.base, marie, csrf, "Is the Elm Street office open on Saturdays?", "")
	code, b := postWithClientID(t, s.base, marie, csrf, "Is the Elm Street office open on Saturdays?", "")
	if code != http.StatusAccepted || a == b {
		t.Errorf("the same text twice without a client id = %d, ids %q and %q; want two messages", code, a, b)
	}
	for _, bad := range []string{"short", "has space inside it", "<script>alert(1)</script>", string(bytes.Repeat([]byte("a"), 65))} {
		if code, _ := postWithClientID(t, s.base, marie, csrf, "Hello?", bad); code != http.StatusBadRequest {
			t.Errorf("client id %q = %d, want 400", bad, code)
		}
	}
	clock.set(clock.now().Add(retryWindow))
	if code, id := postWithClientID(t, s.base, marie, csrf, question, cid); code != http.StatusAccepted || id == first {
		t.Errorf("the client id sent again after %v = %d %q, want 202 with a new message", retryWindow, code, id)
	}
}

// A message sent again with its client id is not counted again against
// the flood limits: a browser that used its burst may still retry the
// last message, and gets its id, but not send a new one.
func TestChatRetryIsNotCountedAgainstFloodLimits(t *testing.T) {
	cfg := loopback()
	cfg.FloodBurst, cfg.FloodPerMinute = 1, 1
	cfg.AddressFloodBurst, cfg.AddressFloodPerMinute = 1, 1
	now := time.Now()
	h := newHarnessWith(t, cfg, "", Options{Now: func() time.Time { return now }})
	c := h.client(t)
	msg := func(text, cid string) map[string]any {
		return map[string]any{"room": "help", "name": "A", "text": text, "client_id": cid}
	}
	code, out := c.post("/api/chat/messages", msg("q1", "client-id-0001"))
	if code != http.StatusAccepted {
		t.Fatalf("first message = %d", code)
	}
	for i := range 3 {
		if code, again := c.post("/api/chat/messages", msg("q1", "client-id-0001")); code != http.StatusOK || again["id"] != out["id"] {
			t.Errorf("retry %d = %d %v, want 200 %v", i+1, code, again["id"], out["id"])
		}
	}
	if code, _ := c.post("/api/chat/messages", msg("q2", "client-id-0002")); code != http.StatusTooManyRequests {
		t.Errorf("a new message past the burst = %d, want 429", code)
	}
	if n := len(h.rec.messages); n != 1 {
		t.Errorf("engine got %d messages, want 1", n)
	}
}

// The client ids remembered are bounded, the oldest forgotten first, and
// each stands for its message for the window only.
func TestSentSetIsBounded(t *testing.T) {
	now := time.Now()
	k := newSentSet(3, time.Minute)
	for i, key := range []string{"a", "b", "c", "d"} {
		k.put(key, "m"+key, now.Add(time.Duration(i)*time.Second))
	}
	if _, ok := k.get("a", now); ok || len(k.m) != 3 || len(k.order) != 3 {
		t.Errorf("past 3 keys: a kept %v, %d keys and %d in order; want a forgotten, 3 and 3", ok, len(k.m), len(k.order))
	}
	if id, ok := k.get("d", now.Add(59*time.Second)); !ok || id != "md" {
		t.Errorf("d within the window = %q %v", id, ok)
	}
	k.put("e", "me", now.Add(2*time.Minute))
	if _, ok := k.get("d", now.Add(2*time.Minute)); ok || len(k.m) != 1 || len(k.order) != 1 {
		t.Errorf("after the window: d kept %v, %d keys, %d in order; want only e", ok, len(k.m), len(k.order))
	}
	k.forget("e", "me")
	if _, ok := k.get("e", now.Add(2*time.Minute)); ok {
		t.Error("a forgotten key is still known")
	}
}

// A citizen whose message reached the server but whose page was told it
// failed (a proxy in front gave up waiting: 504) presses Send again: the
// page keeps the message's client id for the retry, and the room shows
// the question once, answered once.
func TestBrowserRetryAfterALostAnswerShowsOneMessage(t *testing.T) {
	s := newStack(t)
	target, err := url.Parse(s.base)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	arrived := make(chan int, 1)
	var lost atomic.Bool
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" && r.URL.Path == "/api/chat/messages" && lost.CompareAndSwap(false, true) {
			got := httptest.NewRecorder()
			proxy.ServeHTTP(got, r)
			arrived <- got.Code
			http.Error(w, "gateway timeout", http.StatusGatewayTimeout)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)

	ctx := tabExpecting(t, "Failed to load resource: the server responded with a status of 504")
	const question = "How do I renew my passport?"
	run(t, ctx, "send and be told it failed",
		chromedp.Navigate(front.URL+"/?room=help&lang=en"),
		chromedp.WaitVisible(chromedp.CSS("#text")),
		chromedp.SendKeys(chromedp.CSS("#name"), "Marie"),
		chromedp.SendKeys(chromedp.CSS("#text"), question),
		chromedp.Click(chromedp.CSS("#send")),
		until(`!document.getElementById("form-error").hidden`))
	if code := <-arrived; code != http.StatusAccepted {
		t.Fatalf("the first send reached the server as %d, want 202", code)
	}
	// Only a message the server took empties the field.
	run(t, ctx, "send again and see it sent",
		chromedp.Click(chromedp.CSS("#send")),
		until(`document.getElementById("text").value === ""`))
	// Everything the room published before this marker is on the page
	// once the marker is.
	other, csrf := browserSession(t, s.base, "/")
	chatPost(t, s.base, other, csrf, "help", "Luc", "marker after the retry")
	answersTo := fmt.Sprintf(`[...document.querySelectorAll('#log li[data-kind="answer"]')].filter(a => a.querySelector(".msg-quote .quoted")?.textContent === %s).length`, js(question))
	run(t, ctx, "wait for the marker and the answer",
		until(`[...document.querySelectorAll("#log li.citizen .msg-text")].some(p => p.textContent === "marker after the retry")`),
		until(answersTo+" > 0"))
	asked := textOf(t, ctx, fmt.Sprintf(`String([...document.querySelectorAll("#log li.citizen .msg-text")].filter(p => p.textContent === %s).length)`, js(question)))
	answers := textOf(t, ctx, "String("+answersTo+")")
	if asked != "1" || answers != "1" {
		t.Errorf("after a retry the room shows the question %s times and %s answers; want 1 and 1", asked, answers)
	}
}
