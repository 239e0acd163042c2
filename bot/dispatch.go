package bot

import (
	"cmp"
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/liaison-gc/liaison/phases"
)

// Delivery: replies wait in the outbox (written with the decision that
// produced them) and are sent here, at least once, with an idempotency key
// that adapters pass on so a resend after a crash shows once. Each channel
// is delivered in order, channels in parallel, so one slow or rate-limited
// channel does not hold up the others.

const (
	maxAttempts     = 12
	maxParallelSend = 8
	sendTimeout     = 30 * time.Second
)

// backoff is the wait before attempt n+1: 2s, 4s, 8s ... capped at 5 min.
func backoff(attempts int) time.Duration {
	d := 2 * time.Second << min(attempts, 8)
	return min(d, 5*time.Minute)
}

// maxRetryWait bounds the wait a platform's error asks for (Waiter).
const maxRetryWait = time.Hour

// retryWait is the wait before retrying a send that failed with err on
// attempt n+1: the back-off, or the platform's wait when longer.
func retryWait(err error, attempts int) time.Duration {
	d := backoff(attempts)
	var w Waiter
	if errors.As(err, &w) {
		d = max(d, min(w.RetryWait(), maxRetryWait))
	}
	return d
}

// retryable reports whether a failed send is worth trying again.
func retryable(err error) bool {
	var r Retryable
	if errors.As(err, &r) {
		return r.Retryable()
	}
	return true
}

// deliver sends the pending items of one platform.
func (e *Engine) deliver(ctx context.Context, platform string) {
	ch := e.channels[platform]
	now := e.now()
	items, err := e.st.Pending(ctx, platform, now, 200)
	if err != nil {
		if ctx.Err() == nil {
			e.log.Error("read outbox", "platform", platform, "err", err)
		}
		return
	}
	if len(items) == 0 {
		return
	}
	groups := map[string][]Outgoing{}
	var order []string
	for _, it := range items {
		k := it.To.ChannelID
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], it)
	}
	sem := make(chan struct{}, maxParallelSend)
	var wg sync.WaitGroup
	for _, k := range order {
		wg.Add(1)
		sem <- struct{}{}
		go func(list []Outgoing) {
			defer func() { <-sem; wg.Done() }()
			for _, it := range list {
				if ref, ok := e.sentBefore(it.ID); ok {
					e.settle(ctx, it, ref, nil)
					continue
				}
				if e.withhold(ctx, it) {
					continue
				}
				if !e.sendOne(ctx, it, func(ctx context.Context) (MessageRef, error) { return ch.Send(ctx, it.To, it.Reply) }) {
					return // keep this channel's order: later items wait
				}
			}
		}(groups[k])
	}
	wg.Wait()
}

// withholds reports whether a reply of kind, decided under a phase that
// allowed it, may no longer be sent in a channel now in phase p. A comms
// lead switches a channel to phase 1 (broadcast) to stop the bot talking
// there at once (a crisis, answers gone out of date), so the phase is
// checked again when a reply is sent, not only when it was decided: a reply
// can wait in the outbox (a rate limit, an outage) past the switch.
//
//   - What the bot says on its own is withheld once the phase no longer
//     allows it: knowledge-base answers and the automated notices that go
//     with them (flood, partisan) outside phases 2 and 3, outreach outside
//     phase 3.
//   - What people committed to still goes out in every phase: the
//     acknowledgement of a question already escalated (staff will answer
//     it) and the staff answer relayed. So do broadcasts, which phase 1 is
//     for.
//
// A withheld reply is never sent nor tried again; it stays in the outbox
// as withheld, with its text, like a decision in shadow mode (see withhold).
func withholds(kind ReplyKind, p phases.Phase) bool {
	switch kind {
	case KindAnswer, KindNotice:
		return !p.CanReply()
	case KindOutreach:
		return !p.CanReachOut()
	}
	return false
}

// withhold records it as withheld, audited and logged without its text,
// when the phase in force in its channel, read from the store as it is
// about to be sent (a change may come from the CLI in another process),
// no longer allows it (see withholds). It reports whether it withheld it;
// the channel goes on with its next item, as it never will be sent.
func (e *Engine) withhold(ctx context.Context, it Outgoing) bool {
	if !withholds(it.Reply.Kind, phases.Broadcast) {
		return false // allowed in every phase: no need to read it
	}
	key := Key(it.To.Platform, it.To.ChannelID)
	p := e.refreshPhase(ctx).For(string(key))
	if !withholds(it.Reply.Kind, p) {
		return false
	}
	detail := string(it.Reply.Kind) + " withheld: " + string(key) + " is in phase " + strconv.Itoa(int(p)) + " (" + p.String() + ")"
	audit := AuditEntry{At: e.now(), Actor: "engine", Via: "engine", Action: "reply.send",
		Target: "outgoing:" + strconv.FormatInt(it.ID, 10), Detail: detail, Allowed: false}
	if err := e.st.MarkWithheld(ctx, it.ID, audit); err != nil {
		if ctx.Err() == nil && !errors.Is(err, ErrConflict) {
			e.log.Error("record withheld reply", "outgoing", it.ID, "err", err)
		}
		return true // not sent now; the next round withholds it again
	}
	e.log.Info("reply withheld: the channel's phase no longer allows it", "channel", string(key), "phase", p.String(),
		"kind", string(it.Reply.Kind), "outgoing", it.ID)
	return true
}

// sendOne tries one item and records the result. It reports whether the
// channel may go on with its next item.
func (e *Engine) sendOne(ctx context.Context, it Outgoing, send func(context.Context) (MessageRef, error)) bool {
	sctx, cancel := context.WithTimeout(ctx, sendTimeout)
	ref, err := send(sctx)
	cancel()
	return e.settle(ctx, it, ref, err)
}

// settle records what became of one try of it: sent as ref, or failed
// with err, to be tried again or given up. It reports whether the channel
// may go on with its next item.
func (e *Engine) settle(ctx context.Context, it Outgoing, ref MessageRef, err error) bool {
	now := e.now()
	if err == nil {
		if err := e.st.MarkSent(ctx, it.ID, ref, now); err != nil {
			e.rememberSent(it.ID, ref)
			if ctx.Err() == nil {
				e.log.Error("reply sent but its delivery not recorded; recording it again at the next round, without sending it again", "outgoing", it.ID, "err", err)
			}
			return true
		}
		e.forgetSent(it.ID)
		e.relaySettled(ctx, it, nil)
		return true
	}
	if ctx.Err() != nil {
		return false // shutting down: the item stays pending
	}
	if !retryable(err) || it.Attempts+1 >= maxAttempts {
		e.log.Error("delivery failed for good", "platform", it.To.Platform, "channel", it.To.ChannelID, "kind", string(it.Reply.Kind), "outgoing", it.ID, "attempts", it.Attempts+1, "err", err)
		if ferr := e.st.MarkFailed(ctx, it.ID, err.Error()); ferr != nil {
			e.log.Error("record failure", "outgoing", it.ID, "err", ferr)
			return true
		}
		e.relaySettled(ctx, it, err)
		return true
	}
	next := now.Add(retryWait(err, it.Attempts))
	e.log.Warn("delivery will be retried", "platform", it.To.Platform, "channel", it.To.ChannelID, "outgoing", it.ID, "attempt", it.Attempts+1, "retry_at", next, "err", err)
	if err := e.st.MarkRetry(ctx, it.ID, err.Error(), next); err != nil {
		e.log.Error("record retry", "outgoing", it.ID, "err", err)
	}
	return false
}

// rememberSent keeps ref as what the platform returned for item id, sent
// but whose delivery the store did not record (a full disk, a lock held by
// another process): the next rounds record it again instead of posting it
// again, which a platform's idempotency key prevents only for a while
// (Discord keeps a nonce minutes), and an outage of the store may last
// longer. A restart forgets it: the item is sent again with its key.
func (e *Engine) rememberSent(id int64, ref MessageRef) {
	e.sentMu.Lock()
	defer e.sentMu.Unlock()
	e.unrecorded[id] = ref
}

func (e *Engine) forgetSent(id int64) {
	e.sentMu.Lock()
	defer e.sentMu.Unlock()
	delete(e.unrecorded, id)
}

// sentBefore returns what the platform returned for item id when it was
// sent but its delivery not recorded (see rememberSent).
func (e *Engine) sentBefore(id int64) (MessageRef, bool) {
	e.sentMu.Lock()
	defer e.sentMu.Unlock()
	ref, ok := e.unrecorded[id]
	return ref, ok
}

// maxReasonLen bounds the platform's error quoted to staff.
const maxReasonLen = 200

// reopenWithin is how long after a relay failed for good its escalation is
// still given back to its author (reopenUndelivered). In steady state that
// happens as the relay fails, and a round of reminders after a restart
// catches one a crash left behind. A relay that failed longer ago, found
// after a long stop or after upgrading from a release that left such
// escalations answered, leaves its escalation as it is, answered: its
// author was told of the failure then (NoticeUndelivered), and sending back
// at once every question whose answer failed, months ago maybe, would ask
// staff to answer again citizens who no longer wait for it.
const reopenWithin = 7 * 24 * time.Hour

// relaySettled tells the author of a staff answer what became of a relay
// just settled: failed for good (failure not nil), that citizen is named
// with the platform's reason; delivered, and the last of the escalation's
// askers to get it (the store moved it to StateRelayed), the number of
// citizens it reached. Nothing is said before: the answer is on its way,
// and may still fail. Once no relay of an escalation is pending and one
// failed for good, the escalation goes back to its author (see
// reopenUndelivered). The notice is queued after the delivery is recorded,
// not with it: a crash in between loses the notice, never the relay's
// record.
func (e *Engine) relaySettled(ctx context.Context, it Outgoing, failure error) {
	if it.Reply.Kind != KindRelay || it.EscalationID == 0 {
		return
	}
	esc, err := e.st.Escalation(ctx, it.EscalationID)
	if err != nil {
		if ctx.Err() == nil {
			e.log.Error("relay settled: read escalation", "escalation", it.EscalationID, "err", err)
		}
		return
	}
	var n Outgoing
	switch {
	case failure != nil:
		reason := failure.Error()
		if r := truncateRunes(reason, maxReasonLen); r != reason {
			reason = r + "…"
		}
		name := cmp.Or(it.To.UserName, it.To.UserID, it.To.ChannelID)
		data := map[string]any{"ID": esc.ID, "Name": name, "Reason": reason}
		n = e.answererNotice("undelivered:"+strconv.FormatInt(it.ID, 10), NoticeUndelivered, esc, MsgDeskUndelivered, data)
		e.unnamed(n.Notice, MsgDeskUndelivered, data)
	case esc.State == StateRelayed:
		// Relays of one answer settle in parallel channels: the key makes
		// the confirmation once per answer.
		key := "relayed:" + strconv.FormatInt(esc.ID, 10) + ":" + strconv.FormatInt(esc.AnsweredAt.UnixNano(), 10)
		n = e.answererNotice(key, NoticeRelayed, esc, MsgDeskRelayed, map[string]any{"Count": Citizens(reachable(esc.Askers))})
	}
	if n.Notice != nil {
		if err := e.st.Enqueue(ctx, []Outgoing{n}); err != nil {
			e.log.Error("queue relay notice", "escalation", esc.ID, "outgoing", it.ID, "err", err)
		}
		e.poke(DeskPlatform)
	}
	if esc.State == StateAnswered {
		e.reopenUndelivered(ctx)
	}
}

// reopenUndelivered gives back to its author, claimed, each answered
// escalation whose answer did not reach every asker and will not (no relay
// of it pending, one failed for good: Store.Undelivered), so that it waits
// on the desk instead of passing for done: they answer again, which goes
// to the askers who did not get it (Escalation.Undelivered), or close it
// with a reason. Askers the retention purge took can no longer be reached
// and are owed nothing: when nobody else is, the escalation stays answered.
// An author no longer on the roster holds nothing: the reminders re-route
// it. The author is told why, and the change audited.
// It runs when a relay settles and with the reminders, which catch an
// escalation whose last relay settled just before a crash, within
// reopenWithin of the failure.
func (e *Engine) reopenUndelivered(ctx context.Context) {
	list, err := e.st.Undelivered(ctx, e.now().Add(-reopenWithin))
	if err != nil {
		if ctx.Err() == nil {
			e.log.Error("read undelivered answers", "err", err)
		}
		return
	}
	for _, esc := range list {
		if err := e.reopen(ctx, esc); err != nil && !errors.Is(err, ErrConflict) && ctx.Err() == nil {
			e.log.Error("reopen undelivered escalation", "escalation", esc.ID, "err", err)
		}
	}
}

// reopen moves esc, answered as the store listed it, back to claimed by
// its author. ErrConflict when it changed since (a follow-up answer, say):
// the next round looks again.
func (e *Engine) reopen(ctx context.Context, esc Escalation) error {
	e.escMu.Lock()
	defer e.escMu.Unlock()
	missing := Citizens(owed(esc.Askers))
	if missing == 0 {
		return nil // the purge took the askers since the store listed it: nobody to answer
	}
	now := e.now()
	key := "reopened:" + strconv.FormatInt(esc.ID, 10) + ":" + strconv.Itoa(esc.Version)
	esc.State, esc.ClaimedBy, esc.ClaimedAt, esc.UpdatedAt = StateClaimed, esc.AnsweredBy, now, now
	n := e.answererNotice(key, NoticeReopened, esc, MsgDeskReopened, map[string]any{"ID": esc.ID, "Count": missing})
	detail := "answer not delivered to " + strconv.Itoa(missing) + " of " + strconv.Itoa(Citizens(esc.Askers)) +
		" citizens: back with " + cmp.Or(esc.AnsweredBy, "nobody")
	c := &EscalationChange{Escalation: &esc, Outbox: []Outgoing{n},
		Audit: []AuditEntry{{At: now, Actor: "engine", Via: "engine", Action: "escalation.reopen", Target: escTarget(esc.ID), Detail: detail, Allowed: true}}}
	if err := e.st.ApplyEscalation(ctx, c); err != nil {
		return err
	}
	e.waiting[esc.ID] = waitingFrom(esc)
	e.log.Info("answer not delivered to every asker: escalation back with its author", "escalation", esc.ID, "undelivered", missing)
	e.poke(DeskPlatform)
	return nil
}

// answererNotice is a notice to the staff member who answered esc, in
// their language; in both languages when they are no longer on the roster.
func (e *Engine) answererNotice(key string, kind NoticeKind, esc Escalation, id string, data map[string]any) Outgoing {
	if s, ok := e.cfg.Staff.ByID(esc.AnsweredBy); ok {
		return e.staffNotice(key, kind, esc, s, id, data)
	}
	return e.bilingualNotice(key, Notice{Kind: kind, EscalationID: esc.ID, StaffID: esc.AnsweredBy}, id,
		func(Lang) map[string]any { return data })
}

// holderNotice is a notice to the staff member esc waits on (see
// Escalation.holder), in their language; to the whole desk, in both
// languages, when nobody on the roster holds it.
func (e *Engine) holderNotice(key string, kind NoticeKind, esc Escalation, id string, data map[string]any) Outgoing {
	if s, ok := e.cfg.Staff.ByID(esc.holder()); ok {
		return e.staffNotice(key, kind, esc, s, id, data)
	}
	return e.bilingualNotice(key, Notice{Kind: kind, EscalationID: esc.ID}, id, func(Lang) map[string]any { return data })
}

// syncDesk posts new escalations to the desk, updates posts that lag behind
// their escalation, and delivers desk notices, unless the back-off after
// failures of the whole desk runs (see deskWide).
func (e *Engine) syncDesk(ctx context.Context) {
	if e.desk == nil {
		return
	}
	if !e.syncPosts(ctx) || e.deskWaits() {
		return
	}
	items, err := e.st.Pending(ctx, DeskPlatform, e.now(), 100)
	if err != nil {
		return
	}
	for _, it := range items {
		if ref, ok := e.sentBefore(it.ID); ok {
			e.settle(ctx, it, ref, nil)
			continue
		}
		n := Notice{Kind: NoticeInfo, Text: it.Reply.Text, Lang: it.Reply.Lang, Parts: it.Reply.Parts}
		if it.Notice != nil {
			n = *it.Notice
			n.Redacted = nil // for the retention purge, not for the desk
		}
		if n.EscalationID != 0 {
			esc, err := e.st.Escalation(ctx, n.EscalationID)
			if err != nil {
				e.log.Error("desk notice: read escalation", "escalation", n.EscalationID, "err", err)
				continue
			}
			if esc.DeskRef == "" {
				continue // its post comes first
			}
			n.DeskRef = esc.DeskRef
		}
		sctx, cancel := context.WithTimeout(ctx, sendTimeout)
		ref, err := e.desk.Notify(sctx, n)
		cancel()
		if err != nil && ctx.Err() == nil && deskWide(err) {
			attempts, next := e.deskFailed()
			e.log.Warn("desk notice failed; will retry", "outgoing", it.ID, "attempt", attempts, "retry_at", next, "err", err)
			return
		}
		if err == nil && e.deskBack() {
			e.log.Info("the desk takes posts again", "outgoing", it.ID)
		}
		if !e.settle(ctx, it, MessageRef{Platform: e.desk.Name(), ID: ref}, err) {
			return
		}
	}
}

// deskWide reports whether err, from the desk, concerns every post and
// notice rather than the one sent: a rate limit, the desk unreachable or
// slow to answer (Retryable), or the desk channel gone or the app removed
// from it (ErrDeskUnavailable). The engine then holds the desk's posts and
// notices for a back-off (deskFailed) that no single item counts as an
// attempt: an outage lasts until someone mends it, and nothing waiting
// for the desk is given up meanwhile.
func deskWide(err error) bool {
	var r Retryable
	return errors.Is(err, ErrDeskUnavailable) || errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &r) && r.Retryable())
}

// deskPage is how many escalations of the desk backlog syncPosts reads at
// once, and deskPages how many pages a round reads at most.
const (
	deskPage  = 100
	deskPages = 10
)

// syncPosts makes or updates the desk posts of the escalations whose post
// is missing or lags behind, unless the back-off after failures of the
// whole desk runs. It reports false when the backlog could not be read.
//
// The backlog is read by pages, oldest first. Posts waiting out their
// back-off (refused by the desk) are passed over, and a page holding only
// those leads to the next, so that however many posts wait, the ones
// after them are made: the round ends after the first page with a post to
// make, at the end of the backlog, or after deskPages pages, which bounds
// what one round reads. In the last case the next round goes on after the
// last page read (backlogAfter); else it starts again from the oldest.
func (e *Engine) syncPosts(ctx context.Context) bool {
	if e.deskWaits() {
		return true
	}
	e.refusedMu.Lock()
	after := e.backlogAfter
	e.refusedMu.Unlock()
	for range deskPages {
		page, err := e.st.DeskBacklogAfter(ctx, after, deskPage)
		if err != nil {
			if ctx.Err() == nil {
				e.log.Error("read desk backlog", "err", err)
			}
			return false
		}
		found := false
		for _, esc := range page {
			if e.postWaits(esc) {
				continue
			}
			found = true
			if !e.syncPost(ctx, esc) {
				return true
			}
		}
		if found || len(page) < deskPage {
			after = 0
			break
		}
		after = page[len(page)-1].ID
	}
	e.refusedMu.Lock()
	e.backlogAfter = after
	e.refusedMu.Unlock()
	return true
}

// postRetry is when desk posts that failed are tried again: at the first
// round after next. For one post the desk refused, at once too when its
// escalation changed since (version), as what the post shows changed.
type postRetry struct {
	attempts int // failures in a row
	version  int
	next     time.Time
}

// failed records one more failure at now: the next try is at the next
// round after the first failure (many are one-off: a thread whose reading
// was rate limited, a network blip), then after backoff, growing with
// each.
func (r *postRetry) failed(now time.Time) {
	r.next = now
	if r.attempts > 0 {
		r.next = now.Add(backoff(r.attempts - 1))
	}
	r.attempts++
}

// waits reports whether the next try is still to come at now.
func (r postRetry) waits(now time.Time) bool { return r.attempts > 0 && !now.After(r.next) }

// postWaits reports whether esc's desk post, refused lately, waits for its
// back-off to end.
func (e *Engine) postWaits(esc Escalation) bool {
	e.refusedMu.Lock()
	defer e.refusedMu.Unlock()
	r, ok := e.refusedPosts[esc.ID]
	return ok && r.version == esc.Version && r.waits(e.now())
}

// refusedMax is how many refused posts the engine keeps the back-off of.
// An entry stays while its post is refused, and a post may be refused for
// good: beyond the bound, a new refusal drops the entry whose try comes
// first, which is then tried at the next round, refused and kept again.
const refusedMax = 10000

// postRefused records that the desk refused esc's post once more, and
// returns the refusals in a row and when the post is tried again.
func (e *Engine) postRefused(esc Escalation) (int, time.Time) {
	e.refusedMu.Lock()
	defer e.refusedMu.Unlock()
	r, ok := e.refusedPosts[esc.ID]
	if !ok && len(e.refusedPosts) >= refusedMax {
		var first int64
		var at time.Time
		for id, o := range e.refusedPosts {
			if at.IsZero() || o.next.Before(at) {
				first, at = id, o.next
			}
		}
		delete(e.refusedPosts, first)
	}
	r.failed(e.now())
	r.version = esc.Version
	e.refusedPosts[esc.ID] = r
	return r.attempts, r.next
}

// deskFailed records that the whole desk failed once more, and returns
// the failures in a row and when posts are tried again.
func (e *Engine) deskFailed() (int, time.Time) {
	e.refusedMu.Lock()
	defer e.refusedMu.Unlock()
	e.deskDown.failed(e.now())
	return e.deskDown.attempts, e.deskDown.next
}

// deskWaits reports whether the back-off after failures of the whole desk
// runs.
func (e *Engine) deskWaits() bool {
	e.refusedMu.Lock()
	defer e.refusedMu.Unlock()
	return e.deskDown.waits(e.now())
}

// deskBack forgets the failures of the whole desk, as it took a post or a
// notice; it reports whether it had failed.
func (e *Engine) deskBack() bool {
	e.refusedMu.Lock()
	defer e.refusedMu.Unlock()
	down := e.deskDown.attempts > 0
	e.deskDown = postRetry{}
	return down
}

// postSynced forgets the failures of esc's post and of the whole desk, as
// the desk took it; it reports whether the whole desk had failed.
func (e *Engine) postSynced(esc Escalation) bool {
	e.refusedMu.Lock()
	delete(e.refusedPosts, esc.ID)
	e.refusedMu.Unlock()
	return e.deskBack()
}

// syncPost makes esc's desk post, or brings it up to date, and records it.
// It reports whether the sync may go on with the next escalation. A post
// gone from the desk is made again. A failure of esc's own (the desk
// refuses this post) is logged and tried again without holding up the
// others: at the next round, then after a back-off that grows with each
// refusal (backoff: 2 s to 5 min), and at once when the escalation
// changes. A desk that refuses a post for what it holds (too long)
// refuses it again, and trying at every round would call the desk and log
// an error every second for as long as the escalation waits. The back-off
// is kept in memory only: after a restart, each refused post is tried
// again at once, which costs a call or a few per post and may well
// succeed (a new release, a desk configured anew). A failure that
// concerns the whole desk (a rate limit, the desk unreachable or
// unavailable) ends the round, as the rest would fail too, and the posts
// wait for the same back-off, for the whole desk: an outage (the desk
// channel archived, the app removed from it) lasts until someone mends it,
// and trying every second would call the desk and log a warning every
// second meanwhile.
func (e *Engine) syncPost(ctx context.Context, esc Escalation) bool {
	sctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	ref := esc.DeskRef
	if p, ok := e.postedBefore(esc.ID); ok && ref == "" {
		// Posted, but the store did not record it: recorded now, and
		// brought up to date first if it changed since.
		if ref = p.ref; p.version == esc.Version {
			e.markDeskSynced(ctx, esc, ref)
			return true
		}
	}
	var err error
	if ref == "" {
		ref, err = e.desk.PostEscalation(sctx, esc)
	} else if err = e.desk.UpdateEscalation(sctx, ref, esc); errors.Is(err, ErrNotFound) {
		e.log.Warn("desk post gone; posting the escalation again", "escalation", esc.ID, "err", err)
		ref, err = e.desk.PostEscalation(sctx, esc)
	}
	if err != nil {
		if ctx.Err() != nil {
			return false
		}
		if deskWide(err) {
			attempts, next := e.deskFailed()
			e.log.Warn("desk post failed; will retry", "escalation", esc.ID, "attempt", attempts, "retry_at", next, "err", err)
			return false
		}
		attempts, next := e.postRefused(esc)
		e.log.Error("desk post refused; will retry", "escalation", esc.ID, "attempt", attempts, "retry_at", next, "err", err)
		return true
	}
	if e.postSynced(esc) {
		e.log.Info("the desk takes posts again", "escalation", esc.ID)
	}
	e.markDeskSynced(ctx, esc, ref)
	return true
}

// markDeskSynced records that the desk post ref shows esc. When the store
// cannot record it (a full disk, a lock held by another process), the
// post is remembered, so that the next rounds record it again rather than
// post the escalation again (see rememberSent).
func (e *Engine) markDeskSynced(ctx context.Context, esc Escalation, ref string) {
	err := e.st.MarkDeskSynced(ctx, esc.ID, ref, esc.Version)
	e.sentMu.Lock()
	defer e.sentMu.Unlock()
	if err != nil {
		if esc.DeskRef == "" {
			e.unsynced[esc.ID] = deskPost{ref: ref, version: esc.Version}
		}
		if ctx.Err() == nil {
			e.log.Error("desk post made but not recorded; recording it again at the next round, without posting it again", "escalation", esc.ID, "err", err)
		}
		return
	}
	delete(e.unsynced, esc.ID)
}

// deskPost is a desk post made: its ref and the version it shows.
type deskPost struct {
	ref     string
	version int
}

// postedBefore returns the desk post of escalation id made but not
// recorded (see markDeskSynced).
func (e *Engine) postedBefore(id int64) (deskPost, bool) {
	e.sentMu.Lock()
	defer e.sentMu.Unlock()
	p, ok := e.unsynced[id]
	return p, ok
}

// queueDueBroadcasts turns due broadcasts into outbox items, one per
// channel, laid out for the channel's language.
func (e *Engine) queueDueBroadcasts(ctx context.Context) {
	due, err := e.st.DueBroadcasts(ctx, e.now())
	if err != nil {
		if ctx.Err() == nil {
			e.log.Error("read broadcasts", "err", err)
		}
		return
	}
	for _, b := range due {
		targets := b.Channels
		if len(targets) == 0 {
			for _, c := range e.cfg.Channels {
				if c.Broadcast {
					targets = append(targets, c.Key)
				}
			}
		}
		if len(targets) == 0 {
			e.keepUntargeted(ctx, b)
			continue
		}
		var out []Outgoing
		for _, k := range targets {
			cc := e.channelConfig(k)
			r := composeBroadcast(e.msgs, b, cc.Lang)
			r.Key = "broadcast:" + strconv.FormatInt(b.ID, 10) + ":" + string(k)
			out = append(out, Outgoing{To: Address{Platform: k.Platform(), ChannelID: k.ID()}, Reply: r,
				BroadcastID: b.ID, State: OutPending, CreatedAt: e.now()})
		}
		if err := e.st.QueueBroadcast(ctx, b.ID, out); err != nil {
			if !errors.Is(err, ErrConflict) {
				e.log.Error("queue broadcast", "broadcast", b.ID, "err", err)
			}
			continue
		}
		e.log.Info("broadcast queued", "broadcast", b.ID, "channels", len(out))
		e.pokeFor(out)
	}
}

// keepUntargeted leaves a due broadcast with no channel to go to scheduled
// (queued, it would be marked sent with nothing sent) until a channel is
// configured for broadcasts, and says why in the log and the audit log,
// once per broadcast rather than at every poll.
func (e *Engine) keepUntargeted(ctx context.Context, b Broadcast) {
	e.bcMu.Lock()
	told := e.untargeted[b.ID]
	e.untargeted[b.ID] = true
	e.bcMu.Unlock()
	if told {
		return
	}
	why := errNoBroadcastChannel.Error() + ": it stays scheduled until one is (broadcast = true on a channel)"
	e.log.Warn("broadcast not sent: "+why, "broadcast", b.ID)
	e.audit(ctx, AuditEntry{Actor: "engine", Via: "engine", Action: "broadcast.queue",
		Target: "broadcast:" + strconv.FormatInt(b.ID, 10), Detail: why, Allowed: false})
}

// remind nudges the staff member an unclaimed escalation is routed to once
// it has waited RemindAfter, and re-routes it to someone else after another
// RemindAfter. One its staff member can answer in its language is not
// re-routed to someone who cannot, nor to the same person when nobody else
// is on the roster: they are reminded again every RemindAfter instead.
// After MaxReminders reminders and re-routes in all, the next time it is
// due the whole desk is told instead, once, in both languages and without
// mentioning anyone, and it is reminded no more. One routed to, or claimed
// by, someone no longer on the roster is re-routed as soon as it is due,
// and a claim of theirs is released, whatever its reminders.
func (e *Engine) remind(ctx context.Context) {
	now := e.now()
	staff := make([]string, 0, len(e.cfg.Staff))
	for _, s := range e.cfg.Staff {
		staff = append(staff, s.ID)
	}
	e.reopenUndelivered(ctx)
	due, err := e.st.DueForReminder(ctx, now.Add(-e.cfg.RemindAfter), staff)
	if err != nil {
		if ctx.Err() == nil {
			e.log.Error("read reminders", "err", err)
		}
		return
	}
	for _, esc := range due {
		if now.Before(esc.RoutedAt.Add(e.cfg.RemindAfter*time.Duration(esc.Reminders+1))) || e.leftAlone(esc) {
			continue
		}
		if err := e.remindOne(ctx, esc.ID, now); err != nil {
			e.log.Error("remind", "escalation", esc.ID, "err", err)
		}
	}
}

func (e *Engine) remindOne(ctx context.Context, id int64, now time.Time) error {
	e.escMu.Lock()
	defer e.escMu.Unlock()
	esc, err := e.st.Escalation(ctx, id)
	if err != nil {
		return err
	}
	key := strconv.FormatInt(id, 10) + ":" + strconv.Itoa(esc.Reroutes) + ":" + strconv.Itoa(esc.Reminders)
	from, fromOnRoster := e.cfg.Staff.ByID(esc.RoutedTo)
	switch {
	case esc.State == StateClaimed:
		if _, ok := e.cfg.Staff.ByID(esc.ClaimedBy); ok {
			return nil
		}
		return e.rerouteFromGone(ctx, esc, esc.ClaimedBy, key, now)
	case esc.State != StateOpen:
		return nil
	case !fromOnRoster:
		return e.rerouteFromGone(ctx, esc, esc.RoutedTo, key, now)
	case esc.Nudges > e.cfg.maxReminders():
		return nil // the desk was told
	case esc.Nudges == e.cfg.maxReminders():
		return e.tellDeskUnclaimed(ctx, esc, now)
	}
	esc.Nudges++
	var out []Outgoing
	var audit AuditEntry
	var next Staff
	reroute := esc.Reminders > 0
	if reroute {
		var ok bool
		if next, ok = e.cfg.Staff.Route(esc.Topic, esc.Lang, esc.RoutedTo); !ok {
			return nil
		}
		switch {
		case next.ID == from.ID:
			reroute = false // nobody else on the roster
		case from.Speaks(esc.Lang) && !next.Speaks(esc.Lang):
			reroute = false // nobody else speaks its language
		}
	}
	if !reroute {
		esc.Reminders++
		out = append(out, e.reminderNotice(key, esc, from, now))
		audit = AuditEntry{At: now, Actor: "engine", Via: "engine", Action: "escalation.remind", Target: escTarget(id), Detail: esc.RoutedTo, Allowed: true}
	} else {
		prev := esc.RoutedTo
		esc.RoutedTo, esc.RoutedAt, esc.Reminders, esc.Reroutes = next.ID, now, 0, esc.Reroutes+1
		out = append(out, e.staffNotice("reroute:"+key, NoticeReroute, esc, next, MsgDeskReroute,
			map[string]any{"From": e.staffName(prev)}))
		audit = AuditEntry{At: now, Actor: "engine", Via: "engine", Action: "escalation.reroute", Target: escTarget(id), Detail: prev + " → " + next.ID, Allowed: true}
	}
	return e.applyReminder(ctx, esc, audit, out, now)
}

// leftAlone reports whether esc, due for a reminder, is past them (the desk
// was told) and held by nobody who left the roster, so there is nothing to
// do.
func (e *Engine) leftAlone(esc Escalation) bool {
	if esc.Nudges <= e.cfg.maxReminders() {
		return false
	}
	_, ok := e.cfg.Staff.ByID(esc.holder())
	return ok
}

// tellDeskUnclaimed tells the whole desk, in both languages, that esc has
// had its reminders and is still unclaimed: it will not be reminded again,
// and anyone may claim it. The notice mentions nobody; it belongs to the
// escalation's thread, so that a reply to it answers the question, and the
// desk shows it to the whole desk as well (NoticeUnclaimed).
func (e *Engine) tellDeskUnclaimed(ctx context.Context, esc Escalation, now time.Time) error {
	minutes := int(now.Sub(esc.CreatedAt).Minutes())
	n := e.bilingualNotice("unclaimed:"+strconv.FormatInt(esc.ID, 10), Notice{Kind: NoticeUnclaimed, EscalationID: esc.ID}, MsgDeskUnclaimed,
		func(Lang) map[string]any { return map[string]any{"ID": esc.ID, "Minutes": minutes, "Count": minutes} })
	esc.Nudges++
	audit := AuditEntry{At: now, Actor: "engine", Via: "engine", Action: "escalation.unclaimed", Target: escTarget(esc.ID),
		Detail: "the whole desk told after " + strconv.Itoa(esc.Nudges-1) + " reminders and re-routes; not reminded again", Allowed: true}
	return e.applyReminder(ctx, esc, audit, []Outgoing{n}, now)
}

// rerouteFromGone routes esc, held by gone who is no longer on the roster
// (routed to them, or claimed by them: the claim is released), to someone
// who is, at once. An escalation routed to nobody (the roster was empty)
// is routed as if reminded.
func (e *Engine) rerouteFromGone(ctx context.Context, esc Escalation, gone, key string, now time.Time) error {
	next, ok := e.cfg.Staff.Route(esc.Topic, esc.Lang, gone)
	if !ok {
		return nil
	}
	detail := cmp.Or(gone, "nobody") + " (not on the staff roster) → " + next.ID
	if esc.State == StateClaimed {
		detail = "claim released: " + detail
		esc.State, esc.ClaimedBy, esc.ClaimedAt = StateOpen, "", time.Time{}
	}
	esc.RoutedTo, esc.RoutedAt, esc.Reminders, esc.Reroutes = next.ID, now, 0, esc.Reroutes+1
	n := e.reminderNotice(key, esc, next, now)
	if gone != "" {
		n = e.staffNotice("reroute:"+key, NoticeReroute, esc, next, MsgDeskRerouteGone, map[string]any{"From": gone})
	}
	audit := AuditEntry{At: now, Actor: "engine", Via: "engine", Action: "escalation.reroute", Target: escTarget(esc.ID), Detail: detail, Allowed: true}
	return e.applyReminder(ctx, esc, audit, []Outgoing{n}, now)
}

// reminderNotice reminds s that esc waits for someone to claim it.
func (e *Engine) reminderNotice(key string, esc Escalation, s Staff, now time.Time) Outgoing {
	minutes := int(now.Sub(esc.CreatedAt).Minutes())
	return e.staffNotice("reminder:"+key, NoticeReminder, esc, s, MsgDeskReminder,
		map[string]any{"Minutes": minutes, "Count": minutes})
}

// applyReminder writes a reminder or re-route of esc with its audit entry
// and desk notices.
func (e *Engine) applyReminder(ctx context.Context, esc Escalation, audit AuditEntry, out []Outgoing, now time.Time) error {
	esc.UpdatedAt = now
	if err := e.st.ApplyEscalation(ctx, &EscalationChange{Escalation: &esc, Audit: []AuditEntry{audit}, Outbox: out}); err != nil {
		return err
	}
	e.poke(DeskPlatform)
	return nil
}
