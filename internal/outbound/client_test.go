package outbound

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// countingServer records how often it was reached, which is what proves a
// refusal happened before any byte was sent.
func countingServer(t *testing.T, tls bool, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if h != nil {
			h(w, r)
			return
		}
		_, _ = w.Write([]byte("ok"))
	})
	var srv *httptest.Server
	if tls {
		srv = httptest.NewTLSServer(handler)
	} else {
		srv = httptest.NewServer(handler)
	}
	t.Cleanup(srv.Close)
	return srv, &hits
}

// trust makes c accept srv's self-signed certificate without touching the
// dialer, so the address check under test stays in place.
func trust(c *http.Client, srv *httptest.Server) {
	c.Transport.(*guard).next.TLSClientConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, u, nil)
	require.NoError(t, err)
	resp, err := c.Do(req)
	if resp != nil {
		t.Cleanup(func() { _ = resp.Body.Close() })
	}
	return resp, err
}

func TestClientRefusesLocalServerAtDialTime(t *testing.T) {
	t.Parallel()
	srv, hits := countingServer(t, true, nil)
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]

	// The test server's port is allowed, so it is the address check at
	// dial time that refuses.
	n, err := strconv.ParseUint(port, 10, 16)
	require.NoError(t, err)
	strict := NewClient(Policy{AllowedPorts: []uint16{uint16(n)}}, 5*time.Second)
	trust(strict, srv)
	for _, u := range []string{srv.URL, "https://localhost:" + port + "/"} {
		_, err := get(t, strict, u)
		require.ErrorIs(t, err, ErrForbiddenAddress, u)
	}
	require.Zero(t, hits.Load())

	local := NewClient(Policy{AllowLocal: true}, 5*time.Second)
	trust(local, srv)
	resp, err := get(t, local, srv.URL)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.EqualValues(t, 1, hits.Load())
}

func TestClientSchemeRule(t *testing.T) {
	t.Parallel()
	srv, hits := countingServer(t, false, nil)

	_, err := get(t, NewClient(Policy{}, 5*time.Second), srv.URL)
	require.ErrorIs(t, err, ErrForbiddenAddress)
	require.Zero(t, hits.Load())

	resp, err := get(t, NewClient(Policy{AllowLocal: true}, 5*time.Second), srv.URL)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.EqualValues(t, 1, hits.Load())
}

func TestClientRefusesForbiddenAddresses(t *testing.T) {
	t.Parallel()
	c := NewClient(Policy{}, 5*time.Second)
	// The dialer's Control hook runs before connect, so none of these
	// addresses is ever contacted, even where it would answer.
	for _, host := range []string{
		"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
		"[::1]", "[fe80::1]", "[::ffff:127.0.0.1]", "0.0.0.0", "100.64.0.1",
	} {
		t.Run(host, func(t *testing.T) {
			t.Parallel()
			_, err := get(t, c, "https://"+host+":1/")
			require.ErrorIs(t, err, ErrForbiddenAddress)
		})
	}
}

func TestClientRedirects(t *testing.T) {
	t.Parallel()
	forbidden, forbiddenHits := countingServer(t, true, nil)
	// Cleanup, not a trailing statement: parallel subtests finish only
	// after this function returns.
	t.Cleanup(func() { require.Zero(t, forbiddenHits.Load()) })

	tests := []struct {
		name     string
		location func(self *httptest.Server) string
		wantHits int32 // requests that reached the allowed server
	}{
		{name: "to a loopback server", location: func(*httptest.Server) string { return forbidden.URL + "/internal" }, wantHits: 1},
		{name: "to cloud metadata", location: func(*httptest.Server) string { return "https://169.254.169.254/latest/meta-data/" }, wantHits: 1},
		{name: "to plain http", location: func(*httptest.Server) string { return "http://example.com/" }, wantHits: 1},
		{name: "with credentials", location: func(*httptest.Server) string { return "https://user:pw@example.com/" }, wantHits: 1},
		{name: "loop stops after three", location: func(self *httptest.Server) string { return self.URL + "/again" }, wantHits: 1 + MaxRedirects},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var self *httptest.Server
			self, hits := countingServer(t, true, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, tt.location(self), http.StatusFound)
			})
			allowed := netip.MustParseAddrPort(strings.TrimPrefix(self.URL, "https://"))
			forbiddenPort := netip.MustParseAddrPort(strings.TrimPrefix(forbidden.URL, "https://")).Port()
			p := Policy{AllowedPorts: []uint16{443, allowed.Port(), forbiddenPort}}
			c := newClient(p, 5*time.Second, func(ap netip.AddrPort) bool {
				return ap == allowed || Policy{}.Allows(ap.Addr())
			})
			trust(c, self)

			_, err := get(t, c, self.URL)
			require.Error(t, err)
			var urlErr *url.Error
			require.ErrorAs(t, err, &urlErr)
			if tt.wantHits == 1 {
				require.ErrorIs(t, err, ErrForbiddenAddress)
			} else {
				require.ErrorContains(t, err, "stopped after 3 redirects")
			}
			require.Equal(t, tt.wantHits, hits.Load())
		})
	}
}

func TestClientDefaults(t *testing.T) {
	t.Parallel()
	c := NewClient(Policy{}, 0)
	require.Equal(t, DefaultTimeout, c.Timeout)
	require.Nil(t, c.Transport.(*guard).next.Proxy, "an environment proxy would bypass the dial check")
	c.CloseIdleConnections()
}

// Concurrent calls to one host reuse their connections: a worker set
// calling one tenant's Webim must not dial (and, over https, shake hands)
// per call, which net/http's default of two idle connections per host did.
func TestClientKeepsConnectionsPerHost(t *testing.T) {
	t.Parallel()
	var dialled atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok"))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dialled.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := newClient(Policy{AllowLocal: true}, 5*time.Second, func(netip.AddrPort) bool { return true })
	defer c.CloseIdleConnections()
	const parallel, rounds = 20, 5
	for range rounds {
		var wg sync.WaitGroup
		errs := make(chan error, parallel)
		for range parallel {
			wg.Go(func() {
				resp, err := c.Get(srv.URL)
				if err != nil {
					errs <- err
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				errs <- resp.Body.Close()
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
	}
	require.LessOrEqual(t, dialled.Load(), int32(parallel),
		"%d calls in rounds of %d opened %d connections", parallel*rounds, parallel, dialled.Load())
}
