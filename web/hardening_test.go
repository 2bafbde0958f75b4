package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbtest"
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
