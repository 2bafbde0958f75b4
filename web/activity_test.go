package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/web/webtest"
)

// The chat activity log lists events newest first with their calls and
// errors, offers Retry on failed ones, and is invisible to other tenants.
func TestActivityLog(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t, "")
	ctx := context.Background()
	for i := range 3 {
		status, _ := post(t, h.url, fmt.Sprintf(`{"event":"new_message","chat_id":7,"message":{"id":"m%d","kind":"visitor","text":"hello %d"}}`, i, i), nil)
		require.Equal(t, 200, status)
	}
	var failedID int64
	require.NoError(t, h.pool.QueryRow(ctx, `UPDATE bridge_events SET status = 'failed', attempts = 4, last_error = 'Webim call failed 4 times: webim: api 502'
		WHERE dedup_key = 'msg:7:m0' RETURNING id`).Scan(&failedID))
	_, err := h.pool.Exec(ctx, `INSERT INTO bridge_calls (event_id, target, method, attempt, status_code, ok, error) VALUES ($1, 'webim', 'send_message', 4, 502, false, 'webim: api 502')`, failedID)
	require.NoError(t, err)

	page := fmt.Sprintf("/projects/%d/settings/integrations/%d/activity", h.projectID, h.integID)
	owner := webtest.NewClient(t, h.srv)
	owner.Login("hook-owner@example.com", "owner password")
	r := owner.Get(page)
	require.Equal(t, http.StatusOK, r.StatusCode)
	rows := r.Doc.Find("table.activity tbody tr")
	require.Equal(t, 3, rows.Length())
	require.Contains(t, rows.First().Text(), "hello 2", "newest first")
	failed := r.Doc.Find(fmt.Sprintf("#event-%d", failedID))
	require.Contains(t, failed.Text(), "Failed")
	require.Contains(t, failed.Text(), "Webim call failed 4 times")
	require.Contains(t, failed.Text(), "webim send_message #4 → 502")
	require.Equal(t, 1, failed.Find("form button").Length(), "Retry on the failed event")
	require.Equal(t, 1, r.Doc.Find("table.activity form").Length(), "and only there")

	retry := fmt.Sprintf("%s/%d/retry", page, failedID)
	r = owner.Post(retry, url.Values{})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	var status string
	require.NoError(t, h.pool.QueryRow(ctx, `SELECT status FROM bridge_events WHERE id = $1`, failedID).Scan(&status))
	require.Equal(t, "pending", status)
	r = owner.Post(retry, url.Values{})
	require.Equal(t, http.StatusConflict, r.StatusCode, "only failed events can be retried")

	// Another owner and a moderator: 404 on the page and on Retry.
	_, err = auth.CreateUser(ctx, h.pool, "other@example.com", "other password", auth.RoleOwner)
	require.NoError(t, err)
	_, err = auth.CreateUser(ctx, h.pool, "mod@example.com", "moderator password", auth.RoleModerator)
	require.NoError(t, err)
	for _, who := range [][2]string{{"other@example.com", "other password"}, {"mod@example.com", "moderator password"}} {
		c := webtest.NewClient(t, h.srv)
		c.Login(who[0], who[1])
		require.Equal(t, http.StatusNotFound, c.Get(page).StatusCode, who[0])
		require.Equal(t, http.StatusNotFound, c.Post(retry, url.Values{}).StatusCode, who[0])
	}
	// An integration id of another project under this project's URL: 404.
	require.Equal(t, http.StatusNotFound, owner.Get(fmt.Sprintf("/projects/%d/settings/integrations/%d/activity", h.projectID, h.integID+999)).StatusCode)
	// Anonymous: sent to log in.
	require.Equal(t, http.StatusSeeOther, webtest.NewClient(t, h.srv).Get(page).StatusCode)
}
