package bot

import (
	"strings"
)

// Joining escalations: a new question the bot cannot answer joins an open
// escalation in the same language when the two are about the same thing —
// the same likely entry or topic, and mostly the same words — so staff
// answer once and everyone who asked gets the answer. Both are conditions:
// questions on one occasion share words ("parking at the ceremony", "a
// goat at the ceremony") and questions on one topic share an entry, and
// either alone would send one asker another question's answer.

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
	for _, w := range foldedWords(s) {
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

// similarity is the Dice coefficient of two word sets: the words they
// share, over the words of both. It is symmetric, so a short question is
// not close to a long one merely for holding a few of its words.
func similarity(a, b map[string]bool) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	n := 0
	for w := range a {
		if b[w] {
			n++
		}
	}
	return 2 * float64(n) / float64(len(a)+len(b))
}

// likelyConfidence is the confidence from which a question's best hit is
// its likely entry. Below it the knowledge base knows nothing of the
// question and its hits, and the topic they vote, are noise: an
// unanswerable question's best hit sits near 0.01.
const likelyConfidence = 0.10

// subject is what the knowledge base makes of a question.
type subject struct {
	topEntry string // the best hit
	topic    string // see RouteTopic
	known    bool   // the best hit reaches likelyConfidence
}

// subjectOf is the subject of a question searched with RoutingHits hits.
func subjectOf(hits []Hit) subject {
	s := subject{topic: RouteTopic(hits)}
	if len(hits) > 0 {
		s.topEntry, s.known = hits[0].EntryID, hits[0].Confidence >= likelyConfidence
	}
	return s
}

// same reports whether two questions are about the same thing as far as
// the knowledge base can tell: the same best hit, or both known to it and
// on the same topic, or both unknown to it (their words then decide).
func (s subject) same(o subject) bool {
	switch {
	case s.topEntry != "" && s.topEntry == o.topEntry:
		return true
	case s.known != o.known:
		return false
	case !s.known:
		return true
	}
	return s.topic != "" && strings.EqualFold(s.topic, o.topic)
}

// waitingEsc is what the engine keeps in memory of an escalation that new
// questions may join.
type waitingEsc struct {
	id      int64
	lang    Lang
	subject subject
	words   map[string]bool
}

// joinScore says how well a new question (its words and subject) matches
// w: 0 when they are not about the same thing, else the similarity of
// their words. The engine joins at joinThreshold or above.
func (w *waitingEsc) joinScore(words map[string]bool, s subject) float64 {
	if !w.subject.same(s) {
		return 0
	}
	return similarity(words, w.words)
}

// joinThreshold: two questions of five content words join when they
// share four; "passport renewal fee" and "passport renewal time", two words
// of three, do not.
const joinThreshold = 0.7
