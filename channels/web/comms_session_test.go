package web

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/liaison-gc/liaison/phases"
)

// A comms page left open under a session that has ended (another sign-in
// on the browser, a sign-out in another tab, or expiry) does nothing when
// used: no phase switch or broadcast is made or audited, under anyone, and
// the page says in its language that the session ended, and that what was
// being typed is kept, with a link to sign in again, as the desk does.

// commsSignIn signs in with token on page, which shows the sign-in page
// on the way to the comms page, and waits for the comms page to fill in.
func commsSignIn(t *testing.T, page context.Context, token string) {
	t.Helper()
	run(t, page, "sign in",
		chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.SendKeys(chromedp.CSS("#token"), token),
		chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#phase-form")),
		until(`location.pathname === "/comms"`),
		until(`document.getElementById("global-phase").textContent !== "…"`),
		until(`document.querySelector("#bc-channels input") !== null`))
}

// commsTriesEnded tries a phase switch and a broadcast from page, whose
// session has ended, and checks that each is neither done nor audited and
// that the page says the session ended (want: the sentence and its link).
func commsTriesEnded(t *testing.T, s *stack, page context.Context, want string) {
	t.Helper()
	// The page has answered when the focus is on what it says, or on a
	// form's error summary.
	answered := func(form string) string {
		return `document.activeElement === document.getElementById("conn") || !document.querySelector("#` + form + ` .alert-danger").hidden`
	}
	said := func(what string) {
		t.Helper()
		if got := textOf(t, page, `document.getElementById("conn").textContent`); got != want {
			t.Errorf("after %s the page says %q, want %q", what, got, want)
		}
		if got := textOf(t, page, `document.querySelector("#conn a") ? document.querySelector("#conn a").getAttribute("href") : ""`); got != "/login?next=%2Fcomms" {
			t.Errorf("after %s the sign-in link leads to %q, want the sign-in page, then the comms page", what, got)
		}
		if got := textOf(t, page, `document.querySelector("#phase-form .alert-danger").textContent + document.querySelector("#bc-form .alert-danger").textContent`); got != "" {
			t.Errorf("after %s the forms say %q, want nothing", what, got)
		}
	}
	run(t, page, "switch the phase",
		chromedp.Click(chromedp.CSS("#phase-1")),
		chromedp.SendKeys(chromedp.CSS("#reason"), "Election period"),
		chromedp.Click(chromedp.CSS(`#phase-form button[type="submit"]`)),
		until(answered("phase-form")))
	said("a phase switch")
	run(t, page, "announce",
		chromedp.SendKeys(chromedp.CSS("#bc-en"), "Our offices are closed on Monday."),
		chromedp.SendKeys(chromedp.CSS("#bc-fr"), "Nos bureaux sont fermés lundi."),
		chromedp.Click(chromedp.CSS(`#bc-form button[type="submit"]`)),
		until(answered("bc-form")))
	said("a broadcast")
	if p := s.eng.PhaseState(context.Background()).Global; p != phases.Replies {
		t.Errorf("the phase is %s, want replies", p)
	}
	for _, action := range []string{"phase.set", "broadcast.create"} {
		if got := auditOf(t, s, action); len(got) != 0 {
			t.Errorf("audited %s: %+v, want none", action, got)
		}
	}
	if b, err := s.st.Broadcasts(context.Background(), 10); err != nil || len(b) != 0 {
		t.Errorf("broadcasts %+v (%v), want none", b, err)
	}
}

// The comms lead's page, left open after Nadia signed in on the same
// browser, switches nothing and announces nothing, under either of them.
func TestBrowserCommsPageOfASessionSignedInOverIsToldItEnded(t *testing.T) {
	s := newStackOpts(t, filepath.Join(t.TempDir(), "liaison.db"), "", map[string]string{"sam": samToken, "nadia": nadiaToken})
	// Two tabs of one browser: a sign-in page left open, and Sam's comms page.
	left := tab(t)
	run(t, left, "a sign-in page left open", chromedp.Navigate(s.base+"/comms?lang=en"), chromedp.WaitVisible(chromedp.CSS("#token")))
	sam, cancel := chromedp.NewContext(left)
	t.Cleanup(cancel)
	run(t, sam, "open the comms page", chromedp.Navigate(s.base+"/comms?lang=en"))
	commsSignIn(t, sam, samToken)
	run(t, left, "Nadia signs in on the page left open",
		chromedp.SendKeys(chromedp.CSS("#token"), nadiaToken),
		chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#signedin")))
	commsTriesEnded(t, s, sam, "Your session has ended. What you were typing is kept in this tab. Sign in again")
	screenshot(t, sam, "comms-session-ended")
}

// A French comms page signed out of in another tab says so in French, and
// its link signs in again and brings back a working comms page.
func TestBrowserCommsPageSignedOutInAnotherTabIsToldItEnded(t *testing.T) {
	s := newTokenStack(t, sharedToken)
	page := tab(t)
	run(t, page, "open the comms page", chromedp.Navigate(s.base+"/comms?lang=fr"))
	commsSignIn(t, page, sharedToken)
	run(t, page, "choose who you are",
		chromedp.WaitReady(chromedp.CSS(`#whoami option[value="sam"]`)),
		chromedp.SetValue(chromedp.CSS("#whoami"), "sam"))
	other, cancel := chromedp.NewContext(page)
	t.Cleanup(cancel)
	run(t, other, "sign out in another tab",
		chromedp.Navigate(s.base+"/comms?lang=fr"),
		chromedp.WaitVisible(chromedp.CSS("form.logout button")),
		chromedp.Click(chromedp.CSS("form.logout button")),
		chromedp.WaitVisible(chromedp.CSS("#token")))
	commsTriesEnded(t, s, page, "Votre session a pris fin. Ce que vous écriviez est conservé dans cet onglet. Reconnectez-vous")

	run(t, page, "sign in again from the link", chromedp.Click(chromedp.CSS("#conn a")))
	commsSignIn(t, page, sharedToken)
	run(t, page, "switch the phase",
		chromedp.WaitReady(chromedp.CSS(`#whoami option[value="sam"]`)),
		chromedp.SetValue(chromedp.CSS("#whoami"), "sam"),
		chromedp.Click(chromedp.CSS("#phase-1")),
		chromedp.SendKeys(chromedp.CSS("#reason"), "Période électorale"),
		chromedp.Click(chromedp.CSS(`#phase-form button[type="submit"]`)),
		until(`document.querySelector("#phase-form .alert-success").textContent !== ""`))
	if p := s.eng.PhaseState(context.Background()).Global; p != phases.Broadcast {
		t.Errorf("after signing in again the phase is %s, want broadcast", p)
	}
}

// A comms page whose session expired says so at its next status update,
// without being used, and then does nothing when it is.
func TestBrowserCommsPageOfAnExpiredSessionIsToldItEnded(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := newStackOptions(t, filepath.Join(t.TempDir(), "liaison.db"), "", Options{Now: clock, StaffTokens: map[string]string{"sam": samToken}})
	page := tab(t)
	run(t, page, "open the comms page", chromedp.Navigate(s.base+"/comms?lang=en"))
	commsSignIn(t, page, samToken)
	mu.Lock()
	now = now.Add(sessionTTL + time.Minute)
	mu.Unlock()
	run(t, page, "the status update finds the session ended", until(`document.getElementById("conn").textContent !== ""`))
	commsTriesEnded(t, s, page, "Your session has ended. What you were typing is kept in this tab. Sign in again")
}

// commsForm is what the comms page's forms hold.
type commsForm struct {
	Scope    string   `json:"scope"`
	Phase    string   `json:"phase"`
	Reason   string   `json:"reason"`
	EN       string   `json:"en"`
	FR       string   `json:"fr"`
	At       string   `json:"at"`
	Channels []string `json:"channels"`
}

// commsFormOf reads the comms page's forms.
func commsFormOf(t *testing.T, page context.Context) commsForm {
	t.Helper()
	raw := textOf(t, page, `JSON.stringify({
		scope: document.getElementById("scope").value,
		phase: (document.querySelector("#phase-form input[name=phase]:checked") || {value: ""}).value,
		reason: document.getElementById("reason").value,
		en: document.getElementById("bc-en").value,
		fr: document.getElementById("bc-fr").value,
		at: document.getElementById("bc-at").value,
		channels: Array.from(document.querySelectorAll("#bc-channels input:checked"), c => c.value),
	})`)
	var f commsForm
	if err := json.Unmarshal([]byte(raw), &f); err != nil {
		t.Fatalf("read the comms forms: %v", err)
	}
	return f
}

// What a comms lead was typing on the comms page (a phase switch and its
// reason, a bilingual announcement, when and where it goes) is kept in the
// tab for that person: when the session ends before it is sent, the page
// says so, and signing in again from its link brings it back; whoever
// signs in next in that tab on a shared computer does not find it; once
// the server has accepted the switch and the announcement, a reload finds
// the forms empty.
func TestBrowserCommsDraftsStayWithTheirAuthorUntilSent(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	sessionEnds := func() { mu.Lock(); now = now.Add(sessionTTL + time.Minute); mu.Unlock() }
	s := newStackOptions(t, filepath.Join(t.TempDir(), "liaison.db"), "", Options{Now: clock, StaffTokens: map[string]string{"sam": samToken, "nadia": nadiaToken}})
	page := tab(t)
	typed := commsForm{
		Scope: "web:help", Phase: "outreach", Reason: "Pilot extended to the help room",
		EN: "Our offices are closed on Monday. Online services stay open.",
		FR: "Nos bureaux sont fermés lundi. Les services en ligne restent ouverts.",
		At: time.Now().AddDate(1, 0, 0).Format("2006-01-02T15:04"), Channels: []string{"web:help"},
	}
	choose := func(sel, value string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`(function(){const e=document.querySelector(` + js(sel) + `); e.value=` + js(value) + `; e.dispatchEvent(new Event("change",{bubbles:true})); return true})()`)
	}
	prepare := func(who string) {
		run(t, page, who+" prepares a phase switch and an announcement",
			choose("#scope", typed.Scope),
			chromedp.Click(chromedp.CSS("#phase-3")),
			chromedp.SendKeys(chromedp.CSS("#reason"), typed.Reason),
			chromedp.SendKeys(chromedp.CSS("#bc-en"), typed.EN),
			chromedp.SendKeys(chromedp.CSS("#bc-fr"), typed.FR),
			fill("#bc-at", typed.At),
			chromedp.Click(chromedp.CSS(`#bc-channels input[value="web:help"]`)))
		if got := commsFormOf(t, page); !equalForms(got, typed) {
			t.Fatalf("%s typed %+v, the page holds %+v", who, typed, got)
		}
	}
	// The session ends; the comms lead publishes, is told so (want) and
	// follows the link to sign in again with token.
	endAndSignInAgain := func(token, want string) {
		sessionEnds()
		run(t, page, "publish after the session ended",
			chromedp.Click(chromedp.CSS(`#bc-form button[type="submit"]`)),
			until(`document.querySelector("#conn a") !== null`))
		if got := textOf(t, page, `document.getElementById("conn").textContent`); got != want {
			t.Errorf("the page says %q, want %q", got, want)
		}
		run(t, page, "sign in again from the link", chromedp.Click(chromedp.CSS("#conn a")))
		commsSignIn(t, page, token)
	}
	const ended = "Your session has ended. What you were typing is kept in this tab. Sign in again"

	run(t, page, "open the comms page", chromedp.Navigate(s.base+"/comms?lang=en"))
	commsSignIn(t, page, samToken)
	prepare("Sam")
	endAndSignInAgain(samToken, ended)
	if got := commsFormOf(t, page); !equalForms(got, typed) {
		t.Errorf("signed in again, Sam finds %+v, want what he was typing: %+v", got, typed)
	}
	endAndSignInAgain(nadiaToken, ended)
	if got := commsFormOf(t, page); !equalForms(got, commsForm{}) {
		t.Errorf("Nadia, signing in in the same tab, finds Sam's drafts: %+v", got)
	}

	// Sam again, after Nadia: what he typed is gone with her sign-in.
	sessionEnds()
	run(t, page, "Sam comes back", chromedp.Reload())
	commsSignIn(t, page, samToken)
	if got := commsFormOf(t, page); !equalForms(got, commsForm{}) {
		t.Errorf("Sam, signing in after Nadia in the same tab, finds %+v, want empty forms", got)
	}
	prepare("Sam")
	run(t, page, "reload before sending", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#phase-form")),
		until(`document.querySelector("#bc-channels input") !== null`))
	if got := commsFormOf(t, page); !equalForms(got, typed) {
		t.Errorf("after a reload Sam finds %+v, want what he was typing: %+v", got, typed)
	}
	run(t, page, "switch the phase and publish",
		chromedp.Click(chromedp.CSS(`#phase-form button[type="submit"]`)),
		until(`document.querySelector("#phase-form .alert-success").textContent !== ""`),
		chromedp.Click(chromedp.CSS(`#bc-form button[type="submit"]`)),
		until(`document.querySelector("#bc-form .alert-success").textContent !== ""`),
		chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#phase-form")),
		until(`document.querySelector("#bc-channels input") !== null`))
	if got := commsFormOf(t, page); !equalForms(got, commsForm{}) {
		t.Errorf("after the switch and the announcement were accepted, the reloaded page holds %+v, want empty forms", got)
	}
}

// equalForms: the same fields, the same channels (none: nil or empty).
func equalForms(a, b commsForm) bool {
	return fmt.Sprintf("%v", a) == fmt.Sprintf("%v", b)
}
