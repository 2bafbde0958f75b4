package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/web/webtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func runCLI(t *testing.T, dbURL, stdin string, args ...string) (int, string, string) {
	t.Helper()
	env := map[string]string{"DATABASE_URL": dbURL, "APP_ENV": "development"}
	var out, errb bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	cases := [][]string{{}, {"frobnicate"}, {"user"}, {"user", "add"}, {"user", "add", "--email", "x@example.com", "--bogus"},
		{"user", "add", "--email", "x@example.com", "--role", "root"}, {"migrate"}, {"migrate", "sideways"}, {"serve", "--nope"}, {"dev"}}
	for _, args := range cases {
		code, _, stderr := runCLI(t, "postgres://127.0.0.1:1/none", "", args...)
		require.Equal(t, exitUsage, code, "%v", args)
		require.Contains(t, stderr, "Usage:", "%v", args)
	}
	code, out, _ := runCLI(t, "", "", "help")
	require.Zero(t, code)
	require.Contains(t, out, "botbridge user add")
}

func TestConfigErrorNamesVariable(t *testing.T) {
	t.Parallel()
	code, _, stderr := runCLI(t, "", "", "user", "list")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "DATABASE_URL is required")
}

// An operator creates a moderator from the command line; the moderator can
// then log in through the web form and reaches the moderator's landing page.
func TestUserAddModeratorCanLogIn(t *testing.T) {
	t.Parallel()
	pool, dbURL := dbtest.NewDatabase(t)

	code, out, stderr := runCLI(t, dbURL, "moderator password 1\n", "user", "add", "--email", "Mod@Example.com", "--role", "moderator", "--password-stdin")
	require.Zero(t, code, stderr)
	require.Contains(t, out, "created moderator mod@example.com")
	require.NotContains(t, out, "password:", "a given password is not printed")

	code, out, stderr = runCLI(t, dbURL, "", "user", "add", "--email", "admin@example.com", "--role", "admin")
	require.Zero(t, code, stderr)
	require.Regexp(t, `password: \S{20,}`, out)
	generated := strings.TrimSpace(out[strings.Index(out, "password: ")+len("password: "):])

	code, _, stderr = runCLI(t, dbURL, "another password\n", "user", "add", "--email", "mod@example.com", "--role", "owner", "--password-stdin")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "already has an account")

	code, out, _ = runCLI(t, dbURL, "", "user", "list")
	require.Zero(t, code)
	require.Contains(t, out, "mod@example.com")
	require.Contains(t, out, "moderator")

	srv := webtest.Server(t, pool)
	c := webtest.NewClient(t, srv)
	r := c.Post("/login", url.Values{"email": {"mod@example.com"}, "password": {"moderator password 1"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, "/moderation", r.Location())
	webtest.NewClient(t, srv).Login("admin@example.com", generated)

	code, out, _ = runCLI(t, dbURL, "", "user", "disable", "--email", "mod@example.com")
	require.Zero(t, code)
	require.Contains(t, out, "disabled mod@example.com")
	require.Equal(t, http.StatusSeeOther, c.Get("/projects").StatusCode, "session ended by disable")
	code, _, stderr = runCLI(t, dbURL, "", "user", "disable", "--email", "nobody@example.com")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "not found")
}

func TestSeedIsIdempotent(t *testing.T) {
	t.Parallel()
	pool, dbURL := dbtest.NewDatabase(t)
	for range 2 {
		code, out, stderr := runCLI(t, dbURL, "", "dev", "seed")
		require.Zero(t, code, stderr)
		require.Contains(t, out, "owner@demo.test")
		require.Contains(t, out, "moderator@demo.test")
		require.Contains(t, out, "admin@demo.test")
	}
	ctx := context.Background()
	var users, projects int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&users))
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM projects WHERE name = 'Demo shop'`).Scan(&projects))
	require.Equal(t, 3, users)
	require.Equal(t, 1, projects)
	webtest.NewClient(t, webtest.Server(t, pool)).Login("owner@demo.test", "demo-owner-password")
}

func TestMigrateCommand(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.EmptyDatabase(t)
	code, out, stderr := runCLI(t, dbURL, "", "migrate", "up")
	require.Zero(t, code, stderr)
	require.Contains(t, out, "applied 00001_init.sql")
	code, out, _ = runCLI(t, dbURL, "", "migrate", "up")
	require.Zero(t, code)
	require.Contains(t, out, "database is up to date")
	code, out, _ = runCLI(t, dbURL, "", "migrate", "status")
	require.Zero(t, code)
	require.Contains(t, out, "applied    00001_init.sql")
	code, out, _ = runCLI(t, dbURL, "", "migrate", "down")
	require.Zero(t, code)
	require.Contains(t, out, "rolled back")
}
