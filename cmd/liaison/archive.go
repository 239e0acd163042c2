package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/store"
)

// The archive: every public message with what became of it, exported as
// JSON Lines for records requests and audits, and the retention purge that
// removes citizens' text and identity from old records (see store.Purge).

// archiveUsage lists the archive subcommands, for -h.
const archiveUsage = `Usage:
  liaison archive export [--since DATE] [--until DATE] [--contains TEXT] [--out FILE] [--config FILE]
  liaison archive purge [--before DATE | --older-than-days N] [--config FILE]

Run 'liaison archive export -h' or 'liaison archive purge -h' for each one's flags.`

func runArchive(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("archive: use 'liaison archive export [--since DATE] [--until DATE] [--contains TEXT] [--out FILE]' or 'liaison archive purge [--before DATE | --older-than-days N]'")
	}
	if isHelp(args[0]) {
		fmt.Fprintln(stderr, archiveUsage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "export":
		return archiveExport(ctx, args[1:], stdout, stderr)
	case "purge":
		return archivePurge(ctx, args[1:], stdout, stderr)
	}
	return usagef("archive: unknown subcommand %q: use export or purge", args[0])
}

// archiveLine is one exported message ("record": "message"). Field names
// are part of the export format: add fields, never rename them.
type archiveLine struct {
	Record     string             `json:"record"`
	Time       time.Time          `json:"time"`
	Platform   string             `json:"platform"`
	Channel    string             `json:"channel"`
	Thread     string             `json:"thread,omitempty"`
	Author     string             `json:"author"`
	AuthorBot  bool               `json:"author_bot,omitempty"`
	DM         bool               `json:"dm,omitempty"`
	Text       string             `json:"text"`
	Redacted   bool               `json:"redacted"`
	Lang       string             `json:"lang,omitempty"`
	Decision   *archiveDecision   `json:"decision,omitempty"`
	Escalation *archiveEscalation `json:"escalation,omitempty"`
	Replies    []archiveReply     `json:"replies,omitempty"`
}

// archiveReply is what the bot sent (or still has to send) to the author
// about the message: its answer, acknowledgement or notice, and the signed
// staff answers relayed to them.
type archiveReply struct {
	Kind   string     `json:"kind"`
	Lang   string     `json:"lang,omitempty"` // none: both languages
	Text   string     `json:"text"`
	SentAt *time.Time `json:"sent_at,omitempty"`
	State  string     `json:"state"`
	// The citizens whose rating of an answer or relayed staff answer is
	// 👍 (helpful) or 👎 (not_helpful) now.
	Helpful    int `json:"helpful,omitempty"`
	NotHelpful int `json:"not_helpful,omitempty"`
}

type archiveDecision struct {
	Action     string  `json:"action"`
	Reason     string  `json:"reason,omitempty"`
	Entry      string  `json:"entry,omitempty"`
	Confidence float64 `json:"confidence"`
	Phase      string  `json:"phase,omitempty"`
	Would      string  `json:"would,omitempty"` // shadow mode: what phase 2 would have done
}

type archiveEscalation struct {
	ID          int64           `json:"id"`
	State       string          `json:"state"`
	Topic       string          `json:"topic,omitempty"`
	RoutedTo    string          `json:"routed_to,omitempty"`  // staff roster id
	ClaimedBy   string          `json:"claimed_by,omitempty"` // staff roster id
	ClosedBy    string          `json:"closed_by,omitempty"`  // staff roster id
	CloseReason string          `json:"close_reason,omitempty"`
	ClosedAt    *time.Time      `json:"closed_at,omitempty"`
	Answers     []archiveAnswer `json:"answers,omitempty"`
	RelayedAt   *time.Time      `json:"relayed_at,omitempty"` // when the answer reached this message's author
}

type archiveAnswer struct {
	Staff   string    `json:"staff"`              // the name answers are signed with
	StaffID string    `json:"staff_id,omitempty"` // roster id; "" when not on the roster
	Text    string    `json:"text"`
	Lang    string    `json:"lang,omitempty"`
	Status  string    `json:"status"`
	At      time.Time `json:"at"`
}

// archiveRecordLine is one exported decision other than the bot's:
// "record" is "phase_change", "broadcast" or "audit", with that record's
// fields. Field names are part of the export format, as archiveLine's.
type archiveRecordLine struct {
	Record string    `json:"record"`
	Time   time.Time `json:"time"`
	// phase_change
	Channel string `json:"channel,omitempty"` // none: the global phase
	From    string `json:"from,omitempty"`
	To      string `json:"to,omitempty"` // "inherit": a channel's override ended
	Reason  string `json:"reason,omitempty"`
	// broadcast
	ID       int64     `json:"id,omitempty"`
	EN       string    `json:"en,omitempty"`
	FR       string    `json:"fr,omitempty"`
	Channels *[]string `json:"channels,omitempty"` // always on a broadcast: where it went (see archiveRecordOf)
	State    string    `json:"state,omitempty"`
	// phase_change, broadcast and audit: who, and through what
	By  string `json:"by,omitempty"`
	Via string `json:"via,omitempty"`
	// audit
	Action  string `json:"action,omitempty"`
	Target  string `json:"target,omitempty"`
	Detail  string `json:"detail,omitempty"`
	Allowed *bool  `json:"allowed,omitempty"`
}

func archiveRecordOf(r store.ArchivedRecord) archiveRecordLine {
	l := archiveRecordLine{Time: r.At}
	switch {
	case r.PhaseChange != nil:
		c := r.PhaseChange
		l.Record, l.Channel, l.To, l.Reason, l.By, l.Via = "phase_change", c.Channel, c.To.String(), c.Reason, c.By, c.Via
		if c.From != 0 {
			l.From = c.From.String()
		}
	case r.Broadcast != nil:
		b := r.Broadcast
		l.Record, l.ID, l.EN, l.FR, l.State, l.By, l.Via = "broadcast", b.ID, b.EN, b.FR, string(b.State), b.By, b.Via
		// Where it went: the channels it was queued to, one post each,
		// chosen or every channel configured for broadcasts then; before
		// (scheduled, cancelled), the channels chosen, [] when none was
		// (every channel configured for broadcasts when it goes out).
		to := b.Channels
		if b.State == bot.BroadcastQueued {
			to = r.QueuedTo
		}
		channels := make([]string, 0, len(to))
		for _, c := range to {
			channels = append(channels, string(c))
		}
		l.Channels = &channels
	case r.Audit != nil:
		a := r.Audit
		allowed := a.Allowed
		l.Record, l.By, l.Via, l.Action, l.Target, l.Detail, l.Allowed = "audit", a.Actor, a.Via, a.Action, a.Target, a.Detail, &allowed
	}
	return l
}

func archiveExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("archive export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "configuration file; empty: embedded defaults")
	since := fs.String("since", "", "first day (2006-01-02, local time) or instant (RFC 3339) to export; empty: from the first record")
	until := fs.String("until", "", "last day to export, included (2006-01-02), or instant (RFC 3339) to stop before; empty: up to now")
	contains := fs.String("contains", "", "export only messages whose words (the question, its staff answers, the bot's replies) hold this, ignoring case, accents and the form of apostrophes (cheque finds chèque)")
	out := fs.String("out", "", "file to write (created readable by its owner only); empty: standard output")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("archive export: unexpected arguments %q: put the search text in --contains", fs.Args())
	}
	var f store.ArchiveFilter
	var err error
	if f.Since, err = parseDay("--since", *since, false); err != nil {
		return err
	}
	if f.Until, err = parseDay("--until", *until, true); err != nil {
		return err
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		return usagef("archive export: --since %s is not before --until %s: nothing to export", *since, *until)
	}
	f.Contains = *contains

	cfg, st, _, err := openAdmin(ctx, *configPath, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	names := map[string]string{}
	for _, s := range cfg.roster() {
		names[s.ID] = s.Name
	}

	n, redacted, records := 0, 0, 0
	export := func(enc *json.Encoder) error {
		n, redacted, records = 0, 0, 0
		err := st.Archive(ctx, f, func(m store.ArchivedMessage) error {
			n++
			if m.Redacted {
				redacted++
			}
			return enc.Encode(archiveLineOf(m, names))
		})
		if err != nil {
			return err
		}
		return st.ArchiveRecords(ctx, f, func(r store.ArchivedRecord) error {
			records++
			return enc.Encode(archiveRecordOf(r))
		})
	}
	if *out == "" {
		bw := bufio.NewWriter(stdout)
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		if err := export(enc); err != nil {
			return fmt.Errorf("archive export: %w", err)
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("archive export: %w", err)
		}
		return nil
	}
	// The archive holds what citizens wrote: readable by its owner only.
	if err := writeJSONLines(*out, 0o600, export); err != nil {
		return fmt.Errorf("archive export: --out %s: %w", *out, err)
	}
	fmt.Fprintf(stderr, "Exported %d messages (%d purged under the retention period) and %d phase changes, broadcasts and audit entries to %s.\n", n, redacted, records, *out)
	return nil
}

func archiveLineOf(m store.ArchivedMessage, names map[string]string) archiveLine {
	l := archiveLine{Record: "message", Time: m.At, Platform: m.Platform, Channel: string(m.Channel), Thread: m.ThreadID,
		Author: m.AuthorName, AuthorBot: m.AuthorBot, DM: m.DM, Text: m.Text, Redacted: m.Redacted}
	if d := m.Decision; d != nil {
		l.Lang = string(d.Lang)
		l.Decision = &archiveDecision{Action: string(d.Action), Reason: string(d.Reason), Entry: d.EntryID,
			Confidence: d.Confidence, Would: string(d.Would)}
		if d.Phase != 0 {
			l.Decision.Phase = d.Phase.String()
		}
	}
	if e := m.Escalation; e != nil {
		ae := &archiveEscalation{ID: e.ID, State: string(e.State), Topic: e.Topic, RoutedTo: e.RoutedTo,
			ClaimedBy: e.ClaimedBy, ClosedBy: e.ClosedBy, CloseReason: e.CloseReason}
		if !e.ClosedAt.IsZero() {
			at := e.ClosedAt
			ae.ClosedAt = &at
		}
		if !e.RelayedAt.IsZero() {
			at := e.RelayedAt
			ae.RelayedAt = &at
		}
		for _, a := range e.Answers {
			name := names[a.StaffID]
			switch {
			case name != "":
			case a.StaffID != "":
				name = a.StaffID // no longer on the roster
			default:
				name = a.DeskUserID
			}
			ae.Answers = append(ae.Answers, archiveAnswer{Staff: name, StaffID: a.StaffID, Text: a.Text,
				Lang: string(a.Lang), Status: string(a.Status), At: a.At})
		}
		l.Escalation = ae
	}
	for _, r := range m.Replies {
		ar := archiveReply{Kind: string(r.Kind), Lang: string(r.Lang), Text: r.Text, State: string(r.State),
			Helpful: r.Helpful, NotHelpful: r.NotHelpful}
		if !r.SentAt.IsZero() {
			at := r.SentAt
			ar.SentAt = &at
		}
		l.Replies = append(l.Replies, ar)
	}
	return l
}

// parseDay reads a --since or --until value: a day (local time) or an RFC
// 3339 instant. A day given to --until includes that whole day, so the
// instant returned is the start of the next one.
func parseDay(flagName, s string, endOfDay bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := time.ParseInLocation("2006-01-02", s, time.Local)
	if err != nil {
		return time.Time{}, usagef("%s %q: write a day as 2026-03-01 or an instant as 2026-03-01T09:00:00-05:00", flagName, s)
	}
	if endOfDay {
		d = d.AddDate(0, 0, 1)
	}
	return d, nil
}

func archivePurge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("archive purge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "configuration file; empty: embedded defaults")
	before := fs.String("before", "", "purge records older than this day (2006-01-02, local time) or instant (RFC 3339)")
	days := fs.Int("older-than-days", 0, "purge records older than this many days")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("archive purge: unexpected arguments %q", fs.Args())
	}
	daysSet := false
	fs.Visit(func(f *flag.Flag) { daysSet = daysSet || f.Name == "older-than-days" })
	now := time.Now()
	var cut time.Time
	switch {
	case *before != "" && daysSet:
		return usagef("archive purge: give --before or --older-than-days, not both")
	case *before != "":
		t, err := parseDay("--before", *before, false)
		if err != nil {
			return err
		}
		if t.After(now) {
			return usagef("archive purge: --before %s is in the future: records are purged only once they are older than it", *before)
		}
		cut = t
	case daysSet:
		if *days < 1 {
			return usagef("archive purge: --older-than-days %d: give a number of days, 1 or more", *days)
		}
		cut = retentionCutoff(now, *days)
	}

	cfg, st, _, err := openAdmin(ctx, *configPath, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	if cut.IsZero() {
		if cfg.Privacy.RetentionDays == 0 {
			return usagef("archive purge: retention is off in %s (privacy.retention_days = 0: records are kept forever): give --before DATE or --older-than-days N to purge anyway", configName(cfg))
		}
		cut = retentionCutoff(now, cfg.Privacy.RetentionDays)
	}
	r, err := st.PurgeVia(ctx, cut, "cli")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Purged records older than %s:\n", cut.Local().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(stdout, "  messages     %6d  (text and author removed; decisions kept)\n", r.Messages)
	fmt.Fprintf(stdout, "  askers       %6d  (question and name removed)\n", r.Askers)
	fmt.Fprintf(stdout, "  escalations  %6d  (question removed; staff answers kept)\n", r.Escalations)
	fmt.Fprintf(stdout, "  drafts       %6d  (citizen's question removed from drafts not approved)\n", r.Drafts)
	fmt.Fprintf(stdout, "  replies      %6d  (recipient's name removed)\n", r.Outbox)
	fmt.Fprintf(stdout, "  reactions    %6d  (user removed; counts kept)\n", r.Feedback)
	if r.Kept > 0 {
		fmt.Fprintf(stdout, "%d older messages are kept until the reply due to them is delivered.\n", r.Kept)
	}
	return nil
}

// retentionCutoff is the time records older than days are purged before.
func retentionCutoff(now time.Time, days int) time.Time {
	return now.UTC().AddDate(0, 0, -days)
}

// purger is what the retention loop needs of the store.
type purger interface {
	PurgeVia(ctx context.Context, before time.Time, via string) (store.PurgeResult, error)
}

// keepRetention purges records older than days now, then every interval,
// until ctx ends. After each purge that did not fail it calls forget, when
// not nil, for what shows the records (the web chat) to drop what is now
// purged: what this purge emptied, and what a purge from the command line
// emptied meanwhile. It logs counts, never citizen text.
func keepRetention(ctx context.Context, p purger, days int, every time.Duration, now func() time.Time,
	forget func(context.Context) error, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		r, err := p.PurgeVia(ctx, retentionCutoff(now(), days), "engine")
		attrs := []any{"before", r.Before, "messages", r.Messages, "askers", r.Askers, "escalations", r.Escalations,
			"drafts", r.Drafts, "outbox", r.Outbox, "feedback", r.Feedback, "kept", r.Kept}
		switch {
		case err != nil && ctx.Err() != nil: // shutting down: stopped between two batches
			if r.Changed() > 0 {
				log.Info("retention purge interrupted by shutdown", attrs...)
			}
			return
		case err != nil:
			log.Error("retention purge failed", append(attrs, "err", err)...)
		case r.Changed() > 0:
			log.Info("retention purge", attrs...)
		default:
			log.Debug("retention purge: nothing to do", attrs...)
		}
		if err == nil && forget != nil {
			if err := forget(ctx); err != nil && ctx.Err() == nil {
				log.Error("retention purge: what was purged is still shown", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

var _ purger = (*store.DB)(nil)
