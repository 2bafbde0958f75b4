package main

import (
	"context"
	"errors"
	"io"
)

// cmdDemobot runs the demo bot (see internal/demobot).
func cmdDemobot(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errors.New("demobot: not built yet")
}
