package outbound

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
)

// fakeResolver is a StaticResolver whose "timeout.example" times out.
type fakeResolver StaticResolver

func (f fakeResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if host == "timeout.example" {
		return nil, &net.DNSError{Err: "i/o timeout", Name: host, IsTimeout: true}
	}
	return StaticResolver(f).LookupNetIP(ctx, network, host)
}

var testDNS = fakeResolver{
	"salutebot.webim.ru": {"95.213.1.1"},
	"evil.example":       {"127.0.0.1"},
	"mixed.example":      {"93.184.216.34", "10.0.0.5"},
	"rebind.example":     {"::ffff:169.254.169.254"},
	"v6.example":         {"2a00:1450:4010::1"},
	"empty.example":      {},
	"intranet":           {"10.0.0.1"},
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	const (
		forbidden = "This address points to a private or local network, which is not allowed"
		https     = "The address must start with https://"
	)
	tests := []struct {
		name      string
		raw       string
		local     bool
		wantMsg   string // empty means valid
		forbidden bool
	}{
		{name: "public host", raw: "https://salutebot.webim.ru/api"},
		{name: "public v6 host", raw: "https://v6.example"},
		{name: "public literal", raw: "https://8.8.8.8/"},
		{name: "loopback v4", raw: "https://127.0.0.1/", wantMsg: forbidden, forbidden: true},
		{name: "private 10/8", raw: "https://10.1.2.3/", wantMsg: forbidden, forbidden: true},
		{name: "private 172.16/12", raw: "https://172.16.0.1/", wantMsg: forbidden, forbidden: true},
		{name: "private 192.168/16", raw: "https://192.168.1.1/", wantMsg: forbidden, forbidden: true},
		{name: "metadata", raw: "https://169.254.169.254/latest/meta-data", wantMsg: forbidden, forbidden: true},
		{name: "loopback v6", raw: "https://[::1]/", wantMsg: forbidden, forbidden: true},
		{name: "link-local v6", raw: "https://[fe80::1]/", wantMsg: forbidden, forbidden: true},
		{name: "mapped loopback", raw: "https://[::ffff:127.0.0.1]/", wantMsg: forbidden, forbidden: true},
		{name: "unspecified", raw: "https://0.0.0.0/", wantMsg: forbidden, forbidden: true},
		{name: "percent-encoded loopback", raw: "https://%31%32%37.0.0.1/", wantMsg: "This is not a valid web address"},
		{name: "localhost", raw: "https://localhost:8443/", wantMsg: forbidden, forbidden: true},
		{name: "sub.localhost", raw: "https://app.localhost/", wantMsg: forbidden, forbidden: true},
		{name: "name resolving to loopback", raw: "https://evil.example/", wantMsg: forbidden, forbidden: true},
		{name: "any resolved address private", raw: "https://mixed.example/", wantMsg: forbidden, forbidden: true},
		{name: "name resolving to mapped metadata", raw: "https://rebind.example/", wantMsg: forbidden, forbidden: true},
		{name: "decimal IPv4 trick", raw: "https://2130706433/", wantMsg: "This is not a valid host name"},
		{name: "short IPv4 trick", raw: "https://127.1/", wantMsg: "This is not a valid host name"},
		{name: "single label", raw: "https://intranet/", wantMsg: "Enter a full host name, like example.com"},
		{name: "unknown host", raw: "https://nope.example/", wantMsg: "This host name could not be found"},
		{name: "no addresses", raw: "https://empty.example/", wantMsg: "This host name could not be found"},
		{name: "lookup failure", raw: "https://timeout.example/", wantMsg: "This host name could not be looked up right now, try again later"},
		{name: "http refused", raw: "http://salutebot.webim.ru/", wantMsg: https},
		{name: "no scheme", raw: "salutebot.webim.ru", wantMsg: https},
		{name: "ftp", raw: "ftp://salutebot.webim.ru/", wantMsg: https},
		{name: "userinfo", raw: "https://admin:pw@salutebot.webim.ru/", wantMsg: "The address must not contain a user name or password"},
		{name: "no host", raw: "https:///path", wantMsg: "The address must include a host name"},
		{name: "empty", raw: "  ", wantMsg: "Enter an address"},
		{name: "local: loopback allowed", raw: "http://127.0.0.1:8080/", local: true},
		{name: "local: localhost allowed", raw: "http://localhost:8080/", local: true},
		{name: "local: resolved loopback allowed", raw: "https://evil.example/", local: true},
		{name: "local: single label allowed", raw: "http://intranet/", local: true},
		{name: "local: still needs a known host", raw: "http://nope.example/", local: true, wantMsg: "This host name could not be found"},
		{name: "local: ftp refused", raw: "ftp://x.example/", local: true, wantMsg: "The address must start with https:// or http://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckURL(context.Background(), Policy{AllowLocal: tt.local}, tt.raw, testDNS)
			if tt.wantMsg == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, apperr.ErrInvalid)
			require.EqualError(t, err, tt.wantMsg)
			require.Equal(t, tt.forbidden, errors.Is(err, ErrForbiddenAddress))
		})
	}
}

func TestCheckURLDefaultResolver(t *testing.T) {
	t.Parallel()
	// localhost is refused by name, before any lookup, so this needs no DNS.
	err := CheckURL(context.Background(), Policy{}, "https://localhost/", nil)
	require.ErrorIs(t, err, ErrForbiddenAddress)
}

func TestNormalizeDomain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		local   bool
		want    string
		wantMsg string
	}{
		{in: "salutebot.webim.ru", want: "https://salutebot.webim.ru"},
		{in: "https://salutebot.webim.ru/", want: "https://salutebot.webim.ru"},
		{in: "HTTPS://SaluteBot.webim.ru:8443", want: "https://salutebot.webim.ru:8443"},
		{in: "https://salutebot.webim.ru:443/", want: "https://salutebot.webim.ru"},
		{in: "  salutebot.webim.ru.  ", want: "https://salutebot.webim.ru"},
		{in: "салют.рф", want: "https://xn--80awqg3d.xn--p1ai"},
		{in: "https://93.184.216.34", want: "https://93.184.216.34"},
		{in: "https://[2a00:1450:4010::1]:8443/", want: "https://[2a00:1450:4010::1]:8443"},
		{in: "http://localhost:8080", local: true, want: "http://localhost:8080"},
		{in: "http://webim-sandbox:80/", local: true, want: "http://webim-sandbox"},
		{in: "127.0.0.1:9000", local: true, want: "https://127.0.0.1:9000"},
		{in: "", wantMsg: "Enter an address"},
		{in: "   ", wantMsg: "Enter an address"},
		{in: "salute bot.webim.ru", wantMsg: "The address must not contain spaces"},
		{in: "http://salutebot.webim.ru", wantMsg: "The address must start with https://"},
		{in: "ftp://salutebot.webim.ru", local: true, wantMsg: "The address must start with https:// or http://"},
		{in: "https://salutebot.webim.ru/chat", wantMsg: "Enter the domain only, without a path"},
		{in: "https://salutebot.webim.ru//", wantMsg: "Enter the domain only, without a path"},
		{in: "https://salutebot.webim.ru/?a=1", wantMsg: "Enter the domain only, without a query (the part after ?)"},
		{in: "https://salutebot.webim.ru?", wantMsg: "Enter the domain only, without a query (the part after ?)"},
		{in: "https://salutebot.webim.ru/#top", wantMsg: "The address must not contain a fragment (the part after #)"},
		{in: "https://salutebot.webim.ru#", wantMsg: "The address must not contain a fragment (the part after #)"},
		{in: "https://user:pw@salutebot.webim.ru", wantMsg: "The address must not contain a user name or password"},
		{in: "https://user@salutebot.webim.ru", wantMsg: "The address must not contain a user name or password"},
		{in: "https://", wantMsg: "The address must include a host name"},
		{in: "https://:8443", wantMsg: "The address must include a host name"},
		{in: "salutebot.webim.ru:0", wantMsg: "The port must be a number from 1 to 65535"},
		{in: "salutebot.webim.ru:70000", wantMsg: "The port must be a number from 1 to 65535"},
		{in: "salutebot.webim.ru:http", wantMsg: "This is not a valid web address"},
		{in: "salute_bot.webim.ru", wantMsg: "This is not a valid host name"},
		{in: "-salutebot.webim.ru", wantMsg: "This is not a valid host name"},
		{in: "salutebot..webim.ru", wantMsg: "This is not a valid host name"},
		{in: "salutebot.webim.ru:8443:1", wantMsg: "This is not a valid web address"},
		{in: "https://[fe80::1%25eth0]", wantMsg: "This is not a valid host name"},
		{in: "salutebot", wantMsg: "Enter a full host name, like example.com"},
		{in: "localhost", wantMsg: "This address points to a private or local network, which is not allowed"},
		{in: "https://192.168.1.1", wantMsg: "This address points to a private or local network, which is not allowed"},
		{in: "https://[::ffff:127.0.0.1]", wantMsg: "This address points to a private or local network, which is not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := NormalizeDomain(tt.in, Policy{AllowLocal: tt.local})
			if tt.wantMsg != "" {
				require.ErrorIs(t, err, apperr.ErrInvalid)
				require.EqualError(t, err, tt.wantMsg)
				require.Empty(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestNormalizeEndpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		local   bool
		want    string
		wantMsg string
	}{
		{in: "https://bot.example.com/webhook", want: "https://bot.example.com/webhook"},
		{in: "HTTPS://Bot.Example.COM:443/Hook?Token=AbC&x=1", want: "https://bot.example.com/Hook?Token=AbC&x=1"},
		{in: "bot.example.com/api/v1/messages", want: "https://bot.example.com/api/v1/messages"},
		{in: "https://bot.example.com", want: "https://bot.example.com"},
		{in: "https://bot.example.com:8443/", want: "https://bot.example.com:8443/"},
		{in: "https://bot.example.com/a%20b", want: "https://bot.example.com/a%20b"},
		{in: "https://bot.example.com/hook?", want: "https://bot.example.com/hook"},
		{in: "http://127.0.0.1:8081/bot", local: true, want: "http://127.0.0.1:8081/bot"},
		{in: "http://bot:80/hook", local: true, want: "http://bot/hook"},
		{in: "", wantMsg: "Enter an address"},
		{in: "http://bot.example.com/hook", wantMsg: "The address must start with https://"},
		{in: "https://bot.example.com/a b", wantMsg: "The address must not contain spaces"},
		{in: "https://bot.example.com/hook#frag", wantMsg: "The address must not contain a fragment (the part after #)"},
		{in: "https://u:p@bot.example.com/hook", wantMsg: "The address must not contain a user name or password"},
		{in: "https://bot.example.com/%zz", wantMsg: "This is not a valid web address"},
		{in: "https://10.0.0.1/hook", wantMsg: "This address points to a private or local network, which is not allowed"},
		{in: "https://localhost/hook", wantMsg: "This address points to a private or local network, which is not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := NormalizeEndpoint(tt.in, Policy{AllowLocal: tt.local})
			if tt.wantMsg != "" {
				require.ErrorIs(t, err, apperr.ErrInvalid)
				require.EqualError(t, err, tt.wantMsg)
				require.Empty(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
