package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// changeString shows a FollowerChange compactly: "discord 1 Alpha: 100@0s → 130@3h0m0s",
// times relative to t0, "none" for a count not recorded.
func changeString(c bot.FollowerChange) string {
	edge := func(f *bot.Followers) string {
		if f == nil {
			return "none"
		}
		return fmt.Sprintf("%d@%s", f.Count, f.At.Sub(t0))
	}
	return fmt.Sprintf("%s %s %s: %s → %s", c.Platform, c.Place, c.PlaceName, edge(c.Start), edge(c.End))
}

// The followers of a period are, for every place ever counted, the counts
// recorded last at or before its start and at or before its end (a count
// at an edge itself is that edge's), none when nothing was recorded by
// then; the place is named as when counted at the end.
func TestFollowersOfAPeriodAreTheCountsNearestItsEdges(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	must(t, db.SaveFollowers(ctx, []bot.Followers{
		{Platform: "discord", Place: "1", PlaceName: "Alpha", Count: 100, At: at(0)},
		{Platform: "discord", Place: "2", PlaceName: "Beta", Count: 50, At: at(2 * time.Hour)},
	}))
	must(t, db.SaveFollowers(ctx, []bot.Followers{{Platform: "discord", Place: "1", PlaceName: "Alpha", Count: 110, At: at(time.Hour)}}))
	must(t, db.SaveFollowers(ctx, []bot.Followers{{Platform: "discord", Place: "1", PlaceName: "Alpha renamed", Count: 130, At: at(3 * time.Hour)}}))

	for _, tc := range []struct {
		name         string
		since, until time.Time
		want         []string
	}{
		{"counts at the edges themselves", at(0), at(3 * time.Hour), []string{
			"discord 1 Alpha renamed: 100@0s → 130@3h0m0s", "discord 2 Beta: none → 50@2h0m0s"}},
		{"counts before the edges", at(30 * time.Minute), at(150 * time.Minute), []string{
			"discord 1 Alpha: 100@0s → 110@1h0m0s", "discord 2 Beta: none → 50@2h0m0s"}},
		{"a period before the first record", at(-48 * time.Hour), at(-24 * time.Hour), []string{
			"discord 1 Alpha: none → none", "discord 2 Beta: none → none"}},
		{"up to now", at(90 * time.Minute), time.Time{}, []string{
			"discord 1 Alpha renamed: 110@1h0m0s → 130@3h0m0s", "discord 2 Beta: none → 50@2h0m0s"}},
		{"a period after the last record", at(24 * time.Hour), at(48 * time.Hour), []string{
			"discord 1 Alpha renamed: 130@3h0m0s → 130@3h0m0s", "discord 2 Beta: 50@2h0m0s → 50@2h0m0s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.Followers(ctx, tc.since, tc.until)
			must(t, err)
			var shown []string
			for _, c := range got {
				shown = append(shown, changeString(c))
			}
			if fmt.Sprint(shown) != fmt.Sprint(tc.want) {
				t.Errorf("Followers(%s, %s):\n got %q\nwant %q", tc.since, tc.until, shown, tc.want)
			}
		})
	}
}

// With nothing recorded, a period has no followers to show, and no error.
func TestFollowersNotRecorded(t *testing.T) {
	db, _ := newDB(t)
	got, err := db.Followers(context.Background(), t0.Add(-time.Hour), t0)
	if err != nil || len(got) != 0 {
		t.Errorf("Followers with nothing recorded = %v, %v; want none", got, err)
	}
}

// Follower counts hold no personal data: the retention purge keeps them,
// so a report on a past period shows them whenever it is run.
func TestRetentionKeepsFollowerCounts(t *testing.T) {
	db, clk := newDB(t)
	ctx := context.Background()
	must(t, db.SaveFollowers(ctx, []bot.Followers{{Platform: "discord", Place: "1", PlaceName: "Alpha", Count: 100, At: t0}}))
	clk.Add(400 * 24 * time.Hour)
	_, err := db.Purge(ctx, t0.AddDate(0, 0, 300))
	must(t, err)
	got, err := db.Followers(ctx, t0, t0.Add(time.Hour))
	must(t, err)
	if len(got) != 1 || got[0].Start == nil || got[0].Start.Count != 100 || got[0].PlaceName != "Alpha" {
		t.Errorf("after the purge, followers = %+v", got)
	}
}
