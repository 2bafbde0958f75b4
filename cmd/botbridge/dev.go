package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/project"
)

// Demo accounts for `make run`. Their passwords are public on purpose, so
// seeding refuses to run outside development.
var demoAccounts = []struct {
	Email, Password string
	Role            auth.Role
}{
	{"owner@demo.test", "demo-owner-password", auth.RoleOwner},
	{"moderator@demo.test", "demo-moderator-password", auth.RoleModerator},
	{"admin@demo.test", "demo-admin-password", auth.RoleAdmin},
}

const demoProject = "Demo shop"

func cmdDev(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) >= 1 && args[0] == "run" {
		return cmdDevRun(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) != 1 || args[0] != "seed" {
		return fmt.Errorf("dev needs: seed or run: %w", errUsage)
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if !cfg.Dev() {
		return errors.New("dev seed: refusing to create demo accounts with public passwords outside APP_ENV=development")
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := seedDemo(ctx, pool); err != nil {
		return err
	}
	printLogins(stdout, cfg.BaseURL.String())
	return nil
}

// seedDemo is idempotent: existing accounts get their demo password back,
// the project is found by name rather than created twice.
func seedDemo(ctx context.Context, conn db.Conn) error {
	ids := map[string]int64{}
	for _, a := range demoAccounts {
		u, err := auth.CreateUser(ctx, conn, a.Email, a.Password, a.Role)
		if errors.Is(err, apperr.ErrConflict) {
			if u, err = auth.GetUserByEmail(ctx, conn, a.Email); err != nil {
				return err
			}
			hash, herr := auth.HashPassword(ctx, a.Password)
			if herr != nil {
				return herr
			}
			if err = dbsqlc.New(conn).UpdateUserPassword(ctx, dbsqlc.UpdateUserPasswordParams{ID: u.ID, PasswordHash: hash}); err != nil {
				return fmt.Errorf("dev seed: reset password: %w", err)
			}
		}
		if err != nil {
			return err
		}
		// Demo accounts can do everything at once, filing requests too.
		if err := auth.MarkVerified(ctx, conn, u.ID); err != nil {
			return err
		}
		ids[a.Email] = u.ID
	}
	if _, _, err := project.EnsureNamed(ctx, conn, ids["owner@demo.test"], demoProject); err != nil {
		return err
	}
	return nil
}

func printLogins(w io.Writer, baseURL string) {
	fmt.Fprintf(w, `
  botbridge is ready: %s

  Log in as the project owner:  owner@demo.test      / demo-owner-password
  Log in as the moderator:      moderator@demo.test  / demo-moderator-password
  Log in as the admin:          admin@demo.test      / demo-admin-password  (sees sent mail at /dev/mail)

`, baseURL)
}
