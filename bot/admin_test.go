package bot_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/phases"
)

// auditedSince returns the audit entries written after the first n,
// oldest first.
func (e *env) auditedSince(n int) []bot.AuditEntry {
	e.t.Helper()
	log, err := e.st.AuditLog(e.ctx, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []bot.AuditEntry
	for i := len(log) - n - 1; i >= 0; i-- {
		out = append(out, log[i])
	}
	return out
}

func (e *env) auditCount() int {
	e.t.Helper()
	log, err := e.st.AuditLog(e.ctx, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return len(log)
}

// Who asks is checked before what is asked: someone who may not switch
// phases is refused as such (and audited), and is not shown the channels.
func TestPhaseSwitchChecksWhoAsksFirst(t *testing.T) {
	e := newEnv(t, nil)
	n := e.auditCount()
	for _, who := range []string{unrostered, notALead} {
		_, err := e.eng.SetPhase(e.ctx, bot.PhaseRequest{Actor: bot.Actor{DeskUserID: who}, Phase: phases.Replies, Channel: "mem:nope", Reason: "let me in"})
		if !errors.Is(err, bot.ErrForbidden) || strings.Contains(err.Error(), "mem:help") {
			t.Errorf("%s on an unknown channel: err = %v, want ErrForbidden naming no channel", who, err)
		}
	}
	got := e.auditedSince(n)
	if len(got) != 2 || got[0].Allowed || got[1].Allowed || got[0].Action != "phase.set" || got[0].Target != "mem:nope" {
		t.Errorf("audited %+v, want the two refusals", got)
	}
}

// Every refusal is audited, with its reason, also when the comms lead asks
// for something invalid.
func TestRefusedPhaseSwitchesAndBroadcastsAreAudited(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		name   string
		do     func() error
		action string
		detail string
	}{
		{"broadcast in English only", func() error {
			_, err := e.eng.Broadcast(e.ctx, bot.BroadcastRequest{Actor: bot.Actor{DeskUserID: lead}, EN: "Offices close at noon on Friday."})
			return err
		}, "broadcast.create", "French text is missing"},
		{"broadcast to an unknown channel", func() error {
			_, err := e.eng.Broadcast(e.ctx, bot.BroadcastRequest{Actor: bot.Actor{DeskUserID: lead}, EN: "a", FR: "b", Channels: []bot.ChannelKey{"mem:nowhere"}})
			return err
		}, "broadcast.create", "mem:nowhere"},
		{"phase switch without a reason", func() error {
			_, err := e.eng.SetPhase(e.ctx, bot.PhaseRequest{Actor: bot.Actor{DeskUserID: lead}, Phase: phases.Broadcast, Reason: "  "})
			return err
		}, "phase.set", "reason"},
		{"phase switch in an unknown channel", func() error {
			_, err := e.eng.SetPhase(e.ctx, bot.PhaseRequest{Actor: bot.Actor{DeskUserID: lead}, Phase: phases.Broadcast, Channel: "mem:nope", Reason: "pilot"})
			return err
		}, "phase.set", "mem:nope"},
	}
	for _, tt := range tests {
		n := e.auditCount()
		if err := tt.do(); !errors.Is(err, bot.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", tt.name, err)
		}
		got := e.auditedSince(n)
		if len(got) != 1 || got[0].Allowed || got[0].Actor != "sam" || got[0].Action != tt.action || !strings.Contains(got[0].Detail, tt.detail) {
			t.Errorf("%s: audited %+v, want one refusal by sam naming %q", tt.name, got, tt.detail)
		}
	}
	if got := e.eng.PhaseState(e.ctx).Global; got != phases.Replies {
		t.Errorf("phase changed to %v by refused requests", got)
	}
}

// A refusal explains itself in the language of the person refused: the
// French desk and comms pages show French reasons, the English ones the
// English reasons the logs and audits keep.
func TestRefusalsAreExplainedInBothLanguages(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("ana", goatEN)
	e.tick()
	if _, err := e.eng.Close(e.ctx, d.EscalationID, "U_NADIA", "answered by phone"); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("é", bot.MaxBroadcastRunes+1)
	tests := []struct {
		name   string
		do     func() error
		kind   error
		en, fr []string // each a line of the explanation
	}{
		{"not a comms lead", func() error {
			_, err := e.eng.SetPhase(e.ctx, bot.PhaseRequest{Actor: bot.Actor{DeskUserID: notALead}, Phase: phases.Broadcast, Reason: "pilot"})
			return err
		}, bot.ErrForbidden, []string{"You are not a communications lead."}, []string{"Vous n’êtes pas responsable des communications."}},
		{"not on the roster", func() error {
			_, err := e.eng.Broadcast(e.ctx, bot.BroadcastRequest{Actor: bot.Actor{DeskUserID: unrostered}, EN: "a", FR: "b"})
			return err
		}, bot.ErrForbidden, []string{"You are not on the staff roster."}, []string{"Vous ne figurez pas dans la liste du personnel."}},
		{"no reason", func() error {
			_, err := e.eng.SetPhase(e.ctx, bot.PhaseRequest{Actor: bot.Actor{DeskUserID: lead}, Phase: phases.Broadcast})
			return err
		}, phases.ErrInvalidChange, []string{"A reason is required."}, []string{"Un motif est requis."}},
		{"global phase set to follow itself", func() error {
			_, err := e.eng.SetPhase(e.ctx, bot.PhaseRequest{Actor: bot.Actor{DeskUserID: lead}, Phase: 0, Reason: "pilot over"})
			return err
		}, phases.ErrUnknownPhase, []string{"Only a channel can follow the global phase: name the channel."},
			[]string{"Seul un canal peut suivre la phase globale\u00a0: nommez le canal."}},
		{"unknown phase", func() error {
			_, err := e.eng.SetPhase(e.ctx, bot.PhaseRequest{Actor: bot.Actor{DeskUserID: lead}, Phase: 7, Reason: "pilot"})
			return err
		}, phases.ErrUnknownPhase, []string{"Unknown phase 7. Use broadcast (1), replies (2) or outreach (3)."},
			[]string{"Phase 7 inconnue. Utilisez diffusion (1), réponses (2) ou proactif (3)."}},
		{"every problem of a broadcast", func() error {
			_, err := e.eng.Broadcast(e.ctx, bot.BroadcastRequest{Actor: bot.Actor{DeskUserID: lead}, EN: long, Channels: []bot.ChannelKey{"mem:nowhere"}})
			return err
		}, bot.ErrInvalid,
			[]string{"The French text is missing: every broadcast goes out in both official languages.",
				"The English text has 1801 characters; the limit is 1800.", `Unknown channel "mem:nowhere". Possible channels: mem:help, mem:general, mem:fr.`},
			[]string{"Le texte français est manquant\u00a0: chaque annonce est publiée dans les deux langues officielles.",
				"Le texte anglais compte 1801 caractères; la limite est de 1800.", "Canal «\u00a0mem:nowhere\u00a0» inconnu. Canaux possibles\u00a0: mem:help, mem:general, mem:fr."}},
		{"claim of a closed question", func() error {
			_, err := e.eng.Claim(e.ctx, d.EscalationID, "U_ALEX")
			return err
		}, bot.ErrConflict, []string{fmt.Sprintf("Question %d is closed.", d.EscalationID)}, []string{fmt.Sprintf("La question nº\u00a0%d est fermée.", d.EscalationID)}},
		{"empty answer", func() error {
			_, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_ALEX", EventID: "e1", Text: "  "})
			return err
		}, bot.ErrInvalid, []string{"The answer is empty."}, []string{"La réponse est vide."}},
		{"answer from someone off the roster", func() error {
			_, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: unrostered, EventID: "e2", Text: "yes"})
			return err
		}, bot.ErrForbidden, []string{`Desk user "U_STRANGER" is not on the staff roster.`}, []string{"L’utilisateur «\u00a0U_STRANGER\u00a0» ne figure pas dans la liste du personnel."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if !errors.Is(err, tt.kind) {
				t.Fatalf("err = %v, want %v", err, tt.kind)
			}
			if got, want := bot.Explain(err, bot.English), strings.Join(tt.en, "\n"); got != want {
				t.Errorf("in English:\n%s\nwant:\n%s", got, want)
			}
			if got, want := bot.Explain(err, bot.French), strings.Join(tt.fr, "\n"); got != want {
				t.Errorf("in French:\n%s\nwant:\n%s", got, want)
			}
			for _, line := range tt.en {
				if !strings.Contains(err.Error(), line) {
					t.Errorf("the error %q, for logs and audits, lacks %q", err, line)
				}
			}
		})
	}
	if got := bot.Explain(errors.New("disk full"), bot.French); got != "" {
		t.Errorf("an error that is no refusal is explained as %q", got)
	}
}

// Each phase change is announced on the desk, once, in both languages,
// also when changes follow one another within the same instant.
func TestEveryPhaseChangeIsAnnouncedOnceAtTheSameInstant(t *testing.T) {
	e := newEnv(t, nil)
	e.setPhase(phases.Replies, "mem:help")
	e.setPhase(0, "mem:help")
	e.setPhase(phases.Broadcast, "")
	e.setPhase(phases.Replies, "")
	e.tick()
	e.start()
	e.tick()
	ns := e.desk.noticesOf(bot.NoticePhase)
	if len(ns) != 4 {
		t.Fatalf("%d announcements, want one per change (4)", len(ns))
	}
	for _, n := range ns {
		if !strings.Contains(n.Text, "Reason: test") || !strings.Contains(n.Text, "Motif\u00a0: test") {
			t.Errorf("announcement %q is not in both languages", n.Text)
		}
	}
}

// A phase change that would change nothing (the phase a channel already
// has, ending an override it does not have) is refused in both languages,
// naming the channel by its name, audited as refused, and not announced
// as a switch.
func TestPhaseChangeThatChangesNothingIsRefusedNotAnnounced(t *testing.T) {
	e := newEnv(t, nil)
	e.setPhase(phases.Broadcast, "mem:help")
	e.tick()
	before := len(e.desk.noticesOf(bot.NoticePhase))
	for _, tt := range []struct {
		phase   phases.Phase
		channel bot.ChannelKey
		en, fr  string
	}{
		{phases.Broadcast, "mem:help", `Nothing to change: #help (mem:help) is already in phase "broadcast`, "Rien à changer\u00a0: #help (mem:help) est déjà en phase «\u00a0diffusion"},
		{0, "mem:general", "Nothing to change: #general (mem:general) already follows the global phase.", "Rien à changer\u00a0: #general (mem:general) suit déjà la phase globale."},
		{phases.Replies, "", `Nothing to change: the global phase is already "replies`, "Rien à changer\u00a0: la phase globale est déjà «\u00a0réponses"},
	} {
		_, err := e.eng.SetPhase(e.ctx, bot.PhaseRequest{Actor: bot.Actor{DeskUserID: lead}, Phase: tt.phase, Channel: tt.channel, Reason: "again"})
		var r *bot.Refusal
		if !errors.Is(err, bot.ErrInvalid) || !errors.As(err, &r) || !strings.Contains(r.In(bot.English), tt.en) || !strings.Contains(r.In(bot.French), tt.fr) {
			t.Errorf("phase %d in %q: %v, want a refusal saying %q / %q", tt.phase, tt.channel, err, tt.en, tt.fr)
		}
	}
	e.tick()
	if n := len(e.desk.noticesOf(bot.NoticePhase)); n != before {
		t.Errorf("%d announcements after the refusals, want %d", n, before)
	}
	log, err := e.st.AuditLog(e.ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	refused := 0
	for _, a := range log {
		if a.Action == "phase.set" && !a.Allowed && strings.Contains(a.Detail, "Nothing to change") {
			refused++
		}
	}
	if refused != 3 {
		t.Errorf("%d refusals audited, want 3: %+v", refused, log)
	}
}

// A channel removed from the configuration keeps the override it had in
// the store: ending it is allowed (or it would apply again, unseen, were
// the channel configured anew), setting a phase there is not.
func TestOverrideOfAChannelRemovedFromTheConfigCanBeEnded(t *testing.T) {
	e := newEnv(t, func(c *bot.Config) {
		c.Channels = append(c.Channels, bot.ChannelConfig{Key: "mem:pilot", Name: "#pilot"})
	})
	e.setPhase(phases.Broadcast, "")
	e.setPhase(phases.Replies, "mem:pilot")
	e.cfg.Channels = defaultChannels()
	e.start()
	_, err := e.eng.SetPhase(e.ctx, bot.PhaseRequest{Actor: bot.Actor{DeskUserID: lead}, Phase: phases.Outreach, Channel: "mem:pilot", Reason: "pilot"})
	if !errors.Is(err, bot.ErrInvalid) || !strings.Contains(err.Error(), "Unknown channel") {
		t.Errorf("setting a phase in a channel no longer configured: err = %v, want ErrInvalid", err)
	}
	c, err := e.eng.SetPhase(e.ctx, bot.PhaseRequest{Actor: bot.Actor{DeskUserID: lead}, Channel: "mem:pilot", Reason: "pilot over"})
	if err != nil || c.From != phases.Replies || c.To != 0 {
		t.Fatalf("ending the override: %+v, %v", c, err)
	}
	if st := e.eng.PhaseState(e.ctx); len(st.Overrides) != 0 || st.For("mem:pilot") != phases.Broadcast {
		t.Errorf("state = %+v, want no override left", st)
	}
	if _, err := e.eng.SetPhase(e.ctx, bot.PhaseRequest{Actor: bot.Actor{DeskUserID: lead}, Channel: "mem:pilot", Reason: "again"}); !errors.Is(err, bot.ErrInvalid) {
		t.Errorf("ending it twice: err = %v, want ErrInvalid", err)
	}
}

// The announcement of a phase change in one channel names it as staff
// know it, by its configured name with its key after it, in both
// languages; a channel whose name is its key, or no longer configured, is
// named by its key alone. The audit keeps the key.
func TestPhaseChangeAnnouncementNamesTheChannelByItsName(t *testing.T) {
	e := newEnv(t, func(c *bot.Config) {
		c.Channels = append(c.Channels, bot.ChannelConfig{Key: "mem:plain", Name: "mem:plain"},
			bot.ChannelConfig{Key: "mem:pilot", Name: "#pilot"})
	})
	n := e.auditCount()
	e.setPhase(phases.Broadcast, "mem:help")
	if got := e.auditedSince(n); len(got) != 1 || got[0].Target != "mem:help" {
		t.Errorf("audited %+v, want one entry with the key mem:help as target", got)
	}
	e.setPhase(phases.Broadcast, "mem:plain")
	e.setPhase(phases.Outreach, "mem:pilot")
	e.cfg.Channels = defaultChannels()
	e.start()
	e.setPhase(0, "mem:pilot")
	e.tick()
	ns := e.desk.noticesOf(bot.NoticePhase)
	want := [][2]string{
		{"in #help (mem:help) to", "dans #help (mem:help) à"},
		{"in mem:plain to", "dans mem:plain à"},
		{"in #pilot (mem:pilot) to", "dans #pilot (mem:pilot) à"},
		{"override in mem:pilot:", "propre à mem:pilot\u00a0:"},
	}
	if len(ns) != len(want) {
		t.Fatalf("%d announcements, want %d", len(ns), len(want))
	}
	for i, w := range want {
		if !strings.Contains(ns[i].Text, w[0]) || !strings.Contains(ns[i].Text, w[1]) {
			t.Errorf("announcement %q, want it to say %q and %q", ns[i].Text, w[0], w[1])
		}
	}
}

// An empty answer is refused and audited like every other refused desk
// action, with who wrote it and the question it was for; nothing is
// recorded as an answer and the question still waits.
func TestEmptyAnswerIsRefusedAndAudited(t *testing.T) {
	e := newEnv(t, nil)
	d := e.ask("ana", goatEN)
	e.tick()
	for _, tt := range []struct{ who, actor string }{{"U_ALEX", "alex"}, {unrostered, unrostered}} {
		n := e.auditCount()
		_, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: tt.who, EventID: "empty-" + tt.who, Text: " \n\t "})
		if !errors.Is(err, bot.ErrInvalid) {
			t.Fatalf("%s: err = %v, want ErrInvalid", tt.who, err)
		}
		got := e.auditedSince(n)
		if len(got) != 1 || got[0].Allowed || got[0].Actor != tt.actor || got[0].Action != "escalation.answer" ||
			got[0].Target != fmt.Sprintf("escalation:%d", d.EscalationID) || !strings.Contains(got[0].Detail, "The answer is empty.") {
			t.Errorf("%s: audited %+v, want one refusal of the empty answer by %s", tt.who, got, tt.actor)
		}
	}
	esc, err := e.eng.Escalation(e.ctx, d.EscalationID)
	if err != nil {
		t.Fatal(err)
	}
	if !esc.State.Waiting() {
		t.Errorf("escalation is %s after empty answers, want still waiting", esc.State)
	}
	// A thread that is no escalation is staff talk: nothing to audit.
	n := e.auditCount()
	if _, err := e.eng.Answer(e.ctx, bot.DeskAnswer{DeskRef: "no-such-thread", DeskUserID: "U_ALEX", Text: " "}); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("empty reply in a thread that is no escalation: err = %v, want ErrNotFound", err)
	}
	if got := e.auditedSince(n); len(got) != 0 {
		t.Errorf("empty reply in a thread that is no escalation audited %+v", got)
	}
}

// Ending a channel's override is announced as such, with the global phase
// the channel now follows, in a sentence that reads in both languages
// (not "changed the rollout phase to follows the global phase").
func TestEndOfAnOverrideIsAnnouncedWithTheGlobalPhaseItFollows(t *testing.T) {
	e := newEnv(t, nil)
	e.setPhase(phases.Broadcast, "mem:help")
	e.setPhase(0, "mem:help")
	e.tick()
	ns := e.desk.noticesOf(bot.NoticePhase)
	if len(ns) != 2 {
		t.Fatalf("%d announcements, want 2", len(ns))
	}
	got := ns[1].Text
	for _, want := range []string{
		"Sam Tremblay ended the phase override in #help (mem:help): it now follows the global phase, replies (2) (previously broadcast only (1)). Reason: test",
		"Sam Tremblay a retiré la phase propre à #help (mem:help)\u00a0: ce canal suit maintenant la phase globale, «\u00a0réponses (2)\u00a0» (auparavant\u00a0: «\u00a0diffusion seulement (1)\u00a0»). Motif\u00a0: test",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("announcement %q, want it to say %q", got, want)
		}
	}
}

// A global switch while a channel keeps its own phase does not say the new
// phase applies everywhere: the announcement names the channels that keep
// theirs, so nobody takes the pilot channel for stopped (or started).
func TestGlobalSwitchAnnouncementNamesTheChannelsKeepingTheirPhase(t *testing.T) {
	e := newEnv(t, nil)
	e.setPhase(phases.Replies, "mem:help")
	e.setPhase(phases.Broadcast, "")
	e.tick()
	n := e.desk.noticesOf(bot.NoticePhase)
	if len(n) != 2 || len(n[1].Parts) != 2 {
		t.Fatalf("phase notices %+v, want two, each in both languages", n)
	}
	want := []string{
		"Sam Tremblay changed the global rollout phase to broadcast only (1) (previously replies (2)). " +
			"These channels keep their own phase: #help (mem:help) in replies (2). Reason: test",
		"Sam Tremblay a fait passer la phase de déploiement globale à «\u00a0diffusion seulement (1)\u00a0» (auparavant\u00a0: «\u00a0réponses (2)\u00a0»). " +
			"Ces canaux conservent leur propre phase\u00a0: #help (mem:help) en «\u00a0réponses (2)\u00a0». Motif\u00a0: test",
	}
	for i, p := range n[1].Parts {
		if p.Text != want[i] {
			t.Errorf("%s announcement:\n got %q\nwant %q", p.Lang, p.Text, want[i])
		}
	}
	// Without overrides, the new phase does apply everywhere, and says so.
	e.setPhase(0, "mem:help")
	e.setPhase(phases.Replies, "")
	e.tick()
	n = e.desk.noticesOf(bot.NoticePhase)
	if got := n[len(n)-1].Parts[0].Text; !strings.Contains(got, "to replies (2) everywhere") {
		t.Errorf("announcement without overrides: %q", got)
	}
}

// Phase 3 is not built: a switch to it, globally, in one channel, or by a
// channel returning to a global phase 3, tells staff in both languages that
// the bot behaves as in phase 2, so nobody waits for outreach that never
// comes. A switch to another phase says nothing of it.
func TestSwitchToOutreachSaysItBehavesAsReplies(t *testing.T) {
	e := newEnv(t, nil)
	e.setPhase(phases.Outreach, "")
	e.setPhase(phases.Broadcast, "mem:help")
	e.setPhase(phases.Outreach, "mem:help")
	e.setPhase(0, "mem:help")
	e.setPhase(phases.Replies, "mem:fr")
	e.tick()
	n := e.desk.noticesOf(bot.NoticePhase)
	if len(n) != 5 {
		t.Fatalf("%d phase notices, want 5", len(n))
	}
	en, fr := e.msgs.Text(bot.English, bot.MsgPhaseOutreachNote, nil), e.msgs.Text(bot.French, bot.MsgPhaseOutreachNote, nil)
	for i, says := range []bool{true, false, true, true, false} {
		if len(n[i].Parts) != 2 {
			t.Fatalf("notice %d parts %+v", i, n[i].Parts)
		}
		gotEN, gotFR := n[i].Parts[0].Text, n[i].Parts[1].Text
		if strings.Contains(gotEN, en) != says || strings.Contains(gotFR, fr) != says {
			t.Errorf("notice %d (says it behaves as phase 2: %v):\n%s\n%s", i, says, gotEN, gotFR)
		}
		if !strings.HasSuffix(gotEN, "Reason: test") || !strings.HasSuffix(gotFR, "Motif\u00a0: test") {
			t.Errorf("notice %d does not end with its reason:\n%s\n%s", i, gotEN, gotFR)
		}
	}
	if !strings.Contains(en, "phase 2") || !strings.Contains(fr, "phase 2") {
		t.Errorf("the note does not name phase 2: %q, %q", en, fr)
	}
}

// A channel is named in either language, in any case, with or without
// its "#", and with or without accents: a keyboard without them still
// names « #général ».
func TestChannelNamedWithOrWithoutAccents(t *testing.T) {
	c := bot.ChannelConfig{Key: "test:general", Name: "#general", NameFR: "#général"}
	for _, s := range []string{"general", "#General", "général", "#GÉNÉRAL", "generál"} {
		if !c.Named(s) {
			t.Errorf("%q does not name %+v", s, c)
		}
	}
	e := bot.ChannelConfig{Key: "web:events", Name: "Events", NameFR: "Événements"}
	for _, s := range []string{"evenements", "#événements", "EVENTS"} {
		if !e.Named(s) {
			t.Errorf("%q does not name %+v", s, e)
		}
	}
	for _, s := range []string{"", "#", "gen", "generale", "help"} {
		if c.Named(s) {
			t.Errorf("%q names %+v", s, c)
		}
	}
}
