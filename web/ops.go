package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/botbridge/botbridge/static"
)

// Healthz answers 200 while the process serves requests.
func (h *Handler) Healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// Readyz answers 200 only while the database answers, so a load balancer
// stops sending traffic to an instance that lost it.
func (h *Handler) Readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if h.Ping == nil {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	}
	if err := h.Ping(ctx); err != nil {
		h.Log.Warn("readiness: database unreachable", "error", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "database": "ok"})
}

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "botbridge_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "botbridge_http_request_duration_seconds", Help: "HTTP request latency by route and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
	}
	// Registering twice (tests build several servers on one registry) is harmless.
	for _, c := range []prometheus.Collector{m.requests, m.duration, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		var are prometheus.AlreadyRegisteredError
		if err := reg.Register(c); errors.As(err, &are) {
			switch existing := are.ExistingCollector.(type) {
			case *prometheus.CounterVec:
				if c == m.requests {
					m.requests = existing
				}
			case *prometheus.HistogramVec:
				if c == m.duration {
					m.duration = existing
				}
			}
		}
	}
	return m
}

// middleware labels by route pattern, not raw path, so ids do not explode
// the number of series; methods outside the standard set count as "other",
// since a client may send any token as a method.
func (m *metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		status := c.Response().Status
		if err != nil {
			status = statusOf(err)
		}
		route, method := routeLabel(c, status), methodLabel(c.Request().Method)
		m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
		m.duration.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
		return err
	}
}

// unmatchedRoute labels requests that matched no route.
const unmatchedRoute = "unmatched"

// routeLabel is the matched route's pattern. Echo reports the pattern of
// its catch-all for a path it has no route for, and a 404 may come from a
// catch-all such as /static/*, so a 404 counts as unmatched unless the
// route has parameters (an id that does not exist, or is another
// tenant's, is still the route's traffic).
func routeLabel(c echo.Context, status int) string {
	route := c.Path()
	switch {
	case route == "" || route == "/*":
		return unmatchedRoute
	case status == http.StatusNotFound && !strings.Contains(route, ":"):
		return unmatchedRoute
	}
	return route
}

// methodLabel keeps the standard methods and folds every other token.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}

// metricsHandler serves Prometheus metrics; with a token, only to
// scrapers presenting it (Authorization: Bearer <token>).
func metricsHandler(reg *prometheus.Registry, token string) echo.HandlerFunc {
	serve := echo.WrapHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	if token == "" {
		return serve
	}
	want := []byte("Bearer " + token)
	return func(c echo.Context) error {
		if subtle.ConstantTimeCompare([]byte(c.Request().Header.Get(echo.HeaderAuthorization)), want) != 1 {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
			return c.String(http.StatusUnauthorized, "metrics need the METRICS_TOKEN bearer token\n")
		}
		return serve(c)
	}
}

// staticHandler serves the embedded assets with a day of caching.
func staticHandler() echo.HandlerFunc {
	sub, _ := fs.Sub(static.FS, ".")
	fsrv := http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "public, max-age=86400")
		fsrv.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}
