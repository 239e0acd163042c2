package slack

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/liaison-gc/liaison/bot"
)

// Options are the Desk's collaborators. Zero values take the defaults listed.
type Options struct {
	Logger *slog.Logger     // nil: discard
	Now    func() time.Time // nil: time.Now
	// Roster names and mentions staff in posts made before Run is given
	// the engine; once Run starts, the handler's Roster() is used.
	Roster bot.Roster
	// HTTPClient carries the Web API calls; nil: a client whose requests
	// time out after HTTPTimeout. A client given here should have a
	// timeout of its own: slack-go opens the Socket Mode connection
	// (apps.connections.open) without a deadline, and retries only once a
	// request fails.
	HTTPClient *http.Client
	// HTTPTimeout bounds each request of the default client, so that a
	// request nobody answers (a stalled proxy, a half-open connection)
	// fails and is retried instead of leaving the desk offline; 0: 15 s.
	// Calls with a deadline of their own (10 s) meet that one first.
	HTTPTimeout time.Duration
}

// Desk is the Slack staff desk. It implements bot.Desk; its methods are safe
// for concurrent use. Run may be called once.
type Desk struct {
	cfg     Config
	api     *slack.Client
	log     *slog.Logger
	now     func() time.Time
	roster0 bot.Roster
	handler atomic.Pointer[handlerBox]
	running atomic.Bool
	seen    *seenSet
	posts   *seenSet // ts of the escalation posts made lately
	// started is when the desk was made: an escalation created before it
	// may have been posted by the process before, which crashed before the
	// engine recorded the post.
	started time.Time
	// unsure holds the escalations whose last post attempt may have
	// landed although it failed (no answer, a server error).
	unsure   sync.Map // int64 → struct{}
	inflight sync.WaitGroup
	// background holds the retries running after their envelope was
	// handled (later); Run ends them and waits for them.
	background sync.WaitGroup
	// maxWait is the longest Retry-After a call waits out itself:
	// maxRetryWait, shortened by tests.
	maxWait time.Duration
	// refused holds the escalations whose full post Slack refused lately
	// (see render), maxRefused at most.
	refusedMu sync.Mutex
	refused   map[int64]refusal
	// settled holds the held answers whose language-mismatch notice is
	// known to show the choice made (see settleMismatches).
	settled *seenSet
	conn    bot.ConnState // the Socket Mode connection's life, for Connection
	// early holds the posts updated before Run was given the engine, whose
	// mismatch notices Run settles once it has it (see settleMismatches).
	earlyMu sync.Mutex
	early   map[int64]earlyUpdate
}

// earlyUpdate is an escalation post updated before Run started.
type earlyUpdate struct {
	ref string
	e   bot.Escalation
}

// refusal is Slack's latest refusal of an escalation's full post: its
// error code, and when the full post is tried again.
type refusal struct {
	code string
	wait time.Duration // doubles with each refusal, from fullRetryFirst to fullRetryMax
	next time.Time
}

// The back-off before an escalation's full post, refused by Slack, is
// tried again (at its next post or update; meanwhile the short form is
// used).
const (
	fullRetryFirst = time.Minute
	fullRetryMax   = time.Hour
)

// maxRefused bounds the refusals the desk keeps (see render).
const maxRefused = 1024

type handlerBox struct{ h bot.DeskHandler }

var _ bot.Desk = (*Desk)(nil)

// New checks cfg and the tokens and returns a desk. It makes no network
// call: Run connects. Neither token appears in any error or log line.
func New(cfg Config, botToken, appToken string, opts Options) (*Desk, error) {
	if err := errors.Join(cfg.Validate(), CheckTokens(botToken, appToken)); err != nil {
		return nil, fmt.Errorf("slack: %w", err)
	}
	if cfg.Command == "" {
		cfg.Command = DefaultCommand
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: cmp.Or(opts.HTTPTimeout, httpTimeout)}
	}
	api := slack.New(botToken,
		slack.OptionAppLevelToken(appToken),
		slack.OptionAPIURL(cfg.apiURL()),
		slack.OptionHTTPClient(hc),
		slack.OptionLog(logAdapter{log}),
	)
	return &Desk{
		cfg:     cfg,
		api:     api,
		log:     log,
		now:     now,
		roster0: opts.Roster,
		seen:    newSeenSet(4096),
		posts:   newSeenSet(1024),
		started: now(),
		maxWait: maxRetryWait,
		refused: map[int64]refusal{},
		settled: newSeenSet(1024),
		early:   map[int64]earlyUpdate{},
	}, nil
}

// Name returns "slack".
func (d *Desk) Name() string { return "slack" }

// engine returns the handler Run was given, or nil before Run.
func (d *Desk) engine() bot.DeskHandler {
	if b := d.handler.Load(); b != nil {
		return b.h
	}
	return nil
}

// roster returns the staff roster: the engine's once Run started.
func (d *Desk) roster() bot.Roster {
	if h := d.engine(); h != nil {
		return h.Roster()
	}
	return d.roster0
}

var slackUserRe = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

// mention renders staff member id (a roster id) as a Slack mention when the
// roster gives a well-formed Slack user id, else as their escaped name.
func (d *Desk) mention(staffID string) string {
	s, ok := d.roster().ByID(staffID)
	switch {
	case ok && slackUserRe.MatchString(s.DeskUserID):
		return "<@" + s.DeskUserID + ">"
	case ok && s.Name != "":
		return escape(s.Name)
	}
	return escape(staffID)
}

// userMention renders a Slack user id that Slack itself gave us.
func userMention(userID string) string {
	if slackUserRe.MatchString(userID) {
		return "<@" + userID + ">"
	}
	return escape(userID)
}

// staffLang is the language to write to roster member staffID in; Unknown
// (both languages) when they are not on the roster.
func (d *Desk) staffLang(staffID string) bot.Lang {
	if s, ok := d.roster().ByID(staffID); ok {
		return s.PreferredLang()
	}
	return bot.Unknown
}

// userLang is the language to write to Slack user userID in.
func (d *Desk) userLang(userID string) bot.Lang {
	if s, ok := d.roster().ByDeskUser(userID); ok {
		return s.PreferredLang()
	}
	return bot.Unknown
}

// nameOf is the roster name of Slack user userID, "" when unknown.
func (d *Desk) nameOf(userID string) string {
	if s, ok := d.roster().ByDeskUser(userID); ok {
		return s.Name
	}
	return ""
}

// PostEscalation posts e in the desk channel, mentioning the staff member it
// is routed to, and returns the post's ts (the thread staff answer in).
// Errors worth retrying implement bot.Retryable; a refusal of every post
// in the desk channel (the channel gone or archived, the app not in it or
// its token no longer valid) wraps bot.ErrDeskUnavailable, here and from
// UpdateEscalation.
//
// A post Slack refuses for its content (invalid_blocks, msg_too_long) is
// made in a short form instead (see render), so that staff can still claim
// and answer the question and the engine does not try it again at every
// round; it is logged once, with Slack's error code.
//
// A post whose answer was lost (a timeout or a server error after Slack
// took it, or a crash before the engine recorded its ts) is not made twice:
// before posting an escalation again, one created before this desk started
// (a process that crashed may have posted it, however quickly it was
// restarted), or one older than recheckAfter (the engine retrying), the
// desk looks for its earlier post in the channel's recent history, by the
// metadata every post carries, and uses it again unless Slack no longer
// lets it be edited.
func (d *Desk) PostEscalation(ctx context.Context, e bot.Escalation) (string, error) {
	if d.mayBePosted(e) {
		ts, err := d.findPost(ctx, e)
		switch {
		case err != nil:
			d.log.Warn("slack: could not look for an earlier post of the escalation; posting it", "escalation", e.ID, "err", err)
		case ts != "":
			err := d.UpdateEscalation(ctx, ts, e)
			if errors.Is(err, bot.ErrNotFound) {
				// Gone since, or no longer editable: it could never show
				// the escalation's state. Post it anew.
				d.log.Info("slack: the earlier post of the escalation can no longer be edited; posting it again", "escalation", e.ID, "err", err)
				break
			}
			d.unsure.Delete(e.ID)
			d.posts.finish(ts)
			d.log.Info("slack: escalation already posted; reusing the post", "escalation", e.ID)
			if err != nil {
				d.log.Warn("slack: could not refresh the earlier post", "escalation", e.ID, "err", err)
			}
			return ts, nil
		}
	}
	l := d.staffLang(e.RoutedTo)
	fallback := tr(l, "esc.fallback", e.ID)
	if e.RoutedTo != "" {
		fallback += " · " + d.mention(e.RoutedTo)
	}
	var ts string
	err := d.render(e, l, func(blocks []slack.Block) error {
		return d.call(ctx, "chat.postMessage", func(ctx context.Context) error {
			var err error
			_, ts, err = d.api.PostMessageContext(ctx, d.cfg.DeskChannel,
				slack.MsgOptionText(fallback, false),
				slack.MsgOptionBlocks(blocks...),
				slack.MsgOptionMetadata(postMetadata(e.ID)),
				slack.MsgOptionDisableLinkUnfurl(),
				slack.MsgOptionDisableMediaUnfurl(),
			)
			return err
		})
	})
	if err != nil {
		if retryable(err) {
			d.unsure.Store(e.ID, struct{}{})
		}
		if deskWide(err) {
			return "", fmt.Errorf("post escalation %d: %w: %w", e.ID, bot.ErrDeskUnavailable, err)
		}
		return "", fmt.Errorf("post escalation %d: %w", e.ID, err)
	}
	d.unsure.Delete(e.ID)
	d.posts.finish(ts)
	return ts, nil
}

// mayBePosted reports whether e may have been posted already, by this desk
// in an attempt whose answer was lost or by the process before a restart.
// Stored times may be rounded, so "before the start" allows a second.
func (d *Desk) mayBePosted(e bot.Escalation) bool {
	if _, unsure := d.unsure.Load(e.ID); unsure {
		return true
	}
	if e.CreatedAt.IsZero() {
		return false
	}
	return e.CreatedAt.Before(d.started.Add(time.Second)) || d.now().Sub(e.CreatedAt) > recheckAfter
}

// postEventType names the metadata of escalation posts.
const postEventType = "liaison_escalation"

// recheckAfter is the age past which an escalation being posted may have
// been posted before (the engine retries it).
const recheckAfter = 30 * time.Second

// historyWindow is how far before an escalation's creation its post is
// looked for, and historyLimit how many messages at most.
const (
	historyWindow = time.Minute
	historyLimit  = 200
)

func postMetadata(id int64) slack.SlackMetadata {
	return slack.SlackMetadata{EventType: postEventType, EventPayload: map[string]any{"escalation_id": strconv.FormatInt(id, 10)}}
}

// findPost returns the ts of an earlier post of e in the desk channel, ""
// when there is none.
func (d *Desk) findPost(ctx context.Context, e bot.Escalation) (string, error) {
	params := &slack.GetConversationHistoryParameters{ChannelID: d.cfg.DeskChannel, Limit: historyLimit, IncludeAllMetadata: true}
	if !e.CreatedAt.IsZero() {
		params.Oldest = slackTS(e.CreatedAt.Add(-historyWindow))
	}
	var res *slack.GetConversationHistoryResponse
	err := d.call(ctx, "conversations.history", func(ctx context.Context) error {
		var err error
		res, err = d.api.GetConversationHistoryContext(ctx, params)
		return err
	})
	if err != nil {
		return "", err
	}
	want := strconv.FormatInt(e.ID, 10)
	for _, m := range res.Messages {
		if m.Metadata.EventType == postEventType && fmt.Sprint(m.Metadata.EventPayload["escalation_id"]) == want {
			return m.Timestamp, nil
		}
	}
	return "", nil
}

// slackTS formats t as a Slack timestamp ("seconds.micros").
func slackTS(t time.Time) string {
	return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
}

// UpdateEscalation rewrites the post ref to show e's current state (who
// claimed, answered, how many citizens it was relayed to, why it closed).
// When the post is gone (deleted in Slack) or can no longer be edited, the
// error wraps bot.ErrNotFound, so that the engine posts the escalation
// again.
//
// It also brings the language-mismatch notices in the post's thread up to
// date (see settleMismatches): a choice changes the escalation, and the
// engine tries its update again until it succeeds, after a restart too, so
// a notice whose refresh failed after the click still comes to show it. A
// failure to refresh them is returned as this post's own, not the desk's.
func (d *Desk) UpdateEscalation(ctx context.Context, ref string, e bot.Escalation) error {
	if ref == "" {
		return fmt.Errorf("update escalation %d: %w: empty desk ref", e.ID, bot.ErrInvalid)
	}
	l := d.staffLang(e.RoutedTo)
	err := d.render(e, l, func(blocks []slack.Block) error {
		return d.call(ctx, "chat.update", func(ctx context.Context) error {
			_, _, _, err := d.api.UpdateMessageContext(ctx, d.cfg.DeskChannel, ref,
				slack.MsgOptionText(tr(l, "esc.fallback", e.ID), false),
				slack.MsgOptionBlocks(blocks...),
			)
			return err
		})
	})
	if err != nil {
		switch {
		case postGone(err):
			return fmt.Errorf("update escalation %d: %w: %w", e.ID, bot.ErrNotFound, err)
		case deskWide(err):
			return fmt.Errorf("update escalation %d: %w: %w", e.ID, bot.ErrDeskUnavailable, err)
		}
		return fmt.Errorf("update escalation %d: %w", e.ID, err)
	}
	if err := d.settleMismatches(ctx, ref, e); err != nil {
		// The post is up to date; only its notices wait, which concerns
		// this post alone (a rate limit on reading its thread does not
		// stop the desk's other posts): the engine goes on with the other
		// escalations and makes this update again at its next round.
		return fmt.Errorf("update escalation %d: post updated, its language-mismatch notices not yet: %w", e.ID, postOnly{err})
	}
	return nil
}

// postOnly marks a failure, even one worth retrying, as concerning one
// desk post only: the engine does not take it for the whole desk's
// (bot.Desk), and tries that post again at its next round.
type postOnly struct{ err error }

func (e postOnly) Error() string   { return e.err.Error() }
func (e postOnly) Unwrap() error   { return e.err }
func (e postOnly) Retryable() bool { return false }

var _ bot.Retryable = postOnly{}

// answerLister is the optional engine capability of listing an
// escalation's staff answers (the Engine has it).
type answerLister interface {
	Answers(ctx context.Context, escalationID int64) ([]bot.StaffAnswer, error)
}

// settleMismatches replaces, in thread ref of e, each language-mismatch
// notice that still offers its choice although the choice was made (its
// answer sent anyway or dropped) with what was chosen. The notice is
// refreshed right after the click (onAction), but that may fail (a long
// rate limit) and its retry in the background ends with the process.
// Answers found settled are remembered, so the thread is read once per
// choice. A failure worth retrying is returned, and the engine tries the
// update again; any other is logged, and the notice left as it is.
//
// Before Run is given the engine (the engine may sync its posts first at
// startup), the post is kept for Run to settle.
func (d *Desk) settleMismatches(ctx context.Context, ref string, e bot.Escalation) error {
	d.earlyMu.Lock()
	h := d.engine()
	if h == nil && len(d.early) < maxEarly {
		d.early[e.ID] = earlyUpdate{ref, e}
	}
	d.earlyMu.Unlock()
	al, ok := h.(answerLister)
	if !ok {
		return nil
	}
	answers, err := al.Answers(ctx, e.ID)
	if err != nil {
		return retryableError{fmt.Errorf("mismatch notices: read answers: %w", err)}
	}
	chosen := map[string]bot.StaffAnswer{}
	for _, a := range answers {
		// A held answer is one in the other language than the askers';
		// once chosen, it is queued (sent anyway) or dropped.
		held := a.EntryID == "" && a.Lang.Valid() && a.Lang != e.Lang
		if held && (a.Status == bot.AnswerQueued || a.Status == bot.AnswerDropped) && !d.settled.done(settledKey(a.ID)) {
			chosen[strconv.FormatInt(a.ID, 10)] = a
		}
	}
	if len(chosen) == 0 {
		return nil
	}
	res, err := d.threadMessages(ctx, ref)
	if err != nil {
		if retryable(err) {
			return err
		}
		d.log.Warn("slack: could not read the escalation's thread to refresh its language-mismatch notices", "escalation", e.ID, "err", err)
	}
	for _, m := range res {
		a, ok := chosen[mismatchAnswer(m)]
		if !ok {
			continue
		}
		text := tr(d.staffLang(a.StaffID), msg("mismatch.was."+choiceMade(a.Status)))
		err := d.showChoice(ctx, d.cfg.DeskChannel, m.Timestamp, text)
		switch {
		case err == nil:
			d.log.Info("slack: language-mismatch notice refreshed to show the choice made", "escalation", e.ID)
		case retryable(err):
			return err
		case !postGone(err):
			d.log.Warn("slack: could not refresh a language-mismatch notice", "escalation", e.ID, "err", err)
		}
	}
	for _, a := range chosen {
		d.settled.finish(settledKey(a.ID))
	}
	return nil
}

// maxThreadPages bounds the pages of historyLimit messages read from one
// thread: a notice past them is left as it is.
const maxThreadPages = 10

// threadMessages reads the messages of desk thread ref, root first, page
// by page as Slack hands them out (a notice may come after the first
// historyLimit messages of a long thread), up to maxThreadPages pages. On
// an error it returns the messages read until then.
func (d *Desk) threadMessages(ctx context.Context, ref string) ([]slack.Message, error) {
	var out []slack.Message
	cursor := ""
	for range maxThreadPages {
		var (
			page    []slack.Message
			hasMore bool
			next    string
		)
		err := d.call(ctx, "conversations.replies", func(ctx context.Context) error {
			var err error
			page, hasMore, next, err = d.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
				ChannelID: d.cfg.DeskChannel, Timestamp: ref, Limit: historyLimit, Cursor: cursor})
			return err
		})
		if err != nil {
			return out, err
		}
		out = append(out, page...)
		if !hasMore || next == "" || next == cursor {
			return out, nil
		}
		cursor = next
	}
	d.log.Warn("slack: thread longer than the desk reads; language-mismatch notices past it are left as they are", "messages", len(out))
	return out, nil
}

// maxEarly bounds the posts kept for Run to settle (a desk that is never
// run keeps no more).
const maxEarly = 1000

// start gives the desk the engine h, and returns the posts updated before,
// whose mismatch notices are then to be settled.
func (d *Desk) start(h bot.DeskHandler) []earlyUpdate {
	d.earlyMu.Lock()
	defer d.earlyMu.Unlock()
	d.handler.Store(&handlerBox{h})
	out := make([]earlyUpdate, 0, len(d.early))
	for _, u := range d.early {
		out = append(out, u)
	}
	clear(d.early)
	return out
}

// settleEarly settles, in the background, the mismatch notices of the
// posts updated before Run started (see start).
func (d *Desk) settleEarly(ctx context.Context, early []earlyUpdate) {
	for _, u := range early {
		settle := func(ctx context.Context) error { return d.settleMismatches(ctx, u.ref, u.e) }
		d.background.Go(func() {
			err := settle(ctx)
			switch {
			case err == nil || ctx.Err() != nil:
			case retryable(err):
				d.later(ctx, "mismatch notices refresh", err, settle)
			default:
				d.log.Warn("slack: could not refresh the language-mismatch notices", "escalation", u.e.ID, "err", err)
			}
		})
	}
}

func settledKey(answerID int64) string { return strconv.FormatInt(answerID, 10) }

// mismatchAnswer is the id of the held answer whose choice message m
// offers (its "Send anyway" button), "" when it offers none.
func mismatchAnswer(m slack.Message) string {
	for _, b := range m.Blocks.BlockSet {
		ab, ok := b.(*slack.ActionBlock)
		if !ok || ab.Elements == nil {
			continue
		}
		for _, el := range ab.Elements.ElementSet {
			if bt, ok := el.(*slack.ButtonBlockElement); ok && bt.ActionID == actSendAnyway {
				return bt.Value
			}
		}
	}
	return ""
}

// render posts or updates e's post with send, given its blocks: in full,
// unless Slack refused the full post of e lately and its back-off runs;
// when Slack refuses it for its content, in a short form (see
// postBlocks), first with the start of the question, then without it.
// The first refusal of e is logged with Slack's error code (never the
// question); the full post is tried again at e's next post or update once
// the back-off is over, doubling from fullRetryFirst to fullRetryMax after
// each refusal. render returns the error of the last try.
//
// An escalation closed or relayed to every citizen no longer changes but
// for a purge of its question, so its refusal is not kept after its post
// is rendered: the next render, if any, tries the full post first.
func (d *Desk) render(e bot.Escalation, l bot.Lang, send func([]slack.Block) error) (err error) {
	if e.State == bot.StateClosed || e.State == bot.StateRelayed {
		defer func() {
			d.refusedMu.Lock()
			delete(d.refused, e.ID)
			d.refusedMu.Unlock()
		}()
	}
	d.refusedMu.Lock()
	r, refused := d.refused[e.ID]
	d.refusedMu.Unlock()
	if !refused || !d.now().Before(r.next) {
		err = send(d.escalationBlocks(e, l))
		code := contentRefusal(err)
		if code == "" {
			if err == nil && refused {
				d.refusedMu.Lock()
				delete(d.refused, e.ID)
				d.refusedMu.Unlock()
				d.log.Info("slack: the escalation is shown in full again", "escalation", e.ID)
			}
			return err
		}
		r = d.noteRefusal(e.ID, code)
		if !refused {
			// Logged once it is known what staff see.
			defer func(err *error) {
				if *err == nil {
					d.log.Warn("slack: Slack refused the escalation's post; it is shown in a short form", "escalation", e.ID, "slack_error", code, "retry_in", r.wait.String())
				} else {
					d.log.Warn("slack: Slack refused the escalation's post; its short form could not be posted either", "escalation", e.ID, "slack_error", code, "err", *err)
				}
			}(&err)
		}
	}
	for _, max := range []int{shortQuoteChars, 0} {
		if err = send(d.postBlocks(e, l, r.code, max)); contentRefusal(err) == "" {
			return err
		}
	}
	return err
}

// noteRefusal records that Slack refused e's full post with code, and
// returns the back-off before it is tried again.
func (d *Desk) noteRefusal(id int64, code string) refusal {
	d.refusedMu.Lock()
	defer d.refusedMu.Unlock()
	r, ok := d.refused[id]
	if ok {
		r.wait = min(2*r.wait, fullRetryMax)
	} else {
		r.wait = fullRetryFirst
		if len(d.refused) >= maxRefused {
			// Forget the refusal whose full post is due again first: it
			// is only tried again sooner.
			var (
				first int64
				due   time.Time
			)
			for k, v := range d.refused {
				if due.IsZero() || v.next.Before(due) {
					first, due = k, v.next
				}
			}
			delete(d.refused, first)
		}
	}
	r.code, r.next = code, d.now().Add(r.wait)
	d.refused[id] = r
	return r
}

// contentRefusal is the error code of err when Slack refused one post or
// update for what it holds (invalid_blocks, msg_too_long), "" otherwise:
// no refusal, or a refusal that a shorter post would meet too (a
// workspace restriction, the channel gone, a failure worth retrying).
func contentRefusal(err error) string {
	switch code := slackCode(err); code {
	case "invalid_blocks", "invalid_blocks_format", "msg_too_long", "msg_blocks_too_long":
		if !retryable(err) {
			return code
		}
	}
	return ""
}

// postGone reports whether a chat.update failed because its message is
// gone or may no longer be edited: trying again cannot help, posting anew
// can.
func postGone(err error) bool {
	switch slackCode(err) {
	case "message_not_found", "cant_update_message":
		return true
	}
	return false
}

// Notify posts n in the escalation's thread when n.DeskRef is set, else in
// the desk channel, mentioning the staff member it is for. A mismatch notice
// carries the "Send anyway" and "I will translate" buttons. A notice for
// the whole desk about one question (NoticeUnclaimed) is posted in its
// thread and also sent to the channel: replying to it there, in Slack,
// replies in the question's thread, so the reply answers the citizens
// instead of going nowhere. It returns the notice's ts.
func (d *Desk) Notify(ctx context.Context, n bot.Notice) (string, error) {
	l := n.Lang
	if !l.Valid() {
		l = d.staffLang(n.StaffID)
	}
	var to string
	switch {
	case n.StaffID != "":
		to = d.mention(n.StaffID) + " "
	case slackUserRe.MatchString(n.DeskUserID):
		to = userMention(n.DeskUserID) + " "
	}
	text := to + noticeText(n, maxSectionChars-textLen(to), l)
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(text), nil, nil)}
	if n.Kind == bot.NoticeMismatch && n.AnswerID != 0 {
		v := fmt.Sprint(n.AnswerID)
		blocks = append(blocks, slack.NewActionBlock("liaison.mismatch",
			button(actSendAnyway, v, tr(l, "btn.sendanyway")).WithStyle(slack.StylePrimary),
			button(actTranslate, v, tr(l, "btn.translate")),
		))
	}
	opts := []slack.MsgOption{
		slack.MsgOptionText(text, false),
		slack.MsgOptionBlocks(blocks...),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
	if n.DeskRef != "" {
		opts = append(opts, slack.MsgOptionTS(n.DeskRef))
		if n.Kind == bot.NoticeUnclaimed {
			opts = append(opts, slack.MsgOptionBroadcast())
		}
	}
	var ts string
	err := d.call(ctx, "chat.postMessage", func(ctx context.Context) error {
		var err error
		_, ts, err = d.api.PostMessageContext(ctx, d.cfg.DeskChannel, opts...)
		return err
	})
	if err != nil {
		if deskWide(err) {
			return "", fmt.Errorf("notify %s: %w: %w", n.Kind, bot.ErrDeskUnavailable, err)
		}
		return "", fmt.Errorf("notify %s: %w", n.Kind, err)
	}
	return ts, nil
}

// noticeText is n's text escaped, in at most max characters (counted as
// textLen counts them): a notice may quote what Slack would refuse in one
// section, such as a citizen's words or a long reason for a phase change,
// each in both languages. When it does not fit, each language of a
// bilingual notice (each of its parts) is shortened to its share, saying
// so in that language; any other notice is shortened as a whole, in l.
func noticeText(n bot.Notice, max int, l bot.Lang) string {
	if text := escape(n.Text); textLen(text) <= max {
		return text
	}
	if len(n.Parts) < 2 {
		return escapeShort(n.Text, max, l)
	}
	share := (max - (len(n.Parts) - 1)) / len(n.Parts) // a line each
	texts := make([]string, len(n.Parts))
	for i, p := range n.Parts {
		texts[i] = escapeShort(p.Text, share, p.Lang)
	}
	return strings.Join(texts, "\n")
}

// post writes our own text (already escaped where it quotes anyone) in the
// desk channel, in thread when thread is set.
func (d *Desk) post(ctx context.Context, thread, text string) error {
	opts := []slack.MsgOption{
		slack.MsgOptionText(text, false),
		slack.MsgOptionBlocks(slack.NewSectionBlock(mrkdwn(text), nil, nil)),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	return d.call(ctx, "chat.postMessage", func(ctx context.Context) error {
		_, _, err := d.api.PostMessageContext(ctx, d.cfg.DeskChannel, opts...)
		return err
	})
}

// ephemeral shows text to user only, in channel (in thread when set).
func (d *Desk) ephemeral(ctx context.Context, channel, thread, user, text string) error {
	if channel == "" {
		channel = d.cfg.DeskChannel
	}
	opts := []slack.MsgOption{
		slack.MsgOptionText(text, false),
		slack.MsgOptionBlocks(slack.NewSectionBlock(mrkdwn(text), nil, nil)),
	}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	return d.call(ctx, "chat.postEphemeral", func(ctx context.Context) error {
		_, err := d.api.PostEphemeralContext(ctx, channel, user, opts...)
		return err
	})
}

// mrkdwn is a verbatim mrkdwn text object: Slack does not linkify bare URLs
// or channel names in it. Untrusted parts must still go through escape.
func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, true)
}

// plain is a plain_text object (labels, titles, buttons).
func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

// logAdapter sends slack-go's internal log lines (only written in its debug
// mode, which Liaison never enables) to slog at debug level.
type logAdapter struct{ l *slog.Logger }

func (a logAdapter) Output(_ int, s string) error {
	a.l.Debug(strings.TrimSpace(s), "component", "slack-go")
	return nil
}
