package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

func TestSaveEditReplacesTheDecisionOnce(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	first := &bot.Outcome{Message: msg("m1"), Decision: bot.Decision{Action: bot.ActIgnore, Reason: bot.ReasonNotAddressed}}
	must(t, db.SaveOutcome(ctx, first))
	was := first.Decision
	audit := bot.AuditEntry{Actor: "engine", Via: "engine", Action: "message.edit", Target: "web:help/m1", Allowed: true}

	edited := answerOutcome("m1")
	edited.Message.Text, edited.Message.Mentioned = "edited text", true
	stranger := *edited
	stranger.Message.AuthorID = "someone-else"
	if err := db.SaveEdit(ctx, &stranger, was, audit); !errors.Is(err, bot.ErrInvalid) {
		t.Fatalf("edit by another author: %v, want ErrInvalid", err)
	}
	unknown := answerOutcome("m2")
	if err := db.SaveEdit(ctx, unknown, was, audit); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("edit of a message never recorded: %v, want ErrNotFound", err)
	}

	edited.Decision.At = t0.Add(time.Minute)
	must(t, db.SaveEdit(ctx, edited, was, audit))
	if edited.Decision.MessageID != was.MessageID || edited.Outbox[0].ID == 0 || edited.Outbox[0].MessageID != was.MessageID {
		t.Fatalf("edit recorded as %+v, outbox %+v; want on message %d", edited.Decision, edited.Outbox, was.MessageID)
	}
	got, err := db.DecisionFor(ctx, "web", "m1")
	must(t, err)
	if got.Action != bot.ActAnswer || !got.At.Equal(t0.Add(time.Minute)) {
		t.Errorf("decision %+v, want the answer", got)
	}
	var text string
	var mentioned bool
	must(t, db.r.QueryRowContext(ctx, `SELECT text, mentioned FROM messages WHERE platform_id = 'm1'`).Scan(&text, &mentioned))
	if text != "edited text" || !mentioned {
		t.Errorf("message %q mentioned %v, want the edited one", text, mentioned)
	}
	log, err := db.AuditLog(ctx, 0)
	must(t, err)
	if len(log) != 1 || log[0].Action != "message.edit" {
		t.Errorf("audit %+v", log)
	}

	// A second edit decided on the first decision finds it replaced.
	again := answerOutcome("m1")
	again.Outbox[0].Reply.Key = "answer:web:m1:again"
	if err := db.SaveEdit(ctx, again, was, audit); !errors.Is(err, bot.ErrDuplicate) {
		t.Fatalf("second edit: %v, want ErrDuplicate", err)
	}
	if log, _ := db.AuditLog(ctx, 0); len(log) != 1 {
		t.Errorf("%d audit entries, want 1: a refused edit writes nothing", len(log))
	}
}

func TestApplyEscalationEditOfAnotherMessageWritesNothing(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	o := escalateOutcome("m1", "passports", bot.English)
	must(t, db.SaveOutcome(ctx, o))
	other := answerOutcome("m2")
	must(t, db.SaveOutcome(ctx, other))
	esc := *o.NewEscalation
	esc.Question = "edited"
	err := db.ApplyEscalation(ctx, &bot.EscalationChange{Escalation: &esc,
		Edit: &bot.QuestionEdit{MessageID: other.Decision.MessageID, Text: "edited", Question: "edited"}})
	if !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("edit of a message that is no asker: %v, want ErrNotFound", err)
	}
	got, err := db.Escalation(ctx, esc.ID)
	must(t, err)
	if got.Question != "masked m1" || got.Version != 1 {
		t.Errorf("escalation %+v changed", got)
	}

	esc = *o.NewEscalation
	esc.Question = "edited"
	must(t, db.ApplyEscalation(ctx, &bot.EscalationChange{Escalation: &esc,
		Edit: &bot.QuestionEdit{MessageID: o.Decision.MessageID, Text: "edited text", Question: "edited"}}))
	got, err = db.Escalation(ctx, esc.ID)
	must(t, err)
	var text string
	must(t, db.r.QueryRowContext(ctx, `SELECT text FROM messages WHERE platform_id = 'm1'`).Scan(&text))
	if got.Question != "edited" || got.Askers[0].Question != "edited" || got.Version != 2 || text != "edited text" {
		t.Errorf("escalation %+v, message %q: want the edit", got, text)
	}
}
