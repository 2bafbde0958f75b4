package outbound

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

// MaxRedirects is how many redirects a client follows; bot endpoints and
// Webim have no reason to chain more, and each hop is a new SSRF attempt.
const MaxRedirects = 3

// MaxIdleConnsPerHost is how many kept-alive connections to one host the
// client keeps for the next request. One tenant's chats all call the same
// Webim host (and the same bot), up to BRIDGE_WORKERS at once; with
// net/http's default of two, all but two of those connections were closed
// after their call and the next call dialled a new one (and, over https,
// paid a new TLS handshake): 7.6 % of a worker's CPU in the bench's drain
// went to dialling alone. 64 covers the default 20 workers with room for
// a process running more.
const MaxIdleConnsPerHost = 64

// MaxIdleConns caps kept-alive connections over all hosts (tenants), so
// many tenants' idle connections stay bounded.
const MaxIdleConns = 512

// DefaultTimeout is used when NewClient is given no timeout, because a
// client without one lets a slow tenant endpoint hold a worker forever.
const DefaultTimeout = 30 * time.Second

// NewClient returns the HTTP client for tenant-supplied URLs. The address
// check runs in the dialer's Control hook, after DNS resolution and just
// before connecting, so a host name that resolves to a public address at
// save time and to 127.0.0.1 later (DNS rebinding) is still refused.
//
// Errors before a connection is made come back in general words (see
// ConnectError), because their text reaches tenants.
func NewClient(p Policy, timeout time.Duration) *http.Client {
	return newClient(p, timeout, p.allowsDial)
}

// NewClientTLS is NewClient with the TLS settings (roots) of tlsConf
// instead of the system's: tests trust their httptest.NewTLSServer this
// way. Every address, port and scheme rule stays the same.
func NewClientTLS(p Policy, timeout time.Duration, tlsConf *tls.Config) *http.Client {
	c := newClient(p, timeout, p.allowsDial)
	if tlsConf != nil {
		c.Transport.(*guard).next.TLSClientConfig = tlsConf.Clone()
	}
	return c
}

// newClient lets tests allow one specific loopback server while keeping
// the real policy for every other address.
func newClient(p Policy, timeout time.Duration, allow func(netip.AddrPort) bool) *http.Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	dialer := &net.Dialer{
		Timeout:   10 * time.Second,
		KeepAlive: 30 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !allow(ap) {
				// The address is what the tenant's host name resolved to:
				// guard words this without it.
				return fmt.Errorf("outbound: refusing to connect to %s: %w", address, ErrForbiddenAddress)
			}
			return nil
		},
	}
	transport := &http.Transport{
		Proxy:                 nil, // an environment proxy would dial for us and bypass the check
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          MaxIdleConns,
		MaxIdleConnsPerHost:   MaxIdleConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{
		Timeout:   timeout,
		Transport: &guard{policy: p, next: transport},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > MaxRedirects {
				return fmt.Errorf("outbound: stopped after %d redirects", MaxRedirects)
			}
			return p.checkRequestURL(req)
		},
	}
}

// guard applies the scheme rule to every request, so a caller that skipped
// validation still cannot send a tenant secret over plain http.
type guard struct {
	policy Policy
	next   *http.Transport
}

// RoundTrip refuses disallowed URLs before any connection is made, and
// words every failure that happens before a TCP connection stands in
// general terms (ConnectError).
func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := g.policy.checkRequestURL(req); err != nil {
		if req.Body != nil {
			_ = req.Body.Close() // RoundTrip must close the body, even on error
		}
		return nil, err
	}
	var connected atomic.Bool
	trace := &httptrace.ClientTrace{
		ConnectDone: func(_, _ string, err error) {
			if err == nil {
				connected.Store(true)
			}
		},
		GotConn: func(httptrace.GotConnInfo) { connected.Store(true) },
	}
	resp, err := g.next.RoundTrip(req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
	if err != nil && !connected.Load() {
		return nil, &ConnectError{Host: req.URL.Host, cause: err}
	}
	return resp, err
}

// ConnectError is any failure before a connection to a tenant URL stood:
// the host name not found, the port closed, filtered or slow, the address
// refused by policy. Its text is the same for all of them, so a tenant
// cannot use botbridge to tell a closed port from a filtered one (a port
// scan) or learn what a name resolves to inside the operator's network;
// errors.Is still sees the cause (ErrForbiddenAddress, context errors).
type ConnectError struct {
	// Host is the URL's host[:port], as the tenant wrote it.
	Host  string
	cause error
}

func (e *ConnectError) Error() string {
	if errors.Is(e.cause, ErrForbiddenAddress) {
		return "outbound: could not connect to " + e.Host + ": the address is not allowed"
	}
	return "outbound: could not connect to " + e.Host
}

// Unwrap gives errors.Is and errors.As the cause.
func (e *ConnectError) Unwrap() error { return e.cause }

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// wrapped transport.
func (g *guard) CloseIdleConnections() { g.next.CloseIdleConnections() }

func (p Policy) checkRequestURL(req *http.Request) error {
	u := req.URL
	if !p.schemeAllowed(u.Scheme) {
		return fmt.Errorf("outbound: scheme %q not allowed: %w", u.Scheme, ErrForbiddenAddress)
	}
	if u.User != nil {
		return fmt.Errorf("outbound: credentials in URL not allowed: %w", ErrForbiddenAddress)
	}
	if port := effectivePort(u.Scheme, u.Port()); !p.AllowsPort(port) {
		return portError(port)
	}
	return nil
}

// portError is a URL (or redirect) to a port the policy does not allow.
type portError uint16

func (e portError) Error() string { return fmt.Sprintf("outbound: port %d is not allowed", uint16(e)) }

// Is matches ErrPortNotAllowed and ErrForbiddenAddress (a policy refusal).
func (e portError) Is(target error) bool {
	return target == ErrPortNotAllowed || target == ErrForbiddenAddress
}

// effectivePort is the URL's port, or its scheme's default; 0 when it is
// not a valid port (which no policy allows).
func effectivePort(scheme, port string) uint16 {
	if port == "" {
		if scheme == "http" {
			return 80
		}
		return 443
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return 0
	}
	return uint16(n)
}

func (p Policy) schemeAllowed(scheme string) bool {
	return scheme == "https" || (p.AllowLocal && scheme == "http")
}
