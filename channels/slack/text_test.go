package slack

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/liaison-gc/liaison/bot"
)

// verbs lists the fmt verbs of a format, in order.
var verbRe = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

func TestPhrasesBilingual(t *testing.T) {
	for id, p := range phrases {
		if strings.TrimSpace(p.en) == "" {
			t.Errorf("%s: English is missing", id)
		}
		if strings.TrimSpace(p.fr) == "" {
			t.Errorf("%s: French is missing", id)
		}
		if en, fr := verbRe.FindAllString(p.en, -1), verbRe.FindAllString(p.fr, -1); !slices.Equal(en, fr) {
			t.Errorf("%s: verbs differ: en %q, fr %q", id, en, fr)
		}
		if p.en == p.fr && !strings.HasPrefix(string(id), "phase.name") {
			t.Logf("%s: same in both languages: %q", id, p.en)
		}
	}
}

// TestPhrasesUsed checks that every msg id the code uses exists, and that
// every phrase is used somewhere: a missing one would show its id to staff.
func TestPhrasesUsed(t *testing.T) {
	files, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f.Name(), ".go") && !strings.HasSuffix(f.Name(), "_test.go") && f.Name() != "text.go" {
			b, err := os.ReadFile(f.Name())
			if err != nil {
				t.Fatal(err)
			}
			src.Write(b)
		}
	}
	code := src.String()
	used := regexp.MustCompile(`tr\([a-z]+, "([a-z.]+)"`).FindAllStringSubmatch(code, -1)
	if len(used) < 20 {
		t.Fatalf("found only %d uses of tr: the pattern is stale", len(used))
	}
	for _, m := range used {
		if _, ok := phrases[msg(m[1])]; !ok {
			t.Errorf("phrase %q is used but not defined", m[1])
		}
	}
	for id := range phrases {
		if !strings.Contains(code, `"`+string(id)+`"`) && !strings.HasPrefix(string(id), "phase.name.") && !strings.HasPrefix(string(id), "mismatch.") && !strings.HasPrefix(string(id), "lang.") {
			t.Errorf("phrase %q is defined but never used", id)
		}
	}
}

func TestTr(t *testing.T) {
	if got := tr(bot.English, "claim.conflict", 4); got != "Question 4 is already claimed, answered or closed." {
		t.Errorf("en: %q", got)
	}
	if got := tr(bot.French, "bc.title"); got != "Annonce" {
		t.Errorf("fr: %q", got)
	}
	if got := tr(bot.Unknown, "bc.title"); got != "Broadcast / Annonce" {
		t.Errorf("unknown: %q", got)
	}
	// The broadcast modal's picker takes a date and a time, in both languages.
	if got := tr(bot.English, "bc.at"); got != "Send date and time (optional)" {
		t.Errorf("bc.at en: %q", got)
	}
	if got := tr(bot.English, "no.such.id"); got != "no.such.id" {
		t.Errorf("missing: %q", got)
	}
	if got := langName(bot.French, bot.Unknown); got != "inconnue" {
		t.Errorf("langName: %q", got)
	}
}

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<!channel>", "&lt;!channel&gt;"},
		{"<!here> <!everyone>", "&lt;!here&gt; &lt;!everyone&gt;"},
		{"<!channel|channel> <!here|here>", "&lt;!channel|channel&gt; &lt;!here|here&gt;"},
		{"<!subteam^S1|@team>", "&lt;!subteam^S1|@team&gt;"},
		{"<!date^1^{date}^https://evil|x>", "&lt;!date^1^{date}^https://evil|x&gt;"},
		{"&amp;lt;!here&amp;gt;", "&amp;amp;lt;!here&amp;amp;gt;"},
		{"<@U123>", "&lt;@U123&gt;"},
		{"<#C123|general>", "&lt;#C123|general&gt;"},
		{"<http://x|y>", "&lt;http://x|y&gt;"},
		{"a & b", "a &amp; b"},
		{"&lt;", "&amp;lt;"},
		{"@channel @here @everyone", "@\u200bchannel @\u200bhere @\u200beveryone"},
		{"*bold* _it_ ~s~ `c`", "\u200b*\u200bbold\u200b*\u200b \u200b_\u200bit\u200b_\u200b \u200b~\u200bs\u200b~\u200b \u200b`\u200bc\u200b`\u200b"},
		{"evil\u202egnp.exe", "evilgnp.exe"},
		{"bell\x07 ok\nline\ttab", "bell ok\nline\ttab"},
		{"bad \xff utf8", "bad \ufffd utf8"},
		{"Où est mon passeport?", "Où est mon passeport?"},
	}
	for _, tt := range tests {
		if got := escape(tt.in); got != tt.want {
			t.Errorf("escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestQuoteAndTruncate(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		l        bot.Lang
		want     string
	}{
		{"fits", "line one\n<@U1> two", 100, bot.English, ">line one\n>&lt;@U1&gt; two"},
		{"exactly", "abcd", 5, bot.English, ">abcd"},
		// The note "…\n_(texte abrégé)_" takes 18 characters of the 30.
		{"long line", strings.Repeat("é", 50), 30, bot.French, ">" + strings.Repeat("é", 11) + "…\n_(texte abrégé)_"},
		// Counted on the escaped text; an entity or a fenced marker is
		// kept whole or left out.
		{"markers", strings.Repeat("*", 10), 20, bot.English, ">" + zwsp + "*" + zwsp + "…\n_(shortened)_"},
		{"entities", "<<<<<<", 23, bot.English, ">&lt;…\n_(shortened)_"},
		{"whole lines", "first line\nsecond line\nthird line", 28, bot.English, ">first line…\n_(shortened)_"},
		{"cut inside a line", "first line\nsecond line\nthird line", 30, bot.English, ">first line\n>se…\n_(shortened)_"},
		// An emoji counts two, as in UTF-16: Slack may count it so.
		{"emoji", strings.Repeat("😀", 20), 30, bot.English, ">" + strings.Repeat("😀", 7) + "…\n_(shortened)_"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := quote(tt.in, tt.max, tt.l)
			if got != tt.want {
				t.Errorf("quote(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
			if n := len(utf16.Encode([]rune(got))); n > tt.max {
				t.Errorf("quote(%q, %d) is %d UTF-16 code units", tt.in, tt.max, n)
			}
		})
	}
	if s, cut := truncate("abc", 3); s != "abc" || cut {
		t.Errorf("truncate exact = %q %v", s, cut)
	}
	if s, cut := truncate("😀😀", 4); s != "😀😀" || cut {
		t.Errorf("truncate two emoji to 4 = %q %v, want them whole", s, cut)
	}
	if s, cut := truncate("😀😀😀", 4); s != "😀…" || !cut {
		t.Errorf("truncate three emoji to 4 = %q %v, want one and an ellipsis", s, cut)
	}
}

func TestPlainText(t *testing.T) {
	names := func(id string) string {
		if id == "UMARIE" {
			return "Marie"
		}
		return ""
	}
	tests := []struct{ in, want string }{
		{"See <https://canada.ca|the page>", "See the page (https://canada.ca)"},
		{"See <https://canada.ca>", "See https://canada.ca"},
		{"<https://canada.ca|https://canada.ca>", "https://canada.ca"},
		{"Mail <mailto:a@b.ca|a@b.ca>", "Mail a@b.ca"},
		{"Ask <@UMARIE> or <@UX>", "Ask Marie or"},
		{"Ask <@UX|sam>", "Ask sam"},
		{"In <#C1|general> <#C2>", "In #general"},
		{"<!here> <!channel> hi <!subteam^S1|@team>", "hi"},
		{"On <!date^1392734382^{date}|Feb 18>", "On Feb 18"},
		{"1 &lt; 2 &amp;&amp; 3 &gt; 2", "1 < 2 && 3 > 2"},
		{"&amp;lt;", "&lt;"},
	}
	for _, tt := range tests {
		if got := plainText(tt.in, names); got != tt.want {
			t.Errorf("plainText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Untrusted text escaped for mrkdwn can neither ping, link nor format,
// whatever it holds.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"<!channel>", "@here", "<https://evil|click>", "<@U123>", "*bold* _it_ ~s~ `c`", "&lt;!channel&gt;", "\u202eevil", "\xff<"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := escape(s)
		for _, bad := range []string{"<", ">", "@here", "@channel", "@everyone", "\u202e", "\u2066"} {
			if strings.Contains(out, bad) {
				t.Fatalf("escape(%q) = %q holds %q", s, out, bad)
			}
		}
		if !utf8.ValidString(out) {
			t.Fatalf("escape(%q) is not valid UTF-8", s)
		}
	})
}

// A quoted text stays within its limit counted on the escaped text, and
// no citizen question or broadcast, however it escapes, makes a section
// Slack refuses (more than 3000 characters): Slack would refuse the whole
// post.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{
		strings.Repeat("*", 2000), strings.Repeat("<>", 1000), strings.Repeat("a\n\n", 666),
		strings.Repeat("&", 3000), strings.Repeat("@here ", 600), strings.Repeat("`_~", 900),
		strings.Repeat("\n", 4000), strings.Repeat("é😀", 1500), "\xff<\u202e" + strings.Repeat("x", 5000), "short",
	} {
		f.Add(s)
	}
	d, err := New(Config{DeskChannel: testDesk}, testBotToken, testAppToken, Options{Roster: testRoster(), Now: testClock})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, l := range []bot.Lang{bot.English, bot.French, bot.Unknown} {
			for _, max := range []int{100, 1000, maxQuoteChars} {
				out := quote(s, max, l)
				if n := len(utf16.Encode([]rune(out))); n > max {
					t.Fatalf("quote(%q, %d) is %d UTF-16 code units", s, max, n)
				}
				if strings.ContainsAny(strings.ReplaceAll("\n"+out, "\n>", "\n"), "<>") {
					t.Fatalf("quote(%q, %d) = %q holds markup", s, max, out)
				}
			}
			e := hostileEscalation()
			e.Question = s
			form := broadcastForm{EN: s, FR: s, Channels: []bot.ChannelKey{"discord:42"}}
			for _, blocks := range [][]slack.Block{d.escalationBlocks(e, l), d.previewBlocks(l, nil, form, true, maxQuoteChars)} {
				for _, txt := range sectionTexts(t, blocks) {
					if n := len(utf16.Encode([]rune(txt))); n > maxSectionChars {
						t.Fatalf("a text of %d UTF-16 code units for %q (Slack may refuse more than %d)", n, s, maxSectionChars)
					}
				}
			}
		}
	})
}
