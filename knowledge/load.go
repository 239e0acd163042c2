package knowledge

import (
	"bytes"
	"cmp"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/liaison-gc/liaison/bot"
	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
	"golang.org/x/text/unicode/norm"
)

//go:embed sample/*.toml
var sampleFS embed.FS

// SampleName is the path shown for the embedded sample knowledge base.
const SampleName = "(bundled sample)"

// Base is a knowledge base as read from its files, before indexing.
type Base struct {
	Path    string // what was loaded; SampleName for the embedded sample
	Entries []Entry
	// Unknown counts JSON Lines fields that were ignored.
	Unknown int
	// Notes say what loading changed without refusing the base: JSON Lines
	// topics rewritten as slugs, languages naming different topics, entries
	// given the general topic. Commands print them after the counts.
	Notes []string
	// Variants counts the phrasings added from variants files.
	Variants int
	// elsewhere holds the ids of the entries of the file's other
	// collections, left out by Options.Collection: their variants are
	// skipped, not refused. collection is the one kept.
	elsewhere  map[string]bool
	collection string
}

// Load reads a knowledge base: a directory of TOML files (searched
// recursively for *.toml), one TOML file, or a JSON Lines file (*.jsonl,
// *.ndjson, *.json). An empty path loads the embedded sample.
//
// When the content is malformed, Load returns what it could read together
// with a Problems error listing every problem with its file and line. Other
// errors (a path that cannot be read) come with a nil Base. Load does not
// validate entries: call Validate (or Base.Check).
func Load(path string) (*Base, error) {
	if path == "" {
		return loadTOMLFS(sampleFS, "sample", SampleName, "sample/")
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, readError("knowledge base", "--kb or knowledge.path (a TOML directory or file, or a JSON Lines file)", path, err)
	}
	if st.IsDir() {
		return loadTOMLFS(os.DirFS(path), ".", path, path+string(filepath.Separator))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, readError("knowledge base", "--kb or knowledge.path", path, err)
	}
	data = trimBOM(data)
	b := &Base{Path: path}
	var ps Problems
	switch strings.ToLower(filepath.Ext(path)) {
	case ".toml":
		b.Entries, ps = parseTOML(path, data)
	case ".jsonl", ".ndjson", ".json":
		b.Entries, b.Unknown, b.Notes, ps = parseJSONL(path, data)
	default:
		return nil, fmt.Errorf("kb: %s: not a knowledge base: give a directory of .toml files, a .toml file or a .jsonl file", path)
	}
	if len(b.Entries) == 0 && len(ps) == 0 {
		ps = Problems{noEntries(path)}
	}
	if len(ps) > 0 {
		return b, ps
	}
	return b, nil
}

// hidden reports whether a file or directory of a knowledge-base directory
// is not part of it: an editor's lock or backup file (Emacs .#kb.toml, a
// dangling symlink; #kb.toml#), a hidden directory (.git), or a Kubernetes
// ConfigMap volume's ..data and timestamped directories, which hold again
// the files the volume's top level links to.
func hidden(name string) bool { return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "#") }

// tomlFiles lists, sorted, the .toml files of a knowledge-base directory
// that Load reads (hidden names left out). A link to a directory is not
// followed but refused by name, so that its entries are not lost without a
// word. err is the first error met; the
// walk goes on past it, so that Watch stamps every file it can see.
func tomlFiles(fsys fs.FS, root string) (files []string, err error) {
	_ = fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, werr error) error {
		if p != root && hidden(d.Name()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if werr != nil {
			err = cmp.Or(err, werr)
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			if st, serr := fs.Stat(fsys, p); serr == nil && st.IsDir() {
				err = cmp.Or(err, fmt.Errorf("%s is a link to a directory, which is not read (it could loop back): link or copy its .toml files into the directory instead", p))
				return nil
			}
		}
		if !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".toml") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

func loadTOMLFS(fsys fs.FS, root, name, prefix string) (*Base, error) {
	files, err := tomlFiles(fsys, root)
	if err != nil {
		return nil, fmt.Errorf("kb: %s: %w", name, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("kb: %s: no .toml files in this directory", name)
	}
	b := &Base{Path: name}
	var ps Problems
	for _, f := range files {
		display := f
		if root != "." || prefix != "" {
			display = filepath.Join(strings.TrimSuffix(prefix, string(filepath.Separator)), strings.TrimPrefix(f, root+"/"))
			if root == "sample" {
				display = f
			}
		}
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("kb: %s: %w", display, err)
		}
		es, fps := parseTOML(display, trimBOM(data))
		b.Entries = append(b.Entries, es...)
		ps = append(ps, fps...)
	}
	if len(b.Entries) == 0 && len(ps) == 0 {
		ps = Problems{noEntries(name)}
	}
	if len(ps) > 0 {
		return b, ps
	}
	return b, nil
}

// noEntries is the problem of a knowledge base without a single entry: an
// emptied file (a mistaken "> kb.toml", or one caught mid-save) is refused
// rather than served as a bot that knows nothing.
func noEntries(path string) Problem {
	return Problem{Pos: Pos{File: path}, Msg: "no entries: write [[entry]] tables in TOML, or one JSON object per entry and language in JSON Lines"}
}

type tomlFile struct {
	Entry []tomlEntry `toml:"entry"`
}

type tomlEntry struct {
	ID    string    `toml:"id"`
	Topic string    `toml:"topic"`
	Tags  []string  `toml:"tags"`
	EN    *tomlText `toml:"en"`
	FR    *tomlText `toml:"fr"`
}

type tomlText struct {
	Question string   `toml:"question"`
	Variants []string `toml:"variants"`
	Answer   string   `toml:"answer"`
	Links    []string `toml:"links"`
}

// tomlMismatch matches go-toml's message for a value of the wrong type:
// what the file holds, and the Go type of the field.
var tomlMismatch = regexp.MustCompile(`cannot decode TOML ([a-z -]+) into (?:struct field \S+ of type )?(\S+)$`)

// wrongTOMLType says, for a decoding error on a value of the wrong type
// (id = 5, tags = "x"), which key it is and what to write instead, in the
// file's terms rather than Go's; "" for any other error.
func wrongTOMLType(de *toml.DecodeError) string {
	m := tomlMismatch.FindStringSubmatch(de.Error())
	if m == nil {
		return ""
	}
	var want string
	switch m[2] {
	case "string":
		want = "text in quotes"
	case "[]string":
		want = `a list of texts in quotes, such as ["first", "second"]`
	case "knowledge.tomlText":
		want = "a table: an [entry.en] or [entry.fr] section with its question and answer"
	case "[]knowledge.tomlEntry":
		want = "[[entry]] tables, one per entry"
	default:
		return ""
	}
	held := m[1]
	article := "a "
	if strings.IndexByte("aeiou", held[0]) >= 0 {
		article = "an "
	}
	return fmt.Sprintf("key %s: write %s, not %s%s", strings.Join(de.Key(), "."), want, article, held)
}

// entryLoc is where an entry of a TOML file starts, and its [entry.en] and
// [entry.fr] tables (or en and fr keys); 0 when it has none.
type entryLoc struct{ line, en, fr int }

// entryLines locates each [[entry]] of the TOML file data, in order, with
// TOML's own parser: a header-like line inside a multi-line answer is
// text, not a header, and an inline or dotted language table ("fr = {…}",
// "en.question = …") is found too.
func entryLines(data []byte) []entryLoc {
	starts := []int{0} // offsets at which the lines start
	for i, c := range data {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	lineOf := func(n *unstable.Node) (parts []string, line int) {
		for it := n.Key(); it.Next(); {
			if line == 0 {
				line = sort.SearchInts(starts, int(it.Node().Raw.Offset)+1)
			}
			parts = append(parts, string(it.Node().Data))
		}
		return parts, line
	}
	var locs []entryLoc
	inEntry := false // the current table is the last [[entry]]
	setLang := func(lang string, line int) {
		l := &locs[len(locs)-1]
		switch {
		case lang == "en" && l.en == 0:
			l.en = line
		case lang == "fr" && l.fr == 0:
			l.fr = line
		}
	}
	var p unstable.Parser
	p.Reset(data)
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.ArrayTable:
			parts, line := lineOf(e)
			inEntry = len(parts) == 1 && parts[0] == "entry"
			if inEntry {
				locs = append(locs, entryLoc{line: line})
			}
		case unstable.Table:
			parts, line := lineOf(e)
			inEntry = false
			if len(parts) >= 2 && parts[0] == "entry" && len(locs) > 0 {
				setLang(parts[1], line)
			}
		case unstable.KeyValue:
			if parts, line := lineOf(e); inEntry && len(parts) >= 1 {
				setLang(parts[0], line)
			}
		}
	}
	return locs
}

// parseTOML decodes one TOML file strictly (unknown keys are problems) and
// locates each entry and language table by line.
func parseTOML(file string, data []byte) ([]Entry, Problems) {
	var f tomlFile
	err := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields().Decode(&f)
	var ps Problems
	if err != nil {
		var strict *toml.StrictMissingError
		var de *toml.DecodeError
		switch {
		case errors.As(err, &strict):
			for _, e := range strict.Errors {
				row, _ := e.Position()
				ps = append(ps, Problem{Pos: Pos{file, row}, Msg: fmt.Sprintf("unknown key %q: the keys are id, topic, tags and, under [entry.en] / [entry.fr], question, variants, answer, links", strings.Join(e.Key(), "."))})
			}
		case errors.As(err, &de):
			row, _ := de.Position()
			if want := wrongTOMLType(de); want != "" {
				return nil, Problems{{Pos: Pos{file, row}, Msg: want}}
			}
			return nil, Problems{{Pos: Pos{file, row}, Msg: "TOML syntax: " + de.Error()}}
		default:
			return nil, Problems{{Pos: Pos{File: file}, Msg: "TOML: " + err.Error()}}
		}
	}
	locs := entryLines(data)
	entries := make([]Entry, 0, len(f.Entry))
	for i, te := range f.Entry {
		var l entryLoc
		if i < len(locs) {
			l = locs[i]
		}
		e := Entry{ID: te.ID, Topic: te.Topic, Tags: te.Tags, Source: Pos{file, l.line}}
		for _, x := range []struct {
			src  *tomlText
			dst  *Text
			line int
		}{{te.EN, &e.EN, l.en}, {te.FR, &e.FR, l.fr}} {
			if x.src == nil {
				continue
			}
			line := x.line
			if line == 0 {
				line = l.line
			}
			*x.dst = Text{Question: clean(x.src.Question), Variants: cleanAll(x.src.Variants), Answer: nfc(strings.TrimSpace(x.src.Answer)), Links: x.src.Links, Pos: Pos{file, line}}
			if x.dst.Question == "" && x.dst.Answer == "" {
				ps = append(ps, Problem{Pos: x.dst.Pos, ID: e.ID, Lang: langOf(x.dst, &e), Msg: "empty language table: write its question and answer, or remove the table"})
			}
		}
		entries = append(entries, e)
	}
	return entries, ps
}

func langOf(t *Text, e *Entry) bot.Lang {
	if t == &e.FR {
		return bot.French
	}
	return bot.English
}

type jsonRow struct {
	ID       string          `json:"id"`
	Lang     string          `json:"lang"`
	Question string          `json:"question"`
	Answer   string          `json:"answer"`
	Topic    string          `json:"topic"`
	URL      string          `json:"url"`
	Source   string          `json:"source_url"` // the link, in exports that name it so (when url is absent)
	KB       string          `json:"kb"`         // the collection, when one file holds several bases
	Variants json.RawMessage `json:"variants"`
}

// fastRow is jsonRow with typed variants, for the strict fast path.
type fastRow struct {
	jsonRow
	Variants []string `json:"variants"`
}

// decodeRow decodes a row that has known fields only and well-typed
// values; ok is false otherwise.
func decodeRow(line []byte) (fastRow, bool) {
	var r fastRow
	d := json.NewDecoder(bytes.NewReader(line))
	d.DisallowUnknownFields()
	if err := d.Decode(&r); err != nil || d.More() {
		return fastRow{}, false
	}
	return r, true
}

var jsonFields = map[string]bool{"id": true, "lang": true, "question": true, "answer": true, "topic": true, "url": true, "source_url": true, "kb": true, "variants": true}

// parseJSONL reads one object per entry and language. Rows of the same id
// and collection (kb field) are merged: the knowledge bases of one export
// may use the same ids. Unknown fields are counted and ignored.
//
// JSON Lines is what other systems export, so topics are taken as they
// come rather than refused: a label that is not a slug ("Emploi et
// travail") is rewritten as one ("emploi-et-travail"), when the two
// languages of an entry name different topics the English one routes, and
// an entry without one gets the general topic. Each kind of change is
// counted in a note.
func parseJSONL(file string, data []byte) ([]Entry, int, []string, Problems) {
	var (
		entries                  []Entry
		byID                     = map[string]int{}
		unknown                  int
		ps                       Problems
		slugged, differ, general int
	)
	lines := bytes.Split(data, []byte{'\n'})
	// Fast path, on both cores: one strict decode of each well-formed row
	// with known fields only. Other rows take the slow path below, which
	// counts unknown fields and says what is wrong.
	fast := make([]fastRow, len(lines))
	ok := make([]bool, len(lines))
	var wg sync.WaitGroup
	const workers = 2
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(lines); i += workers {
				fast[i], ok[i] = decodeRow(bytes.TrimSpace(lines[i]))
			}
		}()
	}
	wg.Wait()
	n := 0
	for li, raw := range lines {
		n++
		line := bytes.TrimSpace(raw)
		if len(line) == 0 {
			continue
		}
		pos := Pos{file, n}
		var r jsonRow
		var variants []string
		if ok[li] {
			r, variants = fast[li].jsonRow, fast[li].Variants
		} else {
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(line, &fields); err != nil {
				ps = append(ps, Problem{Pos: pos, Msg: "not a JSON object: " + err.Error()})
				continue
			}
			for k := range fields {
				if !jsonFields[k] {
					unknown++
				}
			}
			if err := json.Unmarshal(line, &r); err != nil {
				ps = append(ps, Problem{Pos: pos, Msg: "malformed row: " + err.Error()})
				continue
			}
			if len(r.Variants) > 0 && string(r.Variants) != "null" {
				if err := json.Unmarshal(r.Variants, &variants); err != nil {
					ps = append(ps, Problem{Pos: pos, ID: r.ID, Msg: "variants must be a list of strings"})
				}
			}
		}
		lang, err := bot.ParseLang(r.Lang)
		if err != nil || r.Lang == "" {
			ps = append(ps, Problem{Pos: pos, ID: r.ID, Msg: fmt.Sprintf("lang %q: use \"en\" or \"fr\"", r.Lang)})
			continue
		}
		kb := strings.TrimSpace(r.KB)
		key := kb + "\x00" + r.ID
		i, ok := byID[key]
		if !ok || r.ID == "" {
			i = len(entries)
			byID[key] = i
			entries = append(entries, Entry{ID: r.ID, Source: pos, Collection: kb})
		}
		e := &entries[i]
		t := e.In(lang)
		if t.Pos != (Pos{}) {
			ps = append(ps, Problem{Pos: pos, ID: r.ID, Lang: lang, Msg: fmt.Sprintf("duplicate row: this id and language are already defined at %s", t.Pos)})
			continue
		}
		if topic := Slug(r.Topic); topic != "" {
			if topic != strings.TrimSpace(r.Topic) {
				slugged++
			}
			switch {
			case e.Topic == "":
				e.Topic = topic
			case topic != e.Topic:
				differ++
				if lang == bot.English {
					e.Topic = topic
				}
			}
		}
		*t = Text{Question: clean(r.Question), Variants: cleanAll(variants), Answer: nfc(strings.TrimSpace(r.Answer)), Pos: pos}
		if link := cmp.Or(strings.TrimSpace(r.URL), strings.TrimSpace(r.Source)); link != "" {
			t.Links = []string{link}
		}
	}
	for i := range entries {
		if entries[i].Topic == "" && entries[i].ID != "" {
			entries[i].Topic = "general"
			general++
		}
	}
	var notes []string
	if slugged > 0 {
		notes = append(notes, fmt.Sprintf("topics rewritten as slugs (lowercase letters, digits and dashes): %d", slugged))
	}
	if differ > 0 {
		notes = append(notes, fmt.Sprintf("entries naming a different topic in each language (the English one routes): %d", differ))
	}
	if general > 0 {
		notes = append(notes, fmt.Sprintf("entries without a topic (they route as general): %d", general))
	}
	return entries, unknown, notes, ps
}

// Collections lists the distinct collections of the base's entries (their
// JSON Lines "kb" field), sorted; none when no entry names one.
func (b *Base) Collections() []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range b.Entries {
		if e.Collection != "" && !seen[e.Collection] {
			seen[e.Collection] = true
			out = append(out, e.Collection)
		}
	}
	slices.Sort(out)
	return out
}

// keep narrows the base to the entries of one collection.
func (b *Base) keep(collection string) error {
	var kept []Entry
	b.elsewhere, b.collection = map[string]bool{}, collection
	for _, e := range b.Entries {
		if e.Collection == collection {
			kept = append(kept, e)
		} else {
			b.elsewhere[e.ID] = true
		}
	}
	if len(kept) == 0 {
		has := strings.Join(b.Collections(), ", ")
		if has == "" {
			has = "none: its rows have no kb field"
		}
		return fmt.Errorf("kb: %s has no entry of the knowledge base %q (kb field); it has %s", b.Path, collection, has)
	}
	b.Entries = kept
	return nil
}

// trimBOM drops the byte-order mark some editors and spreadsheet exports
// put at the start of UTF-8 files.
func trimBOM(data []byte) []byte { return bytes.TrimPrefix(data, []byte("\ufeff")) }

// Slug turns a topic label into a routing topic: accents folded, lowercase
// letters and digits kept, every other run of characters one dash ("Santé
// et sécurité" becomes "sante-et-securite"). It returns "" for a label
// without letters or digits.
func Slug(label string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(nfc(label)) {
		r = foldRune(r)
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	return b.String()
}

// AddVariants reads a variants file (JSON Lines of {"id","lang","text"}) and
// appends each phrasing to its entry. A labelled query
// ({"query","lang","expected"}, the evaluation format) is read as a
// phrasing of the entry it expects; out-of-scope ones are skipped. It
// returns a Problems error for rows that are malformed or point at an
// entry or language the base lacks; the other rows are still added. With unpaired (--allow-unpaired), rows for
// an entry or language the base lacks are left out with a note instead:
// phrasings learned for more than this base, as when one file serves
// several knowledge bases.
func (b *Base) AddVariants(path string, unpaired bool) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return readError("variants", "--variants or knowledge.variants", path, err)
	}
	byID := make(map[string]*Entry, len(b.Entries))
	for i := range b.Entries {
		byID[b.Entries[i].ID] = &b.Entries[i]
	}
	var ps Problems
	left := map[string]bool{} // ids of the rows left out
	var named []string        // the first few of them, in order
	leftOut, outOfScope, others := 0, 0, 0
	// The file is read whole: a line of any length is one row, reported
	// with its number like any other, never the end of the reading.
	for i, raw := range bytes.Split(trimBOM(data), []byte{'\n'}) {
		n := i + 1
		line := bytes.TrimSpace(raw)
		if len(line) == 0 {
			continue
		}
		pos := Pos{path, n}
		var r struct {
			ID, Text string
			queryRow
		}
		if err := json.Unmarshal(line, &r); err != nil {
			ps = append(ps, Problem{Pos: pos, Msg: "not a variant object {\"id\",\"lang\",\"text\"}: " + err.Error()})
			continue
		}
		if r.ID == "" && r.Text == "" && r.Query != "" {
			exp, ok := r.expected()
			if !ok {
				ps = append(ps, Problem{Pos: pos, Msg: "a query without \"expected\" is no phrasing of an entry: give its id, or use {\"id\",\"lang\",\"text\"}"})
				continue
			}
			if exp == "" {
				outOfScope++
				continue
			}
			r.ID, r.Text = exp, r.Query
		}
		lang, err := bot.ParseLang(string(r.Lang))
		if err != nil || r.Lang == "" {
			ps = append(ps, Problem{Pos: pos, ID: r.ID, Msg: fmt.Sprintf("lang %q: use \"en\" or \"fr\"", r.Lang)})
			continue
		}
		e := byID[r.ID]
		if kb := strings.TrimSpace(r.KB); (e == nil && b.elsewhere[r.ID]) || (b.collection != "" && kb != "" && kb != b.collection) {
			others++
			continue
		}
		if unpaired && (e == nil || !e.Has(lang)) {
			if leftOut++; !left[r.ID] {
				left[r.ID] = true
				if len(named) < 3 {
					named = append(named, r.ID)
				}
			}
			continue
		}
		if e == nil {
			ps = append(ps, Problem{Pos: pos, ID: r.ID, Lang: lang, Msg: "variant for an unknown entry: check the id against the knowledge base"})
			continue
		}
		if !e.Has(lang) {
			ps = append(ps, Problem{Pos: pos, ID: r.ID, Lang: lang, Msg: fmt.Sprintf("variant for a language the entry lacks (%s)", langName(lang))})
			continue
		}
		text := clean(r.Text)
		if text == "" {
			ps = append(ps, Problem{Pos: pos, ID: r.ID, Lang: lang, Msg: "empty variant text"})
			continue
		}
		if n := utf8.RuneCountInString(text); n > MaxQuestionLen {
			ps = append(ps, Problem{Pos: pos, ID: r.ID, Lang: lang, Msg: fmt.Sprintf("variant is %d characters long: keep it under %d", n, MaxQuestionLen)})
			continue
		}
		t := e.In(lang)
		t.Variants = append(t.Variants, text)
		b.Variants++
	}
	if outOfScope > 0 {
		b.Notes = append(b.Notes, fmt.Sprintf("%s: %d out-of-scope queries (expected \"\") are no phrasing of an entry and were skipped", path, outOfScope))
	}
	if others > 0 {
		b.Notes = append(b.Notes, fmt.Sprintf("%s: %d variants for the file's other knowledge bases were skipped", path, others))
	}
	if leftOut > 0 {
		if len(left) > len(named) {
			named = append(named, "...")
		}
		b.Notes = append(b.Notes, fmt.Sprintf("%s: %d variants for entries or languages this knowledge base lacks were left out (%s)", path, leftOut, strings.Join(named, ", ")))
	}
	if len(ps) > 0 {
		return ps
	}
	return nil
}

// clean collapses runs of white space and composes the text (NFC).
func clean(s string) string { return nfc(strings.Join(strings.Fields(s), " ")) }

// nfc composes text written in decomposed Unicode (NFD: "e" then a
// combining accent, as macOS and some exports write it), so that it is
// searched, measured and shown as its composed form is. Composed text, the
// usual case, is returned as it is, without allocating.
func nfc(s string) string {
	if norm.NFC.IsNormalString(s) {
		return s
	}
	return norm.NFC.String(s)
}

func cleanAll(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = clean(s)
	}
	return out
}

// readError says which input a failed read was (what, given with the flag
// or configuration key in where) and what to do, keeping err for errors.Is.
func readError(what, where, path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("kb: %s %s: no such file: check the path given with %s: %w", what, path, where, err)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("kb: %s %s: permission denied: make it readable by this user: %w", what, path, err)
	case isDirErr(path, err):
		return fmt.Errorf("kb: %s %s is a directory: give a JSON Lines file with %s: %w", what, path, where, err)
	}
	return fmt.Errorf("kb: %s %s: %w", what, path, err)
}

// isDirErr reports whether reading path failed because it is a directory.
func isDirErr(path string, err error) bool {
	if err == nil {
		return false
	}
	fi, serr := os.Stat(path)
	return serr == nil && fi.IsDir()
}
