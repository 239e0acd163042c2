package slack

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/liaison-gc/liaison/bot"
)

// onInteraction handles button clicks and modal submissions.
func (d *Desk) onInteraction(ctx context.Context, h bot.DeskHandler, cb slack.InteractionCallback) (outcome, error) {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		if len(cb.ActionCallback.BlockActions) == 0 {
			return outcome{}, nil
		}
		return d.onAction(ctx, h, cb, cb.ActionCallback.BlockActions[0])
	case slack.InteractionTypeViewSubmission:
		if cb.View.CallbackID == cbClose {
			return d.onCloseSubmission(ctx, h, cb)
		}
		return d.onViewSubmission(ctx, h, cb)
	}
	return outcome{}, nil
}

// onAction handles one button click on a desk post or notice. The engine
// records it first; the clicker is told the result (only they see it) after
// the ack. The post itself is refreshed by the engine's desk sync.
func (d *Desk) onAction(ctx context.Context, h bot.DeskHandler, cb slack.InteractionCallback, a *slack.BlockAction) (outcome, error) {
	user := cb.User.ID
	l := d.userLang(user)
	channel, thread := cb.Container.ChannelID, cb.Container.ThreadTs
	if channel == "" {
		channel = cb.Channel.ID
	}
	tell := func(text string) outcome {
		return outcome{then: func(ctx context.Context) error { return d.ephemeral(ctx, channel, thread, user, text) }}
	}
	refusal := func(err error) (outcome, error) {
		switch {
		case errors.Is(err, bot.ErrForbidden):
			return tell(tr(l, "forbidden.roster")), nil
		case errors.Is(err, bot.ErrNotFound):
			return tell(tr(l, "notfound")), nil
		case errors.Is(err, bot.ErrInvalid):
			return tell(refused(l, tr(l, "error.invalid"), err)), nil
		}
		return outcome{}, err
	}

	switch {
	case a.ActionID == actClaim:
		id, err := parseID(a.Value)
		if err != nil {
			return outcome{}, nil // not ours: acknowledged, ignored
		}
		if _, err := h.Claim(ctx, id, user); err != nil {
			if errors.Is(err, bot.ErrConflict) {
				// The engine says who claimed it, or that it is answered
				// or closed.
				return tell(explained(l, err, tr(l, "claim.conflict", id))), nil
			}
			return refusal(err)
		}
		return outcome{}, nil // the post shows "Claimed by" once the engine syncs it

	case strings.HasPrefix(a.ActionID, actSuggest+"."):
		idText, entry, ok := strings.Cut(a.Value, "|")
		id, err := parseID(idText)
		if !ok || err != nil || entry == "" {
			return outcome{}, nil
		}
		event := "slack:action:" + user + ":" + a.ActionTs
		res, err := h.SendSuggestion(ctx, id, entry, user, event)
		if err != nil {
			if errors.Is(err, bot.ErrConflict) {
				// Closed, or answered meanwhile (a double click, a
				// colleague's click): the engine says which.
				return tell(refused(l, tr(l, "suggest.conflict"), err)), nil
			}
			return refusal(err)
		}
		d.log.Info("slack suggestion sent", "escalation", id, "entry", entry, "relays", res.Relays, "duplicate", res.Duplicate)
		return outcome{}, nil // the engine confirms in the thread

	case a.ActionID == actDraft:
		id, err := parseID(a.Value)
		if err != nil {
			return outcome{}, nil
		}
		dr, err := h.SaveDraft(ctx, id, user)
		if err != nil {
			if errors.Is(err, bot.ErrConflict) {
				// No answer sent yet to save: the engine says so, a
				// request neither invalid nor changed meanwhile.
				return tell(explained(l, err, tr(l, "error.invalid"))), nil
			}
			return refusal(err)
		}
		return tell(tr(l, "draft.done", dr.ID)), nil

	case a.ActionID == actClose:
		id, err := parseID(a.Value)
		if err != nil {
			return outcome{}, nil
		}
		// Only staff on the roster may close, and are asked for the
		// reason; anyone else is refused by the engine, which audits it
		// as every button's refusal (it checks the roster before the
		// reason). The engine checks again when the reason is submitted.
		if _, ok := d.roster().ByDeskUser(user); !ok {
			_, err := h.Close(ctx, id, user, "")
			return refusal(err)
		}
		view := closeView(l, id)
		trigger := cb.TriggerID
		return outcome{then: func(ctx context.Context) error {
			return d.call(ctx, "views.open", func(ctx context.Context) error {
				_, err := d.api.OpenViewContext(ctx, trigger, view)
				return err
			})
		}}, nil

	case a.ActionID == actSendAnyway || a.ActionID == actTranslate:
		id, err := parseID(a.Value)
		if err != nil {
			return outcome{}, nil
		}
		send := a.ActionID == actSendAnyway
		res, err := h.ResolveMismatch(ctx, id, user, send)
		if err != nil {
			if errors.Is(err, bot.ErrConflict) {
				// The engine may say why: the question is closed, or a
				// later answer was sent to it.
				return tell(notRelayed(l, err)), nil
			}
			return refusal(err)
		}
		// Replace the notice so the choice shows and cannot be made twice.
		// A choice made already (a double click, a colleague's click) is
		// the one the notice shows, and the clicker is told nothing
		// changed.
		choice := "dropped"
		if send {
			choice = "sent"
		}
		text := tr(l, msg("mismatch."+choice), userMention(user))
		var private string
		if res.Duplicate {
			was := choiceMade(res.Answer.Status)
			text = tr(l, msg("mismatch.was."+was))
			private = tr(l, msg("mismatch.already."+was))
		}
		msgTS := cb.Container.MessageTs
		return outcome{then: func(ctx context.Context) error {
			if msgTS == "" {
				return d.ephemeral(ctx, channel, thread, user, cmp.Or(private, text))
			}
			update := func(ctx context.Context) error { return d.showChoice(ctx, channel, msgTS, text) }
			err := update(ctx)
			if err != nil && ctx.Err() == nil {
				// The choice is recorded; only the notice lags behind and
				// still offers both choices: tell the clicker, and refresh
				// it when Slack lets us.
				if private == "" {
					private = tr(l, msg("mismatch.recorded."+choice))
				}
				if retryable(err) {
					d.later(ctx, "mismatch notice update", err, update)
					err = nil
				}
			}
			if private != "" {
				err = errors.Join(err, d.ephemeral(ctx, channel, thread, user, private))
			}
			return err
		}}, nil
	}
	return outcome{}, nil
}

// choiceMade names the choice made on a held answer that is no longer
// held, as the mismatch.was.* and mismatch.already.* phrases do.
func choiceMade(s bot.AnswerStatus) string {
	if s == bot.AnswerDropped {
		return "dropped"
	}
	return "sent"
}

// showChoice replaces the language-mismatch notice ts in channel with text,
// which says what was chosen; its buttons go with it.
func (d *Desk) showChoice(ctx context.Context, channel, ts, text string) error {
	return d.call(ctx, "chat.update", func(ctx context.Context) error {
		_, _, _, err := d.api.UpdateMessageContext(ctx, channel, ts,
			slack.MsgOptionText(text, false),
			slack.MsgOptionBlocks(slack.NewSectionBlock(mrkdwn(text), nil, nil)))
		return err
	})
}

// parseID reads a positive id from a button value.
func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("bad id %q", s)
	}
	return id, nil
}

// The close modal: one required reason, the escalation id in the private
// metadata.
const (
	cbClose     = "liaison.close"
	blockReason = "close_reason"
	actReason   = "reason"
	// maxCloseReasonRunes bounds what goes into the record and the post.
	maxCloseReasonRunes = 500
)

func closeView(l bot.Lang, id int64) slack.ModalViewRequest {
	input := slack.NewPlainTextInputBlockElement(nil, actReason).WithMultiline(true).WithMaxLength(maxCloseReasonRunes)
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           plain(title(tr(l, "close.title", id))),
		Submit:          plain(tr(l, "close.submit")),
		Close:           plain(tr(l, "close.cancel")),
		CallbackID:      cbClose,
		PrivateMetadata: strconv.FormatInt(id, 10),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(mrkdwn(tr(l, "close.intro")), nil, nil),
			slack.NewInputBlock(blockReason, plain(tr(l, "close.reason")), nil, input),
		}},
	}
}

// onCloseSubmission closes the escalation with the reason given. A missing
// reason keeps the modal open with the field marked; a refusal replaces the
// modal with why. On success the modal closes and the desk post, synced by
// the engine, shows who closed it and why.
func (d *Desk) onCloseSubmission(ctx context.Context, h bot.DeskHandler, cb slack.InteractionCallback) (outcome, error) {
	user := cb.User.ID
	l := d.userLang(user)
	id, err := parseID(cb.View.PrivateMetadata)
	if err != nil {
		return outcome{}, nil
	}
	var reason string
	if v, ok := cb.View.State.Values[blockReason][actReason]; ok {
		reason = strings.TrimSpace(v.Value)
	}
	if reason == "" {
		return outcome{payload: slack.NewErrorsViewSubmissionResponse(map[string]string{blockReason: tr(l, "close.missing")})}, nil
	}
	reason, _ = truncate(reason, maxCloseReasonRunes)
	done := func(text string) (outcome, error) {
		return outcome{payload: slack.NewUpdateViewSubmissionResponse(&slack.ModalViewRequest{
			Type:   slack.VTModal,
			Title:  plain(title(tr(l, "close.title", id))),
			Close:  plain(tr(l, "bc.close")),
			Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(mrkdwn(text), nil, nil)}},
		})}, nil
	}
	if _, err := h.Close(ctx, id, user, reason); err != nil {
		switch {
		case errors.Is(err, bot.ErrConflict):
			// A claimed question can be closed: the engine says why this
			// one cannot (answered, sent or closed already).
			return done(explained(l, err, tr(l, "claim.conflict", id)))
		case errors.Is(err, bot.ErrForbidden):
			return done(tr(l, "forbidden.roster"))
		case errors.Is(err, bot.ErrNotFound):
			return done(tr(l, "notfound"))
		case errors.Is(err, bot.ErrInvalid):
			return done(refused(l, tr(l, "error.invalid"), err))
		}
		return outcome{}, err
	}
	d.log.Info("slack escalation closed", "escalation", id)
	return done(tr(l, "close.done", id))
}
