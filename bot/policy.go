package bot

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The comment policy: the bot does not answer abuse, makes no partisan
// statements and never pings crowds. These checks are deliberately simple
// word lists, tuned to miss rather than to silence a real question: an
// abusive message that slips through is answered like any other, a partisan
// question gets a fixed neutral notice.

// abusiveWords are insults, slurs and threats, accent-folded and lowercase.
var abusiveWords = wordSet(`
	idiot idiots moron morons stupid imbecile imbeciles dumbass asshole assholes bastard bastards
	fuck fucking fucker fuckers shit bullshit bitch bitches cunt dick dickhead wanker retard retarded
	scum scumbag scumbags kill die
	connard connards connasse salaud salauds salope salopes encule encules enfoire enfoires
	tabarnak tabarnac calisse ostie osti crisse criss merde putain con cons conne debile debiles
	cretin cretins abruti abrutis tarla niaiseux mongol
`)

// abusiveAlways are abusive whatever they are aimed at. Every other word
// above is abusive only aimed at someone ("you", "vous", "tu"): swearing in
// frustration ("why is the f***ing office closed?") is still a question
// that deserves an answer; "you idiots" is not answered.
var abusiveAlways = wordSet(`cunt retard retarded salope salopes encule encules connasse`)

// targetWords aim a message at someone. French "t'es" and "t'as" (you
// are, you have) are read as "tu es", "tu as" before the text is split at
// apostrophes; a lone "t" is not a target, as English contractions
// ("can't", "don't") leave one behind.
var targetWords = wordSet(`you your youre ur vous tu tes toi votre vos`)

// elidedTarget matches the elided "tu" of informal French: "t'es", "t'as",
// with a straight or a typographic apostrophe.
var elidedTarget = regexp.MustCompile(`\bt['’‘ʼ](es|as|etais|avais)\b`)

// ambiguousWords are insults only when aimed at someone close by, in the
// same clause ("vous êtes des cons", "t'es con"): otherwise they are
// ordinary words ("a con", "the pros and cons").
var ambiguousWords = wordSet(`con cons`)

// prosAndCons is the English phrase, rewritten to one harmless word.
var prosAndCons = regexp.MustCompile(`\bpros?\s*(and|&|/|n|'n'|et)\s*cons?\b`)

// aimedWithin is how many words from a target an ambiguous word may stand
// and still be aimed at it.
const aimedWithin = 3

// partisanPatterns are opinions asked or given about parties, leaders and
// elections. Practical election questions ("where do I vote") are not
// partisan and are answered.
var partisanPatterns = []*regexp.Regexp{
	regexp.MustCompile(`\b(liberal|liberaux|conservative|conservateur|conservateurs|ndp|npd|bloc quebecois|green party|parti vert|ppc|tories|tory|grits|neo-democrates?)\b`),
	regexp.MustCompile(`\b(vote for|voter pour|who should i vote|pour qui voter|which party|quel parti|prime minister|premier ministre)\b`),
}

// leaders are party leaders' surnames, each with a first name. A surname
// alone is as often a citizen's own (Singh is among the commonest in
// Canada) or a place's (Trudeau airport): it is partisan after the first
// name, or next to a word of elections or opinion (see partisanName).
var leaders = map[string]string{
	"trudeau": "justin", "poilievre": "pierre", "carney": "mark", "singh": "jagmeet", "blanchet": "francois",
}

// politicalWords make a leader's surname partisan when they stand on
// either side of it, within nearLeader words of the same clause.
var politicalWords = wordSet(`
	vote votes voted voting voter votez elect elected election elections electoral elu elus elue
	campaign campagne debate debat debats poll polls sondage sondages party parti partis leader
	politics political politique politiques corrupt corrompu resign demission demissionner liar menteur
`)

// opinionWords make a leader's surname partisan when they come before it,
// within nearLeader words ("what do you think of Carney", "que pensez-vous
// de Poilievre", "I support Singh"): after it, they are usually the
// citizen's own business ("I'm Raj Singh and I think my passport expired").
var opinionWords = wordSet(`
	think thinks thought thoughts opinion opinions feel pense penses pensez avis
	support supports appuie appuies appuyez trust hate deteste love aime
`)

const nearLeader = 3

// partisanName reports whether folded text speaks of a party leader: by
// full name, or by surname next to a word of elections or opinion.
func partisanName(folded string) bool {
	for _, c := range strings.FieldsFunc(folded, isClauseEnd) {
		words := strings.FieldsFunc(c, func(r rune) bool { return !unicode.IsLetter(r) })
		for i, w := range words {
			first, ok := leaders[w]
			if !ok {
				continue
			}
			if i > 0 && words[i-1] == first {
				return true
			}
			for j := max(0, i-nearLeader); j < min(len(words), i+nearLeader+1); j++ {
				if politicalWords[words[j]] || j < i && opinionWords[words[j]] {
					return true
				}
			}
		}
	}
	return false
}

// policyCheck returns ReasonAbuse, ReasonPartisan, or "" for text that the
// bot may answer.
func policyCheck(text string) Reason {
	folded := fold(text)
	if abusive(folded) {
		return ReasonAbuse
	}
	for _, p := range partisanPatterns {
		if p.MatchString(folded) {
			return ReasonPartisan
		}
	}
	if partisanName(folded) {
		return ReasonPartisan
	}
	return ""
}

// abusive reports whether folded text is abuse: a word abusive whatever
// it is aimed at, an ambiguous word next to a target, or any other abusive
// word in a message aimed at someone.
func abusive(folded string) bool {
	folded = elidedTarget.ReplaceAllString(folded, "tu $1")
	folded = prosAndCons.ReplaceAllString(folded, "pros-cons")
	var clauses [][]string
	targeted := false
	for _, c := range strings.FieldsFunc(folded, isClauseEnd) {
		words := strings.FieldsFunc(c, func(r rune) bool { return !unicode.IsLetter(r) && r != '-' })
		for _, w := range words {
			targeted = targeted || targetWords[w]
		}
		clauses = append(clauses, words)
	}
	for _, words := range clauses {
		for i, w := range words {
			switch {
			case abusiveAlways[w]:
				return true
			case ambiguousWords[w]:
				if aimed(words, i) {
					return true
				}
			case abusiveWords[w] && targeted:
				return true
			}
		}
	}
	return false
}

// aimed reports whether a target word stands within aimedWithin words of
// words[i].
func aimed(words []string, i int) bool {
	for j := max(0, i-aimedWithin); j < min(len(words), i+aimedWithin+1); j++ {
		if targetWords[words[j]] {
			return true
		}
	}
	return false
}

func isClauseEnd(r rune) bool {
	switch r {
	case '.', ',', ';', ':', '!', '?', '\n':
		return true
	}
	return false
}

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// fold lowercases s and removes accents: "Élève" → "eleve". It keeps no
// state between calls (a shared transform.Chain is not safe for concurrent
// use).
func fold(s string) string {
	d := norm.NFD.String(strings.ToLower(s))
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Personal data masked before a question is shown to staff or written to
// logs. The raw text is kept in the message record only (access to
// information), under the retention policy.
var redactions = []struct {
	re   *regexp.Regexp
	mask string
}{
	{regexp.MustCompile(`(?i)[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}`), "[email]"},
	// Social insurance number: 9 digits, optionally grouped 3-3-3.
	{regexp.MustCompile(`\b\d{3}[ \-.]?\d{3}[ \-.]?\d{3}\b`), "[number]"},
	// Card numbers and other long digit runs.
	{regexp.MustCompile(`\b(?:\d[ \-]?){12,19}\b`), "[number]"},
	// North American phone numbers.
	{regexp.MustCompile(`(?:\+?1[ \-.]?)?\(?\b\d{3}\)?[ \-.]?\d{3}[ \-.]?\d{4}\b`), "[phone]"},
	// Canadian postal codes.
	{regexp.MustCompile(`(?i)\b[abceghj-nprstvxy]\d[abceghj-nprstv-z][ \-]?\d[abceghj-nprstv-z]\d\b`), "[postal code]"},
	// Passport numbers: two letters and six digits.
	{regexp.MustCompile(`(?i)\b[a-z]{2}\d{6}\b`), "[document]"},
}

// Redact masks personal data (email addresses, phone, social insurance,
// card, passport numbers, postal codes) in s.
func Redact(s string) string {
	for _, r := range redactions {
		s = r.re.ReplaceAllString(s, r.mask)
	}
	return s
}

// mass mentions on the platforms Liaison speaks to, and the look-alike
// that cannot ping: a zero-width joiner after the sigil.
var massMentions = strings.NewReplacer(
	"@everyone", "@\u200beveryone", "@here", "@\u200bhere", "@channel", "@\u200bchannel",
	"<!channel>", "<\u200b!channel>", "<!here>", "<\u200b!here>", "<!everyone>", "<\u200b!everyone>",
	"<@&", "<\u200b@&",
)

// Defang neutralises mass mentions and role mentions in text the bot
// publishes. Adapters also forbid pings at the platform level; this is the
// second line, so a pasted "@everyone" cannot ping even on a platform whose
// adapter forgot.
func Defang(s string) string { return massMentions.Replace(s) }

// truncateRunes cuts s to at most n runes.
func truncateRunes(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

// maxStoredRunes bounds the text kept for one message: platforms cap
// messages far below it, so only hostile input reaches it.
const maxStoredRunes = 16000

// sanitize makes citizen text safe to store and process: valid UTF-8, no
// control characters except newlines and tabs, bounded length.
func sanitize(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !unicode.IsControl(r) {
			return r
		}
		return -1
	}, s)
	return strings.TrimSpace(truncateRunes(s, maxStoredRunes))
}
