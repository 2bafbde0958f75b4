package webim

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		check  func(t *testing.T, err error)
	}{
		{"ok", 200, `{"result":"ok"}`, func(t *testing.T, err error) { require.NoError(t, err) }},
		{"chat unknown: token accepted", 404, `{"error":"chat_not_found","desc":"no chat 0"}`, func(t *testing.T, err error) { require.NoError(t, err) }},
		{"refused", 401, `{"error":"unauthorized"}`, func(t *testing.T, err error) { require.ErrorIs(t, err, ErrUnauthorized) }},
		{"not webim", 404, `<html>nginx</html>`, func(t *testing.T, err error) { require.ErrorIs(t, err, ErrNotWebim) }},
		{"down", 503, `{"error":"busy"}`, func(t *testing.T, err error) {
			require.Error(t, err)
			require.NotErrorIs(t, err, ErrUnauthorized)
			require.NotErrorIs(t, err, ErrNotWebim)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var path, auth, body string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				path, auth = r.URL.Path, r.Header.Get("Authorization")
				b := make([]byte, 100)
				n, _ := r.Body.Read(b)
				body = string(b[:n])
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			err := Client{HTTP: srv.Client()}.CheckToken(context.Background(), srv.URL, "tok")
			tt.check(t, err)
			require.Equal(t, "/api/bot/v2/close_chat", path)
			require.Equal(t, "Token tok", auth)
			require.JSONEq(t, `{"chat_id":0}`, body)
		})
	}
}
