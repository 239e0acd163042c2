package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/phases"
)

// ackPayload decodes an ack's payload.
func ackPayload(t *testing.T, a ackRecord) map[string]any {
	t.Helper()
	var m map[string]any
	if len(a.Payload) == 0 || string(a.Payload) == "null" {
		return nil
	}
	if err := json.Unmarshal(a.Payload, &m); err != nil {
		t.Fatalf("ack payload %s: %v", a.Payload, err)
	}
	return m
}

// ackText is the text of a slash command's ack payload.
func ackText(t *testing.T, a ackRecord) string {
	t.Helper()
	m := ackPayload(t, a)
	if m == nil {
		t.Fatalf("ack of %s has no payload", a.EnvelopeID)
	}
	if m["response_type"] != "ephemeral" {
		t.Errorf("command reply is %v, want ephemeral", m["response_type"])
	}
	s, _ := m["text"].(string)
	return s
}

func TestThreadReplyIsAnsweredOnceAcrossRedelivery(t *testing.T) {
	f := newFakeSlack(t)
	d := newTestDesk(t, f, nil)
	entered := make(chan struct{}, 4)
	release := make(chan struct{})
	h := &recHandler{roster: testRoster(), answer: func(a bot.DeskAnswer) (bot.AnswerResult, error) {
		entered <- struct{}{}
		<-release
		return bot.AnswerResult{Relays: 2}, nil
	}}
	runDesk(t, f, d, h)

	f.send(eventsEnvelope("env-1", "Ev1", 0, threadReply("USAM", "1700000000.000001", "1700000000.000050",
		"See <https://canada.ca/passports|the passport page> &amp; ask <@UMARIE> <!here>")))
	<-entered
	// Recorded first, acknowledged after: while the engine call runs,
	// nothing may have been acked.
	if n := f.ackCount("env-1"); n != 0 {
		t.Fatalf("envelope acked %d times before the engine recorded it", n)
	}
	close(release)
	f.ack("env-1", 1)

	// Slack redelivers: same event id, new envelope, retry_attempt 1.
	f.send(eventsEnvelope("env-2", "Ev1", 1, threadReply("USAM", "1700000000.000001", "1700000000.000050", "See…")))
	f.ack("env-2", 1)
	// And the very same envelope again.
	f.send(eventsEnvelope("env-1", "Ev1", 2, threadReply("USAM", "1700000000.000001", "1700000000.000050", "See…")))
	f.ack("env-1", 2)

	want := []string{`answer 1700000000.000001 USAM slack:Ev1 "See the passport page (https://canada.ca/passports) & ask Marie Tremblay"`}
	if got := h.log(); !slices.Equal(got, want) {
		t.Errorf("engine calls:\n got %q\nwant %q", got, want)
	}
	// Confirmations come from the engine's notices, not from the adapter.
	if n := len(f.callsTo("chat.postMessage")); n != 0 {
		t.Errorf("adapter posted %d messages itself", n)
	}
}

func TestMessagesThatAreNotStaffAnswersAreIgnored(t *testing.T) {
	f := newFakeSlack(t)
	d := newTestDesk(t, f, nil)
	h := &recHandler{roster: testRoster()}
	runDesk(t, f, d, h)

	top := threadReply("USAM", "", "1700000000.000060", "hello")
	delete(top, "thread_ts")
	bot := threadReply("UBOT", "1700000000.000001", "1700000000.000061", "Relayed")
	bot["bot_id"] = "B1"
	edit := threadReply("USAM", "1700000000.000001", "1700000000.000062", "edited")
	edit["subtype"] = "message_changed"
	other := threadReply("USAM", "1700000000.000001", "1700000000.000063", "elsewhere")
	other["channel"] = "COTHER"
	root := threadReply("USAM", "1700000000.000064", "1700000000.000064", "thread root")
	reaction := map[string]any{"type": "reaction_added", "user": "USAM", "reaction": "eyes", "item": map[string]any{"type": "message", "channel": testDesk, "ts": "1"}, "event_ts": "1"}
	for i, ev := range []map[string]any{top, bot, edit, other, root, reaction} {
		id := fmt.Sprintf("ign-%d", i)
		f.send(eventsEnvelope(id, "EvI"+id, 0, ev))
		f.ack(id, 1)
	}
	if got := h.log(); len(got) != 0 {
		t.Errorf("ignored messages reached the engine: %q", got)
	}
}

func TestThreadReplyOutcomes(t *testing.T) {
	tests := []struct {
		name string
		err  error
		post string // what the adapter says in the thread, "" for nothing
		acks int
	}{
		{"not an escalation thread", bot.ErrNotFound, "", 1},
		{"not on the roster: the engine's notice says why", fmt.Errorf("%w: desk user", bot.ErrForbidden), "", 1},
		{"closed", fmt.Errorf("%w: closed", bot.ErrConflict), "la question est fermée", 1},
		{"closed, as the engine says it", &bot.Refusal{Kind: bot.ErrConflict, EN: "Question 7 is closed.", FR: "La question nº\u00a07 est fermée."},
			"Cette réponse n'a pas été transmise.\nLa question nº\u00a07 est fermée.", 1},
		{"nobody left to reach", &bot.Refusal{Kind: bot.ErrConflict, EN: "The citizens who asked question 7 can no longer be reached: the retention period has removed who they are.",
			FR: "Les personnes qui ont posé la question nº\u00a07 ne peuvent plus être jointes\u00a0: la période de conservation a effacé leur identité."},
			"Cette réponse n'a pas été transmise.\nLes personnes qui ont posé la question nº\u00a07 ne peuvent plus être jointes", 1},
		{"empty", fmt.Errorf("%w: empty", bot.ErrInvalid), "elle est vide", 1},
		{"duplicate", bot.ErrDuplicate, "", 1},
		{"store failure: not acked, redelivered", fmt.Errorf("database is locked"), "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlack(t)
			d := newTestDesk(t, f, nil)
			var calls atomic.Int32
			h := &recHandler{roster: testRoster(), answer: func(a bot.DeskAnswer) (bot.AnswerResult, error) {
				calls.Add(1)
				return bot.AnswerResult{}, tt.err
			}}
			runDesk(t, f, d, h)
			f.send(eventsEnvelope("e1", "Ev9", 0, threadReply("UMARIE", "1.000001", "1.000002", "Réponse")))
			eventually(t, "the answer call", func() bool { return calls.Load() == 1 })
			if tt.acks > 0 {
				f.ack("e1", 1)
			}
			if tt.post != "" {
				c := f.waitCalls("chat.postMessage", 1)[0]
				if c.Form.Get("thread_ts") != "1.000001" || !strings.Contains(everything(c), tt.post) || !strings.Contains(c.Form.Get("text"), "<@UMARIE>") {
					t.Errorf("thread reply:\n%s", everything(c))
				}
			}
			if tt.acks == 0 {
				// Not acknowledged; the redelivery is handled afresh.
				f.send(eventsEnvelope("e2", "Ev9", 1, threadReply("UMARIE", "1.000001", "1.000002", "Réponse")))
				eventually(t, "the second answer call", func() bool { return calls.Load() == 2 })
				if n := f.ackCount("e1"); n != 0 {
					t.Errorf("a failed envelope was acked")
				}
			}
			if tt.post == "" {
				time.Sleep(20 * time.Millisecond)
				if n := len(f.callsTo("chat.postMessage")); n != 0 {
					t.Errorf("posted %d messages, want none", n)
				}
			}
		})
	}
}

// A reply that shares a file (subtype file_share) is an answer like any
// other: its text is relayed, and its author is told in the thread that the
// file is not.
func TestThreadReplyWithAFile(t *testing.T) {
	tests := []struct {
		name, user, text string
		err              error
		post             string // what the author is told in the thread
	}{
		{"with text, in Sam's English", "USAM", "Here is the form, filled in as an example.", nil, "attached files are not relayed"},
		{"with text, in Marie's French", "UMARIE", "Voici le formulaire.", nil, "les fichiers joints ne le sont pas"},
		{"file only", "USAM", "", fmt.Errorf("%w: empty answer", bot.ErrInvalid), "This reply was not relayed: files are not sent to citizens"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlack(t)
			d := newTestDesk(t, f, nil)
			h := &recHandler{roster: testRoster(), answer: func(a bot.DeskAnswer) (bot.AnswerResult, error) {
				return bot.AnswerResult{Relays: 1}, tt.err
			}}
			runDesk(t, f, d, h)

			ev := threadReply(tt.user, "1700000000.000001", "1700000000.000070", tt.text)
			ev["subtype"] = "file_share"
			ev["upload"] = true
			ev["files"] = []any{map[string]any{"id": "F1", "name": "form.pdf", "mimetype": "application/pdf"}}
			f.send(eventsEnvelope("fs1", "EvFS1", 0, ev))
			f.ack("fs1", 1)

			want := []string{fmt.Sprintf("answer 1700000000.000001 %s slack:EvFS1 %q", tt.user, tt.text)}
			if got := h.log(); !slices.Equal(got, want) {
				t.Errorf("engine calls:\n got %q\nwant %q", got, want)
			}
			c := f.waitCalls("chat.postMessage", 1)[0]
			if c.Form.Get("thread_ts") != "1700000000.000001" || !strings.Contains(everything(c), tt.post) || !strings.Contains(c.Form.Get("text"), "<@"+tt.user+">") {
				t.Errorf("thread reply, want %q for its author:\n%s", tt.post, everything(c))
			}
		})
	}
}

func TestButtons(t *testing.T) {
	f := newFakeSlack(t)
	d := newTestDesk(t, f, nil)
	h := &recHandler{roster: testRoster()}
	h.claim = func(id int64, user string) (bot.Escalation, error) {
		if id == 13 {
			return bot.Escalation{}, fmt.Errorf("%w: claimed by Sam", bot.ErrConflict)
		}
		if user == "UOUT" {
			return bot.Escalation{}, fmt.Errorf("%w: not on roster", bot.ErrForbidden)
		}
		return bot.Escalation{ID: id}, nil
	}
	runDesk(t, f, d, h)

	// Claim: recorded, acked, nothing else said (the post updates).
	f.send(interactiveEnvelope("i1", blockAction("USAM", actClaim, "12", "1.1", "1700000000.000001")))
	f.ack("i1", 1)
	// Claim of one already claimed: told privately. The ack does not wait
	// for that message: it arrives while Slack holds the message's call.
	release := f.hold("chat.postEphemeral")
	f.send(interactiveEnvelope("i2", blockAction("USAM", actClaim, "13", "1.2", "1700000000.000002")))
	c := f.waitCalls("chat.postEphemeral", 1)[0]
	f.ack("i2", 1)
	release()
	if c.Form.Get("user") != "USAM" || !strings.Contains(everything(c), "Question 13 is already claimed") {
		t.Errorf("conflict message:\n%s", everything(c))
	}
	// Someone not on the roster: told in both languages.
	f.send(interactiveEnvelope("i3", blockAction("UOUT", actClaim, "12", "1.3", "1700000000.000001")))
	f.ack("i3", 1)
	c = f.waitCalls("chat.postEphemeral", 2)[1]
	if all := everything(c); !strings.Contains(all, "only staff on the Liaison roster") || !strings.Contains(all, "liste du personnel de Liaison") {
		t.Errorf("refusal not bilingual:\n%s", all)
	}
	// Send suggestion, redelivered: one engine call with a stable event id.
	click := blockAction("UMARIE", actSuggest+".0", "12|passport-renewal", "1.4", "1700000000.000001")
	f.send(interactiveEnvelope("i4", click))
	f.ack("i4", 1)
	f.send(interactiveEnvelope("i4", click))
	f.ack("i4", 2)
	// Save as draft: Draft #7 saved, in Marie's French.
	f.send(interactiveEnvelope("i5", blockAction("UMARIE", actDraft, "12", "1.5", "1700000000.000001")))
	f.ack("i5", 1)
	c = f.waitCalls("chat.postEphemeral", 3)[2]
	if !strings.Contains(everything(c), "Ébauche de fiche nº\u00a07 enregistrée") {
		t.Errorf("draft message:\n%s", everything(c))
	}
	// Mismatch: send anyway, and the notice loses its buttons.
	f.send(interactiveEnvelope("i6", blockAction("USAM", actSendAnyway, "44", "1.6", "1700000000.000030")))
	f.ack("i6", 1)
	c = f.waitCalls("chat.update", 1)[0]
	if c.Form.Get("ts") != "1700000000.000030" || len(buttonsOf(t, c)) != 0 || !strings.Contains(everything(c), "<@USAM> chose to send the answer as written") {
		t.Errorf("mismatch notice update:\n%s", everything(c))
	}
	f.send(interactiveEnvelope("i7", blockAction("UMARIE", actTranslate, "45", "1.7", "1700000000.000031")))
	f.ack("i7", 1)
	// Garbage values are acknowledged and ignored.
	f.send(interactiveEnvelope("i8", blockAction("UMARIE", actClaim, "abc", "1.8", "1")))
	f.ack("i8", 1)
	f.send(interactiveEnvelope("i9", blockAction("UMARIE", "other.app", "1", "1.9", "1")))
	f.ack("i9", 1)

	want := []string{
		"claim 12 USAM", "claim 13 USAM", "claim 12 UOUT",
		"suggest 12 passport-renewal UMARIE slack:action:UMARIE:1.4",
		"draft 12 UMARIE", "mismatch 44 USAM true", "mismatch 45 UMARIE false",
	}
	if got := h.log(); !slices.Equal(got, want) {
		t.Errorf("engine calls:\n got %q\nwant %q", got, want)
	}
}

// A click on a language-mismatch notice whose choice was already made (a
// double click, a colleague's click) leaves the notice showing the choice
// that was made, not the later click's, and tells the clicker only.
func TestMismatchChoiceMadeBefore(t *testing.T) {
	tests := []struct {
		name         string
		click        string
		was          bot.AnswerStatus
		notice, told string
		noticeNot    string
	}{
		{"send anyway after translate", actSendAnyway, bot.AnswerDropped,
			"The answer was not sent: a translation is to be written", "it had already been decided to translate", "sent as written"},
		{"translate after send anyway", actTranslate, bot.AnswerQueued,
			"The answer was sent as written.", "this answer had already been sent as written", "translation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlack(t)
			d := newTestDesk(t, f, nil)
			h := &recHandler{roster: testRoster(), mismatch: func(id int64, user string, send bool) (bot.AnswerResult, error) {
				return bot.AnswerResult{Answer: bot.StaffAnswer{ID: id, Status: tt.was}, Duplicate: true}, nil
			}}
			runDesk(t, f, d, h)
			f.send(interactiveEnvelope("mm1", blockAction("USAM", tt.click, "44", "2.1", "1700000000.000030")))
			f.ack("mm1", 1)

			c := f.waitCalls("chat.update", 1)[0]
			all := everything(c)
			if c.Form.Get("ts") != "1700000000.000030" || len(buttonsOf(t, c)) != 0 || !strings.Contains(all, tt.notice) || strings.Contains(all, tt.noticeNot) || strings.Contains(all, "<@USAM>") {
				t.Errorf("notice, want %q without buttons or the later click's choice:\n%s", tt.notice, all)
			}
			e := f.waitCalls("chat.postEphemeral", 1)[0]
			if e.Form.Get("user") != "USAM" || !strings.Contains(everything(e), tt.told) {
				t.Errorf("the clicker should be told %q:\n%s", tt.told, everything(e))
			}
		})
	}
}

// A click on a language-mismatch notice is recorded even when Slack will
// not let the notice be updated to show it: the clicker is told so
// privately, and the update is made once Slack's Retry-After has passed,
// however long, unless the desk shuts down first.
func TestMismatchNoticeUpdateRetriedLater(t *testing.T) {
	const notice = "1700000000.000030"
	t.Run("after a long rate limit", func(t *testing.T) {
		f := newFakeSlack(t)
		d := newTestDesk(t, f, nil)
		d.maxWait = 100 * time.Millisecond // Retry-After 1 s is longer than the desk waits in the call
		runDesk(t, f, d, &recHandler{roster: testRoster()})
		f.rateLimit("chat.update", "1")
		f.send(interactiveEnvelope("mm1", blockAction("USAM", actSendAnyway, "44", "3.1", notice)))
		f.ack("mm1", 1)
		e := f.waitCalls("chat.postEphemeral", 1)[0]
		if e.Form.Get("user") != "USAM" || !strings.Contains(everything(e), "Your choice is recorded: the answer is sent as written") {
			t.Errorf("the clicker should be told the choice is recorded:\n%s", everything(e))
		}
		c := f.waitCalls("chat.update", 1)[0]
		if c.Form.Get("ts") != notice || len(buttonsOf(t, c)) != 0 || !strings.Contains(everything(c), "<@USAM> chose to send the answer as written") {
			t.Errorf("notice update:\n%s", everything(c))
		}
	})
	t.Run("notice deleted", func(t *testing.T) {
		f := newFakeSlack(t)
		d := newTestDesk(t, f, nil)
		runDesk(t, f, d, &recHandler{roster: testRoster()})
		f.deletePost(notice, "message_not_found")
		f.send(interactiveEnvelope("mm2", blockAction("UMARIE", actTranslate, "44", "3.2", notice)))
		f.ack("mm2", 1)
		e := f.waitCalls("chat.postEphemeral", 1)[0]
		if e.Form.Get("user") != "UMARIE" || !strings.Contains(everything(e), "Votre choix est enregistré\u00a0: la réponse n'est pas envoyée") {
			t.Errorf("the clicker should be told, in French, the choice is recorded:\n%s", everything(e))
		}
	})
	t.Run("shutdown ends the wait", func(t *testing.T) {
		f := newFakeSlack(t)
		d := newTestDesk(t, f, nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- d.Run(ctx, &recHandler{roster: testRoster()}) }()
		f.conn(1)
		f.rateLimit("chat.update", "300")
		f.send(interactiveEnvelope("mm3", blockAction("USAM", actSendAnyway, "44", "3.3", notice)))
		f.ack("mm3", 1)
		f.waitCalls("chat.postEphemeral", 1) // the retry is waiting
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("Run did not return while a retry waited out Retry-After")
		}
		if n := len(f.callsTo("chat.update")); n != 0 {
			t.Errorf("chat.update made %d times after shutdown", n)
		}
	})
}

func TestPhaseCommand(t *testing.T) {
	f := newFakeSlack(t)
	d := newTestDesk(t, f, nil)
	h := &recHandler{roster: testRoster()}
	h.status = bot.Status{Phase: phases.State{Global: phases.Replies, Overrides: map[string]phases.Phase{"discord:42": phases.Broadcast}},
		Channels: []bot.ChannelKey{"discord:42", "web:help"}}
	h.phase = func(r bot.PhaseRequest) (phases.Change, error) {
		if r.Actor.DeskUserID != "UMARIE" {
			return phases.Change{}, fmt.Errorf("%w: not a comms lead", bot.ErrForbidden)
		}
		return phases.Change{Channel: string(r.Channel), From: phases.Broadcast, To: r.Phase, Reason: r.Reason}, nil
	}
	runDesk(t, f, d, h)

	tests := []struct {
		user, text string
		want       []string
		call       string // the engine call it makes, "" for none
	}{
		{"UMARIE", "phase", []string{"Phase globale\u00a0: *réponses*", "`discord:42`\u00a0: *diffusion*"}, "status"},
		{"USAM", "phase replies discord:42 pilot in help", []string{"Sorry, only communications leads can change the phase"},
			`phase slack USAM 2 "discord:42" "pilot in help"`},
		{"UOUT", "phase 2 rollout", []string{"only staff on the Liaison roster", "liste du personnel de Liaison"},
			`phase slack UOUT 2 "" "rollout"`},
		{"UMARIE", "phase réponses discord:42 projet pilote", []string{"La phase dans `discord:42` est maintenant *réponses* (avant\u00a0: diffusion)."},
			`phase slack UMARIE 2 "discord:42" "projet pilote"`},
		{"UMARIE", "phase outreach everyone ready", []string{"La phase globale est maintenant *proactif*"},
			`phase slack UMARIE 3 "" "everyone ready"`},
		{"UMARIE", "phase inherit discord:42 end of pilot", []string{"`discord:42` suit maintenant la phase globale"},
			`phase slack UMARIE 0 "discord:42" "end of pilot"`},
		{"UMARIE", "phase 2", []string{"Un motif est requis"}, ""},
		// Slack sends &, < and > as entities: the reason is stored as written.
		{"UMARIE", "phase 2 Q&amp;A pilot &lt;today&gt; with <@USAM>", []string{"La phase globale est maintenant *réponses*"},
			`phase slack UMARIE 2 "" "Q&A pilot <today> with Sam Lee"`},
		{"USAM", "phase 2", []string{"Sorry, only communications leads"}, `phase slack USAM 2 "" ""`},
		{"UOUT", "phase", []string{"only staff on the Liaison roster"}, ""},
		{"UMARIE", "phase 7 why", []string{"Phase inconnue `7`"}, "status"},
		// "because" is looked up among the channels, and names none.
		{"UMARIE", "phase inherit because", []string{"Seul un canal peut suivre la phase globale"}, "status"},
		{"UMARIE", "phase 1 discord:999 test", []string{"Canal `discord:999` inconnu", "`web:help`"}, "status"},
		// A Slack channel link without its name is an unknown channel, never
		// dropped (which would make the switch global).
		{"UMARIE", "phase replies <#C0123ABCD> pilot in help", []string{"Canal `#C0123ABCD` inconnu"}, "status"},
		{"UMARIE", "phase replies <#C0123ABCD|> pilot in help", []string{"Canal `#C0123ABCD` inconnu"}, "status"},
		{"USAM", "", []string{"Commands: `/liaison phase"}, ""},
		{"USAM", "frobnicate", []string{"Commands:"}, ""},
	}
	for i, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			before := len(h.log())
			id := fmt.Sprintf("s%d", i)
			f.send(slashEnvelope(id, tt.user, tt.text))
			text := ackText(t, f.ack(id, 1))
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("reply lacks %q:\n%s", w, text)
				}
			}
			calls := h.log()[before:]
			switch {
			case tt.call == "" && len(calls) != 0:
				t.Errorf("engine calls %q, want none", calls)
			case tt.call != "" && (len(calls) == 0 || calls[len(calls)-1] != tt.call):
				t.Errorf("engine calls %q, want %q last", calls, tt.call)
			}
		})
	}
}

// TestStatusCommand checks that /liaison status shows, in the staff
// member's language, the figures the comms page and `liaison report` show.
func TestStatusCommand(t *testing.T) {
	f := newFakeSlack(t)
	d := newTestDesk(t, f, nil)
	h := &recHandler{roster: testRoster()}
	h.status = bot.Status{
		Phase:    phases.State{Global: phases.Broadcast, Overrides: map[string]phases.Phase{"discord:42": phases.Replies}},
		Channels: []bot.ChannelKey{"discord:42", "web:help"},
		Summary: bot.Summary{
			Since:     testClock().Add(-14 * time.Hour),
			Questions: map[bot.Lang]int{bot.English: 4, bot.French: 3}, Answered: 5, Escalated: 2, OpenEscalations: 2,
			Shadow: 3, ShadowWouldAnswer: 1,
			MedianFirstResponse: 83 * time.Second, FirstResponses: 37, MedianStaffAnswer: 95 * time.Minute, StaffAnswers: 1,
			Helpful: 6, NotHelpful: 1,
			TopGaps: []bot.Gap{{Topic: "passports", Count: 2}, {Topic: "", Count: 1}},
		},
		Oldest:    &bot.Escalation{ID: 9, Question: "<!channel> where is it?", CreatedAt: testClock().Add(-2 * time.Hour)},
		Followers: map[string]int{"discord": 1200},
	}
	runDesk(t, f, d, h)
	for _, tc := range []struct {
		name, user, command string
		want                []string
	}{
		{"English", "USAM", "status", []string{
			"*Liaison status*", "Global phase: *broadcast*", "`discord:42`: replies", "`web:help`: broadcast",
			"Questions waiting for staff: 2", "Oldest waiting: question 9 since <!date^", "&lt;!channel&gt; where is it?",
			"*Activity since <!date^",
			"• Questions to the assistant: 7 (English 4, French 3)",
			"• Answered by the assistant: 5",
			"• Passed to staff: 2",
			"• Recorded in broadcast phase: 3 (the assistant would have answered 1)",
			"• Median time to first response: 1 min 23 s over 37 questions\n",
			"• Median time to a staff answer: 1 h 35 min over 1 question passed to staff\n",
			"• Feedback: 👍 6 helpful, 👎 1 not helpful",
			"• Topics passed to staff most: passports (2), general (1)",
			"• People who can see the assistant on discord: 1200",
		}},
		{"French", "UMARIE", "état", []string{
			"*État de Liaison*", "Phase globale\u00a0: *diffusion*", "• `discord:42`\u00a0: réponses",
			"Questions en attente du personnel\u00a0: 2", "La plus ancienne en attente\u00a0: nº\u00a09 depuis <!date^",
			"*Activité depuis <!date^",
			"• Questions à l'assistant\u00a0: 7 (anglais\u00a0: 4, français\u00a0: 3)",
			"• Réglées par l'assistant\u00a0: 5",
			"• Transmises au personnel\u00a0: 2",
			"• Enregistrées en phase de diffusion\u00a0: 3 (l'assistant aurait répondu à 1)",
			"• Délai médian de première réponse\u00a0: 1\u00a0min 23\u00a0s sur 37\u00a0questions\n",
			"• Délai médian de réponse du personnel\u00a0: 1\u00a0h 35\u00a0min sur 1\u00a0question transmise\n",
			"• Rétroaction\u00a0: 👍 6 utile, 👎 1 pas utile",
			"• Sujets les plus transmis au personnel\u00a0: passports (2), général (1)",
			"• Personnes qui peuvent voir l'assistant sur discord\u00a0: 1200",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.send(slashEnvelope("st-"+tc.name, tc.user, tc.command))
			text := ackText(t, f.ack("st-"+tc.name, 1))
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("status lacks %q:\n%s", w, text)
				}
			}
			if strings.Contains(text, "<!channel>") {
				t.Errorf("status lets a citizen ping")
			}
		})
	}

	f.send(slashEnvelope("st2", "UOUT", "status"))
	if text := ackText(t, f.ack("st2", 1)); !strings.Contains(text, "only staff on the Liaison roster") {
		t.Errorf("status for a stranger:\n%s", text)
	}
}

// TestStatusCommandNoFigures checks that a day without activity reads as
// such: zeros, times not yet measured, and no empty lines.
func TestStatusCommandNoFigures(t *testing.T) {
	f := newFakeSlack(t)
	d := newTestDesk(t, f, nil)
	h := &recHandler{roster: testRoster()}
	h.status = bot.Status{Summary: bot.Summary{Since: testClock().Add(-time.Hour), Questions: map[bot.Lang]int{}}}
	runDesk(t, f, d, h)
	f.send(slashEnvelope("st-empty", "USAM", "status"))
	text := ackText(t, f.ack("st-empty", 1))
	for _, w := range []string{"Questions to the assistant: 0 (English 0, French 0)", "Median time to first response: none yet",
		"Median time to a staff answer: none yet", "Feedback: 👍 0 helpful, 👎 0 not helpful"} {
		if !strings.Contains(text, w) {
			t.Errorf("status lacks %q:\n%s", w, text)
		}
	}
	if strings.Contains(text, "Topics passed") || strings.Contains(text, "broadcast phase:") || strings.Contains(text, "People who") ||
		strings.Contains(text, "Answers withheld") || strings.Contains(text, "refused by the platform") ||
		strings.Contains(text, "in the citizen's language") {
		t.Errorf("status shows lines with nothing to say:\n%s", text)
	}
}

// TestStatusCommandTellsAMedianOfZeroFromNone checks that a median taken
// over some questions reads as such even when it rounds to 0 s, while one
// over none reads as not measured yet.
func TestStatusCommandTellsAMedianOfZeroFromNone(t *testing.T) {
	f := newFakeSlack(t)
	d := newTestDesk(t, f, nil)
	h := &recHandler{roster: testRoster()}
	h.status = bot.Status{Summary: bot.Summary{Since: testClock().Add(-time.Hour), Questions: map[bot.Lang]int{bot.English: 2},
		MedianFirstResponse: 400 * time.Millisecond, FirstResponses: 2}}
	runDesk(t, f, d, h)
	for _, tc := range []struct{ user, command, first, staff string }{
		{"USAM", "status", "Median time to first response: 0 s over 2 questions\n", "Median time to a staff answer: none yet\n"},
		{"UMARIE", "état", "Délai médian de première réponse\u00a0: 0\u00a0s sur 2\u00a0questions\n", "Délai médian de réponse du personnel\u00a0: aucun pour l'instant\n"},
	} {
		f.send(slashEnvelope("st-zero-"+tc.user, tc.user, tc.command))
		text := ackText(t, f.ack("st-zero-"+tc.user, 1))
		for _, w := range []string{tc.first, tc.staff} {
			if !strings.Contains(text, w) {
				t.Errorf("status lacks %q:\n%s", w, text)
			}
		}
	}
}

// TestStatusCommandShowsAnswersThatDidNotReachTheCitizen checks that
// /liaison status shows, in the staff member's language, the bot's answers
// withheld at a switch to phase 1 and those the platform refused, as
// `liaison report` does, each only when there are some.
func TestStatusCommandShowsAnswersThatDidNotReachTheCitizen(t *testing.T) {
	f := newFakeSlack(t)
	d := newTestDesk(t, f, nil)
	h := &recHandler{roster: testRoster()}
	h.status = bot.Status{Summary: bot.Summary{Since: testClock().Add(-time.Hour), Questions: map[bot.Lang]int{bot.English: 6},
		Answered: 3, Withheld: 2, Undelivered: 1}}
	runDesk(t, f, d, h)
	for _, tc := range []struct {
		name, user, command string
		want                []string
	}{
		{"English", "USAM", "status", []string{
			"• Answered by the assistant: 3\n• Answers withheld (switched to phase 1): 2\n• Answers refused by the platform: 1\n• Passed to staff: 0"}},
		{"French", "UMARIE", "état", []string{
			"• Réglées par l'assistant\u00a0: 3\n• Réponses retenues (passage à la phase 1)\u00a0: 2\n• Réponses refusées par la plateforme\u00a0: 1\n• Transmises au personnel\u00a0: 0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.send(slashEnvelope("wu-"+tc.name, tc.user, tc.command))
			text := ackText(t, f.ack("wu-"+tc.name, 1))
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("status lacks %q:\n%s", w, text)
				}
			}
		})
	}
}

// TestStatusCommandShowsLanguageRequests checks that /liaison status
// counts, in the staff member's language, the citizens' replies asking for
// a staff answer in their language, as `liaison report` does, apart from
// the questions passed to staff and only when there are some.
func TestStatusCommandShowsLanguageRequests(t *testing.T) {
	f := newFakeSlack(t)
	d := newTestDesk(t, f, nil)
	h := &recHandler{roster: testRoster()}
	h.status = bot.Status{Summary: bot.Summary{Since: testClock().Add(-time.Hour), Questions: map[bot.Lang]int{bot.French: 1},
		Escalated: 1, LanguageRequests: 2}}
	runDesk(t, f, d, h)
	for _, tc := range []struct {
		name, user, command, want string
	}{
		{"English", "USAM", "status", "• Passed to staff: 1\n• Answers asked for in the citizen's language: 2\n"},
		{"French", "UMARIE", "état", "• Transmises au personnel\u00a0: 1\n• Réponses demandées dans la langue de la personne\u00a0: 2\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.send(slashEnvelope("lr-"+tc.name, tc.user, tc.command))
			if text := ackText(t, f.ack("lr-"+tc.name, 1)); !strings.Contains(text, tc.want) {
				t.Errorf("status lacks %q:\n%s", tc.want, text)
			}
		})
	}
}

func TestBroadcastModal(t *testing.T) {
	f := newFakeSlack(t)
	d := newTestDesk(t, f, nil)
	h := &recHandler{roster: testRoster(), status: bot.Status{Channels: []bot.ChannelKey{"discord:42", "web:help"}}}
	runDesk(t, f, d, h)

	// A staff member who is not a comms lead is refused; no modal.
	f.send(slashEnvelope("b0", "USAM", "broadcast"))
	if text := ackText(t, f.ack("b0", 1)); !strings.Contains(text, "only communications leads") {
		t.Errorf("refusal:\n%s", text)
	}
	f.send(slashEnvelope("b00", "UOUT", "diffusion"))
	if text := ackText(t, f.ack("b00", 1)); !strings.Contains(text, "only staff on the Liaison roster") {
		t.Errorf("refusal:\n%s", text)
	}

	// A comms lead gets the modal; the ack does not wait for views.open.
	release := f.hold("views.open")
	f.send(slashEnvelope("b1", "UMARIE", "broadcast"))
	open := f.waitCalls("views.open", 1)[0]
	if p := ackPayload(t, f.ack("b1", 1)); p != nil {
		t.Errorf("ack payload = %v, want a bare ack", p)
	}
	release()
	if open.JSON["trigger_id"] != "trig-b1" {
		t.Errorf("trigger_id = %v", open.JSON["trigger_id"])
	}
	view, _ := json.Marshal(open.JSON["view"])
	for _, w := range []string{`"callback_id":"liaison.broadcast"`, `"block_id":"bc_en"`, `"block_id":"bc_fr"`, `"block_id":"bc_at"`, `"datetimepicker"`, `"value":"web:help"`, "Texte français"} {
		if !strings.Contains(string(view), w) {
			t.Errorf("modal lacks %s:\n%s", w, view)
		}
	}

	// Submitted without French: refused, naming the field.
	f.send(interactiveEnvelope("v1", viewSubmission("UMARIE", "V1", "h1", cbBroadcast, "", "Office closed Monday", "  ", 0)))
	p := ackPayload(t, f.ack("v1", 1))
	errs, _ := p["errors"].(map[string]any)
	if p["response_action"] != "errors" || errs[blockFR] == nil || errs[blockEN] != nil {
		t.Fatalf("ack = %v, want an error on the French field only", p)
	}
	if !strings.Contains(errs[blockFR].(string), "texte français est requis") {
		t.Errorf("French error = %q", errs[blockFR])
	}
	// A time in the past is refused too.
	f.send(interactiveEnvelope("v2", viewSubmission("UMARIE", "V1", "h2", cbBroadcast, "", "Closed", "Fermé", testClock().Add(-time.Hour).Unix())))
	if p := ackPayload(t, f.ack("v2", 1)); p["errors"].(map[string]any)[blockAt] == nil {
		t.Errorf("ack = %v, want an error on the time", p)
	}

	// Both texts: the preview, holding a hash of what it shows.
	at := testClock().Add(3 * time.Hour).Unix()
	f.send(interactiveEnvelope("v3", viewSubmission("UMARIE", "V1", "h3", cbBroadcast, "", "Closed <!channel>", "Fermé", at)))
	p = ackPayload(t, f.ack("v3", 1))
	pv, _ := json.Marshal(p["view"])
	if p["response_action"] != "update" || !strings.Contains(string(pv), `"callback_id":"liaison.broadcast.confirm"`) {
		t.Fatalf("ack = %v, want the preview", p)
	}
	var preview struct {
		PrivateMetadata string `json:"private_metadata"`
	}
	_ = json.Unmarshal(pv, &preview)
	if !strings.Contains(string(pv), "Closed \\u0026lt;!channel\\u0026gt;") || !strings.Contains(string(pv), `"initial_value":"Closed \u003c!channel\u003e"`) {
		t.Errorf("preview should show escaped text and keep the field as typed:\n%s", pv)
	}
	if got := withoutStatus(h.log()); len(got) != 0 {
		t.Errorf("the engine was called before Send: %q", got)
	}

	// Edited after the preview: previewed again, not sent.
	f.send(interactiveEnvelope("v4", viewSubmission("UMARIE", "V1", "h4", cbBroadcastConfirm, preview.PrivateMetadata, "Closed Tuesday", "Fermé", at)))
	p = ackPayload(t, f.ack("v4", 1))
	if pv, _ := json.Marshal(p["view"]); !strings.Contains(string(pv), "Les textes ont changé") {
		t.Errorf("changed texts not previewed again:\n%s", pv)
	}
	// Send what was previewed.
	f.send(interactiveEnvelope("v5", viewSubmission("UMARIE", "V1", "h5", cbBroadcastConfirm, preview.PrivateMetadata, "Closed <!channel>", "Fermé", at)))
	p = ackPayload(t, f.ack("v5", 1))
	if dv, _ := json.Marshal(p["view"]); p["response_action"] != "update" || !strings.Contains(string(dv), "L'annonce nº\u00a03 est prévue\u00a0: ") {
		t.Errorf("ack = %s, want the done view", dv)
	}
	want := []string{fmt.Sprintf(`broadcast slack UMARIE "Closed <!channel>" "Fermé" %d []`, at)}
	if got := withoutStatus(h.log()); !slices.Equal(got, want) {
		t.Errorf("engine calls:\n got %q\nwant %q", got, want)
	}
}

// A broadcast the engine refuses is explained in the comms lead's language.
func TestBroadcastRefusedByTheEngineIsExplained(t *testing.T) {
	f := newFakeSlack(t)
	d := newTestDesk(t, f, nil)
	h := &recHandler{roster: testRoster(), status: bot.Status{Channels: []bot.ChannelKey{"discord:42", "web:help"}}}
	h.bcast = func(bot.BroadcastRequest) (bot.Broadcast, error) {
		return bot.Broadcast{}, &bot.Refusal{Kind: bot.ErrInvalid,
			EN: "No channel is configured for broadcasts: name the channels to post to.",
			FR: "Aucun canal n’est configuré pour les annonces\u00a0: nommez les canaux où publier <ici>."}
	}
	runDesk(t, f, d, h)
	at := testClock().Add(3 * time.Hour).Unix()
	f.send(interactiveEnvelope("v1", viewSubmission("UMARIE", "V1", "h1", cbBroadcast, "", "Closed", "Fermé", at)))
	var preview struct {
		PrivateMetadata string `json:"private_metadata"`
	}
	pv, _ := json.Marshal(ackPayload(t, f.ack("v1", 1))["view"])
	_ = json.Unmarshal(pv, &preview)
	f.send(interactiveEnvelope("v2", viewSubmission("UMARIE", "V1", "h2", cbBroadcastConfirm, preview.PrivateMetadata, "Closed", "Fermé", at)))
	dv, _ := json.Marshal(ackPayload(t, f.ack("v2", 1))["view"])
	for _, want := range []string{"Cette demande n'est pas valide", "Aucun canal n’est configuré pour les annonces\u00a0: nommez les canaux où publier \\u0026lt;ici\\u0026gt;."} {
		if !strings.Contains(string(dv), want) {
			t.Errorf("done view lacks %s:\n%s", want, dv)
		}
	}
	if strings.Contains(string(dv), "No channel is configured") {
		t.Errorf("a French comms lead reads the English reason:\n%s", dv)
	}
}

// The longest broadcast, escaped for the preview, still fits Slack's
// sections: the preview is shortened, the fields keep the texts whole.
func TestBroadcastPreviewFitsASection(t *testing.T) {
	f := newFakeSlack(t)
	d := newTestDesk(t, f, nil)
	runDesk(t, f, d, &recHandler{roster: testRoster()})

	// Stars triple on escaping, yet keep the ack under Slack's size limit.
	en, fr := strings.Repeat("*", bot.MaxBroadcastRunes), "Fermé"
	f.send(interactiveEnvelope("v1", viewSubmission("UMARIE", "V1", "h1", cbBroadcast, "", en, fr, 0)))
	p := ackPayload(t, f.ack("v1", 1))
	view, _ := p["view"].(map[string]any)
	if p["response_action"] != "update" || view["callback_id"] != cbBroadcastConfirm {
		t.Fatalf("ack = %v, want the preview", p)
	}
	for i, s := range sectionTexts(t, view["blocks"]) {
		if n := len(utf16.Encode([]rune(s))); n > maxSectionChars {
			t.Errorf("text %d is %d UTF-16 code units, Slack may refuse more than %d", i, n, maxSectionChars)
		}
	}
	pv, _ := json.Marshal(view)
	if !strings.Contains(string(pv), "(texte abrégé)") || !strings.Contains(string(pv), `"initial_value":"`+en+`"`) {
		t.Errorf("the preview should be shortened and the English field whole:\n%.2000s", pv)
	}
}

func TestReconnectAfterDisconnectAndDrop(t *testing.T) {
	f := newFakeSlack(t)
	d := newTestDesk(t, f, nil)
	h := &recHandler{roster: testRoster()}
	runDesk(t, f, d, h)

	c1 := f.conn(1)
	eventually(t, "pongs on the first connection", func() bool { return c1.pongs.Load() > 0 })

	// Slack asks the client to reconnect.
	f.send(map[string]any{"type": "disconnect", "reason": "refresh_requested", "debug_info": map[string]any{"host": "fake"}})
	f.conn(2)
	f.send(eventsEnvelope("r1", "EvR1", 0, threadReply("USAM", "1.000001", "1.000010", "after refresh")))
	if a := f.ack("r1", 1); a.Conn != 2 {
		t.Errorf("acked on connection %d, want 2", a.Conn)
	}

	// The connection drops without a word.
	f.conn(2).close()
	f.conn(3)
	f.send(eventsEnvelope("r2", "EvR2", 0, threadReply("USAM", "1.000001", "1.000011", "after drop")))
	f.ack("r2", 1)

	if got := len(h.log()); got != 2 {
		t.Errorf("answers = %d, want 2 (%q)", got, h.log())
	}
	f.mu.Lock()
	opens := f.opens
	f.mu.Unlock()
	if opens != 3 {
		t.Errorf("apps.connections.open calls = %d, want 3", opens)
	}
}

// withoutStatus drops the status reads (channel lists for the modal).
func withoutStatus(calls []string) []string {
	return slices.DeleteFunc(calls, func(c string) bool { return c == "status" })
}

func TestRunStopsOnRejectedAppToken(t *testing.T) {
	f := newFakeSlack(t)
	f.rejectApp = true
	d := newTestDesk(t, f, nil)
	err := d.Run(context.Background(), &recHandler{})
	if err == nil || !strings.Contains(err.Error(), EnvAppToken) || !strings.Contains(err.Error(), "invalid_auth") {
		t.Fatalf("Run = %v, want an error naming %s", err, EnvAppToken)
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("error shows a token: %v", err)
	}
}

func TestRunRetriesWhileSlackIsDown(t *testing.T) {
	f := newFakeSlack(t)
	f.failOpens = 2
	d := newTestDesk(t, f, nil)
	h := &recHandler{roster: testRoster()}
	runDesk(t, f, d, h)
	f.send(eventsEnvelope("u1", "EvU1", 0, threadReply("USAM", "1.000001", "1.000012", "up again")))
	f.ack("u1", 1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.opens != 3 {
		t.Errorf("apps.connections.open calls = %d, want 3 (two failures, then success)", f.opens)
	}
}

// Run stops when its context ends while Slack is down and the socket is
// reconnecting: between two refused apps.connections.open (waiting out
// slack-go's back-off) or while one is left unanswered. Nothing of the
// Socket Mode client is left running.
func TestRunStopsWhileReconnecting(t *testing.T) {
	for _, unanswered := range []bool{false, true} {
		t.Run(map[bool]string{false: "refused", true: "unanswered"}[unanswered], func(t *testing.T) {
			f := newFakeSlack(t)
			d := newTestDesk(t, f, nil)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- d.Run(ctx, &recHandler{roster: testRoster()}) }()
			f.conn(1)
			opens := 6 // the first, then refused ones: slack-go is waiting between tries
			f.mu.Lock()
			if unanswered {
				f.hangOpens, opens = 1<<30, 2
			} else {
				f.failOpens = 1 << 30
			}
			f.mu.Unlock()
			f.conn(1).close()
			eventually(t, "the socket to be reconnecting", func() bool {
				f.mu.Lock()
				defer f.mu.Unlock()
				return f.opens >= opens
			})
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("Run did not return while reconnecting:\n%s", socketGoroutines())
			}
			eventually(t, "the Socket Mode client to stop", func() bool { return socketGoroutines() == "" })
		})
	}
}

// socketGoroutines returns the stacks of the goroutines of slack-go's
// Socket Mode client and of Run.
func socketGoroutines() string {
	buf := make([]byte, 4<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var b strings.Builder
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "slack-go/slack/socketmode") || strings.Contains(g, "channels/slack.(*Desk).Run") {
			b.WriteString(g + "\n\n")
		}
	}
	return b.String()
}

// An apps.connections.open that is never answered (a stalled proxy, a
// half-open connection) times out and is tried again: the desk connects.
func TestRunRetriesAConnectionOpenNeverAnswered(t *testing.T) {
	f := newFakeSlack(t)
	f.hangOpens = 1
	d, err := New(f.config(), testBotToken, testAppToken, Options{Now: testClock, Logger: testLogger(t), HTTPTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	h := &recHandler{roster: testRoster()}
	runDesk(t, f, d, h)
	f.send(eventsEnvelope("h1", "EvH1", 0, threadReply("USAM", "1.000001", "1.000013", "connected at last")))
	f.ack("h1", 1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.opens != 2 {
		t.Errorf("apps.connections.open calls = %d, want 2 (one never answered, then success)", f.opens)
	}
}

func TestQuickReplyToAPostTheEngineHasNotRecordedYet(t *testing.T) {
	f := newFakeSlack(t)
	d := newTestDesk(t, f, testRoster())
	ref, err := d.PostEscalation(context.Background(), hostileEscalation())
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	h := &recHandler{roster: testRoster(), answer: func(a bot.DeskAnswer) (bot.AnswerResult, error) {
		if calls.Add(1) < 3 {
			return bot.AnswerResult{}, fmt.Errorf("desk ref: %w", bot.ErrNotFound)
		}
		return bot.AnswerResult{Relays: 1}, nil
	}}
	runDesk(t, f, d, h)
	f.send(eventsEnvelope("q1", "EvQ1", 0, threadReply("USAM", ref, "1700000000.000077", "fast answer")))
	f.ack("q1", 1)
	if n := calls.Load(); n != 3 {
		t.Errorf("engine asked %d times, want 3", n)
	}

	// A thread the desk never posted: not found means staff talk, at once.
	calls.Store(-100)
	f.send(eventsEnvelope("q2", "EvQ2", 0, threadReply("USAM", "1600000000.000001", "1700000000.000078", "chat")))
	f.ack("q2", 1)
	if n := calls.Load(); n != -99 {
		t.Errorf("engine asked %d times about an unknown thread, want once", n+100)
	}
}

func TestRunStopsOnRevokedBotToken(t *testing.T) {
	f := newFakeSlack(t)
	d, err := New(f.config(), "xoxb-revoked-secret", testAppToken, Options{Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	err = d.Run(context.Background(), &recHandler{})
	if err == nil || !strings.Contains(err.Error(), EnvBotToken) || !strings.Contains(err.Error(), "token_revoked") || strings.Contains(err.Error(), "secret") {
		t.Fatalf("Run = %v, want an error naming %s and not the token", err, EnvBotToken)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.opens != 0 {
		t.Errorf("Socket Mode was opened with a refused bot token")
	}
}

func TestAPanickingHandlerDoesNotStopTheDesk(t *testing.T) {
	f := newFakeSlack(t)
	d := newTestDesk(t, f, nil)
	var calls atomic.Int32
	h := &recHandler{roster: testRoster(), answer: func(a bot.DeskAnswer) (bot.AnswerResult, error) {
		if calls.Add(1) == 1 {
			panic("boom")
		}
		return bot.AnswerResult{Relays: 1}, nil
	}}
	runDesk(t, f, d, h)
	f.send(eventsEnvelope("p1", "EvP1", 0, threadReply("USAM", "1.000001", "1.000090", "first")))
	eventually(t, "the first call", func() bool { return calls.Load() == 1 })
	// Redelivered: handled afresh, and acknowledged this time.
	f.send(eventsEnvelope("p2", "EvP1", 1, threadReply("USAM", "1.000001", "1.000090", "first")))
	f.ack("p2", 1)
	if f.ackCount("p1") != 0 {
		t.Error("the envelope whose handling panicked was acknowledged")
	}
}

// An envelope slack-go cannot read is reported as a socket mode error: the
// log names the cause, not the envelope, which may carry an escalation post
// quoting a citizen (here a click whose message is the post).
func TestUnreadableEnvelopeIsLoggedWithoutItsContent(t *testing.T) {
	f := newFakeSlack(t)
	lb := &logBuf{}
	d, err := New(f.config(), testBotToken, testAppToken, Options{Now: testClock, Roster: testRoster(),
		Logger: slog.New(slog.NewJSONHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	runDesk(t, f, d, &recHandler{roster: testRoster()})
	const citizen = "Jeanne Doucet lives at 12 rue des Érables"
	click := blockAction("USAM", "esc.close", "7", "1700000000.000100", "1700000000.000001")
	click["message"] = map[string]any{"type": "message", "ts": "1700000000.000001", "text": citizen}
	click["actions"] = "not a list" // what slack-go cannot decode
	f.send(interactiveEnvelope("bad1", click))
	eventually(t, "the socket mode error is logged", func() bool { return strings.Contains(lb.String(), "slack socket mode error") })
	logs := lb.String()
	bytesForm := strings.Trim(fmt.Sprint([]byte("Jeanne Doucet")), "[]")
	if strings.Contains(logs, "Jeanne") || strings.Contains(logs, bytesForm) {
		t.Errorf("the envelope's content was logged:\n%s", logs)
	}
}
