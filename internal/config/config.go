// Package config turns the process environment into one typed, validated
// Config. Nothing else in botbridge reads environment variables.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
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
	// DefaultLanguage ("ru" or "en") is the language of pages and mail for
	// someone who chose none and whose browser asks for neither.
	DefaultLanguage string
	// RetentionMetadataDays is how long what remains of a chat after its
	// content is removed (times, outcomes, counts) is kept, server-wide.
	RetentionMetadataDays int
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
	r := &reader{getenv: getenv}
	c := &Config{
		// Production unless told otherwise: a deployment that forgets
		// APP_ENV must not run with the development secret key and pages.
		Env:        r.oneOf("APP_ENV", "production", "development", "production"),
		ListenAddr: r.hostPort("LISTEN_ADDR", ":8080"),
		LogLevel:   r.oneOf("LOG_LEVEL", "info", "debug", "info", "warn", "error"),
		MailFrom:   r.str("MAIL_FROM", "botbridge <noreply@botbridge.local>"),
	}
	logFormat := "json"
	if c.Dev() {
		logFormat = "text"
	}
	c.LogFormat = r.oneOf("LOG_FORMAT", logFormat, "text", "json")
	c.DefaultLanguage = r.oneOf("DEFAULT_LANGUAGE", "ru", "ru", "en")

	c.DatabaseURL = r.str("DATABASE_URL", "")
	if c.DatabaseURL == "" {
		r.bad("DATABASE_URL", "is required (e.g. postgres://postgres@127.0.0.1:5432/botbridge_dev)")
	} else {
		r.url("DATABASE_URL", "", "must be a postgres:// URL", func(u *url.URL) bool {
			return u.Scheme == "postgres" || u.Scheme == "postgresql"
		})
	}
	c.BaseURL = r.url("BASE_URL", "http://localhost"+portSuffix(c.ListenAddr), "must be an absolute http(s) URL", func(u *url.URL) bool {
		return (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
	})
	if c.BaseURL != nil {
		c.BaseURL.Path = strings.TrimRight(c.BaseURL.Path, "/")
	}
	c.SMTPURL = r.url("SMTP_URL", "", "must look like smtp://user:password@host:port or smtps://host:465", func(u *url.URL) bool {
		return (u.Scheme == "smtp" || u.Scheme == "smtps") && u.Hostname() != ""
	})

	c.SecretKey = r.str("SECRET_KEY", "")
	switch {
	case c.SecretKey == "" && c.Dev():
		c.SecretKey = devSecretKey
	case c.SecretKey == "":
		r.bad("SECRET_KEY", "is required outside development (at least 32 characters)")
	case len(c.SecretKey) < 32:
		r.bad("SECRET_KEY", "must be at least 32 characters")
	}
	for _, k := range r.list("SECRET_KEY_OLD") {
		if len(k) < 32 {
			r.bad("SECRET_KEY_OLD", "must be a comma-separated list of keys of at least 32 characters")
			break
		}
		c.OldSecretKeys = append(c.OldSecretKeys, k)
	}

	c.OutboundAllowLocal = r.boolean("OUTBOUND_ALLOW_LOCAL", false)
	if c.OutboundAllowLocal && c.Env == "production" {
		r.bad("OUTBOUND_ALLOW_LOCAL", "must not be true in production: it lets tenants reach internal addresses")
	}
	c.OutboundAllowedPorts = r.ports("OUTBOUND_ALLOWED_PORTS", "443,8443")

	c.DBMaxConns = int32(r.intIn("DB_MAX_CONNS", 20, 2, 1000))
	c.BridgeWorkers = r.intIn("BRIDGE_WORKERS", 20, 1, 500)
	c.ShutdownTimeout = r.duration("SHUTDOWN_TIMEOUT", "20s", 0)
	c.JobTimeout = r.duration("JOB_TIMEOUT", "2m", time.Second)
	c.JobRescueAfter = r.duration("JOB_RESCUE_AFTER", "3m", 0)
	if c.JobTimeout > 0 && c.JobRescueAfter > 0 && c.JobRescueAfter <= c.JobTimeout {
		r.bad("JOB_RESCUE_AFTER", fmt.Sprintf("must be longer than JOB_TIMEOUT (%s), or live jobs would be taken over", c.JobTimeout))
	}

	c.RetentionMetadataDays = r.intIn("RETENTION_METADATA_DAYS", 400, 30, 3650)

	c.TrustedProxies = r.ipNets("TRUSTED_PROXIES")
	c.MetricsToken = r.str("METRICS_TOKEN", "")
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		r.bad("METRICS_TOKEN", "must be at least 16 characters (or unset)")
	}
	c.MaxRequestsPerIP = r.intIn("MAX_REQUESTS_PER_IP", 16, 0, 100000)
	if r.str("METRICS_ADDR", "") != "" {
		c.MetricsAddr = r.hostPort("METRICS_ADDR", "")
		if c.MetricsAddr != "" && c.MetricsAddr == c.ListenAddr {
			r.bad("METRICS_ADDR", "must differ from LISTEN_ADDR")
		}
	}
	// Metrics name routes, volumes and the process's insides: in production
	// they must not be open to whoever reaches the web port.
	if c.Env == "production" && c.MetricsToken == "" && c.MetricsAddr == "" {
		r.bad("METRICS_TOKEN", "or METRICS_ADDR must be set in production, or /metrics is open to anyone: "+
			"set METRICS_TOKEN (a bearer token of at least 16 characters) or METRICS_ADDR (a separate listener for metrics, e.g. 127.0.0.1:9090)")
	}

	if len(r.errs) > 0 {
		return nil, errors.Join(r.errs...)
	}
	return c, nil
}

// reader reads variables of one kind each and collects every problem, so
// Load reports them all at once. A variable that is unset or blank takes
// its default; one that is invalid reads as the zero value (Load then
// returns no Config at all).
type reader struct {
	getenv func(string) string
	errs   []error
}

// secretVars are never quoted in an error: their values (or, for URLs,
// passwords in them) would end up in logs.
var secretVars = map[string]bool{
	"DATABASE_URL": true, "SMTP_URL": true, "SECRET_KEY": true, "SECRET_KEY_OLD": true, "METRICS_TOKEN": true,
}

// bad records a problem with a variable.
func (r *reader) bad(name, reason string) { r.errs = append(r.errs, &Error{Var: name, Reason: reason}) }

// invalid records a value that does not parse, quoting it unless the
// variable is secret.
func (r *reader) invalid(name, value, reason string) {
	if !secretVars[name] {
		reason = fmt.Sprintf("%s, got %q", reason, value)
	}
	r.bad(name, reason)
}

// str is the variable without surrounding space, or def when it is blank.
func (r *reader) str(name, def string) string {
	if v := strings.TrimSpace(r.getenv(name)); v != "" {
		return v
	}
	return def
}

// oneOf is a string that must be one of allowed.
func (r *reader) oneOf(name, def string, allowed ...string) string {
	v := r.str(name, def)
	if slices.Contains(allowed, v) {
		return v
	}
	last := len(allowed) - 1
	r.invalid(name, v, fmt.Sprintf("must be %s or %s", strings.Join(allowed[:last], ", "), allowed[last]))
	return ""
}

// intIn is a whole number from lo to hi.
func (r *reader) intIn(name string, def, lo, hi int) int {
	v := r.str(name, strconv.Itoa(def))
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		r.invalid(name, v, fmt.Sprintf("must be a number between %d and %d", lo, hi))
		return 0
	}
	return n
}

// duration is a Go duration ("90s", "2m") of at least least, and positive
// whatever least is; def is also the example the error gives.
func (r *reader) duration(name, def string, least time.Duration) time.Duration {
	v := r.str(name, def)
	d, err := time.ParseDuration(v)
	if err == nil && d > 0 && d >= least {
		return d
	}
	if least > 0 {
		r.invalid(name, v, fmt.Sprintf("must be a duration of at least %s such as %s", least, def))
	} else {
		r.invalid(name, v, "must be a positive duration such as "+def)
	}
	return 0
}

// boolean is true or false (or 1/0, t/f: strconv.ParseBool's forms).
func (r *reader) boolean(name string, def bool) bool {
	v := r.str(name, strconv.FormatBool(def))
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.invalid(name, v, "must be true or false")
	}
	return b
}

// url is a URL that valid accepts; want says what that is. Unset with no
// default is nil, and no error: callers decide whether it is required.
func (r *reader) url(name, def, want string, valid func(*url.URL) bool) *url.URL {
	v := r.str(name, def)
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || !valid(u) {
		r.invalid(name, v, want)
		return nil
	}
	return u
}

// hostPort is a listen address, host:port or :port.
func (r *reader) hostPort(name, def string) string {
	v := r.str(name, def)
	if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
		r.invalid(name, v, "must be host:port or :port")
		return ""
	}
	return v
}

// ports is a comma-separated list of TCP port numbers (empty items
// skipped); def when unset.
func (r *reader) ports(name, def string) []uint16 {
	var out []uint16
	for _, p := range strings.Split(r.str(name, def), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n == 0 {
			r.invalid(name, p, "must list port numbers (1 to 65535) separated by commas")
			continue
		}
		out = append(out, uint16(n))
	}
	return out
}

// list is a comma-separated variable, each item without surrounding space
// (empty items included; nil when unset).
func (r *reader) list(name string) []string {
	v := r.str(name, "")
	if v == "" {
		return nil
	}
	items := strings.Split(v, ",")
	for i := range items {
		items[i] = strings.TrimSpace(items[i])
	}
	return items
}

// ipNets is a list of CIDR ranges or single addresses (each its /32 or
// /128); empty items are skipped.
func (r *reader) ipNets(name string) []*net.IPNet {
	var nets []*net.IPNet
	for _, item := range r.list(name) {
		if item == "" {
			continue
		}
		cidr := item
		if ip := net.ParseIP(item); ip != nil && ip.To4() != nil {
			cidr += "/32"
		} else if ip != nil {
			cidr += "/128"
		}
		if _, n, err := net.ParseCIDR(cidr); err == nil {
			nets = append(nets, n)
		} else {
			r.invalid(name, item, "must list IP addresses or CIDR ranges separated by commas")
		}
	}
	return nets
}

func portSuffix(listen string) string {
	if _, port, err := net.SplitHostPort(listen); err == nil && port != "" && port != "80" {
		return ":" + port
	}
	return ""
}
