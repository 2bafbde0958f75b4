package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/web/webtest"
)

// The activity log lists conversations, the most recently active first;
// a conversation shows its transcript with each step's calls and errors,
// what the visitor saw of the bot's reply, and Retry on a failed event;
// the list and the transcript answer their self-refresh fragment; other
// tenants get 404s.
func TestActivityConversations(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t, "")
	ctx := context.Background()
	for i, chat := range []int{7, 7, 8, 7} {
		status, _ := post(t, h.url, fmt.Sprintf(`{"event":"new_message","chat_id":%d,"message":{"id":"m%d","kind":"visitor","text":"hello %d"}}`, chat, i, i), nil)
		require.Equal(t, 200, status)
	}
	var failedID, repliedID int64
	require.NoError(t, h.pool.QueryRow(ctx, `UPDATE bridge_events SET status = 'failed', attempts = 4, last_error = 'Webim call failed 4 times: webim: api 502'
		WHERE dedup_key = 'msg:7:m0' RETURNING id`).Scan(&failedID))
	_, err := h.pool.Exec(ctx, `INSERT INTO bridge_calls (event_id, target, method, attempt, status_code, ok, error, duration_ms) VALUES ($1, 'webim', 'send_message', 4, 502, false, 'webim: api 502', 31)`, failedID)
	require.NoError(t, err)
	// The bot answered m1 with a text, a keyboard and a transfer; two of
	// the three calls were made.
	require.NoError(t, h.pool.QueryRow(ctx, `UPDATE bridge_events SET status = 'replied', outcome = 'transferred', calls_done = 2, calls = '[
		{"method":"send_message","body":{"chat_id":7,"message":{"kind":"operator","text":"Hi! Choose one:"}}},
		{"method":"send_message","body":{"chat_id":7,"message":{"kind":"keyboard","buttons":[[{"id":"1","text":"Delivery"},{"id":"2","text":"Returns"}]]}}},
		{"method":"redirect_chat","body":{"chat_id":7,"dep_key":"sales"}}]'
		WHERE dedup_key = 'msg:7:m1' RETURNING id`).Scan(&repliedID))
	var chat7, chat8 int64
	require.NoError(t, h.pool.QueryRow(ctx, `SELECT id FROM chats WHERE platform_chat_id = '7'`).Scan(&chat7))
	require.NoError(t, h.pool.QueryRow(ctx, `SELECT id FROM chats WHERE platform_chat_id = '8'`).Scan(&chat8))

	page := fmt.Sprintf("/projects/%d/settings/integrations/%d/activity", h.projectID, h.integID)
	owner := webtest.NewClient(t, h.srv)
	owner.Login("hook-owner@example.com", "owner password")
	r := owner.Get(page)
	require.Equal(t, http.StatusOK, r.StatusCode)
	rows := r.Doc.Find("li.conversation")
	require.Equal(t, 2, rows.Length(), "one row per chat")
	require.Contains(t, rows.Eq(0).Text(), "Chat 7", "chat 7 spoke last")
	require.Contains(t, rows.Eq(0).Text(), "hello 3", "at its latest event")
	require.Contains(t, rows.Eq(1).Text(), "Chat 8")
	require.Equal(t, fmt.Sprintf("%s/chats/%d", page, chat7), rows.Eq(0).Find("a.chat-id").AttrOr("href", ""))
	require.Contains(t, r.Doc.Find("nav.crumbs").Text(), "Chat activity", "the breadcrumb in words, not its key")
	refresh, ok := r.Doc.Find("#conversations").Attr("data-refresh-url")
	require.True(t, ok, "the newest page refreshes itself")

	// The fragment is the list alone, without the layout.
	fr := owner.Get(refresh)
	require.Equal(t, http.StatusOK, fr.StatusCode)
	require.True(t, strings.HasPrefix(strings.TrimSpace(fr.Body), `<section id="conversations"`), fr.Body[:min(len(fr.Body), 200)])
	require.NotContains(t, fr.Body, "<html")
	require.Equal(t, 2, fr.Doc.Find("li.conversation").Length())

	// The chat: oldest first, the failed step with its call and Retry, the
	// replied step with what the visitor saw.
	r = owner.Get(fmt.Sprintf("%s/chats/%d", page, chat7))
	require.Equal(t, http.StatusOK, r.StatusCode)
	steps := r.Doc.Find("li.step")
	require.Equal(t, 3, steps.Length())
	require.Contains(t, steps.First().Text(), "hello 0")
	require.Contains(t, steps.Last().Text(), "hello 3")
	failed := r.Doc.Find(fmt.Sprintf("#event-%d", failedID))
	require.Contains(t, failed.Text(), "Failed")
	require.Contains(t, failed.Text(), "Webim call failed 4 times")
	require.Contains(t, failed.Text(), "webim send_message #4 → 502 · 31 ms")
	require.Equal(t, 1, failed.Find("form button").Length(), "Retry on the failed event")
	require.Equal(t, 1, r.Doc.Find("#transcript form").Length(), "and only there")
	saw := r.Doc.Find(fmt.Sprintf("#event-%d .bubble.reply", repliedID))
	require.Contains(t, saw.Text(), "What the visitor saw")
	require.Contains(t, saw.Find(".saw-text").First().Text(), "Hi! Choose one:")
	require.Equal(t, 2, saw.Find(".keyboard .key").Length())
	require.Contains(t, saw.Find(".saw-transfer").Text(), "The chat was handed to department sales")
	require.Equal(t, 1, saw.Find(".saw.unsent").Length(), "the transfer is not made yet")
	require.Contains(t, saw.Text(), "1 call not made yet")
	tr := owner.Get(r.Doc.Find("#transcript").AttrOr("data-refresh-url", "?"))
	require.Equal(t, http.StatusOK, tr.StatusCode)
	require.True(t, strings.HasPrefix(strings.TrimSpace(tr.Body), `<section id="transcript"`))
	require.Equal(t, 3, tr.Doc.Find("li.step").Length())

	// Retry from the chat comes back to the chat.
	retry := failed.Find("form").AttrOr("action", "")
	res := owner.Post(retry, url.Values{})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, fmt.Sprintf("%s/chats/%d", page, chat7), res.Header.Get("Location"))
	var status string
	require.NoError(t, h.pool.QueryRow(ctx, `SELECT status FROM bridge_events WHERE id = $1`, failedID).Scan(&status))
	require.Equal(t, "pending", status)

	// Another tenant: its owner gets 404 on our pages; our chat ids under
	// its integration and its chat ids under ours are 404 too.
	other := testfactory.NewTenant(ctx, t, h.pool, &testfactory.TenantOpts{
		Owner: &testfactory.UserOpts{Email: testfactory.Ptr("other@example.com"), Password: testfactory.Ptr("other password")}})
	var otherChat int64
	require.NoError(t, h.pool.QueryRow(ctx, `INSERT INTO chats (integration_id, project_id, platform_chat_id) VALUES ($1, $2, '7') RETURNING id`,
		other.Integration().ID, other.Project.ID).Scan(&otherChat))
	require.Equal(t, http.StatusNotFound, owner.Get(fmt.Sprintf("%s/chats/%d", page, otherChat)).StatusCode)
	otherPage := fmt.Sprintf("/projects/%d/settings/integrations/%d/activity", other.Project.ID, other.Integration().ID)
	oc := webtest.NewClient(t, h.srv)
	oc.Login("other@example.com", "other password")
	require.Equal(t, http.StatusOK, oc.Get(otherPage).StatusCode)
	require.Equal(t, http.StatusNotFound, oc.Get(fmt.Sprintf("%s/chats/%d", otherPage, chat7)).StatusCode)
	require.Equal(t, http.StatusNotFound, oc.Get(fmt.Sprintf("/projects/%d/settings/integrations/%d/activity/chats/%d", other.Project.ID, h.integID, chat7)).StatusCode)
	_, err = auth.CreateUser(ctx, h.pool, "mod@example.com", "moderator password", auth.RoleModerator)
	require.NoError(t, err)
	mod := webtest.NewClient(t, h.srv)
	mod.Login("mod@example.com", "moderator password")
	for _, c := range []*webtest.Client{oc, mod} {
		require.Equal(t, http.StatusNotFound, c.Get(page).StatusCode)
		require.Equal(t, http.StatusNotFound, c.Get(refresh).StatusCode)
		require.Equal(t, http.StatusNotFound, c.Get(fmt.Sprintf("%s/chats/%d", page, chat7)).StatusCode)
		require.Equal(t, http.StatusNotFound, c.Post(retry, url.Values{}).StatusCode)
		require.Equal(t, http.StatusNotFound, c.Get(fmt.Sprintf("/projects/%d/settings/integrations/%d/traffic", h.projectID, h.integID)).StatusCode)
	}
	// Our chat id under another integration id, and a chat that does not exist.
	require.Equal(t, http.StatusNotFound, owner.Get(fmt.Sprintf("/projects/%d/settings/integrations/%d/activity/chats/%d", h.projectID, other.Integration().ID, chat7)).StatusCode)
	require.Equal(t, http.StatusNotFound, owner.Get(fmt.Sprintf("%s/chats/%d", page, chat8+999)).StatusCode)
	require.Equal(t, http.StatusSeeOther, webtest.NewClient(t, h.srv).Get(page).StatusCode, "anonymous: sent to log in")
}

// The filters: failed only, a chat id (opens the chat), a date range and
// a search on what the visitor wrote; bad input is answered beside the
// field with the input kept; older pages are reached by keyset.
func TestActivityFilters(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t, "")
	ctx := context.Background()
	// 60 chats, one event each, a day apart for the first three.
	for i := range 60 {
		status, _ := post(t, h.url, fmt.Sprintf(`{"event":"new_message","chat_id":%d,"message":{"id":"m%d","kind":"visitor","text":"question %d"}}`, 100+i, i, i), nil)
		require.Equal(t, 200, status)
	}
	_, err := h.pool.Exec(ctx, `UPDATE bridge_events SET received_at = timestamptz '2026-11-20 12:00:00+03' + (substr(dedup_key, 5, 3)::int - 100) * interval '1 day'
		WHERE dedup_key IN ('msg:100:m0', 'msg:101:m1', 'msg:102:m2')`)
	require.NoError(t, err)
	_, err = h.pool.Exec(ctx, `UPDATE bridge_events SET status = 'failed', last_error = 'boom' WHERE dedup_key IN ('msg:105:m5', 'msg:150:m50')`)
	require.NoError(t, err)
	_, err = h.pool.Exec(ctx, `UPDATE bridge_events SET message = '{"text":"Где мой ЗАКАЗ 100%?"}' WHERE dedup_key = 'msg:130:m30'`)
	require.NoError(t, err)

	page := fmt.Sprintf("/projects/%d/settings/integrations/%d/activity", h.projectID, h.integID)
	owner := webtest.NewClient(t, h.srv)
	owner.Login("hook-owner@example.com", "owner password")
	chats := func(r *webtest.Response) []string {
		var out []string
		r.Doc.Find("li.conversation a.chat-id").Each(func(_ int, s *goquery.Selection) { out = append(out, s.Text()) })
		return out
	}
	r := owner.Get(page)
	require.Len(t, chats(r), 50, "a page")
	older := r.Doc.Find(`a[rel="next"]`).AttrOr("href", "")
	require.NotEmpty(t, older)
	r2 := owner.Get(older)
	require.Len(t, chats(r2), 10, "the rest")
	require.Empty(t, r2.Doc.Find("#conversations").AttrOr("data-refresh-url", ""), "an older page does not refresh")

	r = owner.Get(page + "?failed=1")
	require.Equal(t, []string{"Chat 150", "Chat 105"}, chats(r))
	_, checked := r.Doc.Find(`input[name="failed"]`).Attr("checked")
	require.True(t, checked, "the box stays ticked")

	r = owner.Get(page + "?q=" + url.QueryEscape("заказ 100%"))
	require.Equal(t, []string{"Chat 130"}, chats(r), "case-insensitive, % literal")
	r = owner.Get(page + "?q=nothing-like-this")
	require.Empty(t, chats(r))
	require.Contains(t, r.Doc.Find(".empty").Text(), "No conversations match these filters")

	// Days in the page's zone (Moscow without a browser zone).
	r = owner.Get(page + "?from=2026-11-21&to=2026-11-22")
	require.Equal(t, []string{"Chat 102", "Chat 101"}, chats(r))
	r = owner.Get(page + "?from=2026-11-20&to=2026-11-20&failed=1")
	require.Empty(t, chats(r))

	res := owner.Get(page + "?chat=130")
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Contains(t, res.Header.Get("Location"), page+"/chats/")
	r = owner.Get(page + "?chat=nope&from=2026-13-01")
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Equal(t, "Enter a date like 2026-12-01.", strings.TrimSpace(r.Doc.Find("#f-from-error").Text()))
	require.Equal(t, "2026-13-01", r.Doc.Find("#f-from").AttrOr("value", ""), "input kept")
	r = owner.Get(page + "?chat=nope")
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Equal(t, "No chat of this integration has this ID.", strings.TrimSpace(r.Doc.Find("#f-chat-error").Text()))
	require.Equal(t, "nope", r.Doc.Find("#f-chat").AttrOr("value", ""))
	r = owner.Get(page + "?from=2026-11-22&to=2026-11-21")
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.NotEmpty(t, r.Doc.Find("#f-to-error").Text())

	ru := withLang(webtest.NewClient(t, h.srv), "ru")
	ru.Login("hook-owner@example.com", "owner password")
	r = ru.Get(page + "?from=bad")
	require.Equal(t, "Введите дату в виде 2026-12-01.", strings.TrimSpace(r.Doc.Find("#f-from-error").Text()))
	require.Contains(t, ru.Get(page).Doc.Find("#conversations").Text(), "Чат 159")
}
