// Command evalconv converts the shared evaluation data (../shared/eval, see
// its SOURCE.md) into Liaison's formats, one set of files per knowledge base
// named by a short label read from the data. It writes to a temporary
// directory (or -out) and never into the repository: that data must not be
// copied into it.
//
//	go run ./knowledge/evalconv [-src ../shared/eval] [-out DIR]
//
// For each knowledge base LABEL it writes:
//
//	LABEL-kb.jsonl              entries, both languages
//	LABEL-variants-a.jsonl      half of each entry's development questions (even positions)
//	LABEL-queries-a.jsonl       the other half, plus every out-of-scope question
//	LABEL-variants-b.jsonl      the complementary split (for cross-fitting)
//	LABEL-queries-b.jsonl
//	LABEL-variants-all.jsonl    every development question (full variants)
//	LABEL-queries-all.jsonl     every development question (no-variant runs)
//	LABEL-NAME.jsonl            every question of each other queries-NAME.jsonl in -src
//	                            (a held-out split such as queries-test.jsonl) and of
//	                            each file given to -held, named after it
//
// With -small N it also writes four small knowledge bases per label, the
// regime of a young base that citizens often ask beyond: N entries drawn
// from the label's (at most a third of them), half of their development
// questions as variants, and as queries the other half plus as many
// questions about entries left out, labelled out of scope:
//
//	LABEL-small-K-kb.jsonl, LABEL-small-K-variants.jsonl, LABEL-small-K-queries.jsonl (K = 1..4)
//
// A held-out split is checked with every development question loaded as
// variants:
//
//	go run ./knowledge/evalconv -held /path/to/queries-test.jsonl -out /tmp/ev
//	liaison kb eval --kb /tmp/ev/LABEL-kb.jsonl --variants /tmp/ev/LABEL-variants-all.jsonl \
//	  --queries /tmp/ev/LABEL-test.jsonl --allow-unpaired --json
//
// The split is deterministic: questions keep their file order within each
// (entry, language).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/liaison-gc/liaison/knowledge"
)

type faqRow struct {
	ID        string `json:"id"`
	Lang      string `json:"lang"`
	KB        string `json:"kb"`
	Question  string `json:"question"`
	Answer    string `json:"answer"`
	SourceURL string `json:"source_url"`
	Topic     string `json:"topic"`
}

type queryRow struct {
	Query string `json:"query"`
	Lang  string `json:"lang"`
	KB    string `json:"kb"`
	Gold  string `json:"gold_faq_id"`
}

func main() {
	src := flag.String("src", "../shared/eval", "directory holding faq.jsonl and queries-dev.jsonl")
	out := flag.String("out", "", "output directory (default: a new temporary directory)")
	var held []string
	flag.Func("held", "a held-out queries file in the format of queries-dev.jsonl (repeatable)", func(p string) error {
		held = append(held, p)
		return nil
	})
	small := flag.Int("small", 0, "also write four small knowledge bases of this many entries per label, with questions beyond them")
	flag.Parse()
	if err := convert(*src, *out, held, *small); err != nil {
		fmt.Fprintln(os.Stderr, "evalconv:", err)
		os.Exit(1)
	}
}

func readJSONL[T any](path string) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows []T
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		var r T
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		rows = append(rows, r)
	}
	return rows, sc.Err()
}

// label shortens a knowledge-base name to its first word ("abc_def_2020" → "abc").
func label(kb string) string {
	l, _, _ := strings.Cut(kb, "_")
	return strings.ToLower(l)
}

// section is an entry's topic: the page it is on (the last part of its
// address) or, without one, its category.
func section(url, category string) string {
	if strings.HasPrefix(url, "http") {
		return knowledge.Slug(filepath.Base(strings.TrimRight(url, "/")))
	}
	if category == "NA" {
		return ""
	}
	return knowledge.Slug(category)
}

// findHeld resolves a -held path: as given, or else in the source
// directory, next to queries-dev.jsonl (so "-held queries-test.jsonl" finds
// the split where it ships).
func findHeld(src, p string) (string, error) {
	if fileExists(p) {
		return filepath.Clean(p), nil
	}
	if !filepath.IsAbs(p) {
		if q := filepath.Join(src, p); fileExists(q) {
			return q, nil
		}
	}
	return "", fmt.Errorf("held-out queries file %s: not found (looked here and in %s); give its path", p, src)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func convert(src, out string, held []string, small int) error {
	faq, err := readJSONL[faqRow](filepath.Join(src, "faq.jsonl"))
	if err != nil {
		return err
	}
	qs, err := readJSONL[queryRow](filepath.Join(src, "queries-dev.jsonl"))
	if err != nil {
		return err
	}
	for i, p := range held {
		if held[i], err = findHeld(src, p); err != nil {
			return err
		}
	}
	others, err := filepath.Glob(filepath.Join(src, "queries-*.jsonl"))
	if err != nil {
		return err
	}
	for _, p := range others {
		if filepath.Base(p) != "queries-dev.jsonl" && !slices.Contains(held, filepath.Clean(p)) {
			held = append(held, filepath.Clean(p))
		}
	}
	if out == "" {
		if out, err = os.MkdirTemp("", "liaison-eval-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(out, 0o750); err != nil {
		return err
	}
	files := map[string][]any{}
	put := func(name string, v any) { files[name] = append(files[name], v) }
	// An entry's topic is its section: the page it is on (the last part of
	// its address) or, without one, its category; both languages share it.
	topics := map[string]string{}
	for _, r := range faq {
		if t := section(r.SourceURL, r.Topic); t != "" && (topics[r.ID] == "" || r.Lang == "en" && strings.HasPrefix(r.SourceURL, "http")) {
			topics[r.ID] = t
		}
	}
	for _, r := range faq {
		put(label(r.KB)+"-kb.jsonl", entryRow(r, topics))
	}
	pos := map[string]int{}
	for _, q := range qs {
		l := label(q.KB)
		if q.Gold == "" {
			for _, s := range []string{"a", "b", "all"} {
				put(l+"-queries-"+s+".jsonl", map[string]string{"query": q.Query, "lang": q.Lang, "expected": ""})
			}
			continue
		}
		k := q.KB + "\x00" + q.Gold + "\x00" + q.Lang
		i := pos[k]
		pos[k]++
		v := map[string]string{"id": q.Gold, "lang": q.Lang, "text": q.Query}
		e := map[string]string{"query": q.Query, "lang": q.Lang, "expected": q.Gold}
		put(l+"-variants-all.jsonl", v)
		put(l+"-queries-all.jsonl", e)
		if i%2 == 0 {
			put(l+"-variants-a.jsonl", v)
			put(l+"-queries-b.jsonl", e)
		} else {
			put(l+"-variants-b.jsonl", v)
			put(l+"-queries-a.jsonl", e)
		}
	}
	if small > 0 {
		smallRuns(faq, qs, topics, small, put)
	}
	for _, p := range held {
		rows, err := readJSONL[queryRow](p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(strings.TrimSuffix(filepath.Base(p), filepath.Ext(p)), "queries-")
		for _, q := range rows {
			put(label(q.KB)+"-"+name+".jsonl", map[string]string{"query": q.Query, "lang": q.Lang, "expected": q.Gold})
		}
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f, err := os.Create(filepath.Join(out, n))
		if err != nil {
			return err
		}
		w := bufio.NewWriter(f)
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, v := range files[n] {
			if err := enc.Encode(v); err != nil {
				f.Close()
				return err
			}
		}
		if err := w.Flush(); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Printf("%s\t%d rows\n", filepath.Join(out, n), len(files[n]))
	}
	return nil
}

// entryRow is r in the knowledge base's JSON Lines format.
func entryRow(r faqRow, topics map[string]string) map[string]any {
	url := r.SourceURL
	if !strings.HasPrefix(url, "http") {
		url = ""
	}
	topic := topics[r.ID]
	if topic == "" {
		topic = "general"
	}
	return map[string]any{"id": r.ID, "lang": r.Lang, "question": r.Question, "answer": r.Answer, "topic": topic, "url": url}
}

// smallRuns writes the -small knowledge bases: for each label, four draws
// (seeded by the label and K, so the same every run) of n entries, at most
// a third of the label's.
func smallRuns(faq []faqRow, qs []queryRow, topics map[string]string, n int, put func(string, any)) {
	ids := map[string][]string{} // label → entry ids, in file order
	for _, r := range faq {
		l := label(r.KB)
		if !slices.Contains(ids[l], r.ID) {
			ids[l] = append(ids[l], r.ID)
		}
	}
	asked := map[string][]queryRow{} // entry id → its development questions
	for _, q := range qs {
		if q.Gold != "" {
			asked[q.Gold] = append(asked[q.Gold], q)
		}
	}
	for l, all := range ids {
		size := min(n, len(all)/3)
		if size == 0 {
			continue
		}
		h := fnv.New64a()
		h.Write([]byte(l))
		for k := 1; k <= 4; k++ {
			rng := rand.New(rand.NewPCG(h.Sum64(), uint64(k)))
			order := slices.Clone(all)
			rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			in, out := order[:size], order[size:]
			name := fmt.Sprintf("%s-small-%d-", l, k)
			for _, r := range faq {
				if label(r.KB) == l && slices.Contains(in, r.ID) {
					put(name+"kb.jsonl", entryRow(r, topics))
				}
			}
			pos, scoped := map[string]int{}, 0
			for _, id := range in {
				for _, q := range asked[id] {
					key := q.Gold + "\x00" + q.Lang
					if pos[key]%2 == 0 {
						put(name+"variants.jsonl", map[string]string{"id": q.Gold, "lang": q.Lang, "text": q.Query})
					} else {
						put(name+"queries.jsonl", map[string]string{"query": q.Query, "lang": q.Lang, "expected": q.Gold})
						scoped++
					}
					pos[key]++
				}
			}
			var beyond []queryRow
			for _, id := range out {
				beyond = append(beyond, asked[id]...)
			}
			rng.Shuffle(len(beyond), func(i, j int) { beyond[i], beyond[j] = beyond[j], beyond[i] })
			for _, q := range beyond[:min(scoped, len(beyond))] {
				put(name+"queries.jsonl", map[string]string{"query": q.Query, "lang": q.Lang, "expected": ""})
			}
		}
	}
}
