package config

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaultsInDevelopment(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"DATABASE_URL": "postgres://localhost/x", "APP_ENV": "development"}))
	require.NoError(t, err)
	require.Equal(t, 20, c.BridgeWorkers)
	require.Equal(t, ":8080", c.ListenAddr)
	require.Equal(t, "http://localhost:8080", c.BaseURL.String())
	require.Equal(t, "text", c.LogFormat)
	require.True(t, c.Dev())
	require.False(t, c.SecureCookies())
	require.NotEmpty(t, c.SecretKey)
	require.Equal(t, 2*time.Minute, c.JobTimeout)
	require.Equal(t, 3*time.Minute, c.JobRescueAfter)
	require.Equal(t, 400, c.RetentionMetadataDays)
}

func TestLoadErrorsNameTheVariable(t *testing.T) {
	t.Parallel()
	base := map[string]string{"DATABASE_URL": "postgres://localhost/x", "APP_ENV": "development"}
	cases := []struct {
		name string
		set  map[string]string
		want string
	}{
		{"missing database", map[string]string{"DATABASE_URL": ""}, "DATABASE_URL is required"},
		{"bad database", map[string]string{"DATABASE_URL": "mysql://x"}, "DATABASE_URL must be a postgres:// URL"},
		{"bad listen", map[string]string{"LISTEN_ADDR": "8080"}, "LISTEN_ADDR must be host:port"},
		{"bad base", map[string]string{"BASE_URL": "localhost:8080"}, "BASE_URL must be an absolute http(s) URL"},
		{"prod without key", map[string]string{"APP_ENV": "production"}, "SECRET_KEY is required outside development"},
		{"short key", map[string]string{"SECRET_KEY": "short"}, "SECRET_KEY must be at least 32 characters"},
		{"bad smtp", map[string]string{"SMTP_URL": "http://mail"}, "SMTP_URL must look like"},
		{"bad log format", map[string]string{"LOG_FORMAT": "xml"}, "LOG_FORMAT must be text or json"},
		{"bad env", map[string]string{"APP_ENV": "staging"}, "APP_ENV must be development or production"},
		{"bad bool", map[string]string{"OUTBOUND_ALLOW_LOCAL": "perhaps"}, "OUTBOUND_ALLOW_LOCAL must be true or false"},
		{"local in prod", map[string]string{"APP_ENV": "production", "SECRET_KEY": "0123456789abcdef0123456789abcdef", "OUTBOUND_ALLOW_LOCAL": "true"}, "OUTBOUND_ALLOW_LOCAL must not be true in production"},
		{"bad pool", map[string]string{"DB_MAX_CONNS": "1"}, "DB_MAX_CONNS must be a number"},
		{"bad workers", map[string]string{"BRIDGE_WORKERS": "0"}, "BRIDGE_WORKERS must be a number between 1 and 500"},
		{"production by default", map[string]string{"APP_ENV": ""}, "SECRET_KEY is required outside development"},
		{"bad shutdown", map[string]string{"SHUTDOWN_TIMEOUT": "soon"}, "SHUTDOWN_TIMEOUT must be a positive duration"},
		{"bad job timeout", map[string]string{"JOB_TIMEOUT": "500ms"}, "JOB_TIMEOUT must be a duration of at least 1s"},
		{"metadata days too short", map[string]string{"RETENTION_METADATA_DAYS": "7"}, "RETENTION_METADATA_DAYS must be a number between 30 and 3650"},
		{"bad rescue", map[string]string{"JOB_RESCUE_AFTER": "-1m"}, "JOB_RESCUE_AFTER must be a positive duration"},
		{"rescue before timeout", map[string]string{"JOB_TIMEOUT": "5m", "JOB_RESCUE_AFTER": "3m"}, "JOB_RESCUE_AFTER must be longer than JOB_TIMEOUT (5m0s)"},
		{"bad proxy", map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, proxy.local"}, `TRUSTED_PROXIES must list IP addresses or CIDR ranges separated by commas, got "proxy.local"`},
		{"short metrics token", map[string]string{"METRICS_TOKEN": "abc"}, "METRICS_TOKEN must be at least 16 characters"},
		{"bad log level", map[string]string{"LOG_LEVEL": "loud"}, `LOG_LEVEL must be debug, info, warn or error, got "loud"`},
		{"short old key", map[string]string{"SECRET_KEY_OLD": "0123456789abcdef0123456789abcdef, short"}, "SECRET_KEY_OLD must be a comma-separated list of keys of at least 32 characters"},
		{"empty old key", map[string]string{"SECRET_KEY_OLD": "0123456789abcdef0123456789abcdef,"}, "SECRET_KEY_OLD must be a comma-separated list"},
		{"pool not a number", map[string]string{"DB_MAX_CONNS": "many"}, `DB_MAX_CONNS must be a number between 2 and 1000, got "many"`},
		{"pool too big", map[string]string{"DB_MAX_CONNS": "1001"}, "DB_MAX_CONNS must be a number between 2 and 1000"},
		{"too many workers", map[string]string{"BRIDGE_WORKERS": "501"}, "BRIDGE_WORKERS must be a number between 1 and 500"},
		{"zero shutdown", map[string]string{"SHUTDOWN_TIMEOUT": "0s"}, `SHUTDOWN_TIMEOUT must be a positive duration such as 20s, got "0s"`},
		{"job timeout not a duration", map[string]string{"JOB_TIMEOUT": "2"}, "JOB_TIMEOUT must be a duration of at least 1s such as 2m"},
		{"rescue equals timeout", map[string]string{"JOB_TIMEOUT": "3m", "JOB_RESCUE_AFTER": "3m"}, "JOB_RESCUE_AFTER must be longer than JOB_TIMEOUT (3m0s)"},
		{"smtp without host", map[string]string{"SMTP_URL": "smtp://"}, "SMTP_URL must look like"},
		{"base without host", map[string]string{"BASE_URL": "https://"}, `BASE_URL must be an absolute http(s) URL, got "https://"`},
		{"listen without port", map[string]string{"LISTEN_ADDR": "localhost:"}, "LISTEN_ADDR must be host:port or :port"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := map[string]string{}
			for k, v := range base {
				m[k] = v
			}
			for k, v := range tc.set {
				m[k] = v
			}
			_, err := Load(env(m))
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
			var ce *Error
			require.ErrorAs(t, err, &ce)
			require.Equal(t, strings.Fields(tc.want)[0], ce.Var)
		})
	}
}

// Every problem is reported at once, each naming its variable.
func TestLoadReportsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := Load(env(map[string]string{"APP_ENV": "development", "LISTEN_ADDR": "x", "BRIDGE_WORKERS": "-1", "JOB_TIMEOUT": "forever"}))
	require.Error(t, err)
	var names []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var ce *Error
		require.True(t, errors.As(e, &ce), "%v", e)
		names = append(names, ce.Var)
	}
	require.ElementsMatch(t, []string{"DATABASE_URL", "LISTEN_ADDR", "BRIDGE_WORKERS", "JOB_TIMEOUT"}, names)
}

// Values that may hold credentials are never repeated in an error.
func TestLoadErrorsHideSecrets(t *testing.T) {
	t.Parallel()
	_, err := Load(env(map[string]string{
		"APP_ENV": "development", "DATABASE_URL": "mysql://u:hunter2hunter2@db/x",
		"SMTP_URL": "http://u:hunter2hunter2@mail", "SECRET_KEY": "hunter2hunter2",
		"SECRET_KEY_OLD": "hunter2hunter2", "METRICS_TOKEN": "hunter2hunter2",
	}))
	require.Error(t, err)
	for _, v := range []string{"DATABASE_URL", "SMTP_URL", "SECRET_KEY ", "SECRET_KEY_OLD", "METRICS_TOKEN"} {
		require.Contains(t, err.Error(), "config: "+v)
	}
	require.NotContains(t, err.Error(), "hunter2")
}

func TestLoadParsesEveryKind(t *testing.T) {
	t.Parallel()
	key := "0123456789abcdef0123456789abcdef"
	c, err := Load(env(map[string]string{
		"APP_ENV": " development ", "DATABASE_URL": "postgresql://db/x", "LISTEN_ADDR": "127.0.0.1:9000",
		"SECRET_KEY_OLD": " " + key + "1 , " + key + "2 ", "LOG_LEVEL": "debug", "LOG_FORMAT": "json",
		"OUTBOUND_ALLOW_LOCAL": "true", "DB_MAX_CONNS": "50", "BRIDGE_WORKERS": "3",
		"SHUTDOWN_TIMEOUT": "1m30s", "JOB_TIMEOUT": "1s", "JOB_RESCUE_AFTER": "10m",
		"METRICS_TOKEN": "0123456789abcdef", "MAIL_FROM": "bridge@example.com",
	}))
	require.NoError(t, err)
	require.Equal(t, "development", c.Env)
	require.Equal(t, "postgresql://db/x", c.DatabaseURL)
	require.Equal(t, "http://localhost:9000", c.BaseURL.String(), "the default follows LISTEN_ADDR's port")
	require.Equal(t, []string{key + "1", key + "2"}, c.OldSecretKeys)
	require.Equal(t, "debug", c.LogLevel)
	require.Equal(t, "json", c.LogFormat)
	require.True(t, c.OutboundAllowLocal)
	require.Equal(t, int32(50), c.DBMaxConns)
	require.Equal(t, 3, c.BridgeWorkers)
	require.Equal(t, 90*time.Second, c.ShutdownTimeout)
	require.Equal(t, time.Second, c.JobTimeout)
	require.Equal(t, 10*time.Minute, c.JobRescueAfter)
	require.Equal(t, "0123456789abcdef", c.MetricsToken)
	require.Equal(t, "bridge@example.com", c.MailFrom)
	require.Nil(t, c.SMTPURL, "no SMTP_URL: mail is logged")

	c, err = Load(env(map[string]string{"APP_ENV": "development", "DATABASE_URL": "postgres://db/x", "LISTEN_ADDR": ":80"}))
	require.NoError(t, err)
	require.Equal(t, "http://localhost", c.BaseURL.String())
}

func TestLoadProductionHTTPSCookies(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{
		"APP_ENV": "production", "DATABASE_URL": "postgres://db/x",
		"SECRET_KEY": "0123456789abcdef0123456789abcdef", "BASE_URL": "https://bridge.example.com/",
		"SMTP_URL": "smtp://u:p@mail:1025", "METRICS_ADDR": "127.0.0.1:9090",
	}))
	require.NoError(t, err)
	require.True(t, c.SecureCookies())
	require.Equal(t, "json", c.LogFormat)
	require.Equal(t, "https://bridge.example.com", c.BaseURL.String())
	require.Equal(t, "mail", c.SMTPURL.Hostname())
}

func TestLoadTrustedProxies(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"DATABASE_URL": "postgres://localhost/x", "APP_ENV": "development",
		"TRUSTED_PROXIES": " 10.0.0.0/8,192.0.2.7 , ::1,,"}))
	require.NoError(t, err)
	var got []string
	for _, n := range c.TrustedProxies {
		got = append(got, n.String())
	}
	require.Equal(t, []string{"10.0.0.0/8", "192.0.2.7/32", "::1/128"}, got)
	require.Empty(t, c.MetricsToken)
}

// In production /metrics needs a token or a listener of its own.
func TestLoadProductionMetrics(t *testing.T) {
	t.Parallel()
	prod := func(extra map[string]string) (*Config, error) {
		m := map[string]string{"APP_ENV": "production", "DATABASE_URL": "postgres://db/x", "SECRET_KEY": "0123456789abcdef0123456789abcdef"}
		for k, v := range extra {
			m[k] = v
		}
		return Load(env(m))
	}
	_, err := prod(nil)
	require.ErrorContains(t, err, "METRICS_TOKEN or METRICS_ADDR must be set in production")
	c, err := prod(map[string]string{"METRICS_TOKEN": "scrape-token-0123456789"})
	require.NoError(t, err)
	require.Empty(t, c.MetricsAddr)
	c, err = prod(map[string]string{"METRICS_ADDR": "127.0.0.1:9090"})
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:9090", c.MetricsAddr)
	_, err = prod(map[string]string{"METRICS_ADDR": "9090"})
	require.ErrorContains(t, err, "METRICS_ADDR must be host:port")
	_, err = prod(map[string]string{"METRICS_ADDR": ":8080"})
	require.ErrorContains(t, err, "METRICS_ADDR must differ from LISTEN_ADDR")
	c, err = Load(env(map[string]string{"APP_ENV": "development", "DATABASE_URL": "postgres://db/x"}))
	require.NoError(t, err, "development may leave /metrics open")
	require.Empty(t, c.MetricsToken)
}

func TestLoadOutboundAllowedPorts(t *testing.T) {
	t.Parallel()
	base := map[string]string{"DATABASE_URL": "postgres://localhost/x", "APP_ENV": "development"}
	c, err := Load(env(base))
	require.NoError(t, err)
	require.Equal(t, []uint16{443, 8443}, c.OutboundAllowedPorts)
	base["OUTBOUND_ALLOWED_PORTS"] = " 443, 9443,,"
	c, err = Load(env(base))
	require.NoError(t, err)
	require.Equal(t, []uint16{443, 9443}, c.OutboundAllowedPorts)
	for _, bad := range []string{"https", "0", "70000", "443;8443"} {
		base["OUTBOUND_ALLOWED_PORTS"] = bad
		_, err = Load(env(base))
		require.ErrorContains(t, err, "OUTBOUND_ALLOWED_PORTS must list port numbers", bad)
	}
}

func TestLoadMaxRequestsPerIP(t *testing.T) {
	t.Parallel()
	base := map[string]string{"DATABASE_URL": "postgres://localhost/x", "APP_ENV": "development"}
	c, err := Load(env(base))
	require.NoError(t, err)
	require.Equal(t, 16, c.MaxRequestsPerIP)
	base["MAX_REQUESTS_PER_IP"] = "0"
	c, err = Load(env(base))
	require.NoError(t, err)
	require.Zero(t, c.MaxRequestsPerIP)
	base["MAX_REQUESTS_PER_IP"] = "-1"
	_, err = Load(env(base))
	require.ErrorContains(t, err, "MAX_REQUESTS_PER_IP must be a number between 0 and 100000")
}
