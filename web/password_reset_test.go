package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/web"
	"github.com/botbridge/botbridge/web/webtest"
)

// The whole reset: "Forgot password?" on the log-in page, the mail over
// real SMTP, the link's form (bad passwords refused, link still usable),
// the new password set, every session of the account ended, this browser
// logged in; the link then works no more.
func TestPasswordResetOverSMTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, _ := dbtest.NewDatabase(t)
	sink := startSMTPSink(t)
	const email = "forgetful@example.com"
	u := testfactory.User(ctx, t, pool, &testfactory.UserOpts{Email: testfactory.Ptr(email)})
	srv := webtest.Server(t, pool)

	other := webtest.NewClient(t, srv) // a session elsewhere, maybe someone else's
	other.Login(email, testfactory.Password)

	c := webtest.NewClient(t, srv)
	r := c.Get("/login")
	require.Equal(t, "/password/reset", r.Doc.Find(`a[href="/password/reset"]`).AttrOr("href", ""))
	require.Equal(t, "Forgot password?", r.Text(`a[href="/password/reset"]`))
	r = c.Get("/password/reset")
	require.Equal(t, http.StatusOK, r.StatusCode)
	r = c.Post("/password/reset", url.Values{"email": {" Forgetful@Example.com "}})
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, "Check your mail", r.Text("h1"))

	deliverOutbox(t, pool, sink)
	msgs := sink.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, []string{email}, msgs[0].To)
	require.Equal(t, "Reset your botbridge password", msgs[0].Subject)
	require.Contains(t, msgs[0].Body, "within 60 minutes")
	link := linkIn(t, msgs[0].Body, "/password/reset/")
	require.GreaterOrEqual(t, len(strings.TrimPrefix(link, "/password/reset/")), 43, "≥ 256 bits in base64url")

	r = c.Get(link)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, "Choose a new password", r.Text("h1"))
	bad := []struct{ pw, confirm, field, msg string }{
		{"qwertyuiop", "qwertyuiop", "password", "This password is one of the most common ones and is easy to guess. Choose another."},
		{"Forgetful-2026!", "Forgetful-2026!", "password", "The password must not contain your e-mail address. Choose another."},
		{"short", "short", "password", "The password must be at least 10 characters long."},
		{"a fine new password", "another one", "confirm", "The passwords do not match."},
	}
	for _, b := range bad {
		r = c.Post(link, url.Values{"password": {b.pw}, "confirm": {b.confirm}})
		require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, b.pw)
		require.Equal(t, b.msg, r.FieldError(b.field), b.pw)
		require.Empty(t, r.Value("password"), "a password is never echoed")
	}
	require.Equal(t, http.StatusOK, other.Get("/projects").StatusCode, "refused forms change nothing")

	r = c.Post(link, url.Values{"password": {"a fine new password"}, "confirm": {"a fine new password"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode, r.Text(".error-summary"))
	require.Equal(t, "/projects", r.Location())
	r = c.Follow(r)
	require.Equal(t, email, r.Text(".account"), "logged in with a fresh session")
	require.Contains(t, r.Text(".flash"), "Your password has been reset")

	require.Equal(t, http.StatusSeeOther, other.Get("/projects").StatusCode, "the other session has ended")
	fresh := webtest.NewClient(t, srv)
	r = fresh.Post("/login", url.Values{"email": {email}, "password": {testfactory.Password}})
	require.Equal(t, http.StatusUnauthorized, r.StatusCode, "the old password is gone")
	fresh.Login(email, "a fine new password")

	// Single use: the link is dead, and using it again changes nothing.
	r = c.Get(link)
	require.Equal(t, http.StatusNotFound, r.StatusCode)
	require.Equal(t, "This link no longer works", r.Text("h1"))
	r = webtest.NewClient(t, srv).Post(link, url.Values{"password": {"an attacker password"}, "confirm": {"an attacker password"}})
	require.Equal(t, http.StatusNotFound, r.StatusCode)
	webtest.NewClient(t, srv).Login(email, "a fine new password")
	_ = u
}

func TestPasswordResetLinkExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	u := testfactory.User(ctx, t, tx, nil)
	c := webtest.NewClient(t, webtest.Server(t, tx, func(d *web.Deps) { d.Accounts = auth.DefaultAccounts; d.Accounts.ResetPad = 0 }))
	require.Equal(t, http.StatusOK, c.Post("/password/reset", url.Values{"email": {u.Email}}).StatusCode)
	link := mailLink(t, tx, u.Email, "/password/reset/")
	require.Equal(t, http.StatusOK, c.Get(link).StatusCode, "live for now")

	// An hour and a minute later.
	_, err := tx.Exec(ctx, `UPDATE account_tokens SET expires_at = now() - interval '1 minute' WHERE user_id = $1`, u.ID)
	require.NoError(t, err)
	r := c.Get(link)
	require.Equal(t, http.StatusNotFound, r.StatusCode)
	require.Contains(t, r.Text("main p"), "has expired")
	r = c.Post(link, url.Values{"password": {"a fine new password"}, "confirm": {"a fine new password"}})
	require.Equal(t, http.StatusNotFound, r.StatusCode)
	webtest.NewClient(t, webtest.Server(t, tx)).Login(u.Email, testfactory.Password)

	// Tampered tokens are the same dead link, and a verification link is
	// no reset link.
	for _, bad := range []string{"/password/reset/x", "/password/reset/" + strings.Repeat("A", 43), "/password/reset/" + strings.Repeat("A", 300)} {
		require.Equal(t, http.StatusNotFound, c.Get(bad).StatusCode, bad)
	}
}

// No enumeration: an address with an account and one without get the same
// status and page (the typed address aside) in similar time, and only the
// first gets mail.
func TestPasswordResetDoesNotRevealAccounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	u := testfactory.User(ctx, t, tx, nil)
	srv := webtest.Server(t, tx) // the default pad of 300 ms
	c := webtest.NewClient(t, srv)
	c.Get("/password/reset")

	ask := func(email string) (int, string, time.Duration) {
		start := time.Now()
		r := c.Post("/password/reset", url.Values{"email": {email}})
		return r.StatusCode, strings.ReplaceAll(r.Body, email, "ADDRESS"), time.Since(start)
	}
	var known, unknown []time.Duration
	var knownBody, unknownBody string
	for i := range 3 {
		st, body, d := ask(u.Email)
		require.Equal(t, http.StatusOK, st)
		known, knownBody = append(known, d), body
		st, body, d = ask("nobody-" + string(rune('a'+i)) + "@example.com")
		require.Equal(t, http.StatusOK, st)
		unknown, unknownBody = append(unknown, d), strings.ReplaceAll(body, "nobody-"+string(rune('a'+i))+"@example.com", "ADDRESS")
	}
	require.Equal(t, knownBody, unknownBody, "the same page either way")
	median := func(ds []time.Duration) time.Duration { slices.Sort(ds); return ds[len(ds)/2] }
	require.GreaterOrEqual(t, median(unknown), 300*time.Millisecond, "no quicker answer for unknown addresses")
	diff := median(known) - median(unknown)
	require.Less(t, diff.Abs(), 150*time.Millisecond, "known %v, unknown %v", known, unknown)

	var n int
	require.NoError(t, tx.QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE to_addr LIKE 'nobody-%'`).Scan(&n))
	require.Zero(t, n, "nothing is mailed to addresses without an account")
	require.NoError(t, tx.QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE to_addr = $1`, u.Email).Scan(&n))
	require.Equal(t, 3, n)
}

// Reset requests are limited per address (account or not, the same way)
// and per client address; a malformed address is a field error with the
// input kept.
func TestPasswordResetLimits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	u := testfactory.User(ctx, t, tx, nil)
	srv := webtest.Server(t, tx, func(d *web.Deps) {
		d.Accounts = auth.DefaultAccounts
		d.Accounts.ResetPad, d.Accounts.ResetsPerEmail, d.Accounts.ResetsPerIP = 0, 2, 5
	})
	c := webtest.NewClient(t, srv)
	for _, email := range []string{u.Email, "ghost@example.com"} {
		for range 2 {
			require.Equal(t, http.StatusOK, c.Post("/password/reset", url.Values{"email": {email}}).StatusCode)
		}
		r := c.Post("/password/reset", url.Values{"email": {email}})
		require.Equal(t, http.StatusTooManyRequests, r.StatusCode, email)
		require.Contains(t, r.Text(".error-summary"), "Too many reset requests")
		require.NotEmpty(t, r.Header.Get("Retry-After"))
		require.Equal(t, email, r.Value("email"))
	}
	// Four counted from this client address so far; the fifth passes, the sixth not.
	require.Equal(t, http.StatusOK, c.Post("/password/reset", url.Values{"email": {"third@example.com"}}).StatusCode)
	require.Equal(t, http.StatusTooManyRequests, c.Post("/password/reset", url.Values{"email": {"fourth@example.com"}}).StatusCode)
	require.Equal(t, http.StatusOK, webtest.NewClient(t, srv).Post("/password/reset", url.Values{"email": {"fourth@example.com"}}).StatusCode,
		"another client address is not held up")

	var n int
	require.NoError(t, tx.QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE to_addr = $1`, u.Email).Scan(&n))
	require.Equal(t, 2, n, "the refused request mailed nothing")

	r := c.Post("/password/reset", url.Values{"email": {"not-an-address"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Equal(t, "Enter a valid e-mail address, like name@example.com.", r.FieldError("email"))
	require.Equal(t, "not-an-address", r.Value("email"))
}

// A disabled account gets no reset mail: it is not to be got back by mail.
func TestPasswordResetSkipsDisabledAccounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	u := testfactory.User(ctx, t, tx, nil)
	_, err := auth.DisableUser(ctx, tx, u.Email)
	require.NoError(t, err)
	c := webtest.NewClient(t, webtest.Server(t, tx, func(d *web.Deps) { d.Accounts = auth.DefaultAccounts; d.Accounts.ResetPad = 0 }))
	require.Equal(t, http.StatusOK, c.Post("/password/reset", url.Values{"email": {u.Email}}).StatusCode)
	var n int
	require.NoError(t, tx.QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE to_addr = $1`, u.Email).Scan(&n))
	require.Zero(t, n)
}
