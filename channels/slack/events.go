package slack

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack/slackevents"

	"github.com/liaison-gc/liaison/bot"
)

// lastRetryAttempt is the retry_attempt of Slack's last delivery of an
// Events API event: Slack tries an event it is not acknowledged for three
// times more (at once, after a minute, after five), then gives it up.
const lastRetryAttempt = 3

// onEvent handles an Events API envelope. A human's reply in the thread of
// an escalation post in the desk channel is a staff answer: it is handed to
// the engine (which records it, idempotent on the event id, and queues its
// relay) before the envelope is acknowledged. Everything else is
// acknowledged and ignored.
//
// A reply the engine cannot record (the store failing) is left
// unacknowledged, so that Slack delivers it again, unless this is Slack's
// last delivery (last): it is then acknowledged, and its author, when on
// the roster, told privately that it was not recorded and to send it
// again, instead of it being lost without a word.
func (d *Desk) onEvent(ctx context.Context, h bot.DeskHandler, ev slackevents.EventsAPIEvent, envelopeID string, last bool) (outcome, error) {
	m, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok {
		return outcome{}, nil
	}
	if thread, user, tell, ok := d.changedReply(m); ok {
		return d.onChangedReply(ctx, h, thread, user, tell)
	}
	a, ok := d.deskAnswer(m)
	if !ok {
		return outcome{}, nil
	}
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok && cb.EventID != "" {
		a.EventID = "slack:" + cb.EventID
	} else if m.ClientMsgID != "" {
		a.EventID = "slack:msg:" + m.ClientMsgID
	} else {
		a.EventID = "slack:envelope:" + envelopeID
	}

	files := hasFiles(m)
	res, err := d.answer(ctx, h, a)
	l := d.userLang(a.DeskUserID)
	tell := func(text string) outcome {
		return outcome{then: func(ctx context.Context) error {
			return d.post(ctx, a.DeskRef, userMention(a.DeskUserID)+" "+text)
		}}
	}
	// The engine queues its own notices for the thread: the confirmation
	// with the number of citizens (NoticeRelayed), the refusal of an
	// author not on the roster (NoticeRefused) and the language-mismatch
	// choice (NoticeMismatch). Only what it leaves unsaid is said here,
	// such as that the files of a reply are not relayed: only its text is.
	switch {
	case errors.Is(err, bot.ErrNotFound):
		return outcome{}, nil // a thread that is not an escalation: staff talk
	case errors.Is(err, bot.ErrDuplicate):
		return outcome{}, nil
	case errors.Is(err, bot.ErrForbidden):
		d.log.Info("slack answer refused: author not on the roster", "user", a.DeskUserID, "ref", a.DeskRef)
		return outcome{}, nil
	case errors.Is(err, bot.ErrConflict):
		// The engine may say why: the question is closed, or nobody who
		// asked it can be reached any more.
		return tell(notRelayed(l, err)), nil
	case errors.Is(err, bot.ErrInvalid) && files:
		return tell(tr(l, "answer.fileonly")), nil
	case errors.Is(err, bot.ErrInvalid):
		return tell(tr(l, "answer.invalid")), nil
	case err != nil && last && ctx.Err() == nil:
		// Whether the thread is a question's is not known either: the
		// author is told what to do if it is.
		d.log.Error("slack answer not recorded at Slack's last delivery; acknowledged, its author told to send it again", "user", a.DeskUserID, "ref", a.DeskRef, "err", err)
		if _, ok := d.roster().ByDeskUser(a.DeskUserID); !ok {
			return outcome{}, nil
		}
		text := tr(l, "answer.lost")
		return outcome{then: func(ctx context.Context) error {
			return d.ephemeral(ctx, d.cfg.DeskChannel, a.DeskRef, a.DeskUserID, text)
		}}, nil
	case err != nil:
		return outcome{}, fmt.Errorf("answer in thread %s: %w", a.DeskRef, err)
	}
	d.log.Info("slack answer recorded", "escalation", res.Escalation.ID, "relays", res.Relays, "mismatch", res.Mismatch, "duplicate", res.Duplicate, "files", files)
	if files && !res.Duplicate {
		return tell(tr(l, "answer.files")), nil
	}
	return outcome{}, nil
}

// answerWaits are the pauses before asking the engine again about a reply
// in the thread of a post this desk has just made: the engine records the
// post's ts only once PostEscalation has returned, so a very quick reply
// can arrive before it knows the thread. Their sum stays well within
// Slack's three seconds.
var answerWaits = []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond}

// answer hands a to the engine, asking again for a while when the thread is
// one of this desk's recent escalation posts that the engine does not know
// yet. If it still does not, the envelope is left unacknowledged so Slack
// delivers it again.
func (d *Desk) answer(ctx context.Context, h bot.DeskHandler, a bot.DeskAnswer) (bot.AnswerResult, error) {
	res, err := h.Answer(ctx, a)
	if !errors.Is(err, bot.ErrNotFound) || !d.posts.done(a.DeskRef) {
		return res, err
	}
	for _, wait := range answerWaits {
		if !sleep(ctx, wait) {
			return res, ctx.Err()
		}
		if res, err = h.Answer(ctx, a); !errors.Is(err, bot.ErrNotFound) {
			return res, err
		}
	}
	return res, fmt.Errorf("thread %s is this desk's escalation post, but the engine has not recorded it yet: %w", a.DeskRef, err)
}

// deskAnswer turns a message event into a staff answer when it is a human's
// reply in a thread of the desk channel, with or without files (whose text
// is the answer).
func (d *Desk) deskAnswer(m *slackevents.MessageEvent) (bot.DeskAnswer, bool) {
	switch {
	case m.Channel != d.cfg.DeskChannel:
		return bot.DeskAnswer{}, false
	case m.BotID != "" || m.User == "":
		return bot.DeskAnswer{}, false // our own posts, other bots, system messages
	case m.SubType != "" && m.SubType != "thread_broadcast" && m.SubType != "file_share":
		return bot.DeskAnswer{}, false // edits, deletions, joins
	case m.ThreadTimeStamp == "" || m.ThreadTimeStamp == m.TimeStamp:
		return bot.DeskAnswer{}, false // not a reply in a thread
	}
	return bot.DeskAnswer{
		DeskRef:    m.ThreadTimeStamp,
		DeskUserID: m.User,
		Text:       plainText(m.Text, d.nameOf),
	}, true
}

// changedReply reports, for a human's reply in a thread of the desk channel
// edited or deleted since, the thread, the reply's author, and what to tell
// them. An edit that leaves the text as it was (a link preview added, say)
// is no change.
func (d *Desk) changedReply(m *slackevents.MessageEvent) (thread, user string, tell msg, ok bool) {
	prev := m.PreviousMessage
	if m.Channel != d.cfg.DeskChannel || prev == nil {
		return "", "", "", false
	}
	switch m.SubType {
	case "message_changed":
		if m.Message == nil || m.Message.Text == prev.Text {
			return "", "", "", false
		}
		tell = "answer.edited"
	case "message_deleted":
		tell = "answer.deleted"
	default:
		return "", "", "", false
	}
	switch {
	case prev.BotID != "" || prev.User == "":
		return "", "", "", false
	case prev.SubType != "" && prev.SubType != "thread_broadcast" && prev.SubType != "file_share":
		return "", "", "", false
	case prev.ThreadTimestamp == "" || prev.ThreadTimestamp == prev.Timestamp:
		return "", "", "", false
	}
	return prev.ThreadTimestamp, prev.User, tell, true
}

// onChangedReply tells the author of a reply in an escalation's thread,
// edited or deleted after it was sent, that citizens keep it as first
// written: only a new reply reaches them. Replies of someone off the
// roster, which were not relayed (the thread said so), and replies on a
// closed question are left alone.
func (d *Desk) onChangedReply(ctx context.Context, h bot.DeskHandler, thread, user string, tell msg) (outcome, error) {
	if _, ok := d.roster().ByDeskUser(user); !ok {
		return outcome{}, nil
	}
	esc, err := h.EscalationByDeskRef(ctx, thread)
	switch {
	case errors.Is(err, bot.ErrNotFound):
		return outcome{}, nil // a thread that is not an escalation: staff talk
	case err != nil:
		return outcome{}, fmt.Errorf("changed reply in thread %s: %w", thread, err)
	case esc.State == bot.StateClosed:
		return outcome{}, nil
	}
	text := tr(d.userLang(user), tell)
	return outcome{then: func(ctx context.Context) error {
		return d.ephemeral(ctx, d.cfg.DeskChannel, thread, user, text)
	}}, nil
}

// hasFiles reports whether m shares files, which are never relayed to
// citizens.
func hasFiles(m *slackevents.MessageEvent) bool {
	return m.SubType == "file_share" || m.Message != nil && len(m.Message.Files) > 0
}

// notRelayed tells the author of an answer that the engine refused as
// conflicting (bot.ErrConflict) that it was not relayed, and why when the
// engine says, or else that the question is closed.
func notRelayed(l bot.Lang, err error) string {
	if bot.Explain(err, l) != "" {
		return refused(l, tr(l, "answer.notrelayed"), err)
	}
	return tr(l, "answer.conflict")
}
