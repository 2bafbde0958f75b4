package main

import (
	"context"
	"fmt"
	"io"

	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/secret"
)

// cmdSecrets is `botbridge secrets reencrypt`: the key rotation procedure
// of docs/operations.md. With the new key as SECRET_KEY and the old one in
// SECRET_KEY_OLD, it reseals every stored secret under the new key, in
// batches, while botbridge keeps serving, and says when SECRET_KEY_OLD can
// be dropped. It exits 1 while something still needs an old key.
func cmdSecrets(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "reencrypt" {
		return fmt.Errorf("secrets needs reencrypt: %w", errUsage)
	}
	fs := newFlags("secrets reencrypt", stderr)
	batch := fs.Int("batch", 100, "rows per batch")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	kr, err := secret.NewKeyring(cfg.SecretKey, cfg.OldSecretKeys...)
	if err != nil {
		return fmt.Errorf("SECRET_KEY: %w", err)
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	rep, err := integration.Reencrypt(ctx, pool, kr, *batch)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "resealed %d, skipped %d, still under an old key %d\n", rep.Resealed, rep.Skipped, rep.Remaining)
	if rep.Remaining > 0 {
		return fmt.Errorf("secrets reencrypt: %d ciphertexts still need an old key (a key missing from SECRET_KEY_OLD, or rows changed during the run): run it again", rep.Remaining)
	}
	fmt.Fprintln(stdout, "no stored secret needs an old key: SECRET_KEY_OLD can be removed")
	return nil
}
