package web_test

import (
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The Grafana dashboard and the alert rules in docs/monitoring name only
// metrics botbridge exports: a renamed metric fails here, not on a quiet
// dashboard in production.
func TestMonitoringDocsNameRealMetrics(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t, "")
	// One request through the middleware, so the HTTP series exist.
	status, _ := post(t, h.url, `{"event":"new_message","chat_id":1,"message":{"id":"m","kind":"visitor","text":"x"}}`, nil)
	require.Equal(t, http.StatusOK, status)
	families, err := h.reg.Gather()
	require.NoError(t, err)
	have := map[string]bool{}
	for _, f := range families {
		have[f.GetName()] = true
	}
	names := regexp.MustCompile(`botbridge_[a-z_]+`)
	for _, doc := range []string{"../docs/monitoring/grafana-dashboard.json", "../docs/monitoring/alerts.yml"} {
		raw, err := os.ReadFile(doc)
		require.NoError(t, err)
		found := names.FindAllString(string(raw), -1)
		require.NotEmpty(t, found, doc)
		for _, n := range found {
			base := n
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				if strings.HasSuffix(n, suffix) && have[strings.TrimSuffix(n, suffix)] {
					base = strings.TrimSuffix(n, suffix)
				}
			}
			if strings.HasPrefix(base, "botbridge_") && base != "botbridge" {
				require.True(t, have[base], "%s names %s, which botbridge does not export", doc, n)
			}
		}
	}
}
