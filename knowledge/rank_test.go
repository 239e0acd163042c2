package knowledge

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"golang.org/x/text/unicode/norm"

	"github.com/liaison-gc/liaison/bot"
)

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b  string
		limit int
		want  int
	}{
		{"passport", "passport", 2, 0},
		{"pasport", "passport", 2, 1},
		{"passprot", "passport", 2, 1}, // adjacent transposition
		{"pssprt", "passport", 2, 2},
		{"pssprt", "passport", 1, 2}, // over the limit: limit+1
		{"abc", "xyz", 1, 2},
		{"", "ab", 2, 2},
	} {
		if got := editDistance([]rune(tc.a), []rune(tc.b), tc.limit); got != tc.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tc.a, tc.b, tc.limit, got, tc.want)
		}
	}
}

// Unknown terms are corrected to vocabulary terms one edit away (two for
// long words), keeping the first letter; known terms are left alone.
func TestTypoCorrection(t *testing.T) {
	x := openSample(t, Options{})
	s, err := x.acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer s.release()
	en := s.lang(bot.English)
	for _, tc := range []struct {
		text, want string // want: the vocabulary term the first slot stands for
		typo       bool
	}{
		{"passport", "passport", false},
		{"pasport", "passport", true},
		{"passprot", "passport", true},
		{"pssprt", "", false}, // two edits in a short word
		{"apointment", "appoint", true},
		{"zzzzzz", "", false},
	} {
		a := en.analyze(tc.text, defaultRank)
		if len(a.slots) != 1 {
			t.Fatalf("%q: %d slots", tc.text, len(a.slots))
		}
		got := ""
		if alts := a.slots[0].alts; len(alts) > 0 {
			got = en.st.terms[alts[0].id]
		}
		if got != tc.want || (a.typos == 1) != tc.typo {
			t.Errorf("%q: stands for %q (typo %v), want %q (typo %v)", tc.text, got, a.typos == 1, tc.want, tc.typo)
		}
	}
}

// A persisted index reopens complete: the same statistics and the same
// search results as the build, one Bleve document per entry and language.
func TestReopenIsComplete(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	built := openSample(t, Options{DataDir: data})
	queries := []string{"how do i renew my pasport", "office hours", "j'vais tu recevoir mon remboursement d'impot", "banana bread"}
	type res struct {
		ids   []string
		confs []float64
	}
	run := func(x *Index) []res {
		var out []res
		for _, q := range queries {
			for _, l := range bot.Langs {
				hits, err := x.Search(ctx, q, l, 5)
				if err != nil {
					t.Fatal(err)
				}
				var r res
				for _, h := range hits {
					r.ids = append(r.ids, h.EntryID)
					r.confs = append(r.confs, h.Confidence)
				}
				out = append(out, r)
			}
		}
		return out
	}
	before := run(built)
	builtStats := [2]*langStats{built.cur.Load().langs[0].st, built.cur.Load().langs[1].st}
	built.Close()

	x := openSample(t, Options{DataDir: data})
	s := x.cur.Load()
	if s.dir == "" {
		t.Fatal("reopen did not use the persisted index")
	}
	for i, li := range s.langs {
		n, err := li.idx.DocCount()
		if err != nil || int(n) != li.entries {
			t.Errorf("%s: %d Bleve documents, want %d (%v)", li.lang, n, li.entries, err)
		}
		a, b := *builtStats[i], *li.st
		a.typos, b.typos = typoIndex{}, typoIndex{}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: reopened statistics differ from the built ones", li.lang)
		}
	}
	if after := run(x); !reflect.DeepEqual(before, after) {
		t.Errorf("search after reopen differs:\n%v\n%v", before, after)
	}
	x.Close()

	// A damaged statistics file is not trusted: the index is rebuilt and
	// still answers.
	if err := os.WriteFile(filepath.Join(s.dir, "en"+statsExt), []byte("liaison-kb-stats-1\n\x05abc"), 0o640); err != nil {
		t.Fatal(err)
	}
	y := openSample(t, Options{DataDir: data})
	if hits, err := y.Search(ctx, "office hours", bot.English, 1); err != nil || len(hits) == 0 || hits[0].EntryID != "offices-hours" {
		t.Errorf("after damage: %v %v", ids(hits), err)
	}
}

func TestFitConditionalLogit(t *testing.T) {
	// Feature 0 marks the right candidate most of the time; feature 1 is
	// noise.
	var gs []fitGroup
	for i := range 200 {
		g := fitGroup{w: 1}
		for c := range 4 {
			x := []float64{0, float64((i*7 + c*3) % 5)}
			if c == i%4 {
				x[0] = 1
			}
			g.x = append(g.x, x)
		}
		g.gold = i % 4
		if i%10 == 0 {
			g.gold = (i + 1) % 4
		}
		gs = append(gs, g)
	}
	r := fitConditionalLogit(gs, 1, 25)
	if r.Weights[0] < 1 || r.Weights[0] < 5*abs(r.Weights[1]) {
		t.Errorf("weights %v do not single out the informative feature", r.Weights)
	}
	back, err := ParseRanker(Ranker{Weights: make([]float64, numRankFeatures)}.String())
	if err != nil || len(back.Weights) != numRankFeatures {
		t.Errorf("ParseRanker round trip: %v %v", back, err)
	}
	if _, err := ParseRanker("1,2"); err == nil {
		t.Error("short ranker accepted")
	}
	if c, err := ParseCalibration(DefaultCalibration.String()); err != nil || len(c.Weights) != len(DefaultCalibration.Weights) {
		t.Errorf("calibration round trip: %v %v", c, err)
	}
	if len(DefaultRanker.Weights) != numRankFeatures || len(DefaultCalibration.Weights) != numConfFeatures {
		t.Errorf("default weights: %d ranker (want %d), %d calibration (want %d)", len(DefaultRanker.Weights), numRankFeatures, len(DefaultCalibration.Weights), numConfFeatures)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestSplitSentences(t *testing.T) {
	got := splitSentences("Call us. Hours are 9 a.m. to 5 p.m.; closed on holidays! See www.example.ca\nThanks")
	want := []string{"Call us.", " Hours are 9 a.m.", " to 5 p.m.;", " closed on holidays!", " See www.example.ca\n", "Thanks"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("splitSentences = %q, want %q", got, want)
	}
}

// fastFold folds exactly like Bleve's ASCII folding.
func TestFastFold(t *testing.T) {
	slow := asciifolding.New()
	f := fastFold{slow}
	for _, s := range []string{"", "plain ascii", "permis de pêche à Québec", "Œuvre ﬁnale… «ça» ß Æ ø", "mixed \xff invalid \xc3", "ＦＵＬＬ ｗｉｄｔｈ", "emoji 🙂 ok"} {
		if got, want := string(f.Filter([]byte(s))), string(slow.Filter([]byte(s))); got != want {
			t.Errorf("fold %q = %q, want %q", s, got, want)
		}
	}
	// Decomposed text (NFD) folds as its composed form.
	for _, s := range []string{"pe\u0302che", "se\u0301curite\u0301 a\u0300 Que\u0301bec", "\u0301e\u0301", "\u00e9e\u0301 ascii"} {
		if got, want := string(f.Filter([]byte(s))), string(slow.Filter([]byte(norm.NFC.String(s)))); got != want {
			t.Errorf("fold %+q = %q, want %q", s, got, want)
		}
	}
}

// The typo index's keys are ordered by hash, then by term id, as the
// lookups expect: the radix sort gives what a comparison sort gives.
func TestTypoKeysSortedByHashThenID(t *testing.T) {
	var terms []string
	for _, e := range Generate(2000, 1) {
		for _, l := range bot.Langs {
			terms = append(terms, strings.Fields(e.In(l).Answer)...)
		}
	}
	slices.Sort(terms)
	terms = slices.Compact(terms)
	ti := newTypoIndex(terms)
	if len(ti.keys) < 10000 {
		t.Fatalf("%d keys: too few to test the sort", len(ti.keys))
	}
	want := slices.Clone(ti.keys)
	slices.SortFunc(want, cmpTypoKey)
	if !slices.Equal(ti.keys, want) {
		t.Error("typo keys are not in the order of a comparison sort by hash, then id")
	}
}
