package bot_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

func TestBroadcastNeedsBothLanguages(t *testing.T) {
	e := newEnv(t, nil)
	_, err := e.eng.Broadcast(e.ctx, bot.BroadcastRequest{Actor: bot.Actor{DeskUserID: lead}, EN: "Offices are closed on Monday."})
	if !errors.Is(err, bot.ErrInvalid) || !strings.Contains(err.Error(), "French") {
		t.Fatalf("err = %v", err)
	}
	_, err = e.eng.Broadcast(e.ctx, bot.BroadcastRequest{Actor: bot.Actor{DeskUserID: notALead}, EN: "a", FR: "b"})
	if !errors.Is(err, bot.ErrForbidden) {
		t.Fatalf("non-lead: %v", err)
	}
	_, err = e.eng.Broadcast(e.ctx, bot.BroadcastRequest{Actor: bot.Actor{DeskUserID: lead}, EN: "a", FR: "b", Channels: []bot.ChannelKey{"mem:nowhere"}})
	if !errors.Is(err, bot.ErrInvalid) {
		t.Fatalf("unknown channel: %v", err)
	}
	e.tick()
	if n := len(e.ch.all()); n != 0 {
		t.Errorf("%d posts from refused broadcasts", n)
	}
}

func TestScheduledBroadcastIsSentOnceAtItsTimeInEachChannelsLayout(t *testing.T) {
	e := newEnv(t, nil)
	at := e.clock.Now().Add(time.Hour)
	b, err := e.eng.Broadcast(e.ctx, bot.BroadcastRequest{Actor: bot.Actor{DeskUserID: lead}, At: at,
		EN: "Passport offices close at noon on Friday.", FR: "Les bureaux des passeports ferment à midi vendredi."})
	if err != nil {
		t.Fatal(err)
	}
	e.tick()
	if n := len(e.ch.all()); n != 0 {
		t.Fatalf("sent %d posts before the scheduled time", n)
	}
	// A restart before the time: the schedule survives.
	e.start()
	e.clock.Advance(61 * time.Minute)
	e.tick()
	e.start()
	e.tick()
	posts := e.ch.all()
	if len(posts) != 3 {
		t.Fatalf("posts = %d, want one per broadcast channel (3)", len(posts))
	}
	for _, p := range posts {
		hasEN := strings.Contains(p.Reply.Text, "Passport offices")
		hasFR := strings.Contains(p.Reply.Text, "Les bureaux")
		switch p.To.ChannelID {
		case "fr":
			if hasEN || !hasFR {
				t.Errorf("French channel got %q", p.Reply.Text)
			}
		default:
			if !hasEN || !hasFR || strings.Index(p.Reply.Text, "Passport") > strings.Index(p.Reply.Text, "Les bureaux") {
				t.Errorf("bilingual channel %s got %q, want English then French", p.To.ChannelID, p.Reply.Text)
			}
		}
	}
	list, err := e.st.Broadcasts(e.ctx, 0)
	if err != nil || len(list) != 1 || list[0].ID != b.ID || list[0].State != bot.BroadcastQueued {
		t.Errorf("broadcasts = %+v %v", list, err)
	}
}

func TestBroadcastToChosenChannels(t *testing.T) {
	e := newEnv(t, nil)
	if _, err := e.eng.Broadcast(e.ctx, bot.BroadcastRequest{Actor: bot.Actor{DeskUserID: lead}, EN: "Hello", FR: "Bonjour",
		Channels: []bot.ChannelKey{"mem:general"}}); err != nil {
		t.Fatal(err)
	}
	e.tick()
	if p := e.ch.all(); len(p) != 1 || p[0].To.ChannelID != "general" {
		t.Errorf("posts = %+v", p)
	}
}

func TestFeedbackOnAnAnswerIsCounted(t *testing.T) {
	e := newEnv(t, nil)
	e.ask("ana", renewEN)
	e.tick()
	ref := e.ch.all()[0].Ref
	for _, r := range []bot.Reaction{
		{Platform: "mem", ChannelID: ref.ChannelID, MessageID: ref.ID, UserID: "ana", Value: 1},
		{Platform: "mem", ChannelID: ref.ChannelID, MessageID: ref.ID, UserID: "ben", Value: -1},
		{Platform: "mem", ChannelID: ref.ChannelID, MessageID: ref.ID, UserID: "ben", Value: 1}, // changed their mind
		{Platform: "mem", ChannelID: ref.ChannelID, MessageID: "someone-elses-message", UserID: "ben", Value: 1},
	} {
		if err := e.eng.HandleReaction(e.ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	st, err := e.eng.Status(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Followers["mem"] != 1234 {
		t.Errorf("followers = %v", st.Followers)
	}
	if st.Summary.Helpful != 2 || st.Summary.NotHelpful != 0 || st.Summary.Answered != 1 || st.Summary.Questions[bot.English] != 1 {
		t.Errorf("summary = %+v", st.Summary)
	}
}

func TestReactionBeforeTheDeliveryIsRecordedIsKept(t *testing.T) {
	e := newEnv(t, nil)
	e.ask("ana", renewEN)
	// The platform shows the reply and someone reacts before the engine has
	// recorded the delivery: the reaction names a message id not yet known.
	early := bot.Reaction{Platform: "mem", ChannelID: "help", MessageID: "bot-1", UserID: "ana", Value: 1}
	if err := e.eng.HandleReaction(e.ctx, early); err != nil {
		t.Fatal(err)
	}
	e.tick() // delivers bot-1, records it, then records the kept reaction
	st, err := e.eng.Status(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Summary.Helpful != 1 {
		t.Errorf("helpful = %d, want the early reaction counted", st.Summary.Helpful)
	}
}
