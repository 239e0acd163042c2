package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A token never reaches serve's logs, even when a server answers a failed
// request with the request's own Authorization header in its error body
// (a proxy's debug page, a misconfigured api_url): the Discord adapter's
// error carries that body, and serve logs the error.
func TestServeNeverLogsTokensEvenWhenAServerEchoesThem(t *testing.T) {
	clearSecrets(t)
	const (
		discordToken = "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.echoed-discord-token"
		botToken     = "xoxb-1234567890-echoed-slack-bot-token"
		appToken     = "xapp-1-A0123-echoed-slack-app-token"
		webToken     = "echoed-web-desk-token-0123"
	)
	t.Setenv(envDiscordToken, discordToken)
	t.Setenv("LIAISON_SLACK_BOT_TOKEN", botToken)
	t.Setenv("LIAISON_SLACK_APP_TOKEN", appToken)
	t.Setenv(envWebToken, webToken)
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		http.Error(w, "failed: "+r.URL.String()+" "+r.Header.Get("Authorization")+" "+r.PostForm.Encode(), http.StatusInternalServerError)
	}))
	defer echo.Close()
	cfg := writeFile(t, "serve.toml", "data_dir = \""+t.TempDir()+"\"\n[log]\nlevel = \"debug\"\n[admin]\naddr = \"127.0.0.1:0\"\n"+
		"[web]\naddr = \"127.0.0.1:0\"\n[discord]\nguilds = [\"111111111111111111\"]\ndms = true\napi_url = \""+echo.URL+"\"\n"+
		"[slack]\ndesk_channel = \"C0123ABCD\"\napi_url = \""+echo.URL+"/\"\n"+staffTOML)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut lockedBuffer
	done := startServe(t, ctx, cfg, &out, &errOut)
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(errOut.String(), "gateway connection failed"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the failed Discord connection was never logged:\n%s", errOut.String())
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	logs := out.String() + errOut.String()
	if !strings.Contains(logs, "[redacted]") {
		t.Errorf("the echoed token is not shown as [redacted]:\n%s", logs)
	}
	for _, tok := range []string{discordToken, botToken, appToken, webToken} {
		if strings.Contains(logs, tok) {
			t.Errorf("the logs hold the token %q:\n%s", tok, logs)
		}
	}
}

// A token is hidden however the log writes it: JSON escapes some
// characters (<, >, &, quotes), and an error that holds it still unwraps.
func TestRedactorHidesTokensAsLogsWriteThem(t *testing.T) {
	red := newRedactor(secrets{webToken: `web<&>"token"-0123456789`, discordToken: "short"})
	var b strings.Builder
	log := slog.New(slog.NewJSONHandler(red.Writer(&b), nil))
	base := errors.New("GET /x: Bearer web<&>\"token\"-0123456789")
	log.Error("request failed", "err", base, "auth", `web<&>"token"-0123456789`)
	if got := b.String(); strings.Contains(got, "0123456789") || strings.Count(got, "[redacted]") != 2 {
		t.Errorf("log line = %s, want the token redacted twice", got)
	}
	err := red.Error(base)
	if strings.Contains(err.Error(), "0123456789") || !errors.Is(err, base) {
		t.Errorf("error = %q (unwraps to the original: %v), want the token redacted and the original kept", err, errors.Is(err, base))
	}
	// Values too short to be tokens are left alone, or ordinary words
	// would disappear from the logs.
	if got := red.String("a short answer"); got != "a short answer" {
		t.Errorf("short value redacted: %q", got)
	}
}
