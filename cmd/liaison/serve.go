package main

import (
	"context"
	"errors"
	"io"
)

// runServe is being written.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not built yet")
}
