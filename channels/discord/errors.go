package discord

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/liaison-gc/liaison/bot"
)

// Error is what Send and MemberCount return when Discord (or the network)
// fails. It implements bot.Retryable: rate limits, timeouts, dropped
// connections and server errors are worth retrying later; a refused request
// (a deleted channel, a missing permission, a malformed message) is not.
//
// Error never holds discordgo's request, whose header carries the token.
type Error struct {
	Op     string // what was attempted: "send", "react", "start thread", ...
	Status int    // HTTP status, 0 when none was received
	Code   int    // Discord's JSON error code, 0 when none
	// RetryAfter is the rate limit's wait when Discord gave one.
	RetryAfter time.Duration
	Retry      bool
	// Fields are the request's fields an Invalid Form Body names
	// ("message_reference"), when Discord names them.
	Fields []string
	Err    error
}

func (e *Error) Error() string {
	msg := "discord: " + e.Op
	if e.Status != 0 {
		msg += fmt.Sprintf(": HTTP %d", e.Status)
	}
	if e.Code != 0 {
		msg += fmt.Sprintf(" (code %d)", e.Code)
	}
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(", retry after %s", e.RetryAfter)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether the engine should keep the reply and try again.
func (e *Error) Retryable() bool { return e.Retry }

// RetryWait tells the engine how long Discord asked to wait, if it did.
func (e *Error) RetryWait() time.Duration { return e.RetryAfter }

var (
	_ bot.Retryable = (*Error)(nil)
	_ bot.Waiter    = (*Error)(nil)
)

// errRateLimited is the cause of an Error for a rate limit that lasted past
// the retries Send allows itself.
var errRateLimited = errors.New("rate limited")

// Discord JSON error codes the adapter branches on.
const (
	codeThreadExists   = 160004 // "A thread has already been created for this message"
	codeThreadArchived = 50083  // "Thread is archived": no message may be posted in it
	codeReplyRefused   = 160002 // "Cannot reply without permission to read message history"
	codeInvalidForm    = 50035  // "Invalid Form Body", naming the fields in its errors
)

// classify turns an error from discordgo into an *Error.
func classify(op string, err error) *Error {
	var fl *frontLimited
	if errors.As(err, &fl) {
		return &Error{Op: op, Status: http.StatusTooManyRequests, RetryAfter: fl.wait, Retry: true, Err: fl}
	}
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
		return &Error{Op: op, Status: http.StatusTooManyRequests, RetryAfter: rl.RetryAfter, Retry: true, Err: errRateLimited}
	}
	var rest *discordgo.RESTError
	if errors.As(err, &rest) {
		e := &Error{Op: op}
		if rest.Response != nil {
			e.Status = rest.Response.StatusCode
		}
		msg := ""
		if rest.Message != nil {
			e.Code, msg = rest.Message.Code, rest.Message.Message
		}
		if msg == "" {
			msg = http.StatusText(e.Status)
		}
		e.Err = errors.New(msg)
		if e.Code == codeInvalidForm {
			var body struct {
				Errors map[string]json.RawMessage `json:"errors"`
			}
			if json.Unmarshal(rest.ResponseBody, &body) == nil {
				for f := range body.Errors {
					e.Fields = append(e.Fields, f)
				}
				slices.Sort(e.Fields)
			}
		}
		// 401: a revoked or rotated token is fixed by an operator, and the
		// reply should still go out afterwards. 408, 429 and 5xx are
		// transient. Other 4xx are refusals of this very message.
		e.Retry = e.Status == http.StatusUnauthorized || e.Status == http.StatusRequestTimeout ||
			e.Status == http.StatusTooManyRequests || e.Status >= 500
		return e
	}
	if errors.Is(err, discordgo.ErrUnauthorized) {
		return &Error{Op: op, Status: http.StatusUnauthorized, Retry: true, Err: errors.New("unauthorized: check LIAISON_DISCORD_TOKEN")}
	}
	if errors.Is(err, discordgo.ErrJSONUnmarshal) {
		return &Error{Op: op, Err: err}
	}
	// Timeouts, cancellations, refused or dropped connections, 502s that
	// discordgo gave up on: keeping the reply and trying later is the safe
	// side, whatever the transport error.
	return &Error{Op: op, Retry: true, Err: err}
}
