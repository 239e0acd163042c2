package bot

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strconv"
	"strings"
)

// Escalation returns one escalation with its askers.
func (e *Engine) Escalation(ctx context.Context, id int64) (Escalation, error) {
	return e.st.Escalation(ctx, id)
}

// EscalationByDeskRef finds the escalation whose desk post is ref.
func (e *Engine) EscalationByDeskRef(ctx context.Context, ref string) (Escalation, error) {
	return e.st.EscalationByDeskRef(ctx, ref)
}

// Escalations lists escalations matching f, oldest first.
func (e *Engine) Escalations(ctx context.Context, f EscalationFilter) ([]Escalation, error) {
	return e.st.Escalations(ctx, f)
}

func (e *Engine) deskName() string {
	if e.desk != nil {
		return e.desk.Name()
	}
	return DeskPlatform
}

// staff finds the rostered staff member behind a desk user, or records the
// refusal and returns ErrForbidden.
func (e *Engine) staff(ctx context.Context, deskUserID, action, target string) (Staff, error) {
	if s, ok := e.cfg.Staff.ByDeskUser(deskUserID); ok {
		return s, nil
	}
	e.audit(ctx, AuditEntry{Actor: deskUserID, Via: e.deskName(), Action: action, Target: target, Detail: "not on the staff roster", Allowed: false})
	return Staff{}, notOnRoster(deskUserID)
}

// refused audits a desk action refused to staff member s and returns err,
// which says why.
func (e *Engine) refused(ctx context.Context, s Staff, action, target string, err error) error {
	e.audit(ctx, AuditEntry{Actor: s.ID, Via: e.deskName(), Action: action, Target: target, Detail: err.Error(), Allowed: false})
	return err
}

func (e *Engine) audit(ctx context.Context, a AuditEntry) {
	if a.At.IsZero() {
		a.At = e.now()
	}
	if err := e.st.Audit(ctx, a); err != nil {
		e.log.Error("audit", "action", a.Action, "err", err)
	}
}

func escTarget(id int64) string { return "escalation:" + strconv.FormatInt(id, 10) }

// deskNotice builds a desk outbox item for an escalation's thread.
func (e *Engine) deskNotice(key string, n Notice) Outgoing {
	return Outgoing{
		To:           Address{Platform: DeskPlatform},
		Reply:        Reply{Kind: KindDesk, Lang: n.Lang, Text: n.Text, Key: key, Parts: n.Parts},
		Notice:       &n,
		EscalationID: n.EscalationID,
		State:        OutPending,
		CreatedAt:    e.now(),
	}
}

// staffNotice is a notice to one staff member, in their language.
func (e *Engine) staffNotice(key string, kind NoticeKind, esc Escalation, s Staff, id string, data map[string]any) Outgoing {
	lang := s.PreferredLang()
	return e.deskNotice(key, Notice{Kind: kind, EscalationID: esc.ID, StaffID: s.ID, DeskUserID: s.DeskUserID,
		Lang: lang, Text: e.msgs.Text(lang, id, data)})
}

// bilingualNotice is n, for staff whose language is not known (the whole
// desk, an author no longer on the roster), with the bot's message id in
// both official languages as its text, a part each.
func (e *Engine) bilingualNotice(key string, n Notice, id string, data func(Lang) map[string]any) Outgoing {
	n.Parts = bilingual(e.msgs, id, data)
	n.Text = whole(n.Parts)
	return e.deskNotice(key, n)
}

// unnamed gives n, rendered from the bot's message id with data whose Name
// is a citizen's, its Redacted text: the same, in the same language or
// both, calling them "the citizen", for the retention purge to leave.
func (e *Engine) unnamed(n *Notice, id string, data map[string]any) {
	without := func(l Lang) map[string]any {
		d := maps.Clone(data)
		d["Name"] = e.msgs.Text(l, MsgDeskCitizen, nil)
		return d
	}
	if n.Lang != "" {
		n.Redacted = &NoticeText{Text: e.msgs.Text(n.Lang, id, without(n.Lang))}
		return
	}
	parts := bilingual(e.msgs, id, without)
	n.Redacted = &NoticeText{Text: whole(parts), Parts: parts}
}

// Claim records that a staff member takes an escalation. Claiming one
// already claimed by someone else on the roster, or no longer waiting,
// returns ErrConflict (audited). One claimed by someone no longer on the
// roster is taken over, and the audit entry names them.
func (e *Engine) Claim(ctx context.Context, id int64, deskUserID string) (Escalation, error) {
	s, err := e.staff(ctx, deskUserID, "escalation.claim", escTarget(id))
	if err != nil {
		return Escalation{}, err
	}
	e.escMu.Lock()
	defer e.escMu.Unlock()
	esc, err := e.st.Escalation(ctx, id)
	if err != nil {
		return Escalation{}, err
	}
	var detail string
	switch _, claimerOnRoster := e.cfg.Staff.ByID(esc.ClaimedBy); {
	case esc.ClaimedBy == s.ID && esc.State.Waiting():
		return esc, nil
	case !esc.State.Waiting():
		return esc, e.refused(ctx, s, "escalation.claim", escTarget(id), notWaiting(id, esc.State))
	case esc.ClaimedBy != "" && claimerOnRoster:
		return esc, e.refused(ctx, s, "escalation.claim", escTarget(id), refuse(ErrConflict, fmt.Sprintf("Question %d has already been claimed by %s.", id, e.staffName(esc.ClaimedBy)),
			fmt.Sprintf("La question nº\u00a0%d a déjà été prise en charge par %s.", id, e.staffName(esc.ClaimedBy))))
	case esc.ClaimedBy != "":
		detail = "taken over from " + esc.ClaimedBy + " (not on the staff roster)"
	}
	now := e.now()
	esc.State, esc.ClaimedBy, esc.ClaimedAt, esc.UpdatedAt = StateClaimed, s.ID, now, now
	c := &EscalationChange{Escalation: &esc,
		Audit: []AuditEntry{{At: now, Actor: s.ID, Via: e.deskName(), Action: "escalation.claim", Target: escTarget(id), Detail: detail, Allowed: true}}}
	if err := e.st.ApplyEscalation(ctx, c); err != nil {
		return Escalation{}, err
	}
	e.poke(DeskPlatform)
	return esc, nil
}

func (e *Engine) staffName(id string) string {
	if s, ok := e.cfg.Staff.ByID(id); ok {
		return s.Name
	}
	return id
}

// Answer records a staff answer and queues it to every asker, signed, once
// per desk event. An answer from someone not on the roster is kept for the
// record, not relayed, and the author is told why (ErrForbidden); so is an
// answer on a closed escalation (ErrConflict), or on one whose askers the
// retention purge has all taken (ErrConflict: nobody is left to reach).
// An empty answer to an escalation is refused (ErrInvalid). These refusals
// are audited.
// An answer in the other language than the askers' is held until the
// author chooses (see ResolveMismatch).
func (e *Engine) Answer(ctx context.Context, a DeskAnswer) (AnswerResult, error) {
	text := strings.TrimSpace(a.Text)
	if a.EventID == "" {
		a.EventID = "answer-" + randomID()
	}
	e.escMu.Lock()
	defer e.escMu.Unlock()
	esc, err := e.findEscalation(ctx, a.EscalationID, a.DeskRef)
	if err != nil {
		return AnswerResult{}, err
	}
	s, ok := e.cfg.Staff.ByDeskUser(a.DeskUserID)
	if text == "" {
		refusal := refuse(ErrInvalid, "The answer is empty.", "La réponse est vide.")
		e.audit(ctx, AuditEntry{Actor: cmp.Or(s.ID, a.DeskUserID), Via: e.deskName(), Action: "escalation.answer", Target: escTarget(esc.ID), Detail: refusal.Error(), Allowed: false})
		return AnswerResult{Escalation: esc}, refusal
	}
	now := e.now()
	ans := StaffAnswer{EscalationID: esc.ID, DeskUserID: a.DeskUserID, EventID: a.EventID, Text: text, At: now}
	ans.Lang, _ = e.detect(text)

	if !ok {
		ans.Status = AnswerRejected
		notice := e.bilingualNotice("refused:"+a.EventID, Notice{Kind: NoticeRefused, EscalationID: esc.ID, DeskUserID: a.DeskUserID},
			MsgDeskNotRoster, func(Lang) map[string]any { return nil })
		c := &EscalationChange{Escalation: &esc, Answer: &ans, Outbox: []Outgoing{notice},
			Audit: []AuditEntry{{At: now, Actor: a.DeskUserID, Via: e.deskName(), Action: "escalation.answer", Target: escTarget(esc.ID), Detail: "not on the staff roster", Allowed: false}}}
		err := e.st.ApplyEscalation(ctx, c)
		if err != nil && !errors.Is(err, ErrDuplicate) {
			return AnswerResult{}, err
		}
		e.poke(DeskPlatform)
		return AnswerResult{Answer: ans, Escalation: esc, Duplicate: errors.Is(err, ErrDuplicate)},
			notOnRoster(a.DeskUserID)
	}
	ans.StaffID = s.ID
	if esc.State == StateClosed {
		return e.rejectAnswer(ctx, esc, s, ans, notWaiting(esc.ID, StateClosed))
	}
	if ans.otherLang(esc.Lang) {
		return e.holdAnswer(ctx, esc, s, ans)
	}
	return e.queueAnswer(ctx, esc, s, ans, nil)
}

// rejectAnswer keeps ans, by s, for the record without relaying it,
// audits the refusal and returns it.
func (e *Engine) rejectAnswer(ctx context.Context, esc Escalation, s Staff, ans StaffAnswer, refusal *Refusal) (AnswerResult, error) {
	ans.Status = AnswerRejected
	c := &EscalationChange{Answer: &ans,
		Audit: []AuditEntry{{At: e.now(), Actor: s.ID, Via: e.deskName(), Action: "escalation.answer", Target: escTarget(esc.ID), Detail: refusal.Error(), Allowed: false}}}
	err := e.st.ApplyEscalation(ctx, c)
	if err != nil && !errors.Is(err, ErrDuplicate) {
		return AnswerResult{}, err
	}
	return AnswerResult{Answer: ans, Escalation: esc, Duplicate: errors.Is(err, ErrDuplicate)}, refusal
}

// holdAnswer keeps an answer in the wrong language and asks its author to
// choose: send anyway, or translate. The flag carries the answer's id, known
// once the answer is stored, so it is queued after it: when that fails the
// error is returned, the desk redelivers the event, and duplicateAnswer
// queues the flag again.
func (e *Engine) holdAnswer(ctx context.Context, esc Escalation, s Staff, ans StaffAnswer) (AnswerResult, error) {
	ans.Status = AnswerHeld
	c := &EscalationChange{Escalation: &esc, Answer: &ans,
		Audit: []AuditEntry{{At: ans.At, Actor: s.ID, Via: e.deskName(), Action: "escalation.answer", Target: escTarget(esc.ID), Detail: "held: answer in " + string(ans.Lang) + ", askers in " + string(esc.Lang), Allowed: true}}}
	if err := e.st.ApplyEscalation(ctx, c); err != nil {
		if errors.Is(err, ErrDuplicate) {
			return e.duplicateAnswer(ctx, esc, ans.EventID)
		}
		return AnswerResult{}, err
	}
	if err := e.st.Enqueue(ctx, []Outgoing{e.mismatchFlag(esc, s, ans)}); err != nil {
		return AnswerResult{}, fmt.Errorf("queue the language flag of answer %d: %w", ans.ID, err)
	}
	e.poke(DeskPlatform)
	return AnswerResult{Answer: ans, Escalation: esc, Mismatch: true}, nil
}

// mismatchFlag asks the author s of the held answer ans to send it anyway
// or translate it. Its key makes it once per answer event.
func (e *Engine) mismatchFlag(esc Escalation, s Staff, ans StaffAnswer) Outgoing {
	lang := s.PreferredLang()
	n := e.staffNotice("mismatch:"+ans.EventID, NoticeMismatch, esc, s, MsgDeskMismatch, map[string]any{
		"AnswerLang": langName(e.msgs, lang, ans.Lang), "AskerLang": langName(e.msgs, lang, esc.Lang)})
	n.Notice.AnswerID = ans.ID
	return n
}

// queueAnswer writes ans and its relays to every asker in one transaction,
// once per citizen and place (a citizen who asked twice in one thread gets
// it once). reply, when set, composes each asker's reply (suggested
// entries); otherwise the staff text is signed. Its author is told once
// every asker has it, and of each citizen it could not be delivered to
// (see relaySettled). An escalation given back because its answer did not
// reach every asker is answered again to those who did not get it only,
// unless the answer gives them in their language one they were sent in the
// other (see translation): that goes to every asker that one reached or is
// owed to, and to them only.
func (e *Engine) queueAnswer(ctx context.Context, esc Escalation, s Staff, ans StaffAnswer, reply func(Asker) (Reply, error), also ...AuditEntry) (AnswerResult, error) {
	now := e.now()
	ans.Status = AnswerQueued
	askers := esc.Askers
	if t, ok := e.translation(ctx, esc, ans); ok {
		askers = t
	} else if missing := esc.Undelivered(); len(missing) > 0 {
		askers = missing
	}
	// An asker the retention purge took is owed nothing, a follow-up to
	// an answer sent long ago included (see Asker.Redacted).
	askers = reachable(askers)
	if len(askers) == 0 {
		return e.rejectAnswer(ctx, esc, s, ans, unreachable(esc.ID))
	}
	to := recipients(askers)
	var out []Outgoing
	for _, k := range to {
		var r Reply
		if reply != nil {
			var err error
			if r, err = reply(k); err != nil {
				return AnswerResult{}, err
			}
		} else {
			r = composeRelay(e.msgs, s, ans.Text, ans.Lang, k.Lang)
		}
		r.Key = "relay:" + ans.EventID + ":" + strconv.FormatInt(k.MessageID, 10)
		out = append(out, Outgoing{To: k.Address, Reply: r, MessageID: k.MessageID, EscalationID: esc.ID,
			AskerMessageID: k.MessageID, State: OutPending, CreatedAt: now})
	}
	if esc.ClaimedBy == "" {
		esc.ClaimedBy, esc.ClaimedAt = s.ID, now
	}
	esc.State, esc.AnsweredBy, esc.AnsweredAt, esc.UpdatedAt = StateAnswered, s.ID, now, now
	detail := strconv.Itoa(len(to)) + " askers"
	if ans.EntryID != "" {
		detail += ", entry " + ans.EntryID
	}
	c := &EscalationChange{Escalation: &esc, Answer: &ans, Outbox: out,
		Audit: append([]AuditEntry{{At: now, Actor: s.ID, Via: e.deskName(), Action: "escalation.answer", Target: escTarget(esc.ID), Detail: detail, Allowed: true}}, also...)}
	if err := e.st.ApplyEscalation(ctx, c); err != nil {
		if errors.Is(err, ErrDuplicate) {
			return e.duplicateAnswer(ctx, esc, ans.EventID)
		}
		return AnswerResult{}, err
	}
	delete(e.waiting, esc.ID)
	e.pokeFor(out)
	return AnswerResult{Answer: ans, Escalation: esc, Relays: len(to)}, nil
}

// translation reports whether ans gives the askers of esc in their
// language the answer they were last sent in the other one (sent anyway,
// with the offer of theirs), and returns whom it is for: every asker that
// answer reached or is owed to (one who asked for it, one who joined
// since), not those who had only an earlier answer, in their language,
// before it (the answer sent anyway went to those an earlier one did not
// reach): a relay reached an asker after it was queued (see RelayedAt).
func (e *Engine) translation(ctx context.Context, esc Escalation, ans StaffAnswer) ([]Asker, bool) {
	if ans.otherLang(esc.Lang) {
		return nil, false
	}
	list, err := e.st.Answers(ctx, esc.ID)
	if err != nil {
		e.log.Error("read answers", "escalation", esc.ID, "err", err)
		return nil, false
	}
	a, ok := lastQueued(list)
	if !ok || !a.otherLang(esc.Lang) {
		return nil, false
	}
	var to []Asker
	for _, k := range esc.Askers {
		if k.RelayedAt.IsZero() && !k.Redacted || !k.RelayedAt.IsZero() && !k.RelayedAt.Before(a.At) {
			to = append(to, k)
		}
	}
	return to, true
}

func (e *Engine) duplicateAnswer(ctx context.Context, esc Escalation, eventID string) (AnswerResult, error) {
	list, err := e.st.Answers(ctx, esc.ID)
	if err != nil {
		return AnswerResult{}, err
	}
	for _, a := range list {
		if a.EventID != eventID {
			continue
		}
		fresh, err := e.st.Escalation(ctx, esc.ID)
		if err != nil {
			return AnswerResult{}, err
		}
		if s, ok := e.cfg.Staff.ByID(a.StaffID); ok && a.Status == AnswerHeld {
			// Its flag may have failed to queue the first time (see
			// holdAnswer); queued already, it is not queued twice.
			if err := e.st.Enqueue(ctx, []Outgoing{e.mismatchFlag(fresh, s, a)}); err != nil {
				return AnswerResult{}, fmt.Errorf("queue the language flag of answer %d: %w", a.ID, err)
			}
			e.poke(DeskPlatform)
		}
		return AnswerResult{Answer: a, Escalation: fresh, Duplicate: true, Mismatch: a.Status == AnswerHeld}, nil
	}
	return AnswerResult{Escalation: esc, Duplicate: true}, nil
}

// ResolveMismatch settles a held answer: sendAnyway relays it as written
// (with a note offering the asker's language); otherwise it is dropped and
// the staff member writes a translation. Once its escalation is closed, a
// held answer can be neither (ErrConflict, audited); once a later answer
// was sent to it, the held one can only be dropped (ErrConflict, audited).
func (e *Engine) ResolveMismatch(ctx context.Context, answerID int64, deskUserID string, sendAnyway bool) (AnswerResult, error) {
	s, err := e.staff(ctx, deskUserID, "escalation.mismatch", "answer:"+strconv.FormatInt(answerID, 10))
	if err != nil {
		return AnswerResult{}, err
	}
	e.escMu.Lock()
	defer e.escMu.Unlock()
	ans, err := e.st.StaffAnswer(ctx, answerID)
	if err != nil {
		return AnswerResult{}, err
	}
	esc, err := e.st.Escalation(ctx, ans.EscalationID)
	if err != nil {
		return AnswerResult{}, err
	}
	if ans.Status != AnswerHeld {
		return AnswerResult{Answer: ans, Escalation: esc, Duplicate: true}, nil
	}
	if esc.State == StateClosed {
		return AnswerResult{Answer: ans, Escalation: esc}, e.refused(ctx, s, "escalation.mismatch", escTarget(esc.ID), notWaiting(esc.ID, StateClosed))
	}
	if sendAnyway {
		// Its author, or a colleague, may have answered since in the
		// citizens' language (without choosing to translate first):
		// sent too, this one would be a second answer, in the other
		// language.
		list, err := e.st.Answers(ctx, esc.ID)
		if err != nil {
			return AnswerResult{}, err
		}
		if later, ok := lastQueued(list); ok && later.ID > ans.ID {
			return AnswerResult{Answer: ans, Escalation: esc}, e.refused(ctx, s, "escalation.mismatch", escTarget(esc.ID), answeredSince(esc.ID))
		}
		author := s
		if a, ok := e.cfg.Staff.ByID(ans.StaffID); ok {
			author = a // signed by who wrote it
		}
		// The answer is audited as its author's; the choice to send it in
		// the other language as whoever made it.
		chose := AuditEntry{At: e.now(), Actor: s.ID, Via: e.deskName(), Action: "escalation.mismatch", Target: escTarget(esc.ID),
			Detail: "sent anyway, written by " + author.ID, Allowed: true}
		return e.queueAnswer(ctx, esc, author, ans, nil, chose)
	}
	ans.Status = AnswerDropped
	n := e.staffNotice("dropped:"+ans.EventID, NoticeInfo, esc, s, MsgDeskDropped, map[string]any{
		"AskerLang": langName(e.msgs, s.PreferredLang(), esc.Lang)})
	c := &EscalationChange{Escalation: &esc, Answer: &ans, Outbox: []Outgoing{n},
		Audit: []AuditEntry{{At: e.now(), Actor: s.ID, Via: e.deskName(), Action: "escalation.mismatch", Target: escTarget(esc.ID), Detail: "dropped to translate", Allowed: true}}}
	if err := e.st.ApplyEscalation(ctx, c); err != nil {
		return AnswerResult{}, err
	}
	e.poke(DeskPlatform)
	return AnswerResult{Answer: ans, Escalation: esc}, nil
}

// SendSuggestion answers every asker with a knowledge-base entry, each in
// their own language, signed by the staff member who chose it. It is sent
// only while the escalation waits for an answer: once it is answered or
// closed, a suggestion is refused (ErrConflict, audited), unless it is the
// same event again, which returns the answer it made (Duplicate). An entry
// the knowledge base no longer holds (reloaded since the desk showed it)
// is refused too (ErrConflict, audited), saying so, and so is one it
// holds in one language only (knowledge.allow_unpaired) when the question
// or one of its askers is in the other.
func (e *Engine) SendSuggestion(ctx context.Context, id int64, entryID, deskUserID, eventID string) (AnswerResult, error) {
	s, err := e.staff(ctx, deskUserID, "escalation.suggestion", escTarget(id))
	if err != nil {
		return AnswerResult{}, err
	}
	e.escMu.Lock()
	defer e.escMu.Unlock()
	esc, err := e.st.Escalation(ctx, id)
	if err != nil {
		return AnswerResult{}, err
	}
	if esc.State == StateClosed {
		return AnswerResult{Escalation: esc}, e.refused(ctx, s, "escalation.suggestion", escTarget(id), notWaiting(id, StateClosed))
	}
	if eventID == "" {
		eventID = "suggestion:" + strconv.FormatInt(id, 10) + ":" + entryID
	}
	if !esc.State.Waiting() {
		// Desks offer suggestions only while the question waits: a click
		// made before the post showed the answer (a double click, a
		// colleague's click at the same moment) would send every citizen
		// an entry again, or a second one.
		if res, err := e.duplicateAnswer(ctx, esc, eventID); err != nil || res.Answer.ID != 0 {
			return res, err
		}
		return AnswerResult{Escalation: esc}, e.refused(ctx, s, "escalation.suggestion", escTarget(id), notWaiting(id, esc.State))
	}
	hit, err := e.kb.Entry(ctx, entryID, esc.Lang)
	if errors.Is(err, ErrNotFound) {
		// The knowledge base was reloaded since the post showed it (the
		// entry removed, or renamed), or the entry is in the other
		// language only: the question is still there.
		return AnswerResult{Escalation: esc}, e.refused(ctx, s, "escalation.suggestion", escTarget(id), e.entryMissing(ctx, entryID, esc.Lang))
	}
	if err != nil {
		return AnswerResult{}, fmt.Errorf("entry %q: %w", entryID, err)
	}
	ans := StaffAnswer{EscalationID: id, StaffID: s.ID, DeskUserID: deskUserID, EventID: eventID,
		Text: hit.Answer, Lang: esc.Lang, EntryID: entryID, At: e.now()}
	return e.queueAnswer(ctx, esc, s, ans, func(k Asker) (Reply, error) {
		h, err := e.kb.Entry(ctx, entryID, k.Lang)
		if errors.Is(err, ErrNotFound) {
			// An asker writes the language the entry lacks
			// (knowledge.allow_unpaired): nothing is sent to anyone.
			return Reply{}, e.refused(ctx, s, "escalation.suggestion", escTarget(id), e.entryMissing(ctx, entryID, k.Lang))
		}
		if err != nil {
			return Reply{}, fmt.Errorf("entry %q in %s: %w", entryID, k.Lang, err)
		}
		text := h.Answer
		if h.Link != "" {
			text += "\n\n" + e.msgs.Text(k.Lang, MsgAnswerMore, map[string]any{"Link": h.Link})
		}
		r := composeRelay(e.msgs, s, text, k.Lang, k.Lang)
		r.EntryID, r.Link = entryID, h.Link
		return r, nil
	})
}

// entryMissing explains why entry id cannot be sent in l: the knowledge
// base holds it in the other language only, or no longer holds it.
func (e *Engine) entryMissing(ctx context.Context, id string, l Lang) *Refusal {
	if _, err := e.kb.Entry(ctx, id, l.Other()); err == nil {
		return entryLacks(id, l)
	}
	return entryGone(id)
}

// Close ends a waiting escalation without an answer; the reason is required
// (ErrInvalid), and one no longer waiting cannot be closed (ErrConflict).
// Refusals are audited. Someone not on the roster is refused first
// (ErrForbidden), whatever the reason: a desk that asks for the reason
// after a click has such a click refused, and audited, by calling Close
// without one.
func (e *Engine) Close(ctx context.Context, id int64, deskUserID, reason string) (Escalation, error) {
	s, err := e.staff(ctx, deskUserID, "escalation.close", escTarget(id))
	if err != nil {
		return Escalation{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Escalation{}, e.refused(ctx, s, "escalation.close", escTarget(id), refuse(ErrInvalid, "A reason is required to close a question.", "Un motif est requis pour fermer une question."))
	}
	e.escMu.Lock()
	defer e.escMu.Unlock()
	esc, err := e.st.Escalation(ctx, id)
	if err != nil {
		return Escalation{}, err
	}
	if !esc.State.Waiting() {
		return esc, e.refused(ctx, s, "escalation.close", escTarget(id), notWaiting(id, esc.State))
	}
	now := e.now()
	esc.State, esc.ClosedBy, esc.CloseReason, esc.ClosedAt, esc.UpdatedAt = StateClosed, s.ID, reason, now, now
	n := e.staffNotice("closed:"+strconv.FormatInt(id, 10), NoticeInfo, esc, s, MsgDeskClosed, map[string]any{"By": s.Name, "Reason": reason})
	c := &EscalationChange{Escalation: &esc, Outbox: []Outgoing{n},
		Audit: []AuditEntry{{At: now, Actor: s.ID, Via: e.deskName(), Action: "escalation.close", Target: escTarget(id), Detail: reason, Allowed: true}}}
	if err := e.st.ApplyEscalation(ctx, c); err != nil {
		return Escalation{}, err
	}
	delete(e.waiting, id)
	e.poke(DeskPlatform)
	return esc, nil
}

// SaveDraft turns an escalation's question and its latest relayed answer
// into a draft knowledge-base entry, each in the language it was written in
// (an answer sent anyway in the other language is filed under that
// language). What is missing is left for staff to write before approval.
// The same answer saved again while its draft is still open returns that
// draft.
func (e *Engine) SaveDraft(ctx context.Context, id int64, deskUserID string) (Draft, error) {
	s, err := e.staff(ctx, deskUserID, "draft.save", escTarget(id))
	if err != nil {
		return Draft{}, err
	}
	// Held while it looks for a draft made already, so that two clicks at
	// once make one.
	e.escMu.Lock()
	defer e.escMu.Unlock()
	esc, err := e.st.Escalation(ctx, id)
	if err != nil {
		return Draft{}, err
	}
	list, err := e.st.Answers(ctx, id)
	if err != nil {
		return Draft{}, err
	}
	var ans *StaffAnswer
	for i := range list {
		if list[i].Status == AnswerQueued {
			ans = &list[i]
		}
	}
	if ans == nil {
		return Draft{}, e.refused(ctx, s, "draft.save", escTarget(id), refuse(ErrConflict, fmt.Sprintf("Question %d has no sent answer to save yet.", id),
			fmt.Sprintf("La question nº\u00a0%d n’a pas encore de réponse envoyée à enregistrer.", id)))
	}
	now := e.now()
	d := Draft{EscalationID: id, EntryID: slug(esc.Question), Topic: esc.Topic, State: DraftOpen, By: s.ID, CreatedAt: now, UpdatedAt: now}
	// The answer may be in the other language than the question (sent
	// anyway): each goes in the slot of the language it is written in.
	ansLang := ans.Lang
	if !ansLang.Valid() {
		ansLang = esc.Lang
	}
	if esc.Lang == French {
		d.QuestionFR = esc.Question
	} else {
		d.QuestionEN = esc.Question
	}
	if ansLang == French {
		d.AnswerFR = ans.Text
	} else {
		d.AnswerEN = ans.Text
	}
	// The same answer saved again (a double click, a colleague's click on
	// the same post) is the draft made already, still to be reviewed.
	open, err := e.st.Drafts(ctx, DraftOpen)
	if err != nil {
		return Draft{}, err
	}
	for _, o := range open {
		if o.EscalationID == id && (ansLang == French && o.AnswerFR == ans.Text || ansLang != French && o.AnswerEN == ans.Text) {
			return o, nil
		}
	}
	if err := e.st.SaveDraft(ctx, &d); err != nil {
		return Draft{}, err
	}
	e.audit(ctx, AuditEntry{At: now, Actor: s.ID, Via: e.deskName(), Action: "draft.save", Target: "draft:" + strconv.FormatInt(d.ID, 10), Detail: escTarget(id), Allowed: true})
	return d, nil
}

func (e *Engine) findEscalation(ctx context.Context, id int64, deskRef string) (Escalation, error) {
	if id != 0 {
		return e.st.Escalation(ctx, id)
	}
	if deskRef != "" {
		return e.st.EscalationByDeskRef(ctx, deskRef)
	}
	return Escalation{}, refuse(ErrInvalid, "An answer needs a question number or a desk thread.", "Une réponse doit indiquer le numéro de la question ou son fil au bureau.")
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// DraftEntryID is the entry id SaveDraft proposes for a draft saved from
// question: at most six of its words but stop words, folded, lowercase,
// joined by dashes; "" when it has none (SaveDraft then makes one up). Being
// made of a citizen's words, it is purged with them (store.Purge).
func DraftEntryID(question string) string {
	words := strings.Fields(nonSlug.ReplaceAllString(Fold(question), " "))
	var keep []string
	for _, w := range words {
		if !stopWords[w] && len(keep) < 6 {
			keep = append(keep, w)
		}
	}
	return strings.Join(keep, "-")
}

// slug proposes an entry id from a question (see DraftEntryID), made up
// when the question has no word to make it from.
func slug(q string) string {
	if id := DraftEntryID(q); id != "" {
		return id
	}
	return "draft-" + randomID()[:6]
}

func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
