package discord

import (
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/liaison-gc/liaison/bot"
)

// Messages the engine could not record, handleAttempts times in a row (the
// store failing: a full disk, a lock another process holds), are parked
// rather than dropped: the gateway never sends a message again once
// received, and the catch-up of the next session reads each channel from
// the newest message recorded there, after the parked one as soon as a
// later message of its channel is recorded. They are tried again in their
// lanes as soon as another message is recorded (the store works again),
// and every parkedRetry meanwhile, until recorded or shutdown, which logs
// those left.

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
	if _, ok := r.parked[m.ID]; !ok && len(r.parked) >= maxParked {
		return false
	}
	r.parked[m.ID] = m
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
// tries the parked messages again.
func (r *runner) recorded(id string) {
	r.pmu.Lock()
	delete(r.parked, id)
	r.pmu.Unlock()
	r.retryParked()
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

// parkedAtShutdown logs the messages still parked as Run returns.
func (r *runner) parkedAtShutdown() {
	r.pmu.Lock()
	defer r.pmu.Unlock()
	if len(r.parked) == 0 {
		return
	}
	channels := map[string]bool{}
	for _, m := range r.parked {
		channels[string(bot.Key(Platform, m.ChannelID))] = true
	}
	r.c.log.Error("shutdown: messages received while the store failed were never recorded; the next start's catch-up reads them again unless a later message of their channel was recorded: mend the store (see the errors above) before starting again",
		"messages", len(r.parked), "channels", slices.Sorted(maps.Keys(channels)))
}
