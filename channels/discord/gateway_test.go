package discord

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/channels/discord/fakediscord"
)

func TestConnectsWithIntentsAndHeartbeats(t *testing.T) {
	t.Parallel()
	r := start(t, &recording{})
	g := r.srv.Gateway()
	if g.Intents != int(Intents) {
		t.Errorf("identified with intents %b, want %b", g.Intents, Intents)
	}
	for _, bit := range []int{fakediscord.IntentGuilds, fakediscord.IntentGuildMessages, fakediscord.IntentDirectMessages, fakediscord.IntentMessageContent,
		fakediscord.IntentGuildMessageReactions, fakediscord.IntentDirectMessageReaction} {
		if g.Intents&bit == 0 {
			t.Errorf("intent bit %d missing", bit)
		}
	}
	// Heartbeats carry the last sequence number received.
	r.srv.Post(fakediscord.Post{ChannelID: otherID, Author: citizen(), Content: "hello"})
	want := r.srv.Gateway().Seq
	r.srv.Await(t, "a heartbeat with the last sequence number", func() bool {
		g := r.srv.Gateway()
		return g.Heartbeats >= 2 && g.LastBeatSeq != nil && *g.LastBeatSeq == want
	})
	for _, req := range r.srv.Requests() {
		if req.Auth != "" && req.Auth != "Bot "+r.srv.Token() {
			t.Errorf("%s %s: authorization %q", req.Method, req.Path, req.Auth)
		}
	}
}

func TestResumesAfterDropAndHandlesRedeliveryOnce(t *testing.T) {
	t.Parallel()
	h := &recording{}
	r := start(t, h)
	first := r.srv.Post(fakediscord.Post{ChannelID: helpID, Author: citizen(), Content: "How do I renew my passport?"})
	r.srv.Await(t, "the first message", func() bool { return len(h.byID(first)) == 1 })

	// The connection drops; the server will redeliver the last event the
	// client already had, and a message is posted while the bot is away.
	r.srv.Drop(1)
	second := r.srv.Post(fakediscord.Post{ChannelID: helpID, Author: citizen(), Content: "Et pour un enfant ?"})
	r.srv.Await(t, "the resume", func() bool { return r.srv.Gateway().Resumes == 1 && r.srv.Gateway().Connected })
	r.srv.Await(t, "the message sent while disconnected", func() bool { return len(h.byID(second)) == 1 })

	// A later message still arrives, proving the resumed session is live.
	third := r.srv.Post(fakediscord.Post{ChannelID: helpID, Author: citizen(), Content: "Merci"})
	r.srv.Await(t, "a message after the resume", func() bool { return len(h.byID(third)) == 1 })
	if n := len(h.byID(first)); n != 1 {
		t.Errorf("first message handled %d times, want 1", n)
	}
	if n := len(h.byID(second)); n != 1 {
		t.Errorf("second message handled %d times, want 1", n)
	}
	if g := r.srv.Gateway(); g.Identifies != 1 {
		t.Errorf("identified %d times; a resume should not identify again", g.Identifies)
	}
}

func TestReconnectOpcodeResumes(t *testing.T) {
	t.Parallel()
	h := &recording{}
	r := start(t, h)
	r.srv.Reconnect()
	r.srv.Await(t, "the resume after RECONNECT", func() bool { return r.srv.Gateway().Resumes == 1 && r.srv.Gateway().Connected })
	id := r.srv.Post(fakediscord.Post{ChannelID: helpID, Author: citizen(), Content: "still there?"})
	r.srv.Await(t, "a message after the resume", func() bool { return len(h.byID(id)) == 1 })
}

func TestInvalidSessionIdentifiesAgain(t *testing.T) {
	t.Parallel()
	h := &recording{}
	r := start(t, h)
	r.srv.InvalidateSession()
	r.srv.Await(t, "a second IDENTIFY", func() bool { g := r.srv.Gateway(); return g.Identifies == 2 && g.Connected })
	id := r.srv.Post(fakediscord.Post{ChannelID: helpID, Author: citizen(), Content: "hello again"})
	r.srv.Await(t, "a message in the new session", func() bool { return len(h.byID(id)) == 1 })
}

func TestExpiredSessionStartsANewOne(t *testing.T) {
	t.Parallel()
	for _, code := range []int{4007, 4009} {
		h := &recording{}
		r := start(t, h)
		r.srv.ExpireSession(code)
		r.srv.Await(t, "a new session", func() bool { g := r.srv.Gateway(); return g.Identifies == 2 && g.Connected })
		id := r.srv.Post(fakediscord.Post{ChannelID: helpID, Author: citizen(), Content: "hello"})
		r.srv.Await(t, "a message in the new session", func() bool { return len(h.byID(id)) == 1 })
		if err := r.stop(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRunFailsClearlyOnRefusedIntentOrToken(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		fc   fakediscord.Config
		tok  string
		want string
	}{
		{"message content intent off", fakediscord.Config{MessageContentDisabled: true}, "", "MESSAGE CONTENT INTENT"},
		{"wrong token", fakediscord.Config{}, "not-the-token", "LIAISON_DISCORD_TOKEN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := fake(t, tc.fc)
			cfg := testConfig()
			cfg.APIURL = srv.URL
			tok := tc.tok
			if tok == "" {
				tok = srv.Token()
			}
			ch, err := New(cfg, tok, testOptions(t))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			err = ch.Run(ctx, &recording{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run = %v, want an error mentioning %q", err, tc.want)
			}
			if strings.Contains(err.Error(), tok) {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
}

func TestRunReconnectsWhenTheServerIsBack(t *testing.T) {
	t.Parallel()
	srv := fake(t, fakediscord.Config{HeartbeatInterval: 200 * time.Millisecond})
	cfg := testConfig()
	ch := newChannel(t, srv, cfg, testOptions(t))
	// First point the channel at a port where nothing listens: Run must
	// keep trying, not fail, and stop cleanly when asked.
	cfg.APIURL = "http://127.0.0.1:1"
	dead, err := New(cfg, srv.Token(), testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := dead.Run(ctx, &recording{}); err != nil {
		t.Fatalf("Run with an unreachable server = %v, want nil at the end of its context", err)
	}
	h := &recording{}
	r := run(t, srv, ch, h)
	id := r.srv.Post(fakediscord.Post{ChannelID: helpID, Author: citizen(), Content: "hi"})
	r.srv.Await(t, "the message", func() bool { return len(h.byID(id)) == 1 })
}

func TestRunRefusesSecondRunAndNilHandler(t *testing.T) {
	t.Parallel()
	r := start(t, &recording{})
	if err := r.ch.Run(context.Background(), &recording{}); err == nil {
		t.Error("a second concurrent Run was accepted")
	}
	if err := r.ch.Run(context.Background(), nil); err == nil {
		t.Error("Run with a nil handler was accepted")
	}
}

func TestShutdownWaitsForEventsBeingHandled(t *testing.T) {
	t.Parallel()
	h := &recording{block: make(chan struct{}), entered: make(chan struct{}, 1)}
	r := start(t, h)
	id := r.srv.Post(fakediscord.Post{ChannelID: helpID, Author: citizen(), Content: "slow one"})
	<-h.entered
	stopped := make(chan error, 1)
	go func() { stopped <- r.stop() }()
	select {
	case err := <-stopped:
		t.Fatalf("Run returned (%v) while a message was being handled", err)
	case <-time.After(1500 * time.Millisecond): // discordgo's Close itself takes 1s
	}
	close(h.block)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if len(h.byID(id)) != 1 {
		t.Error("the message being handled at shutdown was not completed")
	}
}

func TestHandlerFailuresAreRetried(t *testing.T) {
	t.Parallel()
	h := &recording{fail: 2}
	r := start(t, h)
	id := r.srv.Post(fakediscord.Post{ChannelID: helpID, Author: citizen(), Content: "retry me"})
	r.srv.Await(t, "the message after two failures", func() bool { return len(h.byID(id)) == 1 })
	h.mu.Lock()
	calls := h.calls
	h.mu.Unlock()
	if calls != 3 {
		t.Errorf("handler called %d times, want 3", calls)
	}
}

// lookups counts the requests for channel id's description (GET
// /channels/{id}), which a message in a thread needs.
func lookups(srv *fakediscord.Server, id string) int {
	n := 0
	for _, q := range srv.Requests() {
		if q.Method == http.MethodGet && strings.HasSuffix(q.Path, "/channels/"+id) {
			n++
		}
	}
	return n
}

// The gateway names each thread's parent, in GUILD_CREATE for the threads
// active when the bot connects and in THREAD_CREATE for new ones: their
// questions need no lookup, and an API outage does not leave them without
// their channel (and so in shadow mode).
func TestThreadParentsNamedByTheGatewayNeedNoLookup(t *testing.T) {
	t.Parallel()
	srv := fake(t, fakediscord.Config{HeartbeatInterval: 200 * time.Millisecond})
	older, newer := "100000000000000031", "100000000000000021"
	srv.AddThread(generalID, older, "an older question", citizenID) // before the bot connects
	srv.FailLookups(older, 1000, http.StatusServiceUnavailable)
	opts := testOptions(t)
	opts.EventRetryFor = time.Second
	h := &recording{}
	r := run(t, srv, newChannel(t, srv, testConfig(), opts), h)
	r.srv.AddThread(helpID, newer, "my question", citizenID)
	r.srv.FailLookups(newer, 1000, http.StatusServiceUnavailable)
	for _, tc := range []struct{ thread, parent string }{{newer, helpID}, {older, generalID}} {
		q := r.ask(tc.thread, "How do I renew my passport?")
		r.srv.Await(t, "the question in "+tc.thread, func() bool { return len(h.byID(q)) == 1 })
		if m := h.byID(q)[0]; m.ChannelID != tc.parent || m.ThreadID != tc.thread || m.ChannelUnknown || m.InHelpChannel != (tc.parent == helpID) {
			t.Errorf("question in %s mapped to %+v; want a thread of %s", tc.thread, m, tc.parent)
		}
		if n := lookups(r.srv, tc.thread); n != 0 {
			t.Errorf("%d lookups of %s, which the gateway had named", n, tc.thread)
		}
	}
}

// A busy server archives threads by the thousand: the cache of threads'
// parents lets those go when it is full, not the active threads the gateway
// named, whose questions keep their channel through an API outage.
func TestActiveThreadsStayKnownAsManyOthersAreArchived(t *testing.T) {
	t.Parallel()
	srv := fake(t, fakediscord.Config{HeartbeatInterval: 200 * time.Millisecond})
	active := "100000000000000031"
	srv.AddThread(helpID, active, "an older question", citizenID) // named in GUILD_CREATE
	opts := testOptions(t)
	opts.EventRetryFor = time.Second
	h := &recording{}
	r := run(t, srv, newChannel(t, srv, testConfig(), opts), h)
	for i := range maxPlaces + 10 {
		id := fmt.Sprintf("2%017d", i)
		r.srv.AddThread(otherID, id, "chat", strangerID)
		r.srv.ArchiveThread(id)
	}
	r.settle(t)
	r.srv.FailLookups(active, 1000, http.StatusServiceUnavailable)
	q := r.ask(active, "How do I renew my passport?")
	r.srv.Await(t, "the question", func() bool { return len(h.byID(q)) == 1 })
	if m := h.byID(q)[0]; m.ChannelID != helpID || m.ThreadID != active || m.ChannelUnknown {
		t.Errorf("question in an active thread of #help mapped to %+v; want a thread of #help", m)
	}
}

// Threads deleted by the thousand (spam cleared by moderators) are
// forgotten as the gateway says so, not kept until the cache is full and
// then let go with the active threads; so are the threads of a channel
// deleted, and every place in a server the bot is removed from.
func TestDeletedThreadsChannelsAndServersAreForgotten(t *testing.T) {
	t.Parallel()
	srv := fake(t, fakediscord.Config{HeartbeatInterval: 200 * time.Millisecond})
	active := "100000000000000031"
	srv.AddThread(helpID, active, "an older question", citizenID) // named in GUILD_CREATE
	opts := testOptions(t)
	opts.EventRetryFor = time.Second
	h := &recording{}
	r := run(t, srv, newChannel(t, srv, testConfig(), opts), h)
	for i := range maxPlaces + 10 {
		id := fmt.Sprintf("2%017d", i)
		r.srv.AddThread(otherID, id, "spam", strangerID)
		r.srv.DeleteThread(id)
	}
	r.settle(t)
	r.srv.FailLookups(active, 1000, http.StatusServiceUnavailable)
	q := r.ask(active, "How do I renew my passport?")
	r.srv.Await(t, "the question", func() bool { return len(h.byID(q)) == 1 })
	if m := h.byID(q)[0]; m.ChannelID != helpID || m.ThreadID != active || m.ChannelUnknown {
		t.Errorf("question in an active thread of #help mapped to %+v; want a thread of #help", m)
	}

	cached := func() int {
		r.ch.mu.Lock()
		defer r.ch.mu.Unlock()
		return len(r.ch.places)
	}
	for i := range 5 {
		r.srv.AddThread(otherID, fmt.Sprintf("3%017d", i), "chat", strangerID)
	}
	r.settle(t)
	if n := cached(); n != 6 {
		t.Fatalf("%d places cached, want the 6 active threads", n)
	}
	r.srv.DeleteChannel(otherID)
	r.settle(t)
	if n := cached(); n != 1 {
		t.Errorf("%d places cached after #other was deleted, want 1 (the thread of #help)", n)
	}
	r.srv.RemoveBot(guildID)
	r.settle(t)
	if n := cached(); n != 0 {
		t.Errorf("%d places cached after the bot left the server, want none", n)
	}
}

// THREAD_LIST_SYNC, sent as the bot can see channels again, lists their
// active threads: those it lists are remembered with their channel, and
// the others remembered of the channels it covers (the whole server when it
// names none), archived while the bot could not see them, count as
// archived, let go first when the cache is full, not as active threads.
func TestThreadListSyncRemembersListedThreadsAndRetiresTheRest(t *testing.T) {
	t.Parallel()
	srv := fake(t, fakediscord.Config{HeartbeatInterval: 200 * time.Millisecond})
	gone, kept, elsewhere, unseen := "100000000000000031", "100000000000000032", "100000000000000033", "100000000000000034"
	srv.AddThread(otherID, gone, "a", strangerID) // all three named in GUILD_CREATE
	srv.AddThread(otherID, kept, "b", strangerID)
	srv.AddThread(generalID, elsewhere, "c", strangerID)
	r := run(t, srv, newChannel(t, srv, testConfig(), testOptions(t)), &recording{})
	cached := func(id string) (placed, bool) {
		r.ch.mu.Lock()
		defer r.ch.mu.Unlock()
		p, ok := r.ch.places[id]
		return p, ok
	}
	active := func(ids map[string]string) {
		t.Helper()
		for id, parent := range ids {
			if p, ok := cached(id); !ok || p.parent != parent || p.archived {
				t.Errorf("thread %s cached as %+v (%v); want active, of %s", id, p, ok, parent)
			}
		}
	}
	retired := func(id string) {
		t.Helper()
		if p, ok := cached(id); ok && !p.archived {
			t.Errorf("thread %s, not in the sync, still cached as active: %+v", id, p)
		}
	}

	r.srv.ArchiveThreadUnannounced(gone)
	r.srv.AddThreadUnannounced(otherID, unseen, "d", strangerID)
	r.srv.SyncThreads(guildID, otherID)
	r.settle(t)
	active(map[string]string{kept: otherID, unseen: otherID, elsewhere: generalID})
	retired(gone)

	r.srv.ArchiveThreadUnannounced(elsewhere)
	r.srv.SyncThreads(guildID) // the whole server
	r.settle(t)
	active(map[string]string{kept: otherID, unseen: otherID})
	retired(elsewhere)
}

// A post in a watched forum channel is a thread whose title, which Discord
// keeps apart from its first message, often is the question: the question
// handed over is the title, then the message.
func TestForumPostIsItsTitleAndItsMessage(t *testing.T) {
	t.Parallel()
	const forumID = "100000000000000014"
	srv := fake(t, fakediscord.Config{HeartbeatInterval: 200 * time.Millisecond})
	srv.AddForum(guildID, forumID, "questions")
	cfg := testConfig()
	cfg.Channel = append(cfg.Channel, ChannelSettings{ID: forumID, Name: "questions", Help: true})
	h := &recording{}
	r := run(t, srv, newChannel(t, srv, cfg, testOptions(t)), h)
	id := r.srv.PostInForum(forumID, "How do I renew my passport?", fakediscord.Post{Author: citizen(), Content: "I live abroad, thanks"})
	follow := r.srv.Post(fakediscord.Post{ChannelID: id, Author: citizen(), Content: "Anyone?"})
	r.srv.Await(t, "the post and the follow-up", func() bool { return len(h.byID(id)) == 1 && len(h.byID(follow)) == 1 })
	if m := h.byID(id)[0]; m.ChannelID != forumID || m.ThreadID != id || !m.InHelpChannel || m.Text != "How do I renew my passport?\nI live abroad, thanks" {
		t.Errorf("post handed over as %+v; want its title and message, in a thread of the forum", m)
	}
	if m := h.byID(follow)[0]; m.Text != "Anyone?" {
		t.Errorf("follow-up handed over as %q; want its own text", m.Text)
	}
}

func TestThreadQuestionWaitsOutALongRateLimit(t *testing.T) {
	t.Parallel()
	h := &recording{}
	r := start(t, h) // MaxRateLimitWait 1s
	thread := "100000000000000021"
	r.srv.AddThreadUnannounced(helpID, thread, "my question", citizenID)
	// A burst of replies runs into a global limit of 4s: the lookup the
	// thread's question needs is refused at once, with the wait.
	r.srv.RateLimit(generalID, 1, 4*time.Second, true)
	if _, err := r.ch.Send(context.Background(), bot.Address{Platform: Platform, ChannelID: generalID},
		bot.Reply{Kind: bot.KindNotice, Text: "x", Key: "n-global"}); err == nil {
		t.Fatal("send under a 4s global limit succeeded")
	}
	id := r.srv.Post(fakediscord.Post{ChannelID: thread, Author: citizen(), Content: "How do I renew my passport?"})
	r.srv.Await(t, "the thread's question once the limit is over", func() bool { return len(h.byID(id)) == 1 })
	if m := h.byID(id)[0]; m.ChannelID != helpID || m.ThreadID != thread || !m.InHelpChannel {
		t.Errorf("question mapped to %+v; want a thread of #help", m)
	}
	if n := lookups(r.srv, thread); n > 2 {
		t.Errorf("%d lookups under the limit; want the wait Discord asked for sat out, not polled", n)
	}
}

func TestThreadQuestionWaitsOutAnOutage(t *testing.T) {
	t.Parallel()
	h := &recording{}
	r := start(t, h)
	thread := "100000000000000021"
	r.srv.AddThreadUnannounced(helpID, thread, "my question", citizenID)
	r.srv.FailLookups(thread, 5, http.StatusServiceUnavailable) // about 6s of retries
	id := r.srv.Post(fakediscord.Post{ChannelID: thread, Author: citizen(), Content: "How do I renew my passport?"})
	r.srv.Await(t, "the thread's question once the API is back", func() bool { return len(h.byID(id)) == 1 })
	if m := h.byID(id)[0]; m.ChannelID != helpID || m.ThreadID != thread || !m.InHelpChannel {
		t.Errorf("question mapped to %+v; want a thread of #help", m)
	}
}

func TestThreadEventsHandedOverWhenTheLookupFails(t *testing.T) {
	t.Parallel()
	srv := fake(t, fakediscord.Config{HeartbeatInterval: 200 * time.Millisecond})
	opts := testOptions(t)
	opts.EventRetryFor = time.Second
	h := &recording{}
	r := run(t, srv, newChannel(t, srv, testConfig(), opts), h)
	thread := "100000000000000021"
	r.srv.AddThreadUnannounced(helpID, thread, "my question", citizenID)
	r.srv.FailLookups(thread, 1000, http.StatusServiceUnavailable)

	// Which channel the thread belongs to cannot be learnt: the question
	// reaches the engine anyway, under the thread's own id, which no
	// configuration names, marked as in a channel unknown.
	q := r.srv.Post(fakediscord.Post{ChannelID: thread, Author: citizen(), Content: "How do I renew my passport?"})
	r.srv.Await(t, "the question, without its parent", func() bool { return len(h.byID(q)) == 1 })
	if m := h.byID(q)[0]; m.ChannelID != thread || m.ThreadID != "" || m.InHelpChannel || m.Mentioned || !m.ChannelUnknown {
		t.Errorf("question mapped to %+v; want its own channel, not a help channel, marked unknown", m)
	}
	// The next events there try once, not for another EventRetryFor each.
	tried := lookups(r.srv, thread)
	m := r.srv.Post(fakediscord.Post{ChannelID: thread, Author: citizen(), Content: "<@" + r.srv.BotID() + "> anyone?"})
	r.srv.React(thread, q, citizenID, "👍", true)
	r.srv.Await(t, "the mention and the reaction", func() bool { return len(h.byID(m)) == 1 && len(h.Reactions()) == 1 })
	if got := h.byID(m)[0]; got.ChannelID != thread || !got.Mentioned {
		t.Errorf("mention mapped to %+v", got)
	}
	if n := lookups(r.srv, thread) - tried; n != 2 {
		t.Errorf("%d lookups for two events after the first gave up; want one each", n)
	}
	if re := h.Reactions()[0]; re.ChannelID != thread || re.MessageID != q || re.Value != 1 {
		t.Errorf("reaction %+v", re)
	}

	// A lookup Discord refuses (404 Unknown Channel) is not retried.
	gone := "100000000000000022"
	r.srv.AddThreadUnannounced(helpID, gone, "another question", citizenID)
	r.srv.FailLookups(gone, 1, http.StatusNotFound)
	g := r.srv.Post(fakediscord.Post{ChannelID: gone, Author: citizen(), Content: "still here?"})
	r.srv.Await(t, "the message whose lookup was refused", func() bool { return len(h.byID(g)) == 1 })
	if n := lookups(r.srv, gone); n != 1 {
		t.Errorf("%d lookups refused with 404; want 1", n)
	}
}

func TestShutdownHandsOverEventsWaitingOnDiscord(t *testing.T) {
	t.Parallel()
	h := &recording{}
	r := start(t, h) // EventRetryFor 5m
	thread := "100000000000000021"
	r.srv.AddThreadUnannounced(helpID, thread, "my question", citizenID)
	r.srv.FailLookups(thread, 1000, http.StatusServiceUnavailable)
	id := r.srv.Post(fakediscord.Post{ChannelID: thread, Author: citizen(), Content: "How do I renew my passport?"})
	r.srv.Await(t, "the lookup to fail", func() bool { return lookups(r.srv, thread) > 0 })
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	if len(h.byID(id)) != 1 {
		t.Error("the question waiting on Discord at shutdown was lost")
	}
}

func TestOneSlowChannelDoesNotHoldUpOthers(t *testing.T) {
	t.Parallel()
	h := &recording{block: make(chan struct{}), blockOnly: helpID, entered: make(chan struct{}, 1)}
	r := start(t, h)
	slow := r.srv.Post(fakediscord.Post{ChannelID: helpID, Author: citizen(), Content: "slow"})
	<-h.entered
	// #help's handler is stuck; #general and DMs go on, and the gateway is
	// still read (heartbeats are acknowledged, events arrive).
	gen := r.srv.Post(fakediscord.Post{ChannelID: generalID, Author: citizen(), Content: "<@" + r.srv.BotID() + "> hi"})
	dm := r.srv.Post(fakediscord.Post{ChannelID: dmID, Author: citizen(), Content: "hi by DM"})
	r.srv.Await(t, "the other channels' messages", func() bool { return len(h.byID(gen)) == 1 && len(h.byID(dm)) == 1 })
	if len(h.byID(slow)) != 0 {
		t.Fatal("the blocked message completed early")
	}
	// Order within #help is kept: a second message waits for the first.
	next := r.srv.Post(fakediscord.Post{ChannelID: helpID, Author: citizen(), Content: "next"})
	close(h.block)
	r.srv.Await(t, "#help's messages", func() bool { return len(h.byID(next)) == 1 })
	var order []string
	for _, m := range h.Messages() {
		if m.ChannelID == helpID {
			order = append(order, m.ID)
		}
	}
	if len(order) != 2 || order[0] != slow || order[1] != next {
		t.Errorf("#help handled in order %v, want [%s %s]", order, slow, next)
	}
}

func TestStuckGatewayIsRetriedAndShutdownIsPrompt(t *testing.T) {
	t.Parallel()
	srv := fake(t, fakediscord.Config{SilentGateway: true})
	opts := testOptions(t)
	opts.RequestTimeout = 150 * time.Millisecond // Open gives up after twice this
	ch := newChannel(t, srv, testConfig(), opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ch.Run(ctx, &recording{}) }()
	srv.Await(t, "a second connection attempt", func() bool { return srv.Gateway().Connections >= 2 })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return while the gateway was stuck")
	}

	// With a long deadline, ending the context still interrupts the open.
	opts.RequestTimeout = time.Minute
	ch2 := newChannel(t, srv, testConfig(), opts)
	ctx2, cancel2 := context.WithCancel(context.Background())
	n := srv.Gateway().Connections // before Run, which may connect at once
	go func() { done <- ch2.Run(ctx2, &recording{}) }()
	srv.Await(t, "the connection", func() bool { return srv.Gateway().Connections > n })
	cancel2()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return while opening a stuck gateway")
	}
}

func TestResumeRefusedByStrictServerIdentifiesAgain(t *testing.T) {
	t.Parallel()
	h := &recording{}
	srv := fake(t, fakediscord.Config{RawTokenOnly: true, HeartbeatInterval: 200 * time.Millisecond})
	r := run(t, srv, newChannel(t, srv, testConfig(), testOptions(t)), h)
	r.srv.Drop(0)
	r.srv.Await(t, "a new session", func() bool { g := r.srv.Gateway(); return g.Identifies == 2 && g.Connected })
	if g := r.srv.Gateway(); len(g.Closes) == 0 || g.Closes[0] != 4004 {
		t.Errorf("closes %v, want the resume refused with 4004", g.Closes)
	}
	id := r.ask(helpID, "still there?")
	r.srv.Await(t, "a message in the new session", func() bool { return len(h.byID(id)) == 1 })
}

// logBuffer collects a Channel's logs, for tests that read them.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A citizen who only mentions the bot sent text, and a forward or a poll,
// with no content of their own, carry theirs elsewhere: the log does not
// send the operator to check the message content intent. A message that
// arrives with nothing at all does.
func TestOnlyBlankMessagesAreTakenForAMissingContentIntent(t *testing.T) {
	t.Parallel()
	var logs logBuffer
	opts := testOptions(t)
	opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	srv := fake(t, fakediscord.Config{HeartbeatInterval: 200 * time.Millisecond})
	h := &recording{}
	r := run(t, srv, newChannel(t, srv, testConfig(), opts), h)
	const warning = "MESSAGE CONTENT INTENT"
	r.srv.Post(fakediscord.Post{ChannelID: generalID, Author: citizen(), Content: "<@" + srv.BotID() + ">"})
	r.srv.Await(t, "the mention", func() bool { return len(h.Messages()) == 1 })
	r.settle(t)
	if strings.Contains(logs.String(), warning) {
		t.Errorf("a mention alone is taken for a missing intent:\n%s", logs.String())
	}
	// A forward has no content of its own: the message forwarded has.
	r.srv.Post(fakediscord.Post{ChannelID: helpID, Author: citizen(),
		Forward: &fakediscord.Forward{GuildID: guildID, ChannelID: otherID, MessageID: "100000000000000779", Content: "Is this true?"}})
	r.srv.Await(t, "the forward", func() bool { return len(h.Messages()) == 2 })
	r.settle(t)
	if strings.Contains(logs.String(), warning) {
		t.Errorf("a forward is taken for a missing intent:\n%s", logs.String())
	}
	// Nor has a poll.
	r.srv.Post(fakediscord.Post{ChannelID: helpID, Author: citizen(), Poll: "Is the office open on Saturday?"})
	r.srv.Await(t, "the poll", func() bool { return len(h.Messages()) == 3 })
	r.settle(t)
	if strings.Contains(logs.String(), warning) {
		t.Errorf("a poll is taken for a missing intent:\n%s", logs.String())
	}
	r.srv.Post(fakediscord.Post{ChannelID: helpID, Author: citizen(), Content: ""})
	r.srv.Await(t, "the empty message", func() bool { return len(h.Messages()) == 4 })
	r.settle(t)
	if !strings.Contains(logs.String(), warning) {
		t.Errorf("a message without content is not logged as a missing intent:\n%s", logs.String())
	}
}
