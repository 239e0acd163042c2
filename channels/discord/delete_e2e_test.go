package discord

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/channels/discord/fakediscord"
)

// deskNotices lists the desk notices of kind waiting in the outbox (the
// world has no desk to send them).
func (w *world) deskNotices(t *testing.T, kind bot.NoticeKind) []bot.Outgoing {
	t.Helper()
	items, err := w.st.Pending(w.ctx, bot.DeskPlatform, time.Now().Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []bot.Outgoing
	for _, it := range items {
		if it.Notice != nil && it.Notice.Kind == kind {
			out = append(out, it)
		}
	}
	return out
}

// A citizen who deletes the question they are waiting on staff for, alone
// (MESSAGE_DELETE) or with other messages (MESSAGE_DELETE_BULK): staff
// are told in its thread, once for each question, the deletion is audited,
// and the question stays on record; the answer is still posted, not as a
// reply, as the question it would reply to is gone.
func TestEndToEndDeletedQuestionForStaffIsToldToStaff(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	q1 := w.ask(helpID, "Why is the office on Elm Street closed on a Tuesday?")
	d1 := w.decision(t, q1)
	answered := w.ask(helpID, "How do I renew my passport?")
	q2 := w.ask(helpID, "Why was my parking permit application refused last week?")
	d2 := w.decision(t, q2)
	if d1.Action != bot.ActEscalate || d2.Action != bot.ActEscalate || d1.EscalationID == d2.EscalationID {
		t.Fatalf("decisions %+v, %+v: want two escalations", d1, d2)
	}
	if d := w.decision(t, answered); d.Action != bot.ActAnswer {
		t.Fatalf("decision %+v, want an answer", d)
	}
	w.replyTo(t, helpID, q1)
	w.replyTo(t, helpID, answered)
	w.replyTo(t, helpID, q2)

	w.srv.Delete(q1)
	w.srv.Delete(answered, q2)
	w.srv.Drop(2) // the gateway sends both events again
	w.srv.AwaitReady(t)
	w.settle(t)
	var notes []bot.Outgoing
	w.srv.Await(t, "a notice for each deleted question", func() bool {
		notes = w.deskNotices(t, bot.NoticeDeleted)
		return len(notes) >= 2
	})
	w.settle(t)
	notes = w.deskNotices(t, bot.NoticeDeleted)
	var escs []int64
	for _, n := range notes {
		escs = append(escs, n.EscalationID)
		if !strings.Contains(n.Reply.Text, "deleted") {
			t.Errorf("notice %q does not say the question was deleted", n.Reply.Text)
		}
	}
	slices.Sort(escs)
	if !slices.Equal(escs, []int64{d1.EscalationID, d2.EscalationID}) {
		t.Fatalf("notices for escalations %v, want one for %d and one for %d", escs, d1.EscalationID, d2.EscalationID)
	}
	log, err := w.st.AuditLog(w.ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	deletes := 0
	for _, a := range log {
		if a.Action == "message.delete" {
			deletes++
		}
	}
	if deletes != 2 {
		t.Errorf("%d deletions audited, want 2", deletes)
	}
	esc, err := w.st.Escalation(w.ctx, d1.EscalationID)
	if err != nil || !esc.State.Waiting() || esc.Question != "Why is the office on Elm Street closed on a Tuesday?" {
		t.Fatalf("escalation %+v, %v: want it waiting, its question kept", esc, err)
	}

	if _, err := w.eng.Answer(w.ctx, bot.DeskAnswer{EscalationID: d1.EscalationID, DeskUserID: "U_ALEX", EventID: "ev1",
		Text: "The Elm Street office closes on Tuesdays for training."}); err != nil {
		t.Fatal(err)
	}
	var relay fakediscord.Posted
	w.srv.Await(t, "the relayed staff answer", func() bool {
		for _, p := range w.srv.Posted(helpID) {
			if strings.Contains(p.Content, "Elm Street office closes") {
				relay = p
				return true
			}
		}
		return false
	})
	if relay.MessageReference != nil {
		t.Errorf("the relay references %+v, a message deleted", relay.MessageReference)
	}
	// Without the reply, the asker is mentioned: they are still notified.
	if !strings.HasPrefix(relay.Content, "<@"+citizenID+"> ") || !slices.Equal(relay.Pings.Users, []string{citizenID}) {
		t.Errorf("the relay %q pings %v, want the asker mentioned and notified", relay.Content, relay.Pings.Users)
	}
}

// A question the store could not record yet (a full disk), deleted by its
// author meanwhile, is forgotten: once the store records again, it is not
// recorded, answered or escalated, as if deleted while the bot was away,
// and the next start does not read its channel again from before it.
func TestEndToEndQuestionDeletedBeforeTheStoreCouldRecordItIsForgotten(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	w.watched(t, time.Now())
	w.obs.mu.Lock()
	w.obs.failing = true
	w.obs.mu.Unlock()
	q := w.ask(helpID, "How do I renew my passport?")
	w.srv.AwaitWithin(t, time.Minute, "the question parked", func() bool { return w.parked(q) })
	w.srv.Delete(q)
	w.settle(t)
	w.obs.mu.Lock()
	w.obs.failing = false
	w.obs.mu.Unlock()

	later := w.ask(helpID, "How long does it take to get a passport?")
	w.replyTo(t, helpID, later)
	w.settle(t)
	noDecision(t, w, q, "a question deleted before the store could record it")
	if n := replies(w.srv, helpID, q); n != 0 {
		t.Errorf("%d replies to the deleted question, want none", n)
	}
	if from := w.catchUpFrom(t); len(from) != 0 {
		t.Errorf("where channels are read from at the next start: %v; want nothing", from)
	}
}
