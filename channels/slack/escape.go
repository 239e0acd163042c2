package slack

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// zwsp is a zero-width space: invisible, but it breaks Slack's parsing of
// what follows (formatting markers, @channel).
const zwsp = "\u200b"

// escapeReplacer implements Slack's escaping rule (&, <, > become entities,
// so <!channel>, <@U123>, <#C1>, <http://x|y> show as text) and neutralises
// what mrkdwn would still interpret: the words @channel, @here, @everyone
// and the formatting markers * _ ~ ` (fenced by zero-width spaces on both
// sides, so they sit on no word boundary). Bidirectional overrides, which
// can disguise text, are dropped.
var escapeReplacer = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	"@channel", "@"+zwsp+"channel", "@here", "@"+zwsp+"here", "@everyone", "@"+zwsp+"everyone",
	"*", zwsp+"*"+zwsp, "_", zwsp+"_"+zwsp, "~", zwsp+"~"+zwsp, "`", zwsp+"`"+zwsp,
	"\u202a", "", "\u202b", "", "\u202c", "", "\u202d", "", "\u202e", "",
	"\u2066", "", "\u2067", "", "\u2068", "", "\u2069", "",
)

// escape makes untrusted text (a citizen's question, a staff member's close
// reason) safe to put in a mrkdwn text object: it can neither ping anyone
// nor inject a link or formatting. Use it with verbatim text objects, so
// Slack does not linkify bare URLs or #channel names either.
func escape(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return escapeReplacer.Replace(s)
}

// quote renders untrusted text as an escaped mrkdwn block quote of at most
// max characters, counted as textLen counts them, on the escaped text that
// Slack receives (Slack refuses a message whose section text passes 3000
// characters, and escaping can make a text five times longer). Text that does not fit
// ends where the next line, or the next character of the line that
// overflows, would pass the limit, so no entity or fenced marker is ever
// cut, followed by an ellipsis and a note saying it was shortened; max
// must leave room for that note.
func quote(s string, max int, l bot.Lang) string {
	raw := strings.Split(strings.TrimSpace(s), "\n")
	lines := make([]string, len(raw))
	for i, line := range raw {
		lines[i] = ">" + escape(line)
	}
	if out := strings.Join(lines, "\n"); textLen(out) <= max {
		return out
	}
	note := "…\n_" + tr(l, "esc.truncated") + "_"
	room := max - textLen(note)
	var b strings.Builder
	n := 0 // characters written
	for i, line := range lines {
		sep := ""
		if i > 0 {
			sep = "\n"
		}
		if k := textLen(sep + line); n+k <= room {
			b.WriteString(sep + line)
			n += k
			continue
		}
		if start := escapedPrefix(raw[i], room-n-textLen(sep+">")); start != "" {
			b.WriteString(sep + ">" + start)
		}
		break
	}
	if b.Len() == 0 {
		b.WriteString(">")
	}
	return b.String() + note
}

// escapedPrefix is the escaped form of the longest start of s whose
// escaped form takes at most room characters, counted as textLen counts
// them: cut before escaping, it never cuts an entity or a fenced marker.
func escapedPrefix(s string, room int) string {
	// The escaped length only grows with the raw length.
	rs := []rune(s)
	lo, hi := 0, len(rs)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if textLen(escape(string(rs[:mid]))) <= room {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return escape(string(rs[:lo]))
}

// escapeShort is escape(s) when it takes at most max characters, counted
// as textLen counts them; otherwise the escaped start of s that fits with
// an ellipsis and a note in l saying it was shortened. max must leave
// room for that note.
func escapeShort(s string, max int, l bot.Lang) string {
	if out := escape(s); textLen(out) <= max {
		return out
	}
	note := "…\n_" + tr(l, "esc.truncated") + "_"
	return escapedPrefix(s, max-textLen(note)) + note
}

// truncate cuts s to at most max characters, counted as textLen counts
// them, adding an ellipsis when it cuts.
func truncate(s string, max int) (string, bool) {
	if textLen(s) <= max {
		return s, false
	}
	n := 0
	for i, r := range s {
		if n+runeUnits(r) > max-1 {
			return s[:i] + "…", true
		}
		n += runeUnits(r)
	}
	return s, false
}

// textLen is the length of s as Slack's limits may count it: in UTF-16
// code units, the way its JavaScript clients count, so that a character
// outside the Basic Multilingual Plane (most emoji) counts two. Slack's
// documentation says "characters" without saying which; counting this way
// never counts fewer than Slack does, whether it counts code points or
// UTF-16 units, so a text cut to a limit by this count is never refused.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		n += runeUnits(r)
	}
	return n
}

// runeUnits is how many UTF-16 code units r takes.
func runeUnits(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// slackDate renders t so that each reader sees it in their own time zone,
// with a UTC fallback for clients that cannot.
func slackDate(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}

// slackMarkup matches Slack's angle-bracket markup in text written on Slack.
var slackMarkup = regexp.MustCompile(`<([^<>]*)>`)

// plainText turns text a staff member wrote on Slack into the plain text a
// citizen should read: links become "label (url)" or the url, user and
// channel references their label, special mentions (@here, @channel) are
// dropped, and entities are decoded. name resolves a Slack user id to a
// display name ("" when unknown).
func plainText(s string, name func(userID string) string) string {
	s = slackMarkup.ReplaceAllStringFunc(s, func(m string) string {
		inner := m[1 : len(m)-1]
		target, label, hasLabel := strings.Cut(inner, "|")
		switch {
		case strings.HasPrefix(target, "@"):
			if hasLabel && label != "" {
				return label
			}
			if n := name(target[1:]); n != "" {
				return n
			}
			return ""
		case strings.HasPrefix(target, "#"):
			if hasLabel && label != "" {
				return "#" + label
			}
			return ""
		case strings.HasPrefix(target, "!"):
			if strings.HasPrefix(target, "!date^") && hasLabel {
				return label
			}
			return "" // @here, @channel, @everyone, user groups: never relayed
		}
		if hasLabel && label != "" && label != target && strings.TrimPrefix(target, "mailto:") != label {
			return label + " (" + target + ")"
		}
		return strings.TrimPrefix(target, "mailto:")
	})
	s = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
	return strings.TrimSpace(s)
}
