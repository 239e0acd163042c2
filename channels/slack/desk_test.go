package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/liaison-gc/liaison/bot"
)

// logBuf collects a desk's log so tests can check that no token leaks.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// testLogger logs at debug level and fails the test if a token shows up.
func testLogger(t *testing.T) *slog.Logger {
	lb := &logBuf{}
	t.Cleanup(func() {
		if s := lb.String(); strings.Contains(s, "secret") {
			t.Errorf("a token was logged:\n%s", s)
		}
	})
	return slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// everything returns every value of a form call, with the strings inside
// its JSON fields (blocks) decoded: what Slack would render or parse
// anywhere in the message.
func everything(c apiCall) string {
	var parts []string
	for k, vs := range c.Form {
		for _, v := range vs {
			var decoded any
			if k == "blocks" && json.Unmarshal([]byte(v), &decoded) == nil {
				parts = append(parts, k+"="+strings.Join(stringsIn(decoded), "\n"))
				continue
			}
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, "\n")
}

// stringsIn lists the strings in decoded JSON.
func stringsIn(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, stringsIn(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, e := range v {
			out = append(out, stringsIn(e)...)
		}
		return out
	}
	return nil
}

// blocksOf decodes the blocks of a form call.
func blocksOf(t *testing.T, c apiCall) []map[string]any {
	t.Helper()
	var blocks []map[string]any
	if err := json.Unmarshal([]byte(c.Form.Get("blocks")), &blocks); err != nil {
		t.Fatalf("%s blocks: %v", c.Method, err)
	}
	return blocks
}

// buttonsOf lists the action ids and values of a call's buttons.
func buttonsOf(t *testing.T, c apiCall) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, b := range blocksOf(t, c) {
		if b["type"] != "actions" {
			continue
		}
		for _, e := range b["elements"].([]any) {
			el := e.(map[string]any)
			out[el["action_id"].(string)] = el["value"].(string)
		}
	}
	return out
}

func hostileEscalation() bot.Escalation {
	return bot.Escalation{
		ID: 12, State: bot.StateOpen, Lang: bot.French, Topic: "passports",
		Question:    "<!channel> <@U123> <!here> @everyone <#C999|general> <http://evil.example|clique ici> *urgent* & `rm` <!subteam^S1>",
		Channel:     "discord:42",
		RoutedTo:    "marie",
		Suggestions: []bot.Hit{{EntryID: "passport-renewal", Question: "Comment renouveler <mon> passeport?", Confidence: 0.42}, {EntryID: "passport-fees", Question: "Frais", Confidence: 0.3}},
		Askers:      []bot.Asker{{MessageID: 1, Lang: bot.French}, {MessageID: 2, Lang: bot.French}},
	}
}

func TestPostEscalationEscapesCitizenTextAndMentionsRoutedStaff(t *testing.T) {
	f := newFakeSlack(t)
	d := newTestDesk(t, f, testRoster())
	ref, err := d.PostEscalation(context.Background(), hostileEscalation())
	if err != nil {
		t.Fatal(err)
	}
	calls := f.callsTo("chat.postMessage")
	if len(calls) != 1 {
		t.Fatalf("chat.postMessage calls = %d, want 1", len(calls))
	}
	c := calls[0]
	if ref != "1700000000.000001" {
		t.Errorf("ref = %q, want the posted message's ts", ref)
	}
	if c.Form.Get("channel") != testDesk || c.Form.Get("unfurl_links") != "false" || c.Form.Get("unfurl_media") != "false" {
		t.Errorf("channel/unfurl = %q/%q/%q, want the desk and no unfurling", c.Form.Get("channel"), c.Form.Get("unfurl_links"), c.Form.Get("unfurl_media"))
	}
	all := everything(c)
	// Raw Slack markup of the citizen must not survive anywhere; the routed
	// staff member's mention must.
	for _, bad := range []string{"<!channel>", "<@U123>", "<!here>", "<#C999", "<http://evil", "<!subteam", "@everyone"} {
		if strings.Contains(all, bad) {
			t.Errorf("message contains %q: citizen text was not neutralised", bad)
		}
	}
	for _, want := range []string{"&lt;!channel&gt;", "&lt;@U123&gt;", "&lt;http://evil.example|clique ici&gt;", "&amp;", "<@UMARIE>", "Question nº\u00a012", "français", "`discord:42`"} {
		if !strings.Contains(all, want) {
			t.Errorf("message lacks %q", want)
		}
	}
	// Every mrkdwn text object is verbatim (no linkifying of bare URLs or names).
	for _, b := range blocksOf(t, c) {
		if txt, ok := b["text"].(map[string]any); ok && txt["type"] == "mrkdwn" && txt["verbatim"] != true {
			t.Errorf("block %v: mrkdwn text is not verbatim", b["type"])
		}
	}
	btn := buttonsOf(t, c)
	want := map[string]string{actClaim: "12", actSuggest + ".0": "12|passport-renewal", actSuggest + ".1": "12|passport-fees"}
	for k, v := range want {
		if btn[k] != v {
			t.Errorf("button %s = %q, want %q (buttons %v)", k, btn[k], v, btn)
		}
	}
	if _, ok := btn[actDraft]; ok {
		t.Errorf("draft button shown before any answer")
	}
	if !strings.Contains(all, "(confiance 42\u00a0%)") {
		t.Errorf("suggestion confidence missing (French for Marie):\n%s", all)
	}
}

// sectionTexts lists the text of every section and context element of
// blocks, as Slack receives them.
func sectionTexts(t *testing.T, blocks any) []string {
	t.Helper()
	b, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	var decoded []map[string]any
	if err := json.Unmarshal(b, &decoded); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, bl := range decoded {
		if txt, ok := bl["text"].(map[string]any); ok {
			s, _ := txt["text"].(string)
			out = append(out, s)
		}
		els, _ := bl["elements"].([]any)
		for _, e := range els {
			if el, ok := e.(map[string]any); ok && (el["type"] == "mrkdwn" || el["type"] == "plain_text") {
				s, _ := el["text"].(string)
				out = append(out, s)
			}
		}
	}
	return out
}

// A question that escaping makes longer than a section still posts: it is
// shortened on its escaped text, since Slack refuses the whole message
// when one section passes 3000 characters.
func TestPostEscalationQuestionFitsASection(t *testing.T) {
	tests := []struct {
		name, question, shows string
	}{
		{"formatting markers", strings.Repeat("*", 2000), zwsp + "*" + zwsp},
		{"angle brackets", strings.Repeat("<>", 1000), "&lt;&gt;"},
		{"ampersands", strings.Repeat("&", 4000), "&amp;"},
		{"one word per paragraph", strings.Repeat("a\n\n", 666), ">a\n>\n>a"},
		{"special mentions", strings.Repeat("@everyone ", 400), "@" + zwsp + "everyone"},
		// Each emoji is two UTF-16 code units: 2000 of them pass 3000
		// characters as Slack may count them.
		{"emoji", strings.Repeat("😀", 2000), "😀😀"},
		{"emoji and accents", strings.Repeat("é😀\n", 1000), ">é😀"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlack(t)
			d := newTestDesk(t, f, testRoster())
			e := hostileEscalation()
			e.Question = tt.question
			if _, err := d.PostEscalation(context.Background(), e); err != nil {
				t.Fatal(err)
			}
			c := f.callsTo("chat.postMessage")[0]
			blocks := blocksOf(t, c)
			for i, s := range sectionTexts(t, blocks) {
				if n := len(utf16.Encode([]rune(s))); n > maxSectionChars {
					t.Errorf("text %d is %d UTF-16 code units, Slack may refuse more than %d (question of %d characters)", i, n, maxSectionChars, utf8.RuneCountInString(tt.question))
				}
			}
			all := everything(c)
			if !strings.Contains(all, tt.shows) || !strings.Contains(all, "(texte abrégé)") {
				t.Errorf("the question should show, shortened, in Marie's French:\n%s", all)
			}
		})
	}
}

func TestPostEscalationUnknownStaffIsBilingualAndNotMentioned(t *testing.T) {
	f := newFakeSlack(t)
	roster := bot.Roster{{ID: "ghost", Name: "<!channel> Ghost", DeskUserID: "<!here>"}}
	d := newTestDesk(t, f, roster)
	e := hostileEscalation()
	e.RoutedTo = "ghost"
	if _, err := d.PostEscalation(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	all := everything(f.callsTo("chat.postMessage")[0])
	if strings.Contains(all, "<!here>") || strings.Contains(all, "<!channel>") {
		t.Errorf("a malformed roster entry produced a ping:\n%s", all)
	}
	if !strings.Contains(all, "&lt;!channel&gt; Ghost") {
		t.Errorf("staff name not escaped:\n%s", all)
	}

	e.RoutedTo = "nobody"
	if _, err := d.PostEscalation(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	all = everything(f.callsTo("chat.postMessage")[1])
	if !strings.Contains(all, "Question 12 for staff / Question nº\u00a012 pour le personnel") || !strings.Contains(all, "For nobody / Pour nobody") {
		t.Errorf("staff not on the roster: want both languages and no mention:\n%s", all)
	}
	// Each half names the question's language in its own language, once.
	if !strings.Contains(all, "Language: French / Langue\u00a0: français ·") {
		t.Errorf("bilingual post: want the question's language named in each half's language:\n%s", all)
	}
}

func TestUpdateEscalationShowsState(t *testing.T) {
	at := testClock()
	tests := []struct {
		name    string
		edit    func(*bot.Escalation)
		want    []string
		buttons []string
	}{
		{"claimed", func(e *bot.Escalation) { e.State, e.ClaimedBy = bot.StateClaimed, "sam" },
			[]string{"Prise en charge par <@USAM>"}, []string{actSuggest + ".0", actSuggest + ".1", actClose}},
		{"answered", func(e *bot.Escalation) {
			e.State, e.ClaimedBy, e.AnsweredBy = bot.StateAnswered, "sam", "sam"
			e.Askers[0].RelayedAt = at
		}, []string{"Réponse de <@USAM>", "Réponse transmise\u00a0: 1 personne(s) sur 2"}, []string{actDraft}},
		{"relayed", func(e *bot.Escalation) {
			e.State, e.AnsweredBy = bot.StateRelayed, "marie"
			e.Askers[0].RelayedAt, e.Askers[1].RelayedAt = at, at
		}, []string{"Réponse de <@UMARIE>", "Réponse transmise\u00a0: 2 personne(s) sur 2"}, []string{actDraft}},
		{"closed", func(e *bot.Escalation) {
			e.State, e.ClosedBy, e.CloseReason = bot.StateClosed, "sam", "spam <!channel>"
		}, []string{"Fermée par <@USAM>\u00a0: spam &lt;!channel&gt;"}, nil},
		{"reminded", func(e *bot.Escalation) { e.Reminders = 2 }, []string{"Rappels envoyés\u00a0: 2"}, []string{actClaim, actSuggest + ".0", actSuggest + ".1", actClose}},
		// An answer that did not reach every citizen: back with its author.
		// Citizens are counted as the engine relays: ana asked twice in the
		// same place, ben once, and ana did not get the answer.
		{"claimed again, answer not delivered", func(e *bot.Escalation) {
			e.State, e.ClaimedBy, e.AnsweredBy, e.AnsweredAt = bot.StateClaimed, "marie", "marie", at
			ana := bot.Address{Platform: "discord", ChannelID: "42", UserID: "ana"}
			ben := bot.Address{Platform: "discord", ChannelID: "42", UserID: "ben"}
			e.Askers = []bot.Asker{{MessageID: 1, Address: ana}, {MessageID: 2, Address: ben, RelayedAt: at}, {MessageID: 3, Address: ana}}
		}, []string{"Prise en charge par <@UMARIE> · Réponse non transmise à 1 personne(s) sur 2\u00a0: répondez de nouveau dans ce fil (votre réponse ira seulement aux personnes qui ne l'ont pas reçue) ou fermez la question en indiquant un motif",
			"Pour répondre de nouveau, écrivez dans ce fil\u00a0: votre réponse est transmise seulement aux personnes qui n'ont pas reçu la réponse"},
			[]string{actSuggest + ".0", actSuggest + ".1", actClose}},
		{"claimed again, in English", func(e *bot.Escalation) {
			e.RoutedTo, e.State, e.ClaimedBy, e.AnsweredBy, e.AnsweredAt = "sam", bot.StateClaimed, "sam", "sam", at
			e.Askers[1].RelayedAt = at
		}, []string{"Claimed by <@USAM> · Answer not delivered to 1 of 2 citizens — answer again in this thread (it goes only to them) or close it with a reason",
			"To answer again, reply in this thread: your reply is sent only to the people who did not get the answer"},
			[]string{actSuggest + ".0", actSuggest + ".1", actClose}},
		{"claimed again, one citizen", func(e *bot.Escalation) {
			e.State, e.ClaimedBy, e.AnsweredBy, e.AnsweredAt = bot.StateClaimed, "marie", "marie", at
			e.Askers = e.Askers[:1]
		}, []string{"Prise en charge par <@UMARIE> · Réponse non transmise à la personne qui a posé la question\u00a0: répondez de nouveau dans ce fil ou fermez la question en indiquant un motif"},
			[]string{actSuggest + ".0", actSuggest + ".1", actClose}},
		// Its author left the roster: the reminders give it back to the desk.
		{"open again, answer not delivered", func(e *bot.Escalation) {
			e.AnsweredBy, e.AnsweredAt = "sam", at
			e.Askers[0].RelayedAt = at
		}, []string{"En attente d'une réponse du personnel · Réponse non transmise à 1 personne(s) sur 2"},
			[]string{actClaim, actSuggest + ".0", actSuggest + ".1", actClose}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlack(t)
			d := newTestDesk(t, f, testRoster())
			e := hostileEscalation()
			tt.edit(&e)
			if err := d.UpdateEscalation(context.Background(), "1700000000.000009", e); err != nil {
				t.Fatal(err)
			}
			c := f.callsTo("chat.update")[0]
			if c.Form.Get("ts") != "1700000000.000009" || c.Form.Get("channel") != testDesk {
				t.Errorf("update ts/channel = %q/%q", c.Form.Get("ts"), c.Form.Get("channel"))
			}
			all := everything(c)
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("update lacks %q:\n%s", w, all)
				}
			}
			btn := buttonsOf(t, c)
			if len(btn) != len(tt.buttons) {
				t.Errorf("buttons = %v, want %v", btn, tt.buttons)
			}
			for _, b := range tt.buttons {
				if _, ok := btn[b]; !ok {
					t.Errorf("button %s missing (buttons %v)", b, btn)
				}
			}
		})
	}
	t.Run("empty ref", func(t *testing.T) {
		d := newTestDesk(t, newFakeSlack(t), testRoster())
		if err := d.UpdateEscalation(context.Background(), "", hostileEscalation()); !errors.Is(err, bot.ErrInvalid) {
			t.Errorf("err = %v, want ErrInvalid", err)
		}
	})
	// A post deleted in Slack, or one Slack no longer lets the bot edit,
	// is reported as not found, and not as worth retrying: the engine posts
	// the escalation again instead of retrying the update for ever.
	for _, gone := range []string{"message_not_found", "cant_update_message"} {
		t.Run(gone, func(t *testing.T) {
			f := newFakeSlack(t)
			d := newTestDesk(t, f, testRoster())
			f.deletePost("1700000000.000009", gone)
			err := d.UpdateEscalation(context.Background(), "1700000000.000009", hostileEscalation())
			var r bot.Retryable
			if !errors.Is(err, bot.ErrNotFound) || (errors.As(err, &r) && r.Retryable()) || !strings.Contains(err.Error(), gone) {
				t.Errorf("err = %v, want a permanent bot.ErrNotFound naming %s", err, gone)
			}
		})
	}
	t.Run("desk channel gone", func(t *testing.T) {
		f := newFakeSlack(t)
		cfg := f.config()
		cfg.DeskChannel = "CNOTTHERE"
		d, err := New(cfg, testBotToken, testAppToken, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.UpdateEscalation(context.Background(), "1700000000.000009", hostileEscalation()); !errors.Is(err, bot.ErrDeskUnavailable) || errors.Is(err, bot.ErrNotFound) {
			t.Errorf("err = %v, want channel_not_found as bot.ErrDeskUnavailable, not bot.ErrNotFound", err)
		}
	})
	t.Run("a refusal of this post only", func(t *testing.T) {
		f := newFakeSlack(t)
		d := newTestDesk(t, f, testRoster())
		f.deletePost("1700000000.000009", "msg_too_long")
		err := d.UpdateEscalation(context.Background(), "1700000000.000009", hostileEscalation())
		if err == nil || errors.Is(err, bot.ErrNotFound) || errors.Is(err, bot.ErrDeskUnavailable) {
			t.Errorf("err = %v, want msg_too_long as neither bot.ErrNotFound nor bot.ErrDeskUnavailable", err)
		}
	})
}

func TestNotify(t *testing.T) {
	f := newFakeSlack(t)
	d := newTestDesk(t, f, testRoster())
	ctx := context.Background()

	ref, err := d.Notify(ctx, bot.Notice{Kind: bot.NoticeReminder, StaffID: "sam", Lang: bot.English, Text: "Still waiting <!here>", DeskRef: "1700000000.000100"})
	if err != nil {
		t.Fatal(err)
	}
	c := f.callsTo("chat.postMessage")[0]
	if ref != "1700000000.000001" || c.Form.Get("thread_ts") != "1700000000.000100" {
		t.Errorf("ref %q thread_ts %q: want a reply in the escalation's thread", ref, c.Form.Get("thread_ts"))
	}
	if all := everything(c); !strings.Contains(all, "<@USAM> Still waiting &lt;!here&gt;") || strings.Contains(all, "<!here>") {
		t.Errorf("reminder text:\n%s", all)
	}

	if _, err := d.Notify(ctx, bot.Notice{Kind: bot.NoticePhase, Text: "Phase: replies"}); err != nil {
		t.Fatal(err)
	}
	if c := f.callsTo("chat.postMessage")[1]; c.Form.Has("thread_ts") {
		t.Errorf("a notice without DeskRef went to a thread")
	}

	if _, err := d.Notify(ctx, bot.Notice{Kind: bot.NoticeMismatch, StaffID: "marie", AnswerID: 44, Text: "Langue?", DeskRef: "1.2"}); err != nil {
		t.Fatal(err)
	}
	c = f.callsTo("chat.postMessage")[2]
	btn := buttonsOf(t, c)
	if btn[actSendAnyway] != "44" || btn[actTranslate] != "44" {
		t.Errorf("mismatch buttons = %v, want send anyway / translate for answer 44", btn)
	}
	if !strings.Contains(everything(c), "Envoyer quand même") {
		t.Errorf("mismatch buttons not in Marie's French")
	}

	if _, err := d.Notify(ctx, bot.Notice{Kind: bot.NoticeRefused, DeskUserID: "UOUT", Text: "Not on the roster", DeskRef: "1.2"}); err != nil {
		t.Fatal(err)
	}
	if all := everything(f.callsTo("chat.postMessage")[3]); !strings.Contains(all, "<@UOUT> Not on the roster") {
		t.Errorf("refusal does not mention its author:\n%s", all)
	}
}

// A notice that escaping makes longer than a section still posts: a
// citizen's words quoted in both languages (a request for the answer in
// their language), or a long text, are shortened on their escaped text,
// each language saying so in that language, and the mention is kept.
func TestNotifyFitsASection(t *testing.T) {
	words := strings.Repeat("&", 300) // as many as the engine quotes, 1500 once escaped
	en := "A citizen asked for the answer to question 12 in French (they wrote: “" + words + "”). The question is waiting again."
	fr := "Une personne a demandé la réponse à la question nº 12 en français (elle a écrit : « " + words + " »). La question est de nouveau en attente."
	tests := []struct {
		name  string
		n     bot.Notice
		shows []string
	}{
		{"citizen's words in both languages", bot.Notice{Kind: bot.NoticeLangRequest, DeskUserID: "UOUT", DeskRef: "1.2",
			Text: en + "\n" + fr, Parts: []bot.Part{{Lang: bot.English, Text: en}, {Lang: bot.French, Text: fr}}},
			[]string{"<@UOUT> A citizen asked", "&amp;&amp;", "(shortened)", "\nUne personne a demandé", "(texte abrégé)"}},
		{"long text in one language", bot.Notice{Kind: bot.NoticeInfo, StaffID: "marie", Lang: bot.French, Text: strings.Repeat("&", 4000)},
			[]string{"<@UMARIE> &amp;&amp;", "(texte abrégé)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlack(t)
			d := newTestDesk(t, f, testRoster())
			if _, err := d.Notify(context.Background(), tt.n); err != nil {
				t.Fatal(err)
			}
			c := f.callsTo("chat.postMessage")[0]
			for i, s := range sectionTexts(t, blocksOf(t, c)) {
				if n := len(utf16.Encode([]rune(s))); n > maxSectionChars {
					t.Errorf("text %d is %d UTF-16 code units, Slack may refuse more than %d", i, n, maxSectionChars)
				}
			}
			all := everything(c)
			for _, want := range tt.shows {
				if !strings.Contains(all, want) {
					t.Errorf("the notice lacks %q:\n%s", want, all)
				}
			}
			if strings.Contains(all, "&&") {
				t.Errorf("the citizen's words are not escaped:\n%s", all)
			}
		})
	}
}

func TestWebAPIRateLimit(t *testing.T) {
	ctx := context.Background()
	t.Run("retried after Retry-After", func(t *testing.T) {
		f := newFakeSlack(t)
		d := newTestDesk(t, f, testRoster())
		f.rateLimit("chat.postMessage", "0", "1")
		if _, err := d.PostEscalation(ctx, hostileEscalation()); err != nil {
			t.Fatalf("PostEscalation after two 429s: %v", err)
		}
		if n := len(f.callsTo("chat.postMessage")); n != 1 {
			t.Errorf("posted %d times, want 1", n)
		}
	})
	t.Run("capped retries then retryable", func(t *testing.T) {
		f := newFakeSlack(t)
		d := newTestDesk(t, f, testRoster())
		f.rateLimit("chat.postMessage", "0", "0", "0", "0", "0")
		_, err := d.PostEscalation(ctx, hostileEscalation())
		var r bot.Retryable
		if !errors.As(err, &r) || !r.Retryable() {
			t.Fatalf("err = %v, want a bot.Retryable error", err)
		}
		if len(f.callsTo("chat.postMessage")) != 0 {
			t.Errorf("a rate-limited call was recorded as posted")
		}
		f.mu.Lock()
		left := len(f.limited["chat.postMessage"])
		f.mu.Unlock()
		if left != 5-(maxRetries+1) {
			t.Errorf("attempts = %d, want %d", 5-left, maxRetries+1)
		}
	})
	t.Run("long Retry-After handed back at once", func(t *testing.T) {
		f := newFakeSlack(t)
		d := newTestDesk(t, f, testRoster())
		f.rateLimit("chat.update", "3600")
		err := d.UpdateEscalation(ctx, "1.1", hostileEscalation())
		var r bot.Retryable
		if !errors.As(err, &r) || !r.Retryable() || !strings.Contains(err.Error(), "1h0m0s") {
			t.Fatalf("err = %v, want a retryable error naming the wait", err)
		}
	})
	t.Run("permanent error", func(t *testing.T) {
		f := newFakeSlack(t)
		cfg := f.config()
		cfg.DeskChannel = "CNOTTHERE"
		d, err := New(cfg, testBotToken, testAppToken, Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = d.PostEscalation(ctx, hostileEscalation())
		var r bot.Retryable
		if err == nil || errors.As(err, &r) || !strings.Contains(err.Error(), "channel_not_found") {
			t.Fatalf("err = %v, want a permanent channel_not_found", err)
		}
		// It concerns every post, not this one: the engine stops its round.
		if !errors.Is(err, bot.ErrDeskUnavailable) {
			t.Errorf("err = %v, want bot.ErrDeskUnavailable", err)
		}
		// A notice too: it waits for the desk to be mended.
		if _, err := d.Notify(ctx, bot.Notice{Kind: bot.NoticeReminder, Text: "x"}); !errors.Is(err, bot.ErrDeskUnavailable) || !strings.Contains(err.Error(), "channel_not_found") {
			t.Errorf("notice: err = %v, want channel_not_found as bot.ErrDeskUnavailable", err)
		}
	})
	t.Run("server down is retryable", func(t *testing.T) {
		f := newFakeSlack(t)
		d := newTestDesk(t, f, testRoster())
		f.srv.Close()
		_, err := d.Notify(ctx, bot.Notice{Text: "x"})
		var r bot.Retryable
		if !errors.As(err, &r) {
			t.Fatalf("err = %v, want retryable", err)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		f := newFakeSlack(t)
		d := newTestDesk(t, f, testRoster())
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := d.Notify(cctx, bot.Notice{Text: "x"}); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
}

func TestNewRefusesBadConfigAndTokens(t *testing.T) {
	_, err := New(Config{DeskChannel: "#desk", APIURL: "ftp://x", Command: "liaison"}, "xoxp-secret-user", "", Options{})
	if err == nil {
		t.Fatal("New accepted a bad config")
	}
	msg := err.Error()
	for _, want := range []string{"slack.desk_channel", "slack.api_url", "slack.command", EnvBotToken, EnvAppToken} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q: %v", want, msg)
		}
	}
	if strings.Contains(msg, "secret") {
		t.Errorf("error shows a token: %v", msg)
	}
	d, err := New(Config{DeskChannel: testDesk}, testBotToken, testAppToken, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Name() != "slack" || d.cfg.command() != DefaultCommand || d.cfg.apiURL() != "https://slack.com/api/" {
		t.Errorf("defaults: name %q command %q api %q", d.Name(), d.cfg.command(), d.cfg.apiURL())
	}
}

func TestRunNeedsAHandlerAndRunsOnce(t *testing.T) {
	f := newFakeSlack(t)
	d := newTestDesk(t, f, nil)
	if err := d.Run(context.Background(), nil); err == nil {
		t.Error("Run accepted a nil handler")
	}
	h := &recHandler{roster: testRoster()}
	runDesk(t, f, d, h)
	if err := d.Run(context.Background(), h); err == nil {
		t.Error("a second Run was accepted")
	}
	// Once running, the engine's roster replaces Options.Roster.
	if _, ok := d.roster().ByID("marie"); !ok {
		t.Error("the handler's roster is not used")
	}
	_ = time.Second
}

// A post that Slack took but whose answer was lost is not made twice: the
// retry finds it in the channel's history by its metadata.
func TestPostEscalationNotRepeatedWhenItsAnswerIsLost(t *testing.T) {
	ctx := context.Background()
	f := newFakeSlack(t)
	d := newTestDesk(t, f, testRoster())
	e := hostileEscalation()
	f.loseAnswers("chat.postMessage", 1)
	_, err := d.PostEscalation(ctx, e)
	var r bot.Retryable
	if err == nil || !errors.As(err, &r) || !r.Retryable() {
		t.Fatalf("first attempt: err = %v, want a retryable error", err)
	}
	ref, err := d.PostEscalation(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	posts := f.callsTo("chat.postMessage")
	if len(posts) != 1 || ref != posts[0].TS {
		t.Fatalf("%d posts, ref %q: want the one post (%v) reused", len(posts), ref, posts)
	}
	var meta map[string]any
	if err := json.Unmarshal([]byte(posts[0].Form.Get("metadata")), &meta); err != nil || meta["event_type"] != "liaison_escalation" {
		t.Errorf("post metadata = %q, want liaison_escalation", posts[0].Form.Get("metadata"))
	}
	hist := f.callsTo("conversations.history")
	if len(hist) != 1 || hist[0].Form.Get("include_all_metadata") != "1" || hist[0].Form.Get("channel") != testDesk {
		t.Errorf("history calls = %+v", hist)
	}
	if u := f.callsTo("chat.update"); len(u) != 1 || u[0].TS != ref {
		t.Errorf("the reused post was not refreshed: %+v", u)
	}
	// Once found, the next escalation posts without looking.
	e2 := hostileEscalation()
	e2.ID = 13
	if _, err := d.PostEscalation(ctx, e2); err != nil {
		t.Fatal(err)
	}
	if n := len(f.callsTo("conversations.history")); n != 1 {
		t.Errorf("history looked up %d times, want only for the unsure post", n)
	}
}

// After a restart, an escalation created before the restarted desk, which
// the process before may have posted, is looked for before it is posted,
// however quickly the process came back; a new one is posted at once.
func TestPostEscalationAfterRestartFindsTheEarlierPost(t *testing.T) {
	tests := []struct {
		name string
		age  time.Duration // of the escalation when the desk restarts
	}{
		{"two minutes old", 2 * time.Minute},
		{"a crash right after posting", 3 * time.Second},
		{"a crash in the second it was created", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFakeSlack(t)
			e := hostileEscalation()
			e.CreatedAt = testClock().Add(-tt.age)
			first, err := newTestDesk(t, f, testRoster()).PostEscalation(ctx, e)
			if err != nil {
				t.Fatal(err)
			}
			restarted := newTestDesk(t, f, testRoster())
			again, err := restarted.PostEscalation(ctx, e)
			if err != nil {
				t.Fatal(err)
			}
			if again != first || len(f.callsTo("chat.postMessage")) != 1 {
				t.Fatalf("ref %q after restart, first %q, %d posts: want the first post reused", again, first, len(f.callsTo("chat.postMessage")))
			}
			// One created before the restart but never posted is posted
			// after the look-up.
			other := hostileEscalation()
			other.ID, other.CreatedAt = 14, e.CreatedAt
			if ref, err := restarted.PostEscalation(ctx, other); err != nil || ref == first || len(f.callsTo("chat.postMessage")) != 2 {
				t.Fatalf("ref %q (%v), %d posts: want a new post", ref, err, len(f.callsTo("chat.postMessage")))
			}
			// One created since is posted without looking.
			looked := len(f.callsTo("conversations.history"))
			fresh := hostileEscalation()
			fresh.ID, fresh.CreatedAt = 15, testClock().Add(2*time.Second)
			if _, err := restarted.PostEscalation(ctx, fresh); err != nil {
				t.Fatal(err)
			}
			if n := len(f.callsTo("conversations.history")); n != looked || len(f.callsTo("chat.postMessage")) != 3 {
				t.Errorf("a new escalation: %d history look-ups (want %d), %d posts (want 3)", n, looked, len(f.callsTo("chat.postMessage")))
			}
		})
	}
}

// An earlier post found after a restart is not used again when Slack no
// longer lets the bot edit it (or it was deleted): it could never show the
// escalation's state, so the escalation is posted anew.
func TestPostEscalationAfterRestartSkipsAnUneditablePost(t *testing.T) {
	for _, gone := range []string{"message_not_found", "cant_update_message"} {
		t.Run(gone, func(t *testing.T) {
			ctx := context.Background()
			f := newFakeSlack(t)
			e := hostileEscalation()
			e.CreatedAt = testClock().Add(-time.Minute)
			first, err := newTestDesk(t, f, testRoster()).PostEscalation(ctx, e)
			if err != nil {
				t.Fatal(err)
			}
			f.deletePost(first, gone)
			again, err := newTestDesk(t, f, testRoster()).PostEscalation(ctx, e)
			if err != nil {
				t.Fatal(err)
			}
			if again == first || len(f.callsTo("chat.postMessage")) != 2 {
				t.Errorf("ref %q after restart, first %q, %d posts: want a new post", again, first, len(f.callsTo("chat.postMessage")))
			}
		})
	}
}

// clock is a test clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// An escalation whose post Slack refuses for what it holds is posted in a
// short form staff can claim and answer, and logged once with Slack's
// error code, never the question; its full post is tried again at its
// updates, after a back-off that doubles, until Slack takes it.
func TestPostEscalationRefusedBySlackIsPostedShort(t *testing.T) {
	ctx := context.Background()
	f := newFakeSlack(t)
	lb := &logBuf{}
	clk := &clock{t: testClock()}
	d, err := New(f.config(), testBotToken, testAppToken, Options{Roster: testRoster(), Now: clk.now,
		Logger: slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	e := hostileEscalation()
	f.refuseBlocks("passport-renewal", "invalid_blocks") // in the suggestions of the full post only

	ref, err := d.PostEscalation(ctx, e)
	if err != nil {
		t.Fatalf("PostEscalation: %v, want the short form posted", err)
	}
	posts := f.callsTo("chat.postMessage")
	if len(posts) != 2 || ref != posts[1].TS {
		t.Fatalf("%d posts, ref %q: want the refused full post, then the short one", len(posts), ref)
	}
	short := everything(posts[1])
	for _, want := range []string{"Slack a refusé d'afficher cette question en entier (erreur `invalid_blocks`)", "&lt;!channel&gt;", "<@UMARIE>", "liaison.claim", "liaison.close", "liaison_escalation"} {
		if !strings.Contains(short, want) {
			t.Errorf("the short post lacks %q:\n%s", want, short)
		}
	}
	if strings.Contains(short, "passport-renewal") {
		t.Errorf("the short post shows the suggestions Slack refused:\n%s", short)
	}
	refusals := func() int { return strings.Count(lb.String(), "invalid_blocks") }
	if n := refusals(); n != 1 {
		t.Errorf("the refusal is logged %d times, want once:\n%s", n, lb.String())
	}
	if log := lb.String(); strings.Contains(log, "clique") || strings.Contains(log, "evil.example") {
		t.Errorf("the log quotes the question:\n%s", log)
	}

	// At once, an update goes to the short form without trying the full.
	e.State, e.ClaimedBy = bot.StateClaimed, "marie"
	if err := d.UpdateEscalation(ctx, ref, e); err != nil {
		t.Fatal(err)
	}
	if u := f.callsTo("chat.update"); len(u) != 1 || !strings.Contains(everything(u[0]), "liaison.refused") {
		t.Fatalf("updates = %d, want one, short", len(u))
	}
	// After the back-off, the full post is tried again, refused, and the
	// short one kept; the back-off doubles: a minute later, no new try.
	clk.add(fullRetryFirst)
	if err := d.UpdateEscalation(ctx, ref, e); err != nil {
		t.Fatal(err)
	}
	clk.add(fullRetryFirst)
	if err := d.UpdateEscalation(ctx, ref, e); err != nil {
		t.Fatal(err)
	}
	u := f.callsTo("chat.update")
	if len(u) != 4 || strings.Contains(everything(u[1]), "liaison.refused") || !strings.Contains(everything(u[2]), "liaison.refused") || !strings.Contains(everything(u[3]), "liaison.refused") {
		t.Fatalf("updates = %d, want the short one, the full one tried again and refused, then the short one twice", len(u))
	}
	if n := refusals(); n != 1 {
		t.Errorf("the refusal is logged %d times, want once:\n%s", n, lb.String())
	}
	// Slack takes it again: once the back-off is over, the post is full.
	f.refuseBlocks("passport-renewal", "")
	clk.add(2 * fullRetryFirst)
	if err := d.UpdateEscalation(ctx, ref, e); err != nil {
		t.Fatal(err)
	}
	u = f.callsTo("chat.update")
	if last := everything(u[len(u)-1]); len(u) != 5 || strings.Contains(last, "liaison.refused") || !strings.Contains(last, "passport-renewal") {
		t.Fatalf("updates = %d, want the full post last", len(u))
	}
	if !strings.Contains(lb.String(), "shown in full again") {
		t.Errorf("the log does not say the post is whole again:\n%s", lb.String())
	}
}

// When Slack refuses even the short form quoting the question, the post
// leaves the question out and says where to read it.
func TestPostEscalationRefusedEvenShortLeavesOutTheQuestion(t *testing.T) {
	f := newFakeSlack(t)
	d := newTestDesk(t, f, testRoster())
	f.refuseBlocks("evil.example", "msg_too_long") // in the question
	ref, err := d.PostEscalation(context.Background(), hostileEscalation())
	if err != nil {
		t.Fatal(err)
	}
	posts := f.callsTo("chat.postMessage")
	if len(posts) != 3 || ref != posts[2].TS {
		t.Fatalf("%d posts, ref %q: want the full one and the short one refused, then one without the question", len(posts), ref)
	}
	last := everything(posts[2])
	if !strings.Contains(last, "même abrégée (erreur `msg_too_long`)") || !strings.Contains(last, "liaison archive export") || !strings.Contains(last, "liaison.claim") {
		t.Errorf("the post without the question does not say why and where to read it:\n%s", last)
	}
	if strings.Contains(last, "!channel") || strings.Contains(last, "clique") {
		t.Errorf("the post still quotes the question:\n%s", last)
	}
}

// The refusals the desk keeps to show a post in its short form do not
// pile up: an escalation's is forgotten once it is closed or relayed to
// every citizen (its post is still rendered short at that update), and
// there are maxRefused at most, the one due again first forgotten first.
func TestRefusedPostsAreNotKeptForever(t *testing.T) {
	ctx := context.Background()
	f := newFakeSlack(t)
	d := newTestDesk(t, f, testRoster())
	kept := func() int {
		d.refusedMu.Lock()
		defer d.refusedMu.Unlock()
		return len(d.refused)
	}
	f.refuseBlocks("passport-renewal", "invalid_blocks")
	for _, end := range []func(e *bot.Escalation){
		func(e *bot.Escalation) { e.State, e.ClosedBy, e.CloseReason = bot.StateClosed, "marie", "spam" },
		func(e *bot.Escalation) {
			e.State, e.AnsweredBy, e.AnsweredAt = bot.StateRelayed, "marie", testClock()
			for i := range e.Askers {
				e.Askers[i].RelayedAt = testClock()
			}
		},
	} {
		e := hostileEscalation()
		e.ID = int64(100 + kept())
		ref, err := d.PostEscalation(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		if kept() != 1 {
			t.Fatalf("refusals kept = %d after a refused post, want 1", kept())
		}
		end(&e)
		if err := d.UpdateEscalation(ctx, ref, e); err != nil {
			t.Fatal(err)
		}
		u := f.callsTo("chat.update")
		if last := everything(u[len(u)-1]); !strings.Contains(last, "liaison.refused") {
			t.Errorf("the last update is not the short form:\n%s", last)
		}
		if n := kept(); n != 0 {
			t.Errorf("refusals kept = %d once the escalation is %s, want none", n, e.State)
		}
	}

	for id := int64(1); id <= maxRefused+10; id++ {
		d.noteRefusal(id, "invalid_blocks")
	}
	if n := kept(); n != maxRefused {
		t.Errorf("refusals kept = %d, want at most %d", n, maxRefused)
	}
}

// Only a refusal of what the post holds makes the desk try its short
// form, and the log says what staff see: a post refused for another
// reason (a workspace restriction) is tried once, and a short form Slack
// refuses too is not said to be shown.
func TestPostEscalationRefusalLoggedAsItEnds(t *testing.T) {
	tests := []struct {
		name, code string
		posts      int
		log, not   string
	}{
		{"not about the content", "restricted_action", 1, "", "short form"},
		{"short form refused too", "invalid_blocks", 3, "its short form could not be posted either", "it is shown in a short form"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlack(t)
			lb := &logBuf{}
			d, err := New(f.config(), testBotToken, testAppToken, Options{Roster: testRoster(), Now: testClock,
				Logger: slog.New(slog.NewTextHandler(lb, nil))})
			if err != nil {
				t.Fatal(err)
			}
			f.refuseBlocks("liaison.meta", tt.code) // in every form of the post
			if _, err := d.PostEscalation(context.Background(), hostileEscalation()); slackCode(err) != tt.code {
				t.Errorf("PostEscalation: %v, want Slack's %s", err, tt.code)
			}
			if n := len(f.callsTo("chat.postMessage")); n != tt.posts {
				t.Errorf("%d posts, want %d", n, tt.posts)
			}
			if log := lb.String(); !strings.Contains(log, tt.log) || strings.Contains(log, tt.not) {
				t.Errorf("log, want %q and not %q:\n%s", tt.log, tt.not, log)
			}
		})
	}
}
