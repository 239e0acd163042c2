package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/liaison-gc/liaison/i18n"
	"github.com/liaison-gc/liaison/knowledge"
)

// runKBCalibrate refits the confidence calibration. Each argument is one
// run "KB,VARIANTS,QUERIES" (VARIANTS may be empty); the outcomes of every
// run are pooled. It prints the Go literal for knowledge.DefaultCalibration
// and the decision curve the new calibration gives on the pooled queries.
func runKBCalibrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newKBFlags("kb calibrate", stderr)
	allowUnpaired := fs.Bool("allow-unpaired", false, "serve entries that exist in one language only")
	trustLang := fs.Bool("trust-lang", false, "use each query's labelled language instead of detecting it")
	l2 := fs.Float64("l2", 1, "L2 penalty of the logistic fit")
	pos, err := parseKBFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("kb calibrate: usage: liaison kb calibrate [--allow-unpaired] KB,VARIANTS,QUERIES...")
	}
	var samples []knowledge.Sample
	var all []knowledge.Outcome
	for _, run := range pos {
		parts := strings.Split(run, ",")
		if len(parts) != 3 {
			return usagef("kb calibrate: %q: give KB,VARIANTS,QUERIES", run)
		}
		opts := knowledge.Options{Path: parts[0], AllowUnpaired: *allowUnpaired}
		if parts[1] != "" {
			opts.Variants = []string{parts[1]}
		}
		qs, err := knowledge.LoadQueries(parts[2])
		if err != nil {
			return reportKB(err, stderr)
		}
		x, err := knowledge.Open(ctx, opts)
		if err != nil {
			return reportKB(err, stderr)
		}
		_, outs, err := x.Eval(ctx, qs, knowledge.EvalOptions{Detect: i18n.Detect, TrustLang: *trustLang})
		x.Close()
		if err != nil {
			return err
		}
		for _, o := range outs {
			samples = append(samples, knowledge.Sample{X: o.X, Right: o.Right()})
		}
		all = append(all, outs...)
		fmt.Fprintf(stderr, "%s: %d queries\n", run, len(outs))
	}
	cal := knowledge.FitLogistic(samples, *l2, 30)
	fmt.Fprintf(stdout, "var DefaultCalibration = %#v\n\n", cal)
	for i := range all {
		all[i].Confidence = cal.Confidence(all[i].X)
	}
	printReport(stdout, knowledge.Summarize(all, knowledge.DefaultThreshold))
	return nil
}
