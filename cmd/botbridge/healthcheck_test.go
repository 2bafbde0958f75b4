package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// healthcheck exits 0 on a 200 from /healthz, 1 on anything else or no
// answer, and finds the server from LISTEN_ADDR.
func TestHealthcheck(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)

	runCmd := func(env map[string]string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
		return code, out.String(), errb.String()
	}
	code, out, _ := runCmd(map[string]string{"LISTEN_ADDR": ":" + port}, "healthcheck")
	require.Equal(t, 0, code)
	require.Contains(t, out, "ok")

	code, _, errOut := runCmd(nil, "healthcheck", "--url", srv.URL+"/elsewhere")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "answered 404")

	srv.Close()
	code, _, _ = runCmd(map[string]string{"LISTEN_ADDR": ":" + port}, "healthcheck")
	require.Equal(t, 1, code, "no server: unhealthy")
}
