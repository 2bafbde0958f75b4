package bridge_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/webim"
)

// A sticker (a kind botbridge does not model) reaches the bot as
// message.other with Webim's kind and data, and the bot's reply reaches
// Webim; a file without data still reaches the bot as a file.
func TestUnknownKindsReachTheBot(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.bot.setReply(func(ev botapi.Event) (int, string) { return 200, `{"replies":[{"text":"got ` + ev.Type + `"}]}` })
	f.ingest(t, `{"event":"new_message","chat_id":31,"message":{"id":"s1","kind":"sticker_visitor","data":{"id":"st-5","url":"https://acc.webim.ru/s/5.png"}}}`)
	f.ingest(t, `{"event":"new_message","chat_id":31,"message":{"id":"f1","kind":"file_visitor"}}`)
	f.waitCalls(t, 2)
	evs := f.bot.Events()
	require.Equal(t, botapi.TypeMessageOther, evs[0].Type)
	require.Equal(t, "sticker_visitor", evs[0].Message.Kind)
	require.JSONEq(t, `{"id":"st-5","url":"https://acc.webim.ru/s/5.png"}`, string(evs[0].Message.Data))
	require.Equal(t, botapi.TypeMessageFile, evs[1].Type)
	require.NotNil(t, evs[1].Message.File)
	require.Equal(t, "got message.other", textOf(f.webim.Calls()[0]))
}

// A chat id Webim sent as a JSON string goes back as the same string.
func TestStringChatIDRoundTrip(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.bot.setReply(func(botapi.Event) (int, string) { return 200, `{"replies":[{"text":"hi"}],"action":{"type":"close"}}` })
	f.ingest(t, `{"event":"new_message","chat_id":"c-77","message":{"id":"m1","kind":"visitor","text":"hello"}}`)
	f.waitCalls(t, 2)
	for _, c := range f.webim.Calls() {
		require.Equal(t, "c-77", c.Body["chat_id"], "%s keeps the string form", c.Method)
	}
	require.Equal(t, "c-77", f.bot.Events()[0].Chat.PlatformChatID)
}

// An operator hands the chat back: the second new_chat becomes one
// chat.returned with exactly what was said since the transfer (the bot's
// own replies and what it already saw left out), the bot's next reply
// reaches Webim, and a redelivery of the same webhook is stored once.
func TestChatReturnedToTheBot(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.bot.setReply(func(ev botapi.Event) (int, string) {
		switch ev.Type {
		case botapi.TypeMessageText:
			return 200, `{"replies":[{"text":"Connecting you"}],"action":{"type":"transfer"}}`
		case botapi.TypeChatReturned:
			return 200, `{"replies":[{"text":"Welcome back"}]}`
		}
		return 200, `{}`
	})
	f.ingest(t, `{"event":"new_chat","chat":{"id":41},"visitor":{"id":"v41"},"messages":[{"id":"h1","kind":"visitor","text":"I need a human"}]}`)
	f.waitCalls(t, 2) // the text, then redirect_chat
	require.Equal(t, "redirect_chat", f.webim.Calls()[1].Method)
	f.waitIdle(t)

	back := `{"event":"new_chat","chat":{"id":41},"visitor":{"id":"v41"},"messages":[
		{"id":"h1","kind":"visitor","text":"I need a human"},
		{"id":"h2","kind":"operator","text":"Connecting you"},
		{"id":"h3","kind":"operator","text":"Hello, Anna here"},
		{"id":"h4","kind":"visitor","text":"My order is late"},
		{"id":"h5","kind":"file_operator","data":{"url":"https://acc.webim.ru/f/1","name":"policy.pdf"}},
		{"id":"h6","kind":"operator","text":"Passing you back to the bot"}]}`
	res := f.ingest(t, back)
	require.Equal(t, 1, res.Stored)
	require.Zero(t, f.ingest(t, back).Stored, "a redelivery is stored once")
	f.waitCalls(t, 3)
	require.Equal(t, "Welcome back", textOf(f.webim.Calls()[2]))

	evs := f.bot.Events()
	last := evs[len(evs)-1]
	require.Equal(t, botapi.TypeChatReturned, last.Type)
	var got []string
	for _, m := range last.Messages {
		got = append(got, m.ID+":"+m.Kind)
	}
	require.Equal(t, []string{"h3:operator", "h4:visitor", "h5:file_operator", "h6:operator"}, got)
	require.Equal(t, "My order is late", last.Messages[1].Text)
	var state string
	require.NoError(t, f.pool.QueryRow(context.Background(), `SELECT state FROM chats WHERE platform_chat_id = '41'`).Scan(&state))
	require.Equal(t, "bot", state)
}

// The chat events URL: chat_closed with the integration's Basic
// credentials reaches the bot as chat.closed (its reply goes nowhere: the
// chat is over); chat_assigned carries the operator; wrong credentials
// store nothing.
func TestChatEventsReachTheBot(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	user, pass, err := integration.RotateChatEvents(ctx, f.pool, f.integ.ProjectID, f.integ.ID, f.owner.ID)
	require.NoError(t, err)
	integ, err := f.engine.Integration(ctx, f.key) // now with its credentials
	require.NoError(t, err)
	f.bot.setReply(func(botapi.Event) (int, string) { return 200, `{"replies":[{"text":"bye"}]}` })

	parse := func(path, body string) webim.ChatEvent {
		ev, err := webim.ParseChatEvent(path, []byte(body))
		require.NoError(t, err)
		return ev
	}
	_, err = f.engine.IngestChatEvent(ctx, integ, user, "wrong", parse("", `{"event":"chat_closed","chat":{"id":51}}`), "")
	require.ErrorIs(t, err, bridge.ErrBadCredentials)
	var n int
	require.NoError(t, f.pool.QueryRow(ctx, `SELECT count(*) FROM bridge_events`).Scan(&n))
	require.Zero(t, n)

	res, err := f.engine.IngestChatEvent(ctx, integ, user, pass, parse("chat_assigned", `{"chat_id":51,"operator":{"id":240001,"name":"Anna"}}`), "10.5.62")
	require.NoError(t, err)
	require.True(t, res.Forwarded)
	res, err = f.engine.IngestChatEvent(ctx, integ, user, pass, parse("", `{"event":"chat_closed","chat":{"id":51}}`), "10.5.62")
	require.NoError(t, err)
	require.True(t, res.Forwarded)
	started, err := f.engine.IngestChatEvent(ctx, integ, user, pass, parse("", `{"event":"chat_started","id":52}`), "")
	require.NoError(t, err)
	require.False(t, started.Forwarded, "chat_started is kept, not forwarded")

	f.waitIdle(t)
	evs := f.bot.Events()
	require.Len(t, evs, 2)
	require.Equal(t, botapi.TypeChatAssigned, evs[0].Type)
	require.Equal(t, &botapi.Operator{ID: "240001", Name: "Anna"}, evs[0].Operator)
	require.Equal(t, botapi.TypeChatClosed, evs[1].Type)
	require.Empty(t, f.webim.Calls(), "nothing is sent to a chat that is over")
	var raw json.RawMessage
	require.NoError(t, f.pool.QueryRow(ctx, `SELECT raw FROM bridge_events WHERE type = 'chat.closed'`).Scan(&raw))
	require.JSONEq(t, `{"event":"chat_closed","chat":{"id":51}}`, string(raw), "the body is kept as it came")
	var kinds []string
	rows, err := f.pool.Query(ctx, `SELECT kind || '@' || webim_version FROM integration_seen WHERE integration_id = $1 ORDER BY kind`, f.integ.ID)
	require.NoError(t, err)
	for rows.Next() {
		var k string
		require.NoError(t, rows.Scan(&k))
		kinds = append(kinds, k)
	}
	require.Equal(t, []string{"chat_assigned@10.5.62", "chat_closed@10.5.62", "chat_started@"}, kinds)
}

// An account older than Webim 10.4 cannot transfer to the general queue:
// the bot's queue transfer goes to the integration's department, with a
// note in the activity log; the data a bot wanted to pass to the operator
// is kept with its event.
func TestOldWebimQueueTransferAndOperatorData(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.bot.setReply(func(ev botapi.Event) (int, string) {
		if ev.Message != nil && ev.Message.Text == "data" {
			return 200, `{"action":{"type":"send_data_to_operator","data":{"order":"A-17"}}}`
		}
		return 200, `{"action":{"type":"transfer","queue":true}}`
	})
	old := func(body string) bridge.Ingested {
		ev, err := webim.ParseWebhook(webim.Version2, []byte(body))
		require.NoError(t, err)
		ev.WebimVersion = "10.3.7"
		res, err := f.engine.Ingest(context.Background(), f.key, ev)
		require.NoError(t, err)
		return res
	}
	first := old(`{"event":"new_message","chat_id":61,"message":{"id":"m1","kind":"visitor","text":"data"}}`)
	second := old(`{"event":"new_message","chat_id":61,"message":{"id":"m2","kind":"visitor","text":"queue please"}}`)
	f.waitStatus(t, second.EventIDs[0], "done")

	calls := f.webim.Calls()
	require.Equal(t, "redirect_chat", calls[len(calls)-1].Method)
	require.Equal(t, "sales", calls[len(calls)-1].Body["dep_key"], "the configured department instead of the queue")
	page, err := bridge.ListActivity(context.Background(), f.pool, f.integ.ProjectID, f.integ.ID, 0, 50)
	require.NoError(t, err)
	var notes []webim.Note
	var data string
	for _, a := range page.Events {
		if a.ID == second.EventIDs[0] {
			notes = a.Notes
		}
		if a.ID == first.EventIDs[0] {
			data = a.OperatorData
		}
	}
	require.Equal(t, []webim.Note{{Code: webim.NoteQueueReplaced, WebimVersion: "10.3.7"}}, notes)
	require.JSONEq(t, `{"order":"A-17"}`, data)
	var seen string
	require.NoError(t, f.pool.QueryRow(context.Background(), `SELECT kind || '@' || webim_version FROM integration_seen WHERE integration_id = $1`, f.integ.ID).Scan(&seen))
	require.Equal(t, "new_message@10.3.7", seen, "the account's release is recorded with the kind of call")
}
