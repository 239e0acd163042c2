package bot

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/liaison-gc/liaison/phases"
)

// HandleMessage decides what to do with one public message and records the
// message, the decision and any reply in one transaction. See Handler.
func (e *Engine) HandleMessage(ctx context.Context, m Message) (Decision, error) {
	if m.Platform == "" || m.ID == "" {
		return Decision{}, fmt.Errorf("%w: a message needs a platform and an id", ErrInvalid)
	}
	if d, err := e.st.DecisionFor(ctx, m.Platform, m.ID); err == nil {
		return d, nil // redelivered: already decided
	} else if !errors.Is(err, ErrNotFound) {
		return Decision{}, fmt.Errorf("engine: %w", err)
	}
	now := e.now()
	if m.Time.IsZero() {
		m.Time = now
	}
	m.Text = sanitize(m.Text)
	o, hits, taken := e.decide(ctx, m, now, true)
	var err error
	if taken != nil {
		if err = e.saveLanguageRequest(ctx, o, taken); errors.Is(err, errOfferGone) {
			e.flood.undo(o.counted) // decided again, it is counted again
			o, hits, _ = e.decide(ctx, m, now, false)
		}
	}
	switch {
	case taken != nil && !errors.Is(err, errOfferGone):
	case o.Decision.Action == ActEscalate:
		err = e.saveEscalation(ctx, o, hits, e.st.SaveOutcome)
	default:
		err = e.st.SaveOutcome(ctx, o)
	}
	if err != nil {
		// Not recorded, it does not count: the adapter offers it again
		// (and a duplicate was counted as the other was recorded).
		e.flood.undo(o.counted)
	}
	if errors.Is(err, ErrDuplicate) {
		return e.st.DecisionFor(ctx, m.Platform, m.ID)
	}
	if err != nil {
		return Decision{}, fmt.Errorf("engine: record message: %w", err)
	}
	e.pokeFor(o.Outbox)
	e.logDecision(m, o.Decision)
	return o.Decision, nil
}

// decide fills an Outcome for m, except for the escalation itself, which
// saveEscalation attaches under the escalation lock. It also returns the
// knowledge-base hits, and, when offers is set and m takes the offer of a
// staff answer sent in the other language (see offerFor), that offer:
// saveLanguageRequest then records it.
func (e *Engine) decide(ctx context.Context, m Message, now time.Time, offers bool) (*Outcome, []Hit, *offer) {
	o := &Outcome{Message: m}
	d := &o.Decision
	key := m.Channel()
	cc := e.channelConfig(key)
	phase := e.phaseFor(ctx, key)
	if m.ChannelUnknown {
		// The channel's own phase, stricter or not, and whether it is
		// watched at all cannot be told: the strictest rule wins, so the
		// question is recorded (in shadow mode) but nothing is posted.
		phase = phases.Broadcast
	}
	*d = Decision{Phase: phase, At: now}
	if m.AuthorBot {
		d.Action, d.Reason = ActIgnore, ReasonBotAuthor
		return o, nil, nil
	}
	if m.Text == "" && m.Files == 0 {
		d.Action, d.Reason = ActIgnore, ReasonEmpty
		return o, nil, nil
	}

	lang, conf := e.detect(m.Text)
	d.LangConf = conf
	switch {
	case lang.Valid():
		d.Lang, d.LangSource = lang, "detected"
	case cc.Lang.Valid():
		d.Lang, d.LangSource = cc.Lang, "channel"
	default:
		d.Lang, d.LangSource = e.cfg.DefaultLang, "default"
	}

	var taken *offer
	if offers {
		taken = e.offerFor(ctx, m)
	}
	// Phase 3 (outreach) is not built yet: until it is, messages not
	// addressed to the bot are left alone in every phase. A reply to the
	// bot's relay is addressed to it, whatever the platform says.
	if !(m.Addressed() || cc.Help || taken != nil) {
		d.Action, d.Reason = ActIgnore, ReasonNotAddressed
		return o, nil, nil
	}

	// An edit that addresses the bot counts when it was made, not when
	// the message was first posted: edits of messages posted minutes apart,
	// made at once, are as many messages at once.
	posted := m.Time // (a clock ahead of ours is not let push the window on)
	if !m.Edited.IsZero() {
		posted = m.Edited
	}
	if posted.After(now) {
		posted = now
	}
	o.counted = e.flood.hit(m.Platform+":"+m.AuthorID, posted)
	switch o.counted.verdict {
	case floodNotify:
		d.Action, d.Reason = ActNotice, ReasonFlood
		if !phase.CanReply() {
			d.Action = ActIgnore
			return o, nil, nil
		}
		o.Outbox = append(o.Outbox, e.replyTo(m, now, "flood", e.notice(d, KindNotice, MsgFlood)))
		return o, nil, nil
	case floodSilent:
		d.Action, d.Reason = ActIgnore, ReasonFloodSilent
		return o, nil, nil
	}

	if m.Text == "" {
		// Files alone (a screenshot of a letter, a voice message): the
		// bot reads no file, and staff would get an empty question. The
		// citizen, who waits for an answer, is asked to write it.
		e.fixedNotice(o, m, now, phase, ReasonFilesOnly, "files", MsgFilesOnly)
		return o, nil, nil
	}

	switch policyCheck(m.Text) {
	case ReasonAbuse:
		d.Action, d.Reason = ActIgnore, ReasonAbuse
		return o, nil, nil
	case ReasonPartisan:
		e.fixedNotice(o, m, now, phase, ReasonPartisan, "policy", MsgPartisan)
		return o, nil, nil
	}

	if taken != nil {
		// The citizen's reply to an answer in the other language, which
		// offered it in theirs: staff promised it, in every phase.
		if !offerTaken(m.Text) {
			d.Action, d.Reason = ActIgnore, ReasonCourtesy
			return o, nil, nil
		}
		if asksForOffer(m.Text) {
			return o, nil, taken
		}
	}

	if taken == nil {
		switch {
		case wordless(m.Text):
			d.Action, d.Reason = ActIgnore, ReasonNoWords
			return o, nil, nil
		case courtesy(m.Text):
			d.Action, d.Reason = ActIgnore, ReasonCourtesy
			return o, nil, nil
		}
	}

	searchLang := Unknown
	if lang.Valid() {
		searchLang = lang
	}
	hits, err := e.kb.Search(ctx, truncateRunes(m.Text, e.cfg.MaxTextRunes), searchLang, RoutingHits)
	if err != nil {
		e.log.Error("knowledge search failed; escalating", "channel", key, "err", err)
		hits = nil
	}
	would := ActEscalate
	var top Hit
	if len(hits) > 0 {
		top = hits[0]
		d.EntryID, d.Confidence = top.EntryID, top.Confidence
		if top.Confidence >= e.cfg.AnswerThreshold {
			would = ActAnswer
		}
	}
	both := false
	if would == ActAnswer && !lang.Valid() {
		// Undetectable text ("cheque", "T4?"): answer in the channel's
		// language or, in a bilingual channel, in both official
		// languages, as it is acknowledged: the citizen may have written
		// in either. The decision keeps the language of the entry that
		// matched.
		d.Lang, d.LangSource = top.Lang, "knowledge"
		if cc.Lang.Valid() {
			d.Lang, d.LangSource = cc.Lang, "channel"
		} else {
			both = true
		}
	}
	if taken != nil {
		if would != ActAnswer {
			// Neither a yes nor about the language, but nothing the
			// knowledge base answers either: for the staff member
			// who answered, who see the citizen's words.
			d.EntryID, d.Confidence = "", 0
			return o, nil, taken
		}
		// A new question the knowledge base answers ("how do I renew
		// my passport?" the next morning, on the web chat, where it is
		// taken as a reply to the bot's last message): answered as any
		// question; the offer still stands.
	}
	if !phase.CanReply() {
		d.Action, d.Reason, d.Would = ActShadow, ReasonPhase, would
		return o, hits, nil
	}
	if would == ActEscalate {
		d.Action, d.Reason = ActEscalate, ReasonLowConfidence
		o.Outbox = append(o.Outbox, e.replyTo(m, now, "ack", e.notice(d, KindAck, MsgAck)))
		return o, hits, nil
	}
	if top.Lang != d.Lang {
		if h, err := e.kb.Entry(ctx, top.EntryID, d.Lang); err == nil {
			h.Confidence, h.Score = top.Confidence, top.Score
			top = h
		}
	}
	d.Action, d.Reason = ActAnswer, ReasonConfident
	reply := ComposeAnswer(e.msgs, top)
	if both {
		reply = AnswerInBoth(ctx, e.kb, e.msgs, top)
	}
	o.Outbox = append(o.Outbox, e.replyTo(m, now, "answer", reply))
	return o, hits, nil
}

// AnswerInBoth is the answer with top's entry in both official languages
// (ComposeBilingualAnswer), as the engine posts it for text that shows no
// language in a bilingual channel; or else, when the entry lacks a
// language (knowledge.allow_unpaired), ComposeAnswer in top's language.
func AnswerInBoth(ctx context.Context, kb Knowledge, msgs Messages, top Hit) Reply {
	hits := make([]Hit, 0, len(Langs))
	for _, l := range Langs {
		h := top
		if l != top.Lang {
			var err error
			if h, err = kb.Entry(ctx, top.EntryID, l); err != nil {
				return ComposeAnswer(msgs, top)
			}
		}
		hits = append(hits, h)
	}
	return ComposeBilingualAnswer(msgs, hits)
}

// fixedNotice decides o's message for reason: a fixed notice (message id)
// sent back to it, or in a phase that does not reply, recorded as what
// the bot would have done.
func (e *Engine) fixedNotice(o *Outcome, m Message, now time.Time, phase phases.Phase, reason Reason, kind, id string) {
	d := &o.Decision
	d.Reason = reason
	if !phase.CanReply() {
		d.Action, d.Would = ActShadow, ActNotice
		return
	}
	d.Action = ActNotice
	o.Outbox = append(o.Outbox, e.replyTo(m, now, kind, e.notice(d, KindNotice, id)))
}

// notice is the bot's message id as a reply of kind in the decision's
// language, or in both official languages when that language is only the
// default: text that shows no language (digits, an acronym) in a bilingual
// channel.
func (e *Engine) notice(d *Decision, kind ReplyKind, id string) Reply {
	lang := d.Lang
	if d.LangSource == "default" {
		lang = Unknown
	}
	return ComposeNotice(e.msgs, kind, id, lang)
}

// saveEscalation attaches the question to a similar waiting escalation in
// the same language, or opens a new one routed by topic and language, and
// records the outcome with save (Store.SaveOutcome, or SaveEdit for an
// edited message).
func (e *Engine) saveEscalation(ctx context.Context, o *Outcome, hits []Hit, save func(context.Context, *Outcome) error) error {
	m, d := o.Message, &o.Decision
	words := tokens(m.Text)
	subj := subjectOf(hits)
	topic := subj.topic
	asker := Asker{Address: addressOf(m), Lang: d.Lang, Question: Redact(m.Text), AskedAt: m.Time}

	e.escMu.Lock()
	defer e.escMu.Unlock()
	var best *waitingEsc
	bestScore := 0.0
	for _, w := range e.waiting {
		if w.lang != d.Lang {
			continue
		}
		if s := w.joinScore(words, subj); s >= joinThreshold && s > bestScore {
			best, bestScore = w, s
		}
	}
	if best != nil {
		o.JoinEscalation, o.Asker = best.id, &asker
		d.Reason, d.EscalationID = ReasonJoined, best.id
		err := save(ctx, o)
		if !errors.Is(err, ErrConflict) {
			return err
		}
		// It stopped waiting (answered or closed elsewhere): open a new one.
		delete(e.waiting, best.id)
		o.JoinEscalation, o.Asker, d.EscalationID = 0, nil, 0
	}
	staff, _ := e.cfg.Staff.Route(topic, d.Lang)
	o.NewEscalation = &Escalation{
		State: StateOpen, Lang: d.Lang, Topic: topic, Question: asker.Question,
		Suggestions: hits[:min(len(hits), maxSuggestions)], Channel: m.Channel(),
		RoutedTo: staff.ID, RoutedAt: d.At, CreatedAt: d.At, UpdatedAt: d.At,
		Askers: []Asker{asker},
	}
	d.Reason = ReasonLowConfidence
	if err := save(ctx, o); err != nil {
		return err
	}
	d.EscalationID = o.NewEscalation.ID
	e.waiting[o.NewEscalation.ID] = &waitingEsc{id: o.NewEscalation.ID, lang: d.Lang, subject: subj, words: words}
	e.poke(DeskPlatform)
	return nil
}

// loadWaiting adds the joinable escalations in the store to the in-memory
// list (at start). Channels already run by then: an escalation opened while
// the store was read is in the list and stays there. One answered or closed
// meanwhile may come back; joining it then fails with ErrConflict and
// saveEscalation drops it.
func (e *Engine) loadWaiting(ctx context.Context) error {
	list, err := e.st.Escalations(ctx, EscalationFilter{States: []EscalationState{StateOpen, StateClaimed}})
	if err != nil {
		return fmt.Errorf("engine: load open escalations: %w", err)
	}
	e.escMu.Lock()
	defer e.escMu.Unlock()
	for _, x := range list {
		if _, ok := e.waiting[x.ID]; ok {
			continue
		}
		e.waiting[x.ID] = waitingFrom(x)
	}
	return nil
}

// waitingFrom is what new questions are matched against to join x, an
// escalation as the store keeps it: read at start (loadWaiting), or given
// back to its author to wait again (reopen).
func waitingFrom(x Escalation) *waitingEsc {
	w := &waitingEsc{id: x.ID, lang: x.Lang, subject: subject{topic: x.Topic}, words: tokens(x.Question)}
	if len(x.Suggestions) > 0 {
		w.subject.topEntry, w.subject.known = x.Suggestions[0].EntryID, x.Suggestions[0].Confidence >= likelyConfidence
	}
	return w
}

// replyTo builds an outbox item answering m. kind makes the idempotency key
// unique per message and purpose.
func (e *Engine) replyTo(m Message, now time.Time, kind string, r Reply) Outgoing {
	r.Key = kind + ":" + m.Platform + ":" + m.ID
	return Outgoing{To: addressOf(m), Reply: r, State: OutPending, CreatedAt: now}
}

func addressOf(m Message) Address {
	return Address{Platform: m.Platform, ChannelID: m.ChannelID, ThreadID: m.ThreadID, ReplyTo: m.ID,
		UserID: m.AuthorID, UserName: m.AuthorName, DM: m.DM}
}

// Conversation lists the last limit things said in a channel, oldest
// first: messages posted there (purged ones left out) and replies
// delivered there.
func (e *Engine) Conversation(ctx context.Context, platform, channelID string, limit int) ([]Said, error) {
	return e.st.Conversation(ctx, platform, channelID, limit)
}

// LastSeen returns, for each channel of platform where a message was
// recorded, the id of the newest one (see Tracker).
func (e *Engine) LastSeen(ctx context.Context, platform string) (map[string]string, error) {
	return e.st.LastSeen(ctx, platform)
}

// CatchUpFrom returns where each channel of platform whose catch-up did
// not finish was to be read from (see Tracker).
func (e *Engine) CatchUpFrom(ctx context.Context, platform string) (map[string]string, error) {
	return e.st.CatchUpFrom(ctx, platform)
}

// SetCatchUpFrom records where each channel of a catch-up is read from
// (see Tracker).
func (e *Engine) SetCatchUpFrom(ctx context.Context, platform string, from map[string]string) error {
	return e.st.SetCatchUpFrom(ctx, platform, from)
}

// ClearCatchUpFrom forgets where a channel was to be read from, once it
// was read (see Tracker).
func (e *Engine) ClearCatchUpFrom(ctx context.Context, platform, channelID string) error {
	return e.st.ClearCatchUpFrom(ctx, platform, channelID)
}

// Answers lists the staff answers of an escalation, oldest first.
func (e *Engine) Answers(ctx context.Context, escalationID int64) ([]StaffAnswer, error) {
	return e.st.Answers(ctx, escalationID)
}

// HandleReaction records a citizen's reaction to one of the bot's replies
// as feedback. Reactions on other messages are ignored. A reaction can
// arrive before the delivery of the reply it is on has been recorded (the
// platform shows the reply before Send returns): such a reaction is kept
// for a short while and recorded once the delivery is.
func (e *Engine) HandleReaction(ctx context.Context, r Reaction) error {
	if r.Time.IsZero() {
		r.Time = e.now()
	}
	err := e.st.SaveFeedback(ctx, r)
	if errors.Is(err, ErrNotFound) {
		e.early.add(r, e.now())
		return nil
	}
	if err != nil {
		return fmt.Errorf("engine: record feedback: %w", err)
	}
	return nil
}

// retryEarlyReactions records kept reactions whose reply is now known.
func (e *Engine) retryEarlyReactions(ctx context.Context) {
	for _, r := range e.early.take(e.now()) {
		err := e.st.SaveFeedback(ctx, r)
		if errors.Is(err, ErrNotFound) {
			e.early.add(r, r.Time) // keeps its first time: it expires on schedule
			continue
		}
		if err != nil {
			e.log.Error("record feedback", "err", err)
		}
	}
}

// earlyReactions holds reactions on messages not (yet) known to be the
// bot's, for earlyTTL. Most are reactions on citizens' own messages and
// simply expire; the bound keeps a reaction storm from growing memory.
type earlyReactions struct {
	mu   sync.Mutex
	list []Reaction
}

const (
	earlyTTL = 2 * time.Minute
	earlyMax = 1000
)

func (q *earlyReactions) add(r Reaction, now time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.list) >= earlyMax {
		q.list = q.list[1:]
	}
	if r.Time.IsZero() {
		r.Time = now
	}
	q.list = append(q.list, r)
}

// take returns the kept reactions still within earlyTTL and empties the
// queue.
func (q *earlyReactions) take(now time.Time) []Reaction {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []Reaction
	for _, r := range q.list {
		if now.Sub(r.Time) < earlyTTL {
			out = append(out, r)
		}
	}
	q.list = nil
	return out
}

func (e *Engine) logDecision(m Message, d Decision) {
	attrs := []any{"channel", string(m.Channel()), "lang", string(d.Lang), "action", string(d.Action),
		"reason", string(d.Reason), "phase", d.Phase.String()}
	if d.EntryID != "" {
		attrs = append(attrs, "entry", d.EntryID, "confidence", d.Confidence)
	}
	if d.EscalationID != 0 {
		attrs = append(attrs, "escalation", d.EscalationID)
	}
	if e.cfg.LogCitizenText {
		attrs = append(attrs, "text", Redact(m.Text))
	}
	e.log.Debug("decision", attrs...)
}

// phaseFor returns the phase in force in channel, reading the store when
// the cached state is missing.
func (e *Engine) phaseFor(ctx context.Context, channel ChannelKey) phases.Phase {
	e.phaseMu.RLock()
	s, read := e.phase, e.phaseRead
	e.phaseMu.RUnlock()
	if read.IsZero() {
		s = e.refreshPhase(ctx)
	}
	return s.For(string(channel))
}

// refreshPhase reloads the phase state (changes may come from the CLI in
// another process). On a store error it keeps the last known state and, at
// start, the configured initial phase.
func (e *Engine) refreshPhase(ctx context.Context) phases.State {
	s, err := e.st.PhaseState(ctx, e.cfg.InitialPhase)
	e.phaseMu.Lock()
	defer e.phaseMu.Unlock()
	if err != nil {
		e.log.Error("read phase", "err", err)
		if e.phaseRead.IsZero() {
			return phases.State{Global: e.cfg.InitialPhase}
		}
		return e.phase
	}
	e.phase, e.phaseRead = s, e.now()
	return s
}

// PhaseState returns the phase state in force.
func (e *Engine) PhaseState(ctx context.Context) phases.State {
	e.refreshPhase(ctx)
	e.phaseMu.RLock()
	defer e.phaseMu.RUnlock()
	return e.phase
}
