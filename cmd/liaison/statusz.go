package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/knowledge"
	"github.com/liaison-gc/liaison/store"
)

// Levels of a part of the status report, from best to worst.
const (
	statusOK       = "ok"
	statusDegraded = "degraded"
	statusDown     = "down"
)

// worse returns the worse of two levels.
func worse(a, b string) string {
	rank := map[string]int{statusOK: 0, statusDegraded: 1, statusDown: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// Thresholds of the status report.
const (
	// reconnectGrace is how long a connection lost is "degraded" (the
	// client reconnects by itself) before it is "down".
	reconnectGrace = 2 * time.Minute
	// stuckAfter is the age past which a reply or notice still pending
	// makes the outbox "degraded": replies pile up unsent.
	stuckAfter = 5 * time.Minute
	// failedWithin is the window of outbox failures the report counts.
	failedWithin = time.Hour
)

// statusReport is what GET /statusz answers. It names no token and quotes
// no citizen.
type statusReport struct {
	Status      string            `json:"status"` // the worst of the parts
	At          time.Time         `json:"at"`
	Phase       phaseStatus       `json:"phase"`
	Store       storeStatus       `json:"store"`
	Knowledge   knowledgeStatus   `json:"knowledge"`
	Channels    []channelStatus   `json:"channels"`
	Outbox      outboxStatus      `json:"outbox"`
	Escalations escalationsStatus `json:"escalations"`
}

type phaseStatus struct {
	Status    string            `json:"status"`
	Global    string            `json:"global"`
	Overrides map[string]string `json:"overrides,omitempty"`
}

type storeStatus struct {
	Status string `json:"status"`
	Path   string `json:"path"`
	Error  string `json:"error,omitempty"`
}

type knowledgeStatus struct {
	Status      string         `json:"status"`
	Entries     map[string]int `json:"entries"` // by language
	Hash        string         `json:"hash"`
	LoadedAt    time.Time      `json:"loaded_at"`
	ReloadError string         `json:"last_reload_error,omitempty"` // the base served is the one before it
	ReloadAt    *time.Time     `json:"last_reload_error_at,omitempty"`
}

type channelStatus struct {
	Name      string     `json:"name"`
	Role      string     `json:"role"` // "channel" or "desk"
	Status    string     `json:"status"`
	Connected bool       `json:"connected"`
	Since     *time.Time `json:"since,omitempty"`
	Event     string     `json:"last_event,omitempty"`
	Error     string     `json:"last_error,omitempty"`
	ErrorAt   *time.Time `json:"last_error_at,omitempty"`
	// DeskFailures counts the posts and notices the whole desk refused or
	// failed in a row (a desk only).
	DeskFailures int `json:"desk_failures,omitempty"`
}

type queueStatus struct {
	Pending          int     `json:"pending"`
	FailedLastHour   int     `json:"failed_last_hour"`
	OldestPendingAge float64 `json:"oldest_pending_age_seconds"`
}

type outboxStatus struct {
	Status  string      `json:"status"`
	Error   string      `json:"error,omitempty"`
	Replies queueStatus `json:"replies"`
	Desk    queueStatus `json:"desk_notices"`
	// DeskPosts counts the escalations whose desk post is not made or
	// not up to date yet.
	DeskPosts int `json:"desk_posts_pending"`
}

type escalationsStatus struct {
	Status    string  `json:"status"`
	Error     string  `json:"error,omitempty"`
	Waiting   int     `json:"waiting"`
	OldestAge float64 `json:"oldest_age_seconds"`
	// OldestUnclaimedAge is the age of the oldest escalation no one has
	// claimed: past the reminders, the part is degraded. One claimed has
	// someone on it, however long the answer takes.
	OldestUnclaimedAge float64 `json:"oldest_unclaimed_age_seconds"`
}

// statusSource is what the report is made of: serve's parts.
type statusSource struct {
	st       *store.DB
	kb       *knowledge.Index
	eng      *bot.Engine
	channels []bot.Channel
	desk     bot.Desk
	started  time.Time // when serve started the channels: a part with no connection to report is up since
	red      redactor
	now      func() time.Time
}

// report gathers the status of every part.
func (s *statusSource) report(ctx context.Context) statusReport {
	now := s.now()
	r := statusReport{At: now.UTC()}

	r.Store = storeStatus{Status: statusOK, Path: s.st.Path()}
	if err := s.st.Check(ctx); err != nil {
		r.Store.Status, r.Store.Error = statusDown, err.Error()
	}

	ps := s.eng.PhaseState(ctx)
	r.Phase = phaseStatus{Status: statusOK, Global: ps.Global.String()}
	for k, p := range ps.Overrides {
		if r.Phase.Overrides == nil {
			r.Phase.Overrides = map[string]string{}
		}
		r.Phase.Overrides[k] = p.String()
	}

	h := s.kb.Health()
	r.Knowledge = knowledgeStatus{Status: statusOK, Entries: map[string]int{}, Hash: h.Hash, LoadedAt: h.LoadedAt.UTC()}
	for l, n := range h.Entries {
		r.Knowledge.Entries[string(l)] = n
	}
	if h.Failed != nil {
		at := h.Failed.At.UTC()
		r.Knowledge.Status, r.Knowledge.ReloadError, r.Knowledge.ReloadAt = statusDegraded, h.Failed.Err, &at
	}

	for _, c := range s.channels {
		r.Channels = append(r.Channels, s.connection(c.Name(), "channel", c, now))
	}
	if s.desk != nil {
		cs := s.connection(s.desk.Name(), "desk", s.desk, now)
		if n, next := s.eng.DeskFailures(); n > 0 {
			cs.DeskFailures = n
			cs.Status = worse(cs.Status, statusDegraded)
			if cs.Error == "" {
				cs.Error = fmt.Sprintf("posts refused or failed %d times in a row; next try at %s", n, next.UTC().Format(time.RFC3339))
			}
		}
		r.Channels = append(r.Channels, cs)
	}

	b, err := s.st.Backlog(ctx, now.Add(-failedWithin))
	if err != nil {
		r.Outbox = outboxStatus{Status: statusDown, Error: err.Error()}
		r.Escalations = escalationsStatus{Status: statusDown, Error: err.Error()}
	} else {
		r.Outbox = outboxStatus{Status: statusOK, Replies: queue(b.Replies, now), Desk: queue(b.Desk, now), DeskPosts: b.DeskPosts}
		for _, q := range []store.Queue{b.Replies, b.Desk} {
			if q.Failed > 0 || !q.OldestPending.IsZero() && now.Sub(q.OldestPending) > stuckAfter {
				r.Outbox.Status = statusDegraded
			}
		}
		r.Escalations = escalationsStatus{Status: statusOK, Waiting: b.Waiting, OldestAge: age(b.OldestWaiting, now), OldestUnclaimedAge: age(b.OldestUnclaimed, now)}
		if !b.OldestUnclaimed.IsZero() && now.Sub(b.OldestUnclaimed) > s.eng.Unattended() {
			r.Escalations.Status = statusDegraded
		}
	}

	r.Status = statusOK
	for _, p := range []string{r.Store.Status, r.Phase.Status, r.Knowledge.Status, r.Outbox.Status, r.Escalations.Status} {
		r.Status = worse(r.Status, p)
	}
	for _, c := range r.Channels {
		r.Status = worse(r.Status, c.Status)
	}
	return r
}

// connection is the status of a channel or desk: as it reports its
// connection (bot.ConnectionReporter), else up since serve started (the
// web chat and desk are served by this process).
func (s *statusSource) connection(name, role string, part any, now time.Time) channelStatus {
	cr, ok := part.(bot.ConnectionReporter)
	if !ok {
		since := s.started.UTC()
		return channelStatus{Name: name, Role: role, Status: statusOK, Connected: true, Since: &since}
	}
	c := cr.Connection()
	cs := channelStatus{Name: name, Role: role, Status: statusOK, Connected: c.Connected, Event: c.Event, Error: c.Err}
	if !c.Since.IsZero() {
		t := c.Since.UTC()
		cs.Since = &t
	}
	if !c.ErrAt.IsZero() {
		t := c.ErrAt.UTC()
		cs.ErrorAt = &t
	}
	if !c.Connected {
		// Not connected yet, or lost: the client connects again by itself
		// for a while, then the part is down.
		from := c.Since
		if from.IsZero() {
			from = s.started
		}
		cs.Status = statusDegraded
		if now.Sub(from) > reconnectGrace {
			cs.Status = statusDown
		}
	}
	return cs
}

func queue(q store.Queue, now time.Time) queueStatus {
	return queueStatus{Pending: q.Pending, FailedLastHour: q.Failed, OldestPendingAge: age(q.OldestPending, now)}
}

// age is the seconds from t to now, 0 when t is zero.
func age(t, now time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return max(now.Sub(t), 0).Round(time.Second).Seconds()
}

// ServeHTTP answers GET /statusz: JSON, or plain text with ?format=text.
// The status is 200 while the process runs: it is a report, not a probe.
func (s *statusSource) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	ctx, cancel := context.WithTimeout(req.Context(), 5*time.Second)
	defer cancel()
	r := s.report(ctx)
	w.Header().Set("Cache-Control", "no-store")
	if req.URL.Query().Get("format") == "text" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, s.red.String(r.text()))
		return
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintln(w, s.red.String(string(b)))
}

// text is the report for people: one line a part.
func (r statusReport) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "liaison %s at %s\n", r.Status, r.At.Format(time.RFC3339))
	line := func(status, part, detail string) {
		fmt.Fprintf(&b, "%-8s  %-16s %s\n", status, part, detail)
	}
	line(r.Phase.Status, "phase", r.Phase.Global+overrides(r.Phase.Overrides))
	line(r.Store.Status, "store", strings.TrimSuffix(r.Store.Path+"; "+r.Store.Error, "; "))
	kb := fmt.Sprintf("%d en, %d fr, hash %s, loaded %s", r.Knowledge.Entries["en"], r.Knowledge.Entries["fr"],
		shortHash(r.Knowledge.Hash), r.Knowledge.LoadedAt.Format(time.RFC3339))
	if r.Knowledge.ReloadError != "" {
		kb += "; last reload failed: " + firstLine(r.Knowledge.ReloadError)
	}
	line(r.Knowledge.Status, "knowledge", kb)
	for _, c := range r.Channels {
		d := "disconnected"
		if c.Connected {
			d = "connected"
		}
		if c.Since != nil {
			d += " since " + c.Since.Format(time.RFC3339)
		}
		if c.Error != "" {
			d += "; last error"
			if c.ErrorAt != nil {
				d += " at " + c.ErrorAt.Format(time.RFC3339)
			}
			d += ": " + firstLine(c.Error)
		}
		line(c.Status, c.Role+" "+c.Name, d)
	}
	o := r.Outbox
	detail := fmt.Sprintf("replies %d pending (oldest %ds), %d failed in the last hour; desk %d notices and %d posts pending, %d failed in the last hour",
		o.Replies.Pending, int(o.Replies.OldestPendingAge), o.Replies.FailedLastHour, o.Desk.Pending, o.DeskPosts, o.Desk.FailedLastHour)
	if o.Error != "" {
		detail = o.Error
	}
	line(o.Status, "outbox", detail)
	e := r.Escalations
	detail = fmt.Sprintf("%d waiting for staff (oldest %ds, oldest unclaimed %ds)", e.Waiting, int(e.OldestAge), int(e.OldestUnclaimedAge))
	if e.Error != "" {
		detail = e.Error
	}
	line(e.Status, "escalations", detail)
	return b.String()
}

func overrides(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}
