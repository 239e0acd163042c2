package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/channels/web"
	"github.com/liaison-gc/liaison/i18n"
	"github.com/liaison-gc/liaison/knowledge"
	"github.com/liaison-gc/liaison/phases"
	"github.com/liaison-gc/liaison/store"
)

// Days of the archive tests, in local time as the flags read them.
var (
	dayJan = time.Date(2024, 1, 10, 10, 0, 0, 0, time.Local)
	dayMar = time.Date(2024, 3, 5, 15, 30, 0, 0, time.Local)
)

// seedArchive records, in the store of dataDir: a question answered in
// January, one escalated in March and answered by sam and relayed, and
// one recent shadow-mode question.
func seedArchive(t *testing.T, dataDir string) {
	t.Helper()
	ctx := context.Background()
	// The store records its own times (outbox items) with its clock: the
	// day of each question.
	clock := time.Now()
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"), store.WithClock(func() time.Time { return clock }))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	msg := func(id, text string, at time.Time) bot.Message {
		return bot.Message{Platform: "web", ChannelID: "help", ID: id, AuthorID: "u-" + id, AuthorName: "Marie " + id,
			Text: text, Time: at, Mentioned: true}
	}
	to := func(m bot.Message) bot.Address {
		return bot.Address{Platform: "web", ChannelID: "help", ReplyTo: m.ID, UserID: m.AuthorID, UserName: m.AuthorName}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	clock = dayJan
	jan := msg("jan", "How do I renew my PASSPORT?", dayJan)
	o := &bot.Outcome{Message: jan, Decision: bot.Decision{Action: bot.ActAnswer, Reason: bot.ReasonConfident, Phase: 2,
		Lang: bot.English, EntryID: "passport-renew", Confidence: 0.91, At: dayJan},
		Outbox: []bot.Outgoing{{To: to(jan), Reply: bot.Reply{Kind: bot.KindAnswer, Text: "Renew online.", Key: "answer:jan"}}}}
	must(st.SaveOutcome(ctx, o))
	must(st.MarkSent(ctx, o.Outbox[0].ID, bot.MessageRef{Platform: "web", ChannelID: "help", ID: "b1"}, dayJan.Add(time.Second)))

	clock = dayMar
	mar := msg("mar", "Mon chèque de prestation est en retard", dayMar)
	o = &bot.Outcome{Message: mar, Decision: bot.Decision{Action: bot.ActEscalate, Reason: bot.ReasonLowConfidence, Phase: 2, Lang: bot.French, At: dayMar},
		NewEscalation: &bot.Escalation{Topic: "benefits", Question: "Mon chèque de prestation est en retard", CreatedAt: dayMar},
		Outbox:        []bot.Outgoing{{To: to(mar), Reply: bot.Reply{Kind: bot.KindAck, Text: "Le personnel répondra.", Key: "ack:mar"}}}}
	must(st.SaveOutcome(ctx, o))
	must(st.MarkSent(ctx, o.Outbox[0].ID, bot.MessageRef{Platform: "web", ChannelID: "help", ID: "b2"}, dayMar.Add(time.Second)))
	e, err := st.Escalation(ctx, o.NewEscalation.ID)
	must(err)
	answeredAt := dayMar.Add(time.Hour)
	e.State, e.AnsweredBy, e.AnsweredAt, e.UpdatedAt = bot.StateAnswered, "sam", answeredAt, answeredAt
	c := &bot.EscalationChange{Escalation: &e,
		Answer: &bot.StaffAnswer{StaffID: "sam", EventID: "ev1", Text: "Il part demain.", Lang: bot.French, Status: bot.AnswerQueued, At: answeredAt},
		Outbox: []bot.Outgoing{{To: e.Askers[0].Address, MessageID: e.Askers[0].MessageID, AskerMessageID: e.Askers[0].MessageID,
			Reply: bot.Reply{Kind: bot.KindRelay, Text: "Il part demain. — Sam", Key: "relay:mar"}}}}
	must(st.ApplyEscalation(ctx, c))
	must(st.MarkSent(ctx, c.Outbox[0].ID, bot.MessageRef{Platform: "web", ChannelID: "help", ID: "b3"}, answeredAt.Add(time.Minute)))

	now := time.Now().Add(-time.Hour)
	clock = now
	recent := msg("now", "Where is the passport office?", now)
	must(st.SaveOutcome(ctx, &bot.Outcome{Message: recent, Decision: bot.Decision{Action: bot.ActShadow, Would: bot.ActAnswer,
		Reason: bot.ReasonConfident, Phase: 1, Lang: bot.English, EntryID: "offices", Confidence: 0.85, At: now}}))
}

// exported runs archive export and decodes its lines.
func exported(t *testing.T, args ...string) []map[string]any {
	t.Helper()
	out, _, err := runCLI(t, append([]string{"archive", "export"}, args...)...)
	if err != nil {
		t.Fatalf("archive export %v: %v", args, err)
	}
	return decodeLines(t, out)
}

func decodeLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		lines = append(lines, m)
	}
	return lines
}

// records keeps the lines whose "record" is kind.
func records(lines []map[string]any, kind string) []map[string]any {
	var out []map[string]any
	for _, l := range lines {
		if l["record"] == kind {
			out = append(out, l)
		}
	}
	return out
}

// replyTexts shows each line's replies as "kind state text", lines
// separated by " | ".
func replyTexts(lines []map[string]any) string {
	var out []string
	for _, l := range lines {
		var rs []string
		replies, _ := l["replies"].([]any)
		for _, r := range replies {
			r := r.(map[string]any)
			rs = append(rs, fmt.Sprint(r["kind"], " ", r["state"], " ", r["text"]))
		}
		out = append(out, strings.Join(rs, ", "))
	}
	return strings.Join(out, " | ")
}

func TestArchiveExportAndPurge(t *testing.T) {
	cfgPath, dataDir := testConfig(t)
	seedArchive(t, dataDir)

	all := exported(t, "--config", cfgPath)
	if len(all) != 3 {
		t.Fatalf("export of everything: %d lines, want 3", len(all))
	}
	jan := all[0]
	dec, _ := jan["decision"].(map[string]any)
	if jan["text"] != "How do I renew my PASSPORT?" || jan["author"] != "Marie jan" || jan["redacted"] != false ||
		jan["platform"] != "web" || jan["channel"] != "web:help" || jan["lang"] != "en" ||
		dec["action"] != "answer" || dec["entry"] != "passport-renew" || dec["confidence"] != 0.91 || dec["phase"] != "replies" {
		t.Errorf("January line = %v", jan)
	}
	if tm, err := time.Parse(time.RFC3339, jan["time"].(string)); err != nil || !tm.Equal(dayJan) {
		t.Errorf("time = %v, want %v", jan["time"], dayJan)
	}
	esc, _ := all[1]["escalation"].(map[string]any)
	answers, _ := esc["answers"].([]any)
	if esc["state"] != "relayed" || esc["topic"] != "benefits" || esc["relayed_at"] == nil || esc["id"] == nil || len(answers) != 1 {
		t.Fatalf("March escalation = %v", esc)
	}
	if a := answers[0].(map[string]any); a["staff"] != "Sam" || a["staff_id"] != "sam" || a["text"] != "Il part demain." || a["at"] == nil {
		t.Errorf("staff answer = %v", a)
	}
	if d := all[2]["decision"].(map[string]any); d["action"] != "shadow" || d["would"] != "answer" || d["phase"] != "broadcast" {
		t.Errorf("shadow decision = %v", d)
	}
	// What the bot said: January's answer; March's acknowledgement and
	// the signed staff answer relayed; nothing to the shadow record.
	if got := replyTexts(all); got != "answer sent Renew online. | ack sent Le personnel répondra., relay sent Il part demain. — Sam | " {
		t.Errorf("replies = %q", got)
	}
	if r := all[0]["replies"].([]any)[0].(map[string]any); r["sent_at"] == nil {
		t.Errorf("January's answer has no sent_at: %v", r)
	}

	// A range of days (both included), RFC 3339 instants, and a search.
	if got := exported(t, "--config", cfgPath, "--since", "2024-01-10", "--until", "2024-03-05"); len(got) != 2 {
		t.Errorf("--since 2024-01-10 --until 2024-03-05: %d lines, want 2 (both days included)", len(got))
	}
	if got := exported(t, "--config", cfgPath, "--since", "2024-01-11", "--until", "2024-12-31"); len(got) != 1 || got[0]["author"] != "Marie mar" {
		t.Errorf("--since 2024-01-11 --until 2024-12-31: %v", got)
	}
	// The staff answer written and relayed an hour after March's question
	// is a record of its own hour, with the question it answers.
	if got := exported(t, "--config", cfgPath, "--since", dayMar.Add(30*time.Minute).Format(time.RFC3339),
		"--until", dayMar.Add(2*time.Hour).Format(time.RFC3339)); len(got) != 1 || got[0]["author"] != "Marie mar" || got[0]["escalation"] == nil {
		t.Errorf("--since after March's question, before its answer: %v", got)
	}
	if got := exported(t, "--config", cfgPath, "--until", dayJan.Format(time.RFC3339)); len(got) != 0 {
		t.Errorf("--until an instant excludes it: %v", got)
	}
	if got := exported(t, "--config", cfgPath, "--contains", "passport"); len(got) != 2 || got[0]["author"] != "Marie jan" || got[1]["author"] != "Marie now" {
		t.Errorf("--contains passport: %v", got)
	}
	if got := exported(t, "--config", cfgPath, "--contains", "CHÈQUE"); len(got) != 1 {
		t.Errorf("--contains CHÈQUE: %d lines, want 1", len(got))
	}
	if got := exported(t, "--config", cfgPath, "--contains", "cheque de prestation"); len(got) != 1 {
		t.Errorf("--contains without the accent: %d lines, want March's (\"Mon chèque de prestation…\")", len(got))
	}

	// --out writes a file only its owner can read.
	outPath := filepath.Join(t.TempDir(), "archive.jsonl")
	out, errOut, err := runCLI(t, "archive", "export", "--config", cfgPath, "--out", outPath)
	if err != nil || out != "" || !strings.Contains(errOut, "Exported 3 messages") {
		t.Fatalf("--out: %v, stdout %q, stderr %q", err, out, errOut)
	}
	b, err := os.ReadFile(outPath)
	if err != nil || len(decodeLines(t, string(b))) != 3 {
		t.Fatalf("--out file: %v\n%s", err, b)
	}
	if fi, _ := os.Stat(outPath); fi.Mode().Perm() != 0o600 {
		t.Errorf("--out file mode %v, want 0600", fi.Mode().Perm())
	}

	// Purge what is older than June 2024: January and March lose the
	// citizen's words and name, keep everything else.
	out, _, err = runCLI(t, "archive", "purge", "--config", cfgPath, "--before", "2024-06-01")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"messages          2", "askers            1", "escalations       1", "drafts            0", "replies           3", "reactions         0"} {
		if !strings.Contains(out, want) {
			t.Errorf("purge output lacks %q:\n%s", want, out)
		}
	}
	afterAll := exported(t, "--config", cfgPath)
	after := records(afterAll, "message")
	if len(after) != 3 {
		t.Fatalf("after purge: %d message lines", len(after))
	}
	if a := records(afterAll, "audit"); len(a) != 1 || a[0]["action"] != "retention.purge" || a[0]["by"] != "retention" || a[0]["allowed"] != true {
		t.Errorf("after purge, the audit lines are %v, want the purge's", a)
	}
	for _, l := range after[:2] {
		if l["redacted"] != true || l["text"] != "" || l["author"] != "" || l["decision"] == nil {
			t.Errorf("purged line = %v", l)
		}
	}
	if esc := after[1]["escalation"].(map[string]any); len(esc["answers"].([]any)) != 1 || esc["state"] != "relayed" {
		t.Errorf("purge lost the staff answer: %v", esc)
	}
	if after[2]["redacted"] != false || after[2]["text"] == "" {
		t.Errorf("recent line purged: %v", after[2])
	}
	// The bot's words stay; whom they went to does not come back.
	if got := replyTexts(after); got != "answer sent Renew online. | ack sent Le personnel répondra., relay sent Il part demain. — Sam | " {
		t.Errorf("replies after purge = %q", got)
	}
	if b, _ := json.Marshal(after[:2]); strings.Contains(string(b), "Marie") || strings.Contains(string(b), "u-jan") {
		t.Errorf("purged lines still name the citizen: %s", b)
	}
	if got := exported(t, "--config", cfgPath, "--contains", "passport"); len(got) != 1 {
		t.Errorf("--contains finds purged text: %v", got)
	}

	// Again: nothing left to do.
	out, _, err = runCLI(t, "archive", "purge", "--config", cfgPath, "--before", "2024-06-01")
	if err != nil || !strings.Contains(out, "messages          0") {
		t.Errorf("second purge: %v\n%s", err, out)
	}
	st, err := store.Open(context.Background(), filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log, _ := st.AuditLog(context.Background(), 0)
	if len(log) != 1 || log[0].Action != "retention.purge" || log[0].Actor != "retention" || log[0].Via != "cli" {
		t.Errorf("audit log = %+v", log)
	}
}

// seedStaffDecisions records, on 2 April 2024, a question routed to nadia
// and closed by her without an answer, with a reason; on 10 April a phase
// change, a broadcast and a refused phase change.
func seedStaffDecisions(t *testing.T, dataDir string) {
	t.Helper()
	ctx := context.Background()
	clock := time.Date(2024, 4, 2, 10, 0, 0, 0, time.Local)
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"), store.WithClock(func() time.Time { return clock }))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	asked := clock
	q := bot.Message{Platform: "web", ChannelID: "help", ID: "file", AuthorID: "u-file", AuthorName: "Marie file",
		Text: "Can you look at my file?", Time: asked, Mentioned: true}
	o := &bot.Outcome{Message: q, Decision: bot.Decision{Action: bot.ActEscalate, Reason: bot.ReasonLowConfidence, Phase: 2, Lang: bot.English, At: asked},
		NewEscalation: &bot.Escalation{Topic: "benefits", Question: q.Text, RoutedTo: "nadia", RoutedAt: asked, CreatedAt: asked}}
	must(st.SaveOutcome(ctx, o))
	e, err := st.Escalation(ctx, o.NewEscalation.ID)
	must(err)
	clock = asked.Add(time.Hour)
	e.State, e.ClaimedBy, e.ClaimedAt = bot.StateClosed, "nadia", clock
	e.ClosedBy, e.CloseReason, e.ClosedAt = "nadia", "Answered by phone: case 4411", clock
	must(st.ApplyEscalation(ctx, &bot.EscalationChange{Escalation: &e,
		Audit: []bot.AuditEntry{{At: clock, Actor: "nadia", Via: "web", Action: "escalation.close", Target: "escalation:1", Detail: e.CloseReason, Allowed: true}}}))

	clock = time.Date(2024, 4, 10, 9, 0, 0, 0, time.Local)
	must(st.SavePhaseChange(ctx, phases.Change{From: phases.Replies, To: phases.Broadcast, By: "sam", Via: "cli", Reason: "Strike: answers paused", At: clock},
		bot.AuditEntry{Actor: "sam", Via: "cli", Action: "phase.set", Detail: "Strike: answers paused", Allowed: true}, nil))
	must(st.SaveBroadcast(ctx, &bot.Broadcast{EN: "Offices closed during the strike.", FR: "Bureaux fermés pendant la grève.", At: clock, By: "sam", Via: "cli"},
		bot.AuditEntry{Actor: "sam", Via: "cli", Action: "broadcast.create", Allowed: true}))
	must(st.Audit(ctx, bot.AuditEntry{At: clock.Add(time.Minute), Actor: "alex", Via: "slack", Action: "phase.set", Detail: "not a comms lead", Allowed: false}))
}

// Staff and comms decisions are records too: the close of an escalation
// with its reason and who, and the period's phase changes, broadcasts and
// audit entries (refusals included), each a line of its own after the
// messages.
func TestArchiveExportHoldsDecisionsOtherThanTheBots(t *testing.T) {
	cfgPath, dataDir := testConfig(t)
	seedStaffDecisions(t, dataDir)
	lines := exported(t, "--config", cfgPath, "--since", "2024-04-01", "--until", "2024-04-30")

	msgs := records(lines, "message")
	if len(msgs) != 1 || lines[0]["record"] != "message" {
		t.Fatalf("message lines %v, want the question of 2 April first", msgs)
	}
	esc, _ := msgs[0]["escalation"].(map[string]any)
	if esc["state"] != "closed" || esc["closed_by"] != "nadia" || esc["close_reason"] != "Answered by phone: case 4411" ||
		esc["closed_at"] == nil || esc["claimed_by"] != "nadia" || esc["routed_to"] != "nadia" {
		t.Errorf("closed escalation = %v", esc)
	}
	pc := records(lines, "phase_change")
	if len(pc) != 1 || pc[0]["from"] != "replies" || pc[0]["to"] != "broadcast" || pc[0]["by"] != "sam" || pc[0]["reason"] != "Strike: answers paused" || pc[0]["time"] == nil {
		t.Errorf("phase change lines %v", pc)
	}
	bc := records(lines, "broadcast")
	if len(bc) != 1 || bc[0]["en"] != "Offices closed during the strike." || bc[0]["fr"] != "Bureaux fermés pendant la grève." || bc[0]["by"] != "sam" {
		t.Errorf("broadcast lines %v", bc)
	}
	var refused, closed bool
	for _, a := range records(lines, "audit") {
		refused = refused || (a["by"] == "alex" && a["allowed"] == false && a["detail"] == "not a comms lead")
		closed = closed || (a["action"] == "escalation.close" && a["allowed"] == true)
	}
	if !refused || !closed {
		t.Errorf("audit lines %v lack the refusal or the close", records(lines, "audit"))
	}
	if n := len(msgs) + len(pc) + len(bc) + len(records(lines, "audit")); n != len(lines) {
		t.Errorf("%d lines, %d of known records", len(lines), n)
	}

	// Outside the period: none of them.
	if got := exported(t, "--config", cfgPath, "--since", "2024-05-01"); len(got) != 0 {
		t.Errorf("May: %v", got)
	}
}

// Every exported broadcast says where it went: one sent without choosing
// its channels names every channel configured for broadcasts it was
// queued to by the engine, as one that chose its channel names that one;
// one still scheduled without a choice says so with an empty list.
func TestArchiveExportSaysWhereEachBroadcastWent(t *testing.T) {
	cfgPath, _ := testConfig(t)
	for _, args := range [][]string{
		{"--en", "Offices close at noon.", "--fr", "Les bureaux ferment à midi."},
		{"--en", "The help desk closes early.", "--fr", "Le comptoir ferme tôt.", "--channel", "web:general"},
		{"--en", "Offices open again.", "--fr", "Les bureaux rouvrent.", "--at", "+2h"},
	} {
		if _, _, err := runCLI(t, append([]string{"broadcast", "--by", "sam", "--config", cfgPath}, args...)...); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	cfg, st, _, err := openAdmin(ctx, cfgPath, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := knowledge.Open(ctx, knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer kb.Close()
	msgs, err := i18n.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	ec := cfg.engineConfig()
	eng, err := bot.New(ec, bot.Deps{Store: st, Knowledge: kb, Messages: msgs, Detect: i18n.Detect})
	if err != nil {
		t.Fatal(err)
	}
	eng.Tick(ctx) // queues the two due broadcasts
	st.Close()
	var every []any
	for _, c := range ec.Channels {
		if c.Broadcast {
			every = append(every, string(c.Key))
		}
	}
	if len(every) < 2 {
		t.Fatalf("the default configuration broadcasts to %v: the test needs several channels", every)
	}

	bc := records(exported(t, "--config", cfgPath), "broadcast")
	want := []struct {
		state    string
		channels []any
	}{{"queued", every}, {"queued", []any{"web:general"}}, {"scheduled", []any{}}}
	if len(bc) != len(want) {
		t.Fatalf("broadcast lines %v", bc)
	}
	for i, w := range want {
		got, ok := bc[i]["channels"].([]any)
		if bc[i]["state"] != w.state || !ok || !reflect.DeepEqual(got, w.channels) {
			t.Errorf("broadcast %v: want state %s, channels %v", bc[i], w.state, w.channels)
		}
	}
}

// An export over an existing file (last quarter's name reused, a file made
// by another tool) holds what citizens wrote all the same: it is readable
// by its owner only, whatever the old file's mode.
func TestArchiveExportOverAnExistingFile(t *testing.T) {
	cfgPath, dataDir := testConfig(t)
	seedArchive(t, dataDir)
	dir := t.TempDir()
	outPath := filepath.Join(dir, "q1.jsonl")
	if err := os.WriteFile(outPath, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(outPath, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "archive", "export", "--config", cfgPath, "--out", outPath); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(outPath)
	if err != nil || len(decodeLines(t, string(b))) != 3 {
		t.Fatalf("--out file: %v\n%s", err, b)
	}
	if fi, _ := os.Stat(outPath); fi.Mode().Perm() != 0o600 {
		t.Errorf("--out over an existing 0644 file: mode %v, want 0600", fi.Mode().Perm())
	}
	if names, _ := os.ReadDir(dir); len(names) != 1 {
		t.Errorf("files left next to the export: %v", names)
	}
}

// A write that fails midway leaves the file as it was, and nothing next to
// it: never half an export.
func TestWriteJSONLinesFailingLeavesTheFileAsItWas(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.jsonl")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("store: archive: database is locked")
	err := writeJSONLines(path, 0o600, func(enc *json.Encoder) error {
		if err := enc.Encode(map[string]string{"text": "half"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want %v", err, boom)
	}
	if b, _ := os.ReadFile(path); string(b) != "old\n" {
		t.Errorf("file after a failed write: %q, want it as it was", b)
	}
	if names, _ := os.ReadDir(dir); len(names) != 1 {
		t.Errorf("files left after a failed write: %v", names)
	}
}

func TestArchivePurgeUsesTheConfiguredRetention(t *testing.T) {
	cfgPath, dataDir := testConfig(t)
	seedArchive(t, dataDir)
	// The test configuration keeps the default: two years. The seeded
	// records are older than that only once 2026 is well under way, so
	// compare with the cut-off the command reports.
	out, _, err := runCLI(t, "archive", "purge", "--config", cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	want := retentionCutoff(time.Now(), 730).Local().Format("2006-01-02")
	if !strings.Contains(out, "older than "+want) {
		t.Errorf("purge without flags did not use 730 days (cut-off %s):\n%s", want, out)
	}

	off := writeFile(t, "off.toml", "data_dir = \""+dataDir+"\"\n[privacy]\nretention_days = 0\n"+staffTOML)
	_, _, err = runCLI(t, "archive", "purge", "--config", off)
	var u usageError
	if !errors.As(err, &u) || !strings.Contains(err.Error(), "retention_days = 0") || !strings.Contains(err.Error(), "--older-than-days") {
		t.Errorf("purge with retention off: %v", err)
	}
	if _, _, err = runCLI(t, "archive", "purge", "--config", off, "--older-than-days", "30"); err != nil {
		t.Fatalf("--older-than-days 30 with retention off: %v", err)
	}
	if got := records(exported(t, "--config", off), "message"); len(got) != 3 || got[0]["redacted"] != true || got[1]["redacted"] != true || got[2]["redacted"] != false {
		t.Errorf("after --older-than-days 30: %v", got)
	}
}

func TestArchiveBadInput(t *testing.T) {
	cfgPath, _ := testConfig(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", []string{"archive"}, "archive export"},
		{"unknown subcommand", []string{"archive", "delete"}, `"delete"`},
		{"bad since", []string{"archive", "export", "--config", cfgPath, "--since", "last week"}, "--since"},
		{"bad until", []string{"archive", "export", "--config", cfgPath, "--until", "2024-13-01"}, "--until"},
		{"empty range", []string{"archive", "export", "--config", cfgPath, "--since", "2024-03-01", "--until", "2024-02-01"}, "not before"},
		{"stray argument", []string{"archive", "export", "--config", cfgPath, "passport"}, "--contains"},
		{"both cut-offs", []string{"archive", "purge", "--config", cfgPath, "--before", "2024-01-01", "--older-than-days", "3"}, "not both"},
		{"bad before", []string{"archive", "purge", "--config", cfgPath, "--before", "yesterday"}, "--before"},
		{"future before", []string{"archive", "purge", "--config", cfgPath, "--before", time.Now().AddDate(0, 0, 2).Format("2006-01-02")}, "future"},
		{"zero days", []string{"archive", "purge", "--config", cfgPath, "--older-than-days", "0"}, "--older-than-days 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCLI(t, tt.args...)
			var u usageError
			if !errors.As(err, &u) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want a usage error naming %q", err, tt.want)
			}
		})
	}
}

// fakePurger records the cut-offs it is given and reports each call.
type fakePurger struct {
	mu      sync.Mutex
	befores []time.Time
	calls   chan struct{}
	result  store.PurgeResult
}

func (f *fakePurger) PurgeVia(ctx context.Context, before time.Time, via string) (store.PurgeResult, error) {
	f.mu.Lock()
	f.befores = append(f.befores, before)
	f.mu.Unlock()
	f.calls <- struct{}{}
	r := f.result
	r.Before = before
	return r, nil
}

func TestKeepRetentionPurgesAtStartAndStopsWithItsContext(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	p := &fakePurger{calls: make(chan struct{}, 1), result: store.PurgeResult{Messages: 4, Askers: 1, Kept: 2}}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		keepRetention(ctx, p, 730, time.Hour, func() time.Time { return now }, nil, log)
		close(done)
	}()
	<-p.calls // the purge at start, without waiting for the first hour
	cancel()
	<-done
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.befores) != 1 || !p.befores[0].Equal(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("cut-offs = %v, want 2024-05-01 12:00 (730 days before)", p.befores)
	}
	if s := logs.String(); !strings.Contains(s, "retention purge") || !strings.Contains(s, "messages=4") || !strings.Contains(s, "kept=2") {
		t.Errorf("log = %s", s)
	}
}

func TestKeepRetentionWithTheStore(t *testing.T) {
	_, dataDir := testConfig(t)
	seedArchive(t, dataDir)
	st, err := store.Open(context.Background(), filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p := &signalling{DB: st, calls: make(chan struct{}, 1)}
	var logs bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		// As if it were 2024-06-01 with 30 days of retention.
		keepRetention(ctx, p, 30, time.Hour, func() time.Time { return time.Date(2024, 6, 1, 0, 0, 0, 0, time.Local) }, nil,
			slog.New(slog.NewJSONHandler(&logs, nil)))
		close(done)
	}()
	<-p.calls
	cancel()
	<-done
	var lines []store.ArchivedMessage
	if err := st.Archive(context.Background(), store.ArchiveFilter{}, func(m store.ArchivedMessage) error { lines = append(lines, m); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(lines) != 3 || !lines[0].Redacted || !lines[1].Redacted || lines[2].Redacted {
		t.Errorf("after the loop's purge: %+v", lines)
	}
	for _, secret := range []string{"PASSPORT", "chèque", "Marie"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log holds citizen data %q: %s", secret, logs.String())
		}
	}
	if !strings.Contains(logs.String(), `"messages":2`) {
		t.Errorf("log lacks the counts: %s", logs.String())
	}
}

// signalling is the real store, reporting each purge once it is done.
type signalling struct {
	*store.DB
	calls chan struct{}
}

func (s *signalling) PurgeVia(ctx context.Context, before time.Time, via string) (store.PurgeResult, error) {
	r, err := s.DB.PurgeVia(ctx, before, via)
	s.calls <- struct{}{}
	return r, err
}

// A purge from the command line runs in another process: the web chat of
// the serve running meanwhile drops what it emptied after serve's next
// purge, though that one changes nothing.
func TestKeepRetentionClearsTheWebChatOfACommandLinePurge(t *testing.T) {
	cfgPath, dataDir := testConfig(t)
	seedArchive(t, dataDir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	webSrv, err := web.New(web.Config{Addr: "127.0.0.1:0"}, "", web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := webSrv.Restore(ctx, st); err != nil {
		t.Fatal(err)
	}
	ln, err := webSrv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- webSrv.ServeListener(ctx, ln) }()
	defer func() { cancel(); <-served }()
	base := strings.TrimSuffix(webSrv.URLs().Chat, "/")
	if h := chatHistory(t, base, "help"); !strings.Contains(h, "PASSPORT") {
		t.Fatalf("the restored room lacks the old question:\n%s", h)
	}

	if _, _, err := runCLI(t, "archive", "purge", "--older-than-days", "30", "--config", cfgPath); err != nil {
		t.Fatal(err)
	}
	forgot := make(chan struct{}, 1)
	loop, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Serve's loop, as if it were 2024-02-01 with 30 days of
		// retention: nothing is older than its cut-off.
		keepRetention(loop, st, 30, time.Hour, func() time.Time { return time.Date(2024, 2, 1, 0, 0, 0, 0, time.Local) },
			func(ctx context.Context) error {
				err := webSrv.ForgetPurged(ctx, st)
				forgot <- struct{}{}
				return err
			}, slog.New(slog.DiscardHandler))
	}()
	select {
	case <-forgot:
	case <-time.After(30 * time.Second):
		t.Error("serve's purge, which changed nothing, did not go on to the web chat")
	}
	stop()
	<-done
	h := chatHistory(t, base, "help")
	for _, secret := range []string{"PASSPORT", "Marie jan", "chèque", "Marie mar"} {
		if strings.Contains(h, secret) {
			t.Errorf("after serve's next purge the chat still shows %q:\n%s", secret, h)
		}
	}
	if !strings.Contains(h, "Where is the passport office?") || !strings.Contains(h, "Il part demain") {
		t.Errorf("the newer message or the staff answer is gone:\n%s", h)
	}
}

// Each reply in the export says how many citizens rate it helpful or not
// helpful now, so that a records request sees the ratings reports count.
func TestArchiveExportSaysHowCitizensRatedEachReply(t *testing.T) {
	cfgPath, dataDir := testConfig(t)
	seedArchive(t, dataDir)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []bot.Reaction{
		{Platform: "web", ChannelID: "help", MessageID: "b1", UserID: "u-jan", Value: 1},   // the answer, by its asker
		{Platform: "web", ChannelID: "help", MessageID: "b1", UserID: "u-other", Value: 1}, // and by someone else in the room
		{Platform: "web", ChannelID: "help", MessageID: "b3", UserID: "u-mar", Value: -1},  // the relayed staff answer
	} {
		if err := st.SaveFeedback(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	var got []string
	for _, l := range records(exported(t, "--config", cfgPath), "message") {
		replies, _ := l["replies"].([]any)
		for _, r := range replies {
			r := r.(map[string]any)
			got = append(got, fmt.Sprint(r["kind"], " ", r["helpful"], " ", r["not_helpful"]))
		}
	}
	want := []string{"answer 2 <nil>", "ack <nil> <nil>", "relay <nil> 1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("replies (kind helpful not_helpful) = %q, want %q", got, want)
	}
}
