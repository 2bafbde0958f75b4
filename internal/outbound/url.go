package outbound

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/net/idna"

	"github.com/botbridge/botbridge/internal/apperr"
)

// Messages shown under a form field; GOV.UK style (no final full stop).
const (
	msgEmpty       = "Enter an address"
	msgSpaces      = "The address must not contain spaces"
	msgInvalid     = "This is not a valid web address"
	msgHTTPS       = "The address must start with https://"
	msgHTTPSOrHTTP = "The address must start with https:// or http://"
	msgUserinfo    = "The address must not contain a user name or password"
	msgNoHost      = "The address must include a host name"
	msgBadHost     = "This is not a valid host name"
	msgShortHost   = "Enter a full host name, like example.com"
	msgPort        = "The port must be a number from 1 to 65535"
	// msgPortNotAllowed: the allowed ports are the operator's choice, so
	// the message does not list them.
	msgPortNotAllowed = "This port is not allowed; leave it out to use the standard port 443"
	msgFragment       = "The address must not contain a fragment (the part after #)"
	msgDomainPath     = "Enter the domain only, without a path"
	msgDomainQuery    = "Enter the domain only, without a query (the part after ?)"
	msgForbidden      = "This address points to a private or local network, which is not allowed"
	msgNotFound       = "This host name could not be found"
	msgLookupFailed   = "This host name could not be looked up right now, try again later"
)

// formError is an apperr.ErrInvalid whose Error() is the sentence to show
// under the form field, so handlers can pass err.Error() to the view as is.
type formError struct {
	msg       string
	forbidden bool
	port      bool
}

func (e *formError) Error() string { return e.msg }

// Unwrap lets errors.Is match ErrInvalid, and ErrForbiddenAddress when the
// address was refused by policy.
func (e *formError) Unwrap() []error {
	switch {
	case e.port:
		return []error{apperr.ErrInvalid, ErrPortNotAllowed}
	case e.forbidden:
		return []error{apperr.ErrInvalid, ErrForbiddenAddress}
	}
	return []error{apperr.ErrInvalid}
}

func invalid(msg string) error { return &formError{msg: msg} }

func forbiddenErr() error { return &formError{msg: msgForbidden, forbidden: true} }

// Resolver is the part of *net.Resolver CheckURL needs, so tests can fake DNS.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// StaticResolver answers from a fixed table of host → addresses; a name
// not in it does not exist. Tests use it instead of real DNS.
type StaticResolver map[string][]string

// LookupNetIP implements Resolver. The table's addresses must parse.
func (r StaticResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	ips, ok := r[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	out := make([]netip.Addr, len(ips))
	for i, ip := range ips {
		out[i] = netip.MustParseAddr(ip)
	}
	return out, nil
}

// CheckURL validates a tenant URL when it is saved: allowed scheme, no
// credentials, a host that resolves, and no resolved address the policy
// forbids. It complements, never replaces, the client's connect-time check,
// which is what stops DNS rebinding. A nil resolver means net.DefaultResolver.
// Errors wrap apperr.ErrInvalid and their text is meant for the form.
func CheckURL(ctx context.Context, p Policy, raw string, resolver Resolver) error {
	t, err := parse(raw, p, false)
	if err != nil {
		return err
	}
	if t.addr.IsValid() || isLocalhost(t.host) {
		return nil // parse already applied the policy; no DNS needed
	}
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	addrs, err := resolver.LookupNetIP(ctx, "ip", t.host)
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			return invalid(msgNotFound)
		}
		return invalid(msgLookupFailed)
	}
	if len(addrs) == 0 {
		return invalid(msgNotFound)
	}
	for _, a := range addrs {
		if !p.Allows(a) {
			return forbiddenErr()
		}
	}
	return nil
}

// NormalizeDomain turns what an owner types into the Webim "Domain address"
// field into the canonical form botbridge stores, e.g.
// "HTTPS://SaluteBot.webim.ru:443/" → "https://salutebot.webim.ru". A missing
// scheme means https. Errors wrap apperr.ErrInvalid; Error() is the message
// for the form.
func NormalizeDomain(input string, p Policy) (string, error) {
	t, err := parse(input, p, true)
	if err != nil {
		return "", err
	}
	u := t.u
	switch {
	case u.Path != "" && u.Path != "/":
		return "", invalid(msgDomainPath)
	case u.RawQuery != "" || u.ForceQuery:
		return "", invalid(msgDomainQuery)
	}
	return u.Scheme + "://" + t.hostPort(), nil
}

// NormalizeEndpoint canonicalises a bot endpoint URL: scheme and host
// lowercased, default port dropped, path and query kept. A missing scheme
// means https. Errors wrap apperr.ErrInvalid; Error() is the message for the
// form.
func NormalizeEndpoint(input string, p Policy) (string, error) {
	t, err := parse(input, p, true)
	if err != nil {
		return "", err
	}
	u := *t.u
	u.Host = t.hostPort()
	if u.RawQuery == "" {
		u.ForceQuery = false
	}
	return u.String(), nil
}

// target is a parsed URL whose host passed validation.
type target struct {
	u    *url.URL
	host string     // lowercase ASCII host name or canonical IP, no brackets
	addr netip.Addr // valid when the host is an IP literal
	port string     // empty when it is the scheme's default
}

func (t *target) hostPort() string {
	h := t.host
	if t.addr.Is6() {
		h = "[" + h + "]"
	}
	if t.port != "" {
		h += ":" + t.port
	}
	return h
}

// parse applies the rules shared by every tenant URL. defaultScheme lets
// form fields accept a bare host name; CheckURL wants a full URL.
func parse(input string, p Policy, defaultScheme bool) (*target, error) {
	input = strings.TrimSpace(input)
	if input == "" {
		return nil, invalid(msgEmpty)
	}
	if strings.IndexFunc(input, unicode.IsSpace) >= 0 {
		return nil, invalid(msgSpaces)
	}
	if defaultScheme && !strings.Contains(input, "://") {
		input = "https://" + input
	}
	u, err := url.Parse(input)
	if err != nil {
		return nil, invalid(msgInvalid)
	}
	if !p.schemeAllowed(u.Scheme) {
		if p.AllowLocal {
			return nil, invalid(msgHTTPSOrHTTP)
		}
		return nil, invalid(msgHTTPS)
	}
	if u.Opaque != "" {
		return nil, invalid(msgInvalid)
	}
	if u.User != nil {
		return nil, invalid(msgUserinfo)
	}
	// url.URL cannot tell "x#" from "x", and an empty fragment is no more
	// welcome than a full one.
	if strings.Contains(input, "#") {
		return nil, invalid(msgFragment)
	}
	if u.Host == "" {
		return nil, invalid(msgNoHost)
	}
	t := &target{u: u}
	if t.port, err = normalizePort(u.Scheme, u.Port()); err != nil {
		return nil, err
	}
	if !p.AllowsPort(effectivePort(u.Scheme, u.Port())) {
		return nil, &formError{msg: msgPortNotAllowed, port: true}
	}
	if t.host, t.addr, err = normalizeHost(u.Hostname(), p); err != nil {
		return nil, err
	}
	return t, nil
}

func normalizePort(scheme, port string) (string, error) {
	if port == "" {
		return "", nil
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "", invalid(msgPort)
	}
	if (scheme == "https" && n == 443) || (scheme == "http" && n == 80) {
		return "", nil
	}
	return strconv.Itoa(n), nil
}

// normalizeHost returns the canonical host and, for IP literals, the
// address. Literals and localhost names are refused here already, since
// no DNS is needed to know they are local.
func normalizeHost(host string, p Policy) (string, netip.Addr, error) {
	if host == "" {
		return "", netip.Addr{}, invalid(msgNoHost)
	}
	if addr, err := netip.ParseAddr(host); err == nil {
		if addr.Zone() != "" {
			return "", netip.Addr{}, invalid(msgBadHost)
		}
		if !p.Allows(addr) {
			return "", netip.Addr{}, forbiddenErr()
		}
		return addr.String(), addr, nil
	}
	host = strings.TrimSuffix(host, ".")
	ascii, err := idna.Lookup.ToASCII(host)
	if err != nil || !validHostName(ascii) {
		return "", netip.Addr{}, invalid(msgBadHost)
	}
	if isLocalhost(ascii) {
		if !p.AllowLocal {
			return "", netip.Addr{}, forbiddenErr()
		}
		return ascii, netip.Addr{}, nil
	}
	// A single label is resolved through the operator's search domains,
	// i.e. on the internal network, and is never a public site.
	if !p.AllowLocal && !strings.Contains(ascii, ".") {
		return "", netip.Addr{}, invalid(msgShortHost)
	}
	return ascii, netip.Addr{}, nil
}

// isLocalhost follows RFC 6761: these names always mean this machine,
// whatever DNS says.
func isLocalhost(host string) bool {
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

// validHostName checks RFC 1123 syntax on a lowercase ASCII name. An
// all-digit last label is refused because resolvers may read names like
// "2130706433" or "127.1" as IPv4 addresses.
func validHostName(name string) bool {
	if name == "" || len(name) > 253 {
		return false
	}
	labels := strings.Split(name, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return false
			}
		}
	}
	last := labels[len(labels)-1]
	return strings.Trim(last, "0123456789") != ""
}
