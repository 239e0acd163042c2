package discord

import (
	"strings"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/channels/discord/fakediscord"
)

// Catch-up of edits: a citizen edits, while the bot is away, a message the
// bot recorded before it stopped. The gateway does not replay the edit and
// the history read after each channel's newest message does not hold it:
// the messages recorded within bot.EditWindow of the bot leaving are read
// again, and an edit found goes to the engine as a live one does.

const (
	elmStreet       = "Why is the office on Elm Street closed on a Tuesday?"
	elmStreetEdited = "Why is the office on Elm Street closed on Tuesdays and Wednesdays?"
)

// escalated asks elmStreet in #help and returns its id and escalation,
// once acknowledged.
func (w *world) escalated(t *testing.T) (string, int64) {
	t.Helper()
	q := w.ask(helpID, elmStreet)
	d := w.decision(t, q)
	if d.Action != bot.ActEscalate {
		t.Fatalf("decision %+v, want an escalation", d)
	}
	w.replyTo(t, helpID, q)
	return q, d.EscalationID
}

// question returns the question escalation id shows staff, and its
// version.
func (w *world) question(t *testing.T, id int64) (string, int) {
	t.Helper()
	esc, err := w.st.Escalation(w.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return esc.Question, esc.Version
}

// unaddressed posts n questions in #general not addressed to the bot, a
// minute apart from six minutes before now, and returns their ids once
// decided.
func (w *world) unaddressed(t *testing.T, n int, now time.Time) []string {
	t.Helper()
	var ids []string
	for i := range n {
		id := w.srv.Post(fakediscord.Post{ChannelID: generalID, Author: citizen(), Content: "How do I renew my passport?",
			At: now.Add(-time.Duration(6-i) * time.Minute)})
		w.decision(t, id)
		ids = append(ids, id)
	}
	return ids
}

func TestCatchUpReadsEditsMadeWhileAway(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	q, esc := w.escalated(t)
	g := w.ask(generalID, "How do I renew my passport?")
	if d := w.decision(t, g); d.Action != bot.ActIgnore || d.Reason != bot.ReasonNotAddressed {
		t.Fatalf("decision %+v, want not addressed", d)
	}
	w.settle(t)
	w.down(t)
	w.srv.Edit(q, elmStreetEdited)
	w.srv.Edit(g, "<@"+w.srv.BotID()+"> How do I renew my passport?")
	w.up(t, testConfig(), testOptions(t))

	if text, v := w.question(t, esc); text != elmStreetEdited || v != 2 {
		t.Errorf("escalation shows %q (version %d); want the question as edited while the bot was away, drawn again", text, v)
	}
	p := w.replyTo(t, generalID, g)
	if !strings.Contains(p.Content, "renew your passport online") {
		t.Errorf("reply %q is not the answer", p.Content)
	}
	checkPings(t, p, citizenID)
	if d := w.decision(t, g); d.Action != bot.ActAnswer {
		t.Errorf("decision %+v after the edit adding the mention; want the answer", d)
	}

	// Read again at the next start, the edits change nothing.
	w.down(t)
	w.up(t, testConfig(), testOptions(t))
	if n := w.repliesTo(t, generalID, g); n != 1 {
		t.Errorf("%d replies to the edited message; want 1", n)
	}
	if n := w.repliesTo(t, helpID, q); n != 1 {
		t.Errorf("%d replies to the edited question; want the one acknowledgement", n)
	}
	if _, v := w.question(t, esc); v != 2 {
		t.Errorf("escalation at version %d after the edit was read again; want 2", v)
	}
}

// The bot away for longer than EditWindow: an edit made within it of the
// message's posting, while the bot was away, is read though the message
// is no longer within EditWindow of its posting when the bot is back.
func TestCatchUpReadsAnEditMadeWhileAwayOfAMessagePostedBeforeTheEditWindow(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	posted := time.Now().Add(-bot.EditWindow - 10*time.Minute)
	g := w.srv.Post(fakediscord.Post{ChannelID: generalID, Author: citizen(), Content: "How do I renew my passport?", At: posted})
	w.decision(t, g)
	w.settle(t)
	w.down(t)
	w.srv.EditAt(g, "<@"+w.srv.BotID()+"> How do I renew my passport?", posted.Add(2*time.Minute))
	w.up(t, testConfig(), testOptions(t))
	w.replyTo(t, generalID, g)
	if d := w.decision(t, g); d.Action != bot.ActAnswer {
		t.Errorf("decision %+v; want the answer", d)
	}
}

// The recorded messages are read again, but an edit made past EditWindow,
// or one already read live, changes nothing.
func TestCatchUpLeavesEditsTooLateOrAlreadyRead(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	mention := "<@" + w.srv.BotID() + "> "
	late := w.srv.Post(fakediscord.Post{ChannelID: generalID, Author: citizen(), Content: "How do I renew my passport?",
		At: time.Now().Add(-bot.EditWindow - time.Minute)})
	w.decision(t, late)
	live := w.ask(generalID, "How long does it take to get a passport?")
	w.decision(t, live)
	w.srv.Edit(live, mention+"How long does it take to get a passport?")
	w.replyTo(t, generalID, live)
	q, esc := w.escalated(t)
	w.srv.Edit(q, elmStreetEdited)
	w.srv.Await(t, "the edit shown to staff", func() bool { _, v := w.question(t, esc); return v == 2 })
	w.settle(t)
	w.down(t)
	w.srv.Edit(late, mention+"How do I renew my passport?")
	beforeGeneral, beforeHelp := len(historyReads(w.srv, generalID, "before")), len(historyReads(w.srv, helpID, "before"))
	w.up(t, testConfig(), testOptions(t))

	if n, m := len(historyReads(w.srv, generalID, "before"))-beforeGeneral, len(historyReads(w.srv, helpID, "before"))-beforeHelp; n != 1 || m != 1 {
		t.Fatalf("the recorded messages were read again %d times in #general, %d in #help; want once each", n, m)
	}
	if n := w.repliesTo(t, generalID, late); n != 0 {
		t.Errorf("%d replies to a message edited %s after posting; want none", n, bot.EditWindow+time.Minute)
	}
	if d := w.decision(t, late); d.Action != bot.ActIgnore {
		t.Errorf("decision %+v on the late edit; want the first one left", d)
	}
	if n := w.repliesTo(t, generalID, live); n != 1 {
		t.Errorf("%d replies to the edit read live; want 1", n)
	}
	if text, v := w.question(t, esc); text != elmStreetEdited || v != 2 {
		t.Errorf("escalation shows %q at version %d; want the live edit, drawn once", text, v)
	}
}

// Only a channel whose newest recorded message was posted within
// EditWindow of the newest recorded anywhere (when the bot was last there)
// is read again for edits: in the others, and where nothing was recorded,
// no edit can have been made while the bot was away.
func TestCatchUpReadsForEditsOnlyChannelsWithMessagesRecordedInTheEditWindow(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	w.watched(t, time.Now().Add(-2*time.Hour))
	w.escalated(t)
	w.settle(t)
	w.down(t)
	before := map[string]int{}
	for _, id := range []string{helpID, generalID, threadedID, newsID} {
		before[id] = len(historyReads(w.srv, id, "before"))
	}
	w.up(t, testConfig(), testOptions(t))
	for id, want := range map[string]int{helpID: 1, generalID: 0, threadedID: 0, newsID: 0} {
		if n := len(historyReads(w.srv, id, "before")) - before[id]; n != want {
			t.Errorf("channel %s: its recorded messages read again %d times; want %d", id, n, want)
		}
	}
}

// Edits read at catch-up count against the flood limit as when they were
// made, in that order: a citizen who, while the bot was away, edited
// within a minute more of their messages than the limit allows, the last
// posted first, is answered up to the limit and then sent the flood
// notice, as when the edits are delivered live.
func TestCatchUpEditsMadeWhileAwayCountAgainstTheFloodLimitInTheOrderMade(t *testing.T) {
	t.Parallel()
	w := newWorld(t, func(c *bot.Config) { c.FloodPerMinute = 3 })
	now := time.Now()
	ids := w.unaddressed(t, 5, now)
	w.settle(t)
	w.down(t)
	mention := "<@" + w.srv.BotID() + "> "
	for i, id := range ids {
		w.srv.EditAt(id, mention+"How do I renew my passport?", now.Add(-time.Duration(10+10*i)*time.Second))
	}
	w.up(t, testConfig(), testOptions(t))
	answered, notices := 0, 0
	for _, id := range ids {
		switch d := w.decision(t, id); {
		case d.Action == bot.ActAnswer:
			answered++
		case d.Action == bot.ActNotice && d.Reason == bot.ReasonFlood:
			notices++
		}
	}
	if answered != 3 || notices != 1 {
		t.Errorf("%d edits answered and %d flood notices, of 5 edits made within a minute; want 3 answered and 1 notice", answered, notices)
	}
}

// A citizen edits their question while the bot is away, and again as the
// catch-up reads the first edit in history: the later edit, delivered
// live, is queued before the catch-up queues the one it read. Staff are
// shown the question as last edited, once; the edit read is not handed on
// after it.
func TestCatchUpLeavesAnEditReadInHistoryOnceALaterOneWasDeliveredLive(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	q, esc := w.escalated(t)
	w.settle(t)
	w.down(t)
	w.srv.Edit(q, elmStreetEdited)
	const latest = "Why is the office on Elm Street closed on Mondays?"
	read := len(historyReads(w.srv, helpID, "before"))
	// The member lookup that follows the read holds the catch-up between
	// reading the edit and queuing it.
	release := w.srv.HoldMembers(guildID)
	defer release()
	ch := newChannel(t, w.srv, testConfig(), testOptions(t))
	w.running = run(t, w.srv, ch, w.obs)
	w.srv.Await(t, "the recorded messages read again", func() bool { return len(historyReads(w.srv, helpID, "before")) > read })
	w.srv.Edit(q, latest)
	w.srv.Await(t, "the live edit shown to staff", func() bool { text, _ := w.question(t, esc); return text == latest })
	release()
	w.caughtUp(t, ch)
	if text, v := w.question(t, esc); text != latest || v != 2 {
		t.Errorf("escalation shows %q (version %d); want the edit delivered live, drawn once (version 2)", text, v)
	}
}

// In a channel, the edits read at catch-up and the messages posted
// meanwhile count against the flood limit in the order they were made:
// a citizen who, while the bot was away, posted as many questions as the
// limit allows in a minute and then edited three earlier messages to
// mention the bot is answered the questions and sent the flood notice for
// the first edit, as when all are delivered live; the other edits are not
// answered.
func TestCatchUpHandsOnEditsAndNewMessagesInTheOrderMade(t *testing.T) {
	t.Parallel()
	w := newWorld(t, func(c *bot.Config) { c.FloodPerMinute = 3 })
	now := time.Now()
	earlier := w.unaddressed(t, 3, now)
	w.settle(t)
	w.down(t)
	mention := "<@" + w.srv.BotID() + "> "
	var posted []string
	for i := range 3 {
		posted = append(posted, w.srv.Post(fakediscord.Post{ChannelID: generalID, Author: citizen(),
			Content: mention + "How do I renew my passport?", At: now.Add(-time.Duration(50-5*i) * time.Second)}))
	}
	for i, id := range earlier {
		w.srv.EditAt(id, mention+"How do I renew my passport?", now.Add(-time.Duration(20-5*i)*time.Second))
	}
	w.up(t, testConfig(), testOptions(t))

	for _, id := range posted {
		if d := w.decision(t, id); d.Action != bot.ActAnswer {
			t.Errorf("message %s posted while away: decision %+v; want the answer", id, d)
		}
	}
	if d := w.decision(t, earlier[0]); d.Action != bot.ActNotice || d.Reason != bot.ReasonFlood {
		t.Errorf("first edit: decision %+v; want the flood notice", d)
	}
	for _, id := range earlier[1:] {
		if d := w.decision(t, id); d.Action == bot.ActAnswer || d.Action == bot.ActNotice {
			t.Errorf("later edit of %s: decision %+v; want it silenced", id, d)
		}
		if n := w.repliesTo(t, generalID, id); n != 0 {
			t.Errorf("%d replies to the later edit of %s; want none", n, id)
		}
	}
}
