package bot_test

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// benchQuestions is a crisis-day mix: mostly questions the knowledge base
// answers, some it cannot (escalated, most joining an open escalation), and
// chatter not addressed to the bot.
var benchQuestions = []struct {
	channel, text string
}{
	{"help", renewEN},
	{"help", renewFR},
	{"help", "how long does it take to get a passport"},
	{"help", "quand vais-je recevoir mon passeport"},
	{"help", "what are your office hours"},
	{"help", goatEN},
	{"help", goatFR},
	{"general", "anyone watching the game tonight?"},
	{"help", "how do I speak to a real person"},
	{"general", "lol same"},
}

// BenchmarkEngine measures HandleMessage end to end — language detection,
// comment policy, knowledge search, escalation joining and the SQLite
// transaction that records message, decision and reply — with the real
// store and knowledge base and an in-memory channel. It reports messages
// per second and the 99th percentile decision latency.
func BenchmarkEngine(b *testing.B) {
	e := newEnv(b, func(c *bot.Config) { c.FloodPerMinute = 1 << 30 })
	var seq atomic.Int64
	var mu sync.Mutex
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1024)
		for pb.Next() {
			n := seq.Add(1)
			q := benchQuestions[n%int64(len(benchQuestions))]
			m := bot.Message{Platform: "mem", ChannelID: q.channel, ID: fmt.Sprintf("b%d", n),
				AuthorID: fmt.Sprintf("u%d", n%5000), Text: q.text, Time: e.clock.Now()}
			t0 := time.Now()
			if _, err := e.eng.HandleMessage(e.ctx, m); err != nil {
				b.Error(err)
				return
			}
			local = append(local, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, local...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(lat[len(lat)*50/100].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkDelivery measures the outbox: replies sent per second through an
// in-memory channel, each marked sent in SQLite.
func BenchmarkDelivery(b *testing.B) {
	e := newEnv(b, func(c *bot.Config) { c.FloodPerMinute = 1 << 30 })
	for i := 0; i < b.N; i++ {
		m := bot.Message{Platform: "mem", ChannelID: "help", ID: fmt.Sprintf("d%d", i), AuthorID: fmt.Sprintf("u%d", i), Text: renewEN, Time: e.clock.Now()}
		if _, err := e.eng.HandleMessage(e.ctx, m); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	start := time.Now()
	for len(e.ch.all()) < b.N {
		e.tick()
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "replies/s")
}

// BenchmarkRedact measures masking on a message of the largest size kept
// (16,000 characters), bilingual, dense with numbers that are and are not
// personal data: Redact runs on every escalated message and logged text.
func BenchmarkRedact(b *testing.B) {
	const chunk = "Bonjour, mon NAS est 046 454 286, tél. (819)555 0123 poste 12, courriel josée+impôts@exemple.qc.ca; " +
		"I paid $1,200.50 on 2024-03-15 at 9h30 for form T2125, card 4111-1111-1111-1111, postal code k1a0b1. "
	var msg []byte
	for len(msg) < 16000 {
		msg = append(msg, chunk...)
	}
	s := string(msg[:16000])
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		bot.Redact(s)
	}
}
