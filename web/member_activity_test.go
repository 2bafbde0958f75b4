package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/web/webtest"
)

// A plain member reads the activity log and retries a failed event: that
// is day-to-day work, not configuration.
func TestMemberRetriesEvent(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t, "")
	ctx := context.Background()
	status, _ := post(t, h.url, `{"event":"new_message","chat_id":8,"message":{"id":"m1","kind":"visitor","text":"hi"}}`, nil)
	require.Equal(t, 200, status)
	var failedID int64
	require.NoError(t, h.pool.QueryRow(ctx, `UPDATE bridge_events SET status = 'failed', attempts = 4, last_error = 'webim: api 502'
		WHERE dedup_key = 'msg:8:m1' RETURNING id`).Scan(&failedID))
	mu, err := auth.CreateUser(ctx, h.pool, "member@example.com", "member password", auth.RoleOwner)
	require.NoError(t, err)
	tmJoin(ctx, t, h.pool, h.projectID, mu.ID, project.RoleMember)
	member := webtest.NewClient(t, h.srv)
	member.Login("member@example.com", "member password")

	page := fmt.Sprintf("/projects/%d/settings/integrations/%d/activity", h.projectID, h.integID)
	r := member.Get(page)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, 1, r.Doc.Find(fmt.Sprintf("#event-%d form button", failedID)).Length(), "Retry offered to the member")
	r = member.Post(fmt.Sprintf("%s/%d/retry", page, failedID), url.Values{})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	var st string
	require.NoError(t, h.pool.QueryRow(ctx, `SELECT status FROM bridge_events WHERE id = $1`, failedID).Scan(&st))
	require.Equal(t, "pending", st)
}
