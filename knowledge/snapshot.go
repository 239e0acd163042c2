package knowledge

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"github.com/liaison-gc/liaison/bot"
)

// indexVersion changes whenever the analysis or document layout changes, so
// that persisted indexes built by an older binary are rebuilt.
const indexVersion = "liaison-kb-3"

// snapshot is one immutable generation of the knowledge base: the entries
// and one Bleve index per language. Searches hold its read lock; close takes
// the write lock, so an index is closed only after the searches using it end.
type snapshot struct {
	hash    string
	dir     string // "" when in memory
	entries []Entry
	byID    map[string]int
	langs   [2]*langIndex // bot.Langs order

	mu     sync.RWMutex
	closed bool
}

// langIndex is the Bleve index of one language and the statistics the
// ranking needs that Bleve does not expose cheaply.
type langIndex struct {
	lang     bot.Lang
	idx      bleve.Index
	analyzer analysis.Analyzer
	df       map[string]int // phrase-field term -> document frequency
	dfBag    map[string]int // bag-field term -> number of entries using it
	nDocs    int            // phrase documents
	entries  int            // entries served in this language
}

func (s *snapshot) lang(l bot.Lang) *langIndex {
	if l == bot.French {
		return s.langs[1]
	}
	return s.langs[0]
}

// acquire read-locks s; it returns false when s was closed meanwhile.
func (s *snapshot) acquire() bool {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return false
	}
	return true
}

func (s *snapshot) release() { s.mu.RUnlock() }

// close waits for searches in progress, then closes the indexes.
func (s *snapshot) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	for _, li := range s.langs {
		if li != nil && li.idx != nil {
			errs = append(errs, li.idx.Close())
		}
	}
	return errors.Join(errs...)
}

// contentHash identifies what the indexes are built from: the entries'
// searchable content and the index layout version. Positions in files do not
// count, so moving an entry or adding a comment does not rebuild.
func contentHash(entries []Entry) string {
	h := sha256.New()
	h.Write([]byte(indexVersion + "\n"))
	enc := json.NewEncoder(h)
	for i := range entries {
		e := &entries[i]
		_ = enc.Encode([]any{e.ID, e.Topic, e.EN.Question, e.EN.Variants, e.EN.Answer, e.EN.Links, e.FR.Question, e.FR.Variants, e.FR.Answer, e.FR.Links})
	}
	return hex.EncodeToString(h.Sum(nil))[:24]
}

const manifestName = "manifest.json"

type manifest struct {
	Version string `json:"version"`
	Hash    string `json:"hash"`
	Entries int    `json:"entries"`
}

// openOrBuild returns the snapshot of entries. With a data directory it
// reopens the persisted indexes when their hash matches, and otherwise builds
// them in a temporary directory renamed into place when complete, so that a
// crash mid-build never leaves a half index that looks whole.
func openOrBuild(entries []Entry, dataDir string) (*snapshot, error) {
	s := &snapshot{hash: contentHash(entries), entries: entries, byID: make(map[string]int, len(entries))}
	for i := range entries {
		s.byID[entries[i].ID] = i
	}
	if dataDir == "" {
		return s, s.build("")
	}
	root := filepath.Join(dataDir, "kb-index")
	s.dir = filepath.Join(root, s.hash)
	if b, err := os.ReadFile(filepath.Join(s.dir, manifestName)); err == nil {
		var m manifest
		if json.Unmarshal(b, &m) == nil && m.Version == indexVersion && m.Hash == s.hash {
			if err := s.open(); err == nil {
				return s, nil
			}
			// Complete but locked (another process serves it) or damaged:
			// never delete what another process may be using; index in
			// memory instead.
			s.closed, s.dir = false, ""
			return s, s.build("")
		}
	}
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("kb: index directory: %w", err)
	}
	tmp, err := os.MkdirTemp(root, "build-")
	if err != nil {
		return nil, fmt.Errorf("kb: index directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := s.build(tmp); err != nil {
		return nil, err
	}
	if err := s.close(); err != nil {
		return nil, fmt.Errorf("kb: close new index: %w", err)
	}
	m, _ := json.Marshal(manifest{Version: indexVersion, Hash: s.hash, Entries: len(entries)})
	if err := os.WriteFile(filepath.Join(tmp, manifestName), m, 0o640); err != nil {
		return nil, fmt.Errorf("kb: index manifest: %w", err)
	}
	_ = os.RemoveAll(s.dir)
	if err := os.Rename(tmp, s.dir); err != nil {
		return nil, fmt.Errorf("kb: index directory: %w", err)
	}
	s.closed = false
	if err := s.open(); err != nil {
		return nil, err
	}
	return s, nil
}

// open opens the persisted per-language indexes of s.dir.
func (s *snapshot) open() error {
	for i, l := range bot.Langs {
		idx, err := bleve.OpenUsing(filepath.Join(s.dir, string(l)), map[string]any{"bolt_timeout": "500ms"})
		if err != nil {
			_ = s.close()
			s.closed = false
			return fmt.Errorf("kb: open index: %w", err)
		}
		li, err := newLangIndex(l, idx)
		if err != nil {
			_ = idx.Close()
			return err
		}
		s.langs[i] = li
	}
	s.countEntries()
	return nil
}

func (s *snapshot) countEntries() {
	for _, li := range s.langs {
		li.entries = 0
		for i := range s.entries {
			if s.entries[i].Has(li.lang) {
				li.entries++
			}
		}
	}
}

// build indexes every entry, both languages at once (one core each).
func (s *snapshot) build(dir string) error {
	var wg sync.WaitGroup
	errs := make([]error, len(bot.Langs))
	for i, l := range bot.Langs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := ""
			if dir != "" {
				path = filepath.Join(dir, string(l))
			}
			li, err := buildLang(l, path, s.entries)
			s.langs[i], errs[i] = li, err
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		_ = s.close()
		return err
	}
	s.countEntries()
	return nil
}

// docID encodes what a document is, so that ranking needs no stored fields:
// "p/<entry index>/<phrasing>" or "a/<entry index>".
func phraseID(entry, n int) string { return "p/" + strconv.Itoa(entry) + "/" + strconv.Itoa(n) }
func answerID(entry int) string    { return "a/" + strconv.Itoa(entry) }
func bagID(entry int) string       { return "c/" + strconv.Itoa(entry) }

// parseID returns the entry index of a document id and whether it is an
// answer document.
func parseID(id string) (entry int, kind byte, ok bool) {
	if len(id) < 3 || id[1] != '/' {
		return 0, 0, false
	}
	rest := id[2:]
	if id[0] == 'p' {
		for j := 0; j < len(rest); j++ {
			if rest[j] == '/' {
				rest = rest[:j]
				break
			}
		}
	}
	n, err := strconv.Atoi(rest)
	return n, id[0], err == nil
}

const batchSize = 2000

func buildLang(l bot.Lang, path string, entries []Entry) (*langIndex, error) {
	m, err := newMapping(l)
	if err != nil {
		return nil, err
	}
	idx, err := bleve.NewUsing(path, m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("kb: create %s index: %w", l, err)
	}
	b := idx.NewBatch()
	flush := func() error {
		if b.Size() == 0 {
			return nil
		}
		if err := idx.Batch(b); err != nil {
			return fmt.Errorf("kb: index %s: %w", l, err)
		}
		b.Reset()
		return nil
	}
	for i := range entries {
		e := &entries[i]
		if !e.Has(l) {
			continue
		}
		t := e.In(l)
		docs := 0
		for n, p := range append([]string{t.Question}, t.Variants...) {
			if p == "" {
				continue
			}
			if err := b.Index(phraseID(i, n), map[string]any{fieldPhrase: p}); err != nil {
				return nil, errors.Join(fmt.Errorf("kb: index %s: %w", e.ID, err), idx.Close())
			}
			docs++
		}
		if err := b.Index(bagID(i), map[string]any{fieldBag: strings.Join(append([]string{t.Question}, t.Variants...), "\n")}); err != nil {
			return nil, errors.Join(fmt.Errorf("kb: index %s: %w", e.ID, err), idx.Close())
		}
		if err := b.Index(answerID(i), map[string]any{fieldAnswer: t.Question + "\n" + t.Answer}); err != nil {
			return nil, errors.Join(fmt.Errorf("kb: index %s: %w", e.ID, err), idx.Close())
		}
		if b.Size() >= batchSize {
			if err := flush(); err != nil {
				return nil, errors.Join(err, idx.Close())
			}
		}
	}
	if err := flush(); err != nil {
		return nil, errors.Join(err, idx.Close())
	}
	li, err := newLangIndex(l, idx)
	if err != nil {
		return nil, errors.Join(err, idx.Close())
	}
	return li, nil
}

// newLangIndex reads the phrase field's term dictionary: document
// frequencies drive typo correction (unknown terms) and query coverage.
func newLangIndex(l bot.Lang, idx bleve.Index) (*langIndex, error) {
	a := idx.Mapping().AnalyzerNamed(analyzerKB)
	if a == nil {
		return nil, fmt.Errorf("kb: %s index has no %q analyzer: delete the index directory to rebuild it", l, analyzerKB)
	}
	li := &langIndex{lang: l, idx: idx, analyzer: a, df: map[string]int{}, dfBag: map[string]int{}}
	if err := readDict(idx, fieldPhrase, li.df); err != nil {
		return nil, fmt.Errorf("kb: %s dictionary: %w", l, err)
	}
	if err := readDict(idx, fieldBag, li.dfBag); err != nil {
		return nil, fmt.Errorf("kb: %s dictionary: %w", l, err)
	}
	n, err := idx.DocCount()
	if err != nil {
		return nil, fmt.Errorf("kb: %s count: %w", l, err)
	}
	li.nDocs = int(n)
	return li, nil
}

// readDict copies a field's term dictionary with document frequencies.
func readDict(idx bleve.Index, field string, into map[string]int) error {
	d, err := idx.FieldDict(field)
	if err != nil {
		return err
	}
	for {
		de, err := d.Next()
		if err != nil {
			_ = d.Close()
			return err
		}
		if de == nil {
			break
		}
		into[de.Term] = int(de.Count)
	}
	return d.Close()
}

// idfEntry is the inverse entry frequency of a term: how few entries use it.
func (li *langIndex) idfEntry(term string) float64 {
	df := float64(li.dfBag[term])
	n := float64(li.entries)
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// idf is BM25's inverse document frequency of a phrase-field term.
func (li *langIndex) idf(term string) float64 {
	df := float64(li.df[term])
	n := float64(li.nDocs)
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}
