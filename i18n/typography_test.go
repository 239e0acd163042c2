package i18n_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/pelletier/go-toml/v2"
)

// pair is one string of a catalogue in both official languages.
type pair struct{ id, en, fr string }

// catalogue is one file of Liaison's own words: how its placeholders are
// written and which apostrophe it uses throughout.
type catalogue struct {
	path       string
	load       func(t *testing.T, path string) []pair
	holders    *regexp.Regexp // its placeholders
	ordered    bool           // placeholders must come in the same order (fmt verbs)
	fmt        bool           // "%%" is a percent sign
	apostrophe rune
}

var (
	goTemplateHolder = regexp.MustCompile(`\{\{[^}]*\}\}`)
	braceHolder      = regexp.MustCompile(`\{[A-Za-z]+\}`)
	fmtVerb          = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)
	fmtLeak          = regexp.MustCompile(`%(\[\d+\])?[sdvq]`)
)

// catalogues lists every file of user-facing strings, for the bot, the web
// pages and the Slack desk.
var catalogues = []catalogue{
	{path: "messages/active.??.toml", load: loadTOML, holders: goTemplateHolder, apostrophe: '’'},
	{path: "../channels/web/ui.go", load: loadGoMap("uiStrings"), holders: braceHolder, apostrophe: '’'},
	{path: "../channels/slack/text.go", load: loadGoMap("phrases"), holders: fmtVerb, ordered: true, fmt: true, apostrophe: '\''},
}

// TestCataloguesKeepPlaceholdersInBothLanguages checks that each string's
// French says everything its English does: the same placeholders (names,
// links, numbers), and no placeholder written in another catalogue's
// syntax, which would reach people as is.
func TestCataloguesKeepPlaceholdersInBothLanguages(t *testing.T) {
	for _, c := range catalogues {
		for _, p := range c.load(t, c.path) {
			en, fr := c.holders.FindAllString(p.en, -1), c.holders.FindAllString(p.fr, -1)
			if !c.ordered {
				slices.Sort(en)
				slices.Sort(fr)
			}
			if !slices.Equal(en, fr) {
				t.Errorf("%s %s: placeholders differ: English %q, French %q", c.path, p.id, en, fr)
			}
			for lang, s := range map[string]string{"English": p.en, "French": p.fr} {
				s = c.holders.ReplaceAllString(s, "")
				for _, leak := range []*regexp.Regexp{goTemplateHolder, braceHolder, fmtLeak} {
					if m := leak.FindString(s); m != "" {
						t.Errorf("%s %s: %s has %q, not a placeholder of this file: it would show as is", c.path, p.id, lang, m)
					}
				}
			}
		}
	}
}

// TestCataloguesFollowCanadianFrenchTypography checks the rules every
// catalogue follows: in French, a non-breaking space before the colon,
// inside « » and before a percent sign, and after nº, which numbers
// questions, announcements and entries; no space before ? ! ;
// (the Canadian practice); no "email". In English, no space before
// punctuation, and numbers without "#" ("Question 12", "Announcement 3"). One apostrophe throughout each file, and no stray spaces.
func TestCataloguesFollowCanadianFrenchTypography(t *testing.T) {
	for _, c := range catalogues {
		pairs := c.load(t, c.path)
		if len(pairs) < 30 {
			t.Fatalf("%s: read only %d strings: the reader is stale", c.path, len(pairs))
		}
		for _, p := range pairs {
			for _, lang := range []string{"English", "French"} {
				s := p.en
				if lang == "French" {
					s = p.fr
				}
				for _, problem := range typography(c, lang == "French", s) {
					t.Errorf("%s %s: %s %s: %q", c.path, p.id, lang, problem, s)
				}
			}
		}
	}
}

// glossary is the one French term for each thing the three surfaces
// name, as the bot's catalogue, the web pages and the Slack desk use it.
var glossary = []struct{ en, fr *regexp.Regexp }{
	{regexp.MustCompile(`(?i)\broster\b|\bstaff list\b`), regexp.MustCompile(`liste du personnel`)},
	{regexp.MustCompile(`(?i)\bdraft entr(y|ies)\b`), regexp.MustCompile(`(?i)ébauches? de fiche`)},
	{regexp.MustCompile(`(?i)\bclaim`), regexp.MustCompile(`en charge`)},
	{regexp.MustCompile(`(?i)\brout(e|ed|ing)\b`), regexp.MustCompile(`(?i)achemin`)},
	{regexp.MustCompile(`(?i)\bcommunications leads?\b`), regexp.MustCompile(`responsables? des communications`)},
	{regexp.MustCompile(`(?i)\bthread\b`), regexp.MustCompile(`\bfil\b`)},
	{regexp.MustCompile(`(?i)\boverrides?\b`), regexp.MustCompile(`propre`)},
}

// TestCataloguesUseOneTermForEachThing checks that a string naming one of
// the glossary's things in English names it with the glossary's term in
// French, on every surface.
func TestCataloguesUseOneTermForEachThing(t *testing.T) {
	for _, c := range catalogues {
		for _, p := range c.load(t, c.path) {
			en, fr := c.holders.ReplaceAllString(p.en, "X"), c.holders.ReplaceAllString(p.fr, "X")
			for _, g := range glossary {
				if g.en.MatchString(en) && !g.fr.MatchString(fr) {
					t.Errorf("%s %s: English says %q, French lacks %q: %q", c.path, p.id, g.en.FindString(en), g.fr, p.fr)
				}
			}
		}
	}
}

var (
	codeSpan   = regexp.MustCompile("`[^`]*`")
	email      = regexp.MustCompile(`(?i)\be-?mails?\b`)
	numbered   = regexp.MustCompile(`(?i)\b(question|annonce|fiche)\s+[X0]\b`)
	hashNumber = regexp.MustCompile(`#[X0-9]`)
	broadcastN = regexp.MustCompile(`(?i)\bbroadcasts?\s+[X0-9]`)
	anglicisms = regexp.MustCompile(`(?i)\b(cancell\w*|c[ée]dul\w*)\b`)
)

// typography lists what s breaks of the rules for its language.
func typography(c catalogue, french bool, s string) []string {
	var bad []string
	if s != strings.TrimSpace(s) || strings.Contains(s, "  ") {
		bad = append(bad, "has a space at an end or a double space")
	}
	for _, r := range []string{"\u00a0\u00a0", " \u00a0", "\u00a0 "} {
		if strings.Contains(s, r) {
			bad = append(bad, "has a non-breaking space beside another space")
		}
	}
	if c.fmt {
		s = strings.ReplaceAll(s, "%%", "%")
		s = fmtVerb.ReplaceAllString(s, "0")
	}
	s = c.holders.ReplaceAllString(s, "X")
	s = codeSpan.ReplaceAllString(s, "`code`")
	rs := []rune(s)
	for i, r := range rs {
		prev, next := rune(0), rune(0)
		if i > 0 {
			prev = rs[i-1]
		}
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		switch {
		case (r == '\'' || r == '’') && unicode.IsLetter(prev) && r != c.apostrophe:
			bad = append(bad, fmt.Sprintf("has the apostrophe %q where this file uses %q", r, c.apostrophe))
		case r == ':' && (unicode.IsLetter(next) || unicode.IsDigit(next) || next == '/'):
			// Not punctuation: a URL, a time, a channel id such as discord:123.
		case r == ':' && french && prev != '\u00a0':
			bad = append(bad, "lacks a non-breaking space before the colon")
		case (r == '?' || r == '!' || r == ';') && unicode.IsSpace(prev):
			bad = append(bad, fmt.Sprintf("has a space before %q", r))
		case r == ':' && !french && unicode.IsSpace(prev):
			bad = append(bad, "has a space before the colon")
		case (r == '«' || r == '»') && !french:
			bad = append(bad, "has French quotation marks")
		case r == '«' && next != '\u00a0', r == '»' && prev != '\u00a0':
			bad = append(bad, "lacks a non-breaking space inside « »")
		case r == '%' && french && prev != '\u00a0':
			bad = append(bad, "lacks a non-breaking space before %")
		}
	}
	if french && strings.Contains(s, "nº") && !strings.Contains(s, "nº\u00a0") {
		bad = append(bad, "lacks a non-breaking space after nº")
	}
	if m := numbered.FindString(s); french && m != "" {
		bad = append(bad, fmt.Sprintf("has %q: a question, announcement or entry is numbered nº\u00a0N, as the other surfaces write it", m))
	}
	if m := hashNumber.FindString(s); !french && m != "" {
		bad = append(bad, fmt.Sprintf("has %q: a question, announcement or entry is numbered \"Question 12\", as the other surfaces write it", m))
	}
	if m := broadcastN.FindString(s); !french && m != "" {
		bad = append(bad, fmt.Sprintf("has %q: a numbered broadcast is an \"Announcement\", as the other surfaces write it", m))
	}
	if french && email.MatchString(s) {
		bad = append(bad, `says "email" (in French: "courriel")`)
	}
	if m := anglicisms.FindString(s); french && m != "" {
		bad = append(bad, fmt.Sprintf("has the anglicism %q", m))
	}
	return bad
}

// loadTOML reads the bot's catalogue, each plural form as its own string.
func loadTOML(t *testing.T, pattern string) []pair {
	t.Helper()
	read := func(lang string) map[string]string {
		path := strings.Replace(pattern, "??", lang, 1)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var raw map[string]any
		if err := toml.Unmarshal(b, &raw); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out := map[string]string{}
		for id, v := range raw {
			switch v := v.(type) {
			case string:
				out[id] = v
			case map[string]any:
				for form, s := range v {
					out[id+"."+form], _ = s.(string)
				}
			}
		}
		return out
	}
	en, fr := read("en"), read("fr")
	var pairs []pair
	for id, s := range en {
		if _, ok := fr[id]; !ok {
			t.Errorf("%s: %s has no French", pattern, id)
		}
		pairs = append(pairs, pair{id: id, en: s, fr: fr[id]})
	}
	return pairs
}

// loadGoMap reads the map literal named name in a Go file whose values
// are {English, French} string pairs.
func loadGoMap(name string) func(t *testing.T, path string) []pair {
	return func(t *testing.T, path string) []pair {
		t.Helper()
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		var pairs []pair
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok || len(vs.Names) != 1 || vs.Names[0].Name != name || len(vs.Values) != 1 {
				return true
			}
			lit, ok := vs.Values[0].(*ast.CompositeLit)
			if !ok {
				t.Fatalf("%s: %s is not a map literal", path, name)
			}
			for _, e := range lit.Elts {
				kv := e.(*ast.KeyValueExpr)
				id := unquote(t, path, kv.Key)
				v, ok := kv.Value.(*ast.CompositeLit)
				if !ok || len(v.Elts) != 2 {
					t.Fatalf("%s: %s is not an {English, French} pair", path, id)
				}
				pairs = append(pairs, pair{id: id, en: unquote(t, path, v.Elts[0]), fr: unquote(t, path, v.Elts[1])})
			}
			return false
		})
		return pairs
	}
}

func unquote(t *testing.T, path string, e ast.Expr) string {
	t.Helper()
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		t.Fatalf("%s: %T is not a string literal", path, e)
	}
	s, err := strconv.Unquote(lit.Value)
	if err != nil || !utf8.ValidString(s) {
		t.Fatalf("%s: %s: %v", path, lit.Value, err)
	}
	return s
}
