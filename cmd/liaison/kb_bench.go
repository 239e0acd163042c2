package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/knowledge"
)

// benchResult is `liaison kb bench --json`.
type benchResult struct {
	Entries       int     `json:"entries"`
	Queries       int     `json:"queries"`
	BuildSeconds  float64 `json:"build_seconds"`
	ReopenSeconds float64 `json:"reopen_seconds"`
	SearchP50Ms   float64 `json:"search_p50_ms"`
	SearchP99Ms   float64 `json:"search_p99_ms"`
	SearchMaxMs   float64 `json:"search_max_ms"`
	P1            float64 `json:"p_at_1"`
	RSSMB         float64 `json:"rss_mb"`
	GoHeapMB      float64 `json:"go_heap_mb"`
}

// runKBBench builds a generated knowledge base in a temporary data
// directory, reopens it, and times searches.
func runKBBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newKBFlags("kb bench", stderr)
	entries := fs.Int("entries", 10000, "generated entries (each in both languages)")
	queries := fs.Int("queries", 2000, "searches to time")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseKBFlags(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usagef("kb bench: unexpected argument %q: usage: liaison kb bench --entries N [--queries M] [--json]", pos[0])
	case *entries < 1:
		return usagef("kb bench: --entries %d: give how many entries to generate, at least 1", *entries)
	case *queries < 1:
		return usagef("kb bench: --queries %d: give how many searches to time, at least 1", *queries)
	}
	dir, err := os.MkdirTemp("", "liaison-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// The generated entries are written and dropped: the process then holds
	// only what the product holds (the loaded base and its index), so that
	// rss_mb measures the product, not the generator.
	path := filepath.Join(dir, "kb.jsonl")
	if err := writeKBJSONL(path, knowledge.Generate(*entries, 1)); err != nil {
		return err
	}
	runtime.GC()
	opts := knowledge.Options{Path: path, DataDir: filepath.Join(dir, "data")}
	r := benchResult{Entries: *entries, Queries: *queries}

	start := time.Now()
	x, err := knowledge.Open(ctx, opts)
	if err != nil {
		return err
	}
	r.BuildSeconds = time.Since(start).Seconds()
	if err := x.Close(); err != nil {
		return err
	}
	start = time.Now()
	x, err = knowledge.Open(ctx, opts)
	if err != nil {
		return err
	}
	r.ReopenSeconds = time.Since(start).Seconds()
	defer x.Close()

	qs := knowledge.GenerateQueries(x.Base().Entries, *queries, 2)
	for _, q := range qs[:min(200, len(qs))] { // warm up
		if _, err := x.Search(ctx, q.Query, q.Lang, 5); err != nil {
			return err
		}
	}
	lat := make([]float64, len(qs))
	right := 0
	for i, q := range qs {
		t := time.Now()
		hits, err := x.Search(ctx, q.Query, q.Lang, 5)
		lat[i] = float64(time.Since(t).Microseconds()) / 1000
		if err != nil {
			return err
		}
		if len(hits) > 0 && hits[0].EntryID == q.Expected {
			right++
		}
	}
	sort.Float64s(lat)
	r.SearchP50Ms = lat[len(lat)/2]
	r.SearchP99Ms = lat[min(len(lat)-1, len(lat)*99/100)]
	r.SearchMaxMs = lat[len(lat)-1]
	r.P1 = float64(right) / float64(len(qs))
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	r.GoHeapMB = float64(ms.HeapAlloc) / (1 << 20)
	r.RSSMB = peakRSSMB()
	if *asJSON {
		return writeJSON(stdout, r)
	}
	fmt.Fprintf(stdout, "entries %d (x2 languages), queries %d\nbuild %.2fs, reopen %.3fs\nsearch p50 %.3fms, p99 %.3fms, max %.3fms, P@1 %.3f\npeak RSS %.0f MB, Go heap %.0f MB\n",
		r.Entries, r.Queries, r.BuildSeconds, r.ReopenSeconds, r.SearchP50Ms, r.SearchP99Ms, r.SearchMaxMs, r.P1, r.RSSMB, r.GoHeapMB)
	return nil
}

// peakRSSMB reads the process's peak resident set size (Linux), 0 elsewhere.
func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseFloat(f[0], 64)
				return kb / 1024
			}
		}
	}
	return 0
}

// writeKBJSONL writes entries in the JSON Lines knowledge-base format.
func writeKBJSONL(path string, es []knowledge.Entry) error {
	return writeJSONLines(path, 0o644, func(enc *json.Encoder) error {
		for i := range es {
			e := &es[i]
			for _, l := range bot.Langs {
				t := e.In(l)
				if err := enc.Encode(map[string]any{"id": e.ID, "lang": l, "topic": e.Topic, "question": t.Question, "answer": t.Answer, "url": t.Link(), "variants": t.Variants}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// writeJSONLines writes the file at path through a JSON encoder, one
// value per line, as writeFileWhole does.
func writeJSONLines(path string, perm os.FileMode, write func(*json.Encoder) error) error {
	return writeFileWhole(path, perm, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return write(enc)
	})
}

// writeFileWhole writes the file at path through a buffered writer. It
// writes a new file next to it, created with perm (less the umask), and
// renames it over path once complete and synced: a reader of path sees
// the old file or the new one, never part of it; the file has perm even
// when one existed with another mode; and a write that fails, or is
// interrupted, leaves path as it was and nothing next to it.
func writeFileWhole(path string, perm os.FileMode, write func(io.Writer) error) (err error) {
	if err := checkWritable(path); err != nil {
		return err
	}
	f, err := createNextTo(path, perm)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	w := bufio.NewWriter(f)
	if err := write(w); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// checkWritable says what would stop writeFileWhole before anything is
// done: path is a directory (the rename would refuse it only at the end),
// or its directory does not exist.
func checkWritable(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory: give the name of the file to write", path)
	}
	if _, err := os.Stat(filepath.Dir(path)); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("directory %s does not exist: create it, or write the file elsewhere", filepath.Dir(path))
	}
	return nil
}

// createNextTo creates a new, empty file with perm (less the umask) in the
// directory of path, under a name no other file has. Its errors name the
// directory, not that file.
func createNextTo(path string, perm os.FileMode) (*os.File, error) {
	dir, base := filepath.Split(path)
	for {
		name := filepath.Join(dir, "."+base+"."+strconv.FormatUint(rand.Uint64(), 36)+".tmp")
		f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, perm)
		switch {
		case errors.Is(err, os.ErrExist):
			continue
		case errors.Is(err, os.ErrNotExist):
			return nil, fmt.Errorf("directory %s does not exist: create it, or write the file elsewhere", filepath.Dir(path))
		case err != nil:
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fmt.Errorf("cannot create a file in directory %s: %w", filepath.Dir(path), err)
		}
		return f, nil
	}
}
