package web

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Webhook keys never reach the logs, whatever shape the path takes.
func TestLogPathHidesWebhookKeys(t *testing.T) {
	t.Parallel()
	const key = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFi" // 32 characters, like a real key
	tests := []struct{ in, want string }{
		{"/webhooks/webim/" + key, "/webhooks/webim/[key]"},
		{"/webhooks/webim/" + key + "/v2", "/webhooks/webim/[key]/v2"},
		{"/webhooks/webim/" + key + "/v1", "/webhooks/webim/[key]/v1"},
		{"//webhooks/webim/" + key, "/webhooks/webim/[key]"},
		{"/webhooks//webim//" + key + "//v2", "/webhooks/webim/[key]/v2"},
		{"/webhooks/webim/" + key + "/", "/webhooks/webim/[key]"},
		{"/webhooks%2Fwebim%2F" + key, "/webhooks/webim/[key]"},
		{"/webhooks%252Fwebim%252F" + key + "%252Fv2", "/webhooks/webim/[key]/v2"},
		{"/WEBHOOKS/Webim/" + key, "/WEBHOOKS/Webim/[key]"},
		{"/webhooks/webim/" + key + "/extra/" + key, "/webhooks/webim/[key]/[key]/[key]"},
		{"/webhooks/webim/short", "/webhooks/webim/[key]"},
		{"/webhooks/" + key, "/webhooks/[key]"},
		{"/webhook/webim/" + key, "/webhook/webim/[key]"},
		{"/anything/" + key + "/else", "/anything/[key]/else"},
		{"/projects/12/settings", "/projects/12/settings"},
		{"/password/reset/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ", "/password/reset/[key]"},
		{"/verify/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ", "/verify/[key]"},
		{"/password/reset", "/password/reset"},
		{"/static/app.css", "/static/app.css"},
		{"/", "/"},
	}
	for _, tt := range tests {
		got := logPath(tt.in)
		require.Equal(t, tt.want, got, tt.in)
		require.NotContains(t, got, key[:20], tt.in)
		require.False(t, strings.Contains(got, "short") && strings.Contains(tt.in, "webhooks"), tt.in)
	}
}
