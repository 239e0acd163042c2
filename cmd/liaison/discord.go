package main

import (
	"context"
	"errors"
	"io"
)

// runDiscord is being written.
func runDiscord(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not built yet")
}
