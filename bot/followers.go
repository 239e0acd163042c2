package bot

import (
	"context"
	"time"
)

// Followers is how many people could see the bot in one place of a
// platform (a Discord server), counted at a time: what managers measure
// the reach of the service by. It holds no personal data, so the
// retention purge leaves it.
type Followers struct {
	Platform  string // the Channel's Name
	Place     string // the platform's id of the place: a Discord server's
	PlaceName string // its name when counted, for the reader
	Count     int
	At        time.Time // when counted
}

// FollowerCounter is an optional channel capability, found by type
// assertion: the followers of each place the channel watches (Discord: the
// members of each configured server). A platform with no such number (the
// web chat) does not implement it. When some places cannot be counted, it
// returns the others with an error naming what failed.
type FollowerCounter interface {
	Followers(ctx context.Context) ([]Followers, error)
}

// FollowerChange is how the followers of one place changed over a period:
// the counts recorded last at or before its start and at or before its
// end, nil when none was recorded by then.
type FollowerChange struct {
	Platform, Place, PlaceName string
	Start, End                 *Followers
}
