package slack

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

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
// max characters, counted on the escaped text that Slack receives (Slack
// refuses a message whose section text passes 3000 characters, and
// escaping can make a text five times longer). Text that does not fit
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
	if out := strings.Join(lines, "\n"); utf8.RuneCountInString(out) <= max {
		return out
	}
	note := "…\n_" + tr(l, "esc.truncated") + "_"
	room := max - utf8.RuneCountInString(note)
	var b strings.Builder
	n := 0 // runes written
	for i, line := range lines {
		sep := ""
		if i > 0 {
			sep = "\n"
		}
		if k := utf8.RuneCountInString(sep + line); n+k <= room {
			b.WriteString(sep + line)
			n += k
			continue
		}
		// The longest start of the raw line whose escaped form fits: the
		// escaped length only grows with the raw length.
		rs := []rune(raw[i])
		fits := func(j int) bool {
			return n+utf8.RuneCountInString(sep+">"+escape(string(rs[:j]))) <= room
		}
		lo, hi := 0, len(rs)
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if fits(mid) {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		if lo > 0 {
			b.WriteString(sep + ">" + escape(string(rs[:lo])))
		}
		break
	}
	if b.Len() == 0 {
		b.WriteString(">")
	}
	return b.String() + note
}

// truncate cuts s to at most max runes, adding an ellipsis when it cuts.
func truncate(s string, max int) (string, bool) {
	if utf8.RuneCountInString(s) <= max {
		return s, false
	}
	i, n := 0, 0
	for i = range s {
		if n == max-1 {
			break
		}
		n++
	}
	return s[:i] + "…", true
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
