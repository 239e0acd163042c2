package main

import (
	"context"
	"errors"
	"io"
)

// runSlack is being written.
func runSlack(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not built yet")
}
