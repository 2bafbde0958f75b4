package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/web/webtest"
)

// The activity log words the event types of real Webim accounts and what
// they carry: a message of another kind names it, a returned chat counts
// the messages it brought, an assignment names the operator; notes and
// the data a bot meant for the operator (indented, escaped) are shown; in
// both languages.
func TestActivityWebimEvents(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t, "")
	ctx := context.Background()
	send := func(body string) {
		t.Helper()
		status, resp := post(t, h.url, body, nil)
		require.Equal(t, 200, status, resp)
	}
	// Chat 7: a message, a sticker (message.other), then a note and
	// operator data on the first message's event.
	send(`{"event":"new_message","chat_id":7,"message":{"id":"m1","kind":"visitor","text":"hello"}}`)
	send(`{"event":"new_message","chat_id":7,"message":{"id":"m2","kind":"sticker_visitor","data":{"id":42}}}`)
	var noted int64
	require.NoError(t, h.pool.QueryRow(ctx, `UPDATE bridge_events SET
		notes = '[{"code":"queue_transfer_replaced","webim_version":"10.3.9"},{"code":"something_new"}]',
		operator_data = '{"phone":"+79990000000","comment":"<script>alert(1)</script>"}'
		WHERE dedup_key = 'msg:7:m1' RETURNING id`).Scan(&noted))

	// Chat 8 comes back from an operator with three messages since.
	send(`{"event":"new_chat","chat":{"id":8},"messages":[{"id":"a1","kind":"visitor","text":"hi"}]}`)
	_, err := h.pool.Exec(ctx, `UPDATE chats SET state = 'transferred' WHERE platform_chat_id = '8'`)
	require.NoError(t, err)
	send(`{"event":"new_chat","chat":{"id":8},"messages":[{"id":"a1","kind":"visitor","text":"hi"},
		{"id":"a2","kind":"operator","text":"Hello, Maria here"},{"id":"a3","kind":"visitor","text":"thanks"},
		{"id":"a4","kind":"operator","text":"Back to the bot"}]}`)

	// Chat 9: the chat event handlers say it was assigned, then closed.
	user, pass, err := integration.RotateChatEvents(ctx, h.pool, h.projectID, h.integID, h.ownerID)
	require.NoError(t, err)
	u, err := url.Parse(h.url + integration.ChatEventsPath)
	require.NoError(t, err)
	u.User = url.UserPassword(user, pass)
	events := u.String()
	status, _ := post(t, events, `{"event":"chat_started","chat_id":9}`, nil)
	require.Equal(t, 200, status)
	status, _ = post(t, events, `{"event":"chat_assigned","chat_id":9,"operator":{"id":240001,"name":"Мария"}}`, nil)
	require.Equal(t, 200, status)
	status, _ = post(t, events, `{"event":"chat_closed","chat_id":9}`, nil)
	require.Equal(t, 200, status)

	page := fmt.Sprintf("/projects/%d/settings/integrations/%d/activity", h.projectID, h.integID)
	owner := webtest.NewClient(t, h.srv)
	owner.Login("hook-owner@example.com", "owner password")
	r := owner.Get(page)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Equal(t, 3, r.Doc.Find("li.conversation").Length(), "chats 7, 8 and 9")
	// Each event is shown in its chat's transcript.
	chatOf := func(eventID int64) string {
		var chat int64
		require.NoError(t, h.pool.QueryRow(ctx, `SELECT chat_id FROM bridge_events WHERE id = $1`, eventID).Scan(&chat))
		return fmt.Sprintf("%s/chats/%d", page, chat)
	}
	row := func(typ string) string {
		t.Helper()
		var id int64
		require.NoError(t, h.pool.QueryRow(ctx, `SELECT id FROM bridge_events WHERE type = $1 ORDER BY id DESC LIMIT 1`, typ).Scan(&id))
		cr := owner.Get(chatOf(id))
		require.Equal(t, http.StatusOK, cr.StatusCode)
		sel := fmt.Sprintf("#event-%d", id)
		require.Equal(t, 1, cr.Doc.Find(sel).Length(), typ)
		return cr.Doc.Find(sel).Text()
	}
	require.Contains(t, row("message.other"), "Message of another kind")
	require.Contains(t, row("message.other"), "Webim message kind: sticker_visitor")
	require.Contains(t, row("chat.returned"), "Chat returned to the bot")
	require.Contains(t, row("chat.returned"), "3 messages since the hand-over")
	require.Contains(t, row("chat.assigned"), "Chat assigned to an operator")
	require.Contains(t, row("chat.assigned"), "Operator: Мария")
	require.Contains(t, row("chat.closed"), "Chat closed")
	require.Contains(t, row("webim.chat_started"), "Webim: chat started")
	require.Contains(t, row("message.text"), "Message")

	r = owner.Get(chatOf(noted))
	ev := r.Doc.Find(fmt.Sprintf("#event-%d", noted))
	require.Contains(t, ev.Find(".event-note").First().Text(), "Webim 10.3.9 cannot transfer to the general queue, so the chat went to the integration's target.")
	require.Contains(t, ev.Find(".event-note").Last().Text(), "Note: something_new")
	require.Contains(t, ev.Text(), "Data for the operator")
	pre := ev.Find(".operator-data pre").Text()
	require.Contains(t, pre, "{\n  \"phone\": \"+79990000000\",\n  \"comment\": \"<script>alert(1)</script>\"\n}")
	require.NotContains(t, r.Body, "<script>alert(1)</script>", "escaped")

	ru := withLang(webtest.NewClient(t, h.srv), "ru")
	ru.Login("hook-owner@example.com", "owner password")
	var text string
	for _, chat := range []string{"7", "8", "9"} {
		var id int64
		require.NoError(t, h.pool.QueryRow(ctx, `SELECT id FROM chats WHERE platform_chat_id = $1`, chat).Scan(&id))
		text += ru.Get(fmt.Sprintf("%s/chats/%d", page, id)).Doc.Find("#transcript").Text()
	}
	for _, want := range []string{"Сообщение другого типа", "Тип сообщения в Webim: sticker_visitor", "Диалог вернулся к боту",
		"С момента перевода — 3 сообщения", "Диалог назначен оператору", "Оператор: Мария", "Диалог закрыт", "Webim: диалог начат",
		"Webim 10.3.9 не умеет переводить диалог в общую очередь", "Данные для оператора", "Примечание: something_new"} {
		require.Contains(t, text, want)
	}
}
