package stack_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/sandbox"
	"github.com/botbridge/botbridge/internal/stack"
)

// botEvent waits until the demo bot has received an event matching cond
// and returns it.
func botEvent(t *testing.T, s *stack.Stack, cond func(botapi.Event) bool) botapi.Event {
	t.Helper()
	var found botapi.Event
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		for _, ev := range s.Bot.Events() {
			if cond(ev) {
				found = ev
				return
			}
		}
		c.Errorf("no such bot event yet; types so far: %v", eventTypes(s.Bot.Events()))
	}, 20*time.Second, 20*time.Millisecond)
	return found
}

func eventTypes(evs []botapi.Event) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Type)
	}
	return out
}

func ofType(typ, platformChat string) func(botapi.Event) bool {
	return func(ev botapi.Event) bool { return ev.Type == typ && ev.Chat.PlatformChatID == platformChat }
}

// bridgeState waits until botbridge has recorded the chat in state. The
// sandbox changes a chat's state when it answers redirect_chat; botbridge
// records it a moment later, after Webim's answer. A person takes longer
// than that to answer as the operator, so tests wait for it too (see the
// report of issue 13: a return arriving before the record is taken for a
// new chat).
func bridgeState(t *testing.T, s *stack.Stack, chat int64, state string) {
	t.Helper()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		var got string
		require.NoError(c, s.Pool.QueryRow(context.Background(),
			`SELECT state FROM chats WHERE platform_chat_id = $1`, chatStr(chat)).Scan(&got))
		assert.Equal(c, state, got)
	}, 20*time.Second, 20*time.Millisecond)
}

func chatStr(id int64) string { b, _ := json.Marshal(id); return string(b) }

// noFailedCalls checks that botbridge never made a Webim call the sandbox
// refused.
func noFailedCalls(t *testing.T, s *stack.Stack) {
	t.Helper()
	for _, c := range s.Sandbox().Calls() {
		require.Equal(t, http.StatusOK, c.Status, "%s %s: %s", c.Method, c.Body, c.Error)
	}
}

// A sticker is a kind botbridge does not model: the bot hears message.other
// with the kind and the data, and its answer reaches the visitor.
func TestStickerEndToEnd(t *testing.T) {
	t.Parallel()
	s := start(t, stack.Options{})
	sb := s.Sandbox()
	ctx := context.Background()
	chat, err := sb.StartChat(ctx, "Ann")
	require.NoError(t, err)
	wait(t, sb, chat, sandbox.HasKeyboardButton("menu_prices"))
	require.NoError(t, sb.SendSticker(ctx, chat, 7))
	wait(t, sb, chat, sandbox.HasBotText("I can't read stickers yet"))
	ev := botEvent(t, s, ofType(botapi.TypeMessageOther, chatStr(chat)))
	require.Equal(t, "sticker_visitor", ev.Message.Kind)
	require.JSONEq(t, `{"stickerId":7}`, string(ev.Message.Data))
	require.Equal(t, sb.Transcript(chat).Messages[2].ID, ev.Message.ID, "the sticker's Webim id")
	noFailedCalls(t, s)
}

// An account that sends chat ids as strings and messages without ids: the
// bridge answers with string ids (the sandbox refuses integers for such
// chats) and still delivers every message once.
func TestStringChatIDsEndToEnd(t *testing.T) {
	t.Parallel()
	s := start(t, stack.Options{Sandbox: sandbox.Config{StringChatIDs: true, NoMessageIDs: true}})
	sb := s.Sandbox()
	ctx := context.Background()
	chat, err := sb.StartChat(ctx, "Ann")
	require.NoError(t, err)
	require.True(t, sb.Transcript(chat).StringID)
	wait(t, sb, chat, sandbox.HasKeyboardButton("menu_prices"))
	require.NoError(t, sb.SendText(ctx, chat, "one"))
	wait(t, sb, chat, sandbox.HasBotText("You said: one"))
	require.NoError(t, sb.SendText(ctx, chat, "two"))
	wait(t, sb, chat, sandbox.HasBotText("You said: two"))
	require.NoError(t, sb.PressButton(ctx, chat, "menu_prices"))
	wait(t, sb, chat, sandbox.HasBotText("You pressed Prices"))
	require.NoError(t, sb.SendText(ctx, chat, "bye"))
	wait(t, sb, chat, sandbox.InState(sandbox.StateClosed))

	calls := sb.AcceptedCalls()
	require.NotEmpty(t, calls)
	for _, c := range calls {
		require.Contains(t, c.Body, `"chat_id":"`+chatStr(chat)+`"`, "the id goes back as the string it came as")
	}
	noFailedCalls(t, s)
	ev := botEvent(t, s, ofType(botapi.TypeChatStarted, chatStr(chat)))
	require.Equal(t, chatStr(chat), ev.Chat.PlatformChatID)
	var texts int
	for _, ev := range s.Bot.Events() {
		if ev.Type == botapi.TypeMessageText {
			texts++
		}
	}
	require.Equal(t, 3, texts, "one, two, bye: each once")
}

// An operator takes a transferred chat, talks to the visitor and hands it
// back: the bot hears chat.returned carrying exactly what was said since
// the transfer, answers it, and talks on with the visitor.
func TestReturnToBotEndToEnd(t *testing.T) {
	t.Parallel()
	s := start(t, stack.Options{})
	sb := s.Sandbox()
	ctx := context.Background()
	chat, err := sb.StartChat(ctx, "Ann")
	require.NoError(t, err)
	wait(t, sb, chat, sandbox.HasKeyboardButton("menu_prices"))
	require.NoError(t, sb.SendText(ctx, chat, "hello"))
	wait(t, sb, chat, sandbox.HasBotText("You said: hello"))
	require.NoError(t, sb.SendText(ctx, chat, "operator"))
	wait(t, sb, chat, sandbox.InState(sandbox.StateTransferred))
	bridgeState(t, s, chat, "transferred")

	require.NoError(t, sb.OperatorSay(chat, "Hi, I'm Anna"))
	require.NoError(t, sb.SendText(ctx, chat, "where is my order?"))
	require.NoError(t, sb.SendSticker(ctx, chat, 3))
	require.NoError(t, sb.OperatorSay(chat, "It ships today"))
	require.NoError(t, sb.ReturnToBot(ctx, chat))
	tr := wait(t, sb, chat, sandbox.HasBotText("Welcome back"))
	require.Contains(t, strings.Join(tr.BotTexts(), "\n"), "The operator's last message: “It ships today”")

	ev := botEvent(t, s, ofType(botapi.TypeChatReturned, chatStr(chat)))
	var since []sandbox.Message
	seenTransfer := false
	for _, m := range tr.Messages {
		if m.Kind == sandbox.KindTransfer {
			seenTransfer = true
			continue
		}
		if m.Kind == sandbox.KindReturn {
			break
		}
		if seenTransfer && m.From != sandbox.FromSystem {
			since = append(since, m)
		}
	}
	require.Len(t, since, 4)
	type line struct{ ID, Kind, Text string }
	var want, got []line
	for _, m := range since {
		want = append(want, line{m.ID, m.Kind, m.Text})
	}
	for _, m := range ev.Messages {
		got = append(got, line{m.ID, m.Kind, m.Text})
	}
	require.Equal(t, want, got, "exactly the messages since the transfer, in order")
	require.JSONEq(t, `{"stickerId":3}`, string(ev.Messages[2].Data))
	for _, e := range s.Bot.Events() {
		if e.Message != nil {
			require.NotEqual(t, "where is my order?", e.Message.Text, "what the visitor said to the operator reaches the bot only inside chat.returned")
		}
	}

	// The bot owns the chat again.
	require.NoError(t, sb.SendText(ctx, chat, "thanks"))
	wait(t, sb, chat, sandbox.HasBotText("You said: thanks"))
	noFailedCalls(t, s)
}

// The account's chat event handler: a transfer reports chat_assigned, the
// operator's close chat_closed, both through the chat events URL with
// Basic auth, and the bot hears chat.assigned and chat.closed.
func TestChatEventsEndToEnd(t *testing.T) {
	t.Parallel()
	s := start(t, stack.Options{Sandbox: sandbox.Config{ChatAssigned: true}})
	sb := s.Sandbox()
	ctx := context.Background()
	chat, err := sb.StartChat(ctx, "Ann")
	require.NoError(t, err)
	wait(t, sb, chat, sandbox.HasKeyboardButton("menu_prices"))
	require.NoError(t, sb.SendText(ctx, chat, "op 42"))
	wait(t, sb, chat, sandbox.HasChatEvent("chat_assigned"))
	ev := botEvent(t, s, ofType(botapi.TypeChatAssigned, chatStr(chat)))
	require.Equal(t, &botapi.Operator{ID: "42", Name: "Operator 42"}, ev.Operator)

	require.NoError(t, sb.OperatorSay(chat, "Hello, Anna here"))
	require.NoError(t, sb.CloseByOperator(ctx, chat))
	tr := sb.Transcript(chat)
	require.Equal(t, sandbox.StateClosed, tr.State)
	require.Len(t, tr.ChatEvents, 2)
	for _, ce := range tr.ChatEvents {
		require.True(t, ce.OK, ce.Note)
	}
	botEvent(t, s, ofType(botapi.TypeChatClosed, chatStr(chat)))
	bridgeState(t, s, chat, "closed")
	noFailedCalls(t, s)
}

// Wrong or missing Basic credentials on the chat events URL: 401, and
// nothing is stored or forwarded.
func TestChatEventsWrongCredentials(t *testing.T) {
	t.Parallel()
	s := start(t, stack.Options{})
	a := s.Accounts[0]
	sb := a.Sandbox
	ctx := context.Background()
	chat, err := sb.StartChat(ctx, "Ann")
	require.NoError(t, err)
	wait(t, sb, chat, sandbox.HasKeyboardButton("menu_prices"))
	require.NoError(t, sb.SendText(ctx, chat, "operator"))
	wait(t, sb, chat, sandbox.InState(sandbox.StateTransferred))

	count := func() int {
		var n int
		require.NoError(t, s.Pool.QueryRow(ctx, `SELECT count(*) FROM bridge_events`).Scan(&n))
		return n
	}
	before := count()
	body := `{"event":"chat_closed","chat":{"id":` + chatStr(chat) + `}}`
	for name, creds := range map[string][2]string{
		"wrong password": {a.ChatEventsUser, a.ChatEventsPassword + "x"},
		"wrong user":     {a.ChatEventsUser + "x", a.ChatEventsPassword},
		"none":           {"", ""},
	} {
		req, err := http.NewRequest(http.MethodPost, a.ChatEventsURL, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		if creds[0] != "" {
			req.SetBasicAuth(creds[0], creds[1])
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode, name)
	}

	// The sandbox configured with a stale password: the operator's close
	// is refused with 401 and the chat is closed on Webim's side only.
	stale, err := sandbox.WithCredentials(a.ChatEventsURL, a.ChatEventsUser, "stale-password")
	require.NoError(t, err)
	require.NoError(t, sb.SetChatEventsURL(stale))
	err = sb.CloseByOperator(ctx, chat)
	var ce *sandbox.ChatEventError
	require.True(t, errors.As(err, &ce), "%v", err)
	require.Equal(t, http.StatusUnauthorized, ce.Result.Status)
	require.Equal(t, before, count(), "nothing stored, so nothing can reach the bot")
	require.False(t, slices.ContainsFunc(s.Bot.Events(), ofType(botapi.TypeChatClosed, chatStr(chat))))
}

// A Webim older than 10.4 cannot transfer to the general queue: the bridge
// sends the integration's configured target instead (the sandbox would
// refuse the queue transfer).
func TestOldWebimQueueTransferEndToEnd(t *testing.T) {
	t.Parallel()
	s := start(t, stack.Options{Sandbox: sandbox.Config{WebimVersion: "10.3.7"}})
	sb := s.Sandbox()
	ctx := context.Background()
	chat, err := sb.StartChat(ctx, "Ann")
	require.NoError(t, err)
	wait(t, sb, chat, sandbox.HasKeyboardButton("menu_prices"))
	require.NoError(t, sb.SendText(ctx, chat, "queue"))
	tr := wait(t, sb, chat, sandbox.InState(sandbox.StateTransferred))
	require.Equal(t, "support", tr.Transfer.DepKey, "the configured department, not the queue")
	noFailedCalls(t, s)

	// On a recent Webim the queue transfer goes through as asked.
	s2 := start(t, stack.Options{})
	chat2, err := s2.Sandbox().StartChat(ctx, "Bob")
	require.NoError(t, err)
	wait(t, s2.Sandbox(), chat2, sandbox.HasKeyboardButton("menu_prices"))
	require.NoError(t, s2.Sandbox().SendText(ctx, chat2, "queue"))
	tr = wait(t, s2.Sandbox(), chat2, sandbox.InState(sandbox.StateTransferred))
	require.Equal(t, "the queue", tr.Target)
}

// A Webim that sends no X-Webim-Version at all is older than 10.3
// (webim-bot-api.md: "Older releases send no such headers"), so it cannot
// transfer to the queue either: the configured target is used instead.
func TestNoVersionHeaderQueueTransferEndToEnd(t *testing.T) {
	t.Parallel()
	s := start(t, stack.Options{Sandbox: sandbox.Config{WebimVersion: sandbox.NoVersion}})
	sb := s.Sandbox()
	ctx := context.Background()
	chat, err := sb.StartChat(ctx, "Ann")
	require.NoError(t, err)
	wait(t, sb, chat, sandbox.HasKeyboardButton("menu_prices"))
	require.NoError(t, sb.SendText(ctx, chat, "queue"))
	tr := wait(t, sb, chat, sandbox.InState(sandbox.StateTransferred))
	require.Equal(t, "support", tr.Transfer.DepKey)
	noFailedCalls(t, s)
}
