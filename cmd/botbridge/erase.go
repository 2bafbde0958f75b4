package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/lifecycle"
)

// cmdErase is `botbridge erase --project P --visitor V` (or `--chat C`,
// a Webim chat id): an operator erases one visitor's chats, for a request
// that reached them rather than the project's owner. It removes what the
// Settings page's erasure removes and is recorded in the project's audit
// log the same way, as done by botbridge (no account).
func cmdErase(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("erase", stderr)
	projectID := fs.Int64("project", 0, "project id")
	visitor := fs.String("visitor", "", "Webim visitor id")
	chat := fs.String("chat", "", "Webim chat id")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *projectID <= 0 || (*visitor == "") == (*chat == "") {
		return fmt.Errorf("erase needs --project and one of --visitor or --chat: %w", errUsage)
	}
	target := lifecycle.Target{VisitorID: *visitor, PlatformChatID: *chat}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	got, err := lifecycle.Erase(ctx, pool, *projectID, nil, target)
	if errors.Is(err, apperr.ErrNotFound) {
		return fmt.Errorf("erase: project %d has no chat of that visitor or with that id (nothing erased)", *projectID)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "erased %d chat(s), %d event(s), %d call record(s)\n", got.Chats, got.Events, got.Calls)
	return nil
}
