package outbound

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
)

// Tenant URLs reach ports 443 and 8443 only, unless the operator allows
// more; with AllowLocal (development) any port.
func TestPolicyPorts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		p    Policy
		port uint16
		want bool
	}{
		{Policy{}, 443, true},
		{Policy{}, 8443, true},
		{Policy{}, 22, false},
		{Policy{}, 80, false},
		{Policy{}, 6379, false},
		{Policy{AllowedPorts: []uint16{443, 9443}}, 9443, true},
		{Policy{AllowedPorts: []uint16{443, 9443}}, 8443, false},
		{Policy{AllowLocal: true}, 22, true},
	} {
		require.Equal(t, tc.want, tc.p.AllowsPort(tc.port), "%+v %d", tc.p, tc.port)
	}
}

func TestNormalizeRefusesPortsNotAllowed(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"https://salutebot.webim.ru:22", "salutebot.webim.ru:6379", "https://93.184.216.34:25/"} {
		_, err := NormalizeDomain(in, Policy{})
		require.ErrorIs(t, err, apperr.ErrInvalid, in)
		require.ErrorIs(t, err, ErrPortNotAllowed, in)
		require.Equal(t, msgPortNotAllowed, err.Error(), in)
		_, err = NormalizeEndpoint(in, Policy{})
		require.ErrorIs(t, err, ErrPortNotAllowed, in)
	}
	for _, in := range []string{"https://salutebot.webim.ru", "https://salutebot.webim.ru:443", "https://salutebot.webim.ru:8443"} {
		_, err := NormalizeDomain(in, Policy{})
		require.NoError(t, err, in)
	}
	d, err := NormalizeDomain("https://salutebot.webim.ru:9443", Policy{AllowedPorts: []uint16{9443}})
	require.NoError(t, err)
	require.Equal(t, "https://salutebot.webim.ru:9443", d)
	_, err = NormalizeDomain("http://127.0.0.1:8090", Policy{AllowLocal: true})
	require.NoError(t, err, "the dev sandbox on its local port")
}

func TestClientRefusesPortsNotAllowed(t *testing.T) {
	t.Parallel()
	c := NewClient(Policy{}, 5*time.Second)
	// A public address: the guard refuses before any connection is tried.
	_, err := get(t, c, "https://93.184.216.34:22/")
	require.ErrorIs(t, err, ErrForbiddenAddress)
	require.ErrorIs(t, err, ErrPortNotAllowed)
	// And the dialer would too (a redirect or a resolved port).
	c2 := newClient(Policy{}, 5*time.Second, func(ap netip.AddrPort) bool { return Policy{}.allowsDial(ap) })
	_, err = c2.Transport.(*guard).next.DialContext(context.Background(), "tcp", "93.184.216.34:22")
	require.ErrorIs(t, err, ErrForbiddenAddress)
}

// Dial errors reach tenants (in the activity log) in general words, so a
// tenant URL cannot tell a closed port from a filtered one (no port scan
// through botbridge), and a refused address does not show what the host
// name resolved to.
func TestDialErrorsAreGeneral(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := ln.Addr().String()
	ln.Close()

	local := NewClient(Policy{AllowLocal: true}, 5*time.Second)
	_, refused := get(t, local, "http://"+closed+"/")
	require.Error(t, refused)

	// A dial that cannot finish in time (a filtered port) looks the same.
	slow := newClient(Policy{AllowLocal: true}, 5*time.Second, func(netip.AddrPort) bool { return true })
	slow.Transport.(*guard).next.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
		<-ctx.Done()
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: ctx.Err()}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://blackhole.example:8443/", nil)
	require.NoError(t, err)
	_, timedOut := slow.Do(req)
	require.Error(t, timedOut)

	for _, err := range []error{refused, timedOut} {
		msg := err.Error()
		require.Contains(t, msg, "could not connect to ")
		for _, leak := range []string{"refused", "timeout", "deadline", "i/o", "reset", "unreachable", "dial tcp"} {
			require.NotContains(t, msg, leak)
		}
		var ce *ConnectError
		require.True(t, errors.As(err, &ce), msg)
	}
	require.True(t, strings.HasSuffix(refused.Error(), "could not connect to "+closed))

	// Refused by policy: no resolved address in the text.
	strict := NewClient(Policy{}, 5*time.Second)
	_, err = get(t, strict, "https://localhost:8443/")
	require.ErrorIs(t, err, ErrForbiddenAddress)
	require.NotContains(t, err.Error(), "127.0.0.1")
	require.NotContains(t, err.Error(), "::1")
}
