package web

import (
	"testing"

	"github.com/liaison-gc/liaison/bot"
)

// The desk counts the citizens an answer did not reach as the engine's
// relays and notices do: a citizen who asked twice in the same place is
// one, the same person elsewhere (another thread) is another.
func TestDeskCountsCitizensAsTheEngineRelays(t *testing.T) {
	at := func(user, channel, thread string) bot.Asker {
		return bot.Asker{Address: bot.Address{Platform: Platform, ChannelID: channel, ThreadID: thread, UserID: user}}
	}
	tests := []struct {
		name   string
		askers []bot.Asker
		want   int
	}{
		{"none", nil, 0},
		{"two people", []bot.Asker{at("a", "help", ""), at("b", "help", "")}, 2},
		{"asked twice in one place", []bot.Asker{at("a", "help", ""), at("a", "help", "")}, 1},
		{"asked in two threads", []bot.Asker{at("a", "help", ""), at("a", "help", "t1")}, 2},
		{"unknown users count alone", []bot.Asker{at("", "help", ""), at("", "help", "")}, 2},
	}
	for _, tt := range tests {
		if got := citizens(tt.askers); got != tt.want {
			t.Errorf("%s: citizens = %d, want %d", tt.name, got, tt.want)
		}
	}
}
