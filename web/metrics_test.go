package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/web"
	"github.com/botbridge/botbridge/web/webtest"
)

// The label explosion of issue 14: the raw HTTP method was a label, so
// invented methods made a new series each and memory grew without bound.
// Methods outside the standard ones count as "other" and the route is the
// route pattern, never the raw path.
func TestMetricLabelsStayBounded(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	reg := prometheus.NewRegistry()
	srv := webtest.Server(t, tx, func(d *web.Deps) { d.Registry = reg })
	series := func() int {
		mfs, err := reg.Gather()
		require.NoError(t, err)
		n := 0
		for _, mf := range mfs {
			if strings.HasPrefix(mf.GetName(), "botbridge_http_") {
				n += len(mf.GetMetric())
			}
		}
		return n
	}
	send := func(method, path string) {
		req, err := http.NewRequestWithContext(context.Background(), method, srv.URL+path, nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
	}
	send(http.MethodGet, "/login")
	before := series()
	for i := range 3000 {
		send(fmt.Sprintf("X%dINVENTED", i), "/login")
		send(fmt.Sprintf("Y%d", i), fmt.Sprintf("/no/such/page/%d", i))
		send(http.MethodGet, fmt.Sprintf("/projects/%d", i))
	}
	require.LessOrEqual(t, series()-before, 12, "3000 invented methods and paths add a handful of series at most")

	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "method":
					require.Contains(t, []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE", "other"}, l.GetValue())
				case "route":
					require.NotContains(t, l.GetValue(), "/no/such")
					require.NotRegexp(t, `/projects/\d`, l.GetValue())
				}
			}
		}
	}
}

// With METRICS_ADDR, metrics are served on that listener only.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	reg := prometheus.NewRegistry()
	cfg := webtest.Config(t, map[string]string{"METRICS_ADDR": "127.0.0.1:9090"})
	srv := webtest.Server(t, tx, func(d *web.Deps) { d.Config, d.Registry = cfg, reg })
	c := webtest.NewClient(t, srv)
	require.Equal(t, http.StatusOK, c.Get("/login").StatusCode)
	require.Equal(t, http.StatusNotFound, c.Get("/metrics").StatusCode, "not on the main listener")

	msrv := httptest.NewServer(web.Metrics(cfg, reg))
	t.Cleanup(msrv.Close)
	resp, err := http.Get(msrv.URL + "/metrics")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), `botbridge_http_requests_total{method="GET",route="/login",status="200"} 1`)
	resp, err = http.Get(msrv.URL + "/login")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}
