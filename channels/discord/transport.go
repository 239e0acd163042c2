package discord

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// rewrite sends discordgo's requests for https://discord.com/... to a
// Discord-compatible server instead. It is how api_url works without
// touching discordgo's package-level Endpoint variables, which every
// session in the process shares.
type rewrite struct {
	from string   // host discordgo addresses ("discord.com")
	to   *url.URL // scheme, host and path prefix of the other server
	next http.RoundTripper
}

func (t rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != t.from {
		return t.next.RoundTrip(r)
	}
	r2 := r.Clone(r.Context())
	u := *r.URL
	u.Scheme, u.Host = t.to.Scheme, t.to.Host
	u.Path = t.to.Path + r.URL.Path
	if r.URL.RawPath != "" {
		u.RawPath = t.to.EscapedPath() + r.URL.RawPath
	}
	r2.URL, r2.Host = &u, ""
	resp, err := t.next.RoundTrip(r2)
	if err != nil {
		// The client's error names discord.com, which was not asked:
		// say which server was (the URL carries no token).
		return nil, fmt.Errorf("%s %s (discord.api_url): %w", r2.Method, u.Redacted(), err)
	}
	return resp, nil
}

// frontLimit turns a 429 whose body is not Discord's JSON into a
// *frontLimited error with the Retry-After it carried. Such an answer comes
// from the network in front of Discord's API (Cloudflare: "error code:
// 1015"), which limits or bans an address for a while: discordgo cannot read
// it, and its wait would be lost, so the bot would try again at once and
// keep itself banned.
type frontLimit struct{ next http.RoundTripper }

// frontLimited is a rate limit of the network in front of Discord's API.
type frontLimited struct{ wait time.Duration }

func (e *frontLimited) Error() string {
	return "rate limited by the network in front of Discord's API"
}

// maxLimitBody bounds what is read of a 429's body to tell JSON from not.
const maxLimitBody = 64 << 10

func (t frontLimit) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusTooManyRequests {
		return resp, err
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxLimitBody))
	resp.Body.Close()
	if rerr == nil && json.Valid(body) { // Discord's own: discordgo reads it
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return resp, nil
	}
	return nil, &frontLimited{wait: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date; 0 when
// absent or unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		switch {
		case !(secs > 0): // negative, zero or NaN
			return 0
		case secs >= maxFrontWait.Seconds():
			return maxFrontWait
		}
		return time.Duration(secs * float64(time.Second))
	}
	if at, err := http.ParseTime(v); err == nil {
		return min(max(at.Sub(now), 0), maxFrontWait)
	}
	return 0
}

// maxFrontWait bounds the wait read from a Retry-After header.
const maxFrontWait = 24 * time.Hour

// httpClient returns the client the session uses: a copy of base (or a
// default one) whose transport reads the front network's rate limits (see
// frontLimit) and, when apiURL is set, rewrites Discord's host.
func httpClient(base *http.Client, apiURL string) (*http.Client, error) {
	c := &http.Client{Timeout: defaultHTTPTimeout}
	if base != nil {
		cp := *base
		c = &cp
		if c.Timeout == 0 { // discordgo's own calls (the gateway address) take no context
			c.Timeout = defaultHTTPTimeout
		}
	}
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = frontLimit{next: next}
	if apiURL == "" {
		return c, nil
	}
	to, err := apiBase(apiURL)
	if err != nil {
		return nil, err
	}
	from, err := url.Parse(discordgo.EndpointDiscord)
	if err != nil {
		return nil, err
	}
	to.Path = strings.TrimSuffix(to.Path, "/")
	c.Transport = rewrite{from: from.Host, to: to, next: c.Transport}
	return c, nil
}
