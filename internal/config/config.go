// Package config turns the process environment into one typed, validated
// Config. Nothing else in botbridge reads environment variables.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is everything botbridge needs from its environment.
type Config struct {
	// Env is "development" or "production"; dev relaxes SECRET_KEY and cookies.
	Env string
	// DatabaseURL is the PostgreSQL connection string.
	DatabaseURL string
	// ListenAddr is where the web server listens, e.g. ":8080".
	ListenAddr string
	// BaseURL is the public URL used to build links and webhook URLs.
	BaseURL *url.URL
	// SecretKey is the root secret for encryption and signing keys.
	SecretKey string
	// OldSecretKeys can still decrypt data sealed before a key rotation.
	OldSecretKeys []string
	// SMTPURL is where mail goes (smtp://user:pass@host:port); empty logs mail instead.
	SMTPURL *url.URL
	// MailFrom is the sender address of outgoing mail.
	MailFrom string
	// LogFormat is "text" or "json".
	LogFormat string
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// OutboundAllowLocal lets outbound calls reach loopback and private
	// addresses (and plain http) on any port; for development and tests only.
	OutboundAllowLocal bool
	// OutboundAllowedPorts are the ports tenant URLs may use (443 and 8443
	// unless the operator lists others).
	OutboundAllowedPorts []uint16
	// DBMaxConns caps the connection pool of web requests, ingest and the
	// job queue.
	DBMaxConns int32
	// BridgeWorkers is how many chats one process delivers at once; each
	// holds a connection of its own pool (BridgeWorkers + 2) while it runs.
	BridgeWorkers int
	// ShutdownTimeout bounds graceful shutdown.
	ShutdownTimeout time.Duration
	// JobTimeout bounds one run of a background job (a chat's delivery
	// run yields well before it); a run cut off is retried.
	JobTimeout time.Duration
	// TrustedProxies are the reverse proxies (load balancers) whose
	// X-Forwarded-For is believed: requests from them count against the
	// visitor's address (log-in throttling, session records), the rest
	// against their own. Empty: the connection's address, always.
	TrustedProxies []*net.IPNet
	// MetricsToken, when set, is required as "Authorization: Bearer …"
	// by /metrics.
	MetricsToken string
	// MaxRequestsPerIP caps the requests one client address may have in
	// flight at once on the browser pages; 0 turns the cap off.
	MaxRequestsPerIP int
	// MetricsAddr, when set, is a listener of its own for /metrics (which
	// the main listener then does not serve), e.g. "127.0.0.1:9090".
	MetricsAddr string
	// JobRescueAfter is how long a job may stay "running" before it is
	// taken to be orphaned by a dead process and retried; it must exceed
	// JobTimeout so a live run is never taken over.
	JobRescueAfter time.Duration
}

// Dev reports whether botbridge runs in development mode.
func (c *Config) Dev() bool { return c.Env == "development" }

// SecureCookies reports whether cookies must carry the Secure flag.
func (c *Config) SecureCookies() bool { return c.BaseURL != nil && c.BaseURL.Scheme == "https" }

// devSecretKey is used only when APP_ENV=development and SECRET_KEY is unset,
// so `make run` (which sets APP_ENV=development) works out of the box;
// production, the default, refuses to start without one.
const devSecretKey = "botbridge-development-secret-key-not-for-production"

// Error names the variable that is wrong, so the operator can fix it at once.
type Error struct {
	Var    string
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("config: %s %s", e.Var, e.Reason) }

// Load reads the environment through getenv (os.Getenv in main, a map in
// tests) and validates it; every problem is reported, not just the first.
func Load(getenv func(string) string) (*Config, error) {
	var errs []error
	bad := func(name, reason string) { errs = append(errs, &Error{Var: name, Reason: reason}) }
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}

	c := &Config{
		// Production unless told otherwise: a deployment that forgets
		// APP_ENV must not run with the development secret key and pages.
		Env:        get("APP_ENV", "production"),
		ListenAddr: get("LISTEN_ADDR", ":8080"),
		LogFormat:  get("LOG_FORMAT", ""),
		LogLevel:   get("LOG_LEVEL", "info"),
		MailFrom:   get("MAIL_FROM", "botbridge <noreply@botbridge.local>"),
	}
	switch c.Env {
	case "development", "production":
	default:
		bad("APP_ENV", fmt.Sprintf("must be development or production, got %q", c.Env))
	}

	c.DatabaseURL = get("DATABASE_URL", "")
	if c.DatabaseURL == "" {
		bad("DATABASE_URL", "is required (e.g. postgres://postgres@127.0.0.1:5432/botbridge_dev)")
	} else if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		bad("DATABASE_URL", "must be a postgres:// URL")
	}

	if _, port, err := net.SplitHostPort(c.ListenAddr); err != nil || port == "" {
		bad("LISTEN_ADDR", fmt.Sprintf("must be host:port or :port, got %q", c.ListenAddr))
	}

	base := get("BASE_URL", "http://localhost"+portSuffix(c.ListenAddr))
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("BASE_URL", fmt.Sprintf("must be an absolute http(s) URL, got %q", base))
	} else {
		u.Path = strings.TrimRight(u.Path, "/")
		c.BaseURL = u
	}

	c.SecretKey = get("SECRET_KEY", "")
	switch {
	case c.SecretKey == "" && c.Env == "development":
		c.SecretKey = devSecretKey
	case c.SecretKey == "":
		bad("SECRET_KEY", "is required outside development (at least 32 characters)")
	case len(c.SecretKey) < 32:
		bad("SECRET_KEY", "must be at least 32 characters")
	}
	if old := get("SECRET_KEY_OLD", ""); old != "" {
		for _, k := range strings.Split(old, ",") {
			if k = strings.TrimSpace(k); len(k) < 32 {
				bad("SECRET_KEY_OLD", "must be a comma-separated list of keys of at least 32 characters")
				break
			}
			c.OldSecretKeys = append(c.OldSecretKeys, strings.TrimSpace(k))
		}
	}

	if s := get("SMTP_URL", ""); s != "" {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			bad("SMTP_URL", "must look like smtp://user:password@host:port or smtps://host:465")
		} else {
			c.SMTPURL = u
		}
	}

	if c.LogFormat == "" {
		c.LogFormat = "json"
		if c.Env == "development" {
			c.LogFormat = "text"
		}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("LOG_FORMAT", fmt.Sprintf("must be text or json, got %q", c.LogFormat))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("LOG_LEVEL", fmt.Sprintf("must be debug, info, warn or error, got %q", c.LogLevel))
	}

	c.OutboundAllowLocal = parseBool(get("OUTBOUND_ALLOW_LOCAL", "false"), "OUTBOUND_ALLOW_LOCAL", bad)
	if c.OutboundAllowLocal && c.Env == "production" {
		bad("OUTBOUND_ALLOW_LOCAL", "must not be true in production: it lets tenants reach internal addresses")
	}
	for _, p := range strings.Split(get("OUTBOUND_ALLOWED_PORTS", "443,8443"), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n == 0 {
			bad("OUTBOUND_ALLOWED_PORTS", fmt.Sprintf("must list port numbers (1 to 65535) separated by commas, got %q", p))
			continue
		}
		c.OutboundAllowedPorts = append(c.OutboundAllowedPorts, uint16(n))
	}

	if n, err := strconv.Atoi(get("DB_MAX_CONNS", "20")); err != nil || n < 2 || n > 1000 {
		bad("DB_MAX_CONNS", "must be a number between 2 and 1000")
	} else {
		c.DBMaxConns = int32(n)
	}
	if n, err := strconv.Atoi(get("BRIDGE_WORKERS", "10")); err != nil || n < 1 || n > 500 {
		bad("BRIDGE_WORKERS", "must be a number between 1 and 500")
	} else {
		c.BridgeWorkers = n
	}
	if d, err := time.ParseDuration(get("SHUTDOWN_TIMEOUT", "20s")); err != nil || d <= 0 {
		bad("SHUTDOWN_TIMEOUT", "must be a positive duration such as 20s")
	} else {
		c.ShutdownTimeout = d
	}
	if d, err := time.ParseDuration(get("JOB_TIMEOUT", "2m")); err != nil || d < time.Second {
		bad("JOB_TIMEOUT", "must be a duration of at least 1s such as 2m")
	} else {
		c.JobTimeout = d
	}
	if d, err := time.ParseDuration(get("JOB_RESCUE_AFTER", "3m")); err != nil || d <= 0 {
		bad("JOB_RESCUE_AFTER", "must be a positive duration such as 3m")
	} else if c.JobRescueAfter = d; c.JobTimeout > 0 && d <= c.JobTimeout {
		bad("JOB_RESCUE_AFTER", fmt.Sprintf("must be longer than JOB_TIMEOUT (%s), or live jobs would be taken over", c.JobTimeout))
	}

	for _, p := range strings.Split(get("TRUSTED_PROXIES", ""), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		cidr := p
		if ip := net.ParseIP(p); ip != nil && ip.To4() != nil {
			cidr += "/32"
		} else if ip != nil {
			cidr += "/128"
		}
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			bad("TRUSTED_PROXIES", fmt.Sprintf("must list IP addresses or CIDR ranges separated by commas, got %q", p))
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, n)
	}
	c.MetricsToken = get("METRICS_TOKEN", "")
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		bad("METRICS_TOKEN", "must be at least 16 characters (or unset)")
	}
	if n, err := strconv.Atoi(get("MAX_REQUESTS_PER_IP", "16")); err != nil || n < 0 || n > 100000 {
		bad("MAX_REQUESTS_PER_IP", "must be a number from 0 (no cap) to 100000")
	} else {
		c.MaxRequestsPerIP = n
	}
	c.MetricsAddr = get("METRICS_ADDR", "")
	if c.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil || port == "" {
			bad("METRICS_ADDR", fmt.Sprintf("must be host:port or :port, got %q", c.MetricsAddr))
		} else if c.MetricsAddr == c.ListenAddr {
			bad("METRICS_ADDR", "must differ from LISTEN_ADDR")
		}
	}
	// Metrics name routes, volumes and the process's insides: in production
	// they must not be open to whoever reaches the web port.
	if c.Env == "production" && c.MetricsToken == "" && c.MetricsAddr == "" {
		bad("METRICS_TOKEN", "or METRICS_ADDR must be set in production, or /metrics is open to anyone: "+
			"set METRICS_TOKEN (a bearer token of at least 16 characters) or METRICS_ADDR (a separate listener for metrics, e.g. 127.0.0.1:9090)")
	}

	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

func parseBool(v, name string, bad func(string, string)) bool {
	b, err := strconv.ParseBool(v)
	if err != nil {
		bad(name, fmt.Sprintf("must be true or false, got %q", v))
	}
	return b
}

func portSuffix(listen string) string {
	if _, port, err := net.SplitHostPort(listen); err == nil && port != "" && port != "80" {
		return ":" + port
	}
	return ""
}
