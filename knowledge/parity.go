package knowledge

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/liaison-gc/liaison/bot"
)

// Parity compares the facts each entry's English and French halves state
// and returns warnings naming every fact one half gives and the other does
// not (one warning per entry and kind of fact): a phone number, an e-mail
// address, a link's site, an amount, a date, a time, a duration, a number;
// and a different number of links. Facts are read in each language's own
// forms, so that "1-800-555-0199" and "1 800 555-0199", "$1,234.50" and
// "1 234,50 $", "5 p.m." and "17 h", "March 3" and "3 mars", "30 days" and
// "30 jours" are the same fact. Entries in one language only are skipped.
//
// A warning is a Problem that does not make the knowledge base unfit to
// serve: Validate does not call Parity, and neither do Open and Reload.
// It is placed at the half that lacks the fact, or at the entry when both
// halves give a fact the other lacks. See doc.go for what is compared.
func Parity(entries []Entry) Problems {
	var ws Problems
	for i := range entries {
		e := &entries[i]
		if !e.Has(bot.English) || !e.Has(bot.French) {
			continue
		}
		en, fr := halfFacts(bot.English, &e.EN), halfFacts(bot.French, &e.FR)
		onlyEN, onlyFR := unmatched(en, fr, e.FR.Answer), unmatched(fr, en, e.EN.Answer)
		sites := false // a site only one half links to, which says enough
		for k := factKind(0); k < numKinds; k++ {
			a, b := ofKind(onlyEN, k), ofKind(onlyFR, k)
			if len(a) == 0 && len(b) == 0 {
				continue
			}
			sites = sites || k == kindLink
			ws = append(ws, driftWarning(e, k, a, b))
		}
		if n, m := linkCount(&e.EN), linkCount(&e.FR); n != m && !sites {
			ws = append(ws, Problem{Pos: e.Source, ID: e.ID, Msg: fmt.Sprintf("the English half has %s, the French half %s: give each half the same links, each in its own language", plural(n, "link"), plural(m, "link"))})
		}
	}
	return ws
}

// factKind is what a fact is; the order is that of the warnings.
type factKind int

const (
	kindPhone factKind = iota
	kindEmail
	kindLink
	kindAmount
	kindDate
	kindTime
	kindDuration
	kindNumber
	numKinds
)

var kindNames = [numKinds][2]string{
	{"phone number", "phone numbers"},
	{"e-mail address", "e-mail addresses"},
	{"link to", "links to"},
	{"amount", "amounts"},
	{"date", "dates"},
	{"time", "times"},
	{"duration", "durations"},
	{"number", "numbers"},
}

// numeric reports whether facts of the kind are quantities, which may be
// written as another kind in the other language ("age 60" and "60 ans").
func (k factKind) numeric() bool { return k >= kindAmount }

// fact is one fact of an answer: key is its normalised value, equal for
// the same fact in either language; text is how the answer writes it;
// loose holds, its own first, the numbers it may be written as in another
// kind of fact (a time's hour on a 12-hour clock).
type fact struct {
	kind  factKind
	key   string
	alt   string // another key it may have: "4:30" may be 16:30
	text  string
	loose []string
}

// halfFacts reads the facts of one half: its answer's, and the sites of
// its links.
func halfFacts(lang bot.Lang, t *Text) []fact {
	fs := answerFacts(lang, t.Answer)
	for _, l := range t.Links {
		if h := linkHost(l); h != "" {
			fs = append(fs, fact{kind: kindLink, key: h, text: h})
		}
	}
	return fs
}

// unmatched returns the facts of a that other, the facts of the other
// half, does not state; otherAnswer is that half's answer, searched for
// numbers written as words. A fact matches one of the same kind and key
// (or alternative key).
// A quantity also matches one of another kind that shares a number with it
// ("5" and "17 h", "age 60" and "60 ans"), and a small one matches its
// number written as a word ("2 photos" and "deux photos"): forms differ
// between the languages more than the facts do, and a warning that is not
// a drift costs the author more than the rare drift these let through.
func unmatched(a, other []fact, otherAnswer string) []fact {
	type kk struct {
		kind factKind
		key  string
	}
	keys := make(map[kk]bool, len(other))
	loose := make(map[string][]factKind)
	for _, f := range other {
		keys[kk{f.kind, f.key}] = true
		if f.alt != "" {
			keys[kk{f.kind, f.alt}] = true
		}
		for _, n := range f.loose {
			loose[n] = append(loose[n], f.kind)
		}
	}
	var words map[string]bool
	var out []fact
	seen := map[kk]bool{}
	for _, f := range a {
		k := kk{f.kind, f.key}
		if keys[k] || seen[k] || f.alt != "" && keys[kk{f.kind, f.alt}] {
			continue
		}
		if f.kind.numeric() && looseMatch(f, loose) {
			continue
		}
		if words == nil {
			words = wordsOf(otherAnswer)
		}
		if spelled(f, words) {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}

func looseMatch(f fact, loose map[string][]factKind) bool {
	for _, n := range f.loose {
		for _, k := range loose[n] {
			if k != f.kind {
				return true
			}
		}
	}
	return false
}

// spelled reports whether a number, a duration or a number of millions
// is written as a word in the other answer (its set of lower-cased words),
// or a time as noon or midnight.
func spelled(f fact, words map[string]bool) bool {
	if len(f.loose) == 0 {
		return false
	}
	n := f.loose[0]
	switch f.kind {
	case kindTime:
		return (n == "12" || n == "0" || n == "24") && (words["noon"] || words["midi"] || words["midnight"] || words["minuit"])
	case kindAmount:
		// "$1 million" and « un million de dollars ».
		scaled := len(f.loose) == 2 && f.loose[0] != f.loose[1]
		if !scaled || !slices.ContainsFunc([]string{"million", "millions", "milliard", "milliards", "billion", "billions"}, func(w string) bool { return words[w] }) {
			return false
		}
		fallthrough
	case kindNumber, kindDuration:
		for w, v := range durationWords {
			if v == n && words[w] {
				return true
			}
		}
		return slices.ContainsFunc(numberWords[n], func(w string) bool { return words[w] })
	}
	return false
}

// wordsOf returns the set of an answer's lower-cased words, hyphenated
// ones ("dix-huit", "two-step") also in their parts.
func wordsOf(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r == '-' || unicode.IsLetter(r))
	}) {
		m[w] = true
		for _, part := range strings.Split(w, "-") {
			m[part] = true
		}
	}
	return m
}

func ofKind(fs []fact, k factKind) []string {
	var out []string
	for _, f := range fs {
		if f.kind == k && !slices.Contains(out, f.text) {
			out = append(out, f.text)
		}
	}
	return out
}

const driftAdvice = "check which half is right and make both state the same"

// driftWarning words the warning for facts of kind k that only the English
// half (en) or only the French half (fr) states.
func driftWarning(e *Entry, k factKind, en, fr []string) Problem {
	name := func(xs []string) string {
		if len(xs) == 1 {
			return kindNames[k][0]
		}
		return kindNames[k][1]
	}
	what, gives := "answer", "gives"
	if k == kindLink {
		what, gives = "half", "has"
	}
	switch {
	case len(fr) == 0:
		return Problem{Pos: cmp.Or(e.FR.Pos, e.Source), ID: e.ID, Lang: bot.French, Msg: fmt.Sprintf("the French %s lacks the %s %s that the English %s %s: %s", what, name(en), strings.Join(en, ", "), what, gives, driftAdvice)}
	case len(en) == 0:
		return Problem{Pos: cmp.Or(e.EN.Pos, e.Source), ID: e.ID, Lang: bot.English, Msg: fmt.Sprintf("the English %s lacks the %s %s that the French %s %s: %s", what, name(fr), strings.Join(fr, ", "), what, gives, driftAdvice)}
	case k == kindLink:
		return Problem{Pos: e.Source, ID: e.ID, Msg: fmt.Sprintf("the halves link to different sites: the English half to %s, the French half to %s: %s", strings.Join(en, ", "), strings.Join(fr, ", "), driftAdvice)}
	}
	return Problem{Pos: e.Source, ID: e.ID, Msg: fmt.Sprintf("the %s differ: the English answer gives %s, the French answer %s: %s", kindNames[k][1], strings.Join(en, ", "), strings.Join(fr, ", "), driftAdvice)}
}

func plural(n int, what string) string {
	switch n {
	case 0:
		return "no " + what + "s"
	case 1:
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// linkCount counts a half's distinct links: those of its links and those
// written in its answer.
func linkCount(t *Text) int {
	seen := map[string]bool{}
	for _, l := range t.Links {
		seen[strings.TrimRight(strings.TrimSpace(l), "/")] = true
	}
	for _, u := range urlRE.FindAllString(t.Answer, -1) {
		seen[strings.TrimRight(trimURL(u), "/")] = true
	}
	return len(seen)
}

// linkHost is a link's site, lower-cased and without "www.": the French
// page of a site is most often at another path ("/en/" and "/fr/", a
// translated slug), so only sites are compared.
func linkHost(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(strings.ToLower(s), "www.") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

func trimURL(u string) string { return strings.TrimRight(u, ".,;:!?)]}»") }

// The forms of facts. sp is a space as written between the parts of a
// number, a time or an amount: also the no-break, narrow no-break and thin
// spaces of French typography.
const (
	spChars = ` \x{00A0}\x{202F}\x{2009}`
	sp      = `[` + spChars + `]`
	sep     = `[-.\x{2010}-\x{2013}` + spChars + `]` // hyphens, the no-break one, en dash
	urlP    = `\bhttps?://[^\s<>"'\x{00AB}\x{00BB}]+|\bwww\.[a-z0-9-]+(?:\.[a-z0-9-]+)+[^\s<>"'\x{00AB}\x{00BB}]*`
	emailP  = `[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`
	phoneP  = `(?:\+?1` + sep + `?)?(?:\(\d{3}\)` + sp + `?|\d{3}` + sep + `)\d{3}` + sep + `\d{4}\b`
	isoP    = `\b\d{4}-\d{2}-\d{2}\b`
	monthEN = `(?:January|February|March|April|May|June|July|August|September|October|November|December)`
	monthFR = `janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre`
	dayEN   = `\d{1,2}(?:st|nd|rd|th)?`
	dayFR   = `\d{1,2}(?:er|re|st|nd|rd|th)?`
	// dateP is a date or a range of days of one month ("March 3 to 5", « du
	// 3 au 5 mars »), with or without its year.
	dateP = `\b` + monthEN + sp + dayEN + `(?:` + sp + `?(?:[-\x{2013}]|to|and|or|through)` + sp + `?` + dayEN + `)?\b(?:,?` + sp + `\d{4}\b)?` +
		`|\b(?:` + dayFR + `(?:` + sp + `(?:au|à|et|ou|to|and|or)(?:` + sp + `(?:le|du|the))?` + sp + `|` + sp + `?[-\x{2013}]` + sp + `?))?` + dayFR + sp + `(?:of` + sp + `)?(?:` + monthEN + `|(?i:` + monthFR + `))\b(?:,?` + sp + `\d{4}\b)?`
	ampmP  = `\b\d{1,2}(?::\d{2})?` + sp + `?[aApP]\.?` + sp + `?[mM]\b\.?`
	colonP = `\b\d{1,2}:\d{2}\b`
	hourP  = `\b\d{1,2}` + sp + `?h(?:` + sp + `?\d{2})?\b`
	units  = `days?|weeks?|months?|years?|hours?|minutes?|mins?|hrs?|seconds?|jours?|semaines?|mois|ans?|années?|heures?|secondes?`
	unitP  = `(?i:(?:business|working|calendar)` + sp + `)?(?i:` + units + `)\b(?:` + sp + halfP + `)?`
	// halfP is the half after a unit ("1 heure et demie", "2 hours and a
	// half").
	halfP  = `(?i:et` + sp + `demie|and` + sp + `a` + sp + `half)\b`
	scaleP = `(?i:millions?|milliards?|billions?)`
	// vanityP is a phone number spelled with letters ("1-844-ANIMAUX",
	// "1 800 O-Canada").
	vanityP = `\b1` + sep + `?8\d\d` + sep + `{0,2}[A-Z][A-Za-z-]{3,}\b`
	// sizeP is a file's size ("PDF 166 Kb", « PDF 241 Ko »): each
	// language's document has its own.
	sizeP = `\b(?i:[kmg][bo]|[kmg]io|bytes|octets)\b`
)

// durationWords are the number words read before a unit of time ("two
// weeks", « deux semaines »). One, un and une are left out: they are also
// articles ("once a day", « un jour »).
var durationWords = map[string]string{
	"two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
	"ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
	"sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30",
	"forty": "40", "fifty": "50", "sixty": "60", "ninety": "90",
	"deux": "2", "trois": "3", "quatre": "4", "cinq": "5", "sept": "7", "huit": "8", "neuf": "9",
	"dix": "10", "onze": "11", "douze": "12", "treize": "13", "quatorze": "14", "quinze": "15", "seize": "16",
	"dix-sept": "17", "dix-huit": "18", "dix-neuf": "19", "vingt": "20", "trente": "30", "quarante": "40",
	"cinquante": "50", "soixante": "60", "quatre-vingt-dix": "90",
}

// numberWords lists, for a number, the words other than durationWords it
// may be written as in either language: articles, ordinals, "both".
var numberWords = map[string][]string{
	"0":   {"zero", "zéro"},
	"1":   {"one", "a", "an", "un", "une", "first", "premier", "première", "once", "single", "seul", "seule"},
	"2":   {"second", "deuxième", "both", "twice"},
	"3":   {"third", "troisième"},
	"4":   {"fourth", "quatrième"},
	"5":   {"fifth", "cinquième"},
	"6":   {"sixth", "sixième"},
	"7":   {"seventh", "septième"},
	"8":   {"eighth", "huitième"},
	"9":   {"ninth", "neuvième"},
	"10":  {"tenth", "dixième"},
	"0.5": {"half", "demi", "demie", "moitié"},
}

// wordsP matches durationWords, the longest first ("dix-sept" before
// "dix").
var wordsP = func() string {
	ws := slices.Collect(maps.Keys(durationWords))
	slices.SortFunc(ws, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	return `\b(?i:` + strings.Join(ws, "|") + `)`
}()

var urlRE = regexp.MustCompile(`(?i)` + urlP)

// numP is a number as each language writes it: English groups thousands
// with commas and writes decimals with a point; French groups them with
// spaces and writes decimals with a comma. Both accept groups of spaces.
var numP = map[bot.Lang]string{
	bot.English: `\d{1,3}(?:,\d{3})+(?:\.\d+)?\b|\d{1,3}(?:` + sp + `\d{3})+\b|\d+(?:\.\d+)?`,
	bot.French:  `\d{1,3}(?:` + sp + `\d{3})+(?:,\d+)?\b|\d+(?:[,.]\d+)?`,
}

// factREs holds, per language, one expression of every form in order of
// precedence (a phone number before its digits as numbers), each its own
// group; numREs reads the number of an amount or a duration.
var factREs, numREs = func() (m, n map[bot.Lang]*regexp.Regexp) {
	m, n = map[bot.Lang]*regexp.Regexp{}, map[bot.Lang]*regexp.Regexp{}
	for _, l := range bot.Langs {
		num := numP[l]
		alts := []string{
			emailP,
			`(?i:` + urlP + `)`,
			phoneP,
			vanityP,
			isoP,
			dateP,
			ampmP,
			colonP,
			hourP,
			`\$` + sp + `?(?:` + num + `)(?:` + sp + scaleP + `\b)?`,
			`(?:` + num + `)` + sp + `?(?:` + scaleP + sp + `(?:de` + sp + `|d')?)?(?:\$|(?i:dollars?)\b)|(?:` + num + `)` + sp + `?[MG]\$`,
			`(?:` + num + `)` + sp + `?` + sizeP,
			`(?:` + num + `)` + sp + `?` + unitP,
			wordsP + sp + unitP,
			`(?:` + num + `)`,
		}
		for i, a := range alts {
			alts[i] = `(` + a + `)`
		}
		m[l] = regexp.MustCompile(strings.Join(alts, "|"))
		n[l] = regexp.MustCompile(num)
	}
	return m, n
}()

// The groups of factREs, in order.
const (
	gEmail = iota + 1
	gURL
	gPhone
	gVanity
	gISO
	gDate
	gAMPM
	gColon
	gHour
	gDollarFirst
	gDollarLast
	gSize
	gDuration
	gWordDuration
	gNumber
)

var (
	digitsRE = regexp.MustCompile(`\d+`)
	alnumRE  = regexp.MustCompile(`[0-9A-Za-z]+`)
	monthRE  = regexp.MustCompile(`(?i)` + monthEN + `|` + monthFR)
	unitRE   = regexp.MustCompile(`(?i)(?:` + units + `)$`)
	halfRE   = regexp.MustCompile(sp + halfP + `$`)
	scaleRE  = regexp.MustCompile(`(?i)` + scaleP)
)

// answerFacts reads the facts an answer written in lang states.
func answerFacts(lang bot.Lang, s string) []fact {
	var fs []fact
	for _, m := range factREs[lang].FindAllStringSubmatchIndex(s, -1) {
		g := 1
		for m[2*g] < 0 {
			g++
		}
		text := s[m[0]:m[1]]
		show := strings.Map(spaceOf, text)
		add := func(k factKind, key string, loose ...string) {
			fs = append(fs, fact{kind: k, key: key, text: show, loose: loose})
		}
		switch g {
		case gEmail:
			add(kindEmail, strings.ToLower(text))
		case gURL:
			u := trimURL(text)
			if h := linkHost(u); h != "" {
				fs = append(fs, fact{kind: kindLink, key: h, text: h})
			}
		case gPhone:
			d := strings.Join(digitsRE.FindAllString(text, -1), "")
			if len(d) == 11 {
				d = d[1:] // the long-distance 1
			}
			add(kindPhone, d)
		case gVanity:
			d := strings.ToUpper(strings.Join(alnumRE.FindAllString(text, -1), ""))
			add(kindPhone, strings.TrimPrefix(d, "1"))
		case gSize:
		case gISO:
			p := digitsRE.FindAllString(text, -1)
			mo, _ := strconv.Atoi(p[1])
			day, _ := strconv.Atoi(p[2])
			if mo >= 1 && mo <= 12 && day >= 1 && day <= 31 {
				fs = append(fs, fact{kind: kindDate, key: fmt.Sprintf("%02d-%02d", mo, day), text: show})
				fs = append(fs, fact{kind: kindNumber, key: p[0], text: p[0], loose: []string{p[0]}})
			}
		case gDate:
			mo := monthNumber(monthRE.FindString(text))
			for _, d := range digitsRE.FindAllString(text, -1) {
				if len(d) == 4 {
					// The year is compared on its own, so that "March
					// 3, 2025" matches "3 mars" and a "2025" said
					// elsewhere.
					fs = append(fs, fact{kind: kindNumber, key: d, text: d, loose: []string{d}})
					continue
				}
				if day, _ := strconv.Atoi(d); day >= 1 && day <= 31 && mo > 0 {
					fs = append(fs, fact{kind: kindDate, key: fmt.Sprintf("%02d-%02d", mo, day), text: show})
				}
			}
		case gAMPM, gColon, gHour:
			p := digitsRE.FindAllString(text, -1)
			h, _ := strconv.Atoi(p[0])
			mi := 0
			if len(p) > 1 {
				mi, _ = strconv.Atoi(p[1])
			}
			if g == gAMPM {
				if h < 1 || h > 12 {
					break
				}
				h %= 12
				if strings.ContainsAny(text, "pP") {
					h += 12
				}
			}
			if g == gHour && len(p) == 1 && h > 23 {
				// "24 h", "48 h": hours, not a time of day.
				key, loose := durationKey(p[0], "hour", false)
				add(kindDuration, key, loose...)
				break
			}
			if h > 24 || mi > 59 {
				break
			}
			loose := []string{strconv.Itoa(h)}
			if h > 12 {
				loose = append(loose, strconv.Itoa(h-12))
			}
			if mi > 0 {
				// "1:50" may be a ratio, « 1 : 50 » in French.
				loose = append(loose, strconv.Itoa(mi))
			}
			if g == gHour && mi > 0 && h < 12 {
				// « 1 h 30 » is also a duration: 90 minutes.
				loose = append(loose, strconv.Itoa(h*60+mi))
			}
			add(kindTime, fmt.Sprintf("%02d:%02d", h%24, mi), loose...)
			if g == gColon && h >= 1 && h <= 11 {
				// "from 8:30 to 4:30" and « de 8 h 30 à 16 h 30 ».
				fs[len(fs)-1].alt = fmt.Sprintf("%02d:%02d", h+12, mi)
			}
		case gDollarFirst, gDollarLast:
			v, ok := parseNum(lang, numREs[lang].FindString(text))
			if !ok {
				break
			}
			loose := []string{fmtNum(v)}
			switch sc := strings.ToLower(scaleRE.FindString(text)); {
			case strings.HasPrefix(sc, "milliard"), strings.HasPrefix(sc, "billion"), strings.HasSuffix(text, "G$"):
				v *= 1e9
			case sc != "", strings.HasSuffix(text, "M$"):
				v *= 1e6
			}
			add(kindAmount, fmtNum(math.Round(v*100)/100), append(loose, fmtNum(v))...)
		case gDuration, gWordDuration:
			var n string
			if g == gDuration {
				v, ok := parseNum(lang, numREs[lang].FindString(text))
				if !ok {
					break
				}
				n = fmtNum(v)
			} else {
				n = durationWords[strings.ToLower(strings.Fields(strings.Map(spaceOf, text))[0])]
			}
			u := unitOf(unitRE.FindString(halfRE.ReplaceAllString(text, "")))
			key, loose := durationKey(n, u, halfRE.MatchString(text))
			add(kindDuration, key, loose...)
		case gNumber:
			if namePart(s[:m[0]]) {
				break
			}
			v, ok := parseNum(lang, text)
			if !ok {
				break
			}
			add(kindNumber, fmtNum(v), fmtNum(v))
		}
	}
	return fs
}

// spaceOf maps the spaces of sp to a plain space.
func spaceOf(r rune) rune {
	if r == '\u00a0' || r == '\u202f' || r == '\u2009' {
		return ' '
	}
	return r
}

// namePart reports whether a number that follows before is part of a name
// ("H1N1", "COVID-19", "C-15") rather than a quantity: it follows a letter,
// or a letter and a hyphen. Such a name is often written differently in
// the other language ("COVID-19's spread" and « la COVID ») or left out.
func namePart(before string) bool {
	r, n := utf8.DecodeLastRuneInString(before)
	if r == '-' || r == '\u2010' || r == '\u2011' {
		r, _ = utf8.DecodeLastRuneInString(before[:len(before)-n])
	}
	return unicode.IsLetter(r)
}

// parseNum reads a number as lang writes it.
func parseNum(lang bot.Lang, s string) (float64, bool) {
	s = strings.Map(func(r rune) rune {
		if spaceOf(r) == ' ' {
			return -1
		}
		return r
	}, s)
	if lang == bot.French {
		s = strings.ReplaceAll(s, ",", ".")
	} else {
		s = strings.ReplaceAll(s, ",", "")
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func monthNumber(name string) int {
	name = strings.ToLower(name)
	for i, ms := range [12][]string{
		{"january", "janvier"}, {"february", "février", "fevrier"}, {"march", "mars"},
		{"april", "avril"}, {"may", "mai"}, {"june", "juin"}, {"july", "juillet"},
		{"august", "août", "aout"}, {"september", "septembre"}, {"october", "octobre"},
		{"november", "novembre"}, {"december", "décembre", "decembre"},
	} {
		if slices.Contains(ms, name) {
			return i + 1
		}
	}
	return 0
}

// durationKey is a duration's key and loose numbers: n units, plus half a
// unit when half. Hours and minutes are counted in minutes, so that "1.5
// hours", "90 minutes", « 1 heure et demie » and « 1 h 30 » compare equal.
func durationKey(n, unit string, half bool) (string, []string) {
	v, err := strconv.ParseFloat(n, 64)
	if err != nil {
		return n + " " + unit, []string{n}
	}
	if half {
		v += 0.5
	}
	loose := []string{n}
	switch unit {
	case "hour":
		v, unit = v*60, "minute"
	case "minute":
	default:
		if half {
			loose = append(loose, fmtNum(v))
		}
		return fmtNum(v) + " " + unit, loose
	}
	return fmtNum(v) + " " + unit, append(loose, fmtNum(v))
}

// unitOf names a unit of time the same in both languages.
func unitOf(u string) string {
	u = strings.ToLower(u)
	switch {
	case strings.HasPrefix(u, "day"), strings.HasPrefix(u, "jour"):
		return "day"
	case strings.HasPrefix(u, "week"), strings.HasPrefix(u, "semaine"):
		return "week"
	case strings.HasPrefix(u, "month"), u == "mois":
		return "month"
	case strings.HasPrefix(u, "year"), u == "an", u == "ans", strings.HasPrefix(u, "année"):
		return "year"
	case strings.HasPrefix(u, "hour"), strings.HasPrefix(u, "hr"), strings.HasPrefix(u, "heure"):
		return "hour"
	case strings.HasPrefix(u, "min"):
		return "minute"
	}
	return "second"
}
