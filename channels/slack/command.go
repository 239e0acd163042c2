package slack

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/phases"
)

// commandReply is the ack payload of a slash command: a message only the
// caller sees.
type commandReply struct {
	ResponseType string        `json:"response_type"`
	Text         string        `json:"text"`
	Blocks       []slack.Block `json:"blocks,omitempty"`
}

// reply builds an ephemeral command reply from mrkdwn text (which must
// already be escaped where it quotes anyone).
func reply(text string) outcome {
	return outcome{payload: commandReply{
		ResponseType: "ephemeral",
		Text:         text,
		Blocks:       []slack.Block{slack.NewSectionBlock(mrkdwn(text), nil, nil)},
	}}
}

// bareChannelLink is Slack's channel link without a name.
var bareChannelLink = regexp.MustCompile(`<#([A-Z0-9]+)\|?>`)

// onCommand serves `/liaison phase|broadcast|status`. Changes go through the
// engine, which checks that the caller is a comms lead and audits the
// request either way; a refusal becomes a polite reply in the caller's
// language (both languages for someone not on the roster).
func (d *Desk) onCommand(ctx context.Context, h bot.DeskHandler, c slack.SlashCommand) (outcome, error) {
	if c.Command != d.cfg.command() {
		return outcome{}, nil
	}
	l := d.userLang(c.UserID)
	// Slack sends the text with its markup (&amp;, <@U123>): read it as
	// written, so that a reason is stored and audited as the lead typed it.
	// A channel link without its name (<#C123> or <#C123|>) is kept as
	// "#C123", so that it is refused as an unknown channel instead of
	// vanishing and turning a channel's switch into a global one.
	args := strings.Fields(plainText(bareChannelLink.ReplaceAllString(c.Text, "#$1"), d.nameOf))
	sub := ""
	if len(args) > 0 {
		sub = strings.ToLower(args[0])
		args = args[1:]
	}
	switch sub {
	case "phase":
		return d.onPhase(ctx, h, c.UserID, l, args)
	case "broadcast", "diffusion":
		return d.onBroadcastCommand(ctx, h, c, l)
	case "status", "état", "etat":
		return d.onStatus(ctx, h, c.UserID, l)
	}
	// Anything else is no command: it is shown the usage, which changes
	// and shows nothing, and is not audited, as a mistyped host command
	// is not.
	return reply(tr(l, "cmd.usage", d.cfg.command())), nil
}

// inheritWords mean "remove this channel's override".
var inheritWords = []string{"inherit", "hériter", "heriter", "0", "default", "défaut", "defaut"}

// onPhase shows the phase, or asks the engine to change it.
func (d *Desk) onPhase(ctx context.Context, h bot.DeskHandler, user string, l bot.Lang, args []string) (outcome, error) {
	staff, onRoster := d.roster().ByDeskUser(user)
	if len(args) == 0 {
		d.auditCommand(ctx, h, user, "phase.show", onRoster)
		if !onRoster {
			return reply(tr(l, "forbidden.roster")), nil
		}
		st, err := h.Status(ctx)
		if err != nil {
			return d.refuse(user, l, err, "phase show")
		}
		return reply(d.phaseText(st, l)), nil
	}
	// Someone who may not change the phase is told so whatever they ask
	// for, and the engine audits it: they are never shown the channels,
	// nor told how to word a change.
	lead := staff.CommsLead
	var p phases.Phase
	var badPhase error
	if !slices.Contains(inheritWords, strings.ToLower(args[0])) {
		p, badPhase = phases.Parse(args[0])
	}
	word := args[0]
	args = args[1:]
	var channel bot.ChannelKey
	unknownChannel := false
	var ambiguous []bot.ChannelKey // the channels a name given to several names
	var named string               // the channel as the command names it
	if len(args) > 0 {
		if k, ok, known, all := d.lookupChannel(ctx, h, args[0]); ok {
			named = args[0]
			if len(all) > 1 {
				ambiguous = all
			}
			if !known && p == 0 && lead {
				// A channel removed from the configuration may keep an
				// override, which can still be ended by its full key;
				// the engine checks who asks and audits it.
				k, known = d.staleOverride(ctx, h, args[0])
			}
			if !known {
				k, unknownChannel = bot.ChannelKey(args[0]), true
			}
			channel = k
			args = args[1:]
		}
	}
	reason := strings.Join(args, " ")
	// A comms lead's request the desk cannot pass on is explained to them,
	// and audited as the engine audits the refusals it makes; anyone
	// else's request goes to the engine as it is, to be refused and
	// audited.
	if lead {
		var text, why, near string
		if channel == "" && len(args) > 0 {
			near = d.nearChannel(ctx, h, args[0], l)
		}
		switch {
		case badPhase != nil:
			text = tr(l, "phase.unknown", "`"+escape(word)+"`")
			why = fmt.Sprintf("Unknown phase %q. Use broadcast (1), replies (2) or outreach (3).", word)
		case len(ambiguous) > 0:
			var labels, keys []string
			channels := d.channels(ctx, h)
			for _, k := range ambiguous {
				labels = append(labels, channelLabel(channels, k, l))
				keys = append(keys, string(k))
			}
			text = tr(l, "phase.ambiguous.channel", "`"+escape(named)+"`", strings.Join(labels, ", "))
			why = fmt.Sprintf("Channel name %q is given to several channels (%s): name the channel by its key.", named, strings.Join(keys, ", "))
		case unknownChannel:
			text = tr(l, "phase.unknown.channel", "`"+escape(string(channel))+"`", d.channelChoices(ctx, h, l))
			why = fmt.Sprintf("Unknown channel %q. Possible channels: %s.", channel, d.channelKeys(ctx, h))
		case near != "":
			// A mistyped channel ("hepl") would otherwise start the
			// reason of a switch of every channel.
			text = tr(l, "phase.near.channel", "`"+escape(args[0])+"`", near)
			why = fmt.Sprintf("No channel is named %q, which looks like %s: nothing was changed.", args[0], near)
		case p == 0 && channel == "":
			text = tr(l, "phase.inheritglobal", d.cfg.command())
			why = "Only a channel can follow the global phase: name the channel."
		case strings.TrimSpace(reason) == "":
			text = tr(l, "phase.reason", d.cfg.command())
			why = "A reason is required."
		}
		if text != "" {
			d.auditPhaseRefusal(ctx, h, staff.ID, channel, why)
			return reply(text), nil
		}
	}
	ch, err := h.SetPhase(ctx, bot.PhaseRequest{
		Actor:   bot.Actor{Via: "slack", DeskUserID: user},
		Phase:   p,
		Channel: channel,
		Reason:  reason,
	})
	if err != nil {
		return d.refuse(user, l, err, "phase set")
	}
	from, to := d.phaseName(l, ch.From), d.phaseName(l, ch.To)
	switch {
	case ch.Channel == "":
		return reply(tr(l, "phase.set.global", to, from)), nil
	case ch.To == 0:
		return reply(tr(l, "phase.set.inherit", channelLabel(d.channelConfigs(), bot.ChannelKey(ch.Channel), l), from)), nil
	}
	return reply(tr(l, "phase.set.channel", channelLabel(d.channelConfigs(), bot.ChannelKey(ch.Channel), l), to, from)), nil
}

// refuse turns an engine refusal into a polite reply. Errors other than a
// refusal are logged and answered with a generic message: slash commands
// are not redelivered, so the caller must hear back.
func (d *Desk) refuse(user string, l bot.Lang, err error, what string) (outcome, error) {
	switch {
	case errors.Is(err, bot.ErrForbidden):
		if _, ok := d.roster().ByDeskUser(user); ok {
			return reply(tr(l, "forbidden.lead")), nil
		}
		return reply(tr(l, "forbidden.roster")), nil
	case errors.Is(err, bot.ErrInvalid), errors.Is(err, phases.ErrInvalidChange), errors.Is(err, phases.ErrUnknownPhase):
		return reply(refused(l, tr(l, "error.invalid"), err)), nil
	}
	d.log.Error("slack command failed", "command", what, "err", err)
	return reply(tr(l, "error.generic")), nil
}

// phaseName names p in l ("inherit" is shown as the global phase's word).
func (d *Desk) phaseName(l bot.Lang, p phases.Phase) string {
	if p.Valid() {
		return tr(l, msg(fmt.Sprintf("phase.name.%d", p)))
	}
	return escape(p.String())
}

// phaseText shows the global phase and every channel's.
func (d *Desk) phaseText(st bot.Status, l bot.Lang) string {
	lines := []string{tr(l, "phase.global", d.phaseName(l, st.Phase.Global))}
	keys := st.Phase.Channels()
	for _, k := range keys {
		lines = append(lines, tr(l, "phase.override", channelLabel(d.channelConfigs(), bot.ChannelKey(k), l), d.phaseName(l, st.Phase.For(k))))
	}
	if len(keys) == 0 {
		lines = append(lines, tr(l, "phase.nooverride"))
	}
	return strings.Join(lines, "\n")
}

// channels lists the engine's public channels: with names when it says,
// else the keys its status gives.
func (d *Desk) channels(ctx context.Context, h bot.DeskHandler) []bot.ChannelConfig {
	if cs := d.channelConfigs(); cs != nil {
		return cs
	}
	st, err := h.Status(ctx)
	if err != nil {
		d.log.Warn("slack: status for channel names", "err", err)
		return nil
	}
	out := make([]bot.ChannelConfig, 0, len(st.Channels))
	for _, k := range st.Channels {
		out = append(out, bot.ChannelConfig{Key: k})
	}
	return out
}

// lookupChannel reads a command argument as a public channel: a key
// ("discord:123"), a name in either language, in any case, with or without
// its "#" ("help", "#Aide"), or a Slack-escaped channel ("<#C1|help>"). ok
// says the word is meant as a channel; known that it names one the engine
// has. A word that is neither a key nor "#" something is a channel only
// when it names one, and else the first word of the reason. all lists
// every channel the word names: more than one when a name is given to
// several (a web room "Help" and a Discord #help).
func (d *Desk) lookupChannel(ctx context.Context, h bot.DeskHandler, word string) (k bot.ChannelKey, ok, known bool, all []bot.ChannelKey) {
	if strings.HasPrefix(word, "<#") && strings.HasSuffix(word, ">") {
		_, name, _ := strings.Cut(word[2:len(word)-1], "|")
		word = "#" + name
	}
	for _, c := range d.channels(ctx, h) {
		if string(c.Key) == word {
			return c.Key, true, true, []bot.ChannelKey{c.Key}
		}
		if c.Named(word) {
			all = append(all, c.Key)
		}
	}
	if len(all) > 0 {
		return all[0], true, true, all
	}
	isKey := strings.Contains(word, ":") && !strings.HasSuffix(word, ":")
	return "", isKey || strings.HasPrefix(word, "#"), false, nil
}

// nearChannel is the label, for readers of l, of a channel that word,
// naming none, misses by one letter (one added, dropped or changed, or two
// swapped), ignoring case and accents ("hepl" for #help, "genral" for
// #général); "" when there is none, or word is shorter than three letters.
func (d *Desk) nearChannel(ctx context.Context, h bot.DeskHandler, word string, l bot.Lang) string {
	w := []rune(bot.Fold(strings.TrimPrefix(word, "#")))
	if len(w) < 3 {
		return ""
	}
	channels := d.channels(ctx, h)
	for _, c := range channels {
		for _, name := range []string{c.NameIn(bot.English), c.NameIn(bot.French)} {
			if n := []rune(bot.Fold(strings.TrimPrefix(name, "#"))); len(n) > 0 && oneEditApart(w, n) {
				return channelLabel(channels, c.Key, l)
			}
		}
	}
	return ""
}

// oneEditApart reports whether a and b differ by exactly one letter added,
// dropped or changed, or by two neighbouring letters swapped.
func oneEditApart(a, b []rune) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	switch {
	case len(a) == len(b) && i == len(a):
		return false // the same
	case len(b) == len(a)+1:
		return slices.Equal(a[i:], b[i+1:])
	case len(a) != len(b):
		return false
	case slices.Equal(a[i+1:], b[i+1:]):
		return true
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && slices.Equal(a[i+2:], b[i+2:])
}

// staleOverride reports whether word is the full key of a channel that is
// not configured but keeps a phase override.
func (d *Desk) staleOverride(ctx context.Context, h bot.DeskHandler, word string) (bot.ChannelKey, bool) {
	st, err := h.Status(ctx)
	if err != nil {
		d.log.Warn("slack: status for channel overrides", "err", err)
		return "", false
	}
	if slices.Contains(st.Phase.Channels(), word) {
		return bot.ChannelKey(word), true
	}
	return "", false
}

// channelKeys lists the keys of the channels a command may name, for the
// audit log.
func (d *Desk) channelKeys(ctx context.Context, h bot.DeskHandler) string {
	var keys []string
	for _, c := range d.channels(ctx, h) {
		keys = append(keys, string(c.Key))
	}
	return strings.Join(keys, ", ")
}

// channelChoices lists the channels a command may name, for readers of l.
func (d *Desk) channelChoices(ctx context.Context, h bot.DeskHandler, l bot.Lang) string {
	var names []string
	channels := d.channels(ctx, h)
	for _, c := range channels {
		names = append(names, channelLabel(channels, c.Key, l))
	}
	if len(names) == 0 {
		return "-"
	}
	return strings.Join(names, ", ")
}

// onStatus shows the phase per channel, the questions waiting and the
// oldest one, then the day's figures the comms page and `liaison report`
// show: questions by language, answered, escalated, response times,
// feedback, the topics the assistant could not answer, and followers.
// Staff on the roster only.
func (d *Desk) onStatus(ctx context.Context, h bot.DeskHandler, user string, l bot.Lang) (outcome, error) {
	_, ok := d.roster().ByDeskUser(user)
	d.auditCommand(ctx, h, user, "status", ok)
	if !ok {
		return reply(tr(l, "forbidden.roster")), nil
	}
	st, err := h.Status(ctx)
	if err != nil {
		return d.refuse(user, l, err, "status")
	}
	lines := []string{tr(l, "status.title"), tr(l, "phase.global", d.phaseName(l, st.Phase.Global))}
	if len(st.Channels) > 0 {
		lines = append(lines, tr(l, "status.channels"))
		for _, k := range st.Channels {
			lines = append(lines, tr(l, "status.channel", channelLabel(d.channelConfigs(), k, l), d.phaseName(l, st.Phase.For(string(k)))))
		}
	}
	lines = append(lines, tr(l, "status.open", st.Summary.OpenEscalations))
	if o := st.Oldest; o != nil {
		q, _ := truncate(strings.TrimSpace(o.Question), 120)
		lines = append(lines, tr(l, "status.oldest", o.ID, slackDate(o.CreatedAt), "_"+escape(q)+"_"))
	} else {
		lines = append(lines, tr(l, "status.none"))
	}
	lines = append(lines, summaryLines(l, st.Summary)...)
	for _, p := range slices.Sorted(maps.Keys(st.Followers)) {
		lines = append(lines, "• "+tr(l, "status.followers", p, st.Followers[p]))
	}
	return reply(strings.Join(lines, "\n")), nil
}

// summaryLines writes s in l as the comms page does: English and French
// questions always, other languages only when there are some.
func summaryLines(l bot.Lang, s bot.Summary) []string {
	var lines []string
	if !s.Since.IsZero() {
		lines = append(lines, tr(l, "status.since", slackDate(s.Since)))
	}
	total := 0
	for _, n := range s.Questions {
		total += n
	}
	by := []string{tr(l, "status.bylang", langName(l, bot.English), s.Questions[bot.English]),
		tr(l, "status.bylang", langName(l, bot.French), s.Questions[bot.French])}
	if other := total - s.Questions[bot.English] - s.Questions[bot.French]; other > 0 {
		by = append(by, tr(l, "status.bylang", langName(l, ""), other))
	}
	lines = append(lines,
		tr(l, "status.questions", total, strings.Join(by, ", ")),
		tr(l, "status.answered", s.Answered))
	// Answers that did not reach the citizen are not counted as answered.
	if s.Withheld > 0 {
		lines = append(lines, tr(l, "status.withheld", s.Withheld))
	}
	if s.Undelivered > 0 {
		lines = append(lines, tr(l, "status.undelivered", s.Undelivered))
	}
	lines = append(lines, tr(l, "status.escalated", s.Escalated))
	// A citizen asking for a staff answer in their language is no new
	// question, so not among those passed to staff.
	if s.LanguageRequests > 0 {
		lines = append(lines, tr(l, "status.langrequests", s.LanguageRequests))
	}
	if s.Shadow > 0 {
		lines = append(lines, tr(l, "status.shadow", s.Shadow, s.ShadowWouldAnswer))
	}
	lines = append(lines,
		tr(l, "status.firstresponse", medianText(l, s.MedianFirstResponse, s.FirstResponses, "status.over.question", "status.over.questions")),
		tr(l, "status.staffanswer", medianText(l, s.MedianStaffAnswer, s.StaffAnswers, "status.over.escalation", "status.over.escalations")),
		tr(l, "status.feedback", s.Helpful, s.NotHelpful))
	if len(s.TopGaps) > 0 {
		gaps := make([]string, 0, len(s.TopGaps))
		for _, g := range s.TopGaps {
			topic := escape(g.Topic)
			if g.Topic == "" {
				topic = tr(l, "status.gap.general")
			}
			gaps = append(gaps, fmt.Sprintf("%s (%d)", topic, g.Count))
		}
		lines = append(lines, tr(l, "status.gaps", strings.Join(gaps, ", ")))
	}
	for i := range lines {
		if i > 0 || s.Since.IsZero() {
			lines[i] = "• " + lines[i]
		}
	}
	return lines
}

// medianText writes median d with the n measurements it is taken over,
// phrased by one or other ("1 min 23 s over 37 questions"), or says there
// is none yet when n is 0: a median of 0 s over some is a real one.
func medianText(l bot.Lang, d time.Duration, n int, one, other msg) string {
	if n == 0 {
		return tr(l, "dur.none")
	}
	id := other
	if n == 1 {
		id = one
	}
	return trEach(l, id, func(l bot.Lang) []any { return []any{durationText(l, d), n} })
}

// durationText writes d rounded as the comms page does (seconds under a
// minute, minutes and seconds under an hour, else hours and minutes).
func durationText(l bot.Lang, d time.Duration) string {
	s := max(0, int(d.Round(time.Second)/time.Second))
	switch {
	case s < 60:
		return tr(l, "dur.seconds", s)
	case s < 3600:
		return tr(l, "dur.minutes", s/60, s%60)
	}
	return tr(l, "dur.hours", s/3600, s/60%60)
}

// auditPhaseRefusal records a comms lead's phase change the desk refused
// before it reached the engine, why (in English) as its detail, as the
// engine records the changes it refuses, when the handler can audit.
func (d *Desk) auditPhaseRefusal(ctx context.Context, h bot.DeskHandler, by string, channel bot.ChannelKey, why string) {
	target := "global"
	if channel != "" {
		target = string(channel)
	}
	d.auditRefusal(ctx, h, by, "phase.set", target, why)
}

// auditRefusal records a change (action on target) the desk refused
// before it reached the engine, each reason why (in English) as the
// engine words an invalid request's, when the handler can audit.
func (d *Desk) auditRefusal(ctx context.Context, h bot.DeskHandler, by, action, target string, why ...string) {
	a, ok := h.(bot.Auditor)
	if !ok {
		return
	}
	detail := make([]string, len(why))
	for i, w := range why {
		detail[i] = bot.ErrInvalid.Error() + ": " + w
	}
	e := bot.AuditEntry{Actor: by, Via: "slack", Action: action, Target: target, Detail: strings.Join(detail, "\n")}
	if err := a.Audit(ctx, e); err != nil {
		d.log.Error("audit slack command", "action", action, "err", err)
	}
}

// auditCommand records a command the desk answers itself (status, phase
// show, opening the broadcast form), allowed or refused, when the handler
// can audit (the engine can). Changes are audited by the engine.
func (d *Desk) auditCommand(ctx context.Context, h bot.DeskHandler, user, action string, allowed bool) {
	a, ok := h.(bot.Auditor)
	if !ok {
		return
	}
	detail := ""
	switch s, ok := d.roster().ByDeskUser(user); {
	case !ok:
		detail = "not on the staff roster"
	case !allowed && !s.CommsLead:
		detail = "not a comms lead"
	}
	e := bot.AuditEntry{Actor: d.auditActor(user), Via: "slack", Action: "command." + action, Target: d.cfg.command(), Detail: detail, Allowed: allowed}
	if err := a.Audit(ctx, e); err != nil {
		d.log.Error("audit slack command", "action", action, "err", err)
	}
}

// auditActor names Slack user in the audit log as the engine does: their
// roster id, or their Slack id when they are not on the roster.
func (d *Desk) auditActor(user string) string {
	if s, ok := d.roster().ByDeskUser(user); ok {
		return s.ID
	}
	return user
}
