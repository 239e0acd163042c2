package knowledge

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/i18n"
)

func openSample(t testing.TB, opts Options) *Index {
	t.Helper()
	x, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

// Every shipped entry and variant exists in both languages, with a link.
func TestSampleIsBilingual(t *testing.T) {
	b, err := Load("")
	if err != nil {
		t.Fatalf("load sample: %v", err)
	}
	if ps := Validate(b.Entries, false); len(ps) > 0 {
		t.Fatalf("sample has problems:\n%v", ps)
	}
	if len(b.Entries) < 40 {
		t.Errorf("sample has %d entries, want at least 40", len(b.Entries))
	}
	known := map[string]bool{}
	for _, tp := range Topics {
		known[tp] = true
	}
	for _, e := range b.Entries {
		for _, l := range bot.Langs {
			tx := e.In(l)
			if tx.Question == "" || tx.Answer == "" || len(tx.Links) == 0 {
				t.Errorf("%s: %s: missing question, answer or link", e.Source, e.ID)
			}
			if len(tx.Variants) == 0 {
				t.Errorf("%s: %s: no %s variants", e.Source, e.ID, l)
			}
		}
		if len(e.EN.Variants) != len(e.FR.Variants) {
			t.Errorf("%s: %s: %d English variants but %d French", e.Source, e.ID, len(e.EN.Variants), len(e.FR.Variants))
		}
		if !known[e.Topic] {
			t.Errorf("%s: %s: topic %q is not one of Topics", e.Source, e.ID, e.Topic)
		}
	}
}

// writeFile writes content to dir/name the way editors save: into a hidden
// file next to it, renamed over it, so that a watcher never sees half a
// file (which would be a second, broken edit).
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(filepath.Dir(p), "."+filepath.Base(p)+".tmp")
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	return p
}

const goodTOML = `
[[entry]]
id = "office-hours"
topic = "offices"
[entry.en]
question = "When is the office open?"
variants = ["opening hours"]
answer = "Monday to Friday, 9 to 5."
links = ["https://example.gc.ca/en/hours"]
[entry.fr]
question = "Quand le bureau est-il ouvert?"
variants = ["heures d'ouverture"]
answer = "Du lundi au vendredi, de 9 h à 17 h."
links = ["https://example.gc.ca/fr/heures"]
`

const brokenTOML = `
[[entry]]
id = "only-english"
topic = "offices"
[entry.en]
question = "Where is the office?"
answer = "Downtown."

[[entry]]
id = "Bad_ID"
topic = "offices"
[entry.en]
question = "Q?"
answer = "A."
links = ["not a link"]
[entry.fr]
question = "Q?"
answer = ""

[[entry]]
id = "office-hours"
topic = "offices"
colour = "blue"
[entry.en]
question = "Duplicate?"
answer = "Yes."
[entry.fr]
question = "Doublon?"
answer = "Oui."
`

// Every problem is reported at once, with file, line and entry id.
func TestLoadReportsEveryProblem(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.toml", goodTOML)
	broken := writeFile(t, dir, "b.toml", brokenTOML)
	_, err := Prepare(dir, nil, nil, false)
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Prepare: %v, want Problems", err)
	}
	text := err.Error()
	for _, want := range []string{
		broken + `:23: unknown key "entry.colour"`,
		broken + ":5: entry only-english [fr]: missing its French half",
		broken + `:9: entry Bad_ID: malformed id "Bad_ID"`,
		broken + `:12: entry Bad_ID [en]: malformed link "not a link"`,
		broken + ":16: entry Bad_ID [fr]: empty answer",
		broken + ":20: entry office-hours: duplicate id: already defined at " + filepath.Join(dir, "a.toml") + ":2",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing problem %q in:\n%s", want, text)
		}
	}
	// The same base is accepted when unpaired entries are allowed, except
	// for its other problems.
	_, err = Prepare(dir, nil, nil, true)
	if err == nil || strings.Contains(err.Error(), "missing its French half") {
		t.Errorf("allow-unpaired: %v", err)
	}
}

func TestLoadTOMLSyntaxError(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "x.toml", "[[entry]]\nid = \"a\"\nquestion = \n")
	_, err := Load(dir)
	if err == nil || !strings.Contains(err.Error(), p+":3: TOML syntax") {
		t.Fatalf("got %v, want a syntax error at line 3", err)
	}
}

// A knowledge base without a single entry is a problem naming it, so that
// kb check fails and a reload of an emptied file (a mistaken "> kb.toml", or
// a non-atomic save caught half way) keeps the running version.
func TestEmptyBaseIsAProblem(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	writeFile(t, empty, "kb.toml", "# entries to come\n")
	for _, p := range []string{
		writeFile(t, dir, "kb.toml", ""),
		writeFile(t, dir, "kb.jsonl", "\n\n"),
		empty,
	} {
		_, err := Prepare(p, nil, nil, false)
		var ps Problems
		if !errors.As(err, &ps) || !strings.Contains(err.Error(), p+": no entries") {
			t.Errorf("%s: %v, want the problem \"no entries\" naming it", p, err)
		}
	}
	kb := writeFile(t, dir, "serving.toml", goodTOML)
	x := openSample(t, Options{Path: kb})
	writeFile(t, dir, "serving.toml", "")
	if err := x.Reload(ctx); err == nil || !strings.Contains(err.Error(), "no entries") {
		t.Errorf("reload of the emptied file: %v", err)
	}
	if hits, err := x.Search(ctx, "opening hours", bot.English, 1); err != nil || len(hits) == 0 {
		t.Errorf("after the emptied file: %v %v, want the running version", hits, err)
	}
}

// Files and directories whose name starts with "." or "#" are not part of
// a knowledge-base directory: an editor's lock file (Emacs .#kb.toml, a
// dangling symlink) or autosave, .git, and the ..data and timestamped
// directories of a Kubernetes ConfigMap volume, whose top level links to
// the same files. A file that cannot be read is named with its path.
func TestLoadSkipsHiddenFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "kb.toml", goodTOML)
	writeFile(t, dir, "#kb.toml#", brokenTOML)
	writeFile(t, dir, ".git/kb.toml", brokenTOML)
	if err := os.Symlink("user@host.1234:1700000000", filepath.Join(dir, ".#kb.toml")); err != nil {
		t.Fatal(err)
	}
	cm := t.TempDir()
	writeFile(t, cm, "..2026_11_28_09_00_00.1/kb.toml", goodTOML)
	for _, l := range [][2]string{{"..2026_11_28_09_00_00.1", "..data"}, {"..data/kb.toml", "kb.toml"}} {
		if err := os.Symlink(l[0], filepath.Join(cm, l[1])); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{dir, cm} {
		b, err := Prepare(d, nil, nil, false)
		if err != nil {
			t.Errorf("%s: %v", d, err)
		} else if len(b.Entries) != 1 {
			t.Errorf("%s: %d entries, want 1", d, len(b.Entries))
		}
	}
	gone := filepath.Join(dir, "sub", "gone.toml")
	if err := os.MkdirAll(filepath.Dir(gone), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("nowhere.toml", gone); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), gone) {
		t.Errorf("unreadable file: %v, want an error naming %s", err, gone)
	}
}

// A link to a directory inside a knowledge-base directory is not followed
// (a link may loop back to its parent). Rather than losing the entries it
// holds without a word, Load refuses it by name and says what to do.
func TestLoadRefusesALinkedDirectoryByName(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	writeFile(t, dir, "kb.toml", goodTOML)
	writeFile(t, other, "more.toml", goodTOML)
	if err := os.Symlink(other, filepath.Join(dir, "shared")); err != nil {
		t.Fatal(err)
	}
	b, err := Load(dir)
	if err == nil {
		t.Fatalf("loaded %d entries from a directory holding a link to another, want an error naming the link", len(b.Entries))
	}
	for _, want := range []string{"shared", "link to a directory", ".toml files"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if err := os.Remove(filepath.Join(dir, "shared")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dir, filepath.Join(dir, "loop")); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "loop") {
		t.Errorf("a link back to its own directory: %v, want an error naming it", err)
	}
}

func TestLoadJSONLAndVariants(t *testing.T) {
	dir := t.TempDir()
	kb := writeFile(t, dir, "kb.jsonl", `{"id":"hours","lang":"en","question":"When are you open?","answer":"9 to 5.","topic":"offices","url":"https://example.gc.ca/en","variants":["opening hours"],"extra":1}
{"id":"hours","lang":"fr","question":"Quand êtes-vous ouverts?","answer":"De 9 h à 17 h.","topic":"offices","url":"https://example.gc.ca/fr","owner":"x","note":"y"}
{"id":"hours","lang":"fr","question":"Encore?","answer":"Oui.","topic":"offices"}
not json
`)
	vs := writeFile(t, dir, "v.jsonl", `{"id":"hours","lang":"fr","text":"vous ouvrez quand"}
{"id":"nope","lang":"en","text":"who?"}
{"id":"hours","lang":"en","text":"`+strings.Repeat("long ", 150)+`"}
`)
	b, err := Prepare(kb, []string{vs}, nil, false)
	if b == nil {
		t.Fatalf("Prepare: %v", err)
	}
	if b.Unknown != 3 {
		t.Errorf("unknown fields = %d, want 3", b.Unknown)
	}
	text := err.Error()
	for _, want := range []string{kb + ":3: entry hours [fr]: duplicate row", kb + ":4: not a JSON object", vs + ":2: entry nope [en]: variant for an unknown entry",
		vs + ":3: entry hours [en]: variant is 749 characters long"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
	if strings.Count(text, "characters long") != 1 {
		t.Errorf("the long variant is reported elsewhere too:\n%s", text)
	}
	if got := b.Entries[0].FR.Variants; len(got) != 1 || got[0] != "vous ouvrez quand" {
		t.Errorf("French variants = %q", got)
	}
	if got := b.Entries[0].EN.Variants; len(got) != 1 {
		t.Errorf("English variants = %q, want the long one left out", got)
	}
}

// JSON Lines come from other systems: topics are taken as they come
// (rewritten as slugs, the English one routing when the languages differ,
// general when missing) and said in notes, never refused.
func TestJSONLTopicsAsTheyCome(t *testing.T) {
	dir := t.TempDir()
	kb := writeFile(t, dir, "kb.jsonl", `{"id":"work","lang":"fr","question":"Mon employeur peut-il me congédier?","answer":"Non.","topic":"Emploi et Travail"}
{"id":"work","lang":"en","question":"Can my employer fire me?","answer":"No.","topic":"Employment & Work"}
{"id":"hours","lang":"en","question":"When are you open?","answer":"9 to 5.","topic":"offices"}
{"id":"hours","lang":"fr","question":"Quand êtes-vous ouverts?","answer":"De 9 h à 17 h.","topic":"offices"}
{"id":"fees","lang":"en","question":"How much is a passport?","answer":"It depends."}
{"id":"fees","lang":"fr","question":"Combien coûte un passeport?","answer":"Cela dépend.","topic":""}
{"id":"sante","lang":"fr","question":"Où se faire soigner?","answer":"À la clinique.","topic":"Santé, sécurité"}
`)
	b, err := Prepare(kb, nil, nil, true)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	got := map[string]string{}
	for _, e := range b.Entries {
		got[e.ID] = e.Topic
	}
	want := map[string]string{"work": "employment-work", "hours": "offices", "fees": "general", "sante": "sante-securite"}
	if !maps.Equal(got, want) {
		t.Errorf("topics %v, want %v", got, want)
	}
	notes := strings.Join(b.Notes, "\n")
	for _, w := range []string{"rewritten as slugs (lowercase letters, digits and dashes): 3", "different topic in each language (the English one routes): 1", "without a topic (they route as general): 1"} {
		if !strings.Contains(notes, w) {
			t.Errorf("notes lack %q:\n%s", w, notes)
		}
	}
	// A byte-order mark from a spreadsheet export is not part of the data.
	bom := writeFile(t, dir, "bom.jsonl", "\ufeff"+`{"id":"hours","lang":"en","question":"When are you open?","answer":"9 to 5.","topic":"offices"}
{"id":"hours","lang":"fr","question":"Quand êtes-vous ouverts?","answer":"De 9 h à 17 h.","topic":"offices"}
`)
	vs := writeFile(t, dir, "bom-variants.jsonl", "\ufeff"+`{"id":"hours","lang":"en","text":"opening time"}`+"\n")
	qs := writeFile(t, dir, "bom-queries.jsonl", "\ufeff"+`{"query":"opening time","lang":"EN","expected":"hours"}`+"\n")
	if b, err := Prepare(bom, []string{vs}, nil, false); err != nil || len(b.Entries) != 1 || len(b.Entries[0].EN.Variants) != 1 {
		t.Errorf("files with a byte-order mark: %v", err)
	}
	if q, err := LoadQueries(qs); err != nil || len(q) != 1 || q[0].Expected != "hours" || q[0].Lang != bot.English {
		t.Errorf("queries with a byte-order mark: %v %v", q, err)
	}
	// With --allow-unpaired, phrasings learned for more than this base are
	// left out with a note; without it they stay errors (TestProblems).
	mixed := writeFile(t, dir, "mixed-variants.jsonl", `{"id":"hours","lang":"en","text":"opening time"}
{"id":"pool","lang":"fr","text":"heures de la piscine"}
{"id":"pool","lang":"en","text":"pool hours"}
{"id":"sante","lang":"en","text":"where to get care"}
`)
	if b, err := Prepare(kb, []string{mixed}, nil, true); err != nil || b.Variants != 1 || !strings.Contains(strings.Join(b.Notes, "\n"), mixed+": 3 variants for entries or languages this knowledge base lacks were left out (pool, sante)") {
		t.Errorf("variants for other bases: %v %+v", err, b)
	}
	// Labelled queries serve as variants of the entries they expect.
	labelled := writeFile(t, dir, "labelled.jsonl", `{"query":"opening time","lang":"en","expected":"hours"}
{"query":"when do you close","lang":"en","gold_faq_id":"hours","kb":"offices"}
{"query":"banana bread","lang":"en","expected":""}
{"query":"no label","lang":"en"}
`)
	b, err = Prepare(kb, []string{labelled}, nil, true)
	if err == nil || !strings.Contains(err.Error(), labelled+`:4: a query without "expected"`) {
		t.Errorf("query rows as variants: want line 4 refused, got %v", err)
	}
	if b == nil || b.Variants != 2 || !strings.Contains(strings.Join(b.Notes, "\n"), labelled+`: 1 out-of-scope queries`) {
		t.Errorf("query rows as variants: %+v", b)
	}
	if _, err := Prepare(kb, []string{mixed}, nil, false); err == nil || !strings.Contains(err.Error(), mixed+":2: entry pool [fr]: variant for an unknown entry") {
		t.Errorf("variants for other bases, strict: %v", err)
	}
	// The authored source stays strict: a TOML topic must be a slug.
	toml := writeFile(t, dir, "kb.toml", `[[entry]]
id = "work"
topic = "Emploi et travail"
[entry.en]
question = "Can my employer fire me?"
answer = "No."
[entry.fr]
question = "Mon employeur peut-il me congédier?"
answer = "Non."
`)
	if _, err := Prepare(toml, nil, nil, false); err == nil || !strings.Contains(err.Error(), toml+":1: entry work: malformed topic") {
		t.Errorf("TOML topic: got %v, want a malformed-topic problem at line 1", err)
	}
}

func TestSearch(t *testing.T) {
	x := openSample(t, Options{})
	ctx := context.Background()
	for _, tc := range []struct {
		name, text string
		lang       bot.Lang
		want       string
	}{
		{"english", "How can I renew my passport?", bot.English, "passport-renew"},
		{"french without accents", "a quelle heure ouvrez vous", bot.French, "offices-hours"},
		{"french accents", "à quelle heure êtes-vous ouverts", bot.French, "offices-hours"},
		{"typo", "i lost my pasport", bot.English, "passport-lost-stolen"},
		{"american spelling", "center near me", bot.English, "offices-find"},
		{"quebec french", "j'vais tu pouvoir avoir mon remboursement d'impot bientot", bot.French, "taxes-refund"},
		{"two words", "passeport perdu", bot.French, "passport-lost-stolen"},
		{"french verb and noun of one family", "quand est-ce que le bureau ouvre", bot.French, "offices-hours"},
		{"french participle", "je n'ai jamais reçu mon dépôt", bot.French, "benefits-missing-payment"},
		{"english irregular past", "I paid my passport fee twice", bot.English, "passport-fees"},
		{"unknown language searches both", "impot remboursement", bot.Unknown, "taxes-refund"},
		{"variant wins", "set up direct deposit", bot.English, "benefits-direct-deposit"},
		// Another government's service is referred there, not mistaken for
		// one of ours that shares a verb ("renew" a passport).
		{"municipal service", "how do i renew my library card", bot.English, "general-other-governments"},
		{"provincial service", "comment renouveler mon permis de peche", bot.French, "general-other-governments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hits, err := x.Search(ctx, tc.text, tc.lang, 5)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) == 0 || hits[0].EntryID != tc.want {
				t.Fatalf("top hit %v, want %s", ids(hits), tc.want)
			}
			if tc.lang.Valid() && hits[0].Lang != tc.lang {
				t.Errorf("hit language %s, want %s", hits[0].Lang, tc.lang)
			}
			for i, h := range hits {
				if h.Confidence < 0 || h.Confidence > 1 || (i > 0 && h.Confidence > hits[i-1].Confidence) {
					t.Errorf("confidences not in [0,1] and non-increasing: %v", hits)
				}
				if h.Answer == "" || h.Question == "" || h.Topic == "" {
					t.Errorf("hit %d lacks text: %+v", i, h)
				}
			}
		})
	}
	// Out of scope: nothing confident.
	hits, err := x.Search(ctx, "what is the best recipe for banana bread with walnuts", bot.English, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) > 0 && hits[0].Confidence >= DefaultThreshold {
		t.Errorf("out-of-scope question answered with confidence %.2f by %s", hits[0].Confidence, hits[0].EntryID)
	}
	// A clear question is answered.
	hits, _ = x.Search(ctx, "How do I renew my passport?", bot.English, 1)
	if len(hits) != 1 || hits[0].Confidence < DefaultThreshold {
		t.Errorf("exact question not confident: %+v", hits)
	}
	// Nothing to search.
	if hits, err := x.Search(ctx, "!!! 123", bot.English, 5); err != nil || len(hits) != 0 {
		t.Errorf("punctuation search = %v, %v", hits, err)
	}
	// Very long text is truncated, not refused.
	if _, err := x.Search(ctx, strings.Repeat("passport ", 5000), bot.English, 5); err != nil {
		t.Errorf("long text: %v", err)
	}
}

// Text in decomposed Unicode (NFD: "e" then a combining accent, as macOS
// and some exports write it), in the knowledge base or in the question, is
// searched as its composed form: folded, stemmed, with the same
// confidence; topics made from it are the same slugs.
func TestDecomposedUnicode(t *testing.T) {
	ctx := context.Background()
	decompose := func(s string) string { return norm.NFD.String(s) }
	a, err := newAnalyzer(bot.French)
	if err != nil {
		t.Fatal(err)
	}
	terms := func(s string) []string {
		var out []string
		for _, tk := range a.Analyze([]byte(s)) {
			out = append(out, string(tk.Term))
		}
		return out
	}
	for _, s := range []string{"permis de pêche", "sécurité à Québec", "où est le bureau?", "Être élève"} {
		if nfc, nfd := terms(s), terms(decompose(s)); !slices.Equal(nfc, nfd) {
			t.Errorf("analyzed %q: %q, decomposed: %q", s, nfc, nfd)
		}
	}
	if got, want := Slug(decompose("Santé et sécurité")), "sante-et-securite"; got != want {
		t.Errorf("Slug of decomposed text = %q, want %q", got, want)
	}
	kbTOML := goodTOML + `
[[entry]]
id = "fishing"
topic = "general"
[entry.en]
question = "Where do I get a fishing licence?"
answer = "From your province."
[entry.fr]
question = "Où obtenir un permis de pêche?"
answer = "Auprès de votre province."
`
	dir := t.TempDir()
	composed := openSample(t, Options{Path: writeFile(t, dir, "nfc/kb.toml", kbTOML)})
	decomposed := openSample(t, Options{Path: writeFile(t, dir, "nfd/kb.toml", decompose(kbTOML))})
	if h, _ := decomposed.Entry(ctx, "fishing", bot.French); h.Question != "Où obtenir un permis de pêche?" {
		t.Errorf("decomposed entry shown as %+q", h.Question)
	}
	for _, q := range []string{"pêche", "permis de pêche", "heures d'ouverture du bureau"} {
		want, err := composed.Search(ctx, q, bot.French, 2)
		if err != nil || len(want) == 0 {
			t.Fatalf("%q: %v %v", q, want, err)
		}
		for name, search := range map[string]func() ([]bot.Hit, error){
			"decomposed base":     func() ([]bot.Hit, error) { return decomposed.Search(ctx, q, bot.French, 2) },
			"decomposed question": func() ([]bot.Hit, error) { return composed.Search(ctx, decompose(q), bot.French, 2) },
		} {
			got, err := search()
			if err != nil || len(got) != len(want) || got[0].EntryID != want[0].EntryID || math.Abs(got[0].Confidence-want[0].Confidence) > 1e-9 {
				t.Errorf("%q, %s: %v %v, want %v", q, name, got, err, want)
			}
		}
	}
}

func ids(hits []bot.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.EntryID+"/"+string(h.Lang))
	}
	return out
}

func TestEntry(t *testing.T) {
	x := openSample(t, Options{})
	h, err := x.Entry(context.Background(), "passport-renew", bot.French)
	if err != nil || h.Lang != bot.French || !strings.Contains(h.Link, "/fr/") || h.Question == "" {
		t.Fatalf("Entry = %+v, %v", h, err)
	}
	if _, err := x.Entry(context.Background(), "no-such-entry", bot.English); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("unknown entry: %v, want ErrNotFound", err)
	}
}

// The index persists in the data directory, is reused when the content is
// unchanged, and a reload swaps generations while searches run.
func TestPersistReloadAndExtra(t *testing.T) {
	ctx := context.Background()
	dir, data := t.TempDir(), t.TempDir()
	kb := writeFile(t, dir, "kb/a.toml", goodTOML)
	kbDir := filepath.Dir(kb)
	x := openSample(t, Options{Path: kbDir, DataDir: data})
	first := x.Hash()
	built, err := os.Stat(filepath.Join(data, "kb-index", first, manifestName))
	if err != nil {
		t.Fatalf("no persisted index: %v", err)
	}
	// A restart reopens without rebuilding (same manifest file).
	x.Close()
	x = openSample(t, Options{Path: kbDir, DataDir: data})
	again, _ := os.Stat(filepath.Join(data, "kb-index", first, manifestName))
	if x.Hash() != first || !again.ModTime().Equal(built.ModTime()) {
		t.Errorf("reopen rebuilt the index")
	}
	// Another process holding the index: this one indexes in memory
	// rather than wait or delete what the other uses.
	y := openSample(t, Options{Path: kbDir, DataDir: data})
	if hits, err := y.Search(ctx, "opening hours", bot.English, 1); err != nil || len(hits) == 0 {
		t.Errorf("second process search: %v %v", hits, err)
	}
	y.Close()

	// Searches keep running while the knowledge base is edited and reloaded.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				hits, err := x.Search(ctx, "opening hours", bot.English, 3)
				if err != nil || len(hits) == 0 {
					t.Errorf("search during reload: %v %v (hash %s)", hits, err, x.Hash())
					return
				}
			}
		}()
	}
	// A broken edit is refused; the old index keeps serving.
	writeFile(t, dir, "kb/b.toml", brokenTOML)
	if err := x.Reload(ctx); err == nil {
		t.Error("broken edit accepted")
	}
	if x.Hash() != first {
		t.Error("broken edit replaced the index")
	}
	// A good edit is served.
	writeFile(t, dir, "kb/b.toml", strings.ReplaceAll(strings.ReplaceAll(goodTOML, "office-hours", "office-parking"), "open", "parking"))
	if err := x.Reload(ctx); err != nil {
		t.Fatalf("reload: %v", err)
	}
	// Approved drafts come in as extra entries.
	extra := Entry{ID: "draft-1", Topic: "general",
		EN: Text{Question: "Can I bring my dog to the office?", Answer: "Only service animals."},
		FR: Text{Question: "Puis-je amener mon chien au bureau?", Answer: "Seulement les animaux d'assistance."}}
	if err := x.SetExtra(ctx, []Entry{extra}); err != nil {
		t.Fatalf("SetExtra: %v", err)
	}
	close(stop)
	wg.Wait()
	hits, err := x.Search(ctx, "chien au bureau", bot.French, 1)
	if err != nil || len(hits) == 0 || hits[0].EntryID != "draft-1" {
		t.Errorf("extra entry not found: %v %v", ids(hits), err)
	}
	// An extra entry missing a language is refused and the index stays.
	h := x.Hash()
	bad := extra
	bad.ID, bad.FR = "draft-2", Text{}
	if err := x.SetExtra(ctx, []Entry{bad}); err == nil || !strings.Contains(err.Error(), "draft-2") {
		t.Errorf("unpaired draft: %v", err)
	}
	if x.Hash() != h {
		t.Error("refused draft replaced the index")
	}
	// The superseded generations' directories are removed.
	des, _ := os.ReadDir(filepath.Join(data, "kb-index"))
	if len(des) != 1 {
		var names []string
		for _, d := range des {
			names = append(names, d.Name())
		}
		t.Errorf("index directories left behind: %v", names)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Search(ctx, "hours", bot.English, 1); !errors.Is(err, ErrClosed) {
		t.Errorf("search after close: %v", err)
	}
}

// Phrasings in a variants file for an approved draft's id are added to the
// draft; a draft whose id the files hold still gives way to the files'
// entry, which gets the phrasings for that id.
func TestVariantsOfApprovedDrafts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	kb := writeFile(t, dir, "kb.toml", goodTOML)
	vs := writeFile(t, dir, "v.jsonl", `{"id":"draft-1","lang":"fr","text":"mon toutou au bureau"}
{"id":"office-hours","lang":"en","text":"when do you open"}
`)
	frVariants := make([]string, 1, 4) // room to append in place
	frVariants[0] = "chien au bureau"
	extra := []Entry{{ID: "draft-1", Topic: "general",
		EN: Text{Question: "Can I bring my dog to the office?", Answer: "Only service animals."},
		FR: Text{Question: "Puis-je amener mon chien au bureau?", Variants: frVariants, Answer: "Seulement les animaux d'assistance."}},
		{ID: "office-hours", Topic: "offices",
			EN: Text{Question: "Office hours draft?", Answer: "Draft."}, FR: Text{Question: "Brouillon?", Answer: "Brouillon."}}}
	b, err := Prepare(kb, []string{vs}, extra, false)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	if len(b.Entries) != 2 || !slices.Equal(b.Entries[1].FR.Variants, []string{"chien au bureau", "mon toutou au bureau"}) || !slices.Contains(b.Entries[0].EN.Variants, "when do you open") {
		t.Errorf("entries: %+v", b.Entries)
	}
	if got := frVariants[:2][1]; got != "" {
		t.Errorf("the caller's draft was written to: %q", got)
	}
	x := openSample(t, Options{Path: kb, Variants: []string{vs}, Extra: extra})
	if hits, err := x.Search(ctx, "mon toutou au bureau", bot.French, 1); err != nil || len(hits) == 0 || hits[0].EntryID != "draft-1" {
		t.Errorf("search for the draft's phrasing: %v %v", ids(hits), err)
	}
}

// Close is final: neither a reload nor the watcher brings the index back.
func TestCloseIsFinal(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	kb := writeFile(t, dir, "kb.toml", goodTOML)
	x, err := Open(ctx, Options{Path: kb, DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		x.Watch(ctx, 10*time.Millisecond, func(err error) { t.Errorf("watch: %v", err) })
	}()
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "kb.toml", strings.ReplaceAll(goodTOML, "9 to 5", "8 to 4"))
	if err := x.Reload(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("reload after close: %v, want ErrClosed", err)
	}
	if err := x.SetExtra(ctx, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("SetExtra after close: %v, want ErrClosed", err)
	}
	select {
	case <-watched:
	case <-time.After(5 * time.Second):
		t.Fatal("Watch goes on after Close")
	}
	if _, err := x.Search(ctx, "opening hours", bot.English, 1); !errors.Is(err, ErrClosed) {
		t.Errorf("search after close and reload: %v, want ErrClosed", err)
	}
	if err := x.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
}

// Watch returns once the index is closed, though no file changes: nothing
// else would end its goroutine when ctx lives on.
func TestWatchEndsAtCloseWithoutEdit(t *testing.T) {
	dir := t.TempDir()
	kb := writeFile(t, dir, "kb.toml", goodTOML)
	x, err := Open(context.Background(), Options{Path: kb})
	if err != nil {
		t.Fatal(err)
	}
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		x.Watch(t.Context(), 5*time.Millisecond, func(err error) { t.Errorf("watch: %v", err) })
	}()
	time.Sleep(20 * time.Millisecond) // a few ticks with nothing to do
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-watched:
	case <-time.After(5 * time.Second):
		t.Fatal("Watch goes on after Close while the files stay the same")
	}
	watched = make(chan struct{})
	go func() {
		defer close(watched)
		x.Watch(t.Context(), 5*time.Millisecond, nil)
	}()
	select {
	case <-watched:
	case <-time.After(5 * time.Second):
		t.Fatal("Watch started after Close goes on")
	}
}

// The watcher serves an edit once a reload that failed for a reason other
// than the edit (here the index directory cannot be created, as on a full
// disk) succeeds again, reporting the failure once; a broken edit is
// reported once and waits for the next edit.
func TestWatchRetriesAfterTransientError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir, data := t.TempDir(), t.TempDir()
	kb := writeFile(t, dir, "a.toml", goodTOML)
	x := openSample(t, Options{Path: kb, DataDir: data})
	first := x.Hash()
	errs := make(chan error, 100)
	go x.Watch(ctx, 10*time.Millisecond, func(err error) { errs <- err })
	root := filepath.Join(data, "kb-index")
	if err := os.Rename(root, root+".away"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(root, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "a.toml", strings.ReplaceAll(goodTOML, "9 to 5", "8 to 4"))
	if err := <-errs; !strings.Contains(err.Error(), "index directory") {
		t.Errorf("reported: %v", err)
	}
	time.Sleep(200 * time.Millisecond) // 20 ticks, several tries
	if len(errs) != 0 {
		t.Errorf("the same failure reported %d more times", len(errs))
	}
	if err := os.Remove(root); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(root+".away", root); err != nil {
		t.Fatal(err)
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for range 500 {
			if ok() {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("%s: not after 5 s", what)
	}
	waitFor("edit served once the disk is fine again", func() bool { return x.Hash() != first })
	if hits, err := x.Search(ctx, "opening hours", bot.English, 1); err != nil || len(hits) == 0 || !strings.Contains(hits[0].Answer, "8 to 4") {
		t.Errorf("after the retry: %v %v", hits, err)
	}
	// A broken edit is reported once, and not tried again until edited.
	writeFile(t, dir, "a.toml", brokenTOML)
	var ps Problems
	if err := <-errs; !errors.As(err, &ps) {
		t.Errorf("broken edit reported as %v, want Problems", err)
	}
	time.Sleep(100 * time.Millisecond)
	if len(errs) != 0 {
		t.Errorf("a broken edit reported %d more times", len(errs))
	}
}

// Watch tries a reload that failed for a reason other than the edit after
// 1, 2, 4, 8 and then every 16 ticks while the files stay as they were; a
// new edit is tried at the next tick, and files served meanwhile (by
// Reload) end the retries.
func TestRetryBacksOff(t *testing.T) {
	var r retry
	if !r.due("edit", "served") {
		t.Fatal("an edit is not tried")
	}
	if !r.fail("edit") {
		t.Error("the first failure is not to be reported")
	}
	var gaps []int
	last := 0
	for tick := 1; tick <= 100; tick++ {
		if r.due("edit", "served") {
			gaps = append(gaps, tick-last)
			last = tick
			if r.fail("edit") {
				t.Errorf("tick %d: the same failure reported again", tick)
			}
		}
	}
	if want := []int{1, 2, 4, 8, 16, 16, 16, 16, 16}; !slices.Equal(gaps, want) {
		t.Errorf("ticks between tries: %v, want %v", gaps, want)
	}
	if !r.due("another edit", "served") {
		t.Error("a new edit waits for the backoff of the failed one")
	}
	r.fail("another edit")
	if r.due("served", "served") || r.every != 0 {
		t.Errorf("files served meanwhile: retry state %+v, want none", r)
	}
}

// End to end: after a reload fails for a reason other than the edit (the
// index directory cannot be created), Watch does not try again on every
// tick. Each try logs the base's note about an approved draft the files
// also hold, which counts the tries.
func TestWatchBacksOffAfterTransientError(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	kb := writeFile(t, dir, "a.toml", goodTOML)
	var tries atomic.Int64
	log := slog.New(noteCounter{&tries})
	x := openSample(t, Options{Path: kb, DataDir: data, Extra: []Entry{{ID: "office-hours"}}, Logger: log})
	root := filepath.Join(data, "kb-index")
	if err := os.RemoveAll(root); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(root, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 100)
	go x.Watch(t.Context(), 5*time.Millisecond, func(err error) { errs <- err })
	writeFile(t, dir, "a.toml", strings.ReplaceAll(goodTOML, "9 to 5", "8 to 4"))
	<-errs
	tries.Store(0)
	time.Sleep(400 * time.Millisecond) // 80 ticks: 8 tries with the backoff
	if n := tries.Load(); n > 20 {
		t.Errorf("%d tries in 80 ticks after a failed reload, want about 8", n)
	}
}

// noteCounter counts the knowledge-base notes logged, one per reload tried.
type noteCounter struct{ n *atomic.Int64 }

func (h noteCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h noteCounter) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h noteCounter) WithGroup(string) slog.Handler            { return h }
func (h noteCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "knowledge base note" {
		h.n.Add(1)
	}
	return nil
}

// Processes sharing a data directory (two instances reloading the same
// edit, a `liaison ask --data` next to `liaison serve`) that open the same
// new content at once all get an index, and one complete directory is
// left. Goroutines stand in for the processes: Opens share nothing but the
// directory.
func TestConcurrentOpenSameDataDir(t *testing.T) {
	ctx := context.Background()
	for round := range 2 {
		data := t.TempDir()
		xs := make([]*Index, 3)
		errs := make([]error, len(xs))
		var wg sync.WaitGroup
		for i := range xs {
			wg.Go(func() { xs[i], errs[i] = Open(ctx, Options{DataDir: data}) })
		}
		wg.Wait()
		for i, x := range xs {
			if errs[i] != nil {
				t.Errorf("round %d, open %d: %v", round, i, errs[i])
				continue
			}
			if hits, err := x.Search(ctx, "how do I renew my passport", bot.English, 1); err != nil || len(hits) == 0 {
				t.Errorf("round %d, search %d: %v %v", round, i, ids(hits), err)
			}
			x.Close()
		}
		des, _ := os.ReadDir(filepath.Join(data, "kb-index"))
		if len(des) != 1 {
			t.Errorf("round %d: kb-index holds %d directories, want 1", round, len(des))
		} else if _, err := os.Stat(filepath.Join(data, "kb-index", des[0].Name(), manifestName)); err != nil {
			t.Errorf("round %d: %v", round, err)
		}
	}
}

// Restarts with edited content leave one index directory behind, the one
// in use: superseded ones and builds a crash interrupted are removed, but not
// an index another process serves, a build in progress, or what is not an
// index.
func TestStaleIndexDirsRemoved(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	kb := writeFile(t, dir, "kb.toml", goodTOML)
	edit := func(answer string) {
		writeFile(t, dir, "kb.toml", strings.ReplaceAll(goodTOML, "9 to 5", answer))
	}
	root := filepath.Join(data, "kb-index")
	x := openSample(t, Options{Path: kb, DataDir: data})
	x.Close()
	crashed := writeFile(t, root, "build-1/en/store/00000001.zap", "half")
	building := filepath.Dir(writeFile(t, root, "build-2/en.stats", "half"))
	defer lockDir(building)()
	other := writeFile(t, root, "README", "not an index")
	edit("8 to 4")
	serving := openSample(t, Options{Path: kb, DataDir: data}) // another process
	edit("7 to 3")
	x = openSample(t, Options{Path: kb, DataDir: data})
	var got []string
	des, _ := os.ReadDir(root)
	for _, d := range des {
		got = append(got, d.Name())
	}
	want := []string{filepath.Base(building), filepath.Base(other), serving.Hash(), x.Hash()}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("kb-index holds %v, want %v (not %s)", got, want, crashed)
	}
	// Once the other process is gone, the next reload removes its index,
	// and the one of the generation it replaced.
	served := filepath.Join(root, serving.Hash())
	serving.Close()
	edit("6 to 2")
	if err := x.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(served); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("index of a closed process kept: %v", err)
	}
	got = got[:0]
	des, _ = os.ReadDir(root)
	for _, d := range des {
		got = append(got, d.Name())
	}
	want = []string{filepath.Base(building), filepath.Base(other), x.Hash()}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("after the reload kb-index holds %v, want %v", got, want)
	}
}

// The watcher sees the edits Load would read: knowledge.path a symlink to
// a directory (a releases/current deployment), and a Kubernetes ConfigMap
// volume whose update swaps the ..data link to a new directory.
func TestWatchFollowsSymlinks(t *testing.T) {
	symlink := func(target, link string) {
		t.Helper()
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	writeFile(t, dir, "releases/v1/a.toml", goodTOML)
	symlink(filepath.Join(dir, "releases/v1"), filepath.Join(dir, "current"))
	cm := t.TempDir()
	writeFile(t, cm, "..v1/kb.toml", goodTOML)
	symlink("..v1", filepath.Join(cm, "..data"))
	symlink("..data/kb.toml", filepath.Join(cm, "kb.toml"))
	for _, tc := range []struct {
		name string
		path string
		edit func()
	}{
		{"symlinked directory", filepath.Join(dir, "current"), func() {
			writeFile(t, dir, "releases/v1/a.toml", strings.ReplaceAll(goodTOML, "9 to 5", "8 to 4"))
		}},
		{"ConfigMap volume", cm, func() {
			writeFile(t, cm, "..v2/kb.toml", strings.ReplaceAll(goodTOML, "9 to 5", "8 to 4"))
			symlink("..v2", filepath.Join(cm, "..data_tmp"))
			if err := os.Rename(filepath.Join(cm, "..data_tmp"), filepath.Join(cm, "..data")); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := openSample(t, Options{Path: tc.path})
			first := x.Hash()
			go x.Watch(t.Context(), 10*time.Millisecond, func(err error) { t.Errorf("watch: %v", err) })
			time.Sleep(30 * time.Millisecond)
			tc.edit()
			for range 500 {
				if x.Hash() != first {
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
			t.Errorf("the edit was not reloaded after 5 s")
		})
	}
}

// A persisted index damaged on disk (a file cut short by a crash or a disk
// error) is rebuilt in place at the next start instead of crashing it: Bleve
// panics, or faults past the end of its memory map, inside Open. The Open
// runs in a child process, so that a crash fails this test only.
func TestDamagedIndexIsRebuilt(t *testing.T) {
	ctx := context.Background()
	if data := os.Getenv("LIAISON_TEST_DAMAGED_INDEX"); data != "" {
		x := openSample(t, Options{DataDir: data})
		if x.cur.Load().dir == "" {
			t.Error("the damaged index was not rebuilt on disk")
		}
		if hits, err := x.Search(ctx, "how do I renew my passport", bot.English, 1); err != nil || len(hits) == 0 {
			t.Errorf("search: %v %v", ids(hits), err)
		}
		return
	}
	for _, victim := range []string{"en/store/*.zap", "en/store/root.bolt", "fr/store/root.bolt", "en" + statsExt} {
		t.Run(victim, func(t *testing.T) {
			data := t.TempDir()
			x := openSample(t, Options{DataDir: data})
			dir := x.cur.Load().dir
			x.Close()
			files, _ := filepath.Glob(filepath.Join(dir, victim))
			if len(files) != 1 {
				t.Fatalf("%s: %v", victim, files)
			}
			b, err := os.ReadFile(files[0])
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(files[0], b[:len(b)/2], 0o640); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestDamagedIndexIsRebuilt$", "-test.count=1")
			cmd.Env = append(os.Environ(), "LIAISON_TEST_DAMAGED_INDEX="+data)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("open with %s cut in half: %v\n%.2000s", victim, err, out)
			}
			// Rebuilt whole: this process reopens it.
			y := openSample(t, Options{DataDir: data})
			if y.cur.Load().dir != dir {
				t.Errorf("the rebuilt index does not reopen")
			}
		})
	}
}

// A persisted index damaged in the middle of a file (bytes changed, the
// size the same) is rebuilt when it is opened: Bleve would open it and fail
// the searches that reach the damage, at every start, until someone deleted
// the directory. The manifest's checksums show the damage.
func TestIndexDamagedInTheMiddleIsRebuilt(t *testing.T) {
	ctx := context.Background()
	for _, victim := range []string{"en/store/*.zap", "fr/store/*.zap", "en" + statsExt, "fr/index_meta.json"} {
		t.Run(victim, func(t *testing.T) {
			data := t.TempDir()
			x := openSample(t, Options{DataDir: data})
			dir := x.cur.Load().dir
			x.Close()
			files, _ := filepath.Glob(filepath.Join(dir, victim))
			if len(files) != 1 {
				t.Fatalf("%s: %v", victim, files)
			}
			b, err := os.ReadFile(files[0])
			if err != nil {
				t.Fatal(err)
			}
			// Where a search of the English zap reads a posting list.
			for i := len(b) * 9 / 10; i < len(b)*9/10+4; i++ {
				b[i] ^= 0x5a
			}
			if err := os.WriteFile(files[0], b, 0o640); err != nil {
				t.Fatal(err)
			}
			y := openSample(t, Options{DataDir: data})
			if y.cur.Load().dir != dir {
				t.Error("the index was not rebuilt on disk")
			}
			for _, q := range []string{"how do I renew my passport", "tax return deadline", "renouveler passeport", "prestations perte emploi"} {
				if hits, err := y.Search(ctx, q, bot.Unknown, 3); err != nil || len(hits) == 0 {
					t.Errorf("search %q: %v %v", q, ids(hits), err)
				}
			}
			if now, _ := os.ReadFile(files[0]); string(now) == string(b) {
				t.Error("the damaged file is still there")
			}
		})
	}
}

// An index directory whose manifest lists no checksums (as an index of the
// previous layout's was) is not trusted: it is rebuilt, with them.
func TestIndexWithoutChecksumsIsRebuilt(t *testing.T) {
	data := t.TempDir()
	x := openSample(t, Options{DataDir: data})
	dir := x.cur.Load().dir
	x.Close()
	old, err := json.Marshal(manifest{Version: indexVersion, Hash: filepath.Base(dir), Entries: len(x.Base().Entries)})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, manifestName), old, 0o640); err != nil {
		t.Fatal(err)
	}
	y := openSample(t, Options{DataDir: data})
	if y.cur.Load().dir != dir {
		t.Error("the index was not rebuilt on disk")
	}
	if hits, err := y.Search(context.Background(), "how do I renew my passport", bot.English, 1); err != nil || len(hits) == 0 {
		t.Errorf("search: %v %v", ids(hits), err)
	}
	m, err := readManifest(dir)
	if err != nil || len(m.Files) == 0 {
		t.Errorf("manifest after the rebuild: %+v, %v", m, err)
	}
}

// A data directory this process may not write (a read-only volume holding
// a prebuilt index) does not stop Open: the complete index there, which
// Bolt cannot open for writing, is not taken for damage; the process
// indexes in memory and leaves it alone. The child runs in a private mount
// namespace where the data directory is remounted read-only; without one
// (no unshare, no privilege) the test skips, and
// TestUnwritableIndexFiles covers the same path with file modes.
func TestReadOnlyDataDir(t *testing.T) {
	if data := os.Getenv("LIAISON_TEST_READ_ONLY_DATA"); data != "" {
		if err := os.WriteFile(filepath.Join(data, "probe"), nil, 0o600); err == nil {
			t.Skip("data directory is writable: no read-only mount")
		}
		x := openSample(t, Options{DataDir: data})
		if x.cur.Load().dir != "" {
			t.Error("served from the read-only directory, want in memory")
		}
		if hits, err := x.Search(context.Background(), "how do I renew my passport", bot.English, 1); err != nil || len(hits) == 0 {
			t.Errorf("search: %v %v", ids(hits), err)
		}
		return
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("no unshare")
	}
	data := t.TempDir()
	x := openSample(t, Options{DataDir: data})
	x.Close()
	script := `mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && exec "$0" -test.run='^TestReadOnlyDataDir$' -test.count=1 -test.v`
	cmd := exec.Command("unshare", "-m", "sh", "-c", script, os.Args[0], data)
	cmd.Env = append(os.Environ(), "LIAISON_TEST_READ_ONLY_DATA="+data)
	out, err := cmd.CombinedOutput()
	if s := string(out); strings.Contains(s, "--- SKIP") || strings.Contains(s, "mount:") || strings.Contains(s, "unshare:") {
		t.Skipf("cannot mount read-only: %s", out)
	}
	if err != nil {
		t.Fatalf("open on a read-only data directory holding a complete index: %v\n%.2000s", err, out)
	}
}

// A complete index whose files this process's user may not write (a data
// directory owned by another user) is indexed in memory instead of failing
// Open, and stays whole on disk. Root writes anyway, so the test skips as
// root; TestReadOnlyDataDir covers root.
func TestUnwritableIndexFiles(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root may write any file")
	}
	data := t.TempDir()
	x := openSample(t, Options{DataDir: data})
	dir := x.cur.Load().dir
	x.Close()
	root := filepath.Dir(dir)
	locked := []string{root, dir, filepath.Join(dir, "en"), filepath.Join(dir, "en", "store"), filepath.Join(dir, "fr"), filepath.Join(dir, "fr", "store")}
	bolts, _ := filepath.Glob(filepath.Join(dir, "*", "store", "root.bolt"))
	if len(bolts) != 2 {
		t.Fatalf("root.bolt files: %v", bolts)
	}
	for _, p := range bolts {
		if err := os.Chmod(p, 0o440); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range locked {
		if err := os.Chmod(p, 0o550); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { // so that TempDir can remove it
		for _, p := range append(locked, bolts...) {
			_ = os.Chmod(p, 0o750)
		}
	})
	y := openSample(t, Options{DataDir: data})
	if y.cur.Load().dir != "" {
		t.Error("served from the unwritable directory, want in memory")
	}
	if hits, err := y.Search(context.Background(), "how do I renew my passport", bot.English, 1); err != nil || len(hits) == 0 {
		t.Errorf("search: %v %v", ids(hits), err)
	}
	y.Close()
	if _, err := os.Stat(filepath.Join(dir, manifestName)); err != nil {
		t.Errorf("the index on disk was not left whole: %v", err)
	}
}

func TestEvalReport(t *testing.T) {
	x := openSample(t, Options{})
	qs := []Query{
		{Query: "How do I renew my passport?", Lang: bot.English, Expected: "passport-renew"},
		{Query: "Quelles sont vos heures d'ouverture?", Lang: bot.French, Expected: "offices-hours"},
		{Query: "banana bread recipe with walnuts", Lang: bot.English},
	}
	detect := func(s string) (bot.Lang, float64) {
		if strings.Contains(s, "heures") {
			return bot.French, 1
		}
		return bot.English, 1
	}
	r, outs, err := x.Eval(context.Background(), qs, EvalOptions{Threshold: DefaultThreshold, Detect: detect})
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 3 || r.Queries != 3 || r.LangDetectionAccuracy != 1 {
		t.Fatalf("report %+v", r)
	}
	if r.ByLang["en"].N != 1 || r.ByLang["en"].PAt1 != 1 || r.ByLang["fr"].PAt1 != 1 || r.ByLang["fr"].MRRAt10 != 1 {
		t.Errorf("ranking metrics %+v", r.ByLang)
	}
	if r.AnsweredPrecision != 1 || r.InScopeCoverage != 1 || r.OutOfScopeAnswerRate != 0 {
		t.Errorf("decision metrics %+v", r)
	}
	if len(r.Curve) != 21 || r.Curve[20].InScopeCoverage != 0 {
		t.Errorf("curve %+v", r.Curve)
	}
}

func TestFitLogistic(t *testing.T) {
	var s []Sample
	for i := range 200 {
		x := float64(i) / 200
		s = append(s, Sample{X: []float64{x}, Right: x > 0.5 != (i%10 == 0)})
	}
	c := FitLogistic(s, 0.01, 25)
	if c.Confidence([]float64{0.9}) < 0.7 || c.Confidence([]float64{0.1}) > 0.3 {
		t.Errorf("fit %#v does not separate", c)
	}
	if _, err := ParseCalibration("1,2,x"); err == nil {
		t.Error("bad calibration accepted")
	}
	back, err := ParseCalibration("0.5,1,-2")
	if err != nil || back.Bias != 0.5 || len(back.Weights) != 2 {
		t.Errorf("parse = %#v, %v", back, err)
	}
}

// A persisted index is written by scorch's offline builder, an in-memory one
// through batches: both must rank and score every query the same way (to
// float rounding: sums over map-ordered terms may differ in the last bits).
func TestPersistedMatchesMemory(t *testing.T) {
	ctx := context.Background()
	mem := openSample(t, Options{})
	disk := openSample(t, Options{DataDir: t.TempDir()})
	queries := []struct {
		text string
		lang bot.Lang
	}{
		{"how do i renew my passport", bot.English},
		{"permis de conduire perdu", bot.French},
		{"heures d'ouverture du bureau", bot.French},
		{"talk to a real person", bot.English},
		{"delai passeport urgent", bot.Unknown},
		{"pasport renewl fee", bot.English},
	}
	for _, q := range queries {
		a, err := mem.Search(ctx, q.text, q.lang, 5)
		if err != nil {
			t.Fatal(err)
		}
		b, err := disk.Search(ctx, q.text, q.lang, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(a) == 0 || len(a) != len(b) {
			t.Fatalf("%q: memory %d hits, persisted %d", q.text, len(a), len(b))
		}
		for i := range a {
			if a[i].EntryID != b[i].EntryID || a[i].Lang != b[i].Lang || math.Abs(a[i].Confidence-b[i].Confidence) > 1e-6 {
				t.Errorf("%q hit %d: memory %s/%s %.9f, persisted %s/%s %.9f", q.text, i,
					a[i].EntryID, a[i].Lang, a[i].Confidence, b[i].EntryID, b[i].Lang, b[i].Confidence)
			}
		}
	}
}

// Word families the stemmers leave apart are one term: English irregular
// forms, nouns and their verbs, American and Canadian spellings, French
// verb forms and their nouns.
func TestWordFamilies(t *testing.T) {
	terms := func(l bot.Lang, text string) []string {
		a, err := newAnalyzer(l)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tk := range a.Analyze([]byte(text)) {
			out = append(out, string(tk.Term))
		}
		return out
	}
	for _, tc := range []struct {
		lang bot.Lang
		a, b string
	}{
		{bot.English, "lost", "lose"},
		{bot.English, "children", "child"},
		{bot.English, "people", "person"},
		{bot.English, "transmission", "transmitted"},
		{bot.English, "application", "apply"},
		{bot.English, "center", "centre"},
		{bot.English, "license", "licence"},
		{bot.English, "neighborhood", "neighbours"},
		{bot.English, "expiry", "expired"},
		{bot.English, "delivery", "delivered"},
		{bot.French, "ouvre", "ouverture"},
		{bot.French, "paiement", "payer"},
		{bot.French, "reçu", "recevoir"},
		{bot.French, "reviens", "revenir"},
		{bot.French, "couvert", "couverture"},
		{bot.French, "sors", "sortie"},
	} {
		if a, b := terms(tc.lang, tc.a), terms(tc.lang, tc.b); !slices.Equal(a, b) || len(a) != 1 {
			t.Errorf("%s: %q → %v and %q → %v, want one same term", tc.lang, tc.a, a, tc.b, b)
		}
	}
}

// Every word of the synonym groups is one term once analyzed (a phrase or
// a stop word would never match), and a citizen's everyday word finds the
// entry written in the department's words, in both languages.
func TestSynonyms(t *testing.T) {
	for _, l := range bot.Langs {
		a, err := newAnalyzer(l)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range synonyms[l] {
			if len(g) < 2 {
				t.Errorf("%s: group %q has one word", l, g)
			}
			for _, w := range g {
				if toks := a.Analyze([]byte(w)); len(toks) != 1 {
					t.Errorf("%s: synonym %q analyzes to %d terms, want 1", l, w, len(toks))
				}
			}
		}
	}
	for _, tc := range []struct {
		lang       bot.Lang
		text, want string
	}{
		{bot.English, "I was LAID OFF last week", "dismiss"},
		{bot.French, "Je peux-tu me faire mettre à la porte?", "congedier"},
		{bot.French, "Qui peut travailler de la maison", "teletravail"},
	} {
		if got := withPhrases(tc.lang, tc.text); !strings.HasSuffix(got, " "+tc.want) || !strings.HasPrefix(got, tc.text) {
			t.Errorf("withPhrases(%q) = %q, want the text then %q", tc.text, got, tc.want)
		}
	}
	if got := withPhrases(bot.English, "the relay offer"); got != "the relay offer" {
		t.Errorf("a phrase matched inside words: %q", got)
	}
	if got := synonymTerms(bot.English, "kid"); !slices.Contains(got, "child") {
		t.Errorf("kid's synonyms %q lack child", got)
	}
	x := openSample(t, Options{})
	ctx := context.Background()
	for _, tc := range []struct {
		text string
		lang bot.Lang
		want string
	}{
		{"can my kid obtain a passport", bot.English, "passport-child"},
		{"the clerk was rude, where do I send a grievance", bot.English, "contact-complaint"},
		{"mon flo a besoin d'un passeport", bot.French, "passport-child"},
	} {
		hits, err := x.Search(ctx, tc.text, tc.lang, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 || hits[0].EntryID != tc.want {
			t.Errorf("%q: top hit %v, want %s", tc.text, ids(hits), tc.want)
		}
	}
	hits, _ := x.Search(ctx, "can my kid obtain a passport", bot.English, 1)
	if len(hits) != 1 || hits[0].Confidence < DefaultThreshold {
		t.Errorf("everyday words not answered: %+v", hits)
	}
}

// A JSON Lines export of several knowledge bases names each row's in a kb
// field: Options.Collection serves one of them, and queries keep theirs.
func TestCollections(t *testing.T) {
	dir := t.TempDir()
	kb := filepath.Join(dir, "faq.jsonl")
	if err := os.WriteFile(kb, []byte(`{"id":"pa-1","lang":"en","kb":"pages","question":"When do offices open?","answer":"At 9.","source_url":"https://example.gc.ca/offices"}
{"id":"pa-1","lang":"fr","kb":"pages","question":"Quand les bureaux ouvrent-ils?","answer":"À 9 h.","source_url":"https://example.gc.ca/x","url":"https://example.gc.ca/bureaux"}
{"id":"wb-1","lang":"en","kb":" workbook ","question":"When do offices open on Saturday?","answer":"At 10.","source_url":""}
{"id":"wb-1","lang":"fr","kb":"workbook","question":"Quand les bureaux ouvrent-ils le samedi?","answer":"À 10 h."}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := Prepare(kb, nil, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Collections(); !slices.Equal(got, []string{"pages", "workbook"}) || b.Unknown != 0 {
		t.Errorf("collections %v, %d unknown fields", got, b.Unknown)
	}
	ctx := context.Background()
	x, err := Open(ctx, Options{Path: kb, Collection: "pages"})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	hits, err := x.Search(ctx, "when do offices open on saturday", bot.English, 5)
	if err != nil || len(hits) != 1 || hits[0].EntryID != "pa-1" {
		t.Fatalf("pages alone: %+v, %v", hits, err)
	}
	// An export's source_url is the link, unless the row has a url.
	if hits[0].Link != "https://example.gc.ca/offices" {
		t.Errorf("link from source_url: %q", hits[0].Link)
	}
	if fr, err := x.Search(ctx, "quand les bureaux ouvrent-ils", bot.French, 1); err != nil || len(fr) != 1 || fr[0].Link != "https://example.gc.ca/bureaux" {
		t.Errorf("url before source_url: %+v, %v", fr, err)
	}
	// Variants of the file's other base are skipped, not refused; an
	// unknown id still is.
	vs := filepath.Join(dir, "variants.jsonl")
	if err := os.WriteFile(vs, []byte(`{"id":"pa-1","lang":"en","text":"opening hours"}
{"id":"wb-1","lang":"en","text":"saturday opening hours"}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err = PrepareCollection(kb, "pages", []string{vs}, false)
	if err != nil || b.Variants != 1 || !strings.Contains(strings.Join(b.Notes, "\n"), "1 variants for the file's other knowledge bases were skipped") {
		t.Errorf("variants of another base: %v, %d added, notes %q", err, b.Variants, b.Notes)
	}
	if err := os.WriteFile(vs, []byte(`{"id":"zz-9","lang":"en","text":"what"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := PrepareCollection(kb, "pages", []string{vs}, false); err == nil || !strings.Contains(err.Error(), "variant for an unknown entry") {
		t.Errorf("unknown id in a collection: %v", err)
	}
	if _, err := Open(ctx, Options{Path: kb, Collection: "nope"}); err == nil || !strings.Contains(err.Error(), `no entry of the knowledge base "nope" (kb field); it has pages, workbook`) {
		t.Errorf("unknown collection: %v", err)
	}
	if _, err := Open(ctx, Options{Collection: "pages"}); err == nil || !strings.Contains(err.Error(), "its rows have no kb field") {
		t.Errorf("collection of the sample: %v", err)
	}
	q := filepath.Join(dir, "q.jsonl")
	if err := os.WriteFile(q, []byte(`{"query":"hours","lang":"en","kb":"pages","gold_faq_id":"pa-1"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if qs, err := LoadQueries(q); err != nil || len(qs) != 1 || qs[0].KB != "pages" {
		t.Errorf("queries %+v, %v", qs, err)
	}
}

// The knowledge bases of one export may use the same ids: each collection
// gets its own entries and variants, and the file as a whole, which one
// index cannot serve, is refused with what to do.
func TestCollectionsMayShareIDs(t *testing.T) {
	dir := t.TempDir()
	kb := writeFile(t, dir, "kb.jsonl", `{"id":"1","lang":"en","kb":"a","question":"When do offices open?","answer":"At 9."}
{"id":"1","lang":"fr","kb":"a","question":"Quand les bureaux ouvrent-ils?","answer":"À 9 h."}
{"id":"1","lang":"en","kb":"b","question":"How do I renew a passport?","answer":"Online."}
{"id":"1","lang":"fr","kb":"b","question":"Comment renouveler un passeport?","answer":"En ligne."}
{"id":"1","lang":"fr","kb":"b","question":"Encore?","answer":"Oui."}
`)
	vs := writeFile(t, dir, "v.jsonl", `{"id":"1","lang":"en","kb":"a","text":"opening hours"}
{"id":"1","lang":"en","kb":"b","text":"passport renewal"}
{"id":"1","lang":"en","text":"hours or renewal"}
`)
	for _, tc := range []struct{ kb, question, variant string }{
		{"a", "When do offices open?", "opening hours"},
		{"b", "How do I renew a passport?", "passport renewal"},
	} {
		// The file's problems are reported whichever collection is
		// served: the extra row repeats b's French row, not a's.
		b, err := PrepareCollection(kb, tc.kb, []string{vs}, false)
		if err == nil || !strings.Contains(err.Error(), kb+":5: entry 1 [fr]: duplicate row: this id and language are already defined at "+kb+":4") {
			t.Errorf("collection %s: %v", tc.kb, err)
		}
		if b == nil || len(b.Entries) != 1 || b.Entries[0].EN.Question != tc.question || !slices.Equal(b.Entries[0].EN.Variants, []string{tc.variant, "hours or renewal"}) {
			t.Errorf("collection %s: %+v", tc.kb, b)
		}
	}
	if _, err := Prepare(kb, nil, nil, false); err == nil || !strings.Contains(err.Error(), kb+`:3: entry 1: id also used by the knowledge base "a" at `+kb+":1") || !strings.Contains(err.Error(), "--collection") {
		t.Errorf("the whole file: %v", err)
	}
}

// The sample is measured on questions written for it the way citizens
// write (testdata/sample-queries.jsonl: one English and one French question
// per entry, none of them a phrasing of the sample, and 30 out of scope),
// through the product's own language detection. Measured at 0.85: P@1
// 0.918 EN and 0.959 FR, answered precision 0.958, coverage 0.704, 3 of 30
// out-of-scope questions answered; at 0.90: 0.984, 0.622 and 1 of 30. The
// floors sit a little under that, so that a change that makes the sample
// answer worse fails here.
func TestSampleAnswersCitizensQuestions(t *testing.T) {
	qs, err := LoadQueries(filepath.Join("testdata", "sample-queries.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if _, unknown := b.Known(qs); len(unknown) > 0 {
		t.Fatalf("queries expect entries the sample lacks: %+v", unknown)
	}
	per := map[string]int{}
	for _, q := range qs {
		if q.Expected != "" {
			per[q.Expected+"/"+string(q.Lang)]++
		}
	}
	if len(per) != 2*len(b.Entries) {
		t.Errorf("%d entry-language pairs have a question, want every one of %d entries in both languages", len(per), len(b.Entries))
	}
	x := openSample(t, Options{})
	r, outs, err := x.Eval(context.Background(), qs, EvalOptions{Threshold: DefaultThreshold, Detect: i18n.Detect})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outs {
		if o.Confidence >= DefaultThreshold && !o.Right() {
			t.Logf("answered wrongly at %.2f: %q -> %s", o.Confidence, o.Query.Query, o.Top)
		}
	}
	if r.LangDetectionAccuracy < 0.99 {
		t.Errorf("language detection %.3f", r.LangDetectionAccuracy)
	}
	for _, l := range []string{"en", "fr"} {
		if m := r.ByLang[l]; m.PAt1 < 0.89 || m.RAt5 < 0.97 {
			t.Errorf("%s: P@1 %.3f, R@5 %.3f", l, m.PAt1, m.RAt5)
		}
	}
	if r.AnsweredPrecision < 0.94 || r.InScopeCoverage < 0.68 || r.OutOfScopeAnswerRate > 0.12 {
		t.Errorf("at %.2f: answered precision %.3f, coverage %.3f, out of scope answered %.3f", r.Threshold, r.AnsweredPrecision, r.InScopeCoverage, r.OutOfScopeAnswerRate)
	}
	strict := decide(outs, 0.90)
	if strict.AnsweredPrecision < 0.97 || strict.OutOfScopeAnswerRate > 0.05 {
		t.Errorf("at 0.90: %+v", strict)
	}
}

// French typed without apostrophes ("cest", "douverture", "lassurance",
// "jveux") finds what the same words with them find, with the same
// confidence to answer; words that only start like an elision are left
// whole.
func TestFrenchElisionsWithoutApostrophes(t *testing.T) {
	x := openSample(t, Options{})
	ctx := context.Background()
	for _, c := range []struct{ bare, with string }{
		{"cest quoi vos heures douverture", "c'est quoi vos heures d'ouverture"},
		{"jai perdu mon passeport", "j'ai perdu mon passeport"},
		{"comment sinscrire a lassurance emploi", "comment s'inscrire à l'assurance emploi"},
		{"coudonc jveux changer mon adresse", "coudonc je veux changer mon adresse"},
	} {
		bare, err := x.Search(ctx, c.bare, bot.French, 1)
		if err != nil {
			t.Fatal(err)
		}
		with, err := x.Search(ctx, c.with, bot.French, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(bare) == 0 || len(with) == 0 || bare[0].EntryID != with[0].EntryID || bare[0].Confidence < DefaultThreshold || with[0].Confidence < DefaultThreshold {
			t.Errorf("%q found %+v; %q found %+v: want the same entry, both answered", c.bare, bare, c.with, with)
		}
	}
	s := x.cur.Load()
	fr := s.lang(bot.French)
	for _, text := range []string{
		"mon dossier de lundi",          // known words starting with d, l
		"je vais au Mexique la semaine", // unknown words: their rest is unknown too
		"cette carte",                   // c before a vowel other than e
		"le la les de du",               // too short
		"l'assurance d'emploi",          // already elided
	} {
		if got := fr.unelide(text); got != text {
			t.Errorf("unelide(%q) = %q, want it unchanged", text, got)
		}
	}
	if got := fr.unelide("Cest quoi lassurance?"); got != "C' est quoi l' assurance?" {
		t.Errorf("unelide kept case and punctuation badly: %q", got)
	}
	// Capitals are lowered before accents are folded: « LÉTRANGER » reads
	// as « L'ÉTRANGER » like « létranger ».
	if got, want := fr.unelide("LÉTRANGER"), fr.unelide("létranger"); got != "L' ÉTRANGER" || want != "l' étranger" {
		t.Errorf("unelide(LÉTRANGER) = %q, unelide(létranger) = %q; want both split", got, want)
	}
	if en := s.lang(bot.English); en.unelide("lassurance") != "lassurance" {
		t.Error("English queries are not unelided")
	}
}

// A path that is missing, or a directory where a file is wanted, is named
// with the flag or configuration key that gave it and what to do.
func TestUnreadableInputsSayWhatToDo(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.jsonl")
	_, err := Load(missing)
	if err == nil || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "knowledge base "+missing+": no such file: check the path given with --kb or knowledge.path") {
		t.Errorf("missing knowledge base: %v", err)
	}
	_, err = LoadQueries(dir)
	if err == nil || !strings.Contains(err.Error(), "queries "+dir+" is a directory: give a JSON Lines file with --queries") {
		t.Errorf("queries given a directory: %v", err)
	}
	b, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	err = b.AddVariants(dir, false)
	if err == nil || !strings.Contains(err.Error(), "variants "+dir+" is a directory: give a JSON Lines file with --variants or knowledge.variants") {
		t.Errorf("variants given a directory: %v", err)
	}
	err = b.AddVariants(missing, false)
	if err == nil || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "no such file: check the path given with --variants") {
		t.Errorf("missing variants: %v", err)
	}
}
