package i18n

import (
	"math"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/liaison-gc/liaison/bot"
)

var _ bot.Detector = Detect

// Detect guesses whether short citizen text is English or French. It is
// built for chat: no accents, Québec French ("j'vais tu", "chu pas"), SMS
// spellings, typos, one or two words. Mixed text gets the language with the
// most evidence. It returns Unknown, with confidence 0, when the text
// carries no evidence either way (digits, emoji, a URL, an e-mail address,
// a postal code, a name, "ok").
//
// Evidence, summed as log-odds: words of a lexicon of frequent and
// service-specific words (accent-folded), French elisions (l', j', qu') and
// English contractions ('s, n't), accented words other than names, word
// endings typical of one language for words the lexicon lacks, and the way
// times and day ranges are written ("5pm", "Mon-Fri" against "17h",
// "lun-ven"). The confidence is the logistic of the summed evidence.
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
	// name marks a capitalised word inside a sentence ("thanks Hélène"):
	// probably a proper noun, whose accents and spelling say nothing about
	// the language of the message.
	name bool
	// lean is the evidence of a whole token that is not a word, such as a
	// time ("5pm", "17h") or a day range ("Mon-Fri"); folded is then empty.
	lean float64
}

// words splits text into words, skipping URLs, e-mail addresses, domains,
// mentions, emoji, digits and tokens mixing letters and digits (postal
// codes, form numbers), and separating elisions ("j'vais" → j' + vais) and
// contractions ("don't" → do + n't). Capitalised place and person names
// ("Trois-Rivières", "René-Lévesque", "Saint-Jérôme") and the names of
// agencies ("Revenu Québec", "Emploi Québec") are skipped whole.
func words(text string) []word {
	text = norm.NFC.String(text) // accents typed as combining marks count as letters
	shouting := !strings.ContainsFunc(text, unicode.IsLower)
	var out []word
	for line := range strings.Lines(text) {
		start := true // the next token begins a sentence
		fields := strings.Fields(line)
		for i, f := range fields {
			if i+1 < len(fields) && isAgencyName(f, fields[i+1]) {
				start = false
				continue
			}
			out = appendToken(out, f, start, shouting)
			end := strings.TrimRight(f, `"')]»”`)
			start = strings.HasSuffix(end, ".") || strings.HasSuffix(end, "!") || strings.HasSuffix(end, "?")
		}
	}
	return out
}

// tokenPunct is the punctuation trimmed from around a token before it is
// classified.
const tokenPunct = `.,;:!?()[]{}"'«»“”‘’…`

// appendToken appends the words of one whitespace-separated token f; start
// tells whether f begins a sentence, shouting whether the whole text is in
// capitals.
func appendToken(out []word, f string, start, shouting bool) []word {
	lower := strings.ToLower(f)
	if strings.Contains(lower, "://") || strings.HasPrefix(lower, "www.") || strings.ContainsRune(lower, '@') || strings.HasPrefix(lower, "<") || strings.HasPrefix(lower, "#") {
		return out
	}
	core := strings.Trim(f, tokenPunct)
	lowerCore := strings.ToLower(core)
	if isDomain(lowerCore) {
		return out
	}
	if strings.ContainsFunc(core, unicode.IsDigit) {
		if strings.ContainsFunc(core, unicode.IsLetter) {
			if e := numberLean(lowerCore); e != 0 {
				out = append(out, word{lean: e})
			}
		}
		return out
	}
	if e := dayRangeLean(lowerCore); e != 0 {
		return append(out, word{lean: e})
	}
	if !shouting {
		if e, ok := timeZones[core]; ok {
			return append(out, word{lean: e})
		}
	}
	if isPlaceName(core) {
		return out
	}
	if !start && len(core) == 1 && core != "I" && core[0] >= 'A' && core[0] <= 'Z' {
		// "Plan B", "vitamin C", "Part A": a label, not French "c" or "y".
		return out
	}
	if rest, ok := strings.CutPrefix(lower, "non-"); ok && rest != "" {
		// "non-resident", "non-résident": the prefix is shared.
		lower = rest
	}
	name := !start && isCapitalised(core)
	lower = strings.ReplaceAll(lower, "’", "'")
	lower = strings.ReplaceAll(lower, "`", "'")
	for _, part := range strings.FieldsFunc(lower, func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\''
	}) {
		part = strings.Trim(part, "'")
		if part == "" {
			continue
		}
		w := word{name: name}
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
	return out
}

// isCapitalised reports whether s starts with a capital and is not all in
// capitals (an acronym or shouting is not a name).
func isCapitalised(s string) bool {
	for _, r := range s {
		return unicode.IsUpper(r) && strings.ContainsFunc(s, unicode.IsLower)
	}
	return false
}

// isPlaceName reports whether a token is a compound place or person name:
// hyphenated with capitals at both ends ("Trois-Rivières", "René-Lévesque",
// "Rivière-du-Loup"), or a saint's name in any case ("saint-jérôme",
// "Ste-Foy").
func isPlaceName(core string) bool {
	if !strings.Contains(core, "-") {
		return false
	}
	parts := strings.Split(core, "-")
	switch strings.ToLower(parts[0]) {
	case "saint", "sainte", "st", "ste":
		return parts[1] != ""
	}
	return isCapitalised(parts[0]) && isCapitalised(parts[len(parts)-1]) && strings.ContainsFunc(core, unicode.IsLower)
}

// isAgencyName reports whether f, followed by next, begins the name of a
// provincial or federal agency: a capitalised word right before Québec or
// Canada ("Revenu Québec", "Retraite Québec", "Emploi Québec"). English
// text names them in French, so the first word says nothing. Function words
// and greetings ("Au Québec", "In Canada", "Bonjour Québec") are not names.
func isAgencyName(f, next string) bool {
	if !isCapitalised(f) || strings.ContainsAny(f, tokenPunct) {
		return false
	}
	if folded, _ := fold(strings.ToLower(f)); abs(lexicon[folded]) >= 2.5 {
		return false
	}
	switch strings.Trim(next, tokenPunct) {
	case "Québec", "Quebec", "Canada":
		return true
	}
	return false
}

// isDomain reports whether s looks like a host name or a web address
// without a scheme: "canada.ca", "servicecanada.gc.ca/fr/x.html".
func isDomain(s string) bool {
	host, _, _ := strings.Cut(s, "/")
	i := strings.LastIndexByte(host, '.')
	return i > 0 && topLevel[host[i+1:]]
}

var topLevel = map[string]bool{"ca": true, "com": true, "org": true, "net": true, "gov": true, "gouv": true, "fr": true, "io": true, "info": true, "edu": true, "us": true, "uk": true, "be": true, "ch": true, "html": true, "htm": true, "php": true, "pdf": true}

// numberLean is the evidence of a token mixing digits and letters: times
// and ordinals are written differently in the two languages ("5pm", "3rd"
// against "17h", "9h30", "3e"); anything else (a postal code, a form
// number) says nothing.
func numberLean(s string) float64 {
	d := strings.TrimLeftFunc(s, unicode.IsDigit)
	if len(d) == len(s) {
		return 0
	}
	if rest, ok := strings.CutPrefix(d, "h"); ok && (rest == "" || len(rest) == 2 && strings.Trim(rest, "0123456789") == "") {
		return 1.0
	}
	switch d {
	case "am", "pm", "st", "nd", "rd", "th":
		return -1.0
	case "e", "er", "re", "ere", "eme", "ème", "ième", "ieme":
		return 1.0
	}
	if strings.HasPrefix(d, ":") {
		if t := strings.TrimLeft(d[1:], "0123456789"); t == "am" || t == "pm" {
			return -1.0
		}
	}
	return 0
}

// dayRangeLean is the evidence of an abbreviated day range: "Mon-Fri" is
// English, "lun-ven" French.
func dayRangeLean(s string) float64 {
	a, b, ok := strings.Cut(strings.ReplaceAll(s, "–", "-"), "-")
	switch {
	case !ok:
		return 0
	case enDays[a] && enDays[b]:
		return -1.5
	case frDays[a] && frDays[b]:
		return 1.5
	}
	return 0
}

var (
	enDays = map[string]bool{"mon": true, "tue": true, "tues": true, "wed": true, "thu": true, "thur": true, "thurs": true, "fri": true, "sat": true, "sun": true}
	frDays = map[string]bool{"lun": true, "mar": true, "mer": true, "jeu": true, "ven": true, "sam": true, "dim": true}
)

// timeZones are abbreviations written in capitals; English "EST" is French
// "HNE" (heure normale de l'Est), and must not read as French "est".
var timeZones = map[string]float64{
	"EST": -1.5, "EDT": -1.5, "CST": -1.5, "CDT": -1.5, "MST": -1.5, "MDT": -1.5, "PST": -1.5, "PDT": -1.5,
	"AST": -1.5, "ADT": -1.5, "NST": -1.5, "NDT": -1.5,
	"HNE": 1.5, "HAE": 1.5, "HNC": 1.5, "HAC": 1.5, "HNR": 1.5, "HAR": 1.5, "HNP": 1.5, "HAP": 1.5, "HNA": 1.5, "HAA": 1.5,
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
	e := w.lean
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
	if shared[w.folded] {
		// Spelled alike in both languages ("question", "cheque"): only
		// an accent ("chèque", "téléphone") says French.
		if w.accents > 0 && !w.name {
			e += 1.5
		}
		return e
	}
	if v, ok := lexicon[w.folded]; ok {
		if v == 0 {
			return e // a name or a word of both languages, accented or not
		}
		if w.accents > 0 && !w.name {
			e += 1.5
		}
		return e + v
	}
	if w.folded == "" || w.name {
		return e
	}
	if w.accents > 0 {
		// Once per word however many letters carry one: a long accented
		// name must not outweigh the English words around it.
		e += 1.5
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
	case strings.Contains(s, "th") && !strings.Contains(s, "thod"):
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
	{"rer", 0.5}, {"ser", 0.5}, {"uer", 0.5}, {"ler", 0.4}, {"ger", 0.4}, {"ner", 0.4}, {"per", 0.4},
}
