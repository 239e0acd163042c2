package slack

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack/slackevents"

	"github.com/liaison-gc/liaison/bot"
)

// onEvent handles an Events API envelope. A human's reply in the thread of
// an escalation post in the desk channel is a staff answer: it is handed to
// the engine (which records it, idempotent on the event id, and queues its
// relay) before the envelope is acknowledged. Everything else is
// acknowledged and ignored.
func (d *Desk) onEvent(ctx context.Context, h bot.DeskHandler, ev slackevents.EventsAPIEvent, envelopeID string) (outcome, error) {
	m, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok {
		return outcome{}, nil
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
		return tell(tr(l, "answer.conflict")), nil
	case errors.Is(err, bot.ErrInvalid) && files:
		return tell(tr(l, "answer.fileonly")), nil
	case errors.Is(err, bot.ErrInvalid):
		return tell(tr(l, "answer.invalid")), nil
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

// hasFiles reports whether m shares files, which are never relayed to
// citizens.
func hasFiles(m *slackevents.MessageEvent) bool {
	return m.SubType == "file_share" || m.Message != nil && len(m.Message.Files) > 0
}
