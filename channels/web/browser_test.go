package web

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chromedp/chromedp"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/i18n"
	"github.com/liaison-gc/liaison/knowledge"
	"github.com/liaison-gc/liaison/store"
)

// The browser tests drive the three pages in a real headless Chromium
// (Debian's chromium package), with the real engine, store, knowledge base
// and message catalogue behind the web server. One browser serves the whole
// test binary; each test opens its own isolated browser context.

func TestMain(m *testing.M) {
	code := m.Run()
	shared.stop()
	os.Exit(code)
}

// sharedState holds the one browser and the one knowledge index of the
// test binary.
type sharedState struct {
	once    sync.Once
	ctx     context.Context
	cancel  []context.CancelFunc
	dir     string
	err     error
	missing string

	kbOnce sync.Once
	kb     *knowledge.Index
	kbErr  error
}

var shared sharedState

func (s *sharedState) stop() {
	for i := len(s.cancel) - 1; i >= 0; i-- {
		s.cancel[i]()
	}
	if s.dir != "" {
		_ = os.RemoveAll(s.dir)
	}
	if s.kb != nil {
		_ = s.kb.Close()
	}
}

// chromiumPath finds Debian's chromium (or the LIAISON_CHROMIUM override).
func chromiumPath() string {
	if p := os.Getenv("LIAISON_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser returns the shared browser, starting it on first use; the test is
// skipped when no chromium binary is installed.
func browser(t *testing.T) context.Context {
	t.Helper()
	shared.once.Do(func() {
		path := chromiumPath()
		if path == "" {
			shared.missing = "chromium is not installed (apt-get install chromium; .ci/run installs it): browser tests skipped"
			return
		}
		shared.dir, shared.err = os.MkdirTemp("", "liaison-chromium-")
		if shared.err != nil {
			return
		}
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(path),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.Flag("disable-quic", true),
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.Flag("disable-extensions", true),
			chromedp.Flag("lang", "en-CA"),
			chromedp.UserDataDir(shared.dir),
			chromedp.WindowSize(1280, 900),
		}
		actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, cancelB := chromedp.NewContext(actx)
		shared.cancel = append(shared.cancel, cancelA, cancelB)
		if err := chromedp.Do(bctx); err != nil {
			shared.err = fmt.Errorf("start %s: %w", path, err)
			return
		}
		shared.ctx = bctx
	})
	if shared.missing != "" {
		t.Skip(shared.missing)
	}
	if shared.err != nil {
		t.Fatalf("browser: %v", shared.err)
	}
	return shared.ctx
}

func sampleKB(t *testing.T) *knowledge.Index {
	t.Helper()
	shared.kbOnce.Do(func() {
		shared.kb, shared.kbErr = knowledge.Open(context.Background(), knowledge.Options{})
	})
	if shared.kbErr != nil {
		t.Fatalf("knowledge: %v", shared.kbErr)
	}
	return shared.kb
}

// browserRoster is the staff of the browser tests.
var browserRoster = bot.Roster{
	{ID: "alex", Name: "Alex Martin", TitleEN: "Client Services Officer", TitleFR: "Agent des services à la clientèle",
		Languages: []bot.Lang{bot.English}, Topics: []string{"passports"}, DeskUserID: "web-alex"},
	{ID: "nadia", Name: "Nadia Roy", TitleEN: "Benefits Officer", TitleFR: "Agente des prestations",
		Languages: []bot.Lang{bot.French, bot.English}, Topics: []string{"*"}, DeskUserID: "web-nadia"},
	{ID: "sam", Name: "Sam Tremblay", TitleEN: "Communications Lead", TitleFR: "Responsable des communications",
		Languages: []bot.Lang{bot.English, bot.French}, Topics: []string{"*"}, DeskUserID: "web-sam", CommsLead: true},
}

// stack is the whole product behind one web server: the real engine, store,
// knowledge base and catalogue.
type stack struct {
	srv  *Server
	eng  *bot.Engine
	st   *store.DB
	base string
	stop func() // stops it and closes the store (also at the test's end)
}

func newStack(t *testing.T) *stack {
	t.Helper()
	return newStackAt(t, filepath.Join(t.TempDir(), "liaison.db"))
}

// newStackAt runs Liaison on the store at dbPath, as serve does: the
// chat rooms are restored from it before anything runs.
func newStackAt(t *testing.T, dbPath string) *stack {
	t.Helper()
	return newStackWith(t, dbPath, "")
}

// newTokenStack is newStack with a desk token: the desk and comms pages
// ask to sign in, as on a shared office computer. The browser reaches it
// at 127.0.0.1.
func newTokenStack(t *testing.T, token string) *stack {
	t.Helper()
	return newStackWith(t, filepath.Join(t.TempDir(), "liaison.db"), token)
}

// newStackWith is newStackAt with a desk token ("" for none).
func newStackWith(t *testing.T, dbPath, token string) *stack {
	t.Helper()
	return newStackOpts(t, dbPath, token, nil)
}

// newStackOpts is newStackWith with personal desk tokens by staff id
// (none: nil).
func newStackOpts(t *testing.T, dbPath, token string, staffTokens map[string]string) *stack {
	t.Helper()
	return newStackOptions(t, dbPath, token, Options{StaffTokens: staffTokens})
}

// newStackOptions is newStackWith with the web server's options (its
// logger is the test's).
func newStackOptions(t *testing.T, dbPath, token string, opts Options) *stack {
	t.Helper()
	return newStackStaff(t, dbPath, token, opts, browserRoster)
}

// newStackStaff is newStackOptions with its own staff roster.
func newStackStaff(t *testing.T, dbPath, token string, opts Options, roster bot.Roster) *stack {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	opts.Logger = log
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatalf("store: %v", err)
	}
	cat, err := i18n.NewCatalog()
	if err != nil {
		t.Fatalf("catalogue: %v", err)
	}
	cfg := Config{Addr: "127.0.0.1:0"}
	srv, err := New(cfg, token, opts)
	if err != nil {
		t.Fatalf("web: %v", err)
	}
	eng, err := bot.New(bot.Config{Channels: cfg.Channels(), Staff: roster, PollInterval: 50 * time.Millisecond},
		bot.Deps{Store: st, Knowledge: sampleKB(t), Messages: cat, Detect: i18n.Detect,
			Channels: []bot.Channel{srv.Channel()}, Desk: srv.Desk(), Logger: log})
	if err != nil {
		t.Fatalf("engine: %v", err)
	}
	if err := srv.Restore(ctx, eng); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if err := srv.Desk().Restore(ctx, eng); err != nil {
		t.Fatalf("restore desk: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, run := range []func() error{
		func() error { return srv.ServeListener(ctx, ln) },
		func() error { return eng.Run(ctx) },
		func() error { return srv.Channel().Run(ctx, eng) },
		func() error { return srv.Desk().Run(ctx, eng) },
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(); err != nil && ctx.Err() == nil {
				t.Errorf("run: %v", err)
			}
		}()
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			wg.Wait()
			_ = st.Close()
		})
	}
	t.Cleanup(stop)
	waitReady(t, srv)
	return &stack{srv: srv, eng: eng, st: st, base: "http://" + ln.Addr().String(), stop: stop}
}

// testWriter sends log lines to t.Log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// tab opens a page in a fresh browser context (its own cookies and
// storage), failing the test on any script error or console error (a CSP
// violation, for instance).
func tab(t *testing.T) context.Context {
	t.Helper()
	return tabExpecting(t)
}

// tabExpecting is tab, except that console messages starting with one of
// expected (what the test makes happen) are not page problems.
func tabExpecting(t *testing.T, expected ...string) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser(t), chromedp.WithNewBrowserContext())
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	var mu sync.Mutex
	var problems []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			// A refusal the page shows (4xx) is logged by the browser
			// as a failed load: expected, not a page problem.
			if strings.HasPrefix(m.Text, "Failed to load resource: the server responded with a status of 4") ||
				slices.ContainsFunc(expected, func(p string) bool { return strings.HasPrefix(m.Text, p) }) {
				continue
			}
			switch m.Type {
			case chromedp.ConsoleError, chromedp.ConsoleWarning, chromedp.ConsoleException:
				mu.Lock()
				problems = append(problems, string(m.Type)+": "+m.Text+" "+m.URL)
				mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		cancelT()
		cancel()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			t.Errorf("page problem: %s", p)
		}
	})
	return ctx
}

func run(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// js is a JavaScript string literal of s.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// fill sets a field's value as typing would (an input event follows).
func fill(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(function(){const e=document.querySelector(%s); e.value=%s; e.dispatchEvent(new Event("input",{bubbles:true})); return true})()`, js(sel), js(value)))
}

// until waits for a JavaScript expression to be true.
func until(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second))
}

func textOf(t *testing.T, ctx context.Context, expr string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatalf("read %s: %v", expr, err)
	}
	return s
}

// screenshotDir is where the tests leave pictures of the pages for a
// reviewer: $LIAISON_SCREENSHOTS, or liaison-screenshots in the temp dir.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("LIAISON_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "liaison-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshots: %v", err)
	}
	return dir
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(screenshotDir(t), name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// ask types a question as a citizen and waits until the server took it.
func ask(t *testing.T, ctx context.Context, name, text string) {
	t.Helper()
	run(t, ctx, "ask "+text,
		chromedp.WaitVisible(chromedp.CSS("#text")),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("name").value = ""`),
		chromedp.SendKeys(chromedp.CSS("#name"), name),
		chromedp.SendKeys(chromedp.CSS("#text"), text),
		chromedp.Click(chromedp.CSS("#send")),
		until(`document.getElementById("form-status").textContent !== "" && document.getElementById("text").value === "" || !document.getElementById("form-error").hidden`),
	)
	if msg := textOf(t, ctx, `document.getElementById("form-error").hidden ? "" : document.getElementById("form-error").textContent`); msg != "" {
		t.Fatalf("the page refused the message: %s", msg)
	}
}

func TestBrowserFrenchQuestionGetsFrenchAnswer(t *testing.T) {
	s := newStack(t)
	ctx := tab(t)
	other := tab(t) // a second person in the same room sees the exchange live
	run(t, other, "open room", chromedp.Navigate(s.base+"/?room=help&lang=en"), chromedp.WaitVisible(chromedp.CSS("#log")))
	run(t, ctx, "open chat", chromedp.Navigate(s.base+"/?room=help&lang=en"), chromedp.WaitVisible(chromedp.CSS("#log")))
	if lang := textOf(t, ctx, `document.documentElement.lang`); lang != "en" {
		t.Fatalf("interface language %q, want en", lang)
	}
	ask(t, ctx, "Marie", "Comment renouveler mon passeport?")
	const answer = `#log li[data-kind="answer"]`
	run(t, ctx, "wait for the answer", chromedp.WaitVisible(chromedp.CSS(answer)))
	text := textOf(t, ctx, `document.querySelector('#log li[data-kind="answer"] .msg-text').textContent`)
	if !strings.Contains(text, "Vous pouvez renouveler votre passeport") {
		t.Errorf("answer in the English interface is not the French entry: %q", text)
	}
	if l := textOf(t, ctx, `document.querySelector('#log li[data-kind="answer"] .msg-text').lang`); l != "fr" {
		t.Errorf("answer lang attribute %q, want fr", l)
	}
	if q := textOf(t, ctx, `document.querySelector('#log li[data-kind="answer"] .msg-quote').textContent`); !strings.Contains(q, "In reply to Marie") || !strings.Contains(q, "Comment renouveler") {
		t.Errorf("the answer does not show the question it answers: %q", q)
	}
	// The other person sees the question and the answer, not as theirs.
	run(t, other, "other sees the answer", chromedp.WaitVisible(chromedp.CSS(answer)))
	if mine := textOf(t, other, `String(document.querySelectorAll("#log li.mine").length)`); mine != "0" {
		t.Errorf("the other browser shows %s messages as its own", mine)
	}
	// Feedback: helpful, recorded by the engine.
	run(t, ctx, "feedback",
		chromedp.Click(chromedp.CSS(answer+` .feedback button[aria-pressed="false"]`)),
		until(`document.querySelector('#log li[data-kind="answer"] .feedback .q').textContent.startsWith("Thank you")`))
	if p := textOf(t, ctx, `document.querySelector('#log li[data-kind="answer"] .msg-text').textContent`); strings.Contains(p, "utile") {
		t.Errorf("the invitation to give feedback should sit beside the buttons, not in the answer: %q", p)
	}
	st, err := s.eng.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Summary.Helpful != 1 || st.Summary.Questions[bot.French] != 1 {
		t.Errorf("summary after feedback: helpful %d, French questions %d", st.Summary.Helpful, st.Summary.Questions[bot.French])
	}
	screenshot(t, ctx, "chat-answer-en-interface")

	// The French interface, on a phone-sized screen.
	run(t, ctx, "phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(s.base+"/?room=help&lang=fr"),
		chromedp.WaitVisible(chromedp.CSS(answer)))
	if h := textOf(t, ctx, `document.querySelector("h1").textContent`); h != "Posez une question" {
		t.Errorf("French heading %q", h)
	}
	if w := textOf(t, ctx, `String(document.documentElement.scrollWidth <= window.innerWidth)`); w != "true" {
		t.Error("the chat page scrolls sideways on a phone-sized screen")
	}
	screenshot(t, ctx, "chat-phone-fr")
}

// After a restart the room shows its conversation again: a citizen who
// comes back finds the question and the answer, quoted as before, the
// question and its quote tagged with the language told from it.
func TestBrowserRoomHistorySurvivesARestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "liaison.db")
	s := newStackAt(t, db)
	ctx := tab(t)
	run(t, ctx, "open chat", chromedp.Navigate(s.base+"/?room=help&lang=en"), chromedp.WaitVisible(chromedp.CSS("#log")))
	ask(t, ctx, "Marie", "How do I renew my passport?")
	const answer = `#log li[data-kind="answer"]`
	run(t, ctx, "wait for the answer", chromedp.WaitVisible(chromedp.CSS(answer)))
	run(t, ctx, "leave", chromedp.Navigate("about:blank")) // before its stream breaks
	s.stop()

	s = newStackAt(t, db)
	back := tab(t)
	run(t, back, "open chat after the restart", chromedp.Navigate(s.base+"/?room=help&lang=en"), chromedp.WaitVisible(chromedp.CSS(answer)))
	if q := textOf(t, back, `document.querySelector('#log li[data-kind="citizen"] .msg-text').textContent`); q != "How do I renew my passport?" {
		t.Errorf("restored question %q", q)
	}
	if a := textOf(t, back, `document.querySelector('`+answer+` .msg-text').textContent`); !strings.Contains(a, "renew your passport online") {
		t.Errorf("restored answer %q", a)
	}
	if q := textOf(t, back, `document.querySelector('`+answer+` .msg-quote').textContent`); !strings.Contains(q, "Marie") || !strings.Contains(q, "How do I renew") {
		t.Errorf("the restored answer does not quote its question: %q", q)
	}
	if l := textOf(t, back, `String(document.querySelector('#log li[data-kind="citizen"] .msg-text').getAttribute("lang"))`); l != "en" {
		t.Errorf("restored question lang attribute %s, want en", l)
	}
	if l := textOf(t, back, `String(document.querySelector('`+answer+` .msg-quote .quoted').getAttribute("lang"))`); l != "en" {
		t.Errorf("restored quote lang attribute %s, want en", l)
	}
	// A purged message is not shown again.
	if _, err := s.st.Purge(context.Background(), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	run(t, back, "leave", chromedp.Navigate("about:blank"))
	s.stop()
	s = newStackAt(t, db)
	again := tab(t)
	run(t, again, "open chat after the purge", chromedp.Navigate(s.base+"/?room=help&lang=en"), chromedp.WaitVisible(chromedp.CSS(answer)))
	if n := textOf(t, again, `String(document.querySelectorAll('#log li[data-kind="citizen"]').length)`); n != "0" {
		t.Errorf("%s purged questions shown again", n)
	}
}

// A chat page open during the retention purge forgets what it took, without
// a reload and without announcing it: the citizen's message goes, on the
// page of whoever wrote it and of anyone else in the room, and the answer
// loses its quote of it but keeps its words, its place, the vote given on
// it and the focus on its buttons. A newer message stays.
func TestBrowserOpenChatForgetsPurgedMessages(t *testing.T) {
	start := time.Now()
	clock := &testClock{t: start}
	s := newStackOptions(t, filepath.Join(t.TempDir(), "liaison.db"), "", Options{Now: clock.now})
	dana, other := tab(t), tab(t)
	for _, ctx := range []context.Context{other, dana} {
		run(t, ctx, "open chat", chromedp.Navigate(s.base+"/?room=help&lang=en"), chromedp.WaitVisible(chromedp.CSS("#log")))
	}
	ask(t, dana, "Dana Smith", "How do I renew my passport?")
	const answer = `#log li[data-kind="answer"]`
	run(t, dana, "vote on the answer",
		chromedp.WaitVisible(chromedp.CSS(answer+" .msg-quote")),
		chromedp.Click(chromedp.CSS(answer+` .feedback button[aria-pressed="false"]`)),
		until(`document.querySelector('`+answer+` .feedback .q').textContent.startsWith("Thank you")`),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('`+answer+` .feedback button').focus()`))
	waitSent(t, s, "help", 1)
	clock.set(start.Add(time.Minute))
	ask(t, other, "Eve Newer", "Bonjour tout le monde")
	run(t, other, "see both messages", until(`document.querySelectorAll('#log li[data-kind="citizen"]').length === 2 && !!document.querySelector('`+answer+` .msg-quote')`))
	said := textOf(t, other, `document.getElementById("announce").textContent`)

	if r, err := s.st.PurgeVia(context.Background(), start.Add(30*time.Second), "cli"); err != nil || r.Messages != 1 {
		t.Fatalf("purge: %v, %v; want Dana's message purged", r, err)
	}
	clock.set(start.Add(10 * time.Minute))
	if err := s.srv.ForgetPurged(context.Background(), s.eng); err != nil {
		t.Fatal(err)
	}
	gone := `document.querySelectorAll('#log li[data-kind="citizen"]').length === 1 && !document.querySelector('` + answer + ` .msg-quote')`
	for name, ctx := range map[string]context.Context{"dana": dana, "other": other} {
		run(t, ctx, name+"'s page forgets", until(gone))
		log := textOf(t, ctx, `document.getElementById("log").textContent`)
		for _, secret := range []string{"Dana", "renew my passport"} {
			if strings.Contains(log, secret) {
				t.Errorf("%s's open page still shows %q: %s", name, secret, log)
			}
		}
		if !strings.Contains(log, "Bonjour tout le monde") || !strings.Contains(log, "renew your passport") {
			t.Errorf("%s's open page lost the newer message or the answer: %s", name, log)
		}
	}
	if got := textOf(t, other, `document.getElementById("announce").textContent`); got != said {
		t.Errorf("forgetting was announced: %q, before %q", got, said)
	}
	if v := textOf(t, dana, `document.querySelector('`+answer+` .feedback button').getAttribute("aria-pressed") + " " + String(document.activeElement === document.querySelector('`+answer+` .feedback button'))`); v != "true true" {
		t.Errorf("the answer's vote and focus after the purge: %q, want pressed and focused", v)
	}
}

// A held answer's notice outlives a restart with its buttons: the staff
// member can still send it anyway, and once settled it shows as settled.
func TestBrowserHeldAnswerSurvivesARestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "liaison.db")
	s := newStackAt(t, db)
	citizen, desk := holdAnAnswer(t, s)
	for _, c := range []context.Context{citizen, desk} {
		run(t, c, "leave", chromedp.Navigate("about:blank"))
	}
	s.stop()

	s = newStackAt(t, db)
	citizen, desk = tab(t), tab(t)
	run(t, citizen, "open chat after the restart", chromedp.Navigate(s.base+"/?room=help&lang=fr"), chromedp.WaitVisible(chromedp.CSS(`#log li[data-kind="ack"]`)))
	run(t, desk, "the held answer's notice is back",
		chromedp.Navigate(s.base+"/desk?lang=fr"),
		chromedp.WaitReady(chromedp.CSS(`#whoami option[value="nadia"]`)),
		chromedp.SetValue(chromedp.CSS("#whoami"), "nadia"),
		chromedp.WaitVisible(chromedp.CSS(`#notices li.mismatch button.btn-primary`)))
	run(t, desk, "send anyway after the restart",
		chromedp.Click(chromedp.CSS(`#notices li.mismatch button.btn-primary`)),
		until(`document.querySelector("#notices li.mismatch").textContent.includes("Réglé")`))
	run(t, citizen, "relayed", chromedp.WaitVisible(chromedp.CSS(`#log li[data-kind="relay"]`)))
	for _, c := range []context.Context{citizen, desk} {
		run(t, c, "leave", chromedp.Navigate("about:blank"))
	}
	s.stop()

	s = newStackAt(t, db)
	desk = tab(t)
	run(t, desk, "settled after another restart",
		chromedp.Navigate(s.base+"/desk?lang=fr"),
		until(`document.querySelector("#notices li.mismatch") !== null && document.querySelector("#notices li.mismatch").textContent.includes("Réglé")`))
	if n := textOf(t, desk, `String(document.querySelectorAll("#notices li.mismatch button").length)`); n != "0" {
		t.Errorf("a settled answer's notice still offers %s buttons", n)
	}
}

// A held answer's notice, once settled, says how, as the Slack desk's
// does: on the page that chose, on every other open desk page, and after a
// restart.
func TestBrowserSettledHeldAnswerSaysHow(t *testing.T) {
	db := filepath.Join(t.TempDir(), "liaison.db")
	s := newStackAt(t, db)
	citizen, desk := holdAnAnswer(t, s)
	other := tab(t)
	run(t, other, "a colleague's desk", chromedp.Navigate(s.base+"/desk?lang=en"), chromedp.WaitVisible(chromedp.CSS(`#notices li.mismatch button.btn-primary`)))
	run(t, desk, "I will translate",
		chromedp.Click(chromedp.CSS(`#notices li.mismatch button:not(.btn-primary)`)),
		until(`document.querySelector("#notices li.mismatch").textContent.includes("Réglé")`))
	const fr = "Réglé\u00a0: la réponse n’a pas été envoyée. Une traduction doit être rédigée sous la question."
	const en = "Settled: the answer was not sent. A translation is to be written under the question."
	settled := `document.querySelector("#notices li.mismatch p.muted").textContent`
	if got := textOf(t, desk, settled); got != fr {
		t.Errorf("the page that chose says %q, want %q", got, fr)
	}
	run(t, other, "the colleague's notice is settled", until(`document.querySelector("#notices li.mismatch p.muted") !== null`))
	if got := textOf(t, other, settled); got != en {
		t.Errorf("a colleague's page says %q, want %q", got, en)
	}
	for _, c := range []context.Context{citizen, desk, other} {
		run(t, c, "leave", chromedp.Navigate("about:blank"))
	}
	s.stop()

	s = newStackAt(t, db)
	desk = tab(t)
	run(t, desk, "settled after a restart",
		chromedp.Navigate(s.base+"/desk?lang=en"),
		until(`document.querySelector("#notices li.mismatch p.muted") !== null`))
	if got := textOf(t, desk, settled); got != en {
		t.Errorf("after a restart the notice says %q, want %q", got, en)
	}
}

func TestBrowserUnknownQuestionAnsweredOnDesk(t *testing.T) {
	s := newStack(t)
	citizen := tab(t)
	desk := tab(t)
	const question = "Can I bring my pet iguana to the citizenship ceremony?"
	run(t, desk, "open desk", chromedp.Navigate(s.base+"/desk?lang=en"),
		chromedp.WaitVisible(chromedp.CSS("#queue-none")))
	run(t, citizen, "open chat", chromedp.Navigate(s.base+"/?room=help&lang=en"), chromedp.WaitVisible(chromedp.CSS("#log")))
	ask(t, citizen, "Jordan", question)
	run(t, citizen, "acknowledgement", chromedp.WaitVisible(chromedp.CSS(`#log li[data-kind="ack"]`)))

	// The escalation appears live on the desk.
	find := fmt.Sprintf(`(Array.from(document.querySelectorAll("#queue article")).find(a => a.querySelector(".esc-q").textContent.includes(%s)) || {id: ""}).id`, js("iguana"))
	run(t, desk, "escalation on the desk", until(find+` !== ""`))
	card := "#" + textOf(t, desk, find)
	if lang := textOf(t, desk, `document.querySelector(`+js(card+" .esc-q")+`).lang`); lang != "en" {
		t.Errorf("question language on the desk %q", lang)
	}
	run(t, desk, "choose who I am and claim",
		chromedp.WaitReady(chromedp.CSS(`#whoami option[value="nadia"]`)),
		chromedp.SetValue(chromedp.CSS("#whoami"), "nadia"),
		chromedp.Click(chromedp.CSS(card+` button.btn-primary`)),
		until(`document.querySelector(`+js(card+" .state")+`).textContent === "Claimed"`))
	screenshot(t, desk, "desk-claimed")
	const reply = "Yes. Small pets in a closed carrier are welcome at the ceremony; please arrive fifteen minutes early."
	run(t, desk, "answer",
		fill(card+" textarea", reply),
		chromedp.Click(chromedp.CSS(card+` form.answer-form button[type="submit"]`)),
		until(`document.getElementById("flash").textContent.startsWith("Answer recorded: on its way to 1")`))
	if got := textOf(t, desk, `document.getElementById("flash").textContent`); got != "Answer recorded: on its way to 1 citizen. A notice confirms delivery." {
		t.Errorf("after answering one citizen the desk says %q", got)
	}

	// The signed answer reaches the citizen, threaded under the question.
	const relay = `#log li[data-kind="relay"]`
	run(t, citizen, "signed answer", chromedp.WaitVisible(chromedp.CSS(relay)))
	body := textOf(t, citizen, `document.querySelector(`+js(relay)+`).textContent`)
	if !strings.Contains(body, "Small pets in a closed carrier") || !strings.Contains(body, "Nadia Roy") {
		t.Errorf("relayed answer %q lacks the text or the signature", body)
	}
	if sig := textOf(t, citizen, `(document.querySelector(`+js(relay+" .msg-sig")+`) || {textContent: ""}).textContent`); !strings.Contains(sig, "Nadia Roy") {
		t.Errorf("signature line %q", sig)
	}
	if q := textOf(t, citizen, `document.querySelector(`+js(relay+" .msg-quote")+`).textContent`); !strings.Contains(q, "iguana") {
		t.Errorf("the staff answer does not quote the question: %q", q)
	}
	screenshot(t, citizen, "chat-staff-answer")

	// The desk shows it answered; with "show all" the card stays visible.
	run(t, desk, "show all", chromedp.Click(chromedp.CSS("#showall")),
		until(`(document.querySelector(`+js(card+" .state")+`) || {}).textContent === "Answer delivered"`))
	screenshot(t, desk, "desk")

	// Past the retention period the question leaves the records, and the
	// open desk page redraws the card without it.
	if r, err := s.st.Purge(context.Background(), time.Now().Add(time.Hour)); err != nil || r.Escalations != 1 {
		t.Fatalf("purge = %+v, %v", r, err)
	}
	run(t, desk, "card redrawn without the question",
		until(`(document.querySelector(`+js(card+" .esc-q")+`) || {}).textContent === "The question was removed under the retention policy."`))
}

func TestBrowserBroadcastPhaseStopsPublicAnswers(t *testing.T) {
	s := newStack(t)
	comms := tab(t)
	citizen := tab(t)
	run(t, comms, "open comms", chromedp.Navigate(s.base+"/comms?lang=en"),
		until(`document.getElementById("global-phase").textContent === "replies"`),
		chromedp.WaitReady(chromedp.CSS(`#whoami option[value="sam"]`)),
		chromedp.SetValue(chromedp.CSS("#whoami"), "sam"),
		chromedp.Click(chromedp.CSS("#phase-1")),
		chromedp.SendKeys(chromedp.CSS("#reason"), "Election period: announcements only"),
		chromedp.Click(chromedp.CSS(`#phase-form button[type="submit"]`)),
		until(`document.querySelector("#phase-form .alert-success").textContent !== ""`),
		until(`document.getElementById("global-phase").textContent === "broadcast"`))
	if msg := textOf(t, comms, `document.querySelector("#phase-form .alert-success").textContent`); !strings.Contains(msg, "broadcast") {
		t.Errorf("confirmation %q", msg)
	}
	ps, err := s.st.PhaseChanges(context.Background(), 0)
	if err != nil || len(ps) != 1 || ps[0].By != "sam" && ps[0].By != "web-sam" || ps[0].Reason != "Election period: announcements only" {
		t.Errorf("recorded phase changes %+v (%v)", ps, err)
	}
	screenshot(t, comms, "comms")

	// A question that phase 2 would answer gets no public answer now.
	run(t, citizen, "open chat", chromedp.Navigate(s.base+"/?room=help&lang=en"), chromedp.WaitVisible(chromedp.CSS("#log")))
	ask(t, citizen, "Chris", "How do I renew my passport?")
	id := strings.TrimPrefix(textOf(t, citizen, `document.querySelector("#log li.citizen").id`), "msg-")
	d, err := s.st.DecisionFor(context.Background(), "web", id)
	if err != nil || d.Action != bot.ActShadow || d.Would != bot.ActAnswer {
		t.Errorf("decision in broadcast phase %+v (%v), want shadow that would answer", d, err)
	}
	// Replies leave in order: an announcement made after the question
	// arrives after anything the question produced. Nothing but it came.
	run(t, comms, "announce",
		chromedp.SendKeys(chromedp.CSS("#bc-en"), "Our offices are closed on Monday."),
		chromedp.SendKeys(chromedp.CSS("#bc-fr"), "Nos bureaux sont fermés lundi."),
		chromedp.Click(chromedp.CSS(`#bc-form button[type="submit"]`)),
		until(`document.querySelector("#bc-form .alert-success").textContent !== ""`))
	run(t, citizen, "announcement arrives", chromedp.WaitVisible(chromedp.CSS(`#log li[data-kind="broadcast"]`)))
	if n := textOf(t, citizen, `String(document.querySelectorAll("#log li.bot:not([data-kind=broadcast])").length)`); n != "0" {
		t.Errorf("%s public replies in broadcast phase", n)
	}
	if b := textOf(t, citizen, `document.querySelector('#log li[data-kind="broadcast"]').textContent`); !strings.Contains(b, "closed on Monday") || !strings.Contains(b, "fermés lundi") {
		t.Errorf("announcement %q is not bilingual", b)
	}
}

// The comms page's summary shows the assistant's answers that did not
// reach the citizen, in the page's language, each only when there are
// some: those withheld when their channel was switched to phase 1, and
// those the platform refused for good. Neither counts as answered. So are
// citizens' requests for a staff answer in their language, which are not
// questions passed to staff. The median time to first response and the
// median time to a staff answer each say how many questions they are taken
// over, and "—" while there are none.
func TestBrowserCommsSummaryShowsAnswersThatDidNotReachTheCitizen(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	const rows = `Array.from(document.querySelectorAll("#summary dt")).map(e => e.textContent + " = " + e.nextElementSibling.textContent).join(" | ")`
	page := tab(t)
	run(t, page, "open comms", chromedp.Navigate(s.base+"/comms?lang=en"), until(`document.querySelectorAll("#summary dd").length > 0`))
	if got := textOf(t, page, rows); !strings.Contains(got, "Answered by the assistant = 0 | Passed to staff = 0") {
		t.Errorf("summary without such answers %q, want no row for them", got)
	}
	if got := textOf(t, page, rows); !strings.Contains(got, "Median time to first response = — | Median time to a staff answer = — |") {
		t.Errorf("summary without any response %q, want no medians", got)
	}

	// Answers to questions asked on Discord, which this stack does not
	// serve: they wait in the outbox until settled here.
	now := time.Now()
	answer := func(id string) int64 {
		t.Helper()
		m := bot.Message{Platform: "discord", ChannelID: "42", ID: id, AuthorID: "u-" + id, AuthorName: "Citizen", Text: "How do I renew my passport?", Time: now, Mentioned: true}
		o := &bot.Outcome{Message: m,
			Decision: bot.Decision{Action: bot.ActAnswer, Reason: bot.ReasonConfident, Phase: 2, Lang: bot.English, LangSource: "detected", EntryID: "passport-renew", At: now},
			Outbox: []bot.Outgoing{{To: bot.Address{Platform: m.Platform, ChannelID: m.ChannelID, ReplyTo: m.ID, UserID: m.AuthorID},
				Reply: bot.Reply{Kind: bot.KindAnswer, Lang: bot.English, Text: "Renew online.", Key: "answer:discord:" + id},
				State: bot.OutPending, CreatedAt: now}}}
		if err := s.st.SaveOutcome(ctx, o); err != nil {
			t.Fatal(err)
		}
		return o.Outbox[0].ID
	}
	for _, id := range []string{"w1", "w2"} {
		out := answer(id)
		if err := s.st.MarkWithheld(ctx, out, bot.AuditEntry{Actor: "engine", Via: "engine", Action: "reply.send",
			Target: fmt.Sprintf("outgoing:%d", out), Detail: "answer withheld: discord:42 is in phase 1 (broadcast)"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.st.MarkFailed(ctx, answer("f1"), "unknown channel"); err != nil {
		t.Fatal(err)
	}
	answer("p1") // on its way: answered
	// Two answers delivered, in 1 s and 3 s: a median of 2 s over 2.
	for i, id := range []string{"s1", "s2"} {
		if err := s.st.MarkSent(ctx, answer(id), bot.MessageRef{Platform: "discord", ChannelID: "42", ID: "r-" + id}, now.Add(time.Duration(1+2*i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	// A citizen asking for a staff answer in their language: counted apart
	// from the questions passed to staff.
	lr := bot.Message{Platform: "discord", ChannelID: "42", ID: "lr1", AuthorID: "u-lr1", AuthorName: "Citoyenne", Text: "en français svp", Time: now, Mentioned: true}
	if err := s.st.SaveOutcome(ctx, &bot.Outcome{Message: lr, Decision: bot.Decision{Action: bot.ActEscalate, Reason: bot.ReasonLanguageRequest,
		Phase: 2, Lang: bot.French, LangSource: "detected", At: now}}); err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{
		"fr": "Réglées par l’assistant = 3 | Réponses retenues (passage à la phase 1) = 2 | Réponses refusées par la plateforme = 1 | Transmises au personnel = 0 | Réponses demandées dans la langue de la personne = 1" +
			" | Questions en attente du personnel = 0 | Délai médian de première réponse = 2\u00a0s sur 2\u00a0questions | Délai médian de réponse du personnel = — |",
		"en": "Answered by the assistant = 3 | Answers withheld (switched to phase 1) = 2 | Answers refused by the platform = 1 | Passed to staff = 0 | Answers asked for in the citizen’s language = 1" +
			" | Questions waiting for staff = 0 | Median time to first response = 2\u00a0s over 2\u00a0questions | Median time to a staff answer = — |",
	} {
		run(t, page, "open comms in "+lang, chromedp.Navigate(s.base+"/comms?lang="+lang), until(`document.querySelectorAll("#summary dd").length > 0`))
		if got := textOf(t, page, rows); !strings.Contains(got, want) {
			t.Errorf("%s summary %q, want %q", lang, got, want)
		}
	}

	// A question passed to staff and answered: the median time to a staff
	// answer says how many it is taken over.
	m := bot.Message{Platform: "discord", ChannelID: "42", ID: "e1", AuthorID: "u-e1", AuthorName: "Citizen", Text: "Can my goat attend the ceremony?", Time: now, Mentioned: true}
	esc := &bot.Escalation{Topic: "general", Lang: bot.English, Question: m.Text, State: bot.StateOpen, CreatedAt: now, UpdatedAt: now}
	if err := s.st.SaveOutcome(ctx, &bot.Outcome{Message: m, Decision: bot.Decision{Action: bot.ActEscalate, Reason: bot.ReasonLowConfidence,
		Phase: 2, Lang: bot.English, LangSource: "detected", At: now}, NewEscalation: esc}); err != nil {
		t.Fatal(err)
	}
	res, err := s.eng.Answer(ctx, bot.DeskAnswer{EscalationID: esc.ID, DeskUserID: "web-sam", EventID: "ev-goat", Text: "Only service animals may attend."})
	if err != nil || res.Mismatch {
		t.Fatal(res, err)
	}
	relays, err := s.st.Pending(ctx, "discord", time.Now().Add(time.Minute), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range relays {
		if it.Reply.Kind == bot.KindRelay {
			if err := s.st.MarkSent(ctx, it.ID, bot.MessageRef{Platform: "discord", ChannelID: "42", ID: "r-e1"}, now.Add(90*time.Second)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for lang, want := range map[string]string{
		"fr": "Délai médian de réponse du personnel = 1\u00a0min 30\u00a0s sur 1\u00a0question transmise |",
		"en": "Median time to a staff answer = 1\u00a0min 30\u00a0s over 1\u00a0question passed to staff |",
	} {
		run(t, page, "open comms in "+lang, chromedp.Navigate(s.base+"/comms?lang="+lang), until(`document.querySelectorAll("#summary dd").length > 0`))
		if got := textOf(t, page, rows); !strings.Contains(got, want) {
			t.Errorf("%s summary %q, want %q", lang, got, want)
		}
	}
}

func TestBrowserBroadcastWithoutFrenchIsRefused(t *testing.T) {
	s := newStack(t)
	ctx := tab(t)
	run(t, ctx, "compose in English only", chromedp.Navigate(s.base+"/comms?lang=en"),
		chromedp.WaitReady(chromedp.CSS(`#whoami option[value="sam"]`)),
		chromedp.SetValue(chromedp.CSS("#whoami"), "sam"),
		chromedp.SendKeys(chromedp.CSS("#bc-en"), "Offices are closed Monday."),
		chromedp.Click(chromedp.CSS(`#bc-form button[type="submit"]`)),
		until(`!document.querySelector("#bc-form .alert-danger").hidden`))
	msg := textOf(t, ctx, `document.querySelector("#bc-form .alert-danger").textContent`)
	if !strings.Contains(msg, "Enter the French text") {
		t.Errorf("refusal %q does not say what is missing", msg)
	}
	if inv := textOf(t, ctx, `document.getElementById("bc-fr").getAttribute("aria-invalid") || ""`); inv != "true" {
		t.Error("the French field is not marked invalid")
	}
	if f := textOf(t, ctx, `document.activeElement.className`); !strings.Contains(f, "alert-danger") {
		t.Errorf("focus is on %q, not on the error summary", f)
	}
	screenshot(t, ctx, "comms-refused")
	// Past the page's own check, the engine refuses too, and says why.
	type result struct {
		Status int
		Body   map[string]string
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[result](`(async () => {
		const r = await window.Liaison.api("POST", "/api/comms/broadcast", {as: "sam", en: "Offices are closed Monday.", fr: "  "});
		return {Status: r.status, Body: r.data};
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("post without French: %v", err)
	}
	if res.Status != 400 || !strings.Contains(res.Body["detail"], "French text is missing") {
		t.Errorf("engine refusal = %d %v", res.Status, res.Body)
	}
	if bs, err := s.st.Broadcasts(context.Background(), 0); err != nil || len(bs) != 0 {
		t.Errorf("broadcasts stored: %v (%v)", bs, err)
	}
}

// An announcement dated in the past is refused by the engine, which the
// comms page says, keeping the texts to correct the date; it is neither
// published nor reported as scheduled.
func TestBrowserBroadcastAtAPastTimeIsRefused(t *testing.T) {
	s := newStack(t)
	ctx := tab(t)
	run(t, ctx, "compose for last year", chromedp.Navigate(s.base+"/comms?lang=fr"),
		chromedp.WaitReady(chromedp.CSS(`#whoami option[value="sam"]`)),
		chromedp.SetValue(chromedp.CSS("#whoami"), "sam"),
		chromedp.SendKeys(chromedp.CSS("#bc-en"), "Offices are closed Monday."),
		chromedp.SendKeys(chromedp.CSS("#bc-fr"), "Les bureaux sont fermés lundi."),
		chromedp.SetValue(chromedp.CSS("#bc-at"), "2020-01-06T09:00"),
		chromedp.Click(chromedp.CSS(`#bc-form button[type="submit"]`)),
		until(`document.querySelector("#bc-form .alert-success").textContent !== "" || !document.querySelector("#bc-form .alert-danger").hidden`))
	if ok := textOf(t, ctx, `document.querySelector("#bc-form .alert-success").textContent`); ok != "" {
		t.Errorf("a past date was taken: %q", ok)
	}
	if msg := textOf(t, ctx, `document.querySelector("#bc-form .alert-danger").textContent`); !strings.Contains(msg, "Le moment d’envoi indiqué est déjà passé") {
		t.Errorf("refusal %q does not say the time has passed", msg)
	}
	if en, fr := textOf(t, ctx, `document.getElementById("bc-en").value`), textOf(t, ctx, `document.getElementById("bc-fr").value`); en == "" || fr == "" {
		t.Errorf("the texts were not kept: %q, %q", en, fr)
	}
	if bs, err := s.st.Broadcasts(context.Background(), 0); err != nil || len(bs) != 0 {
		t.Errorf("broadcasts stored: %+v (%v), want none", bs, err)
	}
}

// The comms page counts an announcement's characters as the engine does,
// in code points: a French text full of emoji at the limit (1,800
// characters, more UTF-16 units) is kept whole when pasted, counted right
// and published; one character more is refused by the page, which says so.
func TestBrowserBroadcastCountsEmojiAsOneCharacter(t *testing.T) {
	s := newStack(t)
	ctx := tab(t)
	fr := strings.Repeat("Joyeuses fêtes 🎉🎆🎇🥳 ", 89) + "Bonne année 🎉🎆🎇🥳🎊🎁🎄!"
	if n := utf8.RuneCountInString(fr); n != bot.MaxBroadcastRunes {
		t.Fatalf("the French text has %d characters, want the limit, %d", n, bot.MaxBroadcastRunes)
	}
	// paste inserts text in a field as pasting or typing does: the
	// browser applies the field's own limits.
	paste := func(sel, text string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`(function(){const e=document.querySelector(` + js(sel) + `); e.focus(); e.select(); document.execCommand("insertText", false, ` + js(text) + `); return true})()`)
	}
	run(t, ctx, "paste the texts", chromedp.Navigate(s.base+"/comms?lang=fr"),
		chromedp.WaitReady(chromedp.CSS(`#whoami option[value="sam"]`)),
		chromedp.SetValue(chromedp.CSS("#whoami"), "sam"),
		paste("#bc-en", "Happy holidays!"),
		paste("#bc-fr", fr))
	if got := textOf(t, ctx, `document.getElementById("bc-fr").value`); got != fr {
		t.Fatalf("the page kept %d of the %d characters the engine accepts", utf8.RuneCountInString(got), utf8.RuneCountInString(fr))
	}
	if c := textOf(t, ctx, `document.getElementById("bc-fr-count").textContent`); c != "Il reste 0 caractère" {
		t.Errorf("French counter %q, want none left", c)
	}
	if c := textOf(t, ctx, `document.getElementById("bc-en-count").textContent`); c != "Il reste 1\u00a0785 caractères" {
		t.Errorf("English counter %q", c)
	}
	if d := textOf(t, ctx, `document.getElementById("bc-fr").getAttribute("aria-describedby")`); d != "bc-fr-count" {
		t.Errorf("the French field is described by %q, not by its counter", d)
	}
	run(t, ctx, "publish",
		chromedp.Click(chromedp.CSS(`#bc-form button[type="submit"]`)),
		until(`document.querySelector("#bc-form .alert-success").textContent !== "" || !document.querySelector("#bc-form .alert-danger").hidden`))
	if msg := textOf(t, ctx, `document.querySelector("#bc-form .alert-danger").hidden ? "" : document.querySelector("#bc-form .alert-danger").textContent`); msg != "" {
		t.Fatalf("refused: %s", msg)
	}
	bs, err := s.st.Broadcasts(context.Background(), 0)
	if err != nil || len(bs) != 1 || bs[0].FR != fr {
		t.Fatalf("broadcasts stored: %d (%v), want one with the whole French text", len(bs), err)
	}
	if c := textOf(t, ctx, `document.getElementById("bc-fr-count").textContent`); c != "Il reste 1\u00a0800 caractères" {
		t.Errorf("French counter after publishing %q", c)
	}

	// One character more: counted, and refused before it is sent.
	run(t, ctx, "one character too many",
		paste("#bc-en", "Happy holidays!"),
		paste("#bc-fr", fr+"🎉"),
		until(`document.getElementById("bc-fr-count").textContent === "1 caractère de trop"`),
		chromedp.Click(chromedp.CSS(`#bc-form button[type="submit"]`)),
		until(`!document.querySelector("#bc-form .alert-danger").hidden`))
	if msg := textOf(t, ctx, `document.querySelector("#bc-form .alert-danger").textContent`); !strings.Contains(msg, "Le texte français est trop long\u00a0: au plus 1\u00a0800 caractères.") {
		t.Errorf("refusal %q does not say the French text is too long", msg)
	}
	if inv := textOf(t, ctx, `document.getElementById("bc-fr").getAttribute("aria-invalid") || ""`); inv != "true" {
		t.Error("the French field is not marked invalid")
	}
	if bs, err := s.st.Broadcasts(context.Background(), 0); err != nil || len(bs) != 1 {
		t.Errorf("%d broadcasts stored (%v), want only the first", len(bs), err)
	}
	screenshot(t, ctx, "comms-too-long-fr")
}

// The chat counts a citizen's message and name as the server does, in
// characters: a message full of emoji at the limit and a name of 40
// characters with emoji are kept whole and sent; one character more is
// refused.
func TestBrowserChatCountsEmojiAsOneCharacter(t *testing.T) {
	s := newStack(t)
	ctx := tab(t)
	text := strings.Repeat("Mon passeport 🛂🇨🇦 ", 55) + "merci 🙏🙏🙏🙏"
	name := "Zoé " + strings.Repeat("🌻", 36)
	if n, m := utf8.RuneCountInString(text), utf8.RuneCountInString(name); n != DefaultMaxMessageChars || m != maxNameChars {
		t.Fatalf("message of %d characters and name of %d, want the limits %d and %d", n, m, DefaultMaxMessageChars, maxNameChars)
	}
	paste := func(sel, v string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`(function(){const e=document.querySelector(` + js(sel) + `); e.focus(); e.select(); document.execCommand("insertText", false, ` + js(v) + `); return true})()`)
	}
	run(t, ctx, "paste", chromedp.Navigate(s.base+"/?room=help&lang=fr"), chromedp.WaitVisible(chromedp.CSS("#text")),
		paste("#name", name), paste("#text", text))
	if got := textOf(t, ctx, `document.getElementById("name").value`); got != name {
		t.Errorf("the page kept %d of the name's %d characters", utf8.RuneCountInString(got), maxNameChars)
	}
	if got := textOf(t, ctx, `document.getElementById("text").value`); got != text {
		t.Fatalf("the page kept %d of the message's %d characters", utf8.RuneCountInString(got), DefaultMaxMessageChars)
	}
	run(t, ctx, "send",
		chromedp.Click(chromedp.CSS("#send")),
		until(`document.getElementById("form-status").textContent !== "" && document.getElementById("text").value === "" || !document.getElementById("form-error").hidden`))
	if msg := textOf(t, ctx, `document.getElementById("form-error").hidden ? "" : document.getElementById("form-error").textContent`); msg != "" {
		t.Fatalf("the page refused the message: %s", msg)
	}
	run(t, ctx, "shown", until(`document.querySelector("#log li.citizen .msg-text") !== null`))
	if got := textOf(t, ctx, `document.querySelector("#log li.citizen .msg-text").textContent`); got != text {
		t.Errorf("message shown with %d characters, want %d", utf8.RuneCountInString(got), DefaultMaxMessageChars)
	}
	run(t, ctx, "one character too many",
		paste("#text", text+"🙏"),
		chromedp.Click(chromedp.CSS("#send")),
		until(`!document.getElementById("form-error").hidden`))
	if msg := textOf(t, ctx, `document.getElementById("form-error").textContent`); msg != "Votre message est trop long\u00a0: au plus 1000 caractères." {
		t.Errorf("refusal %q", msg)
	}
}

// The pages count text as the server keeps and counts it: what the page
// sends (trimmed by the browser) loses its control characters and line
// separators and is trimmed again (cleanText), then its runes are
// counted. A text pasted with a separator or a control character in it is
// not refused by the page when the server would take it, and a text
// whose counter says none is left is within the server's limit.
func TestBrowserCountsCharactersAsTheServerDoes(t *testing.T) {
	s := newStack(t)
	ctx := tab(t)
	run(t, ctx, "open comms", chromedp.Navigate(s.base+"/comms?lang=fr"), chromedp.WaitReady(chromedp.CSS("#bc-fr-count")))
	for _, text := range []string{
		"plain", "é and e\u0301", "👨‍👩‍👧‍👦 family", "🇨🇦🇫🇷", "🏳️‍🌈", "a\u2028b\u2029c", "tab\there\nline",
		"vertical\vtab\fform feed", "\u0001start", "end\u0085", "\u0000nul", "del\u007f", "c1\u0090\u009f",
		"\ufeffbom\ufeff", "\u00a0\u3000wide\u202f", "\u0001 \u00a0 spaced \u0002", "zero\u200bwidth\u200d",
		"\u180emongolian\u180e", "\u2028 \u2029",
	} {
		var got struct {
			Sent  string
			Count int
		}
		res, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify((function(){const v=`+js(text)+`.trim(); return {Sent: v, Count: window.Liaison.chars(v)}})())`))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(res), &got); err != nil {
			t.Fatal(err)
		}
		if want := utf8.RuneCountInString(cleanText(got.Sent)); got.Count != want {
			t.Errorf("%q: the page counts %d characters, the server %d", text, got.Count, want)
		}
	}
	// An announcement at the limit with a line separator pasted in it.
	fr := strings.Repeat("Joyeuses fêtes ", 119) + "Bonne année!!!!"
	fr = fr[:40] + "\u2028" + fr[40:]
	if n := utf8.RuneCountInString(cleanText(fr)); n != bot.MaxBroadcastRunes {
		t.Fatalf("the server counts %d characters, want the limit", n)
	}
	run(t, ctx, "paste", chromedp.Evaluate[chromedp.Void](`(function(){const e=document.getElementById("bc-fr"); e.focus(); document.execCommand("insertText", false, `+js(fr)+`); return true})()`))
	if c := textOf(t, ctx, `document.getElementById("bc-fr-count").textContent`); c != "Il reste 0 caractère" {
		t.Errorf("French counter %q, want none left", c)
	}
}

func TestBrowserInjectedScriptIsShownAsText(t *testing.T) {
	s := newStack(t)
	citizen := tab(t)
	desk := tab(t)
	const hostile = `<script>window.pwned=1</script><img src=x onerror="window.pwned=2"> is this <b>safe</b>?`
	run(t, desk, "open desk", chromedp.Navigate(s.base+"/desk?lang=en"), chromedp.WaitVisible(chromedp.CSS("#queue-none")))
	run(t, citizen, "open chat", chromedp.Navigate(s.base+"/?room=help&lang=en"), chromedp.WaitVisible(chromedp.CSS("#log")))
	ask(t, citizen, `<i>Eve</i>`, hostile)
	run(t, citizen, "shown", chromedp.WaitVisible(chromedp.CSS(`#log li.citizen`)), chromedp.WaitVisible(chromedp.CSS(`#log li.bot`)))
	if got := textOf(t, citizen, `document.querySelector("#log li.citizen .msg-text").textContent`); got != hostile {
		t.Errorf("message shown as %q", got)
	}
	if got := textOf(t, citizen, `document.querySelector("#log li.citizen .msg-author").textContent`); !strings.HasPrefix(got, "<i>Eve</i>") {
		t.Errorf("name shown as %q", got)
	}
	run(t, desk, "on the desk", until(`document.querySelectorAll("#queue article").length > 0`))
	for name, ctx := range map[string]context.Context{"chat": citizen, "desk": desk} {
		if n := textOf(t, ctx, `String(document.querySelectorAll("main img, main script, main b, main i").length)`); n != "0" {
			t.Errorf("%s: %s elements were created from citizen text", name, n)
		}
		if p := textOf(t, ctx, `String(window.pwned)`); p != "undefined" {
			t.Errorf("%s: injected script ran (pwned = %s)", name, p)
		}
	}
	if q := textOf(t, desk, `document.querySelector("#queue .esc-q").textContent`); !strings.Contains(q, "<script>") {
		t.Errorf("desk shows the question as %q", q)
	}
}

// holdAnAnswer has a citizen ask in French in one tab and Nadia answer in
// English on the French desk in another: the answer is held, with its
// notice's buttons shown. It returns both tabs.
func holdAnAnswer(t *testing.T, s *stack) (citizen, desk context.Context) {
	t.Helper()
	citizen, desk = tab(t), tab(t)
	run(t, desk, "open desk", chromedp.Navigate(s.base+"/desk?lang=fr"), chromedp.WaitVisible(chromedp.CSS("#queue-none")))
	run(t, citizen, "open chat", chromedp.Navigate(s.base+"/?room=help&lang=fr"), chromedp.WaitVisible(chromedp.CSS("#log")))
	ask(t, citizen, "Luc", "Est-ce que je peux amener mon iguane à la cérémonie de citoyenneté?")
	run(t, citizen, "accusé de réception", chromedp.WaitVisible(chromedp.CSS(`#log li[data-kind="ack"]`)))
	run(t, desk, "answer in English",
		until(`document.querySelectorAll("#queue article").length === 1`),
		chromedp.WaitReady(chromedp.CSS(`#whoami option[value="nadia"]`)),
		chromedp.SetValue(chromedp.CSS("#whoami"), "nadia"),
		fill("#queue article textarea", "Yes, small pets in a closed carrier are welcome at the ceremony."),
		chromedp.Click(chromedp.CSS(`#queue article form.answer-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#notices li.mismatch button.btn-primary`)),
		// The notice may come live before the answer's own reply, which
		// then says it is held: wait for that, so no later flash is
		// taken for it.
		until(`document.getElementById("flash").textContent.includes("pas dans la langue")`))
	return citizen, desk
}

func TestBrowserLanguageMismatchOnDesk(t *testing.T) {
	s := newStack(t)
	citizen, desk := holdAnAnswer(t, s)
	run(t, desk, "the flash says the answer is held", until(`document.getElementById("flash").textContent.includes("pas dans la langue")`))
	if n := textOf(t, citizen, `String(document.querySelectorAll('#log li[data-kind="relay"]').length)`); n != "0" {
		t.Fatal("a held answer reached the citizen")
	}
	screenshot(t, desk, "desk-mismatch-fr")
	run(t, desk, "send anyway",
		chromedp.Click(chromedp.CSS(`#notices li.mismatch button.btn-primary`)),
		until(`document.querySelector("#notices li.mismatch").textContent.includes("Réglé")`))
	run(t, citizen, "relayed", chromedp.WaitVisible(chromedp.CSS(`#log li[data-kind="relay"]`)))
	if body := textOf(t, citizen, `document.querySelector('#log li[data-kind="relay"]').textContent`); !strings.Contains(body, "small pets") || !strings.Contains(body, "Nadia Roy") {
		t.Errorf("relayed answer %q", body)
	}
}

// Choosing to translate a held answer tells its author, on the web desk
// which has no threads, what to do in words that fit it: write the answer
// in the citizen's language and send it again, under the question. Done,
// the translation reaches the citizen and the dropped answer does not.
func TestBrowserTranslateHeldAnswerOnDesk(t *testing.T) {
	s := newStack(t)
	citizen, desk := holdAnAnswer(t, s)
	run(t, desk, "I will translate",
		chromedp.Click(chromedp.CSS(`#notices li.mismatch button:not(.btn-primary)`)),
		until(`document.querySelector("#notices li.info") !== null`))
	const want = "Entendu\u00a0: cette réponse n’a pas été envoyée. Rédigez-la en français et envoyez-la de nouveau."
	if got := textOf(t, desk, `document.querySelector("#notices li.info p").textContent`); got != want {
		t.Errorf("after choosing to translate, the desk says %q, want %q", got, want)
	}
	run(t, desk, "answer in French",
		fill("#queue article textarea", "Oui, les petits animaux dans une cage fermée sont les bienvenus à la cérémonie."),
		chromedp.Click(chromedp.CSS(`#queue article form.answer-form button[type="submit"]`)),
		until(`document.getElementById("flash").textContent.startsWith("Réponse enregistrée")`))
	if got := textOf(t, desk, `document.getElementById("flash").textContent`); got != "Réponse enregistrée\u00a0: en cours d’envoi à 1 personne. Un avis en confirmera la réception." {
		t.Errorf("after answering one citizen the desk says %q", got)
	}
	run(t, citizen, "relayed", chromedp.WaitVisible(chromedp.CSS(`#log li[data-kind="relay"]`)))
	if body := textOf(t, citizen, `Array.from(document.querySelectorAll('#log li[data-kind="relay"]')).map(li => li.textContent).join(" | ")`); !strings.Contains(body, "les petits animaux") || strings.Contains(body, "small pets") {
		t.Errorf("relayed %q, want the French answer only", body)
	}
}

// A choice on a held answer made before the page heard of it (a
// colleague's, a moment earlier) is not taken for a new one: the clicker
// is told, as on Slack, that nothing changed and which choice was made,
// not that the answer is on its way to no one.
func TestBrowserHeldAnswerChosenBeforeTheClickSaysNothingChanged(t *testing.T) {
	s := newStack(t)
	citizen, desk := holdAnAnswer(t, s)
	ctx := context.Background()
	escs, err := s.eng.Escalations(ctx, bot.EscalationFilter{})
	if err != nil || len(escs) != 1 {
		t.Fatal(escs, err)
	}
	answers, err := s.eng.Answers(ctx, escs[0].ID)
	if err != nil || len(answers) != 1 {
		t.Fatal(answers, err)
	}
	// The button as the person is about to click it: the choice made on
	// the engine directly may reach the page, and settle its notice,
	// before the click does, or after.
	textOf(t, desk, `(window.heldButton = document.querySelector("#notices li.mismatch button.btn-primary"), "")`)
	if _, err := s.eng.ResolveMismatch(ctx, answers[0].ID, "web-sam", false); err != nil {
		t.Fatal(err)
	}
	textOf(t, desk, `(window.heldButton.click(), "")`)
	run(t, desk, "send anyway",
		until(`document.querySelector("#notices li.mismatch").textContent.includes("Réglé")`),
		until(`!document.getElementById("flash").textContent.includes("pas dans la langue")`))
	const want = "Rien n’a été modifié\u00a0: il avait déjà été décidé de traduire cette réponse plutôt que de l’envoyer."
	if got := textOf(t, desk, `document.getElementById("flash").textContent`); got != want {
		t.Errorf("after a choice made already the desk says %q, want %q", got, want)
	}
	if n := textOf(t, citizen, `String(document.querySelectorAll('#log li[data-kind="relay"]').length)`); n != "0" {
		t.Errorf("%s answers reached the citizen, want none", n)
	}
}

// The sign-in and sign-out forms work in the browser they are made for
// (Chromium sends "Origin: null" with a form's POST from a page whose
// Referrer-Policy is no-referrer), and signing out lands on the sign-in
// page with the session ended.
func TestBrowserSignInAndOutWithTheForms(t *testing.T) {
	const token = "s3cret-desk-token-for-tests"
	s := newTokenStack(t, token)
	desk := tab(t)
	run(t, desk, "open the desk",
		chromedp.Navigate(s.base+"/desk?lang=en"),
		chromedp.WaitVisible(chromedp.CSS("#token")))
	run(t, desk, "sign in with the form",
		chromedp.SendKeys(chromedp.CSS("#token"), token),
		chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("form.logout button")),
		until(`location.pathname === "/desk"`))
	apiStatus := `(function(){const x = new XMLHttpRequest(); x.open("GET", "/api/desk/roster", false); x.send(); return String(x.status)})()`
	if code := textOf(t, desk, apiStatus); code != "200" {
		t.Fatalf("signed in with the form, the desk API answers %s", code)
	}
	run(t, desk, "sign out with the button",
		chromedp.Click(chromedp.CSS("form.logout button")),
		chromedp.WaitVisible(chromedp.CSS("#token")),
		until(`location.pathname === "/login"`))
	if got := textOf(t, desk, `document.querySelector("main [role=status]") ? document.querySelector("main [role=status]").textContent : ""`); got != "You are signed out." {
		t.Errorf("after signing out the sign-in page says %q, want that the person is signed out", got)
	}
	if code := textOf(t, desk, apiStatus); code != "401" {
		t.Errorf("after the Sign out button the desk API answers %s, want 401", code)
	}
	if got := textOf(t, desk, `document.querySelector("form.logout") === null ? "" : "shown"`); got != "" {
		t.Error("the sign-in page after signing out still shows a Sign out button")
	}
}

// Signing out clears, in this browser, what was being typed on the desk:
// on a shared computer, the next person who signs in in the same tab does
// not find the previous one's drafts.
func TestBrowserSignOutClearsDeskDrafts(t *testing.T) {
	const token = "s3cret-desk-token-for-tests"
	s := newTokenStack(t, token)
	citizen, desk := tab(t), tab(t)
	run(t, citizen, "open chat", chromedp.Navigate(s.base+"/?room=help&lang=en"), chromedp.WaitVisible(chromedp.CSS("#log")))
	ask(t, citizen, "Jordan", "Can I bring my pet iguana to the citizenship ceremony?")
	run(t, citizen, "acknowledgement", chromedp.WaitVisible(chromedp.CSS(`#log li[data-kind="ack"]`)))
	signIn := func(who string) {
		run(t, desk, who+" signs in",
			chromedp.Navigate(s.base+"/desk?lang=en"),
			chromedp.WaitVisible(chromedp.CSS("#token")),
			chromedp.SendKeys(chromedp.CSS("#token"), token),
			chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS("#queue article textarea")))
	}
	const secret = "Private note by the first staff member: citizen 4521 owes $300"
	signIn("the first staff member")
	run(t, desk, "type an answer and pick who you are",
		fill("#queue article textarea", secret),
		until(`document.querySelector('#whoami option[value="nadia"]') !== null`),
		chromedp.SetValue(chromedp.CSS("#whoami"), "nadia"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("whoami").dispatchEvent(new Event("change")), true`),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS("#queue article textarea")),
		until(`document.querySelector("#queue article textarea").value !== "" && document.getElementById("whoami").value === "nadia"`))
	run(t, desk, "sign out",
		chromedp.Click(chromedp.CSS("form.logout button")),
		chromedp.WaitVisible(chromedp.CSS("#token")))
	signIn("the next person")
	run(t, desk, "roster", until(`document.querySelector('#whoami option[value="nadia"]') !== null`))
	if got := textOf(t, desk, `document.querySelector("#queue article textarea").value`); got != "" {
		t.Errorf("after sign-out the next person finds the previous staff member's draft: %q", got)
	}
	if got := textOf(t, desk, `document.getElementById("whoami").value`); got != "" {
		t.Errorf("after sign-out the next person is preselected as %q", got)
	}
}

// The desk names the room a question came from as its readers know it:
// the French desk by the room's French name, the English desk by its
// English name, each with the room's key, as the comms page does.
func TestBrowserDeskNamesTheRoomInThePageLanguage(t *testing.T) {
	s := newStack(t)
	citizen := tab(t)
	run(t, citizen, "open chat", chromedp.Navigate(s.base+"/?room=help&lang=fr"), chromedp.WaitVisible(chromedp.CSS("#log")))
	ask(t, citizen, "Jordan", "Est-ce que je peux amener mon iguane à la cérémonie de citoyenneté?")
	run(t, citizen, "acknowledgement", chromedp.WaitVisible(chromedp.CSS(`#log li[data-kind="ack"]`)))
	channel := `(Array.from(document.querySelectorAll("#queue article dt")).find(dt => dt.textContent === %s) || {nextElementSibling: {textContent: ""}}).nextElementSibling.textContent`
	for _, c := range []struct{ lang, label, want string }{
		{"fr", "Canal", "Aide (web:help)"},
		{"en", "Channel", "Help (web:help)"},
	} {
		desk := tab(t)
		run(t, desk, "open desk in "+c.lang, chromedp.Navigate(s.base+"/desk?lang="+c.lang),
			until(`document.querySelector("#queue article") !== null`))
		if got := textOf(t, desk, fmt.Sprintf(channel, js(c.label))); got != c.want {
			t.Errorf("%s desk names the room %q, want %q", c.lang, got, c.want)
		}
	}
}

// A display name typed backwards behind a right-to-left override
// (U+202E) would be drawn forwards: "\u202eyoR aidaN" shows as Nadia Roy,
// a member of staff, in everyone's chat. The room shows every name in the
// order its letters were typed, and so the reversed name stays reversed.
func TestBrowserNameIsShownInTheOrderItWasTyped(t *testing.T) {
	s := newStack(t)
	mallory := newCitizen(t, s)
	for _, name := range []string{"\u202eyoR aidaN", "\u2067\u202enitraM xelA\u2069"} {
		if code, body, _ := mallory.post(t, s, "/api/chat/messages", "", map[string]string{"room": "general", "name": name, "text": "Send me your SIN to speed things up."}); code != http.StatusAccepted {
			t.Fatalf("post as %q: %d %s", name, code, body)
		}
	}
	ctx := tab(t)
	run(t, ctx, "open the room", chromedp.Navigate(s.base+"/?room=general&lang=en"),
		until(`document.querySelectorAll("#log li.citizen .msg-author").length === 2`))
	// The characters of each name, in the order they are drawn from left
	// to right.
	drawn := textOf(t, ctx, `JSON.stringify(Array.from(document.querySelectorAll("#log li.citizen .msg-author"), function (a) {
		const n = a.firstChild, at = [];
		for (let i = 0; i < n.length; i++) {
			const r = document.createRange();
			r.setStart(n, i);
			r.setEnd(n, i + 1);
			const b = r.getBoundingClientRect();
			if (b.width > 0) at.push([b.left, n.data[i]]);
		}
		at.sort(function (x, y) { return x[0] - y[0]; });
		return at.map(function (x) { return x[1]; }).join("");
	}))`)
	var names []string
	if err := json.Unmarshal([]byte(drawn), &names); err != nil {
		t.Fatalf("names drawn: %s: %v", drawn, err)
	}
	for _, n := range names {
		if strings.Contains(n, "Nadia Roy") || strings.Contains(n, "Alex Martin") {
			t.Errorf("a citizen's name is drawn as a member of staff's: %q", n)
		}
	}
	if len(names) != 2 || names[0] != "yoR aidaN" || names[1] != "nitraM xelA" {
		t.Errorf("names drawn %q, want them as typed, without direction controls", names)
	}
}
