package main

import (
	"context"
	"errors"
	"io"
)

// runPhase is being written.
func runPhase(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not built yet")
}

// runBroadcast is being written.
func runBroadcast(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not built yet")
}
