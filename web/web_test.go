package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/web"
	"github.com/botbridge/botbridge/web/webtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestSignupValidationKeepsInput(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	_, err := auth.CreateUser(context.Background(), tx, "taken@example.com", "long enough password", auth.RoleOwner)
	require.NoError(t, err)
	c := webtest.NewClient(t, webtest.Server(t, tx))

	cases := []struct {
		name, email, pw, confirm, field, msg string
	}{
		{"duplicate", "Taken@Example.com", "long enough password", "long enough password", "email", "An account with this e-mail already exists. Log in instead."},
		{"short password", "new@example.com", "short", "short", "password", "The password must be at least 10 characters long."},
		{"bad email", "new-at-example", "long enough password", "long enough password", "email", "Enter a valid e-mail address, like name@example.com."},
		{"mismatch", "new@example.com", "long enough password", "different password", "confirm", "The passwords do not match."},
	}
	for _, tc := range cases {
		r := c.Post("/signup", url.Values{"email": {tc.email}, "password": {tc.pw}, "confirm": {tc.confirm}})
		require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, tc.name)
		require.Equal(t, tc.msg, r.FieldError(tc.field), tc.name)
		require.Equal(t, tc.email, r.Value("email"), "%s: e-mail kept", tc.name)
		require.Empty(t, r.Value("password"), "%s: password never echoed", tc.name)
		require.Contains(t, r.Text(".error-summary"), tc.msg, tc.name)
		in := r.Doc.Find("#f-" + tc.field)
		desc, _ := in.Attr("aria-describedby")
		require.Contains(t, desc, "f-"+tc.field+"-error", tc.name)
	}
}

func TestSignupLoginProjectLogout(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	c := webtest.NewClient(t, webtest.Server(t, tx))

	r := c.Post("/signup", url.Values{"email": {" Alice@Example.com"}, "password": {"tea party 1865"}, "confirm": {"tea party 1865"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode, r.Text(".error-summary"))
	require.Equal(t, "/projects", r.Location())
	r = c.Follow(r)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, "My projects", r.Text("h1"))
	require.Contains(t, r.Text(".flash"), "Welcome to botbridge")
	require.Contains(t, r.Text(".empty"), "You have no projects yet")
	require.Equal(t, "alice@example.com", r.Text(".account"))

	r = c.Post("/projects", url.Values{"name": {"ab"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Equal(t, "The project name must be at least 3 characters long.", r.FieldError("name"))
	require.Equal(t, "ab", r.Value("name"))

	r = c.Post("/projects", url.Values{"name": {"Alice's shop"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Regexp(t, `^/projects/\d+$`, r.Location())
	projectURL := r.Location()
	r = c.Follow(r)
	require.Equal(t, "Alice's shop", r.Text("h1"))
	require.Equal(t, "Project created.", r.Text(".flash"))
	require.Equal(t, "Overview", r.Text(".tabs a.active"))

	r = c.Get("/projects")
	require.Equal(t, "Alice's shop", r.Text("tbody td a"))

	sessionBefore := c.Cookie("bb_session")
	r = c.Post("/logout", nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Empty(t, c.Cookie("bb_session"))
	r = c.Get(projectURL)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.True(t, strings.HasPrefix(r.Location(), "/login?next="))

	// The old cookie is dead server-side, not just forgotten by the browser.
	thief := webtest.NewClient(t, webtest.Server(t, tx))
	thief.SetCookie("bb_session", sessionBefore)
	r = thief.Get("/projects")
	require.Equal(t, http.StatusSeeOther, r.StatusCode)

	// Log in again and land on the page asked for.
	r = c.Get(projectURL)
	next, _ := url.Parse(r.Location())
	r = c.Post("/login", url.Values{"email": {"alice@example.com"}, "password": {"tea party 1865"}, "next": {next.Query().Get("next")}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, projectURL, r.Location())
}

func TestLoginFailureAndRotation(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	ctx := context.Background()
	_, err := auth.CreateUser(ctx, tx, "bob@example.com", "bob password 1", auth.RoleOwner)
	require.NoError(t, err)
	c := webtest.NewClient(t, webtest.Server(t, tx))

	r := c.Post("/login", url.Values{"email": {"bob@example.com"}, "password": {"wrong password"}})
	require.Equal(t, http.StatusUnauthorized, r.StatusCode)
	require.Equal(t, "Wrong e-mail or password.", r.Text(".error-summary"))
	require.Equal(t, "bob@example.com", r.Value("email"))
	require.Empty(t, r.Value("password"))
	require.Empty(t, c.Cookie("bb_session"))

	c.Login("bob@example.com", "bob password 1")
	first := c.Cookie("bb_session")
	require.NotEmpty(t, first)
	c.Login("bob@example.com", "bob password 1")
	second := c.Cookie("bb_session")
	require.NotEqual(t, first, second, "log-in issues a new session")

	old := webtest.NewClient(t, webtest.Server(t, tx))
	old.SetCookie("bb_session", first)
	require.Equal(t, http.StatusSeeOther, old.Get("/projects").StatusCode, "the previous session was destroyed")
	require.Equal(t, http.StatusOK, c.Get("/projects").StatusCode)
}

func TestSessionCookieFlags(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	_, err := auth.CreateUser(context.Background(), tx, "flags@example.com", "flags password", auth.RoleOwner)
	require.NoError(t, err)
	srv := webtest.Server(t, tx, func(d *web.Deps) {
		d.Config = webtest.Config(t, map[string]string{"BASE_URL": "https://bridge.example.com"})
	})
	c := webtest.NewClient(t, srv)
	r := c.Post("/login", url.Values{"email": {"flags@example.com"}, "password": {"flags password"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	var found bool
	for _, ck := range r.Cookies() {
		if ck.Name == "__Host-bb_session" {
			found = true
			require.True(t, ck.HttpOnly)
			require.True(t, ck.Secure, "Secure behind https BASE_URL")
			require.Equal(t, http.SameSiteLaxMode, ck.SameSite)
		}
	}
	require.True(t, found)
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	_, err := auth.CreateUser(context.Background(), tx, "carol@example.com", "carol password", auth.RoleOwner)
	require.NoError(t, err)
	c := webtest.NewClient(t, webtest.Server(t, tx))
	for i := 0; i < auth.DefaultThrottle.PairFree; i++ {
		r := c.Post("/login", url.Values{"email": {"carol@example.com"}, "password": {"nope"}})
		require.Equal(t, http.StatusUnauthorized, r.StatusCode)
	}
	r := c.Post("/login", url.Values{"email": {"carol@example.com"}, "password": {"carol password"}})
	require.Equal(t, http.StatusTooManyRequests, r.StatusCode)
	require.Equal(t, "Too many failed log-in attempts. Try again in 1 minute.", r.Text(".error-summary"))
	require.Equal(t, "60", r.Header.Get("Retry-After"))
	require.Empty(t, c.Cookie("bb_session"))

	// The wait grows with each failure past the free ones.
	_, err = tx.Exec(context.Background(), `UPDATE login_failures SET created_at = created_at - interval '1 minute'`)
	require.NoError(t, err)
	r = c.Post("/login", url.Values{"email": {"carol@example.com"}, "password": {"nope"}})
	require.Equal(t, http.StatusUnauthorized, r.StatusCode)
	r = c.Post("/login", url.Values{"email": {"carol@example.com"}, "password": {"carol password"}})
	require.Equal(t, http.StatusTooManyRequests, r.StatusCode)
	require.Equal(t, "Too many failed log-in attempts. Try again in 2 minutes.", r.Text(".error-summary"))
}

func TestDisabledUserLockedOut(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	ctx := context.Background()
	_, err := auth.CreateUser(ctx, tx, "dave@example.com", "dave password", auth.RoleOwner)
	require.NoError(t, err)
	c := webtest.NewClient(t, webtest.Server(t, tx))
	c.Login("dave@example.com", "dave password")
	require.Equal(t, http.StatusOK, c.Get("/projects").StatusCode)

	_, err = auth.DisableUser(ctx, tx, "dave@example.com")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, c.Get("/projects").StatusCode, "session ended")
	r := c.Post("/login", url.Values{"email": {"dave@example.com"}, "password": {"dave password"}})
	require.Equal(t, http.StatusUnauthorized, r.StatusCode)
	require.Equal(t, "This account has been disabled. Contact your administrator.", r.Text(".error-summary"))
}

func TestCSRFRequired(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	ctx := context.Background()
	_, err := auth.CreateUser(ctx, tx, "erin@example.com", "erin password", auth.RoleOwner)
	require.NoError(t, err)
	c := webtest.NewClient(t, webtest.Server(t, tx))
	c.Login("erin@example.com", "erin password")

	r := c.PostRaw("/projects", url.Values{"name": {"Sneaky"}})
	require.Equal(t, http.StatusForbidden, r.StatusCode, "missing token")
	require.Contains(t, r.Body, "This form has expired")
	r = c.PostRaw("/projects", url.Values{"name": {"Sneaky"}, "_csrf": {"forged"}})
	require.Equal(t, http.StatusForbidden, r.StatusCode)
	require.Contains(t, r.Body, "This form has expired")
	list := c.Get("/projects")
	require.NotContains(t, list.Body, "Sneaky", "nothing was created")

	r = webtest.NewClient(t, webtest.Server(t, tx)).PostRaw("/login", url.Values{"email": {"erin@example.com"}, "password": {"erin password"}})
	require.NotEqual(t, http.StatusSeeOther, r.StatusCode, "log-in CSRF refused too")
}

func TestProjectIsolation(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	ctx := context.Background()
	a, err := auth.CreateUser(ctx, tx, "a@example.com", "password of a", auth.RoleOwner)
	require.NoError(t, err)
	_, err = auth.CreateUser(ctx, tx, "b@example.com", "password of b", auth.RoleOwner)
	require.NoError(t, err)
	pa, err := project.Create(ctx, tx, a.ID, "Secret project of A")
	require.NoError(t, err)
	srv := webtest.Server(t, tx)

	ca := webtest.NewClient(t, srv)
	ca.Login("a@example.com", "password of a")
	require.Equal(t, http.StatusOK, ca.Get("/projects/"+itoa(pa.ID)).StatusCode)

	cb := webtest.NewClient(t, srv)
	cb.Login("b@example.com", "password of b")
	r := cb.Get("/projects/" + itoa(pa.ID))
	require.Equal(t, http.StatusNotFound, r.StatusCode)
	require.NotContains(t, r.Body, "Secret project of A")
	require.Equal(t, "Page not found", r.Text("h1"))
	require.NotContains(t, cb.Get("/projects").Body, "Secret project of A")
	require.Equal(t, http.StatusNotFound, cb.Get("/projects/abc").StatusCode)
	require.Equal(t, http.StatusNotFound, cb.Get("/projects/-1").StatusCode)
}

func TestErrorsAndLimits(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	c := webtest.NewClient(t, webtest.Server(t, tx))

	r := c.Get("/no/such/page")
	require.Equal(t, http.StatusNotFound, r.StatusCode)
	require.Equal(t, "Page not found", r.Text("h1"))
	require.NotEmpty(t, r.Header.Get("X-Request-Id"))

	big := strings.Repeat("x", 100*1024)
	r = c.Post("/signup", url.Values{"email": {big}})
	require.Equal(t, http.StatusRequestEntityTooLarge, r.StatusCode)
	require.Equal(t, "Too large", r.Text("h1"))

	h := c.Get("/login").Header
	require.Contains(t, h.Get("Content-Security-Policy"), "script-src 'self'")
	require.Contains(t, h.Get("Content-Security-Policy"), "frame-ancestors 'none'")
	require.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
	require.Equal(t, "same-origin", h.Get("Referrer-Policy"))

	login := c.Get("/login")
	require.Zero(t, login.Doc.Find("script:not([src])").Length(), "no inline script")
	require.Equal(t, http.StatusOK, c.Get("/static/css/app.css").StatusCode)
}

func TestOperationsEndpoints(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	var dbUp = true
	srv := webtest.Server(t, tx, func(d *web.Deps) {
		d.Ping = func(ctx context.Context) error {
			if !dbUp {
				return context.DeadlineExceeded
			}
			return nil
		}
	})
	c := webtest.NewClient(t, srv)
	require.Equal(t, http.StatusOK, c.Get("/healthz").StatusCode)
	require.Equal(t, http.StatusOK, c.Get("/readyz").StatusCode)
	dbUp = false
	r := c.Get("/readyz")
	require.Equal(t, http.StatusServiceUnavailable, r.StatusCode)
	require.Contains(t, r.Body, "unreachable")
	require.Equal(t, http.StatusOK, c.Get("/healthz").StatusCode)

	m := c.Get("/metrics")
	require.Equal(t, http.StatusOK, m.StatusCode)
	require.Contains(t, m.Body, `botbridge_http_requests_total{method="GET",route="/readyz",status="503"} 1`)
	require.Contains(t, m.Body, "botbridge_http_request_duration_seconds_bucket")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// The log-in page's "next" parameter never leads off-site.
func TestLoginNextStaysLocal(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	_, err := auth.CreateUser(context.Background(), tx, "next@example.com", "next password", auth.RoleOwner)
	require.NoError(t, err)
	srv := webtest.Server(t, tx)
	cases := map[string]string{
		"/projects/1":           "/projects/1",
		"/projects?x=1":         "/projects?x=1",
		"//evil.example":        "/projects",
		"/\\evil.example":       "/projects",
		"/\t/evil.example":      "/projects",
		"/\n/evil.example":      "/projects",
		"https://evil.example/": "/projects",
		"javascript:alert(1)":   "/projects",
		"/x\\..\\evil":          "/projects",
	}
	for next, want := range cases {
		c := webtest.NewClient(t, srv)
		r := c.Post("/login", url.Values{"email": {"next@example.com"}, "password": {"next password"}, "next": {next}})
		require.Equal(t, http.StatusSeeOther, r.StatusCode, next)
		require.Equal(t, want, r.Location(), "next=%q", next)
	}
}

// addHeader sets a header on every request a client sends.
type addHeader struct {
	name, value string
	next        http.RoundTripper
}

func (a addHeader) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(a.name, a.value)
	return a.next.RoundTrip(r)
}

// X-Forwarded-For counts only from TRUSTED_PROXIES, and then its right-most
// address that is not a proxy: entries a visitor adds cannot choose it.
func TestTrustedProxies(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	ctx := context.Background()
	u, err := auth.CreateUser(ctx, tx, "proxy@example.com", "proxy password", auth.RoleOwner)
	require.NoError(t, err)
	sessionIP := func(extra map[string]string) string {
		t.Helper()
		srv := webtest.Server(t, tx, func(d *web.Deps) { d.Config = webtest.Config(t, extra) })
		c := webtest.NewClient(t, srv)
		c.HTTP.Transport = addHeader{"X-Forwarded-For", "198.51.100.7, 203.0.113.9", http.DefaultTransport}
		_, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, u.ID)
		require.NoError(t, err)
		c.Login("proxy@example.com", "proxy password")
		var ip string
		require.NoError(t, tx.QueryRow(ctx, `SELECT ip FROM sessions WHERE user_id = $1`, u.ID).Scan(&ip))
		return ip
	}
	require.Equal(t, "127.0.0.1", sessionIP(nil), "no trusted proxy: the header is ignored")
	require.Equal(t, "203.0.113.9", sessionIP(map[string]string{"TRUSTED_PROXIES": "127.0.0.1"}))
	require.Equal(t, "203.0.113.9", sessionIP(map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.0/8"}))
	require.Equal(t, "127.0.0.1", sessionIP(map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8"}), "a proxy not listed is not believed")
}

func TestMetricsToken(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	srv := webtest.Server(t, tx, func(d *web.Deps) {
		d.Config = webtest.Config(t, map[string]string{"METRICS_TOKEN": "scrape-token-0123456789"})
	})
	c := webtest.NewClient(t, srv)
	r := c.Get("/metrics")
	require.Equal(t, http.StatusUnauthorized, r.StatusCode)
	require.NotContains(t, r.Body, "botbridge_http_requests_total")
	c.HTTP.Transport = addHeader{"Authorization", "Bearer wrong-token-0123456789", http.DefaultTransport}
	require.Equal(t, http.StatusUnauthorized, c.Get("/metrics").StatusCode)
	c.HTTP.Transport = addHeader{"Authorization", "Bearer scrape-token-0123456789", http.DefaultTransport}
	r = c.Get("/metrics")
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Contains(t, r.Body, "botbridge_http_requests_total")
}
