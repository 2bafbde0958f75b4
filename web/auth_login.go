package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

func loginForm(l i18n.Lang, email, next, errMsg string) view.LoginForm {
	e := field(l, "email", "auth.email.label", email, nil)
	e.Type, e.Required, e.Autocomplete = "email", true, "username"
	p := field(l, "password", "auth.password.label", "", nil)
	p.Type, p.Required, p.Autocomplete = "password", true, "current-password"
	return view.LoginForm{Email: e, Password: p, Error: errMsg, Next: next}
}

// LoginForm shows the log-in page.
func (h *Handler) LoginForm(c echo.Context) error {
	l := langOf(c)
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/projects")
	}
	return render(c, http.StatusOK, view.Login(h.page(c, l.T("auth.login.title")), loginForm(l, "", safeNext(c.QueryParam("next")), "")))
}

// Login checks the credentials and starts a fresh session (startSession).
func (h *Handler) Login(c echo.Context) error {
	l := langOf(c)
	ctx := c.Request().Context()
	email := strings.TrimSpace(c.FormValue("email"))
	next := safeNext(c.FormValue("next"))
	u, err := h.throttle().Authenticate(ctx, h.DB, email, c.FormValue("password"), c.RealIP())
	if err != nil {
		var rl *auth.RateLimitError
		var msg string
		switch {
		case errors.As(err, &rl):
			msg = l.T("auth.login.throttled", rl.Minutes())
			setRetryAfter(c, rl.Wait())
		case errors.Is(err, auth.ErrBadCredentials):
			msg = l.T("auth.login.failed")
		case errors.Is(err, auth.ErrDisabled):
			msg = l.T("auth.login.disabled")
		default:
			return err
		}
		status := http.StatusUnauthorized
		if rl != nil {
			status = http.StatusTooManyRequests
		}
		return render(c, status, view.Login(h.page(c, l.T("auth.login.title")), loginForm(l, email, next, msg)))
	}
	if err := h.startSession(c, u); err != nil {
		return err
	}
	if next == "" {
		next = "/projects"
		if u.Role.CanModerate() {
			next = "/moderation"
		}
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// throttle is the log-in throttle with its attack alerts going out
// through the mail outbox, unless Deps chose other alerts.
func (h *Handler) throttle() auth.Throttle {
	th := h.Throttle
	if th.Alerts == nil && h.Jobs != nil {
		base := ""
		if h.Config != nil && h.Config.BaseURL != nil {
			base = h.Config.BaseURL.String()
		}
		th.Alerts = auth.MailAlerts{Jobs: h.Jobs, BaseURL: base, T: i18n.Text, DefaultLang: string(defaultLang(h.Config))}
	}
	return th
}

// setRetryAfter tells the client how many seconds to wait (at least one).
func setRetryAfter(c echo.Context, wait time.Duration) {
	c.Response().Header().Set(echo.HeaderRetryAfter, strconv.Itoa(max(1, int((wait+time.Second-1)/time.Second))))
}

// safeNext accepts only local paths, so the log-in page cannot be used to
// bounce people to another site. Browsers drop tabs and newlines from URLs
// and read backslashes as slashes, so any control character or backslash
// is refused before parsing.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return ""
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return ""
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	return next
}
