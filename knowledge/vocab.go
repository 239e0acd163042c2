package knowledge

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"os"
	"slices"
	"sort"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/document"
	bindex "github.com/blevesearch/bleve_index_api"
	"golang.org/x/text/unicode/norm"

	"github.com/liaison-gc/liaison/bot"
)

// langStats is what ranking needs about one language's documents, kept in
// Go structures rather than in Bleve: the vocabulary with its document
// frequencies per kind of document, and the analyzed terms of every
// phrasing, bag of phrasings and answer. Bleve finds the candidates; these
// describe them. It is immutable once built and persisted next to the Bleve
// index, so that reopening reads it instead of re-analyzing the entries.
type langStats struct {
	terms []string // vocabulary, sorted
	ids   map[string]int32
	dfP   []uint32 // phrasing documents containing the term
	dfE   []uint32 // entries whose phrasings contain it
	dfA   []uint32 // answer documents (question and answer) containing it

	nP, nE, nA       int     // phrasing documents, entries with phrasings, answer documents
	avgP, avgE, avgA float64 // average lengths in terms

	// Documents are ranges of term lists sorted by term id. Entry i's
	// phrasings are documents entPhr[i]..entPhr[i+1]-1, phrasing document k
	// is pToks[phrTok[k]:phrTok[k+1]]; the entry's bag of phrasings is
	// eToks[bagTok[i]:bagTok[i+1]] and its answer aToks[ansTok[i]:ansTok[i+1]].
	entPhr []int32
	phrTok []int32
	bagTok []int32
	ansTok []int32
	pToks  []tok
	eToks  []tok
	aToks  []tok
	// Answer sentences: entry i's are documents entSen[i]..entSen[i+1]-1,
	// sentence k is sToks[senTok[k]:senTok[k+1]] (answer frequencies).
	entSen []int32
	senTok []int32
	sToks  []tok
	avgS   float64

	typos typoIndex
	// idf of each term per kind of document, and of a term none contains.
	idfP, idfE, idfA    []float64
	idf0P, idf0E, idf0A float64
}

// tok is one term of a document and its frequency there.
type tok struct {
	id int32
	tf int32
}

// phrase returns the terms of phrasing document k.
func (st *langStats) phrase(k int32) []tok { return st.pToks[st.phrTok[k]:st.phrTok[k+1]] }

// bag returns the terms of all of entry i's phrasings.
func (st *langStats) bag(i int) []tok { return st.eToks[st.bagTok[i]:st.bagTok[i+1]] }

// sentences returns the sentence numbers of entry i's answer.
func (st *langStats) sentences(i int) (int32, int32) { return st.entSen[i], st.entSen[i+1] }

// sentence returns the terms of answer sentence k.
func (st *langStats) sentence(k int32) []tok { return st.sToks[st.senTok[k]:st.senTok[k+1]] }

// answer returns the terms of entry i's answer document.
func (st *langStats) answer(i int) []tok { return st.aToks[st.ansTok[i]:st.ansTok[i+1]] }

// phrasings returns the phrasing document numbers of entry i.
func (st *langStats) phrasings(i int) (int32, int32) {
	if i+1 >= len(st.entPhr) {
		return 0, 0
	}
	return st.entPhr[i], st.entPhr[i+1]
}

// statsBuilder accumulates analyzed documents in entry order.
type statsBuilder struct {
	ids   map[string]int32
	terms []string
	dfP   []uint32
	dfE   []uint32
	dfA   []uint32
	st    *langStats
	sumP  int
	sumE  int
	sumA  int
	sumS  int
	nS    int
	// A document's distinct terms (counted), and an entry's over its
	// phrasings (bag).
	count, bagCount termCounts
	fold            func([]byte) []byte
}

// termCounts counts the terms of one document: each term's count is kept
// at its id, zero outside the document being counted, which lists the ids
// it set.
type termCounts struct {
	n    []int32
	seen []int32
}

func (c *termCounts) add(id, n int32) {
	if c.n[id] == 0 {
		c.seen = append(c.seen, id)
	}
	c.n[id] += n
}

// flush appends the counted terms to toks in the order of their ids,
// counts each in df (when not nil), and clears the counts for the next
// document.
func (c *termCounts) flush(toks []tok, df []uint32) []tok {
	start := len(toks)
	for _, id := range c.seen {
		toks = append(toks, tok{id, c.n[id]})
		c.n[id] = 0
		if df != nil {
			df[id]++
		}
	}
	c.seen = c.seen[:0]
	slices.SortFunc(toks[start:], cmpTok)
	return toks
}

func newStatsBuilder(entries int) *statsBuilder {
	st := &langStats{entPhr: make([]int32, 1, entries+1), phrTok: []int32{0}, bagTok: make([]int32, 1, entries+1), ansTok: make([]int32, 1, entries+1), entSen: make([]int32, 1, entries+1), senTok: []int32{0}}
	f := fastFold{asciifolding.New()}
	return &statsBuilder{ids: map[string]int32{}, st: st, fold: f.Filter}
}

// id returns the id of term, numbering a new one (a term seen before costs
// no allocation).
func (b *statsBuilder) id(term []byte) int32 {
	if id, ok := b.ids[string(term)]; ok {
		return id
	}
	id := int32(len(b.terms))
	t := string(term)
	b.ids[t] = id
	b.terms = append(b.terms, t)
	b.dfP, b.dfE, b.dfA = append(b.dfP, 0), append(b.dfE, 0), append(b.dfA, 0)
	b.count.n, b.bagCount.n = append(b.count.n, 0), append(b.bagCount.n, 0)
	return id
}

// add analyzes one entry's phrasings and answer (an entry absent in this
// language passes present false and gets empty ranges).
//
// It returns the terms of the phrasings (one field) and of the answer, for
// Bleve.
func (b *statsBuilder) add(a analysis.Analyzer, phrasings []string, answer string, present bool) (phr, ans *fieldTerms) {
	st := b.st
	if present {
		bagLen := 0
		for _, p := range phrasings {
			ts := a.Analyze([]byte(p))
			start := len(st.pToks)
			st.pToks = b.addDoc(st.pToks, ts, true)
			st.phrTok = append(st.phrTok, int32(len(st.pToks)))
			b.sumP += len(ts)
			bagLen += len(ts)
			st.nP++
			for _, t := range st.pToks[start:] {
				b.bagCount.add(t.id, t.tf)
			}
		}
		start := len(st.eToks)
		st.eToks = b.bagCount.flush(st.eToks, b.dfE)
		phr = b.fieldTerms(st.eToks[start:], bagLen)
		if len(phrasings) > 0 {
			st.nE++
			b.sumE += bagLen
		}
		// Fold once (the analyzer's own folding then has nothing to do),
		// analyze once, and cut the answer's tokens into sentences by
		// their offsets in the folded text.
		folded := b.fold([]byte(answer))
		ts := a.Analyze(folded)
		start = len(st.aToks)
		st.aToks = b.addDoc(st.aToks, ts, false)
		ans = b.fieldTerms(st.aToks[start:], len(ts))
		b.sumA += len(ts)
		st.nA++
		ends := sentenceEnds(string(folded))
		from := 0
		for _, end := range ends {
			to := from
			for to < len(ts) && ts[to].Start < end {
				to++
			}
			if to > from {
				st.sToks = b.addDoc(st.sToks, ts[from:to], false, true)
				st.senTok = append(st.senTok, int32(len(st.sToks)))
				b.sumS += to - from
				b.nS++
			}
			from = to
		}
	}
	st.entSen = append(st.entSen, int32(len(st.senTok)-1))
	st.bagTok = append(st.bagTok, int32(len(st.eToks)))
	st.ansTok = append(st.ansTok, int32(len(st.aToks)))
	st.entPhr = append(st.entPhr, int32(len(st.phrTok)-1))
	return phr, ans
}

// fieldTerms is one field of a Bleve document as the statistics counted
// its analyzed tokens: each distinct term with its frequency, and the
// number of tokens. Bleve thus indexes the very terms the statistics count
// without analyzing the text again. The fields index no term vectors, so
// that the terms, their frequencies and the field's length are all Bleve
// reads of the tokens: a document waiting for its batch holds these
// instead of its token stream, a fraction of its size.
type fieldTerms struct {
	terms []string
	tf    []int32
	n     int // tokens
}

// fieldTerms returns the terms of toks, a document's distinct terms and
// their frequencies, n tokens in all.
func (b *statsBuilder) fieldTerms(toks []tok, n int) *fieldTerms {
	f := &fieldTerms{terms: make([]string, len(toks)), tf: make([]int32, len(toks)), n: n}
	for i, t := range toks {
		f.terms[i], f.tf[i] = b.terms[t.id], t.tf
	}
	return f
}

// termsField is a Bleve text field analyzed into the counted terms: its
// term frequencies are made from them directly, as Bleve would make them
// from a token stream of the same terms, without the stream.
type termsField struct {
	*document.TextField
	terms *fieldTerms
	freqs bindex.TokenFrequencies
}

func newTermsField(name string, f *fieldTerms) *termsField {
	return &termsField{TextField: document.NewTextFieldCustom(name, nil, nil, bindex.IndexField, nil), terms: f}
}

// Analyze implements document.Field: Bleve calls it before reading the
// field's length and term frequencies.
func (t *termsField) Analyze() {
	f := t.terms
	size := 0
	for _, term := range f.terms {
		size += len(term)
	}
	buf := make([]byte, 0, size)
	tfs := make([]bindex.TokenFreq, len(f.terms))
	t.freqs = make(bindex.TokenFrequencies, len(f.terms))
	for i, term := range f.terms {
		buf = append(buf, term...)
		tfs[i].Term = buf[len(buf)-len(term) : len(buf) : len(buf)]
		if !t.Options().SkipFreqNorm() {
			tfs[i].SetFrequency(int(f.tf[i]))
		}
		t.freqs[term] = &tfs[i]
	}
}

func (t *termsField) AnalyzedLength() int                               { return t.terms.n }
func (t *termsField) AnalyzedTokenFrequencies() bindex.TokenFrequencies { return t.freqs }

func cmpTok(x, y tok) int { return int(x.id - y.id) }

// addDoc appends one analyzed document to toks and counts its distinct
// terms in the phrasing (isP) or answer document frequencies.
func (b *statsBuilder) addDoc(toks []tok, ts analysis.TokenStream, isP bool, noDF ...bool) []tok {
	for _, t := range ts {
		b.count.add(b.id(t.Term), 1)
	}
	df := b.dfA
	switch {
	case len(noDF) > 0:
		df = nil
	case isP:
		df = b.dfP
	}
	return b.count.flush(toks, df)
}

// finish renumbers terms in sorted order and derives the averages. What
// searches derive from the statistics (index) is left to whoever searches
// them: a persisted build writes them, and reads them back to search.
func (b *statsBuilder) finish() *langStats {
	st := b.st
	order := make([]int32, len(b.terms))
	for i := range order {
		order[i] = int32(i)
	}
	sort.Slice(order, func(i, j int) bool { return b.terms[order[i]] < b.terms[order[j]] })
	remap := make([]int32, len(order))
	st.terms = make([]string, len(order))
	st.dfP, st.dfE, st.dfA = make([]uint32, len(order)), make([]uint32, len(order)), make([]uint32, len(order))
	for newID, old := range order {
		remap[old] = int32(newID)
		st.terms[newID] = b.terms[old]
		st.dfP[newID], st.dfE[newID], st.dfA[newID] = b.dfP[old], b.dfE[old], b.dfA[old]
	}
	for _, toks := range [][]tok{st.pToks, st.eToks, st.aToks, st.sToks} {
		for i := range toks {
			toks[i].id = remap[toks[i].id]
		}
	}
	sortRanges(st.sToks, st.senTok)
	st.avgS = avg(b.sumS, b.nS)
	sortRanges(st.pToks, st.phrTok)
	sortRanges(st.eToks, st.bagTok)
	sortRanges(st.aToks, st.ansTok)
	st.avgP = avg(b.sumP, st.nP)
	st.avgE = avg(b.sumE, st.nE)
	st.avgA = avg(b.sumA, st.nA)
	return st
}

// sortRanges sorts each range of toks (consecutive offsets) by term id.
func sortRanges(toks []tok, offs []int32) {
	for i := 0; i+1 < len(offs); i++ {
		if offs[i+1] > offs[i] {
			slices.SortFunc(toks[offs[i]:offs[i+1]], cmpTok)
		}
	}
}

// splitSentences cuts an answer after each line break, and after each
// ".", "?", "!" or ";" followed by a space, a line break or the end.
func splitSentences(text string) []string {
	var out []string
	start := 0
	for _, end := range sentenceEnds(text) {
		out = append(out, text[start:end])
		start = end
	}
	return out
}

// sentenceEnds returns the byte offsets where splitSentences cuts, the
// last one being len(text).
func sentenceEnds(text string) []int {
	var ends []int
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '.' && c != '?' && c != '!' && c != ';' && c != '\n' {
			continue
		}
		if c != '\n' && i+1 < len(text) && text[i+1] != ' ' && text[i+1] != '\n' {
			continue
		}
		ends = append(ends, i+1)
	}
	if len(ends) == 0 || ends[len(ends)-1] < len(text) {
		ends = append(ends, len(text))
	}
	return ends
}

func avg(sum, n int) float64 {
	if n == 0 {
		return 1
	}
	return max(1, float64(sum)/float64(n))
}

// index derives the lookup map and the typo index from the vocabulary.
func (st *langStats) index() {
	st.ids = make(map[string]int32, len(st.terms))
	for i, t := range st.terms {
		st.ids[t] = int32(i)
	}
	st.typos = newTypoIndex(st.terms)
	st.idfP, st.idfE, st.idfA = make([]float64, len(st.terms)), make([]float64, len(st.terms)), make([]float64, len(st.terms))
	for i := range st.terms {
		st.idfP[i] = bm25idf(st.nP, st.dfP[i])
		st.idfE[i] = bm25idf(st.nE, st.dfE[i])
		st.idfA[i] = bm25idf(st.nA, st.dfA[i])
	}
	st.idf0P, st.idf0E, st.idf0A = bm25idf(st.nP, 0), bm25idf(st.nE, 0), bm25idf(st.nA, 0)
}

// lookup returns the id of term, -1 when the vocabulary lacks it.
func (st *langStats) lookup(term string) int32 {
	if id, ok := st.ids[term]; ok {
		return id
	}
	return -1
}

func bm25idf(n int, df uint32) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// Persistence: a compact little-endian file of varints, written when the
// index is built and read when it is reopened.

const statsMagic = "liaison-kb-stats-1\n"

func (st *langStats) write(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	// Written as it is encoded: the file is never whole in memory.
	w := bufio.NewWriterSize(f, 64<<10)
	w.WriteString(statsMagic)
	u := func(v uint64) { w.Write(binary.AppendUvarint(w.AvailableBuffer(), v)) }
	u(uint64(len(st.terms)))
	for i, t := range st.terms {
		u(uint64(len(t)))
		w.WriteString(t)
		u(uint64(st.dfP[i]))
		u(uint64(st.dfE[i]))
		u(uint64(st.dfA[i]))
	}
	u(uint64(st.nP))
	u(uint64(st.nE))
	u(uint64(st.nA))
	for _, f := range []float64{st.avgP, st.avgE, st.avgA, st.avgS} {
		u(math.Float64bits(f))
	}
	for _, offs := range [][]int32{st.entPhr, st.phrTok, st.bagTok, st.ansTok, st.entSen, st.senTok} {
		u(uint64(len(offs)))
		prev := int32(0)
		for _, o := range offs {
			u(uint64(o - prev)) // offsets never decrease
			prev = o
		}
	}
	for _, toks := range [][]tok{st.pToks, st.eToks, st.aToks, st.sToks} {
		u(uint64(len(toks)))
		for _, t := range toks {
			u(uint64(t.id))
			u(uint64(t.tf))
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

var errStats = errors.New("malformed statistics file")

func readStats(path string) (*langStats, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) < len(statsMagic) || string(data[:len(statsMagic)]) != statsMagic {
		return nil, fmt.Errorf("%s: %w", path, errStats)
	}
	data = data[len(statsMagic):]
	bad := false
	u := func() uint64 {
		v, n := binary.Uvarint(data)
		if n <= 0 {
			bad = true
			return 0
		}
		data = data[n:]
		return v
	}
	st := &langStats{}
	nt := int(u())
	if bad || nt > len(data) {
		return nil, fmt.Errorf("%s: %w", path, errStats)
	}
	st.terms = make([]string, nt)
	st.dfP, st.dfE, st.dfA = make([]uint32, nt), make([]uint32, nt), make([]uint32, nt)
	for i := range nt {
		l := int(u())
		if bad || l > len(data) {
			return nil, fmt.Errorf("%s: %w", path, errStats)
		}
		st.terms[i] = string(data[:l])
		data = data[l:]
		st.dfP[i], st.dfE[i], st.dfA[i] = uint32(u()), uint32(u()), uint32(u())
	}
	st.nP, st.nE, st.nA = int(u()), int(u()), int(u())
	st.avgP, st.avgE, st.avgA, st.avgS = math.Float64frombits(u()), math.Float64frombits(u()), math.Float64frombits(u()), math.Float64frombits(u())
	for _, offs := range []*[]int32{&st.entPhr, &st.phrTok, &st.bagTok, &st.ansTok, &st.entSen, &st.senTok} {
		n := int(u())
		if bad || n > len(data) {
			return nil, fmt.Errorf("%s: %w", path, errStats)
		}
		*offs = make([]int32, n)
		prev := int32(0)
		for i := range n {
			prev += int32(u())
			(*offs)[i] = prev
		}
	}
	for _, toks := range []*[]tok{&st.pToks, &st.eToks, &st.aToks, &st.sToks} {
		n := int(u())
		if bad || n > len(data) {
			return nil, fmt.Errorf("%s: %w", path, errStats)
		}
		*toks = make([]tok, n)
		for i := range n {
			t := tok{int32(u()), int32(u())}
			if t.id < 0 || int(t.id) >= nt {
				return nil, fmt.Errorf("%s: %w", path, errStats)
			}
			(*toks)[i] = t
		}
	}
	if bad || len(data) != 0 {
		return nil, fmt.Errorf("%s: %w", path, errStats)
	}
	for i, toks := range [][]tok{st.pToks, st.eToks, st.aToks, st.sToks} {
		offs := [][]int32{st.phrTok, st.bagTok, st.ansTok, st.senTok}[i]
		if len(offs) == 0 || int(offs[len(offs)-1]) > len(toks) {
			return nil, fmt.Errorf("%s: %w", path, errStats)
		}
	}
	if len(st.entPhr) == 0 || int(st.entPhr[len(st.entPhr)-1]) >= len(st.phrTok) || len(st.bagTok) != len(st.entPhr) || len(st.ansTok) != len(st.entPhr) ||
		len(st.entSen) != len(st.entPhr) || int(st.entSen[len(st.entSen)-1]) >= len(st.senTok) {
		return nil, fmt.Errorf("%s: %w", path, errStats)
	}
	st.index()
	return st, nil
}

// typoIndex finds the vocabulary terms one or two edits away from an
// unknown term, SymSpell-style: every term and each of its single-character
// deletions is keyed by hash; a query term's own deletions (one or two) are
// looked up and each candidate is checked with the real edit distance. It
// replaces Bleve's fuzzy queries, whose Levenshtein automaton is built for
// every query term. Two substitutions in one long word are not found.
type typoIndex struct {
	seed maphash.Seed
	keys []typoKey // sorted by hash
}

type typoKey struct {
	h  uint64
	id int32
}

// minTypoRunes is the shortest vocabulary term the typo index holds (a
// four-letter query term may lose one letter).
const minTypoRunes = 3

func newTypoIndex(terms []string) typoIndex {
	ti := typoIndex{seed: maphash.MakeSeed()}
	n := 0
	for _, t := range terms {
		if l := utf8.RuneCountInString(t); l >= minTypoRunes {
			n += l + 1
		}
	}
	ti.keys = make([]typoKey, 0, n)
	var buf []byte
	for id, t := range terms {
		if utf8.RuneCountInString(t) < minTypoRunes {
			continue
		}
		ti.keys = append(ti.keys, typoKey{maphash.String(ti.seed, t), int32(id)})
		for i, r := range t {
			buf = append(append(buf[:0], t[:i]...), t[i+utf8.RuneLen(r):]...)
			ti.keys = append(ti.keys, typoKey{maphash.Bytes(ti.seed, buf), int32(id)})
		}
	}
	sortTypoKeys(ti.keys)
	return ti
}

// cmpTypoKey orders typo keys by hash, then by id.
func cmpTypoKey(a, b typoKey) int {
	switch {
	case a.h < b.h:
		return -1
	case a.h > b.h:
		return 1
	}
	return int(a.id - b.id)
}

// sortTypoKeys sorts keys, made in the order of their ids, by hash then
// id (cmpTypoKey): a radix sort of the hashes, sixteen bits at a time,
// keeps the keys of one hash in the order they come. It runs at every
// opening of the index: on 293,000 keys, 7 ms where a comparison sort
// takes 32.
func sortTypoKeys(keys []typoKey) {
	const bits = 16
	tmp := make([]typoKey, len(keys))
	var count [1 << bits]int32
	src, dst := keys, tmp
	for shift := 0; shift < 64; shift += bits {
		clear(count[:])
		for _, k := range src {
			count[k.h>>shift&(1<<bits-1)]++
		}
		sum := int32(0)
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for _, k := range src {
			d := k.h >> shift & (1<<bits - 1)
			dst[count[d]] = k
			count[d]++
		}
		src, dst = dst, src
	}
	// Four passes: the sorted keys are back in keys.
}

// candidates calls fn with each vocabulary id sharing a deletion key with
// term, up to maxDel deletions on the query side (ids may repeat).
func (ti *typoIndex) candidates(term string, maxDel int, fn func(id int32)) {
	look := func(s []byte) {
		h := maphash.Bytes(ti.seed, s)
		i := sort.Search(len(ti.keys), func(i int) bool { return ti.keys[i].h >= h })
		for ; i < len(ti.keys) && ti.keys[i].h == h; i++ {
			fn(ti.keys[i].id)
		}
	}
	rs := []byte(term)
	look(rs)
	var d1, d2 []byte
	for i, r := range term {
		d1 = append(append(d1[:0], term[:i]...), term[i+utf8.RuneLen(r):]...)
		look(d1)
		if maxDel < 2 {
			continue
		}
		s := string(d1)
		for j, r2 := range s {
			if j < i {
				continue // each pair once
			}
			d2 = append(append(d2[:0], s[:j]...), s[j+utf8.RuneLen(r2):]...)
			look(d2)
		}
	}
}

// editDistance is the optimal string alignment distance (Levenshtein with
// adjacent transpositions) between a and b, or limit+1 when it exceeds limit.
func editDistance(a, b []rune, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	if prev[len(b)] > limit {
		return limit + 1
	}
	return prev[len(b)]
}

// fastFold is Bleve's ASCII folding without its cost on text that is
// already ASCII: Bleve's filter allocates sixteen bytes per input byte on
// every call. Folding maps each rune on its own, so folding rune by rune
// gives the same output. Text in decomposed Unicode (NFD: "e" then a
// combining circumflex, as macOS and some exports write it) is composed
// first, so that it folds as its composed form does: Bleve's filter
// leaves the combining mark in the word.
type fastFold struct{ slow analysis.CharFilter }

func (f fastFold) Filter(in []byte) []byte {
	i := 0
	for i < len(in) && in[i] < utf8.RuneSelf {
		i++
	}
	if i == len(in) {
		return in
	}
	// From the last ASCII letter, which a combining mark may follow.
	if j := max(i-1, 0); !norm.NFC.IsNormal(in[j:]) {
		in, i = norm.NFC.Append(in[:j:j], in[j:]...), j
	}
	out := make([]byte, i, len(in)+8)
	copy(out, in[:i])
	var buf [utf8.UTFMax]byte
	for _, r := range string(in[i:]) {
		if r < utf8.RuneSelf {
			out = append(out, byte(r))
			continue
		}
		n := utf8.EncodeRune(buf[:], r)
		out = append(out, f.slow.Filter(buf[:n])...)
	}
	return out
}

// newAnalyzer returns lang's analyzer as indexing and search use it, built
// from a fresh mapping (for word lists analyzed outside an index).
func newAnalyzer(lang bot.Lang) (analysis.Analyzer, error) {
	m, err := newMapping(lang)
	if err != nil {
		return nil, err
	}
	return kbAnalyzer(m.AnalyzerNamed(analyzerKB), lang), nil
}

// kbAnalyzer returns the analyzer of lang's index mapping as used for
// the statistics, for Bleve's documents and for queries: Bleve's ASCII
// folding replaced by fastFold (same terms, fewer allocations), and
// informal words and word families rewritten before the stemmer (the last
// filter).
func kbAnalyzer(a analysis.Analyzer, lang bot.Lang) analysis.Analyzer {
	da, ok := a.(*analysis.DefaultAnalyzer)
	if !ok {
		return a
	}
	c := *da
	if n := len(da.TokenFilters); n > 0 && len(wordForms[lang]) > 0 {
		c.TokenFilters = append(append(append([]analysis.TokenFilter(nil), da.TokenFilters[:n-1]...), informalFilter(wordForms[lang])), da.TokenFilters[n-1])
	}
	c.CharFilters = make([]analysis.CharFilter, len(da.CharFilters))
	for i, cf := range da.CharFilters {
		if _, ok := cf.(*asciifolding.AsciiFoldingFilter); ok {
			cf = fastFold{cf}
		}
		c.CharFilters[i] = cf
	}
	return &c
}
