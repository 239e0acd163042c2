package web

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/i18n"
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
		until(`document.querySelector("#bc-form .alert-success").textContent !== "" || !document.querySelector("#bc-form .alert-danger").hidden`))
	if ok := textOf(t, ctx, `document.querySelector("#bc-form .alert-success").textContent`); ok != "" {
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

// The desk's queue and notices are not live regions: a new question and a
// claim are said in one short sentence in the status region, and a card is
// updated in place rather than replaced.
func TestBrowserDeskAnnouncesShortSentences(t *testing.T) {
	s := newStack(t)
	citizen, desk := tab(t), tab(t)
	run(t, desk, "open desk", chromedp.Navigate(s.base+"/desk?lang=en"), chromedp.WaitVisible(chromedp.CSS("#queue-none")))
	for _, sel := range []string{"#queue", "#notices"} {
		if live := textOf(t, desk, `String(document.querySelector(`+js(sel)+`).getAttribute("aria-live"))`); live != "null" {
			t.Errorf("%s is a live region (aria-live=%s): every card redrawn would be read out", sel, live)
		}
	}
	run(t, desk, "record the status region", chromedp.Evaluate[chromedp.Void](`window.said = [];
	  new MutationObserver(() => window.said.push(document.getElementById("flash").textContent)).observe(document.getElementById("flash"), {childList: true, characterData: true, subtree: true}); true`))
	run(t, citizen, "open chat", chromedp.Navigate(s.base+"/?room=help&lang=en"), chromedp.WaitVisible(chromedp.CSS("#log")))
	ask(t, citizen, "Jordan", "Can I bring my pet iguana to the citizenship ceremony?")
	run(t, desk, "the new question is announced", until(`document.getElementById("flash").textContent.startsWith("New question ")`))
	card := "#" + textOf(t, desk, `document.querySelector("#queue article").id`)
	id := strings.TrimPrefix(card, "#esc-")
	if f := textOf(t, desk, `document.getElementById("flash").textContent`); !strings.HasPrefix(f, "New question "+id+" (English") {
		t.Errorf("announcement %q, want the question's number and language", f)
	}
	run(t, desk, "claim",
		chromedp.Evaluate[chromedp.Void](`document.querySelector(`+js(card)+`).dataset.mark = "same"; true`),
		chromedp.WaitReady(chromedp.CSS(`#whoami option[value="nadia"]`)),
		chromedp.SetValue(chromedp.CSS("#whoami"), "nadia"),
		chromedp.Click(chromedp.CSS(card+"-claim")),
		until(`document.querySelector(`+js(card+" .state")+`).textContent === "Claimed"`),
		until(`document.getElementById("flash").textContent.startsWith("You claimed")`))
	if m := textOf(t, desk, `document.querySelector(`+js(card)+`).dataset.mark || ""`); m != "same" {
		t.Error("the card was replaced by a new element instead of being updated in place")
	}
	said := textOf(t, desk, `JSON.stringify(window.said)`)
	if len(said) > 300 {
		t.Errorf("the status region said too much: %s", said)
	}
}

// Opening the chat does not read out its history: the log is not a live
// region, and only messages that arrive afterwards, from others, are said
// in the status region, in their own language.
func TestBrowserChatAnnouncesOnlyLiveMessages(t *testing.T) {
	s := newStack(t)
	marie := tab(t)
	run(t, marie, "open chat", chromedp.Navigate(s.base+"/?room=help&lang=en"), chromedp.WaitVisible(chromedp.CSS("#log")))
	ask(t, marie, "Marie", "How do I renew my passport?")
	run(t, marie, "answer", chromedp.WaitVisible(chromedp.CSS(`#log li[data-kind="answer"]`)))

	jordan := tab(t)
	run(t, jordan, "open the room with its history", chromedp.Navigate(s.base+"/?room=help&lang=en"),
		chromedp.WaitVisible(chromedp.CSS(`#log li[data-kind="answer"]`)), chromedp.Sleep(500*time.Millisecond))
	if live := textOf(t, jordan, `document.getElementById("log").getAttribute("aria-live") + " " + document.getElementById("log").getAttribute("role")`); live != "off log" {
		t.Errorf("log aria-live and role %q, want off log", live)
	}
	if a := textOf(t, jordan, `document.getElementById("announce").textContent`); a != "" {
		t.Errorf("history was announced on opening: %q", a)
	}
	record := chromedp.Evaluate[chromedp.Void](`window.said = [];
	  new MutationObserver(() => window.said.push(document.getElementById("announce").innerHTML)).observe(document.getElementById("announce"), {childList: true, characterData: true, subtree: true}); true`)
	run(t, marie, "record", record)
	run(t, jordan, "record", record)
	ask(t, jordan, "Jordan", "Comment renouveler mon passeport?")
	run(t, jordan, "the answer is announced", until(`window.said.some(h => h.includes("Liaison assistant"))`))
	run(t, marie, "Jordan's question is announced to Marie", until(`window.said.some(h => h.includes("Jordan"))`))
	for name, ctx := range map[string]context.Context{"jordan": jordan, "marie": marie} {
		said := textOf(t, ctx, `JSON.stringify(window.said)`)
		if name == "jordan" && strings.Contains(said, "New message from Jordan") {
			t.Errorf("Jordan's own message was announced to him: %s", said)
		}
		if name == "marie" && !strings.Contains(said, "New message from Jordan") {
			t.Errorf("Marie was not told of Jordan's message: %s", said)
		}
		if strings.Contains(said, "In reply to") || strings.Contains(said, "Helpful") {
			t.Errorf("%s: the announcement reads out the whole message: %s", name, said)
		}
	}
	// Jordan's question is tagged with the language told from it, and so is
	// its quote under the answer.
	run(t, marie, "Jordan's question is tagged", until(`Array.from(document.querySelectorAll("#log li.citizen .msg-text")).some(p => p.lang === "fr")`))
	if l := langsOf(t, jordan, `#log li[data-kind="answer"] .quoted`); !strings.Contains(l, "fr:Comment renouveler") {
		t.Errorf("quote of the French question %q", l)
	}
	if l := langsOf(t, jordan, `#log li.citizen .msg-text`); l != "en:How do I renew my pa | fr:Comment renouveler m" {
		t.Errorf("citizen messages %q, want each tagged with its language", l)
	}
	// The feedback buttons' group is named by its visible invitation, once.
	if g := textOf(t, marie, `(function(){const g=document.querySelector("#log .feedback"); return String(g.getAttribute("aria-label")) + " " + document.getElementById(g.getAttribute("aria-labelledby")).textContent})()`); !strings.HasPrefix(g, "null ") || len(g) < 10 {
		t.Errorf("feedback group name %q, want it labelled by the visible invitation", g)
	}
	if a := textOf(t, jordan, `document.getElementById("announce").innerHTML`); !strings.Contains(a, `<span lang="fr">Vous pouvez renouveler`) {
		t.Errorf("the answer is not announced in its language: %s", a)
	}
}

// On a French page a new message is announced in correct French whoever
// wrote it: no « de » before a name starting with a vowel (« de Assistant
// Liaison », « de Émilie »), and a non-breaking space before the colon.
func TestBrowserChatAnnouncesInFrenchTypography(t *testing.T) {
	s := newStack(t)
	ctx := tab(t)
	run(t, ctx, "open chat", chromedp.Navigate(s.base+"/?room=help&lang=fr"), chromedp.WaitVisible(chromedp.CSS("#log")))
	ask(t, ctx, "Émilie", "Comment renouveler mon passeport?")
	run(t, ctx, "the answer is announced", until(`document.getElementById("announce").textContent.includes("Assistant Liaison")`))
	const want = "Nouveau message — Assistant Liaison\u00a0: Vous pouvez renouveler"
	if a := textOf(t, ctx, `document.getElementById("announce").textContent`); !strings.HasPrefix(a, want) {
		t.Errorf("announced %q, want it to start %q", a, want)
	}
}

// The comms page updates only what changed: its summary is not a live
// region, a phase change rewrites the phase cells and no row or option is
// rebuilt; automatic updates can be paused.
func TestBrowserCommsUpdatesOnlyWhatChanged(t *testing.T) {
	s := newStack(t)
	ctx := tab(t)
	run(t, ctx, "open comms", chromedp.Navigate(s.base+"/comms?lang=en"),
		until(`document.getElementById("global-phase").textContent === "replies" && document.querySelectorAll("#channels tbody tr").length > 0`))
	if live := textOf(t, ctx, `String(document.getElementById("summary").getAttribute("aria-live"))`); live != "null" {
		t.Errorf("the summary is a live region (%s)", live)
	}
	if p := textOf(t, ctx, `(function(){const p=document.getElementById("pause"); return p && p.type === "checkbox" ? document.querySelector('label[for="pause"]').textContent : ""})()`); p != "Pause automatic updates" {
		t.Errorf("pause control %q", p)
	}
	run(t, ctx, "mark the nodes", chromedp.Evaluate[chromedp.Void](`
	  document.querySelectorAll("#channels tbody tr, #scope option, #summary dd").forEach(n => n.dataset.mark = "same");
	  window.added = 0;
	  new MutationObserver(ms => { for (const m of ms) window.added += m.addedNodes.length }).observe(document.getElementById("summary"), {childList: true, subtree: true}); true`))
	run(t, ctx, "switch to broadcast",
		chromedp.WaitReady(chromedp.CSS(`#whoami option[value="sam"]`)),
		chromedp.SetValue(chromedp.CSS("#whoami"), "sam"),
		chromedp.Click(chromedp.CSS("#phase-1")),
		chromedp.SendKeys(chromedp.CSS("#reason"), "Election period"),
		chromedp.Click(chromedp.CSS(`#phase-form button[type="submit"]`)),
		until(`document.getElementById("global-phase").textContent === "broadcast"`),
		until(`Array.from(document.querySelectorAll("#channels tbody td:nth-of-type(1)")).every(td => td.textContent === "broadcast")`))
	if n := textOf(t, ctx, `String(document.querySelectorAll("#channels tbody tr:not([data-mark]), #scope option[value]:not([value='']):not([data-mark]), #summary dd:not([data-mark])").length)`); n != "0" {
		t.Errorf("%s rows, options or values were rebuilt though the channel list did not change", n)
	}
	if n := textOf(t, ctx, `String(window.added)`); n != "0" {
		t.Errorf("%s nodes re-added to the summary though nothing in it changed", n)
	}
	if h := textOf(t, ctx, `String(document.querySelectorAll("#channels tbody th[scope=row]").length === document.querySelectorAll("#channels tbody tr").length)`); h != "true" {
		t.Error("the channels table has no row headers")
	}
}

// activeID is the id of the focused element, or its tag when it has none.
const activeID = `(document.activeElement && (document.activeElement.id || document.activeElement.tagName)) || "none"`

// A keyboard user keeps their place: after Claim the card's heading has
// focus, after an answer that takes the card away the queue's heading has
// it, and each result is said in the status region.
func TestBrowserDeskKeepsFocus(t *testing.T) {
	s := newStack(t)
	citizen, desk := tab(t), tab(t)
	run(t, desk, "open desk", chromedp.Navigate(s.base+"/desk?lang=en"), chromedp.WaitVisible(chromedp.CSS("#queue-none")))
	run(t, citizen, "open chat", chromedp.Navigate(s.base+"/?room=help&lang=en"), chromedp.WaitVisible(chromedp.CSS("#log")))
	ask(t, citizen, "Jordan", "Can I bring my pet iguana to the citizenship ceremony?")
	run(t, desk, "card", until(`document.querySelectorAll("#queue article").length === 1`))
	card := "#" + textOf(t, desk, `document.querySelector("#queue article").id`)
	run(t, desk, "claim by keyboard",
		chromedp.WaitReady(chromedp.CSS(`#whoami option[value="nadia"]`)),
		chromedp.SetValue(chromedp.CSS("#whoami"), "nadia"),
		chromedp.Focus(chromedp.CSS(card+"-claim")),
		chromedp.KeyEvent("\r"),
		until(`document.querySelector(`+js(card+" .state")+`).textContent === "Claimed"`),
		until(`document.getElementById("flash").textContent.startsWith("You claimed")`))
	if f := textOf(t, desk, activeID); f != card[1:]+"-h" {
		t.Errorf("focus after Claim is on %q, want the card's heading", f)
	}
	// An empty answer: the error sits under the field and is tied to it.
	run(t, desk, "empty answer",
		chromedp.Focus(chromedp.CSS(card+"-send")),
		chromedp.KeyEvent("\r"),
		until(`document.getElementById(`+js(card[1:]+"-answer-err")+`).textContent !== ""`))
	if d := textOf(t, desk, `document.getElementById(`+js(card[1:]+"-answer")+`).getAttribute("aria-describedby") + " " + document.getElementById(`+js(card[1:]+"-answer")+`).getAttribute("aria-invalid")`); !strings.HasPrefix(d, card[1:]+"-answer-err ") || !strings.HasSuffix(d, " true") {
		t.Errorf("answer field describedby and invalid %q, want its error first", d)
	}
	run(t, desk, "answer by keyboard",
		fill(card+" textarea", "Yes. Small pets in a closed carrier are welcome."),
		chromedp.Focus(chromedp.CSS(card+"-send")),
		chromedp.KeyEvent("\r"),
		until(`document.querySelector(`+js(card)+`) === null`),
		until(`document.getElementById("flash").textContent.startsWith("Answer recorded")`))
	if f := textOf(t, desk, activeID); f != "queue-h" {
		t.Errorf("focus after the answered card left is on %q, want the queue's heading", f)
	}
}

// Send anyway leaves the focus on its notice and says the result in the
// status region.
func TestBrowserHeldAnswerKeepsFocus(t *testing.T) {
	s := newStack(t)
	_, desk := holdAnAnswer(t, s)
	notice := textOf(t, desk, `document.querySelector("#notices li.mismatch").id`)
	run(t, desk, "send anyway by keyboard",
		chromedp.Focus(chromedp.CSS("#"+notice+"-anyway")),
		chromedp.KeyEvent("\r"),
		until(`document.querySelector("#notices li.mismatch").textContent.includes("Réglé")`),
		until(`document.getElementById("flash").textContent.startsWith("Réponse enregistrée : en cours d’envoi à 1")`))
	if f := textOf(t, desk, activeID); f != notice {
		t.Errorf("focus after Send anyway is on %q, want the notice", f)
	}
}

func TestBilingualPartsOfOldRecords(t *testing.T) {
	cat, err := i18n.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	if d := "\n\n" + cat.Text(bot.English, bot.MsgBroadcastDivider, nil) + "\n\n"; d != bilingualDivider {
		t.Fatalf("the catalogue's broadcast divider %q is not the one the pages split on %q", d, bilingualDivider)
	}
	for _, tc := range []struct {
		name, text string
		want       []bot.Part
	}{
		{"broadcast", "Closed Monday.\n\nSee you.\n\n· · ·\n\nFermé lundi.\n\nÀ bientôt.",
			[]bot.Part{{Lang: "en", Text: "Closed Monday.\n\nSee you."}, {Lang: "fr", Text: "Fermé lundi.\n\nÀ bientôt."}}},
		{"one line each", "Phase changed.\nPhase modifiée.", []bot.Part{{Lang: "en", Text: "Phase changed."}, {Lang: "fr", Text: "Phase modifiée."}}},
		{"a reason on two lines in each half", "By Sam: a\nb\nPar Sam : a\nb", []bot.Part{{Lang: "en", Text: "By Sam: a\nb"}, {Lang: "fr", Text: "Par Sam : a\nb"}}},
		{"halves not told apart", "One line only.", nil},
		{"even lines", "a\nb\nc", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := bilingualParts(tc.text)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("bilingualParts(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

// langsOf lists the lang attribute and the start of the text of the
// elements sel finds, as "lang:text".
func langsOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return textOf(t, ctx, `Array.from(document.querySelectorAll(`+js(sel)+`)).map(e => e.getAttribute("lang") + ":" + e.textContent.slice(0, 20)).join(" | ")`)
}

// A bilingual announcement is one paragraph per language in the chat, and
// a bilingual phase notice on the desk too, each tagged with its language.
func TestBrowserBilingualTextIsTaggedByPart(t *testing.T) {
	s := newStack(t)
	comms, citizen, desk := tab(t), tab(t), tab(t)
	run(t, citizen, "open chat", chromedp.Navigate(s.base+"/?room=help&lang=en"), chromedp.WaitVisible(chromedp.CSS("#log")))
	run(t, desk, "open desk", chromedp.Navigate(s.base+"/desk?lang=en"), chromedp.WaitVisible(chromedp.CSS("#queue-none")))
	run(t, comms, "announce and change the phase", chromedp.Navigate(s.base+"/comms?lang=en"),
		chromedp.WaitReady(chromedp.CSS(`#whoami option[value="sam"]`)),
		chromedp.SetValue(chromedp.CSS("#whoami"), "sam"),
		chromedp.SendKeys(chromedp.CSS("#bc-en"), "Our offices are closed on Monday."),
		chromedp.SendKeys(chromedp.CSS("#bc-fr"), "Nos bureaux sont fermés lundi."),
		chromedp.Click(chromedp.CSS(`#bc-form button[type="submit"]`)),
		until(`document.querySelector("#bc-form .alert-success").textContent !== ""`),
		chromedp.Click(chromedp.CSS("#phase-1")),
		chromedp.SendKeys(chromedp.CSS("#reason"), "Election period"),
		chromedp.Click(chromedp.CSS(`#phase-form button[type="submit"]`)),
		until(`document.querySelector("#phase-form .alert-success").textContent !== ""`))
	run(t, citizen, "announcement", chromedp.WaitVisible(chromedp.CSS(`#log li[data-kind="broadcast"]`)))
	if got := langsOf(t, citizen, `#log li[data-kind="broadcast"] .msg-text`); got != "en:Our offices are clos | fr:Nos bureaux sont fer" {
		t.Errorf("announcement parts %q, want one English and one French paragraph", got)
	}
	if h := textOf(t, citizen, `String(document.querySelector('#log li[data-kind="broadcast"] .msg-divider').getAttribute("aria-hidden"))`); h != "true" {
		t.Errorf("the divider is read out (aria-hidden %s)", h)
	}
	run(t, desk, "phase notice", until(`document.querySelector("#notices li.phase") !== null`))
	got := langsOf(t, desk, `#notices li.phase p`)
	if !strings.HasPrefix(got, "en:") || !strings.Contains(got, " | fr:") || strings.Count(got, "|") != 1 {
		t.Errorf("phase notice parts %q, want one English and one French paragraph", got)
	}
}

// An answer in both languages, to a question that shows none ("cheque"),
// is one paragraph per language, each with its link, and each language's
// invitation to give feedback sits once beside the buttons, tagged with its
// language, rather than left in the answer. The rating counts.
func TestBrowserAnswerInBothLanguagesShowsEachInvitationOnce(t *testing.T) {
	s := newStack(t)
	ctx := tab(t)
	run(t, ctx, "open chat", chromedp.Navigate(s.base+"/?room=help&lang=en"), chromedp.WaitVisible(chromedp.CSS("#log")))
	ask(t, ctx, "Marie", "cheque")
	const answer = `#log li[data-kind="answer"]`
	run(t, ctx, "wait for the answer", chromedp.WaitVisible(chromedp.CSS(answer)))
	cat, err := i18n.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, l := range bot.Langs {
		h, err := sampleKB(t).Entry(context.Background(), "benefits-missing-payment", l)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, string(l)+":"+h.Answer+"\n\n"+cat.Text(l, bot.MsgAnswerMore, map[string]any{"Link": h.Link}))
	}
	if got := partsOf(t, ctx, answer+" .msg-text"); !slices.Equal(got, want) {
		t.Errorf("answer paragraphs %q, want %q", got, want)
	}
	invitations := []string{"en:" + cat.Text(bot.English, bot.MsgFeedbackPrompt, nil), "fr:" + cat.Text(bot.French, bot.MsgFeedbackPrompt, nil)}
	if got := partsOf(t, ctx, answer+" .feedback .q span"); !slices.Equal(got, invitations) {
		t.Errorf("invitations beside the buttons %q, want %q", got, invitations)
	}
	if n := textOf(t, ctx, `String(document.querySelector('`+answer+`').textContent.split("utile?").length - 1)`); n != "1" {
		t.Errorf("the French invitation is shown %s times, want once", n)
	}
	run(t, ctx, "helpful",
		chromedp.Click(chromedp.CSS(answer+` .feedback button[aria-pressed="false"]`)),
		until(`document.querySelector('`+answer+` .feedback .q').textContent.startsWith("Thank you")`))
	st, err := s.eng.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Summary.Helpful != 1 {
		t.Errorf("helpful %d, want the rating counted", st.Summary.Helpful)
	}
}

// partsOf lists the lang attribute and the whole text of the elements sel
// finds, one "lang:text" an element.
func partsOf(t *testing.T, ctx context.Context, sel string) []string {
	t.Helper()
	return strings.Split(textOf(t, ctx, `Array.from(document.querySelectorAll(`+js(sel)+`)).map(e => e.getAttribute("lang") + ":" + e.textContent).join("\x00")`), "\x00")
}

// Bilingual text is tagged by the parts the engine wrote, not by guessing
// where English ends: an announcement whose English holds the divider of
// bilingual posts, and a phase change whose reason does, show all of their
// English as English and their French as French, on the chat and on the
// desk, and again after a restart, from the store.
func TestBrowserBilingualTextHoldingTheDividerIsTaggedByPart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "liaison.db")
	s := newStackAt(t, db)
	comms, citizen, desk := tab(t), tab(t), tab(t)
	const (
		en     = "Offices closed Monday.\n\n· · ·\n\nPassport office open Tuesday."
		fr     = "Bureaux fermés lundi.\n\n· · ·\n\nBureau des passeports ouvert mardi."
		reason = "Election period.\n\n· · ·\n\nAnnouncements only."
	)
	run(t, citizen, "open chat", chromedp.Navigate(s.base+"/?room=help&lang=en"), chromedp.WaitVisible(chromedp.CSS("#log")))
	run(t, desk, "open desk", chromedp.Navigate(s.base+"/desk?lang=en"), chromedp.WaitVisible(chromedp.CSS("#queue-none")))
	run(t, comms, "announce and change the phase", chromedp.Navigate(s.base+"/comms?lang=en"),
		chromedp.WaitReady(chromedp.CSS(`#whoami option[value="sam"]`)),
		chromedp.SetValue(chromedp.CSS("#whoami"), "sam"),
		fill("#bc-en", en), fill("#bc-fr", fr),
		chromedp.Click(chromedp.CSS(`#bc-form button[type="submit"]`)),
		until(`document.querySelector("#bc-form .alert-success").textContent !== ""`),
		chromedp.Click(chromedp.CSS("#phase-1")),
		fill("#reason", reason),
		chromedp.Click(chromedp.CSS(`#phase-form button[type="submit"]`)),
		until(`document.querySelector("#phase-form .alert-success").textContent !== ""`))
	const broadcast, phase = `#log li[data-kind="broadcast"]`, "#notices li.phase"
	run(t, citizen, "announcement", chromedp.WaitVisible(chromedp.CSS(broadcast)))
	run(t, desk, "phase notice", until(`document.querySelector("#notices li.phase") !== null`))
	check := func(when string, chat, desk context.Context) {
		t.Helper()
		if got, want := partsOf(t, chat, broadcast+" .msg-text"), []string{"en:" + en, "fr:" + fr}; !slices.Equal(got, want) {
			t.Errorf("%s: announcement parts %q, want %q", when, got, want)
		}
		got := partsOf(t, desk, phase+" p")
		if len(got) != 2 || !strings.HasPrefix(got[0], "en:Sam Tremblay changed the rollout phase") || !strings.HasSuffix(got[0], "Reason: "+reason) ||
			!strings.HasPrefix(got[1], "fr:Sam Tremblay a fait passer la phase") || !strings.HasSuffix(got[1], reason) {
			t.Errorf("%s: phase notice parts %q, want the English notice then the French one, each with the whole reason", when, got)
		}
	}
	check("live", citizen, desk)
	for _, ctx := range []context.Context{comms, citizen, desk} {
		run(t, ctx, "leave", chromedp.Navigate("about:blank")) // before its stream breaks
	}
	s.stop()

	s = newStackAt(t, db)
	citizen, desk = tab(t), tab(t)
	run(t, citizen, "open chat after the restart", chromedp.Navigate(s.base+"/?room=help&lang=en"), chromedp.WaitVisible(chromedp.CSS(broadcast)))
	run(t, desk, "open desk after the restart", chromedp.Navigate(s.base+"/desk?lang=en"), until(`document.querySelector("#notices li.phase") !== null`))
	check("after a restart", citizen, desk)
}

// An answer sent anyway in English to a French question is tagged as
// English; the note, the signature and its author label are in French.
func TestBrowserAnswerSentAnywayIsTaggedInItsLanguage(t *testing.T) {
	s := newStack(t)
	citizen, desk := holdAnAnswer(t, s)
	run(t, desk, "send anyway",
		chromedp.Click(chromedp.CSS(`#notices li.mismatch button.btn-primary`)),
		until(`document.querySelector("#notices li.mismatch").textContent.includes("Réglé")`))
	const relay = `#log li[data-kind="relay"]`
	run(t, citizen, "relayed", chromedp.WaitVisible(chromedp.CSS(relay)))
	got := langsOf(t, citizen, relay+" .msg-text, "+relay+" .msg-sig, "+relay+" .msg-author")
	parts := strings.Split(got, " | ")
	want := []string{"fr:Nadia Roy", "en:Yes, small pets in", "fr:", "fr:— Nadia Roy"}
	if len(parts) != len(want) {
		t.Fatalf("relay parts %q, want %q", got, want)
	}
	for i, w := range want {
		if !strings.HasPrefix(parts[i], w) {
			t.Errorf("relay part %d = %q, want %q…", i, parts[i], w)
		}
	}
}

// Each comms error sits by its field and is tied to it, and goes away,
// "You are" included, once the form is sent.
func TestBrowserCommsErrorsSitByTheirFields(t *testing.T) {
	s := newStack(t)
	ctx := tab(t)
	run(t, ctx, "send an empty phase form", chromedp.Navigate(s.base+"/comms?lang=fr"),
		chromedp.WaitReady(chromedp.CSS(`#whoami option[value="sam"]`)),
		chromedp.Click(chromedp.CSS(`#phase-form button[type="submit"]`)),
		until(`!document.querySelector("#phase-form .alert-danger").hidden`))
	for sel, want := range map[string]string{
		"#whoami":              "whoami-err whoami-hint",
		"#phase-form fieldset": "phase-err",
		"#reason":              "reason-err reason-hint",
	} {
		if got := textOf(t, ctx, `document.querySelector(`+js(sel)+`).getAttribute("aria-describedby")`); got != want {
			t.Errorf("%s aria-describedby %q, want %q", sel, got, want)
		}
	}
	if msg := textOf(t, ctx, `document.getElementById("whoami-err").textContent`); !strings.Contains(msg, "Choisissez d’abord qui vous êtes") {
		t.Errorf("error by the staff list %q", msg)
	}
	run(t, ctx, "correct and send",
		chromedp.SetValue(chromedp.CSS("#whoami"), "sam"),
		chromedp.Click(chromedp.CSS("#phase-1")),
		chromedp.SendKeys(chromedp.CSS("#reason"), "Période électorale"),
		chromedp.Click(chromedp.CSS(`#phase-form button[type="submit"]`)),
		until(`document.querySelector("#phase-form .alert-success").textContent !== ""`))
	if n := textOf(t, ctx, `String(document.querySelectorAll("[aria-invalid], .field-error").length)`); n != "0" {
		t.Errorf("%s fields still marked invalid after a successful change", n)
	}
}

// At 320 CSS pixels (400% zoom) the comms page does not scroll sideways:
// the channels table scrolls in its own labelled, focusable region.
func TestBrowserCommsReflowsAt320(t *testing.T) {
	s := newStack(t)
	ctx := tab(t)
	run(t, ctx, "open comms at 320 px", chromedp.EmulateViewport(320, 640), chromedp.Navigate(s.base+"/comms?lang=fr"),
		until(`document.querySelectorAll("#channels tbody tr").length > 0 && document.querySelectorAll("#summary dd").length > 0`))
	if w := textOf(t, ctx, `String(document.documentElement.scrollWidth <= window.innerWidth)`); w != "true" {
		wide := textOf(t, ctx, `Array.from(document.querySelectorAll("main *")).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest(".table-scroll")).slice(0, 5).map(e => e.tagName + "." + e.className).join(" ")`)
		t.Errorf("the comms page scrolls sideways at 320 px: %s", wide)
	}
	if r := textOf(t, ctx, `(function(){const r=document.querySelector("#channels").closest("[role=region]"); return r ? r.tabIndex + " " + document.getElementById(r.getAttribute("aria-labelledby")).textContent : ""})()`); r != "0 Phase en vigueur dans chaque canal" {
		t.Errorf("the channels table's scroll region %q", r)
	}
	screenshot(t, ctx, "comms-320-fr")
}

// A question whose answer did not reach every citizen who asked waits on
// the desk again, claimed by the answer's author: its card says so in
// words, in the page's language (how many of how many citizens, and that
// answering again goes only to them, or that it can be closed with a
// reason), and the status region says it once, when it appears; a page
// opened afterwards shows it without announcing it.
func TestBrowserDeskShowsAnAnswerThatDidNotReachEveryone(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	citizen, desk := tab(t), tab(t)
	run(t, desk, "open desk", chromedp.Navigate(s.base+"/desk?lang=fr"), chromedp.WaitVisible(chromedp.CSS("#queue-none")))
	run(t, citizen, "open chat", chromedp.Navigate(s.base+"/?room=help&lang=fr"), chromedp.WaitVisible(chromedp.CSS("#log")))
	ask(t, citizen, "Luc", "Est-ce que je peux amener mon iguane à la cérémonie de citoyenneté?")
	run(t, desk, "the question on the desk", until(`document.querySelectorAll("#queue article").length === 1`))
	card := "#" + textOf(t, desk, `document.querySelector("#queue article").id`)
	id, err := strconv.ParseInt(strings.TrimPrefix(card, "#esc-"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	// From here on, what the status region says is recorded.
	run(t, desk, "record the status region", chromedp.Evaluate[chromedp.Void](`window.said = [];
	  new MutationObserver(() => window.said.push(document.getElementById("flash").textContent)).observe(document.getElementById("flash"), {childList: true, characterData: true, subtree: true}); true`))
	// A second citizen asked the same in a room that is gone since: the
	// answer cannot reach them.
	join := &bot.Outcome{
		Message: bot.Message{Platform: Platform, ChannelID: "gone", ID: "m-gone", AuthorID: "b-gone", AuthorName: "Paul",
			Text: "Mon iguane peut-il venir à la cérémonie?", Time: time.Now(), InHelpChannel: true},
		Decision:       bot.Decision{Action: bot.ActEscalate, Reason: bot.ReasonLowConfidence, Phase: 2, Lang: bot.French},
		JoinEscalation: id, Asker: &bot.Asker{},
	}
	if err := s.st.SaveOutcome(ctx, join); err != nil {
		t.Fatal(err)
	}
	if _, err := s.eng.Claim(ctx, id, "web-nadia"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.eng.Answer(ctx, bot.DeskAnswer{EscalationID: id, DeskRef: deskRef(id), DeskUserID: "web-nadia", EventID: "web:undelivered",
		Text: "Oui, les petits animaux dans une cage fermée sont les bienvenus à la cérémonie."}); err != nil {
		t.Fatal(err)
	}
	run(t, citizen, "the first citizen gets the answer", chromedp.WaitVisible(chromedp.CSS(`#log li[data-kind="relay"]`)))
	// The relay to the second fails for good at its first try: no room
	// "gone" is configured.
	s.eng.Tick(ctx) // the engine gives the question back to its author

	badge := card + "-undelivered"
	run(t, desk, "the card says the answer did not reach everyone",
		until(`document.querySelector(`+js(badge)+`) !== null`),
		until(`document.querySelector("#notices li.reopened") !== null`))
	const (
		frLabel = "Réponse non transmise"
		frWhat  = "La réponse n’a pas pu être transmise à 1 des 2 personnes qui ont posé la question." // the question, not the answer they did not get
		frNext  = "Répondez de nouveau et la réponse ne sera transmise qu’à cette personne, ou fermez la question en indiquant un motif."
	)
	if got := textOf(t, desk, `Array.from(document.querySelectorAll(`+js(badge+" p")+`), p => p.textContent).join("|")`); got != frLabel+"|"+frWhat+"|"+frNext {
		t.Errorf("badge %q, want %q", got, frLabel+"|"+frWhat+"|"+frNext)
	}
	if st := textOf(t, desk, `document.querySelector(`+js(card+" .state")+`).textContent`); st != "Prise en charge" {
		t.Errorf("state %q, want claimed", st)
	}
	if live := textOf(t, desk, `[`+js(card)+`, `+js(badge)+`].map(s => String(document.querySelector(s).getAttribute("aria-live")) + "/" + String(document.querySelector(s).getAttribute("role"))).join(" ")`); live != "null/null null/null" {
		t.Errorf("card and badge aria-live/role %q: the card must not be read out whole", live)
	}
	if d := textOf(t, desk, `document.querySelector(`+js(card+" textarea")+`).getAttribute("aria-describedby")`); !strings.Contains(d, strings.TrimPrefix(badge, "#")) {
		t.Errorf("the answer field is described by %q, not by the badge", d)
	}
	if k := textOf(t, desk, `document.querySelector("#notices li.reopened .notice-kind").textContent`); k != "Question renvoyée à l’auteur de la réponse" {
		t.Errorf("notice label %q", k)
	}
	// Said once, in one sentence; the notice that comes with it is not
	// announced as well (the notice of the failed relay, which gives the
	// platform's reason, is its own news).
	want := "La question nº\u00a0" + strconv.FormatInt(id, 10) + " est de nouveau en attente. " + frWhat
	said := textOf(t, desk, `JSON.stringify(window.said)`)
	var lines []string
	if err := json.Unmarshal([]byte(said), &lines); err != nil {
		t.Fatalf("status region %s: %v", said, err)
	}
	once := 0
	for _, l := range lines {
		switch {
		case l == want:
			once++
		case strings.Contains(l, "renvoyée"):
			t.Errorf("status region said %q: the notice of the question given back is announced as well", l)
		}
	}
	if once != 1 {
		t.Errorf("status region said %s, want once %q", said, want)
	}
	screenshot(t, desk, "desk-undelivered-fr")

	// Opened now, in English: shown, not announced.
	en := tab(t)
	run(t, en, "open the English desk", chromedp.Navigate(s.base+"/desk?lang=en"),
		until(`document.querySelector(`+js(badge)+`) !== null`))
	if got := textOf(t, en, `document.querySelector(`+js(badge)+`).textContent`); got != "Answer not delivered"+
		"The answer did not reach 1 of the 2 citizens who asked."+
		"Answer again and it goes to that citizen only, or close the question with a reason." {
		t.Errorf("English badge %q", got)
	}
	if f := textOf(t, en, `document.getElementById("flash").textContent`); f != "" {
		t.Errorf("opening the desk announced %q", f)
	}

	// At 320 CSS pixels (400% zoom), in French, the card with its badge
	// does not make the desk scroll sideways.
	narrow := tab(t)
	run(t, narrow, "open the desk at 320 px", chromedp.EmulateViewport(320, 640), chromedp.Navigate(s.base+"/desk?lang=fr"),
		until(`document.querySelector(`+js(badge)+`) !== null`))
	if w := textOf(t, narrow, `String(document.documentElement.scrollWidth <= window.innerWidth)`); w != "true" {
		wide := textOf(t, narrow, `Array.from(document.querySelectorAll("main *")).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5).map(e => e.tagName + "." + e.className).join(" ")`)
		t.Errorf("the desk scrolls sideways at 320 px: %s", wide)
	}
	screenshot(t, narrow, "desk-undelivered-320-fr")
}

// The comms page's activity labels keep their words whole, at 1280 and
// 320 px, in both languages, when a value is long: the topics passed to
// staff once there are several no longer squeeze every label to one
// letter a line.
func TestBrowserCommsSummaryLabelsKeepTheirWordsWhole(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	for i, q := range []string{
		"when r u guys open on saturday",
		"chu pu capable de me connecter a mon compte",
		"hello?? passport 0",
		"Can I bring my pet iguana to the citizenship ceremony?",
	} {
		m := bot.Message{Platform: "web", ChannelID: "help", ID: fmt.Sprint("m", i), AuthorID: fmt.Sprint("u", i), AuthorName: "Citizen", Text: q, Time: time.Now()}
		if d, err := s.eng.HandleMessage(ctx, m); err != nil || d.Action != bot.ActEscalate {
			t.Fatalf("%q: %s (%v), want it passed to staff", q, d.Action, err)
		}
	}
	page := tab(t)
	// brokenLabels lists the labels narrower than their widest word.
	const brokenLabels = `Array.from(document.querySelectorAll("#summary dt")).filter(dt => {
		const s = document.createElement("span");
		s.style.whiteSpace = "nowrap";
		s.style.position = "absolute";
		let widest = 0;
		for (const w of dt.textContent.split(/\s+/)) { s.textContent = w; dt.append(s); widest = Math.max(widest, s.getBoundingClientRect().width); s.remove(); }
		return dt.clientWidth + 1 < widest;
	}).map(dt => dt.textContent + " (" + dt.clientWidth + " px)").join(" | ")`
	for _, w := range []int64{1280, 320} {
		for _, lang := range []string{"en", "fr"} {
			run(t, page, "open comms", chromedp.EmulateViewport(w, 900), chromedp.Navigate(s.base+"/comms?lang="+lang),
				until(`document.querySelectorAll("#summary dd").length > 0`))
			if topics := textOf(t, page, `document.querySelector("#summary dd:last-of-type").textContent`); strings.Count(topics, "(") < 3 {
				t.Fatalf("topics passed to staff %q, want at least three", topics)
			}
			if got := textOf(t, page, brokenLabels); got != "" {
				t.Errorf("%d px, %s: activity labels broken inside a word: %s", w, lang, got)
			}
			if ok := textOf(t, page, `String(document.documentElement.scrollWidth <= window.innerWidth)`); ok != "true" {
				t.Errorf("%d px, %s: the comms page scrolls sideways", w, lang)
			}
		}
		screenshot(t, page, fmt.Sprintf("comms-summary-topics-%d-fr", w))
	}
}
