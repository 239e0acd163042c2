package store

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// citizenMsg is a message from a citizen with an identity, posted at at.
func citizenMsg(id string, at time.Time) bot.Message {
	return bot.Message{Platform: "web", ChannelID: "help", ID: id, AuthorID: "user-" + id, AuthorName: "Jean Tremblay " + id,
		Text: "My passport number is AB123456, question " + id, Time: at, Mentioned: true}
}

func citizenAddress(m bot.Message) bot.Address {
	return bot.Address{Platform: m.Platform, ChannelID: m.ChannelID, ReplyTo: m.ID, UserID: m.AuthorID, UserName: m.AuthorName}
}

// answered records an answered message whose reply was delivered, with a
// helpful reaction from its author; it returns the outbox item.
func answered(t *testing.T, db *DB, id string, at time.Time) bot.Outgoing {
	t.Helper()
	ctx := context.Background()
	m := citizenMsg(id, at)
	o := &bot.Outcome{Message: m,
		Decision: bot.Decision{Action: bot.ActAnswer, Reason: bot.ReasonConfident, Phase: 2, Lang: bot.English, EntryID: "passport-renew", Confidence: 0.9, At: at},
		Outbox: []bot.Outgoing{{To: citizenAddress(m),
			Reply: bot.Reply{Kind: bot.KindAnswer, Lang: bot.English, Text: "Renew online.", Key: "answer:" + id}}}}
	must(t, db.SaveOutcome(ctx, o))
	ref := bot.MessageRef{Platform: "web", ChannelID: "help", ID: "bot-" + id}
	must(t, db.MarkSent(ctx, o.Outbox[0].ID, ref, at.Add(time.Second)))
	must(t, db.SaveFeedback(ctx, bot.Reaction{Platform: "web", ChannelID: "help", MessageID: ref.ID, UserID: m.AuthorID, Value: 1, Time: at.Add(time.Minute)}))
	return o.Outbox[0]
}

// escalated records an escalated message (a new escalation) with its ack
// delivered; it returns the escalation as stored.
func escalated(t *testing.T, db *DB, id string, at time.Time) bot.Escalation {
	t.Helper()
	ctx := context.Background()
	m := citizenMsg(id, at)
	o := &bot.Outcome{Message: m,
		Decision:      bot.Decision{Action: bot.ActEscalate, Reason: bot.ReasonLowConfidence, Phase: 2, Lang: bot.French, At: at},
		NewEscalation: &bot.Escalation{Lang: bot.French, Topic: "passports", Question: "masked " + id, CreatedAt: at},
		Outbox: []bot.Outgoing{{To: citizenAddress(m),
			Reply: bot.Reply{Kind: bot.KindAck, Lang: bot.French, Text: "Le personnel répondra.", Key: "ack:" + id}}}}
	must(t, db.SaveOutcome(ctx, o))
	must(t, db.MarkSent(ctx, o.Outbox[0].ID, bot.MessageRef{Platform: "web", ChannelID: "help", ID: "ack-" + id}, at.Add(time.Second)))
	e, err := db.Escalation(ctx, o.NewEscalation.ID)
	must(t, err)
	return e
}

// answerEscalation records a staff answer to e and queues its relays; it
// returns the relay items (pending).
func answerEscalation(t *testing.T, db *DB, e bot.Escalation, at time.Time) []bot.Outgoing {
	t.Helper()
	var relays []bot.Outgoing
	for _, k := range e.Askers {
		relays = append(relays, bot.Outgoing{To: k.Address, MessageID: k.MessageID, AskerMessageID: k.MessageID,
			Reply: bot.Reply{Kind: bot.KindRelay, Text: "Vous pouvez le renouveler en ligne. — Nadia Roy", Key: fmt.Sprintf("relay:%d", k.MessageID)}})
	}
	e.State, e.AnsweredBy, e.AnsweredAt, e.UpdatedAt = bot.StateAnswered, "nadia", at, at
	c := &bot.EscalationChange{Escalation: &e, Outbox: relays,
		Answer: &bot.StaffAnswer{StaffID: "nadia", EventID: fmt.Sprintf("ev-%d", e.ID), Text: "Vous pouvez le renouveler en ligne.", Lang: bot.French, Status: bot.AnswerQueued, At: at}}
	must(t, db.ApplyEscalation(context.Background(), c))
	return c.Outbox
}

// relayed records an escalated message answered by staff and relayed.
func relayed(t *testing.T, db *DB, id string, at time.Time) bot.Escalation {
	t.Helper()
	e := escalated(t, db, id, at)
	for i, r := range answerEscalation(t, db, e, at.Add(time.Hour)) {
		must(t, db.MarkSent(context.Background(), r.ID, bot.MessageRef{Platform: "web", ChannelID: "help", ID: fmt.Sprintf("relay-%s-%d", id, i)}, at.Add(2*time.Hour)))
	}
	e, err := db.Escalation(context.Background(), e.ID)
	must(t, err)
	if e.State != bot.StateRelayed {
		t.Fatalf("escalation %d is %s, want relayed", e.ID, e.State)
	}
	return e
}

type messageRow struct {
	Text, AuthorID, AuthorName string
	Redacted                   bool
}

func messageRowOf(t *testing.T, db *DB, platformID string) messageRow {
	t.Helper()
	var r messageRow
	must(t, db.r.QueryRow(`SELECT text, author_id, author_name, redacted FROM messages WHERE platform_id = ?`, platformID).Scan(
		&r.Text, &r.AuthorID, &r.AuthorName, &r.Redacted))
	return r
}

func TestPurgeRemovesCitizenDataAndKeepsTheNumbers(t *testing.T) {
	db, clk := newDB(t)
	ctx := context.Background()
	old := t0
	answer := answered(t, db, "old-answer", old)
	done := relayed(t, db, "old-relayed", old)
	open := escalated(t, db, "old-open", old)
	recent := t0.AddDate(0, 0, 400)
	clk.Add(recent.Sub(t0)) // the store records its own times with the clock
	answered(t, db, "recent", recent)
	must(t, db.Audit(ctx, bot.AuditEntry{Actor: "sam", Via: "cli", Action: "phase.set", Allowed: true}))

	sumBefore, err := db.Summary(ctx, time.Time{}, time.Time{})
	must(t, err)
	decBefore, err := db.DecisionFor(ctx, "web", "old-relayed")
	must(t, err)
	rowsBefore := counts(t, db)

	// The desk shows the relayed escalation as it is now.
	synced, err := db.Escalation(ctx, done.ID)
	must(t, err)
	must(t, db.MarkDeskSynced(ctx, done.ID, "desk-1", synced.Version))

	before := t0.AddDate(0, 0, 30)
	res, err := db.Purge(ctx, before)
	must(t, err)
	// old-answer and old-relayed; old-open waits for staff.
	want := PurgeResult{Before: before, Messages: 2, Askers: 1, Escalations: 1, Outbox: 4, Feedback: 1, Kept: 1}
	if res != want {
		t.Errorf("Purge = %+v\nwant    %+v", res, want)
	}

	// What a citizen wrote or is known by is gone.
	for _, id := range []string{"old-answer", "old-relayed"} {
		if got := messageRowOf(t, db, id); got != (messageRow{Redacted: true}) {
			t.Errorf("%s after purge: %+v", id, got)
		}
	}
	e, err := db.Escalation(ctx, done.ID)
	must(t, err)
	if e.Question != "" || e.Askers[0].Question != "" || e.Askers[0].Address.UserID != "" || e.Askers[0].Address.UserName != "" {
		t.Errorf("relayed escalation after purge: question %q, asker %+v", e.Question, e.Askers[0])
	}
	if e.Askers[0].Address.ReplyTo != "old-relayed" || e.Askers[0].RelayedAt.IsZero() || e.State != bot.StateRelayed || e.Topic != "passports" {
		t.Errorf("the escalation's facts were lost: %+v", e)
	}
	// Its desk post quoted the question: the desk sync is to redraw it.
	backlog, err := db.DeskBacklog(ctx, 100)
	must(t, err)
	if !slices.ContainsFunc(backlog, func(b bot.Escalation) bool { return b.ID == done.ID }) {
		t.Errorf("the purged escalation is not in the desk backlog: its post would keep the question")
	}
	item, err := db.Outgoing(ctx, answer.ID)
	must(t, err)
	if item.To.UserID != "" || item.To.UserName != "" || item.To.ReplyTo != "old-answer" || item.Reply.Text != "Renew online." {
		t.Errorf("outbox item after purge: %+v", item)
	}
	var fbUser string
	must(t, db.r.QueryRow(`SELECT user_id FROM feedback WHERE outbox_id = ?`, answer.ID).Scan(&fbUser))
	if strings.Contains(fbUser, "old-answer") {
		t.Errorf("feedback still names its user: %q", fbUser)
	}

	// The numbers and the department's own words stay.
	sumAfter, err := db.Summary(ctx, time.Time{}, time.Time{})
	must(t, err)
	if !reflect.DeepEqual(sumAfter, sumBefore) {
		t.Errorf("summary changed:\nbefore %+v\nafter  %+v", sumBefore, sumAfter)
	}
	if sumAfter.Answered != 2 || sumAfter.Escalated != 2 || sumAfter.Helpful != 2 {
		t.Errorf("summary after purge: %+v", sumAfter)
	}
	decAfter, err := db.DecisionFor(ctx, "web", "old-relayed")
	must(t, err)
	if decAfter != decBefore {
		t.Errorf("decision changed: %+v, want %+v", decAfter, decBefore)
	}
	as, err := db.Answers(ctx, done.ID)
	must(t, err)
	if len(as) != 1 || as[0].Text != "Vous pouvez le renouveler en ligne." || as[0].StaffID != "nadia" {
		t.Errorf("staff answers after purge: %+v", as)
	}
	rowsAfter := counts(t, db)
	rowsAfter["audit_log"]-- // the purge's own entry
	sameCounts(t, rowsBefore, rowsAfter)

	// A waiting escalation and a recent message are untouched.
	if got := messageRowOf(t, db, "old-open"); got.Redacted || got.Text == "" || got.AuthorID == "" {
		t.Errorf("old-open message purged: %+v", got)
	}
	stillOpen, err := db.Escalation(ctx, open.ID)
	must(t, err)
	if !reflect.DeepEqual(stillOpen, open) {
		t.Errorf("open escalation changed:\n%+v\nwant\n%+v", stillOpen, open)
	}
	if got := messageRowOf(t, db, "recent"); got.Redacted || got.Text == "" {
		t.Errorf("recent message purged: %+v", got)
	}

	// Audited once, with the counts and no citizen text.
	log, err := db.AuditLog(ctx, 0)
	must(t, err)
	if len(log) != 2 || log[0].Action != "retention.purge" || log[0].Actor != "retention" || log[0].Via != "engine" || !log[0].Allowed ||
		!strings.Contains(log[0].Detail, "messages 2") || strings.Contains(log[0].Detail, "passport") {
		t.Errorf("audit log = %+v", log)
	}

	// A second purge changes nothing and audits nothing.
	snapshot := dump(t, db)
	res, err = db.Purge(ctx, before)
	must(t, err)
	if res.Changed() != 0 || res.Kept != 1 {
		t.Errorf("second purge = %+v, want nothing changed", res)
	}
	if again := dump(t, db); !reflect.DeepEqual(again, snapshot) {
		t.Errorf("second purge changed the database")
	}
}

// dump reads every row of the tables a purge touches.
func dump(t *testing.T, db *DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, q := range []string{
		`SELECT id || text || author_id || author_name || redacted FROM messages ORDER BY id`,
		`SELECT message_id || question || address || redacted FROM escalation_askers ORDER BY message_id`,
		`SELECT id || question || version || updated_at FROM escalations ORDER BY id`,
		`SELECT id || entry_id || question_en || question_fr || updated_at FROM drafts ORDER BY id`,
		`SELECT id || address || redacted FROM outbox ORDER BY id`,
		`SELECT id || user_id || value || redacted FROM feedback ORDER BY id`,
		`SELECT id FROM audit_log ORDER BY id`,
	} {
		ids, err := db.r.Query(q)
		must(t, err)
		for ids.Next() {
			var s string
			must(t, ids.Scan(&s))
			out[q] = append(out[q], s)
		}
		ids.Close()
	}
	return out
}

func TestPurgeWaitsForUndeliveredReplies(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	// Answered by staff, relay not delivered yet: the escalation is
	// "answered" and its asker keeps what the relay needs.
	e := escalated(t, db, "q1", t0)
	relays := answerEscalation(t, db, e, t0.Add(time.Hour))
	// An answer whose delivery is still pending.
	m := citizenMsg("q2", t0)
	o := &bot.Outcome{Message: m, Decision: bot.Decision{Action: bot.ActAnswer, Reason: bot.ReasonConfident, Lang: bot.English, At: t0},
		Outbox: []bot.Outgoing{{To: citizenAddress(m), Reply: bot.Reply{Kind: bot.KindAnswer, Text: "Renew online.", Key: "answer:q2"}}}}
	must(t, db.SaveOutcome(ctx, o))

	before := t0.AddDate(1, 0, 0)
	res, err := db.Purge(ctx, before)
	must(t, err)
	if res.Messages != 0 || res.Askers != 0 || res.Escalations != 0 || res.Kept != 2 {
		t.Fatalf("purge with replies due = %+v", res)
	}
	got, err := db.Escalation(ctx, e.ID)
	must(t, err)
	if got.Askers[0].Address.UserID == "" || got.Askers[0].Question == "" || got.Question == "" {
		t.Errorf("asker awaiting a relay was purged: %+v", got.Askers[0])
	}
	pending, err := db.Outgoing(ctx, o.Outbox[0].ID)
	must(t, err)
	if pending.To.UserID != m.AuthorID || pending.State != bot.OutPending {
		t.Errorf("pending item touched: %+v", pending)
	}

	// Once delivered, the next purge takes them.
	must(t, db.MarkSent(ctx, relays[0].ID, bot.MessageRef{Platform: "web", ChannelID: "help", ID: "r1"}, t0.Add(2*time.Hour)))
	must(t, db.MarkSent(ctx, o.Outbox[0].ID, bot.MessageRef{Platform: "web", ChannelID: "help", ID: "a2"}, t0.Add(time.Minute)))
	res, err = db.Purge(ctx, before)
	must(t, err)
	if res.Messages != 2 || res.Askers != 1 || res.Escalations != 1 || res.Kept != 0 {
		t.Errorf("purge after delivery = %+v", res)
	}
}

// A relay that failed for good (the citizen closed their DMs, left the
// server) leaves its escalation answered: no reply is due any more, so the
// purge takes the message, the asker and the question all the same. While
// another asker's relay is still pending, the escalation waits for it.
func TestPurgeTakesEscalationsWhoseRelayFailedForGood(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	e := escalated(t, db, "gone", t0)
	must(t, db.SaveOutcome(ctx, &bot.Outcome{Message: citizenMsg("late", t0.Add(time.Minute)),
		Decision:       bot.Decision{Action: bot.ActEscalate, Reason: bot.ReasonJoined, Phase: 2, Lang: bot.French, At: t0.Add(time.Minute)},
		JoinEscalation: e.ID,
		Asker:          &bot.Asker{Address: citizenAddress(citizenMsg("late", t0)), Lang: bot.French, Question: "masked late", AskedAt: t0.Add(time.Minute)}}))
	e, err := db.Escalation(ctx, e.ID)
	must(t, err)
	relays := answerEscalation(t, db, e, t0.Add(time.Hour))
	if len(relays) != 2 {
		t.Fatalf("%d relays, want 2", len(relays))
	}
	must(t, db.MarkFailed(ctx, relays[0].ID, "403 Forbidden: cannot send messages to this user"))

	// Ten years later, one relay still pending: the escalation waits.
	before := t0.AddDate(10, 0, 0)
	res, err := db.Purge(ctx, before)
	must(t, err)
	if res.Messages != 0 || res.Askers != 0 || res.Escalations != 0 || res.Kept != 2 {
		t.Fatalf("purge with a relay pending = %+v", res)
	}

	// The other relay fails for good too: nothing is due, everything goes.
	must(t, db.MarkFailed(ctx, relays[1].ID, "403 Forbidden: cannot send messages to this user"))
	res, err = db.Purge(ctx, before)
	must(t, err)
	if res.Messages != 2 || res.Askers != 2 || res.Escalations != 1 || res.Kept != 0 {
		t.Errorf("purge with every relay failed = %+v", res)
	}
	for _, id := range []string{"gone", "late"} {
		if got := messageRowOf(t, db, id); got != (messageRow{Redacted: true}) {
			t.Errorf("%s after purge: %+v", id, got)
		}
	}
	got, err := db.Escalation(ctx, e.ID)
	must(t, err)
	if got.Question != "" || got.State != bot.StateAnswered {
		t.Errorf("escalation after purge: state %s, question %q", got.State, got.Question)
	}
	for _, k := range got.Askers {
		if k.Question != "" || k.Address.UserID != "" || k.Address.UserName != "" {
			t.Errorf("asker after purge: %+v", k)
		}
	}
}

// An asker the purge took (asked before the cut-off, their escalation
// answered after it and its relay failed for good) can no longer be
// reached: Undelivered lists an escalation only while an asker it did not
// reach is still whole, with its askers marked Redacted as the purge left
// them.
func TestUndeliveredLeavesOutAskersThePurgeTook(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	later := t0.AddDate(0, 2, 0)
	alone := escalated(t, db, "alone", t0)
	shared := escalated(t, db, "first", t0)
	must(t, db.SaveOutcome(ctx, &bot.Outcome{Message: citizenMsg("second", later),
		Decision:       bot.Decision{Action: bot.ActEscalate, Reason: bot.ReasonJoined, Phase: 2, Lang: bot.French, At: later},
		JoinEscalation: shared.ID,
		Asker:          &bot.Asker{Address: citizenAddress(citizenMsg("second", later)), Lang: bot.French, Question: "masked second", AskedAt: later}}))
	for _, e := range []bot.Escalation{alone, shared} {
		e, err := db.Escalation(ctx, e.ID)
		must(t, err)
		for _, r := range answerEscalation(t, db, e, later.Add(time.Hour)) {
			must(t, db.MarkFailed(ctx, r.ID, "403 Forbidden: cannot send messages to this user"))
		}
	}
	if res, err := db.Purge(ctx, t0.AddDate(0, 1, 0)); err != nil || res.Askers != 2 || res.Escalations != 0 {
		t.Fatalf("purge = %+v, %v; want the two askers of t0 only", res, err)
	}
	got, err := db.Undelivered(ctx, time.Time{})
	must(t, err)
	if len(got) != 1 || got[0].ID != shared.ID {
		t.Fatalf("undelivered %+v, want escalation %d only", got, shared.ID)
	}
	if k := got[0].Askers; len(k) != 2 || !k[0].Redacted || k[0].Address.UserID != "" || k[1].Redacted || k[1].Address.UserID != "user-second" {
		t.Errorf("askers %+v, want the first purged, the second whole", k)
	}
}

// Once a reply's reactions are purged, nothing tells who gave them: a
// later reaction to it may be one of those citizens changing their mind,
// and recorded as new it would count them twice. It is not recorded, so
// the reports count the same as right after the purge; a reaction not yet
// purged still changes as before.
func TestReactionsToAPurgedReplyAreNotCountedTwice(t *testing.T) {
	db, clk := newDB(t)
	ctx := context.Background()
	out := answered(t, db, "a", t0) // 👍 by user-a at t0+1m
	react := func(user string, v int, at time.Time) bot.Reaction {
		return bot.Reaction{Platform: "web", ChannelID: "help", MessageID: "bot-a", UserID: user, Value: v, Time: at}
	}
	recent := t0.AddDate(0, 0, 100)
	must(t, db.SaveFeedback(ctx, react("user-b", 1, recent))) // 👍 by another citizen, not purged
	clk.Add(recent.Sub(t0))
	_, err := db.Purge(ctx, t0.AddDate(0, 0, 90))
	must(t, err)
	summary := func() (helpful, notHelpful int) {
		s, err := db.Summary(ctx, time.Time{}, time.Time{})
		must(t, err)
		return s.Helpful, s.NotHelpful
	}
	if h, n := summary(); h != 2 || n != 0 {
		t.Fatalf("after the purge: helpful %d, not helpful %d; want 2 and 0", h, n)
	}

	// user-a turns their 👍 into 👎, then withdraws it; a newcomer reacts.
	must(t, db.SaveFeedback(ctx, react("user-a", -1, recent.Add(time.Hour))))
	must(t, db.SaveFeedback(ctx, react("user-a", 0, recent.Add(2*time.Hour))))
	must(t, db.SaveFeedback(ctx, react("user-c", -1, recent.Add(3*time.Hour))))
	if h, n := summary(); h != 2 || n != 0 {
		t.Errorf("reactions after the purge: helpful %d, not helpful %d; want 2 and 0, as right after the purge", h, n)
	}
	var rows int
	must(t, db.r.QueryRow(`SELECT COUNT(*) FROM feedback WHERE outbox_id = ?`, out.ID).Scan(&rows))
	if rows != 2 {
		t.Errorf("%d feedback rows on the reply, want 2", rows)
	}

	// user-b's reaction was not purged: it changes as it always did.
	must(t, db.SaveFeedback(ctx, react("user-b", -1, recent.Add(4*time.Hour))))
	if h, n := summary(); h != 1 || n != 1 {
		t.Errorf("user-b changed their reaction: helpful %d, not helpful %d; want 1 and 1", h, n)
	}
}

// A draft saved from an escalation copies its question, a citizen's words,
// and makes its entry id from them. A draft not approved keeps them no
// longer than the escalation: they go with its question. An approved draft,
// exported into the knowledge-base files or not, is the department's own
// entry and stays whole, as does a draft whose question staff rewrote.
func TestPurgeTakesTheCitizensQuestionFromDraftsNotApproved(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	e := relayed(t, db, "d1", t0) // French, question "masked d1"
	citizenID := bot.DraftEntryID(e.Question)
	if citizenID == "" {
		t.Fatalf("no entry id from %q", e.Question)
	}
	save := func(d bot.Draft) bot.Draft {
		t.Helper()
		d.EscalationID, d.Topic, d.By = e.ID, "passports", "nadia"
		d.AnswerFR, d.QuestionEN, d.AnswerEN = "Renouvelez en ligne.", "Can I renew my passport online?", "Renew online."
		must(t, db.SaveDraft(ctx, &d))
		return d
	}
	open := save(bot.Draft{EntryID: citizenID, QuestionFR: e.Question, State: bot.DraftOpen})
	rejected := save(bot.Draft{EntryID: "passport-online", QuestionFR: e.Question, State: bot.DraftRejected})
	idOnly := save(bot.Draft{EntryID: citizenID, QuestionFR: "Puis-je renouveler mon passeport en ligne?", State: bot.DraftOpen})
	approved := save(bot.Draft{EntryID: citizenID, QuestionFR: e.Question, State: bot.DraftApproved, ApprovedBy: "sam"})
	rewritten := save(bot.Draft{EntryID: "passport-renew-online", QuestionFR: "Puis-je renouveler mon passeport en ligne?", State: bot.DraftOpen})
	inFiles := save(bot.Draft{EntryID: citizenID, QuestionFR: e.Question, State: bot.DraftInFiles, ApprovedBy: "sam"})

	before := t0.AddDate(1, 0, 0)
	res, err := db.Purge(ctx, before)
	must(t, err)
	if res.Drafts != 3 || res.Escalations != 1 {
		t.Errorf("purge = %+v, want 3 drafts and 1 escalation", res)
	}
	tests := []struct {
		name string
		d    bot.Draft
		want func(*bot.Draft) // what the purge changes
	}{
		{"open", open, func(d *bot.Draft) { d.QuestionFR, d.EntryID = "", "" }},
		{"rejected", rejected, func(d *bot.Draft) { d.QuestionFR = "" }},
		{"entry id from the question", idOnly, func(d *bot.Draft) { d.EntryID = "" }},
		{"approved", approved, func(*bot.Draft) {}},
		{"approved, in the knowledge-base files", inFiles, func(*bot.Draft) {}},
		{"rewritten by staff", rewritten, func(*bot.Draft) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Draft(ctx, tt.d.ID)
			must(t, err)
			want := tt.d
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("after purge:\n%+v\nwant\n%+v", got, want)
			}
		})
	}

	snapshot := dump(t, db)
	res, err = db.Purge(ctx, before)
	must(t, err)
	if res.Changed() != 0 {
		t.Errorf("second purge = %+v, want nothing changed", res)
	}
	if again := dump(t, db); !reflect.DeepEqual(again, snapshot) {
		t.Errorf("second purge changed the database")
	}
}

func TestPurgeWorksInBatches(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	for i := range 7 {
		answered(t, db, fmt.Sprint("m", i), t0.Add(time.Duration(i)*time.Minute))
	}
	for i := range 3 {
		relayed(t, db, fmt.Sprint("e", i), t0)
	}
	res, err := db.purge(ctx, t0.AddDate(0, 1, 0), "cli", 2)
	must(t, err)
	want := PurgeResult{Before: t0.AddDate(0, 1, 0), Messages: 10, Askers: 3, Escalations: 3, Outbox: 7 + 3*2, Feedback: 7}
	if res != want {
		t.Errorf("purge in batches of 2 = %+v\nwant %+v", res, want)
	}
	var left int
	must(t, db.r.QueryRow(`SELECT COUNT(*) FROM messages WHERE redacted = 0`).Scan(&left))
	if left != 0 {
		t.Errorf("%d messages left unpurged", left)
	}
	log, _ := db.AuditLog(ctx, 1)
	if len(log) != 1 || log[0].Via != "cli" {
		t.Errorf("audit = %+v", log)
	}
}

func TestPurgeStopsWithItsContext(t *testing.T) {
	db, _ := newDB(t)
	answered(t, db, "m1", t0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := db.Purge(ctx, t0.AddDate(1, 0, 0)); err == nil || !strings.HasPrefix(err.Error(), "store: purge") {
		t.Errorf("err = %v, want a store error", err)
	}
	if got := messageRowOf(t, db, "m1"); got.Redacted {
		t.Error("a cancelled purge purged")
	}
}

func TestPurgeNeedsACutOff(t *testing.T) {
	db, _ := newDB(t)
	_, err := db.Purge(context.Background(), time.Time{})
	wantErr(t, err, bot.ErrInvalid)
}

func TestPurgeQueriesUseTheirIndexes(t *testing.T) {
	db, _ := newDB(t)
	tests := []struct{ query, index string }{
		{`SELECT m.id FROM messages m WHERE m.redacted = 0 AND m.at < ? AND NOT ` + waitingReply + ` ORDER BY m.at LIMIT 5`, "messages_unredacted"},
		{`SELECT a.message_id FROM escalation_askers a WHERE a.redacted = 0 AND a.asked_at < ? ORDER BY a.asked_at LIMIT 5`, "escalation_askers_unredacted"},
		{`SELECT e.id FROM escalations e WHERE e.question <> '' AND e.updated_at < ? AND ` + escalationDone + ` ORDER BY e.updated_at LIMIT 5`, "escalations_"},
		{`SELECT id FROM outbox WHERE redacted = 0 AND created_at < ? AND state <> 'pending' ORDER BY created_at LIMIT 5`, "outbox_unredacted"},
		{`SELECT id FROM feedback WHERE redacted = 0 AND at < ? ORDER BY at LIMIT 5`, "feedback_unredacted"},
	}
	for _, tt := range tests {
		checkPlan(t, db, tt.query, tt.index, "x")
	}
}

func TestArchive(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	answered(t, db, "a1", t0)
	e := relayed(t, db, "e1", t0.Add(time.Hour))
	m := citizenMsg("fr1", t0.AddDate(0, 0, 2))
	m.Text = "Où est le bureau des PASSEPORTS à Montréal?"
	must(t, db.SaveOutcome(ctx, &bot.Outcome{Message: m, Decision: bot.Decision{Action: bot.ActShadow, Would: bot.ActAnswer, Lang: bot.French, At: m.Time}}))

	read := func(f ArchiveFilter) []ArchivedMessage {
		t.Helper()
		var out []ArchivedMessage
		must(t, db.Archive(ctx, f, func(m ArchivedMessage) error { out = append(out, m); return nil }))
		return out
	}
	ids := func(ms []ArchivedMessage) string {
		var s []string
		for _, m := range ms {
			s = append(s, m.Text[strings.LastIndex(m.Text, " ")+1:])
		}
		return strings.Join(s, ",")
	}

	all := read(ArchiveFilter{})
	if len(all) != 3 || all[0].AuthorName != "Jean Tremblay a1" || all[0].Decision == nil || all[0].Decision.EntryID != "passport-renew" || all[0].Escalation != nil {
		t.Fatalf("archive = %+v", all)
	}
	esc := all[1].Escalation
	if esc == nil || esc.ID != e.ID || esc.State != bot.StateRelayed || esc.RelayedAt.IsZero() || len(esc.Answers) != 1 ||
		esc.Answers[0].StaffID != "nadia" || all[1].Decision.Action != bot.ActEscalate || all[1].Decision.EscalationID != e.ID {
		t.Errorf("escalated message in the archive: %+v / %+v", all[1], esc)
	}
	if got := read(ArchiveFilter{Since: t0.Add(time.Minute), Until: t0.AddDate(0, 0, 1)}); len(got) != 1 || got[0].Platform != "web" || got[0].Channel != "web:help" || got[0].Escalation == nil {
		t.Errorf("range = %s", ids(got))
	}
	if got := read(ArchiveFilter{Contains: "passeports"}); len(got) != 1 || got[0].Decision.Would != bot.ActAnswer {
		t.Errorf("contains (case) = %+v", got)
	}
	if got := read(ArchiveFilter{Contains: "OÙ EST"}); len(got) != 1 {
		t.Errorf("contains (accents, case) = %d messages", len(got))
	}
	if got := read(ArchiveFilter{Until: t0}); len(got) != 0 {
		t.Errorf("until is exclusive: %+v", got)
	}

	_, err := db.Purge(ctx, t0.AddDate(0, 0, 1))
	must(t, err)
	after := read(ArchiveFilter{})
	if len(after) != 3 || !after[0].Redacted || after[0].Text != "" || after[0].AuthorName != "" || after[0].Decision == nil ||
		!after[1].Redacted || len(after[1].Escalation.Answers) != 1 || after[2].Redacted {
		t.Errorf("archive after purge: %+v", after)
	}
	if got := read(ArchiveFilter{Contains: "AB123456"}); len(got) != 0 {
		t.Errorf("purged text still found: %+v", got)
	}
}

// The archive holds what the bot said to each asker: its answer or
// acknowledgement and the staff answer relayed, never the desk's notices;
// the purge takes whom they went to, not what they said.
// The archive holds the bot's replies to each message, with the ratings
// citizens give them now, before and after the purge.
func TestArchiveHoldsTheBotsReplies(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	answered(t, db, "a1", t0)
	e := relayed(t, db, "e1", t0.Add(time.Hour))
	// Another citizen in the room finds the relayed answer unhelpful.
	must(t, db.SaveFeedback(ctx, bot.Reaction{Platform: "web", ChannelID: "help", MessageID: "relay-e1-0", UserID: "user-other", Value: -1, Time: t0.Add(4 * time.Hour)}))
	desk := []bot.Outgoing{{To: bot.Address{Platform: bot.DeskPlatform}, MessageID: e.Askers[0].MessageID, EscalationID: e.ID,
		Reply: bot.Reply{Kind: bot.KindDesk, Text: "Relayed to 1 person.", Key: "desk:relayed:e1"}}}
	must(t, db.Enqueue(ctx, desk))
	notice := citizenMsg("n1", t0.Add(2*time.Hour))
	must(t, db.SaveOutcome(ctx, &bot.Outcome{Message: notice, Decision: bot.Decision{Action: bot.ActNotice, Reason: bot.ReasonFlood, At: notice.Time},
		Outbox: []bot.Outgoing{{To: citizenAddress(notice), Reply: bot.Reply{Kind: bot.KindNotice, Text: "One question at a time.", Key: "flood:n1"}}}}))

	read := func() []ArchivedMessage {
		t.Helper()
		var out []ArchivedMessage
		must(t, db.Archive(ctx, ArchiveFilter{}, func(m ArchivedMessage) error { out = append(out, m); return nil }))
		return out
	}
	want := [][]ArchivedReply{
		{{Kind: bot.KindAnswer, Lang: bot.English, Text: "Renew online.", State: bot.OutSent, SentAt: t0.Add(time.Second), Helpful: 1}},
		{{Kind: bot.KindAck, Lang: bot.French, Text: "Le personnel répondra.", State: bot.OutSent, SentAt: t0.Add(time.Hour + time.Second)},
			{Kind: bot.KindRelay, Text: "Vous pouvez le renouveler en ligne. — Nadia Roy", State: bot.OutSent, SentAt: t0.Add(3 * time.Hour), NotHelpful: 1}},
		{{Kind: bot.KindNotice, Text: "One question at a time.", State: bot.OutPending}},
	}
	check := func(when string, got []ArchivedMessage) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d messages, want %d", when, len(got), len(want))
		}
		for i, m := range got {
			if !reflect.DeepEqual(m.Replies, want[i]) {
				t.Errorf("%s: replies to message %d =\n%+v\nwant\n%+v", when, i, m.Replies, want[i])
			}
		}
	}
	check("before the purge", read())
	_, err := db.Purge(ctx, t0.AddDate(0, 0, 1))
	must(t, err)
	check("after the purge", read())
	checkPlan(t, db, archiveRepliesQuery, "outbox_asker", "[1, 2]", bot.DeskPlatform)
}

// A period holds the staff answers, relays and closes made in it, with
// the questions they answer even when these were asked before it: first
// those, then the questions asked in it.
func TestArchiveForAPeriodHoldsItsStaffAnswers(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	relayed(t, db, "r1", t0) // answered at t0+1h, relayed at t0+2h
	c := escalated(t, db, "c1", t0.Add(time.Minute))
	c.State, c.ClosedBy, c.CloseReason, c.ClosedAt = bot.StateClosed, "nadia", "Answered by phone", t0.AddDate(0, 0, 1)
	must(t, db.ApplyEscalation(ctx, &bot.EscalationChange{Escalation: &c}))
	answered(t, db, "a1", t0.Add(90*time.Minute))
	answered(t, db, "late", t0.AddDate(0, 0, 2))

	read := func(since, until time.Time) string {
		t.Helper()
		var got []string
		must(t, db.Archive(ctx, ArchiveFilter{Since: since, Until: until}, func(m ArchivedMessage) error {
			got = append(got, m.Text[strings.LastIndex(m.Text, " ")+1:])
			return nil
		}))
		return strings.Join(got, ",")
	}
	tests := []struct {
		name         string
		since, until time.Time
		want         string
	}{
		{"the staff answer", t0.Add(30 * time.Minute), t0.Add(80 * time.Minute), "r1"},
		{"the relay", t0.Add(90 * time.Minute), t0.Add(3 * time.Hour), "r1,a1"},
		{"the close", t0.Add(3 * time.Hour), t0.AddDate(0, 0, 1).Add(time.Hour), "c1"},
		{"no end", t0.Add(30 * time.Minute), time.Time{}, "r1,c1,a1,late"},
		{"nothing answered", t0.AddDate(0, 0, 1).Add(time.Hour), time.Time{}, "late"},
		{"before any answer", t0, t0.Add(10 * time.Minute), "r1,c1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := read(tt.since, tt.until); got != tt.want {
				t.Errorf("Archive(%v, %v) = %s, want %s", tt.since.Sub(t0), tt.until.Sub(t0), got, tt.want)
			}
		})
	}
}

// Citizens write French with or without accents and with either
// apostrophe: a records search finds both forms, whichever it is given.
func TestArchiveSearchFoldsAccents(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	for i, text := range []string{"Mon chèque de prestation est en retard", "Mon cheque est perdu", "Où est l’aide au Québec?", "QUEBEC CITY"} {
		m := citizenMsg(fmt.Sprint("m", i), t0.Add(time.Duration(i)*time.Minute))
		m.Text = text
		must(t, db.SaveOutcome(ctx, &bot.Outcome{Message: m, Decision: bot.Decision{Action: bot.ActIgnore, At: m.Time}}))
	}
	tests := []struct {
		contains string
		want     int
	}{
		{"cheque de prestation", 1},
		{"CHÈQUE", 2},
		{"chéque", 2},
		{"l'aide", 1},
		{"L’AIDE AU QUEBEC", 1},
		{"québec", 2},
		{"ou est", 1},
		{"chèques", 0},
	}
	for _, tt := range tests {
		t.Run(tt.contains, func(t *testing.T) {
			n := 0
			must(t, db.Archive(ctx, ArchiveFilter{Contains: tt.contains}, func(ArchivedMessage) error { n++; return nil }))
			if n != tt.want {
				t.Errorf("Contains %q: %d messages, want %d", tt.contains, n, tt.want)
			}
		})
	}
}

// A records search finds a question by what the department said about it
// too, in either language, with or without accents: its staff answers
// (even one not relayed) and the bot's replies to its author; also once
// the purge took the citizen's words, since the department's stay.
func TestArchiveSearchFindsStaffAnswersAndTheBotsReplies(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	answered(t, db, "a1", t0)                 // "Renew online."
	relayed(t, db, "r1", t0.Add(time.Minute)) // ack "Le personnel répondra.", staff answer "Vous pouvez le renouveler en ligne."
	h := escalated(t, db, "h1", t0.Add(2*time.Minute))
	h.UpdatedAt = t0.Add(time.Hour)
	must(t, db.ApplyEscalation(ctx, &bot.EscalationChange{Escalation: &h,
		Answer: &bot.StaffAnswer{StaffID: "alex", EventID: "ev-h1", Text: "Only service animals are allowed at the ceremony.", Lang: bot.English, Status: bot.AnswerHeld, At: t0.Add(time.Hour)}}))

	search := func(contains string) string {
		t.Helper()
		var got []string
		must(t, db.Archive(ctx, ArchiveFilter{Contains: contains}, func(m ArchivedMessage) error {
			got = append(got, fmt.Sprint(m.MessageID))
			return nil
		}))
		return strings.Join(got, ",")
	}
	tests := []struct{ contains, want string }{
		{"renew ONLINE", "1"},
		{"renouveler en ligne", "2"},
		{"personnel repondra", "2,3"},
		{"PERSONNEL RÉPONDRA", "2,3"},
		{"service animals", "3"},
		{"nowhere said", ""},
	}
	check := func(when string) {
		t.Helper()
		for _, tt := range tests {
			if got := search(tt.contains); got != tt.want {
				t.Errorf("%s: Contains %q found messages [%s], want [%s]", when, tt.contains, got, tt.want)
			}
		}
	}
	check("before the purge")
	_, err := db.Purge(ctx, t0.AddDate(0, 0, 1))
	must(t, err)
	check("after the purge")
}

func TestArchivePagesThroughManyMessages(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	n := archivePage + 3
	for i := range n {
		m := citizenMsg(fmt.Sprint("m", i), t0) // same time: ordered by id
		must(t, db.SaveOutcome(ctx, &bot.Outcome{Message: m, Decision: bot.Decision{Action: bot.ActIgnore, At: t0}}))
	}
	var got []int64
	must(t, db.Archive(ctx, ArchiveFilter{Since: t0}, func(m ArchivedMessage) error { got = append(got, m.MessageID); return nil }))
	if len(got) != n {
		t.Fatalf("%d messages, want %d", len(got), n)
	}
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Fatalf("out of order at %d: %v", i, got[i-1:i+1])
		}
	}
	stop := fmt.Errorf("enough")
	if err := db.Archive(ctx, ArchiveFilter{}, func(ArchivedMessage) error { return stop }); err != stop {
		t.Errorf("fn's error = %v, want it returned as is", err)
	}
}

// After the purge, nothing a citizen wrote or is known by is left in any
// column of any table, however the schema grows: their message, their
// question as masked for staff, their reply asking for the answer in
// their language as quoted to staff, their user id (in addresses, in the
// key of a reply sent once per citizen, in feedback) and their name. The
// records are read before the purge too, so the test cannot pass by
// finding nothing to look for.
func TestPurgeLeavesNoCitizenWordsOrIdentityInAnyTable(t *testing.T) {
	db, clk := newDB(t)
	ctx := context.Background()
	answered(t, db, "old-answer", t0) // with its author's rating
	done := relayed(t, db, "old-relayed", t0)
	fm := citizenMsg("old-failed", t0)
	failed := &bot.Outcome{Message: fm, Decision: bot.Decision{Action: bot.ActAnswer, Reason: bot.ReasonConfident, Phase: 2, Lang: bot.English, At: t0},
		Outbox: []bot.Outgoing{{To: citizenAddress(fm), Reply: bot.Reply{Kind: bot.KindAnswer, Lang: bot.English, Text: "Renew online.", Key: "answer:old-failed"}}}}
	must(t, db.SaveOutcome(ctx, failed))
	must(t, db.MarkFailed(ctx, failed.Outbox[0].ID, "unknown channel")) // failed_at

	// The citizen asks for the answer in their language: acknowledged once
	// per citizen and answer, and staff are told what they wrote.
	at := t0.Add(3 * time.Hour)
	m := citizenMsg("old-request", at)
	m.Text, m.ReplyToBot = "oui en français svp, je suis Jean Tremblay", true
	o := &bot.Outcome{Message: m,
		Decision: bot.Decision{Action: bot.ActEscalate, Reason: bot.ReasonLanguageRequest, Phase: 2, Lang: bot.French, EscalationID: done.ID, At: at},
		Outbox: []bot.Outgoing{{To: citizenAddress(m),
			Reply: bot.Reply{Kind: bot.KindAck, Lang: bot.French, Text: "Merci.", Key: "langasked:1:web:" + m.AuthorID}}}}
	must(t, db.SaveOutcome(ctx, o))
	must(t, db.MarkSent(ctx, o.Outbox[0].ID, bot.MessageRef{Platform: "web", ChannelID: "help", ID: "ack-request"}, at.Add(time.Second)))
	text := fmt.Sprintf("A citizen asked for the answer to question %d in French (they wrote: “%s”).", done.ID, bot.Redact(m.Text))
	n := bot.Notice{Kind: bot.NoticeLangRequest, EscalationID: done.ID, StaffID: "nadia", Lang: bot.English, Text: text}
	desk := []bot.Outgoing{{To: bot.Address{Platform: bot.DeskPlatform}, Notice: &n, EscalationID: done.ID,
		Reply: bot.Reply{Kind: bot.KindDesk, Lang: bot.English, Text: text, Key: fmt.Sprintf("langasked:%d:1", done.ID)}}}
	must(t, db.Enqueue(ctx, desk))
	must(t, db.MarkSent(ctx, desk[0].ID, bot.MessageRef{Platform: bot.DeskPlatform, ID: "desk-1"}, at.Add(time.Second)))

	traces := []string{"user-old", "Jean Tremblay", "AB123456", "masked old", "oui en fran"}
	found := citizenTraces(t, db, traces)
	for _, s := range traces {
		if len(found[s]) == 0 {
			t.Fatalf("%q was never recorded: nothing to look for", s)
		}
	}
	clk.Add(400 * 24 * time.Hour)
	_, err := db.Purge(ctx, t0.AddDate(0, 0, 30))
	must(t, err)
	for s, where := range citizenTraces(t, db, traces) {
		t.Errorf("after the purge, %q is still in %v", s, where)
	}

	// The items stay, each key unique, the desk notice with its kind.
	ack, err := db.Outgoing(ctx, o.Outbox[0].ID)
	must(t, err)
	if ack.Reply.Text != "Merci." || ack.Reply.Key != fmt.Sprintf("langasked:1:web:redacted:%d", ack.ID) {
		t.Errorf("acknowledgement after the purge: %+v", ack.Reply)
	}
	notice, err := db.Outgoing(ctx, desk[0].ID)
	must(t, err)
	if notice.Notice == nil || notice.Notice.Kind != bot.NoticeLangRequest || notice.Notice.EscalationID != done.ID || notice.State != bot.OutSent {
		t.Errorf("desk notice after the purge: %+v", notice)
	}
}

// citizenTraces lists, for each of traces found in the database, the
// columns (table.column) holding it, reading every column of every table.
func citizenTraces(t *testing.T, db *DB, traces []string) map[string][]string {
	t.Helper()
	rows, err := db.r.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	must(t, err)
	var tables []string
	for rows.Next() {
		var name string
		must(t, rows.Scan(&name))
		tables = append(tables, name)
	}
	must(t, rows.Err())
	rows.Close()
	found := map[string][]string{}
	for _, tb := range tables {
		rows, err := db.r.Query(`SELECT * FROM "` + tb + `"`)
		must(t, err)
		cols, err := rows.Columns()
		must(t, err)
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			must(t, rows.Scan(ptrs...))
			for i, v := range vals {
				for _, s := range traces {
					if where := tb + "." + cols[i]; strings.Contains(string(v), s) && !slices.Contains(found[s], where) {
						found[s] = append(found[s], where)
					}
				}
			}
		}
		must(t, rows.Err())
		rows.Close()
	}
	return found
}

// A queued broadcast's archive record says where it went, the channel of
// each of its outbox items, whether it chose its channels or went to every
// channel configured for broadcasts; one not yet queued says nothing of
// the kind, and a broadcast outside the period lends none of its channels.
func TestArchiveRecordsSayWhereEachBroadcastWent(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	queue := func(b *bot.Broadcast, to ...bot.ChannelKey) {
		t.Helper()
		must(t, db.SaveBroadcast(ctx, b, bot.AuditEntry{Action: "broadcast.create"}))
		if len(to) == 0 {
			return
		}
		var out []bot.Outgoing
		for _, k := range to {
			out = append(out, bot.Outgoing{To: bot.Address{Platform: k.Platform(), ChannelID: k.ID()},
				Reply: bot.Reply{Kind: bot.KindBroadcast, Text: b.EN + "\n\n" + b.FR, Key: fmt.Sprintf("broadcast:%d:%s", b.ID, k)}})
		}
		must(t, db.QueueBroadcast(ctx, b.ID, out))
	}
	before := &bot.Broadcast{EN: "Earlier", FR: "Plus tôt", At: t0.Add(-48 * time.Hour)}
	queue(before, "web:old")
	everywhere := &bot.Broadcast{EN: "Offices closed", FR: "Bureaux fermés", At: t0}
	queue(everywhere, "discord:1", "web:help")
	chosen := &bot.Broadcast{EN: "Help desk closed", FR: "Comptoir fermé", At: t0.Add(time.Minute), Channels: []bot.ChannelKey{"web:general"}}
	queue(chosen, "web:general")
	later := &bot.Broadcast{EN: "Offices open", FR: "Bureaux ouverts", At: t0.Add(time.Hour)}
	queue(later)

	went := func(f ArchiveFilter) map[int64][]bot.ChannelKey {
		t.Helper()
		got := map[int64][]bot.ChannelKey{}
		must(t, db.ArchiveRecords(ctx, f, func(r ArchivedRecord) error {
			if r.Broadcast != nil {
				got[r.Broadcast.ID] = r.QueuedTo
			}
			return nil
		}))
		return got
	}
	got := went(ArchiveFilter{Since: t0.Add(-time.Hour)})
	want := map[int64][]bot.ChannelKey{everywhere.ID: {"discord:1", "web:help"}, chosen.ID: {"web:general"}, later.ID: nil}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("broadcasts of the period went to %v, want %v", got, want)
	}
	if got := went(ArchiveFilter{Contains: "comptoir"}); !reflect.DeepEqual(got, map[int64][]bot.ChannelKey{chosen.ID: {"web:general"}}) {
		t.Errorf("searching for one broadcast: %v", got)
	}
}

// A desk notice telling staff an answer could not be delivered names the
// citizen (their name, or their user id when the platform gave no name).
// After the purge no column of any table holds either: a notice the
// engine wrote with its version calling them "the citizen"
// (bot.Notice.Redacted) says that instead, in the language it was written
// in or in both, and one written before the engine kept that version is
// left with no text. A second purge changes nothing.
func TestPurgeLeavesNoCitizenNamedInDeskNotices(t *testing.T) {
	db, clk := newDB(t)
	ctx := context.Background()
	e := escalated(t, db, "old-failed", t0)
	relays := answerEscalation(t, db, e, t0.Add(time.Hour))
	must(t, db.MarkFailed(ctx, relays[0].ID, "unknown channel"))
	name, user := e.Askers[0].Address.UserName, e.Askers[0].Address.UserID

	said := func(lang bot.Lang, who string) string {
		if lang == bot.French {
			return fmt.Sprintf("Votre réponse à la question nº\u00a0%d n’a pas pu être transmise à %s\u00a0: unknown channel.", e.ID, who)
		}
		return fmt.Sprintf("Your answer to question %d could not be delivered to %s: unknown channel.", e.ID, who)
	}
	bilingual := func(who map[bot.Lang]string) bot.NoticeText {
		parts := []bot.Part{{Lang: bot.English, Text: said(bot.English, who[bot.English])}, {Lang: bot.French, Text: said(bot.French, who[bot.French])}}
		return bot.NoticeText{Text: parts[0].Text + "\n" + parts[1].Text, Parts: parts}
	}
	neutral := map[bot.Lang]string{bot.English: "the citizen", bot.French: "la personne"}
	named := bilingual(map[bot.Lang]string{bot.English: name, bot.French: name})
	unnamed := bilingual(neutral)
	notices := []bot.Notice{
		// To its author, in their language.
		{Kind: bot.NoticeUndelivered, EscalationID: e.ID, StaffID: "nadia", DeskUserID: "U_NADIA", Lang: bot.French,
			Text: said(bot.French, name), Redacted: &bot.NoticeText{Text: said(bot.French, "la personne")}},
		// To the whole desk, its author off the roster.
		{Kind: bot.NoticeUndelivered, EscalationID: e.ID, StaffID: "nadia", Text: named.Text, Parts: named.Parts,
			Redacted: &unnamed},
		// Written before the engine kept a version without the citizen,
		// naming them by their user id.
		{Kind: bot.NoticeUndelivered, EscalationID: e.ID, StaffID: "nadia", DeskUserID: "U_NADIA", Lang: bot.English,
			Text: said(bot.English, user)},
	}
	var desk []bot.Outgoing
	for i, n := range notices {
		desk = append(desk, bot.Outgoing{To: bot.Address{Platform: bot.DeskPlatform}, Notice: &n, EscalationID: e.ID,
			Reply: bot.Reply{Kind: bot.KindDesk, Lang: n.Lang, Text: n.Text, Parts: n.Parts, Key: fmt.Sprintf("undelivered:%d:%d", relays[0].ID, i)}})
	}
	must(t, db.Enqueue(ctx, desk))
	for i, it := range desk {
		must(t, db.MarkSent(ctx, it.ID, bot.MessageRef{Platform: bot.DeskPlatform, ID: fmt.Sprintf("desk-%d", i)}, t0.Add(2*time.Hour)))
	}

	traces := []string{name, user}
	found := citizenTraces(t, db, traces)
	for _, s := range traces {
		if !slices.Contains(found[s], "outbox.notice") || !slices.Contains(found[s], "outbox.reply") {
			t.Fatalf("%q is not in the desk notices (only in %v): nothing to look for", s, found[s])
		}
	}
	clk.Add(400 * 24 * time.Hour)
	cut := t0.AddDate(0, 0, 30)
	_, err := db.Purge(ctx, cut)
	must(t, err)
	for s, where := range citizenTraces(t, db, traces) {
		t.Errorf("after the purge, %q is still in %v", s, where)
	}

	want := []bot.NoticeText{{Text: said(bot.French, "la personne")}, bilingual(neutral), {}}
	texts := func() []string {
		t.Helper()
		var out []string
		for i, it := range desk {
			got, err := db.Outgoing(ctx, it.ID)
			must(t, err)
			n := got.Notice
			if n == nil || n.Kind != bot.NoticeUndelivered || n.EscalationID != e.ID || n.Lang != notices[i].Lang || n.Redacted != nil ||
				!reflect.DeepEqual(bot.NoticeText{Text: n.Text, Parts: n.Parts}, want[i]) ||
				!reflect.DeepEqual(bot.NoticeText{Text: got.Reply.Text, Parts: got.Reply.Parts}, want[i]) {
				t.Errorf("notice %d after the purge: %+v, reply %+v; want %+v", i, n, got.Reply, want[i])
			}
			var reply, notice string
			must(t, db.r.QueryRow(`SELECT reply, notice FROM outbox WHERE id = ?`, it.ID).Scan(&reply, &notice))
			out = append(out, reply, notice)
		}
		return out
	}
	before := texts()
	if res, err := db.Purge(ctx, cut); err != nil || res.Changed() != 0 {
		t.Errorf("second purge: %+v, %v; want nothing changed", res, err)
	}
	if after := texts(); !reflect.DeepEqual(after, before) {
		t.Errorf("second purge changed the notices:\n%q\nwant\n%q", after, before)
	}
}
