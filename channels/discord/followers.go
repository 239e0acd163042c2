package discord

import (
	"context"
	"errors"
	"fmt"

	"github.com/bwmarrin/discordgo"

	"github.com/liaison-gc/liaison/bot"
)

var _ bot.FollowerCounter = (*Channel)(nil)

// Followers returns the members of each configured server (Discord's
// approximate count), by the server's id and name, in the order of the
// configuration; At is left for the caller to set. A server that cannot be
// counted is left out and named in the error, which joins one per server.
// It is safe for concurrent use, also while Run runs.
func (c *Channel) Followers(ctx context.Context) ([]bot.Followers, error) {
	var (
		out  []bot.Followers
		errs []error
	)
	for _, g := range c.cfg.Guilds {
		endpoint := discordgo.EndpointGuild(g)
		var guild struct {
			Name    string `json:"name"`
			Approx  int    `json:"approximate_member_count"`
			Members int    `json:"member_count"`
		}
		if err := c.getJSON(ctx, "member count", endpoint+"?with_counts=true", endpoint, &guild); err != nil {
			errs = append(errs, fmt.Errorf("server %s: %w", g, err))
			continue
		}
		out = append(out, bot.Followers{Platform: Platform, Place: g, PlaceName: guild.Name, Count: max(guild.Approx, guild.Members)})
	}
	return out, errors.Join(errs...)
}
