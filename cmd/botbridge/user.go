package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db"
)

func cmdUser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("user needs one of add, list, disable: %w", errUsage)
	}
	sub, args := args[0], args[1:]
	fs := newFlags("user "+sub, stderr)
	var email, role *string
	var pwStdin *bool
	switch sub {
	case "add":
		email = fs.String("email", "", "e-mail address")
		role = fs.String("role", "owner", "owner, moderator or admin")
		pwStdin = fs.Bool("password-stdin", false, "read the password from standard input")
	case "disable":
		email = fs.String("email", "", "e-mail address")
	case "list":
	default:
		return fmt.Errorf("user: unknown action %q (want add, list or disable): %w", sub, errUsage)
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if email != nil && strings.TrimSpace(*email) == "" {
		return fmt.Errorf("user %s: --email is required: %w", sub, errUsage)
	}
	var r auth.Role
	if role != nil {
		var err error
		if r, err = auth.ParseRole(*role); err != nil {
			return fmt.Errorf("user add: --role must be owner, moderator or admin: %w", errUsage)
		}
	}

	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL, 2)
	if err != nil {
		return err
	}
	defer pool.Close()

	switch sub {
	case "add":
		password, generated := "", false
		if *pwStdin {
			line, err := bufio.NewReader(stdin).ReadString('\n')
			if err != nil && err != io.EOF {
				return fmt.Errorf("user add: read password: %w", err)
			}
			password = strings.TrimRight(line, "\r\n")
		} else {
			if password, err = generatePassword(); err != nil {
				return err
			}
			generated = true
		}
		u, err := auth.CreateUser(ctx, pool, *email, password, r)
		if err != nil {
			return err
		}
		// The operator vouches for the address they typed.
		if err := auth.MarkVerified(ctx, pool, u.ID); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created %s %s (id %d)\n", u.Role, u.Email, u.ID)
		if generated {
			fmt.Fprintf(stdout, "password: %s\n", password)
		}
	case "list":
		users, err := auth.ListUsers(ctx, pool)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tE-MAIL\tROLE\tSTATUS\tCREATED")
		for _, u := range users {
			status := "active"
			if u.Disabled {
				status = "disabled"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Role, status, u.CreatedAt.UTC().Format("2006-01-02 15:04"))
		}
		return tw.Flush()
	case "disable":
		u, err := auth.DisableUser(ctx, pool, *email)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "disabled %s; their sessions have ended\n", u.Email)
	}
	return nil
}

// generatePassword returns 18 random bytes as 24 URL-safe characters.
func generatePassword() (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
