package main

import (
	"context"
	"errors"
	"io"
)

// cmdSandbox runs the Webim sandbox (see internal/sandbox).
func cmdSandbox(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errors.New("sandbox: not built yet")
}
