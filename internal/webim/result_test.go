package webim

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseAPIResult(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		want   *APIError // nil: success
		unauth bool
	}{
		{name: "ok", status: 200, body: `{"result":"ok"}`},
		{name: "ok with extra keys", status: 200, body: `{"result":"ok","id":"m1"}`},
		{name: "ok with null error", status: 200, body: `{"result":"ok","error":null}`},
		{name: "200 with error", status: 200, body: `{"error":"chat_not_found","desc":"no chat"}`, want: &APIError{Status: 200, Code: "chat_not_found", Desc: "no chat"}},
		{name: "200 with other result", status: 200, body: `{"result":"queued"}`, want: &APIError{Status: 200, Desc: `{"result":"queued"}`}},
		{name: "200 empty", status: 200, body: ``, want: &APIError{Status: 200}},
		{name: "200 html", status: 200, body: `<html>proxy</html>`, want: &APIError{Status: 200, Desc: "<html>proxy</html>"}},
		{name: "204 no body", status: 204, body: ``, want: &APIError{Status: 204}},
		{name: "ok body with 400", status: 400, body: `{"result":"ok"}`, want: &APIError{Status: 400, Desc: `{"result":"ok"}`}},
		{name: "400 with error", status: 400, body: `{"error":"bad_request","desc":"chat_id"}`, want: &APIError{Status: 400, Code: "bad_request", Desc: "chat_id"}},
		{name: "numeric error code", status: 400, body: `{"error":17}`, want: &APIError{Status: 400, Code: "17"}},
		{name: "404", status: 404, body: `not found`, want: &APIError{Status: 404, Desc: "not found"}},
		{name: "401", status: 401, body: `{"error":"unauthorized"}`, want: &APIError{Status: 401, Code: "unauthorized"}, unauth: true},
		{name: "403", status: 403, body: ``, want: &APIError{Status: 403}, unauth: true},
		{name: "408", status: 408, body: ``, want: &APIError{Status: 408, Retryable: true}},
		{name: "429", status: 429, body: `{"error":"rate_limited"}`, want: &APIError{Status: 429, Code: "rate_limited", Retryable: true}},
		{name: "500", status: 500, body: `{"error":"internal"}`, want: &APIError{Status: 500, Code: "internal", Retryable: true}},
		{name: "502 html", status: 502, body: `<h1>Bad Gateway</h1>`, want: &APIError{Status: 502, Desc: "<h1>Bad Gateway</h1>", Retryable: true}},
		{name: "302", status: 302, body: ``, want: &APIError{Status: 302}},
		{name: "long body truncated", status: 500, body: strings.Repeat("x", 1000), want: &APIError{Status: 500, Desc: strings.Repeat("x", 200), Retryable: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := ParseAPIResult(tt.status, []byte(tt.body))
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			var got *APIError
			require.ErrorAs(t, err, &got)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.unauth, errors.Is(err, ErrUnauthorized))
		})
	}
}

func TestAPIErrorMessage(t *testing.T) {
	t.Parallel()
	require.Equal(t, "webim: api 400 chat_not_found: no chat", (&APIError{Status: 400, Code: "chat_not_found", Desc: "no chat"}).Error())
	require.Equal(t, "webim: api 503 (retryable)", (&APIError{Status: 503, Retryable: true}).Error())
}

func TestParseAPIResponse(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	h := http.Header{"Retry-After": {"30"}}
	require.NoError(t, ParseAPIResponse(200, h, []byte(`{"result":"ok"}`), now))

	var e *APIError
	require.ErrorAs(t, ParseAPIResponse(429, h, nil, now), &e)
	require.True(t, e.Retryable)
	require.Equal(t, 30*time.Second, e.RetryAfter)

	// A permanent failure carries no retry hint even if the header is there.
	require.ErrorAs(t, ParseAPIResponse(400, h, nil, now), &e)
	require.False(t, e.Retryable)
	require.Zero(t, e.RetryAfter)
}
