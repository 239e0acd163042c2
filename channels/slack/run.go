package slack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/liaison-gc/liaison/bot"
)

// maxInflight bounds the envelopes handled at once; beyond it Run stops
// reading, and Slack's own queue holds the rest.
const maxInflight = 16

// Run connects to Slack over Socket Mode and hands staff actions to h until
// ctx ends; the Socket Mode client reconnects by itself after a disconnect
// or a dropped connection. Run returns nil when ctx is done, and an error
// when Slack refuses the app token (which it names, never showing it). It
// may be called once.
func (d *Desk) Run(ctx context.Context, h bot.DeskHandler) error {
	if h == nil {
		return errors.New("slack: run: nil handler")
	}
	if !d.running.CompareAndSwap(false, true) {
		return errors.New("slack: run: already running")
	}
	early := d.start(h)
	if err := d.checkBotToken(ctx); err != nil {
		return err
	}

	client := socketmode.New(d.api, socketmode.OptionLog(logAdapter{d.log}))
	ctx, cancel := context.WithCancel(ctx)
	// Background retries see ctx end when Run returns, then Run waits for
	// them (deferred calls run last first).
	defer d.background.Wait()
	defer cancel()
	d.settleEarly(ctx, early)
	errc := make(chan error, 1)
	go func() { errc <- client.RunContext(ctx) }()

	sem := make(chan struct{}, maxInflight)
	defer d.inflight.Wait()
	for {
		select {
		case <-ctx.Done():
			<-errc
			return nil
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack: socket mode: %w (check %s and that Socket Mode is on in the app settings)", err, EnvAppToken)
		case ev := <-client.Events:
			if ev.Request == nil || ev.Request.EnvelopeID == "" {
				d.status(ev)
				continue
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				continue
			}
			d.inflight.Add(1)
			go func() {
				defer func() { <-sem; d.inflight.Done() }()
				d.handleEnvelope(ctx, client, h, ev)
			}()
		}
	}
}

// checkBotToken asks Slack who the bot token belongs to, so that a wrong or
// revoked token stops Run at once with an error naming the variable rather
// than failing every post later. Network trouble is only logged: Slack may
// be unreachable for a while, and the socket reconnects by itself.
func (d *Desk) checkBotToken(ctx context.Context) error {
	var who *slack.AuthTestResponse
	err := d.call(ctx, "auth.test", func(ctx context.Context) error {
		var err error
		who, err = d.api.AuthTestContext(ctx)
		return err
	})
	var se slack.SlackErrorResponse
	switch {
	case err == nil:
		d.log.Info("slack bot token accepted", "team", who.Team, "bot_user", who.UserID)
		return nil
	case errors.As(err, &se):
		switch se.Err {
		case "invalid_auth", "not_authed", "token_revoked", "account_inactive", "token_expired":
			return fmt.Errorf("slack: Slack refused %s (%s): check the Bot User OAuth Token (xoxb-…) of the installed app", EnvBotToken, se.Err)
		}
	}
	if ctx.Err() != nil {
		return nil
	}
	d.log.Warn("slack auth.test failed; continuing", "err", err)
	return nil
}

// status logs the connection's life (connecting, connected, errors).
func (d *Desk) status(ev socketmode.Event) {
	d.noteConnection(ev)
	switch ev.Type {
	case socketmode.EventTypeConnecting:
		d.log.Debug("slack connecting")
	case socketmode.EventTypeConnected:
		n := 0
		if c, ok := ev.Data.(*socketmode.ConnectedEvent); ok {
			n = c.ConnectionCount
		}
		d.log.Info("slack connected", "reconnects", n)
	case socketmode.EventTypeHello:
		d.log.Debug("slack hello")
	case socketmode.EventTypeConnectionError:
		if c, ok := ev.Data.(*slack.ConnectionErrorEvent); ok {
			d.log.Warn("slack connection failed; retrying", "attempt", c.Attempt, "backoff", c.Backoff.String(), "err", c.ErrorObj)
		}
	case socketmode.EventTypeInvalidAuth:
		d.log.Error("slack refused the app token", "env", EnvAppToken)
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage, socketmode.EventTypeErrorWriteFailed:
		d.log.Warn("slack socket mode error", "type", string(ev.Type), "err", socketError(ev.Data))
	default:
		d.log.Debug("slack event", "type", string(ev.Type))
	}
}

// socketError is what the log says of a socket mode error: its cause, never
// the message it concerns (an envelope or an ack may quote a citizen).
func socketError(data any) string {
	switch e := data.(type) {
	case *socketmode.ErrorBadMessage:
		return fmt.Sprintf("unreadable message (%d bytes): %v", len(e.Message), e.Cause)
	case *socketmode.ErrorWriteFailed:
		id := ""
		if e.Response != nil {
			id = e.Response.EnvelopeID
		}
		return fmt.Sprintf("ack of envelope %s not sent: %v", id, e.Cause)
	case *slack.IncomingEventError:
		return fmt.Sprint(e.ErrorObj)
	case error:
		return e.Error()
	}
	return fmt.Sprintf("%T", data)
}

// outcome is what handling an envelope produced once its action is
// recorded: the ack payload (nil for a bare ack) and slower work to do after
// acknowledging (confirmations, opening a modal).
type outcome struct {
	payload any
	then    func(ctx context.Context) error
}

// handleEnvelope records one envelope through the engine, acknowledges it,
// then does the slower work. An envelope the engine could not record is not
// acknowledged, so Slack delivers it again.
func (d *Desk) handleEnvelope(ctx context.Context, client *socketmode.Client, h bot.DeskHandler, ev socketmode.Event) {
	req := ev.Request
	key := envelopeKey(ev)
	log := d.log.With("envelope", req.EnvelopeID, "type", req.Type)
	if req.RetryAttempt > 0 {
		log = log.With("retry_attempt", req.RetryAttempt, "retry_reason", req.RetryReason)
	}
	switch d.seen.begin(key) {
	case seenDone:
		log.Info("slack redelivery: already handled")
		d.ack(ctx, client, req, nil)
		return
	case seenBusy:
		log.Info("slack redelivery while handling: left to the first delivery")
		return
	}

	var (
		out outcome
		err error
	)
	defer func() {
		// A bug or a payload nobody foresaw must not take the process
		// down: the envelope stays unacknowledged and Slack redelivers it.
		if r := recover(); r != nil {
			d.seen.abort(key)
			log.Error("slack envelope handler panicked; not acknowledged", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	switch data := ev.Data.(type) {
	case slackevents.EventsAPIEvent:
		out, err = d.onEvent(ctx, h, data, req.EnvelopeID, req.RetryAttempt >= lastRetryAttempt)
	case slack.InteractionCallback:
		out, err = d.onInteraction(ctx, h, data)
	case slack.SlashCommand:
		out, err = d.onCommand(ctx, h, data)
	default:
		log.Warn("slack envelope of unknown shape acknowledged")
	}
	if err != nil {
		d.seen.abort(key)
		log.Error("slack envelope not recorded; Slack will redeliver it", "err", err)
		return
	}
	d.ack(ctx, client, req, out.payload)
	d.seen.finish(key)
	if out.then != nil {
		if err := out.then(ctx); err != nil {
			log.Error("slack follow-up failed", "err", err)
		}
	}
}

// ack acknowledges req with payload; a payload Slack would drop for its size
// is replaced by a bare ack.
func (d *Desk) ack(ctx context.Context, client *socketmode.Client, req *socketmode.Request, payload any) {
	if err := client.AckCtx(ctx, req.EnvelopeID, payload); err != nil {
		d.log.Error("slack ack with payload failed; acknowledging bare", "envelope", req.EnvelopeID, "err", err)
		if err := client.AckCtx(ctx, req.EnvelopeID, nil); err != nil {
			d.log.Error("slack ack failed", "envelope", req.EnvelopeID, "err", err)
		}
	}
}

// envelopeKey identifies what an envelope carries, the same across Slack's
// redeliveries: the Events API event id, the clicked action, the submitted
// view, the command's trigger; the envelope id otherwise.
func envelopeKey(ev socketmode.Event) string {
	switch data := ev.Data.(type) {
	case slackevents.EventsAPIEvent:
		if cb, ok := data.Data.(*slackevents.EventsAPICallbackEvent); ok && cb.EventID != "" {
			return "event:" + cb.EventID
		}
	case slack.InteractionCallback:
		switch {
		case data.Type == slack.InteractionTypeViewSubmission && data.View.ID != "":
			// A view refused with field errors keeps its id and hash when
			// the user corrects it and submits again: what was submitted
			// tells a new submission from a redelivery.
			state, _ := json.Marshal(data.View.State)
			sum := sha256.Sum256(state)
			return "view:" + data.View.ID + ":" + data.View.Hash + ":" + hex.EncodeToString(sum[:8])
		case len(data.ActionCallback.BlockActions) > 0:
			a := data.ActionCallback.BlockActions[0]
			return "action:" + data.User.ID + ":" + a.ActionID + ":" + a.ActionTs
		}
	case slack.SlashCommand:
		if data.TriggerID != "" {
			return "command:" + data.TriggerID
		}
	}
	return "envelope:" + ev.Request.EnvelopeID
}
