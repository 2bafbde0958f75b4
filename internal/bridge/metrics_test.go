package bridge_test

import (
	"net/http"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/botapi"
)

// A delivery that needed a Webim retry shows in the engine's metrics: the
// event finished done (replied), bot and Webim calls by result class, one
// Webim retry; the database figures say nothing is pending any more.
func TestEngineMetrics(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.bot.setReply(func(botapi.Event) (int, string) { return 200, `{"replies":[{"text":"hi"}]}` })
	f.webim.setFail(func(n int, _ webimCall) (int, http.Header) {
		if n == 1 {
			return http.StatusBadGateway, nil
		}
		return 0, nil
	})
	res := f.ingest(t, `{"event":"new_message","chat_id":81,"message":{"id":"m1","kind":"visitor","text":"hello"}}`)
	f.waitStatus(t, res.EventIDs[0], "done")
	f.waitIdle(t)

	require.Equal(t, 1.0, sample(t, f.reg, "botbridge_events_finished_total", map[string]string{"status": "done", "outcome": "replied"}))
	require.Equal(t, 0.0, sample(t, f.reg, "botbridge_events_finished_total", map[string]string{"status": "failed", "outcome": ""}))
	require.Equal(t, 1.0, sample(t, f.reg, "botbridge_outbound_retries_total", map[string]string{"target": "webim"}))
	require.Equal(t, 0.0, sample(t, f.reg, "botbridge_outbound_retries_total", map[string]string{"target": "bot"}))
	require.Equal(t, 1.0, sample(t, f.reg, "botbridge_outbound_request_duration_seconds", map[string]string{"target": "bot", "result": "ok"}))
	require.Equal(t, 1.0, sample(t, f.reg, "botbridge_outbound_request_duration_seconds", map[string]string{"target": "webim", "result": "server_error"}))
	require.Equal(t, 1.0, sample(t, f.reg, "botbridge_outbound_request_duration_seconds", map[string]string{"target": "webim", "result": "ok"}))
	require.Equal(t, 0.0, sample(t, f.reg, "botbridge_events_pending", nil))
}

// sample is the value of one series (a histogram's count).
func sample(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			if len(m.GetLabel()) != len(labels) {
				continue
			}
			for _, l := range m.GetLabel() {
				if labels[l.GetName()] != l.GetValue() {
					continue next
				}
			}
			switch {
			case m.Counter != nil:
				return m.Counter.GetValue()
			case m.Gauge != nil:
				return m.Gauge.GetValue()
			case m.Histogram != nil:
				return float64(m.Histogram.GetSampleCount())
			}
		}
	}
	t.Fatalf("no series %s%v", name, labels)
	return 0
}
