package knowledge

import (
	"context"
	"fmt"
	"math"
	"sort"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/liaison-gc/liaison/bot"
)

// MaxQueryRunes is where search truncates citizen text.
const MaxQueryRunes = 1000

// Ranking weights: an entry's score is the best single phrasing's BM25
// score, plus shares of its other matching phrasings (several matching
// phrasings are evidence), plus the BM25 score of its bag of phrasings
// (whose document frequencies count entries, not phrasings), plus its
// answer document at a lower weight, plus how much of the query's
// entry-level idf the entry covers. Tuned by grid search on the development
// split of the evaluation data (see doc.go).
type rankParams struct {
	Second   float64 // weight of the second-best phrasing
	Rest     float64 // weight of the sum of the other phrasings found
	Answer   float64 // weight of the answer document
	Bag      float64 // weight of the bag of all phrasings
	Cover    float64 // weight of the entry-level idf of the query terms the entry contains
	Fuzzy    float64 // boost of typo-corrected terms
	Cands    int     // documents fetched from Bleve
	MinFuzzy int     // shortest term (runes) that gets typo correction
}

var defaultRank = rankParams{Second: 0.6, Rest: 0.1, Answer: 0.8, Bag: 1, Cover: 1, Fuzzy: 0.5, Cands: 100, MinFuzzy: 4}

// candidate is one entry found in one language, with the features its
// confidence is computed from.
type candidate struct {
	entry  int
	lang   bot.Lang
	score  float64
	best   float64 // best phrasing score
	second float64 // second-best phrasing score
	answer float64 // answer document score
	bag    float64 // bag-of-phrasings document score
	rest   float64 // sum of phrasing scores beyond the best two
	cover  float64 // entry-idf-weighted share of query terms the entry contains
	phr    int     // phrasings of this entry among the fetched documents
	terms  map[string]bool
}

// query holds an analyzed query in one language.
type analyzed struct {
	terms   []string // unique terms in order
	idfSum  float64
	unknown int // terms absent from the phrase dictionary
}

func (li *langIndex) analyze(text string) analyzed {
	var a analyzed
	seen := map[string]bool{}
	for _, tok := range li.analyzer.Analyze([]byte(text)) {
		t := string(tok.Term)
		if seen[t] {
			continue
		}
		seen[t] = true
		a.terms = append(a.terms, t)
		a.idfSum += li.idf(t)
		if li.df[t] == 0 {
			a.unknown++
		}
	}
	return a
}

// search ranks the entries of one language for text.
func (li *langIndex) search(ctx context.Context, text string, rp rankParams) ([]candidate, analyzed, error) {
	a := li.analyze(text)
	if len(a.terms) == 0 {
		return nil, a, nil
	}
	var phrase, answer, bag []query.Query
	for _, t := range a.terms {
		bq := query.NewTermQuery(t)
		bq.SetField(fieldBag)
		bq.SetBoost(rp.Bag)
		bag = append(bag, bq)
		tq := query.NewTermQuery(t)
		tq.SetField(fieldPhrase)
		phrase = append(phrase, tq)
		aq := query.NewTermQuery(t)
		aq.SetField(fieldAnswer)
		aq.SetBoost(rp.Answer)
		answer = append(answer, aq)
		if li.df[t] == 0 && utf8.RuneCountInString(t) >= rp.MinFuzzy {
			// A term no phrasing contains is likely a typo: match terms
			// one edit away (two for long words), at a lower weight.
			fq := query.NewFuzzyQuery(t)
			fq.SetField(fieldPhrase)
			fq.SetFuzziness(1)
			if utf8.RuneCountInString(t) >= 8 {
				fq.SetFuzziness(2)
			}
			fq.SetPrefix(1)
			fq.SetBoost(rp.Fuzzy)
			phrase = append(phrase, fq)
		}
	}
	pq := query.NewDisjunctionQuery(phrase)
	// Bleve ignores boosts on compound queries: each term query carries
	// its branch's weight.
	aq := query.NewDisjunctionQuery(answer)
	branches := []query.Query{pq, aq}
	if rp.Bag > 0 {
		cq := query.NewDisjunctionQuery(bag)
		branches = append(branches, cq)
	}
	coord := float64(len(branches))
	req := bleve.NewSearchRequestOptions(query.NewDisjunctionQuery(branches), rp.Cands, 0, false)
	req.IncludeLocations = true
	res, err := li.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, a, fmt.Errorf("kb: search %s: %w", li.lang, err)
	}
	byEntry := map[int]*candidate{}
	var cands []*candidate
	for _, h := range res.Hits {
		e, kind, ok := parseID(h.ID)
		if !ok {
			continue
		}
		c := byEntry[e]
		if c == nil {
			c = &candidate{entry: e, lang: li.lang, terms: map[string]bool{}}
			byEntry[e] = c
			cands = append(cands, c)
		}
		// Undo the outer disjunction's coordination factor (each document
		// matches one branch of two) so scores read as plain BM25.
		s := h.Score * coord
		switch {
		case kind == 'a':
			c.answer = s
		case kind == 'c':
			c.bag = s
		case s > c.best:
			c.rest += c.second
			c.second, c.best = c.best, s
			c.phr++
		default:
			if s > c.second {
				c.rest += c.second
				c.second = s
			} else {
				c.rest += s
			}
			c.phr++
		}
		for _, terms := range h.Locations {
			for t := range terms {
				c.terms[t] = true
			}
		}
	}
	var idfSum float64
	for _, t := range a.terms {
		idfSum += li.idfEntry(t)
	}
	out := make([]candidate, len(cands))
	for i, c := range cands {
		if idfSum > 0 {
			var cov float64
			for t := range c.terms {
				cov += li.idfEntry(t)
			}
			c.cover = cov / idfSum
		}
		c.score = c.best + rp.Second*c.second + rp.Rest*c.rest + c.answer + c.bag + rp.Cover*c.cover
		out[i] = *c
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].score > out[j].score })
	return out, a, nil
}

// features describes how convincing the top candidate is, on scales that
// do not depend on the size of the knowledge base.
type features struct {
	Coverage float64 // idf-weighted share of query terms the top entry contains
	Margin   float64 // (top - second) / top, over distinct entries
	Norm     float64 // top phrasing score over the query's total idf
	Unknown  float64 // share of query terms no phrasing contains
	Terms    float64 // log(1 + number of query terms)
	Cover    float64 // entry-level idf share of query terms the entry contains
	Agree    float64 // 1 when the entry also leads by best phrasing and by bag of phrasings
	PMargin  float64 // margin of its best phrasing over the best phrasing of any other entry
}

func featuresOf(li *langIndex, a analyzed, cands []candidate, i int) features {
	if i >= len(cands) || len(a.terms) == 0 {
		return features{}
	}
	top := cands[i]
	var f features
	var covered float64
	for _, t := range a.terms {
		if top.terms[t] {
			covered += li.idf(t)
		}
	}
	if a.idfSum > 0 {
		f.Coverage = covered / a.idfSum
		f.Norm = top.best / a.idfSum
	}
	if top.score > 0 {
		f.Margin = 1
		for j := range cands {
			if j != i {
				f.Margin = max(0, (top.score-cands[j].score)/top.score)
				break
			}
		}
	}
	f.Unknown = float64(a.unknown) / float64(len(a.terms))
	f.Terms = math.Log1p(float64(len(a.terms)))
	f.Cover = top.cover
	bestP, bestB, otherP := true, true, 0.0
	for j := range cands {
		if j == i {
			continue
		}
		if cands[j].best > top.best {
			bestP = false
		}
		if cands[j].bag > top.bag {
			bestB = false
		}
		otherP = max(otherP, cands[j].best)
	}
	if bestP && bestB {
		f.Agree = 1
	}
	if top.best > 0 {
		f.PMargin = max(0, (top.best-otherP)/top.best)
	}
	return f
}

// vector lays features out in the calibration's order.
func (f features) vector() []float64 {
	return []float64{f.Coverage, f.Margin, f.Norm, f.Unknown, f.Terms, f.Cover, f.Agree, f.PMargin}
}

// confidence maps features to a calibrated probability that the top hit is
// right, with the logistic model fitted by Calibrate.
func (c Calibration) confidence(f features) float64 {
	z := c.Bias
	for i, x := range f.vector() {
		if i < len(c.Weights) {
			z += c.Weights[i] * x
		}
	}
	return 1 / (1 + math.Exp(-z))
}
