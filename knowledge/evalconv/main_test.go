package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The converter is run on a small made-up source in the shared layout:
// topics come from the page or the category, development questions are
// split in two halves, and held-out files are converted whole.
func TestConvert(t *testing.T) {
	src, out := t.TempDir(), t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(src, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("faq.jsonl", `{"id":"pa-1","lang":"en","kb":"pages_2026","question":"When do offices open?","answer":"At 9.","topic":"Offices and hours","source_url":"https://example.gc.ca/en/offices-hours/"}
{"id":"pa-1","lang":"fr","kb":"pages_2026","question":"Quand les bureaux ouvrent-ils?","answer":"À 9 h.","topic":"Bureaux et heures","source_url":"https://example.gc.ca/fr/bureaux-heures/"}
{"id":"wb-1","lang":"fr","kb":"workbook_2026","question":"Où est le bureau?","answer":"Rue Principale.","topic":"Accès aux bureaux","source_url":""}
{"id":"wb-1","lang":"en","kb":"workbook_2026","question":"Where is the office?","answer":"Main Street.","topic":"Accès aux bureaux","source_url":""}
`)
	write("queries-dev.jsonl", `{"query":"opening time","lang":"en","kb":"pages_2026","gold_faq_id":"pa-1"}
{"query":"what time do you open","lang":"en","kb":"pages_2026","gold_faq_id":"pa-1"}
{"query":"is the flu bad","lang":"en","kb":"pages_2026","gold_faq_id":""}
{"query":"adresse du bureau","lang":"fr","kb":"workbook_2026","gold_faq_id":"wb-1"}
`)
	write("queries-test.jsonl", `{"query":"hours of the office","lang":"en","kb":"pages_2026","gold_faq_id":"pa-1"}
{"query":"c'est où","lang":"fr","kb":"workbook_2026","gold_faq_id":"wb-1"}
`)
	elsewhere := filepath.Join(t.TempDir(), "queries-extra.jsonl")
	if err := os.WriteFile(elsewhere, []byte(`{"query":"office address","lang":"en","kb":"workbook_2026","gold_faq_id":"wb-1"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := convert(src, out, []string{elsewhere}, 0); err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for name, wants := range map[string][]string{
		"pages-kb.jsonl":            {`"topic":"offices-hours"`, `"url":"https://example.gc.ca/fr/bureaux-heures/"`},
		"workbook-kb.jsonl":         {`"topic":"acces-aux-bureaux"`, `"url":""`},
		"pages-variants-a.jsonl":    {`"text":"opening time"`},
		"pages-queries-a.jsonl":     {`"query":"what time do you open"`, `"expected":""`},
		"pages-variants-all.jsonl":  {`"text":"opening time"`, `"text":"what time do you open"`},
		"pages-test.jsonl":          {`{"expected":"pa-1","lang":"en","query":"hours of the office"}`},
		"workbook-test.jsonl":       {`"query":"c'est où"`},
		"workbook-extra.jsonl":      {`"query":"office address"`},
		"workbook-variants-a.jsonl": {`"text":"adresse du bureau"`},
	} {
		got := read(name)
		for _, w := range wants {
			if !strings.Contains(got, w) {
				t.Errorf("%s lacks %s:\n%s", name, w, got)
			}
		}
	}
	if got := read("pages-kb.jsonl"); strings.Count(got, `"topic":"offices-hours"`) != 2 {
		t.Errorf("both languages must share the English page's topic:\n%s", got)
	}

	// -held with the bare name the README gives is found next to the
	// development split, and converted once.
	out2 := t.TempDir()
	if err := convert(src, out2, []string{"queries-test.jsonl"}, 0); err != nil {
		t.Fatalf("-held by its name in the source directory: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(out2, "pages-test.jsonl")); err != nil || strings.Count(string(b), "\n") != 1 {
		t.Errorf("pages-test.jsonl = %q, %v; want its one question once", b, err)
	}
	err := convert(src, t.TempDir(), []string{"queries-nope.jsonl"}, 0)
	if err == nil || !strings.Contains(err.Error(), "queries-nope.jsonl: not found") || !strings.Contains(err.Error(), src) {
		t.Errorf("a missing held-out file: %v, want its name and where it was looked for", err)
	}
}

// -small draws small knowledge bases with questions beyond them: half of
// the drawn entries' questions are variants, the other half queries, and
// as many questions about the other entries are queries out of scope. The
// draw is the same on every run.
func TestConvertSmall(t *testing.T) {
	src := t.TempDir()
	var faq, dev strings.Builder
	for i := range 9 {
		fmt.Fprintf(&faq, `{"id":"e%d","lang":"en","kb":"pages_2026","question":"Question %d?","answer":"Answer %d.","topic":"T","source_url":""}`+"\n", i, i, i)
		fmt.Fprintf(&faq, `{"id":"e%d","lang":"fr","kb":"pages_2026","question":"Question %d?","answer":"Réponse %d.","topic":"T","source_url":""}`+"\n", i, i, i)
		for j := range 2 {
			fmt.Fprintf(&dev, `{"query":"asked %d-%d","lang":"en","kb":"pages_2026","gold_faq_id":"e%d"}`+"\n", i, j, i)
		}
	}
	for name, body := range map[string]string{"faq.jsonl": faq.String(), "queries-dev.jsonl": dev.String()} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	outs := [2]string{t.TempDir(), t.TempDir()}
	for _, out := range outs {
		if err := convert(src, out, nil, 5); err != nil { // at most a third: 3 entries
			t.Fatal(err)
		}
	}
	for k := 1; k <= 4; k++ {
		name := fmt.Sprintf("pages-small-%d-", k)
		kb, _ := os.ReadFile(filepath.Join(outs[0], name+"kb.jsonl"))
		vars, _ := os.ReadFile(filepath.Join(outs[0], name+"variants.jsonl"))
		qs, _ := os.ReadFile(filepath.Join(outs[0], name+"queries.jsonl"))
		again, _ := os.ReadFile(filepath.Join(outs[1], name+"queries.jsonl"))
		if n := strings.Count(string(kb), "\n"); n != 6 {
			t.Errorf("%skb: %d rows, want 3 entries in 2 languages", name, n)
		}
		if v, in, beyond := strings.Count(string(vars), "\n"), strings.Count(string(qs), `"expected":"e`), strings.Count(string(qs), `"expected":""`); v != 3 || in != 3 || beyond != 3 {
			t.Errorf("%s: %d variants, %d queries in scope, %d beyond; want 3 each", name, v, in, beyond)
		}
		if string(qs) != string(again) {
			t.Errorf("%s: a second run drew differently", name)
		}
	}
}
