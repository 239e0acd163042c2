package bot

import (
	"cmp"
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
)

// A staff answer sent anyway in the other official language ends with an
// offer (MsgRelayOtherLang): "If you would like this answer in English,
// reply here and we will provide it." The citizen's reply to that relay is
// their request for it, not a new question: the escalation goes back to
// staff, who are told, and the citizen is told it is asked for. Nothing is
// searched in the knowledge base for it.
//
// A reply to the relay is a message that replies to it (Message.ReplyTo:
// a Discord reply, or on the web chat the citizen's next message in the
// room), or a message in the thread the bot started on the question, where
// the relay was posted. Only the citizen the relay was sent to can take
// its offer, only while the answer it carried is the escalation's latest
// and the escalation is not closed: once staff answer again (in the
// citizen's language, or sent anyway once more, which makes a new offer)
// or close it, replies to the old relay are ordinary messages. The
// escalation is reopened once per answer; later replies while it waits
// are recorded against it and not answered again.
//
// Any reply counts but a thank-you or a no alone ("thanks!", « non
// merci »): the offer said to reply, and whatever the citizen writes back
// to an answer in a language not theirs ("yes", « oui svp », "I don't read
// French", a question about it) is for the staff member who answered, not
// for the knowledge base. Staff see what they wrote. The exception is a
// reply that is neither a yes nor about languages and that the knowledge
// base answers with confidence: a new question (on the web chat, the
// citizen's next message in the room is taken as their reply), answered
// as any question, the offer still standing (see asksForOffer).

// offer is the escalation whose answer, relayed with the offer, a message
// replies to.
type offer struct {
	escID  int64
	asker  int64 // store id of the asker's message the relay went to
	relay  string
	who    Asker       // that asker, as offerStands found them
	answer StaffAnswer // filled by offerStands
}

// maxQuoted bounds the citizen's words quoted to staff.
const maxQuoted = 300

// offerFor returns the offer m takes, or nil. It reads the store only for
// a message that replies to one of the bot's messages or is in a thread.
func (e *Engine) offerFor(ctx context.Context, m Message) *offer {
	if m.ChannelUnknown || m.AuthorID == "" {
		return nil
	}
	var o offer
	switch {
	case m.ReplyTo != "":
		r, err := e.st.SentByRef(ctx, MessageRef{Platform: m.Platform, ID: m.ReplyTo})
		if err != nil {
			return nil
		}
		if r.Reply.Kind != KindRelay || !r.Reply.BodyLang.Valid() || r.Reply.BodyLang == r.Reply.Lang ||
			r.EscalationID == 0 || r.To.Platform != m.Platform || r.To.UserID != m.AuthorID {
			return nil
		}
		o.escID, o.asker, o.relay = r.EscalationID, r.AskerMessageID, r.Reply.Key
	case m.ThreadID != "" && m.ReplyToBot:
		// The bot's thread on a question has the question's id.
		d, err := e.st.DecisionFor(ctx, m.Platform, m.ThreadID)
		if err != nil || d.EscalationID == 0 {
			return nil
		}
		o.escID, o.asker = d.EscalationID, d.MessageID
	default:
		return nil
	}
	esc, err := e.st.Escalation(ctx, o.escID)
	if err != nil {
		return nil
	}
	if !e.offerStands(ctx, esc, &o, m) {
		return nil
	}
	return &o
}

// offerStands reports whether o is still an offer m may take in esc, as
// the store has it now, and fills o.who and o.answer.
func (e *Engine) offerStands(ctx context.Context, esc Escalation, o *offer, m Message) bool {
	if esc.State == StateClosed {
		return false
	}
	var k *Asker
	for i := range esc.Askers {
		if esc.Askers[i].MessageID == o.asker {
			k = &esc.Askers[i]
		}
	}
	if k == nil || k.Redacted || k.Address.Platform != m.Platform || k.Address.UserID != m.AuthorID {
		return false
	}
	if o.relay == "" && (k.Address.ChannelID != m.ChannelID || k.Address.ReplyTo != m.ThreadID || k.RelayedAt.IsZero()) {
		return false // in a thread: the one on this citizen's question, who has the relay
	}
	list, err := e.st.Answers(ctx, esc.ID)
	if err != nil {
		return false
	}
	last, ok := lastQueued(list)
	if !ok || !last.otherLang(k.Lang) {
		return false // the latest answer was not sent with the offer
	}
	if o.relay != "" && !strings.HasPrefix(o.relay, "relay:"+last.EventID+":") {
		return false // a relay of an earlier answer
	}
	o.who, o.answer = *k, last
	return true
}

// offerTaken reports whether text takes the offer: anything but a
// thank-you or a no alone, made only of words of courtesy. A yes with
// them ("yes thank you", « oui merci ») takes it.
func offerTaken(text string) bool {
	words := foldedWords(text)
	yes := false
	for _, w := range words {
		switch {
		case yesWords[w]:
			yes = true
		case !thanksWords[w] && !courtesyWords[w] && !noWords[w]:
			return true // something said
		}
	}
	return yes
}

// asksForOffer reports whether text, which takes the offer (offerTaken),
// is plainly about it: a yes, or a word about languages ("in English
// please", « je ne lis pas l'anglais », "can you translate?"). Any other
// reply is the citizen's request only when the knowledge base does not
// answer it: on the web chat, the citizen's next message in the room is
// taken as a reply to the relay, and a new question a day later ("how do
// I renew my passport?") is answered as any question.
func asksForOffer(text string) bool {
	for _, w := range foldedWords(text) {
		if yesWords[w] || languageWords[w] {
			return true
		}
	}
	return false
}

// languageWords, folded, speak of a language or of translating.
var languageWords = map[string]bool{"english": true, "anglais": true, "french": true, "francais": true,
	"language": true, "languages": true, "langue": true, "langues": true, "translate": true,
	"translation": true, "translated": true, "traduire": true, "traduction": true, "traduit": true,
	"traduite": true, "traduisez": true}

// yesWords accept an offer; noWords decline it.
var (
	yesWords = map[string]bool{"yes": true, "yeah": true, "yep": true, "yup": true, "please": true, "pls": true,
		"plz": true, "sure": true, "oui": true, "ouais": true, "svp": true, "stp": true, "volontiers": true}
	noWords = map[string]bool{"no": true, "nope": true, "nah": true, "non": true, "need": true, "besoin": true,
		"pas": true, "fine": true, "is": true, "s": true, "its": true, "va": true}
)

// errOfferGone: the offer a message took changed before it was recorded
// (answered again, closed): the message is decided again without it.
var errOfferGone = errors.New("the offer was taken back")

// saveLanguageRequest records m as the request for the answer in its
// asker's language that o offered: the escalation goes back to staff
// (once per answer: see reopenForLanguage) and the citizen is told, in
// their language, once per answer. The escalation is reopened before the
// message is recorded: a crash in between leaves it waiting, and the
// message, delivered again, is recorded against it then.
func (e *Engine) saveLanguageRequest(ctx context.Context, out *Outcome, o *offer) error {
	m, d := out.Message, &out.Decision
	e.escMu.Lock()
	defer e.escMu.Unlock()
	esc, err := e.st.Escalation(ctx, o.escID)
	if err != nil {
		return err
	}
	if !e.offerStands(ctx, esc, o, m) {
		return errOfferGone
	}
	k := o.who
	if err := e.reopenForLanguage(ctx, esc, o, m, k); err != nil {
		return err
	}
	d.Action, d.Reason, d.EscalationID = ActEscalate, ReasonLanguageRequest, esc.ID
	ack := Reply{Kind: KindAck, Lang: k.Lang, Text: e.msgs.Text(k.Lang, MsgLanguageAsked,
		map[string]any{"AskerLang": langName(e.msgs, k.Lang, k.Lang)})}
	it := e.replyTo(m, d.At, "ack", ack)
	// Once per citizen and answer: further replies while it waits are
	// recorded, not acknowledged again.
	it.Reply.Key = "langasked:" + strconv.FormatInt(o.answer.ID, 10) + ":" + m.Platform + ":" + m.AuthorID
	it.EscalationID = esc.ID
	out.Outbox = append(out.Outbox, it)
	return e.st.SaveOutcome(ctx, out)
}

// reopenForLanguage gives esc, answered with o.answer in the other
// language, back to staff for the answer in the asker's language: claimed
// by its author when they are on the roster and write that language,
// otherwise open and routed to someone who does. Whoever holds it is told,
// in their language, with the citizen's words; the change is audited. An
// escalation already waiting (reopened by an earlier reply, or because
// the answer did not reach someone) stays as it is, and whoever holds it
// is told once per answer.
func (e *Engine) reopenForLanguage(ctx context.Context, esc Escalation, o *offer, m Message, k Asker) error {
	now := e.now()
	quoted := truncateRunes(Redact(m.Text), maxQuoted)
	data := func(l Lang) map[string]any {
		return map[string]any{"ID": esc.ID, "AskerLang": langName(e.msgs, l, k.Lang), "Text": quoted}
	}
	key := "langasked:" + strconv.FormatInt(esc.ID, 10) + ":" + strconv.FormatInt(o.answer.ID, 10)
	notice := func(s Staff, ok bool) Outgoing {
		if ok {
			return e.staffNotice(key, NoticeLangRequest, esc, s, MsgDeskLangAsked, data(s.PreferredLang()))
		}
		return e.bilingualNotice(key, Notice{Kind: NoticeLangRequest, EscalationID: esc.ID}, MsgDeskLangAsked, data)
	}
	detail := "citizen asked for the answer in " + string(k.Lang) + ": "
	if esc.State.Waiting() {
		holder := esc.holder()
		s, ok := e.cfg.Staff.ByID(holder)
		if err := e.st.Enqueue(ctx, []Outgoing{notice(s, ok)}); err != nil {
			return err
		}
		e.audit(ctx, AuditEntry{At: now, Actor: "engine", Via: "engine", Action: "escalation.language", Target: escTarget(esc.ID),
			Detail: detail + "already waiting, with " + cmp.Or(holder, "nobody"), Allowed: true})
		e.poke(DeskPlatform)
		return nil
	}
	var n Outgoing
	if author, ok := e.cfg.Staff.ByID(o.answer.StaffID); ok && author.Speaks(k.Lang) {
		esc.State, esc.ClaimedBy, esc.ClaimedAt = StateClaimed, author.ID, now
		n = notice(author, true)
		detail += "back with " + author.ID
	} else {
		esc.State, esc.ClaimedBy, esc.ClaimedAt = StateOpen, "", time.Time{}
		next, ok := e.cfg.Staff.Route(esc.Topic, k.Lang)
		esc.RoutedTo, esc.RoutedAt, esc.Reminders, esc.Nudges = next.ID, now, 0, 0
		n = notice(next, ok)
		detail += "open, routed to " + cmp.Or(next.ID, "nobody") + " (" + cmp.Or(o.answer.StaffID, "nobody") +
			" is not on the roster or does not write " + string(k.Lang) + ")"
	}
	esc.UpdatedAt = now
	c := &EscalationChange{Escalation: &esc, Outbox: []Outgoing{n},
		Audit: []AuditEntry{{At: now, Actor: "engine", Via: "engine", Action: "escalation.reopen", Target: escTarget(esc.ID), Detail: detail, Allowed: true}}}
	if err := e.st.ApplyEscalation(ctx, c); err != nil {
		return err
	}
	e.waiting[esc.ID] = waitingFrom(esc)
	e.log.Info("citizen asked for the answer in their language: escalation waiting again", "escalation", esc.ID, "lang", string(k.Lang))
	e.poke(DeskPlatform)
	return nil
}
