package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/i18n"
	"github.com/liaison-gc/liaison/knowledge"
)

// runKB dispatches the knowledge-base subcommands.
func runKB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	subs := []struct {
		name, summary string
		run           func(context.Context, []string, io.Writer, io.Writer) error
	}{
		{"check", "validate a knowledge base and list every problem", runKBCheck},
		{"stats", "count entries, languages, variants and topics", runKBStats},
		{"search", "search the knowledge base", runKBSearch},
		{"eval", "measure ranking and answer decisions on labelled queries", runKBEval},
		{"bench", "measure build, reopen and search on a generated knowledge base", runKBBench},
		{"calibrate", "refit the confidence calibration on labelled queries", runKBCalibrate},
		{"drafts", "review entries drafted from staff answers: list, show, edit, approve, reject, export", runKBDrafts},
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(stderr, "Usage: liaison kb SUBCOMMAND [flags]\n\nSubcommands:")
		for _, s := range subs {
			fmt.Fprintf(stderr, "  %-10s %s\n", s.name, s.summary)
		}
		if len(args) == 0 {
			return usagef("kb: a subcommand is required")
		}
		return nil
	}
	for _, s := range subs {
		if s.name == args[0] {
			return s.run(ctx, args[1:], stdout, stderr)
		}
	}
	return usagef("kb: unknown subcommand %q (check, stats, search, eval, bench, calibrate, drafts)", args[0])
}

// kbStrings is a repeatable string flag.
type kbStrings []string

func (s *kbStrings) String() string     { return strings.Join(*s, ",") }
func (s *kbStrings) Set(v string) error { *s = append(*s, v); return nil }

// kbSource holds the flags that say which knowledge base to use.
type kbSource struct {
	path          string
	variants      kbStrings
	allowUnpaired bool
	collection    string
	dataDir       string
	calibration   *knowledge.Calibration
	ranker        *knowledge.Ranker
}

func (k *kbSource) register(fs *flag.FlagSet) {
	fs.StringVar(&k.path, "kb", "", "knowledge base: TOML directory or file, or JSON Lines file (default: the bundled sample)")
	fs.Var(&k.variants, "variants", "JSON Lines file of extra phrasings {\"id\",\"lang\",\"text\"} (repeatable)")
	fs.BoolVar(&k.allowUnpaired, "allow-unpaired", false, "serve entries that exist in one language only")
	fs.StringVar(&k.collection, "collection", "", "use only this knowledge base of a JSON Lines file that holds several (its rows' kb field)")
	fs.StringVar(&k.dataDir, "data", "", "keep the built index in this directory (default: in memory)")
}

// prepare loads and validates the knowledge base without indexing it.
func (k *kbSource) prepare() (*knowledge.Base, error) {
	return knowledge.PrepareCollection(k.path, k.collection, k.variants, k.allowUnpaired)
}

// collections lists the knowledge bases a JSON Lines file holds (its rows'
// kb field), when --collection does not pick one. Errors are left to
// open and prepare, which report them in full.
func (k *kbSource) collections() (cs, notes []string) {
	if k.collection != "" {
		return nil, nil
	}
	b, _ := knowledge.Load(k.path)
	if b == nil {
		return nil, nil
	}
	return b.Collections(), b.Notes
}

func (k *kbSource) open(ctx context.Context, stderr io.Writer) (*knowledge.Index, error) {
	x, err := knowledge.Open(ctx, knowledge.Options{Path: k.path, Variants: k.variants, AllowUnpaired: k.allowUnpaired, Collection: k.collection, DataDir: k.dataDir, Calibration: k.calibration, Ranker: k.ranker})
	if err != nil {
		return nil, reportKB(err, stderr)
	}
	return x, nil
}

// reportKB prints every knowledge-base problem on its own line and returns
// errReported, or returns other errors as they are.
func reportKB(err error, stderr io.Writer) error {
	return reportProblems(err, stderr, "fix them and run 'liaison kb check' again")
}

// reportQueries prints the problems of a queries file.
func reportQueries(err error, stderr io.Writer) error {
	return reportProblems(err, stderr, "fix the queries file and run again")
}

func reportProblems(err error, stderr io.Writer, then string) error {
	var ps knowledge.Problems
	if !errors.As(err, &ps) {
		return err
	}
	for _, p := range ps {
		fmt.Fprintln(stderr, p.Error())
	}
	fmt.Fprintf(stderr, "%d problem(s): %s\n", len(ps), then)
	return errReported
}

// parseKBFlags parses args, allowing flags after positional arguments
// ("liaison kb search 'text' --lang fr").
func parseKBFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func newKBFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// runKBCheck validates a knowledge base and reports every problem at once.
func runKBCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newKBFlags("kb check", stderr)
	var src kbSource
	src.register(fs)
	strict := fs.Bool("strict", false, "fail when the two halves of an entry do not state the same facts (warnings)")
	pos, err := parseKBFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("kb check: unexpected argument %q (use --kb PATH)", pos[0])
	}
	b, err := src.prepare()
	if err != nil {
		return reportKB(err, stderr)
	}
	// Warnings never refuse a knowledge base (serve loads it all the
	// same); --strict makes them fail a check, in CI for instance.
	if ws := knowledge.Parity(b.Entries); len(ws) > 0 {
		for _, w := range ws {
			fmt.Fprintln(stderr, "warning: "+w.Error())
		}
		if *strict {
			fmt.Fprintf(stderr, "%d warning(s), which --strict makes fail: the English and French halves of these entries do not state the same facts\n", len(ws))
			return errReported
		}
		fmt.Fprintf(stderr, "%d warning(s): the English and French halves of these entries do not state the same facts (--strict makes them fail the check)\n", len(ws))
	}
	st := knowledge.StatsOf(b)
	fmt.Fprintf(stdout, "%s: ok, %d entries (%d English, %d French), %d variants\n", b.Path, st.Entries, st.ByLang["en"].Entries, st.ByLang["fr"].Entries, st.ByLang["en"].Variants+st.ByLang["fr"].Variants)
	if b.Unknown > 0 {
		fmt.Fprintf(stdout, "note: %d unknown JSON fields were ignored\n", b.Unknown)
	}
	for _, n := range b.Notes {
		fmt.Fprintf(stdout, "note: %s\n", n)
	}
	if cs := b.Collections(); len(cs) > 1 {
		fmt.Fprintf(stdout, "note: %s\n", severalBases(cs))
	}
	return nil
}

// severalBases says what Liaison does with a file that holds several
// knowledge bases.
func severalBases(cs []string) string {
	return fmt.Sprintf("this file holds %d knowledge bases (kb field: %s): kb eval measures each on its own; --collection NAME picks one", len(cs), strings.Join(cs, ", "))
}

// runKBStats prints counts of a knowledge base.
func runKBStats(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newKBFlags("kb stats", stderr)
	var src kbSource
	src.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseKBFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("kb stats: unexpected argument %q (use --kb PATH)", pos[0])
	}
	b, err := src.prepare()
	if err != nil {
		return reportKB(err, stderr)
	}
	st := knowledge.StatsOf(b)
	if *asJSON {
		return writeJSON(stdout, st)
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "knowledge base\t%s\n", st.Path)
	fmt.Fprintf(w, "entries\t%d\n", st.Entries)
	for _, l := range []string{"en", "fr"} {
		ls := st.ByLang[l]
		fmt.Fprintf(w, "%s\t%d entries, %d variants, %d with a link, answers avg %d / max %d characters\n", l, ls.Entries, ls.Variants, ls.Linked, ls.AvgAnswer, ls.MaxAnswer)
	}
	fmt.Fprintf(w, "unpaired\t%d\n", st.Unpaired)
	for _, c := range slices.Sorted(maps.Keys(st.Collections)) {
		fmt.Fprintf(w, "knowledge base %s\t%d entries (kb field)\n", c, st.Collections[c])
	}
	topics := make([]string, 0, len(st.Topics))
	for t := range st.Topics {
		topics = append(topics, t)
	}
	sort.Strings(topics)
	for _, t := range topics {
		fmt.Fprintf(w, "topic %s\t%d\n", t, st.Topics[t])
	}
	if st.UnknownFields > 0 {
		fmt.Fprintf(w, "unknown fields ignored\t%d\n", st.UnknownFields)
	}
	for _, n := range st.Notes {
		fmt.Fprintf(w, "note\t%s\n", n)
	}
	return w.Flush()
}

// runKBSearch searches and prints the hits with their confidence.
func runKBSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newKBFlags("kb search", stderr)
	var src kbSource
	src.register(fs)
	langFlag := fs.String("lang", "", "search this language only: en or fr (default: detected)")
	n := fs.Int("n", 5, "number of hits")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseKBFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || strings.TrimSpace(pos[0]) == "" {
		return usagef("kb search: give the text to search as one argument: liaison kb search \"text\" [--lang en|fr]")
	}
	lang := bot.Unknown
	if *langFlag != "" {
		if lang, err = bot.ParseLang(*langFlag); err != nil {
			return usagef("kb search: --lang: %v", err)
		}
	} else {
		lang, _ = i18n.Detect(pos[0])
	}
	x, err := src.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer x.Close()
	hits, err := x.Search(ctx, pos[0], lang, *n)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, struct {
			Lang bot.Lang  `json:"lang"`
			Hits []bot.Hit `json:"hits"`
		}{lang, kbNonNil(hits)})
	}
	printHits(stdout, hits)
	return nil
}

func kbNonNil(h []bot.Hit) []bot.Hit {
	if h == nil {
		return []bot.Hit{}
	}
	return h
}

func printHits(w io.Writer, hits []bot.Hit) {
	if len(hits) == 0 {
		fmt.Fprintln(w, "no hits")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tconfidence\tlang\tentry\ttopic\tquestion")
	for i, h := range hits {
		fmt.Fprintf(tw, "%d\t%.2f\t%s\t%s\t%s\t%s\n", i+1, h.Confidence, h.Lang, h.EntryID, h.Topic, h.Question)
	}
	tw.Flush()
}

// runKBEval measures ranking and the answer-or-escalate decision.
func runKBEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newKBFlags("kb eval", stderr)
	var src kbSource
	src.register(fs)
	queries := fs.String("queries", "", "JSON Lines of {\"query\",\"lang\",\"expected\"} (required)")
	threshold := fs.Float64("threshold", knowledge.DefaultThreshold, "confidence needed to answer")
	trustLang := fs.Bool("trust-lang", false, "use each query's labelled language instead of detecting it")
	asJSON := fs.Bool("json", false, "print JSON")
	calib := fs.String("calibration", "", "use this calibration \"bias,w1,w2,...\" instead of the built-in one (cross-fitting)")
	ranker := fs.String("ranker", "", "use these ranking weights \"w1,w2,...\" instead of the built-in ones (cross-fitting)")
	outcomes := fs.String("outcomes", "", "also write each query's outcome to this JSON Lines file (what was found, at what rank and confidence)")
	pos, err := parseKBFlags(fs, args)
	if err != nil {
		return err
	}
	if *calib != "" {
		c, err := knowledge.ParseCalibration(*calib)
		if err != nil {
			return usagef("kb eval: --calibration: %v", err)
		}
		src.calibration = &c
	}
	if *ranker != "" {
		r, err := knowledge.ParseRanker(*ranker)
		if err != nil {
			return usagef("kb eval: --ranker: %v", err)
		}
		src.ranker = &r
	}
	if len(pos) > 0 || *queries == "" {
		return usagef("kb eval: usage: liaison kb eval --kb PATH [--variants FILE] --queries FILE [--threshold X] [--allow-unpaired] [--trust-lang] [--json] [--outcomes FILE]")
	}
	qs, err := knowledge.LoadQueries(*queries)
	if err != nil {
		return reportQueries(err, stderr)
	}
	opts := knowledge.EvalOptions{Threshold: *threshold, Detect: i18n.Detect, TrustLang: *trustLang}
	var outs []knowledge.Outcome
	switch cs, fileNotes := src.collections(); {
	case len(cs) > 1 && labelledByKB(qs):
		// One export of several knowledge bases: each is indexed and
		// measured on its own, never mixed, and the figures combine them.
		fmt.Fprintf(stderr, "kb eval: note: %s; the figures combine their outcomes\n", severalBases(cs))
		for _, n := range fileNotes {
			fmt.Fprintf(stderr, "kb eval: note: %s: %s\n", src.path, n)
		}
		byKB := map[string][]knowledge.Query{}
		for _, q := range qs {
			byKB[q.KB] = append(byKB[q.KB], q)
		}
		for _, c := range cs {
			if len(byKB[c]) == 0 {
				fmt.Fprintf(stderr, "kb eval: note: no query in %s is for %s\n", *queries, c)
				continue
			}
			one := src
			one.collection = c
			o, err := evalBase(ctx, &one, byKB[c], *queries, opts, fileNotes, stderr)
			if err != nil {
				return fmt.Errorf("%s: %w", c, err)
			}
			outs = append(outs, o...)
			delete(byKB, c)
		}
		for _, kb := range slices.Sorted(maps.Keys(byKB)) {
			fmt.Fprintf(stderr, "kb eval: %d queries in %s are for %q, which %s does not hold; they are not scored\n", len(byKB[kb]), *queries, kb, src.path)
		}
	default:
		if len(cs) > 1 {
			fmt.Fprintf(stderr, "kb eval: note: %s; the queries do not say which they are for (kb field), so the bases are indexed together\n", severalBases(cs))
		}
		if src.collection != "" {
			qs = slices.DeleteFunc(qs, func(q knowledge.Query) bool { return q.KB != "" && q.KB != src.collection })
		}
		if outs, err = evalBase(ctx, &src, qs, *queries, opts, nil, stderr); err != nil {
			return err
		}
	}
	if len(outs) == 0 {
		return fmt.Errorf("kb eval: no query in %s could be scored", *queries)
	}
	rep := knowledge.Summarize(outs, *threshold)
	if *outcomes != "" {
		if err := writeOutcomes(*outcomes, outs, *threshold); err != nil {
			return fmt.Errorf("kb eval: --outcomes: %w", err)
		}
	}
	if *asJSON {
		return writeJSON(stdout, rep)
	}
	printReport(stdout, rep)
	return nil
}

// evalBase evaluates queries against one knowledge base, after printing
// what loading it noted (but the notes already said of the whole file).
func evalBase(ctx context.Context, src *kbSource, qs []knowledge.Query, path string, opts knowledge.EvalOptions, said []string, stderr io.Writer) ([]knowledge.Outcome, error) {
	x, err := src.open(ctx, stderr)
	if err != nil {
		return nil, err
	}
	defer x.Close()
	for _, n := range x.Base().Notes {
		if slices.Contains(said, n) {
			continue
		}
		if src.collection != "" {
			n = src.collection + ": " + n
		}
		fmt.Fprintf(stderr, "kb eval: note: %s\n", n)
	}
	if qs, err = scorable(qs, x.Base(), path, stderr); err != nil {
		return nil, err
	}
	_, outs, err := x.Eval(ctx, qs, opts)
	return outs, err
}

// labelledByKB reports whether every query says which knowledge base it
// was written for.
func labelledByKB(qs []knowledge.Query) bool {
	for _, q := range qs {
		if q.KB == "" {
			return false
		}
	}
	return len(qs) > 0
}

// scorable keeps the queries that can be scored against base, and says
// on stderr how many expect entries it lacks (queries of another knowledge
// base mixed in the file). It fails when none of the labelled queries can
// be scored: the queries and the knowledge base do not belong together.
func scorable(qs []knowledge.Query, base *knowledge.Base, path string, stderr io.Writer) ([]knowledge.Query, error) {
	known, unknown := base.Known(qs)
	if len(unknown) == 0 {
		return qs, nil
	}
	var ids []string
	seen := map[string]bool{}
	for _, q := range unknown {
		if seen[q.Expected] {
			continue
		}
		if len(ids) == 3 {
			ids = append(ids, "...")
			break
		}
		seen[q.Expected] = true
		ids = append(ids, q.Expected)
	}
	labelled := 0
	for _, q := range known {
		if q.Expected != "" {
			labelled++
		}
	}
	if labelled == 0 {
		return nil, fmt.Errorf("kb eval: none of the labelled queries in %s expects an entry of this knowledge base (%s): pass the --kb they were written for", path, strings.Join(ids, ", "))
	}
	fmt.Fprintf(stderr, "kb eval: %d of %d queries in %s expect entries this knowledge base lacks (%s); they are not scored\n", len(unknown), len(qs), path, strings.Join(ids, ", "))
	return known, nil
}

// outcome is one line of `kb eval --outcomes`: a query, what search found
// and what the bot would have done with it.
type outcome struct {
	Query      string  `json:"query"`
	Lang       string  `json:"lang"`
	Detected   string  `json:"detected"`
	Expected   string  `json:"expected"`
	Top        string  `json:"top"`
	Rank       int     `json:"rank"` // of the expected entry in the top 10; 0 when absent or out of scope
	Confidence float64 `json:"confidence"`
	Answered   bool    `json:"answered"` // confidence at or above the threshold
	Right      bool    `json:"right"`    // the top hit is the expected entry
}

// writeOutcomes writes one outcome per query, in the queries' order, so
// that the questions the knowledge base misses can be read and fixed.
func writeOutcomes(path string, outs []knowledge.Outcome, threshold float64) error {
	// Queries may hold what citizens wrote: readable by the owner only.
	return writeJSONLines(path, 0o600, func(enc *json.Encoder) error {
		for _, o := range outs {
			if err := enc.Encode(outcome{
				Query: o.Query.Query, Lang: string(o.Query.Lang), Detected: string(o.Detected),
				Expected: o.Query.Expected, Top: o.Top, Rank: o.Rank,
				Confidence: math.Round(o.Confidence*1e4) / 1e4, Answered: o.Top != "" && o.Confidence >= threshold, Right: o.Right(),
			}); err != nil {
				return err
			}
		}
		return nil
	})
}

func printReport(w io.Writer, r knowledge.Report) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "queries\t%d\n", r.Queries)
	fmt.Fprintf(tw, "language detection\t%.4f\n", r.LangDetectionAccuracy)
	for _, l := range []string{"en", "fr"} {
		m := r.ByLang[l]
		fmt.Fprintf(tw, "%s in scope\t%d\tP@1 %.4f\tR@5 %.4f\tMRR@10 %.4f\n", l, m.N, m.PAt1, m.RAt5, m.MRRAt10)
	}
	fmt.Fprintf(tw, "threshold\t%.2f\n", r.Threshold)
	fmt.Fprintf(tw, "answered precision\t%.4f\n", r.AnsweredPrecision)
	fmt.Fprintf(tw, "in-scope coverage\t%.4f\n", r.InScopeCoverage)
	fmt.Fprintf(tw, "out-of-scope answered\t%.4f\n", r.OutOfScopeAnswerRate)
	fmt.Fprintln(tw, "\nthreshold\tprecision\tcoverage\tout-of-scope answered")
	for _, p := range r.Curve {
		fmt.Fprintf(tw, "%.2f\t%.4f\t%.4f\t%.4f\n", p.Threshold, p.AnsweredPrecision, p.InScopeCoverage, p.OutOfScopeAnswerRate)
	}
	tw.Flush()
}
