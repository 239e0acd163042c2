package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/liaison-gc/liaison/bot"
)

// citizen is one browser on the chat page: its cookies and CSRF token.
type citizen struct {
	cookies []*http.Cookie
	csrf    string
}

// newCitizen opens the chat page as a new browser (a new cookie) does.
func newCitizen(t *testing.T, s *stack) citizen {
	t.Helper()
	c, csrf := browserSession(t, s.base, "/")
	return citizen{c, csrf}
}

// post sends v to path as c, in the page language lang ("" for the
// default), and returns the status, the body and the headers.
func (c citizen) post(t *testing.T, s *stack, path, lang string, v any) (int, string, http.Header) {
	t.Helper()
	body, _ := json.Marshal(v)
	req, _ := http.NewRequest("POST", s.base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(headerCSRF, c.csrf)
	if lang != "" {
		req.Header.Set("X-Liaison-Lang", lang)
	}
	for _, k := range c.cookies {
		req.AddCookie(k)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

// rate posts a rating of the bot's message id in the help room.
func (c citizen) rate(t *testing.T, s *stack, id, lang string, value int) (int, string, http.Header) {
	t.Helper()
	return c.post(t, s, "/api/chat/feedback", lang, map[string]any{"room": "help", "message": id, "value": value})
}

// frozenStack is the whole of Liaison behind the web server, whose clock
// stands still: its limits give nothing back while the test runs.
func frozenStack(t *testing.T) *stack {
	t.Helper()
	now := time.Now()
	return newStackOptions(t, filepath.Join(t.TempDir(), "liaison.db"), "", Options{Now: func() time.Time { return now }})
}

// answerID waits for the engine to deliver its first knowledge-base answer
// in the help room and returns the message it was delivered as.
func answerID(t *testing.T, s *stack) string {
	t.Helper()
	for range 400 { // the engine delivers it on its own loop
		said, err := s.eng.Conversation(context.Background(), Platform, "help", 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range said {
			if x.Sent != nil && x.Sent.Reply.Kind == bot.KindAnswer && x.Sent.Ref.ID != "" {
				return x.Sent.Ref.ID
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatal("the answer was not delivered")
	return ""
}

// ratings is how many ratings the store counts, helpful and not.
func ratings(t *testing.T, s *stack) (helpful, notHelpful int) {
	t.Helper()
	sum, err := s.st.Summary(context.Background(), time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return sum.Helpful, sum.NotHelpful
}

// Feedback counts citizens' clicks: the asker and anyone else in the room
// may rate an answer, as on Discord, each browser once (a later click
// replaces the earlier). A script that takes a new cookie for each rating
// is still one network address: it gets no more ratings in than the
// address's limit on messages, is refused in the page's language, and
// the address may still ask questions.
func TestFeedbackFromOneAddressIsThrottledWhateverItsCookies(t *testing.T) {
	s := frozenStack(t) // web.address_flood_burst: 20
	ana := newCitizen(t, s)
	if code, body, _ := ana.post(t, s, "/api/chat/messages", "", map[string]string{"room": "help", "name": "Ana", "text": "How do I renew my passport?"}); code != http.StatusAccepted {
		t.Fatalf("question: %d %s", code, body)
	}
	answer := answerID(t, s)
	for _, v := range []int{1, -1} { // helpful, then not after all
		if code, body, _ := ana.rate(t, s, answer, "", v); code != http.StatusOK {
			t.Fatalf("the asker's rating %d: %d %s", v, code, body)
		}
	}
	if up, down := ratings(t, s); up != 0 || down != 1 {
		t.Fatalf("after the asker's two clicks: %d helpful, %d not; want her last one only", up, down)
	}
	if code, body, _ := newCitizen(t, s).rate(t, s, answer, "", 1); code != http.StatusOK {
		t.Fatalf("another citizen's rating: %d %s", code, body)
	}
	if up, down := ratings(t, s); up != 1 || down != 1 {
		t.Fatalf("after another citizen's: %d helpful, %d not; want 1 and 1", up, down)
	}

	accepted := 0
	for i := range 30 { // thirty "browsers" from one address
		lang := []string{"en", "fr"}[i%2]
		switch code, body, hdr := newCitizen(t, s).rate(t, s, answer, lang, -1); code {
		case http.StatusOK:
			accepted++
		case http.StatusTooManyRequests:
			want := map[string]string{"en": "too quickly", "fr": "trop rapidement"}[lang]
			if hdr.Get("Retry-After") == "" || !strings.Contains(body, want) {
				t.Errorf("refused rating (%s): %s, Retry-After %q", lang, body, hdr.Get("Retry-After"))
			}
		default:
			t.Fatalf("rating = %d %s", code, body)
		}
	}
	if accepted != 17 {
		t.Errorf("new cookies from one address: %d ratings accepted; want what remains of its burst of 20, 17", accepted)
	}
	// Twenty ratings in from one address, the asker's two counting once.
	if up, down := ratings(t, s); up+down != 19 {
		t.Errorf("the store counts %d helpful and %d not: %d ratings from one address, want 19", up, down, up+down)
	}
	if code, body, _ := ana.post(t, s, "/api/chat/messages", "", map[string]string{"room": "help", "name": "Ana", "text": "And for a child?"}); code != http.StatusAccepted {
		t.Errorf("a question after the ratings: %d %s", code, body)
	}
}

// A rating refused for the address's limit is said beside the buttons, in
// the page's language; the rating already given stays shown and what the
// citizen was typing stays in the box.
func TestBrowserRefusedFeedbackKeepsTheRatingAndTheDraft(t *testing.T) {
	s := frozenStack(t)
	ctx := tab(t)
	run(t, ctx, "open chat", chromedp.Navigate(s.base+"/?room=help&lang=fr"), chromedp.WaitVisible(chromedp.CSS("#log")))
	ask(t, ctx, "Marie", "Comment renouveler mon passeport?")
	const box = `#log li[data-kind="answer"] .feedback`
	run(t, ctx, "helpful",
		chromedp.WaitVisible(chromedp.CSS(box)),
		chromedp.Click(chromedp.CSS(box+` button:nth-of-type(1)`)),
		until(`document.querySelector('`+box+` .q').textContent.startsWith("Merci")`))
	answer := answerID(t, s)
	for range 25 { // the rest of the address's burst, and more
		newCitizen(t, s).rate(t, s, answer, "", -1)
	}
	run(t, ctx, "not helpful, over the limit",
		chromedp.SendKeys(chromedp.CSS("#text"), "Et pour un enfant?"),
		chromedp.Click(chromedp.CSS(box+` button:nth-of-type(2)`)),
		until(`document.querySelector('`+box+` .q').textContent.includes("trop rapidement")`))
	if d := textOf(t, ctx, `document.getElementById("text").value`); d != "Et pour un enfant?" {
		t.Errorf("the draft became %q", d)
	}
	if p := textOf(t, ctx, `[...document.querySelectorAll('`+box+` button')].map(b => b.getAttribute("aria-pressed")).join(" ")`); p != "true false" {
		t.Errorf("buttons pressed %q after the refusal; want the helpful rating still shown", p)
	}
	if up, down := ratings(t, s); up != 1 || up+down != 20 {
		t.Errorf("the store counts %d helpful and %d not; want Marie's 👍 among 20", up, down)
	}
	screenshot(t, ctx, "chat-feedback-refused-fr")
}
