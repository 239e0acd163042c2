package knowledge

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/liaison-gc/liaison/bot"
)

// Generate returns n synthetic bilingual entries for benchmarks: questions
// of 6 to 12 words drawn from a Zipf-like vocabulary of invented words, two
// variants and a 40-word answer per language, and a link. The same seed
// gives the same entries.
func Generate(n int, seed uint64) []Entry {
	r := rand.New(rand.NewPCG(seed, 42))
	vocab := map[bot.Lang][]string{bot.English: inventWords(r, 20000, "en"), bot.French: inventWords(r, 20000, "fr")}
	zipf := rand.NewZipf(r, 1.1, 200, 19999)
	sentence := func(l bot.Lang, words int) string {
		ws := make([]string, words)
		for i := range ws {
			ws[i] = vocab[l][zipf.Uint64()]
		}
		return strings.Join(ws, " ")
	}
	entries := make([]Entry, n)
	for i := range entries {
		e := &entries[i]
		e.ID = fmt.Sprintf("gen-%d", i)
		e.Topic = Topics[i%len(Topics)]
		for _, l := range bot.Langs {
			t := e.In(l)
			t.Question = sentence(l, 6+r.IntN(7)) + "?"
			t.Variants = []string{sentence(l, 5+r.IntN(6)), sentence(l, 4+r.IntN(6))}
			t.Answer = sentence(l, 40) + "."
			t.Links = []string{fmt.Sprintf("https://example.gc.ca/%s/%d", l, i)}
		}
	}
	return entries
}

// GenerateQueries returns m questions about entries: a phrasing with words
// dropped, sometimes a typo, sometimes an unrelated word.
func GenerateQueries(entries []Entry, m int, seed uint64) []Query {
	r := rand.New(rand.NewPCG(seed, 7))
	qs := make([]Query, m)
	for i := range qs {
		e := &entries[r.IntN(len(entries))]
		l := bot.Langs[r.IntN(2)]
		t := e.In(l)
		ph := append([]string{t.Question}, t.Variants...)[r.IntN(1+len(t.Variants))]
		ws := strings.Fields(ph)
		var kept []string
		for _, w := range ws {
			if r.Float64() < 0.8 {
				kept = append(kept, w)
			}
		}
		if len(kept) > 0 && r.Float64() < 0.3 {
			j := r.IntN(len(kept))
			if w := []rune(kept[j]); len(w) > 4 {
				w[1], w[2] = w[2], w[1]
				kept[j] = string(w)
			}
		}
		qs[i] = Query{Query: strings.Join(kept, " "), Lang: l, Expected: e.ID}
	}
	return qs
}

// inventWords makes pronounceable words with the letters of a language.
func inventWords(r *rand.Rand, n int, salt string) []string {
	cons := []string{"b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v"}
	vow := []string{"a", "e", "i", "o", "u", "ou", "ai", "ea"}
	seen := map[string]bool{}
	out := make([]string, 0, n)
	for len(out) < n {
		var b strings.Builder
		for s := 0; s < 2+r.IntN(3); s++ {
			b.WriteString(cons[r.IntN(len(cons))])
			b.WriteString(vow[r.IntN(len(vow))])
		}
		if salt == "fr" {
			b.WriteString([]string{"", "e", "on", "ent", "eau"}[r.IntN(5)])
		} else {
			b.WriteString([]string{"", "s", "er", "ing", "y"}[r.IntN(5)])
		}
		w := b.String()
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}
