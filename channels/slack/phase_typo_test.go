package slack

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/phases"
)

// A first word one letter away from a channel's name ("hepl", « aid »,
// "genral") is a mistyped channel, not the start of a reason: switching
// every channel for it would put the whole service in a phase meant for
// one pilot channel. It is refused, naming the channel it looks like, and
// audited; nothing changes. A word that names no channel and looks like
// none still starts the reason of a global switch.
func TestEndToEndPhaseCommandRefusesAMistypedChannel(t *testing.T) {
	f := newFakeSlack(t)
	s := startWithLead(t, f, helpAndGeneral...)
	f.conn(1)
	ctx := context.Background()
	for i, tt := range []struct {
		user, text string
		want       string
		changed    bool
	}{
		{"UALEX", "phase broadcast hepl pause during the outage", "#help", false},
		{"UALEX", "phase broadcast genral pause during the outage", "#general", false},
		{"UMARIE", "phase diffusion aid pause pendant la panne", "#aide", false},
		{"UMARIE", "phase diffusion génral pause pendant la panne", "#général", false},
		// Far from every name: the reason of a global switch, as before.
		{"UALEX", "phase broadcast outage in progress", "The global phase is now *broadcast*", true},
	} {
		before, err := s.st.PhaseState(ctx, phases.Replies)
		if err != nil {
			t.Fatal(err)
		}
		n := len(phaseAudit(t, s))
		id := fmt.Sprintf("t%d", i)
		f.send(slashEnvelope(id, tt.user, tt.text))
		text := ackText(t, f.ack(id, 1))
		if !strings.Contains(text, tt.want) {
			t.Errorf("%q: reply does not say %q:\n%s", tt.text, tt.want, text)
		}
		after, err := s.st.PhaseState(ctx, phases.Replies)
		if err != nil {
			t.Fatal(err)
		}
		if changed := after.Global != before.Global || len(after.Channels()) != len(before.Channels()); changed != tt.changed {
			t.Errorf("%q: phases %+v -> %+v, want changed %v", tt.text, before, after, tt.changed)
		}
		if got := phaseAudit(t, s); len(got) != n+1 || got[len(got)-1].Allowed != tt.changed {
			t.Errorf("%q: audit %+v, want one more entry, allowed %v", tt.text, got[n:], tt.changed)
		}
	}
}

// phaseAudit is the audit log's phase.set entries, oldest first.
func phaseAudit(t *testing.T, s *system) []bot.AuditEntry {
	t.Helper()
	log, err := s.st.AuditLog(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []bot.AuditEntry
	for _, e := range log {
		if e.Action == "phase.set" {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b bot.AuditEntry) int { return a.At.Compare(b.At) })
	return out
}

func TestOneEditApart(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"hepl", "help", true}, {"halp", "help", true}, {"helpp", "help", true}, {"hel", "help", true},
		{"aid", "aide", true}, {"genral", "general", true},
		{"help", "help", false}, {"hlpe", "help", false}, {"outage", "help", false}, {"he", "help", false},
	} {
		if got := oneEditApart([]rune(tt.a), []rune(tt.b)); got != tt.want {
			t.Errorf("oneEditApart(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// A name two channels share (a web room "Help" and a Discord #help) does
// not pick one of them: the switch is refused, naming both with their
// keys, and audited; the key then names one.
func TestEndToEndPhaseCommandRefusesANameTwoChannelsShare(t *testing.T) {
	f := newFakeSlack(t)
	s := startWithLead(t, f,
		bot.ChannelConfig{Key: "web:help", Name: "Help", NameFR: "Aide", Help: true},
		bot.ChannelConfig{Key: "test:help", Name: "#help", NameFR: "#aide", Help: true, Broadcast: true})
	f.conn(1)
	ctx := context.Background()
	f.send(slashEnvelope("a1", "UALEX", "phase broadcast help pause during the outage"))
	text := ackText(t, f.ack("a1", 1))
	for _, want := range []string{"Several channels are named `help`", "`web:help`", "`test:help`", "nothing was changed"} {
		if !strings.Contains(text, want) {
			t.Errorf("reply does not say %q:\n%s", want, text)
		}
	}
	st, err := s.st.PhaseState(ctx, phases.Replies)
	if err != nil || st.For("web:help") != phases.Replies || st.For("test:help") != phases.Replies {
		t.Errorf("phases %+v (%v), want nothing changed", st, err)
	}
	if got := phaseAudit(t, s); len(got) != 1 || got[0].Allowed || !strings.Contains(got[0].Detail, "name the channel by its key") {
		t.Errorf("audit %+v, want the refusal", got)
	}
	f.send(slashEnvelope("a2", "UMARIE", "phase diffusion test:help pause pendant la panne"))
	if text := ackText(t, f.ack("a2", 1)); !strings.Contains(text, "#aide (`test:help`)") {
		t.Errorf("by its key: %s", text)
	}
	if st, _ := s.st.PhaseState(ctx, phases.Replies); st.For("test:help") != phases.Broadcast || st.For("web:help") != phases.Replies {
		t.Errorf("phases %+v, want test:help alone in broadcast", st)
	}
}

// helpAndGeneral are two channels, each named in both languages.
var helpAndGeneral = []bot.ChannelConfig{
	{Key: "test:help", Name: "#help", NameFR: "#aide", Help: true, Broadcast: true},
	{Key: "test:general", Name: "#general", NameFR: "#général", Broadcast: true},
}

// startWithLead starts the system with channels and the test roster plus
// Alex, a comms lead who reads English (Marie, the roster's lead, reads
// French).
func startWithLead(t *testing.T, f *fakeSlack, channels ...bot.ChannelConfig) *system {
	t.Helper()
	return startSystemWith(t, f, filepath.Join(t.TempDir(), "liaison.db"), true, bot.Config{
		Staff:    append(testRoster(), bot.Staff{ID: "alex", Name: "Alex Martin", Languages: []bot.Lang{bot.English}, Topics: []string{"*"}, DeskUserID: "UALEX", CommsLead: true}),
		Channels: channels,
	})
}
