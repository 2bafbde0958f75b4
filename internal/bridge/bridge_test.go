package bridge_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/botapi"
)

func textOf(c webimCall) string {
	m, _ := c.Body["message"].(map[string]any)
	s, _ := m["text"].(string)
	return s
}

func kindOf(c webimCall) string {
	m, _ := c.Body["message"].(map[string]any)
	s, _ := m["kind"].(string)
	return s
}

// A message is stored once however often Webim delivers it, reaches the bot
// signed and tagged as Webim, and the bot's Markdown reply with buttons
// arrives at Webim as plain text, link lines and a keyboard.
func TestDeliversReplyWithTranslation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.bot.setReply(func(ev botapi.Event) (int, string) {
		return 200, `{"replies":[{"text":"**Hi!** See [our site](https://example.com)","buttons":[[{"id":"yes","text":"Yes"},{"text":"Docs","url":"https://example.com/docs"}]]}]}`
	})
	body := `{"event":"new_message","chat_id":77,"message":{"id":"m-1","kind":"visitor","text":"hello"}}`
	first := f.ingest(t, body)
	require.Equal(t, 1, first.Stored)
	again := f.ingest(t, body)
	require.Equal(t, 0, again.Stored, "a redelivery is stored once")

	f.waitCalls(t, 2)
	calls := f.webim.Calls()
	require.Equal(t, "send_message", calls[0].Method)
	require.Equal(t, "Token webim-token-1234", calls[0].Auth)
	require.Equal(t, "operator", kindOf(calls[0]))
	require.Equal(t, "Hi! See our site (https://example.com)\n\nDocs: https://example.com/docs", textOf(calls[0]))
	require.EqualValues(t, 77, calls[0].Body["chat_id"])
	require.Equal(t, "keyboard", kindOf(calls[1]))
	buttons := calls[1].Body["message"].(map[string]any)["buttons"].([]any)
	require.Len(t, buttons, 1)
	require.Equal(t, []any{map[string]any{"id": "yes", "text": "Yes"}}, buttons[0])

	evs := f.bot.Events()
	require.Len(t, evs, 1)
	require.Equal(t, botapi.TypeMessageText, evs[0].Type)
	require.Equal(t, "hello", evs[0].Message.Text)
	require.Equal(t, "webim", evs[0].User.Channel)
	require.Equal(t, "webim", evs[0].Request.UserChannel)
	require.Equal(t, "77", evs[0].Chat.PlatformChatID)
	require.Equal(t, evs[0].ID, f.bot.headers[0].Get("webhook-id"))

	f.waitStatus(t, first.EventIDs[0], "done")
	_, outcome, _ := f.eventStatus(t, first.EventIDs[0])
	require.Equal(t, "replied", outcome)
}

// new_chat becomes chat.started plus the visitor's first message; a button
// press reaches the bot as message.button with the button's id and text.
func TestNewChatAndButtonPress(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.bot.setReply(func(ev botapi.Event) (int, string) { return 200, `{"replies":[{"text":"got ` + ev.Type + `"}]}` })
	res := f.ingest(t, `{"event":"new_chat","chat":{"id":5},"visitor":{"id":"v1","fields":{"name":"John","phone":"+7 900"}},"messages":[{"id":"m1","kind":"visitor","text":"привет"}]}`)
	require.Equal(t, 2, res.Stored)
	f.ingest(t, `{"event":"new_message","chat_id":5,"message":{"id":"m1","kind":"visitor","text":"привет"}}`) // already in new_chat
	f.ingest(t, `{"event":"new_message","chat_id":5,"message":{"id":"m2","kind":"keyboard_response","data":{"button":{"id":"hi","text":"Привет"},"request":{"messageId":"k1"}}}}`)
	f.waitCalls(t, 3)
	evs := f.bot.Events()
	require.Equal(t, []string{botapi.TypeChatStarted, botapi.TypeMessageText, botapi.TypeMessageButton}, []string{evs[0].Type, evs[1].Type, evs[2].Type})
	require.Equal(t, "John", *evs[0].User.Name)
	require.Equal(t, "+7 900", *evs[0].User.Phone)
	require.Nil(t, evs[0].User.Email)
	require.Equal(t, "hi", evs[2].Message.Button.ID)
	require.Equal(t, "Привет", evs[2].Message.Button.Text)
	got := []string{}
	for _, c := range f.webim.Calls() {
		got = append(got, textOf(c))
	}
	require.Equal(t, []string{"got chat.started", "got message.text", "got message.button"}, got)
}

// Actions: transfer to the configured department, to a named operator or
// department, to the queue; close; send_data_to_operator comes back to the
// bot as action.failed and nothing is sent to Webim for it.
func TestActions(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.bot.setReply(func(ev botapi.Event) (int, string) {
		if ev.Type == botapi.TypeActionFailed {
			return 200, `{"replies":[{"text":"failed: ` + ev.Action + ` ` + ev.Reason + `"}]}`
		}
		switch ev.Message.Text {
		case "default":
			return 200, `{"action":{"type":"transfer"}}`
		case "operator":
			return 200, `{"action":{"type":"transfer","operator_id":42}}`
		case "dept":
			return 200, `{"action":{"type":"transfer","department":"billing"}}`
		case "queue":
			return 200, `{"action":{"type":"transfer","queue":true}}`
		case "bye":
			return 200, `{"replies":[{"text":"Bye"}],"action":{"type":"close"}}`
		case "contact":
			return 200, `{"action":{"type":"send_data_to_operator","data":{"phone":"+7"}}}`
		}
		return 200, `{}`
	})
	for i, text := range []string{"default", "operator", "dept", "queue", "bye", "contact"} {
		f.ingest(t, fmt.Sprintf(`{"event":"new_message","chat_id":%d,"message":{"id":"m","kind":"visitor","text":%q}}`, 100+i, text))
	}
	f.waitCalls(t, 7)
	byChat := map[float64][]webimCall{}
	for _, c := range f.webim.Calls() {
		id := c.Body["chat_id"].(float64)
		byChat[id] = append(byChat[id], c)
	}
	require.Equal(t, map[string]any{"chat_id": float64(100), "dep_key": "sales"}, byChat[100][0].Body)
	require.Equal(t, map[string]any{"chat_id": float64(101), "operator_id": float64(42)}, byChat[101][0].Body)
	require.Equal(t, map[string]any{"chat_id": float64(102), "dep_key": "billing"}, byChat[102][0].Body)
	require.Equal(t, map[string]any{"chat_id": float64(103)}, byChat[103][0].Body)
	require.Equal(t, "redirect_chat", byChat[103][0].Method)
	require.Equal(t, "send_message", byChat[104][0].Method)
	require.Equal(t, "close_chat", byChat[104][1].Method)
	require.Len(t, byChat[105], 1, "only the bot's answer to action.failed reaches Webim")
	require.Equal(t, "failed: send_data_to_operator unsupported_by_platform", textOf(byChat[105][0]))

	want := []string{"transferred", "transferred", "transferred", "transferred", "closed", "bot"}
	var states []string
	// The chat's state is written right after Webim accepts the call.
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		states = nil
		rows, err := f.pool.Query(context.Background(), `SELECT state FROM chats ORDER BY platform_chat_id`)
		require.NoError(c, err)
		defer rows.Close()
		for rows.Next() {
			var s string
			require.NoError(c, rows.Scan(&s))
			states = append(states, s)
		}
		require.NoError(c, rows.Err())
		assert.Equal(c, want, states)
	}, waitFor, tick, "chat states")
}

// Events of one chat reach the bot and Webim in arrival order even while
// many chats are processed in parallel and the bot answers at random speed.
func TestPerChatOrderingWithConcurrentChats(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.bot.setReply(func(ev botapi.Event) (int, string) {
		time.Sleep(time.Duration(rand.IntN(5)) * time.Millisecond)
		return 200, `{"replies":[{"text":"` + ev.Message.Text + `"}]}`
	})
	const chats, perChat = 6, 12
	// The senders report to the test goroutine, which alone may fail the test.
	errs := make(chan error, chats)
	for c := range chats {
		go func() {
			for m := range perChat {
				if _, err := f.tryIngest(fmt.Sprintf(`{"event":"new_message","chat_id":%d,"message":{"id":"m%d","kind":"visitor","text":"%d"}}`, 500+c, m, m)); err != nil {
					errs <- fmt.Errorf("chat %d message %d: %w", 500+c, m, err)
					return
				}
				if rand.IntN(3) == 0 {
					time.Sleep(time.Millisecond)
				}
			}
			errs <- nil
		}()
	}
	for range chats {
		require.NoError(t, <-errs)
	}
	f.waitCalls(t, chats*perChat)
	seq := map[float64][]string{}
	for _, c := range f.webim.Calls() {
		id := c.Body["chat_id"].(float64)
		seq[id] = append(seq[id], textOf(c))
	}
	for c := range chats {
		want := []string{}
		for m := range perChat {
			want = append(want, fmt.Sprint(m))
		}
		require.Equal(t, want, seq[float64(500+c)], "chat %d in order", 500+c)
	}
}

// Webim refusing the token marks the integration unhealthy, fails the
// event visibly and mails the owner once, however many events fail.
func TestWebimUnauthorizedMarksUnhealthy(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.bot.setReply(func(ev botapi.Event) (int, string) { return 200, `{"replies":[{"text":"hi"}]}` })
	f.webim.setFail(func(int, webimCall) (int, http.Header) { return http.StatusUnauthorized, nil })
	a := f.ingest(t, `{"event":"new_message","chat_id":1,"message":{"id":"a","kind":"visitor","text":"x"}}`)
	b := f.ingest(t, `{"event":"new_message","chat_id":2,"message":{"id":"b","kind":"visitor","text":"y"}}`)
	for _, id := range []int64{a.EventIDs[0], b.EventIDs[0]} {
		f.waitStatus(t, id, "failed")
	}
	var status, reason string
	require.NoError(t, f.pool.QueryRow(context.Background(), `SELECT status, unhealthy_reason FROM integrations WHERE id = $1`, f.integ.ID).Scan(&status, &reason))
	require.Equal(t, "unhealthy", status)
	require.Contains(t, reason, "Webim refused the Auth token")
	var mails int
	var to, subject string
	require.NoError(t, f.pool.QueryRow(context.Background(), `SELECT count(*), min(to_addr), min(subject) FROM mail_outbox WHERE topic LIKE 'integration:%'`).Scan(&mails, &to, &subject))
	require.Equal(t, 1, mails, "owner mailed once, not per message")
	require.Equal(t, "owner@example.com", to)
	require.Contains(t, subject, "needs attention")
	_, _, lastErr := f.eventStatus(t, b.EventIDs[0])
	require.NotEmpty(t, lastErr)
}

// A bot that stays down gets its retries, then the fallback hands the chat
// to the configured department with the owner's fallback text.
func TestBotDownFallsBack(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.bot.setReply(func(ev botapi.Event) (int, string) { return 503, `down` })
	res := f.ingest(t, `{"event":"new_message","chat_id":9,"message":{"id":"a","kind":"visitor","text":"help"}}`)
	f.waitCalls(t, 2)
	calls := f.webim.Calls()
	require.Equal(t, "Our assistant is away. Connecting you to a person.", textOf(calls[0]))
	require.Equal(t, map[string]any{"chat_id": float64(9), "dep_key": "sales"}, calls[1].Body)
	require.Len(t, f.bot.Events(), 3, "the bot was tried BotAttempts times")
	f.waitStatus(t, res.EventIDs[0], "done")
	_, outcome, lastErr := f.eventStatus(t, res.EventIDs[0])
	require.Equal(t, "fallback", outcome)
	require.Contains(t, lastErr, "bot unreachable after 3 attempts")
	var botCalls int
	require.NoError(t, f.pool.QueryRow(context.Background(), `SELECT count(*) FROM bridge_calls WHERE event_id = $1 AND target = 'bot' AND NOT ok AND status_code = 503`, res.EventIDs[0]).Scan(&botCalls))
	require.Equal(t, 3, botCalls)
}

// Webim failing with 500 and 429 is retried; each call succeeds exactly
// once and the retries are recorded; the bot is asked only once.
func TestWebimTransientFailuresRetried(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.bot.setReply(func(ev botapi.Event) (int, string) {
		return 200, `{"replies":[{"text":"one"},{"text":"two"}]}`
	})
	f.webim.setFail(func(n int, c webimCall) (int, http.Header) {
		switch n {
		case 1:
			return 500, nil
		case 3:
			return 429, http.Header{"Retry-After": {"0"}}
		}
		return 0, nil
	})
	res := f.ingest(t, `{"event":"new_message","chat_id":3,"message":{"id":"a","kind":"visitor","text":"hi"}}`)
	f.waitStatus(t, res.EventIDs[0], "done")
	got := []string{}
	for _, c := range f.webim.Calls() {
		got = append(got, textOf(c))
	}
	require.Equal(t, []string{"one", "two"}, got)
	require.Len(t, f.bot.Events(), 1)
	var failed int
	require.NoError(t, f.pool.QueryRow(context.Background(), `SELECT count(*) FROM bridge_calls WHERE event_id = $1 AND target = 'webim' AND NOT ok`, res.EventIDs[0]).Scan(&failed))
	require.Equal(t, 2, failed)
}

// Exhausted Webim retries end in a visible failed state; Retry resumes and
// delivers once Webim is back.
func TestFailedEventCanBeRetried(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.bot.setReply(func(ev botapi.Event) (int, string) { return 200, `{"replies":[{"text":"pong"}]}` })
	f.webim.setFail(func(int, webimCall) (int, http.Header) { return 502, nil })
	res := f.ingest(t, `{"event":"new_message","chat_id":4,"message":{"id":"a","kind":"visitor","text":"ping"}}`)
	id := res.EventIDs[0]
	f.waitStatus(t, id, "failed")
	_, _, lastErr := f.eventStatus(t, id)
	require.True(t, strings.HasPrefix(lastErr, "Webim call failed 4 times"), lastErr)

	f.webim.setFail(nil)
	var projectID int64
	require.NoError(t, f.pool.QueryRow(context.Background(), `SELECT project_id FROM chats LIMIT 1`).Scan(&projectID))
	require.Error(t, f.engine.RetryEvent(context.Background(), projectID+1000, id), "another project's event is not found")
	require.NoError(t, f.engine.RetryEvent(context.Background(), projectID, id))
	f.waitStatus(t, id, "done")
	require.Len(t, f.webim.Calls(), 1)
	require.Len(t, f.bot.Events(), 1, "the stored reply is reused; the bot is not asked again")
}

// An event that goes through at once is written twice: the bot's reply is
// kept with the record of its bot call, and the event's row takes it when
// its Webim calls are recorded. A process that stops between the two
// leaves the event pending with the reply only on the call: the next run
// resumes at the Webim calls and does not ask the bot again.
func TestReplyKeptWithBotCallResumes(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	f.bot.setReply(func(ev botapi.Event) (int, string) {
		return 200, `{"replies":[{"text":"one"},{"text":"two"}],"action":{"type":"transfer"}}`
	})
	res := f.ingest(t, `{"event":"new_message","chat_id":5,"message":{"id":"a","kind":"visitor","text":"hi"}}`)
	id := res.EventIDs[0]
	f.waitStatus(t, id, "done")
	f.waitIdle(t)
	var versions int
	require.NoError(t, f.pool.QueryRow(ctx, `SELECT count(*) FROM bridge_calls WHERE event_id = $1 AND calls IS NOT NULL`, id).Scan(&versions))
	require.Equal(t, 1, versions, "the bot call's record keeps the reply")
	var stored []byte
	require.NoError(t, f.pool.QueryRow(ctx, `SELECT bot_reply FROM bridge_events WHERE id = $1`, id).Scan(&stored))
	require.Contains(t, string(stored), `"one"`, "the event's row has the reply once delivered")
	require.Len(t, f.webim.Calls(), 3)

	// What a stop right after the bot call's record leaves: the event as
	// it was stored, no Webim call made. Failed, so Retry gives it a job.
	_, err := f.pool.Exec(ctx, `DELETE FROM bridge_calls WHERE event_id = $1 AND target = 'webim'`, id)
	require.NoError(t, err)
	_, err = f.pool.Exec(ctx, `UPDATE bridge_events SET status = 'failed', bot_reply = NULL, calls = NULL, calls_done = 0,
		outcome = '', processed_at = NULL WHERE id = $1`, id)
	require.NoError(t, err)
	_, err = f.pool.Exec(ctx, `UPDATE chats SET state = 'bot'`)
	require.NoError(t, err)
	require.NoError(t, f.engine.RetryEvent(ctx, f.integ.ProjectID, id))
	status, _, _ := f.eventStatus(t, id)
	require.Equal(t, "pending", status, "Retry of an event without a stored reply starts from the bot")

	f.waitCalls(t, 6)
	f.waitStatus(t, id, "done")
	require.Len(t, f.bot.Events(), 1, "the reply kept with the bot call is used; the bot is not asked again")
	calls := f.webim.Calls()
	require.Equal(t, []string{"one", "two"}, []string{textOf(calls[3]), textOf(calls[4])})
	require.Equal(t, "redirect_chat", calls[5].Method)
	var outcome string
	var callsDone int
	require.NoError(t, f.pool.QueryRow(ctx, `SELECT outcome, calls_done, bot_reply FROM bridge_events WHERE id = $1`, id).Scan(&outcome, &callsDone, &stored))
	require.Equal(t, "transferred", outcome)
	require.Equal(t, 3, callsDone)
	require.Contains(t, string(stored), `"two"`)
}

// A bot that rejects the event (4xx) gets no retries: the fallback applies
// at once, so the visitor is not kept waiting.
func TestBotRejectionFallsBackAtOnce(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.bot.setReply(func(ev botapi.Event) (int, string) { return 422, `{"error":"no"}` })
	res := f.ingest(t, `{"event":"new_message","chat_id":19,"message":{"id":"a","kind":"visitor","text":"x"}}`)
	f.waitCalls(t, 2)
	require.Len(t, f.bot.Events(), 1, "a 4xx is not retried")
	f.waitStatus(t, res.EventIDs[0], "done")
	_, outcome, lastErr := f.eventStatus(t, res.EventIDs[0])
	require.Equal(t, "fallback", outcome)
	require.Contains(t, lastErr, "the bot refused the event: bot answered HTTP 422")
}

// action.failed reaches the bot right after the event that asked for the
// impossible action, even if the visitor wrote again meanwhile, and a bot
// that insists gets no second action.failed (no loop).
func TestActionFailedOrderAndNoLoop(t *testing.T) {
	t.Parallel()
	f := setup(t)
	inBot := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	f.bot.setReply(func(ev botapi.Event) (int, string) {
		switch {
		case ev.Type == botapi.TypeActionFailed:
			return 200, `{"replies":[{"text":"failed"}],"action":{"type":"send_data_to_operator","data":{"again":true}}}`
		case ev.Message.Text == "contact":
			once.Do(func() { close(inBot); <-release })
			return 200, `{"action":{"type":"send_data_to_operator","data":{"phone":"+7"}}}`
		}
		return 200, `{"replies":[{"text":"echo ` + ev.Message.Text + `"}]}`
	})
	f.ingest(t, `{"event":"new_message","chat_id":21,"message":{"id":"a","kind":"visitor","text":"contact"}}`)
	select {
	case <-inBot:
	case <-time.After(waitFor):
		close(release)
		t.Fatal("the bot was never asked about \"contact\"")
	}
	f.ingest(t, `{"event":"new_message","chat_id":21,"message":{"id":"b","kind":"visitor","text":"later"}}`)
	close(release)
	f.waitCalls(t, 2)
	require.Equal(t, "failed", textOf(f.webim.Calls()[0]))
	require.Equal(t, "echo later", textOf(f.webim.Calls()[1]))
	types := []string{}
	for _, ev := range f.bot.Events() {
		types = append(types, ev.Type)
	}
	require.Equal(t, []string{botapi.TypeMessageText, botapi.TypeActionFailed, botapi.TypeMessageText}, types)
	// Once the chat is idle a second action.failed would have been stored.
	f.waitIdle(t)
	var n int
	require.NoError(t, f.pool.QueryRow(context.Background(), `SELECT count(*) FROM bridge_events WHERE type = 'action.failed'`).Scan(&n))
	require.Equal(t, 1, n, "no action.failed for an action.failed")
}
