package discord

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/liaison-gc/liaison/bot"
)

// messagePayload is the body of POST /channels/{id}/messages. discordgo's
// MessageSend has no nonce fields, so the adapter writes its own.
type messagePayload struct {
	Content          string            `json:"content"`
	Nonce            string            `json:"nonce,omitempty"`
	EnforceNonce     bool              `json:"enforce_nonce,omitempty"`
	AllowedMentions  allowedMentions   `json:"allowed_mentions"`
	MessageReference *messageReference `json:"message_reference,omitempty"`
}

// allowedMentions is always sent, with parse empty: Discord then pings only
// the users listed, whatever the text says (@everyone, @here, <@&role>,
// <@other>). Both lists are written even when empty ([] not null).
type allowedMentions struct {
	Parse       []string `json:"parse"`
	Users       []string `json:"users"`
	RepliedUser bool     `json:"replied_user"`
}

type messageReference struct {
	MessageID       string `json:"message_id"`
	ChannelID       string `json:"channel_id,omitempty"`
	FailIfNotExists bool   `json:"fail_if_not_exists"` // true: a deleted question's answer mentions the asker instead
}

type threadStart struct {
	Name                string `json:"name"`
	AutoArchiveDuration int    `json:"auto_archive_duration"`
}

// threadArchiveMinutes: answer threads archive after a day without activity.
const threadArchiveMinutes = 1440

// Send posts r at to and returns the message carrying the feedback
// reactions (the last part of a long answer), with the parts before it.
//
// A reply (to.ReplyTo set) references the question, inline or, in a channel
// whose reply_style is "thread", inside a thread started on the question
// (the asker is then mentioned, as a reply would notify them), or, where
// Discord refuses the reply (the bot may not read the channel's history),
// in a message that mentions the asker. Text longer
// than 2,000 characters is sent in several messages cut on sentence
// boundaries, with code blocks closed and opened again where they are cut,
// and bilingual text (r.Parts) a language after the other; the first
// references the question. Every message allows
// pinging only to.UserID. r.Key becomes each message's nonce with
// enforce_nonce, so a Send retried after a lost answer does not post twice.
// With r.Feedback, 👍 and 👎 are added to the last message; failing to add
// them is logged, not returned, since the answer itself went out.
//
// Errors are *Error: Retryable for rate limits (after RateLimitRetries),
// timeouts and server errors; not for refusals (a deleted channel, missing
// permissions) or a malformed reply (wrapping bot.ErrInvalid).
func (c *Channel) Send(ctx context.Context, to bot.Address, r bot.Reply) (bot.MessageRef, error) {
	if to.Platform != "" && to.Platform != Platform {
		return bot.MessageRef{}, &Error{Op: "send", Err: fmt.Errorf("%w: address for platform %q", bot.ErrInvalid, to.Platform)}
	}
	if !snowflake(to.ChannelID) {
		return bot.MessageRef{}, &Error{Op: "send", Err: fmt.Errorf("%w: channel id %q", bot.ErrInvalid, to.ChannelID)}
	}
	if strings.TrimSpace(r.Text) == "" {
		return bot.MessageRef{}, &Error{Op: "send", Err: fmt.Errorf("%w: empty text", bot.ErrInvalid)}
	}
	asker, mention := to.UserID, ""
	if !snowflake(asker) {
		asker = "" // never let a malformed id into allowed_mentions
	} else {
		mention = "<@" + asker + "> " // where no reply notifies the asker
	}
	// split cuts the reply into messages, the first starting with prefix.
	split := func(prefix string) []string {
		parts := splitReply(r, MaxMessageLen-textLen(prefix))
		parts[0] = prefix + parts[0]
		return parts
	}
	target, replyTo, prefix := to.ChannelID, to.ReplyTo, ""
	if to.ThreadID != "" {
		target = to.ThreadID
	} else if replyTo != "" && !to.DM {
		if ch, ok := c.cfg.channel(to.ChannelID); ok && ch.ReplyStyle == StyleThread {
			tid, err := c.startThread(ctx, to.ChannelID, replyTo, threadName(r.Lang, to.UserName))
			var derr *Error
			switch {
			case err == nil:
				target, replyTo, prefix = tid, "", mention
			case errors.As(err, &derr) && !derr.Retry:
				// Threads refused here (a missing permission, a channel
				// type or a server without threads): the answer goes out
				// as a reply in place rather than not at all.
				c.log.Warn("thread not started; replying in place", "channel", string(bot.Key(Platform, to.ChannelID)), "err", err)
			default:
				return bot.MessageRef{}, err
			}
		}
	}
	parts := split(prefix)
	// ids are the messages posted, first to last: the parts an earlier
	// send of this reply posted before it failed, then this send's.
	ids := slices.Clone(c.postedBefore(r.Key, target, len(parts)))
	for i := len(ids); i < len(parts); i++ {
		p := messagePayload{
			Content:         parts[i],
			AllowedMentions: allowedMentions{Parse: []string{}, Users: []string{}},
		}
		if asker != "" {
			p.AllowedMentions.Users = []string{asker}
		}
		if i == 0 && replyTo != "" {
			p.MessageReference = &messageReference{MessageID: replyTo, ChannelID: target, FailIfNotExists: true}
			p.AllowedMentions.RepliedUser = asker != ""
		}
		if n := nonce(r.Key, i); n != "" {
			p.Nonce, p.EnforceNonce = n, true
		}
		id, err := c.postMessage(ctx, target, p)
		if err != nil && p.MessageReference != nil && (err.Code == codeReplyRefused || err.Code == codeInvalidForm && slices.Contains(err.Fields, "message_reference")) {
			// The channel's overrides deny the bot Read Message History,
			// which a reply needs, not a message, or the question was
			// deleted: the answer goes out as a message that mentions
			// the asker, as in a thread, rather than not at all, or
			// posted where the asker would not be notified.
			if err.Code == codeReplyRefused {
				c.log.Warn("reply refused (the bot may not read the channel's message history); answering with a mention instead",
					"channel", string(bot.Key(Platform, to.ChannelID)))
			}
			replyTo, parts = "", split(mention)
			i--
			continue
		}
		if err != nil {
			if len(parts) > 1 {
				err.Op = fmt.Sprintf("send part %d of %d", i+1, len(parts))
				if i > 0 {
					c.rememberPosted(r.Key, posted{target: target, parts: len(parts), ids: ids})
				}
			}
			return bot.MessageRef{}, err
		}
		ids = append(ids, id)
	}
	c.rememberPosted(r.Key, posted{})
	last := bot.MessageRef{Platform: Platform, ChannelID: target, ID: ids[len(ids)-1]}
	if len(ids) > 1 {
		last.Earlier = ids[:len(ids)-1]
	}
	if r.Feedback {
		for _, e := range []string{emojiYes, emojiNo} {
			if err := c.react(ctx, target, last.ID, e); err != nil {
				c.log.Warn("feedback reaction not added", "channel", string(bot.Key(Platform, to.ChannelID)), "message", last.ID, "err", err)
				break
			}
		}
	}
	return last, nil
}

// splitReply cuts r's text into messages of at most limit units. Bilingual
// text too long for one message is cut language by language, each starting
// a message of its own: the French half of a long broadcast is not begun at
// the end of the English post and finished in the next, while the English
// half stands whole.
func splitReply(r bot.Reply, limit int) []string {
	parts := split(r.Text, limit)
	if len(parts) == 1 || len(r.Parts) < 2 {
		return parts
	}
	var byLang []string
	for _, p := range r.Parts {
		if strings.TrimSpace(p.Text) != "" {
			byLang = append(byLang, split(p.Text, limit)...)
		}
	}
	if len(byLang) == 0 {
		return parts
	}
	return byLang
}

// posted is what a long reply has posted: the ids of its first parts, in
// target, of parts in all.
type posted struct {
	target string
	parts  int
	ids    []string
}

// maxPartial bounds the partly sent replies remembered; past it the
// retries of the others rely on Discord's nonce check alone.
const maxPartial = 1000

// postedBefore returns the ids of the parts of the reply keyed key already
// posted to target when it was split into the same number of parts.
// The engine retries a failed send with back-off, at times later than
// Discord keeps a nonce (minutes), so the nonce alone would not stop the
// first parts from being posted again.
func (c *Channel) postedBefore(key, target string, parts int) []string {
	if key == "" || parts < 2 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.partial[key]
	if !ok || p.target != target || p.parts != parts || len(p.ids) >= parts {
		return nil
	}
	return p.ids
}

// rememberPosted records p as what the reply keyed key has posted, or
// forgets the reply when p is empty (sent whole).
func (c *Channel) rememberPosted(key string, p posted) {
	if key == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(p.ids) == 0 {
		delete(c.partial, key)
		return
	}
	if _, ok := c.partial[key]; !ok && len(c.partial) >= maxPartial {
		for k := range c.partial { // any one: rare, and the nonce still helps
			delete(c.partial, k)
			break
		}
	}
	c.partial[key] = p
}

// postMessage posts one message and returns its id. In a thread archived
// since the question (an answer from staff days later, a question read by
// the catch-up), where Discord refuses it, the thread is unarchived, as
// the citizen's own message there would have, and the message posted
// again; a locked thread stays refused.
func (c *Channel) postMessage(ctx context.Context, channelID string, p messagePayload) (string, *Error) {
	endpoint := discordgo.EndpointChannelMessages(channelID)
	body, err := c.request(ctx, "send", http.MethodPost, endpoint, p, endpoint)
	if err != nil && err.Code == codeThreadArchived {
		channel := discordgo.EndpointChannel(channelID)
		if _, uerr := c.request(ctx, "unarchive thread", http.MethodPatch, channel,
			map[string]bool{"archived": false}, channel); uerr != nil {
			if uerr.Retry {
				return "", uerr
			}
			c.log.Warn("archived thread not unarchived; the reply is not sent", "channel", string(bot.Key(Platform, channelID)), "err", uerr)
			return "", err
		}
		body, err = c.request(ctx, "send", http.MethodPost, endpoint, p, endpoint)
	}
	if err != nil {
		return "", err
	}
	var m struct {
		ID string `json:"id"`
	}
	if jerr := json.Unmarshal(body, &m); jerr != nil || m.ID == "" {
		// The answer repeats the message (and the question it replies
		// to): the error, which is logged, gives its length only.
		return "", &Error{Op: "send", Err: fmt.Errorf("unreadable answer from Discord (%d bytes, no message id)", len(body))}
	}
	return m.ID, nil
}

// startThread starts a thread on message messageID and returns its id. A
// thread already started there (an earlier attempt) is reused: a thread
// started on a message has that message's id.
func (c *Channel) startThread(ctx context.Context, channelID, messageID, name string) (string, error) {
	endpoint := discordgo.EndpointChannelMessageThread(channelID, messageID)
	body, err := c.request(ctx, "start thread", http.MethodPost, endpoint,
		threadStart{Name: name, AutoArchiveDuration: threadArchiveMinutes}, endpoint)
	if err != nil {
		if err.Code != codeThreadExists {
			return "", err
		}
		// Started earlier, by the bot or by someone else: which is left
		// to the lookup that an event there makes (Discord gives owner_id).
		return messageID, nil
	}
	var ch struct {
		ID      string `json:"id"`
		OwnerID string `json:"owner_id"`
	}
	if json.Unmarshal(body, &ch) != nil || ch.ID == "" {
		ch.ID = messageID
	}
	if ch.OwnerID == "" {
		ch.OwnerID = c.self()
	}
	// Before the gateway's READY the bot's id may be unknown: a thread
	// remembered as owned by "" would not be taken for the bot's own, and
	// follow-ups there would need a mention. Unremembered, it is looked up.
	if ch.OwnerID != "" {
		c.remember(ch.ID, placed{place: place{parent: channelID, owner: ch.OwnerID}})
	}
	return ch.ID, nil
}

// react adds the bot's reaction emoji to a message.
func (c *Channel) react(ctx context.Context, channelID, messageID, emoji string) error {
	_, err := c.request(ctx, "react", http.MethodPut,
		discordgo.EndpointMessageReaction(channelID, messageID, emoji, "@me"), nil,
		discordgo.EndpointMessageReaction(channelID, "", "", "")) // discordgo's reaction bucket
	if err != nil {
		return err
	}
	return nil // not "return err": a nil *Error is not a nil error
}

// MemberCount returns the number of members of the configured servers
// (Discord's approximate count), for reports: the sum of Followers, or an
// error when any server cannot be counted.
func (c *Channel) MemberCount(ctx context.Context) (int, error) {
	fs, err := c.Followers(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, f := range fs {
		total += f.Count
	}
	return total, nil
}

// getJSON GETs url and decodes its JSON body into v.
func (c *Channel) getJSON(ctx context.Context, op, url, bucket string, v any) error {
	body, err := c.request(ctx, op, http.MethodGet, url, nil, bucket)
	if err != nil {
		return err
	}
	if jerr := json.Unmarshal(body, v); jerr != nil {
		return &Error{Op: op, Err: fmt.Errorf("unreadable answer from Discord: %w", jerr)}
	}
	return nil
}

// request makes one REST call through discordgo (its rate-limit buckets,
// authorization and user agent), each attempt with RequestTimeout. A 429
// is waited out and retried RateLimitRetries times if Discord asks for at
// most MaxRateLimitWait; otherwise, or when the bucket is known to be
// exhausted for longer than that, a retryable *Error is returned at once,
// so one rate-limited channel never holds up a caller for long.
func (c *Channel) request(ctx context.Context, op, method, url string, data any, bucket string) ([]byte, *Error) {
	s := c.session()
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, &Error{Op: op, Retry: true, Err: err}
		}
		if w := bucketWait(s.Ratelimiter, bucket); w > c.opts.MaxRateLimitWait {
			return nil, &Error{Op: op, Status: http.StatusTooManyRequests, RetryAfter: w, Retry: true, Err: errRateLimited}
		}
		rctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
		body, err := s.RequestWithBucketID(method, url, data, bucket,
			discordgo.WithContext(rctx), discordgo.WithRetryOnRatelimit(false))
		cancel()
		if err == nil {
			return body, nil
		}
		e := classify(op, err)
		if e.Status != http.StatusTooManyRequests || attempt >= c.opts.RateLimitRetries || e.RetryAfter > c.opts.MaxRateLimitWait {
			return nil, e
		}
		c.log.Debug("rate limited; waiting", "op", op, "wait", e.RetryAfter.String())
		if !sleep(ctx, max(e.RetryAfter, 10*time.Millisecond)) {
			return nil, &Error{Op: op, Retry: true, Err: ctx.Err()}
		}
	}
}

// bucketWait is how long discordgo would sleep before a request on bucket
// (an exhausted bucket or a global limit), without waiting for a request
// already in flight on it.
func bucketWait(l *discordgo.RateLimiter, bucket string) time.Duration {
	b := l.GetBucket(bucket)
	if !b.TryLock() {
		return 0
	}
	defer b.Unlock()
	return l.GetWaitTime(b, 1)
}

// maxNonce is the longest nonce Discord accepts.
const maxNonce = 25

// nonce derives the nonce of part i of a reply with idempotency key key: the
// key itself for the first part when it fits Discord's 25 characters, else a
// digest of key and part. "" when key is "".
func nonce(key string, part int) string {
	if key == "" {
		return ""
	}
	s := key
	if part > 0 {
		s = key + "#" + strconv.Itoa(part+1)
	}
	if len(s) <= maxNonce && printableASCII(s) {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	enc := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:])
	return "l" + strings.ToLower(enc[:maxNonce-1])
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// threadName names an answer thread in the reply's language (both when the
// reply is bilingual), with the asker's name. Discord allows 100 characters.
func threadName(l bot.Lang, user string) string {
	user = strings.Join(strings.Fields(user), " ")
	var name string
	switch l {
	case bot.English:
		name = "Answer"
		if user != "" {
			name += " for " + user
		}
	case bot.French:
		name = "Réponse"
		if user != "" {
			name += " pour " + user
		}
	default:
		name = "Answer · Réponse"
		if user != "" {
			name += " · " + user
		}
	}
	if r := []rune(name); len(r) > 100 {
		name = string(r[:100])
	}
	return name
}
