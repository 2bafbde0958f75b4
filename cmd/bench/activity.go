package main

import (
	"context"
	"fmt"
	"html"
	"log"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/botbridge/botbridge/internal/traffic"
)

// The activity log (issue 16) with the pages phase's seeded events: the
// conversation list (newest page, the next one, the filters), one
// conversation, and the traffic charts over the rollup, which the job
// first brings up to date from the whole table.
func init() {
	figures = append(figures,
		figure{Name: "traffic_roll_s", Unit: "s"},
		figure{Name: "page_conversation_p95_ms", Unit: "ms", Target: "≤ 30", ok: atMost(30)},
		figure{Name: "page_activity_filtered_p95_ms", Unit: "ms", Target: "≤ 30", ok: atMost(30)},
		figure{Name: "page_traffic_p95_ms", Unit: "ms", Target: "≤ 30", ok: atMost(30)},
	)
}

var (
	conversationRowRE = regexp.MustCompile(`<li class="conversation`)
	stepRowRE         = regexp.MustCompile(`<li id="event-`)
	chartRE           = regexp.MustCompile(`<svg class="plot"`)
	olderLinkRE       = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
)

// activityPages measures the activity pages over the events seedActivity
// stored (ids minID..maxID, total rows in the table).
func (b *bench) activityPages(ctx context.Context, owner *browser, integ, minID, maxID, total int64) error {
	sz, rep, pool := b.sz, b.rep, b.pool
	// 1% of the events failed, for the "failed only" filter.
	if _, err := pool.Exec(ctx, `UPDATE bridge_events SET status = 'failed', last_error = 'bench' WHERE id BETWEEN $1 AND $2 AND id % 100 = 0`, minID, maxID); err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, `VACUUM ANALYZE bridge_events`); err != nil {
		return err
	}
	t0 := time.Now()
	events, calls, err := traffic.Roll(ctx, pool)
	if err != nil {
		return fmt.Errorf("traffic roll: %w", err)
	}
	roll := time.Since(t0)
	rep.set("traffic_roll_s", roll.Seconds())
	rep.note("traffic rollup caught up with %d events and %d calls in %.1f s (one job run; afterwards each run reads what arrived in 30 s)", events, calls, roll.Seconds())
	t0 = time.Now()
	if _, _, err := traffic.Roll(ctx, pool); err != nil {
		return err
	}
	rep.note("traffic rollup run with nothing new: %.1f ms", ms(time.Since(t0)))

	base := "/projects/" + strconv.FormatInt(b.tn.ProjectID, 10) + "/settings/integrations/" + strconv.FormatInt(integ, 10)
	activity := base + "/activity"
	newest, err := owner.timePage(ctx, activity, sz.PageWarm, sz.PageN, expectRows(conversationRowRE, 50))
	if err != nil {
		return err
	}
	_, body, err := owner.get(ctx, activity)
	if err != nil {
		return err
	}
	m := olderLinkRE.FindStringSubmatch(body)
	if m == nil {
		return fmt.Errorf("activity: no link to older conversations")
	}
	older, err := owner.timePage(ctx, html.UnescapeString(m[1]), sz.PageWarm, sz.PageN, expectRows(conversationRowRE, 50))
	if err != nil {
		return err
	}
	ns, os := summarize(newest), summarize(older)
	rep.set("page_activity_p95_ms", ms(summarize(append(newest, older...)).P95))
	rep.note("activity log (conversations) with %d events in the table: newest page p50 %.1f ms, p95 %.1f ms; second page p50 %.1f ms, p95 %.1f ms",
		total, ms(ns.P50), ms(ns.P95), ms(os.P50), ms(os.P95))

	// The pages show the owner's days in Moscow time (no browser zone).
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		return err
	}
	y, mo, d := time.Now().In(moscow).AddDate(0, 0, -1).Date()
	day := time.Date(y, mo, d, 0, 0, 0, 0, moscow)
	var failedChats, dayChats int
	if err := pool.QueryRow(ctx, `SELECT count(DISTINCT chat_id) FILTER (WHERE status = 'failed'),
		count(DISTINCT chat_id) FILTER (WHERE received_at >= $1 AND received_at < $2) FROM bridge_events`, day, day.AddDate(0, 0, 1)).Scan(&failedChats, &dayChats); err != nil {
		return err
	}
	var filtered []time.Duration
	for _, f := range []struct {
		name, query string
		rows        int
	}{
		{"failed only", "failed=1", min(failedChats, 50)},
		{"yesterday", "from=" + day.Format("2006-01-02") + "&to=" + day.Format("2006-01-02"), min(dayChats, 50)},
		{"search, recent words", "q=" + url.QueryEscape("number 99"), 50},
		{"search, absent", "q=" + url.QueryEscape("no such words"), 0},
	} {
		lat, err := owner.timePage(ctx, activity+"?"+f.query, sz.PageWarm, sz.PageN/2, expectRows(conversationRowRE, f.rows))
		if err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		s := summarize(lat)
		rep.note("activity log filtered (%s): p50 %.1f ms, p95 %.1f ms", f.name, ms(s.P50), ms(s.P95))
		filtered = append(filtered, lat...)
	}
	rep.set("page_activity_filtered_p95_ms", ms(summarize(filtered).P95))

	var chat int64
	if err := pool.QueryRow(ctx, `SELECT chat_id FROM bridge_events WHERE id = $1`, maxID).Scan(&chat); err != nil {
		return err
	}
	var steps int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM bridge_events WHERE chat_id = $1`, chat).Scan(&steps); err != nil {
		return err
	}
	conv, err := owner.timePage(ctx, activity+"/chats/"+strconv.FormatInt(chat, 10), sz.PageWarm, sz.PageN, expectRows(stepRowRE, min(steps, 100)))
	if err != nil {
		return err
	}
	cs := summarize(conv)
	rep.set("page_conversation_p95_ms", ms(cs.P95))
	rep.note("one conversation (%d events, %d shown with their calls and previews): p50 %.1f ms, p95 %.1f ms", steps, min(steps, 100), ms(cs.P50), ms(cs.P95))

	var charts []time.Duration
	for _, span := range traffic.Spans {
		lat, err := owner.timePage(ctx, base+"/traffic?span="+string(span), sz.PageWarm, sz.PageN/3, expectRows(chartRE, 3))
		if err != nil {
			return err
		}
		s := summarize(lat)
		rep.note("traffic charts (%s): p50 %.1f ms, p95 %.1f ms", span, ms(s.P50), ms(s.P95))
		charts = append(charts, lat...)
	}
	rep.set("page_traffic_p95_ms", ms(summarize(charts).P95))
	if status, _, err := owner.get(ctx, activity+"?fragment=1"); err != nil || status != http.StatusOK {
		return fmt.Errorf("activity fragment: %d %v", status, err)
	}
	log.Printf("activity: done")
	return nil
}
