package main

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// minSecret is the shortest secret value hidden from output: shorter ones
// would blot out ordinary words (the configuration refuses real tokens
// that short anyway).
const minSecret = 8

// redactor replaces the values of secrets, as written and as JSON escapes
// them, with "[redacted]". A token must never reach the logs, even when a
// remote server (a proxy, a misconfigured api_url) echoes the request's
// Authorization header in an error body that an adapter's error carries.
type redactor struct{ r *strings.Replacer }

func newRedactor(s secrets) redactor {
	var pairs []string
	values := []string{s.discordToken, s.slackBotToken, s.slackAppToken, s.webToken}
	for _, k := range slices.Sorted(maps.Keys(s.webStaffTokens)) {
		values = append(values, s.webStaffTokens[k])
	}
	for _, v := range values {
		if len(v) < minSecret {
			continue
		}
		for _, form := range escapes(v) {
			pairs = append(pairs, form, "[redacted]")
		}
	}
	return redactor{strings.NewReplacer(pairs...)}
}

// escapes are the ways a log writes v: as is, escaped for JSON (with and
// without HTML escapes: slog's handler does not escape <, > and &,
// encoding/json does) and quoted (the text handler).
func escapes(v string) []string {
	forms := []string{v}
	add := func(q string) {
		if len(q) >= 2 && !slices.Contains(forms, q[1:len(q)-1]) {
			forms = append(forms, q[1:len(q)-1])
		}
	}
	if b, err := json.Marshal(v); err == nil {
		add(string(b))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) == nil {
		add(strings.TrimSuffix(buf.String(), "\n"))
	}
	add(strconv.Quote(v))
	return forms
}

// String returns s without secrets.
func (r redactor) String(s string) string { return r.r.Replace(s) }

// Writer returns w that writes without secrets. slog's handlers write a
// record in one Write, so a secret is never split between two.
func (r redactor) Writer(w io.Writer) io.Writer { return redactWriter{w, r} }

type redactWriter struct {
	w io.Writer
	r redactor
}

func (w redactWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.w, w.r.String(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Error returns err with its message without secrets; errors.Is and
// errors.As still see what it wraps.
func (r redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	if msg := err.Error(); r.String(msg) != msg {
		return redactedError{msg: r.String(msg), err: err}
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

func (e redactedError) Error() string { return e.msg }
func (e redactedError) Unwrap() error { return e.err }
