package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/liaison-gc/liaison/bot"
)

// BenchmarkPostMessage measures one citizen message through the web layer:
// CSRF check, throttle, validation, room fan-out and the hand-off to the
// handler (the recorder, so the engine's cost is not counted here).
func BenchmarkPostMessage(b *testing.B) {
	cfg := Config{Addr: "127.0.0.1:0", FloodPerMinute: 1 << 30, FloodBurst: 1 << 30}
	srv, err := New(cfg, "", Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := &recorder{}
	go func() { _ = srv.Channel().Run(ctx, rec) }()
	for h, _ := srv.handlers(); h == nil; h, _ = srv.handlers() {
	}
	const browser = "AAAAAAAAAAAAAAAAAAAAAA"
	token := srv.csrfToken(browser)
	body := `{"room":"help","name":"Marie","text":"Combien coûte un passeport pour un enfant?"}`
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		req := httptest.NewRequest("POST", "/api/chat/messages", strings.NewReader(body))
		req.Header.Set(headerCSRF, token)
		req.AddCookie(&http.Cookie{Name: cookieBrowser, Value: browser})
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, req)
		if w.Code != http.StatusAccepted {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
		if i%1000 == 0 { // keep the recorder small
			rec.mu.Lock()
			rec.messages = rec.messages[:0]
			rec.mu.Unlock()
		}
	}
}

// BenchmarkSendFanout measures one bot reply shown to many open pages of a
// room.
func BenchmarkSendFanout(b *testing.B) {
	for _, subs := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("pages=%d", subs), func(b *testing.B) {
			srv, err := New(Config{Addr: "127.0.0.1:0"}, "", Options{})
			if err != nil {
				b.Fatal(err)
			}
			room := srv.rooms["help"]
			for range subs {
				_, ch, cancel := room.subscribe(0, false)
				defer cancel()
				go func() {
					for range ch {
					}
				}()
			}
			to := bot.Address{Platform: Platform, ChannelID: "help"}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := srv.Channel().Send(context.Background(), to, bot.Reply{Kind: bot.KindAnswer, Text: "Vous pouvez renouveler votre passeport en ligne.", Key: fmt.Sprint("k", i)}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
