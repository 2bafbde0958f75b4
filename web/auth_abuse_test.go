package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/web"
	"github.com/botbridge/botbridge/web/webtest"
)

func signupForm(email string) url.Values {
	return url.Values{"email": {email}, "password": {"long enough password"}, "confirm": {"long enough password"}}
}

// Sign-ups are limited per address (each costs an argon2id hash).
func TestSignupLimitedPerAddress(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	th := auth.DefaultThrottle
	th.SignupsPerIP = 2
	srv := webtest.Server(t, tx, func(d *web.Deps) { d.Throttle = th })
	for _, email := range []string{"first@example.com", "second@example.com"} {
		c := webtest.NewClient(t, srv)
		c.IP = "203.0.113.80"
		r := c.Post("/signup", signupForm(email))
		require.Equal(t, http.StatusSeeOther, r.StatusCode, email)
	}
	c := webtest.NewClient(t, srv)
	c.IP = "203.0.113.80"
	r := c.Post("/signup", signupForm("third@example.com"))
	require.Equal(t, http.StatusTooManyRequests, r.StatusCode)
	require.Equal(t, "Too many sign-ups from your network. Try again in 60 minutes.", r.Text(".error-summary"))
	require.Equal(t, "third@example.com", r.Value("email"), "what was typed is kept")
	require.Equal(t, "3600", r.Header.Get("Retry-After"))
	_, err := auth.GetUserByEmail(context.Background(), tx, "third@example.com")
	require.Error(t, err)

	c.IP = "198.51.100.80"
	require.Equal(t, http.StatusSeeOther, c.Post("/signup", signupForm("third@example.com")).StatusCode, "another address may")
}

// Not parallel: it holds every hashing slot of the process. A request that
// waited too long for one is turned away with 503, Retry-After and a page.
func TestPasswordWorkBusyAnswers503(t *testing.T) {
	tx := dbtest.Tx(t)
	_, err := auth.CreateUser(context.Background(), tx, "busy@example.com", "busy password 1", auth.RoleOwner)
	require.NoError(t, err)
	srv := webtest.Server(t, tx)
	c := webtest.NewClient(t, srv)
	c.Get("/login")

	release := sync.OnceFunc(auth.OccupyHashSlots())
	defer release()
	for path, form := range map[string]url.Values{
		"/signup": signupForm("new@example.com"),
		"/login":  {"email": {"busy@example.com"}, "password": {"busy password 1"}},
	} {
		r := c.Post(path, form)
		require.Equal(t, http.StatusServiceUnavailable, r.StatusCode, path)
		require.Equal(t, "5", r.Header.Get("Retry-After"), path)
		require.Equal(t, "Busy right now", r.Text("h1"), path)
		require.Contains(t, r.Body, "Wait a few seconds and try again.", path)
	}
	release()
	c.Login("busy@example.com", "busy password 1")
}

// Sign-up rotates the session like log-in: a session the browser had
// before (planted or not) is destroyed.
func TestSignupRotatesSession(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	_, err := auth.CreateUser(context.Background(), tx, "before@example.com", "before password 1", auth.RoleOwner)
	require.NoError(t, err)
	srv := webtest.Server(t, tx)
	c := webtest.NewClient(t, srv)
	c.Login("before@example.com", "before password 1")
	old := c.Cookie("bb_session")
	require.Equal(t, http.StatusSeeOther, c.Post("/signup", signupForm("after@example.com")).StatusCode)
	require.NotEqual(t, old, c.Cookie("bb_session"))
	thief := webtest.NewClient(t, srv)
	thief.SetCookie("bb_session", old)
	require.Equal(t, http.StatusSeeOther, thief.Get("/projects").StatusCode, "the old session is gone")
}

// Wrong passwords from many addresses e-mail the owner through the outbox,
// once; the owner, from an address of their own, still logs in.
func TestLoginAttackMailsTheOwner(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	ctx := context.Background()
	_, err := auth.CreateUser(ctx, tx, "target@example.com", "target password 1", auth.RoleOwner)
	require.NoError(t, err)
	srv := webtest.Server(t, tx)
	for i := range auth.DefaultThrottle.AlertAfter + 3 {
		c := webtest.NewClient(t, srv)
		c.IP = "203.0.113." + strconv.Itoa(100+i%4)
		r := c.Post("/login", url.Values{"email": {"target@example.com"}, "password": {"a guess"}})
		require.Contains(t, []int{http.StatusUnauthorized, http.StatusTooManyRequests}, r.StatusCode)
	}
	var n int
	require.NoError(t, tx.QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE to_addr = 'target@example.com' AND subject = 'Someone is trying to log in to your botbridge account'`).Scan(&n))
	require.Equal(t, 1, n)
	var body string
	require.NoError(t, tx.QueryRow(ctx, `SELECT body FROM mail_outbox WHERE to_addr = 'target@example.com'`).Scan(&body))
	require.Contains(t, body, "from 4 address(es)")
	require.Contains(t, body, "http://bridge.test/login")

	owner := webtest.NewClient(t, srv)
	owner.Login("target@example.com", "target password 1")
}
