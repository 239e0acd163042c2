package bot_test

import (
	"strings"
	"testing"

	"github.com/liaison-gc/liaison/bot"
)

// deletesAudited counts the audit entries of messages deleted.
func (e *env) deletesAudited() []bot.AuditEntry {
	e.t.Helper()
	log, err := e.st.AuditLog(e.ctx, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []bot.AuditEntry
	for _, a := range log {
		if a.Action == "message.delete" {
			out = append(out, a)
		}
	}
	return out
}

func TestDeleteOfAWaitingQuestionIsToldToWhoeverHoldsIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	const text = "Why is the office on Elm Street closed on a Tuesday?"
	d, err := e.eng.HandleMessage(e.ctx, e.msg("help", "marie", text, "q1"))
	if err != nil || d.Action != bot.ActEscalate {
		t.Fatalf("decision %+v, %v: want an escalation", d, err)
	}
	e.tick()
	before, _ := e.st.Escalation(e.ctx, d.EscalationID)
	posts := e.desk.postCount()

	for range 2 { // the same deletion twice: told once
		if err := e.eng.HandleDelete(e.ctx, "mem", "q1"); err != nil {
			t.Fatal(err)
		}
	}
	e.tick()
	notes := e.desk.noticesOf(bot.NoticeDeleted)
	s, _ := roster.ByID(before.RoutedTo)
	if len(notes) != 1 || notes[0].EscalationID != d.EscalationID || notes[0].StaffID != s.ID || notes[0].Lang != s.PreferredLang() ||
		len(notes[0].Parts) != 0 || !strings.Contains(notes[0].Text, "deleted") {
		t.Fatalf("notices %+v, want one to %s, in their language, saying the citizen deleted the question", notes, s.ID)
	}
	audits := e.deletesAudited()
	if len(audits) != 1 || strings.Contains(audits[0].Detail, "Elm Street") {
		t.Errorf("audited %+v, want one entry without the citizen's text", audits)
	}
	after, _ := e.st.Escalation(e.ctx, d.EscalationID)
	if after.State != before.State || after.Version != before.Version || after.Question != text || e.desk.postCount() != posts {
		t.Errorf("escalation %+v (desk posts %d, were %d), want it as it was, on record", after, e.desk.postCount(), posts)
	}
	if k := e.ch.kinds(); len(k) != 1 || k[0] != bot.KindAck {
		t.Errorf("sent %v, want the one acknowledgement", k)
	}

	// Claimed, then deleted again as a later event: the one holding it
	// is told nothing more; answered, a question deleted is told nobody.
	if _, err := e.eng.Claim(e.ctx, d.EscalationID, "U_SAM"); err != nil {
		t.Fatal(err)
	}
	if err := e.eng.HandleDelete(e.ctx, "mem", "q1"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: "U_SAM", EventID: "a1",
		Text: "The Elm Street office closes on Tuesdays for training."}); err != nil {
		t.Fatal(err)
	}
	e.tick()
	q2, err := e.eng.HandleMessage(e.ctx, e.msg("help", "paul", "Why was my parking permit refused last week?", "q2"))
	if err != nil || q2.Action != bot.ActEscalate {
		t.Fatalf("decision %+v, %v", q2, err)
	}
	e.tick()
	if _, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: q2.EscalationID, DeskUserID: "U_SAM", EventID: "a2",
		Text: "Permits are refused when the address is outside the zone."}); err != nil {
		t.Fatal(err)
	}
	e.tick()
	for _, id := range []string{"q2", "never-recorded"} {
		if err := e.eng.HandleDelete(e.ctx, "mem", id); err != nil {
			t.Fatalf("delete %s: %v", id, err)
		}
	}
	e.tick()
	if n, a := len(e.desk.noticesOf(bot.NoticeDeleted)), len(e.deletesAudited()); n != 1 || a != 1 {
		t.Errorf("%d notices, %d audited, want the first deletion's only", n, a)
	}
}

// A deleted question nobody on the roster holds is told to the whole
// desk, in both languages.
func TestDeleteOfAQuestionNobodyHoldsIsToldToTheDesk(t *testing.T) {
	var id int64
	e := withBob(t, func(e *env, eid int64) { id = eid })
	esc, _ := e.eng.Escalation(e.ctx, id)
	d, err := e.st.DecisionFor(e.ctx, "mem", "m1")
	if err != nil || d.EscalationID != id || esc.RoutedTo != "bob" {
		t.Fatalf("decision %+v, %v; routed to %s", d, err, esc.RoutedTo)
	}
	if err := e.eng.HandleDelete(e.ctx, "mem", "m1"); err != nil {
		t.Fatal(err)
	}
	e.tick()
	notes := e.desk.noticesOf(bot.NoticeDeleted)
	if len(notes) != 1 || notes[0].StaffID != "" || len(notes[0].Parts) != 2 ||
		!strings.Contains(notes[0].Text, "deleted") || !strings.Contains(notes[0].Text, "supprimé") {
		t.Fatalf("notices %+v, want one to the whole desk in both languages", notes)
	}
}
