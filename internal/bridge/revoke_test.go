package bridge_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/request"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/web/i18n"
)

// A moderator revokes the project's Webim grant while an event is in
// flight (its bot call failed and waits for the retry): the integration is
// disabled, the event ends failed with a reason the activity log shows,
// no Webim call is made, and the next webhook is refused (not found).
// Revocation only changes the integration's status; this is the engine's
// existing handling of a disabled integration.
func TestRevokedGrantEndsEventsInFlight(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	modRole := auth.RoleModerator
	mod := testfactory.User(ctx, t, f.pool, &testfactory.UserOpts{Email: testfactory.Ptr("mod@example.com"), Password: testfactory.Ptr("moderator password"), Role: &modRole})
	n := request.Notifier{Jobs: f.river, BaseURL: "http://bridge.test", T: i18n.Text, DefaultLang: "en"}
	// The fixture granted Webim directly; give the grant an approved request.
	_, err := f.pool.Exec(ctx, `DELETE FROM platform_grants WHERE project_id = $1`, f.integ.ProjectID)
	require.NoError(t, err)
	r, err := request.Submit(ctx, f.pool, n, f.owner.ID, f.integ.ProjectID, request.Input{Platform: "webim", ContactEmail: "owner@example.com",
		Organisation: "Bridge shop", Description: "Answers orders and hands over to a person.", AccessRequested: true})
	require.NoError(t, err)
	r, err = request.Take(ctx, f.pool, n, r.ID, r.Version, mod.ID)
	require.NoError(t, err)
	r, err = request.Approve(ctx, f.pool, n, r.ID, r.Version, mod.ID)
	require.NoError(t, err)

	// The bot's first answer waits for the revocation, then fails (503):
	// the event is in flight, due for a retry.
	inFlight, revoked := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	f.bot.setReply(func(botapi.Event) (int, string) {
		if calls.Add(1) == 1 {
			close(inFlight)
			<-revoked
			return http.StatusServiceUnavailable, `{}`
		}
		return http.StatusOK, `{"replies":[{"text":"Hello!"}]}`
	})
	res := f.ingest(t, `{"event":"new_message","chat_id":501,"message":{"id":"rv-1","kind":"visitor","text":"hello"}}`)
	<-inFlight
	_, err = request.Revoke(ctx, f.pool, n, r.ID, r.Version, mod.ID, "The bot sent spam.")
	close(revoked)
	require.NoError(t, err)

	f.waitStatus(t, res.EventIDs[0], "failed")
	_, _, lastError := f.eventStatus(t, res.EventIDs[0])
	require.Contains(t, lastError, "the integration is disabled")
	require.Empty(t, f.webim.Calls(), "nothing was sent to Webim for a revoked platform")

	_, err = f.tryIngest(`{"event":"new_message","chat_id":501,"message":{"id":"rv-2","kind":"visitor","text":"still there?"}}`)
	require.ErrorIs(t, err, apperr.ErrNotFound, "the webhook answers 404 once the grant is revoked")
}
