package discord

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/liaison-gc/liaison/bot"
)

// Catch-up: the gateway delivers only what happens during a session (a
// resumed one replays what it missed), so what citizens posted while the
// bot was stopped, or between a session Discord ended and the next, is read
// from each channel's history when a new session is ready, and handed to
// the engine as MESSAGE_CREATE would have been. The engine answers a
// message it has recorded before only once, so a message read both ways is
// harmless. Edits made meanwhile of messages recorded before are read too,
// in one more page of a channel's history, and handed to the engine as
// MESSAGE_UPDATE would have been, among the messages posted meanwhile in
// the order they were made; it leaves an edit it has already decided.
// Channels are caught up one after the other, their messages and edits
// with them.
// A deletion made meanwhile is not read: history does not show what is
// gone.

// catchUpPage is the most messages Discord returns in one history read.
const catchUpPage = 100

// maxCatchUpChannels bounds the channels read in one catch-up: those where
// a message was recorded most recently come first, after the configured
// ones; how many were left is logged.
const maxCatchUpChannels = 500

// discordEpoch is the first millisecond of 2015, in Unix time: snowflakes
// count from it.
const discordEpoch = 1420070400000

// snowflakeAt is the smallest Discord id of a moment.
func snowflakeAt(t time.Time) string {
	return strconv.FormatInt(max(t.UnixMilli()-discordEpoch, 0)<<22, 10)
}

// snowflakeTime is the moment of Discord id id (ok false: not an id).
func snowflakeTime(id string) (t time.Time, ok bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, false
	}
	return time.UnixMilli(n>>22 + discordEpoch), true
}

// compareIDs orders decimal ids as the numbers they are: -1, 0 or +1 as a
// is before, the same as or after b.
func compareIDs(a, b string) int {
	if c := cmp.Compare(len(a), len(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// newer reports whether decimal id a is after id b.
func newer(a, b string) bool { return compareIDs(a, b) > 0 }

// recorded is what the store holds of a platform's channels: the newest
// message recorded in each (LastSeen), and where each channel's catch-up
// that did not finish was to start (CatchUpFrom).
type recorded struct{ last, marks map[string]string }

// readRecorded reads what the store holds of the platform's channels.
func readRecorded(ctx context.Context, tr bot.Tracker) (*recorded, error) {
	last, err := tr.LastSeen(ctx, Platform)
	if err != nil {
		return nil, err
	}
	marks, err := tr.CatchUpFrom(ctx, Platform)
	if err != nil {
		return nil, err
	}
	return &recorded{last, marks}, nil
}

// catchUp starts a catch-up in the background, or, when one is running,
// asks it for another pass once done. It is called as a session begins,
// before any of its events is handled (the session's handlers run in
// order), and reads there, once, what the store holds: a live message of
// the new session recorded first would move its channel's start past what
// was posted while the bot was away. When that read fails, the pass reads
// again in the background, with retries. It returns once the reading is
// done: live events are handled while the catch-up runs.
func (r *runner) catchUp() {
	if r.c.cfg.CatchUpHours <= 0 {
		return
	}
	tr, ok := r.h.(bot.Tracker)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.patience, r.c.opts.RequestTimeout)
	starts, err := readRecorded(ctx, tr)
	cancel()
	if err != nil && r.patience.Err() == nil {
		r.c.log.Warn("catch-up: the last messages recorded could not be read as the session began; reading them again in the background", "err", err)
	}
	r.cmu.Lock()
	defer r.cmu.Unlock()
	if r.patience.Err() != nil {
		return
	}
	r.starts = starts
	if r.busy {
		r.again = true
		return
	}
	r.busy = true
	r.liveEdits = map[string]time.Time{}
	r.catching.Add(1)
	go func() {
		defer r.catching.Done()
		for {
			r.catchUpOnce()
			r.cmu.Lock()
			r.passes++
			if !r.again || r.patience.Err() != nil {
				r.busy = false
				r.cmu.Unlock()
				return
			}
			r.again = false
			r.cmu.Unlock()
		}
	}()
}

// catchUpOnce reads, in each channel where the engine recorded a message
// and each configured channel, what was posted after the newest message
// recorded there (in a configured channel with none, after the newest
// recorded anywhere; on the first start ever, nothing) and within the
// window (CatchUpHours), oldest first, and queues it as live messages are.
// A channel whose catch-up did not finish before is read from where that
// one was to start, when older: a message recorded there live since then
// does not hide what was posted before it. It ends early when shutdown
// begins.
func (r *runner) catchUpOnce() {
	c := r.c
	ctx := r.patience
	tr := r.h.(bot.Tracker)
	now := c.opts.Now()
	since := now.Add(-time.Duration(c.cfg.CatchUpHours) * time.Hour)
	floor := snowflakeAt(since)
	r.cmu.Lock()
	starts := r.starts
	r.starts = nil
	r.cmu.Unlock()
	if starts == nil {
		err := r.attemptIn(ctx, "catch-up", time.Now().Add(c.opts.EventRetryFor), func(ctx context.Context) error {
			var err error
			starts, err = readRecorded(ctx, tr)
			return err
		})
		if err != nil {
			c.log.Error("catch-up: the last messages recorded could not be read; nothing caught up", "err", err)
			return
		}
	}
	last, marks := starts.last, starts.marks
	// Configured channels first, then the others, most recently active
	// first (a snowflake grows with time).
	var ids []string
	for _, ch := range c.cfg.Channel {
		ids = append(ids, ch.ID)
	}
	var others []string
	for id := range last {
		if _, configured := c.cfg.channel(id); !configured {
			others = append(others, id)
		}
	}
	for id := range marks {
		if _, configured := c.cfg.channel(id); !configured && last[id] == "" {
			others = append(others, id)
		}
	}
	r.pmu.Lock()
	parked := r.parkedFrom()
	r.pmu.Unlock()
	for id := range parked {
		if _, configured := c.cfg.channel(id); !configured && last[id] == "" && marks[id] == "" {
			others = append(others, id)
		}
	}
	slices.SortFunc(others, func(a, b string) int {
		return cmp.Or(compareIDs(last[b], last[a]), cmp.Compare(a, b))
	})
	ids = append(ids, others...)
	if len(ids) > maxCatchUpChannels {
		c.log.Warn("catch-up: too many channels; the least recently active are not read",
			"read", maxCatchUpChannels, "left", len(ids)-maxCatchUpChannels)
		ids = ids[:maxCatchUpChannels]
	}
	// A channel where nothing was recorded is read from when the bot last
	// recorded anything: before that, it was watching, and would have
	// recorded what was posted there. On the first start ever there is no
	// such moment, and nothing posted before the bot came is answered.
	newest := ""
	for _, l := range last {
		if newer(l, newest) {
			newest = l
		}
	}
	// Edits made while the bot was away, of messages it had recorded:
	// the gateway does not replay them, and the history read after each
	// channel's newest message does not hold them. An edit counts within
	// bot.EditWindow of its message's posting, and the bot was away only
	// after the newest message it recorded: such an edit is of a message
	// posted at most EditWindow before that one, and only a channel whose
	// newest message is among those is read again for edits.
	var edits editRead
	if at, ok := snowflakeTime(newest); ok {
		if at.After(now) { // (a clock behind Discord's)
			at = now
		}
		edits = editRead{from: snowflakeAt(at.Add(-bot.EditWindow)), since: since}
	}
	from := map[string]string{}
	for _, id := range ids {
		l := cmp.Or(last[id], newest)
		for _, m := range []string{marks[id], parked[id]} {
			if m != "" && (l == "" || newer(l, m)) {
				l = m
			}
		}
		if l == "" {
			continue
		}
		from[id] = floor
		if newer(l, floor) {
			from[id] = l
		}
	}
	// Where each channel starts is recorded before any is read, and
	// forgotten once it was: the next start reads again from there a
	// channel this pass does not finish. A channel with messages parked
	// starts before them, and its mark is this pass's from now on.
	// The marks are held for each try only, not while waiting to try
	// again: a lane forgetting a mark waits for them (see unmark).
	err := r.attemptIn(ctx, "catch-up", time.Now().Add(c.opts.EventRetryFor), func(ctx context.Context) error {
		r.mmu.Lock()
		defer r.mmu.Unlock()
		if err := tr.SetCatchUpFrom(ctx, Platform, from); err != nil {
			return err
		}
		r.pmu.Lock()
		for id := range from {
			if mk, ok := r.marks[id]; ok {
				r.marks[id] = parkMark{at: mk.at}
			}
		}
		r.pmu.Unlock()
		return nil
	})
	if err != nil && ctx.Err() == nil {
		c.log.Warn("catch-up: where channels start was not recorded; one not finished now may not be read at the next start", "err", err)
	}
	r.members = map[string]*discordgo.Member{}
	read, handed, edited, skipped := 0, 0, 0, 0
	for _, id := range ids {
		if ctx.Err() != nil {
			break
		}
		after, ok := from[id]
		if !ok {
			continue
		}
		er := editRead{}
		if l := last[id]; edits.from != "" && l != "" && !newer(edits.from, l) {
			er = edits
			er.last = l
		}
		n, e, got := r.catchUpChannel(ctx, id, after, er)
		handed += n
		edited += e
		if got == readAll || got == readPart {
			read++
		} else {
			skipped++
		}
	}
	c.log.Info("catch-up done", "channels", read, "messages", handed, "edits", edited, "skipped", skipped,
		"window_hours", c.cfg.CatchUpHours, "stopped", ctx.Err() != nil)
}

// finished forgets where channel id's catch-up starts once the messages
// queued for it were recorded (the forgetting is queued after them), so
// that the next start reads it from its newest message again. When one was
// not (shutdown, the store failing), *lost is true, or a message of the
// channel is parked, and it is kept. lost is read and written in the
// channel's lane only.
func (r *runner) finished(id string, lost *bool) {
	r.lanes.do(id, func() {
		if *lost || r.hasParked(id) {
			return
		}
		r.pmu.Lock()
		delete(r.marks, id)
		r.pmu.Unlock()
		err := r.attempt("catch-up", time.Now().Add(r.c.opts.EventRetryFor), func(ctx context.Context) error {
			return r.h.(bot.Tracker).ClearCatchUpFrom(ctx, Platform, id)
		})
		if err != nil {
			r.c.log.Warn("catch-up: a channel read is not recorded as such; the next start reads it again", "channel", string(bot.Key(Platform, id)), "err", err)
		}
	})
}

// readOutcome is how a channel's catch-up ended.
type readOutcome int

const (
	readAll        readOutcome = iota // to the end, or to CatchUpLimit
	readPart                          // a later page failed, or shutdown began
	skippedForNow                     // Discord failing past EventRetryFor, or shutdown
	skippedForGood                    // not to be read (no access, deleted), or not served
)

// editRead is which recorded messages of a channel its catch-up reads
// again for edits made while the bot was away: those from id from to id
// last (the newest recorded there), edited after since. Its zero value
// reads none.
type editRead struct {
	from, last string
	since      time.Time
}

// catchUpChannel reads the messages of channel id after the id after, up
// to CatchUpLimit, and queues them, with the edits of the messages
// recorded there that er names (see catchUpEdits): each edit before the
// first message posted after it was made, as the gateway would have
// delivered them, so that the flood limit counts each against what was
// posted or edited before it. It returns how many messages and edits it
// queued, and how the read ended. A skip is logged. A channel read to the
// end (or the limit), or not to be read, is then finished.
func (r *runner) catchUpChannel(ctx context.Context, id, after string, er editRead) (handed, edits int, got readOutcome) {
	c := r.c
	until := time.Now().Add(c.opts.EventRetryFor)
	lost := new(bool)
	var pending []*discordgo.Message // edits read, not yet queued
	// editsBefore queues the pending edits made before posted (all of
	// them when nil).
	editsBefore := func(posted *time.Time) {
		for len(pending) > 0 && (posted == nil || pending[0].EditedTimestamp.Before(*posted)) {
			r.queueEdit(id, pending[0])
			pending = pending[1:]
			edits++
		}
	}
	skip := func(err error) (int, int, readOutcome) {
		editsBefore(nil)
		if ctx.Err() != nil {
			return 0, edits, skippedForNow
		}
		c.log.Warn("catch-up: channel skipped", "channel", string(bot.Key(Platform, id)), "err", err)
		if de := (*Error)(nil); !errors.As(err, &de) || de.Retry {
			return 0, edits, skippedForNow
		}
		r.finished(id, lost)
		return 0, edits, skippedForGood
	}
	// The channel itself: its server (history carries none), and for a
	// thread, its parent and owner.
	endpoint := discordgo.EndpointChannel(id)
	var ch discordgo.Channel
	if err := r.attemptIn(ctx, "catch-up", until, func(ctx context.Context) error {
		return c.getJSON(ctx, "look up channel", endpoint, endpoint, &ch)
	}); err != nil {
		return skip(err)
	}
	switch {
	case ch.GuildID == "" && !c.cfg.DMs, ch.GuildID != "" && !c.cfg.guild(ch.GuildID):
		return skip(&Error{Op: "catch-up", Err: errors.New("not served: a server not configured, or a DM while dms = false")})
	case ch.IsThread():
		c.remember(id, placed{place: place{parent: ch.ParentID, owner: ch.OwnerID, title: ch.Name}, guild: ch.GuildID, archived: isArchived(&ch)})
	}
	history := discordgo.EndpointChannelMessages(id)
	read := func(query string) ([]*discordgo.Message, error) {
		var page []*discordgo.Message
		url := history + "?" + query + "&limit=" + strconv.Itoa(catchUpPage)
		err := r.attemptIn(ctx, "catch-up", until, func(ctx context.Context) error {
			page = nil
			return c.getJSON(ctx, "read history", url, history, &page)
		})
		// Discord returns a page newest first.
		slices.SortFunc(page, func(a, b *discordgo.Message) int { return compareIDs(a.ID, b.ID) })
		return page, err
	}
	if er.last != "" {
		// The first read of the channel: when Discord refuses it, the
		// channel is skipped as for the read of what was posted since.
		n, err := strconv.ParseUint(er.last, 10, 64)
		if err == nil {
			page, err := read("before=" + strconv.FormatUint(n+1, 10))
			if err != nil {
				return skip(err)
			}
			pending = r.catchUpEdits(ctx, &ch, id, er, page)
		}
	}
	for handed < c.opts.CatchUpLimit {
		page, err := read("after=" + after)
		if err != nil {
			if handed == 0 {
				return skip(err)
			}
			c.log.Warn("catch-up: channel read in part", "channel", string(bot.Key(Platform, id)), "messages", handed, "err", err)
			editsBefore(nil)
			return handed, edits, readPart
		}
		from := after
		for _, m := range page {
			if handed == c.opts.CatchUpLimit {
				break
			}
			if m == nil || m.ID == "" || !newer(m.ID, after) {
				continue
			}
			r.fromHistory(ctx, m, &ch, id)
			editsBefore(&m.Timestamp)
			after = m.ID
			c.seen.add(m.ID) // a later redelivery by the gateway is not needed
			r.lanes.do(id, func() {
				if !r.message(m) {
					*lost = true
				}
			})
			handed++
		}
		if len(page) < catchUpPage || after == from { // the end, or a server going nowhere
			editsBefore(nil)
			r.finished(id, lost)
			return handed, edits, readAll
		}
	}
	// At the limit: say how many are left (a page's worth at most, so as
	// not to read on).
	editsBefore(nil)
	left, err := read("after=" + after)
	if err == nil && len(left) > 0 {
		c.log.Warn("catch-up: limit reached in a channel; later messages there are not handled",
			"channel", string(bot.Key(Platform, id)), "limit", c.opts.CatchUpLimit, "left", len(left), "more", len(left) == catchUpPage)
	}
	r.finished(id, lost)
	return handed, edits, readAll
}

// catchUpEdits returns, in the order they were made, the edits made while
// the bot was away in page, one page of channel id's history up to its
// newest recorded message (the newest recorded ones, when more were
// posted within er than a page holds): those of the messages er names
// edited within bot.EditWindow of their posting (the engine leaves a later
// one), for queueEdit. One seen already by this adapter, live or by an
// earlier catch-up, is left out. The order is that of the edits, not of
// their messages, as the gateway would have delivered them: the flood
// limit counts each edit against those made before it.
func (r *runner) catchUpEdits(ctx context.Context, ch *discordgo.Channel, id string, er editRead, page []*discordgo.Message) []*discordgo.Message {
	page = slices.DeleteFunc(slices.Clone(page), func(m *discordgo.Message) bool {
		return m == nil || m.ID == "" || m.Author == nil || m.EditedTimestamp == nil ||
			newer(er.from, m.ID) || newer(m.ID, er.last) ||
			m.EditedTimestamp.Before(er.since) || m.EditedTimestamp.Sub(m.Timestamp) > bot.EditWindow ||
			!r.c.seen.add(editKey(m))
	})
	slices.SortStableFunc(page, func(a, b *discordgo.Message) int { return a.EditedTimestamp.Compare(*b.EditedTimestamp) })
	for _, m := range page {
		r.fromHistory(ctx, m, ch, id)
	}
	return page
}

// queueEdit queues m, an edit of a message of channel id read at
// catch-up, as MESSAGE_UPDATE would have: it goes to the engine's edit
// path as a live edit does, which leaves an edit it has already decided,
// unless a later edit of the message was delivered live since.
func (r *runner) queueEdit(id string, m *discordgo.Message) {
	key := editKey(m)
	r.lanes.do(id, func() {
		if !r.editedSince(m) {
			r.edit(m, key)
		}
	})
}

// editedLive notes, while a catch-up runs, when m, delivered edited live,
// was edited. The catch-up reads a message's edit in history and queues
// it after: a later edit delivered meanwhile may be queued first, and the
// edit read, handed on after it, would undo it.
func (r *runner) editedLive(m *discordgo.Message) {
	r.cmu.Lock()
	defer r.cmu.Unlock()
	if t, ok := r.liveEdits[m.ID]; r.busy && (!ok || m.EditedTimestamp.After(t)) {
		r.liveEdits[m.ID] = *m.EditedTimestamp
	}
}

// editedSince reports whether m, read in history by the catch-up, was
// edited again since, as delivered live (see editedLive): the later edit
// is the one handed on.
func (r *runner) editedSince(m *discordgo.Message) bool {
	r.cmu.Lock()
	defer r.cmu.Unlock()
	t, ok := r.liveEdits[m.ID]
	return ok && t.After(*m.EditedTimestamp)
}

// fromHistory sets on m, read in the history of channel id (ch), what
// history leaves out and MESSAGE_CREATE or MESSAGE_UPDATE carries: its
// server and channel, and its author's server member.
func (r *runner) fromHistory(ctx context.Context, m *discordgo.Message, ch *discordgo.Channel, id string) {
	m.GuildID, m.ChannelID = ch.GuildID, id
	if m.GuildID != "" && m.Member == nil && m.Author != nil && !m.Author.Bot && m.WebhookID == "" {
		m.Member = r.member(ctx, m.GuildID, m.Author.ID)
	}
}

// member returns the server member an author is, for the name staff see
// (the server nickname), which history, unlike MESSAGE_CREATE, leaves out.
// Each author is asked of Discord once a catch-up, in one try: nil when
// Discord cannot say (the author left the server, an outage), and the
// message then shows the author's own name.
func (r *runner) member(ctx context.Context, guildID, userID string) *discordgo.Member {
	key := guildID + "/" + userID
	if m, ok := r.members[key]; ok {
		return m
	}
	var m *discordgo.Member
	endpoint := discordgo.EndpointGuildMember(guildID, userID)
	if err := r.c.getJSON(ctx, "look up member", endpoint, discordgo.EndpointGuildMember(guildID, ""), &m); err != nil {
		r.c.log.Debug("catch-up: member not looked up; the author's own name is shown", "err", err)
		m = nil
	}
	r.members[key] = m
	return m
}
