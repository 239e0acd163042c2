package knowledge

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/liaison-gc/liaison/bot"
)

// Query is one labelled evaluation question. Expected is the id of the
// entry that answers it, or "" when it is out of scope (the bot should
// escalate).
type Query struct {
	Query    string   `json:"query"`
	Lang     bot.Lang `json:"lang"`
	Expected string   `json:"expected"`
	// KB is the collection the query was written for (its "kb" field),
	// when the file serves several knowledge bases; "" otherwise.
	KB string `json:"kb,omitempty"`
}

// queryRow is a line of a queries file. Expected must be present (""
// for out of scope): a file without it would silently evaluate every
// question as out of scope. gold_faq_id, the name FAQ-retrieval datasets
// give it, is read when expected is absent.
type queryRow struct {
	Query    string   `json:"query"`
	Lang     bot.Lang `json:"lang"`
	Expected *string  `json:"expected"`
	Gold     *string  `json:"gold_faq_id"`
	KB       string   `json:"kb"`
}

// expected returns the row's expected entry, and false when it has none.
func (r queryRow) expected() (string, bool) {
	if r.Expected != nil {
		return *r.Expected, true
	}
	if r.Gold != nil {
		return *r.Gold, true
	}
	return "", false
}

// LoadQueries reads evaluation queries from JSON Lines.
func LoadQueries(path string) ([]Query, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, readError("queries", "--queries", path, err)
	}
	var qs []Query
	var ps Problems
	// The file is read whole: a line of any length is one row, reported
	// with its number like any other, never the end of the reading.
	for i, raw := range bytes.Split(trimBOM(data), []byte{'\n'}) {
		n := i + 1
		line := bytes.TrimSpace(raw)
		if len(line) == 0 {
			continue
		}
		var r queryRow
		if err := json.Unmarshal(line, &r); err != nil {
			ps = append(ps, Problem{Pos: Pos{path, n}, Msg: "not a query object {\"query\",\"lang\",\"expected\"}: " + err.Error()})
			continue
		}
		lang, err := bot.ParseLang(string(r.Lang))
		if err != nil {
			ps = append(ps, Problem{Pos: Pos{path, n}, Msg: fmt.Sprintf("lang %q: use \"en\" or \"fr\"", r.Lang)})
			continue
		}
		exp, ok := r.expected()
		if !ok {
			ps = append(ps, Problem{Pos: Pos{path, n}, Msg: "no \"expected\": give the id of the entry that answers the query, or \"\" when it is out of scope"})
			continue
		}
		qs = append(qs, Query{Query: r.Query, Lang: lang, Expected: exp, KB: strings.TrimSpace(r.KB)})
	}
	if len(ps) > 0 {
		return qs, ps
	}
	return qs, nil
}

// Known splits queries into those whose expected entry is in the base (or
// that are out of scope) and those expecting an entry it lacks: the latter
// belong to another knowledge base and cannot be scored against this one.
func (b *Base) Known(qs []Query) (known, unknown []Query) {
	ids := make(map[string]bool, len(b.Entries))
	for _, e := range b.Entries {
		ids[e.ID] = true
	}
	for _, q := range qs {
		if q.Expected == "" || ids[q.Expected] {
			known = append(known, q)
		} else {
			unknown = append(unknown, q)
		}
	}
	return known, unknown
}

// Report is the outcome of an evaluation. Its JSON keys are fixed: other
// tools read them.
type Report struct {
	Queries               int                    `json:"queries"`
	LangDetectionAccuracy float64                `json:"lang_detection_accuracy"`
	ByLang                map[string]LangMetrics `json:"by_lang"`
	Threshold             float64                `json:"threshold"`
	AnsweredPrecision     float64                `json:"answered_precision"`
	InScopeCoverage       float64                `json:"in_scope_coverage"`
	OutOfScopeAnswerRate  float64                `json:"out_of_scope_answer_rate"`
	Curve                 []CurvePoint           `json:"curve"`
}

// LangMetrics are ranking metrics over in-scope queries of one language.
type LangMetrics struct {
	N       int     `json:"n"`
	PAt1    float64 `json:"p_at_1"`
	RAt5    float64 `json:"r_at_5"`
	MRRAt10 float64 `json:"mrr_at_10"`
}

// CurvePoint is the answer-or-escalate trade-off at one threshold.
type CurvePoint struct {
	Threshold            float64 `json:"threshold"`
	AnsweredPrecision    float64 `json:"answered_precision"`
	InScopeCoverage      float64 `json:"in_scope_coverage"`
	OutOfScopeAnswerRate float64 `json:"out_of_scope_answer_rate"`
}

// Outcome is what happened to one evaluation query.
type Outcome struct {
	Query      Query
	Detected   bot.Lang
	Rank       int // 1-based rank of the expected entry in the top 10, 0 when absent
	Top        string
	Confidence float64
	X          []float64 // the top hit's calibration features
}

// Right reports whether the top hit is the expected entry (never for an
// out-of-scope query).
func (o Outcome) Right() bool { return o.Query.Expected != "" && o.Rank == 1 }

// EvalOptions tune Eval.
type EvalOptions struct {
	Threshold float64
	// Detect guesses each query's language; nil or TrustLang uses the label.
	Detect    bot.Detector
	TrustLang bool
}

// Eval runs every query through language detection and search as the bot
// would, and measures ranking (in-scope queries) and the answer-or-escalate
// decision at opts.Threshold, with a curve over thresholds.
func (x *Index) Eval(ctx context.Context, qs []Query, opts EvalOptions) (Report, []Outcome, error) {
	outs := make([]Outcome, len(qs))
	for i, q := range qs {
		lang := q.Lang
		if !opts.TrustLang && opts.Detect != nil {
			lang, _ = opts.Detect(q.Query)
		}
		r, err := x.search(ctx, q.Query, lang, 10)
		if err != nil {
			return Report{}, nil, err
		}
		o := Outcome{Query: q, Detected: lang, X: r.feat.vector()}
		if len(r.hits) > 0 {
			o.Top, o.Confidence = r.hits[0].EntryID, r.hits[0].Confidence
		}
		seen := map[string]bool{}
		rank := 0
		for _, h := range r.hits {
			if seen[h.EntryID] {
				continue // the same entry found in both languages
			}
			seen[h.EntryID] = true
			rank++
			if q.Expected != "" && h.EntryID == q.Expected {
				o.Rank = rank
				break
			}
		}
		outs[i] = o
	}
	return Summarize(outs, opts.Threshold), outs, nil
}

// Summarize computes the report of outcomes at threshold t.
func Summarize(outs []Outcome, t float64) Report {
	r := Report{Queries: len(outs), Threshold: t, ByLang: map[string]LangMetrics{}}
	langRight := 0
	type acc struct {
		n, p1, r5 int
		mrr       float64
	}
	by := map[bot.Lang]*acc{bot.English: {}, bot.French: {}}
	for _, o := range outs {
		if o.Detected == o.Query.Lang {
			langRight++
		}
		if o.Query.Expected == "" {
			continue
		}
		a := by[o.Query.Lang]
		a.n++
		if o.Rank == 1 {
			a.p1++
		}
		if o.Rank >= 1 && o.Rank <= 5 {
			a.r5++
		}
		if o.Rank >= 1 {
			a.mrr += 1 / float64(o.Rank)
		}
	}
	if len(outs) > 0 {
		r.LangDetectionAccuracy = round4(float64(langRight) / float64(len(outs)))
	}
	for l, a := range by {
		m := LangMetrics{N: a.n}
		if a.n > 0 {
			m.PAt1 = round4(float64(a.p1) / float64(a.n))
			m.RAt5 = round4(float64(a.r5) / float64(a.n))
			m.MRRAt10 = round4(a.mrr / float64(a.n))
		}
		r.ByLang[string(l)] = m
	}
	p := decide(outs, t)
	r.AnsweredPrecision, r.InScopeCoverage, r.OutOfScopeAnswerRate = p.AnsweredPrecision, p.InScopeCoverage, p.OutOfScopeAnswerRate
	for i := 0; i <= 20; i++ {
		r.Curve = append(r.Curve, decide(outs, float64(i)/20))
	}
	return r
}

func decide(outs []Outcome, t float64) CurvePoint {
	var answered, right, in, inAnswered, out, outAnswered int
	for _, o := range outs {
		ans := o.Top != "" && o.Confidence >= t
		if o.Query.Expected == "" {
			out++
			if ans {
				outAnswered++
			}
		} else {
			in++
			if ans {
				inAnswered++
			}
		}
		if ans {
			answered++
			if o.Right() {
				right++
			}
		}
	}
	p := CurvePoint{Threshold: round4(t)}
	if answered > 0 {
		p.AnsweredPrecision = round4(float64(right) / float64(answered))
	} else {
		p.AnsweredPrecision = 1 // nothing answered, nothing wrong
	}
	if in > 0 {
		p.InScopeCoverage = round4(float64(inAnswered) / float64(in))
	}
	if out > 0 {
		p.OutOfScopeAnswerRate = round4(float64(outAnswered) / float64(out))
	}
	return p
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }
