package slack

import (
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
			return tell(tr(l, "error.invalid")), nil
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
				return tell(tr(l, "claim.conflict", id)), nil
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
				return tell(tr(l, "answer.conflict")), nil
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
				return tell(tr(l, "error.invalid")), nil
			}
			return refusal(err)
		}
		return tell(tr(l, "draft.done", dr.ID)), nil

	case a.ActionID == actSendAnyway || a.ActionID == actTranslate:
		id, err := parseID(a.Value)
		if err != nil {
			return outcome{}, nil
		}
		send := a.ActionID == actSendAnyway
		if _, err := h.ResolveMismatch(ctx, id, user, send); err != nil {
			if errors.Is(err, bot.ErrConflict) {
				return tell(tr(l, "answer.conflict")), nil
			}
			return refusal(err)
		}
		// Replace the notice so the choice shows and cannot be made twice.
		key := "mismatch.dropped"
		if send {
			key = "mismatch.sent"
		}
		text := tr(l, msg(key), userMention(user))
		msgTS := cb.Container.MessageTs
		return outcome{then: func(ctx context.Context) error {
			if msgTS == "" {
				return d.ephemeral(ctx, channel, thread, user, text)
			}
			return d.call(ctx, "chat.update", func(ctx context.Context) error {
				_, _, _, err := d.api.UpdateMessageContext(ctx, channel, msgTS,
					slack.MsgOptionText(text, false),
					slack.MsgOptionBlocks(slack.NewSectionBlock(mrkdwn(text), nil, nil)))
				return err
			})
		}}, nil
	}
	return outcome{}, nil
}

// parseID reads a positive id from a button value.
func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("bad id %q", s)
	}
	return id, nil
}
