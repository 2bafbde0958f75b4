package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/web"
	"github.com/botbridge/botbridge/web/webtest"
)

// The CSRF token counts only from the form body or the X-CSRF-Token
// header: a token in the query string (which leaks through logs, history
// and Referer) is not accepted.
func TestCSRFTokenNotFromQueryString(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	_, err := auth.CreateUser(context.Background(), tx, "csrfq@example.com", "csrf password 1", auth.RoleOwner)
	require.NoError(t, err)
	srv := webtest.Server(t, tx)
	c := webtest.NewClient(t, srv)
	c.Login("csrfq@example.com", "csrf password 1")
	token := c.CSRF()
	require.NotEmpty(t, token)

	r := c.PostRaw("/projects?_csrf="+url.QueryEscape(token), url.Values{"name": {"From the query"}})
	require.Equal(t, http.StatusForbidden, r.StatusCode, "token in the query string")

	post := func(body url.Values, header string) int {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/projects", strings.NewReader(body.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", c.IP)
		if header != "" {
			req.Header.Set("X-CSRF-Token", header)
		}
		resp, err := c.HTTP.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, http.StatusSeeOther, post(url.Values{"name": {"From the header"}}, token), "header")
	require.Equal(t, http.StatusSeeOther, post(url.Values{"name": {"From the body"}, "_csrf": {token}}, ""), "form body")
	require.Equal(t, http.StatusForbidden, post(url.Values{"name": {"Wrong"}, "_csrf": {"not-the-token"}}, ""))
}

// syncBuffer is a log sink the server's goroutines may write concurrently.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// No shape of webhook path puts its key into the request log.
func TestWebhookKeysNeverLogged(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	var logs syncBuffer
	srv := webtest.Server(t, tx, func(d *web.Deps) {
		d.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	const key = "c2VjcmV0LWtleS1vZi1hLXdlYmhvb2sx"
	for _, path := range []string{
		"/webhooks/webim/" + key, "//webhooks/webim/" + key, "/webhooks/webim/" + key + "/v2",
		"/webhooks/webim/" + key + "/v3", "/webhooks%2Fwebim%2F" + key, "/webhooks/webim%2F" + key + "%2Fv1",
		"/webhooks%252Fwebim%252F" + key,
	} {
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(`{"event":"new_message"}`))
		require.NoError(t, err, path)
		resp.Body.Close()
	}
	require.Eventually(t, func() bool { return strings.Count(logs.String(), "http request") >= 7 }, 5*time.Second, 10*time.Millisecond)
	require.NotContains(t, logs.String(), key[:16])
	require.Contains(t, logs.String(), "/webhooks/webim/[key]/v2")
}

// HSTS only when BASE_URL is https, never because a client says
// X-Forwarded-Proto: https; over https the session and CSRF cookies carry
// the __Host- prefix (Secure, Path=/, no Domain: a sibling subdomain
// cannot plant them).
func TestHTTPSOnlyHeadersAndHostCookies(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	_, err := auth.CreateUser(context.Background(), tx, "https@example.com", "https password 1", auth.RoleOwner)
	require.NoError(t, err)

	plain := webtest.NewClient(t, webtest.Server(t, tx))
	plain.HTTP.Transport = addHeader{"X-Forwarded-Proto", "https", http.DefaultTransport}
	r := plain.Get("/login")
	require.Empty(t, r.Header.Get("Strict-Transport-Security"), "a client's X-Forwarded-Proto turns nothing on")
	plain.HTTP.Transport = nil
	plain.Login("https@example.com", "https password 1")
	require.NotEmpty(t, plain.Cookie("bb_session"), "plain names over http")

	srv := webtest.Server(t, tx, func(d *web.Deps) {
		d.Config = webtest.Config(t, map[string]string{"BASE_URL": "https://bridge.example.com"})
	})
	c := webtest.NewClient(t, srv)
	r = c.Get("/login")
	require.Equal(t, "max-age=31536000", r.Header.Get("Strict-Transport-Security"))
	r = c.Post("/login", url.Values{"email": {"https@example.com"}, "password": {"https password 1"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	names := map[string]*http.Cookie{}
	for _, ck := range r.Cookies() {
		names[ck.Name] = ck
	}
	ck := names["__Host-bb_session"]
	require.NotNil(t, ck, "session cookie with the __Host- prefix")
	require.True(t, ck.Secure)
	require.Equal(t, "/", ck.Path)
	require.Empty(t, ck.Domain)
	require.NotContains(t, names, "bb_session")
	require.NotEmpty(t, c.Cookie("__Host-bb_csrf"))
	require.Equal(t, http.StatusOK, c.Get("/projects").StatusCode, "the session works under its new name")
	r = c.Post("/logout", nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, http.StatusSeeOther, c.Get("/projects").StatusCode, "logged out")
}

// One client address may have only so many requests in flight at once
// (MAX_REQUESTS_PER_IP); the rest are turned away at once with 429. Not
// parallel: the requests held in flight are log-ins waiting for a hashing
// turn, with every turn of the process taken.
func TestConcurrentRequestsCappedPerAddress(t *testing.T) {
	// Requests in flight together need a pool, not one test transaction.
	pool := dbtest.Pool(t)
	t.Cleanup(func() {
		_, _ = pool.Exec(context.Background(), `DELETE FROM login_failures WHERE ip = '203.0.113.90'`)
	})
	srv := webtest.Server(t, pool, func(d *web.Deps) {
		d.Config = webtest.Config(t, map[string]string{"MAX_REQUESTS_PER_IP": "2", "TRUSTED_PROXIES": "127.0.0.1"})
	})
	c := webtest.NewClient(t, srv)
	c.IP = "203.0.113.90"
	c.Get("/login")
	release := sync.OnceFunc(auth.OccupyHashSlots())
	defer release()
	held := make(chan int, 2)
	for range 2 {
		go func() {
			form := url.Values{"email": {"nobody@example.com"}, "password": {"a guess"}, "_csrf": {c.CSRF()}}
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", c.IP)
			resp, err := c.HTTP.Do(req)
			if err != nil {
				held <- 0
				return
			}
			resp.Body.Close()
			held <- resp.StatusCode
		}()
	}
	// The two log-ins wait for a hashing turn (up to auth.HashWait).
	select {
	case s := <-held:
		t.Fatalf("a log-in ended early: %d", s)
	case <-time.After(auth.HashWait / 2):
	}
	r := c.Get("/login")
	require.Equal(t, http.StatusTooManyRequests, r.StatusCode, "a third request from the same address")
	require.Equal(t, "1", r.Header.Get("Retry-After"))
	c.IP = "198.51.100.90"
	require.Equal(t, http.StatusOK, c.Get("/login").StatusCode, "other addresses are served")

	require.Equal(t, http.StatusServiceUnavailable, <-held)
	require.Equal(t, http.StatusServiceUnavailable, <-held)
	release()
	c.IP = "203.0.113.90"
	require.Equal(t, http.StatusOK, c.Get("/login").StatusCode, "served again once the others finished")
}
