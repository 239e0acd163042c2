package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// A channel's history: messages and delivered replies in time order, the
// newest limit of them, purged messages left out, other channels apart.
func TestConversation(t *testing.T) {
	db, clk := newDB(t)
	ctx := context.Background()
	answered(t, db, "q1", t0)                 // message at t0, its answer delivered a second later
	escalated(t, db, "q2", t0.Add(time.Hour)) // message, then its acknowledgement
	answered(t, db, "q3", t0.Add(2*time.Hour))

	said, err := db.Conversation(ctx, "web", "help", 10)
	must(t, err)
	var got []string
	for _, s := range said {
		switch {
		case s.Message != nil:
			got = append(got, "m:"+s.Message.ID)
		case s.Sent != nil:
			got = append(got, "r:"+s.Sent.Ref.ID+":"+string(s.Sent.Reply.Kind)+":"+s.Sent.To.ReplyTo)
		}
	}
	want := "m:q1 r:bot-q1:answer:q1 m:q2 r:ack-q2:ack:q2 m:q3 r:bot-q3:answer:q3"
	if strings.Join(got, " ") != want {
		t.Fatalf("conversation\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
	if m := said[0].Message; m.AuthorName != "Jean Tremblay q1" || m.Text == "" || !m.Time.Equal(t0) {
		t.Errorf("first message %+v", said[0].Message)
	}

	// The newest limit items only, still oldest first.
	said, err = db.Conversation(ctx, "web", "help", 2)
	must(t, err)
	if len(said) != 2 || said[0].Message == nil || said[0].Message.ID != "q3" || said[1].Sent == nil {
		t.Errorf("last two: %+v", said)
	}
	if said, err := db.Conversation(ctx, "web", "elsewhere", 10); err != nil || len(said) != 0 {
		t.Errorf("another channel: %v, %v", said, err)
	}

	// Purged messages are not shown again; the replies stay.
	clk.Add(400 * 24 * time.Hour)
	_, err = db.Purge(ctx, t0.Add(90*time.Minute))
	must(t, err)
	said, err = db.Conversation(ctx, "web", "help", 10)
	must(t, err)
	for _, s := range said {
		if s.Message != nil && s.Message.ID == "q1" {
			t.Errorf("purged message q1 shown again: %+v", s.Message)
		}
	}
	if len(said) != 5 { // q1's answer, q2 (its escalation waits), its ack, q3 and its answer
		t.Errorf("after the purge: %d items, want 5", len(said))
	}
}

// A message comes back with the language the engine told from its text,
// and without one when the engine only fell back to the channel's
// language.
func TestConversationKeepsTheLanguageToldFromEachMessage(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	for i, tc := range []struct {
		id     string
		lang   bot.Lang
		source string
	}{
		{"told-fr", bot.French, "detected"},
		{"fallback", bot.English, "channel"},
		{"told-en", bot.English, "detected"},
	} {
		m := citizenMsg(tc.id, t0.Add(time.Duration(i)*time.Minute))
		must(t, db.SaveOutcome(ctx, &bot.Outcome{Message: m,
			Decision: bot.Decision{Action: bot.ActShadow, Reason: bot.ReasonPhase, Phase: 1, Lang: tc.lang, LangSource: tc.source, At: m.Time}}))
	}
	said, err := db.Conversation(ctx, "web", "help", 10)
	must(t, err)
	var got []string
	for _, s := range said {
		got = append(got, s.Message.ID+":"+string(s.Lang))
	}
	if want := "told-fr:fr fallback: told-en:en"; strings.Join(got, " ") != want {
		t.Errorf("languages %q, want %q", strings.Join(got, " "), want)
	}
}

func TestConversationQueriesUseTheirIndexes(t *testing.T) {
	db, _ := newDB(t)
	checkPlan(t, db, conversationMessages, "messages_channel", "web:help", 10)
	checkPlan(t, db, conversationSent, "outbox_sent_channel", "web", "help", 10)
}
