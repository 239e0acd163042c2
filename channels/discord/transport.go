package discord

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

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

// httpClient returns the client the session uses: a copy of base (or a
// default one) whose transport, when apiURL is set, rewrites Discord's host.
func httpClient(base *http.Client, apiURL string) (*http.Client, error) {
	c := &http.Client{Timeout: defaultHTTPTimeout}
	if base != nil {
		cp := *base
		c = &cp
		if c.Timeout == 0 { // discordgo's own calls (the gateway address) take no context
			c.Timeout = defaultHTTPTimeout
		}
	}
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
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	to.Path = strings.TrimSuffix(to.Path, "/")
	c.Transport = rewrite{from: from.Host, to: to, next: next}
	return c, nil
}
