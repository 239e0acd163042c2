package bot_test

import (
	"bytes"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/i18n"
	"github.com/liaison-gc/liaison/phases"
)

// logBuffer collects an engine's log lines; delivery logs from several
// goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A comms lead switches a channel to phase 1 to stop the bot talking there.
// Replies decided under phase 2 and still in the outbox (rate limited) are
// checked again when sent: the bot's own answer and notice are withheld,
// kept with what they would have said, audited and logged without the
// citizen's words, and never tried again; the acknowledgement of a question
// already escalated and the staff answer still reach the citizen, in
// order. A channel left in phase 2 gets its answer.
func TestRepliesQueuedBeforeASwitchToBroadcastAreWithheldButStaffCommitmentsGoOut(t *testing.T) {
	e := newEnv(t, nil)
	logs := &logBuffer{}
	var err error
	e.eng, err = bot.New(e.cfg, bot.Deps{Store: e.st, Knowledge: e.kb, Messages: e.msgs, Detect: i18n.Detect,
		Channels: []bot.Channel{e.ch}, Desk: e.desk, Now: e.clock.Now,
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	limited := true
	e.ch.fail = func(to bot.Address, r bot.Reply) error {
		if limited {
			return errors.New("429 Too Many Requests: you are being rate limited")
		}
		return nil
	}
	const partisan = "Pour qui voter aux prochaines élections, les libéraux ou les conservateurs?"
	if d := e.ask("ana", renewEN); d.Action != bot.ActAnswer {
		t.Fatalf("ana: %+v, want an answer", d)
	}
	esc := e.ask("ben", goatEN)
	if esc.Action != bot.ActEscalate {
		t.Fatalf("ben: %+v, want an escalation", esc)
	}
	if d := e.ask("chloe", partisan); d.Action != bot.ActNotice {
		t.Fatalf("chloe: %+v, want the partisan notice", d)
	}
	m := e.msg("general", "dan", "@liaison "+renewEN, "g1")
	m.Mentioned = true
	if d, err := e.eng.HandleMessage(e.ctx, m); err != nil || d.Action != bot.ActAnswer {
		t.Fatalf("dan in #general: %+v %v, want an answer", d, err)
	}
	e.tick() // rate limited: every reply stays in the outbox
	if _, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: esc.EscalationID, DeskUserID: "U_ALEX", EventID: "a1",
		Text: "Only service animals may attend the ceremony."}); err != nil {
		t.Fatal(err)
	}
	e.setPhase(phases.Broadcast, "mem:help")

	limited = false
	e.clock.Advance(time.Minute)
	e.tick()
	e.clock.Advance(time.Hour)
	e.tick() // withheld replies are not tried again
	// Order is kept within a channel; channels are delivered side by side.
	var got []string
	for _, ch := range []string{"general", "help"} {
		for _, s := range e.ch.all() {
			if s.To.ChannelID == ch {
				got = append(got, s.To.ChannelID+" "+s.To.UserID+" "+string(s.Reply.Kind))
			}
		}
	}
	want := []string{"general dan answer", "help ben ack", "help ben relay"}
	if !slices.Equal(got, want) {
		t.Fatalf("after the switch of #help to phase 1, sent %q; want %q", got, want)
	}
	if x, _ := e.eng.Escalation(e.ctx, esc.EscalationID); x.State != bot.StateRelayed {
		t.Errorf("escalation %s, want relayed", x.State)
	}

	audit, err := e.st.AuditLog(e.ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	withheld := map[bot.ReplyKind]bot.Outgoing{}
	for _, a := range audit {
		if a.Action != "reply.send" {
			continue
		}
		if a.Allowed || a.Actor != "engine" || !strings.Contains(a.Detail, "mem:help is in phase 1 (broadcast)") {
			t.Errorf("audit entry %+v", a)
		}
		id, err := strconv.ParseInt(strings.TrimPrefix(a.Target, "outgoing:"), 10, 64)
		if err != nil {
			t.Fatalf("audit target %q: %v", a.Target, err)
		}
		it, err := e.st.Outgoing(e.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if it.State != bot.OutWithheld || it.Reply.Text == "" || it.Err != a.Detail || !it.SentAt.IsZero() {
			t.Errorf("withheld item %+v, want it kept as withheld with its text and the reason", it)
		}
		withheld[it.Reply.Kind] = it
	}
	if len(withheld) != 2 || withheld[bot.KindAnswer].To.UserID != "ana" || withheld[bot.KindNotice].To.UserID != "chloe" {
		t.Errorf("withheld %+v, want ana's answer and chloe's notice, each audited once", withheld)
	}
	out := logs.String()
	if n := strings.Count(out, "reply withheld"); n != 2 {
		t.Errorf("%d withheld replies logged, want 2:\n%s", n, out)
	}
	for _, said := range []string{renewEN, partisan, "renew my", "voter"} {
		if strings.Contains(strings.ToLower(out), strings.ToLower(said)) {
			t.Errorf("the log holds citizen text %q:\n%s", said, out)
		}
	}
}
