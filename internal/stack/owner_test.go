package stack_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/sandbox"
	"github.com/botbridge/botbridge/internal/stack"
)

// health reads the integration's honest status as its page shows it.
func health(t require.TestingT, s *stack.Stack) integration.Health {
	ctx := context.Background()
	in, err := integration.Get(ctx, s.Pool, s.ProjectID, s.Accounts[0].IntegrationID)
	require.NoError(t, err)
	h, err := integration.HealthOf(ctx, s.Pool, in)
	require.NoError(t, err)
	return h
}

func waitState(t *testing.T, s *stack.Stack, state string) integration.Health {
	t.Helper()
	var h integration.Health
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		h = health(c, s)
		assert.Equal(c, state, h.State)
	}, 20*time.Second, 50*time.Millisecond)
	return h
}

// The status an owner reads goes waiting → working → unhealthy → (Check
// again) → working, with the sandbox as Webim; botbridge's own changes are
// attributed to botbridge; Retry failed events then delivers what failed
// while the token was refused, each chat in order.
func TestStatusTransitionsEndToEnd(t *testing.T) {
	t.Parallel()
	s := start(t, stack.Options{})
	sb := s.Sandbox()
	ctx := context.Background()
	integID := s.Accounts[0].IntegrationID

	h := health(t, s)
	require.Equal(t, integration.StateWaiting, h.State, "nothing from Webim yet")
	require.Nil(t, h.LastEventAt)
	require.Nil(t, h.LastReplyAt)
	require.False(t, h.ChangedByBotbridge, "the owner created it")
	require.NotEmpty(t, h.ChangedByEmail)

	chat, err := sb.StartChat(ctx, "Ann")
	require.NoError(t, err)
	wait(t, sb, chat, sandbox.HasKeyboardButton("menu_prices"))
	h = waitState(t, s, integration.StateWorking)
	require.NotNil(t, h.LastEventAt)
	require.Eventually(t, func() bool { return health(t, s).LastReplyAt != nil }, 20*time.Second, 50*time.Millisecond)

	// Webim revokes the token: the next replies fail and the integration
	// turns unhealthy, by botbridge's hand.
	sb.SetFaults(sandbox.Faults{Unauthorized: true})
	require.NoError(t, sb.SendText(ctx, chat, "first"))
	h = waitState(t, s, integration.StateUnhealthy)
	require.True(t, h.ChangedByBotbridge)
	chat2, err := sb.StartChat(ctx, "Bob")
	require.NoError(t, err)
	require.NoError(t, sb.SendText(ctx, chat, "second"))
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		h := health(c, s)
		assert.Equal(c, 3, h.Failed, "first, second and Bob's greeting failed")
		assert.NotEmpty(c, h.LastError)
	}, 20*time.Second, 50*time.Millisecond)

	// Retrying now would fail again: refused, with the reason.
	_, err = s.Engine.RetryFailed(ctx, s.ProjectID, integID)
	require.ErrorIs(t, err, bridge.ErrCannotSend)

	// Check again while Webim still refuses: nothing changes.
	res, err := s.Engine.CheckAgain(ctx, s.ProjectID, integID)
	require.NoError(t, err)
	require.Equal(t, bridge.CheckRefused, res.Outcome)
	require.Equal(t, integration.StateUnhealthy, health(t, s).State)

	// The token works again: Check again makes the integration healthy.
	sb.SetFaults(sandbox.Faults{})
	res, err = s.Engine.CheckAgain(ctx, s.ProjectID, integID)
	require.NoError(t, err)
	require.Equal(t, bridge.CheckAccepted, res.Outcome)
	require.True(t, res.Recovered)
	h = health(t, s)
	require.Equal(t, integration.StateWorking, h.State)
	require.True(t, h.ChangedByBotbridge, "attributed to botbridge, not to the last editor")
	var audited int
	require.NoError(t, s.Pool.QueryRow(ctx, `SELECT count(*) FROM integration_audit WHERE integration_id = $1 AND action = 'marked_healthy' AND actor_id IS NULL`, integID).Scan(&audited))
	require.Equal(t, 1, audited)

	// Retry failed events: all three, each chat in order.
	n, err := s.Engine.RetryFailed(ctx, s.ProjectID, integID)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	tr := wait(t, sb, chat, sandbox.HasBotText("You said: second"))
	texts := tr.BotTexts()
	first, second := -1, -1
	for i, x := range texts {
		switch x {
		case "You said: first":
			first = i
		case "You said: second":
			second = i
		}
	}
	require.True(t, first >= 0 && first < second, "chat order kept: %q", texts)
	wait(t, sb, chat2, sandbox.HasKeyboardButton("menu_prices"))
	require.Eventually(t, func() bool { return health(t, s).Failed == 0 }, 20*time.Second, 50*time.Millisecond)
	n, err = s.Engine.RetryFailed(ctx, s.ProjectID, integID)
	require.NoError(t, err)
	require.Zero(t, n)

	// Another tenant's project id finds nothing.
	_, err = s.Engine.CheckAgain(ctx, s.ProjectID+1000, integID)
	require.Error(t, err)
	_, err = s.Engine.RetryFailed(ctx, s.ProjectID+1000, integID)
	require.Error(t, err)
}
