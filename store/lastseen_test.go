package store

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// TestLastSeen: the newest message id of each channel, threads apart,
// compared as numbers (a shorter id is older, whatever its digits), of one
// platform only.
func TestLastSeen(t *testing.T) {
	t.Parallel()
	db, _ := newDB(t)
	ctx := context.Background()
	save := func(platform, channel, thread, id string) {
		t.Helper()
		o := answerOutcome(id)
		o.Message.Platform, o.Message.ChannelID, o.Message.ThreadID = platform, channel, thread
		o.Outbox = nil
		if err := db.SaveOutcome(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	save("discord", "10", "", "99")
	save("discord", "10", "", "100") // longer: newer, though "100" < "99" as text
	save("discord", "10", "", "98")
	save("discord", "10", "50", "150") // in a thread of channel 10
	save("discord", "10", "50", "149")
	save("discord", "20", "", "7")
	save("web", "10", "", "999")
	got, err := db.LastSeen(ctx, "discord")
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"10": "100", "50": "150", "20": "7"}; !maps.Equal(got, want) {
		t.Errorf("LastSeen = %v, want %v", got, want)
	}
	if got, err := db.LastSeen(ctx, "slack"); err != nil || len(got) != 0 {
		t.Errorf("LastSeen of a platform with nothing = %v, %v", got, err)
	}
}

// BenchmarkLastSeen reads the newest message of every channel among
// 100,000 Discord messages in 2,000 channels (threads and DMs), as a
// restart does once.
func BenchmarkLastSeen(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	const n, channels = 100000, 2000
	base := int64(1300000000000000000)
	for i := range int64(n) {
		o := benchOutcome(i, "ignore")
		o.Message.Platform, o.Message.ID = "discord", fmt.Sprint(base+i<<22)
		o.Message.ChannelID = fmt.Sprint(i % 20)
		if i%channels >= 20 {
			o.Message.ThreadID = fmt.Sprint(1000 + i%channels)
		}
		o.Message.Time = time.Unix(0, 0).Add(time.Duration(i) * time.Second)
		if err := db.SaveOutcome(ctx, o); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		got, err := db.LastSeen(ctx, "discord")
		if err != nil || len(got) != channels {
			b.Fatalf("LastSeen: %d channels, %v", len(got), err)
		}
	}
}

var _ bot.MessageStore = (*DB)(nil)

// TestCatchUpFrom: where each channel's catch-up starts is recorded per
// platform, replaced channel by channel, and forgotten once read.
func TestCatchUpFrom(t *testing.T) {
	t.Parallel()
	db, _ := newDB(t)
	ctx := context.Background()
	check := func(platform string, want map[string]string) {
		t.Helper()
		got, err := db.CatchUpFrom(ctx, platform)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, want) {
			t.Errorf("CatchUpFrom(%s) = %v, want %v", platform, got, want)
		}
	}
	check("discord", map[string]string{})
	must(t, db.SetCatchUpFrom(ctx, "discord", map[string]string{"10": "100", "20": "200"}))
	must(t, db.SetCatchUpFrom(ctx, "web", map[string]string{"10": "5"}))
	must(t, db.SetCatchUpFrom(ctx, "discord", map[string]string{"10": "90", "30": "300"}))
	check("discord", map[string]string{"10": "90", "20": "200", "30": "300"})
	must(t, db.ClearCatchUpFrom(ctx, "discord", "20"))
	must(t, db.ClearCatchUpFrom(ctx, "discord", "40")) // none: nothing to forget
	check("discord", map[string]string{"10": "90", "30": "300"})
	check("web", map[string]string{"10": "5"})
}
