package web_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/traffic"
	"github.com/botbridge/botbridge/web/browsertest"
)

// In a real browser: the conversation list refreshes itself (a new chat
// appears without a page load), the chat view shows the transcript with
// what the visitor saw, and the charts draw; screenshots in English and
// Russian at 1280 and 360 px go to /tmp/activity-*.png.
func TestBrowserActivity(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t, "")
	ctx := context.Background()
	send := func(body string) {
		t.Helper()
		status, resp := post(t, h.url, body, nil)
		require.Equal(t, 200, status, resp)
	}
	send(`{"event":"new_chat","chat":{"id":"c-2f9a41d0-7b7e-4d0e-9a55-1b2c3d4e5f60"},"visitor":{"id":"v1","fields":{"name":"Мария Иванова"}}}`)
	send(`{"event":"new_message","chat_id":"c-2f9a41d0-7b7e-4d0e-9a55-1b2c3d4e5f60","message":{"id":"m1","kind":"visitor","text":"Где мой заказ 1042?"}}`)
	send(`{"event":"new_message","chat_id":"c-2f9a41d0-7b7e-4d0e-9a55-1b2c3d4e5f60","message":{"id":"m2","kind":"visitor","text":"Позовите оператора"}}`)
	send(`{"event":"new_message","chat_id":77,"message":{"id":"x1","kind":"visitor","text":"hello"}}`)
	_, err := h.pool.Exec(ctx, `UPDATE bridge_events SET status = 'done', outcome = 'replied', calls_done = 2, calls = '[
		{"method":"send_message","body":{"chat_id":1,"message":{"kind":"operator","text":"Заказ 1042 передан в доставку, курьер привезёт его завтра."}}},
		{"method":"send_message","body":{"chat_id":1,"message":{"kind":"keyboard","buttons":[[{"id":"1","text":"Отследить"},{"id":"2","text":"Оператор"}]]}}}]'
		WHERE dedup_key LIKE 'msg:%:m1'`)
	require.NoError(t, err)
	_, err = h.pool.Exec(ctx, `UPDATE bridge_events SET status = 'done', outcome = 'transferred', calls_done = 2, calls = '[
		{"method":"send_message","body":{"chat_id":1,"message":{"kind":"operator","text":"Соединяю с оператором."}}},
		{"method":"redirect_chat","body":{"chat_id":1,"dep_key":"sales"}}]'
		WHERE dedup_key LIKE 'msg:%:m2'`)
	require.NoError(t, err)
	_, err = h.pool.Exec(ctx, `UPDATE bridge_events SET status = 'failed', attempts = 4, last_error = 'Webim call failed 4 times: webim: api 502' WHERE dedup_key LIKE 'msg:77:%'`)
	require.NoError(t, err)
	_, err = h.pool.Exec(ctx, `UPDATE bridge_events SET status = 'done' WHERE status = 'pending'`)
	require.NoError(t, err)
	_, err = h.pool.Exec(ctx, `INSERT INTO bridge_calls (event_id, target, method, attempt, status_code, ok, duration_ms, created_at)
		SELECT e.id, t.target, 'x', 1, 200, true, 5 + (e.id * g) % 300, now() - g * interval '37 minutes'
		FROM bridge_events e CROSS JOIN (VALUES ('bot'), ('webim')) t(target) CROSS JOIN generate_series(1, 30) g`)
	require.NoError(t, err)
	_, err = h.pool.Exec(ctx, `UPDATE bridge_events SET received_at = now() - interval '10 seconds'`)
	require.NoError(t, err)
	_, err = h.pool.Exec(ctx, `UPDATE bridge_calls SET created_at = created_at - interval '10 seconds'`)
	require.NoError(t, err)
	_, _, err = traffic.Roll(ctx, h.pool)
	require.NoError(t, err)
	var chatID int64
	require.NoError(t, h.pool.QueryRow(ctx, `SELECT id FROM chats WHERE platform_chat_id LIKE 'c-%'`).Scan(&chatID))

	b := browsertest.New(t, 120*time.Second)
	base := fmt.Sprintf("%s/projects/%d/settings/integrations/%d", h.srv.URL, h.projectID, h.integID)
	browsertest.Run(t, b, "log in",
		chromedp.Navigate(h.srv.URL+"/login"),
		chromedp.WaitVisible("#f-email", chromedp.ByID),
		chromedp.SendKeys("#f-email", "hook-owner@example.com", chromedp.ByID),
		chromedp.SendKeys("#f-password", "owner password", chromedp.ByID),
		chromedp.Click(`form[action="/login"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`a[href="/projects/new"]`, chromedp.ByQuery),
	)
	var rows int
	browsertest.Run(t, b, "conversations",
		chromedp.Navigate(base+"/activity"),
		chromedp.WaitVisible("#conversations", chromedp.ByID),
		chromedp.Evaluate(`window.notReloaded = true; document.querySelectorAll("li.conversation").length`, &rows),
	)
	require.Equal(t, 2, rows)
	// A new chat arrives while the page is open: it appears without a reload.
	send(`{"event":"new_message","chat_id":"new-chat-99","message":{"id":"n1","kind":"visitor","text":"Только что"}}`)
	var kept bool
	browsertest.Run(t, b, "self-refresh",
		chromedp.WaitVisible(`//a[contains(@class,"chat-id") and contains(., "new-chat-99")]`, chromedp.BySearch),
		chromedp.Evaluate(`window.notReloaded === true`, &kept),
	)
	require.True(t, kept, "the list refreshed in place")

	shots := map[string]string{
		"list": base + "/activity", "chat": fmt.Sprintf("%s/activity/chats/%d", base, chatID), "traffic": base + "/traffic",
	}
	for _, lang := range []string{"en", "ru"} {
		browsertest.Run(t, b, "language "+lang,
			chromedp.Navigate(base+"/activity"),
			chromedp.WaitVisible("#conversations", chromedp.ByID),
			chromedp.ActionFunc(func(ctx context.Context) error {
				var cur string
				if err := chromedp.Evaluate(`document.documentElement.lang`, &cur).Do(ctx); err != nil || cur == lang {
					return err
				}
				return chromedp.Run(ctx, chromedp.Click(`form.lang-switch button[value="`+lang+`"]`, chromedp.ByQuery),
					chromedp.WaitVisible(`html[lang="`+lang+`"]`, chromedp.ByQuery))
			}),
		)
		for name, u := range shots {
			for _, w := range []int64{1280, 360} {
				var png []byte
				var overflow bool
				browsertest.Run(t, b, fmt.Sprintf("%s %s %d", name, lang, w),
					chromedp.EmulateViewport(w, 900),
					chromedp.Navigate(u),
					chromedp.WaitVisible("main", chromedp.ByQuery),
					chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth + 1`, &overflow),
					chromedp.FullScreenshot(&png, 100), // 100: PNG
				)
				require.False(t, overflow, "%s %s at %d px: no sideways scrolling", name, lang, w)
				require.NoError(t, os.WriteFile(fmt.Sprintf("/tmp/activity-%s-%s-%d.png", name, lang, w), png, 0o644))
			}
		}
	}
	var svgs int
	browsertest.Run(t, b, "charts", chromedp.Navigate(base+"/traffic?span=7d"), chromedp.WaitVisible("svg.plot", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("svg.plot").length`, &svgs))
	require.Equal(t, 3, svgs)
}
