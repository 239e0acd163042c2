package discord

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/phases"
)

// A knowledge-base answer rate limited by Discord waits in the outbox; the
// comms lead then switches the channel to phase 1. The answer is never
// posted, and is kept as withheld; the acknowledgement of a question
// escalated before the switch, queued behind it, still reaches the citizen.
func TestEndToEndAnswerRateLimitedBeforeASwitchToPhaseOneIsNeverPosted(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	w.srv.RateLimit(helpID, 2, 1500*time.Millisecond, false)
	q := w.ask(helpID, "How do I renew my passport?")
	w.srv.Await(t, "the answer to be rate limited", func() bool {
		for _, r := range w.srv.Requests() {
			if r.Status == http.StatusTooManyRequests && strings.Contains(r.Path, helpID) {
				return true
			}
		}
		return false
	})
	q2 := w.ask(helpID, "Can my neighbour's goat attend the citizenship ceremony on Thursday?")
	if d := w.decision(t, q2); d.Action != bot.ActEscalate {
		t.Fatalf("decision on the goat: %s/%s, want an escalation", d.Action, d.Reason)
	}
	if _, err := w.eng.SetPhase(w.ctx, bot.PhaseRequest{Actor: bot.Actor{Via: "cli", Name: "ops"},
		Phase: phases.Broadcast, Channel: bot.Key(Platform, helpID), Reason: "answers out of date"}); err != nil {
		t.Fatal(err)
	}
	ack := w.replyTo(t, helpID, q2) // queued after the answer: it was dealt with first
	if !strings.Contains(ack.Content, "our team") {
		t.Errorf("acknowledgement %q", ack.Content)
	}
	for _, p := range w.srv.Posted(helpID) {
		if p.MessageReference != nil && p.MessageReference.MessageID == q {
			t.Fatalf("the answer was posted after the switch to phase 1: %q", p.Content)
		}
	}
	audit, err := w.st.AuditLog(w.ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var withheld []string
	for _, a := range audit {
		if a.Action == "reply.send" && !a.Allowed {
			withheld = append(withheld, a.Detail)
		}
	}
	if len(withheld) != 1 || withheld[0] != "answer withheld: discord:"+helpID+" is in phase 1 (broadcast)" {
		t.Errorf("audited %q, want the answer withheld once", withheld)
	}
}
