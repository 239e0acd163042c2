package bot_test

import (
	"errors"
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
