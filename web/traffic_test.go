package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/traffic"
	"github.com/botbridge/botbridge/web/webtest"
)

// The traffic charts' numbers are the events in the database: for a
// seeded day the events, failures and the bot and Webim p50/p95 in the
// figures under the charts equal what SQL counts over bridge_events and
// bridge_calls; rolling again counts nothing twice; deleting the events
// (the retention policy) leaves the figures; the charts are SVG.
func TestTrafficChartsMatchEvents(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t, "")
	ctx := context.Background()
	moscow, err := time.LoadLocation("Europe/Moscow")
	require.NoError(t, err)
	y, m, d := time.Now().In(moscow).AddDate(0, 0, -1).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, moscow)
	var chat int64
	require.NoError(t, h.pool.QueryRow(ctx, `INSERT INTO chats (integration_id, project_id, platform_chat_id) VALUES ($1, $2, 'seed') RETURNING id`,
		h.integID, h.projectID).Scan(&chat))
	// 300 events over the day (and 5 the day before, which must not count),
	// every 7th failed; each with a bot call of 1..400 ms and a Webim call
	// of 1..90 ms, and every 10th bot call failed (not in the latency).
	_, err = h.pool.Exec(ctx, `
		INSERT INTO bridge_events (public_id, integration_id, chat_id, dedup_key, type, message, status, outcome, received_at, processed_at)
		SELECT 'evt_t' || g, $1, $2, 'msg:seed:' || g, 'message.text', jsonb_build_object('text', 'm' || g),
		       CASE WHEN g % 7 = 0 THEN 'failed' ELSE 'done' END, 'replied',
		       $3::timestamptz + (g * 4 + 1) * interval '1 minute', $3::timestamptz + (g * 4 + 1) * interval '1 minute'
		FROM generate_series(-5, 299) g`, h.integID, chat, day)
	require.NoError(t, err)
	_, err = h.pool.Exec(ctx, `
		INSERT INTO bridge_calls (event_id, target, method, attempt, status_code, ok, duration_ms, created_at)
		SELECT e.id, t.target, 'x', 1, 200, NOT (t.target = 'bot' AND e.id % 10 = 0),
		       CASE t.target WHEN 'bot' THEN 1 + (e.id * 37) % 400 ELSE 1 + (e.id * 13) % 90 END, e.received_at
		FROM bridge_events e CROSS JOIN (VALUES ('bot'), ('webim')) t(target) WHERE e.chat_id = $1`, chat)
	require.NoError(t, err)
	// More events in the next day's first hour than a list page scans:
	// the date filter must not start its scan there.
	_, err = h.pool.Exec(ctx, `
		INSERT INTO bridge_events (public_id, integration_id, chat_id, dedup_key, type, status, received_at)
		SELECT 'evt_n' || g, $1, $2, 'msg:next:' || g, 'message.text', 'done', $3::timestamptz + interval '1 day' + g * interval '100 milliseconds'
		FROM generate_series(1, 3500) g`, h.integID, chat, day)
	require.NoError(t, err)
	for range 2 {
		_, _, err = traffic.Roll(ctx, h.pool)
		require.NoError(t, err)
	}

	var events, failed int
	require.NoError(t, h.pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE status = 'failed') FROM bridge_events
		WHERE integration_id = $1 AND received_at >= $2 AND received_at < $3`, h.integID, day, day.AddDate(0, 0, 1)).Scan(&events, &failed))
	require.Equal(t, 300, events)
	pct := func(target string, p float64) string {
		var v int
		require.NoError(t, h.pool.QueryRow(ctx, `SELECT percentile_disc($4::float8) WITHIN GROUP (ORDER BY c.duration_ms)
			FROM bridge_calls c JOIN bridge_events e ON e.id = c.event_id
			WHERE e.integration_id = $1 AND c.ok AND c.target = $5 AND c.created_at >= $2 AND c.created_at < $3`,
			h.integID, day, day.AddDate(0, 0, 1), p, target).Scan(&v))
		return strconv.Itoa(traffic.UpperEdge(traffic.BucketOf(v))) + " ms"
	}
	want := []string{strconv.Itoa(events), strconv.Itoa(failed)}
	wantBot := []string{pct("bot", 0.5), pct("bot", 0.95)}
	wantWebim := []string{pct("webim", 0.5), pct("webim", 0.95)}

	page := fmt.Sprintf("/projects/%d/settings/integrations/%d/traffic", h.projectID, h.integID)
	owner := webtest.NewClient(t, h.srv)
	owner.Login("hook-owner@example.com", "owner password")
	figures := func(r *webtest.Response, chart, label string) []string {
		t.Helper()
		var out []string
		r.Doc.Find("#" + chart + "-title").Parent().Find("tbody tr").Each(func(_ int, tr *goquery.Selection) {
			if strings.TrimSpace(tr.Find("th").Text()) == label {
				tr.Find("td").Each(func(_ int, td *goquery.Selection) { out = append(out, strings.TrimSpace(td.Text())) })
			}
		})
		require.NotEmpty(t, out, "a row for %s in %s", label, chart)
		return out
	}
	check := func() {
		t.Helper()
		r := owner.Get(page + "?span=7d")
		require.Equal(t, http.StatusOK, r.StatusCode)
		label := day.Format("02.01")
		require.Equal(t, want, figures(r, "chart-events", label))
		require.Equal(t, wantBot, figures(r, "chart-bot", label)[:2])
		require.Equal(t, wantWebim, figures(r, "chart-webim", label)[:2])
		require.Equal(t, 3, r.Doc.Find("svg.plot").Length(), "three charts, drawn on the server")
		require.Positive(t, r.Doc.Find("svg.plot rect.bar.failed").Length())
		require.Positive(t, r.Doc.Find("svg.plot polyline.line.p95").Length())
		// Hour by hour over the last 24 hours: each hour as SQL counts it.
		r = owner.Get(page + "?span=24h")
		require.Equal(t, http.StatusOK, r.StatusCode)
		rows := r.Doc.Find("#chart-events-title").Parent().Find("tbody tr")
		require.Equal(t, 24, rows.Length())
	}
	check()

	// The date filter of the activity log reads the rollup's id ranges.
	act := owner.Get(fmt.Sprintf("/projects/%d/settings/integrations/%d/activity?from=%s&to=%s&failed=1", h.projectID, h.integID,
		day.Format("2006-01-02"), day.Format("2006-01-02")))
	require.Equal(t, http.StatusOK, act.StatusCode)
	require.Equal(t, 1, act.Doc.Find("li.conversation").Length())
	require.Contains(t, act.Doc.Find("li.conversation").Text(), fmt.Sprintf("m%d", 294), "the day's last failed event (294 = 42·7)")

	act = owner.Get(fmt.Sprintf("/projects/%d/settings/integrations/%d/activity?from=%s&to=%s", h.projectID, h.integID,
		day.Format("2006-01-02"), day.Format("2006-01-02")))
	require.Contains(t, act.Doc.Find("li.conversation").Text(), "«m299»", "the day's last event, not one of the next day's")

	// The retention policy deletes old chat content: the figures stay.
	_, err = h.pool.Exec(ctx, `DELETE FROM bridge_events WHERE chat_id = $1 AND received_at < $2`, chat, day.AddDate(0, 0, 1))
	require.NoError(t, err)
	_, _, err = traffic.Roll(ctx, h.pool)
	require.NoError(t, err)
	check()

	// Russian labels; another tenant's integration id is a 404 (see
	// TestActivityConversations for other users).
	ru := withLang(webtest.NewClient(t, h.srv), "ru")
	ru.Login("hook-owner@example.com", "owner password")
	r := ru.Get(page)
	require.Contains(t, r.Doc.Find("h3").Text(), "Время ответа бота")
	require.Equal(t, http.StatusNotFound, owner.Get(fmt.Sprintf("/projects/%d/settings/integrations/%d/traffic", h.projectID, h.integID+999)).StatusCode)
}
