package knowledge

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/liaison-gc/liaison/bot"
)

// MaxQueryRunes is where search truncates citizen text.
const MaxQueryRunes = 1000

// rankParams are the fixed parts of retrieval. Bleve (BM25 over phrasing
// and answer documents) finds the candidate entries; each candidate is then
// described by features computed from the Go-side statistics and ranked by
// a linear model (Ranker).
type rankParams struct {
	Answer    float64 // boost of answer documents in the Bleve query
	Typo      float64 // weight of a typo correction one edit away (half for two)
	Cands     int     // documents fetched from Bleve
	MaxCands  int     // entries described and ranked, in Bleve's order
	CharCands int     // of which the best get character-trigram features
	MinTypo   int     // shortest unknown term (runes) that gets typo correction
	K1, B     float64 // BM25 parameters of the Go-side features (B: phrasings)
	BBag      float64 // BM25 length normalisation of an entry's bag of phrasings
	BAnswer   float64 // and of its answer document and sentences
	Syn       float64 // weight of a synonym (see synonyms)
}

// withB returns rp with length normalisation b.
func (rp rankParams) withB(b float64) rankParams { rp.B = b; return rp }

var defaultRank = rankParams{Answer: 0.5, Typo: 0.6, Syn: 0.7, Cands: 40, MaxCands: 40, CharCands: 12, MinTypo: 4, K1: 1.2, B: 0.75, BBag: 0.75, BAnswer: 0.3}

// slot is one distinct query term and the vocabulary terms standing for it:
// itself and its synonyms when known; otherwise its synonyms, or failing
// those its typo corrections; none when nothing matches.
type slot struct {
	term string
	alts []alt
}

type alt struct {
	id int32
	w  float64
}

// analyzed holds a query analyzed in one language.
type analyzed struct {
	slots   []slot
	unknown int // slots with no vocabulary term
	typos   int // slots matched through typo correction (or synonyms only)
	// Total idf of the query per kind of document (unknown terms count at
	// the highest idf), used to put scores on a scale that does not depend
	// on the query or the size of the knowledge base.
	qP, qE, qA float64

	slotE        []float64 // each slot's entry-level idf
	qterms       []qterm   // the slots' vocabulary terms, sorted by id
	bestS, bestC []float64 // scratch: per-slot best score and idf
}

func (li *langIndex) analyze(text string, rp rankParams) analyzed {
	var a analyzed
	st := li.st
	seen := map[string]bool{}
	for _, tk := range li.analyzer.Analyze([]byte(withPhrases(li.lang, li.unelide(text)))) {
		t := string(tk.Term)
		if seen[t] {
			continue
		}
		seen[t] = true
		s := slot{term: t}
		if id := st.lookup(t); id >= 0 {
			s.alts = append([]alt{{id, 1}}, li.synonyms(t, rp.Syn)...)
		} else if syn := li.synonyms(t, rp.Syn); len(syn) > 0 {
			s.alts = syn
			a.typos++
		} else if n := utf8.RuneCountInString(t); n >= rp.MinTypo {
			s.alts = li.corrections(t, n, rp.Typo)
			if len(s.alts) > 0 {
				a.typos++
			}
		}
		if len(s.alts) == 0 {
			a.unknown++
		}
		a.slots = append(a.slots, s)
		a.qP += slotIDF(s, st.idfP, st.idf0P)
		a.slotE = append(a.slotE, slotIDF(s, st.idfE, st.idf0E))
		a.qE += a.slotE[len(a.slotE)-1]
		a.qA += slotIDF(s, st.idfA, st.idf0A)
		for _, al := range s.alts {
			a.qterms = append(a.qterms, qterm{al.id, int32(len(a.slots) - 1), al.w})
		}
	}
	slices.SortFunc(a.qterms, func(x, y qterm) int { return int(x.id - y.id) })
	a.bestS, a.bestC = make([]float64, len(a.slots)), make([]float64, len(a.slots))
	return a
}

// slotIDF is the weight a slot can contribute at most: its best
// alternative's idf, or the idf of an unseen term.
func slotIDF(s slot, idf []float64, unseen float64) float64 {
	if len(s.alts) == 0 {
		return unseen
	}
	best := 0.0
	for _, a := range s.alts {
		best = max(best, a.w*idf[a.id])
	}
	return best
}

// synonyms returns the vocabulary terms among term's synonyms, at weight w.
func (li *langIndex) synonyms(term string, w float64) []alt {
	if w <= 0 {
		return nil
	}
	var out []alt
	for _, o := range synonymTerms(li.lang, term) {
		if id := li.st.lookup(o); id >= 0 {
			out = append(out, alt{id, w})
		}
	}
	return out
}

// maxTypoAlts bounds the corrections tried for one unknown term.
const maxTypoAlts = 3

// corrections returns the vocabulary terms closest to an unknown term (one
// edit, two for terms of 8 runes or more; same first letter), the most
// frequent first.
func (li *langIndex) corrections(term string, n int, weight float64) []alt {
	st := li.st
	limit := 1
	if n >= 8 {
		limit = 2
	}
	q := []rune(term)
	best := limit + 1
	var found []int32
	li.st.typos.candidates(term, limit, func(id int32) {
		if slices.Contains(found, id) {
			return
		}
		c := []rune(st.terms[id])
		if len(c) == 0 || c[0] != q[0] {
			return
		}
		d := editDistance(q, c, limit)
		switch {
		case d > limit || d > best || d == 0:
		case d < best:
			best, found = d, append(found[:0], id)
		default:
			found = append(found, id)
		}
	})
	sort.Slice(found, func(i, j int) bool {
		fi, fj := st.dfP[found[i]]+st.dfA[found[i]], st.dfP[found[j]]+st.dfA[found[j]]
		if fi != fj {
			return fi > fj
		}
		return found[i] < found[j]
	})
	if len(found) > maxTypoAlts {
		found = found[:maxTypoAlts]
	}
	out := make([]alt, len(found))
	for i, id := range found {
		out[i] = alt{id, weight / float64(best)}
	}
	return out
}

// candidate is one entry found in one language, with its ranking features.
type candidate struct {
	entry int
	lang  bot.Lang
	f     [numRankFeatures]float64
	score float64 // ranker score
	prob  float64 // share of the candidates' softmax mass
	miss  float64 // largest idf share of a query term the entry lacks
}

// Ranking features of a candidate entry, in Ranker weight order. Scores are
// divided by the query's total idf of the same kind of document.
const (
	rfBest       = iota // best phrasing BM25
	rfSecond            // second-best phrasing BM25
	rfTop3              // mean BM25 of the three best phrasings
	rfBag               // BM25 of the bag of all phrasings (entry-level statistics)
	rfAnswer            // BM25 of the question and answer document
	rfCoverE            // entry-level idf share of the query found in its phrasings
	rfCoverA            // idf share of the query found in its answer document
	rfDice              // best phrasing's overlap with the query (2·shared idf over both totals)
	rfPrec              // best phrasing's idf share found in the query
	rfPhr               // log(1 + number of phrasings): entries asked often have more
	rfVotes             // score-weighted share of the ten best phrasings overall
	rfBleve             // 1 / (1 + Bleve rank of the entry's first document)
	rfRankBest          // 1 / (1 + rank among the candidates by best phrasing)
	rfRankBag           // the same by bag of phrasings
	rfRankAnswer        // the same by answer document
	rfSentence          // BM25 of the answer's best sentence
	rfSentCover         // idf share of the query found in that sentence
	rfLM                // query likelihood of the bag of phrasings and answer (Dirichlet smoothing), per query term
	rfDiceVotes         // overlap-weighted share of the ten phrasings overlapping the query most
	rfDice3             // mean overlap of the entry's three phrasings overlapping the query most
	rfChar              // best character-trigram overlap (Dice) of a phrasing with the query
	rfChar3             // mean of the three best
	rfCharVotes         // overlap-weighted share of the ten phrasings closest by trigrams overall
	rfCharAns           // share of the query's trigrams found in the question and answer
	numRankFeatures
)

// qterm is one vocabulary term of the query: which slot it stands for and
// with what weight.
type qterm struct {
	id   int32
	slot int32
	w    float64
}

// docScore is BM25 of one document (sorted terms) for the query slots,
// with the idf the document covers and the share of the document's own
// idf that the query matches. It merges the document's terms with the
// query's (both sorted by id).
func docScore(a *analyzed, toks []tok, idfs []float64, avgLen float64, rp rankParams) (score, cover, prec float64) {
	if len(toks) == 0 || len(a.qterms) == 0 {
		return 0, 0, 0
	}
	dl := 0
	for _, t := range toks {
		dl += int(t.tf)
	}
	norm := rp.K1 * (1 - rp.B + rp.B*float64(dl)/avgLen)
	bs, bc := a.bestS, a.bestC
	clear(bs)
	clear(bc)
	var total, matched float64
	i, j := 0, 0
	for i < len(toks) {
		t := toks[i]
		idf := idfs[t.id]
		total += idf
		for j < len(a.qterms) && a.qterms[j].id < t.id {
			j++
		}
		w := 0.0
		for k := j; k < len(a.qterms) && a.qterms[k].id == t.id; k++ {
			q := a.qterms[k]
			tf := float64(t.tf)
			bs[q.slot] = max(bs[q.slot], q.w*idf*tf*(rp.K1+1)/(tf+norm))
			bc[q.slot] = max(bc[q.slot], q.w*idf)
			w = max(w, q.w)
		}
		matched += w * idf
		i++
	}
	for k := range bs {
		score += bs[k]
		cover += bc[k]
	}
	if total > 0 {
		prec = matched / total
	}
	return score, cover, prec
}

// search finds and describes the candidate entries of one language for
// text, ranked by rk (best first).
func (li *langIndex) search(ctx context.Context, text string, rp rankParams, rk *Ranker) ([]candidate, analyzed, error) {
	a := li.analyze(text, rp)
	st := li.st
	qgrams := newGramSet(text)
	var qs []query.Query
	for _, s := range a.slots {
		for _, al := range s.alts {
			t := st.terms[al.id]
			pq := query.NewTermQuery(t)
			pq.SetField(fieldPhrase)
			pq.SetBoost(al.w)
			aq := query.NewTermQuery(t)
			aq.SetField(fieldAnswer)
			aq.SetBoost(al.w * rp.Answer)
			qs = append(qs, pq, aq)
		}
	}
	if len(qs) == 0 {
		return nil, a, nil
	}
	req := bleve.NewSearchRequestOptions(query.NewDisjunctionQuery(qs), rp.Cands, 0, false)
	res, err := li.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, a, fmt.Errorf("kb: search %s: %w", li.lang, err)
	}
	index := map[int]int{}
	var cands []candidate
	for rank, h := range res.Hits {
		e, ok := parseID(h.ID)
		if !ok || e+1 >= len(st.entPhr) {
			continue
		}
		if _, dup := index[e]; dup {
			continue
		}
		if len(cands) == rp.MaxCands {
			break
		}
		index[e] = len(cands)
		c := candidate{entry: e, lang: li.lang}
		c.f[rfBleve] = 1 / float64(1+rank)
		cands = append(cands, c)
	}
	// Phrasing scores of every candidate, for per-entry features and the
	// vote among the best phrasings overall.
	type phr struct {
		cand  int
		score float64
	}
	var all, allDice, allChar []phr
	var inBag []float64
	for ci := range cands {
		c := &cands[ci]
		from, to := st.phrasings(c.entry)
		var top, dice3 [3]float64
		bestDice := -1.0
		for k := from; k < to; k++ {
			s, cov, prec := docScore(&a, st.phrase(k), st.idfP, st.avgP, rp)
			s = safeDiv(s, a.qP)
			cov = safeDiv(cov, a.qP)
			all = append(all, phr{ci, s})
			switch {
			case s > top[0]:
				top[0], top[1], top[2] = s, top[0], top[1]
			case s > top[1]:
				top[1], top[2] = s, top[1]
			case s > top[2]:
				top[2] = s
			}
			d := safeDiv(2*cov*prec, cov+prec)
			if d > bestDice {
				bestDice = d
				c.f[rfDice], c.f[rfPrec] = d, prec
			}
			allDice = append(allDice, phr{ci, d})
			switch {
			case d > dice3[0]:
				dice3[0], dice3[1], dice3[2] = d, dice3[0], dice3[1]
			case d > dice3[1]:
				dice3[1], dice3[2] = d, dice3[1]
			case d > dice3[2]:
				dice3[2] = d
			}
		}
		c.f[rfBest], c.f[rfSecond] = top[0], top[1]
		c.f[rfTop3] = (top[0] + top[1] + top[2]) / 3
		c.f[rfDice3] = (dice3[0] + dice3[1] + dice3[2]) / 3
		c.f[rfPhr] = math.Log1p(float64(to - from))
		s, cov, _ := docScore(&a, st.bag(c.entry), st.idfE, st.avgE, rp.withB(rp.BBag))
		c.f[rfBag], c.f[rfCoverE] = safeDiv(s, a.qE), safeDiv(cov, a.qE)
		inBag = append(inBag[:0], a.bestC...)
		s, cov, _ = docScore(&a, st.answer(c.entry), st.idfA, st.avgA, rp.withB(rp.BAnswer))
		c.f[rfAnswer], c.f[rfCoverA] = safeDiv(s, a.qA), safeDiv(cov, a.qA)
		for k, w := range a.slotE {
			if inBag[k] == 0 && a.bestC[k] == 0 {
				c.miss = max(c.miss, safeDiv(w, a.qE))
			}
		}
		c.f[rfLM] = queryLikelihood(&a, st, c.entry)
		from, to = st.sentences(c.entry)
		for k := from; k < to; k++ {
			s, cov, _ := docScore(&a, st.sentence(k), st.idfA, st.avgS, rp.withB(rp.BAnswer))
			if s = safeDiv(s, a.qA); s > c.f[rfSentence] {
				c.f[rfSentence], c.f[rfSentCover] = s, safeDiv(cov, a.qA)
			}
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].score > all[j].score })
	if len(all) > 0 && all[0].score > 0 {
		for _, p := range all[:min(10, len(all))] {
			cands[p.cand].f[rfVotes] += p.score / all[0].score / 10
		}
	}
	sort.Slice(allDice, func(i, j int) bool { return allDice[i].score > allDice[j].score })
	if len(allDice) > 0 && allDice[0].score > 0 {
		for _, p := range allDice[:min(10, len(allDice))] {
			cands[p.cand].f[rfDiceVotes] += p.score / allDice[0].score / 10
		}
	}
	rankFeature(cands, rfBest, rfRankBest)
	rankFeature(cands, rfBag, rfRankBag)
	rankFeature(cands, rfAnswer, rfRankAnswer)
	// Character trigrams cost more than the rest: only the candidates the
	// other features rank best get them (the others keep zeros, as in the
	// fit).
	for _, ci := range rk.top(cands, rp.CharCands) {
		c := &cands[ci]
		if c.entry < len(li.texts) {
			t := li.texts[c.entry].In(li.lang)
			var c3 [3]float64
			for k := -1; k < len(t.Variants); k++ {
				p := t.Question
				if k >= 0 {
					p = t.Variants[k]
				}
				d := qgrams.dice(p)
				allChar = append(allChar, phr{ci, d})
				switch {
				case d > c3[0]:
					c3[0], c3[1], c3[2] = d, c3[0], c3[1]
				case d > c3[1]:
					c3[1], c3[2] = d, c3[1]
				case d > c3[2]:
					c3[2] = d
				}
			}
			c.f[rfChar], c.f[rfChar3] = c3[0], (c3[0]+c3[1]+c3[2])/3
			c.f[rfCharAns] = qgrams.contain(t.Question, t.Answer)
		}
	}
	sort.Slice(allChar, func(i, j int) bool { return allChar[i].score > allChar[j].score })
	if len(allChar) > 0 && allChar[0].score > 0 {
		for _, p := range allChar[:min(10, len(allChar))] {
			cands[p.cand].f[rfCharVotes] += p.score / allChar[0].score / 10
		}
	}
	rk.rank(cands)
	return cands, a, nil
}

// queryLikelihood is the log-likelihood ratio of the query under the
// entry's language model (phrasings and answer, Dirichlet-smoothed with a
// background estimated from document frequencies) against the background,
// per query term.
func queryLikelihood(a *analyzed, st *langStats, e int) float64 {
	const mu = 20.0
	bag, ans := st.bag(e), st.answer(e)
	var l int
	for _, t := range bag {
		l += int(t.tf)
	}
	for _, t := range ans {
		l += int(t.tf)
	}
	total := float64(st.nP + st.nA + len(st.terms))
	var sum float64
	for _, s := range a.slots {
		best := math.Inf(-1)
		for _, al := range s.alts {
			var tf float64
			if i, ok := slices.BinarySearchFunc(bag, al.id, func(t tok, id int32) int { return int(t.id - id) }); ok {
				tf += float64(bag[i].tf)
			}
			if i, ok := slices.BinarySearchFunc(ans, al.id, func(t tok, id int32) int { return int(t.id - id) }); ok {
				tf += float64(ans[i].tf)
			}
			pc := (float64(st.dfP[al.id]+st.dfA[al.id]) + 1) / total
			best = max(best, al.w*math.Log((tf+mu*pc)/((float64(l)+mu)*pc)))
		}
		if !math.IsInf(best, -1) {
			sum += best
		}
	}
	if len(a.slots) == 0 {
		return 0
	}
	return sum / float64(len(a.slots))
}

// grams computes character trigrams: lower case, letters and digits only,
// accents folded (foldRune), word boundaries as one space, each trigram
// packed in a uint32. Its buffers are reused from one text to the next.
type grams struct {
	norm []rune
	out  []uint32
}

// of returns the trigrams of text in order, with repeats.
func (g *grams) of(text string) []uint32 {
	g.norm = append(g.norm[:0], ' ')
	space := true
	for i := 0; i < len(text); {
		r, n := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(text[i:])
		}
		i += n
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			r = foldRune(unicode.ToLower(r))
		default:
			if !space {
				g.norm = append(g.norm, ' ')
				space = true
			}
			continue
		}
		g.norm = append(g.norm, r)
		space = false
	}
	if !space {
		g.norm = append(g.norm, ' ')
	}
	g.out = g.out[:0]
	for i := 0; i+3 <= len(g.norm); i++ {
		g.out = append(g.out, uint32(g.norm[i]&0x3ff)<<20|uint32(g.norm[i+1]&0x3ff)<<10|uint32(g.norm[i+2]&0x3ff))
	}
	return g.out
}

// set returns the sorted distinct trigrams of text.
func (g *grams) set(text string) []uint32 {
	out := g.of(text)
	slices.Sort(out)
	return slices.Compact(out)
}

// gramSet is an open-addressing hash set of a query's distinct trigrams,
// each with its index (for counting distinct matches).
type gramSet struct {
	keys  []uint32 // trigram+1; 0 is empty
	idx   []int32
	mask  uint32
	n     int
	grams grams
	seen  []bool
}

func newGramSet(text string) *gramSet {
	gs := &gramSet{}
	q := gs.grams.set(text)
	size := 16
	for size < 4*len(q) {
		size *= 2
	}
	gs.keys, gs.idx, gs.mask, gs.n = make([]uint32, size), make([]int32, size), uint32(size-1), len(q)
	for i, x := range q {
		h := (x * 0x9E3779B1) & gs.mask
		for gs.keys[h] != 0 {
			h = (h + 1) & gs.mask
		}
		gs.keys[h], gs.idx[h] = x+1, int32(i)
	}
	gs.seen = make([]bool, len(q))
	return gs
}

func (gs *gramSet) find(x uint32) int32 {
	for h := (x * 0x9E3779B1) & gs.mask; ; h = (h + 1) & gs.mask {
		switch gs.keys[h] {
		case 0:
			return -1
		case x + 1:
			return gs.idx[h]
		}
	}
}

// match returns how many of the query's distinct trigrams the texts hold,
// and how many trigrams (with repeats) the texts have.
func (gs *gramSet) match(texts ...string) (shared, total int) {
	clear(gs.seen)
	for _, text := range texts {
		gr := gs.grams.of(text)
		total += len(gr)
		for _, x := range gr {
			if i := gs.find(x); i >= 0 && !gs.seen[i] {
				gs.seen[i] = true
				shared++
			}
		}
	}
	return shared, total
}

// dice is the trigram overlap 2|q∩t|/(|q|+|t|) of the query and text
// (the text's trigrams counted with repeats).
func (gs *gramSet) dice(text string) float64 {
	shared, total := gs.match(text)
	if gs.n+total == 0 {
		return 0
	}
	return 2 * float64(shared) / float64(gs.n+total)
}

// contain is the share of the query's trigrams found in the texts.
func (gs *gramSet) contain(texts ...string) float64 {
	if gs.n == 0 {
		return 0
	}
	shared, _ := gs.match(texts...)
	return float64(shared) / float64(gs.n)
}

// foldRune maps common accented Latin letters to their base letter.
func foldRune(r rune) rune {
	switch r {
	case 'à', 'â', 'ä', 'á', 'ã', 'å', 'æ':
		return 'a'
	case 'ç':
		return 'c'
	case 'é', 'è', 'ê', 'ë':
		return 'e'
	case 'í', 'ì', 'î', 'ï':
		return 'i'
	case 'ñ':
		return 'n'
	case 'ó', 'ò', 'ô', 'ö', 'õ', 'œ':
		return 'o'
	case 'ú', 'ù', 'û', 'ü':
		return 'u'
	case 'ý', 'ÿ':
		return 'y'
	}
	return r
}

// rankFeature sets feature to to 1/(1+rank) of the candidates ordered by
// feature from (ties share the better rank).
func rankFeature(cands []candidate, from, to int) {
	order := make([]int, len(cands))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return cands[order[i]].f[from] > cands[order[j]].f[from] })
	r := 0
	for i, ci := range order {
		if i > 0 && cands[ci].f[from] < cands[order[i-1]].f[from] {
			r = i
		}
		cands[ci].f[to] = 1 / float64(1+r)
	}
}

func safeDiv(x, y float64) float64 {
	if y == 0 {
		return 0
	}
	return x / y
}

// top returns the indexes of the k candidates with the best scores (ties
// in candidate order), without reordering them.
func (rk *Ranker) top(cands []candidate, k int) []int {
	idx := make([]int, len(cands))
	sc := make([]float64, len(cands))
	for i := range cands {
		idx[i], sc[i] = i, rk.score(cands[i].f[:])
	}
	sort.SliceStable(idx, func(a, b int) bool { return sc[idx[a]] > sc[idx[b]] })
	return idx[:min(k, len(idx))]
}

// rank scores candidates, sorts them best first and sets each one's share
// of the softmax mass.
func (rk *Ranker) rank(cands []candidate) {
	if len(cands) == 0 {
		return
	}
	for i := range cands {
		cands[i].score = rk.score(cands[i].f[:])
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	var z float64
	for i := range cands {
		z += math.Exp(cands[i].score - cands[0].score)
	}
	for i := range cands {
		cands[i].prob = math.Exp(cands[i].score-cands[0].score) / z
	}
}

// Confidence features of a ranked candidate, in Calibration weight order.
const (
	cfProb    = iota // softmax share among the candidates
	cfMargin         // ranker score over the next other candidate's
	cfBest           // best phrasing BM25 over the query's idf
	cfCoverE         // entry-level idf share of the query in its phrasings
	cfDice           // best phrasing overlap with the query
	cfUnknown        // share of query terms absent from the vocabulary
	cfTerms          // log(1 + number of query terms)
	cfCoverA         // idf share of the query in its answer document
	cfTypo           // share of query terms matched through typo correction
	cfPhr            // log(1 + number of the entry's phrasings)
	cfVotes          // its share of the best-overlapping phrasings overall
	cfDice3          // mean overlap of its three best-overlapping phrasings
	cfMiss           // largest entry-level idf share of a query term the entry lacks
	numConfFeatures
)

// features describes how convincing candidate i is as the answer, on
// scales that do not depend on the size of the knowledge base.
type features [numConfFeatures]float64

func featuresOf(a analyzed, cands []candidate, i int) features {
	var f features
	if i >= len(cands) || len(a.slots) == 0 {
		return f
	}
	c := cands[i]
	f[cfProb] = c.prob
	other := math.Inf(-1)
	for j := range cands {
		if j != i {
			other = max(other, cands[j].score)
		}
	}
	if math.IsInf(other, -1) {
		f[cfMargin] = 5
	} else {
		f[cfMargin] = max(-5, min(5, c.score-other))
	}
	f[cfBest] = c.f[rfBest]
	f[cfCoverE] = c.f[rfCoverE]
	f[cfDice] = c.f[rfDice]
	f[cfUnknown] = float64(a.unknown) / float64(len(a.slots))
	f[cfTerms] = math.Log1p(float64(len(a.slots)))
	f[cfCoverA] = c.f[rfCoverA]
	f[cfTypo] = float64(a.typos) / float64(len(a.slots))
	f[cfPhr] = c.f[rfPhr]
	f[cfVotes] = c.f[rfDiceVotes]
	f[cfDice3] = c.f[rfDice3]
	f[cfMiss] = c.miss
	return f
}

// vector returns the features as a slice, in the calibration's order.
func (f features) vector() []float64 { return append([]float64(nil), f[:]...) }

// confidence maps features to a calibrated probability that the hit is
// right, with the logistic model fitted by Calibrate.
func (c Calibration) confidence(f features) float64 { return c.Confidence(f[:]) }
