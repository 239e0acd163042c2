package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/channels/discord"
	"github.com/liaison-gc/liaison/store"
)

// followersEvery is how often serve records followers (also once at
// start). Hourly: member counts move slowly (Discord's own count is
// approximate and refreshed now and then), an hour is finer than any
// report's period, and a year of it is under 9,000 rows per server.
const followersEvery = time.Hour

// countTimeout bounds one channel's count, so a platform that does not
// answer does not hold the next ones.
const countTimeout = 30 * time.Second

// followerSaver records follower counts.
type followerSaver interface {
	SaveFollowers(ctx context.Context, fs []bot.Followers) error
}

var _ followerSaver = (*store.DB)(nil)

// followerCounters are the channels that can count their followers
// (bot.FollowerCounter).
func followerCounters(channels []bot.Channel) []bot.Channel {
	var out []bot.Channel
	for _, c := range channels {
		if _, ok := c.(bot.FollowerCounter); ok {
			out = append(out, c)
		}
	}
	return out
}

// keepFollowers records the followers of each of channels (all
// FollowerCounters) now and then every every, until ctx ends: a count per
// place, stamped with now. A place that cannot be counted is logged and
// missing from that hour's records; the others are kept.
func keepFollowers(ctx context.Context, st followerSaver, channels []bot.Channel, every time.Duration, now func() time.Time, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for _, c := range channels {
			cctx, cancel := context.WithTimeout(ctx, countTimeout)
			fs, err := c.(bot.FollowerCounter).Followers(cctx)
			cancel()
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				log.Warn("followers not counted", "channel", c.Name(), "err", err)
			}
			at := now()
			for i := range fs {
				fs[i].Platform, fs[i].At = c.Name(), at
			}
			if err := st.SaveFollowers(ctx, fs); err != nil && ctx.Err() == nil {
				log.Error("followers not recorded", "channel", c.Name(), "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// followersJSON is one place's line of `liaison report --json`'s
// "followers": the counts recorded last at or before the period's start
// and its end (serve records them at start and every hour), null when none
// was by then, with when each was counted, and the change, null unless
// both are known. Its keys are part of the format.
type followersJSON struct {
	Platform  string     `json:"platform"`
	Place     string     `json:"place"`
	PlaceName string     `json:"place_name"`
	Start     *int       `json:"start"`
	StartAt   *time.Time `json:"start_at,omitempty"`
	End       *int       `json:"end"`
	EndAt     *time.Time `json:"end_at,omitempty"`
	Change    *int       `json:"change"`
}

// followersOf turns the store's changes into the report's lines.
func followersOf(cs []bot.FollowerChange) []followersJSON {
	out := []followersJSON{}
	for _, c := range cs {
		f := followersJSON{Platform: c.Platform, Place: c.Place, PlaceName: c.PlaceName}
		if c.Start != nil {
			f.Start, f.StartAt = &c.Start.Count, &c.Start.At
		}
		if c.End != nil {
			f.End, f.EndAt = &c.End.Count, &c.End.At
		}
		if f.Start != nil && f.End != nil {
			d := *f.End - *f.Start
			f.Change = &d
		}
		out = append(out, f)
	}
	return out
}

// printFollowers shows the report's followers, one place a line.
func printFollowers(w io.Writer, fs []followersJSON) {
	if len(fs) == 0 {
		fmt.Fprintln(w, "\nFollowers: not recorded")
		return
	}
	fmt.Fprintln(w, "\nFollowers (the count recorded last at or before the start and the end of the period):")
	count := func(n *int, at *time.Time) string {
		if n == nil {
			return "not recorded"
		}
		return fmt.Sprintf("%d (%s)", *n, at.Local().Format("2006-01-02 15:04"))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range fs {
		change := "—"
		if f.Change != nil {
			change = fmt.Sprintf("%+d", *f.Change)
		}
		fmt.Fprintf(tw, "  %s\tstart %s\tend %s\tchange %s\n", placeLabel(f), count(f.Start, f.StartAt), count(f.End, f.EndAt), change)
	}
	tw.Flush()
}

// placeLabel names a place for the reader: "Discord server NAME (ID)".
func placeLabel(f followersJSON) string {
	kind := f.Platform
	if f.Platform == discord.Platform {
		kind = "Discord server"
	}
	if f.PlaceName == "" {
		return fmt.Sprintf("%s %s", kind, f.Place)
	}
	return fmt.Sprintf("%s %s (%s)", kind, f.PlaceName, f.Place)
}
