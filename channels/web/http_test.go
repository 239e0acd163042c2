package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/phases"
)

// recorder is a hand-written Handler and DeskHandler that records what the
// web layer hands it, to check the wire format of our own endpoints. The
// engine itself is exercised by the browser tests.
type recorder struct {
	mu        sync.Mutex
	messages  []bot.Message
	reactions []bot.Reaction
	answers   []bot.DeskAnswer
	phases    []bot.PhaseRequest
	casts     []bot.BroadcastRequest
	closes    []string
	roster    bot.Roster
	escs      []bot.Escalation
	detect    bot.Lang // the language the engine tells from every message ("": none)
}

func (r *recorder) HandleMessage(ctx context.Context, m bot.Message) (bot.Decision, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.messages = append(r.messages, m)
	if r.detect != "" {
		return bot.Decision{Action: bot.ActAnswer, Lang: r.detect, LangSource: "detected"}, nil
	}
	return bot.Decision{Action: bot.ActAnswer}, nil
}

func (r *recorder) HandleReaction(ctx context.Context, x bot.Reaction) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reactions = append(r.reactions, x)
	return nil
}

func (r *recorder) Roster() bot.Roster { return r.roster }
func (r *recorder) Escalation(ctx context.Context, id int64) (bot.Escalation, error) {
	return bot.Escalation{}, bot.ErrNotFound
}
func (r *recorder) EscalationByDeskRef(ctx context.Context, ref string) (bot.Escalation, error) {
	return bot.Escalation{}, bot.ErrNotFound
}
func (r *recorder) Escalations(ctx context.Context, f bot.EscalationFilter) ([]bot.Escalation, error) {
	return r.escs, nil
}
func (r *recorder) Claim(ctx context.Context, id int64, who string) (bot.Escalation, error) {
	if who != "U-ALICE" {
		return bot.Escalation{}, fmt.Errorf("claim: desk user %q: %w", who, bot.ErrForbidden)
	}
	return bot.Escalation{ID: id, State: bot.StateClaimed, ClaimedBy: "alice", Version: 2}, nil
}
func (r *recorder) Answer(ctx context.Context, a bot.DeskAnswer) (bot.AnswerResult, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answers = append(r.answers, a)
	return bot.AnswerResult{Answer: bot.StaffAnswer{ID: 7, Status: bot.AnswerQueued}, Relays: 2}, nil
}
func (r *recorder) ResolveMismatch(ctx context.Context, id int64, who string, anyway bool) (bot.AnswerResult, error) {
	return bot.AnswerResult{Answer: bot.StaffAnswer{ID: id}, Relays: 1}, nil
}
func (r *recorder) SendSuggestion(ctx context.Context, id int64, entry, who, event string) (bot.AnswerResult, error) {
	return bot.AnswerResult{Relays: 1}, nil
}
func (r *recorder) Close(ctx context.Context, id int64, who, reason string) (bot.Escalation, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closes = append(r.closes, reason)
	return bot.Escalation{ID: id, State: bot.StateClosed, CloseReason: reason}, nil
}
func (r *recorder) SaveDraft(ctx context.Context, id int64, who string) (bot.Draft, error) {
	return bot.Draft{ID: 1, EntryID: "draft-1"}, nil
}
func (r *recorder) SetPhase(ctx context.Context, p bot.PhaseRequest) (phases.Change, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.phases = append(r.phases, p)
	return phases.Change{Channel: string(p.Channel), From: phases.Replies, To: p.Phase}, nil
}
func (r *recorder) Broadcast(ctx context.Context, b bot.BroadcastRequest) (bot.Broadcast, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.casts = append(r.casts, b)
	if b.FR == "" {
		return bot.Broadcast{}, fmt.Errorf("broadcast: %w", errors.Join(&bot.Refusal{Kind: bot.ErrInvalid,
			EN: "The French text is missing: every broadcast goes out in both official languages.",
			FR: "Le texte français est manquant\u00a0: chaque annonce est publiée dans les deux langues officielles."}))
	}
	return bot.Broadcast{ID: 3, State: bot.BroadcastQueued, At: time.Unix(0, 0)}, nil
}
func (r *recorder) Status(ctx context.Context) (bot.Status, error) {
	return bot.Status{
		Phase:    phases.State{Global: phases.Replies, Overrides: map[string]phases.Phase{"web:general": phases.Broadcast}},
		Channels: []bot.ChannelKey{"web:help", "web:general"},
		Summary: bot.Summary{Questions: map[bot.Lang]int{bot.English: 4, bot.French: 3}, Answered: 5, Escalated: 2,
			MedianFirstResponse: 1500 * time.Millisecond, FirstResponses: 6, StaffAnswers: 0},
	}, nil
}

var (
	_ bot.Handler     = (*recorder)(nil)
	_ bot.DeskHandler = (*recorder)(nil)
)

func testRoster() bot.Roster {
	return bot.Roster{
		{ID: "alice", Name: "Alice Tremblay", TitleEN: "Service agent", TitleFR: "Agente de service", Languages: []bot.Lang{bot.French, bot.English}, Topics: []string{"*"}, DeskUserID: "U-ALICE", CommsLead: true},
		{ID: "bob", Name: "Bob Smith", Languages: []bot.Lang{bot.English}, Topics: []string{"*"}, DeskUserID: "U-BOB"},
	}
}

// harness is a server on httptest with the recorder as its handlers.
type harness struct {
	srv *Server
	ts  *httptest.Server
	rec *recorder
}

func newHarness(t *testing.T, cfg Config, token string) *harness {
	t.Helper()
	return newHarnessWith(t, cfg, token, Options{})
}

func newHarnessWith(t *testing.T, cfg Config, token string, opts Options) *harness {
	t.Helper()
	srv, err := New(cfg, token, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	rec := &recorder{roster: testRoster()}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { _ = srv.Channel().Run(ctx, rec); done <- struct{}{} }()
	go func() { _ = srv.Desk().Run(ctx, rec); done <- struct{}{} }()
	ts := httptest.NewUnstartedServer(srv.Handler())
	ts.Config.BaseContext = func(net.Listener) context.Context { return ctx }
	ts.Start()
	t.Cleanup(func() {
		cancel()
		ts.Close()
		<-done
		<-done
	})
	waitReady(t, srv)
	return &harness{srv: srv, ts: ts, rec: rec}
}

func waitReady(t *testing.T, srv *Server) {
	t.Helper()
	for range 200 {
		if h, d := srv.handlers(); h != nil && d != nil {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("handlers never set")
}

// client is a browser-like HTTP client: a cookie jar and the page's CSRF token.
type client struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

var csrfMeta = regexp.MustCompile(`name="liaison-csrf" content="([^"]+)"`)

func (h *harness) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	c := &client{t: t, base: h.ts.URL, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	code, body, _ := c.do("GET", "/", nil, nil)
	if code != 200 {
		t.Fatalf("GET /: %d", code)
	}
	m := csrfMeta.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no CSRF token in the chat page")
	}
	c.csrf = m[1]
	return c
}

func (c *client) do(method, path string, body any, hdr map[string]string) (int, string, http.Header) {
	c.t.Helper()
	var rd io.Reader
	if s, ok := body.(string); ok {
		rd = strings.NewReader(s)
	} else if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

func (c *client) post(path string, body any) (int, map[string]any) {
	c.t.Helper()
	code, b, _ := c.do("POST", path, body, map[string]string{headerCSRF: c.csrf})
	var out map[string]any
	_ = json.Unmarshal([]byte(b), &out)
	return code, out
}

func loopback() Config { return Config{Addr: "127.0.0.1:0"} }

func TestNewTokenRule(t *testing.T) {
	const token = "0123456789abcdef-token"
	for _, tc := range []struct {
		name, addr, token string
		ok                bool
	}{
		{"loopback v4 without token", "127.0.0.1:8080", "", true},
		{"loopback v6 without token", "[::1]:8080", "", true},
		{"localhost without token", "localhost:8080", "", true},
		{"all interfaces without token", "0.0.0.0:8080", "", false},
		{"empty host without token", ":8080", "", false},
		{"lan address without token", "192.0.2.10:8080", "", false},
		{"all interfaces with token", "0.0.0.0:8080", token, true},
		{"short token", "0.0.0.0:8080", "tiny1", false},
		// The shared token acts as anyone: easy tokens are refused, as
		// personal ones are.
		{"token of one character", "0.0.0.0:8080", "aaaaaaaaaaaaaaaa", false},
		{"token of runs of digits", "0.0.0.0:8080", "1234567890123456", false},
		{"token of keyboard runs", "0.0.0.0:8080", "qwertyqwertyqwerty", false},
		{"easy token on loopback", "127.0.0.1:8080", "abcdabcdabcdabcd", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Config{Addr: tc.addr}, tc.token, Options{})
			if (err == nil) != tc.ok {
				t.Fatalf("New(%q): err = %v, want ok=%v", tc.addr, err, tc.ok)
			}
			if err != nil && tc.token == "" && !strings.Contains(err.Error(), "LIAISON_WEB_TOKEN") {
				t.Errorf("error should say which variable to set: %v", err)
			}
			if err != nil && tc.token != "" && strings.Contains(err.Error(), tc.token) {
				t.Errorf("error reveals the token: %v", err)
			}
		})
	}
}

func TestTokenProtectsDeskAndComms(t *testing.T) {
	const token = "s3cret-desk-token-for-tests"
	h := newHarness(t, Config{Addr: "0.0.0.0:8080"}, token)
	c := h.client(t)

	// The citizen chat stays public; the staff pages and APIs do not.
	if code, _, _ := c.do("GET", "/", nil, nil); code != 200 {
		t.Errorf("GET / = %d, want 200", code)
	}
	for _, p := range []string{"/desk", "/comms"} {
		code, _, hdr := c.do("GET", p, nil, nil)
		if code != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/login") {
			t.Errorf("GET %s without login = %d %q, want a redirect to /login", p, code, hdr.Get("Location"))
		}
	}
	for _, p := range []string{"/api/desk/escalations", "/api/desk/roster", "/api/comms/status", "/api/desk/events"} {
		if code, _, _ := c.do("GET", p, nil, nil); code != http.StatusUnauthorized {
			t.Errorf("GET %s without token = %d, want 401", p, code)
		}
	}
	if code, _ := c.post("/api/comms/phase", map[string]any{"as": "alice", "phase": "broadcast", "reason": "x"}); code != http.StatusUnauthorized {
		t.Errorf("POST phase without token = %d, want 401", code)
	}
	if len(h.rec.phases) != 0 {
		t.Fatal("an unauthenticated phase change reached the engine")
	}
	// A bearer token works for API clients, and a wrong one does not.
	if code, _, _ := c.do("GET", "/api/comms/status", nil, map[string]string{"Authorization": "Bearer " + token}); code != 200 {
		t.Errorf("GET status with bearer = %d", code)
	}
	if code, _, _ := c.do("GET", "/api/comms/status", nil, map[string]string{"Authorization": "Bearer nope"}); code != 401 {
		t.Errorf("GET status with a wrong bearer = %d, want 401", code)
	}
	// The login form: a wrong token is refused, the right one sets a
	// strict, HttpOnly session cookie that is not the token.
	form := func(tok string) (int, http.Header) {
		code, _, hdr := c.do("POST", "/login", url.Values{"token": {tok}, "next": {"/comms"}}.Encode(),
			map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		return code, hdr
	}
	if code, _ := form("wrong-token-value"); code != http.StatusUnauthorized {
		t.Errorf("login with a wrong token = %d, want 401", code)
	}
	code, hdr := form(token)
	if code != http.StatusSeeOther || hdr.Get("Location") != "/comms" {
		t.Fatalf("login = %d %q", code, hdr.Get("Location"))
	}
	cookie := hdr.Get("Set-Cookie")
	for _, want := range []string{cookieDesk + "=", "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("session cookie %q lacks %s", cookie, want)
		}
	}
	if strings.Contains(cookie, token) {
		t.Error("the session cookie carries the token itself")
	}
	if code, _, _ := c.do("GET", "/desk", nil, nil); code != 200 {
		t.Errorf("GET /desk after login = %d", code)
	}
	if code, _ := c.post("/api/comms/phase", map[string]any{"as": "alice", "phase": "broadcast", "reason": "pilot ends"}); code != 200 {
		t.Errorf("POST phase after login = %d", code)
	}
}

// Guessing the desk token as an API client's bearer token goes no faster
// than through the sign-in form: after a few wrong tokens from one
// network address, its requests are refused with HTTP 429 and no token
// it sends is compared, the right one included, on the staff APIs or on
// the chat's (where the token passes the CSRF check), until the address
// may try again. Sign-ins are counted apart: staff signing in from the
// same office address neither use up an API client's tries nor are held
// up by its wrong tokens.
func TestWrongBearerTokensAreThrottledPerAddress(t *testing.T) {
	const token = "k3Jd9sLq2Zx8Vb7Nw1Pe"
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := newStackOptions(t, filepath.Join(t.TempDir(), "liaison.db"), token, Options{Now: clock})
	do := func(method, path, tok, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	for i := range 5 { // the sign-in form's burst
		if res := do("GET", "/api/comms/status", "guess-"+strconv.Itoa(i), ""); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong token %d = %d, want 401", i, res.StatusCode)
		}
	}
	res := do("GET", "/api/comms/status", token, "")
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("the right token after five wrong ones = %d (Retry-After %q), want 429 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
	}
	// On the chat, a desk token passes the CSRF check: neither a wrong
	// token nor the right one tells anything now.
	for _, tok := range []string{"guess-x", token} {
		if res := do("POST", "/api/chat/messages", tok, `{"room":"nope"}`); res.StatusCode != http.StatusForbidden {
			t.Errorf("chat with bearer %q while throttled = %d, want 403 (the CSRF check, token not compared)", tok, res.StatusCode)
		}
	}
	form := url.Values{"token": {token}, "next": {"/desk"}}.Encode()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	fres, err := noRedirect.Post(s.base+"/login", "application/x-www-form-urlencoded", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	fres.Body.Close()
	if fres.StatusCode != http.StatusSeeOther {
		t.Errorf("signing in with the form after five wrong bearer tokens = %d, want 303", fres.StatusCode)
	}
	// A minute later the address may try again, and the right token works.
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	if res := do("GET", "/api/comms/status", token, ""); res.StatusCode != http.StatusOK {
		t.Errorf("the right token a minute later = %d, want 200", res.StatusCode)
	}
	// A right token costs nothing: an API client may call as often as it
	// needs.
	for i := range 20 {
		if res := do("GET", "/api/comms/status", token, ""); res.StatusCode != http.StatusOK {
			t.Fatalf("call %d with the right token = %d, want 200", i, res.StatusCode)
		}
	}
}

// Behind a TLS-terminating proxy (the server speaks plain HTTP) that says
// the browser came over https, every cookie is Secure: the browser then
// never sends the desk session or the browser id over plain HTTP, where
// anyone on the network could read them. Without such a proxy (plain HTTP
// on a local network) the cookies are not Secure, or browsers would drop
// them and nobody could sign in.
func TestCookiesAreSecureBehindATLSProxy(t *testing.T) {
	const token = "s3cret-desk-token-for-tests"
	h := newHarness(t, Config{Addr: "0.0.0.0:8080"}, token)
	plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(method, path string, body string, hdr map[string]string, cookies []*http.Cookie) []*http.Cookie {
		t.Helper()
		req, _ := http.NewRequest(method, h.ts.URL+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		for _, c := range cookies {
			req.AddCookie(c)
		}
		res, err := plain.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode >= 400 {
			t.Fatalf("%s %s = %d", method, path, res.StatusCode)
		}
		return res.Cookies()
	}
	for _, tc := range []struct {
		name   string
		hdr    map[string]string
		secure bool
	}{
		{"X-Forwarded-Proto", map[string]string{"X-Forwarded-Proto": "https"}, true},
		{"Forwarded", map[string]string{"Forwarded": `for=203.0.113.5;proto="https";host=liaison.example.gc.ca`}, true},
		{"plain HTTP", nil, false},
		{"proxy over plain HTTP", map[string]string{"X-Forwarded-Proto": "http"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := send("GET", "/?lang=fr", "", tc.hdr, nil)
			var id *http.Cookie
			for _, c := range got {
				if c.Name == cookieBrowser {
					id = c
				}
			}
			if id == nil {
				t.Fatal("no browser id cookie")
			}
			got = append(got, send("POST", "/login", url.Values{"token": {token}, "next": {"/desk"}}.Encode(), tc.hdr, nil)...)
			var desk *http.Cookie
			for _, c := range got {
				if c.Name == cookieDesk {
					desk = c
				}
			}
			if desk == nil {
				t.Fatal("no desk session cookie after signing in")
			}
			csrf := h.srv.csrfToken(id.Value)
			out := send("POST", "/logout", url.Values{"csrf": {csrf}}.Encode(), tc.hdr,
				[]*http.Cookie{{Name: id.Name, Value: id.Value}, {Name: desk.Name, Value: desk.Value}})
			got = append(got, out...)
			names := map[string]bool{}
			for _, c := range got {
				names[c.Name] = true
				if c.Secure != tc.secure {
					t.Errorf("cookie %s: Secure = %v, want %v", c.Name, c.Secure, tc.secure)
				}
			}
			for _, n := range []string{cookieBrowser, cookieLang, cookieDesk} {
				if !names[n] {
					t.Errorf("no %s cookie set", n)
				}
			}
		})
	}
}

// A desk session lasts twelve hours from its last use, not from the login:
// staff who keep working stay signed in; an idle session ends.
func TestDeskSessionSlides(t *testing.T) {
	const token = "s3cret-desk-token-for-tests"
	var mu sync.Mutex
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	h := newHarnessWith(t, Config{Addr: "0.0.0.0:8080"}, token, Options{Now: clock})
	signIn := func() *client {
		c := h.client(t)
		code, _, _ := c.do("POST", "/login", url.Values{"token": {token}, "next": {"/desk"}}.Encode(),
			map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		if code != http.StatusSeeOther {
			t.Fatalf("login = %d", code)
		}
		return c
	}
	c := signIn()
	// In use, it slides: each request gives twelve more hours...
	for i, step := range []time.Duration{11 * time.Hour, 11 * time.Hour} {
		advance(step)
		code, _, hdr := c.do("GET", "/api/desk/roster", nil, nil)
		if code != 200 {
			t.Fatalf("request %d, %v after the previous one = %d, want 200: the session did not slide", i+1, step, code)
		}
		cookie := hdr.Get("Set-Cookie")
		want := "Max-Age=43200"
		if i == 1 {
			want = "Max-Age=7200" // ...up to a day after signing in
		}
		for _, w := range []string{cookieDesk + "=", "HttpOnly", "SameSite=Strict", want} {
			if !strings.Contains(cookie, w) {
				t.Errorf("renewed session cookie %q lacks %s", cookie, w)
			}
		}
	}
	// A bearer client gets no cookie.
	if _, _, hdr := c.do("GET", "/api/comms/status", nil, map[string]string{"Authorization": "Bearer " + token}); hdr.Get("Set-Cookie") != "" {
		t.Errorf("a bearer request was given a cookie: %q", hdr.Get("Set-Cookie"))
	}
	// However it is used, a session ends a day after signing in.
	advance(time.Hour)
	if code, _, _ := c.do("GET", "/api/desk/roster", nil, nil); code != 200 {
		t.Fatalf("23 hours after signing in = %d, want 200", code)
	}
	advance(time.Hour + time.Minute)
	if code, _, hdr := c.do("GET", "/api/desk/roster", nil, nil); code != http.StatusUnauthorized || hdr.Get("Set-Cookie") != "" {
		t.Errorf("a day after signing in = %d (cookie %q), want 401 and no new cookie", code, hdr.Get("Set-Cookie"))
	}
	// Unused, it ends after twelve hours.
	c = signIn()
	advance(sessionTTL + time.Minute)
	if code, _, _ := c.do("GET", "/api/desk/roster", nil, nil); code != http.StatusUnauthorized {
		t.Errorf("after twelve idle hours = %d, want 401", code)
	}
	// Signing out ends the session in every copy of its cookie.
	c = signIn()
	u, _ := url.Parse(c.base)
	copied := c.http.Jar.Cookies(u)
	if code, _, _ := c.do("POST", "/logout", "csrf="+url.QueryEscape(c.csrf), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); code != http.StatusSeeOther {
		t.Fatalf("logout = %d", code)
	}
	req, _ := http.NewRequest("GET", c.base+"/api/desk/roster", nil)
	for _, k := range copied {
		req.AddCookie(k)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a copy of the cookie after signing out = %d, want 401", res.StatusCode)
	}
}

func TestLoopbackWithoutTokenIsOpen(t *testing.T) {
	h := newHarness(t, loopback(), "")
	c := h.client(t)
	for _, p := range []string{"/desk", "/comms", "/api/desk/escalations", "/api/comms/status"} {
		if code, _, _ := c.do("GET", p, nil, nil); code != 200 {
			t.Errorf("GET %s = %d, want 200", p, code)
		}
	}
	if code, _, _ := c.do("GET", "/login", nil, nil); code != http.StatusSeeOther {
		t.Errorf("GET /login without a token configured = %d, want a redirect", code)
	}
}

func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t, loopback(), "")
	c := h.client(t)
	for _, p := range []string{"/", "/desk", "/comms", "/assets/app.css", "/assets/chat.js", "/nope"} {
		_, _, hdr := c.do("GET", p, nil, nil)
		csp := hdr.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %s", p, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows inline code", p)
		}
		if hdr.Get("X-Content-Type-Options") != "nosniff" || hdr.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: headers %v", p, hdr)
		}
	}
}

func TestPagesHaveNoInlineScriptOrExternalResource(t *testing.T) {
	h := newHarness(t, loopback(), "")
	c := h.client(t)
	inline := regexp.MustCompile(`<script(?:\s+[^>]*)?>`)
	for _, p := range []string{"/", "/?room=general&lang=fr", "/desk", "/comms"} {
		code, body, _ := c.do("GET", p, nil, nil)
		if code != 200 {
			t.Fatalf("GET %s = %d", p, code)
		}
		for _, tag := range inline.FindAllString(body, -1) {
			if !strings.Contains(tag, `src="/assets/`) && !strings.Contains(tag, `type="application/json"`) {
				t.Errorf("%s: script tag %s is neither an embedded file nor data", p, tag)
			}
		}
		if strings.Contains(body, "http://") || strings.Contains(body, "https://") || strings.Contains(body, `src="//`) {
			t.Errorf("%s: the page refers to an external address", p)
		}
		if !strings.Contains(body, `<html lang="`) {
			t.Errorf("%s: no lang attribute", p)
		}
	}
}

func TestLanguageToggle(t *testing.T) {
	h := newHarness(t, loopback(), "")
	c := h.client(t)
	_, body, _ := c.do("GET", "/?lang=fr&room=general", nil, nil)
	if !strings.Contains(body, `<html lang="fr">`) || !strings.Contains(body, "Posez une question") {
		t.Error("?lang=fr did not give the French page")
	}
	if !strings.Contains(body, `href="/chat?lang=en&amp;room=general"`) && !strings.Contains(body, `href="/?lang=en&amp;room=general"`) {
		t.Errorf("toggle link back to English keeps the room: %s", regexp.MustCompile(`class="lang-toggle"[^>]*`).FindString(body))
	}
	// Remembered by cookie.
	_, body, _ = c.do("GET", "/desk", nil, nil)
	if !strings.Contains(body, `<html lang="fr">`) || !strings.Contains(body, "Bureau du personnel") {
		t.Error("the language choice was not remembered")
	}
	c2 := h.client(t)
	_, body, _ = c2.do("GET", "/", nil, map[string]string{"Accept-Language": "fr-CA,fr;q=0.9"})
	if !strings.Contains(body, `<html lang="fr">`) {
		t.Error("Accept-Language fr did not give the French page")
	}
}

// The language toggle of a page at an address nobody serves (the "not
// found" page) leads to the same address on this site, never to another:
// browsers read a link that starts with "//" (or "///") as the address of
// another site, so a link to this site whose path starts with encoded
// slashes would otherwise make the department's own page send a citizen
// to a site of the sender's choice.
// A link to the French desk (?lang=fr) leads, when one must first sign
// in, to the sign-in page in French, and after it to the desk in French.
func TestSignInPageSpeaksTheLanguageOfTheLink(t *testing.T) {
	const token = "s3cret-desk-token-for-tests"
	h := newHarness(t, Config{Addr: "0.0.0.0:8080"}, token)
	c := h.client(t)
	code, _, hdr := c.do("GET", "/desk?lang=fr", nil, nil)
	if code != http.StatusSeeOther {
		t.Fatalf("the desk before signing in = %d, want 303", code)
	}
	if _, body, _ := c.do("GET", hdr.Get("Location"), nil, nil); !strings.Contains(body, "Connexion du personnel") {
		t.Errorf("the sign-in page from a French link (%s) is not in French:\n%s", hdr.Get("Location"), body)
	}
	if code, _, _ := c.do("POST", "/login", url.Values{"token": {token}, "next": {"/desk"}}.Encode(),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); code != http.StatusSeeOther {
		t.Fatalf("sign in = %d", code)
	}
	if _, body, _ := c.do("GET", "/desk", nil, nil); !strings.Contains(body, `<html lang="fr"`) {
		t.Errorf("the desk after signing in is not in French")
	}
}

func TestLanguageToggleStaysOnThisSite(t *testing.T) {
	h := newHarness(t, loopback(), "")
	c := h.client(t)
	toggle := regexp.MustCompile(`class="lang-toggle" href="([^"]*)"`)
	for _, p := range []string{"/%2F%2Fevil.example/x", "/%2f/evil.example", "/%2F%5Cevil.example", "/%5C%5Cevil.example", "/x/..%2F..%2F%2Fevil.example"} {
		code, body, _ := c.do("GET", p, nil, nil)
		m := toggle.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("GET %s = %d: no language toggle", p, code)
		}
		href := html.UnescapeString(m[1])
		if !strings.HasPrefix(href, "/") || len(href) > 1 && (href[1] == '/' || href[1] == '\\') {
			t.Errorf("GET %s: the language toggle is %q, which a browser reads as another site", p, href)
		}
	}
}

func TestPostMessage(t *testing.T) {
	h := newHarness(t, loopback(), "")
	c := h.client(t)
	code, out := c.post("/api/chat/messages", map[string]any{"room": "help", "name": "  Marie  ", "text": "Combien coûte un passeport?"})
	if code != http.StatusAccepted || out["id"] == "" {
		t.Fatalf("post = %d %v", code, out)
	}
	code, _ = c.post("/api/chat/messages", map[string]any{"room": "general", "name": "Marie", "text": "@Liaison, how long does it take?"})
	if code != http.StatusAccepted {
		t.Fatalf("post general = %d", code)
	}
	code, _ = c.post("/api/chat/messages", map[string]any{"room": "general", "name": "Marie", "text": "hello everyone, write to me at marie@liaison.example"})
	if code != http.StatusAccepted {
		t.Fatalf("post general = %d", code)
	}
	h.rec.mu.Lock()
	msgs := append([]bot.Message(nil), h.rec.messages...)
	h.rec.mu.Unlock()
	if len(msgs) != 3 {
		t.Fatalf("got %d messages", len(msgs))
	}
	m := msgs[0]
	if m.Platform != "web" || m.ChannelID != "help" || !m.InHelpChannel || m.Mentioned || m.AuthorName != "Marie" ||
		m.Text != "Combien coûte un passeport?" || m.ID == "" || m.AuthorID == "" || m.Time.IsZero() {
		t.Errorf("help message = %+v", m)
	}
	if !msgs[1].Mentioned || msgs[1].InHelpChannel || msgs[1].Text != "how long does it take?" {
		t.Errorf("mention in general = %+v", msgs[1])
	}
	if msgs[2].Mentioned {
		t.Errorf("an e-mail address is not a mention: %+v", msgs[2])
	}
	if msgs[0].AuthorID != msgs[1].AuthorID || msgs[0].ID == msgs[1].ID {
		t.Error("the author id must be stable per browser and message ids unique")
	}
	other := h.client(t)
	other.post("/api/chat/messages", map[string]any{"room": "help", "name": "Sam", "text": "hi"})
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	if h.rec.messages[3].AuthorID == m.AuthorID {
		t.Error("two browsers share an author id")
	}
}

func TestPostMessageRefusals(t *testing.T) {
	cfg := loopback()
	cfg.MaxMessageChars = 50
	cfg.FloodBurst = 80
	h := newHarness(t, cfg, "")
	c := h.client(t)
	for _, tc := range []struct {
		name  string
		body  any
		hdr   map[string]string
		code  int
		says  string
		field string // the field a refusal of one field names
	}{
		{"no csrf token", map[string]any{"room": "help", "name": "A", "text": "hi"}, map[string]string{}, 403, "expired", ""},
		{"foreign origin", map[string]any{"room": "help", "name": "A", "text": "hi"}, map[string]string{headerCSRF: c.csrf, "Origin": "https://evil.example"}, 403, "another site", ""},
		{"too long", map[string]any{"room": "help", "name": "A", "text": strings.Repeat("é", 51)}, nil, 413, "at most 50 characters", "text"},
		{"body far too big", `{"room":"help","name":"A","text":"` + strings.Repeat("x", 10000) + `"}`, nil, 413, "at most 50", ""},
		{"no name", map[string]any{"room": "help", "name": " ", "text": "hi"}, nil, 400, "display name", "name"},
		{"empty", map[string]any{"room": "help", "name": "A", "text": " \n "}, nil, 400, "Write a message", "text"},
		{"unknown room", map[string]any{"room": "nope", "name": "A", "text": "hi"}, nil, 404, "room", ""},
		// Names that pass for the assistant's or a staff member's.
		{"the assistant's name", map[string]any{"room": "help", "name": "Liaison  Assistant", "text": "hi"}, nil, 400, "belongs to the assistant", "name"},
		{"its French name", map[string]any{"room": "help", "name": "assistant-liaison", "text": "hi"}, nil, 400, "belongs to the assistant", "name"},
		{"a staff member's name", map[string]any{"room": "help", "name": "ALICE TREMBLAY", "text": "hi"}, nil, 400, "member of staff", "name"},
		{"without accents or spaces", map[string]any{"room": "help", "name": "BobSmith.", "text": "hi"}, nil, 400, "member of staff", "name"},
		// Letters that look Latin: another alphabet's, full-width or
		// bold forms, invisible characters and marks between letters.
		{"a Cyrillic а", map[string]any{"room": "help", "name": "Alice Trembl\u0430y", "text": "hi"}, nil, 400, "member of staff", "name"},
		{"a Greek omicron", map[string]any{"room": "help", "name": "B\u03bfb Smith", "text": "hi"}, nil, 400, "member of staff", "name"},
		{"Greek capitals", map[string]any{"room": "help", "name": "\u0391LICE \u03a4REMBLAY", "text": "hi"}, nil, 400, "member of staff", "name"},
		{"full-width letters", map[string]any{"room": "help", "name": "Ｂｏｂ Ｓｍｉｔｈ", "text": "hi"}, nil, 400, "member of staff", "name"},
		{"bold mathematical letters", map[string]any{"room": "help", "name": "𝐁𝐨𝐛 𝐒𝐦𝐢𝐭𝐡", "text": "hi"}, nil, 400, "member of staff", "name"},
		{"a zero-width joiner", map[string]any{"room": "help", "name": "Al\u200dice Trem\u200bblay", "text": "hi"}, nil, 400, "member of staff", "name"},
		{"combining marks", map[string]any{"room": "help", "name": "Bo\u0308b\u0336 Smith", "text": "hi"}, nil, 400, "member of staff", "name"},
		{"an accented Cyrillic е", map[string]any{"room": "help", "name": "Alic\u0450 Tremblay", "text": "hi"}, nil, 400, "member of staff", "name"},
		{"the assistant's name with a Cyrillic і", map[string]any{"room": "help", "name": "L\u0456aison", "text": "hi"}, nil, 400, "belongs to the assistant", "name"},
		// Whole alphabets drawn like Latin letters, letters drawn as
		// nothing, and Latin letters and digits that look alike.
		{"Latin small capitals", map[string]any{"room": "help", "name": "ʙᴏʙ ꜱᴍɪᴛʜ", "text": "hi"}, nil, 400, "member of staff", "name"},
		{"Lisu letters", map[string]any{"room": "help", "name": "ꓐꓳꓐ ꓢꓟꓲꓔꓧ", "text": "hi"}, nil, 400, "member of staff", "name"},
		{"Cherokee letters", map[string]any{"room": "help", "name": "Ᏼob Ꮪmith", "text": "hi"}, nil, 400, "member of staff", "name"},
		{"Cherokee small letters", map[string]any{"room": "help", "name": "\u13fcob \uabaamith", "text": "hi"}, nil, 400, "member of staff", "name"},
		{"Armenian letters", map[string]any{"room": "help", "name": "B\u0585b \u054Fmith", "text": "hi"}, nil, 400, "member of staff", "name"},
		{"a Hangul filler for a space", map[string]any{"room": "help", "name": "Bob\u3164Smith", "text": "hi"}, nil, 400, "member of staff", "name"},
		{"a capital I for an l", map[string]any{"room": "help", "name": "AIice Tremblay", "text": "hi"}, nil, 400, "member of staff", "name"},
		{"a digit 1 for an l", map[string]any{"room": "help", "name": "A1ice Tremb1ay", "text": "hi"}, nil, 400, "member of staff", "name"},
		{"a digit 0 for an o", map[string]any{"room": "help", "name": "B0b Smith", "text": "hi"}, nil, 400, "member of staff", "name"},
		{"rn for m", map[string]any{"room": "help", "name": "Bob Srnith", "text": "hi"}, nil, 400, "member of staff", "name"},
		{"the assistant's name with a capital I", map[string]any{"room": "help", "name": "LIAISON", "text": "hi"}, nil, 400, "belongs to the assistant", "name"},
		{"the assistant's name with a digit 1", map[string]any{"room": "help", "name": "L1aison", "text": "hi"}, nil, 400, "belongs to the assistant", "name"},
		// Digits written for the letters they stand for.
		{"a digit 5 for an s", map[string]any{"room": "help", "name": "Liai5on", "text": "hi"}, nil, 400, "belongs to the assistant", "name"},
		{"digits in the French name", map[string]any{"room": "help", "name": "A5si5t4nt Li41s0n", "text": "hi"}, nil, 400, "belongs to the assistant", "name"},
		{"digits 3 and 4 for e and a", map[string]any{"room": "help", "name": "Alic3 Tr3mbl4y", "text": "hi"}, nil, 400, "member of staff", "name"},
		{"a digit 7 for a t", map[string]any{"room": "help", "name": "Bob Smi7h", "text": "hi"}, nil, 400, "member of staff", "name"},
		{"a digit 8 for a b", map[string]any{"room": "help", "name": "8ob Smith", "text": "hi"}, nil, 400, "member of staff", "name"},
		{"a digit 6 for a b", map[string]any{"room": "help", "name": "Bo6 Smith", "text": "hi"}, nil, 400, "member of staff", "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := tc.hdr
			if hdr == nil {
				hdr = map[string]string{headerCSRF: c.csrf}
			}
			code, body, _ := c.do("POST", "/api/chat/messages", tc.body, hdr)
			if code != tc.code || !strings.Contains(body, tc.says) {
				t.Errorf("= %d %s, want %d saying %q", code, body, tc.code, tc.says)
			}
			if got := strings.Contains(body, `"field":"`+tc.field+`"`); tc.field != "" && !got || tc.field == "" && strings.Contains(body, `"field"`) {
				t.Errorf("= %s, want field %q", body, tc.field)
			}
		})
	}
	if len(h.rec.messages) != 0 {
		t.Fatalf("refused messages reached the engine: %v", h.rec.messages)
	}
	// A first name alone, or a name that only contains a staff member's
	// first name, is anyone's, and so are names in other alphabets,
	// names with accents, other letters or apostrophes, and names with a
	// number after them.
	for _, name := range []string{"Alice", "Bob Smithson", "Alice T.", "Ольга Петрова", "Ζωή Παπαδάκη", "Zoë Tremblay", "Séverine Roy",
		"Nakuset", "Tłı̨chǫ", "Kanien'kehá:ka", "Mi’kmaq", "ᏣᎳᎩ", "Bob Simth", "Alicia Tremblay",
		"Marie2", "Jean 3", "Bob Smith 2", "Alice 4"} {
		if code, _ := c.post("/api/chat/messages", map[string]any{"room": "help", "name": name, "text": "hi"}); code != http.StatusAccepted {
			t.Errorf("name %q = %d, want 202", name, code)
		}
	}
}

func TestFloodIsThrottled(t *testing.T) {
	cfg := loopback()
	cfg.FloodBurst = 3
	cfg.FloodPerMinute = 2
	h := newHarness(t, cfg, "")
	c := h.client(t)
	for i := range 3 {
		if code, _ := c.post("/api/chat/messages", map[string]any{"room": "help", "name": "A", "text": fmt.Sprint("q", i)}); code != 202 {
			t.Fatalf("message %d = %d", i, code)
		}
	}
	code, body, hdr := c.do("POST", "/api/chat/messages", map[string]any{"room": "help", "name": "A", "text": "again"},
		map[string]string{headerCSRF: c.csrf, "X-Liaison-Lang": "fr"})
	if code != http.StatusTooManyRequests || hdr.Get("Retry-After") == "" || !strings.Contains(body, "trop rapidement") {
		t.Fatalf("4th message = %d %s (Retry-After %q)", code, body, hdr.Get("Retry-After"))
	}
	// Another browser is not affected.
	if code, _ := h.client(t).post("/api/chat/messages", map[string]any{"room": "help", "name": "B", "text": "hi"}); code != 202 {
		t.Errorf("another browser = %d", code)
	}
	if n := len(h.rec.messages); n != 4 {
		t.Errorf("engine got %d messages, want 4", n)
	}
}

// A script that drops its cookie and takes a new one (and its CSRF token)
// every few messages is still one network address: beyond the address's
// burst it gets HTTP 429 like one browser would.
func TestFloodFromOneAddressIsThrottledWhateverItsCookies(t *testing.T) {
	cfg := loopback()
	cfg.FloodBurst, cfg.FloodPerMinute = 5, 12
	cfg.AddressFloodBurst, cfg.AddressFloodPerMinute = 12, 60
	h := newHarness(t, cfg, "")
	accepted, refused := 0, 0
	for range 6 { // six "browsers" from one address, five messages each
		c := h.client(t)
		for range 5 {
			switch code, _ := c.post("/api/chat/messages", map[string]any{"room": "help", "name": "Spam", "text": "buy now"}); code {
			case http.StatusAccepted:
				accepted++
			case http.StatusTooManyRequests:
				refused++
			default:
				t.Fatalf("message = %d", code)
			}
		}
	}
	if accepted != 12 || refused != 18 {
		t.Errorf("one address with new cookies: %d accepted, %d refused; want the address's burst of 12 accepted and 18 refused", accepted, refused)
	}
	if n := len(h.rec.messages); n != accepted {
		t.Errorf("engine got %d messages, want %d", n, accepted)
	}
}

// A client is handed a whole IPv6 /64 (a home connection, a rented
// server) and may send from any address in it: the address limit counts
// the /64 as one address. IPv4 addresses count one by one, also when
// written as IPv4-mapped IPv6.
func TestFloodFromOneIPv6NetworkIsThrottledAsOneAddress(t *testing.T) {
	cfg := loopback()
	cfg.FloodBurst, cfg.FloodPerMinute = 5, 12
	cfg.AddressFloodBurst, cfg.AddressFloodPerMinute = 12, 60
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) // no refill while the test runs
	h := newHarnessWith(t, cfg, "", Options{Now: func() time.Time { return now }})
	// The network: each request arrives from the address the test names.
	net6 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if from := r.Header.Get("X-Test-From"); from != "" {
			r.RemoteAddr = net.JoinHostPort(from, "49152")
		}
		h.srv.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(net6.Close)
	// send posts n messages from a new browser at address from and
	// returns how many were accepted.
	send := func(from string, n int) int {
		t.Helper()
		c := h.client(t)
		c.base = net6.URL
		accepted := 0
		for range n {
			code, body, _ := c.do("POST", "/api/chat/messages", map[string]any{"room": "help", "name": "Spam", "text": "buy now"},
				map[string]string{headerCSRF: c.csrf, "X-Test-From": from})
			switch code {
			case http.StatusAccepted:
				accepted++
			case http.StatusTooManyRequests:
			default:
				t.Fatalf("message from %s = %d %s", from, code, body)
			}
		}
		return accepted
	}
	accepted := 0
	for _, from := range []string{"2001:db8:5:6::1", "2001:db8:5:6::2", "2001:db8:5:6:a1b2:c3d4:e5f6:789", "2001:db8:5:6:ffff::1",
		"2001:db8:5:6::1:1", "2001:db8:5:6:8000::"} {
		accepted += send(from, 5)
	}
	if accepted != 12 {
		t.Errorf("six addresses of one /64, five messages each: %d accepted, want the address's burst of 12", accepted)
	}
	if n := send("2001:db8:5:7::1", 1); n != 1 {
		t.Error("the next /64 is refused with the first")
	}
	accepted = 0
	for _, from := range []string{"192.0.2.1", "192.0.2.1", "192.0.2.1"} {
		accepted += send(from, 5)
	}
	if accepted != 12 {
		t.Errorf("one IPv4 address: %d accepted, want 12", accepted)
	}
	if n := send("::ffff:192.0.2.1", 1); n != 0 {
		t.Error("the same IPv4 address written as IPv4-mapped IPv6 has an allowance of its own")
	}
	if n := send("192.0.2.2", 1); n != 1 {
		t.Error("the next IPv4 address is refused with the first")
	}
}

// sse reads a stream's events until it has n of type typ or the deadline.
func sse(t *testing.T, url string, hdr map[string]string, typ string, n int) []map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("content type %q", ct)
	}
	var out []map[string]any
	sc := bufio.NewScanner(res.Body)
	cur := ""
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "event: "); ok {
			cur = v
		}
		if v, ok := strings.CutPrefix(line, "data: "); ok && cur == typ {
			var m map[string]any
			if err := json.Unmarshal([]byte(v), &m); err != nil {
				t.Fatalf("bad event data %q: %v", v, err)
			}
			out = append(out, m)
			if len(out) == n {
				return out
			}
		}
	}
	t.Fatalf("stream ended with %d %s events, want %d", len(out), typ, n)
	return nil
}

func TestSendShowsReplyOnceInThread(t *testing.T) {
	h := newHarness(t, loopback(), "")
	c := h.client(t)
	_, out := c.post("/api/chat/messages", map[string]any{"room": "help", "name": "Marie", "text": "<script>alert(1)</script> passeport?"})
	qid := out["id"].(string)
	ch := h.srv.Channel()
	to := bot.Address{Platform: "web", ChannelID: "help", ReplyTo: qid, UserID: h.rec.messages[0].AuthorID, UserName: "Marie"}
	r := bot.Reply{Kind: bot.KindRelay, Lang: bot.French, Text: "Voici la réponse.\n— Alice Tremblay, Agente", Key: "relay:1:1", Signature: "Alice Tremblay, Agente", Feedback: true}
	ref1, err := ch.Send(context.Background(), to, r)
	if err != nil {
		t.Fatal(err)
	}
	ref2, err := ch.Send(context.Background(), to, r) // the engine resends after a crash
	if err != nil {
		t.Fatal(err)
	}
	if ref1.ID != ref2.ID || ref1.Platform != "web" || ref1.ChannelID != "help" || ref1.ID == "" {
		t.Fatalf("refs %+v %+v", ref1, ref2)
	}
	_, err = ch.Send(context.Background(), bot.Address{Platform: "web", ChannelID: "nope"}, bot.Reply{Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("send to an unknown room: %v", err)
	}
	// Another broadcast-like message follows, so a duplicate would show up
	// before it.
	if _, err := ch.Send(context.Background(), bot.Address{Platform: "web", ChannelID: "help"}, bot.Reply{Kind: bot.KindBroadcast, Text: "EN / FR", Key: "bc:1"}); err != nil {
		t.Fatal(err)
	}
	evs := sse(t, h.ts.URL+"/api/chat/events?room=help", nil, "message", 3)
	if evs[0]["kind"] != "citizen" || evs[0]["text"] != "<script>alert(1)</script> passeport?" || evs[0]["author"] != "Marie" {
		t.Errorf("citizen event %v", evs[0])
	}
	if evs[0]["tag"] == "" || evs[0]["tag"] == h.rec.messages[0].AuthorID {
		t.Error("the room must see a pseudonym, not the browser id")
	}
	relay := evs[1]
	if relay["kind"] != "relay" || relay["id"] != ref1.ID || relay["reply_to"] != qid || relay["signature"] != "Alice Tremblay, Agente" ||
		relay["lang"] != "fr" || relay["feedback"] != true || relay["to_tag"] != evs[0]["tag"] {
		t.Errorf("relay event %v", relay)
	}
	if q, _ := relay["quote"].(map[string]any); q["author"] != "Marie" || !strings.Contains(q["text"].(string), "passeport") {
		t.Errorf("the reply does not quote the question: %v", relay["quote"])
	}
	if evs[2]["kind"] != "broadcast" {
		t.Errorf("third event %v: the reply was shown twice", evs[2])
	}
	// Feedback goes to the engine as a reaction on the bot's message.
	if code, _ := c.post("/api/chat/feedback", map[string]any{"room": "help", "message": ref1.ID, "value": -1}); code != 200 {
		t.Fatalf("feedback = %d", code)
	}
	if code, _ := c.post("/api/chat/feedback", map[string]any{"room": "help", "message": ref1.ID, "value": 5}); code != 400 {
		t.Errorf("feedback value 5 = %d, want 400", code)
	}
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	if len(h.rec.reactions) != 1 {
		t.Fatalf("reactions %v", h.rec.reactions)
	}
	if x := h.rec.reactions[0]; x.Platform != "web" || x.ChannelID != "help" || x.MessageID != ref1.ID || x.Value != -1 || x.UserID != h.rec.messages[0].AuthorID {
		t.Errorf("reaction %+v", x)
	}
}

func TestStreamResumesAfterLastEventID(t *testing.T) {
	h := newHarness(t, loopback(), "")
	for i := range 3 {
		_, _ = h.srv.Channel().Send(context.Background(), bot.Address{Platform: "web", ChannelID: "general"},
			bot.Reply{Kind: bot.KindBroadcast, Text: fmt.Sprint("n", i)})
	}
	room := h.srv.rooms["general"]
	room.mu.Lock()
	second := room.history[1].ID
	room.mu.Unlock()
	evs := sse(t, h.ts.URL+"/api/chat/events?room=general", map[string]string{"Last-Event-ID": fmt.Sprint(second)}, "message", 1)
	if evs[0]["text"] != "n2" {
		t.Errorf("resumed at %v, want the third message", evs[0])
	}
}

// The stream says where its replay ends with a "ready" event that carries
// no id, between the history and the live messages; the events themselves
// are unchanged, so a client that ignores "ready" works as before.
func TestStreamMarksTheEndOfHistory(t *testing.T) {
	h := newHarness(t, loopback(), "")
	send := func(text string) {
		if _, err := h.srv.Channel().Send(context.Background(), bot.Address{Platform: "web", ChannelID: "general"},
			bot.Reply{Kind: bot.KindBroadcast, Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	send("old 1")
	send("old 2")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", h.ts.URL+"/api/chat/events?room=general", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	// Each block is one event: its field lines.
	var blocks [][]string
	var cur []string
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if line != "" {
			cur = append(cur, line)
			continue
		}
		if len(cur) > 0 {
			blocks = append(blocks, cur)
			if len(blocks) == 4 { // retry, two messages, ready
				send("live")
			}
			if len(blocks) == 5 {
				break
			}
		}
		cur = nil
	}
	want := []string{"retry: 2000", "message old 1", "message old 2", "ready", "message live"}
	for i, b := range blocks {
		got := strings.Join(b, "\n")
		switch w := want[i]; {
		case w == "ready":
			if got != `event: ready`+"\n"+`data: {"replayed":2}` {
				t.Errorf("event %d = %q, want a ready event without an id", i, got)
			}
		case strings.HasPrefix(w, "message "):
			if !strings.HasPrefix(got, "id: ") || !strings.Contains(got, "event: message\n") || !strings.Contains(got, `"text":"`+strings.TrimPrefix(w, "message ")+`"`) {
				t.Errorf("event %d = %q, want %s with an id", i, got, w)
			}
		default:
			if got != w {
				t.Errorf("event %d = %q, want %q", i, got, w)
			}
		}
	}
	if len(blocks) != len(want) {
		t.Fatalf("stream gave %d events, want %d: %q", len(blocks), len(want), blocks)
	}
}

// The language told from a citizen's message takes no place in the room's
// history: a page opened later is shown web.history messages, each with
// its language, while pages open at the time get a "lang" event.
func TestToldLanguagesKeepTheRoomHistoryForMessages(t *testing.T) {
	cfg := loopback()
	cfg.History = 4
	h := newHarness(t, cfg, "")
	h.rec.mu.Lock()
	h.rec.detect = bot.French
	h.rec.mu.Unlock()
	_, live, cancel := h.srv.rooms["help"].subscribe(0, false)
	defer cancel()
	c := h.client(t)
	for i := range 5 {
		if code, out := c.post("/api/chat/messages", map[string]any{"room": "help", "name": "Marie", "text": fmt.Sprint("question ", i)}); code != http.StatusAccepted {
			t.Fatalf("post %d = %d %v", i, code, out)
		}
	}
	var types []string
	for len(live) > 0 {
		types = append(types, (<-live).Type)
	}
	if got := strings.Join(types, " "); got != strings.TrimSpace(strings.Repeat("message lang ", 5)) {
		t.Errorf("an open page received %q, want each message followed by its language", got)
	}

	ctx, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	req, _ := http.NewRequestWithContext(ctx, "GET", h.ts.URL+"/api/chat/events?room=help", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var texts []string
	sc := bufio.NewScanner(res.Body)
	typ := ""
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "event: "); ok {
			if typ = v; typ == "ready" {
				break
			}
			if typ != "message" {
				t.Errorf("a page opened later was replayed a %q event", typ)
			}
		}
		if v, ok := strings.CutPrefix(line, "data: "); ok && typ == "message" {
			var ev chatEvent
			if err := json.Unmarshal([]byte(v), &ev); err != nil {
				t.Fatal(err)
			}
			if ev.Lang != "fr" {
				t.Errorf("replayed message %q has language %q, want the one told, fr", ev.Text, ev.Lang)
			}
			texts = append(texts, ev.Text)
		}
	}
	if got := strings.Join(texts, ", "); got != "question 1, question 2, question 3, question 4" {
		t.Errorf("a page opened later shows %q, want the last web.history = 4 messages", got)
	}
}

func TestDeskActions(t *testing.T) {
	h := newHarness(t, loopback(), "")
	c := h.client(t)
	code, body, _ := c.do("GET", "/api/desk/roster", nil, nil)
	if code != 200 || !strings.Contains(body, `"name":"Alice Tremblay"`) || strings.Contains(body, "U-ALICE") {
		t.Errorf("roster = %d %s (desk user ids stay private)", code, body)
	}
	code, out := c.post("/api/desk/answer", map[string]any{"as": "alice", "id": 12, "text": " Voici. ", "event_id": "e1"})
	if code != 200 || out["relays"] != float64(2) {
		t.Fatalf("answer = %d %v", code, out)
	}
	a := h.rec.answers[0]
	if a.EscalationID != 12 || a.DeskUserID != "U-ALICE" || a.EventID != "web:e1" || a.Text != "Voici." || a.DeskRef != "web-12" {
		t.Errorf("desk answer %+v", a)
	}
	if code, out = c.post("/api/desk/answer", map[string]any{"as": "mallory", "id": 12, "text": "x"}); code != 403 {
		t.Errorf("answer by someone off the roster = %d %v", code, out)
	}
	if code, out = c.post("/api/desk/claim", map[string]any{"as": "bob", "id": 12}); code != 403 || !strings.Contains(out["error"].(string), "not allowed") {
		t.Errorf("refused claim = %d %v", code, out)
	}
	if code, out = c.post("/api/desk/claim", map[string]any{"as": "alice", "id": 12}); code != 200 || out["state"] != "claimed" || out["claimed_by"] != "Alice Tremblay" {
		t.Errorf("claim = %d %v", code, out)
	}
	// A close without a reason goes to the engine, which refuses and
	// audits it (TestDeskAndCommsRefusalsAreAudited).
	if code, _ = c.post("/api/desk/close", map[string]any{"as": "alice", "id": 12, "reason": "duplicate"}); code != 200 || h.rec.closes[0] != "duplicate" {
		t.Errorf("close = %d", code)
	}
	if code, out = c.post("/api/desk/draft", map[string]any{"as": "alice", "id": 12}); code != 200 || out["entry_id"] != "draft-1" {
		t.Errorf("draft = %d %v", code, out)
	}
	if code, _ = c.post("/api/desk/mismatch", map[string]any{"as": "alice", "answer_id": 7, "send_anyway": true}); code != 200 {
		t.Errorf("mismatch = %d", code)
	}
}

func TestDeskEventsArePushed(t *testing.T) {
	h := newHarness(t, loopback(), "")
	d := h.srv.Desk()
	ref, err := d.PostEscalation(context.Background(), bot.Escalation{ID: 5, State: bot.StateOpen, Lang: bot.French,
		Question: "<b>Où</b> est mon passeport?", RoutedTo: "alice", Channel: "web:help", Version: 1,
		Suggestions: []bot.Hit{{EntryID: "passport-status", Lang: bot.French, Question: "Statut", Confidence: 0.31}}})
	if err != nil || ref != "web-5" {
		t.Fatalf("PostEscalation = %q %v", ref, err)
	}
	if _, err := d.Notify(context.Background(), bot.Notice{Kind: bot.NoticeMismatch, EscalationID: 5, AnswerID: 9, Text: "Langue différente"}); err != nil {
		t.Fatal(err)
	}
	evs := sse(t, h.ts.URL+"/api/desk/events", map[string]string{"Last-Event-ID": "0"}, "escalation", 1)
	e := evs[0]
	if e["id"] != float64(5) || e["routed_to"] != "Alice Tremblay" || e["question"] != "<b>Où</b> est mon passeport?" || e["channel"] != "web:help" ||
		e["channel_en"] != "Help" || e["channel_fr"] != "Aide" {
		t.Errorf("escalation event %v", e)
	}
	if s := e["suggestions"].([]any)[0].(map[string]any); s["entry_id"] != "passport-status" || s["confidence"] != 0.31 {
		t.Errorf("suggestion %v", s)
	}
	c := h.client(t)
	_, body, _ := c.do("GET", "/api/desk/notices", nil, nil)
	if !strings.Contains(body, `"kind":"mismatch"`) || !strings.Contains(body, `"answer_id":9`) {
		t.Errorf("notices %s", body)
	}
	c.post("/api/desk/mismatch", map[string]any{"as": "alice", "answer_id": 9, "send_anyway": false})
	_, body, _ = c.do("GET", "/api/desk/notices", nil, nil)
	if !strings.Contains(body, `"resolved":true`) {
		t.Errorf("settled mismatch not marked: %s", body)
	}
}

// deskStream opens the desk's event stream with c's cookies. It returns
// the types of the events that arrive after "ready", and a channel closed
// when the server ends the stream.
func deskStream(t *testing.T, c *client) (events <-chan string, ended <-chan struct{}) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", c.base+"/api/desk/events", nil)
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 {
		res.Body.Close()
		t.Fatalf("desk stream = %d", res.StatusCode)
	}
	ready, done := make(chan struct{}), make(chan struct{})
	out := make(chan string, 16)
	go func() {
		defer close(done)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		isReady := false
		for sc.Scan() {
			typ, ok := strings.CutPrefix(sc.Text(), "event: ")
			switch {
			case ok && typ == "ready" && !isReady:
				isReady = true
				close(ready)
			case ok && isReady:
				out <- typ
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
		t.Fatal("no ready event")
	}
	return out, done
}

// An open desk stream ends with the session it runs under: when the
// session is signed out, and when it ends a day after signing in, it
// delivers nothing more. A stream with the bearer token is not concerned.
func TestDeskStreamEndsWithTheSession(t *testing.T) {
	const token = "s3cret-desk-token-for-tests"
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	signIn := func(t *testing.T, h *harness) *client {
		c := h.client(t)
		if code, _, _ := c.do("POST", "/login", url.Values{"token": {token}, "next": {"/desk"}}.Encode(), form); code != http.StatusSeeOther {
			t.Fatalf("login = %d", code)
		}
		return c
	}
	notify := func(t *testing.T, h *harness, text string) {
		if _, err := h.srv.Desk().Notify(context.Background(), bot.Notice{Kind: bot.NoticeInfo, Lang: bot.English, Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	// ends checks that the stream ends without delivering anything more.
	ends := func(t *testing.T, events <-chan string, ended <-chan struct{}) {
		t.Helper()
		select {
		case <-ended:
		case <-time.After(5 * time.Second):
			t.Error("the stream stayed open after its session ended")
		}
		select {
		case typ := <-events:
			t.Errorf("the stream of an ended session received a %q event", typ)
		default:
		}
	}
	t.Run("signed out", func(t *testing.T) {
		h := newHarness(t, Config{Addr: "0.0.0.0:8080"}, token)
		c := signIn(t, h)
		events, ended := deskStream(t, c)
		other, _ := deskStream(t, signIn(t, h)) // another person's session
		notify(t, h, "before")
		if typ := <-events; typ != "notice" {
			t.Fatalf("event %q, want notice", typ)
		}
		<-other
		if code, _, _ := c.do("POST", "/logout", "csrf="+url.QueryEscape(c.csrf), form); code != http.StatusSeeOther {
			t.Fatalf("logout = %d", code)
		}
		ends(t, events, ended)
		notify(t, h, "after sign-out")
		ends(t, events, ended)
		select {
		case <-other:
		case <-time.After(5 * time.Second):
			t.Error("signing out ended another session's stream")
		}
	})
	t.Run("a day after signing in", func(t *testing.T) {
		var mu sync.Mutex
		now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		h := newHarnessWith(t, Config{Addr: "0.0.0.0:8080"}, token, Options{Now: clock})
		events, ended := deskStream(t, signIn(t, h))
		mu.Lock()
		now = now.Add(sessionMax + time.Hour)
		mu.Unlock()
		notify(t, h, "past the day")
		ends(t, events, ended)
		// The bearer token has no session to end.
		evs := sse(t, h.ts.URL+"/api/desk/events", map[string]string{"Authorization": "Bearer " + token, "Last-Event-ID": "0"}, "notice", 1)
		if evs[0]["text"] != "past the day" {
			t.Errorf("bearer stream: %v", evs)
		}
	})
}

func TestComms(t *testing.T) {
	h := newHarness(t, loopback(), "")
	c := h.client(t)
	code, body, _ := c.do("GET", "/api/comms/status", nil, map[string]string{"X-Liaison-Lang": "fr"})
	if code != 200 {
		t.Fatal(code)
	}
	var st struct {
		Phase    string
		Channels []channelView
		Summary  map[string]any
	}
	_ = json.Unmarshal([]byte(body), &st)
	if st.Phase != "replies" || len(st.Channels) != 2 || st.Channels[1].Phase != "broadcast" || !st.Channels[1].Override || st.Channels[0].Name != "Aide" {
		t.Errorf("status %s", body)
	}
	if st.Summary["median_first_response_s"] != 1.5 || st.Summary["questions"].(map[string]any)["fr"] != float64(3) {
		t.Errorf("summary %v", st.Summary)
	}
	// Each median with how many it is taken over: 0, it means nothing.
	if st.Summary["first_responses"] != float64(6) || st.Summary["staff_answers"] != float64(0) || st.Summary["median_staff_answer_s"] != float64(0) {
		t.Errorf("summary %v, want first_responses 6 and staff_answers 0 beside their medians", st.Summary)
	}
	// A switch without a reason goes to the engine, which refuses and
	// audits it (TestDeskAndCommsRefusalsAreAudited).
	if code, _ := c.post("/api/comms/phase", map[string]any{"as": "alice", "phase": "sideways", "reason": "x"}); code != 400 {
		t.Errorf("unknown phase = %d", code)
	}
	if code, _ := c.post("/api/comms/phase", map[string]any{"as": "alice", "channel": "web:general", "phase": "inherit", "reason": "pilot over"}); code != 200 {
		t.Errorf("inherit = %d", code)
	}
	if code, out := c.post("/api/comms/phase", map[string]any{"as": "alice", "phase": "broadcast", "reason": "election period"}); code != 200 || out["to"] != "broadcast" {
		t.Errorf("phase = %d %v", code, out)
	}
	p := h.rec.phases
	if len(p) != 2 || p[0].Channel != "web:general" || p[0].Phase != 0 || p[1].Phase != phases.Broadcast || p[1].Reason != "election period" ||
		p[1].Actor.Via != "web" || p[1].Actor.DeskUserID != "U-ALICE" {
		t.Errorf("phase requests %+v", p)
	}
	// The engine's refusal of a one-language broadcast is shown as it says.
	code, out := c.post("/api/comms/broadcast", map[string]any{"as": "alice", "en": "Offices closed Monday.", "fr": ""})
	if code != 400 || !strings.Contains(fmt.Sprint(out["detail"]), "French text is missing") {
		t.Errorf("one-language broadcast = %d %v", code, out)
	}
	code, out = c.post("/api/comms/broadcast", map[string]any{"as": "alice", "en": "Closed Monday.", "fr": "Fermé lundi.", "at": "2030-01-02T15:04:05Z", "channels": []string{"web:help"}})
	if code != 200 || out["id"] != float64(3) {
		t.Errorf("broadcast = %d %v", code, out)
	}
	if b := h.rec.casts[1]; !b.At.Equal(time.Date(2030, 1, 2, 15, 4, 5, 0, time.UTC)) || len(b.Channels) != 1 || b.Channels[0] != "web:help" {
		t.Errorf("broadcast request %+v", b)
	}
	if code, _ := c.post("/api/comms/broadcast", map[string]any{"as": "alice", "en": "a", "fr": "b", "at": "tomorrow"}); code != 400 {
		t.Errorf("bad time = %d", code)
	}
}

func TestNotReadyAnswers503(t *testing.T) {
	srv, err := New(loopback(), "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	c := &harness{srv: srv, ts: ts}
	cl := c.client(t)
	if code, _ := cl.post("/api/chat/messages", map[string]any{"room": "help", "name": "A", "text": "hi"}); code != 503 {
		t.Errorf("post before Run = %d, want 503", code)
	}
}

func TestServeAndURLs(t *testing.T) {
	srv, err := New(loopback(), "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	u := srv.URLs()
	if !strings.HasPrefix(u.Chat, "http://127.0.0.1:") || u.Desk != strings.TrimSuffix(u.Chat, "/")+"/desk" || !strings.HasSuffix(u.Comms, "/comms") {
		t.Errorf("URLs %+v", u)
	}
	_ = ln
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ctx) }()
	res, err := http.Get(strings.TrimSuffix(u.Chat, "/") + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	// An open live stream does not hold up shutdown.
	streamCtx, stop := context.WithCancel(context.Background())
	defer stop()
	req, _ := http.NewRequestWithContext(streamCtx, "GET", strings.TrimSuffix(u.Chat, "/")+"/api/chat/events?room=help", nil)
	sres, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer sres.Body.Close()
	cancel()
	if err := <-errc; err != nil {
		t.Errorf("Serve after cancel: %v", err)
	}
	if nu := (&Server{cfg: Config{Addr: "0.0.0.0:9000"}}).URLs(); nu.Chat != "http://localhost:9000/" {
		t.Errorf("unspecified host prints as %q", nu.Chat)
	}
}

func TestConfig(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatalf("default: %v", err)
	}
	ch := Default().Channels()
	if len(ch) != 2 || ch[0].Key != "web:help" || !ch[0].Help || ch[1].Key != "web:general" || ch[1].Help || !ch[1].Broadcast || ch[0].Lang != bot.Unknown {
		t.Errorf("default channels %+v", ch)
	}
	bad := Config{
		Enabled:         "sometimes",
		Addr:            "8080",
		MaxMessageChars: -1,
		FloodPerMinute:  30, AddressFloodPerMinute: 10,
		BodyTimeoutSeconds: 601, StreamsPerAddress: -1,
		Rooms: []Room{
			{ID: "Help Room", NameEN: "Help", NameFR: "Aide"},
			{ID: "dup", NameEN: "A", NameFR: "A", Lang: "de"},
			{ID: "dup", NameEN: "B"},
		},
	}
	err := bad.Validate()
	if err == nil {
		t.Fatal("bad config accepted")
	}
	for _, want := range []string{"web.enabled", "web.addr", "web.max_message_chars", "web.address_flood_per_minute", "web.body_timeout_seconds", "web.streams_per_address", "web.room[0].id", "web.room[1].lang", "web.room[2].id", "web.room[2]: name_en and name_fr"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s:\n%v", want, err)
		}
	}
	for v, want := range map[any]string{nil: EnabledAuto, "auto": EnabledAuto, true: EnabledOn, false: EnabledOff, "false": EnabledOff} {
		if got, err := (Config{Enabled: v}).Enablement(); err != nil || got != want {
			t.Errorf("Enablement(%v) = %q %v", v, got, err)
		}
	}
	// One address gets at least five times a browser's rate and four
	// times its burst unless set.
	if c := (Config{FloodPerMinute: 30, FloodBurst: 8}).withDefaults(); c.AddressFloodPerMinute != 150 || c.AddressFloodBurst != 32 || c.Validate() != nil {
		t.Errorf("address limits for a browser's 30/8: %d/%d (%v)", c.AddressFloodPerMinute, c.AddressFloodBurst, c.Validate())
	}
	fr := Config{Rooms: []Room{{ID: "aide", NameEN: "Help", NameFR: "Aide", Lang: "fr"}}}.Channels()
	if fr[0].Lang != bot.French {
		t.Errorf("room lang fr = %q", fr[0].Lang)
	}
}

func TestEveryStringInBothLanguages(t *testing.T) {
	for k, v := range uiStrings {
		if strings.TrimSpace(v[0]) == "" || strings.TrimSpace(v[1]) == "" {
			t.Errorf("%s lacks a language: %q", k, v)
		}
	}
	// Every key the templates and scripts use exists.
	used := map[string]bool{}
	tmpl := regexp.MustCompile(`\{\{tf? \.(?:Lang|Other) "([^"]+)"`)
	js := regexp.MustCompile(`\bt\("([a-z.]*[a-z])"`)
	for _, dir := range []string{"templates", "assets"} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			b, err := os.ReadFile(dir + "/" + e.Name())
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range tmpl.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = true
			}
			for _, m := range js.FindAllStringSubmatch(string(b), -1) {
				used["js."+m[1]] = true
			}
		}
	}
	for _, p := range []string{"chat", "desk", "comms", "login", "error"} {
		used[p+".title"] = true
	}
	// The desk labels each notice by its kind (t("kind." + n.kind)): every
	// kind the engine declares needs a label, read from its declaration.
	decl, err := os.ReadFile("../../bot/records.go")
	if err != nil {
		t.Fatal(err)
	}
	kinds := regexp.MustCompile(`(?m)^\s*Notice\w+\s+NoticeKind = "([^"]+)"`).FindAllStringSubmatch(string(decl), -1)
	if n := strings.Count(string(decl), "NoticeKind = \""); len(kinds) < 5 || len(kinds) != n {
		t.Fatalf("found %d of the %d notice kinds in bot/records.go: the scan is broken", len(kinds), n)
	}
	for _, m := range kinds {
		used["js.kind."+m[1]] = true
	}
	if len(used) < 50 {
		t.Fatalf("found only %d keys in use: the scan is broken", len(used))
	}
	for k := range used {
		if _, ok := uiStrings[k]; !ok {
			t.Errorf("string %q is used but not defined", k)
		}
	}
}

// TestSignInIntroNamesTheTokenAsItsFieldDoes checks that the sign-in page
// asks, in each language, for the token by the name its field has.
func TestSignInIntroNamesTheTokenAsItsFieldDoes(t *testing.T) {
	for _, l := range bot.Langs {
		for _, k := range []string{"", ".personal"} {
			intro, label := uiText(l, "login.intro"+k), uiText(l, "login.token"+k)
			if !strings.Contains(strings.ToLower(intro), strings.ToLower(label)) {
				t.Errorf("%s: login.intro%s %q does not name its field %q", l, k, intro, label)
			}
		}
	}
}

func TestHostileRoomNameIsEscaped(t *testing.T) {
	cfg := loopback()
	cfg.Rooms = []Room{{ID: "x", NameEN: `<script>alert("x")</script>`, NameFR: `"><img src=x onerror=alert(1)>`}}
	h := newHarness(t, cfg, "")
	c := h.client(t)
	for _, p := range []string{"/?lang=en", "/?lang=fr"} {
		_, body, _ := c.do("GET", p, nil, nil)
		if strings.Contains(body, `<script>alert`) || strings.Contains(body, `<img src=x`) {
			t.Errorf("%s: room name not escaped", p)
		}
	}
}

// countingBody counts the bytes the server reads from a request body.
type countingBody struct {
	r io.Reader
	n int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingBody) Close() error { return nil }

// The sign-in and sign-out forms are taken with "Origin: null", which
// Chromium sends with a form from a page whose Referrer-Policy is
// no-referrer; the desk token and the CSRF token still guard them, and
// another site's origin is still refused. A refused sign-out is a page,
// not JSON, and a signed-out browser lands on the sign-in page.
func TestFormsFromPagesWithoutAReferrer(t *testing.T) {
	const token = "s3cret-desk-token-for-tests"
	h := newHarness(t, Config{Addr: "0.0.0.0:8080"}, token)
	c := h.client(t)
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": "null"}
	signIn := url.Values{"token": {token}, "next": {"/comms"}}.Encode()
	if code, _, hdr := c.do("POST", "/login", signIn, map[string]string{"Content-Type": form["Content-Type"], "Origin": "https://evil.example"}); code != http.StatusForbidden {
		t.Errorf("sign-in from another site = %d %q, want 403", code, hdr.Get("Location"))
	}
	if code, _, _ := c.do("POST", "/login", url.Values{"token": {"wrong-token-value"}}.Encode(), form); code != http.StatusUnauthorized {
		t.Errorf("sign-in with Origin: null and a wrong token = %d, want 401", code)
	}
	if code, _, hdr := c.do("POST", "/login", signIn, form); code != http.StatusSeeOther || hdr.Get("Location") != "/comms" {
		t.Fatalf("sign-in with Origin: null = %d %q, want 303 to /comms", code, hdr.Get("Location"))
	}
	// Sign out without the CSRF token: refused, with a page.
	code, body, hdr := c.do("POST", "/logout", "csrf=guess", form)
	if code != http.StatusForbidden || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") || !strings.Contains(body, "another site") {
		t.Errorf("sign-out with a wrong CSRF token = %d %q, want 403 and a page that says why", code, hdr.Get("Content-Type"))
	}
	if code, _, _ := c.do("GET", "/api/desk/roster", nil, nil); code != http.StatusOK {
		t.Fatalf("after a refused sign-out the desk API answers %d, want 200", code)
	}
	code, _, hdr = c.do("POST", "/logout", url.Values{"csrf": {c.csrf}, "next": {"/comms"}}.Encode(), form)
	if code != http.StatusSeeOther || hdr.Get("Location") != "/login?next=%2Fcomms&out=1" {
		t.Errorf("sign-out with Origin: null = %d %q, want 303 to the sign-in page", code, hdr.Get("Location"))
	}
	if got := hdr.Get("Clear-Site-Data"); got != `"storage"` {
		t.Errorf("sign-out sends Clear-Site-Data %q, want \"storage\" (desk drafts, who-are-you)", got)
	}
	if code, _, _ := c.do("GET", "/api/desk/roster", nil, nil); code != http.StatusUnauthorized {
		t.Errorf("after signing out the desk API answers %d, want 401", code)
	}
	if code, body, _ := c.do("GET", "/login?next=%2Fcomms&out=1&lang=fr", nil, nil); code != 200 || !strings.Contains(body, uiText(bot.French, "login.out")) {
		t.Errorf("the sign-in page after signing out = %d, without saying so", code)
	}
}

// A hostile body is refused after reading a few kilobytes at most, before
// anyone has proved who they are: the CSRF check reads a token field only
// from a small URL-encoded form, and sign-in only reads such a form.
func TestHostileBodiesAreRefusedUnread(t *testing.T) {
	open, err := New(loopback(), "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	guarded, err := New(Config{Addr: "0.0.0.0:8080"}, "0123456789abcdef-token", Options{})
	if err != nil {
		t.Fatal(err)
	}
	const size = 24 << 20
	multi := func(fields map[string]string) (string, []byte) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("blob", "blob.bin")
		_, _ = fw.Write(bytes.Repeat([]byte("x"), size))
		for k, v := range fields {
			_ = mw.WriteField(k, v)
		}
		_ = mw.Close()
		return mw.FormDataContentType(), buf.Bytes()
	}
	mpType, mpBody := multi(map[string]string{"csrf": "guess", "token": "wrong"})
	long := []byte("csrf=guess&token=wrong&pad=" + strings.Repeat("x", size))
	const urlenc = "application/x-www-form-urlencoded"
	for _, tc := range []struct {
		name      string
		srv       *Server
		path, typ string
		body      []byte
		want      int
	}{
		{"chat message, multipart", open, "/api/chat/messages", mpType, mpBody, http.StatusForbidden},
		{"chat message, huge form", open, "/api/chat/messages", urlenc, long, http.StatusForbidden},
		{"sign out, huge form", open, "/logout", urlenc, long, http.StatusForbidden},
		{"sign in, multipart", guarded, "/login", mpType, mpBody, http.StatusUnsupportedMediaType},
		{"sign in, huge form", guarded, "/login", urlenc, long, http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := &countingBody{r: bytes.NewReader(tc.body)}
			req := httptest.NewRequest("POST", tc.path, nil)
			req.Body, req.ContentLength = body, -1
			req.Header.Set("Content-Type", tc.typ)
			rec := httptest.NewRecorder()
			tc.srv.Handler().ServeHTTP(rec, req)
			if req.MultipartForm != nil {
				_ = req.MultipartForm.RemoveAll()
			}
			if rec.Code != tc.want || body.n > 64<<10 {
				t.Errorf("POST %s = %d after reading %d bytes; want %d after at most 64 KiB", tc.path, rec.Code, body.n, tc.want)
			}
		})
	}
}

// Without a token, the staff pages answer only to requests that name this
// computer as their host. A site whose name is pointed at 127.0.0.1 (DNS
// rebinding) is otherwise the same site as the desk in a staff member's
// browser: it could read a CSRF token and switch the phase as a comms lead.
func TestLoopbackWithoutTokenRefusesAnotherHost(t *testing.T) {
	h := newHarness(t, loopback(), "")
	c := h.client(t)
	withHost := func(method, path, host string, body any) (int, string) {
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, h.ts.URL+path, rd)
		req.Host = host
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", "http://"+host)
		req.Header.Set(headerCSRF, c.csrf)
		res, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	const evil = "attacker.example:8080"
	for _, p := range []string{"/desk", "/comms", "/api/desk/escalations", "/api/comms/status", "/api/desk/events"} {
		code, body := withHost("GET", p, evil, nil)
		if code != http.StatusForbidden || !strings.Contains(body, "LIAISON_WEB_TOKEN") {
			t.Errorf("GET %s as %s = %d, want 403 saying to set LIAISON_WEB_TOKEN; body %.120q", p, evil, code, body)
		}
	}
	if code, _ := withHost("POST", "/api/comms/phase", evil, map[string]string{"as": "alice", "phase": "broadcast", "reason": "x"}); code != http.StatusForbidden {
		t.Errorf("POST phase as %s = %d, want 403", evil, code)
	}
	h.rec.mu.Lock()
	n := len(h.rec.phases)
	h.rec.mu.Unlock()
	if n != 0 {
		t.Fatal("a phase change from another host reached the engine")
	}
	// The chat stays open to any host (a proxy in front of it may keep the
	// public name), and this computer's own names reach the desk.
	if code, _ := withHost("GET", "/", evil, nil); code != 200 {
		t.Errorf("GET / as %s = %d, want 200", evil, code)
	}
	for _, host := range []string{"localhost:8080", "LOCALHOST", "127.0.0.1:9", "[::1]:8080", "127.1.2.3"} {
		if code, body := withHost("GET", "/api/comms/status", host, nil); code != 200 {
			t.Errorf("GET status as %s = %d %.120q, want 200", host, code, body)
		}
	}
}

// Without a token, the staff pages refuse a request relayed by a proxy,
// though it names this computer as its host: a proxy in front of a server
// on 127.0.0.1 passes the server's own address as the host by default
// (nginx's proxy_pass), and would hand the desk and the phase switch to
// anyone who reaches the proxy. The chat stays open through the proxy.
func TestLoopbackWithoutTokenRefusesProxiedRequests(t *testing.T) {
	h := newHarness(t, loopback(), "")
	c := h.client(t)
	for _, fwd := range []map[string]string{
		{"X-Forwarded-For": "203.0.113.5"},
		{"X-Real-IP": "203.0.113.5"},
		{"Forwarded": "for=203.0.113.5;proto=https"},
		{"X-Forwarded-Proto": "https"},
		{"Via": "1.1 proxy.example"},
	} {
		for _, p := range []string{"/desk", "/comms", "/api/desk/roster", "/api/comms/status"} {
			code, body, _ := c.do("GET", p, nil, fwd)
			if code != http.StatusForbidden || !strings.Contains(body, "LIAISON_WEB_TOKEN") {
				t.Errorf("GET %s with %v = %d, want 403 saying to set LIAISON_WEB_TOKEN; body %.120q", p, fwd, code, body)
			}
		}
		req, _ := http.NewRequest("GET", h.ts.URL+"/api/desk/events", nil)
		for k, v := range fwd {
			req.Header.Set(k, v)
		}
		res, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close() // a stream let through would not end by itself
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("GET /api/desk/events with %v = %d, want 403", fwd, res.StatusCode)
		}
		hdr := map[string]string{headerCSRF: c.csrf}
		for k, v := range fwd {
			hdr[k] = v
		}
		if code, _, _ := c.do("POST", "/api/comms/phase", map[string]string{"as": "alice", "phase": "broadcast", "reason": "x"}, hdr); code != http.StatusForbidden {
			t.Errorf("POST phase with %v = %d, want 403", fwd, code)
		}
		if code, _, _ := c.do("POST", "/api/comms/broadcast", map[string]any{"as": "alice", "en": "Hello", "fr": "Bonjour"}, hdr); code != http.StatusForbidden {
			t.Errorf("POST broadcast with %v = %d, want 403", fwd, code)
		}
		if code, _, _ := c.do("GET", "/", nil, fwd); code != 200 {
			t.Errorf("GET / with %v = %d, want 200: the chat is public", fwd, code)
		}
		if code, _, _ := c.do("POST", "/api/chat/messages", map[string]string{"room": "help", "name": "Marie", "text": "Bonjour"}, hdr); code != http.StatusAccepted {
			t.Errorf("POST a chat message with %v = %d, want 202: the chat is public", fwd, code)
		}
	}
	h.rec.mu.Lock()
	n := len(h.rec.phases) + len(h.rec.casts)
	h.rec.mu.Unlock()
	if n != 0 {
		t.Fatal("a phase change or broadcast through a proxy reached the engine")
	}
	// French pages say it in French.
	code, body, _ := c.do("GET", "/api/comms/status", nil, map[string]string{"X-Forwarded-For": "203.0.113.5", "X-Liaison-Lang": "fr"})
	if code != http.StatusForbidden || !strings.Contains(body, "serveur mandataire") {
		t.Errorf("French refusal = %d %.200q, want it in French", code, body)
	}
	// This computer's own browser still reaches the desk.
	if code, _, _ := c.do("GET", "/api/comms/status", nil, nil); code != 200 {
		t.Errorf("GET status from this computer = %d, want 200", code)
	}
}

// With a token, the host is not checked: the desk can sit behind a proxy
// under the department's own name, and the token guards it.
func TestTokenDeskAnswersAnyHost(t *testing.T) {
	const token = "s3cret-desk-token-for-tests"
	h := newHarness(t, Config{Addr: "0.0.0.0:8080"}, token)
	req, _ := http.NewRequest("GET", h.ts.URL+"/api/comms/status", nil)
	req.Host = "liaison.example.gc.ca"
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("GET status with a bearer token as liaison.example.gc.ca = %d, want 200", res.StatusCode)
	}
}

// A chat page that received a citizen's message and then reconnected
// (network blip, or dropped for lagging) with Last-Event-ID = that
// message's id is still told the message's language: told events it
// missed are sent on a reconnect, though they take no place in history.
func TestReconnectingPageIsToldTheLanguageItMissed(t *testing.T) {
	h := newHarness(t, loopback(), "")
	h.rec.mu.Lock()
	h.rec.detect = bot.French
	h.rec.mu.Unlock()
	c := h.client(t)
	code, out := c.post("/api/chat/messages", map[string]any{"room": "help", "name": "Marie", "text": "Bonjour, mon passeport?"})
	if code != http.StatusAccepted {
		t.Fatalf("post = %d %v", code, out)
	}
	mid := out["id"].(string)
	ev, ok := h.srv.rooms["help"].find(func(e event) bool { return e.Type == "message" && quoteOf(e.Data, mid) })
	if !ok {
		t.Fatal("message not kept")
	}
	// The page had received the message event (its Last-Event-ID is the
	// message's id) and reconnects after the language was told.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", h.ts.URL+"/api/chat/events?room=help", nil)
	req.Header.Set("Last-Event-ID", fmt.Sprint(ev.ID))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	typ, got := "", ""
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "event: "); ok {
			if typ = v; typ == "ready" {
				break
			}
		}
		if v, ok := strings.CutPrefix(line, "data: "); ok {
			var m map[string]any
			_ = json.Unmarshal([]byte(v), &m)
			if m["id"] == mid && m["lang"] != nil {
				got, _ = m["lang"].(string)
			}
		}
	}
	if got != "fr" {
		t.Errorf("a page that reconnected with Last-Event-ID %d (its message) was never told the message's language (got %q, want fr)", ev.ID, got)
	}
}

// The signed-out page in the other language still says so: its language
// toggle keeps out=1.
func TestSignedOutNoticeSurvivesTheLanguageToggle(t *testing.T) {
	const token = "s3cret-desk-token-for-tests"
	h := newHarness(t, Config{Addr: "0.0.0.0:8080"}, token)
	c := h.client(t)
	code, body, _ := c.do("GET", "/login?next=%2Fdesk&out=1&lang=en", nil, nil)
	if code != 200 || !strings.Contains(body, uiText(bot.English, "login.out")) {
		t.Fatalf("signed-out page = %d, without the English notice", code)
	}
	m := regexp.MustCompile(`class="lang-toggle" href="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no language toggle")
	}
	toggle := html.UnescapeString(m[1])
	code, body, _ = c.do("GET", toggle, nil, nil)
	if code != 200 || !strings.Contains(body, uiText(bot.French, "login.out")) {
		t.Errorf("the signed-out page in French (toggle %q) = %d, without saying %q", toggle, code, uiText(bot.French, "login.out"))
	}
}

// The comms page does not offer phase 3 as what it is not yet: its choice
// says, in the page's language, that the bot behaves as in phase 2, as the
// desk's announcement of such a switch does.
func TestCommsPageSaysOutreachBehavesAsReplies(t *testing.T) {
	s := newStack(t)
	for lang, want := range map[string]string{
		"en": "3 — Outreach: not built yet; the bot behaves as in phase 2 (replies)",
		"fr": "3 — Proactif\u00a0: pas encore en place; le bot se comporte comme en phase 2 (réponses)",
	} {
		res, err := http.Get(s.base + "/comms?lang=" + lang)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("%s comms page: %d, %v", lang, res.StatusCode, err)
		}
		if page := html.UnescapeString(string(body)); !strings.Contains(page, want) {
			t.Errorf("%s comms page does not say %q of phase 3", lang, want)
		}
	}
}
