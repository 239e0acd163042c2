package slack

import (
	"strings"
	"testing"

	"github.com/liaison-gc/liaison/bot"
)

// BenchmarkEscape measures escaping a long hostile question.
func BenchmarkEscape(b *testing.B) {
	q := strings.Repeat("<!channel> Où est mon *passeport*? @here & <@U123> ", 40)
	b.SetBytes(int64(len(q)))
	b.ReportAllocs()
	for b.Loop() {
		_ = escape(q)
	}
}

// BenchmarkEscalationBlocks measures rendering one escalation post.
func BenchmarkEscalationBlocks(b *testing.B) {
	d, err := New(Config{DeskChannel: testDesk}, testBotToken, testAppToken, Options{Roster: testRoster()})
	if err != nil {
		b.Fatal(err)
	}
	e := hostileEscalation()
	b.ReportAllocs()
	for b.Loop() {
		_ = d.escalationBlocks(e, bot.French)
	}
}
