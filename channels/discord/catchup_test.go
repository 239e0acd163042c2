package discord

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/channels/discord/fakediscord"
)

// Catch-up tests: Liaison stops (a deploy, a crash), citizens post while it
// is away, and it starts again: a new adapter on the same store and engine,
// whose new gateway session delivers nothing of what was posted before it.

// down stops the running adapter.
func (w *world) down(t *testing.T) {
	t.Helper()
	if err := w.stop(); err != nil {
		t.Fatal(err)
	}
}

// up starts a new adapter with cfg and opts and waits for its first
// catch-up (when on) to have been read and handled.
func (w *world) up(t *testing.T, cfg Config, opts Options) {
	t.Helper()
	ch := newChannel(t, w.srv, cfg, opts)
	w.running = run(t, w.srv, ch, w.obs)
	if cfg.CatchUpHours == 0 {
		w.settle(t)
		return
	}
	w.caughtUp(t, ch)
}

// caughtUp waits for ch's first catch-up to have been read and handled.
func (w *world) caughtUp(t *testing.T, ch *Channel) {
	t.Helper()
	w.srv.AwaitWithin(t, time.Minute, "the catch-up", func() bool {
		ch.mu.Lock()
		r := ch.running
		ch.mu.Unlock()
		if r == nil {
			return false
		}
		r.cmu.Lock()
		defer r.cmu.Unlock()
		return r.passes > 0 && !r.busy && r.lanes.idle()
	})
}

// watched has the bot record a message posted at at in #general, as a bot
// that ran before the restart did: a channel without a record of its own
// is read from the newest message recorded anywhere.
func (w *world) watched(t *testing.T, at time.Time) {
	t.Helper()
	id := w.srv.Post(fakediscord.Post{ChannelID: generalID, Author: citizen(), Content: "hello all", At: at})
	w.srv.Await(t, "the message recorded", func() bool {
		_, err := w.st.DecisionFor(w.ctx, Platform, id)
		return err == nil
	})
}

// historyReads returns the statuses of the reads of channelID's history
// bounded by param: "after" reads what was posted after a message,
// "before" the messages recorded, for their edits; "" counts every read.
func historyReads(srv *fakediscord.Server, channelID, param string) []int {
	var out []int
	for _, r := range srv.Requests() {
		if r.Method == http.MethodGet && strings.HasSuffix(r.Path, "/channels/"+channelID+"/messages") &&
			(param == "" || strings.Contains("&"+r.Query, "&"+param+"=")) {
			out = append(out, r.Status)
		}
	}
	return out
}

// replies counts the bot's messages in channelID that reply to id.
func replies(srv *fakediscord.Server, channelID, id string) int {
	n := 0
	for _, p := range srv.Posted(channelID) {
		if p.MessageReference != nil && p.MessageReference.MessageID == id {
			n++
		}
	}
	return n
}

func noDecision(t *testing.T, w *world, id, what string) {
	t.Helper()
	if d, err := w.st.DecisionFor(w.ctx, Platform, id); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("%s was handled (%+v, %v); want it left alone", what, d, err)
	}
}

func TestCatchUpAnswersQuestionPostedWhileDown(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	before := w.ask(helpID, "How do I renew my passport?")
	w.replyTo(t, helpID, before)
	w.settle(t)
	w.down(t)
	handled := w.obs.count(before) // (the first start's catch-up may have read it too)

	q := w.ask(helpID, "Bonjour, comment renouveler mon passeport?")
	w.up(t, testConfig(), testOptions(t))

	p := w.replyTo(t, helpID, q)
	if !strings.Contains(p.Content, "renouveler votre passeport en ligne") || strings.Contains(p.Content, "renew your passport") {
		t.Errorf("the answer is not in French: %q", p.Content)
	}
	if d := w.decision(t, q); d.Action != bot.ActAnswer || d.Lang != bot.French {
		t.Errorf("decision %+v, want a French answer", d)
	}
	checkPings(t, p, citizenID)
	w.settle(t)
	if n, m := replies(w.srv, helpID, q), replies(w.srv, helpID, before); n != 1 || m != 1 {
		t.Errorf("replies: %d to the question posted while down, %d to the one answered before; want 1 each", n, m)
	}
	if n := w.obs.count(before); n != handled {
		t.Errorf("the question answered before the restart was read again after it (%d deliveries, %d before)", n, handled)
	}
}

// A live message recorded in a channel while the catch-up is still reading
// where channels start does not move that channel's start past what was
// posted there while the bot was away: the starts are read as the session
// begins, before any of its messages is handled.
func TestCatchUpStartsAreReadBeforeLiveMessagesAreHandled(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	w.watched(t, time.Now())
	w.down(t)
	missed := w.ask(helpID, "How do I renew my passport?")
	w.obs.mu.Lock()
	w.obs.slowLastSeen = 500 * time.Millisecond
	w.obs.mu.Unlock()
	identifies := w.srv.Gateway().Identifies
	w.running = run(t, w.srv, newChannel(t, w.srv, testConfig(), testOptions(t)), w.obs)
	w.srv.Await(t, "the new session", func() bool { return w.srv.Gateway().Identifies > identifies })
	live := w.ask(helpID, "How long does it take to get a passport?")
	w.replyTo(t, helpID, live)
	w.replyTo(t, helpID, missed)
	w.settle(t)
	if n := replies(w.srv, helpID, missed); n != 1 {
		t.Errorf("%d replies to the question posted while the bot was away; want 1", n)
	}
}

// A question read by the catch-up that also arrived live, in the same
// channel, is answered once: the engine's record of it holds.
func TestCatchUpAndLiveDeliveryAnswerOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	w.watched(t, time.Now())
	w.down(t)
	missed := w.ask(helpID, "How do I renew my passport?")
	release := w.srv.HoldHistory(helpID)
	w.running = run(t, w.srv, newChannel(t, w.srv, testConfig(), testOptions(t)), w.obs)
	live := w.ask(helpID, "How long does it take to get a passport?")
	w.replyTo(t, helpID, live)
	release()
	w.replyTo(t, helpID, missed)
	w.srv.Await(t, "the live question read again by the catch-up", func() bool { return w.obs.count(live) == 2 })
	w.settle(t)
	if n, m := replies(w.srv, helpID, live), replies(w.srv, helpID, missed); n != 1 || m != 1 {
		t.Errorf("replies: %d to the live question, %d to the missed one; want 1 each", n, m)
	}
}

func TestCatchUpReplyInBotThreadPostedWhileDown(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	q := w.ask(threadedID, "Bonjour, comment renouveler mon passeport?")
	w.srv.Await(t, "the answer in its thread", func() bool { return len(w.srv.Posted(q)) == 1 })
	w.settle(t)
	w.down(t)

	// The thread is named q; the follow-up mentions nobody.
	follow := w.srv.Post(fakediscord.Post{ChannelID: q, Author: citizen(), Content: "Combien de temps faut-il pour obtenir un passeport?"})
	w.up(t, testConfig(), testOptions(t))
	d := w.decision(t, follow)
	if d.Action == bot.ActIgnore {
		t.Fatalf("the follow-up in the bot's thread was %s (%s); want it handled as addressed to the bot", d.Action, d.Reason)
	}
	w.srv.Await(t, "the reply in the thread", func() bool { return len(w.srv.Posted(q)) == 2 })
}

func TestCatchUpLeavesMessagesBeyondTheWindow(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	now := time.Now()
	w.watched(t, now.Add(-40*time.Hour)) // down for 40 hours
	w.down(t)
	old := w.srv.Post(fakediscord.Post{ChannelID: helpID, Author: citizen(), Content: "How do I renew my passport?", At: now.Add(-30 * time.Hour)})
	recent := w.srv.Post(fakediscord.Post{ChannelID: helpID, Author: citizen(), Content: "How long does it take to get a passport?", At: now.Add(-time.Hour)})
	cfg := testConfig()
	cfg.CatchUpHours = 2
	w.up(t, cfg, testOptions(t))
	w.replyTo(t, helpID, recent)
	noDecision(t, w, old, "a question posted before the window")
}

// On the first start ever, nothing was recorded: what was posted before the
// bot came is history, not questions waiting for it, and is left alone.
func TestCatchUpLeavesWhatWasPostedBeforeTheFirstStart(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	w.down(t)
	q := w.ask(helpID, "How do I renew my passport?")
	w.up(t, testConfig(), testOptions(t))
	noDecision(t, w, q, "a question posted before the first start")
	if n := len(w.srv.Posted(helpID)); n != 0 {
		t.Errorf("%d messages posted in #help; want none", n)
	}
}

func TestCatchUpOff(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	w.down(t)
	q := w.ask(helpID, "How do I renew my passport?")
	cfg := testConfig()
	cfg.CatchUpHours = 0
	earlier := len(historyReads(w.srv, helpID, "")) // by the first start's catch-up
	w.up(t, cfg, testOptions(t))
	if reads := historyReads(w.srv, helpID, "")[earlier:]; len(reads) != 0 {
		t.Errorf("history read %d times with catch-up off", len(reads))
	}
	noDecision(t, w, q, "a question posted while down, catch-up off,")
}

// A channel the bot may not read is skipped, logged once, and the others
// are caught up; a server error is retried.
func TestCatchUpSkipsForbiddenChannelAndRetriesOutages(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	w.watched(t, time.Now())
	w.down(t)
	hidden := w.ask(helpID, "How do I renew my passport?")
	q := w.ask(threadedID, "Bonjour, comment renouveler mon passeport?")
	w.srv.FailHistory(helpID, 10, http.StatusForbidden)
	w.srv.FailHistory(threadedID, 2, http.StatusServiceUnavailable)
	earlyHelp, earlyThreaded := len(historyReads(w.srv, helpID, "")), len(historyReads(w.srv, threadedID, "")) // by the first start
	w.up(t, testConfig(), testOptions(t))
	w.srv.Await(t, "the answer in its thread", func() bool { return len(w.srv.Posted(q)) == 1 })
	noDecision(t, w, hidden, "a question in a channel the bot may not read")
	if reads := historyReads(w.srv, helpID, "")[earlyHelp:]; !slices.Equal(reads, []int{http.StatusForbidden}) {
		t.Errorf("reads of the forbidden channel: %v; want one refused", reads)
	}
	if reads := historyReads(w.srv, threadedID, "")[earlyThreaded:]; !slices.Equal(reads, []int{503, 503, 200}) {
		t.Errorf("reads of the channel during an outage: %v; want two failures, then read", reads)
	}
}

// 250 messages missed in one channel are read in three pages and handed
// over oldest first; past the limit, the rest are left.
func TestCatchUpPagesInOrderUpToTheLimit(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	w.watched(t, time.Now())
	w.down(t)
	var ids []string
	for i := range 250 {
		ids = append(ids, w.srv.Post(fakediscord.Post{ChannelID: generalID, Author: citizen(), Content: "chatting " + string(rune('a'+i%26))}))
	}
	earlier := len(historyReads(w.srv, generalID, "after")) // by the first start's catch-up
	w.up(t, testConfig(), testOptions(t))
	w.obs.mu.Lock()
	var got []string
	for _, id := range w.obs.order {
		if slices.Contains(ids, id) {
			got = append(got, id)
		}
	}
	w.obs.mu.Unlock()
	if !slices.Equal(got, ids) {
		t.Errorf("%d messages handed over, want the 250 in the order posted", len(got))
	}
	if reads := historyReads(w.srv, generalID, "after")[earlier:]; !slices.Equal(reads, []int{200, 200, 200}) {
		t.Errorf("history reads %v, want 3 pages", reads)
	}

	w.down(t)
	var more []string
	for range 8 {
		more = append(more, w.ask(generalID, "chatting again"))
	}
	opts := testOptions(t)
	opts.CatchUpLimit = 5
	w.up(t, testConfig(), opts)
	for i, id := range more {
		_, err := w.st.DecisionFor(w.ctx, Platform, id)
		if handled := err == nil; handled != (i < 5) {
			t.Errorf("message %d handled %v; want the first 5 only", i, handled)
		}
	}
}

// A citizen who asked a dozen questions over two hours while the bot was
// away is answered, not sent the flood notice because the catch-up
// handles them all at once.
func TestCatchUpQuestionsPostedWhileDownAreNoFlood(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	now := time.Now()
	w.watched(t, now.Add(-5*time.Hour))
	w.down(t)
	var ids []string
	for i := range 12 {
		ids = append(ids, w.srv.Post(fakediscord.Post{ChannelID: helpID, Author: citizen(),
			Content: "How do I renew my passport?", At: now.Add(-time.Duration(12-i) * 10 * time.Minute)}))
	}
	w.up(t, testConfig(), testOptions(t))
	for i, id := range ids {
		if d := w.decision(t, id); d.Reason == bot.ReasonFlood || d.Reason == bot.ReasonFloodSilent {
			t.Errorf("question %d posted while down: %s (%s); want it handled as when posted", i, d.Action, d.Reason)
		}
	}
}

// History carries no member: the name a caught-up message is recorded
// under (shown to staff) is the author's server nickname, as for a message
// delivered live.
func TestCatchUpKeepsTheServerNickname(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	const nick = "Marie de Gatineau"
	live := w.srv.Post(fakediscord.Post{ChannelID: helpID, Author: citizen(), Nick: nick, Content: "How do I renew my passport?"})
	w.replyTo(t, helpID, live)
	w.settle(t)
	w.down(t)
	q := w.srv.Post(fakediscord.Post{ChannelID: helpID, Author: citizen(), Nick: nick, Content: "How long does it take to get a passport?"})
	w.up(t, testConfig(), testOptions(t))
	w.replyTo(t, helpID, q)
	said, err := w.st.Conversation(w.ctx, Platform, helpID, 50)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, s := range said {
		if s.Message != nil {
			names[s.Message.ID] = s.Message.AuthorName
		}
	}
	if names[live] != nick || names[q] != nick {
		t.Errorf("recorded under %q live and %q caught up; want %q for both", names[live], names[q], nick)
	}
}

// A question in a thread that was archived while the bot was away is read,
// and its answer posted there: the thread is unarchived, as the question
// itself had done.
func TestCatchUpAnswersInAThreadArchivedWhileDown(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	th := "100000000000000041"
	w.srv.AddThread(helpID, th, "my question", citizenID)
	first := w.ask(th, "How do I renew my passport?")
	w.replyTo(t, th, first)
	w.settle(t)
	w.down(t)
	q := w.srv.Post(fakediscord.Post{ChannelID: th, Author: citizen(), Content: "How long does it take to get a passport?"})
	w.srv.ArchiveThreadUnannounced(th)
	w.up(t, testConfig(), testOptions(t))
	p := w.replyTo(t, th, q)
	checkPings(t, p, citizenID)
	if d := w.decision(t, q); d.Action != bot.ActAnswer {
		t.Errorf("decision %+v; want an answer", d)
	}
}

// catchUpFrom returns where each channel whose catch-up did not finish is
// to be read from at the next start.
func (w *world) catchUpFrom(t *testing.T) map[string]string {
	t.Helper()
	from, err := w.st.CatchUpFrom(w.ctx, Platform)
	if err != nil {
		t.Fatal(err)
	}
	return from
}

// A channel skipped by a catch-up (Discord failing past EventRetryFor) is
// read at the next start from where that catch-up was to read it, though a
// message was recorded there live since: the question posted before that
// message is answered. Once read, the channel is read from its newest
// message again.
func TestCatchUpReadsAChannelSkippedBeforeFromWhereItWasToStart(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	w.watched(t, time.Now())
	w.down(t)
	missed := w.ask(helpID, "How do I renew my passport?")
	w.srv.FailHistory(helpID, 1, http.StatusServiceUnavailable)
	opts := testOptions(t)
	opts.EventRetryFor = 50 * time.Millisecond // the first failure is past it
	w.up(t, testConfig(), opts)
	noDecision(t, w, missed, "a question in a channel skipped")
	if _, kept := w.catchUpFrom(t)[helpID]; !kept {
		t.Fatalf("where #help was to be read from is not kept: %v", w.catchUpFrom(t))
	}

	live := w.ask(helpID, "How long does it take to get a passport?")
	w.replyTo(t, helpID, live)
	w.settle(t)
	w.down(t)
	w.up(t, testConfig(), testOptions(t))
	w.replyTo(t, helpID, missed)
	w.settle(t)
	if from := w.catchUpFrom(t); len(from) != 0 {
		t.Errorf("after a catch-up read every channel, %v is kept; want nothing", from)
	}
	if n, m := replies(w.srv, helpID, missed), replies(w.srv, helpID, live); n != 1 || m != 1 {
		t.Errorf("replies: %d to the missed question, %d to the live one; want 1 each", n, m)
	}

	// Read to the end, #help starts again after its newest message.
	handled := w.obs.count(missed) + w.obs.count(live)
	w.down(t)
	w.up(t, testConfig(), testOptions(t))
	if n := w.obs.count(missed) + w.obs.count(live); n != handled {
		t.Errorf("#help read again from where a finished catch-up started (%d deliveries, %d before)", n, handled)
	}
}

// Liaison stopped while a catch-up reads: the channels it had not read keep
// where they were to be read from, and the next start reads them from
// there, though a message was recorded in one live meanwhile.
func TestCatchUpInterruptedByShutdownKeepsWhereChannelsStart(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	w.watched(t, time.Now())
	w.down(t)
	missed := w.ask(helpID, "How do I renew my passport?")
	release := w.srv.HoldHistory(helpID)
	defer release()
	w.running = run(t, w.srv, newChannel(t, w.srv, testConfig(), testOptions(t)), w.obs)
	w.srv.Await(t, "where the channels start recorded", func() bool {
		from, err := w.st.CatchUpFrom(w.ctx, Platform)
		return err == nil && from[helpID] != "" && from[generalID] != ""
	})
	live := w.ask(helpID, "How long does it take to get a passport?")
	w.replyTo(t, helpID, live)
	w.settle(t)
	w.down(t)
	release()
	noDecision(t, w, missed, "a question in a channel whose read was stopped")
	for _, id := range []string{helpID, generalID, threadedID} {
		if _, kept := w.catchUpFrom(t)[id]; !kept {
			t.Errorf("channel %s: where it was to be read from is not kept: %v", id, w.catchUpFrom(t))
		}
	}

	w.up(t, testConfig(), testOptions(t))
	w.replyTo(t, helpID, missed)
	w.settle(t)
	if from := w.catchUpFrom(t); len(from) != 0 {
		t.Errorf("after a catch-up read every channel, %v is kept; want nothing", from)
	}
}

// writeLock holds the write lock of the store's database, as another
// process would (a backup, `liaison archive purge`): past the store's busy
// timeout every write fails, while reads go on.
type writeLock struct {
	t    *testing.T
	conn *sql.Conn
}

func newWriteLock(t *testing.T, path string) *writeLock {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &writeLock{t: t, conn: conn}
}

func (l *writeLock) hold() {
	if _, err := l.conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		l.t.Error(err)
	}
}

func (l *writeLock) release() {
	if _, err := l.conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		l.t.Error(err)
	}
}

// parked reports whether message id is parked, the store having failed to
// record it.
func (w *world) parked(id string) bool {
	w.ch.mu.Lock()
	r := w.ch.running
	w.ch.mu.Unlock()
	if r == nil {
		return false
	}
	r.pmu.Lock()
	defer r.pmu.Unlock()
	_, ok := r.parked[id]
	return ok
}

// A question the store could not record (another process holding its
// write lock), still parked at shutdown, is read at the next start though
// a later message of its channel was recorded meanwhile (the lock let go
// for a moment), which moved where the channel's catch-up starts past it.
func TestCatchUpReadsAQuestionParkedAtShutdownThoughALaterOneWasRecorded(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	w.watched(t, time.Now())
	lock := newWriteLock(t, w.st.Path())
	lock.hold()
	q := w.ask(helpID, "How do I renew my passport?")
	w.srv.AwaitWithin(t, time.Minute, "the question parked", func() bool { return w.parked(q) })
	w.obs.mu.Lock()
	w.obs.recorded = func(m bot.Message) {
		if m.ID != q {
			lock.hold() // at once: the question tried again fails
		}
	}
	w.obs.mu.Unlock()
	lock.release()
	later := w.ask(helpID, "How long does it take to get a passport?")
	w.decision(t, later)
	w.srv.AwaitWithin(t, time.Minute, "the question tried again in vain", func() bool {
		return w.obs.count(q) >= 2*handleAttempts
	})
	if !w.parked(q) {
		t.Fatal("the question was recorded before shutdown")
	}
	w.down(t)
	w.obs.mu.Lock()
	w.obs.recorded = nil
	w.obs.mu.Unlock()
	lock.release()

	w.up(t, testConfig(), testOptions(t))
	w.decision(t, q)
	w.replyTo(t, helpID, q)
	w.settle(t)
	if from := w.catchUpFrom(t); len(from) != 0 {
		t.Errorf("after a catch-up read every channel, %v is kept; want nothing", from)
	}
	if n := replies(w.srv, helpID, q); n != 1 {
		t.Errorf("%d replies to the question, want 1", n)
	}
}

// Questions the store could not record in several channels and threads at
// once (a full disk), recorded once it records again, leave no catch-up
// mark behind: their retries, in each channel's lane at once, each forget
// their channel's mark, and the next start reads every channel from its
// newest message again, not again through all that was recorded since.
func TestCatchUpMarksOfQuestionsParkedInSeveralChannelsAreForgottenOnceRecorded(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	w.watched(t, time.Now())
	w.obs.mu.Lock()
	w.obs.failing = true
	w.obs.mu.Unlock()
	channels := []string{helpID, generalID, threadedID, dmID}
	for i := range 4 {
		id := "10000000000000007" + strconv.Itoa(i)
		w.srv.AddThread(helpID, id, "question "+strconv.Itoa(i), citizenID)
		channels = append(channels, id)
	}
	var qs []string
	for _, ch := range channels {
		qs = append(qs, w.ask(ch, "How do I renew my passport?"))
	}
	for _, q := range qs {
		w.srv.AwaitWithin(t, time.Minute, "the question parked", func() bool { return w.parked(q) })
	}
	w.obs.mu.Lock()
	w.obs.failing = false
	w.obs.mu.Unlock()
	later := w.ask(helpID, "How long does it take to get a passport?")
	for _, q := range append(qs, later) {
		w.decision(t, q)
	}
	w.settle(t)
	if from := w.catchUpFrom(t); len(from) != 0 {
		t.Errorf("every question recorded, yet the next start reads %v again from before them; want nothing", from)
	}
}
