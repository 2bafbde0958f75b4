package stack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/sandbox"
	"github.com/botbridge/botbridge/internal/stack"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func start(t *testing.T, opt stack.Options) *stack.Stack {
	t.Helper()
	pool, _ := dbtest.NewDatabase(t)
	s, err := stack.Start(context.Background(), pool, opt)
	require.NoError(t, err)
	t.Cleanup(s.Stop)
	return s
}

func wait(t *testing.T, sb *sandbox.Server, chat int64, cond func(sandbox.Transcript) bool) sandbox.Transcript {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tr, err := sb.WaitFor(ctx, chat, cond)
	require.NoError(t, err)
	return tr
}

// A visitor's whole conversation over real HTTP: Webim sandbox → botbridge
// ingress → PostgreSQL + River → demo bot (signed) → translation → Webim API.
func TestConversationEndToEnd(t *testing.T) {
	t.Parallel()
	s := start(t, stack.Options{})
	sb := s.Sandbox()
	ctx := context.Background()

	chat, err := sb.StartChat(ctx, "Ann")
	require.NoError(t, err)
	tr := wait(t, sb, chat, sandbox.HasKeyboardButton("menu_prices"))
	require.Contains(t, strings.Join(tr.BotTexts(), "\n"), "Hi Ann!")
	require.Contains(t, strings.Join(tr.BotTexts(), "\n"), "Our website: https://example.com", "link button became a text line")

	// Text → echo.
	require.NoError(t, sb.SendText(ctx, chat, "hello there"))
	wait(t, sb, chat, sandbox.HasBotText("You said: hello there"))

	// A button press reaches the bot as message.button.
	require.NoError(t, sb.PressButton(ctx, chat, "menu_prices"))
	wait(t, sb, chat, sandbox.HasBotText("You pressed Prices"))

	// Markdown arrives as readable plain text, link buttons as lines.
	require.NoError(t, sb.SendText(ctx, chat, "markdown"))
	tr = wait(t, sb, chat, sandbox.HasBotText("Markdown sample"))
	var md string
	for _, x := range tr.BotTexts() {
		if strings.Contains(x, "Markdown sample") {
			md = x
		}
	}
	require.NotContains(t, md, "**")
	require.Contains(t, md, "link (https://example.com)")
	require.Contains(t, md, "• a list item")

	// send_data_to_operator: nothing to Webim, the bot hears action.failed.
	require.NoError(t, sb.SendText(ctx, chat, "contact"))
	wait(t, sb, chat, sandbox.HasBotText("contact details"))

	// Transfer to the integration's department.
	require.NoError(t, sb.SendText(ctx, chat, "operator"))
	tr = wait(t, sb, chat, sandbox.InState(sandbox.StateTransferred))
	require.NotNil(t, tr.Transfer)
	require.Equal(t, "support", tr.Transfer.DepKey)

	// Close in a second chat.
	chat2, err := sb.StartChat(ctx, "Bob")
	require.NoError(t, err)
	wait(t, sb, chat2, sandbox.HasKeyboardButton("menu_human"))
	require.NoError(t, sb.SendText(ctx, chat2, "bye"))
	wait(t, sb, chat2, sandbox.InState(sandbox.StateClosed))

	// Transfer to a named operator.
	chat3, err := sb.StartChat(ctx, "Cid")
	require.NoError(t, err)
	wait(t, sb, chat3, sandbox.HasKeyboardButton("menu_human"))
	require.NoError(t, sb.SendText(ctx, chat3, "op 42"))
	tr = wait(t, sb, chat3, sandbox.InState(sandbox.StateTransferred))
	require.EqualValues(t, 42, tr.Transfer.OperatorID)

	// Everything acknowledged was stored and finished (the last status
	// write follows Webim's answer, so give it a moment).
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		var open int
		require.NoError(c, s.Pool.QueryRow(ctx, `SELECT count(*) FROM bridge_events WHERE status <> 'done'`).Scan(&open))
		assert.Zero(c, open)
	}, 10*time.Second, 20*time.Millisecond)
	var failed int
	require.NoError(t, s.Pool.QueryRow(ctx, `SELECT count(*) FROM bridge_calls WHERE NOT ok`).Scan(&failed))
	require.Zero(t, failed, "no call failed")
}

// With "Transfer to operator" configured, the bot's plain transfer goes to
// that operator.
func TestTransferToConfiguredOperator(t *testing.T) {
	t.Parallel()
	s := start(t, stack.Options{Transfer: "operator"})
	sb := s.Sandbox()
	ctx := context.Background()
	chat, err := sb.StartChat(ctx, "Dee")
	require.NoError(t, err)
	wait(t, sb, chat, sandbox.HasKeyboardButton("menu_human"))
	require.NoError(t, sb.PressButton(ctx, chat, "menu_human"))
	tr := wait(t, sb, chat, sandbox.InState(sandbox.StateTransferred))
	require.EqualValues(t, 240001, tr.Transfer.OperatorID)
	require.Empty(t, tr.Transfer.DepKey)
}

// Legacy 1.0: the answer travels in the webhook response.
func TestV1SynchronousEndToEnd(t *testing.T) {
	t.Parallel()
	s := start(t, stack.Options{})
	ans, err := s.Sandbox().SendTextV1(context.Background(), "6f1c2c1e-0000-4000-8000-000000000001", "hello v1")
	require.NoError(t, err)
	require.True(t, ans.HasAnswer)
	require.NotEmpty(t, ans.Messages)
	require.Contains(t, ans.Messages[0].Text, "You said: hello v1")
	ans, err = s.Sandbox().SendTextV1(context.Background(), "6f1c2c1e-0000-4000-8000-000000000001", "operator")
	require.NoError(t, err)
	require.False(t, ans.HasAnswer, "a transfer hands the chat to the queue")
}

// Webim refusing the token: integration unhealthy, shown on its page.
func TestWebimUnauthorizedEndToEnd(t *testing.T) {
	t.Parallel()
	s := start(t, stack.Options{})
	sb := s.Sandbox()
	ctx := context.Background()
	sb.SetFaults(sandbox.Faults{Unauthorized: true})
	_, err := sb.StartChat(ctx, "Eve")
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		var status string
		_ = s.Pool.QueryRow(ctx, `SELECT status FROM integrations WHERE id = $1`, s.Accounts[0].IntegrationID).Scan(&status)
		return status == "unhealthy"
	}, 20*time.Second, 50*time.Millisecond)
}

// The demo bot going down: after its retries, the fallback transfers the
// visitor with the fallback text.
func TestBotDownFallbackEndToEnd(t *testing.T) {
	t.Parallel()
	s := start(t, stack.Options{})
	sb := s.Sandbox()
	s.Bot.SetDown(true)
	chat, err := sb.StartChat(context.Background(), "Fay")
	require.NoError(t, err)
	tr := wait(t, sb, chat, sandbox.InState(sandbox.StateTransferred))
	require.Contains(t, strings.Join(tr.BotTexts(), "\n"), "Connecting you to a person.")
	require.Equal(t, "support", tr.Transfer.DepKey)
	require.GreaterOrEqual(t, s.Bot.Requests(), 3)
}
