package web

import (
	"testing"
	"time"
)

// A browser that reconnects to a restarted server, with the last event id
// it saw from the old one, is sent what the new one published meanwhile.
func TestTopicIDsFollowAcrossRestarts(t *testing.T) {
	before := newTopic(10)
	last := before.publish("message", "old").ID
	time.Sleep(time.Millisecond)
	after := newTopic(10)
	after.publish("message", "new 1")
	after.publish("message", "new 2")
	past, _, cancel := after.subscribe(last, true)
	defer cancel()
	if len(past) != 2 || string(past[0].Data) != `"new 1"` || past[0].ID <= last {
		t.Fatalf("replayed %+v after id %d, want both new events", past, last)
	}
}
