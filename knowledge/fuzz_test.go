package knowledge

import (
	"context"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/liaison-gc/liaison/bot"
)

// Citizen text is hostile input: whatever it is, search answers with at
// most n hits whose confidences are probabilities in decreasing order, or
// with none, and never fails or panics.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{
		"How do I renew my passport?", "à quelle heure ouvrez-vous", "j'vais tu avoir mon remboursement",
		"", " ", "@everyone", "<!channel>", "\x00\xff\xfe", "passport passport passport", "ﬁnale Œuvre ß",
		strings.Repeat("a", 5000), strings.Repeat("é ", 3000), "🙂🙂🙂", "'''---", "d'l'j'",
	} {
		f.Add(s, "en")
		f.Add(s, "")
	}
	var once sync.Once
	var x *Index
	f.Fuzz(func(t *testing.T, text, lang string) {
		once.Do(func() {
			var err error
			if x, err = Open(context.Background(), Options{}); err != nil {
				t.Fatal(err)
			}
		})
		l := bot.Lang(lang)
		if !l.Valid() {
			l = bot.Unknown
		}
		hits, err := x.Search(context.Background(), text, l, 5)
		if err != nil {
			t.Fatalf("Search(%q, %q): %v", text, l, err)
		}
		if len(hits) > 5 {
			t.Fatalf("%d hits for n=5", len(hits))
		}
		for i, h := range hits {
			if !(h.Confidence >= 0 && h.Confidence <= 1) || (i > 0 && h.Confidence > hits[i-1].Confidence) {
				t.Fatalf("confidences not in [0,1] and decreasing: %+v", hits)
			}
			if h.EntryID == "" || !h.Lang.Valid() || (l.Valid() && h.Lang != l) {
				t.Fatalf("hit %d of %q in %q: %+v", i, text, l, h)
			}
		}
	})
}

// A knowledge-base file is parsed whatever it holds: every problem names
// the file and a line in it, and nothing panics.
func FuzzParseJSONL(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","lang":"en","question":"Q?","answer":"A.","topic":"t","url":"https://x.ca","variants":["v"]}`,
		`{"id":"a","lang":"fr","question":"Q?","answer":"R.","kb":"k","source_url":"https://x.ca/fr"}` + "\n" + `not json`,
		`{"id":1,"lang":["en"],"variants":"x"}`, `{"id":"a","lang":"de"}`, "\ufeff{}", "\n\n\n", `{"variants":[1,2]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := strings.Count(string(data), "\n") + 1
		entries, _, _, ps := parseJSONL("kb.jsonl", data)
		for _, p := range ps {
			if p.Pos.File != "kb.jsonl" || p.Pos.Line < 1 || p.Pos.Line > lines {
				t.Fatalf("problem without its place: %v (%d lines)", p, lines)
			}
		}
		for _, p := range Validate(entries, false) {
			if p.Pos.File != "kb.jsonl" && p.Pos.File != "" {
				t.Fatalf("validation problem in another file: %v", p)
			}
		}
	})
}

// The same for TOML files.
func FuzzParseTOML(f *testing.F) {
	for _, s := range []string{
		"[[entry]]\nid = \"a\"\ntopic = \"t\"\n[entry.en]\nquestion = \"Q?\"\nanswer = \"A.\"\n[entry.fr]\nquestion = \"Q?\"\nanswer = \"R.\"\n",
		"[[entry]]\nid = 3\n", "[[entry]\n", "colour = \"x\"\n", "[[entry]]\n[entry.de]\nquestion=\"\"\n", "\x00",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !utf8.Valid(data) {
			return // go-toml refuses it; Load says so with the file
		}
		lines := strings.Count(string(data), "\n") + 1
		entries, ps := parseTOML("kb.toml", data)
		for _, p := range ps {
			if p.Pos.File != "kb.toml" || p.Pos.Line < 0 || p.Pos.Line > lines {
				t.Fatalf("problem without its place: %v (%d lines)", p, lines)
			}
		}
		_ = Validate(entries, false)
	})
}
