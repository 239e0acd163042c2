package main

import (
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
	if err := convert(src, out, []string{elsewhere}); err != nil {
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
}
