package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/channels/discord/fakediscord"
	"github.com/liaison-gc/liaison/store"
)

// The report shows, for each place counted, the followers recorded last at
// or before the period's start and its end, and the change; "not
// recorded" (null in JSON) for an edge with no count by then.
func TestReportShowsHowFollowersChanged(t *testing.T) {
	cfgPath, dataDir := testConfig(t)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	const sc, pp = "111111111111111111", "222222222222222222"
	day := func(m time.Month, d, h int) time.Time { return time.Date(2024, m, d, h, 0, 0, 0, time.Local) }
	for _, f := range []bot.Followers{
		{Platform: "discord", Place: sc, PlaceName: "Service Canada", Count: 100, At: day(2, 15, 12)},
		{Platform: "discord", Place: sc, PlaceName: "Service Canada", Count: 120, At: day(3, 15, 12)},
		{Platform: "discord", Place: sc, PlaceName: "Service Canada", Count: 150, At: day(4, 10, 12)},
		{Platform: "discord", Place: pp, PlaceName: "Passeport", Count: 40, At: day(3, 20, 9)},
	} {
		if err := st.SaveFollowers(ctx, []bot.Followers{f}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	out, _, err := runCLI(t, "report", "--config", cfgPath, "--since", "2024-03-01", "--until", "2024-03-31", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Followers []map[string]any `json:"followers"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("report --json: %v\n%s", err, out)
	}
	want := []map[string]any{
		{"platform": "discord", "place": sc, "place_name": "Service Canada", "start": 100.0, "start_at": day(2, 15, 12).UTC().Format(time.RFC3339),
			"end": 120.0, "end_at": day(3, 15, 12).UTC().Format(time.RFC3339), "change": 20.0},
		{"platform": "discord", "place": pp, "place_name": "Passeport", "start": nil, "end": 40.0,
			"end_at": day(3, 20, 9).UTC().Format(time.RFC3339), "change": nil},
	}
	if len(r.Followers) != len(want) {
		t.Fatalf("followers %v, want %v", r.Followers, want)
	}
	for i, w := range want {
		for k, v := range w {
			got, ok := r.Followers[i][k]
			if s, isTime := got.(string); isTime && strings.HasSuffix(k, "_at") {
				if at, err := time.Parse(time.RFC3339, s); err == nil {
					got = at.UTC().Format(time.RFC3339)
				}
			}
			if !ok || got != v {
				t.Errorf("followers[%d].%s = %v (present %v), want %v\n%s", i, k, got, ok, v, out)
			}
		}
	}

	out, _, err = runCLI(t, "report", "--config", cfgPath, "--since", "2024-03-01", "--until", "2024-03-31")
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, w := range []string{
		"Discord server Service Canada (" + sc + ") start 100 (2024-02-15 12:00) end 120 (2024-03-15 12:00) change +20",
		"Discord server Passeport (" + pp + ") start not recorded end 40 (2024-03-20 09:00) change —",
	} {
		if !strings.Contains(flat, w) {
			t.Errorf("report lacks %q:\n%s", w, out)
		}
	}

	// Before the first count, each place is listed, not recorded at either edge.
	out, _, err = runCLI(t, "report", "--config", cfgPath, "--since", "2023-01-01", "--until", "2023-01-31")
	if err != nil {
		t.Fatal(err)
	}
	flat = strings.Join(strings.Fields(out), " ")
	for _, w := range []string{
		"Discord server Service Canada (" + sc + ") start not recorded end not recorded change —",
		"Discord server Passeport (" + pp + ") start not recorded end not recorded change —",
	} {
		if !strings.Contains(flat, w) {
			t.Errorf("report before the first count lacks %q:\n%s", w, out)
		}
	}
}

// With no count recorded at all, the report says so, and its JSON has an
// empty list.
func TestReportSaysFollowersNotRecorded(t *testing.T) {
	cfgPath, _ := testConfig(t)
	out, _, err := runCLI(t, "report", "--config", cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Followers: not recorded") {
		t.Errorf("report with no count lacks %q:\n%s", "Followers: not recorded", out)
	}
	out, _, err = runCLI(t, "report", "--config", cfgPath, "--json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"followers": []`) {
		t.Errorf("report --json with no count lacks an empty followers list:\n%s", out)
	}
}

// serve records the members of each watched Discord server as it starts,
// by the server's id and name, and the report then shows them.
func TestServeRecordsDiscordFollowers(t *testing.T) {
	clearSecrets(t)
	t.Setenv(envWebToken, "shared-desk-token-0123456")
	const guild, help = "111111111111111111", "222222222222222222"
	fake := fakediscord.Start(t, fakediscord.Config{})
	fake.AddGuild(guild, 42)
	fake.NameGuild(guild, "Service Canada")
	fake.AddChannel(guild, help, "help")
	t.Setenv(envDiscordToken, fake.Token())
	dataDir := t.TempDir()
	cfg := writeFile(t, "serve.toml", "data_dir = \""+dataDir+"\"\n[admin]\naddr = \"127.0.0.1:0\"\n[web]\naddr = \"127.0.0.1:0\"\n"+
		"[discord]\nguilds = [\""+guild+"\"]\napi_url = \""+fake.URL+"\"\n"+
		"[[discord.channel]]\nid = \""+help+"\"\nname = \"help\"\nhelp = true\n"+staffTOML)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut lockedBuffer
	done := startServe(t, ctx, cfg, &out, &errOut)
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var got []bot.FollowerChange
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && len(got) == 0; time.Sleep(50 * time.Millisecond) {
		if got, err = st.Followers(ctx, time.Time{}, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 1 || got[0].End == nil || got[0].End.Count != 42 || got[0].Place != guild || got[0].PlaceName != "Service Canada" ||
		got[0].Platform != "discord" || got[0].End.At.IsZero() {
		t.Fatalf("followers recorded by serve: %+v\n%s", got, errOut.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	rep, _, err := runCLI(t, "report", "--config", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if flat := strings.Join(strings.Fields(rep), " "); !strings.Contains(flat, "Discord server Service Canada ("+guild+") start not recorded end 42 (") {
		t.Errorf("report after serve:\n%s", rep)
	}
}
