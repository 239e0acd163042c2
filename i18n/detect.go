package i18n

import (
	"math"
	"strings"
	"unicode"

	"github.com/liaison-gc/liaison/bot"
)

var _ bot.Detector = Detect

// Detect guesses whether short citizen text is English or French. It is
// built for chat: no accents, Québec French ("j'vais tu", "chu pas"), SMS
// spellings, typos, one or two words. Mixed text gets the language with the
// most evidence. It returns Unknown, with confidence 0, when the text
// carries no evidence either way (digits, emoji, a URL, a name).
//
// Evidence, summed as log-odds: words of a lexicon of frequent and
// service-specific words (accent-folded), French elisions (l', j', qu') and
// English contractions ('s, n't), accented letters, and word endings typical
// of one language for words the lexicon lacks. The confidence is the
// logistic of the summed evidence.
//
// Detect is a pure function, safe for concurrent use.
func Detect(text string) (bot.Lang, float64) {
	score := 0.0 // > 0: French
	for _, w := range words(text) {
		score += wordEvidence(w)
	}
	if math.Abs(score) < 0.3 {
		return bot.Unknown, 0
	}
	conf := 1 / (1 + math.Exp(-math.Abs(score)))
	if score > 0 {
		return bot.French, conf
	}
	return bot.English, conf
}

// word is one token: its folded form and whether it had French accents.
type word struct {
	folded  string
	accents int // letters with French diacritics (é, è, à, ç, ...)
	prefix  string
	suffix  string
}

// words splits text into lower-case words, skipping URLs, mentions, emoji
// and digits, and separating elisions ("j'vais" → j' + vais) and
// contractions ("don't" → do + n't).
func words(text string) []word {
	var out []word
	for _, f := range strings.Fields(strings.ToLower(text)) {
		if strings.Contains(f, "://") || strings.HasPrefix(f, "www.") || strings.HasPrefix(f, "@") || strings.HasPrefix(f, "<") || strings.HasPrefix(f, "#") {
			continue
		}
		f = strings.ReplaceAll(f, "’", "'")
		f = strings.ReplaceAll(f, "`", "'")
		for _, part := range strings.FieldsFunc(f, func(r rune) bool {
			return !unicode.IsLetter(r) && r != '\''
		}) {
			part = strings.Trim(part, "'")
			if part == "" {
				continue
			}
			w := word{}
			if i := strings.IndexByte(part, '\''); i > 0 {
				head, tail := part[:i], part[i+1:]
				switch {
				case frElision[head] && tail != "" && tail != "s" && tail != "t":
					w.prefix = head + "'"
					part = tail
				case enContraction[tail]:
					w.suffix = "'" + tail
					part = head
				}
			}
			w.folded, w.accents = fold(part)
			out = append(out, w)
		}
	}
	return out
}

var frElision = map[string]bool{"l": true, "j": true, "d": true, "qu": true, "c": true, "n": true, "s": true, "m": true, "t": true, "jusqu": true, "lorsqu": true, "puisqu": true, "quoiqu": true, "presqu": true}

var enContraction = map[string]bool{"s": true, "t": true, "m": true, "re": true, "ll": true, "ve": true, "d": true}

// fold removes French diacritics and counts them.
func fold(s string) (string, int) {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if f, ok := folds[r]; ok {
			b.WriteString(f)
			n++
			continue
		}
		b.WriteRune(r)
	}
	return b.String(), n
}

var folds = map[rune]string{
	'à': "a", 'â': "a", 'ä': "a", 'ç': "c", 'é': "e", 'è': "e", 'ê': "e", 'ë': "e",
	'î': "i", 'ï': "i", 'ô': "o", 'ö': "o", 'ù': "u", 'û': "u", 'ü': "u", 'ÿ': "y", 'œ': "oe", 'æ': "ae",
}

// wordEvidence is the log-odds that w is French (negative: English).
func wordEvidence(w word) float64 {
	e := 0.0
	if w.prefix != "" {
		e += 2
	}
	if w.suffix != "" {
		switch w.suffix {
		case "'t":
			if w.folded == "don" || w.folded == "can" || w.folded == "won" || strings.HasSuffix(w.folded, "n") {
				e -= 2.5
			}
		default:
			e -= 1.5
		}
	}
	if w.accents > 0 {
		e += 1.5 * float64(w.accents)
	}
	if v, ok := lexicon[w.folded]; ok {
		return e + v
	}
	if w.folded == "" {
		return e
	}
	return e + shapeEvidence(w.folded)
}

// shapeEvidence guesses from the spelling of a word the lexicon lacks.
func shapeEvidence(s string) float64 {
	n := len(s)
	if n < 3 {
		return 0
	}
	e := 0.0
	for _, x := range enEndings {
		if n > len(x.s)+1 && strings.HasSuffix(s, x.s) {
			e -= x.w
			break
		}
	}
	for _, x := range frEndings {
		if n > len(x.s)+1 && strings.HasSuffix(s, x.s) {
			e += x.w
			break
		}
	}
	switch {
	case strings.Contains(s, "th") && !strings.Contains(s, "thod") && !strings.Contains(s, "thé"):
		e -= 0.8
	case strings.Contains(s, "wh") || strings.Contains(s, "sh") || strings.ContainsRune(s, 'w') || strings.ContainsRune(s, 'k'):
		e -= 0.7
	}
	if strings.Contains(s, "ou") && !strings.Contains(s, "ough") && !strings.Contains(s, "our") && !strings.Contains(s, "ous") && !strings.Contains(s, "out") && !strings.Contains(s, "oun") {
		e += 0.4
	}
	if strings.Contains(s, "qu") {
		e += 0.3
	}
	if strings.HasSuffix(s, "y") {
		e -= 0.6
	}
	return e
}

type ending struct {
	s string
	w float64
}

// Word endings, longest first within each list.
var enEndings = []ending{
	{"ness", 1.5}, {"ship", 1.2}, {"ight", 1.5}, {"ough", 1.5}, {"ities", 1.2}, {"ing", 1.5}, {"ful", 1.2}, {"less", 1.0},
	{"ly", 0.9}, {"ity", 0.8}, {"ied", 1.2}, {"ies", 0.6}, {"ed", 0.9}, {"ck", 1.0}, {"ay", 0.8}, {"ow", 0.8}, {"er", 0.3},
}

var frEndings = []ending{
	{"aient", 2}, {"eaux", 2}, {"euse", 1.5}, {"ment", 0.2}, {"eux", 1.5}, {"eau", 1.5}, {"ait", 1.2}, {"ais", 1.0}, {"oir", 1.0},
	{"ees", 1.2}, {"ez", 1.5}, {"ons", 0.6}, {"ite", 0.5}, {"ique", 0.6}, {"iere", 1.2}, {"ier", 0.6}, {"eur", 0.7},
	{"tions", 0.3}, {"ee", 0.5}, {"es", 0.3}, {"aire", 0.4}, {"elle", 0.8}, {"ette", 0.8}, {"ent", 0.2},
}
