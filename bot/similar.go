package bot

import (
	"strings"
	"unicode"
)

// Joining escalations: a new question the bot cannot answer joins an open
// escalation in the same language when the two are about the same thing —
// the same likely entry or topic and similar words — so staff answer once
// and everyone who asked gets the answer.

// stopWords are frequent English and French words, accent-folded, that say
// nothing about what a question is about.
var stopWords = wordSet(`
	a an and are as at be been but by can could do does did for from get got had has have how i if in into
	is it its me my no not of on or our please so than that the their them then there these they this to
	us was we were what when where which who why will with would you your hello hi thanks thank
	au aux avec ce ces cette comment dans de des du elle en est et etre il ils je la le les leur lui ma mais
	me mes moi mon ne nos notre nous on ou par pas pour qu que quel quelle quels qui sa se ses si son sur ta
	te tes toi ton tu un une vos votre vous y bonjour merci est-ce j'ai c'est svp
`)

// tokens returns the distinct content words of s, folded, with a crude
// suffix strip so "passports" and "passport" match.
func tokens(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len(w) < 3 || stopWords[w] {
			continue
		}
		for _, suf := range []string{"ies", "es", "s", "x"} {
			if len(w) > 4 && strings.HasSuffix(w, suf) {
				w = strings.TrimSuffix(w, suf)
				break
			}
		}
		out[w] = true
	}
	return out
}

// overlap is the share of the smaller set's words found in the other set.
func overlap(a, b map[string]bool) float64 {
	small, big := a, b
	if len(small) > len(big) {
		small, big = big, small
	}
	if len(small) == 0 {
		return 0
	}
	n := 0
	for w := range small {
		if big[w] {
			n++
		}
	}
	return float64(n) / float64(len(small))
}

// waitingEsc is what the engine keeps in memory of an escalation that new
// questions may join.
type waitingEsc struct {
	id       int64
	lang     Lang
	topic    string
	topEntry string
	words    map[string]bool
}

// joinScore says how well a new question (its words and likely entry)
// matches w; the engine joins at joinThreshold or above.
func (w *waitingEsc) joinScore(words map[string]bool, topEntry, topic string) float64 {
	s := overlap(words, w.words)
	switch {
	case topEntry != "" && topEntry == w.topEntry:
		s += 0.25
	case topic != "" && strings.EqualFold(topic, w.topic):
		s += 0.1
	}
	return s
}

const joinThreshold = 0.75
