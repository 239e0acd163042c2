package slack

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/liaison-gc/liaison/bot"
)

// Action ids of the buttons this package puts on desk posts.
const (
	actClaim      = "liaison.claim"
	actSuggest    = "liaison.suggest" // suffixed with the suggestion's index
	actDraft      = "liaison.draft"
	actClose      = "liaison.close"
	actSendAnyway = "liaison.mismatch.send"
	actTranslate  = "liaison.mismatch.translate"
)

// Limits of what one message shows. Slack refuses a message with a section
// text over maxSectionChars characters (and more than 50 blocks); a quoted
// text (the citizen's question, each language of a broadcast preview) takes
// at most maxQuoteChars of a section, counted after escaping, leaving room
// for a heading. Characters are counted as textLen counts them (an emoji
// counts two), so that a text full of emoji is not refused.
const (
	maxSectionChars = 3000
	maxQuoteChars   = maxSectionChars - 200
	maxSuggestions  = 3
)

// button is a button whose label fits Slack's 75-character limit.
func button(actionID, value, label string) *slack.ButtonBlockElement {
	label, _ = truncate(label, 75)
	return slack.NewButtonBlockElement(actionID, value, plain(label))
}

// escalationBlocks renders e for the desk, in l (both languages for
// Unknown). The citizen's question and every other untrusted string go
// through escape; the only mention is the routed staff member's.
func (d *Desk) escalationBlocks(e bot.Escalation, l bot.Lang) []slack.Block {
	return d.postBlocks(e, l, "", maxQuoteChars)
}

// shortQuoteChars bounds the question in the short form of a post.
const shortQuoteChars = 500

// postBlocks renders e's post: in full when refused is "", else in the
// short form shown when Slack refused the full one with that error code:
// it says so, quotes at most quoteMax characters of the question (none
// when 0), and leaves out the suggested entries, keeping what staff need
// to claim, close and answer it.
func (d *Desk) postBlocks(e bot.Escalation, l bot.Lang, refused string, quoteMax int) []slack.Block {
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(tr(l, "esc.title", e.ID)), nil, nil),
	}

	meta := []string{
		trEach(l, "esc.lang", func(l bot.Lang) []any { return []any{langName(l, e.Lang)} }),
		trEach(l, "esc.where", func(l bot.Lang) []any { return []any{channelLabel(d.channelConfigs(), e.Channel, l)} }),
	}
	// Citizens, not their messages: one who asked twice is one person.
	if n := bot.Citizens(e.Askers); n > 1 {
		meta = append(meta, tr(l, "esc.askers", n))
	}
	if e.RoutedTo != "" {
		meta = append(meta, tr(l, "esc.routed", d.mention(e.RoutedTo)))
	} else {
		meta = append(meta, tr(l, "esc.unrouted"))
	}
	blocks = append(blocks, slack.NewContextBlock("liaison.meta", mrkdwn(strings.Join(meta, " · "))))

	if refused != "" {
		id := msg("esc.refused.short")
		if quoteMax <= 0 && e.Question != "" {
			id = "esc.refused.noquestion"
		}
		blocks = append(blocks, slack.NewContextBlock("liaison.refused", mrkdwn(tr(l, id, errorCode(refused)))))
	}
	switch {
	case e.Question == "":
		blocks = append(blocks, slack.NewContextBlock("liaison.redacted", mrkdwn(tr(l, "esc.redacted"))))
	case quoteMax > 0:
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(quote(e.Question, quoteMax, l)), nil, nil))
	}

	var sugg []bot.Hit
	if refused == "" {
		sugg = e.Suggestions
		if len(sugg) > maxSuggestions {
			sugg = sugg[:maxSuggestions]
		}
		if len(sugg) > 0 {
			lines := []string{tr(l, "esc.suggestions")}
			for _, h := range sugg {
				q, _ := truncate(h.Question, 200)
				lines = append(lines, tr(l, "esc.suggestion", escape(h.EntryID), escape(q), int(h.Confidence*100+0.5)))
			}
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn(strings.Join(lines, "\n")), nil, nil))
		} else {
			blocks = append(blocks, slack.NewContextBlock("liaison.nosugg", mrkdwn(tr(l, "esc.nosuggestion"))))
		}
	}

	blocks = append(blocks, slack.NewContextBlock("liaison.state", mrkdwn(d.stateLine(e, l))))

	var buttons []slack.BlockElement
	if e.State == bot.StateOpen {
		buttons = append(buttons, button(actClaim, fmt.Sprint(e.ID), tr(l, "btn.claim")).WithStyle(slack.StylePrimary))
	}
	if e.State.Waiting() {
		for i, h := range sugg {
			buttons = append(buttons, button(fmt.Sprintf("%s.%d", actSuggest, i), fmt.Sprintf("%d|%s", e.ID, h.EntryID), tr(l, "btn.suggest", h.EntryID)))
		}
	}
	if e.State.Waiting() {
		buttons = append(buttons, button(actClose, fmt.Sprint(e.ID), tr(l, "btn.close")))
	}
	if e.State == bot.StateAnswered || e.State == bot.StateRelayed {
		buttons = append(buttons, button(actDraft, fmt.Sprint(e.ID), tr(l, "btn.draft")))
	}
	if len(buttons) > 0 {
		blocks = append(blocks, slack.NewActionBlock("liaison.actions", buttons...))
	}
	if e.State.Waiting() {
		howto := msg("esc.howto")
		if len(e.Undelivered()) > 0 {
			howto = "esc.howto.undelivered"
		}
		blocks = append(blocks, slack.NewContextBlock("liaison.howto", mrkdwn(tr(l, howto))))
	}
	return blocks
}

// errorCode keeps of a Slack error code what such codes are made of
// (lowercase letters, digits, underscores), to be shown in backquotes.
func errorCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return -1
	}, code)
}

// stateLine says where e stands.
func (d *Desk) stateLine(e bot.Escalation, l bot.Lang) string {
	// Citizens are counted as the engine relays to them (one relay each,
	// however many times they asked), as the line on an answer that did
	// not reach everyone counts them.
	var reached []bot.Asker
	for _, a := range e.Askers {
		if !a.RelayedAt.IsZero() {
			reached = append(reached, a)
		}
	}
	var parts []string
	switch e.State {
	case bot.StateOpen:
		parts = append(parts, tr(l, "state.open"))
		if e.Reminders > 0 {
			parts = append(parts, tr(l, "state.reminded", e.Reminders))
		}
	case bot.StateClaimed:
		parts = append(parts, tr(l, "state.claimed", d.mention(e.ClaimedBy)))
	case bot.StateAnswered, bot.StateRelayed:
		by := e.AnsweredBy
		if by == "" {
			by = e.ClaimedBy
		}
		parts = append(parts, tr(l, "state.answered", d.mention(by)), tr(l, "state.relayed", bot.Citizens(reached), bot.Citizens(e.Askers)))
	case bot.StateClosed:
		reason, _ := truncate(e.CloseReason, 300)
		parts = append(parts, tr(l, "state.closed", d.mention(e.ClosedBy), escape(reason)))
	default:
		parts = append(parts, escape(string(e.State)))
	}
	// An answer that did not reach every citizen sends the escalation back
	// to its author (or, once they leave the roster, to the desk): say so,
	// or it reads like any question waiting for a first answer.
	if missing := e.Undelivered(); len(missing) > 0 {
		if all := bot.Citizens(e.Askers); all > 1 {
			parts = append(parts, tr(l, "state.undelivered", bot.Citizens(missing), all))
		} else {
			parts = append(parts, tr(l, "state.undelivered.one"))
		}
	}
	return strings.Join(parts, " · ")
}

// channelLabel names public channel k for staff reading l (both languages
// for Unknown): its name in l, when channels (the engine's) name it, and
// its key.
func channelLabel(channels []bot.ChannelConfig, k bot.ChannelKey, l bot.Lang) string {
	if k == "" {
		return "?"
	}
	for _, c := range channels {
		if name := channelName(c, l); c.Key == k && name != "" {
			return escape(name) + " (`" + escape(string(k)) + "`)"
		}
	}
	return "`" + escape(string(k)) + "`"
}

// channelName is c's name for readers of l; for Unknown, both its names
// when they differ.
func channelName(c bot.ChannelConfig, l bot.Lang) string {
	if l.Valid() {
		return c.NameIn(l)
	}
	en, fr := c.NameIn(bot.English), c.NameIn(bot.French)
	if en == "" || en == fr {
		return fr
	}
	return en + " / " + fr
}

// channelLister is the optional engine capability of listing its public
// channels with their names (the Engine has it).
type channelLister interface {
	Channels() []bot.ChannelConfig
}

// channelConfigs returns the engine's public channels, nil when it does
// not say.
func (d *Desk) channelConfigs() []bot.ChannelConfig {
	if cl, ok := d.engine().(channelLister); ok {
		return cl.Channels()
	}
	return nil
}
