package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// twoStaffTOML is a roster whose ids need the variable name rule: a dash.
const twoStaffTOML = staffTOML + `
[[staff]]
id = "marie-c"
name = "Marie C"
title_en = "Officer"
title_fr = "Agente"
languages = ["fr"]
desk_user = "U2"
`

// serve refuses personal desk tokens it cannot use (for an id not on the
// roster, too short, easy to guess, shared by two people, or the shared token), naming each variable
// and what to do, and never showing a value; host commands, which serve
// no desk, do not look at them.
func TestPersonalDeskTokensAreChecked(t *testing.T) {
	clearSecrets(t)
	const (
		marie  = "marie-personal-token-0123"
		nobody = "nobody-personal-token-0123"
		short  = "tooShort15chars"
	)
	p := writeFile(t, "staff.toml", twoStaffTOML)
	t.Setenv("LIAISON_WEB_TOKEN_MARIE_C", marie)
	t.Setenv("LIAISON_WEB_TOKEN_NOBODY", nobody)
	t.Setenv("LIAISON_WEB_TOKEN_SAM", short)
	_, err := loadConfig(p)
	if err == nil {
		t.Fatal("serve accepted a token for an id not on the roster and a short token")
	}
	for _, want := range []string{
		"LIAISON_WEB_TOKEN_NOBODY is set but no [[staff]] id gives that name",
		"unset it, or add that person to the roster",
		"LIAISON_WEB_TOKEN_SAM is too short: use at least 16",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	for _, v := range []string{marie, nobody, short} {
		if strings.Contains(err.Error(), v) {
			t.Errorf("the error shows a token:\n%v", err)
		}
	}
	if _, err := loadHostConfig(p); err != nil {
		t.Errorf("a host command refused the desk tokens it does not use: %v", err)
	}

	t.Setenv("LIAISON_WEB_TOKEN_NOBODY", "")
	t.Setenv("LIAISON_WEB_TOKEN_SAM", "aaaaaaaaaaaaaaaa")
	if _, err := loadConfig(p); err == nil || !strings.Contains(err.Error(), "LIAISON_WEB_TOKEN_SAM is too easy to guess") ||
		!strings.Contains(err.Error(), "openssl rand -hex 24") || strings.Contains(err.Error(), "aaaaaaaaaaaaaaaa") {
		t.Errorf("a token of one character repeated: %v", err)
	}
	t.Setenv("LIAISON_WEB_TOKEN_SAM", marie)
	if _, err := loadConfig(p); err == nil || !strings.Contains(err.Error(), "LIAISON_WEB_TOKEN_MARIE_C and LIAISON_WEB_TOKEN_SAM hold the same token") {
		t.Errorf("two people with one token: %v", err)
	}
	// Everyone given the shared token would sign in as Marie.
	t.Setenv("LIAISON_WEB_TOKEN_SAM", "")
	t.Setenv(envWebToken, marie)
	if _, err := loadConfig(p); err == nil || !strings.Contains(err.Error(), "LIAISON_WEB_TOKEN_MARIE_C holds the same token as LIAISON_WEB_TOKEN") || strings.Contains(err.Error(), marie) {
		t.Errorf("a personal token that is the shared token: %v", err)
	}
	t.Setenv(envWebToken, "")
	cfg, err := loadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.staffTokens(); len(got) != 1 || got["marie-c"] != marie {
		t.Errorf("personal tokens = %v, want marie-c's only", got)
	}

	// Two ids that give one variable name cannot tell whose it is.
	amb := writeFile(t, "amb.toml", strings.Replace(twoStaffTOML, `desk_user = "U2"`, `desk_user = "U2"

[[staff]]
id = "marie.c"
name = "Marie D"
title_en = "Officer"
title_fr = "Agente"
languages = ["fr"]
desk_user = "U3"`, 1))
	if _, err := loadConfig(amb); err == nil || !strings.Contains(err.Error(), `LIAISON_WEB_TOKEN_MARIE_C is set but staff ids ["marie-c" "marie.c"] all give that name`) {
		t.Errorf("one variable for two ids: %v", err)
	}
}

// The configuration check refuses a shared desk token serve could not
// use (too short, or easy to guess) with every other problem of the file,
// naming the variable and never its value, as it does personal tokens,
// instead of serve loading the knowledge base first and stopping then.
func TestSharedDeskTokenIsChecked(t *testing.T) {
	clearSecrets(t)
	p := writeFile(t, "staff.toml", twoStaffTOML+"\n[engine]\nflood_per_minute = 0\n")
	for _, tc := range []struct{ token, want string }{
		{"tooShort15chars", "LIAISON_WEB_TOKEN is too short: use at least 16"},
		{"aaaaaaaaaaaaaaaa", "LIAISON_WEB_TOKEN is too easy to guess"},
		{"qwertyqwertyqwerty", "LIAISON_WEB_TOKEN is too easy to guess"},
	} {
		t.Setenv(envWebToken, tc.token)
		_, err := loadConfig(p)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "engine.flood_per_minute") {
			t.Errorf("shared token %q: %v, want %q with the file's other problem", tc.token, err, tc.want)
		} else if strings.Contains(err.Error(), tc.token) {
			t.Errorf("the error shows the token:\n%v", err)
		}
		if _, err := loadHostConfig(writeFile(t, "ok.toml", twoStaffTOML)); err != nil {
			t.Errorf("a host command refused the desk token it does not use: %v", err)
		}
	}
	t.Setenv(envWebToken, "k3Jq9vX2mPz7Lw4R")
	if _, err := loadConfig(writeFile(t, "ok.toml", twoStaffTOML)); err != nil {
		t.Errorf("a random shared token was refused: %v", err)
	}
}

func TestRedactorHidesPersonalDeskTokens(t *testing.T) {
	red := newRedactor(secrets{webStaffTokens: map[string]string{"LIAISON_WEB_TOKEN_SAM": "sam-personal-token-0123"}})
	if got := red.String("Authorization: Bearer sam-personal-token-0123"); strings.Contains(got, "sam-personal") {
		t.Errorf("a personal desk token is shown: %q", got)
	}
}

var commsURL = regexp.MustCompile(`Comms page:\s+(http://\S+)/comms`)

// With a personal token set, serve warns once that the shared token is
// ignored, and staff sign in to the comms page with their own token only.
func TestServeSignsInWithPersonalTokens(t *testing.T) {
	clearSecrets(t)
	const (
		shared   = "shared-desk-token-0123456"
		personal = "sam-personal-token-0123"
	)
	t.Setenv(envWebToken, shared)
	t.Setenv("LIAISON_WEB_TOKEN_SAM", personal)
	cfg := writeFile(t, "serve.toml", "data_dir = \""+t.TempDir()+"\"\n[admin]\naddr = \"127.0.0.1:0\"\n[web]\naddr = \"127.0.0.1:0\"\n"+staffTOML)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut lockedBuffer
	done := startServe(t, ctx, cfg, &out, &errOut)
	m := commsURL.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no comms page address in:\n%s", out.String())
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(m[1] + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(page))
	if csrf == nil {
		t.Fatalf("no CSRF token in the sign-in page:\n%s", page)
	}
	signIn := func(token string) int {
		res, err := c.PostForm(m[1]+"/login", url.Values{"token": {token}, "next": {"/comms"}, "csrf": {csrf[1]}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := signIn(shared); code != http.StatusUnauthorized {
		t.Errorf("sign in with the shared token = %d, want 401", code)
	}
	if code := signIn(personal); code != http.StatusSeeOther {
		t.Errorf("sign in with Sam's token = %d, want 303", code)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	logs := out.String() + errOut.String()
	if n := strings.Count(logs, "LIAISON_WEB_TOKEN is ignored"); n != 1 {
		t.Errorf("warned %d times that the shared token is ignored, want once:\n%s", n, logs)
	}
	if !strings.Contains(logs, `"desk sign-in"`) || strings.Contains(logs, shared) || strings.Contains(logs, personal) {
		t.Errorf("logs: want the sign-in, no token:\n%s", logs)
	}
}
