package discord

import (
	"context"
	"fmt"
	"testing"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/channels/discord/fakediscord"
)

// Followers counts the members of each configured server, by its id and
// name; a server Discord does not answer for is named in the error and
// the others are still counted.
func TestFollowersCountsEachServer(t *testing.T) {
	t.Parallel()
	const second, unknown = "100000000000000002", "100000000000000003"
	srv := fake(t, fakediscord.Config{})
	srv.NameGuild(guildID, "Service Canada")
	srv.AddGuild(second, 56)
	srv.NameGuild(second, "Passeport Canada")
	cfg := testConfig()
	cfg.Guilds = append(cfg.Guilds, second)
	ch := newChannel(t, srv, cfg, testOptions(t))
	var fc bot.FollowerCounter = ch
	got, err := fc.Followers(context.Background())
	want := []bot.Followers{
		{Platform: "discord", Place: guildID, PlaceName: "Service Canada", Count: 1234},
		{Platform: "discord", Place: second, PlaceName: "Passeport Canada", Count: 56},
	}
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Followers = %+v, %v; want %+v", got, err, want)
	}

	cfg.Guilds = append(cfg.Guilds, unknown)
	partly := newChannel(t, srv, cfg, testOptions(t))
	got, err = partly.Followers(context.Background())
	if err == nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Followers with a server unknown to Discord = %+v, %v; want the others and an error", got, err)
	}
	if n, err := ch.MemberCount(context.Background()); n != 1234+56 || err != nil {
		t.Errorf("MemberCount = %d, %v; want the sum over the servers", n, err)
	}
}
