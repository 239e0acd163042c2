package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/liaison-gc/liaison/bot"
)

// Channel is the citizen web chat as a bot.Channel named "web". Its rooms
// are the configured [[web.room]] entries; the ChannelID of its messages is
// the room id.
type Channel struct{ s *Server }

var _ bot.Channel = (*Channel)(nil)

// Name returns "web".
func (c *Channel) Name() string { return Platform }

// Run hands citizens' messages and feedback to h until ctx ends, then
// returns nil. Until Run is called the chat answers 503 (starting).
func (c *Channel) Run(ctx context.Context, h bot.Handler) error {
	c.s.mu.Lock()
	c.s.handler = h
	c.s.mu.Unlock()
	<-ctx.Done()
	c.s.mu.Lock()
	if c.s.handler == h {
		c.s.handler = nil
	}
	c.s.mu.Unlock()
	return nil
}

// Send posts r in the room to.ChannelID, shown as a reply to the citizen's
// message to.ReplyTo, and returns its ref. A Reply.Key seen before returns
// the first ref without posting again. An unknown room is a permanent error.
func (c *Channel) Send(ctx context.Context, to bot.Address, r bot.Reply) (bot.MessageRef, error) {
	s := c.s
	if to.Platform != "" && to.Platform != Platform {
		return bot.MessageRef{}, fmt.Errorf("web: send: address is for platform %q", to.Platform)
	}
	room, ok := s.rooms[to.ChannelID]
	if !ok {
		// A room removed from the configuration while a reply to it
		// waited (a staff answer to a question asked there): no retry
		// can reach it, so the engine tells staff at once.
		return bot.MessageRef{}, noRoom{to.ChannelID}
	}
	ref := bot.MessageRef{Platform: Platform, ChannelID: to.ChannelID}
	if r.Key != "" {
		sum := sha256.Sum256([]byte(r.Key))
		ref.ID = "b" + hex.EncodeToString(sum[:10])
		s.mu.Lock()
		id, seen := s.replies.get(r.Key)
		if !seen {
			s.replies.put(r.Key, ref.ID)
		}
		s.mu.Unlock()
		if seen {
			ref.ID = id
			return ref, nil
		}
	} else {
		ref.ID = newID("b")
	}
	room.publish("message", s.replyEvent(room, to, r, ref.ID, s.now()))
	return ref, nil
}

// noRoom is Send's error for a room the configuration does not hold: a
// permanent refusal (bot.Retryable).
type noRoom struct{ id string }

func (e noRoom) Error() string   { return fmt.Sprintf("web: send: no room %q (web.room)", e.id) }
func (e noRoom) Retryable() bool { return false }

// replyWindow is how long after the bot's message to a citizen their next
// message in the room is taken as their reply to it (see lastTo): long
// enough for someone who comes back to the page later in the day to answer
// a staff answer that offered it in their language.
const replyWindow = 24 * time.Hour

// lastTo returns the id of the bot's last message in room to browser when
// they have said nothing there since and it is less than replyWindow old,
// else "": the chat has no reply button, so the citizen's next message is
// their reply to it (bot.Message.ReplyTo). Only the room's kept history is
// looked at.
func (s *Server) lastTo(room *topic, browser string, now time.Time) string {
	tag := s.tag(browser)
	if room == nil || tag == "" {
		return ""
	}
	var last chatEvent
	_, ok := room.find(func(e event) bool {
		if e.Type != "message" || !bytes.Contains(e.Data, []byte(tag)) {
			return false
		}
		var c chatEvent
		if json.Unmarshal(e.Data, &c) != nil {
			return false
		}
		if (c.Kind == "citizen" && c.Tag == tag) || (c.Bot && c.ToTag == tag) {
			last = c
			return true
		}
		return false
	})
	if !ok || !last.Bot || now.Sub(last.Time) > replyWindow {
		return ""
	}
	return last.ID
}

// citizenEvent is the room event of a citizen's message m, showing text
// (as typed: the engine gets it without the bot's mention). The name loses
// its direction controls, also one recorded before names were cleaned.
func (s *Server) citizenEvent(m bot.Message, text string) chatEvent {
	return chatEvent{ID: m.ID, Kind: "citizen", Author: withoutBidiControls(m.AuthorName), Tag: s.tag(m.AuthorID), Text: text, Time: m.Time.UTC()}
}

// replyEvent is the room event of reply r, delivered to `to` as message
// id at t, quoting the citizen's message it answers when the room still
// shows it.
func (s *Server) replyEvent(room *topic, to bot.Address, r bot.Reply, id string, t time.Time) chatEvent {
	ev := chatEvent{
		ID: id, Kind: string(r.Kind), Author: "Liaison", Bot: true, Text: r.Text,
		Lang: string(r.Lang), Time: t.UTC(), ReplyTo: to.ReplyTo, ToTag: s.tag(to.UserID),
		Signature: r.Signature, Link: r.Link, Feedback: r.Feedback, Key: r.Key,
		BodyLang: string(r.BodyLang),
	}
	if r.Lang == "" {
		ev.Parts = r.Parts
		if ev.Parts == nil {
			ev.Parts = bilingualParts(r.Text) // a reply stored before the engine kept its parts
		}
	}
	if to.ReplyTo != "" {
		if q, ok := room.find(func(e event) bool { return e.Type == "message" && quoteOf(e.Data, to.ReplyTo) }); ok {
			var orig chatEvent
			_ = json.Unmarshal(q.Data, &orig)
			ev.Quote = &quote{Author: orig.Author, Text: snippet(orig.Text, 160)}
		} else if to.UserName != "" {
			ev.Quote = &quote{Author: to.UserName}
		}
	}
	return ev
}

// Restore shows each room's recent history again, as h keeps it: call it
// once after a restart, before the channel runs, so that people who come
// back find the conversation where it was, each citizen's message tagged
// with the language the engine told from it. Messages purged under the
// retention policy are not shown again.
func (s *Server) Restore(ctx context.Context, h bot.Historian) error {
	for _, rc := range s.cfg.Rooms {
		said, err := h.Conversation(ctx, Platform, rc.ID, s.cfg.History)
		if err != nil {
			return fmt.Errorf("web: restore room %s: %w", rc.ID, err)
		}
		room := s.rooms[rc.ID]
		for _, x := range said {
			switch {
			case x.Message != nil:
				ev := s.citizenEvent(*x.Message, x.Message.Text)
				if x.Lang.Valid() {
					ev.Lang = string(x.Lang)
				}
				room.publish("message", ev)
			case x.Sent != nil && x.Sent.Ref.ID != "":
				if k := x.Sent.Reply.Key; k != "" {
					s.mu.Lock()
					s.replies.put(k, x.Sent.Ref.ID)
					s.mu.Unlock()
				}
				room.publish("message", s.replyEvent(room, x.Sent.To, x.Sent.Reply, x.Sent.Ref.ID, x.At))
			}
		}
	}
	return nil
}

// chatEvent is one message in a room, as the page receives it.
type chatEvent struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"` // "citizen" or a bot.ReplyKind
	Author    string    `json:"author"`
	Tag       string    `json:"tag,omitempty"` // author's pseudonym (citizens)
	Bot       bool      `json:"bot,omitempty"`
	Text      string    `json:"text"`
	Lang      string    `json:"lang,omitempty"`
	Time      time.Time `json:"time"`
	ReplyTo   string    `json:"reply_to,omitempty"`
	ToTag     string    `json:"to_tag,omitempty"` // pseudonym of the citizen a reply is for
	Quote     *quote    `json:"quote,omitempty"`
	Signature string    `json:"signature,omitempty"`
	Link      string    `json:"link,omitempty"`
	Feedback  bool      `json:"feedback,omitempty"`
	Key       string    `json:"key,omitempty"`
	// BodyLang is the language of the body when it is not Lang (a staff
	// answer sent anyway in the other language).
	BodyLang string `json:"body_lang,omitempty"`
	// Parts is bilingual text (Lang "") split by language, for pages to
	// tag each part; Text stays whole for clients that ignore Parts.
	Parts []bot.Part `json:"parts,omitempty"`
}

// bilingualDivider is what the engine puts between the English and French
// halves of a broadcast (broadcast.divider in the catalogue).
const bilingualDivider = "\n\n· · ·\n\n"

// bilingualParts guesses the parts of bilingual text stored before the
// engine kept them (bot.Reply.Parts, bot.Notice.Parts), English first: a
// broadcast at its divider, or a message of two halves that have as many
// lines each (an English line, then the French one) at its middle line
// break. It returns nil when it cannot tell the halves apart. It guesses
// wrong when the English half holds the divider itself, or when the halves
// have different numbers of lines: use it for old records only.
func bilingualParts(text string) []bot.Part {
	if en, fr, ok := strings.Cut(text, bilingualDivider); ok {
		return []bot.Part{{Lang: bot.English, Text: strings.TrimSpace(en)}, {Lang: bot.French, Text: strings.TrimSpace(fr)}}
	}
	n := strings.Count(text, "\n")
	if n%2 == 0 {
		return nil
	}
	at := 0
	for range n/2 + 1 {
		at += strings.Index(text[at:], "\n") + 1
	}
	en, fr := strings.TrimSpace(text[:at-1]), strings.TrimSpace(text[at:])
	if en == "" || fr == "" {
		return nil
	}
	return []bot.Part{{Lang: bot.English, Text: en}, {Lang: bot.French, Text: fr}}
}

type quote struct {
	Author string `json:"author"`
	Text   string `json:"text,omitempty"`
}

// quoteOf reports whether the event data is the message id: chatEvent's
// JSON starts with its id, so no decoding is needed.
func quoteOf(data []byte, id string) bool {
	return bytes.HasPrefix(data, []byte(`{"id":"`+id+`"`))
}

func snippet(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n])) + "…"
}

// newID returns prefix and 16 random hex digits.
func newID(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// mention is how citizens address the bot outside the help room.
var mention = regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}_@])@liaison\b[,:]?`)

// cleanText makes citizen text valid UTF-8 without control characters other
// than newlines and tabs, and trims it.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

const maxNameChars = 40

// withoutBidiControls is s without the characters that set the direction
// of the text that follows them (embeddings, overrides and isolates,
// U+202A–U+202E and U+2066–U+2069). A display name has no use for them,
// and an override draws the letters after it in reverse: a name typed
// backwards behind one ("\u202eyoR aidaN") would show as a member of
// staff's, which reservedName, reading the letters in their order, does
// not see.
func withoutBidiControls(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069' {
			return -1
		}
		return r
	}, s)
}

// reservedName reports whether a citizen's display name passes for the
// assistant's or a staff member's, whose words carry the department's
// authority in the room: compared without case, accents, spaces or
// punctuation ("liaison-assistant", "NADIA ROY"), and with letters that
// look Latin read as Latin ("Nаdia Roy" with a Cyrillic а, "Ｎａｄｉａ",
// "NADlA ROY" with a lower-case L), and digits as the letters they stand
// for ("N4dia R0y", "Liai5on").
func (s *Server) reservedName(name string) bool {
	n := nameKey(name)
	if n == "" || strings.Contains(n, nameKey("liaison")) {
		return n != ""
	}
	reserved := []string{uiText(bot.English, "js.bot"), uiText(bot.French, "js.bot")}
	if _, dh := s.handlers(); dh != nil {
		for _, st := range dh.Roster() {
			reserved = append(reserved, st.Name)
		}
	}
	for _, r := range reserved {
		if k := nameKey(r); k != "" && sameNameKey(n, k) {
			return true
		}
	}
	return false
}

// sameNameKey reports whether two name keys read alike: equal, but for the
// digits that stand for one of two letters (6 for b or g, 9 for g or q).
func sameNameKey(a, b string) bool {
	if a == b {
		return true
	}
	ra, rb := []rune(a), []rune(b)
	if len(ra) != len(rb) {
		return false
	}
	for i := range ra {
		if ra[i] != rb[i] && !strings.ContainsRune(digitReadings[ra[i]], rb[i]) && !strings.ContainsRune(digitReadings[rb[i]], ra[i]) {
			return false
		}
	}
	return true
}

// digitReadings are the letters a digit stands for in a name written with
// digits for letters ("B0b 5mith", "Liai5on", "Tr3mbl4y"): 1, 0, 3, 4, 5,
// 7 and 8 are read as one letter by nameKey; 6 and 9, which stand for two,
// stay digits and match either in sameNameKey. 2 is not read as a letter:
// it rarely stands for one in a name. A name with a number in it ("Marie2",
// "Jean 3") is refused only when, so read, it is a reserved name.
var digitReadings = map[rune]string{
	'1': "l", '0': "o", '3': "e", '4': "a", '5': "s", '7': "t", '8': "b", '6': "bg", '9': "gq",
}

// nameKey is a name's letters and digits, lower-cased and without accents,
// read as Latin where they look it: compatibility forms (full-width, bold
// mathematical letters, ligatures) become the letters they show and
// accents come apart from their letters (NFKD, so that an accented
// look-alike is caught too), characters drawn as nothing go (format
// characters, Unicode tags, Hangul fillers), the letters of other
// alphabets that look like Latin ones become those (bot.LatinLookalike), and
// Latin letters and digits that look alike in common fonts count as one
// (I, l and 1; O and 0; rn and m; vv and w), as do the digits written for
// letters (see digitReadings). Names in other alphabets keep their
// letters: only the look-alikes are read as Latin.
func nameKey(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point) {
			return -1
		}
		if l, ok := bot.LatinLookalike(r); ok {
			return l
		}
		if unicode.In(r, unicode.Cherokee) { // its small letters look like small capitals
			if l, ok := bot.LatinLookalike(unicode.ToUpper(r)); ok {
				return unicode.ToLower(l)
			}
		}
		return r
	}, norm.NFKD.String(s))
	s = strings.Map(func(r rune) rune {
		switch {
		case r == 'i':
			return 'l'
		case len(digitReadings[r]) == 1:
			return rune(digitReadings[r][0])
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return r
		}
		return -1
	}, bot.Fold(s))
	return strings.NewReplacer("rn", "m", "vv", "w").Replace(s)
}

type postRequest struct {
	Room string `json:"room"`
	Name string `json:"name"`
	Text string `json:"text"`
	// ClientID is the page's own id for the message, the same when it
	// sends it again (optional): see postMessage.
	ClientID string `json:"client_id"`
}

// retryWindow is how long a message's client id stands for it: a page
// that sends the message again within it (after a lost connection) gets
// the first one's id instead of a second message.
const retryWindow = 10 * time.Minute

// clientIDPattern is a client id: a short opaque token.
var clientIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)

// postMessage receives one citizen message: it is shown in the room at once
// and handed to the engine, which answers through Send (HTTP 202 with its
// id). A message with the client id of one this browser sent less than
// retryWindow ago, and that the engine did not fail, is that message sent
// again after a lost answer: it is answered HTTP 200 with the first one's
// id (also while the engine is still at the first), and neither recorded
// again nor counted against the flood limits. Client ids are kept in
// memory only: a retry after a restart is a new message.
func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) {
	browser := s.browserID(w, r)
	var req postRequest
	if !s.decode(w, r, &req, int64(s.cfg.MaxMessageChars)*4+4096) {
		return
	}
	if req.ClientID != "" && !clientIDPattern.MatchString(req.ClientID) {
		s.apiError(w, r, http.StatusBadRequest, "err.invalid", "")
		return
	}
	sentKey := ""
	if req.ClientID != "" {
		sentKey = browser + " " + req.ClientID
		s.mu.Lock()
		id, resent := s.sent.get(sentKey, s.now())
		s.mu.Unlock()
		if resent {
			writeJSON(w, http.StatusOK, map[string]string{"id": id})
			return
		}
	}
	if addr := "addr:" + addrKey(r); !s.perAddr.allow(addr) {
		s.tooMany(w, r, s.perAddr.wait(addr))
		return
	}
	if !s.throttle.allow(browser) {
		s.tooMany(w, r, s.throttle.wait(browser))
		return
	}
	room, ok := s.cfg.room(req.Room)
	if !ok {
		s.apiError(w, r, http.StatusNotFound, "err.room", "")
		return
	}
	name := cleanText(strings.Join(strings.Fields(withoutBidiControls(req.Name)), " "))
	text := cleanText(req.Text)
	// A refusal that concerns one field names it ("field"), so that the
	// page marks that field and no other.
	switch {
	case name == "" || utf8.RuneCountInString(name) > maxNameChars:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": uiText(s.reqLang(r), "err.name"), "field": "name"})
		return
	case s.reservedName(name):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": uiText(s.reqLang(r), "err.nametaken"), "field": "name"})
		return
	case text == "":
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": uiText(s.reqLang(r), "err.empty"), "field": "text"})
		return
	case utf8.RuneCountInString(text) > s.cfg.MaxMessageChars:
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{
			"error": uiTextf(s.reqLang(r), "err.toolong", map[string]any{"Max": s.cfg.MaxMessageChars}), "field": "text"})
		return
	}
	h, _ := s.handlers()
	if h == nil {
		s.apiError(w, r, http.StatusServiceUnavailable, "err.starting", "")
		return
	}
	mentioned := mention.MatchString(text)
	forBot := text
	if mentioned {
		forBot = strings.TrimSpace(mention.ReplaceAllString(text, "$1"))
	}
	msg := bot.Message{
		Platform: Platform, ChannelID: room.ID, ID: newID("m"), AuthorID: browser,
		AuthorName: name, Text: forBot, Time: s.now().UTC(),
		Mentioned: mentioned, InHelpChannel: room.Help,
		ReplyTo: s.lastTo(s.rooms[room.ID], browser, s.now()),
	}
	if sentKey != "" {
		// Checked again: the same message may have come twice at once.
		s.mu.Lock()
		id, resent := s.sent.get(sentKey, s.now())
		if !resent {
			s.sent.put(sentKey, msg.ID, s.now())
		}
		s.mu.Unlock()
		if resent {
			writeJSON(w, http.StatusOK, map[string]string{"id": id})
			return
		}
	}
	// Shown before the engine decides, so that its answer (sent by another
	// goroutine) never appears before the question.
	s.rooms[room.ID].publish("message", s.citizenEvent(msg, text))
	ctx, cancel := workContext(r)
	defer cancel()
	d, err := h.HandleMessage(ctx, msg)
	if err != nil {
		// Not sent: sending it again is a new try.
		s.mu.Lock()
		s.sent.forget(sentKey, msg.ID)
		s.mu.Unlock()
		s.rooms[room.ID].publish("failed", map[string]string{"id": msg.ID})
		s.log.Error("handle message", "conv", msg.ID, "err", err)
		s.apiError(w, r, http.StatusInternalServerError, "err.internal", "")
		return
	}
	// The language the engine told from the text, for pages to tag the
	// message (and quotes of it) with; not when it only fell back to the
	// room's language.
	if d.LangSource == "detected" && d.Lang.Valid() {
		s.tellLang(s.rooms[room.ID], msg.ID, d.Lang)
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"id": msg.ID})
}

// tellLang records l as the language of the citizen's message id: in the
// kept message, for pages opened later, and as a "lang" event to the pages
// open now. The event is not kept: it would take a place in the room's
// history (web.history), which is for messages. The kept message is
// edited first, so that a page that opens in between misses neither.
func (s *Server) tellLang(room *topic, id string, l bot.Lang) {
	room.amend(func(e event) bool { return e.Type == "message" && quoteOf(e.Data, id) }, func(data []byte) []byte {
		var ev chatEvent
		if err := json.Unmarshal(data, &ev); err != nil {
			return data
		}
		ev.Lang = string(l)
		if b, err := json.Marshal(ev); err == nil {
			return b
		}
		return data
	})
	room.tell("lang", map[string]string{"id": id, "lang": string(l)})
}

type feedbackRequest struct {
	Room    string `json:"room"`
	Message string `json:"message"`
	Value   int    `json:"value"`
}

// postFeedback records helpful (+1), not helpful (-1) or withdrawn (0) on one
// of the bot's answers. As on Discord, where any member's click counts,
// any citizen in the room may rate any answer, and the store keeps one
// rating per browser and answer (a later click replaces the earlier). A
// new cookie is a new browser, so ratings are throttled, apart from
// messages, per network address as well as per browser, by the same
// limits as messages: one address posing as many browsers gets no more
// ratings in than it would messages.
func (s *Server) postFeedback(w http.ResponseWriter, r *http.Request) {
	browser := s.browserID(w, r)
	if addr := "fb:addr:" + addrKey(r); !s.perAddr.allow(addr) {
		s.tooMany(w, r, s.perAddr.wait(addr))
		return
	}
	if !s.throttle.allow("fb:" + browser) {
		s.tooMany(w, r, s.throttle.wait("fb:"+browser))
		return
	}
	var req feedbackRequest
	if !s.decode(w, r, &req, 4096) {
		return
	}
	if _, ok := s.cfg.room(req.Room); !ok || req.Message == "" || req.Value < -1 || req.Value > 1 {
		s.apiError(w, r, http.StatusBadRequest, "err.invalid", "")
		return
	}
	h, _ := s.handlers()
	if h == nil {
		s.apiError(w, r, http.StatusServiceUnavailable, "err.starting", "")
		return
	}
	ctx, cancel := workContext(r)
	defer cancel()
	err := h.HandleReaction(ctx, bot.Reaction{
		Platform: Platform, ChannelID: req.Room, MessageID: req.Message, UserID: browser,
		Value: req.Value, Time: s.now().UTC(),
	})
	if err != nil {
		s.engineError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"value": req.Value})
}

// chatEvents streams a room's messages: first the kept history (or what
// followed Last-Event-ID), then a "ready" event, then live. Besides
// "message" events it sends "failed" (a message the engine could not take)
// and, live only, "lang" (the language told from a citizen's message; a
// kept citizen message carries it as its "lang").
func (s *Server) chatEvents(w http.ResponseWriter, r *http.Request) {
	room, ok := s.rooms[r.URL.Query().Get("room")]
	if !ok {
		s.apiError(w, r, http.StatusNotFound, "err.room", "")
		return
	}
	s.stream(w, r, room, true, nil)
}

// stream writes server-sent events from t (the replayed ones, then a
// "ready" event without an id, then live ones) until the client leaves, the
// server stops or the subscriber lags too far (the browser then reconnects
// with Last-Event-ID and catches up). With a desk session ds, it also ends
// when that session does (signed out, or past ds.exp), and sends nothing
// after: the browser's reconnection is then refused, and the page says
// the session has ended. One network address may hold StreamsPerAddress
// streams open at once: one more is refused with HTTP 429, and the page
// tries again later.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, t *topic, replayAll bool, ds *deskSession) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	addr := addrKey(r)
	if !s.openStream(addr) {
		s.log.Warn("live stream refused: too many open from one address", "remote", addr, "limit", s.cfg.StreamsPerAddress)
		w.Header().Set("Retry-After", "10")
		s.apiError(w, r, http.StatusTooManyRequests, "err.streams", "")
		return
	}
	defer s.closeStream(addr)
	var (
		signedOut <-chan struct{} // closed when ds is signed out
		expired   <-chan time.Time
	)
	live := func() bool { return true }
	if ds != nil {
		var release func()
		signedOut, release = s.watchSession(ds.id)
		defer release()
		// Checked on each event and ping too: the clock may jump, and a
		// sign-out just before the watch began is seen here.
		live = func() bool { return s.sessionLive(*ds) }
		if !live() {
			s.apiError(w, r, http.StatusUnauthorized, "err.login", "")
			return
		}
		end := time.NewTimer(ds.exp.Sub(s.now()))
		defer end.Stop()
		expired = end.C
	}
	var after int64
	replay := replayAll
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		if _, err := fmt.Sscan(v, &after); err == nil {
			replay = true
		}
	}
	past, ch, cancel := t.subscribe(after, replay)
	defer cancel()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 2000\n\n")
	for _, ev := range past {
		writeEvent(w, ev)
	}
	// "ready" marks where the replay ends and live events begin, so that a
	// page does not announce history as news. It has no id: the browser's
	// Last-Event-ID stays the last real event's, and clients that do not
	// know the type ignore it.
	fmt.Fprintf(w, "event: ready\ndata: {\"replayed\":%d}\n\n", len(past))
	fl.Flush()
	ping := time.NewTicker(20 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-signedOut:
			return
		case <-expired:
			return
		case ev, ok := <-ch:
			if !ok || !live() {
				return
			}
			writeEvent(w, ev)
			fl.Flush()
		case <-ping.C:
			if !live() {
				return
			}
			fmt.Fprint(w, ": ping\n\n")
			fl.Flush()
		}
	}
}

// openStream counts one more event stream open from addr (an addrKey),
// unless it already holds StreamsPerAddress: each holds a connection and
// a subscription for as long as it stays open. Call closeStream when it
// ends.
func (s *Server) openStream(addr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.liveAddr[addr] >= s.cfg.StreamsPerAddress {
		return false
	}
	s.liveAddr[addr]++
	return true
}

func (s *Server) closeStream(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.liveAddr[addr]--; s.liveAddr[addr] <= 0 {
		delete(s.liveAddr, addr)
	}
}

func writeEvent(w http.ResponseWriter, ev event) {
	fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", ev.ID, ev.Type, ev.Data)
}

// workTimeout bounds the engine's work on one request.
const workTimeout = 30 * time.Second

// workContext is the context for the engine's work on a request: it is not
// cancelled when the client goes away (a citizen who closes the tab after
// sending has still asked, and a staff answer still counts), only after
// workTimeout.
func workContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(r.Context()), workTimeout)
}

// decode reads a JSON body of at most limit bytes into v, answering the
// error itself when it fails.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any, limit int64) bool {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.apiErrorf(w, r, http.StatusRequestEntityTooLarge, "err.toolong", map[string]any{"Max": s.cfg.MaxMessageChars})
			return false
		}
		s.apiError(w, r, http.StatusBadRequest, "err.invalid", "")
		return false
	}
	return true
}

func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	secs := int(wait.Seconds() + 0.999)
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", fmt.Sprint(secs))
	s.apiErrorf(w, r, http.StatusTooManyRequests, "err.flood", map[string]any{"Seconds": secs})
}

// apiError answers a JSON error whose message is in the page's language;
// detail is extra text for the person (the engine's explanation).
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, code int, key, detail string) {
	body := map[string]string{"error": uiText(s.reqLang(r), key)}
	if detail != "" {
		body["detail"] = detail
	}
	writeJSON(w, code, body)
}

func (s *Server) apiErrorf(w http.ResponseWriter, r *http.Request, code int, key string, data map[string]any) {
	writeJSON(w, code, map[string]string{"error": uiTextf(s.reqLang(r), key, data)})
}

// reqLang is the page language the request came from, without setting a
// cookie.
func (s *Server) reqLang(r *http.Request) bot.Lang {
	if v := r.Header.Get("X-Liaison-Lang"); v == "fr" || v == "en" {
		return bot.Lang(v)
	}
	if c, err := r.Cookie(cookieLang); err == nil && c.Value == "fr" {
		return bot.French
	}
	return bot.English
}

// engineError maps an engine error to a status and a message people can act
// on, with the engine's explanation in the page's language; unexpected
// errors are logged and shown as a generic failure.
func (s *Server) engineError(w http.ResponseWriter, r *http.Request, err error) {
	why := bot.Explain(err, s.reqLang(r))
	switch {
	case errors.Is(err, bot.ErrForbidden):
		s.apiError(w, r, http.StatusForbidden, "err.forbidden", why)
	case errors.Is(err, bot.ErrInvalid):
		s.apiError(w, r, http.StatusBadRequest, "err.refused", why)
	case errors.Is(err, bot.ErrConflict):
		s.apiError(w, r, http.StatusConflict, "err.conflict", why)
	case errors.Is(err, bot.ErrDuplicate):
		s.apiError(w, r, http.StatusConflict, "err.duplicate", "")
	case errors.Is(err, bot.ErrNotFound):
		s.apiError(w, r, http.StatusNotFound, "err.notfound", "")
	default:
		s.log.Error("engine request failed", "path", r.URL.Path, "err", err)
		s.apiError(w, r, http.StatusInternalServerError, "err.internal", "")
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
