package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

func resetForm(l i18n.Lang, token, email string, errs apperr.Validation) view.ResetForm {
	pw := field(l, "password", "account.password.new", "", errs)
	pw.Type, pw.Required, pw.Autocomplete, pw.Hint = "password", true, "new-password", l.T("account.password.hint")
	cf := field(l, "confirm", "auth.confirm.label", "", errs)
	cf.Type, cf.Required, cf.Autocomplete = "password", true, "new-password"
	return view.ResetForm{Action: "/password/reset/" + token, Email: email, Password: pw, Confirm: cf}
}

// resetLinkInvalid is the page of a used, expired or unknown reset link.
func (h *Handler) resetLinkInvalid(c echo.Context) error {
	l := langOf(c)
	return render(c, http.StatusNotFound, view.LinkInvalid(h.page(c, l.T("link.invalid.title")),
		l.T("reset.invalid"), "/password/reset", l.T("reset.invalid.again")))
}

// ResetForm is the page a reset link opens; looking does not use the link.
func (h *Handler) ResetForm(c echo.Context) error {
	l := langOf(c)
	token := c.Param("token")
	link, err := auth.PeekLink(c.Request().Context(), h.DB, auth.PurposeReset, token)
	if errors.Is(err, auth.ErrLinkInvalid) {
		return h.resetLinkInvalid(c)
	}
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, view.Reset(h.page(c, l.T("reset.form.title")), resetForm(l, token, link.User.Email, nil)))
}

// Reset uses the link: the new password is set, every session of the
// account ends, and this browser is logged in with a fresh one.
func (h *Handler) Reset(c echo.Context) error {
	l := langOf(c)
	ctx := c.Request().Context()
	token := c.Param("token")
	u, err := auth.ResetPassword(ctx, h.DB, token, auth.NewPassword{Password: c.FormValue("password"), Confirm: c.FormValue("confirm")})
	if errs := apperr.Fields(err); errs != nil {
		link, lerr := auth.PeekLink(ctx, h.DB, auth.PurposeReset, token)
		if lerr != nil {
			return h.resetLinkInvalid(c)
		}
		return render(c, formStatus(err), view.Reset(h.page(c, l.T("reset.form.title")), resetForm(l, token, link.User.Email, errs)))
	}
	if errors.Is(err, auth.ErrLinkInvalid) {
		return h.resetLinkInvalid(c)
	}
	if err != nil {
		return err
	}
	if err := h.startSession(c, u); err != nil {
		return err
	}
	h.setFlash(c, "flash.password_reset")
	next := "/projects"
	if u.Role.CanModerate() {
		next = "/moderation"
	}
	return c.Redirect(http.StatusSeeOther, next)
}
