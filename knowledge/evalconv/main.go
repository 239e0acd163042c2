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
//
// The split is deterministic: questions keep their file order within each
// (entry, language).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type faqRow struct {
	ID        string `json:"id"`
	Lang      string `json:"lang"`
	KB        string `json:"kb"`
	Question  string `json:"question"`
	Answer    string `json:"answer"`
	SourceURL string `json:"source_url"`
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
	flag.Parse()
	if err := convert(*src, *out); err != nil {
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

func convert(src, out string) error {
	faq, err := readJSONL[faqRow](filepath.Join(src, "faq.jsonl"))
	if err != nil {
		return err
	}
	qs, err := readJSONL[queryRow](filepath.Join(src, "queries-dev.jsonl"))
	if err != nil {
		return err
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
	for _, r := range faq {
		url := r.SourceURL
		if !strings.HasPrefix(url, "http") {
			url = ""
		}
		put(label(r.KB)+"-kb.jsonl", map[string]any{"id": r.ID, "lang": r.Lang, "question": r.Question, "answer": r.Answer, "topic": "general", "url": url})
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
