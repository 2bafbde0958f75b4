package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/config"
)

// contentSecurityPolicy allows only our own scripts and styles: no inline
// script, no framing, forms post only to us.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every answer carries. HSTS goes out
// only when BASE_URL is https (browsers heed it only over https anyway):
// never because of a request's own scheme headers, which any client can
// send (X-Forwarded-Proto) and which would let an http deployment pin
// browsers to an https it does not serve.
func securityHeaders(cfg *config.Config) echo.MiddlewareFunc {
	hsts := cfg != nil && cfg.SecureCookies()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", contentSecurityPolicy)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "same-origin")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
			if hsts {
				h.Set("Strict-Transport-Security", "max-age=31536000")
			}
			return next(c)
		}
	}
}

// requestLogger writes one slog line per request carrying the request id,
// so every log line of a request can be found together.
func (h *Handler) requestLogger() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true, LogRequestID: true, LogRemoteIP: true,
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			switch {
			case v.Status >= 500:
				level = slog.LevelError
			case v.Status >= 400:
				level = slog.LevelWarn
			case v.URIPath == "/healthz" || v.URIPath == "/readyz" || v.URIPath == "/metrics" || strings.HasPrefix(v.URIPath, "/static/"):
				level = slog.LevelDebug
			case strings.HasPrefix(v.URIPath, "/webhooks/"):
				// Accepted webhooks are the bulk of the traffic and the
				// metrics count them (botbridge_http_requests_total, and
				// the activity log shows each event): a line each was 8 %
				// of ingest's CPU. Refusals and errors are still logged.
				level = slog.LevelDebug
			}
			ctx := c.Request().Context()
			if !h.Log.Enabled(ctx, level) {
				return nil
			}
			h.Log.LogAttrs(ctx, level, "http request",
				slog.String("request_id", v.RequestID), slog.String("method", v.Method), slog.String("path", logPath(v.URIPath)),
				slog.Int("status", v.Status), slog.Duration("latency", v.Latency), slog.String("ip", v.RemoteIP))
			return nil
		},
	})
}

// recoverer turns a panic into a 500 page and an error log line with the stack.
func (h *Handler) recoverer() echo.MiddlewareFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			h.Log.Error("panic", slog.String("request_id", requestID(c)), slog.Any("error", err), slog.String("stack", string(stack)))
			return err
		},
	})
}

func requestID(c echo.Context) string { return c.Response().Header().Get(echo.HeaderXRequestID) }

const (
	sessionCookie = "bb_session"
	ctxUser       = "user"
	ctxToken      = "session_token"
)

// loadSession puts the signed-in user (if any) into the context. A stale
// cookie is cleared so the browser stops sending it.
func (h *Handler) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(h.cookieName(sessionCookie))
		if err != nil || ck.Value == "" {
			return next(c)
		}
		u, err := h.Sessions.Lookup(c.Request().Context(), h.DB, ck.Value)
		switch {
		case err == nil:
			c.Set(ctxUser, &u)
			c.Set(ctxToken, ck.Value)
		case isAuthErr(err):
			h.clearSessionCookie(c)
		default:
			return err
		}
		return next(c)
	}
}

func isAuthErr(err error) bool { return err != nil && errors.Is(err, apperr.ErrUnauthenticated) }

// requireUser sends anonymous visitors to the log-in page and back after.
func (h *Handler) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if currentUser(c) == nil {
			if c.Request().Method != http.MethodGet {
				return fmt.Errorf("web: not logged in: %w", apperr.ErrUnauthenticated)
			}
			h.setFlash(c, "auth.login.required")
			return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
		}
		return next(c)
	}
}

// requireModerator answers 403 to anyone who cannot moderate.
func (h *Handler) requireModerator(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if u := currentUser(c); u == nil || !u.Role.CanModerate() {
			return fmt.Errorf("web: moderators only: %w", apperr.ErrForbidden)
		}
		return next(c)
	}
}

// requireAdmin answers 403 to anyone but admins.
func (h *Handler) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if u := currentUser(c); u == nil || u.Role != auth.RoleAdmin {
			return fmt.Errorf("web: admins only: %w", apperr.ErrForbidden)
		}
		return next(c)
	}
}

// csrf protects every state-changing browser request with a token bound to
// a cookie (double submit), on top of SameSite=Lax cookies. The token is
// read from the X-CSRF-Token header only; csrfFromBody puts the form
// body's _csrf there first.
func (h *Handler) csrf() echo.MiddlewareFunc {
	check := middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "header:" + echo.HeaderXCSRFToken,
		CookieName:     h.cookieName("bb_csrf"),
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   h.Config.SecureCookies(),
		CookieSameSite: http.SameSiteLaxMode,
		CookieMaxAge:   12 * 3600,
		ErrorHandler: func(err error, c echo.Context) error {
			return &csrfError{err: err}
		},
	})
	return func(next echo.HandlerFunc) echo.HandlerFunc { return csrfFromBody(check(next)) }
}

// csrfFromBody hands the form body's _csrf field to the CSRF check as the
// X-CSRF-Token header. Echo's own "form:" lookup reads Request.Form, which
// mixes in the query string, and a token must never count from a URL
// (URLs end up in logs, history and Referer headers).
func csrfFromBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
			return next(c)
		}
		if r.Header.Get(echo.HeaderXCSRFToken) == "" {
			if tok := r.PostFormValue("_csrf"); tok != "" {
				r.Header.Set(echo.HeaderXCSRFToken, tok)
			}
		}
		return next(c)
	}
}

type csrfError struct{ err error }

func (e *csrfError) Error() string { return "web: csrf: " + e.err.Error() }
func (e *csrfError) Is(target error) bool {
	return target == apperr.ErrForbidden
}

func csrfToken(c echo.Context) string {
	s, _ := c.Get(middleware.DefaultCSRFConfig.ContextKey).(string)
	return s
}

func currentUser(c echo.Context) *auth.User {
	u, _ := c.Get(ctxUser).(*auth.User)
	return u
}

// cookieName is name, with the __Host- prefix when cookies are Secure
// (BASE_URL is https): browsers then accept the cookie only with Secure,
// Path=/ and no Domain, so a sibling subdomain cannot plant or overwrite it
// (session fixation, tossing a CSRF cookie of its own).
func (h *Handler) cookieName(name string) string {
	if h.Config.SecureCookies() {
		return "__Host-" + name
	}
	return name
}

func (h *Handler) setSessionCookie(c echo.Context, token string) {
	c.SetCookie(&http.Cookie{
		Name: h.cookieName(sessionCookie), Value: token, Path: "/", HttpOnly: true, Secure: h.Config.SecureCookies(),
		SameSite: http.SameSiteLaxMode, MaxAge: int(h.Sessions.Absolute / time.Second),
	})
}

func (h *Handler) clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{
		Name: h.cookieName(sessionCookie), Value: "", Path: "/", HttpOnly: true, Secure: h.Config.SecureCookies(),
		SameSite: http.SameSiteLaxMode, MaxAge: -1,
	})
}

// logPath hides the secret part of webhook URLs: the key is the only
// credential Webim presents, so it must never reach the logs, whatever
// shape the path takes (doubled slashes, percent-encoded or doubly
// encoded slashes, a suffix, odd case). The path is decoded and split into
// segments; after a "webhooks" segment everything but the platform name
// and a trailing version (v1, v2) is masked, and so is any segment
// anywhere that looks like a key (long base64url). Paths with nothing to
// hide are logged as they came.
func logPath(p string) string {
	decoded := p
	for range 3 {
		u, err := url.PathUnescape(decoded)
		if err != nil || u == decoded {
			break
		}
		decoded = u
	}
	var segs []string
	for _, s := range strings.Split(decoded, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	masked := false
	webhook := -1
	for i, s := range segs {
		switch {
		case i == 1 && strings.EqualFold(segs[0], "invitations"):
			// /invitations/{token}/…: the token is the link's credential.
			segs[i], masked = "[token]", true
		case webhook < 0 && strings.EqualFold(strings.TrimSuffix(s, "s"), "webhook"):
			webhook = i
		case webhook >= 0 && i == webhook+1 && isPlatformName(s) && i+1 < len(segs):
			// the platform: webim
		case webhook >= 0 && i == len(segs)-1 && i > webhook+2 && isVersion(s):
			// a trailing version after the key
		case webhook >= 0 || looksLikeKey(s) || isLinkToken(segs, i):
			segs[i], masked = "[key]", true
		}
	}
	if !masked {
		return p
	}
	return "/" + strings.Join(segs, "/")
}

// isPlatformName: a short lowercase word, as platform names in webhook
// paths are; a key is neither short nor only letters.
func isPlatformName(s string) bool {
	if len(s) == 0 || len(s) > 16 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}

func isVersion(s string) bool { return s == "v1" || s == "v2" }

// isLinkToken: the segment after /password/reset/ or /verify/ is a mailed
// link's token (looksLikeKey misses the rare one without a digit).
func isLinkToken(segs []string, i int) bool {
	switch {
	case i == 1 && strings.EqualFold(segs[0], "verify"):
		return true
	case i == 2 && strings.EqualFold(segs[0], "password") && strings.EqualFold(segs[1], "reset"):
		return true
	}
	return false
}

// looksLikeKey: 20 or more base64url characters, digits among them.
func looksLikeKey(s string) bool {
	if len(s) < 20 {
		return false
	}
	digits := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = true
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '-', r == '_':
		default:
			return false
		}
	}
	return digits
}
