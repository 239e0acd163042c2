package web

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/phases"
)

// Personal sign-in: each member of staff signs in with their own token
// (LIAISON_WEB_TOKEN_<ID>) and acts under their own name only.

const (
	sharedToken = "s3cret-desk-token-for-tests"
	alexToken   = "alex-personal-token-0123"
	samToken    = "sam-personal-token-45678"
	nadiaToken  = "nadia-personal-token-999"
)

func TestTokenVar(t *testing.T) {
	for _, tc := range []struct{ name, id, want string }{
		{"letters", "alex", "LIAISON_WEB_TOKEN_ALEX"},
		{"dash", "marie-c", "LIAISON_WEB_TOKEN_MARIE_C"},
		{"digits and dot", "j.doe2", "LIAISON_WEB_TOKEN_J_DOE2"},
		{"accent", "héloïse", "LIAISON_WEB_TOKEN_H__LO__SE"}, // each byte of a non-ASCII letter
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := TokenVar(tc.id); got != tc.want {
				t.Errorf("TokenVar(%q) = %q, want %q", tc.id, got, tc.want)
			}
		})
	}
}

// A personal token is as long as the shared one must be and not easy to
// guess, nobody shares one, and none is the shared token: New names the
// variable to fix, never the value.
func TestNewChecksPersonalTokens(t *testing.T) {
	_, err := New(loopback(), "", Options{StaffTokens: map[string]string{"marie-c": "short", "alex": alexToken}})
	if err == nil || !strings.Contains(err.Error(), "LIAISON_WEB_TOKEN_MARIE_C is too short") || strings.Contains(err.Error(), "short\"") {
		t.Errorf("a short personal token: %v", err)
	}
	_, err = New(loopback(), "", Options{StaffTokens: map[string]string{"sam": "1234567890123456", "alex": alexToken}})
	if err == nil || !strings.Contains(err.Error(), "LIAISON_WEB_TOKEN_SAM is too easy to guess") || strings.Contains(err.Error(), "1234567890123456") {
		t.Errorf("a personal token that is a run of digits: %v", err)
	}
	_, err = New(loopback(), "", Options{StaffTokens: map[string]string{"marie-c": alexToken, "marie.c": samToken}})
	if err == nil || !strings.Contains(err.Error(), "two staff ids give LIAISON_WEB_TOKEN_MARIE_C") {
		t.Errorf("two ids for one variable: %v", err)
	}
	_, err = New(loopback(), "", Options{StaffTokens: map[string]string{"sam": alexToken, "alex": alexToken}})
	if err == nil || !strings.Contains(err.Error(), "LIAISON_WEB_TOKEN_ALEX and LIAISON_WEB_TOKEN_SAM hold the same token") || strings.Contains(err.Error(), alexToken) {
		t.Errorf("two people with one token: %v", err)
	}
	// Everyone given the shared token would sign in as the person whose
	// personal token it also is.
	_, err = New(loopback(), sharedToken, Options{StaffTokens: map[string]string{"sam": sharedToken, "alex": alexToken}})
	if err == nil || !strings.Contains(err.Error(), "LIAISON_WEB_TOKEN_SAM holds the same token as LIAISON_WEB_TOKEN") || strings.Contains(err.Error(), sharedToken) {
		t.Errorf("a personal token that is the shared token: %v", err)
	}
	// Personal tokens alone protect a desk reachable by others.
	if _, err := New(Config{Addr: "0.0.0.0:8080"}, "", Options{StaffTokens: map[string]string{"alex": alexToken}}); err != nil {
		t.Errorf("personal tokens on a public address: %v", err)
	}
}

// stackClient is a browser-like client of a stack: a cookie jar and the
// page's CSRF token.
func stackClient(t *testing.T, s *stack) *client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &client{t: t, base: s.base, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	_, body, _ := c.do("GET", "/", nil, nil)
	m := csrfMeta.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no CSRF token in the chat page")
	}
	c.csrf = m[1]
	return c
}

func (c *client) signIn(token string) int {
	c.t.Helper()
	code, _, _ := c.do("POST", "/login", url.Values{"token": {token}, "next": {"/comms"}, "csrf": {c.csrf}}.Encode(),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	return code
}

// auditOf returns the audit entries of action, oldest first.
func auditOf(t *testing.T, s *stack, action string) []bot.AuditEntry {
	t.Helper()
	all, err := s.st.AuditLog(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []bot.AuditEntry
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Action == action {
			out = append(out, all[i])
		}
	}
	return out
}

// Under personal sign-in, someone signed in as a member of staff who is not
// a comms lead cannot switch the phase by claiming, in the request, to be
// the comms lead: the request is refused and audited. The comms lead,
// signed in with their own token, can. The shared token no longer signs in.
func TestPersonalSignInActsOnlyAsThatPerson(t *testing.T) {
	s := newStackOpts(t, filepath.Join(t.TempDir(), "liaison.db"), sharedToken,
		map[string]string{"alex": alexToken, "sam": samToken})
	ctx := context.Background()

	alex := stackClient(t, s)
	if code := alex.signIn(sharedToken); code != http.StatusUnauthorized {
		t.Errorf("sign in with the shared token under personal sign-in = %d, want 401", code)
	}
	if code, _, _ := alex.do("GET", "/api/comms/status", nil, map[string]string{"Authorization": "Bearer " + sharedToken}); code != http.StatusUnauthorized {
		t.Errorf("the shared token as a bearer token under personal sign-in = %d, want 401", code)
	}
	// A sign-in another site forges, with the forger's own token, is
	// refused: it would have the victim act under the forger's name.
	forged, _, _ := alex.do("POST", "/login", url.Values{"token": {alexToken}, "next": {"/comms"}}.Encode(),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if forged != http.StatusForbidden {
		t.Errorf("a personal sign-in without the page's CSRF token = %d, want 403", forged)
	}
	if code := alex.signIn(alexToken); code != http.StatusSeeOther {
		t.Fatalf("sign in with Alex's token = %d, want 303", code)
	}
	if in := auditOf(t, s, "desk.signin"); len(in) != 1 || in[0].Actor != "alex" || in[0].Via != Platform || !in[0].Allowed {
		t.Errorf("audited sign-ins: %+v, want one by alex via web", in)
	}

	code, body := alex.post("/api/comms/phase", map[string]any{"as": "sam", "phase": "broadcast", "reason": "pretending to be the lead"})
	if code != http.StatusForbidden || !strings.Contains(body["error"].(string), "Alex Martin") {
		t.Errorf("Alex acting as the comms lead = %d %v, want 403 naming who is signed in", code, body)
	}
	refused := auditOf(t, s, "phase.set")
	if len(refused) != 1 || refused[0].Actor != "alex" || refused[0].Allowed || !strings.Contains(refused[0].Detail, `"sam"`) {
		t.Errorf("audited phase changes: %+v, want one refused, by alex, naming sam", refused)
	}
	if p := s.eng.PhaseState(ctx).Global; p != phases.Replies {
		t.Fatalf("the phase is %s after a refused request", p)
	}
	// French too.
	_, frBody, _ := alex.do("POST", "/api/desk/claim", map[string]any{"as": "nadia", "id": 1},
		map[string]string{headerCSRF: alex.csrf, "X-Liaison-Lang": "fr"})
	if !strings.Contains(frBody, "Session ouverte\u00a0: Alex Martin. Vous ne pouvez agir") {
		t.Errorf("the refusal in French: %s", frBody)
	}
	// Alex, as Alex, meets the engine's own rule: not a comms lead.
	if code, _ := alex.post("/api/comms/phase", map[string]any{"as": "alex", "phase": "broadcast", "reason": "x"}); code != http.StatusForbidden {
		t.Errorf("Alex switching the phase as Alex = %d, want 403 (not a comms lead)", code)
	}

	sam := stackClient(t, s)
	if code := sam.signIn(samToken); code != http.StatusSeeOther {
		t.Fatalf("sign in with Sam's token = %d", code)
	}
	// "as" left out acts as the person signed in.
	if code, body := sam.post("/api/comms/phase", map[string]any{"phase": "broadcast", "reason": "pilot ends"}); code != http.StatusOK {
		t.Fatalf("the comms lead switching the phase = %d %v", code, body)
	}
	if p := s.eng.PhaseState(ctx).Global; p != phases.Broadcast {
		t.Errorf("the phase is %s after the comms lead switched it, want broadcast", p)
	}
	// A personal token works as a bearer token too, for that person only.
	bearer := map[string]string{"Authorization": "Bearer " + samToken}
	if code, _, _ := sam.do("POST", "/api/comms/phase", map[string]any{"as": "sam", "phase": "replies", "reason": "back"}, bearer); code != http.StatusOK {
		t.Errorf("phase with Sam's bearer token = %d", code)
	}
	if code, _, _ := sam.do("POST", "/api/comms/phase", map[string]any{"as": "nadia", "phase": "replies", "reason": "x"}, bearer); code != http.StatusForbidden {
		t.Errorf("Sam's bearer token acting as Nadia = %d, want 403", code)
	}

	if code, _, _ := alex.do("POST", "/logout", url.Values{"csrf": {alex.csrf}}.Encode(),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); code != http.StatusSeeOther {
		t.Fatalf("sign out = %d", code)
	}
	if out := auditOf(t, s, "desk.signout"); len(out) != 1 || out[0].Actor != "alex" || out[0].Via != Platform {
		t.Errorf("audited sign-outs: %+v, want one by alex via web", out)
	}
	if code, _ := alex.post("/api/comms/phase", map[string]any{"phase": "broadcast", "reason": "x"}); code != http.StatusUnauthorized {
		t.Errorf("after signing out = %d, want 401", code)
	}
}

// Under personal sign-in the pages say who is signed in instead of asking
// "who are you", and act as that person only: a member of staff who is not
// a comms lead cannot switch the phase by sending the lead's id from the
// page, and the comms lead switches it from the page.
func TestBrowserPersonalSignInNamesThePerson(t *testing.T) {
	s := newStackOpts(t, filepath.Join(t.TempDir(), "liaison.db"), "", map[string]string{"alex": alexToken, "sam": samToken})
	signIn := func(token, name string) context.Context {
		page := tab(t)
		run(t, page, "open the comms page",
			chromedp.Navigate(s.base+"/comms?lang=en"),
			chromedp.WaitVisible(chromedp.CSS("#token")))
		if got := textOf(t, page, `document.querySelector("label[for=token]").textContent`); got != "Your personal desk token" {
			t.Errorf("the sign-in page asks for %q", got)
		}
		run(t, page, "sign in as "+name,
			chromedp.SendKeys(chromedp.CSS("#token"), token),
			chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS("#signedin")),
			until(`location.pathname === "/comms"`),
			until(`document.getElementById("global-phase").textContent !== "…"`))
		if got := textOf(t, page, `document.getElementById("signedin").textContent`); !strings.Contains(got, "Signed in as "+name) {
			t.Errorf("the page says %q, want who is signed in (%s)", got, name)
		}
		if got := textOf(t, page, `document.querySelector("select#whoami") ? "shown" : ""`); got != "" {
			t.Error(`the page still offers the "who are you" choice`)
		}
		return page
	}

	alex := signIn(alexToken, "Alex Martin")
	// The page's own script sends the comms lead's id.
	forged := `(function(){const x = new XMLHttpRequest(); x.open("POST", "/api/comms/phase", false);
		x.setRequestHeader("Content-Type", "application/json");
		x.setRequestHeader("X-CSRF-Token", document.querySelector('meta[name="liaison-csrf"]').content);
		x.send(JSON.stringify({as: "sam", phase: "broadcast", reason: "x"})); return String(x.status)})()`
	if code := textOf(t, alex, forged); code != "403" {
		t.Errorf("Alex's session acting as the comms lead = %s, want 403", code)
	}
	if p := s.eng.PhaseState(context.Background()).Global; p != phases.Replies {
		t.Fatalf("the phase is %s after Alex's forged request", p)
	}

	sam := signIn(samToken, "Sam Tremblay")
	screenshot(t, sam, "comms-personal-signin")
	run(t, sam, "switch the phase",
		chromedp.Click(chromedp.CSS("#phase-1")),
		chromedp.SendKeys(chromedp.CSS("#reason"), "Pilot over"),
		chromedp.Click(chromedp.CSS(`#phase-form button[type="submit"]`)),
		until(`document.querySelector("#phase-form .alert-success").textContent.includes("Phase changed")`))
	if p := s.eng.PhaseState(context.Background()).Global; p != phases.Broadcast {
		t.Errorf("the phase is %s, want broadcast", p)
	}
	set := auditOf(t, s, "phase.set")
	if len(set) != 2 || set[0].Actor != "alex" || set[0].Allowed || set[1].Actor != "sam" || !set[1].Allowed {
		t.Errorf("audited phase changes: %+v, want Alex's refused, then Sam's", set)
	}
}

// Under personal sign-in, what was being typed on the desk is kept in the
// tab for the person who typed it: signing in again after the session
// ended brings it back to them, but whoever signs in next in that tab on a
// shared computer neither reads it nor can send it under their own name.
func TestBrowserPersonalDeskDraftsStayWithTheirAuthor(t *testing.T) {
	s := newStackOpts(t, filepath.Join(t.TempDir(), "liaison.db"), "", map[string]string{"alex": alexToken, "nadia": nadiaToken})
	citizen, desk := tab(t), tab(t)
	run(t, citizen, "open chat", chromedp.Navigate(s.base+"/?room=help&lang=en"), chromedp.WaitVisible(chromedp.CSS("#log")))
	ask(t, citizen, "Jordan", "Can I bring my pet iguana to the citizenship ceremony?")
	run(t, citizen, "acknowledgement", chromedp.WaitVisible(chromedp.CSS(`#log li[data-kind="ack"]`)))
	signIn := func(who, token string) {
		run(t, desk, who+" signs in",
			chromedp.Navigate(s.base+"/desk?lang=en"),
			chromedp.WaitVisible(chromedp.CSS("#token")),
			chromedp.SendKeys(chromedp.CSS("#token"), token),
			chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS("#queue article textarea")))
	}
	// The session ends as the browser sees it: its cookie is gone.
	sessionEnds := func() {
		if _, err := chromedp.Call(desk, network.DeleteCookies, network.DeleteCookiesParams{Name: cookieDesk, URL: s.base}); err != nil {
			t.Fatal(err)
		}
	}
	draft := `document.querySelector("#queue article textarea").value`
	const secret = "Private note by Alex: citizen 4521 owes $300"
	signIn("Alex", alexToken)
	run(t, desk, "Alex types an answer", fill("#queue article textarea", secret))
	sessionEnds()
	signIn("Alex", alexToken)
	if got := textOf(t, desk, draft); got != secret {
		t.Errorf("signed in again, Alex finds %q, want the answer he was typing", got)
	}
	sessionEnds()
	signIn("Nadia", nadiaToken)
	if got := textOf(t, desk, draft); got != "" {
		t.Errorf("Nadia, signing in in the same tab, finds Alex's draft: %q", got)
	}
}

// Signing in on a browser ends the session that browser presented: on a
// shared computer the person before is signed out, in every copy of their
// cookie, and the desk stream open under their session ends, instead of
// living on beside the new one until it expires. Their sign-out is
// audited, saying why. A refused sign-in ends nothing.
func TestSignInEndsTheSessionTheBrowserPresented(t *testing.T) {
	s := newStackOpts(t, filepath.Join(t.TempDir(), "liaison.db"), "", map[string]string{"alex": alexToken, "nadia": nadiaToken})
	browser := stackClient(t, s)
	if code := browser.signIn(alexToken); code != http.StatusSeeOther {
		t.Fatalf("Alex signs in = %d", code)
	}
	// A copy of Alex's cookie, as another tab or a copied cookie holds it.
	alexCopy := stackClient(t, s)
	base, _ := url.Parse(s.base)
	alexCopy.http.Jar.SetCookies(base, browser.http.Jar.Cookies(base))
	_, alexStream := deskStream(t, browser)

	if code := browser.signIn("not-anyones-token-0000"); code != http.StatusUnauthorized {
		t.Fatalf("a wrong token = %d, want 401", code)
	}
	if code, _, _ := alexCopy.do("GET", "/api/comms/status", nil, nil); code != http.StatusOK {
		t.Errorf("Alex's session after a refused sign-in on his browser = %d, want 200", code)
	}

	if code := browser.signIn(nadiaToken); code != http.StatusSeeOther {
		t.Fatalf("Nadia signs in on the same browser = %d", code)
	}
	select {
	case <-alexStream:
	case <-time.After(10 * time.Second):
		t.Error("Alex's desk stream stayed open after Nadia signed in on his browser")
	}
	if code, _, _ := alexCopy.do("GET", "/api/comms/status", nil, nil); code != http.StatusUnauthorized {
		t.Errorf("Alex's session after Nadia signed in on his browser = %d, want 401", code)
	}
	if code, _, _ := browser.do("GET", "/api/comms/status", nil, nil); code != http.StatusOK {
		t.Errorf("Nadia's session = %d, want 200", code)
	}
	out := auditOf(t, s, "desk.signout")
	if len(out) != 1 || out[0].Actor != "alex" || !strings.Contains(out[0].Detail, "sign-in on the same browser") {
		t.Errorf("audited sign-outs: %+v, want Alex's, ended by a sign-in on the same browser", out)
	}
}

// Under personal sign-in the desk page says who is signed in, in each
// browser its own person, instead of asking "who are you"; a question
// claimed and answered from it is recorded under that person, and the
// citizen's answer is signed with their name.
func TestBrowserPersonalDeskAnswersAsThePersonSignedIn(t *testing.T) {
	s := newStackOpts(t, filepath.Join(t.TempDir(), "liaison.db"), "", map[string]string{"alex": alexToken, "nadia": nadiaToken})
	signIn := func(token, name string) context.Context {
		page := tab(t)
		run(t, page, name+" signs in to the desk",
			chromedp.Navigate(s.base+"/desk?lang=en"),
			chromedp.WaitVisible(chromedp.CSS("#token")),
			chromedp.SendKeys(chromedp.CSS("#token"), token),
			chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS("#signedin")),
			until(`location.pathname === "/desk"`))
		if got := textOf(t, page, `document.getElementById("signedin").textContent`); !strings.HasPrefix(got, "Signed in as "+name+".") {
			t.Errorf("the desk says %q, want who is signed in (%s)", got, name)
		}
		if got := textOf(t, page, `document.querySelector("select#whoami") ? "shown" : ""`); got != "" {
			t.Errorf(`%s's desk still offers the "who are you" choice`, name)
		}
		return page
	}
	citizen := tab(t)
	run(t, citizen, "open chat", chromedp.Navigate(s.base+"/?room=help&lang=en"), chromedp.WaitVisible(chromedp.CSS("#log")))
	nadia := signIn(nadiaToken, "Nadia Roy")
	alex := signIn(alexToken, "Alex Martin") // another browser
	if got := textOf(t, nadia, `document.getElementById("signedin").textContent`); !strings.HasPrefix(got, "Signed in as Nadia Roy.") {
		t.Errorf("after Alex signed in elsewhere, Nadia's desk says %q", got)
	}

	ask(t, citizen, "Jordan", "Can I bring my pet iguana to the citizenship ceremony?")
	find := `(Array.from(document.querySelectorAll("#queue article")).find(a => a.querySelector(".esc-q").textContent.includes("iguana")) || {id: ""}).id`
	run(t, nadia, "the question on Nadia's desk", until(find+` !== ""`))
	card := "#" + textOf(t, nadia, find)
	id, err := strconv.ParseInt(strings.TrimPrefix(card, "#esc-"), 10, 64)
	if err != nil {
		t.Fatalf("card id %q", card)
	}
	run(t, nadia, "Nadia claims and answers",
		chromedp.Click(chromedp.CSS(card+` button.btn-primary`)),
		until(`document.querySelector(`+js(card+" .state")+`).textContent === "Claimed"`),
		fill(card+" textarea", "Yes: small pets in a closed carrier are welcome at the ceremony."),
		chromedp.Click(chromedp.CSS(card+` form.answer-form button[type="submit"]`)),
		until(`document.getElementById("flash").textContent.startsWith("Answer recorded")`))
	screenshot(t, nadia, "desk-personal-signin")

	esc, err := s.eng.Escalation(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if esc.ClaimedBy != "nadia" || esc.AnsweredBy != "nadia" {
		t.Errorf("claimed by %q and answered by %q, want nadia both", esc.ClaimedBy, esc.AnsweredBy)
	}
	if a := auditOf(t, s, "escalation.answer"); len(a) != 1 || a[0].Actor != "nadia" || !a[0].Allowed {
		t.Errorf("audited answers: %+v, want one by nadia", a)
	}
	const relay = `#log li[data-kind="relay"]`
	run(t, citizen, "the signed answer", chromedp.WaitVisible(chromedp.CSS(relay)))
	if sig := textOf(t, citizen, `document.querySelector(`+js(relay+" .msg-sig")+`).textContent`); !strings.Contains(sig, "Nadia Roy") {
		t.Errorf("the answer is signed %q, want Nadia Roy", sig)
	}
	// Alex's desk, in the other browser, still speaks for Alex.
	if got := textOf(t, alex, `document.getElementById("signedin").textContent`); !strings.HasPrefix(got, "Signed in as Alex Martin.") {
		t.Errorf("Alex's desk says %q", got)
	}
}

// A desk page left open under a session that another sign-in on the same
// browser has ended says the session ended when it is used: it is not
// taken for the new person's page, and what it sends is neither done nor
// audited as the new person claiming to be the old one.
func TestBrowserPageOfASessionSignedInOverIsToldItEnded(t *testing.T) {
	s := newStackOpts(t, filepath.Join(t.TempDir(), "liaison.db"), "", map[string]string{"alex": alexToken, "nadia": nadiaToken})
	citizen := tab(t)
	run(t, citizen, "open chat", chromedp.Navigate(s.base+"/?room=help&lang=en"), chromedp.WaitVisible(chromedp.CSS("#log")))
	ask(t, citizen, "Jordan", "Can I bring my pet iguana to the citizenship ceremony?")

	// Two tabs of one browser: a sign-in page left open, and Alex's desk.
	left := tab(t)
	run(t, left, "a sign-in page left open", chromedp.Navigate(s.base+"/desk?lang=en"), chromedp.WaitVisible(chromedp.CSS("#token")))
	alex, cancel := chromedp.NewContext(left)
	t.Cleanup(cancel)
	const claim = `#queue article button.btn-primary`
	run(t, alex, "Alex signs in",
		chromedp.Navigate(s.base+"/desk?lang=en"),
		chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.SendKeys(chromedp.CSS("#token"), alexToken),
		chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(claim)))
	run(t, left, "Nadia signs in on the page left open",
		chromedp.SendKeys(chromedp.CSS("#token"), nadiaToken),
		chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#signedin")))

	run(t, alex, "Alex's page claims the question",
		chromedp.Click(chromedp.CSS(claim)),
		until(`document.activeElement === document.getElementById("conn") || document.getElementById("flash").textContent !== ""`))
	if got := textOf(t, alex, `document.getElementById("conn").textContent`); got != "Your session has ended. What you were typing is kept in this tab. Sign in again" {
		t.Errorf("Alex's page says %q, want that the session ended, that the answer typed is kept, and a link to sign in again", got)
	}
	if got := textOf(t, alex, `document.getElementById("flash").textContent`); got != "" {
		t.Errorf("Alex's page says %q", got)
	}
	if claims := auditOf(t, s, "escalation.claim"); len(claims) != 0 {
		t.Errorf("audited claims: %+v, want none", claims)
	}
	list, err := s.eng.Escalations(context.Background(), bot.EscalationFilter{})
	if err != nil || len(list) != 1 || list[0].ClaimedBy != "" {
		t.Errorf("escalations %+v (%v), want one, unclaimed", list, err)
	}
	// Nadia's page, under the session now open, works.
	run(t, left, "Nadia claims the question",
		chromedp.WaitVisible(chromedp.CSS(claim)),
		chromedp.Click(chromedp.CSS(claim)),
		until(`document.querySelector("#queue article .state").textContent === "Claimed"`))
}
