package discord

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/pelletier/go-toml/v2"

	"github.com/liaison-gc/liaison/bot"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	if err := testConfig().Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	bad := Config{
		Guilds:        []string{"abc", guildID, guildID},
		ApplicationID: "app",
		APIURL:        "ftp://example.org",
		CatchUpHours:  -1,
		Channel: []ChannelSettings{
			{ID: helpID, Lang: "french"},
			{ID: "", ReplyStyle: "dm"},
			{ID: helpID, Name: "two\nlines"},
			{ID: "#help"},
		},
	}
	err := bad.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`discord.guilds[0]: "abc" is not a Discord id`,
		"discord.guilds[2]: " + guildID + " is listed twice",
		"discord.application_id:",
		"discord.api_url:",
		`discord.channel[0].lang: "french" (channel ` + helpID + `) is not a channel language: use bilingual, en or fr`,
		"discord.channel[1].id: missing",
		`discord.channel[1].reply_style: "dm"`,
		"discord.channel[2].id: " + helpID + " is also discord.channel[0]",
		"discord.channel[2].name: must be on one line",
		`discord.channel[3].id: "#help" is not a Discord id`,
		"discord.catch_up_hours: -1 is out of range: use 0 (no catch-up) to 720 hours",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	if n := len(strings.Split(err.Error(), "\n")); n != 11 {
		t.Errorf("%d problems reported, want 11:\n%v", n, err)
	}
	for _, h := range []int{0, 1, MaxCatchUpHours} {
		c := testConfig()
		c.CatchUpHours = h
		if err := c.Validate(); err != nil {
			t.Errorf("catch_up_hours = %d: %v", h, err)
		}
	}
	c := testConfig()
	c.CatchUpHours = MaxCatchUpHours + 1
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "discord.catch_up_hours: 721 is out of range") {
		t.Errorf("catch_up_hours = 721: %v", err)
	}
	if Default().CatchUpHours != 24 {
		t.Errorf("default catch_up_hours %d, want 24", Default().CatchUpHours)
	}
	if err := (Config{}).Validate(); err == nil || !strings.Contains(err.Error(), "discord.guilds: no server") ||
		!strings.Contains(err.Error(), "dms = false") {
		t.Errorf("empty config: %v", err)
	}
}

func TestConfigFromTOML(t *testing.T) {
	t.Parallel()
	src := `
guilds = ["` + guildID + `"]
application_id = "` + botID + `"
dms = false
api_url = "http://127.0.0.1:3001/api/v9"

[[channel]]
id = "` + helpID + `"
name = "#help"
lang = "fr"
help = true
reply_style = "thread"

[[channel]]
id = "` + newsID + `"
broadcast = true
`
	c := Default()
	dec := toml.NewDecoder(strings.NewReader(src))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	got := c.Channels()
	want := []bot.ChannelConfig{
		{Key: "discord:" + helpID, Name: "#help", Lang: bot.French, Help: true},
		{Key: "discord:" + newsID, Name: "#" + newsID, Lang: bot.Unknown, Broadcast: true},
	}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Channels() = %+v, want %+v", got, want)
	}
	if c.DMs || c.Channel[0].ReplyStyle != StyleThread {
		t.Errorf("decoded %+v", c)
	}
}

func TestAPIBase(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"http://127.0.0.1:3001":            "http://127.0.0.1:3001",
		"http://127.0.0.1:3001/":           "http://127.0.0.1:3001",
		"https://chat.example.org/api":     "https://chat.example.org",
		"https://chat.example.org/api/v9":  "https://chat.example.org",
		"https://chat.example.org/api/v10": "https://chat.example.org",
		"https://example.org/discord/api/": "https://example.org/discord",
		"https://example.org/apis":         "https://example.org/apis",
	}
	for in, want := range cases {
		u, err := apiBase(in)
		if err != nil || u.String() != want {
			t.Errorf("apiBase(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
	for _, in := range []string{"", "example.org", "ws://example.org", "http://example.org?x=1", "http://%zz"} {
		if _, err := apiBase(in); err == nil {
			t.Errorf("apiBase(%q) accepted", in)
		}
	}
}

func TestRewriteKeepsPathPrefixAndEscapes(t *testing.T) {
	t.Parallel()
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.EscapedPath())
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	c, err := httpClient(nil, srv.URL+"/prefix/api/v9")
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{
		discordgo.EndpointMessageReaction("1", "2", "👍", "@me"),
		discordgo.EndpointGateway,
	} {
		req, _ := http.NewRequest(http.MethodGet, raw, nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	want := []string{"/prefix/api/v9/channels/1/messages/2/reactions/" + url.PathEscape("👍") + "/@me", "/prefix/api/v9/gateway"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("paths %v, want %v", got, want)
	}
	// Other hosts are left alone.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/direct", nil)
	if resp, err := c.Do(req); err == nil {
		resp.Body.Close()
	}
	if got[len(got)-1] != "/direct" {
		t.Errorf("a request to another host was rewritten to %s", got[len(got)-1])
	}
	// The caller's client is copied, never modified.
	base := &http.Client{}
	if _, err := httpClient(base, srv.URL); err != nil || base.Transport != nil {
		t.Errorf("the base client was modified: %v", err)
	}
}

// A request to a server api_url names that cannot be reached says which
// server it was, not only discord.com, which the client's error names.
func TestRewrittenRequestFailureNamesTheServerAsked(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close() // nothing listens there now
	c, err := httpClient(nil, addr+"/api/v9")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, discordgo.EndpointGateway, nil)
	req.Header.Set("Authorization", "Bot secret-token")
	resp, err := c.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatal("a request to a closed server succeeded")
	}
	if !strings.Contains(err.Error(), "GET "+addr+"/api/v9/gateway (discord.api_url)") || strings.Contains(err.Error(), "secret-token") {
		t.Errorf("error %q does not name the server asked (or names the token)", err)
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	if _, err := New(testConfig(), "  ", Options{}); err == nil || !strings.Contains(err.Error(), "LIAISON_DISCORD_TOKEN") {
		t.Errorf("New without a token: %v", err)
	}
	if _, err := New(Config{}, "tok", Options{}); err == nil || !strings.Contains(err.Error(), "discord.guilds") {
		t.Errorf("New with an invalid config: %v", err)
	}
	c, err := New(testConfig(), "Bot secret-token", Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := c.session()
	if c.Name() != "discord" || s.Token != "Bot secret-token" || s.Identify.Token != "secret-token" ||
		s.Identify.Intents != Intents || s.ShouldRetryOnRateLimit || s.ShouldReconnectOnError {
		t.Errorf("session %q %q %v", s.Token, s.Identify.Token, s.Identify.Intents)
	}
	if len(c.Channels()) != 4 || c.Config().Guilds[0] != guildID {
		t.Errorf("Channels %+v", c.Channels())
	}
}

func TestNonce(t *testing.T) {
	t.Parallel()
	if nonce("", 0) != "" {
		t.Error("a reply without a key got a nonce")
	}
	if n := nonce("answer:42", 0); n != "answer:42" {
		t.Errorf("short key: %q", n)
	}
	if n := nonce("answer:42", 1); n != "answer:42#2" {
		t.Errorf("second part: %q", n)
	}
	long := "relay:" + strings.Repeat("9", 40)
	a, b := nonce(long, 0), nonce(long, 1)
	if len(a) != maxNonce || len(b) != maxNonce || a == b || a != nonce(long, 0) {
		t.Errorf("long key nonces %q %q", a, b)
	}
	if n := nonce("clé:é", 0); len(n) != maxNonce {
		t.Errorf("non-ASCII key kept as %q", n)
	}
}

func TestThreadName(t *testing.T) {
	t.Parallel()
	cases := []struct {
		lang bot.Lang
		user string
		want string
	}{
		{bot.English, "Marie", "Answer for Marie"},
		{bot.French, "Marie", "Réponse pour Marie"},
		{bot.Unknown, "Marie", "Answer · Réponse · Marie"},
		{bot.French, "", "Réponse"},
		{bot.English, "  Jean\n  Luc ", "Answer for Jean Luc"},
	}
	for _, tc := range cases {
		if got := threadName(tc.lang, tc.user); got != tc.want {
			t.Errorf("threadName(%q, %q) = %q, want %q", tc.lang, tc.user, got, tc.want)
		}
	}
	if n := len([]rune(threadName(bot.English, strings.Repeat("é", 300)))); n != 100 {
		t.Errorf("long name has %d characters", n)
	}
}

func TestInviteURL(t *testing.T) {
	t.Parallel()
	got, err := InviteURL(botID)
	if err != nil {
		t.Fatal(err)
	}
	want := "https://discord.com/oauth2/authorize?client_id=" + botID + "&scope=bot%20applications.commands&permissions=309237730368"
	if got != want {
		t.Errorf("InviteURL = %s\nwant         %s", got, want)
	}
	u, _ := url.Parse(got)
	if u.Query().Get("scope") != "bot applications.commands" {
		t.Errorf("scope %q", u.Query().Get("scope"))
	}
	// Exactly these permissions, and never the dangerous ones.
	const need = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionSendMessagesInThreads |
		discordgo.PermissionCreatePublicThreads | discordgo.PermissionReadMessageHistory | discordgo.PermissionAddReactions |
		discordgo.PermissionEmbedLinks
	if Permissions != need {
		t.Errorf("permissions %d, want %d", Permissions, need)
	}
	for name, p := range map[string]int64{"administrator": discordgo.PermissionAdministrator, "mention everyone": discordgo.PermissionMentionEveryone,
		"manage messages": discordgo.PermissionManageMessages, "manage roles": discordgo.PermissionManageRoles} {
		if Permissions&p != 0 {
			t.Errorf("the bot asks for %s", name)
		}
	}
	if _, err := InviteURL("my-app"); err == nil {
		t.Error("a malformed application id was accepted")
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	rest := func(status, code int) error {
		body := `{"code":` + strconv.Itoa(code) + `,"message":"m"}`
		var msg *discordgo.APIErrorMessage
		_ = json.Unmarshal([]byte(body), &msg)
		return &discordgo.RESTError{Response: &http.Response{StatusCode: status, Status: http.StatusText(status)}, ResponseBody: []byte(body), Message: msg}
	}
	cases := []struct {
		name  string
		err   error
		retry bool
		code  int
	}{
		{"forbidden", rest(403, 50013), false, 50013},
		{"not found", rest(404, 10003), false, 10003},
		{"unauthorized", rest(401, 0), true, 0},
		{"server", rest(503, 0), true, 0},
		{"rate limit", &discordgo.RateLimitError{RateLimit: &discordgo.RateLimit{TooManyRequests: &discordgo.TooManyRequests{}, URL: "u"}}, true, 0},
		{"unauthorized sentinel", discordgo.ErrUnauthorized, true, 0},
		{"bad json", discordgo.ErrJSONUnmarshal, false, 0},
		{"network", errors.New("connection refused"), true, 0},
	}
	for _, tc := range cases {
		e := classify("send", tc.err)
		if e.Retryable() != tc.retry || e.Code != tc.code {
			t.Errorf("%s: %v retry=%v code=%d", tc.name, e, e.Retryable(), e.Code)
		}
		if !strings.HasPrefix(e.Error(), "discord: send") {
			t.Errorf("%s: %q", tc.name, e.Error())
		}
	}
}

// TestExampleConfig keeps the documented section valid: it must decode with
// unknown keys refused and pass Validate.
func TestExampleConfig(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Discord Config `toml:"discord"`
	}
	file.Discord = Default()
	dec := toml.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		t.Fatal(err)
	}
	if err := file.Discord.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(file.Discord.Channel) != 2 || !file.Discord.DMs || file.Discord.APIURL != "" || file.Discord.CatchUpHours != DefaultCatchUpHours {
		t.Errorf("decoded %+v", file.Discord)
	}
}
