package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/channels/discord/fakediscord"
	"github.com/liaison-gc/liaison/i18n"
	"github.com/liaison-gc/liaison/knowledge"
	"github.com/liaison-gc/liaison/store"
)

// getStatus fetches /statusz from admin, which answers 200 whatever the
// state of the parts.
func getStatus(t *testing.T, admin string) (statusReport, string) {
	t.Helper()
	res, err := http.Get("http://" + admin + "/statusz")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/statusz: %d %s", res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("/statusz Content-Type %q", ct)
	}
	var r statusReport
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("/statusz: %v\n%s", err, body)
	}
	return r, string(body)
}

// awaitStatus polls /statusz until cond holds, failing after a generous
// deadline with the last report.
func awaitStatus(t *testing.T, admin, what string, cond func(statusReport) bool) statusReport {
	t.Helper()
	var body string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var r statusReport
		r, body = getStatus(t, admin)
		if cond(r) {
			return r
		}
	}
	t.Fatalf("/statusz never showed %s; last:\n%s", what, body)
	return statusReport{}
}

func channelOf(r statusReport, role, name string) channelStatus {
	for _, c := range r.Channels {
		if c.Role == role && c.Name == name {
			return c
		}
	}
	return channelStatus{}
}

// /statusz reports every part of serve: the Discord gateway lost (degraded,
// the report still 200) and back, a knowledge-base edit refused (the older
// base served, with the error) and then fixed, escalations waiting, and a
// reply Discord refused.
func TestStatuszReportsEachPartTurningDegradedAndBack(t *testing.T) {
	clearSecrets(t)
	const guild, help, citizen = "111111111111111111", "222222222222222222", "333333333333333333"
	fake := fakediscord.Start(t, fakediscord.Config{})
	fake.AddGuild(guild, 10)
	fake.AddChannel(guild, help, "help")
	t.Setenv(envDiscordToken, fake.Token())
	kbDir := t.TempDir()
	kbFile := filepath.Join(kbDir, "base.toml")
	writeKB := func(body string) {
		tmp := filepath.Join(t.TempDir(), "base.toml")
		if err := os.WriteFile(tmp, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, kbFile); err != nil {
			t.Fatal(err)
		}
	}
	writeKB(baseTOML)
	cfg := writeFile(t, "serve.toml", fmt.Sprintf("data_dir = %q\n[admin]\naddr = \"127.0.0.1:0\"\n[web]\naddr = \"127.0.0.1:0\"\n"+
		"[knowledge]\npath = %q\nreload_interval = \"1s\"\n"+
		"[discord]\nguilds = [%q]\napi_url = %q\n[[discord.channel]]\nid = %q\nname = \"help\"\nhelp = true\n",
		t.TempDir(), kbDir, guild, fake.URL, help)+staffTOML)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut lockedBuffer
	done := startServe(t, ctx, cfg, &out, &errOut)
	admin := healthRe.FindStringSubmatch(out.String())[1]
	if !strings.Contains(out.String(), "http://"+admin+"/statusz") {
		t.Errorf("the start message does not name /statusz:\n%s", out.String())
	}
	fake.AwaitReady(t)

	r := awaitStatus(t, admin, "everything ok", func(r statusReport) bool { return r.Status == statusOK })
	if r.Store.Status != statusOK || r.Phase.Global != "replies" || r.Knowledge.Entries["en"] != 1 || r.Knowledge.Entries["fr"] != 1 ||
		r.Knowledge.Hash == "" || r.Knowledge.LoadedAt.IsZero() || r.Knowledge.ReloadError != "" {
		t.Errorf("at start: %+v", r)
	}
	for _, want := range []struct{ role, name string }{{"channel", "discord"}, {"channel", "web"}, {"desk", "web"}} {
		if c := channelOf(r, want.role, want.name); c.Status != statusOK || !c.Connected || c.Since == nil {
			t.Errorf("%s %s at start: %+v", want.role, want.name, c)
		}
	}
	if d := channelOf(r, "channel", "discord"); d.Event != "ready" {
		t.Errorf("discord's last event at start: %q, want ready", d.Event)
	}

	// Discord's gateway goes away: the channel is no longer connected, the
	// report says so and is still 200; it comes back by itself.
	fake.Outage()
	r = awaitStatus(t, admin, "discord disconnected", func(r statusReport) bool {
		c := channelOf(r, "channel", "discord")
		return !c.Connected && c.Status != statusOK && c.Error != ""
	})
	if r.Status == statusOK {
		t.Errorf("overall status ok with discord disconnected: %+v", r)
	}
	if c := channelOf(r, "channel", "web"); c.Status != statusOK {
		t.Errorf("the web chat follows discord's outage: %+v", c)
	}
	fake.EndOutage()
	awaitStatus(t, admin, "discord connected again", func(r statusReport) bool {
		c := channelOf(r, "channel", "discord")
		return c.Connected && c.Status == statusOK
	})

	// A broken edit of the knowledge base: the previous base is served, and
	// the report names the problem; a fixed edit is served.
	hash := r.Knowledge.Hash
	writeKB(brokenTOML)
	r = awaitStatus(t, admin, "the knowledge-base edit refused", func(r statusReport) bool { return r.Knowledge.Status == statusDegraded })
	if !strings.Contains(r.Knowledge.ReloadError, "base.toml") || r.Knowledge.Hash != hash || r.Knowledge.Entries["en"] != 1 {
		t.Errorf("knowledge after a broken edit: %+v", r.Knowledge)
	}
	writeKB(strings.Replace(brokenTOML, "id = \"half-written\"\n", "id = \"half-written\"\ntopic = \"general\"\n", 1) +
		"[entry.fr]\nquestion = \"Et alors\"\nanswer = \"...\"\n")
	r = awaitStatus(t, admin, "the fixed knowledge base served", func(r statusReport) bool { return r.Knowledge.Status == statusOK })
	if r.Knowledge.ReloadError != "" || r.Knowledge.Hash == hash || r.Knowledge.Entries["en"] != 2 || r.Knowledge.Entries["fr"] != 2 {
		t.Errorf("knowledge after the fix: %+v", r.Knowledge)
	}

	// A question the base cannot answer waits for staff.
	fake.Post(fakediscord.Post{ChannelID: help, Author: fakediscord.User{ID: citizen, Username: "citizen"},
		Content: "Why is the office on Elm Street closed on a Tuesday?"})
	awaitStatus(t, admin, "an escalation waiting", func(r statusReport) bool {
		return r.Escalations.Waiting == 1 && r.Escalations.Status == statusOK && r.Outbox.Replies.Pending == 0 && r.Outbox.DeskPosts == 0
	})

	// Discord refuses the bot's answer for good: the outbox is degraded.
	fake.Fail(help, http.StatusForbidden)
	fake.Post(fakediscord.Post{ChannelID: help, Author: fakediscord.User{ID: citizen, Username: "citizen"},
		Content: "When are your offices open?"})
	r = awaitStatus(t, admin, "a reply failed", func(r statusReport) bool { return r.Outbox.Replies.FailedLastHour == 1 })
	if r.Outbox.Status != statusDegraded || r.Status == statusOK {
		t.Errorf("outbox with a failed reply: %+v (overall %s)", r.Outbox, r.Status)
	}

	// The text form, for people.
	res, err := http.Get("http://" + admin + "/statusz?format=text")
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{"liaison degraded", "channel discord", "desk web", "knowledge", "1 waiting for staff", "1 failed in the last hour"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the text form lacks %q:\n%s", want, text)
		}
	}
	_, body := getStatus(t, admin)
	for _, secret := range []string{fake.Token(), "Elm Street", "offices open"} {
		if strings.Contains(body, secret) || strings.Contains(string(text), secret) {
			t.Errorf("/statusz shows %q:\n%s\n%s", secret, body, text)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
}

// The report ages what waits by its clock: an escalation no one took past
// the reminders and the re-routes, and a reply pending for minutes, turn
// their parts degraded.
func TestStatuszOverdueEscalationAndStuckReplyAreDegraded(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	kb, err := knowledge.Open(ctx, knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer kb.Close()
	msgs, err := i18n.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := bot.New(bot.Config{}, bot.Deps{Store: st, Knowledge: kb, Messages: msgs, Detect: i18n.Detect})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	m := bot.Message{Platform: "web", ChannelID: "help", ID: "m1", AuthorID: "u1", Text: "Why is my file stuck?", Time: t0, Mentioned: true}
	if err := st.SaveOutcome(ctx, &bot.Outcome{Message: m,
		Decision: bot.Decision{Action: bot.ActEscalate, Reason: bot.ReasonLowConfidence, Phase: 2, Lang: bot.English},
		NewEscalation: &bot.Escalation{Lang: bot.English, Topic: "general", Question: "Why is my file stuck?", CreatedAt: t0,
			Askers: []bot.Asker{{Address: bot.Address{Platform: "web", ChannelID: "help", ReplyTo: "m1"}, Lang: bot.English, Question: "Why is my file stuck?", AskedAt: t0}}},
		Outbox: []bot.Outgoing{{To: bot.Address{Platform: "web", ChannelID: "help", ReplyTo: "m1"}, CreatedAt: t0,
			Reply: bot.Reply{Kind: bot.KindAck, Lang: bot.English, Text: "Staff will answer.", Key: "ack:web:m1"}}},
	}); err != nil {
		t.Fatal(err)
	}
	now := t0
	s := &statusSource{st: st, kb: kb, eng: eng, started: t0, now: func() time.Time { return now }}

	r := s.report(ctx)
	if r.Escalations.Status != statusOK || r.Escalations.Waiting != 1 || r.Outbox.Status != statusOK || r.Outbox.Replies.Pending != 1 || r.Status != statusOK {
		t.Errorf("at once: %+v %+v (%s)", r.Escalations, r.Outbox, r.Status)
	}
	now = t0.Add(stuckAfter + time.Minute)
	if r = s.report(ctx); r.Outbox.Status != statusDegraded || r.Escalations.Status != statusOK {
		t.Errorf("a reply pending for %v: %+v %+v", now.Sub(t0), r.Outbox, r.Escalations)
	}
	now = t0.Add(eng.Unattended() + time.Minute)
	if r = s.report(ctx); r.Escalations.Status != statusDegraded || r.Escalations.OldestAge < eng.Unattended().Seconds() || r.Status != statusDegraded {
		t.Errorf("an escalation waiting for %v: %+v (%s)", now.Sub(t0), r.Escalations, r.Status)
	}
	if body := r.text(); strings.Contains(body, "file stuck") {
		t.Errorf("the report quotes the citizen:\n%s", body)
	}
}

// An escalation a staff member claimed has someone on it: however long its
// answer takes, it is not overdue, which only one no one took past the
// reminders is.
func TestStatuszEscalationClaimedPastTheRemindersIsNotOverdue(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	kb, err := knowledge.Open(ctx, knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer kb.Close()
	msgs, err := i18n.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := bot.New(bot.Config{Staff: bot.Roster{{ID: "alex", Name: "Alex Martin", Languages: []bot.Lang{bot.English}, Topics: []string{"*"}, DeskUserID: "U_ALEX"}}},
		bot.Deps{Store: st, Knowledge: kb, Messages: msgs, Detect: i18n.Detect})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	m := bot.Message{Platform: "web", ChannelID: "help", ID: "m1", AuthorID: "u1", Text: "Why is my file stuck?", Time: t0, Mentioned: true}
	if err := st.SaveOutcome(ctx, &bot.Outcome{Message: m,
		Decision: bot.Decision{Action: bot.ActEscalate, Reason: bot.ReasonLowConfidence, Phase: 2, Lang: bot.English},
		NewEscalation: &bot.Escalation{Lang: bot.English, Topic: "general", Question: "Why is my file stuck?", CreatedAt: t0,
			Askers: []bot.Asker{{Address: bot.Address{Platform: "web", ChannelID: "help", ReplyTo: "m1"}, Lang: bot.English, Question: "Why is my file stuck?", AskedAt: t0}}},
	}); err != nil {
		t.Fatal(err)
	}
	es, err := st.Escalations(ctx, bot.EscalationFilter{})
	if err != nil || len(es) != 1 {
		t.Fatal(es, err)
	}
	if _, err := eng.Claim(ctx, es[0].ID, "U_ALEX"); err != nil {
		t.Fatal(err)
	}
	now := t0.Add(eng.Unattended() + time.Minute)
	s := &statusSource{st: st, kb: kb, eng: eng, started: t0, now: func() time.Time { return now }}
	r := s.report(ctx)
	if r.Escalations.Status != statusOK || r.Escalations.Waiting != 1 || r.Escalations.OldestAge < eng.Unattended().Seconds() ||
		r.Escalations.OldestUnclaimedAge != 0 || r.Status != statusOK {
		t.Errorf("an escalation claimed and waiting for its answer for %v: %+v (%s)", now.Sub(t0), r.Escalations, r.Status)
	}
}
