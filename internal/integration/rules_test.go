package integration_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/webim"
)

// The rule "accepts webhooks" is named once in SQL (the view the webhook
// lookup and the ingest read) and once in Go; they must agree for every
// state an integration can be in. CanSend is the stricter rule the engine
// applies before calling Webim.
func TestAcceptsWebhooksMatchesView(t *testing.T) {
	t.Parallel()
	f := setup(t, true)
	for _, tc := range []struct {
		status  string
		deleted bool
		canSend bool
	}{
		{integration.StatusActive, false, true},
		{integration.StatusUnhealthy, false, false},
		{integration.StatusDisabled, false, false},
		{integration.StatusActive, true, false},
		{integration.StatusUnhealthy, true, false},
		{integration.StatusDisabled, true, false},
	} {
		it := f.create(t, goodInput())
		_, err := f.tx.Exec(f.ctx, `UPDATE integrations SET status = $2 WHERE id = $1`, it.ID, tc.status)
		require.NoError(t, err)
		if tc.deleted {
			require.NoError(t, integration.Delete(f.ctx, f.tx, f.project, it.ID, f.owner))
		}
		got, err := integration.GetByID(f.ctx, f.tx, it.ID)
		require.NoError(t, err)
		var inView bool
		require.NoError(t, f.tx.QueryRow(f.ctx, `SELECT EXISTS (SELECT 1 FROM integrations_accepting_webhooks WHERE id = $1)`, it.ID).Scan(&inView))
		require.Equal(t, inView, got.AcceptsWebhooks(), "status %s, deleted %v", tc.status, tc.deleted)
		require.Equal(t, tc.canSend, got.CanSend(), "status %s, deleted %v", tc.status, tc.deleted)
		if !tc.deleted { // frees the domain for the next case
			require.NoError(t, integration.Delete(f.ctx, f.tx, f.project, it.ID, f.owner))
		}
	}
}

func TestWebimTarget(t *testing.T) {
	t.Parallel()
	require.Equal(t, webim.Target{OperatorID: 7}, integration.Integration{TransferTo: "operator", OperatorID: 7, DepartmentID: "x"}.WebimTarget())
	require.Equal(t, webim.Target{DepKey: "sales"}, integration.Integration{TransferTo: "department", DepartmentID: "sales"}.WebimTarget())
	require.Equal(t, webim.Target{}, integration.Integration{TransferTo: "department"}.WebimTarget(), "neither set: the queue")
}
