package bot_test

import (
	"errors"
	"fmt"
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

// With no channel configured for broadcasts, a broadcast that names none
// would go nowhere: it is refused with a message that says what to do, and
// audited, rather than accepted and dropped. Naming a channel still works.
func TestBroadcastWithNoChannelToGoToIsRefused(t *testing.T) {
	e := newEnv(t, func(c *bot.Config) {
		for i := range c.Channels {
			c.Channels[i].Broadcast = false
		}
	})
	n := e.auditCount()
	_, err := e.eng.Broadcast(e.ctx, bot.BroadcastRequest{Actor: bot.Actor{DeskUserID: lead},
		EN: "Offices close at noon on Friday.", FR: "Les bureaux ferment à midi vendredi."})
	if !errors.Is(err, bot.ErrInvalid) || !strings.Contains(err.Error(), "No channel is configured for broadcasts") ||
		!strings.Contains(err.Error(), "broadcast = true") {
		t.Fatalf("err = %v, want ErrInvalid saying no channel is configured for broadcasts", err)
	}
	if list, err := e.st.Broadcasts(e.ctx, 0); err != nil || len(list) != 0 {
		t.Errorf("broadcasts stored: %+v, %v", list, err)
	}
	if got := e.auditedSince(n); len(got) != 1 || got[0].Allowed || got[0].Action != "broadcast.create" {
		t.Errorf("audited %+v, want the refusal", got)
	}
	if _, err := e.eng.Broadcast(e.ctx, bot.BroadcastRequest{Actor: bot.Actor{DeskUserID: lead}, EN: "Hello", FR: "Bonjour",
		Channels: []bot.ChannelKey{"mem:general"}}); err != nil {
		t.Fatalf("to a named channel: %v", err)
	}
	e.tick()
	if p := e.ch.all(); len(p) != 1 || p[0].To.ChannelID != "general" {
		t.Errorf("posts = %+v", p)
	}
}

// A broadcast due with no channel to go to (the configuration lost its
// broadcast channels after it was scheduled) is not marked queued with
// nothing sent: it stays scheduled, the engine says why once in its log and
// audit log, and it goes out once a channel is configured for broadcasts.
func TestDueBroadcastWithNoChannelWaitsForOne(t *testing.T) {
	e := newEnv(t, nil)
	b, err := e.eng.Broadcast(e.ctx, bot.BroadcastRequest{Actor: bot.Actor{DeskUserID: lead}, At: e.clock.Now().Add(time.Hour),
		EN: "Offices close at noon on Friday.", FR: "Les bureaux ferment à midi vendredi."})
	if err != nil {
		t.Fatal(err)
	}
	broadcastChannels := e.cfg.Channels
	e.cfg.Channels = nil
	for _, c := range broadcastChannels {
		c.Broadcast = false
		e.cfg.Channels = append(e.cfg.Channels, c)
	}
	e.start()
	n := e.auditCount()
	e.clock.Advance(61 * time.Minute)
	e.tick()
	e.tick()
	if p := e.ch.all(); len(p) != 0 {
		t.Fatalf("posts = %+v", p)
	}
	list, err := e.st.Broadcasts(e.ctx, 0)
	if err != nil || len(list) != 1 || list[0].State != bot.BroadcastScheduled {
		t.Fatalf("broadcasts = %+v, %v; want it still scheduled", list, err)
	}
	got := e.auditedSince(n)
	if len(got) != 1 || got[0].Allowed || got[0].Action != "broadcast.queue" || got[0].Target != fmt.Sprintf("broadcast:%d", b.ID) ||
		!strings.Contains(got[0].Detail, "no channel is configured for broadcasts") {
		t.Errorf("audited %+v, want one entry saying why", got)
	}

	e.cfg.Channels = broadcastChannels
	e.start()
	e.tick()
	if p := e.ch.all(); len(p) != 3 {
		t.Errorf("posts = %d once channels are configured for broadcasts, want 3", len(p))
	}
}

// A broadcast overdue (scheduled for a time that passed while no engine
// ran) or due exactly now goes out at the next round, once, even with a
// second engine on the same store and a restart; an
// English channel gets English only, a French one French only, a
// bilingual one English then French; mass mentions never ping.
func TestBroadcastDueNowGoesOutOnceInEachChannelsLanguage(t *testing.T) {
	e := newEnv(t, func(c *bot.Config) {
		c.Channels = append(c.Channels, bot.ChannelConfig{Key: "mem:en", Name: "#en", Lang: bot.English, Broadcast: true})
	})
	now := e.clock.Now()
	for _, at := range []time.Time{now, now.Add(time.Hour)} {
		if _, err := e.eng.Broadcast(e.ctx, bot.BroadcastRequest{Actor: bot.Actor{DeskUserID: lead}, At: at,
			EN: "Offices close at noon, @everyone <!channel>.", FR: "Les bureaux ferment à midi, @here."}); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Advance(time.Hour) // the first is an hour overdue, the second due now
	second := *e
	second.start() // a second engine on the same store
	e.tick()
	second.tick()
	e.start() // a restart
	e.tick()
	posts := e.ch.all()
	if len(posts) != 8 {
		t.Fatalf("posts = %d, want one per broadcast and channel (8)", len(posts))
	}
	for _, p := range posts {
		text := p.Reply.Text
		en, fr := strings.Index(text, "Offices close"), strings.Index(text, "Les bureaux")
		switch p.To.ChannelID {
		case "en":
			if en < 0 || fr >= 0 {
				t.Errorf("English channel got %q", text)
			}
		case "fr":
			if en >= 0 || fr < 0 {
				t.Errorf("French channel got %q", text)
			}
		default:
			if en < 0 || fr < en {
				t.Errorf("bilingual channel %s got %q, want English then French", p.To.ChannelID, text)
			}
		}
		for _, ping := range []string{"@everyone", "<!channel>", "@here"} {
			if strings.Contains(text, ping) {
				t.Errorf("%s can ping: %q", ping, text)
			}
		}
	}
}

// The length limit counts characters, not bytes: accented letters and
// emoji count one each.
func TestBroadcastLimitCountsCharacters(t *testing.T) {
	e := newEnv(t, nil)
	fr := strings.Repeat("é", bot.MaxBroadcastRunes)
	if _, err := e.eng.Broadcast(e.ctx, bot.BroadcastRequest{Actor: bot.Actor{DeskUserID: lead},
		EN: strings.Repeat("🎉", bot.MaxBroadcastRunes), FR: fr}); err != nil {
		t.Errorf("at the limit: %v", err)
	}
	_, err := e.eng.Broadcast(e.ctx, bot.BroadcastRequest{Actor: bot.Actor{DeskUserID: lead}, EN: "Hello", FR: fr + "é"})
	if !errors.Is(err, bot.ErrInvalid) || !strings.Contains(err.Error(), fmt.Sprintf("%d characters", bot.MaxBroadcastRunes+1)) {
		t.Errorf("one over the limit: err = %v", err)
	}
}

// A broadcast whose time has passed (a mistyped date: last year,
// yesterday) is refused, in both languages, and audited, rather than
// published at once as though scheduled; a time within the last minute
// (picked in the current minute) is taken as now.
func TestBroadcastAtAPastTimeIsRefused(t *testing.T) {
	e := newEnv(t, nil)
	now := e.clock.Now()
	n := e.auditCount()
	_, err := e.eng.Broadcast(e.ctx, bot.BroadcastRequest{Actor: bot.Actor{DeskUserID: lead}, At: now.Add(-24 * time.Hour),
		EN: "Offices close at noon.", FR: "Les bureaux ferment à midi."})
	if !errors.Is(err, bot.ErrInvalid) || !strings.Contains(bot.Explain(err, bot.English), "has passed") ||
		!strings.Contains(bot.Explain(err, bot.French), "est déjà passé") {
		t.Fatalf("broadcast a day ago: err = %v, want ErrInvalid explained in both languages", err)
	}
	if got := e.auditedSince(n); len(got) != 1 || got[0].Allowed || got[0].Actor != "sam" || got[0].Action != "broadcast.create" || !strings.Contains(got[0].Detail, "has passed") {
		t.Errorf("audited %+v, want one refusal by sam saying the time has passed", got)
	}
	e.tick()
	if posts := e.ch.all(); len(posts) != 0 {
		t.Errorf("a refused broadcast was posted %d times", len(posts))
	}
	if bs, err := e.st.Broadcasts(e.ctx, 0); err != nil || len(bs) != 0 {
		t.Errorf("broadcasts stored: %+v (%v), want none", bs, err)
	}
	b, err := e.eng.Broadcast(e.ctx, bot.BroadcastRequest{Actor: bot.Actor{DeskUserID: lead}, At: now.Add(-30 * time.Second),
		EN: "Offices close at noon.", FR: "Les bureaux ferment à midi."})
	if err != nil || b.ID == 0 {
		t.Errorf("broadcast half a minute ago: %+v, %v; want it taken as now", b, err)
	}
}
