package knowledge

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/liaison-gc/liaison/bot"
)

// Citizens often type French elisions without their apostrophe: "cest",
// "jai", "douverture", "lassurance", "sinscrire", and in Québec chat
// "jveux", "jme". The elision filter only removes "l'", "d'"... when the
// apostrophe is there, so such a word reached the index whole, unknown
// ("douverture" is not "ouverture"), and the question lost its key term.
//
// unelide splits such a word of a French query when the word is unknown to
// the knowledge base and what follows the elided letter is known, or is a
// stop word ("cest" is "c'" and "est"). Only queries are repaired: the
// knowledge base is written with its apostrophes.
func (li *langIndex) unelide(text string) string {
	if li.lang != bot.French || li.st == nil {
		return text
	}
	var b strings.Builder
	changed := false
	start := -1
	flush := func(end int) {
		w := text[start:end]
		if rest, ok := li.elided(w); ok {
			b.WriteString(w[:len(w)-len(rest)])
			b.WriteString("' ")
			b.WriteString(rest)
			changed = true
		} else {
			b.WriteString(w)
		}
		start = -1
	}
	for i, r := range text {
		letter := unicode.IsLetter(r)
		switch {
		case letter && start < 0:
			start = i
		case !letter && start >= 0:
			flush(i)
		}
		if !letter {
			b.WriteRune(r)
		}
	}
	if start >= 0 {
		flush(len(text))
	}
	if !changed {
		return text
	}
	return b.String()
}

// elided returns what follows the elided letter(s) of w when w reads as an
// elision typed without its apostrophe (see unelide).
func (li *langIndex) elided(w string) (string, bool) {
	if utf8.RuneCountInString(w) < 3 {
		return "", false
	}
	lw := strings.Map(foldRune, strings.ToLower(w))
	var n int // bytes of w the elided letters take (ASCII letters: same in w)
	switch {
	case strings.HasPrefix(lw, "qu") && vowelAt(lw, 2):
		n = 2
	case strings.IndexByte("dljmtsn", lw[0]) >= 0 && vowelAt(lw, 1):
		n = 1
	case lw[0] == 'c' && len(lw) > 1 && lw[1] == 'e':
		n = 1 // c'est, c'était
	case lw[0] == 'j' && len(lw) > 3 && strings.IndexByte("bcdfgmnpstv", lw[1]) >= 0:
		n = 1 // Québec chat: jveux, jme, jsuis, jpeux
	default:
		return "", false
	}
	if !isASCIILetter(w[0]) || (n == 2 && !isASCIILetter(w[1])) {
		return "", false
	}
	if li.known(w) {
		return "", false
	}
	rest := w[n:]
	if utf8.RuneCountInString(rest) < 2 {
		return "", false
	}
	toks := li.analyzer.Analyze([]byte(rest))
	if len(toks) == 0 {
		return rest, true // a stop word: "cest", "jai", "quil"
	}
	if utf8.RuneCountInString(rest) < 3 {
		return "", false
	}
	for _, t := range toks {
		if li.st.lookup(string(t.Term)) < 0 {
			return "", false
		}
	}
	return rest, true
}

// known reports whether w, analyzed alone, is a stop word or only terms of
// the knowledge base.
func (li *langIndex) known(w string) bool {
	for _, t := range li.analyzer.Analyze([]byte(w)) {
		if li.st.lookup(string(t.Term)) < 0 {
			return false
		}
	}
	return true
}

func vowelAt(s string, i int) bool {
	return i < len(s) && strings.IndexByte("aeiouyh", s[i]) >= 0
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
