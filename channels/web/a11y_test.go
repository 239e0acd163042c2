package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The accessibility tests drive the pages in the real browser, as the
// other browser tests do, and check what assistive technology gets: what
// is announced, where focus goes, which language each part is in.

// A half-typed publication date is refused with its own message: it is
// never taken as "publish now".
func TestBrowserPartialPublishDateIsRefused(t *testing.T) {
	s := newStack(t)
	ctx := tab(t)
	run(t, ctx, "compose with half a date", chromedp.Navigate(s.base+"/comms?lang=en"),
		chromedp.WaitReady(chromedp.CSS(`#whoami option[value="sam"]`)),
		chromedp.SetValue(chromedp.CSS("#whoami"), "sam"),
		chromedp.SendKeys(chromedp.CSS("#bc-en"), "Second notice."),
		chromedp.SendKeys(chromedp.CSS("#bc-fr"), "Deuxième avis."),
		chromedp.Focus(chromedp.CSS("#bc-at")),
		chromedp.KeyEvent("2"), chromedp.KeyEvent("0"), chromedp.KeyEvent("3"), chromedp.KeyEvent("0"))
	if bad := textOf(t, ctx, `String(document.getElementById("bc-at").validity.badInput)`); bad != "true" {
		t.Fatalf("the date field is not half-filled (badInput %s): the test cannot check anything", bad)
	}
	run(t, ctx, "publish",
		chromedp.Click(chromedp.CSS(`#bc-form button[type="submit"]`)),
		until(`!document.querySelector("#bc-form .alert-success").hidden || !document.querySelector("#bc-form .alert-danger").hidden`))
	if ok := textOf(t, ctx, `document.querySelector("#bc-form .alert-success").hidden ? "" : document.querySelector("#bc-form .alert-success").textContent`); ok != "" {
		t.Errorf("a half-typed date published the announcement: %q", ok)
	}
	msg := textOf(t, ctx, `document.querySelector("#bc-form .alert-danger").textContent`)
	if !strings.Contains(msg, "date and time are not valid") {
		t.Errorf("refusal %q does not say the date is wrong", msg)
	}
	if inv := textOf(t, ctx, `document.getElementById("bc-at").getAttribute("aria-invalid") || ""`); inv != "true" {
		t.Error("the date field is not marked invalid")
	}
	if bs, err := s.st.Broadcasts(context.Background(), 0); err != nil || len(bs) != 0 {
		t.Errorf("broadcasts stored: %v (%v)", bs, err)
	}
}
