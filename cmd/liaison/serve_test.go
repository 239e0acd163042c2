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
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/channels/discord/fakediscord"
	"github.com/liaison-gc/liaison/knowledge"
	"github.com/liaison-gc/liaison/phases"
	"github.com/liaison-gc/liaison/store"
)

// lockedBuffer is a bytes.Buffer safe for a writer and a reader in two
// goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var healthRe = regexp.MustCompile(`http://([0-9.:]+)/healthz`)

func TestServeStartsReportsHealthAndStopsCleanly(t *testing.T) {
	clearSecrets(t)
	dataDir := t.TempDir()
	cfg := writeFile(t, "serve.toml", "data_dir = \""+dataDir+"\"\n[admin]\naddr = \"127.0.0.1:0\"\n[web]\naddr = \"127.0.0.1:0\"\n"+staffTOML)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut lockedBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--config", cfg}, &out, &errOut) }()

	var admin string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && admin == ""; time.Sleep(20 * time.Millisecond) {
		if m := healthRe.FindStringSubmatch(out.String()); m != nil {
			admin = m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped early: %v\n%s", err, errOut.String())
		default:
		}
	}
	if admin == "" {
		t.Fatalf("no health address printed:\n%s\n%s", out.String(), errOut.String())
	}
	for _, want := range []string{"Citizen chat: http://127.0.0.1:", "Staff desk:", "Comms page:", "phase replies"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("start message lacks %q:\n%s", want, out.String())
		}
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get("http://" + admin + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d %s", p, resp.StatusCode, body)
		}
	}
	// A phase change from the CLI, while serve runs, is announced.
	if _, _, err := runCLI(t, "phase", "set", "broadcast", "--config", cfg, "--by", "ops", "--reason", "pause during the outage"); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(errOut.String(), `"msg":"stopped"`) {
		t.Errorf("no clean stop logged:\n%s", errOut.String())
	}
	// The store logs to serve's log: an upgrade shows the migrations it applied.
	if !strings.Contains(errOut.String(), `"msg":"store: migration applied","migration":"001_init.sql"`) {
		t.Errorf("the migrations applied to a new database are not logged:\n%s", errOut.String())
	}
	if strings.Contains(errOut.String(), "xoxb") || strings.Contains(errOut.String(), "TOKEN=") {
		t.Error("a secret reached the log")
	}
	// The announcement went out through the desk before the store closed.
	st, err := store.Open(context.Background(), filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	items, err := st.Pending(context.Background(), bot.DeskPlatform, time.Now(), 10)
	if err != nil || len(items) != 0 {
		t.Errorf("desk items still pending after shutdown: %d %v", len(items), err)
	}
}

func TestPhaseCommands(t *testing.T) {
	cfg, dataDir := testConfig(t)
	tests := []struct {
		name    string
		args    []string
		wantErr string
		usage   bool
	}{
		{"no reason", []string{"phase", "set", "broadcast", "--by", "ops"}, "phase set: A reason is required. Give it with --reason TEXT", true},
		{"no author", []string{"phase", "set", "broadcast", "--reason", "x"}, "who is making the change", true},
		{"unknown phase", []string{"phase", "set", "launch", "--by", "ops", "--reason", "x"}, "unknown phase", true},
		{"unknown channel", []string{"phase", "set", "replies", "--channel", "nowhere", "--by", "ops", "--reason", "x"}, "unknown channel", true},
		{"global", []string{"phase", "set", "broadcast", "--by", "ops", "--reason", "start in broadcast mode"}, "", false},
		{"pilot", []string{"phase", "set", "--channel", "help", "replies", "--by", "ops", "--reason", "pilot in help"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCLI(t, append(tt.args, "--config", cfg)...)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var u usageError
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || errors.As(err, &u) != tt.usage {
				t.Errorf("err = %v, want %q (usage %v)", err, tt.wantErr, tt.usage)
			}
			// A refusal reads as the desks show it, once, not with the
			// error chain's sentinels ("invalid request: invalid phase change: ...").
			if err != nil && strings.Contains(err.Error(), "invalid") {
				t.Errorf("err = %v, says what failed inside", err)
			}
		})
	}
	out, _, err := runCLI(t, "phase", "show", "--config", cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Global phase: broadcast", "web:help", "replies", "override", "pilot in help", "by ops (cli)"} {
		if !strings.Contains(out, want) {
			t.Errorf("phase show lacks %q:\n%s", want, out)
		}
	}
	st, _ := store.Open(context.Background(), filepath.Join(dataDir, "liaison.db"))
	defer st.Close()
	s, _ := st.PhaseState(context.Background(), phases.Replies)
	if s.Global != phases.Broadcast || s.For("web:help") != phases.Replies {
		t.Errorf("state = %+v", s)
	}
}

// The override of a channel no longer in the configuration (web:gone) is
// ended with its full key; a phase cannot be set there.
func TestPhaseClearEndsTheOverrideOfARemovedChannel(t *testing.T) {
	cfg, dataDir := testConfig(t)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := phases.Change{Channel: "web:gone", From: phases.Replies, To: phases.Broadcast, By: "ops", Via: "cli", Reason: "pilot"}
	if err := st.SavePhaseChange(ctx, c, bot.AuditEntry{Actor: "ops", Via: "cli", Action: "phase.set", Allowed: true}, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "phase", "set", "replies", "--channel", "web:gone", "--config", cfg, "--by", "ops", "--reason", "x"); err == nil {
		t.Error("a phase was set in a channel that is not configured")
	}
	if _, _, err := runCLI(t, "phase", "set", "--clear", "--channel", "web:gone", "--config", cfg, "--by", "ops", "--reason", "pilot over"); err != nil {
		t.Fatal(err)
	}
	if s, err := st.PhaseState(ctx, phases.Replies); err != nil || len(s.Overrides) != 0 {
		t.Errorf("state = %+v, %v; want the override ended", s, err)
	}
}

func TestBroadcastCommand(t *testing.T) {
	cfg, dataDir := testConfig(t)
	_, _, err := runCLI(t, "broadcast", "--config", cfg, "--en", "Offices close early today.")
	if err == nil || !strings.Contains(err.Error(), "broadcast: The French text is missing") || strings.Contains(err.Error(), "invalid request") {
		t.Fatalf("without French: %v", err)
	}
	// Every problem at once, one a line.
	_, _, err = runCLI(t, "broadcast", "--config", cfg)
	if err == nil || !strings.Contains(err.Error(), "broadcast:\n  The English text is missing") ||
		!strings.Contains(err.Error(), ".\n  The French text is missing") || strings.Contains(err.Error(), "invalid request") {
		t.Fatalf("without either text: %v", err)
	}
	_, _, err = runCLI(t, "broadcast", "--config", cfg, "--en", "a", "--fr", "b", "--at", "tomorrow")
	if err == nil || !strings.Contains(err.Error(), "--at") {
		t.Fatalf("bad time: %v", err)
	}
	// A past time (a year mistyped) would publish at once: refused, saying
	// how to send now, and nothing is stored.
	_, _, err = runCLI(t, "broadcast", "--config", cfg, "--en", "a", "--fr", "b", "--at", time.Now().AddDate(-1, 0, 0).Format("2006-01-02 15:04"))
	if err == nil || !strings.Contains(err.Error(), "--at") || !strings.Contains(err.Error(), "past") || !strings.Contains(err.Error(), "leave --at out") {
		t.Fatalf("past time: %v", err)
	}
	out, _, err := runCLI(t, "broadcast", "--config", cfg, "--en", "Offices close early today.", "--fr", "Les bureaux ferment tôt aujourd’hui.", "--at", "+2h", "--channel", "help", "--by", "ops")
	if err != nil || !strings.Contains(out, "Announcement 1 scheduled") {
		t.Fatalf("%v %s", err, out)
	}
	st, _ := store.Open(context.Background(), filepath.Join(dataDir, "liaison.db"))
	defer st.Close()
	list, err := st.Broadcasts(context.Background(), 0)
	if err != nil || len(list) != 1 || list[0].By != "ops" || len(list[0].Channels) != 1 || list[0].Channels[0] != "web:help" || time.Until(list[0].At) < time.Hour {
		t.Fatalf("broadcasts = %+v %v", list, err)
	}
}

// Without --channel a broadcast goes to the channels configured for
// broadcasts: when there are none, it is refused up front, with what to do,
// rather than reported scheduled and never sent.
func TestBroadcastCommandWithNoBroadcastChannel(t *testing.T) {
	clearSecrets(t)
	dataDir := t.TempDir()
	cfg := writeFile(t, "config.toml", "data_dir = \""+dataDir+"\"\n"+
		"[[web.room]]\nid = \"help\"\nname_en = \"Help\"\nname_fr = \"Aide\"\nhelp = true\n"+staffTOML)
	out, _, err := runCLI(t, "broadcast", "--config", cfg, "--en", "Offices close at noon.", "--fr", "Les bureaux ferment à midi.", "--by", "sam")
	var u usageError
	if !errors.As(err, &u) || !strings.Contains(err.Error(), "No channel is configured for broadcasts") || !strings.Contains(err.Error(), "broadcast = true") {
		t.Fatalf("without --channel or a broadcast channel: err = %v, stdout %q", err, out)
	}
	if _, _, err := runCLI(t, "broadcast", "--config", cfg, "--en", "Offices close at noon.", "--fr", "Les bureaux ferment à midi.", "--by", "sam", "--channel", "help"); err != nil {
		t.Fatalf("--channel help: %v", err)
	}
	st, _ := store.Open(context.Background(), filepath.Join(dataDir, "liaison.db"))
	defer st.Close()
	list, err := st.Broadcasts(context.Background(), 0)
	if err != nil || len(list) != 1 || len(list[0].Channels) != 1 || list[0].Channels[0] != "web:help" {
		t.Fatalf("broadcasts = %+v %v; want only the one naming its channel", list, err)
	}
	log, _ := st.AuditLog(context.Background(), 0)
	if len(log) != 2 || log[1].Action != "broadcast.create" || log[1].Allowed || log[0].Action != "broadcast.create" || !log[0].Allowed {
		t.Errorf("audit = %+v, want the refusal then the broadcast", log)
	}
}

// serve refuses a knowledge base with an entry in one language naming the
// file and line, and says how to serve it anyway with the configuration
// key, since serve takes no --allow-unpaired flag.
func TestServeWithAnUnpairedEntryNamesTheConfigKey(t *testing.T) {
	clearSecrets(t)
	dir := t.TempDir()
	kb := kbWrite(t, dir, "a.toml", "[[entry]]\nid = \"x\"\ntopic = \"t\"\n[entry.en]\nquestion = \"q\"\nanswer = \"a\"\n")
	cfg := writeFile(t, "unpaired.toml", "data_dir = \""+t.TempDir()+"\"\n[knowledge]\npath = \""+dir+"\"\n"+staffTOML)
	_, _, err := runCLI(t, "serve", "--config", cfg)
	if err == nil {
		t.Fatal("serve started on an unpaired entry")
	}
	for _, want := range []string{kb + ":4", "entry x [fr]", "knowledge.allow_unpaired = true"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	// kb check, which takes the flag, names it too.
	_, stderr, _ := runCLI(t, "kb", "check", "--kb", dir)
	if !strings.Contains(stderr, "--allow-unpaired") {
		t.Errorf("kb check does not name --allow-unpaired:\n%s", stderr)
	}
}

var deskURL = regexp.MustCompile(`Staff desk:\s+(http://\S+)/desk`)

// With Discord and without Slack, the web desk is the staff desk (web.enabled
// left at "auto"): a Discord citizen's question that escalates is shown
// there, and the answer given there reaches the citizen on Discord.
func TestServeWithDiscordAndNoSlackRunsTheWebDesk(t *testing.T) {
	clearSecrets(t)
	const token = "shared-desk-token-0123456"
	t.Setenv(envWebToken, token)
	const guild, help, citizen = "111111111111111111", "222222222222222222", "333333333333333333"
	fake := fakediscord.Start(t, fakediscord.Config{})
	fake.AddGuild(guild, 10)
	fake.AddChannel(guild, help, "help")
	t.Setenv(envDiscordToken, fake.Token())
	cfg := writeFile(t, "serve.toml", "data_dir = \""+t.TempDir()+"\"\n[admin]\naddr = \"127.0.0.1:0\"\n[web]\naddr = \"127.0.0.1:0\"\n"+
		"[discord]\nguilds = [\""+guild+"\"]\napi_url = \""+fake.URL+"\"\n"+
		"[[discord.channel]]\nid = \""+help+"\"\nname = \"help\"\nhelp = true\n"+staffTOML)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut lockedBuffer
	done := startServe(t, ctx, cfg, &out, &errOut)
	fake.AwaitReady(t)
	for _, want := range []string{"Channel:      discord", "Staff desk:   http://127.0.0.1:", "Comms page:   http://127.0.0.1:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("start message lacks %q:\n%s", want, out.String())
		}
	}
	m := deskURL.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no web desk with Discord and without Slack:\n%s", out.String())
	}
	api := func(method, path string, body any, v any) {
		t.Helper()
		var r io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			r = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, m[1]+path, r)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(res.Body)
			t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, b)
		}
		if err := json.NewDecoder(res.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}

	fake.Post(fakediscord.Post{ChannelID: help, Author: fakediscord.User{ID: citizen, Username: "citizen"},
		Content: "Why is the office on Elm Street closed on a Tuesday?"})
	var shown []struct {
		ID  int64  `json:"id"`
		Ref string `json:"ref"`
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && (len(shown) == 0 || shown[0].Ref == ""); time.Sleep(50 * time.Millisecond) {
		api("GET", "/api/desk/escalations", nil, &shown)
	}
	if len(shown) != 1 || shown[0].Ref == "" {
		t.Fatalf("the escalated Discord question is not on the web desk: %+v\n%s", shown, errOut.String())
	}
	var answered map[string]any
	api("POST", "/api/desk/answer", map[string]any{"as": "sam", "id": shown[0].ID, "text": "It is closed for renovations until May."}, &answered)
	fake.Await(t, "the desk's answer relayed on Discord", func() bool {
		for _, p := range fake.Posted(help) {
			if strings.Contains(p.Content, "closed for renovations until May") {
				return true
			}
		}
		return false
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
}

var chatURLRe = regexp.MustCompile(`Citizen chat: (http://[0-9.:]+)/`)

// chatHistory is what a new visitor of the web chat's room is sent before
// the live events.
func chatHistory(t *testing.T, base, room string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/chat/events?room="+room, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if sc.Text() == "event: ready" {
			return b.String()
		}
		b.WriteString(sc.Text() + "\n")
	}
	t.Fatalf("the stream of room %s ended before its history did:\n%s", room, b.String())
	return ""
}

// A new visitor of the web chat is no longer shown what serve's retention
// purge emptied: here the purge at start, of records older than 30 days,
// after the rooms were restored from the store.
func TestServeClearsTheWebChatOfWhatItsPurgeEmptied(t *testing.T) {
	clearSecrets(t)
	dataDir := t.TempDir()
	seedArchive(t, dataDir)
	cfg := writeFile(t, "serve.toml", "data_dir = \""+dataDir+"\"\n[privacy]\nretention_days = 30\n[admin]\naddr = \"127.0.0.1:0\"\n[web]\naddr = \"127.0.0.1:0\"\n"+staffTOML)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut lockedBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--config", cfg}, &out, &errOut) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v", err)
		}
	}()
	var base string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && base == ""; time.Sleep(20 * time.Millisecond) {
		if m := chatURLRe.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatalf("no chat address printed:\n%s\n%s", out.String(), errOut.String())
	}
	var h string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if h = chatHistory(t, base, "help"); !strings.Contains(h, "PASSPORT") {
			break
		}
	}
	for _, secret := range []string{"PASSPORT", "Marie jan", "chèque", "Marie mar"} {
		if strings.Contains(h, secret) {
			t.Errorf("after serve's purge the chat still shows %q:\n%s", secret, h)
		}
	}
	if !strings.Contains(h, "Where is the passport office?") {
		t.Errorf("the message newer than the retention period is gone:\n%s", h)
	}
}

// /readyz fails, saying why, when the database file is deleted while serve
// runs (everything recorded from then on would be lost at the next start);
// /healthz does not read the database.
func TestReadyzFailsWhenTheDatabaseFileIsDeleted(t *testing.T) {
	clearSecrets(t)
	dataDir := t.TempDir()
	admin := freeLoopbackPort(t)
	cfg := writeFile(t, "serve.toml", "data_dir = \""+dataDir+"\"\n[admin]\naddr = \""+admin+"\"\n[web]\naddr = \"127.0.0.1:0\"\n"+staffTOML)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut lockedBuffer
	done := startServe(t, ctx, cfg, &out, &errOut)
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get("http://" + admin + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz before: %d %s", code, body)
	}
	db := filepath.Join(dataDir, "liaison.db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(db + suffix); err != nil {
			t.Fatal(err)
		}
	}
	if code, body := get("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, db) || !strings.Contains(body, "deleted or replaced") {
		t.Errorf("/readyz after the database file was deleted: %d %s", code, body)
	}
	if code, body := get("/healthz"); code != http.StatusOK {
		t.Errorf("/healthz: %d %s", code, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve returned %v", err)
	}
}

// A reload that fails for the edit says the edit was rejected; one that
// fails for the disk does not blame the edit.
func TestReloadErrorsSayWhetherTheEditIsAtFault(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	dir := t.TempDir()
	kbPath := filepath.Join(dir, "kb.toml")
	if err := os.WriteFile(kbPath, []byte("[[entry]]\nid = \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := knowledge.Load(kbPath)
	if err == nil {
		t.Fatal("a broken knowledge base loaded")
	}
	logReloadError(log, err)
	if out := logs.String(); !strings.Contains(out, "edit rejected") {
		t.Errorf("a broken edit is logged as:\n%s", out)
	}
	logs.Reset()
	logReloadError(log, fmt.Errorf("build index: %w", syscall.ENOSPC))
	if out := logs.String(); strings.Contains(out, "rejected") || !strings.Contains(out, "disk") {
		t.Errorf("a full disk is logged as:\n%s", out)
	}
}
