package main

import (
	"context"
	"database/sql"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/channels/discord/fakediscord"
	_ "github.com/liaison-gc/liaison/store" // registers the sqlite3 driver
)

// startServe starts `liaison serve --config cfg` and waits until it prints
// its health address. It returns the channel serve's result arrives on.
func startServe(t *testing.T, ctx context.Context, cfg string, out, errOut *lockedBuffer) <-chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--config", cfg}, out, errOut) }()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if healthRe.MatchString(out.String()) {
			return done
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped early: %v\n%s", err, errOut.String())
		default:
		}
	}
	t.Fatalf("serve did not start:\n%s\n%s", out.String(), errOut.String())
	return nil
}

func freeLoopbackPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// When admin.addr is taken, serve fails and frees the web port it had
// opened just before.
func TestServeFailingToStartFreesTheWebPort(t *testing.T) {
	clearSecrets(t)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	webAddr := freeLoopbackPort(t)
	cfg := writeFile(t, "serve.toml", "data_dir = \""+t.TempDir()+"\"\n[admin]\naddr = \""+taken.Addr().String()+
		"\"\n[web]\naddr = \""+webAddr+"\"\n"+staffTOML)
	var out, errOut lockedBuffer
	err = run(context.Background(), []string{"serve", "--config", cfg}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "admin.addr") {
		t.Fatalf("serve with admin.addr taken: %v", err)
	}
	ln, err := net.Listen("tcp", webAddr)
	if err != nil {
		t.Fatalf("after serve returned its error, web.addr %s is still bound by serve: %v", webAddr, err)
	}
	ln.Close()
}

// A Discord message received before SIGTERM whose handling is still in
// progress when the channels are told to stop is recorded before the store
// closes: the Discord channel gives its events discordgo's 1 s close plus
// ShutdownTimeout (10 s), and serve waits longer than that. Here the
// database is busy (another process holds the write lock) until 10.5 s
// after the stop. Discord never redelivers a gateway event.
func TestServeStopsAfterDiscordHasRecordedWhatItReceived(t *testing.T) {
	clearSecrets(t)
	fake := fakediscord.Start(t, fakediscord.Config{})
	fake.AddGuild("111111111111111111", 10)
	fake.AddChannel("111111111111111111", "222222222222222222", "help")
	t.Setenv(envDiscordToken, fake.Token())
	dataDir := t.TempDir()
	cfg := writeFile(t, "serve.toml", "data_dir = \""+dataDir+"\"\n[admin]\naddr = \"127.0.0.1:0\"\n"+
		"[discord]\nguilds = [\"111111111111111111\"]\napi_url = \""+fake.URL+"\"\n"+
		"[[discord.channel]]\nid = \"222222222222222222\"\nname = \"help\"\nhelp = true\n"+staffTOML)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut lockedBuffer
	done := startServe(t, ctx, cfg, &out, &errOut)
	fake.AwaitReady(t)

	// Another process (a backup, `liaison archive purge`) holds the write
	// lock for a while.
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dataDir, "liaison.db")+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	fake.Post(fakediscord.Post{ChannelID: "222222222222222222", Author: fakediscord.User{ID: "333333333333333333", Username: "citizen"},
		Content: "How do I renew my passport?"})
	time.Sleep(300 * time.Millisecond) // received, being handled

	stopAt := time.Now()
	cancel() // SIGTERM
	released := make(chan struct{})
	go func() {
		defer close(released)
		time.Sleep(time.Until(stopAt.Add(10500 * time.Millisecond)))
		_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
	}()
	var serveErr error
	select {
	case serveErr = <-done:
	case <-time.After(40 * time.Second):
		t.Fatal("serve did not stop")
	}
	returnedAfter := time.Since(stopAt)
	// What is on disk when serve returns, i.e. when the process exits.
	var n int
	if err := db.QueryRow("SELECT count(*) FROM messages WHERE platform = 'discord'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	<-released
	later := n
	for deadline := time.Now().Add(3 * time.Second); later == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		_ = db.QueryRow("SELECT count(*) FROM messages WHERE platform = 'discord'").Scan(&later)
	}
	if serveErr != nil {
		t.Fatalf("serve: %v", serveErr)
	}
	if n != 1 {
		t.Errorf("serve returned %.1fs after SIGTERM with the Discord message received before it not recorded (messages: %d); "+
			"the channel was still handling it within its own shutdown budget (1s close + %v) and found the store closed "+
			"(messages 3s later: %d).\nlog: %s",
			returnedAfter.Seconds(), n, 10*time.Second, later, grepLines(errOut.String(), "did not close", "not recorded", "abandoned", "stopped"))
	}
}

// SIGTERM while Discord's gateway is down (refusing connections, the
// channel waiting between two tries) and a reply is stuck on a slow API:
// serve stops within its shutdown deadlines, leaves nothing of the Discord
// session running, and keeps the reply in the outbox; the next start sends
// it, once.
func TestServeStopsDuringADiscordOutageAndSendsTheWaitingReplyAtNextStart(t *testing.T) {
	clearSecrets(t)
	const guild, help = "111111111111111111", "222222222222222222"
	fake := fakediscord.Start(t, fakediscord.Config{})
	fake.AddGuild(guild, 10)
	fake.AddChannel(guild, help, "help")
	t.Setenv(envDiscordToken, fake.Token())
	dataDir := t.TempDir()
	cfg := writeFile(t, "serve.toml", "data_dir = \""+dataDir+"\"\n[admin]\naddr = \"127.0.0.1:0\"\n"+
		"[discord]\nguilds = [\""+guild+"\"]\napi_url = \""+fake.URL+"\"\n"+
		"[[discord.channel]]\nid = \""+help+"\"\nname = \"help\"\nhelp = true\n"+staffTOML)
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dataDir, "liaison.db")+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pending := func() int {
		var n int
		_ = db.QueryRow("SELECT count(*) FROM outbox WHERE platform = 'discord' AND state = 'pending'").Scan(&n)
		return n
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut lockedBuffer
	done := startServe(t, ctx, cfg, &out, &errOut)
	fake.AwaitReady(t)
	release := fake.Hold(help) // the API takes the reply and never answers
	defer release()
	fake.Post(fakediscord.Post{ChannelID: help, Author: fakediscord.User{ID: "333333333333333333", Username: "citizen"},
		Content: "How do I renew my passport?"})
	fake.AwaitWithin(t, 30*time.Second, "the reply in the outbox", func() bool { return pending() == 1 })
	fake.Outage()
	fake.AwaitWithin(t, 30*time.Second, "the channel to retry the refused gateway", func() bool {
		return strings.Count(errOut.String(), "gateway connection failed; retrying") >= 2
	})

	cancel() // SIGTERM
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(2 * (drainTimeout + closeTimeout)):
		t.Fatalf("serve did not stop during the gateway outage:\n%s", goroutinesOf("bwmarrin/discordgo"))
	}
	if strings.Contains(errOut.String(), "did not close in time") {
		t.Errorf("a part of serve did not stop during the gateway outage:\n%s", grepLines(errOut.String(), "did not close in time"))
	}
	fake.AwaitWithin(t, 10*time.Second, "the Discord session to end", func() bool {
		return goroutinesOf("bwmarrin/discordgo", "liaison/channels/discord.") == ""
	})
	if n := len(fake.Posted("")); n != 0 {
		t.Fatalf("%d messages posted through the hold", n)
	}
	if n := pending(); n != 1 {
		t.Fatalf("after the stop, %d replies wait in the outbox, want 1", n)
	}

	// Discord is back; serve starts again.
	release()
	fake.EndOutage()
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	var out2, errOut2 lockedBuffer
	done2 := startServe(t, ctx2, cfg, &out2, &errOut2)
	fake.AwaitWithin(t, 30*time.Second, "the reply after the restart", func() bool { return len(fake.Posted(help)) > 0 })
	cancel2()
	select {
	case err := <-done2:
		if err != nil {
			t.Fatalf("serve after the restart: %v", err)
		}
	case <-time.After(2 * (drainTimeout + closeTimeout)):
		t.Fatal("serve did not stop after the restart")
	}
	if ps := fake.Posted(""); len(ps) != 1 || !strings.Contains(ps[0].Content, "passport") {
		t.Errorf("after the restart, posted %d messages, want the waiting reply once: %+v", len(ps), ps)
	}
	if n := pending(); n != 0 {
		t.Errorf("after the restart, %d replies still wait in the outbox", n)
	}
}

// goroutinesOf returns the stacks of the goroutines with a frame in any of
// the packages named.
func goroutinesOf(pkgs ...string) string {
	buf := make([]byte, 4<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var b strings.Builder
	for _, g := range strings.Split(string(buf), "\n\n") {
		for _, p := range pkgs {
			if strings.Contains(g, p) {
				b.WriteString(g + "\n\n")
				break
			}
		}
	}
	return b.String()
}

func grepLines(s string, words ...string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		for _, w := range words {
			if strings.Contains(l, w) {
				b.WriteString(l + "\n")
				break
			}
		}
	}
	return b.String()
}
