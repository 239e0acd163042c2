package fakediscord

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// recorder captures the status a handler writes.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /gateway", s.serveGateway)
	mux.HandleFunc("GET /gateway/", s.serveGateway)
	mux.HandleFunc("GET /api/{v}/gateway", s.getGateway)
	mux.HandleFunc("GET /api/{v}/gateway/bot", s.getGateway)
	mux.HandleFunc("GET /api/{v}/users/@me", s.getMe)
	mux.HandleFunc("GET /api/{v}/guilds/{guild}", s.getGuild)
	mux.HandleFunc("GET /api/{v}/guilds/{guild}/members/{user}", s.getMember)
	mux.HandleFunc("GET /api/{v}/channels/{channel}", s.getChannel)
	mux.HandleFunc("PATCH /api/{v}/channels/{channel}", s.patchChannel)
	mux.HandleFunc("GET /api/{v}/channels/{channel}/messages", s.getMessages)
	mux.HandleFunc("POST /api/{v}/channels/{channel}/messages", s.postMessage)
	mux.HandleFunc("POST /api/{v}/channels/{channel}/messages/{message}/threads", s.startThread)
	mux.HandleFunc("PUT /api/{v}/channels/{channel}/messages/{message}/reactions/{emoji}/@me", s.addReaction)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		apiError(w, http.StatusNotFound, 0, "404: Not Found")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/gateway") {
			mux.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		if !strings.HasPrefix(r.URL.Path, "/api/v9/") && !strings.HasPrefix(r.URL.Path, "/api/v10/") {
			apiError(rec, http.StatusNotFound, 0, "404: Not Found")
		} else if needsAuth(r) && r.Header.Get("Authorization") != "Bot "+s.cfg.Token {
			apiError(rec, http.StatusUnauthorized, 0, "401: Unauthorized")
		} else {
			mux.ServeHTTP(rec, r)
		}
		s.mu.Lock()
		s.requests = append(s.requests, Request{
			Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
			Auth: r.Header.Get("Authorization"), Body: body, Status: rec.status,
		})
		s.touch()
		s.mu.Unlock()
	})
}

// needsAuth: every route but GET /gateway needs the bot's token.
func needsAuth(r *http.Request) bool {
	return !strings.HasSuffix(r.URL.Path, "/gateway")
}

func (s *Server) gatewayURL() string {
	return "ws" + strings.TrimPrefix(s.URL, "http") + "/gateway"
}

func (s *Server) getGateway(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/bot") {
		writeJSON(w, http.StatusOK, map[string]any{
			"url": s.gatewayURL(), "shards": 1,
			"session_start_limit": map[string]any{"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1},
		})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"url": s.gatewayURL()})
}

func (s *Server) getMe(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.botUser())
}

func (s *Server) getGuild(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	n, ok := s.guilds[r.PathValue("guild")]
	name := cmp.Or(s.names[r.PathValue("guild")], "guild")
	s.mu.Unlock()
	if !ok {
		apiError(w, http.StatusNotFound, 10004, "Unknown Guild")
		return
	}
	g := map[string]any{"id": r.PathValue("guild"), "name": name, "owner_id": "1"}
	if r.URL.Query().Get("with_counts") == "true" {
		g["approximate_member_count"] = n
		g["approximate_presence_count"] = n / 2
	}
	writeJSON(w, http.StatusOK, g)
}

func (s *Server) getChannel(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if q := s.lookups[r.PathValue("channel")]; len(q) > 0 {
		s.lookups[r.PathValue("channel")] = q[1:]
		s.mu.Unlock()
		apiError(w, q[0], 0, http.StatusText(q[0]))
		return
	}
	ch, ok := s.channels[r.PathValue("channel")]
	var cp ChannelInfo
	if ok {
		cp = *ch
	}
	s.mu.Unlock()
	if !ok {
		apiError(w, http.StatusNotFound, 10003, "Unknown Channel")
		return
	}
	writeJSON(w, http.StatusOK, cp)
}

// patchChannel answers PATCH /channels/{id} for what the bot changes of a
// thread: {"archived": false} unarchives it, and THREAD_UPDATE follows, as
// on Discord. Anything else is refused.
func (s *Server) patchChannel(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Archived *bool `json:"archived"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Archived == nil || *req.Archived {
		apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[r.PathValue("channel")]
	if !ok {
		apiError(w, http.StatusNotFound, 10003, "Unknown Channel")
		return
	}
	if ch.ThreadMetadata == nil {
		apiError(w, http.StatusBadRequest, 50024, "Cannot execute action on this channel type")
		return
	}
	s.unarchive(ch)
	writeRateHeaders(w)
	writeJSON(w, http.StatusOK, *ch)
}

// wait waits at the gate set for key in gates (readHold or memHold; see
// hold), if any, until it opens. It returns false, having answered 499,
// when the client gives up first.
func (s *Server) wait(w http.ResponseWriter, r *http.Request, gates map[string]chan struct{}, key string) bool {
	s.mu.Lock()
	gate := gates[key]
	s.mu.Unlock()
	if gate == nil {
		return true
	}
	select {
	case <-gate:
		return true
	case <-r.Context().Done():
		w.WriteHeader(499)
		return false
	}
}

// getMember answers GET /guilds/{id}/members/{user}: the member with its
// user, as it was when it last posted; 404 with code 10007 for a user that
// never posted in the guild (not a member, or one who left).
func (s *Server) getMember(w http.ResponseWriter, r *http.Request) {
	if !s.wait(w, r, s.memHold, r.PathValue("guild")) {
		return
	}
	s.mu.Lock()
	m, ok := s.members[r.PathValue("guild")+"/"+r.PathValue("user")]
	u := s.users[r.PathValue("user")]
	var out map[string]any
	if ok {
		out = map[string]any{"user": u, "nick": m.Nick, "roles": append([]string{}, m.Roles...)}
	}
	s.mu.Unlock()
	if !ok {
		apiError(w, http.StatusNotFound, 10007, "Unknown Member")
		return
	}
	writeRateHeaders(w)
	writeJSON(w, http.StatusOK, out)
}

// getMessages answers GET /channels/{id}/messages as Discord documents it:
// at most limit messages (1–100, default 50), newest first; with after,
// the oldest limit messages after that id; with before, the newest before
// it; with neither, the newest. As in Discord's REST answers, the messages
// carry no guild_id and no member.
func (s *Server) getMessages(w http.ResponseWriter, r *http.Request) {
	cid := r.PathValue("channel")
	q := r.URL.Query()
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			formError(w, "limit", "int value should be less than or equal to 100 and greater than or equal to 1.")
			return
		}
		limit = n
	}
	var after, before int64
	for _, p := range []struct {
		name string
		v    *int64
	}{{"after", &after}, {"before", &before}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				formError(w, p.name, "Value \""+v+"\" is not snowflake.")
				return
			}
			*p.v = n
		}
	}
	if !s.wait(w, r, s.readHold, cid) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.history[cid]; len(f) > 0 {
		s.history[cid] = f[1:]
		switch f[0] {
		case http.StatusForbidden:
			apiError(w, http.StatusForbidden, 50001, "Missing Access")
		case http.StatusTooManyRequests:
			writeRateLimit(w, rateLimit{after: 100 * time.Millisecond})
		default:
			apiError(w, f[0], 0, http.StatusText(f[0]))
		}
		return
	}
	if _, ok := s.channels[cid]; !ok {
		apiError(w, http.StatusNotFound, 10003, "Unknown Channel")
		return
	}
	type entry struct {
		id int64
		m  *Message
	}
	var all []entry
	for _, m := range s.messages {
		id, _ := strconv.ParseInt(m.ID, 10, 64)
		if m.ChannelID == cid && (after == 0 || id > after) && (before == 0 || id < before) {
			all = append(all, entry{id, m})
		}
	}
	slices.SortFunc(all, func(a, b entry) int { return cmp.Compare(a.id, b.id) })
	if after != 0 && before == 0 {
		all = all[:min(limit, len(all))] // the oldest after
	} else {
		all = all[max(0, len(all)-limit):] // the newest
	}
	out := make([]Message, 0, len(all))
	for i := len(all) - 1; i >= 0; i-- {
		m := *all[i].m
		m.GuildID, m.Member = "", nil
		out = append(out, m)
	}
	writeRateHeaders(w)
	writeJSON(w, http.StatusOK, out)
}

// allowedMentions is the allowed_mentions object.
type allowedMentions struct {
	Parse       []string `json:"parse"`
	Users       []string `json:"users"`
	Roles       []string `json:"roles"`
	RepliedUser bool     `json:"replied_user"`
}

// createMessage is the JSON body of POST /channels/{id}/messages.
type createMessage struct {
	Content          *string          `json:"content"`
	Nonce            json.RawMessage  `json:"nonce"`
	EnforceNonce     bool             `json:"enforce_nonce"`
	TTS              bool             `json:"tts"`
	AllowedMentions  *allowedMentions `json:"allowed_mentions"`
	MessageReference *Reference       `json:"message_reference"`
	Embeds           []any            `json:"embeds"`
}

// formError answers 400 with Discord's "Invalid Form Body" (code 50035).
func formError(w http.ResponseWriter, field, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]any{
		"code": 50035, "message": "Invalid Form Body",
		"errors": map[string]any{field: map[string]any{"_errors": []any{map[string]any{"code": "BASE_TYPE_INVALID", "message": msg}}}},
	})
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) {
	cid := r.PathValue("channel")
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		apiError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	body, _ := io.ReadAll(r.Body)
	var req createMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		apiError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}

	// Injected behaviour first: a held channel, a rate limit, a failure.
	s.mu.Lock()
	gate := s.holds[cid]
	s.mu.Unlock()
	if gate != nil {
		s.mu.Lock()
		s.held[cid]++
		s.touch()
		s.mu.Unlock()
		var gone bool
		select {
		case <-gate:
		case <-r.Context().Done():
			gone = true
		}
		s.mu.Lock()
		s.held[cid]--
		s.touch()
		s.mu.Unlock()
		if gone {
			w.WriteHeader(499) // the client gave up (nginx's "client closed request")
			return
		}
	}
	s.mu.Lock()
	if q := s.limits[cid]; len(q) > 0 {
		rl := q[0]
		s.limits[cid] = q[1:]
		s.mu.Unlock()
		writeRateLimit(w, rl)
		return
	}
	if q := s.fails[cid]; len(q) > 0 && q[0] == 0 { // a send let through (FailAfter)
		s.fails[cid] = q[1:]
	} else if len(q) > 0 {
		status := q[0]
		s.fails[cid] = q[1:]
		s.mu.Unlock()
		switch status {
		case http.StatusForbidden:
			apiError(w, status, 50013, "Missing Permissions")
		default:
			apiError(w, status, 0, http.StatusText(status))
		}
		return
	}
	defer s.mu.Unlock()

	ch, ok := s.channels[cid]
	if !ok {
		apiError(w, http.StatusNotFound, 10003, "Unknown Channel")
		return
	}
	if ch.ThreadMetadata != nil && ch.ThreadMetadata.Archived {
		apiError(w, http.StatusBadRequest, 50083, "Thread is archived")
		return
	}
	content := ""
	if req.Content != nil {
		content = *req.Content
	}
	if strings.TrimSpace(content) == "" && len(req.Embeds) == 0 {
		apiError(w, http.StatusBadRequest, 50006, "Cannot send an empty message")
		return
	}
	if n := utf8.RuneCountInString(content); n > 2000 {
		formError(w, "content", fmt.Sprintf("Must be 2000 or fewer in length (got %d).", n))
		return
	}
	nonce, err := parseNonce(req.Nonce)
	if err != nil {
		formError(w, "nonce", err.Error())
		return
	}
	if am := req.AllowedMentions; am != nil {
		for _, p := range am.Parse {
			if p != "users" && p != "roles" && p != "everyone" {
				formError(w, "allowed_mentions.parse", fmt.Sprintf("Value %q is not a valid enum value.", p))
				return
			}
		}
		if slices.Contains(am.Parse, "users") && len(am.Users) > 0 {
			formError(w, "allowed_mentions", `parse:["users"] and users: [ids...] are mutually exclusive.`)
			return
		}
		if slices.Contains(am.Parse, "roles") && len(am.Roles) > 0 {
			formError(w, "allowed_mentions", `parse:["roles"] and roles: [ids...] are mutually exclusive.`)
			return
		}
		if len(am.Users) > 100 || len(am.Roles) > 100 {
			formError(w, "allowed_mentions", "Must be 100 or fewer in length.")
			return
		}
	}
	// enforce_nonce: the same nonce from the same author within minutes
	// returns the message already created.
	if nonce != "" && req.EnforceNonce {
		if id, seen := s.nonces[nonce]; seen {
			writeJSON(w, http.StatusOK, s.messages[id])
			return
		}
	}
	var replied *Message
	var ref *Reference
	if mr := req.MessageReference; mr != nil {
		if s.noReply[cid] {
			apiError(w, http.StatusForbidden, 160002, "Cannot reply without permission to read message history")
			return
		}
		failIfMissing := mr.FailIfNotExists == nil || *mr.FailIfNotExists
		target, exists := s.messages[mr.MessageID]
		switch {
		case mr.ChannelID != "" && mr.ChannelID != cid:
			formError(w, "message_reference", "Cannot reply to a message in a different channel.")
			return
		case exists && target.ChannelID != cid:
			formError(w, "message_reference", "Unknown message")
			return
		case !exists && failIfMissing:
			formError(w, "message_reference", "Unknown message")
			return
		case exists:
			replied = target
			ref = &Reference{MessageID: target.ID, ChannelID: cid, GuildID: ch.GuildID}
		}
	}
	m := &Message{
		ID:           s.id(),
		ChannelID:    cid,
		GuildID:      ch.GuildID,
		Author:       s.botUser(),
		Content:      content,
		Timestamp:    time.Now().UTC().Format(time.RFC3339Nano),
		Mentions:     []User{},
		MentionRoles: []string{},
		Attachments:  []any{},
		Embeds:       []any{},
		Nonce:        nonce,
	}
	pg := s.pings(content, req.AllowedMentions, replied)
	if ref != nil {
		m.Type = 19
		m.MessageReference = ref
		cp := *replied
		cp.ReferencedMessage = nil
		m.ReferencedMessage = &cp
	}
	s.mention(m, pg)
	s.messages[m.ID] = m
	if nonce != "" {
		s.nonces[nonce] = m.ID
	}
	s.posted = append(s.posted, &Posted{Message: *m, Body: body, Pings: pg})
	s.dispatchMessage(m)
	s.touch()
	writeRateHeaders(w)
	writeJSON(w, http.StatusOK, m)
}

// parseNonce accepts what Discord does: an integer or a string of at most 25
// characters.
func parseNonce(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var str string
	if err := json.Unmarshal(raw, &str); err == nil {
		if utf8.RuneCountInString(str) > 25 {
			return "", fmt.Errorf("Must be 25 or fewer in length.")
		}
		return str, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		if _, err := n.Int64(); err == nil {
			return n.String(), nil
		}
	}
	return "", fmt.Errorf("Nonce must be an integer or a string.")
}

func writeRateHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("X-RateLimit-Limit", "5")
	h.Set("X-RateLimit-Remaining", "4")
	h.Set("X-RateLimit-Reset-After", "1.000")
	h.Set("X-RateLimit-Bucket", "fake-bucket")
}

func writeRateLimit(w http.ResponseWriter, rl rateLimit) {
	secs := rl.after.Seconds()
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
	h.Set("X-RateLimit-Limit", "5")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(secs, 'f', 3, 64))
	h.Set("X-RateLimit-Bucket", "fake-bucket")
	h.Set("X-RateLimit-Scope", "user")
	if rl.global {
		h.Set("X-RateLimit-Global", "true")
		h.Set("X-RateLimit-Scope", "global")
	}
	writeJSON(w, http.StatusTooManyRequests, map[string]any{
		"message": "You are being rate limited.", "retry_after": secs, "global": rl.global,
	})
}

func (s *Server) startThread(w http.ResponseWriter, r *http.Request) {
	cid, mid := r.PathValue("channel"), r.PathValue("message")
	var req struct {
		Name                string `json:"name"`
		AutoArchiveDuration int    `json:"auto_archive_duration"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		apiError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[cid]
	if !ok {
		apiError(w, http.StatusNotFound, 10003, "Unknown Channel")
		return
	}
	if m, ok := s.messages[mid]; !ok || m.ChannelID != cid {
		apiError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	if s.noThread[cid] {
		apiError(w, http.StatusForbidden, 50013, "Missing Permissions")
		return
	}
	if n := utf8.RuneCountInString(req.Name); n < 1 || n > 100 {
		formError(w, "name", "Must be between 1 and 100 in length.")
		return
	}
	switch req.AutoArchiveDuration {
	case 0, 60, 1440, 4320, 10080:
	default:
		formError(w, "auto_archive_duration", "Value must be one of {60, 1440, 4320, 10080}.")
		return
	}
	if _, exists := s.channels[mid]; exists {
		apiError(w, http.StatusBadRequest, 160004, "A thread has already been created for this message")
		return
	}
	th := s.thread(ch.GuildID, cid, mid, req.Name, s.cfg.BotID, max(req.AutoArchiveDuration, 60))
	s.channels[mid] = th
	s.dispatchThread(th)
	s.touch()
	writeJSON(w, http.StatusCreated, th)
}

func (s *Server) addReaction(w http.ResponseWriter, r *http.Request) {
	cid, mid, emoji := r.PathValue("channel"), r.PathValue("message"), r.PathValue("emoji")
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.channels[cid]; !ok {
		apiError(w, http.StatusNotFound, 10003, "Unknown Channel")
		return
	}
	m, ok := s.messages[mid]
	if !ok || m.ChannelID != cid {
		apiError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	if emoji == "" || strings.ContainsAny(emoji, "/ ") {
		apiError(w, http.StatusBadRequest, 10014, "Unknown Emoji")
		return
	}
	for _, p := range s.posted {
		if p.ID == mid {
			p.Reactions = append(p.Reactions, emoji)
		}
	}
	s.react(cid, mid, s.cfg.BotID, emoji, true)
	s.touch()
	w.WriteHeader(http.StatusNoContent)
}
