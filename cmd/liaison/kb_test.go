package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/liaison-gc/liaison/bot"
)

func kbRun(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), err
}

func kbWrite(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestKBCheckSample(t *testing.T) {
	out, _, err := kbRun(t, "kb", "check")
	if err != nil || !strings.Contains(out, "ok, 49 entries (49 English, 49 French)") {
		t.Fatalf("kb check = %q, %v", out, err)
	}
}

func TestKBCheckReportsEveryProblem(t *testing.T) {
	dir := t.TempDir()
	f := kbWrite(t, dir, "kb.toml", `[[entry]]
id = "hours"
topic = "offices"
[entry.en]
question = "When are you open?"
answer = "9 to 5."

[[entry]]
id = "Hours!"
topic = "offices"
[entry.en]
question = "Q"
answer = "A"
links = ["ftp://x"]
[entry.fr]
question = "Q"
answer = "R"
`)
	_, stderr, err := kbRun(t, "kb", "check", "--kb", f)
	if !errors.Is(err, errReported) || exitCode(err) != 1 {
		t.Fatalf("err = %v, want errReported", err)
	}
	for _, want := range []string{f + ":4: entry hours [fr]: missing its French half", f + `:8: entry Hours!: malformed id`, f + `:11: entry Hours! [en]: malformed link "ftp://x"`, "3 problem(s)"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if _, _, err := kbRun(t, "kb", "check", "--kb", f, "--allow-unpaired"); !errors.Is(err, errReported) {
		t.Errorf("other problems must still fail: %v", err)
	}
	if _, _, err := kbRun(t, "kb", "check", "--kb", filepath.Join(dir, "missing.toml")); err == nil || !strings.Contains(err.Error(), "missing.toml") {
		t.Errorf("missing file: %v", err)
	}
}

// kb check warns of an entry whose halves state different facts, with the
// file, line, entry and fact, and still passes unless --strict is given.
func TestKBCheckWarnsOfFactsThatDiffer(t *testing.T) {
	f := kbWrite(t, t.TempDir(), "kb.toml", `[[entry]]
id = "contact-phone"
topic = "contact"
[entry.en]
question = "How can I reach you?"
answer = "Call 1-800-555-0199, Monday to Friday, from 8:30 a.m. to 4:30 p.m. A passport costs $1,234.50."
[entry.fr]
question = "Comment vous joindre?"
answer = "Composez le 1 800 555-0199, du lundi au vendredi, de 8 h 30 à 16 h. Un passeport coûte 1 234,50 $."

[[entry]]
id = "deadline"
topic = "taxes"
[entry.en]
question = "When is the deadline?"
answer = "April 30, within 30 days."
[entry.fr]
question = "Quelle est la date limite?"
answer = "Le 30 avril, dans les 30 jours."
`)
	want := f + ":1: entry contact-phone: the times differ: the English answer gives 4:30 p.m., the French answer 16 h: check which half is right"
	out, stderr, err := kbRun(t, "kb", "check", "--kb", f)
	if err != nil || !strings.Contains(out, "ok, 2 entries") {
		t.Fatalf("a warning failed the check: %q, %v\n%s", out, err, stderr)
	}
	if !strings.Contains(stderr, "warning: "+want) || !strings.Contains(stderr, "1 warning(s)") || strings.Count(stderr, "warning: ") != 1 {
		t.Errorf("stderr lacks the one warning %q:\n%s", want, stderr)
	}
	_, stderr, err = kbRun(t, "kb", "check", "--strict", "--kb", f)
	if !errors.Is(err, errReported) || exitCode(err) != 1 || !strings.Contains(stderr, want) {
		t.Errorf("--strict: %v\n%s", err, stderr)
	}
	if _, stderr, err := kbRun(t, "kb", "check", "--strict"); err != nil || stderr != "" {
		t.Errorf("the sample with --strict: %v\n%s", err, stderr)
	}
}

func TestKBStatsJSON(t *testing.T) {
	out, _, err := kbRun(t, "kb", "stats", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Entries int
		ByLang  map[string]struct{ Entries, Variants int } `json:"by_lang"`
		Topics  map[string]int
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	if st.Entries != 49 || st.ByLang["fr"].Entries != 49 || st.ByLang["en"].Variants == 0 || st.Topics["passports"] == 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestKBSearch(t *testing.T) {
	out, _, err := kbRun(t, "kb", "search", "passeport perdu", "--lang", "fr", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Lang string
		Hits []struct{ EntryID, Lang string }
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Lang != "fr" || len(r.Hits) == 0 || r.Hits[0].EntryID != "passport-lost-stolen" || r.Hits[0].Lang != "fr" {
		t.Errorf("search = %+v", r)
	}
	out, _, err = kbRun(t, "kb", "search", "office hours")
	if err != nil || !strings.Contains(out, "offices-hours") {
		t.Errorf("text search = %q, %v", out, err)
	}
	if _, _, err := kbRun(t, "kb", "search"); exitCode(err) != 2 {
		t.Errorf("no text: %v", err)
	}
	for _, cmd := range [][]string{{"kb", "search", "  "}, {"ask", ""}} {
		if _, _, err := kbRun(t, cmd...); exitCode(err) != 2 {
			t.Errorf("%v with empty text: %v, want a usage error", cmd, err)
		}
	}
	if _, _, err := kbRun(t, "kb", "search", "x", "--lang", "de"); exitCode(err) != 2 {
		t.Errorf("bad lang: %v", err)
	}
}

func TestAsk(t *testing.T) {
	for _, tc := range []struct {
		name, text, action, lang, reply string
	}{
		{"english answer", "How do I renew my passport?", "answer", "en", "\n\nMore information: https://example.gc.ca/en/passports/renew\n\nWas this answer helpful? Let us know with 👍 or 👎."},
		{"french answer", "comment renouveler mon passeport", "answer", "fr", "\n\nPour en savoir plus\u00a0: https://example.gc.ca/fr/passeports/renouveler\n\nCette réponse vous a-t-elle été utile? Dites-le-nous avec 👍 ou 👎."},
		{"escalate", "what is the best banana bread recipe", "escalate", "en", ""},
		{"escalate to the topic the hits share", "problem with my application", "escalate", "en", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := kbRun(t, "ask", tc.text, "--json")
			if err != nil {
				t.Fatal(err)
			}
			var r askResult
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatal(err)
			}
			if r.Action != tc.action || string(r.Lang) != tc.lang || !strings.HasSuffix(r.Reply, tc.reply) {
				t.Errorf("ask = %+v", r)
			}
			if r.Action == "escalate" && (r.Reply != "" || r.Topic == "") {
				t.Errorf("escalation must name a topic and post no answer: %+v", r)
			}
			if len(r.Hits) > 3 {
				t.Errorf("%d hits shown, want at most the default 3", len(r.Hits))
			}
			// The engine's routing: the best hit is on accessibility, most
			// of the confidence on benefits.
			if tc.text == "problem with my application" && (r.Topic != "benefits" || r.Hits[0].Topic == "benefits") {
				t.Errorf("topic %q with best hit on %q, want benefits voted over the best hit", r.Topic, r.Hits[0].Topic)
			}
		})
	}
	// Text that shows no language is answered as the engine answers it in
	// a bilingual channel: in both languages, English then French, each
	// with its link and invitation.
	out, _, err := kbRun(t, "ask", "cheque", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r askResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	en, fr := strings.Index(r.Reply, "https://example.gc.ca/en/benefits/missing-payment"), strings.Index(r.Reply, "https://example.gc.ca/fr/")
	if r.Action != "answer" || r.EntryID != "benefits-missing-payment" || en < 0 || fr < en ||
		!strings.Contains(r.Reply, "Let us know with 👍 or 👎.") || !strings.HasSuffix(r.Reply, "Dites-le-nous avec 👍 ou 👎.") {
		t.Errorf("ask cheque = %+v, want the answer in English then French", r)
	}
	if out, _, err := kbRun(t, "ask", "cheque"); err != nil || !strings.HasPrefix(out, "language: unknown (0.00), best match in en") {
		t.Errorf("ask cheque says %q, %v; want its language unknown", out, err)
	}
	out, _, err = kbRun(t, "ask", "Quelles sont vos heures d'ouverture?")
	if err != nil || !strings.Contains(out, "language: fr") || !strings.Contains(out, "Pour en savoir plus\u00a0: https://example.gc.ca/fr/bureaux/heures") {
		t.Errorf("ask text = %q, %v", out, err)
	}
}

// ask shows what the comment policy decides before the knowledge base
// would be asked, as the engine does: thanks, wordless messages and abuse
// are left, a partisan question gets the neutral notice in its language.
func TestAskAppliesTheCommentPolicy(t *testing.T) {
	for _, tc := range []struct {
		text, action string
		reason       bot.Reason
		reply        string
	}{
		{"thanks!", "ignore", bot.ReasonCourtesy, ""},
		{"merci beaucoup", "ignore", bot.ReasonCourtesy, ""},
		{"???", "ignore", bot.ReasonNoWords, ""},
		{"you idiot", "ignore", bot.ReasonAbuse, ""},
		{"Who should I vote for?", "notice", bot.ReasonPartisan, "We cannot comment on political parties"},
		{"Pour qui devrais-je voter?", "notice", bot.ReasonPartisan, "Nous ne pouvons pas commenter"},
		{"How do I renew my passport?", "answer", "", "You can renew your passport"},
	} {
		out, _, err := kbRun(t, "ask", tc.text, "--json")
		if err != nil {
			t.Fatal(err)
		}
		var r askResult
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		if r.Action != tc.action || r.Reason != tc.reason || !strings.Contains(r.Reply, tc.reply) || (tc.reply == "" && r.Reply != "") {
			t.Errorf("ask %q = %s (%s) %q; want %s (%s) %q", tc.text, r.Action, r.Reason, r.Reply, tc.action, tc.reason, tc.reply)
		}
		if (r.Action == "ignore" || r.Action == "notice") && r.Topic != "" {
			t.Errorf("ask %q names topic %q though nothing goes to staff", tc.text, r.Topic)
		}
	}
	out, _, err := kbRun(t, "ask", "thanks!")
	if err != nil || !strings.Contains(out, "ignore (comment policy: courtesy)") {
		t.Errorf("ask text = %q, %v", out, err)
	}
}

func TestKBEvalJSONKeys(t *testing.T) {
	dir := t.TempDir()
	q := kbWrite(t, dir, "q.jsonl", `{"query":"How do I renew my passport?","lang":"en","expected":"passport-renew"}
{"query":"heures d'ouverture du bureau","lang":"fr","expected":"offices-hours"}
{"query":"best banana bread recipe","lang":"en","expected":""}
`)
	out, _, err := kbRun(t, "kb", "eval", "--queries", q, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range r {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := "answered_precision by_lang curve in_scope_coverage lang_detection_accuracy out_of_scope_answer_rate queries threshold"
	if strings.Join(keys, " ") != want {
		t.Errorf("keys %v, want %s", keys, want)
	}
	var by map[string]map[string]float64
	if err := json.Unmarshal(r["by_lang"], &by); err != nil {
		t.Fatal(err)
	}
	if by["en"]["n"] != 1 || by["en"]["p_at_1"] != 1 || by["fr"]["mrr_at_10"] != 1 || len(by["fr"]) != 4 {
		t.Errorf("by_lang %v", by)
	}
	if _, _, err := kbRun(t, "kb", "eval"); exitCode(err) != 2 {
		t.Errorf("missing --queries: %v", err)
	}
	// Each query's outcome, in order, for reading what the base misses.
	outPath := filepath.Join(dir, "outcomes.jsonl")
	if _, _, err := kbRun(t, "kb", "eval", "--queries", q, "--outcomes", outPath); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d outcome lines, want 3:\n%s", len(lines), data)
	}
	var first, last struct {
		Query, Lang, Detected, Expected, Top string
		Rank                                 int
		Confidence                           float64
		Answered, Right                      bool
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[2]), &last); err != nil {
		t.Fatal(err)
	}
	if first.Query != "How do I renew my passport?" || first.Detected != "en" || first.Top != "passport-renew" || first.Rank != 1 || !first.Right || !first.Answered || first.Confidence < 0.8 {
		t.Errorf("first outcome %+v", first)
	}
	if last.Expected != "" || last.Right || last.Answered || last.Rank != 0 {
		t.Errorf("out-of-scope outcome %+v", last)
	}
}

func TestKBBenchJSON(t *testing.T) {
	out, _, err := kbRun(t, "kb", "bench", "--entries", "100", "--queries", "50", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]float64
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"build_seconds", "reopen_seconds", "search_p50_ms", "search_p99_ms", "rss_mb"} {
		if r[k] <= 0 {
			t.Errorf("%s = %v", k, r[k])
		}
	}
	if r["entries"] != 100 || r["p_at_1"] < 0.5 {
		t.Errorf("bench %v", r)
	}
}

func TestKBUsage(t *testing.T) {
	if _, _, err := kbRun(t, "kb"); exitCode(err) != 2 {
		t.Errorf("kb alone: %v", err)
	}
	if _, _, err := kbRun(t, "kb", "nope"); exitCode(err) != 2 {
		t.Errorf("unknown subcommand: %v", err)
	}
	if _, _, err := kbRun(t, "kb", "check", "--bogus"); exitCode(err) != 2 {
		t.Errorf("unknown flag: %v", err)
	}
}

// A queries file that cannot be scored as it stands is said so, never
// evaluated as if every question were out of scope.
// One JSON Lines export can hold several knowledge bases, each row naming
// its own in a kb field. kb eval indexes and measures each on its own and
// combines the outcomes: indexed together, a question about one base would
// be answered from the other.
func TestKBEvalSeveralBasesInOneFile(t *testing.T) {
	dir := t.TempDir()
	kb := kbWrite(t, dir, "faq.jsonl", `{"id":"pa-1","lang":"en","kb":"pages","question":"When do offices open?","answer":"At 9 on weekdays.","topic":"offices"}
{"id":"pa-1","lang":"fr","kb":"pages","question":"Quand les bureaux ouvrent-ils?","answer":"À 9 h en semaine.","topic":"offices"}
{"id":"pa-2","lang":"en","kb":"pages","question":"How do I renew a permit?","answer":"Online.","topic":"permits"}
{"id":"pa-2","lang":"fr","kb":"pages","question":"Comment renouveler un permis?","answer":"En ligne.","topic":"permits"}
{"id":"wb-1","lang":"en","kb":"workbook","question":"When do offices open on Saturday?","answer":"At 10 on Saturdays.","topic":"offices"}
{"id":"wb-1","lang":"fr","kb":"workbook","question":"Quand les bureaux ouvrent-ils le samedi?","answer":"À 10 h le samedi.","topic":"offices"}
{"id":"wb-2","lang":"en","kb":"workbook","question":"Where do I send my forms?","answer":"By mail.","topic":"forms"}
{"id":"wb-2","lang":"fr","kb":"workbook","question":"Où envoyer mes formulaires?","answer":"Par la poste.","topic":"forms"}
`)
	q := kbWrite(t, dir, "q.jsonl", `{"query":"when do the offices open on saturday","lang":"en","kb":"pages","gold_faq_id":"pa-1"}
{"query":"quand est-ce que les bureaux ouvrent le samedi","lang":"fr","kb":"workbook","gold_faq_id":"wb-1"}
{"query":"where do i send the forms","lang":"en","kb":"workbook","gold_faq_id":"wb-2"}
{"query":"when do offices open","lang":"en","kb":"elsewhere","gold_faq_id":"zz-1"}
`)
	p1 := func(out string) map[string]float64 {
		t.Helper()
		var r struct {
			Queries int `json:"queries"`
			ByLang  map[string]struct {
				N    int     `json:"n"`
				PAt1 float64 `json:"p_at_1"`
			} `json:"by_lang"`
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return map[string]float64{"queries": float64(r.Queries), "en": r.ByLang["en"].PAt1, "en_n": float64(r.ByLang["en"].N), "fr": r.ByLang["fr"].PAt1}
	}
	out, errOut, err := kbRun(t, "kb", "eval", "--kb", kb, "--queries", q, "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if got := p1(out); got["queries"] != 3 || got["en_n"] != 2 || got["en"] != 1 || got["fr"] != 1 {
		t.Errorf("each base on its own: %v, want 3 queries all right\n%s", got, errOut)
	}
	for _, want := range []string{"holds 2 knowledge bases (kb field: pages, workbook)", `1 queries in ` + q + ` are for "elsewhere"`} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	// Indexed together, the Saturday question about pages is answered
	// from the workbook: what measuring each on its own avoids.
	unlabelled := kbWrite(t, dir, "unlabelled.jsonl", `{"query":"when do the offices open on saturday","lang":"en","expected":"pa-1"}
`)
	out, errOut, err = kbRun(t, "kb", "eval", "--kb", kb, "--queries", unlabelled, "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if got := p1(out); got["en"] != 0 || !strings.Contains(errOut, "indexed together") {
		t.Errorf("unlabelled queries on a mixed file: %v\n%s", got, errOut)
	}
	// --collection picks one base, for eval as for every kb command.
	out, errOut, err = kbRun(t, "kb", "eval", "--kb", kb, "--collection", "pages", "--queries", unlabelled, "--json")
	if err != nil || p1(out)["en"] != 1 {
		t.Errorf("--collection pages: %s, %v\n%s", out, err, errOut)
	}
	if out, _, err := kbRun(t, "kb", "check", "--kb", kb); err != nil || !strings.Contains(out, "4 entries") || !strings.Contains(out, "holds 2 knowledge bases") {
		t.Errorf("kb check = %q, %v", out, err)
	}
	if out, _, err := kbRun(t, "kb", "stats", "--kb", kb); err != nil || !regexp.MustCompile(`knowledge base pages +2 entries \(kb field\)`).MatchString(out) || !regexp.MustCompile(`knowledge base workbook +2 entries`).MatchString(out) {
		t.Errorf("kb stats = %q, %v", out, err)
	}
	if out, _, err := kbRun(t, "kb", "check", "--kb", kb, "--collection", "workbook"); err != nil || !strings.Contains(out, "2 entries") || strings.Contains(out, "holds 2") {
		t.Errorf("kb check --collection workbook = %q, %v", out, err)
	}
	if _, errOut, err := kbRun(t, "kb", "search", "--kb", kb, "--collection", "nope", "offices"); err == nil || !strings.Contains(err.Error()+errOut, `no entry of the knowledge base "nope" (kb field); it has pages, workbook`) {
		t.Errorf("unknown collection: %v %s", err, errOut)
	}
}

func TestKBEvalQueriesThatDoNotFit(t *testing.T) {
	dir := t.TempDir()
	// No "expected" at all: refused with the line, not read as out of scope.
	q := kbWrite(t, dir, "none.jsonl", `{"query":"How do I renew my passport?","lang":"en","expected":"passport-renew"}
{"query":"heures d'ouverture","lang":"fr"}
`)
	_, errOut, err := kbRun(t, "kb", "eval", "--queries", q)
	if err == nil || !strings.Contains(errOut, q+`:2: no "expected"`) || !strings.Contains(errOut, "fix the queries file") {
		t.Errorf("missing expected: %v\n%s", err, errOut)
	}
	// The field name of exported FAQ-retrieval datasets is read too.
	q = kbWrite(t, dir, "gold.jsonl", `{"query":"How do I renew my passport?","lang":"en","gold_faq_id":"passport-renew","kb":"sample"}
{"query":"best banana bread recipe","lang":"en","gold_faq_id":""}
`)
	out, _, err := kbRun(t, "kb", "eval", "--queries", q, "--json")
	if err != nil || !strings.Contains(out, `"p_at_1": 1`) || !strings.Contains(out, `"queries": 2`) {
		t.Errorf("gold_faq_id: %v\n%s", err, out)
	}
	// Queries of another knowledge base mixed in are named and left out.
	q = kbWrite(t, dir, "mixed.jsonl", `{"query":"How do I renew my passport?","lang":"en","expected":"passport-renew"}
{"query":"Quand ouvre la piscine?","lang":"fr","expected":"city-pool"}
{"query":"Heures de la piscine","lang":"fr","expected":"city-pool"}
`)
	out, errOut, err = kbRun(t, "kb", "eval", "--queries", q, "--json")
	if err != nil || !strings.Contains(errOut, "2 of 3 queries in "+q+" expect entries this knowledge base lacks (city-pool); they are not scored") || !strings.Contains(out, `"queries": 1`) {
		t.Errorf("mixed: %v\n%s\n%s", err, errOut, out)
	}
	// None fits: the wrong knowledge base, an error rather than zeros.
	q = kbWrite(t, dir, "other.jsonl", `{"query":"Quand ouvre la piscine?","lang":"fr","expected":"city-pool"}
{"query":"best banana bread recipe","lang":"en","expected":""}
`)
	if _, _, err := kbRun(t, "kb", "eval", "--queries", q); err == nil || !strings.Contains(err.Error(), "pass the --kb they were written for") {
		t.Errorf("no query fits: %v", err)
	}
}

// kb check's line numbers come from TOML's own reading of the file: a
// multi-line answer whose text holds lines like "[[entry]]" or
// "[entry.fr]" does not shift the entries after it, and a language written
// as an inline or dotted table is found on its own line.
func TestKBCheckLinesPastMultilineAnswers(t *testing.T) {
	f := kbWrite(t, t.TempDir(), "kb.toml", `[[entry]]
id = "a"
topic = "t"
[entry.en]
question = "How do I write an entry?"
answer = """
Like this:
[[entry]]
[entry.fr]
"""
[entry.fr]
question = "Comment écrire une entrée?"
answer = ""

[[entry]]
id = "b"
topic = "t"
[entry.en]
question = "Q2?"
answer = ""
[entry.fr]
question = "Q2?"
answer = "R."

[[entry]]
id = "c"
topic = "t"
en.question = "Q3?"
en.answer = "A."
fr = { question = "Q3?", answer = "" }
`)
	_, stderr, err := kbRun(t, "kb", "check", "--kb", f)
	if !errors.Is(err, errReported) {
		t.Fatalf("err = %v\n%s", err, stderr)
	}
	for _, want := range []string{f + ":11: entry a [fr]: empty answer", f + ":18: entry b [en]: empty answer", f + ":30: entry c [fr]: empty answer", "3 problem(s)"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// A value of the wrong type in a knowledge-base file is named by its key
// and line with what to write, in the file's terms rather than the
// program's, and the other files' problems are still reported with it.
func TestKBCheckWrongTypeSaysWhatToWrite(t *testing.T) {
	dir := t.TempDir()
	entry := "[[entry]]\nid = %s\ntopic = \"offices\"\ntags = %s\n[entry.en]\nquestion = \"When are you open?\"\nanswer = \"9 to 5.\"\n[entry.fr]\nquestion = \"Quand êtes-vous ouverts?\"\nanswer = %s\n"
	a := kbWrite(t, dir, "a.toml", fmt.Sprintf(entry, "5", `["x"]`, `"De 9 h à 17 h."`))
	b := kbWrite(t, dir, "b.toml", fmt.Sprintf(entry, `"b"`, `"hours"`, `"De 9 h à 17 h."`))
	c := kbWrite(t, dir, "c.toml", fmt.Sprintf(entry, `"c"`, `["x"]`, "true"))
	_, stderr, err := kbRun(t, "kb", "check", "--kb", dir)
	if !errors.Is(err, errReported) || exitCode(err) != 1 {
		t.Fatalf("err = %v\n%s", err, stderr)
	}
	for _, want := range []string{
		a + ":2: key entry.id: write text in quotes, not an integer",
		b + `:4: key entry.tags: write a list of texts in quotes, such as ["first", "second"], not a string`,
		c + ":10: key entry.fr.answer: write text in quotes, not a boolean",
		"3 problem(s)",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	for _, unwanted := range []string{"syntax", "knowledge.", "struct field"} {
		if strings.Contains(stderr, unwanted) {
			t.Errorf("stderr has %q:\n%s", unwanted, stderr)
		}
	}
}

// A variants or queries file with a line longer than any buffer (a
// spreadsheet export gone wrong) has that line reported by its number,
// with every other row's problem, rather than the reading stopping with
// no line and nothing else said.
func TestKBOverlongLinesAreReportedByLine(t *testing.T) {
	dir := t.TempDir()
	kb := kbWrite(t, dir, "kb.toml", "[[entry]]\nid = \"hours\"\ntopic = \"offices\"\n[entry.en]\nquestion = \"When are you open?\"\nanswer = \"9 to 5.\"\n[entry.fr]\nquestion = \"Quand êtes-vous ouverts?\"\nanswer = \"De 9 h à 17 h.\"\n")
	long := strings.Repeat("open ", 4<<20) // 20 MB
	v := kbWrite(t, dir, "variants.jsonl", `{"id":"hours","lang":"en","text":"opening hours"}
{"id":"hours","lang":"fr","text":"`+long+`"}
{"id":"pool","lang":"fr","text":"piscine"}
`)
	_, stderr, err := kbRun(t, "kb", "check", "--kb", kb, "--variants", v)
	if !errors.Is(err, errReported) {
		t.Fatalf("variants: err = %v\n%s", err, stderr)
	}
	for _, want := range []string{v + ":2: entry hours [fr]: variant is", v + ":3: entry pool [fr]: variant for an unknown entry", "2 problem(s)"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("variants: stderr lacks %q:\n%s", want, stderr)
		}
	}
	q := kbWrite(t, dir, "queries.jsonl", `{"query":"`+long+`","lang":"de","expected":"hours"}
{"query":"heures","lang":"fr"}
`)
	_, stderr, err = kbRun(t, "kb", "eval", "--kb", kb, "--queries", q)
	if !errors.Is(err, errReported) {
		t.Fatalf("queries: err = %v\n%s", err, stderr)
	}
	for _, want := range []string{q + `:1: lang "de"`, q + `:2: no "expected"`, "2 problem(s)"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("queries: stderr lacks %q:\n%s", want, stderr)
		}
	}
}
