// Package web is the HTTP layer for people: Echo handlers, middleware and
// the routes table. Handlers parse input, call domain packages and render
// templ views; they return errors and let one error handler answer.
package web

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/config"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/secret"
)

// Deps is what the web layer needs from main.
type Deps struct {
	Config   *config.Config
	DB       db.Conn
	Ping     func(context.Context) error
	Log      *slog.Logger
	Sessions auth.Sessions
	Throttle auth.Throttle
	// Accounts is the policy of password reset, verification and account
	// changes; the zero value means auth.DefaultAccounts.
	Accounts auth.Accounts
	// Jobs inserts background jobs (mail, bridge events) inside the
	// caller's transaction.
	Jobs jobs.Inserter
	// Bridge is the engine behind the webhook ingress and activity log.
	Bridge *bridge.Engine
	// Keyring encrypts integration secrets at rest.
	Keyring *secret.Keyring
	// Outbound is the SSRF policy for tenant-supplied URLs.
	Outbound outbound.Policy
	// Registry receives the HTTP metrics; nil makes a private one.
	Registry *prometheus.Registry
	// Platforms decorates "My projects" with granted platforms (optional).
	Platforms ProjectPlatforms
}

// Handler holds the dependencies every page handler uses.
type Handler struct {
	Deps
}

// Router gives route tables their groups: Public (no session needed),
// Browser (session loaded, CSRF checked), User (must be logged in),
// Moderator (must moderate), Admin (must be an admin) and Raw (no CSRF, no
// session: machine endpoints such as webhooks that do their own
// authentication).
type Router struct {
	H         *Handler
	Public    *Area
	User      *Area
	Moderator *Area
	Admin     *Area
	Raw       *Area
}

// Area is a set of routes sharing middleware. Unlike echo.Group it adds no
// catch-all route, so an unknown URL stays a plain 404 instead of passing
// through (say) the log-in redirect.
type Area struct {
	e   *echo.Echo
	mws []echo.MiddlewareFunc
}

func (a *Area) with(mws ...echo.MiddlewareFunc) *Area {
	return &Area{e: a.e, mws: append(append([]echo.MiddlewareFunc{}, a.mws...), mws...)}
}

// GET registers a GET route.
func (a *Area) GET(path string, h echo.HandlerFunc) { a.e.GET(path, h, a.mws...) }

// POST registers a POST route.
func (a *Area) POST(path string, h echo.HandlerFunc) { a.e.POST(path, h, a.mws...) }

// Form bodies are small; 64 KiB leaves room for long text fields while
// bounding what one request can make the server parse.
const formBodyLimit = "64K"

// New builds the Echo server with its middleware and routes.
func New(d Deps) *echo.Echo {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	h := &Handler{Deps: d}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = h.handleError
	e.IPExtractor = ipExtractor(d.Config)

	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{TargetHeader: echo.HeaderXRequestID}))
	e.Use(h.recoverer())
	e.Use(h.requestLogger())
	e.Use(newMetrics(d.Registry).middleware)
	e.Use(securityHeaders(d.Config))
	e.Use(h.localeDefaults)

	e.GET("/healthz", h.Healthz)
	e.GET("/readyz", h.Readyz)
	if d.Config == nil || d.Config.MetricsAddr == "" {
		e.GET("/metrics", metricsHandler(d.Registry, metricsToken(d.Config)))
	}
	e.GET("/static/*", staticHandler())

	raw := &Area{e: e}
	perIP := 0
	if d.Config != nil {
		perIP = d.Config.MaxRequestsPerIP
	}
	browser := raw.with(newInFlight(perIP).middleware, middleware.BodyLimit(formBodyLimit), h.loadSession, h.csrf())
	user := browser.with(h.requireUser)
	mod := user.with(h.requireModerator)
	admin := user.with(h.requireAdmin)
	r := &Router{H: h, Public: browser, User: user, Moderator: mod, Admin: admin, Raw: raw}
	h.coreRoutes(r)
	return e
}

// ipExtractor says whose address a request is. Without trusted proxies it
// is the connection's: X-Forwarded-For is anyone's to forge. Behind them,
// it is the right-most X-Forwarded-For address that is not a trusted
// proxy, so a visitor cannot choose their own by adding entries.
func ipExtractor(cfg *config.Config) echo.IPExtractor {
	if cfg == nil || len(cfg.TrustedProxies) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range cfg.TrustedProxies {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// Metrics serves /metrics of reg (the registry given to New in Deps) on a
// listener of its own (METRICS_ADDR), with the METRICS_TOKEN check when
// one is set; every other path is 404.
func Metrics(cfg *config.Config, reg *prometheus.Registry) http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/metrics", metricsHandler(reg, metricsToken(cfg)))
	return e
}

func metricsToken(cfg *config.Config) string {
	if cfg == nil {
		return ""
	}
	return cfg.MetricsToken
}
