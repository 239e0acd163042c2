package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/liaison-gc/liaison/i18n"
	"github.com/liaison-gc/liaison/knowledge"
)

// runKBCalibrate refits the ranking and the confidence calibration. Each
// argument is one run "KB,VARIANTS,QUERIES" (VARIANTS may be empty); the
// runs are pooled. It prints the Go literals for knowledge.DefaultRanker and
// knowledge.DefaultCalibration, the same weights in the form the eval
// command's --ranker and --calibration flags take (to check them on other
// runs), and the report the new weights give on the pooled queries.
func runKBCalibrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newKBFlags("kb calibrate", stderr)
	allowUnpaired := fs.Bool("allow-unpaired", false, "serve entries that exist in one language only")
	trustLang := fs.Bool("trust-lang", false, "use each query's labelled language instead of detecting it")
	l2 := fs.Float64("l2", 1, "L2 penalty of the fits")
	threshold := fs.Float64("threshold", knowledge.DefaultThreshold, "threshold of the printed report")
	pos, err := parseKBFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("kb calibrate: usage: liaison kb calibrate [--allow-unpaired] KB,VARIANTS,QUERIES...")
	}
	var runs []knowledge.FitRun
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
			return reportQueries(err, stderr)
		}
		runs = append(runs, knowledge.FitRun{Options: opts, Queries: qs})
		fmt.Fprintf(stderr, "%s: %d queries\n", run, len(qs))
	}
	rk, cal, outs, err := knowledge.Fit(ctx, runs, knowledge.FitOptions{Detect: i18n.Detect, TrustLang: *trustLang, L2: *l2})
	if err != nil {
		return reportKB(err, stderr)
	}
	fmt.Fprintf(stdout, "var DefaultRanker = %#v\n", rk)
	fmt.Fprintf(stdout, "var DefaultCalibration = %#v\n\n", cal)
	fmt.Fprintf(stdout, "--ranker %s --calibration %s\n\n", rk, cal)
	printReport(stdout, knowledge.Summarize(outs, *threshold))
	return nil
}
