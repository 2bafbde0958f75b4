package outbound

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPolicyAllows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr string
		want bool
	}{
		{addr: "127.0.0.1"},
		{addr: "127.255.0.9"},
		{addr: "10.1.2.3"},
		{addr: "172.16.0.1"},
		{addr: "172.31.255.255"},
		{addr: "192.168.1.1"},
		{addr: "169.254.169.254"},
		{addr: "100.64.0.1"},
		{addr: "100.127.255.254"},
		{addr: "0.0.0.0"},
		{addr: "0.1.2.3"},
		{addr: "255.255.255.255"},
		{addr: "224.0.0.1"},
		{addr: "240.0.0.1"},
		{addr: "192.0.2.10"},
		{addr: "198.18.0.1"},
		{addr: "::"},
		{addr: "::1"},
		{addr: "fe80::1"},
		{addr: "fe80::1%eth0"},
		{addr: "fc00::1"},
		{addr: "fd12:3456::1"},
		{addr: "ff02::1"},
		{addr: "fec0::1"},
		{addr: "2001:db8::1"},
		{addr: "::ffff:127.0.0.1"},
		{addr: "::ffff:10.0.0.1"},
		{addr: "::ffff:169.254.169.254"},
		{addr: "::127.0.0.1"},         // IPv4-compatible
		{addr: "64:ff9b::7f00:1"},     // NAT64 of 127.0.0.1
		{addr: "2002:a00:1::1"},       // 6to4 of 10.0.0.1
		{addr: "2001:0:4136:e378::1"}, // Teredo
		{addr: "8.8.8.8", want: true},
		{addr: "1.1.1.1", want: true},
		{addr: "95.213.1.1", want: true},
		{addr: "172.32.0.1", want: true},
		{addr: "100.128.0.1", want: true},
		{addr: "::ffff:8.8.8.8", want: true},
		{addr: "2a00:1450:4010::1", want: true},
		{addr: "2606:4700:4700::1111", want: true},
		{addr: "64:ff9b::808:808", want: true}, // NAT64 of 8.8.8.8
		{addr: "2002:808:808::1", want: true},  // 6to4 of 8.8.8.8
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			t.Parallel()
			addr := netip.MustParseAddr(tt.addr)
			require.Equal(t, tt.want, Policy{}.Allows(addr))
			require.True(t, Policy{AllowLocal: true}.Allows(addr))
		})
	}
	require.False(t, Policy{}.Allows(netip.Addr{}), "the zero address is never public")
}
