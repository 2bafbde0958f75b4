package faulttest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/sandbox"
	"github.com/botbridge/botbridge/web/webtest"
)

// rotateFaults makes sb fail rate of its API calls, switching every period
// between 500s, 429 with Retry-After and calls that hang past the
// caller's timeout, until stop is closed.
func rotateFaults(sb *sandbox.Server, rate float64, period time.Duration, stop <-chan struct{}) <-chan struct{} {
	done := make(chan struct{})
	modes := []sandbox.FaultMode{sandbox.FaultServerError, sandbox.FaultRateLimit, sandbox.FaultTimeout}
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			sb.SetFaults(sandbox.Faults{Rate: rate, Seed: uint64(i + 1), Mode: modes[i%len(modes)], RetryAfter: 1, Delay: 3 * time.Second})
			select {
			case <-stop:
				sb.SetFaults(sandbox.Faults{})
				return
			case <-time.After(period):
			}
		}
	}()
	return done
}

// Webim fails 30% of its calls (500, 429 with Retry-After, timeouts):
// every reply still arrives, exactly once, each chat in order, and the
// failed attempts are in bridge_calls and on the activity page.
func TestFlakyWebim(t *testing.T) {
	t.Parallel()
	limit(t)
	p := startInProcess(t, inprocOptions{
		Retry:       bridge.Retry{BotAttempts: 5, WebimAttempts: 40, Base: 50 * time.Millisecond, Max: 800 * time.Millisecond},
		Workers:     8,
		HTTPTimeout: 700 * time.Millisecond,
	})
	sb := p.Sandbox()
	stop := make(chan struct{})
	faultsDone := rotateFaults(sb, 0.3, 200*time.Millisecond, stop)
	t.Cleanup(func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		<-faultsDone
	})

	chats := startChats(t, p.Stack, 6)
	l := startLoad(chats, 100*time.Millisecond)
	time.Sleep(1200 * time.Millisecond)
	l.halt(t)
	require.Zero(t, l.failed.Load(), "the ingress is healthy: every webhook is acknowledged")

	o := verify(t, p.Pool, p.Bot, chats, 90*time.Second)
	close(stop)
	<-faultsDone
	st := sb.Stats()
	t.Logf("%s; %s; Webim: %d calls, %d failed by injection", l, o, st.Received, st.Injected)
	require.Zero(t, o.WebimDup, "a failed call is never applied, so nothing repeats")
	require.Zero(t, o.BotDup)

	// About 30% of the calls failed, in all three ways.
	ratio := float64(st.Injected) / float64(st.Received)
	require.InDelta(t, 0.3, ratio, 0.15, "injected %d of %d", st.Injected, st.Received)
	byMode := map[sandbox.FaultMode]int{}
	for _, c := range sb.Calls() {
		byMode[c.Fault]++
	}
	for _, m := range []sandbox.FaultMode{sandbox.FaultServerError, sandbox.FaultRateLimit, sandbox.FaultTimeout} {
		require.Positive(t, byMode[m], "some calls failed with %s", m)
	}

	// Every retry is in the activity log's store…
	ctx := context.Background()
	failedBy := map[int]int{}
	rows, err := p.Pool.Query(ctx, `SELECT status_code, count(*) FROM bridge_calls WHERE target = 'webim' AND NOT ok GROUP BY status_code`)
	require.NoError(t, err)
	for rows.Next() {
		var code, n int
		require.NoError(t, rows.Scan(&code, &n))
		failedBy[code] = n
	}
	require.NoError(t, rows.Err())
	require.Positive(t, failedBy[http.StatusInternalServerError], "500s recorded: %v", failedBy)
	require.Positive(t, failedBy[http.StatusTooManyRequests], "429s recorded: %v", failedBy)
	require.Positive(t, failedBy[0], "timeouts (no answer) recorded: %v", failedBy)
	require.Equal(t, st.Injected, failedBy[500]+failedBy[429]+failedBy[0], "every injected failure is recorded once")
	require.Zero(t, count(t, p.Pool, `SELECT count(*) FROM bridge_events WHERE attempts > 0 AND status <> 'done'`))

	// …and on the activity page, as the owner sees it over HTTP.
	c := webtest.NewClient(t, p.Web)
	c.Login(p.ownerEmail(t), "stack owner password")
	path := fmt.Sprintf("/projects/%d/settings/integrations/%d/activity", p.ProjectID, p.Accounts[0].IntegrationID)
	var labels []string
	for _, step := range activitySteps(t, c, path) {
		step.Find("ul.calls li").Each(func(_ int, li *goquery.Selection) {
			if li.Find("span.fail").Length() > 0 {
				labels = append(labels, strings.TrimSpace(li.Find(".mono").Text())+" | "+strings.TrimSpace(li.Find(".muted").Text()))
			}
		})
	}
	all := strings.Join(labels, "\n")
	require.Len(t, labels, st.Injected, "every failed attempt is listed:\n%s", all)
	require.Contains(t, all, "→ 500")
	require.Contains(t, all, "→ 429")
	require.Contains(t, all, "webim unreachable", "timeouts are listed with their error")
}
