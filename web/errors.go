package web

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/web/view"
)

// statusOf maps an error to an HTTP status: the one place where domain
// errors meet HTTP.
func statusOf(err error) int {
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		return he.Code
	case errors.Is(err, apperr.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, apperr.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, apperr.ErrUnauthenticated):
		return http.StatusUnauthorized
	case errors.Is(err, apperr.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, apperr.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, apperr.ErrRateLimited):
		return http.StatusTooManyRequests
	case errors.Is(err, apperr.ErrUnavailable):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// handleError logs 5xx as errors and 4xx as warnings, then renders a
// friendly page (or JSON for API clients) without internals.
func (h *Handler) handleError(err error, c echo.Context) {
	l := langOf(c)
	if c.Response().Committed {
		return
	}
	status := statusOf(err)
	var wait interface{ Wait() time.Duration }
	if errors.As(err, &wait) {
		setRetryAfter(c, wait.Wait())
	}
	attrs := []any{slog.String("request_id", requestID(c)), slog.String("path", logPath(c.Request().URL.Path)), slog.Int("status", status), slog.Any("error", err)}
	// Busy (503 from load shedding) is the server protecting itself as
	// designed, not a fault: a warning, so a burst does not flood the errors.
	if status >= 500 && !errors.Is(err, apperr.ErrUnavailable) {
		h.Log.Error("request failed", attrs...)
	} else {
		h.Log.Warn("request refused", attrs...)
	}

	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if wantsJSON(c) {
		msg := http.StatusText(status)
		var he *echo.HTTPError
		if status < 500 && errors.As(err, &he) {
			if s, ok := he.Message.(string); ok {
				msg = s
			}
		}
		_ = c.JSON(status, map[string]string{"error": msg})
		return
	}
	if status == http.StatusUnauthorized {
		h.setFlash(c, "flash.session_expired")
		_ = c.Redirect(http.StatusSeeOther, "/login")
		return
	}
	keys := errorKeys(status)
	ep := view.ErrorPage{Status: status, Title: l.T(keys[0]), Message: l.T(keys[1]), RequestID: requestID(c)}
	var ce *csrfError
	if errors.As(err, &ce) {
		ep.Message = l.T("error.403.csrf")
	}
	if errors.Is(err, auth.ErrUnverified) {
		ep.Title, ep.Message = l.T("error.403.unverified.title"), l.T("error.403.unverified")
	}
	var re *project.RoleError
	if errors.As(err, &re) {
		ep.Message = l.T("error.403.owners_only")
	}
	if err := render(c, status, view.Error(h.page(c, ep.Title), ep)); err != nil {
		h.Log.Error("render error page", slog.Any("error", err))
	}
}

// errorPages are the title and text keys of the error pages by status.
var errorPages = map[int][2]string{
	400: {"error.400.title", "error.400.body"},
	403: {"error.403.title", "error.403.body"},
	404: {"error.404.title", "error.404.body"},
	405: {"error.405.title", "error.405.body"},
	409: {"error.409.title", "error.409.body"},
	413: {"error.413.title", "error.413.body"},
	429: {"error.429.title", "error.429.body"},
	500: {"error.500.title", "error.500.body"},
	503: {"error.503.title", "error.503.body"},
}

func errorKeys(status int) [2]string {
	if k, ok := errorPages[status]; ok {
		return k
	}
	if status >= 500 {
		return errorPages[500]
	}
	return errorPages[400]
}

func wantsJSON(c echo.Context) bool {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	acc := c.Request().Header.Get(echo.HeaderAccept)
	return ct == echo.MIMEApplicationJSON || (acc == echo.MIMEApplicationJSON)
}
