package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// These tests run the web server with the real engine, store and knowledge
// base (newStack), without a browser.

// heldEngine hands a message to the engine only when the test releases it,
// the way a busy engine takes its time; it reports the engine's error.
type heldEngine struct {
	bot.Handler
	entered  chan struct{}
	release  chan struct{}
	errs     chan error
	decision bot.Decision // set before the error is sent
}

func (h *heldEngine) HandleMessage(ctx context.Context, m bot.Message) (bot.Decision, error) {
	close(h.entered)
	<-h.release
	// Give the server time to notice the client has gone, had it tied
	// the engine's work to the request.
	select {
	case <-ctx.Done():
	case <-time.After(200 * time.Millisecond):
	}
	d, err := h.Handler.HandleMessage(ctx, m)
	h.decision = d
	h.errs <- err
	return d, err
}

// browserSession fetches the chat page as a browser does and returns its
// cookies and CSRF token.
func browserSession(t *testing.T, base, path string) ([]*http.Cookie, string) {
	t.Helper()
	res, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfMeta.FindStringSubmatch(string(page))
	if m == nil {
		t.Fatalf("GET %s: no CSRF token in the page", path)
	}
	return res.Cookies(), m[1]
}

// A citizen who sends a question and loses the connection (closes the tab,
// the mobile network drops) before the engine has recorded it has still
// asked: the question is archived and answered.
func TestQuestionSurvivesTheAskerLeaving(t *testing.T) {
	s := newStack(t)
	held := &heldEngine{Handler: s.eng, entered: make(chan struct{}), release: make(chan struct{}), errs: make(chan error, 1)}
	s.srv.mu.Lock()
	s.srv.handler = held
	s.srv.mu.Unlock()

	cookies, csrf := browserSession(t, s.base, "/")
	body, _ := json.Marshal(map[string]string{"room": "help", "name": "Marie", "text": "How do I renew my passport?"})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", s.base+"/api/chat/messages", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(headerCSRF, csrf)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	sent := make(chan error, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
		}
		sent <- err
	}()
	<-held.entered
	cancel() // the citizen leaves while the engine works
	if err := <-sent; err == nil {
		t.Fatal("the request should have been cut by the client")
	}
	close(held.release)
	if err := <-held.errs; err != nil {
		t.Fatalf("the engine failed once the asker had left: %v", err)
	}
	said, err := s.eng.Conversation(context.Background(), Platform, "help", 50)
	if err != nil {
		t.Fatal(err)
	}
	asked := false
	for _, x := range said {
		if x.Message != nil && strings.Contains(x.Message.Text, "renew my passport") {
			asked = true
		}
	}
	if !asked || held.decision.Action != bot.ActAnswer {
		t.Errorf("after the asker left: question archived %v, decision %q; want archived and answered", asked, held.decision.Action)
	}
}
