package knowledge

import (
	"context"
	"math"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/liaison-gc/liaison/bot"
)

// Bleve indexes each entry's fields with the terms the statistics counted
// rather than analyzing the text itself: each field must hold what the
// analyzer makes of the text, term by term with its frequency, and the
// field's length (Bleve's norm), in an index in memory and in a persisted
// one.
func TestIndexHoldsTheAnalyzedTerms(t *testing.T) {
	b, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"", t.TempDir()} {
		x := openSample(t, Options{DataDir: dir})
		s, err := x.acquire()
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range bot.Langs {
			li := s.lang(l)
			want := map[string]map[string]map[string]uint64{fieldPhrase: {}, fieldAnswer: {}} // field, doc, term: frequency
			lens := map[string]map[string]int{fieldPhrase: {}, fieldAnswer: {}}
			for i := range b.Entries {
				e := &b.Entries[i]
				if !e.Has(l) {
					continue
				}
				tx := e.In(l)
				var phr analysis.TokenStream
				for _, p := range append([]string{tx.Question}, tx.Variants...) {
					phr = append(phr, li.analyzer.Analyze([]byte(p))...)
				}
				ans := li.analyzer.Analyze([]byte(tx.Question + "\n" + tx.Answer))
				for f, ts := range map[string]analysis.TokenStream{fieldPhrase: phr, fieldAnswer: ans} {
					id := docID(i)
					want[f][id] = map[string]uint64{}
					for _, tk := range ts {
						want[f][id][string(tk.Term)]++
					}
					lens[f][id] = len(ts)
				}
			}
			r, err := indexReader(li)
			if err != nil {
				t.Fatal(err)
			}
			for f, docs := range want {
				got := indexedTerms(t, r, f, func(id string, norm float64) {
					if n := lens[f][id]; n > 0 && math.Abs(norm-1/math.Sqrt(float64(n))) > 1e-6 {
						t.Errorf("%q %s field %s of %s: norm %g, want 1/sqrt(%d)", dir, l, f, id, norm, n)
					}
				})
				for id, terms := range docs {
					for term, n := range terms {
						if got[id][term] != n {
							t.Errorf("%q %s field %s of %s: term %q indexed %d times, the analyzer makes it %d", dir, l, f, id, term, got[id][term], n)
						}
					}
					if len(got[id]) != len(terms) {
						t.Errorf("%q %s field %s of %s: %d terms indexed, the analyzer makes %d", dir, l, f, id, len(got[id]), len(terms))
					}
				}
			}
			r.Close()
		}
		s.release()
	}
}

func indexReader(li *langIndex) (bindex.IndexReader, error) {
	ai, err := li.idx.Advanced()
	if err != nil {
		return nil, err
	}
	return ai.Reader()
}

// indexedTerms returns the frequency of each term of field in each
// document, by document id, and calls norm with each posting's norm.
func indexedTerms(t *testing.T, r bindex.IndexReader, field string, norm func(id string, norm float64)) map[string]map[string]uint64 {
	t.Helper()
	got := map[string]map[string]uint64{}
	d, err := r.FieldDict(field)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for {
		e, err := d.Next()
		if err != nil {
			t.Fatal(err)
		}
		if e == nil {
			return got
		}
		tfr, err := r.TermFieldReader(context.Background(), []byte(e.Term), field, true, true, false)
		if err != nil {
			t.Fatal(err)
		}
		var tfd bindex.TermFieldDoc
		for {
			p, err := tfr.Next(&tfd)
			if err != nil {
				t.Fatal(err)
			}
			if p == nil {
				break
			}
			id, err := r.ExternalID(p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got[id] == nil {
				got[id] = map[string]uint64{}
			}
			got[id][e.Term] = p.Freq
			norm(id, p.Norm)
		}
		tfr.Close()
	}
}
