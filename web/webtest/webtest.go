// Package webtest drives the real web server over HTTP in tests: a cookie
// jar, automatic CSRF tokens and goquery documents for assertions.
package webtest

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/config"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/secret"
	"github.com/botbridge/botbridge/web"
)

// Config returns a development config for tests, with extra variables.
func Config(t testing.TB, extra map[string]string) *config.Config {
	t.Helper()
	env := map[string]string{
		"DATABASE_URL":         "postgres://unused/for-tests",
		"APP_ENV":              "development",
		"SECRET_KEY":           "test-secret-key-test-secret-key-0123456789",
		"OUTBOUND_ALLOW_LOCAL": "true",
		"BASE_URL":             "http://bridge.test",
		// Most tests read the English texts; language tests ask for others.
		"DEFAULT_LANGUAGE": "en",
	}
	for k, v := range extra {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	require.NoError(t, err)
	return cfg
}

// Jobs is an insert-only River client: jobs of any kind are written in
// the caller's transaction and left for the tests to read.
func Jobs(t testing.TB) jobs.Inserter {
	t.Helper()
	ins, err := jobs.InsertOnly()
	require.NoError(t, err)
	return ins
}

// Server starts the web app on a loopback port over conn (usually a
// dbtest.Tx, so everything rolls back), with optional changes to Deps.
//
// The server believes X-Forwarded-For from loopback and every Client sends
// an address of its own, so tests do not share one client address: the
// throttles' advisory locks on an address are held until a test's
// transaction ends, which would make tests wait for each other.
func Server(t testing.TB, conn db.Conn, mutate ...func(*web.Deps)) *httptest.Server {
	t.Helper()
	cfg := Config(t, map[string]string{"TRUSTED_PROXIES": "127.0.0.1"})
	kr, err := secret.NewKeyring(cfg.SecretKey)
	require.NoError(t, err)
	d := web.Deps{
		Config:   cfg,
		Jobs:     Jobs(t),
		Keyring:  kr,
		Outbound: outbound.Policy{AllowLocal: cfg.OutboundAllowLocal, AllowedPorts: cfg.OutboundAllowedPorts},
		DB:       conn,
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Sessions: auth.DefaultSessions,
		Throttle: auth.DefaultThrottle,
	}
	for _, m := range mutate {
		m(&d)
	}
	srv := httptest.NewServer(web.New(d))
	t.Cleanup(srv.Close)
	return srv
}

// Client is one browser: its own cookies, no automatic redirects.
type Client struct {
	t    testing.TB
	srv  *httptest.Server
	HTTP *http.Client
	// IP is the address the client claims in X-Forwarded-For (believed
	// only by servers that trust loopback proxies, as Server's do).
	IP string
}

var clients atomic.Uint32

// NewClient makes a fresh browser for srv, with an address of its own.
func NewClient(t testing.TB, srv *httptest.Server) *Client {
	jar, _ := cookiejar.New(nil)
	n := clients.Add(1)
	ip := fmt.Sprintf("198.18.%d.%d", n/250%250, n%250+1)
	return &Client{t: t, srv: srv, IP: ip, HTTP: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Response is a fetched page.
type Response struct {
	*http.Response
	Body string
	Doc  *goquery.Document
}

// Location is the redirect target.
func (r *Response) Location() string { return r.Header.Get("Location") }

// Text is the trimmed text of the first element matching sel.
func (r *Response) Text(sel string) string { return strings.TrimSpace(r.Doc.Find(sel).First().Text()) }

// FieldError is the error message shown under a form field.
func (r *Response) FieldError(name string) string { return r.Text("#f-" + name + "-error") }

// Value is the value attribute of a form input.
func (r *Response) Value(name string) string {
	v, _ := r.Doc.Find(`[name="` + name + `"]`).First().Attr("value")
	return v
}

func (c *Client) do(req *http.Request) *Response {
	c.t.Helper()
	if c.IP != "" {
		req.Header.Set("X-Forwarded-For", c.IP)
	}
	resp, err := c.HTTP.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(b)))
	require.NoError(c.t, err)
	return &Response{Response: resp, Body: string(b), Doc: doc}
}

// Get fetches path.
func (c *Client) Get(path string) *Response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.srv.URL+path, nil)
	require.NoError(c.t, err)
	return c.do(req)
}

// Follow fetches path and follows local redirects, returning the last page.
func (c *Client) Follow(r *Response) *Response {
	c.t.Helper()
	for i := 0; i < 5 && r.StatusCode >= 300 && r.StatusCode < 400; i++ {
		r = c.Get(r.Location())
	}
	return r
}

// CSRF is the browser's current CSRF token (the double-submit cookie,
// __Host-bb_csrf behind an https BASE_URL); fetching any page first sets it.
func (c *Client) CSRF() string {
	u, _ := url.Parse(c.srv.URL)
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == "bb_csrf" || ck.Name == "__Host-bb_csrf" {
			return ck.Value
		}
	}
	return ""
}

// Post submits a form the way a browser would, with the CSRF token.
func (c *Client) Post(path string, form url.Values) *Response {
	c.t.Helper()
	if c.CSRF() == "" {
		c.Get("/login")
	}
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" {
		form.Set("_csrf", c.CSRF())
	}
	return c.PostRaw(path, form)
}

// PostRaw submits a form exactly as given (no CSRF token added).
func (c *Client) PostRaw(path string, form url.Values) *Response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.srv.URL+path, strings.NewReader(form.Encode()))
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// Cookie returns the named cookie the browser holds, or "".
func (c *Client) Cookie(name string) string {
	u, _ := url.Parse(c.srv.URL)
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// SetCookie plants a cookie (e.g. a stolen session token) in this browser.
func (c *Client) SetCookie(name, value string) {
	u, _ := url.Parse(c.srv.URL)
	c.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

// Login logs in and requires success.
func (c *Client) Login(email, password string) {
	c.t.Helper()
	r := c.Post("/login", url.Values{"email": {email}, "password": {password}})
	require.Equal(c.t, http.StatusSeeOther, r.StatusCode, "log-in as %s failed: %s", email, r.Text(".error-summary"))
}
