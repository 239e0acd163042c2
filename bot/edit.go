package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// EditWindow is how long after a message was posted an edit of it is
// decided again. Citizens edit a message right after sending it, to add the
// mention of the bot they forgot or to fix a typo; an edit much later is
// rarely a new question, and answering it would surprise a channel that has
// moved on.
const EditWindow = 15 * time.Minute

// HandleEdit decides again a message its author edited: m is the message
// as it reads now, with the same Platform and ID as when it was handled,
// its first Time and Edited set (zero: now). See EditHandler.
//
// A question passed to staff that still waits for them (not answered nor
// closed) is not decided again: staff see it edited (see editQuestion).
//
// Only a message set aside as not for the bot is decided again: not
// addressed to it, empty, or only a thank-you or emoji (the reasons an
// edit can change); or files without text, whose author was asked to write
// the question (ReasonFilesOnly), as an edit can; and only within
// EditWindow of its posting. The edited text is then decided as a new
// message would be (answered, escalated, recorded in shadow mode, or
// ignored again); unless it is ignored again, or still files without text
// (the notice is not sent again), the decision and its replies are
// recorded in place of the first one,
// and what the first one was is audited (action message.edit): the
// archive then holds the text as edited, with the decision made on it. An
// edit silenced by the flood limit is recorded so too, with nothing sent:
// read again (a catch-up after a restart, with no flood counted), it is
// not decided again. Every other decision stands, and is returned: an
// edit of a question answered or passed to staff sends nothing again, and
// once an edit was answered or silenced, later edits change nothing. A
// redelivered edit returns the decision recorded.
//
// It returns an error wrapping ErrNotFound when the message was never
// recorded (posted before the bot watched the channel, say).
func (e *Engine) HandleEdit(ctx context.Context, m Message) (Decision, error) {
	if m.Platform == "" || m.ID == "" {
		return Decision{}, fmt.Errorf("%w: a message needs a platform and an id", ErrInvalid)
	}
	was, err := e.st.DecisionFor(ctx, m.Platform, m.ID)
	if err != nil {
		return Decision{}, fmt.Errorf("engine: edit: %w", err)
	}
	now := e.now()
	if m.Edited.IsZero() {
		m.Edited = now
	}
	if m.Time.IsZero() || m.Edited.Sub(m.Time) > EditWindow {
		return was, nil
	}
	if was.Action == ActEscalate && was.EscalationID != 0 {
		return was, e.editQuestion(ctx, m, was)
	}
	if !decidedAgain(was) {
		return was, nil
	}
	m.Text = sanitize(m.Text)
	o, hits, _ := e.decide(ctx, m, now, false)
	if o.Decision.Action == ActIgnore && !flooded(o.Decision) {
		return was, nil // still not for the bot: the first decision stands
	}
	if o.Decision.Reason == ReasonFilesOnly && was.Reason == ReasonFilesOnly {
		return was, nil // still no text: the citizen was asked for it already
	}
	save := func(ctx context.Context, o *Outcome) error {
		return e.st.SaveEdit(ctx, o, was, editAudit(m, was, o.Decision))
	}
	if o.Decision.Action == ActEscalate {
		err = e.saveEscalation(ctx, o, hits, save)
	} else {
		err = save(ctx, o)
	}
	if err != nil {
		e.flood.undo(o.counted) // not recorded: it counts when it is
	}
	if errors.Is(err, ErrDuplicate) {
		return e.st.DecisionFor(ctx, m.Platform, m.ID) // another edit was decided meanwhile
	}
	if err != nil {
		return Decision{}, fmt.Errorf("engine: record edit: %w", err)
	}
	e.pokeFor(o.Outbox)
	e.logDecision(m, o.Decision)
	return o.Decision, nil
}

// editAudit records that m, edited by its author, was decided d in place
// of was: the archive's audit records keep what the text as first posted,
// which is no longer kept, was decided. It holds no citizen text.
func editAudit(m Message, was, d Decision) AuditEntry {
	detail := "edited by its author " + m.Edited.Sub(m.Time).Round(time.Second).String() + " after posting: decided " +
		string(was.Action) + " (" + string(was.Reason) + "), now " + string(d.Action) + " (" + string(d.Reason) + ")"
	return AuditEntry{At: d.At, Actor: "engine", Via: "engine", Action: "message.edit",
		Target: string(m.Channel()) + "/" + m.ID, Detail: detail, Allowed: true}
}

// flooded reports whether d is the flood limit's: the notice, or silence.
func flooded(d Decision) bool { return d.Reason == ReasonFlood || d.Reason == ReasonFloodSilent }

// decidedAgain reports whether a message decided d is decided again when
// its author edits it: set aside for what an edit can change (no mention
// of the bot, no text, nothing but thanks or emoji), or files without text
// whose author was asked to write the question (noticed, or in shadow mode
// recorded as the bot would have); not for its author (a bot), its abuse,
// its partisan text, or the flood limit.
func decidedAgain(d Decision) bool {
	switch d.Reason {
	case ReasonFilesOnly:
		return true
	case ReasonNotAddressed, ReasonEmpty, ReasonCourtesy, ReasonNoWords:
		return d.Action == ActIgnore
	}
	return false
}

// editQuestion shows staff the question of m, passed to them as was and
// edited by its author since: when it still waits for them and m asked it
// first (the question the desk post quotes), its text becomes the edited
// one, masked, in the escalation and the asker's record, and the post is
// drawn again (its version moves on); whoever holds it (claimed by, or
// routed to) is told in its thread that the citizen edited it
// (NoticeEdited), and the change is audited. An edit that leaves the
// masked text as it was, or empties it, changes nothing; nor does one
// into text the comment policy sets aside (abuse, partisan text), which
// a new message would not bring to staff; nor one of
// a question answered or closed (nothing is sent again), or of a citizen
// who joined another's question, which the post does not quote. An edit
// into the other official language gives the asker that language; the
// escalation too when nobody joined it, routed again while open to
// someone who writes it when the one it waits on does not.
func (e *Engine) editQuestion(ctx context.Context, m Message, was Decision) error {
	text := sanitize(m.Text)
	q := Redact(text)
	if strings.TrimSpace(q) == "" || policyCheck(text) != "" {
		return nil
	}
	e.escMu.Lock()
	defer e.escMu.Unlock()
	esc, err := e.st.Escalation(ctx, was.EscalationID)
	if err != nil {
		return fmt.Errorf("engine: edit: %w", err)
	}
	if !esc.quotes(was.MessageID) {
		return nil
	}
	a := esc.Askers[0]
	if a.Address.UserID != m.AuthorID || a.Redacted || a.Question == q {
		return nil
	}
	now := e.now()
	key := "edited:" + strconv.FormatInt(esc.ID, 10) + ":" + strconv.Itoa(esc.Version)
	esc.Question, esc.UpdatedAt = q, now
	detail := "the citizen edited the question " + m.Edited.Sub(m.Time).Round(time.Second).String() + " after asking it; the post shows the edit"
	edit := &QuestionEdit{MessageID: a.MessageID, Text: text, Question: q}
	if lang, _ := e.detect(text); lang.Valid() && lang != a.Lang {
		// Edited into the other language: the citizen is answered in it,
		// and when nobody else joined the question, staff answer it in
		// that language, routed again, while open, to someone who writes
		// it.
		edit.Lang = lang
		detail += ", now in " + string(lang)
		if len(esc.Askers) == 1 {
			esc.Lang = lang
			if s, ok := e.cfg.Staff.ByID(esc.RoutedTo); esc.State == StateOpen && !(ok && s.Speaks(lang)) {
				if next, ok := e.cfg.Staff.Route(esc.Topic, lang); ok && next.Speaks(lang) {
					detail += ", routed to " + next.ID + " (" + cmp.Or(esc.RoutedTo, "nobody") + " does not write it)"
					esc.RoutedTo, esc.RoutedAt, esc.Reminders, esc.Nudges = next.ID, now, 0, 0
				}
			}
		}
	}
	n := e.holderNotice(key, NoticeEdited, esc, MsgDeskEdited, map[string]any{"ID": esc.ID})
	audit := AuditEntry{At: now, Actor: "engine", Via: "engine", Action: "escalation.edit", Target: escTarget(esc.ID),
		Detail: detail, Allowed: true}
	if err := e.st.ApplyEscalation(ctx, &EscalationChange{Escalation: &esc, Audit: []AuditEntry{audit}, Outbox: []Outgoing{n},
		Edit: edit}); err != nil {
		return fmt.Errorf("engine: edit: %w", err)
	}
	e.waiting[esc.ID] = waitingFrom(esc)
	e.poke(DeskPlatform)
	return nil
}
