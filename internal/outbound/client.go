package outbound

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// MaxRedirects is how many redirects a client follows; bot endpoints and
// Webim have no reason to chain more, and each hop is a new SSRF attempt.
const MaxRedirects = 3

// DefaultTimeout is used when NewClient is given no timeout, because a
// client without one lets a slow tenant endpoint hold a worker forever.
const DefaultTimeout = 30 * time.Second

// NewClient returns the HTTP client for tenant-supplied URLs. The address
// check runs in the dialer's Control hook, after DNS resolution and just
// before connecting, so a host name that resolves to a public address at
// save time and to 127.0.0.1 later (DNS rebinding) is still refused.
func NewClient(p Policy, timeout time.Duration) *http.Client {
	return newClient(p, timeout, func(ap netip.AddrPort) bool { return p.Allows(ap.Addr()) })
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
				return fmt.Errorf("outbound: refusing to connect to %s: %w", address, ErrForbiddenAddress)
			}
			return nil
		},
	}
	transport := &http.Transport{
		Proxy:                 nil, // an environment proxy would dial for us and bypass the check
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
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

// RoundTrip refuses disallowed URLs before any connection is made.
func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := g.policy.checkRequestURL(req); err != nil {
		if req.Body != nil {
			_ = req.Body.Close() // RoundTrip must close the body, even on error
		}
		return nil, err
	}
	return g.next.RoundTrip(req)
}

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
	return nil
}

func (p Policy) schemeAllowed(scheme string) bool {
	return scheme == "https" || (p.AllowLocal && scheme == "http")
}
