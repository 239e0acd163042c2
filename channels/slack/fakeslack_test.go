package slack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/gorilla/websocket"
)

// Tokens the fake Slack accepts. They look real enough for CheckTokens and
// are checked on every request, so a call with the wrong token fails.
const (
	testBotToken = "xoxb-test-1234-secretbot"
	testAppToken = "xapp-1-A1-secretapp"
	testDesk     = "CDESK01"
)

// fakeSlack is a small Slack on loopback for the real slack-go clients: the
// Web API methods the desk uses (recording each call and checking its token
// and body), apps.connections.open, and a Socket Mode websocket that says
// hello, pings, sends envelopes and records acknowledgements.
type fakeSlack struct {
	t   *testing.T
	srv *httptest.Server

	mu        sync.Mutex
	seq       int       // orders calls and acks
	calls     []apiCall // Web API calls, in order
	acks      []ackRecord
	sent      map[string]bool // envelope ids sent
	opens     int             // apps.connections.open calls
	conns     []*fakeConn
	limited   map[string][]string      // method → Retry-After values to answer with 429, in turn
	held      map[string]chan struct{} // method → closed when its calls may be answered
	lose      map[string]int           // method → calls to take, then answer 502 as if the answer were lost
	deleted   map[string]string        // ts of messages deleted in Slack → the error chat.update answers
	refuse    map[string]string        // text in a message's blocks → the error Slack refuses it with
	failOpens int                      // apps.connections.open calls to fail with a 503
	hangOpens int                      // apps.connections.open calls to leave unanswered until the client gives up
	rejectApp bool                     // answer apps.connections.open with invalid_auth
	ts        int
}

// apiCall is one recorded Web API call.
type apiCall struct {
	Seq    int
	Method string
	TS     string         // the ts the fake answered with
	Form   url.Values     // form-encoded calls (chat.*)
	JSON   map[string]any // JSON calls (views.*)
	// Err is the error code the fake refused the call with, "" when it
	// took it. A refused chat.postMessage makes no message and a refused
	// chat.update changes none, as in Slack: history and threads leave
	// them out.
	Err string
}

// ackRecord is one acknowledgement the client sent.
type ackRecord struct {
	Seq        int
	EnvelopeID string
	Payload    json.RawMessage
	Conn       int
}

// fakeConn is one Socket Mode websocket.
type fakeConn struct {
	n      int
	ws     *websocket.Conn
	wmu    sync.Mutex
	pongs  atomic.Int32
	closed chan struct{}
	once   sync.Once
}

func newFakeSlack(t *testing.T) *fakeSlack {
	t.Helper()
	f := &fakeSlack{t: t, sent: map[string]bool{}, limited: map[string][]string{}, held: map[string]chan struct{}{}, lose: map[string]int{}, deleted: map[string]string{}, refuse: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/apps.connections.open", f.connectionsOpen)
	mux.HandleFunc("/api/", f.webAPI)
	mux.HandleFunc("/link", f.socket)
	f.srv = httptest.NewServer(mux)
	if !strings.HasPrefix(f.srv.URL, "http://127.0.0.1:") {
		t.Fatalf("fake Slack is not on loopback: %s", f.srv.URL)
	}
	t.Cleanup(func() {
		f.mu.Lock()
		conns := f.conns
		f.mu.Unlock()
		for _, c := range conns {
			c.close()
		}
		f.srv.Close()
	})
	return f
}

// config is a desk configuration pointing at the fake.
func (f *fakeSlack) config() Config {
	return Config{DeskChannel: testDesk, APIURL: f.srv.URL, Command: "/liaison"}
}

func (f *fakeSlack) nextSeq() int { f.seq++; return f.seq }

func (f *fakeSlack) connectionsOpen(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	reject := f.rejectApp
	f.mu.Unlock()
	if reject {
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+testAppToken {
		f.t.Errorf("apps.connections.open: Authorization %q, want the app token", redactAuth(got))
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	f.mu.Lock()
	f.opens++
	n := f.opens
	fail := f.failOpens > 0
	if fail {
		f.failOpens--
	}
	hang := !fail && f.hangOpens > 0
	if hang {
		f.hangOpens--
	}
	f.mu.Unlock()
	if hang {
		<-r.Context().Done()
		return
	}
	if fail {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	u := "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/link?n=" + strconv.Itoa(n)
	writeJSON(w, map[string]any{"ok": true, "url": u})
}

func (f *fakeSlack) webAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	body, _ := io.ReadAll(r.Body)
	// slack-go sends the token as a bearer header (JSON calls) or as the
	// form's token field (chat.* calls); Slack accepts both.
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	form, formErr := url.ParseQuery(string(body))
	if token == "" && formErr == nil {
		token = form.Get("token")
		form.Del("token")
	}
	if token == "xoxb-revoked-secret" {
		writeJSON(w, map[string]any{"ok": false, "error": "token_revoked"})
		return
	}
	if token != testBotToken {
		f.t.Errorf("%s: token %q, want the bot token", method, redactAuth(token))
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	call := apiCall{Method: method}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(body, &call.JSON); err != nil {
			f.t.Errorf("%s: body is not JSON: %v", method, err)
		}
		if strings.Contains(string(body), "secret") {
			f.t.Errorf("%s: a token is in the JSON body", method)
		}
	} else {
		if formErr != nil {
			f.t.Errorf("%s: body is not a form: %v", method, formErr)
		}
		if strings.Contains(form.Encode(), "secret") {
			f.t.Errorf("%s: a token is in a form field other than token", method)
		}
		call.Form = form
	}

	f.mu.Lock()
	if q := f.limited[method]; len(q) > 0 {
		f.limited[method] = q[1:]
		f.mu.Unlock()
		w.Header().Set("Retry-After", q[0])
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
		return
	}
	call.Seq = f.nextSeq()
	f.calls = append(f.calls, call)
	f.ts++
	ts := fmt.Sprintf("1700000000.%06d", f.ts)
	call.TS = ts
	if method == "chat.update" && call.Form != nil {
		call.TS = call.Form.Get("ts")
	}
	f.calls = append(f.calls[:len(f.calls)-1], call)
	hold := f.held[method]
	lost := f.lose[method] > 0
	if lost {
		f.lose[method]--
	}
	f.mu.Unlock()
	if lost {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
			return
		}
	}

	switch method {
	case "chat.postMessage", "chat.update", "chat.postEphemeral":
		ch := call.Form.Get("channel")
		if ch != testDesk {
			f.refuseCall(w, call.Seq, "channel_not_found")
			return
		}
		if method == "chat.update" {
			ts = call.Form.Get("ts")
			f.mu.Lock()
			gone := f.deleted[ts]
			f.mu.Unlock()
			if gone != "" {
				f.refuseCall(w, call.Seq, gone)
				return
			}
		}
		if blocks := call.Form.Get("blocks"); blocks != "" && !json.Valid([]byte(blocks)) {
			f.t.Errorf("%s: blocks are not JSON", method)
		}
		if code := f.refusal(call.Form); code != "" {
			f.refuseCall(w, call.Seq, code)
			return
		}
		writeJSON(w, map[string]any{"ok": true, "channel": ch, "ts": ts, "message_ts": ts})
	case "conversations.history":
		// The desk channel's messages posted so far, newest first, with
		// their metadata when asked for.
		if call.Form.Get("channel") != testDesk {
			writeJSON(w, map[string]any{"ok": false, "error": "channel_not_found"})
			return
		}
		withMeta := call.Form.Get("include_all_metadata") == "1"
		var msgs []map[string]any
		for _, c := range f.callsTo("chat.postMessage") {
			inThread := c.Form.Get("thread_ts") != "" && c.Form.Get("reply_broadcast") != "true" // a reply also sent to the channel is in its history
			if c.Err != "" || c.Form.Get("channel") != testDesk || inThread || f.deleted[c.TS] == "message_not_found" {
				continue
			}
			m := map[string]any{"type": "message", "ts": c.TS, "text": c.Form.Get("text"), "bot_id": "B1", "user": "UBOT"}
			if meta := c.Form.Get("metadata"); withMeta && meta != "" {
				var v any
				_ = json.Unmarshal([]byte(meta), &v)
				m["metadata"] = v
			}
			msgs = append([]map[string]any{m}, msgs...)
		}
		writeJSON(w, map[string]any{"ok": true, "messages": msgs, "has_more": false})
	case "conversations.replies":
		// The thread's messages, its root first, each as last posted or
		// updated.
		if call.Form.Get("channel") != testDesk {
			writeJSON(w, map[string]any{"ok": false, "error": "channel_not_found"})
			return
		}
		// Paged as Slack pages it: at most limit messages (Slack's
		// default 1000 when not given), and a cursor to the next page.
		msgs := f.thread(call.Form.Get("ts"))
		start, _ := strconv.Atoi(strings.TrimPrefix(call.Form.Get("cursor"), "page-"))
		limit, _ := strconv.Atoi(call.Form.Get("limit"))
		if limit <= 0 {
			limit = 1000
		}
		start = min(start, len(msgs))
		end := min(start+limit, len(msgs))
		res := map[string]any{"ok": true, "messages": msgs[start:end], "has_more": end < len(msgs)}
		if end < len(msgs) {
			res["response_metadata"] = map[string]any{"next_cursor": "page-" + strconv.Itoa(end)}
		}
		writeJSON(w, res)
	case "auth.test":
		writeJSON(w, map[string]any{"ok": true, "team": "Fake", "team_id": "T1", "user": "liaison", "user_id": "UBOT", "bot_id": "B1"})
	case "views.open":
		if call.JSON["trigger_id"] == "" || call.JSON["view"] == nil {
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_arguments"})
			return
		}
		writeJSON(w, map[string]any{"ok": true, "view": map[string]any{"id": "V" + strconv.Itoa(f.ts)}})
	default:
		writeJSON(w, map[string]any{"ok": false, "error": "unknown_method"})
	}
}

func (f *fakeSlack) socket(w http.ResponseWriter, r *http.Request) {
	// slack-go presents itself with Slack's origin; anything else is refused.
	up := websocket.Upgrader{CheckOrigin: func(r *http.Request) bool { return r.Header.Get("Origin") == "https://api.slack.com" }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		f.t.Errorf("websocket upgrade: %v", err)
		return
	}
	c := &fakeConn{ws: ws, closed: make(chan struct{})}
	ws.SetPongHandler(func(string) error { c.pongs.Add(1); return nil })
	f.mu.Lock()
	f.conns = append(f.conns, c)
	c.n = len(f.conns)
	f.mu.Unlock()

	c.write(map[string]any{"type": "hello", "num_connections": 1,
		"connection_info": map[string]any{"app_id": "A1"},
		"debug_info":      map[string]any{"host": "fake", "approximate_connection_time": 3600}})

	go func() { // Slack pings the client; the client must answer.
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-c.closed:
				return
			case <-tick.C:
				if err := ws.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second)); err != nil {
					return
				}
			}
		}
	}()
	go func() { // acks
		defer c.close()
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				return
			}
			var a struct {
				EnvelopeID string          `json:"envelope_id"`
				Payload    json.RawMessage `json:"payload"`
			}
			if err := json.Unmarshal(data, &a); err != nil || a.EnvelopeID == "" {
				f.t.Errorf("socket: not an ack: %s", data)
				continue
			}
			f.mu.Lock()
			if !f.sent[a.EnvelopeID] {
				f.t.Errorf("socket: ack for an envelope never sent: %q", a.EnvelopeID)
			}
			f.acks = append(f.acks, ackRecord{Seq: f.nextSeq(), EnvelopeID: a.EnvelopeID, Payload: a.Payload, Conn: c.n})
			f.mu.Unlock()
		}
	}()
}

func (c *fakeConn) write(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.ws.WriteJSON(v)
}

func (c *fakeConn) close() {
	c.once.Do(func() {
		close(c.closed)
		_ = c.ws.Close()
	})
}

// refuseCall answers the call seq with Slack's error code, and records
// that it was refused (apiCall.Err).
func (f *fakeSlack) refuseCall(w http.ResponseWriter, seq int, code string) {
	f.mu.Lock()
	for i := range f.calls {
		if f.calls[i].Seq == seq {
			f.calls[i].Err = code
		}
	}
	f.mu.Unlock()
	writeJSON(w, map[string]any{"ok": false, "error": code})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func redactAuth(s string) string {
	if len(s) > 12 {
		return s[:12] + "…"
	}
	return s
}

// conn waits for the n-th websocket connection (1-based).
func (f *fakeSlack) conn(n int) *fakeConn {
	f.t.Helper()
	var c *fakeConn
	eventually(f.t, fmt.Sprintf("socket connection %d", n), func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		if len(f.conns) >= n {
			c = f.conns[n-1]
		}
		return c != nil
	})
	return c
}

// send writes an envelope on the latest connection.
func (f *fakeSlack) send(env map[string]any) {
	f.t.Helper()
	f.mu.Lock()
	n := len(f.conns)
	if id, ok := env["envelope_id"].(string); ok {
		f.sent[id] = true
	}
	f.mu.Unlock()
	if err := f.conn(n).write(env); err != nil {
		f.t.Fatalf("send envelope: %v", err)
	}
}

// eventsEnvelope wraps an Events API event.
func eventsEnvelope(envelopeID, eventID string, retry int, event map[string]any) map[string]any {
	return map[string]any{
		"envelope_id": envelopeID, "type": "events_api", "accepts_response_payload": false,
		"retry_attempt": retry, "retry_reason": map[bool]string{true: "timeout"}[retry > 0],
		"payload": map[string]any{
			"token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
			"event_id": eventID, "event_time": 1700000000, "event": event,
		},
	}
}

// threadReply is a message event: user's reply in thread under the desk.
func threadReply(user, thread, ts, text string) map[string]any {
	return map[string]any{
		"type": "message", "channel": testDesk, "channel_type": "channel", "user": user,
		"text": text, "ts": ts, "thread_ts": thread, "event_ts": ts, "client_msg_id": "cm-" + ts,
	}
}

// interactiveEnvelope wraps an interaction payload.
func interactiveEnvelope(envelopeID string, payload map[string]any) map[string]any {
	return map[string]any{"envelope_id": envelopeID, "type": "interactive", "accepts_response_payload": true, "payload": payload}
}

// blockAction is a button click.
func blockAction(user, actionID, value, actionTS, messageTS string) map[string]any {
	return map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user}, "trigger_id": "trig-" + actionTS,
		"channel":   map[string]any{"id": testDesk},
		"container": map[string]any{"type": "message", "channel_id": testDesk, "message_ts": messageTS},
		"actions":   []any{map[string]any{"type": "button", "action_id": actionID, "block_id": "b", "value": value, "action_ts": actionTS}},
	}
}

// slashEnvelope wraps a slash command.
func slashEnvelope(envelopeID, user, text string) map[string]any {
	return map[string]any{
		"envelope_id": envelopeID, "type": "slash_commands", "accepts_response_payload": true,
		"payload": map[string]any{
			"command": "/liaison", "text": text, "user_id": user, "user_name": "someone",
			"channel_id": testDesk, "team_id": "T1", "trigger_id": "trig-" + envelopeID,
			"response_url": "https://hooks.invalid/x",
		},
	}
}

// viewSubmission is a modal submission with the broadcast fields.
func viewSubmission(user, viewID, hash, callback, meta, en, fr string, at int64) map[string]any {
	values := map[string]any{
		blockEN: map[string]any{actText: map[string]any{"type": "plain_text_input", "value": en}},
		blockFR: map[string]any{actText: map[string]any{"type": "plain_text_input", "value": fr}},
		blockAt: map[string]any{actAt: map[string]any{"type": "datetimepicker", "selected_date_time": at}},
	}
	return map[string]any{
		"type": "view_submission", "user": map[string]any{"id": user}, "trigger_id": "trig-" + viewID + hash,
		"view": map[string]any{"id": viewID, "hash": hash, "callback_id": callback, "private_metadata": meta,
			"type": "modal", "state": map[string]any{"values": values}},
	}
}

// ack waits for the acknowledgement of envelope id (the n-th one, 1-based).
func (f *fakeSlack) ack(id string, n int) ackRecord {
	f.t.Helper()
	var got ackRecord
	eventually(f.t, "ack of "+id, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		k := 0
		for _, a := range f.acks {
			if a.EnvelopeID == id {
				k++
				if k == n {
					got = a
					return true
				}
			}
		}
		return false
	})
	return got
}

// ackCount is how many times envelope id was acknowledged.
func (f *fakeSlack) ackCount(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := 0
	for _, a := range f.acks {
		if a.EnvelopeID == id {
			k++
		}
	}
	return k
}

// callsTo lists the recorded calls to method.
func (f *fakeSlack) callsTo(method string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// waitCalls waits until method was called at least n times.
func (f *fakeSlack) waitCalls(method string, n int) []apiCall {
	f.t.Helper()
	var out []apiCall
	eventually(f.t, fmt.Sprintf("%d calls to %s", n, method), func() bool {
		out = f.callsTo(method)
		return len(out) >= n
	})
	return out
}

// hold keeps calls to method unanswered (but recorded) until release is
// called: for checking that nothing waits on them.
func (f *fakeSlack) hold(method string) (release func()) {
	ch := make(chan struct{})
	f.mu.Lock()
	f.held[method] = ch
	f.mu.Unlock()
	var once sync.Once
	release = func() { once.Do(func() { close(ch) }) }
	f.t.Cleanup(release)
	return release
}

// rateLimit makes the next calls to method answer 429 with these
// Retry-After values, one per call.
func (f *fakeSlack) rateLimit(method string, retryAfter ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limited[method] = append(f.limited[method], retryAfter...)
}

// eventually waits for cond, failing the test after a generous deadline.
// It waits for an event, it does not measure speed.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// deletePost makes Slack answer every later chat.update of message ts with
// error ("message_not_found" for a deleted message, "cant_update_message"
// for one that may no longer be edited).
func (f *fakeSlack) deletePost(ts, error string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted[ts] = error
}

// loseAnswers makes the next n calls to method take effect, then answer 502
// as a proxy does when the answer is lost on the way back.
func (f *fakeSlack) loseAnswers(method string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lose[method] += n
}

// refusal is the error Slack answers a chat call's message with, "" when
// it takes it: the one set by refuseBlocks, or invalid_blocks when a
// section's text passes 3000 characters, counted as the UTF-16 code units Slack's clients count (an
// emoji outside the Basic Multilingual Plane counts two).
func (f *fakeSlack) refusal(form url.Values) string {
	f.mu.Lock()
	for text, code := range f.refuse {
		if strings.Contains(form.Get("blocks"), text) {
			f.mu.Unlock()
			return code
		}
	}
	f.mu.Unlock()
	var blocks []struct {
		Type string `json:"type"`
		Text struct {
			Text string `json:"text"`
		} `json:"text"`
	}
	if b := form.Get("blocks"); b == "" || json.Unmarshal([]byte(b), &blocks) != nil {
		return ""
	}
	for _, b := range blocks {
		if b.Type == "section" && len(utf16.Encode([]rune(b.Text.Text))) > 3000 {
			return "invalid_blocks"
		}
	}
	return ""
}

// refuseBlocks makes Slack refuse with error code every later message
// whose blocks hold text, as it refuses a message it finds invalid
// (invalid_blocks, msg_too_long); "" as code takes them again.
func (f *fakeSlack) refuseBlocks(text, code string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if code == "" {
		delete(f.refuse, text)
		return
	}
	f.refuse[text] = code
}

// padThread adds n messages from staff to the desk thread ts, as if they
// had been written there, without a call of the desk's own.
func (f *fakeSlack) padThread(ts string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.ts++
		f.calls = append(f.calls, apiCall{Seq: f.nextSeq(), Method: "chat.postMessage", TS: fmt.Sprintf("1700000000.%06d", f.ts),
			Form: url.Values{"channel": {testDesk}, "thread_ts": {ts}, "text": {"discussion"}, "blocks": {"[]"}}})
	}
}

// thread returns the messages of the desk thread whose root is ts, root
// first, each with the text and blocks it was last posted or updated with.
func (f *fakeSlack) thread(ts string) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	var msgs []map[string]any
	byTS := map[string]map[string]any{}
	for _, c := range f.calls {
		if c.Err != "" || c.Form == nil || c.Form.Get("channel") != testDesk {
			continue
		}
		switch {
		case c.Method == "chat.postMessage" && (c.TS == ts || c.Form.Get("thread_ts") == ts):
			m := map[string]any{"type": "message", "ts": c.TS, "thread_ts": ts, "user": "UBOT", "bot_id": "B1"}
			msgs = append(msgs, m)
			byTS[c.TS] = m
		case c.Method == "chat.update" && byTS[c.TS] != nil && f.deleted[c.TS] == "":
		default:
			continue
		}
		m := byTS[c.TS]
		m["text"] = c.Form.Get("text")
		var blocks any
		if json.Unmarshal([]byte(c.Form.Get("blocks")), &blocks) == nil {
			m["blocks"] = blocks
		}
	}
	return msgs
}
