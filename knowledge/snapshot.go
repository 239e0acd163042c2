package knowledge

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/util"

	"github.com/liaison-gc/liaison/bot"
)

// indexVersion changes whenever the analysis or document layout changes, so
// that persisted indexes built by an older binary are rebuilt. (8: the
// manifest lists each file's checksum; an index of 7 has none to check, and
// is rebuilt once.)
const indexVersion = "liaison-kb-8"

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

// langIndex is the Bleve index of one language, which finds candidate
// entries, and the statistics that describe them to the ranking.
type langIndex struct {
	lang     bot.Lang
	idx      bleve.Index
	analyzer analysis.Analyzer
	st       *langStats
	entries  int     // entries served in this language
	texts    []Entry // the snapshot's entries, for character features
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
	// Files are the index's files with their sizes and checksums, checked
	// each time the index is opened, so that a file damaged in its middle
	// (which Bleve would read without complaint until a search reaches the
	// damage) is rebuilt rather than served.
	Files []fileSum `json:"files"`
}

// fileSum is one file of a persisted index: its slash-separated path under
// the index directory, its size and its CRC-32C (Castagnoli, computed in
// hardware: reading back the 18 MB of a 10,000-entry index costs a few
// milliseconds).
type fileSum struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	CRC32C uint32 `json:"crc32c"`
}

// unsummed is the one file of an index the manifest does not list: Bleve
// rewrites each language's root.bolt (its list of segments) every time it
// opens the index. Bolt checks its own meta pages, and Bleve reads the
// segment list it holds when it opens, so that damage there fails open
// rather than a search.
const unsummed = "root.bolt"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// sumFiles lists the files of the index directory dir with their sizes and
// checksums, the manifest and the root.bolt files aside.
func sumFiles(dir string) ([]fileSum, error) {
	var sums []fileSum
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == unsummed || p == filepath.Join(dir, manifestName) {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		size, sum, err := sumFile(p)
		if err != nil {
			return err
		}
		sums = append(sums, fileSum{Path: filepath.ToSlash(rel), Size: size, CRC32C: sum})
		return nil
	})
	return sums, err
}

func sumFile(p string) (size int64, sum uint32, err error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	h := crc32.New(castagnoli)
	size, err = io.Copy(h, f)
	return size, h.Sum32(), err
}

// verify checks the files of s.dir against the sizes and checksums its
// manifest lists: a file missing, of another size or with another
// checksum is errDamaged, and so is one that cannot be read, unless this
// process may not read it.
func (s *snapshot) verify() error {
	m, err := readManifest(s.dir)
	if err != nil {
		return err
	}
	if len(m.Files) == 0 {
		return fmt.Errorf("kb: %s: %w: the manifest lists no files", s.dir, errDamaged)
	}
	for _, f := range m.Files {
		p := filepath.Join(s.dir, filepath.FromSlash(f.Path))
		size, sum, err := sumFile(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("kb: %s: %w: missing", p, errDamaged)
		case denied(err):
			return fmt.Errorf("kb: %w", err)
		case err != nil: // a disk error
			return fmt.Errorf("kb: %w: %w", errDamaged, err)
		case size != f.Size || sum != f.CRC32C:
			return fmt.Errorf("kb: %s: %w: its size or checksum differs from the manifest's", p, errDamaged)
		}
	}
	return nil
}

// openOrBuild returns the snapshot of entries. With a data directory it
// reopens the persisted indexes when their hash matches, and otherwise builds
// them in a temporary directory renamed into place when complete, so that a
// crash mid-build never leaves a half index that looks whole.
//
// Other processes may share the data directory (a second instance, a
// `liaison ask --data` next to `liaison serve`) and open or build the same
// content at the same time: a complete directory is never deleted unless it
// is damaged, the first build renamed into place wins, and an index another
// process holds open is indexed again in memory rather than waited for. So
// is one this process may not open for writing (a read-only volume, files
// of another user: Bolt opens root.bolt for writing), and a damaged one
// that cannot be moved aside; log says why.
func openOrBuild(entries []Entry, dataDir string, log *slog.Logger) (*snapshot, error) {
	s := &snapshot{hash: contentHash(entries), entries: entries, byID: make(map[string]int, len(entries))}
	for i := range entries {
		s.byID[entries[i].ID] = i
	}
	if dataDir == "" {
		return s, s.build("")
	}
	root := indexRoot(dataDir)
	s.dir = filepath.Join(root, s.hash)
	if s.complete() {
		err := s.open()
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, errDamaged) {
			log.Warn("knowledge index on disk cannot be opened; indexing in memory", "dir", s.dir, "err", err)
			return s.inMemory()
		}
		// Damaged (a file cut short by a crash or a disk error): out of
		// the way at once, so that this build, or another process's,
		// takes its place.
		if derr := discard(root, s.dir); derr != nil {
			log.Warn("damaged knowledge index cannot be removed; indexing in memory", "dir", s.dir, "err", errors.Join(err, derr))
			return s.inMemory()
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
	defer lockDir(tmp)() // not stale: removeStale leaves it alone
	if err := s.build(tmp); err != nil {
		return nil, err
	}
	if err := s.close(); err != nil {
		return nil, fmt.Errorf("kb: close new index: %w", err)
	}
	s.closed = false
	sums, err := sumFiles(tmp)
	if err != nil {
		return nil, fmt.Errorf("kb: index directory: %w", err)
	}
	m, _ := json.Marshal(manifest{Version: indexVersion, Hash: s.hash, Entries: len(entries), Files: sums})
	if err := os.WriteFile(filepath.Join(tmp, manifestName), m, 0o640); err != nil {
		return nil, fmt.Errorf("kb: index manifest: %w", err)
	}
	// Everything on disk before the rename, so that a power cut never
	// leaves a complete-looking directory with files cut short.
	if err := syncTree(tmp); err != nil {
		return nil, fmt.Errorf("kb: index directory: %w", err)
	}
	if err := os.Rename(tmp, s.dir); err != nil {
		if !s.complete() {
			// Not another process's index: a directory without a
			// manifest, which no build leaves. Replace it.
			if _, serr := os.Stat(s.dir); serr != nil {
				return nil, fmt.Errorf("kb: index directory: %w", err)
			}
			if err := discard(root, s.dir); err != nil {
				return nil, fmt.Errorf("kb: index directory: %w", err)
			}
			if err := os.Rename(tmp, s.dir); err != nil && !s.complete() {
				return nil, fmt.Errorf("kb: index directory: %w", err)
			}
		}
		// Otherwise another process put the same index in place
		// meanwhile: this one's copy is deleted on return.
	}
	_ = syncDir(root)
	if err := s.open(); err != nil {
		// Opened meanwhile by another process, which serves it.
		return s.inMemory()
	}
	return s, nil
}

// indexRoot is the directory of the persisted indexes of dataDir.
func indexRoot(dataDir string) string { return filepath.Join(dataDir, "kb-index") }

// removeStale deletes the index directories of root other than keep that
// no process uses: those of content served before (by a previous run, or
// the generation a reload replaced) and builds a crash interrupted. An
// index another process serves, or a build in progress, stays (inUse).
// Open runs it once the index is open, and a reload once the generation it
// replaced is closed (openOrBuild does not: during a reload that generation
// is still open, and would stay).
func removeStale(root, keep string) {
	des, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, d := range des {
		name := d.Name()
		p := filepath.Join(root, name)
		if !d.IsDir() || p == keep || !(strings.HasPrefix(name, "build-") || indexDirName.MatchString(name)) {
			continue
		}
		if !inUse(p) {
			_ = os.RemoveAll(p)
		}
	}
}

// indexDirName matches the directories named by contentHash.
var indexDirName = regexp.MustCompile(`^[0-9a-f]{24}$`)

// inMemory indexes s in memory, for a persisted index another process holds
// open, one this process may not open, or a damaged one it cannot move
// aside: never wait for it, nor delete what another process may be using.
func (s *snapshot) inMemory() (*snapshot, error) {
	s.dir = ""
	return s, s.build("")
}

// complete reports whether s.dir holds a whole index of s's content: the
// manifest is written last, before the rename that puts it in place.
func (s *snapshot) complete() bool {
	m, err := readManifest(s.dir)
	return err == nil && m.Version == indexVersion && m.Hash == s.hash
}

func readManifest(dir string) (manifest, error) {
	var m manifest
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("kb: %s: %w: %w", dir, errDamaged, err)
	}
	return m, nil
}

// discard removes the damaged index dir: renamed first to a build-
// directory of root (which a crash mid-removal leaves to be cleaned like
// any unfinished build), so that dir is free at once.
func discard(root, dir string) error {
	trash, err := os.MkdirTemp(root, "build-")
	if err != nil {
		return err
	}
	if err := os.Rename(dir, filepath.Join(trash, "damaged")); err != nil && !errors.Is(err, os.ErrNotExist) {
		_ = os.Remove(trash)
		return err
	}
	return os.RemoveAll(trash)
}

// syncTree flushes every file and directory under dir to the disk.
func syncTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return syncDir(p)
	})
}

// syncDir flushes one file or directory to the disk.
func syncDir(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	err = f.Sync()
	return errors.Join(err, f.Close())
}

// errDamaged marks a persisted index that cannot be read back: it is
// rebuilt, never trusted. open returns it only for what is on disk, never
// for a lock another process holds or a file this process may not open.
var errDamaged = errors.New("damaged index")

// open checks the files of s.dir against its manifest, then opens the
// persisted per-language indexes and their statistics, both languages at
// once.
func (s *snapshot) open() error {
	if err := s.verify(); err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make([]error, len(bot.Langs))
	for i, l := range bot.Langs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// zapx and bbolt read their files through memory maps and
			// trust them: a file cut short makes them panic, or fault
			// past its end. Either is an error here, so that the index is
			// rebuilt rather than the process crash on every start. (An
			// index that panicked half open keeps its files open; they
			// are discarded anyway.)
			defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
			defer func() {
				if r := recover(); r != nil {
					errs[i] = fmt.Errorf("kb: open %s index: %w: %v", l, errDamaged, r)
				}
			}()
			s.langs[i], errs[i] = s.openLang(l)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		_ = s.close()
		s.closed, s.langs = false, [2]*langIndex{}
		if !errors.Is(err, errDamaged) && !denied(err) && !inUse(s.dir) {
			// Not a lock another process holds (Bolt's timeout) nor a
			// file this process may not open: what is on disk cannot be
			// read back (a statistics file cut short, a language missing).
			err = fmt.Errorf("%w: %w", errDamaged, err)
		}
		return err
	}
	s.countEntries()
	return nil
}

// denied reports whether err is a refusal to open a file for writing: a
// read-only file system, or files this process's user may not write.
func denied(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)
}

func (s *snapshot) openLang(l bot.Lang) (*langIndex, error) {
	idx, err := bleve.OpenUsing(filepath.Join(s.dir, string(l)), map[string]any{"bolt_timeout": "500ms"})
	if err != nil {
		return nil, fmt.Errorf("kb: open index: %w", err)
	}
	st, err := readStats(filepath.Join(s.dir, string(l)+statsExt))
	if err == nil && len(st.entPhr) != len(s.entries)+1 {
		err = fmt.Errorf("%s: %w", s.dir, errStats)
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("kb: open index: %w", err), idx.Close())
	}
	li, err := newLangIndex(l, idx, st)
	if err != nil {
		return nil, errors.Join(err, idx.Close())
	}
	return li, nil
}

func (s *snapshot) countEntries() {
	for _, li := range s.langs {
		li.entries = 0
		li.texts = s.entries
		for i := range s.entries {
			if s.entries[i].Has(li.lang) {
				li.entries++
			}
		}
	}
}

// build indexes every entry in both languages. In memory (dir "") the two
// languages build at once, one core each. Written under dir (for open to
// read) they build one after the other, with a collection in between
// (each language still uses two cores: analysis and segment building
// overlap), so that the peak of memory stays bounded: a persisted build
// runs at start-up or in the background of a reload, while the current
// generation serves.
func (s *snapshot) build(dir string) error {
	errs := make([]error, len(bot.Langs))
	if dir != "" {
		for i, l := range bot.Langs {
			_, errs[i] = buildLang(l, filepath.Join(dir, string(l)), s.entries)
			runtime.GC()
		}
		return errors.Join(errs...)
	}
	var wg sync.WaitGroup
	for i, l := range bot.Langs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.langs[i], errs[i] = buildLang(l, "", s.entries)
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

// Each entry is one Bleve document per language, whose id is the entry's
// index: its phrasings together in fieldPhrase, its question and answer in
// fieldAnswer. Bleve only finds candidate entries; per-phrasing scores
// (so that a close rephrasing can win on its own) come from langStats.
func docID(entry int) string { return strconv.Itoa(entry) }

// parseID returns the entry index of a document id.
func parseID(id string) (entry int, ok bool) {
	n, err := strconv.Atoi(id)
	return n, err == nil && n >= 0
}

// statsExt names the statistics file of a language next to its index.
const statsExt = ".stats"

// batchSize is the number of entries per Bleve batch when the index lives
// in memory: each batch becomes a segment that scorch merges in the
// background, so larger batches mean fewer merges but a higher peak of memory.
const batchSize = 500

// builderBatch is the number of documents per segment when a persisted index
// is built offline (scorch's Builder): each batch is written to disk as a
// segment, and the segments are merged on disk, a few at a time, into one
// when the build ends. No background merging runs, so memory stays bounded
// by about two batches (the one being written and the queue of analyzed
// documents). On 10,000 generated entries, the whole process (kb bench):
// 500 builds in 3.6 s with a 123 MB peak, 700 in 3.35 s with 133 MB, 1,000
// in 3.1 s with 150 MB.
const builderBatch = 700

// builderMergeMax is the number of segments scorch's Builder merges at
// once when the build ends (each open, mapped in memory, for the pass).
// Its default, 10, merges a 10,000-entry language's 15 segments in two
// passes, the second writing again what the first wrote; merged at once,
// every posting is written once (the merge takes 0.3 s a language instead
// of 0.39 s). Up to 64 segments, 44,800 entries, merge in one pass.
const builderMergeMax = 64

// docSink receives the documents of one language: a Bleve batch for an
// index in memory, scorch's offline Builder for a persisted one.
type docSink interface {
	add(doc *document.Document) error
	finish() error // flush what is pending; the sink is unusable after
	abort()        // on error: release what the sink holds
}

type batchSink struct {
	idx bleve.Index
	b   *bleve.Batch
}

func (s *batchSink) add(doc *document.Document) error {
	if err := s.b.IndexAdvanced(doc); err != nil {
		return err
	}
	if s.b.Size() >= batchSize {
		return s.flush()
	}
	return nil
}

func (s *batchSink) flush() error {
	if s.b.Size() == 0 {
		return nil
	}
	err := s.idx.Batch(s.b)
	s.b.Reset()
	return err
}

func (s *batchSink) finish() error { return s.flush() }
func (s *batchSink) abort()        { _ = s.idx.Close() }

type builderSink struct{ b *scorch.Builder }

func (s *builderSink) add(doc *document.Document) error { return s.b.Index(doc) }
func (s *builderSink) finish() error                    { return s.b.Close() }
func (s *builderSink) abort()                           { _ = s.b.Close() }

// newBuilderSink prepares an offline build of a scorch index at path, laid
// out as bleve.NewBuilder does (index_meta.json, the mapping stored as
// internal data, the segment under store/), so that bleve.Open reads it.
// bleve.NewBuilder itself only indexes documents it maps from Go values, and
// ours arrive analyzed.
func newBuilderSink(path string, m mapping.IndexMapping) (docSink, error) {
	mb, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(path, 0o750); err != nil {
		return nil, err
	}
	meta := []byte(`{"storage":"` + scorch.Name + `","index_type":"` + scorch.Name + `"}`)
	if err := os.WriteFile(filepath.Join(path, "index_meta.json"), meta, 0o640); err != nil {
		return nil, err
	}
	b, err := scorch.NewBuilder(map[string]any{
		"path":            filepath.Join(path, "store"),
		"buildPathPrefix": filepath.Dir(path),
		"batchSize":       builderBatch,
		"mergeMax":        builderMergeMax,
		"internal":        map[string][]byte{string(util.MappingInternalKey): mb},
	})
	if err != nil {
		return nil, err
	}
	return &builderSink{b}, nil
}

// buildLang indexes the entries in one language and computes its
// statistics. With a path it writes the index and statistics there and
// returns a nil langIndex (open reads them); without, it returns the index
// in memory.
func buildLang(l bot.Lang, path string, entries []Entry) (*langIndex, error) {
	m, err := newMapping(l)
	if err != nil {
		return nil, err
	}
	a := m.AnalyzerNamed(analyzerKB)
	if a == nil {
		return nil, fmt.Errorf("kb: %s analyzer missing", l)
	}
	a = kbAnalyzer(a, l)
	var (
		sink docSink
		idx  bleve.Index
	)
	if path != "" {
		sink, err = newBuilderSink(path, m)
	} else {
		idx, err = bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
		if err == nil {
			sink = &batchSink{idx: idx, b: idx.NewBatch()}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("kb: create %s index: %w", l, err)
	}
	// Analysis (and the statistics) run here while Bleve builds segments
	// on another core: the queue holds a batch, so that analysis goes on
	// while the builder turns the previous batch into a segment.
	type item struct {
		doc *document.Document
		id  string
	}
	docs := make(chan item, builderBatch)
	failed := make(chan struct{})
	indexed := make(chan error, 1)
	go func() {
		for it := range docs {
			if err := sink.add(it.doc); err != nil {
				close(failed)
				indexed <- fmt.Errorf("kb: index %s: %w", it.id, err)
				for range docs { // let the producer finish
				}
				return
			}
		}
		indexed <- nil
	}()
	sb := newStatsBuilder(len(entries))
	var phrasings []string
produce:
	for i := range entries {
		e := &entries[i]
		if !e.Has(l) {
			sb.add(a, nil, "", false)
			continue
		}
		t := e.In(l)
		phrasings = append(append(phrasings[:0], t.Question), t.Variants...)
		answer := t.Question + "\n" + t.Answer
		pts, ats := sb.add(a, phrasings, answer, true)
		doc := document.NewDocument(docID(i))
		doc.AddField(newTermsField(fieldPhrase, pts))
		doc.AddField(newTermsField(fieldAnswer, ats))
		select {
		case docs <- item{doc, e.ID}:
		case <-failed:
			break produce
		}
	}
	close(docs)
	if err := <-indexed; err != nil {
		sink.abort()
		return nil, err
	}
	if err := sink.finish(); err != nil {
		if idx != nil {
			_ = idx.Close()
		}
		return nil, fmt.Errorf("kb: index %s: %w", l, err)
	}
	st := sb.finish()
	if path != "" {
		if err := st.write(path + statsExt); err != nil {
			return nil, fmt.Errorf("kb: write %s statistics: %w", l, err)
		}
		return nil, nil
	}
	st.index()
	li, err := newLangIndex(l, idx, st)
	if err != nil {
		return nil, errors.Join(err, idx.Close())
	}
	return li, nil
}

// newLangIndex pairs a Bleve index with its statistics.
func newLangIndex(l bot.Lang, idx bleve.Index, st *langStats) (*langIndex, error) {
	a := idx.Mapping().AnalyzerNamed(analyzerKB)
	if a == nil {
		return nil, fmt.Errorf("kb: %s index has no %q analyzer: delete the index directory to rebuild it", l, analyzerKB)
	}
	return &langIndex{lang: l, idx: idx, analyzer: kbAnalyzer(a, l), st: st}, nil
}
