package web

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// testClock is a clock the test moves forward.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// chatPost posts text in room as name from the browser of cookies and
// returns the message id, once the engine has recorded it.
func chatPost(t *testing.T, base string, cookies []*http.Cookie, csrf, room, name, text string) string {
	t.Helper()
	status, id := postChat(t, base, cookies, csrf, map[string]string{"room": room, "name": name, "text": text})
	if id == "" {
		t.Fatalf("post %q: %d, no message id", text, status)
	}
	return id
}

// postChat posts the chat message body from the browser of cookies and
// returns the status and the message id ("" when none).
func postChat(t *testing.T, base string, cookies []*http.Cookie, csrf string, body map[string]string) (int, string) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", base+"/api/chat/messages", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(headerCSRF, csrf)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct{ ID string }
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out.ID
}

// roomHistory is what a new visitor of room is sent before the live
// events: the raw stream up to its "ready" event, and the messages in it.
func roomHistory(t *testing.T, base, room string) (string, []chatEvent) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/chat/events?room="+room, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var raw strings.Builder
	var msgs []chatEvent
	typ := ""
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "event: ready" {
			return raw.String(), msgs
		}
		raw.WriteString(line + "\n")
		if v, ok := strings.CutPrefix(line, "event: "); ok {
			typ = v
		}
		if v, ok := strings.CutPrefix(line, "data: "); ok && typ == "message" {
			var c chatEvent
			if err := json.Unmarshal([]byte(v), &c); err != nil {
				t.Fatalf("bad event %q: %v", v, err)
			}
			msgs = append(msgs, c)
		}
	}
	t.Fatalf("the stream of room %s ended before its history did:\n%s", room, raw.String())
	return "", nil
}

// waitSent waits until the engine has delivered n replies in room.
func waitSent(t *testing.T, s *stack, room string, n int) {
	t.Helper()
	for range 400 {
		said, err := s.eng.Conversation(context.Background(), Platform, room, 50)
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for _, x := range said {
			if x.Sent != nil {
				got++
			}
		}
		if got >= n {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("%d replies were not delivered in room %s", n, room)
}

// Once the retention purge has emptied a citizen's message in the store,
// people who open the chat later no longer see it, nor the quote of it in
// the bot's answer; the answer itself and newer messages stay.
func TestPurgedMessagesLeaveTheChatHistory(t *testing.T) {
	start := time.Now()
	clock := &testClock{t: start}
	s := newStackOptions(t, filepath.Join(t.TempDir(), "liaison.db"), "", Options{Now: clock.now})
	ctx := context.Background()
	cookies, csrf := browserSession(t, s.base, "/")
	chatPost(t, s.base, cookies, csrf, "help", "Dana Smith", "How do I renew my passport?")
	waitSent(t, s, "help", 1)
	clock.set(start.Add(time.Minute))
	other, otherCSRF := browserSession(t, s.base, "/")
	chatPost(t, s.base, other, otherCSRF, "help", "Eve Newer", "Bonjour tout le monde")

	if raw, _ := roomHistory(t, s.base, "help"); !strings.Contains(raw, "Dana Smith") {
		t.Fatalf("before the purge the room should show the message:\n%s", raw)
	}
	r, err := s.st.PurgeVia(ctx, start.Add(30*time.Second), "cli")
	if err != nil || r.Messages != 1 {
		t.Fatalf("purge: %v, %v; want Dana's message purged", r, err)
	}
	clock.set(start.Add(10 * time.Minute))
	if err := s.srv.ForgetPurged(ctx, s.eng); err != nil {
		t.Fatal(err)
	}

	raw, msgs := roomHistory(t, s.base, "help")
	for _, secret := range []string{"Dana", "renew my passport"} {
		if strings.Contains(raw, secret) {
			t.Errorf("a new visitor is still sent %q after the purge:\n%s", secret, raw)
		}
	}
	var answer, eve *chatEvent
	for i, m := range msgs {
		switch {
		case m.Kind == string(bot.KindAnswer):
			answer = &msgs[i]
		case m.Kind == "citizen" && m.Author == "Eve Newer":
			eve = &msgs[i]
		}
	}
	if eve == nil || eve.Text != "Bonjour tout le monde" {
		t.Errorf("the message newer than the cut-off is gone:\n%s", raw)
	}
	if answer == nil || !strings.Contains(answer.Text, "renew your passport") {
		t.Fatalf("the bot's answer, the department's words, should stay:\n%s", raw)
	}
	if answer.Quote != nil || answer.ToTag != "" {
		t.Errorf("the answer still points at the purged citizen: quote %+v, to_tag %q", answer.Quote, answer.ToTag)
	}
}

// A message the engine is still recording when the purge ends is not in
// the store yet: the chat keeps it.
func TestForgetPurgedKeepsAMessageBeingRecorded(t *testing.T) {
	s := newStack(t)
	held := &heldEngine{Handler: s.eng, entered: make(chan struct{}), release: make(chan struct{}), errs: make(chan error, 1)}
	s.srv.mu.Lock()
	s.srv.handler = held
	s.srv.mu.Unlock()
	cookies, csrf := browserSession(t, s.base, "/")
	posted := make(chan struct{})
	go func() {
		defer close(posted)
		chatPost(t, s.base, cookies, csrf, "help", "Dana Smith", "How do I renew my passport?")
	}()
	<-held.entered
	ctx := context.Background()
	if _, err := s.st.PurgeVia(ctx, time.Now().Add(time.Hour), "cli"); err != nil {
		t.Fatal(err)
	}
	if err := s.srv.ForgetPurged(ctx, s.eng); err != nil {
		t.Fatal(err)
	}
	close(held.release)
	if err := <-held.errs; err != nil {
		t.Fatal(err)
	}
	<-posted
	raw, msgs := roomHistory(t, s.base, "help")
	for _, m := range msgs {
		if m.Kind == "citizen" && m.Author == "Dana Smith" {
			return
		}
	}
	t.Errorf("the message being recorded was dropped:\n%s", raw)
}

// A name recorded before display names lost their direction controls
// (a citizen's name typed backwards behind a right-to-left override, to
// show as a member of staff's) is shown without them after a restart.
func TestRestoredNamesLoseTheirDirectionControls(t *testing.T) {
	db := filepath.Join(t.TempDir(), "liaison.db")
	s := newStackAt(t, db)
	cookies, csrf := browserSession(t, s.base, "/")
	chatPost(t, s.base, cookies, csrf, "help", "Dana Smith", "How do I renew my passport?")
	waitSent(t, s, "help", 1)
	s.stop()
	raw, err := sql.Open("sqlite3", db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE messages SET author_name = ? WHERE author_name = 'Dana Smith'`, "\u202eyoR aidaN"); err != nil {
		t.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	s = newStackAt(t, db)
	body, msgs := roomHistory(t, s.base, "help")
	var found bool
	for _, m := range msgs {
		if m.Kind == "citizen" {
			found = true
			if m.Author != "yoR aidaN" {
				t.Errorf("restored name %q, want it without its override", m.Author)
			}
		}
	}
	if !found || strings.ContainsRune(body, '\u202e') {
		t.Errorf("restored history holds no citizen message or still an override:\n%s", body)
	}
}

// Once the retention purge has taken the name of the citizen an answer
// could not be delivered to, the desk's notice says "the citizen", as the
// store keeps it: on a desk page already open, for pages opened later
// and for a page that reconnects.
func TestPurgedNamesLeaveTheDeskNotices(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	named := "Your answer to question 7 could not be delivered to Alice Tremblay: unknown channel."
	neutral := "Your answer to question 7 could not be delivered to the citizen: unknown channel."
	n := bot.Notice{Kind: bot.NoticeUndelivered, Lang: bot.English, Text: named, Redacted: &bot.NoticeText{Text: neutral}}
	items := []bot.Outgoing{{To: bot.Address{Platform: bot.DeskPlatform}, Notice: &n,
		Reply: bot.Reply{Kind: bot.KindDesk, Lang: n.Lang, Text: n.Text, Key: "undelivered:1"}}}
	if err := s.st.Enqueue(ctx, items); err != nil {
		t.Fatal(err)
	}
	delivered := false
	for range 400 {
		o, err := s.st.Outgoing(ctx, items[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if delivered = o.State == bot.OutSent; delivered {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	if !delivered {
		t.Fatal("the notice was not delivered to the desk")
	}
	if body := deskNotices(t, s.base); !strings.Contains(body, "Alice Tremblay") {
		t.Fatalf("before the purge the desk should name her: %s", body)
	}

	// A desk page open during the purge.
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(sctx, "GET", s.base+"/api/desk/events", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() && sc.Text() != "event: ready" {
	}

	if r, err := s.st.PurgeVia(ctx, time.Now().Add(time.Hour), "cli"); err != nil || r.Outbox == 0 {
		t.Fatalf("purge: %+v, %v; want the notice purged", r, err)
	}
	if err := s.srv.ForgetPurged(ctx, s.eng); err != nil {
		t.Fatal(err)
	}

	var live deskNotice
	for typ := ""; sc.Scan(); {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "event: "); ok {
			typ = v
		}
		if v, ok := strings.CutPrefix(line, "data: "); ok && typ == "notice" {
			if err := json.Unmarshal([]byte(v), &live); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if live.Text != neutral || live.Kind != bot.NoticeUndelivered {
		t.Errorf("the open desk page was told %+v; want the notice saying %q", live, neutral)
	}
	if body := deskNotices(t, s.base); strings.Contains(body, "Alice") || !strings.Contains(body, neutral) {
		t.Errorf("a desk page opened after the purge is given %s; want %q", body, neutral)
	}
	for _, ev := range sse(t, s.base+"/api/desk/events", map[string]string{"Last-Event-ID": "0"}, "notice", 2) {
		if ev["text"] != neutral {
			t.Errorf("a reconnecting desk page is sent %v; want %q", ev, neutral)
		}
	}
}

// deskNotices is the body of the desk's list of notices.
func deskNotices(t *testing.T, base string) string {
	t.Helper()
	res, err := http.Get(base + "/api/desk/notices")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	if _, err := io.Copy(&b, res.Body); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
