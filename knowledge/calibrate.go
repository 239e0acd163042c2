package knowledge

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Calibration is a logistic model from a search's confidence features (the
// cf constants in search.go: softmax share, margin, coverage, overlap,
// unknown and typo shares, query length...) to the probability that the top
// hit is the right entry.
type Calibration struct {
	Bias    float64
	Weights []float64
}

// DefaultCalibration was fitted with `liaison kb calibrate` on the
// development split of the evaluation data (see doc.go), with DefaultRanker.
// Refit both when the ranking or the features change. Weights are in the
// order of the cf constants in search.go.
var DefaultCalibration = Calibration{Bias: -3.1024, Weights: []float64{3.3644, 0.4879, -1.9733, 0.9430, 0.5095, -3.7486, 0.5029, 0.7721, -1.7679, -0.7325, -1.2630, 3.3492, 1.1475}}

// Ranker is a linear model over a candidate entry's ranking features (see
// the rf constants in search.go); candidates are ranked by its score and
// the softmax of the scores is the candidates' share of probability.
type Ranker struct {
	Weights []float64
}

// DefaultRanker was fitted with `liaison kb calibrate` (conditional logit
// over each query's candidates) on the development split of the
// evaluation data (see doc.go), each run weighing the same. Weights are in
// the order of the rf constants in search.go.
var DefaultRanker = Ranker{Weights: []float64{-0.5081, -1.8043, -1.4320, 1.8438, 0.3287, -0.1984, 0.0501, 2.1205, 0.2535, 0.7374, -0.0279, -0.1334, 0.0288, 0.5765, 0.7529, 2.1746, 0.3486, 1.2909, 0.3344, 1.8480, 2.6592, 2.1205, 2.6915, 1.1375}}

func (r *Ranker) score(f []float64) float64 {
	var s float64
	for i, x := range f {
		if i < len(r.Weights) {
			s += r.Weights[i] * x
		}
	}
	return s
}

// DefaultThreshold is the calibrated confidence at which the bot answers
// rather than escalates (knowledge.answer_threshold).
// Out of sample, answered precision at 0.80 was 0.943-0.954 on the
// development data, and 0.952-0.984 at 0.85 with in-scope coverage of 0.56
// to 0.71 (see doc.go).
const DefaultThreshold = 0.85

// Sample is one labelled search for fitting: the top hit's features and
// whether it was right.
type Sample struct {
	X     []float64
	Right bool
}

// FitLogistic fits a logistic regression by Newton's method with a small
// L2 penalty (deterministic, no dependencies).
func FitLogistic(samples []Sample, l2 float64, iters int) Calibration {
	if len(samples) == 0 {
		return DefaultCalibration
	}
	d := len(samples[0].X) + 1
	w := make([]float64, d)
	for it := 0; it < iters; it++ {
		g := make([]float64, d)
		h := make([][]float64, d)
		for i := range h {
			h[i] = make([]float64, d)
		}
		for _, s := range samples {
			x := append([]float64{1}, s.X...)
			z := 0.0
			for i := range x {
				z += w[i] * x[i]
			}
			p := 1 / (1 + math.Exp(-z))
			y := 0.0
			if s.Right {
				y = 1
			}
			for i := range x {
				g[i] += (p - y) * x[i]
				for j := range x {
					h[i][j] += p * (1 - p) * x[i] * x[j]
				}
			}
		}
		for i := 1; i < d; i++ {
			g[i] += l2 * w[i]
			h[i][i] += l2
		}
		h[0][0] += 1e-9
		step := solve(h, g)
		for i := range w {
			w[i] -= step[i]
		}
	}
	return Calibration{Bias: w[0], Weights: w[1:]}
}

// solve solves a*x = b by Gaussian elimination with partial pivoting.
func solve(a [][]float64, b []float64) []float64 {
	n := len(b)
	m := make([][]float64, n)
	for i := range a {
		m[i] = append(append([]float64{}, a[i]...), b[i])
	}
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		m[c], m[p] = m[p], m[c]
		if m[c][c] == 0 {
			continue
		}
		for r := 0; r < n; r++ {
			if r == c {
				continue
			}
			f := m[r][c] / m[c][c]
			for k := c; k <= n; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	x := make([]float64, n)
	for i := range x {
		if m[i][i] != 0 {
			x[i] = m[i][n] / m[i][i]
		}
	}
	return x
}

// ParseCalibration reads "bias,w1,w2,..." (as printed by the calibrate
// command's -short output).
func ParseCalibration(s string) (Calibration, error) {
	parts := strings.Split(s, ",")
	var c Calibration
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return Calibration{}, fmt.Errorf("kb: calibration %q: %w", s, err)
		}
		if i == 0 {
			c.Bias = v
		} else {
			c.Weights = append(c.Weights, v)
		}
	}
	return c, nil
}

// GoString prints the calibration as the Go literal to paste into
// DefaultCalibration.
func (c Calibration) GoString() string {
	ws := make([]string, len(c.Weights))
	for i, w := range c.Weights {
		ws[i] = fmt.Sprintf("%.4f", w)
	}
	return fmt.Sprintf("Calibration{Bias: %.4f, Weights: []float64{%s}}", c.Bias, strings.Join(ws, ", "))
}

// Confidence applies the calibration to a feature vector (Outcome.X).
func (c Calibration) Confidence(x []float64) float64 {
	z := c.Bias
	for i, v := range x {
		if i < len(c.Weights) {
			z += c.Weights[i] * v
		}
	}
	return 1 / (1 + math.Exp(-z))
}
