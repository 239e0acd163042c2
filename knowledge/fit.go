package knowledge

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/liaison-gc/liaison/bot"
)

// FitRun is one fitting run: a knowledge base (with variants) and labelled
// queries searched against it.
type FitRun struct {
	Options Options
	Queries []Query
	// Weight multiplies the run's share of the ranker's objective (0 means
	// 1). Runs are first balanced so that each weighs the same whatever its
	// number of queries: a small knowledge base (or language) counts as
	// much as a large one.
	Weight float64
}

// FitOptions tune Fit.
type FitOptions struct {
	Detect    bot.Detector // nil or TrustLang: use each query's label
	TrustLang bool
	L2        float64 // L2 penalty of both fits
}

// Fit refits the ranking and the confidence on labelled runs. First the
// Ranker, a conditional logit over each in-scope query's candidate entries
// (the expected entry against the others found, for every query whose
// expected entry is among the candidates); then, with that ranker, the
// Calibration, a logistic regression from the top hit's confidence features
// to whether it is right (out-of-scope queries are never right). It returns
// both and the outcomes of every query under them.
func Fit(ctx context.Context, runs []FitRun, opts FitOptions) (Ranker, Calibration, []Outcome, error) {
	var groups []fitGroup
	var counts []int
	for _, run := range runs {
		first := len(groups)
		x, err := Open(ctx, run.Options)
		if err != nil {
			return Ranker{}, Calibration{}, nil, err
		}
		w := run.Weight
		if w == 0 {
			w = 1
		}
		for _, q := range run.Queries {
			if q.Expected == "" {
				continue
			}
			lang := q.Lang
			if !opts.TrustLang && opts.Detect != nil {
				lang, _ = opts.Detect(q.Query)
			}
			var g fitGroup
			x.collect = func(l bot.Lang, _ analyzed, cands []candidate) {
				s := x.cur.Load()
				for _, c := range cands {
					if s.entries[c.entry].ID == q.Expected {
						g.gold = len(g.x)
					}
					g.x = append(g.x, append([]float64(nil), c.f[:]...))
				}
			}
			g.gold, g.w = -1, w
			if _, err := x.search(ctx, q.Query, lang, 1); err != nil {
				x.Close()
				return Ranker{}, Calibration{}, nil, err
			}
			if g.gold >= 0 && len(g.x) > 1 {
				groups = append(groups, g)
			}
		}
		x.Close()
		counts = append(counts, len(groups)-first)
	}
	// Balance the runs: each run's groups together weigh the mean run size.
	first := 0
	for _, n := range counts {
		for i := first; i < first+n; i++ {
			groups[i].w *= float64(len(groups)) / float64(len(counts)) / float64(n)
		}
		first += n
	}
	rk := fitConditionalLogit(groups, opts.L2, 25)
	var samples []Sample
	var outs []Outcome
	for _, run := range runs {
		o := run.Options
		o.Ranker = &rk
		x, err := Open(ctx, o)
		if err != nil {
			return Ranker{}, Calibration{}, nil, err
		}
		_, os, err := x.Eval(ctx, run.Queries, EvalOptions{Detect: opts.Detect, TrustLang: opts.TrustLang})
		x.Close()
		if err != nil {
			return Ranker{}, Calibration{}, nil, err
		}
		for _, o := range os {
			samples = append(samples, Sample{X: o.X, Right: o.Right()})
		}
		outs = append(outs, os...)
	}
	cal := FitLogistic(samples, opts.L2, 30)
	for i := range outs {
		outs[i].Confidence = cal.Confidence(outs[i].X)
	}
	return rk, cal, outs, nil
}

// fitGroup is one query's candidates and which of them is right.
type fitGroup struct {
	x    [][]float64
	gold int
	w    float64
}

// fitConditionalLogit maximises the weighted log-probability of each
// group's right candidate under a softmax of linear scores, minus an L2
// penalty, by Newton's method with step halving (the features are close to
// collinear, and full steps can overshoot).
func fitConditionalLogit(groups []fitGroup, l2 float64, iters int) Ranker {
	if len(groups) == 0 {
		return DefaultRanker
	}
	d := len(groups[0].x[0])
	w := make([]float64, d)
	obj := func(w []float64, g []float64, h [][]float64) float64 {
		var ll float64
		for _, gr := range groups {
			s := make([]float64, len(gr.x))
			top := math.Inf(-1)
			for i, x := range gr.x {
				for k := range x {
					s[i] += w[k] * x[k]
				}
				top = max(top, s[i])
			}
			var z float64
			for i := range s {
				z += math.Exp(s[i] - top)
			}
			ll += gr.w * (s[gr.gold] - top - math.Log(z))
			if g == nil {
				continue
			}
			mu := make([]float64, d)
			for i, x := range gr.x {
				p := math.Exp(s[i]-top) / z
				for k := range x {
					mu[k] += p * x[k]
				}
			}
			for i, x := range gr.x {
				p := math.Exp(s[i]-top) / z
				for a := range d {
					for b := range d {
						h[a][b] += gr.w * p * (x[a] - mu[a]) * (x[b] - mu[b])
					}
				}
			}
			for k := range d {
				g[k] += gr.w * (gr.x[gr.gold][k] - mu[k])
			}
		}
		for k := range d {
			ll -= l2 / 2 * w[k] * w[k]
			if g != nil {
				g[k] -= l2 * w[k]
				h[k][k] += l2 + 1e-9
			}
		}
		return ll
	}
	for it := 0; it < iters; it++ {
		g := make([]float64, d)
		h := make([][]float64, d)
		for i := range h {
			h[i] = make([]float64, d)
		}
		cur := obj(w, g, h)
		step := solve(h, g)
		next := make([]float64, d)
		improved := false
		for t := 1.0; t > 1e-4; t /= 2 {
			for k := range w {
				next[k] = w[k] + t*step[k]
			}
			if obj(next, nil, nil) > cur+1e-9 {
				improved = true
				break
			}
		}
		if !improved {
			break
		}
		copy(w, next)
	}
	return Ranker{Weights: w}
}

// GoString prints the ranker as the Go literal to paste into DefaultRanker.
func (r Ranker) GoString() string {
	ws := make([]string, len(r.Weights))
	for i, w := range r.Weights {
		ws[i] = fmt.Sprintf("%.4f", w)
	}
	return fmt.Sprintf("Ranker{Weights: []float64{%s}}", strings.Join(ws, ", "))
}

// String prints the weights as "w1,w2,...", the form ParseRanker reads.
func (r Ranker) String() string {
	ws := make([]string, len(r.Weights))
	for i, w := range r.Weights {
		ws[i] = strconv.FormatFloat(w, 'g', 6, 64)
	}
	return strings.Join(ws, ",")
}

// ParseRanker reads "w1,w2,..." as printed by Ranker.String.
func ParseRanker(s string) (Ranker, error) {
	var r Ranker
	for _, p := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return Ranker{}, fmt.Errorf("kb: ranker %q: %w", s, err)
		}
		r.Weights = append(r.Weights, v)
	}
	if len(r.Weights) != numRankFeatures {
		return Ranker{}, fmt.Errorf("kb: ranker %q: want %d weights, got %d", s, numRankFeatures, len(r.Weights))
	}
	return r, nil
}

// String prints the calibration as "bias,w1,w2,...", the form
// ParseCalibration reads.
func (c Calibration) String() string {
	ws := []string{strconv.FormatFloat(c.Bias, 'g', 6, 64)}
	for _, w := range c.Weights {
		ws = append(ws, strconv.FormatFloat(w, 'g', 6, 64))
	}
	return strings.Join(ws, ",")
}
