package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/channels/discord/fakediscord"
)

// wire is the part of a message body the tests check, decoded without the
// adapter's own types.
type wire struct {
	Content         string `json:"content"`
	Nonce           any    `json:"nonce"`
	EnforceNonce    bool   `json:"enforce_nonce"`
	AllowedMentions *struct {
		Parse       []string `json:"parse"`
		Users       []string `json:"users"`
		Roles       []string `json:"roles"`
		RepliedUser bool     `json:"replied_user"`
	} `json:"allowed_mentions"`
	MessageReference *struct {
		MessageID       string `json:"message_id"`
		ChannelID       string `json:"channel_id"`
		FailIfNotExists *bool  `json:"fail_if_not_exists"`
	} `json:"message_reference"`
}

func decode(t *testing.T, p fakediscord.Posted) wire {
	t.Helper()
	var w wire
	if err := json.Unmarshal(p.Body, &w); err != nil {
		t.Fatalf("body %s: %v", p.Body, err)
	}
	// parse must be an empty list, not absent or null: absent means
	// "parse everything" to Discord.
	var raw map[string]map[string]json.RawMessage
	json.Unmarshal(p.Body, &raw)
	if got := string(raw["allowed_mentions"]["parse"]); got != "[]" {
		t.Errorf("allowed_mentions.parse is %s, want []", got)
	}
	return w
}

func (r *running) ask(channelID, text string) string {
	return r.srv.Post(fakediscord.Post{ChannelID: channelID, Author: citizen(), Content: text})
}

func TestSendRepliesWithReferenceAndPingsOnlyTheAsker(t *testing.T) {
	t.Parallel()
	r := start(t, &recording{})
	hostile := []string{
		"@everyone the office is closed",
		"@here read this",
		"Ask <@&" + roleID + "> for help",
		"<@" + strangerID + "> knows",
		"@everyone @here <@&" + roleID + "> <@!" + strangerID + "> <@" + citizenID + "> all at once",
	}
	for _, text := range hostile {
		q := r.ask(helpID, text)
		ref, err := r.ch.Send(context.Background(),
			bot.Address{Platform: Platform, ChannelID: helpID, ReplyTo: q, UserID: citizenID, UserName: "Marie"},
			bot.Reply{Kind: bot.KindRelay, Lang: bot.English, Text: "Staff answer quoting: " + text, Key: "relay:" + q})
		if err != nil {
			t.Fatalf("Send(%q): %v", text, err)
		}
		var p fakediscord.Posted
		for _, x := range r.srv.Posted(helpID) {
			if x.ID == ref.ID {
				p = x
			}
		}
		w := decode(t, p)
		if w.AllowedMentions == nil || len(w.AllowedMentions.Parse) != 0 || !slices.Equal(w.AllowedMentions.Users, []string{citizenID}) ||
			len(w.AllowedMentions.Roles) != 0 || !w.AllowedMentions.RepliedUser {
			t.Errorf("%q: allowed_mentions %+v, want parse [] users [asker] replied_user", text, w.AllowedMentions)
		}
		if w.MessageReference == nil || w.MessageReference.MessageID != q || w.MessageReference.FailIfNotExists == nil || !*w.MessageReference.FailIfNotExists {
			t.Errorf("%q: message_reference %+v, want the question with fail_if_not_exists true (a deleted question is answered with a mention)", text, w.MessageReference)
		}
		if p.Pings.Everyone || len(p.Pings.Roles) > 0 || !slices.Equal(p.Pings.Users, []string{citizenID}) {
			t.Errorf("%q: the reply pings %+v, want the asker only", text, p.Pings)
		}
		if p.ReferencedMessage == nil || p.ReferencedMessage.ID != q {
			t.Errorf("%q: the reply does not reference the question", text)
		}
	}
}

func TestSendBroadcastPingsNobody(t *testing.T) {
	t.Parallel()
	r := start(t, &recording{})
	ref, err := r.ch.Send(context.Background(), bot.Address{Platform: Platform, ChannelID: newsID},
		bot.Reply{Kind: bot.KindBroadcast, Text: "@everyone Offices close at noon. @here Les bureaux ferment à midi. <@&" + roleID + ">", Key: "broadcast:1:discord:" + newsID})
	if err != nil {
		t.Fatal(err)
	}
	p := r.srv.Posted(newsID)
	if len(p) != 1 || p[0].ID != ref.ID || ref.ChannelID != newsID || ref.Platform != Platform {
		t.Fatalf("posted %+v, ref %+v", p, ref)
	}
	w := decode(t, p[0])
	if w.MessageReference != nil || len(w.AllowedMentions.Users) != 0 || w.AllowedMentions.RepliedUser {
		t.Errorf("a broadcast carries %+v %+v", w.MessageReference, w.AllowedMentions)
	}
	if p[0].Pings.Everyone || len(p[0].Pings.Users)+len(p[0].Pings.Roles) > 0 {
		t.Errorf("the broadcast pings %+v", p[0].Pings)
	}
	if string(w.Nonce.(string)) == "" || !w.EnforceNonce || len(w.Nonce.(string)) > 25 {
		t.Errorf("nonce %v enforce %v", w.Nonce, w.EnforceNonce)
	}
}

func TestSendSplitsLongAnswersAndReactsOnTheLast(t *testing.T) {
	t.Parallel()
	r := start(t, &recording{})
	q := r.ask(helpID, "Tell me everything")
	var b strings.Builder
	for i := 0; b.Len() < 4500; i++ {
		b.WriteString("Ceci est une phrase complète sur les passeports, numéro ")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(". ")
	}
	text := strings.TrimSpace(b.String())
	ref, err := r.ch.Send(context.Background(), bot.Address{Platform: Platform, ChannelID: helpID, ReplyTo: q, UserID: citizenID},
		bot.Reply{Kind: bot.KindAnswer, Lang: bot.French, Text: text, Feedback: true, Key: "answer:long"})
	if err != nil {
		t.Fatal(err)
	}
	parts := r.srv.Posted(helpID)
	if len(parts) != 3 {
		t.Fatalf("%d parts, want 3", len(parts))
	}
	var joined []string
	nonces := map[string]bool{}
	for i, p := range parts {
		w := decode(t, p)
		if n := len([]rune(p.Content)); n > MaxMessageLen {
			t.Errorf("part %d has %d characters", i, n)
		}
		if !strings.HasSuffix(p.Content, ".") {
			t.Errorf("part %d does not end on a sentence: %q", i, p.Content[len(p.Content)-20:])
		}
		if (w.MessageReference != nil) != (i == 0) {
			t.Errorf("part %d: reference %+v; only the first part references the question", i, w.MessageReference)
		}
		nonces[w.Nonce.(string)] = true
		joined = append(joined, p.Content)
	}
	if len(nonces) != 3 {
		t.Errorf("parts share nonces: %v", nonces)
	}
	if strings.Join(joined, " ") != text {
		t.Error("the parts do not add up to the text")
	}
	if ref.ID != parts[2].ID || !slices.Equal(ref.Earlier, []string{parts[0].ID, parts[1].ID}) {
		t.Errorf("ref %s after %v, want the last part %s after the first two", ref.ID, ref.Earlier, parts[2].ID)
	}
	if !slices.Equal(parts[2].Reactions, []string{"👍", "👎"}) || len(parts[0].Reactions) > 0 {
		t.Errorf("reactions %v / %v, want 👍 👎 on the last part only", parts[0].Reactions, parts[2].Reactions)
	}
	// Retrying the whole send (the engine does after a lost answer) posts
	// nothing new: every part's nonce is enforced.
	again, err := r.ch.Send(context.Background(), bot.Address{Platform: Platform, ChannelID: helpID, ReplyTo: q, UserID: citizenID},
		bot.Reply{Kind: bot.KindAnswer, Lang: bot.French, Text: text, Feedback: true, Key: "answer:long"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, ref) || len(r.srv.Posted(helpID)) != 3 {
		t.Errorf("a retried send posted again: ref %v vs %v, %d messages", again, ref, len(r.srv.Posted(helpID)))
	}
}

// Every part of a long reply, inline or in an answer thread, lets Discord
// ping the asker only, wherever the cut falls: between sentences full of
// mentions, or inside a run with no space, where it may split a mention.
func TestSendLongHostileReplyPingsOnlyTheAskerInEveryPart(t *testing.T) {
	t.Parallel()
	r := start(t, &recording{})
	mentions := "@everyone @here <@&" + roleID + "> <@!" + strangerID + "> <@" + strangerID + ">"
	var sentences strings.Builder
	for sentences.Len() < 4500 {
		sentences.WriteString("Ask " + mentions + " about passports. ")
	}
	unbroken := strings.Repeat("x", 1990) + strings.ReplaceAll(mentions, " ", "") + strings.Repeat("y", 2100)
	for i, text := range []string{sentences.String(), unbroken} {
		for _, ch := range []string{helpID, threadedID} {
			q := r.ask(ch, "Tell me everything")
			ref, err := r.ch.Send(context.Background(), bot.Address{Platform: Platform, ChannelID: ch, ReplyTo: q, UserID: citizenID, UserName: "Marie"},
				bot.Reply{Kind: bot.KindRelay, Lang: bot.English, Text: text, Key: "relay:hostile:" + strconv.Itoa(i) + ":" + ch})
			if err != nil {
				t.Fatalf("text %d in %s: %v", i, ch, err)
			}
			ids := append(slices.Clone(ref.Earlier), ref.ID)
			if len(ids) < 3 {
				t.Fatalf("text %d in %s: %d parts, want at least 3", i, ch, len(ids))
			}
			byID := map[string]fakediscord.Posted{}
			for _, p := range r.srv.Posted(ref.ChannelID) {
				byID[p.ID] = p
			}
			for n, id := range ids {
				p, ok := byID[id]
				if !ok {
					t.Fatalf("text %d in %s: part %d (%s) not posted", i, ch, n, id)
				}
				w := decode(t, p)
				if w.AllowedMentions == nil || len(w.AllowedMentions.Parse) != 0 || len(w.AllowedMentions.Roles) != 0 ||
					!slices.Equal(w.AllowedMentions.Users, []string{citizenID}) {
					t.Errorf("text %d in %s, part %d: allowed_mentions %+v, want parse [] users [asker]", i, ch, n, w.AllowedMentions)
				}
				if p.Pings.Everyone || len(p.Pings.Roles) > 0 || slices.ContainsFunc(p.Pings.Users, func(u string) bool { return u != citizenID }) {
					t.Errorf("text %d in %s, part %d pings %+v, want the asker only", i, ch, n, p.Pings)
				}
			}
			if ch == threadedID && !strings.HasPrefix(byID[ids[0]].Content, "<@"+citizenID+"> ") {
				t.Errorf("text %d: the thread's first part does not name the asker: %.40q", i, byID[ids[0]].Content)
			}
		}
	}
}

// A long answer whose later part fails is retried by the engine later than
// Discord keeps a nonce (minutes, at the back-off's longer waits): the
// retry posts the parts not yet posted, not the first ones again.
func TestRetriedLongAnswerPostsOnlyThePartsNotYetPosted(t *testing.T) {
	t.Parallel()
	r := start(t, &recording{})
	q := r.ask(helpID, "Tell me everything")
	text := strings.TrimSpace(strings.Repeat("Ceci est une phrase complète sur les passeports. ", 90))
	to := bot.Address{Platform: Platform, ChannelID: helpID, ReplyTo: q, UserID: citizenID}
	reply := bot.Reply{Kind: bot.KindAnswer, Lang: bot.French, Text: text, Feedback: true, Key: "answer:retried"}
	r.srv.FailAfter(helpID, 1, http.StatusInternalServerError)
	if _, err := r.ch.Send(context.Background(), to, reply); err == nil {
		t.Fatal("the second part's failure was not reported")
	}
	if n := len(r.srv.Posted(helpID)); n != 1 {
		t.Fatalf("%d parts posted before the failure, want 1", n)
	}
	r.srv.ForgetNonces()
	ref, err := r.ch.Send(context.Background(), to, reply)
	if err != nil {
		t.Fatal(err)
	}
	parts := r.srv.Posted(helpID)
	if len(parts) != 3 {
		t.Fatalf("%d messages posted in all, want the 3 parts once each", len(parts))
	}
	var joined []string
	for _, p := range parts {
		joined = append(joined, p.Content)
	}
	if strings.Join(joined, " ") != text {
		t.Error("the parts do not add up to the text")
	}
	if ref.ID != parts[2].ID || !slices.Equal(ref.Earlier, []string{parts[0].ID, parts[1].ID}) {
		t.Errorf("ref %s after %v, want the last part %s after the first two", ref.ID, ref.Earlier, parts[2].ID)
	}
	// Once sent whole, the reply is forgotten: the same key sent again is
	// Discord's to deduplicate, as for a reply of one message.
	r.ch.mu.Lock()
	left := len(r.ch.partial)
	r.ch.mu.Unlock()
	if left != 0 {
		t.Errorf("%d partly sent replies still remembered after the send", left)
	}
}

// A long staff answer holding a code block is cut where the block can be
// closed and opened again, so that every message shows it as code.
func TestSendSplitsLongAnswersKeepingCodeBlocksWhole(t *testing.T) {
	t.Parallel()
	r := start(t, &recording{})
	q := r.ask(helpID, "What do I put in the form?")
	code := "```\n" + strings.Repeat("passport_form_field = value;\n", 90) + "```"
	text := "Here is what to enter.\n\n" + code + "\n\nThat is all."
	if _, err := r.ch.Send(context.Background(), bot.Address{Platform: Platform, ChannelID: helpID, ReplyTo: q, UserID: citizenID},
		bot.Reply{Kind: bot.KindRelay, Lang: bot.English, Text: text, Key: "relay:code"}); err != nil {
		t.Fatal(err)
	}
	parts := r.srv.Posted(helpID)
	if len(parts) != 2 {
		t.Fatalf("%d parts, want 2", len(parts))
	}
	lines := 0
	for i, p := range parts {
		if n := len([]rune(p.Content)); n > MaxMessageLen {
			t.Errorf("part %d has %d characters", i, n)
		}
		if n := strings.Count(p.Content, "```"); n != 2 {
			t.Errorf("part %d has %d code fences, want 2 (a block opened and closed): starts %q, ends %q",
				i, n, p.Content[:30], p.Content[len(p.Content)-30:])
		}
		lines += strings.Count(p.Content, "passport_form_field = value;")
	}
	if lines != 90 || !strings.HasPrefix(parts[0].Content, "Here is what to enter.") || !strings.HasSuffix(parts[1].Content, "```\n\nThat is all.") {
		t.Errorf("%d lines of code; parts %q … %q", lines, parts[0].Content[:30], parts[1].Content[len(parts[1].Content)-30:])
	}
}

func TestSendLongKeyGivesValidNonce(t *testing.T) {
	t.Parallel()
	r := start(t, &recording{})
	key := "relay:123456789:discord:" + helpID + ":" + strings.Repeat("k", 40)
	to := bot.Address{Platform: Platform, ChannelID: helpID}
	a, err := r.ch.Send(context.Background(), to, bot.Reply{Kind: bot.KindRelay, Text: "one", Key: key})
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.ch.Send(context.Background(), to, bot.Reply{Kind: bot.KindRelay, Text: "one", Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) || len(r.srv.Posted(helpID)) != 1 {
		t.Errorf("two sends with one key gave %v and %v", a, b)
	}
	c, err := r.ch.Send(context.Background(), to, bot.Reply{Kind: bot.KindRelay, Text: "two", Key: key + "x"})
	if err != nil {
		t.Fatal(err)
	}
	if c.ID == a.ID {
		t.Error("a different key was deduplicated")
	}
}

func TestSendInThreadStyleChannel(t *testing.T) {
	t.Parallel()
	h := &recording{}
	r := start(t, h)
	q := r.ask(threadedID, "Comment renouveler mon passeport?")
	to := bot.Address{Platform: Platform, ChannelID: threadedID, ReplyTo: q, UserID: citizenID, UserName: "Marie"}
	reply := bot.Reply{Kind: bot.KindAnswer, Lang: bot.French, Text: "Vous pouvez le renouveler en ligne.", Key: "answer:t1"}
	ref, err := r.ch.Send(context.Background(), to, reply)
	if err != nil {
		t.Fatal(err)
	}
	th, ok := r.srv.Channel(q)
	if !ok || th.ParentID != threadedID || th.Type != fakediscord.TypePublicThread || th.Name != "Réponse pour Marie" {
		t.Fatalf("thread %+v (exists %v), want a thread on the question named for the asker", th, ok)
	}
	if ref.ChannelID != q {
		t.Errorf("the answer went to %s, want the thread %s", ref.ChannelID, q)
	}
	posted := r.srv.Posted(q)
	if len(posted) != 1 || !strings.HasPrefix(posted[0].Content, "<@"+citizenID+"> ") {
		t.Fatalf("thread messages %+v", posted)
	}
	if !slices.Equal(posted[0].Pings.Users, []string{citizenID}) {
		t.Errorf("pings %+v", posted[0].Pings)
	}
	// A retried send reuses the thread (Discord answers 160004).
	reply.Key = "answer:t2"
	if _, err := r.ch.Send(context.Background(), to, reply); err != nil {
		t.Fatal(err)
	}
	if n := len(r.srv.Posted(q)); n != 2 {
		t.Errorf("%d messages in the thread, want 2", n)
	}
	// The citizen follows up in the bot's thread without mentioning it:
	// that is addressed to the bot, in the watched channel.
	f := r.srv.Post(fakediscord.Post{ChannelID: q, Author: citizen(), Content: "Et pour mon fils?"})
	r.srv.Await(t, "the follow-up", func() bool { return len(h.byID(f)) == 1 })
	m := h.byID(f)[0]
	if m.ChannelID != threadedID || m.ThreadID != q || !m.ReplyToBot || !m.InHelpChannel {
		t.Errorf("follow-up mapped to %+v", m)
	}
}

// threadStyle is the test configuration with #general (not a help
// channel: it answers mentions) answering in threads.
func threadStyle() Config {
	cfg := testConfig()
	for i := range cfg.Channel {
		if cfg.Channel[i].ID == generalID {
			cfg.Channel[i].ReplyStyle = StyleThread
		}
	}
	return cfg
}

// The outbox delivers pending answers as the service starts, before the
// gateway's READY has told the bot its own id: follow-ups in an answer
// thread started then are still the bot's conversation.
func TestFollowUpInAnswerThreadStartedBeforeReady(t *testing.T) {
	t.Parallel()
	srv := fake(t, fakediscord.Config{HeartbeatInterval: 200 * time.Millisecond})
	ch := newChannel(t, srv, threadStyle(), testOptions(t))
	q := srv.Post(fakediscord.Post{ChannelID: generalID, Author: citizen(), Content: "<@" + srv.BotID() + "> how do I renew my passport?"})
	if _, err := ch.Send(context.Background(),
		bot.Address{Platform: Platform, ChannelID: generalID, ReplyTo: q, UserID: citizenID, UserName: "Marie"},
		bot.Reply{Kind: bot.KindAnswer, Lang: bot.English, Text: "You can renew online.", Key: "answer:early"}); err != nil {
		t.Fatal(err)
	}
	if th, ok := srv.Channel(q); !ok || th.OwnerID != srv.BotID() {
		t.Fatalf("thread %+v: want the bot's thread on the question", th)
	}
	h := &recording{}
	r := run(t, srv, ch, h)
	f := r.srv.Post(fakediscord.Post{ChannelID: q, Author: citizen(), Content: "And for my son?"})
	r.srv.Await(t, "the follow-up", func() bool { return len(h.byID(f)) == 1 })
	if m := h.byID(f)[0]; !m.ReplyToBot || m.ThreadID != q || m.ChannelID != generalID {
		t.Errorf("follow-up mapped to %+v; want a reply to the bot in its thread of #general", m)
	}
}

// A thread the citizen started on their question before the bot answered
// is reused for the answer, but stays the citizen's: talk there that does
// not address the bot is not taken for a follow-up.
func TestThreadStartedByTheCitizenIsNotTheBots(t *testing.T) {
	t.Parallel()
	srv := fake(t, fakediscord.Config{HeartbeatInterval: 200 * time.Millisecond})
	h := &recording{}
	r := run(t, srv, newChannel(t, srv, threadStyle(), testOptions(t)), h)
	q := r.ask(generalID, "<@"+r.srv.BotID()+"> how do I renew my passport?")
	r.srv.AddThread(generalID, q, "Marie's thread", citizenID) // a thread on a message has its id
	ref, err := r.ch.Send(context.Background(),
		bot.Address{Platform: Platform, ChannelID: generalID, ReplyTo: q, UserID: citizenID, UserName: "Marie"},
		bot.Reply{Kind: bot.KindAnswer, Lang: bot.English, Text: "You can renew online.", Key: "answer:theirs"})
	if err != nil || ref.ChannelID != q {
		t.Fatalf("answer %+v, %v: want it in the citizen's thread", ref, err)
	}
	f := r.srv.Post(fakediscord.Post{ChannelID: q, Author: citizen(), Content: "Thanks, my friends."})
	r.srv.Await(t, "the talk in the thread", func() bool { return len(h.byID(f)) == 1 })
	if m := h.byID(f)[0]; m.ReplyToBot || m.ThreadID != q || m.ChannelID != generalID {
		t.Errorf("talk in the citizen's thread mapped to %+v; want it not addressed to the bot", m)
	}
}

// Where threads are refused (a missing permission, or a server without
// them), the answer is a reply in place rather than lost.
func TestSendRepliesInPlaceWhenThreadsAreRefused(t *testing.T) {
	t.Parallel()
	r := start(t, &recording{})
	r.srv.RefuseThreads(threadedID)
	q := r.ask(threadedID, "Comment renouveler mon passeport?")
	to := bot.Address{Platform: Platform, ChannelID: threadedID, ReplyTo: q, UserID: citizenID, UserName: "Marie"}
	ref, err := r.ch.Send(context.Background(), to, bot.Reply{Kind: bot.KindAnswer, Lang: bot.French, Text: "Vous pouvez le renouveler en ligne.", Key: "answer:nt"})
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	if _, ok := r.srv.Channel(q); ok {
		t.Errorf("a thread was started although refused")
	}
	var answer *fakediscord.Posted
	for _, p := range r.srv.Posted(threadedID) {
		if p.ID == ref.ID {
			answer = &p
		}
	}
	if ref.ChannelID != threadedID || answer == nil || answer.MessageReference == nil || answer.MessageReference.MessageID != q {
		t.Fatalf("ref %+v, answer %+v: want a reply to the question in its channel", ref, answer)
	}
}

// Where the bot may not read a channel's message history (a permission
// override), Discord refuses its replies, not its messages: the answer
// goes out mentioning the asker instead of referencing the question, cut
// to leave room for the mention, rather than lost.
func TestSendMentionsTheAskerWhereRepliesAreRefused(t *testing.T) {
	t.Parallel()
	r := start(t, &recording{})
	r.srv.DenyHistory(helpID)
	q := r.ask(helpID, "How do I renew my passport?")
	text := strings.Repeat("You can renew it online. ", 79) + "Thanks." // 1,982 characters: one message, but not with a mention
	to := bot.Address{Platform: Platform, ChannelID: helpID, ReplyTo: q, UserID: citizenID, UserName: "Marie"}
	ref, err := r.ch.Send(context.Background(), to, bot.Reply{Kind: bot.KindAnswer, Lang: bot.English, Text: text, Key: "answer:nh"})
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	posted := r.srv.Posted(helpID)
	if len(posted) != 2 || ref.ID != posted[1].ID {
		t.Fatalf("%d messages posted (ref %+v), want the answer in two", len(posted), ref)
	}
	if !strings.HasPrefix(posted[0].Content, "<@"+citizenID+"> You can renew") {
		t.Errorf("first message %.40q…: want it to mention the asker", posted[0].Content)
	}
	for _, p := range posted {
		if p.MessageReference != nil {
			t.Errorf("message %q references %+v", p.ID, p.MessageReference)
		}
		checkPings(t, p, citizenID)
	}
}

func TestSendIntoAThreadWithReference(t *testing.T) {
	t.Parallel()
	r := start(t, &recording{})
	thread := "100000000000000020"
	r.srv.AddThread(generalID, thread, "question", citizenID)
	q := r.srv.Post(fakediscord.Post{ChannelID: thread, Author: citizen(), Content: "<@" + r.srv.BotID() + "> help"})
	ref, err := r.ch.Send(context.Background(), bot.Address{Platform: Platform, ChannelID: generalID, ThreadID: thread, ReplyTo: q, UserID: citizenID},
		bot.Reply{Kind: bot.KindAck, Lang: bot.English, Text: "A person will answer.", Key: "ack:1"})
	if err != nil {
		t.Fatal(err)
	}
	p := r.srv.Posted(thread)
	if len(p) != 1 || ref.ChannelID != thread || p[0].MessageReference == nil || p[0].MessageReference.MessageID != q {
		t.Fatalf("posted %+v ref %+v", p, ref)
	}
}

// A thread archived since the question (staff answering days later),
// where Discord refuses new messages, is unarchived and the reply posted.
func TestSendIntoAnArchivedThreadUnarchivesIt(t *testing.T) {
	t.Parallel()
	r := start(t, &recording{})
	thread := "100000000000000020"
	r.srv.AddThread(generalID, thread, "question", citizenID)
	q := r.srv.Post(fakediscord.Post{ChannelID: thread, Author: citizen(), Content: "<@" + r.srv.BotID() + "> help"})
	r.srv.ArchiveThread(thread)
	ref, err := r.ch.Send(context.Background(), bot.Address{Platform: Platform, ChannelID: generalID, ThreadID: thread, ReplyTo: q, UserID: citizenID},
		bot.Reply{Kind: bot.KindRelay, Lang: bot.English, Text: "Here is your answer.", Key: "relay:1"})
	if err != nil {
		t.Fatal(err)
	}
	if p := r.srv.Posted(thread); len(p) != 1 || ref.ChannelID != thread {
		t.Fatalf("posted %+v ref %+v; want the reply in the thread", p, ref)
	}
}

func TestSendWaitsOutShortRateLimits(t *testing.T) {
	t.Parallel()
	r := start(t, &recording{})
	r.srv.RateLimit(helpID, 2, 100*time.Millisecond, false)
	ref, err := r.ch.Send(context.Background(), bot.Address{Platform: Platform, ChannelID: helpID}, bot.Reply{Kind: bot.KindNotice, Text: "after the limit", Key: "n1"})
	if err != nil {
		t.Fatalf("Send after two 429s: %v", err)
	}
	var statuses []int
	for _, q := range r.srv.Requests() {
		if q.Method == http.MethodPost && strings.HasSuffix(q.Path, "/channels/"+helpID+"/messages") {
			statuses = append(statuses, q.Status)
		}
	}
	if !slices.Equal(statuses, []int{429, 429, 200}) {
		t.Errorf("statuses %v, want [429 429 200]", statuses)
	}
	if p := r.srv.Posted(helpID); len(p) != 1 || p[0].ID != ref.ID {
		t.Errorf("posted %+v", p)
	}
}

func TestSendReturnsRetryableOnLongRateLimitWithoutHoldingOthers(t *testing.T) {
	t.Parallel()
	r := start(t, &recording{})
	r.srv.RateLimit(helpID, 1, 30*time.Second, false)
	_, err := r.ch.Send(context.Background(), bot.Address{Platform: Platform, ChannelID: helpID}, bot.Reply{Kind: bot.KindNotice, Text: "x", Key: "n1"})
	var re bot.Retryable
	if err == nil || !errors.As(err, &re) || !re.Retryable() {
		t.Fatalf("Send under a 30s rate limit = %v, want a retryable error", err)
	}
	var de *Error
	if !errors.As(err, &de) || de.RetryAfter < 29*time.Second {
		t.Errorf("error %v does not carry the wait", err)
	}
	// The engine is told the wait, so as not to try again before it ends.
	var w bot.Waiter
	if !errors.As(err, &w) || w.RetryWait() < 29*time.Second || w.RetryWait() > 30*time.Second {
		t.Errorf("error %v does not tell the engine the wait", err)
	}
	// The bucket is known to be exhausted: the next send to #help returns
	// at once, without asking Discord; #general is unaffected.
	n := len(r.srv.Requests())
	if _, err := r.ch.Send(context.Background(), bot.Address{Platform: Platform, ChannelID: helpID}, bot.Reply{Kind: bot.KindNotice, Text: "x", Key: "n2"}); err == nil {
		t.Error("a send into an exhausted bucket succeeded")
	}
	if len(r.srv.Requests()) != n {
		t.Error("a send into an exhausted bucket reached the server")
	}
	if _, err := r.ch.Send(context.Background(), bot.Address{Platform: Platform, ChannelID: generalID}, bot.Reply{Kind: bot.KindNotice, Text: "y", Key: "n3"}); err != nil {
		t.Errorf("#general held up by #help's rate limit: %v", err)
	}
}

func TestSlowChannelDoesNotHoldUpSendsElsewhere(t *testing.T) {
	t.Parallel()
	r := start(t, &recording{})
	release := r.srv.Hold(helpID)
	slow := make(chan error, 1)
	go func() {
		_, err := r.ch.Send(context.Background(), bot.Address{Platform: Platform, ChannelID: helpID}, bot.Reply{Kind: bot.KindNotice, Text: "slow", Key: "s1"})
		slow <- err
	}()
	r.srv.Await(t, "the slow send to reach the server", func() bool { return r.srv.Held(helpID) == 1 })
	if _, err := r.ch.Send(context.Background(), bot.Address{Platform: Platform, ChannelID: generalID}, bot.Reply{Kind: bot.KindNotice, Text: "fast", Key: "f1"}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-slow:
		t.Fatalf("the held send returned early: %v", err)
	default:
	}
	release()
	if err := <-slow; err != nil {
		t.Fatal(err)
	}
}

func TestSendTimesOutRetryably(t *testing.T) {
	t.Parallel()
	srv := fake(t, fakediscord.Config{})
	opts := testOptions(t)
	opts.RequestTimeout = 300 * time.Millisecond
	ch := newChannel(t, srv, testConfig(), opts)
	srv.Hold(helpID)
	_, err := ch.Send(context.Background(), bot.Address{Platform: Platform, ChannelID: helpID}, bot.Reply{Kind: bot.KindNotice, Text: "x", Key: "k"})
	var re bot.Retryable
	if err == nil || !errors.As(err, &re) || !re.Retryable() || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send to a stuck server = %v, want a retryable deadline error", err)
	}
	// A caller's context that ends is retryable too: the reply is kept.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ch.Send(ctx, bot.Address{Platform: Platform, ChannelID: generalID}, bot.Reply{Kind: bot.KindNotice, Text: "x"}); !errors.As(err, &re) || !re.Retryable() {
		t.Errorf("Send with an ended context = %v, want retryable", err)
	}
}

func TestSendErrors(t *testing.T) {
	t.Parallel()
	srv := fake(t, fakediscord.Config{})
	ch := newChannel(t, srv, testConfig(), testOptions(t))
	ctx := context.Background()
	cases := []struct {
		name      string
		setup     func()
		to        bot.Address
		text      string
		retryable bool
		invalid   bool
	}{
		{"missing permission", func() { srv.Fail(helpID, http.StatusForbidden) }, bot.Address{ChannelID: helpID}, "x", false, false},
		{"server error", func() { srv.Fail(helpID, http.StatusInternalServerError) }, bot.Address{ChannelID: helpID}, "x", true, false},
		{"bad gateway", func() { srv.Fail(helpID, http.StatusBadGateway); srv.Fail(helpID, http.StatusBadGateway) }, bot.Address{ChannelID: helpID}, "x", true, false},
		{"deleted channel", nil, bot.Address{ChannelID: "100000000000000777"}, "x", false, false},
		{"empty text", nil, bot.Address{ChannelID: helpID}, "  ", false, true},
		{"other platform", nil, bot.Address{Platform: "web", ChannelID: helpID}, "x", false, true},
		{"malformed channel", nil, bot.Address{ChannelID: "help"}, "x", false, true},
	}
	for _, tc := range cases {
		if tc.setup != nil {
			tc.setup()
		}
		_, err := ch.Send(ctx, tc.to, bot.Reply{Kind: bot.KindNotice, Text: tc.text})
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		var re bot.Retryable
		if got := errors.As(err, &re) && re.Retryable(); got != tc.retryable {
			t.Errorf("%s: %v retryable=%v, want %v", tc.name, err, got, tc.retryable)
		}
		if got := errors.Is(err, bot.ErrInvalid); got != tc.invalid {
			t.Errorf("%s: %v invalid=%v, want %v", tc.name, err, got, tc.invalid)
		}
		if strings.Contains(err.Error(), srv.Token()) {
			t.Errorf("%s: the error shows the token", tc.name)
		}
	}
	// A message whose question was deleted still goes out, unreferenced,
	// mentioning the asker.
	if _, err := ch.Send(ctx, bot.Address{ChannelID: helpID, ReplyTo: "100000000000000666", UserID: citizenID}, bot.Reply{Kind: bot.KindAnswer, Text: "still answered"}); err != nil {
		t.Errorf("reply to a deleted question: %v", err)
	}
	if ps := srv.Posted(helpID); len(ps) == 0 || ps[len(ps)-1].Content != "<@"+citizenID+"> still answered" {
		t.Errorf("reply to a deleted question posted as %+v, want it to mention the asker", ps[len(ps)-1:])
	}
}

func TestReactionsBecomeFeedback(t *testing.T) {
	t.Parallel()
	h := &recording{}
	r := start(t, h)
	q := r.ask(helpID, "How do I renew my passport?")
	ref, err := r.ch.Send(context.Background(), bot.Address{Platform: Platform, ChannelID: helpID, ReplyTo: q, UserID: citizenID},
		bot.Reply{Kind: bot.KindAnswer, Lang: bot.English, Text: "Online.", Feedback: true, Key: "a1"})
	if err != nil {
		t.Fatal(err)
	}
	r.srv.React(helpID, ref.ID, citizenID, "👀", true)                // not feedback
	r.srv.React(helpID, ref.ID, citizenID, "👍🏽", true)               // skin tone
	r.srv.React(helpID, ref.ID, strangerID, "👎", true)               // another citizen
	r.srv.React(helpID, ref.ID, citizenID, "👍🏽", false)              // withdrawn
	r.srv.React(otherID, "100000000000000555", citizenID, "👍", true) // unwatched channel
	r.srv.Await(t, "three reactions", func() bool { return len(h.Reactions()) == 3 })
	r.settle(t)
	got := h.Reactions()
	want := []struct {
		user    string
		v       int
		removed bool
	}{{citizenID, 1, false}, {strangerID, -1, false}, {citizenID, 1, true}}
	if len(got) != len(want) {
		t.Fatalf("reactions %+v", got)
	}
	for i, w := range want {
		g := got[i]
		if g.UserID != w.user || g.Value != w.v || g.Removed != w.removed || g.MessageID != ref.ID || g.ChannelID != helpID || g.Platform != Platform || g.Time.IsZero() {
			t.Errorf("reaction %d = %+v, want user %s value %d removed %v on %s", i, g, w.user, w.v, w.removed, ref.ID)
		}
	}
}

// Another bot in the server (one that adds 👍 to every message) gives no
// citizen's feedback: its reaction on an answer is not recorded, a
// citizen's next to it is.
func TestReactionsOfOtherBotsAreNotFeedback(t *testing.T) {
	t.Parallel()
	h := &recording{}
	r := start(t, h)
	const otherBot = "300000000000000077"
	r.srv.AddUser(fakediscord.User{ID: otherBot, Username: "autoreact", Bot: true})
	q := r.ask(helpID, "How do I renew my passport?")
	ref, err := r.ch.Send(context.Background(), bot.Address{Platform: Platform, ChannelID: helpID, ReplyTo: q, UserID: citizenID},
		bot.Reply{Kind: bot.KindAnswer, Lang: bot.English, Text: "Online.", Feedback: true, Key: "a1"})
	if err != nil {
		t.Fatal(err)
	}
	r.srv.React(helpID, ref.ID, otherBot, "👍", true)
	r.srv.React(helpID, ref.ID, citizenID, "👎", true)
	r.srv.Await(t, "the citizen's reaction", func() bool { return len(h.Reactions()) > 0 })
	r.settle(t)
	if got := h.Reactions(); len(got) != 1 || got[0].UserID != citizenID || got[0].Value != -1 {
		t.Errorf("reactions %+v, want the citizen's 👎 only", got)
	}
}

func TestReactionOnAnotherMessageIsIgnored(t *testing.T) {
	t.Parallel()
	h := &recording{rhook: func(re bot.Reaction) error {
		if re.MessageID != "keep" {
			return bot.ErrNotFound // the engine: not one of the bot's messages
		}
		return nil
	}}
	r := start(t, h)
	q := r.ask(helpID, "a citizen's message")
	r.srv.React(helpID, q, strangerID, "👍", true)
	r.settle(t)
	if n := len(h.Reactions()); n != 0 {
		t.Errorf("%d reactions recorded", n)
	}
}

func TestMemberCount(t *testing.T) {
	t.Parallel()
	srv := fake(t, fakediscord.Config{})
	ch := newChannel(t, srv, testConfig(), testOptions(t))
	n, err := ch.MemberCount(context.Background())
	if err != nil || n != 1234 {
		t.Fatalf("MemberCount = %d, %v; want 1234", n, err)
	}
	cfg := testConfig()
	cfg.Guilds = append(cfg.Guilds, "100000000000000002") // unknown to the server
	bad := newChannel(t, srv, cfg, testOptions(t))
	if _, err := bad.MemberCount(context.Background()); err == nil {
		t.Error("MemberCount with an unknown guild succeeded")
	}
}

// TestSendErrorDoesNotQuoteDiscordsAnswer: Discord answers a post with the
// message it created, which repeats what was sent (the reply, its mentions,
// the citizen's question it replies to). An answer the adapter cannot read
// makes an error the engine logs: it must say how long the answer was, not
// quote it.
// A 429 from the network in front of Discord's API (Cloudflare limiting or
// banning the address, with a plain-text body discordgo cannot read) keeps
// the wait it asked for: Send returns at once with it, retryable, rather
// than an unreadable-answer error the engine would retry within seconds,
// prolonging the ban.
func TestSendKeepsTheWaitOfALimitFromDiscordsFrontNetwork(t *testing.T) {
	t.Parallel()
	srv := fake(t, fakediscord.Config{})
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex
	limited := 0
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/messages") {
			mu.Lock()
			limited++
			mu.Unlock()
			w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
			w.Header().Set("Retry-After", "600")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, "error code: 1015")
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	cfg := testConfig()
	cfg.APIURL = front.URL
	ch, err := New(cfg, srv.Token(), testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	_, err = ch.Send(context.Background(), bot.Address{Platform: Platform, ChannelID: helpID, UserID: citizenID},
		bot.Reply{Kind: bot.KindAnswer, Text: "Online.", Key: "a1"})
	var de *Error
	if !errors.As(err, &de) || !de.Retryable() || de.RetryWait() != 10*time.Minute || de.Status != http.StatusTooManyRequests {
		t.Fatalf("err = %v, want a retryable rate limit of 10m", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if limited != 1 {
		t.Errorf("%d sends tried, want 1", limited)
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in   string
		want time.Duration
	}{
		{"600", 10 * time.Minute},
		{" 1.5 ", 1500 * time.Millisecond},
		{"", 0},
		{"soon", 0},
		{"-3", 0},
		{"NaN", 0},
		{"1e12", maxFrontWait},
		{now.Add(time.Hour).Format(http.TimeFormat), time.Hour},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
	} {
		if got := retryAfter(c.in, now); got != c.want {
			t.Errorf("retryAfter(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestSendErrorDoesNotQuoteDiscordsAnswer(t *testing.T) {
	t.Parallel()
	srv := fake(t, fakediscord.Config{})
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(res *http.Response) error {
		if res.Request.Method != http.MethodPost || !strings.HasSuffix(res.Request.URL.Path, "/messages") {
			return nil
		}
		// An answer without the message's id (a proxy or an API change
		// in between), the rest as Discord sent it.
		var m map[string]any
		if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
			return err
		}
		res.Body.Close()
		delete(m, "id")
		b, _ := json.Marshal(m)
		res.Body = io.NopCloser(bytes.NewReader(b))
		res.ContentLength = int64(len(b))
		res.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	front := httptest.NewServer(proxy)
	t.Cleanup(front.Close)
	cfg := testConfig()
	cfg.APIURL = front.URL
	ch, err := New(cfg, srv.Token(), testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	const secret = "Tremblay file 4512"
	_, err = ch.Send(context.Background(), bot.Address{Platform: Platform, ChannelID: helpID, UserID: citizenID},
		bot.Reply{Kind: bot.KindRelay, Text: secret})
	if err == nil {
		t.Fatal("Send read an answer without an id")
	}
	for _, leak := range []string{"Tremblay", "4512", "marie", srv.Token()} {
		if strings.Contains(err.Error(), leak) {
			t.Errorf("the error quotes Discord's answer (%q): %v", leak, err)
		}
	}
}
