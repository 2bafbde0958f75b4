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
