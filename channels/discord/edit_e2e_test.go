package discord

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/channels/discord/fakediscord"
)

// repliesTo counts the bot's messages referencing question in channelID,
// once the adapter handled every event sent and the engine's outbox holds
// nothing left to send.
func (w *world) repliesTo(t *testing.T, channelID, question string) int {
	t.Helper()
	w.settle(t)
	w.srv.Await(t, "the outbox to be empty", func() bool {
		items, err := w.st.Pending(w.ctx, Platform, time.Now().Add(time.Hour), 10)
		return err == nil && len(items) == 0
	})
	n := 0
	for _, p := range w.srv.Posted(channelID) {
		if p.MessageReference != nil && p.MessageReference.MessageID == question {
			n++
		}
	}
	return n
}

func TestEndToEndEditAddingTheMentionIsAnsweredOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	mention := "<@" + w.srv.BotID() + "> "
	q := w.ask(generalID, "How do I renew my passport?")
	if d := w.decision(t, q); d.Action != bot.ActIgnore || d.Reason != bot.ReasonNotAddressed {
		t.Fatalf("first decision %+v, want not addressed", d)
	}
	// Discord adds a link's preview: not an edit.
	w.srv.Unfurl(q, "https://example.gc.ca/passports")
	if n := w.repliesTo(t, generalID, q); n != 0 {
		t.Fatalf("%d replies after a preview was added", n)
	}

	w.srv.Edit(q, mention+"How do I renew my passport?")
	p := w.replyTo(t, generalID, q)
	if !strings.Contains(p.Content, "renew your passport online") {
		t.Errorf("reply %q is not the answer", p.Content)
	}
	checkPings(t, p, citizenID)
	if d := w.decision(t, q); d.Action != bot.ActAnswer || d.EntryID != "passport-renew" {
		t.Errorf("decision %+v, want the answer", d)
	}

	// A second edit changes nothing: the question was answered.
	w.srv.Edit(q, mention+"How do I renew my passport? It expires in May.")
	w.srv.Unfurl(q, "https://example.gc.ca/passports/renew")
	if n := w.repliesTo(t, generalID, q); n != 1 {
		t.Fatalf("%d replies, want the one answer", n)
	}
}

// A picture sent alone gets a request to write the question; the citizen
// who writes it by editing the message is answered, once.
func TestEndToEndEditWritingTheQuestionOfAPictureIsAnsweredOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	q := w.srv.Post(fakediscord.Post{ChannelID: helpID, Author: citizen(), Files: []string{"letter.png"}})
	if d := w.decision(t, q); d.Action != bot.ActNotice || d.Reason != bot.ReasonFilesOnly {
		t.Fatalf("first decision %+v, want the request to write the question", d)
	}
	w.replyTo(t, helpID, q)
	w.srv.Edit(q, "How do I renew my passport?")
	w.srv.Await(t, "the edit to be answered", func() bool {
		d, err := w.st.DecisionFor(w.ctx, Platform, q)
		return err == nil && d.Action == bot.ActAnswer
	})
	w.srv.Edit(q, "How do I renew my passport? It expires in May.")
	if n := w.repliesTo(t, helpID, q); n != 2 {
		t.Fatalf("%d replies, want the request to write the question and the one answer", n)
	}
	posts := w.srv.Posted(helpID)
	if p := posts[len(posts)-1]; !strings.Contains(p.Content, "renew your passport online") {
		t.Errorf("last reply %q is not the answer", p.Content)
	}
}

func TestEndToEndLateEditIsLeft(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	q := w.srv.Post(fakediscord.Post{ChannelID: generalID, Author: citizen(), Content: "How do I renew my passport?",
		At: time.Now().Add(-bot.EditWindow - time.Minute)})
	w.decision(t, q)
	w.srv.Edit(q, "<@"+w.srv.BotID()+"> How do I renew my passport?")
	if n := w.repliesTo(t, generalID, q); n != 0 {
		t.Fatalf("%d replies to an edit made %s after posting", n, bot.EditWindow)
	}
	if d := w.decision(t, q); d.Action != bot.ActIgnore {
		t.Fatalf("decision %+v, want the first one left", d)
	}
}

// editRecording records edits as well as messages.
type editRecording struct {
	recording
	edits []bot.Message
}

func (r *editRecording) HandleEdit(ctx context.Context, m bot.Message) (bot.Decision, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.edits = append(r.edits, m)
	return bot.Decision{Action: bot.ActIgnore}, nil
}

func (r *editRecording) Edits() []bot.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Message(nil), r.edits...)
}

func TestEditHandedOnOnceWithItsTimes(t *testing.T) {
	t.Parallel()
	h := &editRecording{}
	r := start(t, h)
	q := r.ask(generalID, "How do I renew my passport?")
	r.srv.Unfurl(q, "https://example.gc.ca/passports")
	r.srv.Edit(q, "<@"+r.srv.BotID()+"> How do I renew my passport?")
	r.srv.Drop(2) // the gateway sends the last two events again
	r.srv.AwaitReady(t)
	r.settle(t)
	edits := h.Edits()
	if len(edits) != 1 {
		t.Fatalf("%d edits handed on, want 1 (a preview added is no edit; a replay is the same edit): %+v", len(edits), edits)
	}
	first := h.byID(q)
	m := edits[0]
	if len(first) != 1 || m.ID != q || !m.Mentioned || m.Text != "How do I renew my passport?" ||
		!m.Time.Equal(first[0].Time) || m.Edited.IsZero() || m.Edited.Before(m.Time) {
		t.Fatalf("edit %+v (first %+v)", m, first)
	}
}

func TestEndToEndEditOfAQuestionForStaffIsWhatStaffSee(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	q := w.ask(helpID, "Why is the office on Elm Street closed on a Tuesday?")
	d := w.decision(t, q)
	if d.Action != bot.ActEscalate {
		t.Fatalf("decision %+v, want an escalation", d)
	}
	w.replyTo(t, helpID, q)
	w.srv.Edit(q, "Why is the office on Elm Street closed on Tuesdays and Wednesdays?")
	if n := w.repliesTo(t, helpID, q); n != 1 {
		t.Fatalf("%d replies, want the one acknowledgement", n)
	}
	esc, err := w.st.Escalation(w.ctx, d.EscalationID)
	if err != nil || esc.Question != "Why is the office on Elm Street closed on Tuesdays and Wednesdays?" || esc.Version != 2 {
		t.Fatalf("escalation %+v, %v: want the edited question, drawn again", esc, err)
	}
}

// An edit adding the mention to a message the store could not record yet
// (parked while it failed) is not lost: the message is recorded as edited,
// and answered, once the store records again.
func TestEndToEndEditOfAMessageNotRecordedYetIsAnsweredOnceItRecords(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	w.obs.mu.Lock()
	w.obs.failing = true
	w.obs.mu.Unlock()
	q := w.ask(generalID, "How do I renew my passport?")
	w.srv.Await(t, "the question given up", func() bool { return w.obs.count(q) >= handleAttempts })
	w.settle(t)
	w.srv.Edit(q, "<@"+w.srv.BotID()+"> How do I renew my passport?")
	w.settle(t)
	w.obs.mu.Lock()
	w.obs.failing = false
	w.obs.mu.Unlock()

	later := w.ask(helpID, "How long does it take to get a passport?")
	w.replyTo(t, helpID, later)
	p := w.replyTo(t, generalID, q)
	if !strings.Contains(p.Content, "renew your passport online") {
		t.Errorf("reply %q is not the answer", p.Content)
	}
	if d := w.decision(t, q); d.Action != bot.ActAnswer {
		t.Errorf("decision %+v, want an answer", d)
	}
	if n := w.repliesTo(t, generalID, q); n != 1 {
		t.Errorf("%d replies to the question, want 1", n)
	}
}
