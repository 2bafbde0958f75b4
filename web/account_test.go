package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/web/webtest"
)

// withUA makes every request of c carry the User-Agent ua.
func withUA(c *webtest.Client, ua string) *webtest.Client {
	base := c.HTTP.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.HTTP.Transport = uaTransport{base: base, ua: ua}
	return c
}

type uaTransport struct {
	base http.RoundTripper
	ua   string
}

func (t uaTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", t.ua)
	return t.base.RoundTrip(r)
}

const (
	uaFirefoxWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
	uaChromeAndroid  = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
)

// sessionRow finds the row of the sessions table that names device.
func sessionRow(r *webtest.Response, device string) *goquery.Selection {
	return r.Doc.Find("table.sessions tbody tr").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Find("td").First().Text(), device)
	})
}

// The sessions list shows each browser's device, address and last use,
// marks this one; "Log out this session" ends exactly that one, and
// another account's session id ends nothing (404).
func TestAccountSessionsListAndRevoke(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	u := testfactory.User(ctx, t, tx, nil)
	stranger := testfactory.User(ctx, t, tx, nil)
	srv := webtest.Server(t, tx)
	laptop := withUA(webtest.NewClient(t, srv), uaFirefoxWindows)
	phone := withUA(webtest.NewClient(t, srv), uaChromeAndroid)
	theirs := webtest.NewClient(t, srv)
	laptop.Login(u.Email, testfactory.Password)
	phone.Login(u.Email, testfactory.Password)
	theirs.Login(stranger.Email, testfactory.Password)

	r := laptop.Get("/account")
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, 2, r.Doc.Find("table.sessions tbody tr").Length())
	me := sessionRow(r, "Firefox on Windows")
	require.Equal(t, 1, me.Length())
	require.Contains(t, me.Text(), "This device")
	require.Contains(t, me.Text(), laptop.IP)
	require.Zero(t, me.Find("form").Length(), "no log-out button for this session")
	ph := sessionRow(r, "Chrome on Android")
	require.Equal(t, 1, ph.Length())
	require.Contains(t, ph.Text(), phone.IP)
	action, _ := ph.Find("form").Attr("action")
	require.Regexp(t, `^/account/sessions/\d+/revoke$`, action)

	// The stranger cannot end this account's phone session with its id.
	r = theirs.Post(action, nil)
	require.Equal(t, http.StatusNotFound, r.StatusCode)
	require.Equal(t, http.StatusOK, phone.Get("/account").StatusCode)
	for _, bad := range []string{"/account/sessions/0/revoke", "/account/sessions/abc/revoke", "/account/sessions/99999999/revoke"} {
		require.Equal(t, http.StatusNotFound, laptop.Post(bad, nil).StatusCode, bad)
	}

	r = laptop.Post(action, nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r = laptop.Follow(r)
	require.Equal(t, "The session has been logged out.", r.Text(".flash"))
	require.Equal(t, 1, r.Doc.Find("table.sessions tbody tr").Length())
	require.Equal(t, http.StatusSeeOther, phone.Get("/account").StatusCode, "the phone is logged out")
	require.Equal(t, http.StatusOK, theirs.Get("/account").StatusCode, "the stranger's session is untouched")

	// Not logged in: no session routes.
	anon := webtest.NewClient(t, srv)
	require.Equal(t, http.StatusSeeOther, anon.Get("/account").StatusCode)
	anon.Get("/login")
	require.Equal(t, http.StatusSeeOther, anon.Post("/account/sessions/revoke-others", nil).StatusCode, "to the log-in page")
}

func TestAccountLogOutEverywhereElse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	u := testfactory.User(ctx, t, tx, nil)
	stranger := testfactory.User(ctx, t, tx, nil)
	srv := webtest.Server(t, tx)
	clients := make([]*webtest.Client, 3)
	for i := range clients {
		clients[i] = webtest.NewClient(t, srv)
		clients[i].Login(u.Email, testfactory.Password)
	}
	theirs := webtest.NewClient(t, srv)
	theirs.Login(stranger.Email, testfactory.Password)

	r := clients[0].Post("/account/sessions/revoke-others", nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r = clients[0].Follow(r)
	require.Equal(t, "Every other session has been logged out.", r.Text(".flash"))
	require.Equal(t, 1, r.Doc.Find("table.sessions tbody tr").Length())
	for _, c := range clients[1:] {
		require.Equal(t, http.StatusSeeOther, c.Get("/account").StatusCode)
	}
	require.Equal(t, http.StatusOK, theirs.Get("/account").StatusCode)
}

// Changing the password needs the current one and the new-password rules;
// it ends every other session and keeps this one.
func TestAccountChangePassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	u := testfactory.User(ctx, t, tx, &testfactory.UserOpts{Email: testfactory.Ptr("changer@example.com")})
	srv := webtest.Server(t, tx)
	c := webtest.NewClient(t, srv)
	other := webtest.NewClient(t, srv)
	c.Login(u.Email, testfactory.Password)
	other.Login(u.Email, testfactory.Password)

	bad := []struct{ current, pw, confirm, field, msg string }{
		{"", "a new good password", "a new good password", "current", "Enter your current password."},
		{"wrong password 1", "a new good password", "a new good password", "current", "The current password is wrong."},
		{testfactory.Password, "1234567890", "1234567890", "password", "This password is one of the most common ones and is easy to guess. Choose another."},
		{testfactory.Password, "changer-is-me", "changer-is-me", "password", "The password must not contain your e-mail address. Choose another."},
		{testfactory.Password, "a new good password", "a different one", "confirm", "The passwords do not match."},
	}
	for _, b := range bad {
		r := c.Post("/account/password", url.Values{"current": {b.current}, "password": {b.pw}, "confirm": {b.confirm}})
		require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, b.msg)
		require.Equal(t, b.msg, r.FieldError(b.field))
		require.Empty(t, r.Value("current"))
		require.Empty(t, r.Value("password"))
		require.Contains(t, r.Text(".error-summary"), b.msg)
	}
	require.Equal(t, http.StatusOK, other.Get("/account").StatusCode, "refused changes end nothing")

	r := c.Post("/account/password", url.Values{"current": {testfactory.Password}, "password": {"a new good password"}, "confirm": {"a new good password"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, "Password changed. Every other session has been logged out.", c.Follow(r).Text(".flash"))
	require.Equal(t, http.StatusOK, c.Get("/account").StatusCode, "this session stays")
	require.Equal(t, http.StatusSeeOther, other.Get("/account").StatusCode, "the other one ended")
	webtest.NewClient(t, srv).Login(u.Email, "a new good password")
}

// Guessing the current password through a session is limited.
func TestAccountCurrentPasswordLimited(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	u := testfactory.User(ctx, t, tx, nil)
	c := webtest.NewClient(t, webtest.Server(t, tx))
	c.Login(u.Email, testfactory.Password)
	for range auth.DefaultAccounts.Reauths {
		r := c.Post("/account/password", url.Values{"current": {"guess guess 1"}, "password": {"a new good password"}, "confirm": {"a new good password"}})
		require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	}
	r := c.Post("/account/password", url.Values{"current": {testfactory.Password}, "password": {"a new good password"}, "confirm": {"a new good password"}})
	require.Equal(t, http.StatusTooManyRequests, r.StatusCode)
	require.Contains(t, r.FieldError("current"), "Too many attempts")
	webtest.NewClient(t, webtest.Server(t, tx)).Login(u.Email, testfactory.Password)
}

// Changing the e-mail needs the password; the new address gets a link and
// the old one a notice; the change takes effect when the link is used.
func TestAccountChangeEmail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	u := testfactory.User(ctx, t, tx, nil)
	taken := testfactory.User(ctx, t, tx, nil)
	srv := webtest.Server(t, tx)
	c := webtest.NewClient(t, srv)
	c.Login(u.Email, testfactory.Password)

	bad := []struct{ email, current, field, msg string }{
		{"", testfactory.Password, "email", "Enter your e-mail address."},
		{"not-an-address", testfactory.Password, "email", "Enter a valid e-mail address, like name@example.com."},
		{u.Email, testfactory.Password, "email", "This is already your e-mail address."},
		{"new-home@example.com", "", "current_email", "Enter your current password."},
		{"new-home@example.com", "wrong password 1", "current_email", "The current password is wrong."},
		{strings.ToUpper(taken.Email), testfactory.Password, "email", "Another account already uses this e-mail address."},
	}
	for _, b := range bad {
		r := c.Post("/account/email", url.Values{"email": {b.email}, "current_email": {b.current}})
		require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, b.msg)
		require.Equal(t, b.msg, r.FieldError(b.field), b.email)
		require.Equal(t, b.email, r.Value("email"), "the address is kept")
		require.Empty(t, r.Value("current_email"))
	}

	r := c.Post("/account/email", url.Values{"email": {"New-Home@Example.com"}, "current_email": {testfactory.Password}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode, r.Text(".error-summary"))
	r = c.Follow(r)
	require.Contains(t, r.Text(".flash"), "We sent a confirmation link to the new address")
	require.Contains(t, r.Text(".notice"), "Waiting for confirmation: new-home@example.com")
	require.Equal(t, u.Email, r.Text(".account"), "not changed yet")

	var notice string
	require.NoError(t, tx.QueryRow(ctx, `SELECT body FROM mail_outbox WHERE to_addr = $1 ORDER BY id DESC LIMIT 1`, u.Email).Scan(&notice))
	require.Contains(t, notice, "new-home@example.com")
	require.Contains(t, notice, "http://bridge.test/account")
	link := mailLink(t, tx, "new-home@example.com", "/verify/")
	r = c.Get(link)
	require.Contains(t, r.Text("main p"), "new e-mail address")
	r = c.Post(link, nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r = c.Follow(r)
	require.Equal(t, "E-mail address confirmed.", r.Text(".flash"))
	require.Equal(t, "new-home@example.com", r.Text(".account"))
	webtest.NewClient(t, srv).Login("new-home@example.com", testfactory.Password)
	fresh := webtest.NewClient(t, srv)
	require.Equal(t, http.StatusUnauthorized, fresh.Post("/login", url.Values{"email": {u.Email}, "password": {testfactory.Password}}).StatusCode)
}

// An e-mail change whose address got an account meanwhile is refused at
// confirmation.
func TestAccountChangeEmailTakenMeanwhile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	u := testfactory.User(ctx, t, tx, nil)
	c := webtest.NewClient(t, webtest.Server(t, tx))
	c.Login(u.Email, testfactory.Password)
	r := c.Post("/account/email", url.Values{"email": {"contested@example.com"}, "current_email": {testfactory.Password}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	testfactory.User(ctx, t, tx, &testfactory.UserOpts{Email: testfactory.Ptr("contested@example.com")})
	r = c.Post(mailLink(t, tx, "contested@example.com", "/verify/"), nil)
	require.Equal(t, http.StatusNotFound, r.StatusCode)
	require.Contains(t, r.Text("main p"), "Another account has meanwhile been registered")
	require.Equal(t, u.Email, c.Get("/account").Text(".account"))
}

// The preferences form keeps working inside the larger page.
func TestAccountPreferencesStillWork(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	u := testfactory.User(ctx, t, tx, nil)
	c := webtest.NewClient(t, webtest.Server(t, tx))
	c.Login(u.Email, testfactory.Password)
	r := c.Post("/account", url.Values{"language": {"en"}, "time_zone": {"Mars/Olympus"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Equal(t, "Mars/Olympus", r.Value("time_zone"))
	require.NotEmpty(t, r.FieldError("time_zone"))
	require.Equal(t, 1, r.Doc.Find("table.sessions tbody tr").Length(), "the rest of the page is there")
	r = c.Post("/account", url.Values{"language": {"ru"}, "time_zone": {"Asia/Tokyo"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r = c.Follow(r)
	require.Equal(t, "Настройки аккаунта", r.Text("h1"))
	require.Equal(t, "Активные сеансы", r.Text("#sessions-title"))
}
