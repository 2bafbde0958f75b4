package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/web"
	"github.com/botbridge/botbridge/web/webtest"
)

// An unverified account can look around but cannot file a request: a 403
// that says why, nothing filed; the banner's "Send again" mails a link;
// using it lifts the gate.
func TestVerificationGatesRequests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	u := testfactory.User(ctx, t, tx, &testfactory.UserOpts{Unverified: true})
	require.False(t, u.Verified)
	p := testfactory.Project(ctx, t, tx, &testfactory.ProjectOpts{OwnerID: &u.ID})
	srv := webtest.Server(t, tx)
	c := webtest.NewClient(t, srv)
	c.Login(u.Email, testfactory.Password)
	projURL := "/projects/" + strconv.FormatInt(p.ID, 10)

	r := c.Get(projURL)
	require.Equal(t, http.StatusOK, r.StatusCode, "looking around works")
	require.Contains(t, r.Text(".verify-banner p"), "Confirm your e-mail address: we sent a link to "+u.Email)
	require.Equal(t, "Send again", r.Text(".verify-banner button"))

	filed := func() int {
		var n int
		require.NoError(t, tx.QueryRow(ctx, `SELECT count(*) FROM integration_requests WHERE project_id = $1`, p.ID).Scan(&n))
		return n
	}
	r = c.Post(projURL+"/requests/new", rqValidForm())
	require.Equal(t, http.StatusForbidden, r.StatusCode)
	require.Equal(t, "Confirm your e-mail address first", r.Text("h1"))
	require.Contains(t, r.Text("main"), "Filing requests and inviting people needs a confirmed e-mail address")
	require.Zero(t, filed())

	r = c.Post("/account/verify", url.Values{})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, "We sent a new confirmation link.", c.Follow(r).Text(".flash"))
	link := mailLink(t, tx, u.Email, "/verify/")

	// Opening the link changes nothing; its button does.
	r = c.Get(link)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Contains(t, r.Text("main p"), u.Email)
	require.Equal(t, http.StatusForbidden, c.Post(projURL+"/requests/new", rqValidForm()).StatusCode, "still gated after a GET")
	r = c.Post(link, nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r = c.Follow(r)
	require.Equal(t, "E-mail address confirmed.", r.Text(".flash"))
	require.Zero(t, r.Doc.Find(".verify-banner").Length(), "the banner is gone")

	r = c.Post(projURL+"/requests/new", rqValidForm())
	require.Equal(t, http.StatusSeeOther, r.StatusCode, r.Text(".error-summary"))
	require.Equal(t, 1, filed())

	// Single use.
	require.Equal(t, http.StatusNotFound, c.Post(link, nil).StatusCode)
	require.Equal(t, http.StatusNotFound, c.Get(link).StatusCode)
	// A verification link is no reset link.
	require.Equal(t, http.StatusNotFound, c.Get("/password/reset"+link[len("/verify"):]).StatusCode)
}

func TestSignupSendsVerification(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	c := webtest.NewClient(t, webtest.Server(t, tx))
	r := c.Post("/signup", url.Values{"email": {"newcomer@example.com"}, "password": {"tea party 1865"}, "confirm": {"tea party 1865"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode, r.Text(".error-summary"))
	r = c.Follow(r)
	require.Contains(t, r.Text(".flash"), "We sent you a link to confirm your e-mail address")
	require.NotZero(t, r.Doc.Find(".verify-banner").Length())
	u, err := auth.GetUserByEmail(ctx, tx, "newcomer@example.com")
	require.NoError(t, err)
	require.False(t, u.Verified)

	// Confirmed from another browser (the phone's mail app), logged out.
	phone := webtest.NewClient(t, webtest.Server(t, tx))
	link := mailLink(t, tx, u.Email, "/verify/")
	require.Equal(t, http.StatusOK, phone.Get(link).StatusCode)
	r = phone.Post(link, nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, "/login", r.Location())
	u, err = auth.GetUserByEmail(ctx, tx, u.Email)
	require.NoError(t, err)
	require.True(t, u.Verified)
	require.Zero(t, c.Get("/projects").Doc.Find(".verify-banner").Length())
}

// "Send again" is limited per account.
func TestVerificationResendLimited(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	u := testfactory.User(ctx, t, tx, &testfactory.UserOpts{Unverified: true})
	srv := webtest.Server(t, tx, func(d *web.Deps) { d.Accounts = auth.DefaultAccounts; d.Accounts.VerifySends = 2 })
	c := webtest.NewClient(t, srv)
	c.Login(u.Email, testfactory.Password)
	for range 2 {
		require.Equal(t, http.StatusSeeOther, c.Post("/account/verify", nil).StatusCode)
	}
	r := c.Post("/account/verify", nil)
	require.Equal(t, http.StatusTooManyRequests, r.StatusCode)
	require.NotEmpty(t, r.Header.Get("Retry-After"))
	var n int
	require.NoError(t, tx.QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE to_addr = $1`, u.Email).Scan(&n))
	require.Equal(t, 2, n)
	// The newest link works.
	require.Equal(t, http.StatusOK, c.Get(mailLink(t, tx, u.Email, "/verify/")).StatusCode)
}

func TestRequireVerified(t *testing.T) {
	t.Parallel()
	require.ErrorIs(t, auth.RequireVerified(auth.User{}), auth.ErrUnverified)
	require.NoError(t, auth.RequireVerified(auth.User{Verified: true}))
}
