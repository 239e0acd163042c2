package slack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/slack-go/slack"

	"github.com/liaison-gc/liaison/bot"
)

// Web API limits. Every call gets its own deadline; a 429 is retried after
// the Retry-After Slack gives, a few times, and then handed back to the
// engine as a retryable error so it tries again later instead of holding up
// its delivery loop.
const (
	callTimeout  = 10 * time.Second
	maxRetries   = 3
	maxRetryWait = 20 * time.Second
	// httpTimeout bounds every request of the default HTTP client, those
	// made without a deadline (apps.connections.open, by slack-go's
	// Socket Mode client) included. It is longer than callTimeout, which
	// stays the deadline of the desk's own calls.
	httpTimeout = 15 * time.Second
)

// retryableError marks a Web API failure worth retrying later (rate limit,
// network trouble, a 5xx). It implements bot.Retryable.
type retryableError struct{ err error }

func (e retryableError) Error() string   { return e.err.Error() }
func (e retryableError) Unwrap() error   { return e.err }
func (e retryableError) Retryable() bool { return true }

var _ bot.Retryable = retryableError{}

// call runs one Web API method with a deadline, honouring 429 Retry-After up
// to maxRetries times (never waiting longer than d.maxWait, maxRetryWait
// outside tests, at once). Errors name the method and never contain a token.
func (d *Desk) call(ctx context.Context, method string, f func(ctx context.Context) error) error {
	for attempt := 0; ; attempt++ {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		err := f(cctx)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("slack: %s: %w", method, ctx.Err())
		}
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) {
			if attempt >= maxRetries || rl.RetryAfter > d.maxWait {
				return retryableError{fmt.Errorf("slack: %s: rate limited after %d attempts (retry after %s): %w", method, attempt+1, rl.RetryAfter, err)}
			}
			d.log.Warn("slack rate limited", "method", method, "retry_after", rl.RetryAfter, "attempt", attempt+1)
			if !sleep(ctx, rl.RetryAfter) {
				return fmt.Errorf("slack: %s: %w", method, ctx.Err())
			}
			continue
		}
		if transient(err) {
			return retryableError{fmt.Errorf("slack: %s: %w", method, err)}
		}
		return fmt.Errorf("slack: %s: %w", method, err)
	}
}

// transient reports whether err is a network failure, a timeout or a server
// error: worth retrying later, unlike an API error such as channel_not_found.
func transient(err error) bool {
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return sc.Code >= 500 || sc.Code == 408
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout":
			return true
		}
		return false
	}
	return errors.Is(err, context.DeadlineExceeded)
}

// Retrying in the background: what is worth doing late rather than never,
// but not worth holding up an envelope for (the refresh of a notice after a
// click: the choice is recorded, only what the notice shows lags behind).
const (
	laterAttempts = 5
	laterWithin   = 10 * time.Minute
	laterBackoff  = 5 * time.Second // the first wait when Slack gives none; it doubles
)

// retryable reports whether err, from call, is worth trying again later.
func retryable(err error) bool {
	var r bot.Retryable
	return errors.As(err, &r) && r.Retryable()
}

// later tries f again in the background after err, its retryable failure:
// after the Retry-After Slack gave, else after a back-off, until f succeeds
// or fails for good, laterAttempts were made, a wait would end past
// laterWithin, or ctx ends (Run stops it and waits for it before
// returning). what names f in the log.
func (d *Desk) later(ctx context.Context, what string, err error, f func(context.Context) error) {
	d.log.Warn("slack "+what+" failed; retrying in the background", "err", err)
	d.background.Go(func() {
		giveUp := time.Now().Add(laterWithin)
		backoff := laterBackoff
		for attempt := 1; attempt <= laterAttempts; attempt++ {
			wait := backoff
			backoff *= 2
			var rl *slack.RateLimitedError
			if errors.As(err, &rl) {
				wait = rl.RetryAfter
			}
			if time.Now().Add(wait).After(giveUp) {
				break
			}
			if !sleep(ctx, wait) {
				d.log.Warn("slack "+what+" not retried: shutting down", "err", err)
				return
			}
			if err = f(ctx); err == nil {
				d.log.Info("slack "+what+" done on a later attempt", "attempt", attempt+1)
				return
			}
			if ctx.Err() != nil || !retryable(err) {
				break
			}
		}
		d.log.Error("slack "+what+" given up", "err", err)
	})
}

// deskWide reports whether err, from a post or an update in the desk
// channel, refuses every post rather than this one: the channel gone or
// archived, the app not in it, its token or permissions no longer valid.
func deskWide(err error) bool {
	switch slackCode(err) {
	case "channel_not_found", "not_in_channel", "is_archived", "invalid_auth", "not_authed",
		"account_inactive", "token_revoked", "token_expired", "missing_scope", "no_permission":
		return true
	}
	return false
}

// slackCode is the error code of a Web API refusal ("channel_not_found"),
// or "" when err is no refusal.
func slackCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}

// sleep waits d, or less when ctx ends first; it reports whether the wait
// ran its course.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
