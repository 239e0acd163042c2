package main

import (
	"context"
	"errors"
	"io"
)

// runKB is being written.
func runKB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not built yet")
}

// runAsk is being written.
func runAsk(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not built yet")
}
