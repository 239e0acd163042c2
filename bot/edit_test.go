package bot_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/phases"
	"github.com/liaison-gc/liaison/store"
)

// edit is m as its author edited it at the clock's now, addressed to the
// bot by a mention when mention is set.
func (e *env) edit(m bot.Message, text string, mention bool) bot.Message {
	m.Text, m.Mentioned, m.Edited = text, mention, e.clock.Now()
	return m
}

// editsAudited lists the audit entries of messages decided again after
// an edit, oldest first.
func (e *env) editsAudited() []bot.AuditEntry {
	e.t.Helper()
	log, err := e.st.AuditLog(e.ctx, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []bot.AuditEntry
	for _, a := range slices.Backward(log) {
		if a.Action == "message.edit" {
			out = append(out, a)
		}
	}
	return out
}

func TestEditMentioningTheBotIsAnsweredOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	m := e.msg("general", "marie", "How do I renew my passport?", "q1")
	if d, err := e.eng.HandleMessage(e.ctx, m); err != nil || d.Action != bot.ActIgnore || d.Reason != bot.ReasonNotAddressed {
		t.Fatalf("first decision %+v, %v: want not addressed", d, err)
	}
	// A typo fixed, still without the mention: still not for the bot, and
	// it does not use up the edit that adds it.
	e.clock.Advance(time.Minute)
	if d, err := e.eng.HandleEdit(e.ctx, e.edit(m, "How do I renew my passport??", false)); err != nil || d.Action != bot.ActIgnore {
		t.Fatalf("edit without mention: %+v, %v", d, err)
	}
	e.clock.Advance(time.Minute)
	d, err := e.eng.HandleEdit(e.ctx, e.edit(m, "How do I renew my passport?", true))
	if err != nil || d.Action != bot.ActAnswer || d.EntryID != "passport-renew" {
		t.Fatalf("edit with mention: %+v, %v: want the answer", d, err)
	}
	e.tick()
	sent := e.ch.all()
	if len(sent) != 1 || sent[0].Reply.Kind != bot.KindAnswer || sent[0].To.ReplyTo != "q1" || sent[0].To.UserID != "marie" {
		t.Fatalf("sent %+v, want one answer to q1", sent)
	}

	// Another edit, the same edit again, and the message redelivered:
	// nothing more is sent.
	e.clock.Advance(time.Minute)
	if d2, err := e.eng.HandleEdit(e.ctx, e.edit(m, "How do I renew my passport? It expires soon.", true)); err != nil || d2.Action != bot.ActAnswer || d2.MessageID != d.MessageID {
		t.Fatalf("second edit: %+v, %v: want the first answer's decision", d2, err)
	}
	if _, err := e.eng.HandleEdit(e.ctx, e.edit(m, "How do I renew my passport?", true)); err != nil {
		t.Fatal(err)
	}
	if d2, err := e.eng.HandleMessage(e.ctx, m); err != nil || d2.Action != bot.ActAnswer {
		t.Fatalf("redelivered: %+v, %v", d2, err)
	}
	e.tick()
	if n := len(e.ch.all()); n != 1 {
		t.Fatalf("%d replies sent, want the one answer", n)
	}

	// The archive: the text answered with its decision, and in the audit
	// records what the text as first posted was decided.
	var a store.ArchivedMessage
	if err := e.st.Archive(e.ctx, store.ArchiveFilter{}, func(m store.ArchivedMessage) error { a = m; return nil }); err != nil {
		t.Fatal(err)
	}
	if a.Text != "How do I renew my passport?" || a.Decision == nil || a.Decision.Action != bot.ActAnswer || !a.At.Equal(m.Time) {
		t.Errorf("archived %+v (decision %+v)", a, a.Decision)
	}
	want := bot.AuditEntry{Actor: "engine", Via: "engine", Action: "message.edit", Target: "mem:general/q1", Allowed: true,
		Detail: "edited by its author 2m0s after posting: decided ignore (not_addressed), now answer (confident)"}
	if got := e.editsAudited(); len(got) != 1 || func() bool { g := got[0]; g.ID, g.At = 0, time.Time{}; return g != want }() {
		t.Errorf("audited %+v, want %+v", got, want)
	}
}

func TestEditToAQuestionForStaffEscalatesOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	m := e.msg("general", "marie", "Why is the office on Elm Street closed on a Tuesday?", "q1")
	if d, err := e.eng.HandleMessage(e.ctx, m); err != nil || d.Action != bot.ActIgnore {
		t.Fatalf("first decision %+v, %v", d, err)
	}
	e.clock.Advance(2 * time.Minute)
	d, err := e.eng.HandleEdit(e.ctx, e.edit(m, m.Text, true))
	if err != nil || d.Action != bot.ActEscalate || d.EscalationID == 0 {
		t.Fatalf("edit with mention: %+v, %v: want an escalation", d, err)
	}
	e.clock.Advance(time.Minute)
	if d2, err := e.eng.HandleEdit(e.ctx, e.edit(m, "Why is the Elm Street office closed on Tuesdays?", true)); err != nil || d2.EscalationID != d.EscalationID {
		t.Fatalf("second edit: %+v, %v", d2, err)
	}
	e.tick()
	if k := e.ch.kinds(); len(k) != 1 || k[0] != bot.KindAck {
		t.Fatalf("sent %v, want one acknowledgement", k)
	}
	if n := e.desk.postCount(); n != 1 {
		t.Fatalf("%d desk posts, want 1", n)
	}
	esc, err := e.st.Escalation(e.ctx, d.EscalationID)
	if err != nil || len(esc.Askers) != 1 || esc.Askers[0].Address.ReplyTo != "q1" || esc.Question == "" {
		t.Fatalf("escalation %+v, %v", esc, err)
	}
	if a := e.editsAudited(); len(a) != 1 || !strings.HasSuffix(a[0].Detail, "decided ignore (not_addressed), now escalate (low_confidence)") {
		t.Errorf("audited %+v", a)
	}
}

func TestEditLeftAloneWhenLateOrTheDecisionStands(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)

	late := e.msg("general", "marie", "How do I renew my passport?", "late")
	if _, err := e.eng.HandleMessage(e.ctx, late); err != nil {
		t.Fatal(err)
	}
	answered := e.msg("help", "marie", "How do I renew my passport?", "answered")
	if d, err := e.eng.HandleMessage(e.ctx, answered); err != nil || d.Action != bot.ActAnswer {
		t.Fatalf("help channel: %+v, %v", d, err)
	}
	e.tick()

	e.clock.Advance(bot.EditWindow + time.Second)
	if d, err := e.eng.HandleEdit(e.ctx, e.edit(late, late.Text, true)); err != nil || d.Action != bot.ActIgnore {
		t.Fatalf("edit past the window: %+v, %v: want the decision left", d, err)
	}
	if d, err := e.eng.HandleEdit(e.ctx, e.edit(answered, "How do I renew my passport? And my son's?", false)); err != nil || d.Action != bot.ActAnswer {
		t.Fatalf("edit of an answered question: %+v, %v", d, err)
	}
	e.tick()
	if n := len(e.ch.all()); n != 1 {
		t.Fatalf("%d replies sent, want only the first answer", n)
	}
	if _, err := e.eng.HandleEdit(e.ctx, e.edit(e.msg("general", "marie", "hi", "never"), "hi", true)); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("edit of a message never recorded: %v, want ErrNotFound", err)
	}
}

func TestEditsAtOnceAnswerOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	m := e.msg("general", "marie", "How do I renew my passport?", "q1")
	if _, err := e.eng.HandleMessage(e.ctx, m); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if d, err := e.eng.HandleEdit(e.ctx, e.edit(m, m.Text, true)); err != nil || d.Action != bot.ActAnswer {
				t.Errorf("edit: %+v, %v", d, err)
			}
		}()
	}
	wg.Wait()
	e.tick()
	if n := len(e.ch.all()); n != 1 {
		t.Fatalf("%d replies sent, want one answer", n)
	}
}

func TestEditOfAWaitingQuestionIsShownToStaff(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	m := e.msg("help", "marie", "Why is the office on Elm Street closed on a Tuesday?", "q1")
	d, err := e.eng.HandleMessage(e.ctx, m)
	if err != nil || d.Action != bot.ActEscalate {
		t.Fatalf("decision %+v, %v: want an escalation", d, err)
	}
	e.tick()
	ref := e.deskRef(d.EscalationID)
	before, _ := e.st.Escalation(e.ctx, d.EscalationID)

	e.clock.Advance(2 * time.Minute)
	edited := "Why is the office on Elm Street closed on Tuesdays and on Wednesdays?"
	for range 2 { // the same edit twice: shown once
		if got, err := e.eng.HandleEdit(e.ctx, e.edit(m, edited, false)); err != nil || got.Action != bot.ActEscalate || got.EscalationID != d.EscalationID {
			t.Fatalf("edit: %+v, %v: want the escalation's decision", got, err)
		}
	}
	e.tick()
	e.desk.mu.Lock()
	post := e.desk.posts[ref]
	e.desk.mu.Unlock()
	if post.Question != edited || post.Version <= before.Version {
		t.Errorf("desk post shows %q (version %d, was %d), want the edited question", post.Question, post.Version, before.Version)
	}
	notes := e.desk.noticesOf(bot.NoticeEdited)
	if len(notes) != 1 || notes[0].EscalationID != d.EscalationID || notes[0].StaffID != before.RoutedTo ||
		!strings.Contains(notes[0].Text, "edited question") {
		t.Errorf("notices %+v, want one to %s saying the citizen edited the question", notes, before.RoutedTo)
	}
	if k := e.ch.kinds(); len(k) != 1 || k[0] != bot.KindAck {
		t.Errorf("sent %v, want the one acknowledgement", k)
	}
	esc, _ := e.st.Escalation(e.ctx, d.EscalationID)
	if esc.Askers[0].Question != edited {
		t.Errorf("asker's question %q", esc.Askers[0].Question)
	}

	// Answered, the question is done: a later edit changes nothing.
	s, _ := roster.ByID(esc.RoutedTo)
	if _, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: s.DeskUserID, EventID: "a1",
		Text: "The Elm Street office closes on Tuesdays and Wednesdays for training."}); err != nil {
		t.Fatal(err)
	}
	e.tick()
	e.clock.Advance(time.Minute)
	if _, err := e.eng.HandleEdit(e.ctx, e.edit(m, "Why is it closed on Thursdays?", false)); err != nil {
		t.Fatal(err)
	}
	e.tick()
	if esc, _ := e.st.Escalation(e.ctx, d.EscalationID); esc.Question != edited {
		t.Errorf("question %q after an edit of an answered question", esc.Question)
	}
	if n := len(e.desk.noticesOf(bot.NoticeEdited)); n != 1 {
		t.Errorf("%d edit notices, want 1", n)
	}
	if k := e.ch.kinds(); len(k) != 2 || k[1] != bot.KindRelay {
		t.Errorf("sent %v, want the acknowledgement and the answer only", k)
	}
}

// Edits count against the flood limit when they are made: a citizen who
// posts a dozen messages a minute apart without the mention, then adds it
// to all of them at once, is flooding the bot now.
func TestEditsMadeAtOnceMeetTheFloodLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	var posted []bot.Message
	for i := range 12 {
		m := e.msg("general", "marie", "How do I renew my passport?", fmt.Sprintf("q%d", i))
		if _, err := e.eng.HandleMessage(e.ctx, m); err != nil {
			t.Fatal(err)
		}
		posted = append(posted, m)
		e.clock.Advance(61 * time.Second)
	}
	for _, m := range posted {
		if _, err := e.eng.HandleEdit(e.ctx, e.edit(m, m.Text, true)); err != nil {
			t.Fatal(err)
		}
	}
	e.tick()
	counts := map[bot.ReplyKind]int{}
	for _, k := range e.ch.kinds() {
		counts[k]++
	}
	if counts[bot.KindAnswer] != 10 || counts[bot.KindNotice] != 1 || len(e.ch.kinds()) != 11 {
		t.Fatalf("sent %v, want 10 answers and the flood notice", counts)
	}
}

// An edit silenced by the flood limit is recorded, as a message silenced
// is, with nothing sent: read again, after a restart that forgets the
// flood count, it is not decided again nor answered, and a later edit of
// the message changes nothing either.
func TestEditSilencedByTheFloodLimitIsNotDecidedAgain(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *bot.Config) { c.FloodPerMinute = 3 })
	var edits []bot.Message
	for i := range 5 {
		m := e.msg("general", "marie", "How do I renew my passport?", fmt.Sprintf("q%d", i))
		if _, err := e.eng.HandleMessage(e.ctx, m); err != nil {
			t.Fatal(err)
		}
		edits = append(edits, m)
		e.clock.Advance(61 * time.Second)
	}
	for i, m := range edits {
		edits[i] = e.edit(m, m.Text, true)
		if _, err := e.eng.HandleEdit(e.ctx, edits[i]); err != nil {
			t.Fatal(err)
		}
	}
	silenced := edits[4]
	if d, err := e.st.DecisionFor(e.ctx, "mem", silenced.ID); err != nil || d.Action != bot.ActIgnore || d.Reason != bot.ReasonFloodSilent {
		t.Errorf("recorded for the fifth edit: %+v, %v; want silenced by the flood limit", d, err)
	}
	a := e.editsAudited()
	if len(a) != 5 || a[4].Target != "mem:general/"+silenced.ID || !strings.Contains(a[4].Detail, "decided ignore (not_addressed), now ignore (flood_silent)") {
		t.Errorf("audited %+v; want the five edits, the last silenced", a)
	}

	e.start() // a restart: no flood counted
	e.clock.Advance(time.Minute)
	for _, m := range []bot.Message{silenced, e.edit(silenced, "How do I renew my passport, please?", true)} {
		if d, err := e.eng.HandleEdit(e.ctx, m); err != nil || d.Action != bot.ActIgnore || d.Reason != bot.ReasonFloodSilent {
			t.Errorf("edit %q read after the restart: %+v, %v; want it left silenced", m.Text, d, err)
		}
	}
	e.tick()
	counts := map[bot.ReplyKind]int{}
	for _, o := range e.ch.all() {
		counts[o.Reply.Kind]++
		if o.To.ReplyTo == silenced.ID {
			t.Errorf("sent %s in reply to the silenced edit", o.Reply.Kind)
		}
	}
	if counts[bot.KindAnswer] != 3 || counts[bot.KindNotice] != 1 || len(e.ch.all()) != 4 {
		t.Errorf("sent %v; want 3 answers and the flood notice", counts)
	}
	if n := len(e.editsAudited()); n != 5 {
		t.Errorf("%d edits audited; want the five decided, none again", n)
	}
}

// A waiting question edited into abuse or partisan text is not brought to
// staff, as a new message with that text would not be: the post keeps the
// question as asked, and nobody is told of an edit.
func TestEditOfAWaitingQuestionIntoTextThePolicySetsAsideIsNotShown(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	m := e.msg("help", "marie", "Why is the office on Elm Street closed on a Tuesday?", "q1")
	d, err := e.eng.HandleMessage(e.ctx, m)
	if err != nil || d.Action != bot.ActEscalate {
		t.Fatalf("decision %+v, %v: want an escalation", d, err)
	}
	e.tick()
	for i, text := range []string{
		"Why is the office on Elm Street closed, you fucking idiots?",
		"Who should I vote for, the Liberals or the Conservatives?",
	} {
		e.clock.Advance(time.Minute)
		if _, err := e.eng.HandleEdit(e.ctx, e.edit(m, text, false)); err != nil {
			t.Fatal(err)
		}
		e.tick()
		if esc, _ := e.st.Escalation(e.ctx, d.EscalationID); esc.Question != m.Text || esc.Askers[0].Question != m.Text {
			t.Errorf("edit %d: staff shown %q (asker %q), want the question as asked", i, esc.Question, esc.Askers[0].Question)
		}
	}
	if n := len(e.desk.noticesOf(bot.NoticeEdited)); n != 0 {
		t.Errorf("%d edit notices, want none", n)
	}
}

// A question edited into the other official language is answered in it:
// the escalation takes the language, goes to someone who writes it, and
// their answer in it is relayed, not held as written in the wrong one.
func TestEditOfAWaitingQuestionIntoTheOtherLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	m := e.msg("help", "marie", "My passport photo was refused at the Elm Street office, what should I do about the photographer?", "q1")
	d, err := e.eng.HandleMessage(e.ctx, m)
	if err != nil || d.Action != bot.ActEscalate {
		t.Fatalf("decision %+v, %v: want an escalation", d, err)
	}
	e.tick()
	if esc, _ := e.st.Escalation(e.ctx, d.EscalationID); esc.Lang != bot.English || esc.RoutedTo != "alex" {
		t.Fatalf("escalation in %s routed to %s, want English and alex, who writes only English", esc.Lang, esc.RoutedTo)
	}

	e.clock.Advance(2 * time.Minute)
	edited := "La photo de mon passeport a été refusée au bureau de la rue Elm, que dois-je faire au sujet du photographe?"
	if _, err := e.eng.HandleEdit(e.ctx, e.edit(m, edited, false)); err != nil {
		t.Fatal(err)
	}
	e.tick()
	esc, _ := e.st.Escalation(e.ctx, d.EscalationID)
	if esc.Question != edited || esc.Lang != bot.French || esc.Askers[0].Lang != bot.French || esc.RoutedTo != "nadia" {
		t.Fatalf("escalation %q in %s (asker in %s) routed to %s, want the edit, in French, routed to nadia",
			esc.Question, esc.Lang, esc.Askers[0].Lang, esc.RoutedTo)
	}
	if notes := e.desk.noticesOf(bot.NoticeEdited); len(notes) != 1 || notes[0].StaffID != "nadia" {
		t.Errorf("edit notices %+v, want one to nadia", notes)
	}

	s, _ := roster.ByID("nadia")
	res, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: s.DeskUserID, EventID: "a1",
		Text: "Le photographe doit reprendre la photo selon les normes; apportez la nouvelle photo au bureau de la rue Elm."})
	if err != nil || res.Mismatch {
		t.Fatalf("French answer: %+v, %v: want it relayed, not held", res, err)
	}
	e.tick()
	if k := e.ch.kinds(); len(k) != 2 || k[1] != bot.KindRelay {
		t.Errorf("sent %v, want the acknowledgement and the answer", k)
	}
}

// filesAlone is a message of files without text (a screenshot, a voice
// message) posted in channel.
func (e *env) filesAlone(channel, user, id string) bot.Message {
	m := e.msg(channel, user, "", id)
	m.Files = 1
	return m
}

// A citizen asked to write the question their files alone did not is
// answered when they write it in the same message, by editing it, as a
// new message would be, once: an edit that still has no text is not asked
// again, and a later edit of the question answered sends nothing more.
func TestEditWritingTheQuestionOfFilesAloneIsAnsweredOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	m := e.filesAlone("help", "ana", "pic")
	if d, err := e.eng.HandleMessage(e.ctx, m); err != nil || d.Action != bot.ActNotice || d.Reason != bot.ReasonFilesOnly {
		t.Fatalf("first decision %+v, %v: want the request to write the question", d, err)
	}
	e.tick()
	e.clock.Advance(time.Minute)
	if d, err := e.eng.HandleEdit(e.ctx, e.edit(m, "", false)); err != nil || d.Reason != bot.ReasonFilesOnly {
		t.Fatalf("edit still without text: %+v, %v: want the first decision", d, err)
	}
	e.clock.Advance(time.Minute)
	d, err := e.eng.HandleEdit(e.ctx, e.edit(m, "How do I renew my passport?", false))
	if err != nil || d.Action != bot.ActAnswer || d.EntryID != "passport-renew" {
		t.Fatalf("edit writing the question: %+v, %v: want the answer", d, err)
	}
	e.clock.Advance(time.Minute)
	if d2, err := e.eng.HandleEdit(e.ctx, e.edit(m, "How do I renew my passport? It expires in May.", false)); err != nil ||
		d2.Action != bot.ActAnswer || d2.MessageID != d.MessageID {
		t.Fatalf("second edit: %+v, %v: want the answer's decision", d2, err)
	}
	e.tick()
	sent := e.ch.all()
	if len(sent) != 2 || sent[0].Reply.Kind != bot.KindNotice || sent[1].Reply.Kind != bot.KindAnswer || sent[1].To.ReplyTo != "pic" {
		t.Fatalf("sent %v, want the request to write the question, then the one answer to pic", e.ch.kinds())
	}
	if a := e.editsAudited(); len(a) != 1 || !strings.HasSuffix(a[0].Detail, "decided notice (files_only), now answer (confident)") {
		t.Errorf("audited %+v, want the one edit decided", a)
	}
}

// Written by an edit, a question of files alone goes where a new message
// would: to staff, or set aside by the comment policy with its notice.
func TestEditWritingTheQuestionOfFilesAloneForStaffOrThePolicy(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	for _, tt := range []struct {
		id, text string
		action   bot.Action
		reason   bot.Reason
	}{
		{"staff", "Why is the office on Elm Street closed on a Tuesday?", bot.ActEscalate, bot.ReasonLowConfidence},
		{"partisan", "Who should I vote for, the Liberals or the Conservatives?", bot.ActNotice, bot.ReasonPartisan},
	} {
		m := e.filesAlone("help", "ana", tt.id)
		if _, err := e.eng.HandleMessage(e.ctx, m); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
		if d, err := e.eng.HandleEdit(e.ctx, e.edit(m, tt.text, false)); err != nil || d.Action != tt.action || d.Reason != tt.reason {
			t.Errorf("%s: edit decided %+v, %v; want %s (%s)", tt.id, d, err, tt.action, tt.reason)
		}
	}
	e.tick()
	if k := e.ch.kinds(); !slices.Equal(k, []bot.ReplyKind{bot.KindNotice, bot.KindAck, bot.KindNotice, bot.KindNotice}) {
		t.Errorf("sent %v; want each request to write the question, the acknowledgement and the policy's notice", k)
	}
	if n := e.desk.postCount(); n != 1 {
		t.Errorf("%d desk posts, want 1", n)
	}
}

// In shadow mode (phase 1) files alone are recorded as the bot would have
// asked for the question; written by an edit, the question is recorded as
// what the bot would have done with it, and nothing is posted.
func TestEditWritingTheQuestionOfFilesAloneInShadowMode(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.setPhase(phases.Broadcast, "")
	m := e.filesAlone("help", "ana", "pic")
	if d, err := e.eng.HandleMessage(e.ctx, m); err != nil || d.Action != bot.ActShadow || d.Reason != bot.ReasonFilesOnly {
		t.Fatalf("first decision %+v, %v", d, err)
	}
	e.clock.Advance(time.Minute)
	for i, text := range []string{"How do I renew my passport?", "How do I renew my passport? It expires in May."} {
		if d, err := e.eng.HandleEdit(e.ctx, e.edit(m, text, false)); err != nil || d.Action != bot.ActShadow || d.Would != bot.ActAnswer {
			t.Errorf("edit %d: %+v, %v; want shadow (would answer)", i, d, err)
		}
	}
	e.tick()
	if k := e.ch.kinds(); len(k) != 0 {
		t.Errorf("sent %v in shadow mode", k)
	}
	if n := len(e.editsAudited()); n != 1 {
		t.Errorf("%d edits audited, want 1", n)
	}
}

// A question written by an edit counts against the flood limit when the
// edit is made, as a new message then would.
func TestEditWritingTheQuestionOfFilesAloneCountsWhenMade(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *bot.Config) { c.FloodPerMinute = 2 })
	m := e.filesAlone("help", "ana", "pic")
	if _, err := e.eng.HandleMessage(e.ctx, m); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	e.ask("ana", "How do I renew my passport?")
	e.ask("ana", "How do I apply for a passport for my child?")
	if d, err := e.eng.HandleEdit(e.ctx, e.edit(m, "What documents do I need for a passport?", false)); err != nil ||
		d.Action != bot.ActNotice || d.Reason != bot.ReasonFlood {
		t.Errorf("edit made after two questions that minute: %+v, %v; want the flood notice", d, err)
	}
}
