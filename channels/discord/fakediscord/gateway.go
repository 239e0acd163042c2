package fakediscord

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Gateway opcodes (Discord's numbering).
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opPresenceUpdate = 3
	opVoiceState     = 4
	opResume         = 6
	opReconnect      = 7
	opRequestMembers = 8
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatACK   = 11
)

// gateway is the state of the bot's one gateway session; guarded by
// Server.mu.
type gateway struct {
	sessionID string
	intents   int
	seq       int64
	log       []event // events dispatched in this session, for RESUME
	live      *conn   // the connection the session is attached to
	conns     map[*conn]bool

	replayExtra int // events already delivered to replay on the next RESUME
	resumeClose int // close code for the next RESUME (0: honour it)

	outage bool // connections are refused (Outage)

	connections, identifies, resumes, heartbeats int
	lastBeat                                     *int64
	closes                                       []int
}

type event struct {
	seq int64
	t   string
	d   json.RawMessage
}

type conn struct {
	ws         *websocket.Conn
	wmu        sync.Mutex
	identified bool // guarded by Server.mu
}

type payload struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s"`
	T  *string         `json:"t"`
}

func (c *conn) write(p payload) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(p)
}

func (c *conn) close(code int, reason string) {
	c.wmu.Lock()
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	c.wmu.Unlock()
	c.ws.Close()
}

func op(code int, d any) payload {
	raw, _ := json.Marshal(d)
	return payload{Op: code, D: raw}
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	if s.refusingGateway() {
		http.Error(w, "gateway unavailable", http.StatusServiceUnavailable)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &conn{ws: ws}
	s.mu.Lock()
	if s.gw.conns == nil {
		s.gw.conns = map[*conn]bool{}
	}
	s.gw.conns[c] = true
	s.gw.connections++
	s.touch()
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.gw.conns, c)
		if s.gw.live == c {
			s.gw.live = nil
		}
		s.touch()
		s.mu.Unlock()
		ws.Close()
	}()

	q := r.URL.Query()
	if v := q.Get("v"); v != "9" && v != "10" {
		s.closeConn(c, 4012, "Invalid API version")
		return
	}
	if e := q.Get("encoding"); e != "" && e != "json" {
		s.closeConn(c, 4002, "Decode error")
		return
	}
	if s.cfg.SilentGateway {
		for { // read until the client gives up
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}
	if c.write(op(opHello, map[string]any{"heartbeat_interval": s.cfg.HeartbeatInterval.Milliseconds()})) != nil {
		return
	}
	for {
		mt, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var p payload
		if mt != websocket.TextMessage || json.Unmarshal(data, &p) != nil {
			s.closeConn(c, 4002, "Decode error")
			return
		}
		if !s.handleOp(c, p) {
			return
		}
	}
}

// closeConn sends a close frame with code, records it and closes c.
func (s *Server) closeConn(c *conn, code int, reason string) {
	s.mu.Lock()
	s.gw.closes = append(s.gw.closes, code)
	if s.gw.live == c {
		s.gw.live = nil
	}
	s.touch()
	s.mu.Unlock()
	c.close(code, reason)
}

// handleOp handles one payload from the client; false ends the connection.
func (s *Server) handleOp(c *conn, p payload) bool {
	switch p.Op {
	case opHeartbeat:
		var seq *int64
		if json.Unmarshal(p.D, &seq) != nil {
			s.closeConn(c, 4002, "Decode error")
			return false
		}
		s.mu.Lock()
		s.gw.heartbeats++
		s.gw.lastBeat = seq
		s.touch()
		s.mu.Unlock()
		return c.write(payload{Op: opHeartbeatACK}) == nil
	case opIdentify:
		return s.identify(c, p.D)
	case opResume:
		return s.resume(c, p.D)
	case opPresenceUpdate, opVoiceState, opRequestMembers:
		s.mu.Lock()
		ok := c.identified
		s.mu.Unlock()
		if !ok {
			s.closeConn(c, 4003, "Not authenticated")
			return false
		}
		return true
	}
	s.closeConn(c, 4001, "Unknown opcode")
	return false
}

// tokenOK accepts the token with or without the "Bot " prefix, as Discord
// does on the gateway (only without it under RawTokenOnly).
func (s *Server) tokenOK(t string) bool {
	if s.cfg.RawTokenOnly {
		return t == s.cfg.Token
	}
	return strings.TrimPrefix(t, "Bot ") == s.cfg.Token
}

func (s *Server) identify(c *conn, raw json.RawMessage) bool {
	var d struct {
		Token      string          `json:"token"`
		Intents    *int            `json:"intents"`
		Properties json.RawMessage `json:"properties"`
	}
	if json.Unmarshal(raw, &d) != nil || len(d.Properties) == 0 {
		s.closeConn(c, 4002, "Decode error")
		return false
	}
	s.mu.Lock()
	already := c.identified
	s.mu.Unlock()
	switch {
	case already:
		s.closeConn(c, 4005, "Already authenticated")
		return false
	case !s.tokenOK(d.Token):
		s.closeConn(c, 4004, "Authentication failed")
		return false
	case d.Intents == nil || *d.Intents < 0 || *d.Intents >= 1<<26:
		s.closeConn(c, 4013, "Invalid intent(s)")
		return false
	case *d.Intents&IntentMessageContent != 0 && s.cfg.MessageContentDisabled:
		s.closeConn(c, 4014, "Disallowed intent(s)")
		return false
	}
	b := make([]byte, 16)
	rand.Read(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.gw.live; old != nil && old != c {
		go old.close(4000, "Session replaced")
	}
	s.gw.sessionID = hex.EncodeToString(b)
	s.gw.intents = *d.Intents
	s.gw.seq = 0
	s.gw.log = nil
	s.gw.identifies++
	s.gw.live = c
	c.identified = true
	guilds := []map[string]any{}
	for _, g := range slices.Sorted(maps.Keys(s.guilds)) {
		guilds = append(guilds, map[string]any{"id": g, "unavailable": true})
	}
	s.dispatch("READY", map[string]any{
		"v":                  10,
		"user":               s.botUser(),
		"guilds":             guilds,
		"session_id":         s.gw.sessionID,
		"resume_gateway_url": s.gatewayURL(),
		"shard":              []int{0, 1},
		"application":        map[string]any{"id": s.cfg.ApplicationID, "flags": 0},
		"private_channels":   []any{},
	})
	s.dispatchGuilds()
	s.touch()
	return true
}

func (s *Server) resume(c *conn, raw json.RawMessage) bool {
	var d struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       *int64 `json:"seq"`
	}
	if json.Unmarshal(raw, &d) != nil {
		s.closeConn(c, 4002, "Decode error")
		return false
	}
	if !s.tokenOK(d.Token) {
		s.closeConn(c, 4004, "Authentication failed")
		return false
	}
	s.mu.Lock()
	if code := s.gw.resumeClose; code != 0 {
		s.gw.resumeClose = 0
		s.mu.Unlock()
		s.closeConn(c, code, "Session no longer valid")
		return false
	}
	if d.SessionID == "" || d.SessionID != s.gw.sessionID || d.Seq == nil {
		s.mu.Unlock()
		// Discord answers a resume it cannot honour with INVALID_SESSION
		// (not resumable); the client identifies again.
		return c.write(op(opInvalidSession, false)) == nil
	}
	if *d.Seq > s.gw.seq || *d.Seq < 0 {
		s.mu.Unlock()
		s.closeConn(c, 4007, "Invalid seq")
		return false
	}
	defer s.mu.Unlock()
	from := max(*d.Seq-int64(s.gw.replayExtra), 0)
	s.gw.replayExtra = 0
	for _, e := range s.gw.log {
		if e.seq > from && e.t != "READY" && e.t != "RESUMED" { // session events are never replayed
			seq, t := e.seq, e.t
			if c.write(payload{Op: opDispatch, D: e.d, S: &seq, T: &t}) != nil {
				return false
			}
		}
	}
	s.gw.live = c
	c.identified = true
	s.gw.resumes++
	s.dispatch("RESUMED", map[string]any{})
	s.touch()
	return true
}

// dispatch logs an event in the session and sends it to the attached
// connection, if any. Without a session (the bot never identified) the
// event is lost, as on Discord. s.mu must be held.
func (s *Server) dispatch(t string, d any) {
	if s.gw.sessionID == "" {
		return
	}
	raw, _ := json.Marshal(d)
	s.gw.seq++
	seq := s.gw.seq
	s.gw.log = append(s.gw.log, event{seq: seq, t: t, d: raw})
	if c := s.gw.live; c != nil {
		if c.write(payload{Op: opDispatch, D: raw, S: &seq, T: &t}) != nil {
			go c.ws.Close()
		}
	}
}

// Drop cuts the gateway connection without a close frame, as a network
// failure would. On the next RESUME the server replays what the client
// missed, plus the last replay events it had already received (a gateway
// delivers at least once).
func (s *Server) Drop(replay int) { s.dropConn(replay, 0) }

// ExpireSession cuts the connection and answers the next RESUME by closing
// with code (4007 invalid seq or 4009 session timed out): the client must
// identify anew.
func (s *Server) ExpireSession(code int) {
	s.mu.Lock()
	s.gw.resumeClose = code
	s.mu.Unlock()
	s.dropConn(0, 0)
}

func (s *Server) dropConn(replay, code int) {
	s.mu.Lock()
	var victims []*conn
	if replay < 0 { // server shutdown: every connection
		for c := range s.gw.conns {
			victims = append(victims, c)
		}
	} else if s.gw.live != nil {
		victims = append(victims, s.gw.live)
		s.gw.replayExtra = replay
	}
	s.gw.live = nil
	s.touch()
	s.mu.Unlock()
	for _, c := range victims {
		if code != 0 {
			c.close(code, "")
		} else {
			c.ws.UnderlyingConn().Close()
		}
	}
}

// Reconnect sends RECONNECT (op 7): the client should reconnect and resume.
func (s *Server) Reconnect() {
	s.mu.Lock()
	c := s.gw.live
	s.mu.Unlock()
	if c != nil {
		c.write(op(opReconnect, nil))
	}
}

// InvalidateSession sends INVALID_SESSION (op 9, not resumable) and ends the
// session: the client must identify again.
func (s *Server) InvalidateSession() {
	s.mu.Lock()
	c := s.gw.live
	s.gw.sessionID = ""
	s.gw.live = nil
	if c != nil {
		c.identified = false
	}
	s.mu.Unlock()
	if c != nil {
		c.write(op(opInvalidSession, false))
	}
}

// Gateway returns the gateway's counters.
func (s *Server) Gateway() Gateway {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := Gateway{
		Connections: s.gw.connections,
		Identifies:  s.gw.identifies,
		Resumes:     s.gw.resumes,
		Heartbeats:  s.gw.heartbeats,
		Seq:         s.gw.seq,
		Intents:     s.gw.intents,
		Connected:   s.gw.live != nil,
		Closes:      slices.Clone(s.gw.closes),
	}
	if s.gw.lastBeat != nil {
		v := *s.gw.lastBeat
		g.LastBeatSeq = &v
	}
	return g
}

// AwaitReady waits until the client has identified and a connection is
// attached to its session (10s at most, else it fails tb).
func (s *Server) AwaitReady(tb testing.TB) {
	tb.Helper()
	s.Await(tb, "the client to connect", func() bool {
		g := s.Gateway()
		return g.Identifies > 0 && g.Connected
	})
}
