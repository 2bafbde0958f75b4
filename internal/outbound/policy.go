// Package outbound is the only way botbridge calls URLs that tenants supply
// (Webim domains, bot endpoints). It refuses private, loopback and other
// non-public addresses so a tenant cannot use botbridge to reach the
// operator's internal network (SSRF), and it validates such URLs when saved.
package outbound

import (
	"errors"
	"net/netip"
	"slices"
)

// ErrForbiddenAddress is wrapped by every refusal of an address or redirect
// target the policy does not allow, so callers can tell a policy refusal
// from a network failure with errors.Is.
var ErrForbiddenAddress = errors.New("outbound: forbidden address")

// ErrPortNotAllowed is wrapped (beside ErrForbiddenAddress, or
// apperr.ErrInvalid in form errors) when a URL's port is not one the
// policy allows.
var ErrPortNotAllowed = errors.New("outbound: port not allowed")

// DefaultPorts are the ports tenant URLs may use unless the operator
// allows others: HTTPS's own and its common alternative. Any other port
// would let a tenant probe (or talk to) arbitrary services of any public
// host through botbridge.
var DefaultPorts = []uint16{443, 8443}

// Policy says which addresses outbound calls may reach.
type Policy struct {
	// AllowLocal lifts every address and port restriction and also
	// permits plain http://. Only for development, where the Webim sandbox
	// and test bots run on loopback or a private Docker network.
	AllowLocal bool
	// AllowedPorts are the ports tenant URLs may use (OUTBOUND_ALLOWED_PORTS);
	// empty means DefaultPorts.
	AllowedPorts []uint16
}

// AllowsPort reports whether p permits connections to port.
func (p Policy) AllowsPort(port uint16) bool {
	if p.AllowLocal {
		return true
	}
	ports := p.AllowedPorts
	if len(ports) == 0 {
		ports = DefaultPorts
	}
	return slices.Contains(ports, port)
}

// allowsDial is the connect-time check: address and port.
func (p Policy) allowsDial(ap netip.AddrPort) bool {
	return p.Allows(ap.Addr()) && p.AllowsPort(ap.Port())
}

// forbidden4 lists IPv4 ranges that are not publicly routable or have a
// special meaning (RFC 6890 and successors).
var forbidden4 = prefixes(
	"0.0.0.0/8",       // "this network"; 0.0.0.0 reaches the local host on Linux
	"10.0.0.0/8",      // private
	"100.64.0.0/10",   // carrier-grade NAT, often internal cloud networks
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local, including cloud metadata 169.254.169.254
	"172.16.0.0/12",   // private
	"192.0.0.0/24",    // IETF protocol assignments
	"192.0.2.0/24",    // documentation
	"192.88.99.0/24",  // deprecated 6to4 relay anycast
	"192.168.0.0/16",  // private
	"198.18.0.0/15",   // benchmarking
	"198.51.100.0/24", // documentation
	"203.0.113.0/24",  // documentation
	"224.0.0.0/4",     // multicast
	"240.0.0.0/4",     // reserved, including broadcast 255.255.255.255
)

// forbidden6 lists IPv6 ranges that are not public unicast. IPv4-mapped
// addresses (::ffff:0:0/96) are unmapped and checked as IPv4 instead.
var forbidden6 = prefixes(
	"::/96",           // unspecified, loopback and deprecated IPv4-compatible
	"::ffff:0:0:0/96", // IPv4-translated
	"64:ff9b:1::/48",  // local-use NAT64
	"100::/64",        // discard-only
	"2001::/23",       // IETF protocol assignments, including Teredo
	"2001:db8::/32",   // documentation
	"3fff::/20",       // documentation
	"5f00::/16",       // SRv6 SIDs
	"fc00::/7",        // unique local (private)
	"fe80::/10",       // link-local
	"fec0::/10",       // deprecated site-local
	"ff00::/8",        // multicast
)

// These IPv6 ranges embed an IPv4 address that a gateway will connect to,
// so the embedded address decides.
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// Allows reports whether p permits a connection to addr.
func (p Policy) Allows(addr netip.Addr) bool {
	return p.AllowLocal || isPublic(addr)
}

func isPublic(addr netip.Addr) bool {
	// Prefix.Contains never matches an address with a zone, which would let
	// "fe80::1%eth0" through; zones only occur on non-global addresses.
	if !addr.IsValid() || addr.Zone() != "" {
		return false
	}
	addr = addr.Unmap()
	if !addr.IsGlobalUnicast() {
		return false
	}
	if addr.Is4() {
		return !containedIn(forbidden4, addr)
	}
	if containedIn(forbidden6, addr) {
		return false
	}
	b := addr.As16()
	switch {
	case nat64.Contains(addr):
		return isPublic(netip.AddrFrom4([4]byte(b[12:16])))
	case sixToFour.Contains(addr):
		return isPublic(netip.AddrFrom4([4]byte(b[2:6])))
	}
	return true
}

func containedIn(list []netip.Prefix, addr netip.Addr) bool {
	for _, p := range list {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

func prefixes(s ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(s))
	for i, p := range s {
		out[i] = netip.MustParsePrefix(p)
	}
	return out
}
