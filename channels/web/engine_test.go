package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/i18n"
	"github.com/liaison-gc/liaison/phases"
	"github.com/liaison-gc/liaison/store"
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

// The desk's "also show answered and closed questions" view lists every
// waiting question and the most recent finished ones, however many
// questions the department has had.
func TestDeskShowAllKeepsEveryWaitingQuestion(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	t0 := time.Now().Add(-24 * time.Hour)
	save := func(i int) int64 {
		id := fmt.Sprintf("m-%03d", i)
		at := t0.Add(time.Duration(i) * time.Second)
		o := &bot.Outcome{
			Message:  bot.Message{Platform: Platform, ChannelID: "help", ID: id, AuthorID: "b" + id, AuthorName: "Citizen", Text: "question " + id, Time: at, InHelpChannel: true},
			Decision: bot.Decision{Action: bot.ActEscalate, Reason: bot.ReasonLowConfidence, Phase: 2, Lang: bot.English, At: at},
			NewEscalation: &bot.Escalation{Lang: bot.English, Topic: "passports", Question: "question " + id, RoutedTo: "alex", RoutedAt: at, CreatedAt: at,
				Askers: []bot.Asker{{Address: bot.Address{Platform: Platform, ChannelID: "help", ReplyTo: id}, Lang: bot.English, Question: "question " + id, AskedAt: at}}},
		}
		if err := s.st.SaveOutcome(ctx, o); err != nil {
			t.Fatalf("save %d: %v", i, err)
		}
		return o.NewEscalation.ID
	}
	// 250 closed questions, then 205 waiting ones, then 10 more closed.
	var closed, waiting []int64
	for i := range 465 {
		id := save(i)
		if i >= 250 && i < 455 {
			waiting = append(waiting, id)
			continue
		}
		e, err := s.st.Escalation(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		e.State, e.ClosedBy, e.CloseReason = bot.StateClosed, "alex", "duplicate"
		if err := s.st.ApplyEscalation(ctx, &bot.EscalationChange{Escalation: &e}); err != nil {
			t.Fatal(err)
		}
		closed = append(closed, id)
	}
	list := func(path string) []int64 {
		res, err := http.Get(s.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out []escView
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		ids := make([]int64, len(out))
		for i, v := range out {
			ids[i] = v.ID
		}
		return ids
	}
	if got := list("/api/desk/escalations"); !slices.Equal(got, waiting) {
		t.Errorf("default view lists %d questions, want the %d waiting ones in order", len(got), len(waiting))
	}
	// The 200 most recent closed: the last 190 before the waiting ones and
	// the 10 after, all in creation order.
	want := slices.Concat(closed[60:250], waiting, closed[250:])
	if got := list("/api/desk/escalations?all=1"); !slices.Equal(got, want) {
		t.Errorf("show-all view lists %d questions (first %v, last %v), want %d: every waiting one and the 200 most recent finished, oldest first",
			len(got), got[:min(3, len(got))], got[max(0, len(got)-3):], len(want))
	}
}

// comms posts v to path as a desk or comms page in lang does, and returns
// the status and the JSON answer.
func comms(t *testing.T, s *stack, lang, path string, v any) (int, map[string]string) {
	t.Helper()
	cookies, csrf := browserSession(t, s.base, "/comms")
	body, _ := json.Marshal(v)
	req, _ := http.NewRequest("POST", s.base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Liaison-Lang", lang)
	req.Header.Set(headerCSRF, csrf)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]string
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// A refusal on the comms page is explained in the page's language.
func TestRefusalsAreExplainedInThePageLanguage(t *testing.T) {
	s := newStack(t)
	post := func(lang, path string, v any) (int, string) {
		code, out := comms(t, s, lang, path, v)
		return code, out["error"] + " " + out["detail"]
	}
	tests := []struct {
		lang, path string
		body       map[string]any
		code       int
		want       string
	}{
		{"fr", "/api/comms/phase", map[string]any{"as": "alex", "phase": "broadcast", "reason": "essai"}, 403,
			"Vous n’avez pas l’autorisation de faire cela. Vous n’êtes pas responsable des communications."},
		{"en", "/api/comms/phase", map[string]any{"as": "alex", "phase": "broadcast", "reason": "trial"}, 403,
			"You are not allowed to do this. You are not a communications lead."},
		{"fr", "/api/comms/broadcast", map[string]any{"as": "sam", "en": "Offices close at noon.", "fr": ""}, 400,
			"Refusé. Le texte français est manquant\u00a0: chaque annonce est publiée dans les deux langues officielles."},
		{"en", "/api/comms/broadcast", map[string]any{"as": "sam", "en": "", "fr": "Les bureaux ferment à midi."}, 400,
			"Refused. The English text is missing: every broadcast goes out in both official languages."},
	}
	for _, tt := range tests {
		if code, got := post(tt.lang, tt.path, tt.body); code != tt.code || got != tt.want {
			t.Errorf("%s %s = %d %q, want %d %q", tt.lang, tt.path, code, got, tt.code, tt.want)
		}
	}
}

// "Save as draft" on a question with no answer sent yet is refused with the
// engine's sentence alone, in the page's language, not after the headline
// of an action no longer possible (nothing changed under the clicker);
// no draft is saved.
func TestDraftWithoutAnAnswerSaysSoInThePageLanguage(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	cookies, csrf := browserSession(t, s.base, "/")
	q, err := s.st.DecisionFor(ctx, Platform, chatPost(t, s.base, cookies, csrf, "help", "Ana", "Can I bring my pet iguana to the citizenship ceremony?"))
	if err != nil || q.Action != bot.ActEscalate {
		t.Fatalf("question: %+v (%v), want escalated", q, err)
	}
	id := strconv.FormatInt(q.EscalationID, 10)
	for lang, want := range map[string]string{
		"en": "Question " + id + " has no sent answer to save yet.",
		"fr": "La question nº\u00a0" + id + " n’a pas encore de réponse envoyée à enregistrer.",
	} {
		code, out := comms(t, s, lang, "/api/desk/draft", map[string]any{"as": "alex", "id": q.EscalationID})
		if code != http.StatusConflict || out["error"] != want || out["detail"] != "" {
			t.Errorf("%s: draft = %d %q, want %d saying only %q", lang, code, out, http.StatusConflict, want)
		}
	}
	if drafts, err := s.st.Drafts(ctx, ""); err != nil || len(drafts) != 0 {
		t.Errorf("drafts = %+v (%v), want none", drafts, err)
	}
}

// A broadcast dated in the past is refused with the engine's reason in the
// page's language, and audited; nothing is stored to go out.
func TestBroadcastAtAPastTimeIsRefusedAndAudited(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	before, err := s.st.AuditLog(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	code, out := comms(t, s, "en", "/api/comms/broadcast", map[string]any{"as": "sam", "en": "Past test", "fr": "Test passé", "at": "2020-01-01T00:00:00Z"})
	if code != http.StatusBadRequest || !strings.Contains(out["detail"], "The time given to send it has passed") {
		t.Errorf("broadcast for 2020 = %d %v, want 400 saying the time has passed", code, out)
	}
	if bs, err := s.st.Broadcasts(ctx, 0); err != nil || len(bs) != 0 {
		t.Errorf("broadcasts stored: %+v (%v), want none", bs, err)
	}
	after, err := s.st.AuditLog(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := after[:len(after)-len(before)]; len(got) != 1 || got[0].Allowed || got[0].Actor != "sam" || got[0].Action != "broadcast.create" {
		t.Errorf("audited %+v, want sam's refused broadcast", got)
	}
}

// Every request the desk or comms pages refuse is audited once, with who
// asked and the action, whether the web desk or the engine refuses it; who
// asks is decided first, so someone who may not switch phases or
// broadcast is told so, whatever else is wrong with the request.
func TestDeskAndCommsRefusalsAreAudited(t *testing.T) {
	roster := append(slices.Clone(browserRoster), bot.Staff{ID: "pat", Name: "Pat Roy", Languages: []bot.Lang{bot.English}, Topics: []string{"*"}})
	s := newStackStaff(t, filepath.Join(t.TempDir(), "liaison.db"), "", Options{}, roster)
	ctx := context.Background()
	cookies, csrf := browserSession(t, s.base, "/")
	q, err := s.st.DecisionFor(ctx, Platform, chatPost(t, s.base, cookies, csrf, "help", "Ana", "Can I bring my pet iguana to the citizenship ceremony?"))
	if err != nil || q.Action != bot.ActEscalate {
		t.Fatalf("question: %+v (%v), want escalated", q, err)
	}
	tests := []struct {
		name         string
		path         string
		body         map[string]any
		code         int
		actor        string
		action, says string // in the audit entry's detail
	}{
		{"a switch without a reason, by someone not a comms lead", "/api/comms/phase", map[string]any{"as": "alex", "phase": "broadcast", "reason": ""},
			403, "alex", "phase.set", "not a communications lead"},
		{"an unknown phase, by someone not a comms lead", "/api/comms/phase", map[string]any{"as": "alex", "phase": "sideways", "reason": "x"},
			403, "alex", "phase.set", "not a communications lead"},
		{"a time that does not read, by someone not a comms lead", "/api/comms/broadcast", map[string]any{"as": "alex", "en": "a", "fr": "b", "at": "tomorrow"},
			403, "alex", "broadcast.create", "not a communications lead"},
		{"a switch without a reason", "/api/comms/phase", map[string]any{"as": "sam", "phase": "broadcast", "reason": " "},
			400, "sam", "phase.set", "reason is required"},
		{"an unknown phase", "/api/comms/phase", map[string]any{"as": "sam", "phase": "sideways", "reason": "x"},
			400, "sam", "phase.set", "Choose a phase"},
		{"the global phase told to follow itself", "/api/comms/phase", map[string]any{"as": "sam", "phase": "inherit", "reason": "x"},
			400, "sam", "phase.set", "Only a channel can follow the global phase"},
		{"a time that does not read", "/api/comms/broadcast", map[string]any{"as": "sam", "en": "a", "fr": "b", "at": "tomorrow"},
			400, "sam", "broadcast.create", "date and time are not valid"},
		{"someone off the roster", "/api/comms/broadcast", map[string]any{"as": "mallory", "en": "a", "fr": "b"},
			403, "mallory", "broadcast.create", "not on the staff roster"},
		{"no one chosen", "/api/desk/claim", map[string]any{"as": "", "id": 1},
			403, "", "escalation.claim", "chose no one"},
		{"someone without a desk user id", "/api/comms/phase", map[string]any{"as": "pat", "phase": "broadcast", "reason": "x"},
			403, "pat", "phase.set", "no desk user id"},
		{"a close without a reason", "/api/desk/close", map[string]any{"as": "alex", "id": 1, "reason": " "},
			400, "alex", "escalation.close", "reason is required"},
		{"an empty answer", "/api/desk/answer", map[string]any{"as": "alex", "id": q.EscalationID, "text": " \n\t "},
			400, "alex", "escalation.answer", "answer is empty"},
	}
	for _, tt := range tests {
		before, err := s.st.AuditLog(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		code, out := comms(t, s, "en", tt.path, tt.body)
		if code != tt.code {
			t.Errorf("%s = %d %v, want %d", tt.name, code, out, tt.code)
		}
		after, err := s.st.AuditLog(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		got := after[:len(after)-len(before)]
		if len(got) != 1 || got[0].Allowed || got[0].Actor != tt.actor || got[0].Via != Platform || got[0].Action != tt.action || !strings.Contains(got[0].Detail, tt.says) {
			t.Errorf("%s: audited %+v, want one refusal of %s by %q saying %q", tt.name, got, tt.action, tt.actor, tt.says)
		}
	}
	if got := s.eng.PhaseState(ctx).Global; got != phases.Replies {
		t.Errorf("refused requests switched the phase to %v", got)
	}
	if bs, err := s.st.Broadcasts(ctx, 0); err != nil || len(bs) != 0 {
		t.Errorf("broadcasts stored: %+v (%v), want none", bs, err)
	}
	// An allowed switch is audited once, as allowed.
	n, _ := s.st.AuditLog(ctx, 0)
	if code, out := comms(t, s, "en", "/api/comms/phase", map[string]any{"as": "sam", "phase": "broadcast", "reason": "election period"}); code != 200 {
		t.Fatalf("switch = %d %v", code, out)
	}
	after, _ := s.st.AuditLog(ctx, 0)
	if got := after[:len(after)-len(n)]; len(got) != 1 || !got[0].Allowed || got[0].Actor != "sam" || got[0].Action != "phase.set" {
		t.Errorf("allowed switch audited %+v", got)
	}
}

// The desk card's "people who asked" counts citizens as the engine relays
// to them: one who asked twice in the same place is one person, as on the
// card's "not delivered" line and on Slack's post.
func TestDeskCardCountsCitizensNotTheirMessages(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	at := time.Now().Add(-time.Hour)
	asker := func(user, msg string) bot.Asker {
		return bot.Asker{Address: bot.Address{Platform: Platform, ChannelID: "help", UserID: user, ReplyTo: msg}, Lang: bot.English, Question: "question", AskedAt: at}
	}
	o := &bot.Outcome{
		Message:  bot.Message{Platform: Platform, ChannelID: "help", ID: "m-1", AuthorID: "ana", AuthorName: "Ana", Text: "question", Time: at, InHelpChannel: true},
		Decision: bot.Decision{Action: bot.ActEscalate, Reason: bot.ReasonLowConfidence, Phase: 2, Lang: bot.English, At: at},
		NewEscalation: &bot.Escalation{Lang: bot.English, Topic: "passports", Question: "question", RoutedTo: "alex", RoutedAt: at, CreatedAt: at,
			Askers: []bot.Asker{asker("ana", "m-1")}},
	}
	if err := s.st.SaveOutcome(ctx, o); err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct{ user, id string }{{"ana", "m-2"}, {"ben", "m-3"}} {
		j := &bot.Outcome{
			Message:        bot.Message{Platform: Platform, ChannelID: "help", ID: m.id, AuthorID: m.user, AuthorName: m.user, Text: "question", Time: at, InHelpChannel: true},
			Decision:       bot.Decision{Action: bot.ActEscalate, Reason: bot.ReasonJoined, Phase: 2, Lang: bot.English, At: at},
			JoinEscalation: o.NewEscalation.ID,
			Asker:          &[]bot.Asker{asker(m.user, m.id)}[0],
		}
		if err := s.st.SaveOutcome(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	res, err := http.Get(s.base + "/api/desk/escalations")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out []escView
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].Askers != 2 {
		t.Fatalf("desk card: %+v; want one question asked by 2 people", out)
	}
}

// The web chat has no reply button: a citizen's next message in the room
// after a staff answer sent in the other official language is their reply
// to it, and takes its offer of the answer in their language, which goes
// back to staff instead of to the knowledge base.
func TestNextMessageAfterAnAnswerInTheOtherLanguageAsksForItInTheCitizens(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	cookies, csrf := browserSession(t, s.base, "/")
	post := func(text string) bot.Decision {
		t.Helper()
		d, err := s.st.DecisionFor(ctx, Platform, chatPost(t, s.base, cookies, csrf, "help", "Chloé", text))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := post("Est-ce que la chèvre de mon voisin peut venir à la cérémonie de citoyenneté jeudi?")
	if d.Action != bot.ActEscalate {
		t.Fatalf("question: %+v, want escalated", d)
	}
	res, err := s.eng.Answer(ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "web-sam", EventID: "ev-en",
		Text: "Only service animals are allowed at the ceremony."})
	if err != nil || !res.Mismatch {
		t.Fatal(res, err)
	}
	if _, err := s.eng.ResolveMismatch(ctx, res.Answer.ID, "web-sam", true); err != nil {
		t.Fatal(err)
	}
	delivered := false
	for range 400 { // the engine delivers it on its own loop
		said, err := s.eng.Conversation(ctx, Platform, "help", 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range said {
			delivered = delivered || x.Sent != nil && x.Sent.Reply.Kind == bot.KindRelay
		}
		if delivered {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	if !delivered {
		t.Fatal("the relay was not delivered")
	}
	if d := post("oui en français svp"); d.Reason != bot.ReasonLanguageRequest || d.EntryID != "" {
		t.Errorf("reply: %+v, want the language request, no entry", d)
	}
	if esc, _ := s.eng.Escalation(ctx, res.Escalation.ID); esc.State != bot.StateClaimed || esc.ClaimedBy != "sam" {
		t.Errorf("escalation %s, claimed by %q; want claimed by sam", esc.State, esc.ClaimedBy)
	}
}

// A phase change in one room is announced on the desk in both languages,
// each naming the room as its readers know it: the French notice by the
// room's French name.
func TestPhaseNoticeNamesTheRoomInEachLanguage(t *testing.T) {
	s := newStack(t)
	if _, err := s.eng.SetPhase(context.Background(), bot.PhaseRequest{Actor: bot.Actor{DeskUserID: "web-sam"},
		Channel: bot.Key(Platform, "help"), Phase: phases.Broadcast, Reason: "essai"}); err != nil {
		t.Fatal(err)
	}
	// A page reconnecting from the start is sent every kept notice.
	ev := sse(t, s.base+"/api/desk/events", map[string]string{"Last-Event-ID": "0"}, "notice", 1)
	b, _ := json.Marshal(ev[0])
	var n deskNotice
	if err := json.Unmarshal(b, &n); err != nil {
		t.Fatal(err)
	}
	want := map[bot.Lang]string{bot.English: "in Help (web:help)", bot.French: "dans Aide (web:help)"}
	for _, p := range n.Parts {
		if !strings.Contains(p.Text, want[p.Lang]) {
			t.Errorf("%s notice: %q; want it to say %q", p.Lang, p.Text, want[p.Lang])
		}
		delete(want, p.Lang)
	}
	if len(want) > 0 {
		t.Errorf("notice parts %+v: missing %v", n.Parts, want)
	}
}

// A staff answer to a question asked in a room since removed from the
// configuration cannot reach its citizen: the first try fails for good,
// instead of being tried again for half an hour, and the question goes
// back to its author at once, who is told why on the desk.
func TestAnswerToARoomRemovedFromTheConfigurationIsReportedAtOnce(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cat, err := i18n.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	// start runs Liaison with rooms on st, as serve does after a restart.
	start := func(rooms ...Room) (*bot.Engine, *Server) {
		srv, err := New(Config{Addr: "127.0.0.1:0", Rooms: rooms}, "", Options{})
		if err != nil {
			t.Fatal(err)
		}
		eng, err := bot.New(bot.Config{Channels: srv.cfg.Channels(), Staff: browserRoster},
			bot.Deps{Store: st, Knowledge: sampleKB(t), Messages: cat, Detect: i18n.Detect,
				Channels: []bot.Channel{srv.Channel()}, Desk: srv.Desk()})
		if err != nil {
			t.Fatal(err)
		}
		return eng, srv
	}
	help := Room{ID: "help", NameEN: "Help", NameFR: "Aide", Help: true}
	pilot := Room{ID: "pilot", NameEN: "Pilot", NameFR: "Pilote", Help: true}
	eng, _ := start(help, pilot)
	d, err := eng.HandleMessage(ctx, bot.Message{Platform: Platform, ChannelID: "pilot", ID: "q1", AuthorID: "c1", AuthorName: "Ana",
		Text: "Can my neighbour's goat attend the citizenship ceremony on Thursday?", Time: time.Now()})
	if err != nil || d.EscalationID == 0 {
		t.Fatalf("decision %+v, %v; want an escalation", d, err)
	}
	eng.Tick(ctx)

	eng, srv := start(help)
	eng.Tick(ctx)
	alex := browserRoster[0]
	if _, err := eng.Answer(ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: alex.DeskUserID, EventID: "a1",
		Text: "Only service animals may attend the ceremony."}); err != nil {
		t.Fatal(err)
	}
	eng.Tick(ctx)
	if p, err := st.Pending(ctx, Platform, time.Now().Add(24*time.Hour), 10); err != nil || len(p) != 0 {
		t.Errorf("%d replies still to be tried (%v), want none", len(p), err)
	}
	esc, err := eng.Escalation(ctx, d.EscalationID)
	if err != nil {
		t.Fatal(err)
	}
	if esc.State != bot.StateClaimed || esc.ClaimedBy != alex.ID || len(esc.Undelivered()) != 1 {
		t.Errorf("state %s, claimed by %q, undelivered %d; want back with %s, owed to 1", esc.State, esc.ClaimedBy, len(esc.Undelivered()), alex.ID)
	}
	srv.mu.Lock()
	var told []string
	for _, n := range srv.notices {
		if n.Kind == bot.NoticeUndelivered {
			told = append(told, n.Text)
		}
	}
	srv.mu.Unlock()
	if len(told) != 1 || !strings.Contains(told[0], `no room "pilot"`) {
		t.Errorf("undelivered notices %q, want one naming the room", told)
	}
}
