package discord

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/liaison-gc/liaison/bot"
)

// Messages the engine could not record, handleAttempts times in a row (the
// store failing: a full disk, a lock another process holds), are parked
// rather than dropped: the gateway never sends a message again once
// received. They are tried again in their lanes as soon as another message
// is recorded (the store works again), and every parkedRetry meanwhile,
// until recorded, deleted by their author (see deleted) or shutdown.
//
// The catch-up of the next session reads each channel from the newest
// message recorded there, after a parked message as soon as a later one of
// its channel is recorded. So, as soon as the store records again, each
// channel with messages parked gets a catch-up mark just before its oldest
// (see markParked), which the next catch-up reads from, and keeps until
// the channel has none parked: a message still parked at shutdown, the
// store having failed again, is read again at the next start, within the
// catch-up window. Shutdown marks those left once more, then logs them.
const (
	// parkedRetry is how often parked messages are tried again while no
	// other message is recorded.
	parkedRetry = maxRetryWait
	// maxParked bounds the messages parked; past it a message given up
	// is logged and dropped, as before parking.
	maxParked = 10000
)

// park keeps m to be tried again, unless err says retrying cannot help,
// shutdown has begun or too many are parked. It reports whether it did.
func (r *runner) park(m *discordgo.Message, err error) bool {
	if errors.Is(err, bot.ErrInvalid) || errors.Is(err, bot.ErrForbidden) || r.patience.Err() != nil {
		return false
	}
	r.pmu.Lock()
	defer r.pmu.Unlock()
	if _, ok := r.parked[m.ID]; !ok {
		if len(r.parked) >= maxParked {
			return false
		}
		r.inChannel[m.ChannelID]++
	}
	r.parked[m.ID] = m
	if mk, ok := r.marks[m.ChannelID]; !ok || newer(mk.at, before(m.ID)) {
		r.unmarked[m.ChannelID] = true
	}
	return true
}

// repark puts m, as its author edited it, in place of the message parked
// with its id, and reports whether there was one: the retry then records
// the message as it reads now, an edit adding the bot's mention included,
// which the engine, not knowing the message yet, could not decide again.
func (r *runner) repark(m *discordgo.Message) bool {
	r.pmu.Lock()
	defer r.pmu.Unlock()
	if _, ok := r.parked[m.ID]; !ok {
		return false
	}
	r.parked[m.ID] = m
	return true
}

// recorded forgets m if it was parked, and, as the engine records again,
// marks where the catch-up is to read the channels with messages parked,
// and tries those messages again.
func (r *runner) recorded(id string) {
	r.unpark(id)
	r.pmu.Lock()
	remark := len(r.unmarked) > 0
	r.pmu.Unlock()
	if remark {
		r.tryMarkParked()
	}
	r.retryParked()
}

// unpark forgets message id, and reports whether it was parked: recorded,
// or deleted by its author before it was. Its channel's catch-up mark is
// forgotten once the channel has none parked (see unmark).
func (r *runner) unpark(id string) bool {
	r.pmu.Lock()
	m, was := r.parked[id]
	if was {
		delete(r.parked, id)
		if r.inChannel[m.ChannelID]--; r.inChannel[m.ChannelID] == 0 {
			delete(r.inChannel, m.ChannelID)
		}
	}
	r.pmu.Unlock()
	if was {
		r.unmark(m.ChannelID)
	}
	return was
}

// markBefore marks where the catch-up is to read the messages parked in
// channel ch, when they are not marked yet, before a message of ch is
// handled: once a later message of ch is recorded, the next start's
// catch-up would read ch only after it. It is one try, the store failing
// meanwhile.
func (r *runner) markBefore(ch string) {
	r.pmu.Lock()
	unmarked := r.unmarked[ch]
	r.pmu.Unlock()
	if unmarked {
		r.tryMarkParked()
	}
}

// tryMarkParked is markParked, in one try, logging a failure.
func (r *runner) tryMarkParked() {
	ctx, cancel := context.WithTimeout(r.ctx, r.c.opts.HandleTimeout)
	defer cancel()
	if err := r.markParked(ctx); err != nil {
		r.c.log.Warn("where the catch-up is to read again the messages not recorded was not recorded; trying again as messages arrive", "err", err)
	}
}

// parkMark is the catch-up mark of a channel with messages parked: at is
// the id its catch-up reads after, and ours says it was recorded for them
// where the channel had none, to be forgotten once they are recorded.
type parkMark struct {
	at   string
	ours bool
}

// before returns the id just before decimal id: a read after it reads id.
func before(id string) string {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || n == 0 {
		return "0"
	}
	return strconv.FormatUint(n-1, 10)
}

// parkedFrom returns, for each channel with messages parked, the id its
// catch-up must read after to read them all. r.pmu is held.
func (r *runner) parkedFrom() map[string]string {
	out := map[string]string{}
	for _, m := range r.parked {
		if b := before(m.ID); out[m.ChannelID] == "" || newer(out[m.ChannelID], b) {
			out[m.ChannelID] = b
		}
	}
	return out
}

// catchUpMarks reports whether the store can keep where catch-ups start:
// the handler tracks what it recorded and catch-up is on.
func (r *runner) catchUpMarks() (bot.Tracker, bool) {
	tr, ok := r.h.(bot.Tracker)
	return tr, ok && r.c.cfg.CatchUpHours > 0
}

// markParked records, for each channel with messages parked whose
// catch-up mark (see bot.Tracker) is missing or after its oldest, a mark
// just before it, keeping an older one. It is skipped, to be done at the
// next call, while a catch-up records where it starts. It fails when the
// store does.
func (r *runner) markParked(ctx context.Context) error {
	tr, ok := r.catchUpMarks()
	if !ok || !r.mmu.TryLock() {
		return nil
	}
	defer r.mmu.Unlock()
	r.pmu.Lock()
	want := r.parkedFrom()
	for ch, at := range want {
		if mk, ok := r.marks[ch]; ok && !newer(mk.at, at) {
			delete(want, ch)
		}
	}
	had := maps.Clone(r.marks)
	clear(r.unmarked)
	r.pmu.Unlock()
	if len(want) == 0 {
		return nil
	}
	failed := func(err error) error {
		r.pmu.Lock()
		for ch := range want {
			r.unmarked[ch] = true
		}
		r.pmu.Unlock()
		return err
	}
	marks, err := tr.CatchUpFrom(ctx, Platform)
	if err != nil {
		return failed(err)
	}
	write, got := map[string]string{}, map[string]parkMark{}
	for ch, at := range want {
		switch m := marks[ch]; {
		case m != "" && !newer(m, at): // an older mark (an unfinished catch-up's) reads them
			got[ch] = parkMark{at: m}
		default:
			write[ch] = at
			got[ch] = parkMark{at: at, ours: m == "" || had[ch].ours && had[ch].at == m}
		}
	}
	if err := tr.SetCatchUpFrom(ctx, Platform, write); err != nil {
		return failed(err)
	}
	r.pmu.Lock()
	maps.Copy(r.marks, got)
	r.pmu.Unlock()
	return nil
}

// unmark forgets the catch-up mark recorded for channel ch's parked
// messages once it has none parked, unless a catch-up has recorded where
// it starts there since: the next start then reads it from its newest
// message again, not again through all that was recorded since. It waits
// for the marks being recorded meanwhile (another channel's, or a
// catch-up's), as these may include ch's. When it cannot (the store
// failing), the mark is kept, and the next catch-up reads the channel from
// there.
func (r *runner) unmark(ch string) {
	tr, ok := r.catchUpMarks()
	if !ok {
		return
	}
	r.mmu.Lock()
	defer r.mmu.Unlock()
	r.pmu.Lock()
	mk, marked := r.marks[ch]
	if marked = marked && r.inChannel[ch] == 0; marked {
		delete(r.marks, ch)
	}
	r.pmu.Unlock()
	if !marked || !mk.ours {
		return
	}
	ctx, cancel := context.WithTimeout(r.ctx, r.c.opts.HandleTimeout)
	defer cancel()
	if marks, err := tr.CatchUpFrom(ctx, Platform); err != nil || marks[ch] != mk.at {
		return
	}
	if err := tr.ClearCatchUpFrom(ctx, Platform, ch); err != nil {
		r.c.log.Warn("catch-up: a channel whose messages are all recorded now is read again at the next start from before them", "channel", string(bot.Key(Platform, ch)), "err", err)
	}
}

// hasParked reports whether a message of channel ch is parked.
func (r *runner) hasParked(ch string) bool {
	r.pmu.Lock()
	defer r.pmu.Unlock()
	return r.inChannel[ch] > 0
}

// retryParked queues the parked messages in their lanes, oldest first,
// unless a retry of them is under way or shutdown has begun.
func (r *runner) retryParked() {
	r.pmu.Lock()
	defer r.pmu.Unlock()
	if r.retrying > 0 || len(r.parked) == 0 || r.patience.Err() != nil {
		return
	}
	list := slices.SortedFunc(maps.Values(r.parked), func(a, b *discordgo.Message) int { return compareIDs(a.ID, b.ID) })
	r.retrying = len(list)
	for _, m := range list {
		r.lanes.do(m.ChannelID, func() {
			r.pmu.Lock()
			now, still := r.parked[m.ID] // edited since, perhaps (see repark)
			r.pmu.Unlock()
			if still && r.patience.Err() == nil {
				r.message(now)
			}
			r.pmu.Lock()
			r.retrying--
			r.pmu.Unlock()
		})
	}
}

// retryParkedEvery tries the parked messages again every parkedRetry until
// shutdown begins.
func (r *runner) retryParkedEvery() {
	t := time.NewTicker(parkedRetry)
	defer t.Stop()
	for {
		select {
		case <-r.patience.Done():
			return
		case <-t.C:
			r.retryParked()
		}
	}
}

const (
	// shutdownMarkTimeout bounds the marking of the messages still
	// parked at shutdown, within the time serve gives channels to stop.
	shutdownMarkTimeout = 3 * time.Second
	// maxParkedLogged bounds the message ids logged at shutdown.
	maxParkedLogged = 100
)

// parkedAtShutdown marks where the next catch-up is to read the messages
// still parked as Run returns (see markParked), and logs them, by channel
// and id, with whether they will be read again.
func (r *runner) parkedAtShutdown() {
	r.pmu.Lock()
	n := len(r.parked)
	r.pmu.Unlock()
	if n == 0 {
		return
	}
	_, on := r.catchUpMarks()
	var err error
	if on {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), shutdownMarkTimeout)
		err = r.markParked(ctx)
		cancel()
	}
	r.pmu.Lock()
	defer r.pmu.Unlock()
	list := slices.SortedFunc(maps.Values(r.parked), func(a, b *discordgo.Message) int { return compareIDs(a.ID, b.ID) })
	ids := map[string][]string{}
	for _, m := range list[:min(len(list), maxParkedLogged)] {
		k := string(bot.Key(Platform, m.ChannelID))
		ids[k] = append(ids[k], m.ID)
	}
	attrs := []any{"messages", len(list), "ids", ids, "ids_left_out", max(len(list)-maxParkedLogged, 0)}
	switch {
	case !on:
		r.c.log.Error("shutdown: messages received while the store failed were never recorded, and catch-up is off (discord.catch_up_hours = 0): they are not read again; find them in Discord by their ids and answer them by hand, and mend the store (see the errors above)", attrs...)
	case err != nil:
		r.c.log.Error("shutdown: messages received while the store failed were never recorded, nor where to read them again: the next start's catch-up reads them only if no later message of their channel was recorded; mend the store (see the errors above), then find those in Discord by their ids and answer them by hand", append(attrs, "err", err)...)
	default:
		r.c.log.Error("shutdown: messages received while the store failed were never recorded; the next start's catch-up reads them again if it comes within discord.catch_up_hours of when they were posted: mend the store (see the errors above) and start again in time, or find them in Discord by their ids and answer them by hand", append(attrs, "window_hours", r.c.cfg.CatchUpHours)...)
	}
}
