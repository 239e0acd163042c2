// Package fakediscord is a small Discord server for tests: the REST routes
// and the gateway websocket that Liaison's Discord adapter uses, written
// from Discord's documentation (API v9/v10), started on loopback.
//
// It replaces Discord, never Liaison's code: tests run the real discordgo
// client against it. It checks what it receives the way Discord does
// (authorization, JSON bodies, the 2,000-character limit, nonces,
// allowed_mentions, message references, the gateway's opcodes and intents)
// and answers with Discord's status codes and error codes, so a test fails
// when the client sends something Discord would refuse. It records every
// request, and works out whom each message the bot posts would ping, so
// tests can assert that nothing pings @everyone, @here, roles or strangers.
//
// Test code drives the other side: Post a citizen's message, React to one,
// Drop the gateway connection, ask for a Reconnect, inject a RateLimit or
// Hold a channel's sends.
package fakediscord

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Config sets up a Server. Zero fields take the defaults listed.
type Config struct {
	Token         string // the bot token the server accepts ("test-token")
	BotID         string // the bot's user id ("900000000000000001")
	BotName       string // ("liaison")
	ApplicationID string // (BotID)
	// HeartbeatInterval is sent in HELLO (1s; Discord uses about 41s).
	HeartbeatInterval time.Duration
	// MessageContentDisabled makes the gateway refuse the privileged
	// message-content intent with close code 4014, as Discord does when
	// the intent is not switched on in the Developer Portal.
	MessageContentDisabled bool
	// RawTokenOnly makes the gateway accept the token only in the
	// documented form, without the "Bot " prefix (Discord accepts both).
	RawTokenOnly bool
	// SilentGateway makes the gateway accept connections and then say
	// nothing, not even HELLO, like a stuck server.
	SilentGateway bool
}

// Channel types (Discord's numbering).
const (
	TypeText         = 0
	TypeDM           = 1
	TypePublicThread = 11
	TypeForum        = 15
)

// Intents the fake filters events by (Discord's bit numbers).
const (
	IntentGuilds                = 1 << 0
	IntentGuildMessages         = 1 << 9
	IntentGuildMessageReactions = 1 << 10
	IntentDirectMessages        = 1 << 12
	IntentDirectMessageReaction = 1 << 13
	IntentMessageContent        = 1 << 15
)

// User is a Discord user object.
type User struct {
	ID         string `json:"id"`
	Username   string `json:"username"`
	GlobalName string `json:"global_name,omitempty"`
	Bot        bool   `json:"bot,omitempty"`
}

// Member is the partial guild member sent with a message.
type Member struct {
	Nick  string   `json:"nick,omitempty"`
	Roles []string `json:"roles"`
}

// Reference is a message reference.
type Reference struct {
	Type            int    `json:"type,omitempty"` // 1: a forward
	MessageID       string `json:"message_id,omitempty"`
	ChannelID       string `json:"channel_id,omitempty"`
	GuildID         string `json:"guild_id,omitempty"`
	FailIfNotExists *bool  `json:"fail_if_not_exists,omitempty"`
}

// Message is a Discord message object.
type Message struct {
	ID                string     `json:"id"`
	Type              int        `json:"type"`
	ChannelID         string     `json:"channel_id"`
	GuildID           string     `json:"guild_id,omitempty"`
	Author            User       `json:"author"`
	Member            *Member    `json:"member,omitempty"`
	Content           string     `json:"content"`
	Timestamp         string     `json:"timestamp"`
	EditedTimestamp   *string    `json:"edited_timestamp"`
	TTS               bool       `json:"tts"`
	MentionEveryone   bool       `json:"mention_everyone"`
	Mentions          []User     `json:"mentions"`
	MentionRoles      []string   `json:"mention_roles"`
	Attachments       []any      `json:"attachments"`
	Embeds            []any      `json:"embeds"`
	Pinned            bool       `json:"pinned"`
	Nonce             string     `json:"nonce,omitempty"`
	MessageReference  *Reference `json:"message_reference,omitempty"`
	ReferencedMessage *Message   `json:"referenced_message,omitempty"`
	// MessageSnapshots holds the message forwarded (its content, not its
	// author), when MessageReference.Type is 1.
	MessageSnapshots []Snapshot `json:"message_snapshots,omitempty"`
	Poll             *Poll      `json:"poll,omitempty"`
	Flags            int        `json:"flags"`
}

// Poll is a poll posted as a message, which has no content then.
type Poll struct {
	Question PollMedia    `json:"question"`
	Answers  []PollAnswer `json:"answers"`
}

// PollMedia is a poll's question or one of its answers.
type PollMedia struct {
	Text string `json:"text"`
}

// PollAnswer is one answer of a poll.
type PollAnswer struct {
	AnswerID int       `json:"answer_id"`
	Media    PollMedia `json:"poll_media"`
}

// Snapshot is a forwarded message as Discord copies it into the forward.
type Snapshot struct {
	Message Message `json:"message"`
}

// FlagHasSnapshot marks a forward (Discord's HAS_SNAPSHOT message flag).
const FlagHasSnapshot = 1 << 14

// ChannelInfo is a Discord channel object.
type ChannelInfo struct {
	ID       string `json:"id"`
	Type     int    `json:"type"`
	GuildID  string `json:"guild_id,omitempty"`
	Name     string `json:"name,omitempty"`
	ParentID string `json:"parent_id,omitempty"`
	OwnerID  string `json:"owner_id,omitempty"`
	// ThreadMetadata is set for threads.
	ThreadMetadata *struct {
		Archived            bool `json:"archived"`
		AutoArchiveDuration int  `json:"auto_archive_duration"`
	} `json:"thread_metadata,omitempty"`
}

// Pings is whom a message notifies, worked out the way Discord does from
// its content and allowed_mentions.
type Pings struct {
	Everyone bool     // @everyone or @here took effect
	Users    []string // users notified, sorted
	Roles    []string // roles notified, sorted
}

// Posted is a message the bot posted through the REST API.
type Posted struct {
	Message
	Body      []byte // the request body as received
	Pings     Pings
	Reactions []string // emoji the bot added, in order
}

// Request is one REST request as received.
type Request struct {
	Method string
	Path   string // decoded path, such as /api/v9/channels/1/messages
	Query  string
	Auth   string // the Authorization header
	Body   []byte
	Status int // the status the fake answered
}

// Gateway reports the gateway's counters.
type Gateway struct {
	Connections int    // websocket connections accepted
	Identifies  int    // IDENTIFY received (new sessions)
	Resumes     int    // RESUME received and honoured
	Heartbeats  int    // HEARTBEAT received
	LastBeatSeq *int64 // the sequence number the last heartbeat carried (nil for null)
	Seq         int64  // the last sequence number dispatched in the session
	Intents     int    // the intents of the last IDENTIFY
	Connected   bool   // a connection is attached to the session
	Closes      []int  // close codes the server sent, in order
}

// Server is a fake Discord. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL to give the client as its api_url.
	URL string
	cfg Config
	hs  *httptest.Server

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every change
	nextID   int64
	users    map[string]User
	members  map[string]*Member // guild id + "/" + user id → the member as last seen posting
	guilds   map[string]int     // id → member count
	names    map[string]string  // guild id → its name, when not "guild"
	channels map[string]*ChannelInfo
	messages map[string]*Message
	nonces   map[string]string // nonce → message id (the bot is the only REST author)
	posted   []*Posted
	requests []Request
	limits   map[string][]rateLimit   // channel id → queued 429s
	fails    map[string][]int         // channel id → queued error statuses
	lookups  map[string][]int         // channel id → queued error statuses of GET /channels/{id}
	noThread map[string]bool          // channel ids where starting a thread is refused
	noReply  map[string]bool          // channel ids where the bot may not read the history, so not reply
	holds    map[string]chan struct{} // channel id → closed when sends may proceed
	held     map[string]int           // channel id → sends waiting at a hold
	history  map[string][]int         // channel id → queued error statuses of GET /channels/{id}/messages
	readHold map[string]chan struct{} // channel id → closed when history reads may proceed
	memHold  map[string]chan struct{} // guild id → closed when member lookups may proceed
	lowBits  int64                    // the increment of back-dated ids
	gw       gateway
}

type rateLimit struct {
	after  time.Duration
	global bool
}

// Start starts a fake Discord on 127.0.0.1 and stops it when tb ends.
func Start(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	if cfg.Token == "" {
		cfg.Token = "test-token"
	}
	if cfg.BotID == "" {
		cfg.BotID = "900000000000000001"
	}
	if cfg.BotName == "" {
		cfg.BotName = "liaison"
	}
	if cfg.ApplicationID == "" {
		cfg.ApplicationID = cfg.BotID
	}
	if cfg.HeartbeatInterval <= 0 {
		cfg.HeartbeatInterval = time.Second
	}
	s := &Server{
		cfg:      cfg,
		changed:  make(chan struct{}),
		nextID:   1200000000000000000,
		users:    map[string]User{},
		members:  map[string]*Member{},
		guilds:   map[string]int{},
		channels: map[string]*ChannelInfo{},
		messages: map[string]*Message{},
		nonces:   map[string]string{},
		limits:   map[string][]rateLimit{},
		fails:    map[string][]int{},
		lookups:  map[string][]int{},
		noThread: map[string]bool{},
		noReply:  map[string]bool{},
		holds:    map[string]chan struct{}{},
		held:     map[string]int{},
		history:  map[string][]int{},
		readHold: map[string]chan struct{}{},
		memHold:  map[string]chan struct{}{},
	}
	s.users[cfg.BotID] = s.botUser()
	s.hs = httptest.NewServer(s.routes())
	s.URL = s.hs.URL
	tb.Cleanup(s.Close)
	return s
}

// Close drops every connection and stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	for _, hs := range []map[string]chan struct{}{s.holds, s.readHold, s.memHold} {
		for _, h := range hs {
			select {
			case <-h:
			default:
				close(h)
			}
		}
	}
	s.mu.Unlock()
	s.dropConn(-1, 0)
	s.hs.CloseClientConnections()
	s.hs.Close()
}

// Token returns the token the server accepts.
func (s *Server) Token() string { return s.cfg.Token }

// BotID returns the bot's user id.
func (s *Server) BotID() string { return s.cfg.BotID }

func (s *Server) botUser() User {
	return User{ID: s.cfg.BotID, Username: s.cfg.BotName, Bot: true}
}

// touch wakes Await; s.mu must be held.
func (s *Server) touch() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Epoch is Discord's epoch, in Unix milliseconds: a snowflake holds the
// milliseconds since it in its bits above the 22nd.
const Epoch = 1420070400000

// Snowflake returns the smallest snowflake of time t.
func Snowflake(t time.Time) int64 { return (t.UnixMilli() - Epoch) << 22 }

// id returns a new snowflake made from the time now, greater than every id
// made before, as Discord's are; s.mu must be held.
func (s *Server) id() string {
	s.nextID = max(s.nextID+1, Snowflake(time.Now()))
	return strconv.FormatInt(s.nextID, 10)
}

// idAt returns a new snowflake made from time t (in the past); s.mu must be
// held.
func (s *Server) idAt(t time.Time) string {
	for {
		s.lowBits = (s.lowBits + 1) % (1 << 22)
		id := strconv.FormatInt(Snowflake(t)|s.lowBits, 10)
		if _, used := s.messages[id]; !used {
			return id
		}
	}
}

// AddGuild creates a guild with members members.
func (s *Server) AddGuild(id string, members int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.guilds[id] = members
}

// NameGuild names a guild (by default "guild").
func (s *Server) NameGuild(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.names == nil {
		s.names = map[string]string{}
	}
	s.names[id] = name
}

// AddChannel creates a text channel in guild.
func (s *Server) AddChannel(guildID, id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[id] = &ChannelInfo{ID: id, Type: TypeText, GuildID: guildID, Name: name}
}

// AddForum creates a forum channel in guild: each post in it is a thread,
// titled by its author, whose first message has the thread's id.
func (s *Server) AddForum(guildID, id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[id] = &ChannelInfo{ID: id, Type: TypeForum, GuildID: guildID, Name: name}
}

// PostInForum creates a post titled title in forum, as p.Author: a thread
// (THREAD_CREATE) and its first message, p, whose id is the thread's
// (MESSAGE_CREATE). It returns that id.
func (s *Server) PostInForum(forumID, title string, p Post) string {
	s.mu.Lock()
	id := s.id()
	th := s.addThread(forumID, id, title, p.Author.ID)
	s.dispatchThread(th)
	s.mu.Unlock()
	p.ChannelID, p.id = id, id
	return s.Post(p)
}

// AddThread creates a public thread of parent, started by owner, and
// dispatches THREAD_CREATE (under the GUILDS intent), as Discord does.
func (s *Server) AddThread(parentID, id, name, ownerID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dispatchThread(s.addThread(parentID, id, name, ownerID))
	s.touch()
}

// AddThreadUnannounced creates a public thread of parent without telling
// the gateway, like one whose THREAD_CREATE the bot missed (it was created
// while the bot's session was being replaced, and is in no GUILD_CREATE
// yet): only the API can then name its parent.
func (s *Server) AddThreadUnannounced(parentID, id, name, ownerID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addThread(parentID, id, name, ownerID)
}

// ArchiveThread archives a thread and dispatches THREAD_UPDATE (under the
// GUILDS intent), as Discord does when a thread is archived, by hand or
// after its auto-archive duration.
func (s *Server) ArchiveThread(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	th := s.archive("ArchiveThread", id)
	if s.gw.intents&IntentGuilds != 0 {
		s.dispatch("THREAD_UPDATE", *th)
	}
	s.touch()
}

// ArchiveThreadUnannounced archives a thread without telling the gateway,
// like a thread archived while the bot could not see its channel: Discord
// says so only in the THREAD_LIST_SYNC sent when the bot can see it again
// (see SyncThreads).
func (s *Server) ArchiveThreadUnannounced(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.archive("ArchiveThreadUnannounced", id)
}

// archive marks thread id archived for op; s.mu must be held.
func (s *Server) archive(op, id string) *ChannelInfo {
	th, ok := s.channels[id]
	if !ok || th.ThreadMetadata == nil {
		panic("fakediscord: " + op + " of unknown thread " + id)
	}
	th.ThreadMetadata.Archived = true
	return th
}

// unarchive makes thread ch active again and dispatches THREAD_UPDATE,
// when it was archived; s.mu must be held.
func (s *Server) unarchive(ch *ChannelInfo) {
	if ch.ThreadMetadata == nil || !ch.ThreadMetadata.Archived {
		return
	}
	ch.ThreadMetadata.Archived = false
	if s.gw.intents&IntentGuilds != 0 {
		s.dispatch("THREAD_UPDATE", *ch)
	}
	s.touch()
}

// SyncThreads dispatches THREAD_LIST_SYNC (under the GUILDS intent), as
// Discord does when the bot gains access to channels: the active threads
// of channelIDs, or of the whole guild when channelIDs is empty (and the
// event then has no channel_ids). A thread of those channels it does not
// list is no longer active.
func (s *Server) SyncThreads(guildID string, channelIDs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gw.intents&IntentGuilds == 0 {
		return
	}
	threads := []ChannelInfo{}
	for _, id := range slices.Sorted(maps.Keys(s.channels)) {
		ch := s.channels[id]
		if ch.GuildID != guildID || ch.Type != TypePublicThread || ch.ThreadMetadata == nil || ch.ThreadMetadata.Archived ||
			len(channelIDs) > 0 && !slices.Contains(channelIDs, ch.ParentID) {
			continue
		}
		threads = append(threads, *ch)
	}
	d := map[string]any{"guild_id": guildID, "threads": threads, "members": []any{}}
	if len(channelIDs) > 0 {
		d["channel_ids"] = channelIDs
	}
	s.dispatch("THREAD_LIST_SYNC", d)
	s.touch()
}

// DeleteThread deletes a thread and dispatches THREAD_DELETE (under the
// GUILDS intent), which names only the thread, its server, parent and type,
// as Discord's does.
func (s *Server) DeleteThread(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	th, ok := s.channels[id]
	if !ok || th.ThreadMetadata == nil {
		panic("fakediscord: DeleteThread of unknown thread " + id)
	}
	delete(s.channels, id)
	if s.gw.intents&IntentGuilds != 0 {
		s.dispatch("THREAD_DELETE", map[string]any{"id": th.ID, "guild_id": th.GuildID, "parent_id": th.ParentID, "type": th.Type})
	}
	s.touch()
}

// DeleteChannel deletes a channel, and its threads with it, and dispatches
// CHANNEL_DELETE (under the GUILDS intent), as Discord does: nothing is
// sent for the threads.
func (s *Server) DeleteChannel(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[id]
	if !ok {
		panic("fakediscord: DeleteChannel of unknown channel " + id)
	}
	for tid, th := range s.channels {
		if th.ParentID == id {
			delete(s.channels, tid)
		}
	}
	delete(s.channels, id)
	if s.gw.intents&IntentGuilds != 0 {
		s.dispatch("CHANNEL_DELETE", *ch)
	}
	s.touch()
}

// RemoveBot removes the bot from a guild and dispatches GUILD_DELETE
// (under the GUILDS intent) without "unavailable", as Discord does when
// the bot is kicked or the guild deleted.
func (s *Server) RemoveBot(guildID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.guilds, guildID)
	if s.gw.intents&IntentGuilds != 0 {
		s.dispatch("GUILD_DELETE", map[string]any{"id": guildID})
	}
	s.touch()
}

func (s *Server) addThread(parentID, id, name, ownerID string) *ChannelInfo {
	p := s.channels[parentID]
	guild := ""
	if p != nil {
		guild = p.GuildID
	}
	th := s.thread(guild, parentID, id, name, ownerID, 1440)
	s.channels[id] = th
	return th
}

// dispatchThread sends THREAD_CREATE for a new thread under the GUILDS
// intent; s.mu must be held.
func (s *Server) dispatchThread(th *ChannelInfo) {
	if s.gw.intents&IntentGuilds == 0 {
		return
	}
	s.dispatch("THREAD_CREATE", struct {
		ChannelInfo
		NewlyCreated bool `json:"newly_created"`
	}{*th, true})
}

// dispatchGuilds sends GUILD_CREATE for every guild, with its channels and
// active threads, under the GUILDS intent, as Discord does after READY; as
// in Discord's, the channel and thread objects in it omit guild_id. s.mu
// must be held.
func (s *Server) dispatchGuilds() {
	if s.gw.intents&IntentGuilds == 0 {
		return
	}
	for _, g := range slices.Sorted(maps.Keys(s.guilds)) {
		channels, threads := []ChannelInfo{}, []ChannelInfo{}
		for _, id := range slices.Sorted(maps.Keys(s.channels)) {
			ch := s.channels[id]
			if ch.GuildID != g {
				continue
			}
			cp := *ch
			cp.GuildID = ""
			switch {
			case ch.Type == TypePublicThread:
				if ch.ThreadMetadata == nil || !ch.ThreadMetadata.Archived {
					threads = append(threads, cp)
				}
			default:
				channels = append(channels, cp)
			}
		}
		s.dispatch("GUILD_CREATE", map[string]any{
			"id": g, "name": "guild", "owner_id": "1", "unavailable": false,
			"member_count": s.guilds[g], "channels": channels, "threads": threads,
		})
	}
}

func (s *Server) thread(guild, parent, id, name, owner string, archive int) *ChannelInfo {
	ch := &ChannelInfo{ID: id, Type: TypePublicThread, GuildID: guild, Name: name, ParentID: parent, OwnerID: owner}
	ch.ThreadMetadata = &struct {
		Archived            bool `json:"archived"`
		AutoArchiveDuration int  `json:"auto_archive_duration"`
	}{AutoArchiveDuration: archive}
	return ch
}

// AddDM creates the direct-message channel id between the bot and user.
func (s *Server) AddDM(id string, user User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[user.ID] = user
	s.channels[id] = &ChannelInfo{ID: id, Type: TypeDM}
}

// AddUser makes a user known (so that <@id> in a message mentions them).
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
}

// Channel returns a channel (threads created by the bot included).
func (s *Server) Channel(id string) (ChannelInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[id]
	if !ok {
		return ChannelInfo{}, false
	}
	return *ch, true
}

// Post is a message a (non-bot) user writes.
type Post struct {
	ChannelID string
	Author    User
	Nick      string // server nickname
	Content   string
	ReplyTo   string // id of the message replied to, "" for none
	Roles     []string
	// At back-dates the message: its id and timestamp are made from At,
	// as if it had been posted then. Zero: now.
	At time.Time
	// Forward makes the message a forward of another, posted elsewhere
	// (another server maybe) with this content: Content is then ignored,
	// since a forward has none of its own (a comment goes in a message of
	// its own).
	Forward *Forward
	id      string // the message's id, when set (a forum post's first message)
	// Poll makes the message a poll asking this, answered yes or no;
	// Content is then ignored.
	Poll string
	// Files are the names of files attached (pictures, documents; a
	// voice message is an "voice-message.ogg").
	Files []string
}

// Forward is the message a Post forwards.
type Forward struct {
	GuildID, ChannelID, MessageID string
	Content                       string
}

// Post stores a citizen's message and dispatches MESSAGE_CREATE to the bot
// (subject to its intents). It returns the message id.
func (s *Server) Post(p Post) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[p.ChannelID]
	if !ok {
		panic("fakediscord: Post to unknown channel " + p.ChannelID)
	}
	if _, known := s.users[p.Author.ID]; !known {
		s.users[p.Author.ID] = p.Author
	}
	s.unarchive(ch) // a message posted in an archived thread unarchives it
	id, at := p.id, p.At
	switch {
	case id != "":
		at = time.Now()
	case at.IsZero():
		id, at = s.id(), time.Now()
	default:
		id = s.idAt(at)
	}
	m := &Message{
		ID:           id,
		ChannelID:    p.ChannelID,
		GuildID:      ch.GuildID,
		Author:       p.Author,
		Content:      p.Content,
		Timestamp:    at.UTC().Format(time.RFC3339Nano),
		Mentions:     []User{},
		MentionRoles: []string{},
		Attachments:  []any{},
		Embeds:       []any{},
	}
	if ch.GuildID != "" {
		m.Member = &Member{Nick: p.Nick, Roles: append([]string{}, p.Roles...)}
		s.members[ch.GuildID+"/"+p.Author.ID] = m.Member
	}
	if p.ReplyTo != "" {
		ref, ok := s.messages[p.ReplyTo]
		if !ok {
			panic("fakediscord: reply to unknown message " + p.ReplyTo)
		}
		m.Type = 19
		m.MessageReference = &Reference{MessageID: ref.ID, ChannelID: ref.ChannelID, GuildID: ref.GuildID}
		cp := *ref
		cp.ReferencedMessage = nil
		m.ReferencedMessage = &cp
	}
	if f := p.Forward; f != nil {
		m.Content, m.Flags = "", FlagHasSnapshot
		m.MessageReference = &Reference{Type: 1, MessageID: f.MessageID, ChannelID: f.ChannelID, GuildID: f.GuildID}
		m.MessageSnapshots = []Snapshot{{Message: Message{Content: f.Content, Timestamp: m.Timestamp,
			Mentions: []User{}, MentionRoles: []string{}, Attachments: []any{}, Embeds: []any{}}}}
	}
	for _, f := range p.Files {
		m.Attachments = append(m.Attachments, map[string]any{"id": s.id(), "filename": f, "size": 1024,
			"url": "https://cdn.example/attachments/" + f, "proxy_url": "https://media.example/attachments/" + f})
	}
	if p.Poll != "" {
		m.Content = ""
		m.Poll = &Poll{Question: PollMedia{Text: p.Poll},
			Answers: []PollAnswer{{AnswerID: 1, Media: PollMedia{Text: "Yes"}}, {AnswerID: 2, Media: PollMedia{Text: "No"}}}}
	}
	s.mention(m, s.pings(m.Content, nil, m.ReferencedMessage))
	s.messages[m.ID] = m
	s.dispatchMessage(m)
	s.touch()
	return m.ID
}

// Edit changes the content of a stored message as its author does, and
// dispatches MESSAGE_UPDATE with the whole message, edited_timestamp set
// and mentions worked out again from the new content.
func (s *Server) Edit(messageID, content string) { s.EditAt(messageID, content, time.Now()) }

// EditAt is Edit with edited_timestamp at: an edit made earlier, while
// the bot was away, found in the history.
func (s *Server) EditAt(messageID, content string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[messageID]
	if !ok {
		panic("fakediscord: Edit of unknown message " + messageID)
	}
	edited := at.UTC().Format(time.RFC3339Nano)
	m.Content, m.EditedTimestamp = content, &edited
	s.mention(m, s.pings(m.Content, nil, m.ReferencedMessage))
	s.dispatchEvent("MESSAGE_UPDATE", m)
	s.touch()
}

// Delete deletes stored messages of one channel, as their author or a
// moderator does: MESSAGE_DELETE is dispatched for one, MESSAGE_DELETE_BULK
// (ids, channel_id, guild_id) for several, as the bot's intents allow.
// Discord's events name the messages only: their content is gone.
func (s *Server) Delete(messageIDs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(messageIDs) == 0 {
		panic("fakediscord: Delete of no message")
	}
	var channelID, guildID string
	for i, id := range messageIDs {
		m, ok := s.messages[id]
		if !ok {
			panic("fakediscord: Delete of unknown message " + id)
		}
		if i > 0 && m.ChannelID != channelID {
			panic("fakediscord: Delete of messages in different channels")
		}
		channelID, guildID = m.ChannelID, m.GuildID
		delete(s.messages, id)
	}
	need := IntentGuildMessages
	if guildID == "" {
		need = IntentDirectMessages
	}
	if s.gw.intents&need != 0 {
		d := map[string]any{"channel_id": channelID}
		if guildID != "" { // none in a direct message
			d["guild_id"] = guildID
		}
		if len(messageIDs) == 1 {
			d["id"] = messageIDs[0]
			s.dispatch("MESSAGE_DELETE", d)
		} else {
			d["ids"] = messageIDs
			s.dispatch("MESSAGE_DELETE_BULK", d)
		}
	}
	s.touch()
}

// Unfurl adds an embed to a stored message, as Discord does when it has
// fetched the preview of a link in it: MESSAGE_UPDATE is dispatched with
// the embed, the content unchanged and edited_timestamp left as it was
// (the author changed nothing).
func (s *Server) Unfurl(messageID, url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[messageID]
	if !ok {
		panic("fakediscord: Unfurl of unknown message " + messageID)
	}
	m.Embeds = append(m.Embeds, map[string]any{"type": "link", "url": url, "title": url})
	s.dispatchEvent("MESSAGE_UPDATE", m)
	s.touch()
}

// dispatchMessage sends MESSAGE_CREATE as the bot's intents allow; s.mu
// must be held.
func (s *Server) dispatchMessage(m *Message) { s.dispatchEvent("MESSAGE_CREATE", m) }

// dispatchEvent sends t (MESSAGE_CREATE or MESSAGE_UPDATE) for m as the
// bot's intents allow; s.mu must be held.
func (s *Server) dispatchEvent(t string, m *Message) {
	need := IntentGuildMessages
	if m.GuildID == "" {
		need = IntentDirectMessages
	}
	if s.gw.intents&need == 0 {
		return
	}
	ev := *m
	// Without the message-content intent Discord blanks the content of
	// guild messages that neither mention the bot nor are its own.
	if s.gw.intents&IntentMessageContent == 0 && m.GuildID != "" && m.Author.ID != s.cfg.BotID &&
		!slices.ContainsFunc(m.Mentions, func(u User) bool { return u.ID == s.cfg.BotID }) {
		ev.Content, ev.Embeds, ev.Attachments, ev.Poll = "", []any{}, []any{}, nil
		ev.MessageSnapshots = slices.Clone(ev.MessageSnapshots)
		for i := range ev.MessageSnapshots {
			ev.MessageSnapshots[i].Message.Content = ""
		}
	}
	s.dispatch(t, ev)
}

// Redeliver dispatches MESSAGE_CREATE again for a stored message, as a
// gateway delivering at least once may.
func (s *Server) Redeliver(messageID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.messages[messageID]; ok {
		s.dispatchMessage(m)
	}
}

// React adds (or, with add false, removes) user's reaction emoji on a
// message and dispatches the event.
func (s *Server) React(channelID, messageID, userID, emoji string, add bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.react(channelID, messageID, userID, emoji, add)
	s.touch()
}

func (s *Server) react(channelID, messageID, userID, emoji string, add bool) {
	ch := s.channels[channelID]
	guild := ""
	if ch != nil {
		guild = ch.GuildID
	}
	need := IntentGuildMessageReactions
	if guild == "" {
		need = IntentDirectMessageReaction
	}
	if s.gw.intents&need == 0 {
		return
	}
	t := "MESSAGE_REACTION_ADD"
	if !add {
		t = "MESSAGE_REACTION_REMOVE"
	}
	d := map[string]any{
		"user_id":    userID,
		"channel_id": channelID,
		"message_id": messageID,
		"emoji":      map[string]any{"id": nil, "name": emoji},
	}
	if guild != "" {
		d["guild_id"] = guild
	}
	if m, ok := s.messages[messageID]; ok && add {
		d["message_author_id"] = m.Author.ID
	}
	if guild != "" && add {
		// Discord sends the member who reacted, with their user (a bot's
		// user says so), on additions in a server only.
		u, ok := s.users[userID]
		if !ok {
			u = User{ID: userID, Username: "user" + userID}
		}
		member := map[string]any{"user": u, "roles": []string{}}
		if known := s.members[guild+"/"+userID]; known != nil {
			member["nick"], member["roles"] = known.Nick, known.Roles
		}
		d["member"] = member
	}
	s.dispatch(t, d)
}

// Posted returns the messages the bot posted in channelID ("" for all), in
// order.
func (s *Server) Posted(channelID string) []Posted {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Posted
	for _, p := range s.posted {
		if channelID == "" || p.ChannelID == channelID {
			cp := *p
			cp.Reactions = slices.Clone(p.Reactions)
			out = append(out, cp)
		}
	}
	return out
}

// Requests returns the REST requests received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// RateLimit makes the next n message sends to channelID answer 429 with
// retry_after after (global: a global limit).
func (s *Server) RateLimit(channelID string, n int, after time.Duration, global bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.limits[channelID] = append(s.limits[channelID], rateLimit{after: after, global: global})
	}
}

// Fail makes the next message send to channelID answer status (with
// Discord's JSON error body).
func (s *Server) Fail(channelID string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails[channelID] = append(s.fails[channelID], status)
}

// FailAfter lets the next ok message sends to channelID through, then
// makes the one after them answer status: a long message's later part
// failing after its first parts were posted.
func (s *Server) FailAfter(channelID string, ok, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range ok {
		s.fails[channelID] = append(s.fails[channelID], 0)
	}
	s.fails[channelID] = append(s.fails[channelID], status)
}

// ForgetNonces ends the window in which Discord returns the message already
// created for a nonce sent again (a few minutes): a later send with the same
// nonce creates a new message.
func (s *Server) ForgetNonces() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.nonces)
}

// FailLookups makes the next n lookups of channelID (GET /channels/{id})
// answer status, like Discord's API during an outage.
func (s *Server) FailLookups(channelID string, n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.lookups[channelID] = append(s.lookups[channelID], status)
	}
}

// RefuseThreads makes starting a thread in channelID answer 403 Missing
// Permissions, as Discord does for a bot without the thread permission.
func (s *Server) RefuseThreads(channelID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noThread[channelID] = true
}

// DenyHistory takes the Read Message History permission away from the bot
// in channelID, as a channel's permission overrides may: Discord then
// refuses its replies there (403, code 160002), not its other messages.
func (s *Server) DenyHistory(channelID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noReply[channelID] = true
}

// Hold makes message sends to channelID wait until the returned release
// is called (or the client gives up), like a slow server.
func (s *Server) Hold(channelID string) (release func()) { return s.hold(s.holds, channelID) }

// hold sets a gate for channelID in gates (holds, readHold or memHold), which
// requests wait on until the returned release closes it.
func (s *Server) hold(gates map[string]chan struct{}, channelID string) (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	gate := make(chan struct{})
	gates[channelID] = gate
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			close(gate)
			if gates[channelID] == gate {
				delete(gates, channelID)
			}
		})
	}
}

// FailHistory makes the next n reads of channelID's messages (GET
// /channels/{id}/messages) answer status: 403 as Discord answers a bot
// without access to the channel (Missing Access, code 50001), 429 as a rate
// limit of a tenth of a second, any other status with Discord's error body.
func (s *Server) FailHistory(channelID string, n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.history[channelID] = append(s.history[channelID], status)
	}
}

// HoldHistory makes reads of channelID's messages wait until the returned
// release is called (or the client gives up), like a slow server.
func (s *Server) HoldHistory(channelID string) (release func()) { return s.hold(s.readHold, channelID) }

// HoldMembers makes lookups of guildID's members (GET
// /guilds/{id}/members/{user}) wait until the returned release is called
// (or the client gives up), like a slow server.
func (s *Server) HoldMembers(guildID string) (release func()) { return s.hold(s.memHold, guildID) }

// Held returns how many message sends to channelID wait at a Hold.
func (s *Server) Held(channelID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held[channelID]
}

// Await waits (10s at most, else it fails tb) until cond, evaluated after
// every change the server sees, is true. cond may call the Server's
// methods.
func (s *Server) Await(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	s.AwaitWithin(tb, 10*time.Second, what, cond)
}

// AwaitWithin is Await with a longer or shorter bound, for a wait on
// thousands of events that a loaded machine may take longer to handle.
func (s *Server) AwaitWithin(tb testing.TB, limit time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-time.After(50 * time.Millisecond): // conditions that depend on the client's side
		case <-deadline.C:
			tb.Fatalf("fakediscord: timed out waiting for %s", what)
			return
		}
	}
}

var (
	userMention = regexp.MustCompile(`<@!?(\d+)>`)
	roleMention = regexp.MustCompile(`<@&(\d+)>`)
)

// mention sets m's mentions to those pg works out. s.mu must be held.
func (s *Server) mention(m *Message, pg Pings) {
	m.MentionEveryone, m.Mentions, m.MentionRoles = pg.Everyone, []User{}, append([]string{}, pg.Roles...)
	for _, id := range pg.Users {
		m.Mentions = append(m.Mentions, s.users[id])
	}
}

// pings works out whom content notifies under allowed mentions am (nil:
// Discord's default, everything parsed) as a reply to replied (nil: not a
// reply). s.mu must be held.
func (s *Server) pings(content string, am *allowedMentions, replied *Message) Pings {
	var p Pings
	everyone := strings.Contains(content, "@everyone") || strings.Contains(content, "@here")
	var users, roles []string
	for _, m := range userMention.FindAllStringSubmatch(content, -1) {
		if _, ok := s.users[m[1]]; ok {
			users = append(users, m[1])
		}
	}
	for _, m := range roleMention.FindAllStringSubmatch(content, -1) {
		roles = append(roles, m[1])
	}
	if am == nil {
		p.Everyone, p.Users, p.Roles = everyone, users, roles
		if replied != nil {
			p.Users = append(p.Users, replied.Author.ID)
		}
	} else {
		p.Everyone = everyone && slices.Contains(am.Parse, "everyone")
		for _, u := range users {
			if slices.Contains(am.Parse, "users") || slices.Contains(am.Users, u) {
				p.Users = append(p.Users, u)
			}
		}
		for _, r := range roles {
			if slices.Contains(am.Parse, "roles") || slices.Contains(am.Roles, r) {
				p.Roles = append(p.Roles, r)
			}
		}
		if replied != nil && am.RepliedUser {
			p.Users = append(p.Users, replied.Author.ID)
		}
	}
	slices.Sort(p.Users)
	p.Users = slices.Compact(p.Users)
	slices.Sort(p.Roles)
	p.Roles = slices.Compact(p.Roles)
	return p
}

// apiError writes Discord's JSON error body.
func apiError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// String describes the server for failure messages.
func (s *Server) String() string { return fmt.Sprintf("fakediscord at %s", s.URL) }
