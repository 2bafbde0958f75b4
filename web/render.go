package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

// page builds the layout model for the current request.
func (h *Handler) page(c echo.Context, title string, crumbs ...view.Crumb) view.Page {
	p := view.Page{Title: title, Path: returnPath(c), CSRF: csrfToken(c), Flash: h.takeFlash(c), Crumbs: crumbs}
	if u := currentUser(c); u != nil {
		p.User = &view.User{Email: u.Email, CanModerate: u.Role.CanModerate(), IsAdmin: u.Role == auth.RoleAdmin, Unverified: !u.Verified}
		p.DevMail = h.Config.Dev() && u.Role == auth.RoleAdmin
	}
	return p
}

// returnPath is where the language switch comes back to: this page, or
// for a form re-rendered after a POST the page the form was on (a GET of
// the POST's URL would not show it), else the start page.
func returnPath(c echo.Context) string {
	r := c.Request()
	if r.Method == http.MethodGet {
		return r.URL.RequestURI()
	}
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host {
		if p := safeNext(ref.RequestURI()); p != "" {
			return p
		}
	}
	return "/"
}

// render writes a templ component with the given status.
func render(c echo.Context, status int, cmp templ.Component) error {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().Header().Set("Content-Language", string(langOf(c)))
	c.Response().Header().Add("Vary", "Accept-Language, Cookie")
	c.Response().WriteHeader(status)
	return cmp.Render(view.WithLocale(c.Request().Context(), langOf(c), zoneOf(c)), c.Response())
}

// formStatus is 422 for a form with field errors, so tests and tools can
// tell a re-rendered form from a success.
func formStatus(err error) int {
	if apperr.Fields(err) != nil {
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}

// field builds a form field view model in language l; the error is a
// catalog key.
func field(l i18n.Lang, name, labelKey, value string, errs apperr.Validation) view.Field {
	f := view.Field{Name: name, Label: l.T(labelKey), Value: value}
	if k, ok := errs[name]; ok {
		f.Error = l.T(k)
	}
	return f
}

// paramID parses a positive integer path parameter; anything else is a 404
// so tampered URLs look exactly like missing objects.
func paramID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.ErrNotFound
	}
	return id, nil
}
