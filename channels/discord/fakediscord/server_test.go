package fakediscord

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// These tests speak to the fake with a bare websocket and HTTP client, as
// Discord's documentation describes the protocol, so that the fake is held
// to the documentation and not to one client's habits.

const allIntents = IntentGuildMessages | IntentDirectMessages | IntentMessageContent | IntentGuildMessageReactions | IntentDirectMessageReaction

type client struct {
	t  *testing.T
	ws *websocket.Conn
}

func dial(t *testing.T, s *Server) *client {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(s.URL, "http", "ws", 1)+"/gateway/?v=10&encoding=json", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	c := &client{t: t, ws: ws}
	if p := c.read(); p.Op != opHello || !strings.Contains(string(p.D), `"heartbeat_interval":`) {
		t.Fatalf("first payload %+v, want HELLO", p)
	}
	return c
}

func (c *client) send(op int, d any) {
	c.t.Helper()
	raw, _ := json.Marshal(d)
	if err := c.ws.WriteJSON(payload{Op: op, D: raw}); err != nil {
		c.t.Fatal(err)
	}
}

func (c *client) read() payload {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	var p payload
	if err := c.ws.ReadJSON(&p); err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return p
}

// closed reads until the server closes and returns the close code.
func (c *client) closed() int {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, _, err := c.ws.ReadMessage()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		if err != nil {
			c.t.Fatalf("read: %v, want a close frame", err)
		}
	}
}

func identify(token string, intents any) map[string]any {
	return map[string]any{"token": token, "intents": intents, "properties": map[string]string{"os": "linux", "browser": "test", "device": "test"}}
}

func TestGatewayHandshakeHeartbeatAndResume(t *testing.T) {
	t.Parallel()
	s := Start(t, Config{})
	s.AddGuild("1", 10)
	s.AddChannel("1", "2", "help")
	c := dial(t, s)
	c.send(opHeartbeat, nil) // allowed before identify
	if p := c.read(); p.Op != opHeartbeatACK {
		t.Fatalf("got %+v, want ACK", p)
	}
	c.send(opIdentify, identify(s.Token(), allIntents))
	ready := c.read()
	if ready.Op != opDispatch || *ready.T != "READY" || *ready.S != 1 {
		t.Fatalf("got %+v, want READY with s=1", ready)
	}
	var d struct {
		SessionID string `json:"session_id"`
		User      User   `json:"user"`
		Guilds    []struct{ ID string }
	}
	json.Unmarshal(ready.D, &d)
	if d.SessionID == "" || d.User.ID != s.BotID() || !d.User.Bot || len(d.Guilds) != 1 {
		t.Fatalf("READY %s", ready.D)
	}
	id := s.Post(Post{ChannelID: "2", Author: User{ID: "5", Username: "u"}, Content: "hi"})
	ev := c.read()
	if *ev.T != "MESSAGE_CREATE" || *ev.S != 2 || !strings.Contains(string(ev.D), id) {
		t.Fatalf("got %+v", ev)
	}
	c.send(opHeartbeat, 2)
	if p := c.read(); p.Op != opHeartbeatACK {
		t.Fatalf("got %+v, want ACK", p)
	}
	if g := s.Gateway(); g.LastBeatSeq == nil || *g.LastBeatSeq != 2 || g.Heartbeats != 2 {
		t.Errorf("gateway %+v", g)
	}

	// Drop, miss an event, resume from 2: the event is replayed, then RESUMED.
	s.Drop(0)
	missed := s.Post(Post{ChannelID: "2", Author: User{ID: "5", Username: "u"}, Content: "while away"})
	c2 := dial(t, s)
	c2.send(opResume, map[string]any{"token": s.Token(), "session_id": d.SessionID, "seq": 2})
	if p := c2.read(); *p.T != "MESSAGE_CREATE" || *p.S != 3 || !strings.Contains(string(p.D), missed) {
		t.Fatalf("replayed %+v", p)
	}
	if p := c2.read(); *p.T != "RESUMED" || *p.S != 4 {
		t.Fatalf("got %+v, want RESUMED", p)
	}
	// A resume of an unknown session is answered INVALID_SESSION (false).
	c3 := dial(t, s)
	c3.send(opResume, map[string]any{"token": s.Token(), "session_id": "nope", "seq": 1})
	if p := c3.read(); p.Op != opInvalidSession || string(p.D) != "false" {
		t.Fatalf("got %+v, want INVALID_SESSION false", p)
	}
}

func TestGatewayRefusals(t *testing.T) {
	t.Parallel()
	s := Start(t, Config{MessageContentDisabled: true})
	cases := []struct {
		name string
		op   int
		d    any
		code int
	}{
		{"bad token", opIdentify, identify("wrong", allIntents), 4004},
		{"no intents", opIdentify, identify(s.Token(), nil), 4013},
		{"privileged intent not enabled", opIdentify, identify(s.Token(), allIntents), 4014},
		{"unknown opcode", 42, nil, 4001},
		{"presence before identify", opPresenceUpdate, map[string]any{}, 4003},
		{"resume with a bad token", opResume, map[string]any{"token": "wrong", "session_id": "x", "seq": 0}, 4004},
	}
	for _, tc := range cases {
		c := dial(t, s)
		c.send(tc.op, tc.d)
		if code := c.closed(); code != tc.code {
			t.Errorf("%s: closed with %d, want %d", tc.name, code, tc.code)
		}
	}
	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(s.URL, "http", "ws", 1)+"/gateway?v=6", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_, _, err = ws.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4012 {
		t.Errorf("old API version: %v, want close 4012", err)
	}
}

func TestContentBlankedWithoutIntent(t *testing.T) {
	t.Parallel()
	s := Start(t, Config{})
	s.AddGuild("1", 10)
	s.AddChannel("1", "2", "help")
	c := dial(t, s)
	c.send(opIdentify, identify(s.Token(), IntentGuildMessages))
	c.read() // READY
	s.Post(Post{ChannelID: "2", Author: User{ID: "5"}, Content: "secret question"})
	s.Post(Post{ChannelID: "2", Author: User{ID: "5"}, Content: "<@" + s.BotID() + "> visible"})
	first, second := c.read(), c.read()
	if strings.Contains(string(first.D), "secret") || !strings.Contains(string(second.D), "visible") {
		t.Errorf("content without the intent: %s / %s", first.D, second.D)
	}
}

func do(t *testing.T, s *Server, method, path, auth, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestRESTChecks(t *testing.T) {
	t.Parallel()
	s := Start(t, Config{})
	s.AddGuild("1", 10)
	s.AddChannel("1", "2", "help")
	s.AddChannel("1", "3", "other")
	s.AddUser(User{ID: "7", Username: "someone"})
	q := s.Post(Post{ChannelID: "2", Author: User{ID: "5"}, Content: "question"})
	elsewhere := s.Post(Post{ChannelID: "3", Author: User{ID: "5"}, Content: "elsewhere"})
	auth := "Bot " + s.Token()
	msgs := "/api/v10/channels/2/messages"
	cases := []struct {
		name, method, path, auth, body string
		status                         int
		want                           string
	}{
		{"no token", "POST", msgs, "", `{"content":"x"}`, 401, "Unauthorized"},
		{"bearer token", "POST", msgs, "Bearer " + s.Token(), `{"content":"x"}`, 401, "Unauthorized"},
		{"empty", "POST", msgs, auth, `{"content":"  "}`, 400, "50006"},
		{"too long", "POST", msgs, auth, `{"content":"` + strings.Repeat("é", 2001) + `"}`, 400, "2000 or fewer"},
		{"long nonce", "POST", msgs, auth, `{"content":"x","nonce":"` + strings.Repeat("n", 26) + `"}`, 400, "25 or fewer"},
		{"bad parse", "POST", msgs, auth, `{"content":"x","allowed_mentions":{"parse":["all"]}}`, 400, "not a valid enum"},
		{"users twice", "POST", msgs, auth, `{"content":"x","allowed_mentions":{"parse":["users"],"users":["7"]}}`, 400, "mutually exclusive"},
		{"reply across channels", "POST", msgs, auth, `{"content":"x","message_reference":{"message_id":"` + elsewhere + `","channel_id":"3"}}`, 400, "different channel"},
		{"unknown reference", "POST", msgs, auth, `{"content":"x","message_reference":{"message_id":"99"}}`, 400, "Unknown message"},
		{"unknown channel", "POST", "/api/v10/channels/404/messages", auth, `{"content":"x"}`, 404, "10003"},
		{"old API", "GET", "/api/v6/gateway", "", "", 404, "Not Found"},
		{"gateway needs no token", "GET", "/api/v9/gateway", "", "", 200, "/gateway"},
		{"guild counts", "GET", "/api/v9/guilds/1?with_counts=true", auth, "", 200, `"approximate_member_count":10`},
		{"thread on a missing message", "POST", "/api/v9/channels/2/messages/99/threads", auth, `{"name":"t"}`, 404, "10008"},
		{"thread without a name", "POST", "/api/v9/channels/2/messages/" + q + "/threads", auth, `{"name":""}`, 400, "name"},
		{"reaction on a missing message", "PUT", "/api/v9/channels/2/messages/99/reactions/%F0%9F%91%8D/@me", auth, "", 404, "10008"},
	}
	for _, tc := range cases {
		status, body := do(t, s, tc.method, tc.path, tc.auth, tc.body)
		if status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s, want %d with %q", tc.name, status, body, tc.status, tc.want)
		}
	}
	if n := len(s.Posted("")); n != 0 {
		t.Fatalf("%d messages posted by refused requests", n)
	}

	// Without allowed_mentions Discord parses everything: this is what the
	// adapter must never rely on.
	status, _ := do(t, s, "POST", msgs, auth, `{"content":"@everyone <@7> <@&9>","message_reference":{"message_id":"`+q+`"}}`)
	if status != 200 {
		t.Fatal(status)
	}
	p := s.Posted("2")[0]
	if !p.Pings.Everyone || strings.Join(p.Pings.Users, ",") != "5,7" || strings.Join(p.Pings.Roles, ",") != "9" {
		t.Errorf("default pings %+v", p.Pings)
	}
	// With parse [] and users [5], only 5 is pinged, as the reply's author.
	do(t, s, "POST", msgs, auth, `{"content":"@everyone <@7> <@&9>","nonce":"k1","enforce_nonce":true,"allowed_mentions":{"parse":[],"users":["5"],"replied_user":true},"message_reference":{"message_id":"`+q+`"}}`)
	do(t, s, "POST", msgs, auth, `{"content":"again","nonce":"k1","enforce_nonce":true,"allowed_mentions":{"parse":[]}}`)
	posted := s.Posted("2")
	if len(posted) != 2 {
		t.Fatalf("%d posted; the enforced nonce should have deduplicated", len(posted))
	}
	if p := posted[1].Pings; p.Everyone || strings.Join(p.Users, ",") != "5" || len(p.Roles) != 0 {
		t.Errorf("restricted pings %+v", p)
	}
	// Threads: created once per message, then 160004.
	if status, body := do(t, s, "POST", "/api/v9/channels/2/messages/"+q+"/threads", auth, `{"name":"t","auto_archive_duration":1440}`); status != 201 || !strings.Contains(body, `"parent_id":"2"`) {
		t.Errorf("thread: %d %s", status, body)
	}
	if status, body := do(t, s, "POST", "/api/v9/channels/2/messages/"+q+"/threads", auth, `{"name":"t"}`); status != 400 || !strings.Contains(body, "160004") {
		t.Errorf("second thread: %d %s", status, body)
	}
	if status, _ := do(t, s, "GET", "/api/v9/channels/"+q, auth, ""); status != 200 {
		t.Errorf("GET thread: %d", status)
	}
	if len(s.Requests()) == 0 || s.String() == "" {
		t.Error("requests not recorded")
	}
}

// TestMessageHistory holds GET /channels/{id}/messages to Discord's
// documentation: newest first; after gives the oldest messages after an
// id, before the newest before one; limit 1–100, 50 by default; an unknown
// channel is 404 with code 10003; no guild_id or member in the messages.
func TestMessageHistory(t *testing.T) {
	t.Parallel()
	s := Start(t, Config{})
	s.AddGuild("1", 10)
	s.AddChannel("1", "2", "help")
	s.AddChannel("1", "3", "other")
	var ids []string // oldest first
	for i := range 120 {
		ids = append(ids, s.Post(Post{ChannelID: "2", Author: User{ID: "5"}, Content: "m" + strconv.Itoa(i)}))
	}
	s.Post(Post{ChannelID: "3", Author: User{ID: "5"}, Content: "elsewhere"})
	old := s.Post(Post{ChannelID: "2", Author: User{ID: "5"}, Content: "old", At: time.Now().Add(-48 * time.Hour)})
	auth := "Bot " + s.Token()
	get := func(query string) []Message {
		t.Helper()
		status, body := do(t, s, "GET", "/api/v10/channels/2/messages"+query, auth, "")
		if status != 200 {
			t.Fatalf("%s: %d %s", query, status, body)
		}
		var ms []Message
		if err := json.Unmarshal([]byte(body), &ms); err != nil {
			t.Fatal(err)
		}
		return ms
	}
	contents := func(ms []Message) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Content)
			if m.GuildID != "" || m.Member != nil || m.ChannelID != "2" {
				t.Errorf("message %+v: want channel 2, no guild_id nor member", m)
			}
		}
		return out
	}
	want := func(from, to int) []string { // newest first, m[to] down to m[from]
		var out []string
		for i := to; i >= from; i-- {
			out = append(out, "m"+strconv.Itoa(i))
		}
		return out
	}
	cases := []struct {
		name, query string
		want        []string
	}{
		{"newest 50 by default", "", want(70, 119)},
		{"limit", "?limit=3", want(117, 119)},
		{"after: the oldest after, newest first", "?after=" + ids[9] + "&limit=5", want(10, 14)},
		{"after the last", "?after=" + ids[119], nil},
		{"before: the newest before", "?before=" + ids[10] + "&limit=3", want(7, 9)},
		{"between", "?after=" + ids[3] + "&before=" + ids[7], want(4, 6)},
		{"back-dated, by its id", "?before=" + ids[0], []string{"old"}},
	}
	for _, tc := range cases {
		if got := contents(get(tc.query)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if id, _ := strconv.ParseInt(old, 10, 64); id>>22 > Snowflake(time.Now().Add(-47*time.Hour))>>22 {
		t.Errorf("back-dated id %s is not from its time", old)
	}
	for _, tc := range []struct {
		name, path string
		status     int
		want       string
	}{
		{"limit 0", "/api/v10/channels/2/messages?limit=0", 400, "50035"},
		{"limit 101", "/api/v10/channels/2/messages?limit=101", 400, "50035"},
		{"bad after", "/api/v10/channels/2/messages?after=x", 400, "50035"},
		{"unknown channel", "/api/v10/channels/404/messages", 404, "10003"},
	} {
		if status, body := do(t, s, "GET", tc.path, auth, ""); status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s, want %d with %q", tc.name, status, body, tc.status, tc.want)
		}
	}
	s.FailHistory("2", 1, http.StatusForbidden)
	if status, body := do(t, s, "GET", "/api/v10/channels/2/messages", auth, ""); status != 403 || !strings.Contains(body, "50001") {
		t.Errorf("forbidden: %d %s", status, body)
	}
	if status, _ := do(t, s, "GET", "/api/v10/channels/2/messages", auth, ""); status != 200 {
		t.Errorf("after the failure: %d", status)
	}
}
