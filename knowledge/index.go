package knowledge

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/liaison-gc/liaison/bot"
)

// Options say what to index and where to keep the index.
type Options struct {
	// Path is the knowledge base: a TOML directory or file, or a JSON Lines
	// file. Empty means the embedded sample.
	Path string
	// Variants are JSON Lines files of learned phrasings added to entries.
	Variants []string
	// Extra entries are appended after the files' (approved drafts, for
	// instance). They follow the same rules, but one whose id the files
	// hold is left out with a note: the files' entry is served (an approved
	// draft exported into the files). Variants files may hold phrasings
	// of them.
	Extra []Entry
	// DataDir keeps the built index across restarts (in DataDir/kb-index);
	// it is rebuilt only when the content hash changes. Empty: in memory.
	DataDir string
	// AllowUnpaired serves entries that exist in one language only.
	AllowUnpaired bool
	// Collection, when set, serves only the entries of that collection: a
	// JSON Lines export of several knowledge bases names each row's in its
	// "kb" field (Entry.Collection). Variants of the file's other entries
	// are skipped with a note.
	Collection string
	// Calibration overrides DefaultCalibration (for evaluation).
	Calibration *Calibration
	// Ranker overrides DefaultRanker (for evaluation).
	Ranker *Ranker
	Logger *slog.Logger // nil: discard
}

// Index is the searchable knowledge base. It implements bot.Knowledge and is
// safe for concurrent use: Reload swaps in a new generation while searches
// run, and the previous one is closed once its last search returns.
type Index struct {
	opts  Options
	log   *slog.Logger
	cal   Calibration
	rk    Ranker
	rank  rankParams
	cur   atomic.Pointer[snapshot]
	base  atomic.Pointer[Base]
	stamp atomic.Value // string: source files' sizes and times at last load
	// loaded is when the base served was last loaded; failure the last
	// reload that failed since (nil: none), for Health.
	loaded  atomic.Pointer[time.Time]
	failure atomic.Pointer[Failure]

	reload sync.Mutex // one reload at a time; guards extra and closed
	extra  []Entry
	closed bool          // by Close: no reload brings the index back
	done   chan struct{} // closed by Close: Watch returns

	// collect, when set (fitting only, before any concurrent use), sees
	// every language's ranked candidates.
	collect func(bot.Lang, analyzed, []candidate)
}

var _ bot.Knowledge = (*Index)(nil)

// Open loads, validates and indexes the knowledge base. A malformed base
// returns a Problems error listing every problem.
func Open(ctx context.Context, opts Options) (*Index, error) {
	x := &Index{opts: opts, log: opts.Logger, cal: DefaultCalibration, rk: DefaultRanker, rank: defaultRank, extra: opts.Extra, done: make(chan struct{})}
	if x.log == nil {
		x.log = slog.New(slog.DiscardHandler)
	}
	if opts.Calibration != nil {
		x.cal = *opts.Calibration
	}
	if opts.Ranker != nil {
		x.rk = *opts.Ranker
	}
	s, b, err := x.prepare(ctx)
	if err != nil {
		return nil, err
	}
	x.cur.Store(s)
	x.base.Store(b)
	x.noteReload(nil)
	if s.dir != "" {
		removeStale(indexRoot(opts.DataDir), s.dir)
	}
	return x, nil
}

// Prepare loads path and its variants files and validates everything, with
// every problem reported at once: what `liaison kb check` runs.
func Prepare(path string, variants []string, extra []Entry, allowUnpaired bool) (*Base, error) {
	return prepareBase(path, "", variants, extra, allowUnpaired)
}

// PrepareCollection is Prepare narrowed to one collection (see
// Options.Collection).
func PrepareCollection(path, collection string, variants []string, allowUnpaired bool) (*Base, error) {
	return prepareBase(path, collection, variants, nil, allowUnpaired)
}

func prepareBase(path, collection string, variants []string, extra []Entry, allowUnpaired bool) (*Base, error) {
	b, err := Load(path)
	if b == nil {
		return nil, err
	}
	if collection != "" {
		if err := b.keep(collection); err != nil {
			return nil, err
		}
	}
	var ps Problems
	var perr Problems
	if errors.As(err, &perr) {
		ps = append(ps, perr...)
	}
	// Extra entries come before the variants, so that phrasings learned
	// for an approved draft are added to it. An approved draft written
	// into the files (kb drafts export) is the files' entry from then on:
	// the files are the source of truth.
	inFiles := make(map[string]bool, len(b.Entries))
	for _, e := range b.Entries {
		inFiles[e.ID] = true
	}
	for _, e := range extra {
		if inFiles[e.ID] {
			b.Notes = append(b.Notes, fmt.Sprintf("approved draft %q is also in the knowledge-base files: the files' entry is served", e.ID))
			continue
		}
		// Variants are appended to the copy, never to the caller's array.
		e.EN.Variants, e.FR.Variants = slices.Clip(e.EN.Variants), slices.Clip(e.FR.Variants)
		b.Entries = append(b.Entries, e)
	}
	for _, v := range variants {
		if err := b.AddVariants(v, allowUnpaired); err != nil {
			if !errors.As(err, &perr) {
				return nil, err
			}
			ps = append(ps, perr...)
		}
	}
	ps = append(ps, Validate(b.Entries, allowUnpaired)...)
	if len(ps) > 0 {
		return b, ps
	}
	return b, nil
}

func (x *Index) prepare(ctx context.Context) (*snapshot, *Base, error) {
	stamp := sourceStamp(x.opts.Path, x.opts.Variants)
	b, err := prepareBase(x.opts.Path, x.opts.Collection, x.opts.Variants, x.extra, x.opts.AllowUnpaired)
	if err != nil {
		return nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	for _, n := range b.Notes {
		x.log.Info("knowledge base note", "note", n)
	}
	if old := x.cur.Load(); old != nil && old.hash == contentHash(b.Entries) {
		// Same content: keep the generation in use (positions may differ).
		x.stamp.Store(stamp)
		return old, b, nil
	}
	start := time.Now()
	s, err := openOrBuild(b.Entries, x.opts.DataDir, x.log)
	if err != nil {
		return nil, nil, err
	}
	x.stamp.Store(stamp)
	x.log.Info("knowledge base ready", "path", b.Path, "entries", len(b.Entries), "hash", s.hash, "took", time.Since(start).Round(time.Millisecond).String())
	return s, b, nil
}

// Reload re-reads the knowledge base. On success the new generation serves
// the next searches; when the content hash is unchanged nothing is rebuilt.
// On error (a broken edit) the current generation keeps serving and the
// error lists every problem. After Close it returns ErrClosed.
func (x *Index) Reload(ctx context.Context) error {
	x.reload.Lock()
	defer x.reload.Unlock()
	err := x.reloadLocked(ctx)
	x.logFailure(err)
	return err
}

func (x *Index) logFailure(err error) {
	if err != nil && !errors.Is(err, ErrClosed) {
		x.log.Warn("knowledge base reload failed; the previous version keeps serving", "err", err)
	}
}

func (x *Index) reloadLocked(ctx context.Context) error {
	if x.closed {
		return ErrClosed
	}
	old := x.cur.Load()
	s, b, err := x.prepare(ctx)
	x.noteReload(err)
	if err != nil {
		return err
	}
	if s == old {
		x.base.Store(b)
		return nil
	}
	x.cur.Store(s)
	x.base.Store(b)
	if old != nil {
		if err := old.close(); err != nil {
			x.log.Warn("close previous knowledge index", "err", err)
		}
	}
	// Once the generation replaced is closed, so that its directory goes
	// too.
	if s.dir != "" || (old != nil && old.dir != "") {
		removeStale(indexRoot(x.opts.DataDir), s.dir)
	}
	return nil
}

// SetExtra replaces the extra entries (approved drafts) and reloads. On
// error the previous entries and index stay in place.
func (x *Index) SetExtra(ctx context.Context, extra []Entry) error {
	x.reload.Lock()
	defer x.reload.Unlock()
	prev := x.extra
	x.extra = extra
	if err := x.reloadLocked(ctx); err != nil {
		x.logFailure(err)
		x.extra = prev
		return err
	}
	return nil
}

// Watch checks the knowledge-base files every interval and reloads when
// they change, until ctx ends or the index is closed. Reload errors go to
// onError (nil: logged). A broken edit is reported once and waits for the
// next edit; a reload that fails for another reason (a full disk, a
// permission) is reported once and tried again, at longer and longer
// intervals (up to maxRetryTicks), until it succeeds; a new edit meanwhile
// is tried at the next tick.
func (x *Index) Watch(ctx context.Context, every time.Duration, onError func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	var r retry
	for {
		select {
		case <-ctx.Done():
			return
		case <-x.done:
			return
		case <-t.C:
		}
		stamp := sourceStamp(x.opts.Path, x.opts.Variants)
		if prev, _ := x.stamp.Load().(string); !r.due(stamp, prev) {
			continue
		}
		x.reload.Lock()
		err := x.reloadLocked(ctx)
		x.reload.Unlock()
		var ps Problems
		switch {
		case err == nil:
			r = retry{}
			continue
		case errors.Is(err, ErrClosed) || ctx.Err() != nil:
			return
		case errors.As(err, &ps):
			x.stamp.Store(stamp) // the edit is broken: wait for the next one
			r = retry{}
		default:
			if !r.fail(stamp) {
				continue // reported already
			}
		}
		if onError != nil {
			onError(err)
		} else {
			x.logFailure(err)
		}
	}
}

// retry is Watch's backoff after a reload that failed for a reason other
// than the edit. A failed reload stores no stamp, so the files stay
// different from the served ones: without it every tick would try again.
type retry struct {
	every  int    // ticks between tries; 0: no failure pending
	wait   int    // ticks left until the next try
	failed string // the files' stamp whose reload failed
}

// due reports whether Watch reloads on this tick, given the files' stamp
// and the stamp of the files served: the files that failed wait their turn,
// and any other edit is tried at once.
func (r *retry) due(stamp, served string) bool {
	switch {
	case stamp == served: // nothing new, or served meanwhile (Reload)
		*r = retry{}
		return false
	case r.every > 0 && stamp == r.failed:
		r.wait--
		return r.wait <= 0
	}
	return true
}

// fail records a failed reload of stamp and doubles the ticks between
// tries, up to maxRetryTicks; it reports whether this failure is the first
// since the last success (the one to report).
func (r *retry) fail(stamp string) (first bool) {
	first = r.every == 0
	r.every = min(max(2*r.every, 1), maxRetryTicks)
	r.wait, r.failed = r.every, stamp
	return first
}

// maxRetryTicks bounds the ticks between Watch's tries of a reload that
// failed for a reason other than the edit: a rebuild that keeps failing
// (a full disk) costs a build every few minutes at most, not every tick.
const maxRetryTicks = 16

// sourceStamp summarises the names, sizes and modification times of the
// knowledge-base files, to notice edits without reading them.
func sourceStamp(path string, variants []string) string {
	if path == "" {
		return "sample"
	}
	var b []byte
	add := func(p string, fi fs.FileInfo) {
		b = fmt.Appendf(b, "%s|%d|%d\n", p, fi.Size(), fi.ModTime().UnixNano())
	}
	for _, p := range append([]string{path}, variants...) {
		fi, err := os.Stat(p)
		if err != nil {
			b = fmt.Appendf(b, "%s|missing\n", p)
			continue
		}
		if !fi.IsDir() {
			add(p, fi)
			continue
		}
		// The files Load reads, as it finds them: through a symlinked
		// directory (a releases/current deployment), each file through
		// its link (a ConfigMap volume's kb.toml -> ..data/kb.toml),
		// hidden names left out.
		files, _ := tomlFiles(os.DirFS(p), ".")
		for _, q := range files {
			q = filepath.Join(p, q)
			if fi, err := os.Stat(q); err == nil {
				add(q, fi)
			} else {
				b = fmt.Appendf(b, "%s|%v\n", q, err)
			}
		}
	}
	return string(b)
}

// Close releases the index, once a reload in progress ends, and stops
// Watch. Searches and reloads after Close fail with ErrClosed.
func (x *Index) Close() error {
	x.reload.Lock()
	defer x.reload.Unlock()
	if !x.closed {
		close(x.done)
	}
	x.closed = true
	s := x.cur.Swap(nil)
	if s == nil {
		return nil
	}
	return s.close()
}

// ErrClosed is returned by searches and reloads on a closed Index.
var ErrClosed = errors.New("kb: index closed")

// acquire returns the current generation, read-locked.
func (x *Index) acquire() (*snapshot, error) {
	for {
		s := x.cur.Load()
		if s == nil {
			return nil, ErrClosed
		}
		if s.acquire() {
			return s, nil
		}
		// Closed by a reload between Load and acquire: take the new one.
	}
}

// Base returns the knowledge base the current generation was built from.
func (x *Index) Base() *Base { return x.base.Load() }

// Hash returns the content hash of the current generation.
func (x *Index) Hash() string {
	if s := x.cur.Load(); s != nil {
		return s.hash
	}
	return ""
}

// Search implements bot.Knowledge. Hits come best first with calibrated
// confidences that never increase down the list.
func (x *Index) Search(ctx context.Context, text string, lang bot.Lang, n int) ([]bot.Hit, error) {
	r, err := x.search(ctx, text, lang, n)
	if err != nil {
		return nil, err
	}
	return r.hits, nil
}

// result is a search with what evaluation and calibration look at.
type result struct {
	hits []bot.Hit
	feat features // of the top hit
}

func (x *Index) search(ctx context.Context, text string, lang bot.Lang, n int) (result, error) {
	if n <= 0 {
		return result{}, nil
	}
	if utf8.RuneCountInString(text) > MaxQueryRunes {
		text = string([]rune(text)[:MaxQueryRunes])
	}
	text = nfc(text)
	s, err := x.acquire()
	if err != nil {
		return result{}, err
	}
	defer s.release()
	langs := []bot.Lang{lang}
	if !lang.Valid() {
		langs = bot.Langs[:]
	}
	var all []scored
	var top features
	var topConf = -1.0
	for _, l := range langs {
		li := s.lang(l)
		if li.entries == 0 {
			continue
		}
		cands, a, err := li.search(ctx, text, x.rank, &x.rk)
		if err != nil {
			return result{}, err
		}
		if x.collect != nil {
			x.collect(l, a, cands)
		}
		for i := range cands {
			if i >= n {
				break
			}
			f := featuresOf(a, cands, i)
			c := x.cal.confidence(f)
			if i > 0 && c > all[len(all)-1].conf {
				c = all[len(all)-1].conf
			}
			all = append(all, scored{cand: cands[i], conf: c})
			if i == 0 && c > topConf {
				topConf, top = c, f
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].conf > all[j].conf })
	if len(all) > n {
		all = all[:n]
	}
	hits := make([]bot.Hit, len(all))
	for i, c := range all {
		hits[i] = hitOf(&s.entries[c.cand.entry], c.cand.lang)
		hits[i].Score = c.cand.score
		hits[i].Confidence = c.conf
	}
	return result{hits: hits, feat: top}, nil
}

type scored struct {
	cand candidate
	conf float64
}

func hitOf(e *Entry, l bot.Lang) bot.Hit {
	t := e.In(l)
	return bot.Hit{EntryID: e.ID, Lang: l, Topic: e.Topic, Question: t.Question, Answer: t.Answer, Link: t.Link()}
}

// Entry implements bot.Knowledge.
func (x *Index) Entry(ctx context.Context, id string, lang bot.Lang) (bot.Hit, error) {
	s, err := x.acquire()
	if err != nil {
		return bot.Hit{}, err
	}
	defer s.release()
	i, ok := s.byID[id]
	if !ok || !s.entries[i].Has(lang) {
		return bot.Hit{}, fmt.Errorf("kb: entry %q in %q: %w", id, lang, bot.ErrNotFound)
	}
	h := hitOf(&s.entries[i], lang)
	h.Confidence = 1
	return h, nil
}
