package main

import (
	"context"
	"fmt"
	"io"
	"path"

	"github.com/botbridge/botbridge/internal/db"
)

func cmdMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("migrate needs one of up, down, status: %w", errUsage)
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	m, err := db.NewMigrator(cfg.DatabaseURL, nil)
	if err != nil {
		return err
	}
	defer m.Close()
	switch args[0] {
	case "up":
		res, err := m.Up(ctx)
		for _, r := range res {
			fmt.Fprintf(stdout, "applied %s (%s)\n", path.Base(r.Source.Path), r.Duration.Round(1e6))
		}
		if err != nil {
			return err
		}
		if len(res) == 0 {
			fmt.Fprintln(stdout, "database is up to date")
		}
	case "down":
		r, err := m.Down(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "rolled back %s\n", path.Base(r.Source.Path))
	case "status":
		st, err := m.Status(ctx)
		if err != nil {
			return err
		}
		for _, s := range st {
			fmt.Fprintf(stdout, "%-10s %s\n", s.State, path.Base(s.Source.Path))
		}
	default:
		return fmt.Errorf("migrate: unknown action %q (want up, down or status): %w", args[0], errUsage)
	}
	return nil
}
