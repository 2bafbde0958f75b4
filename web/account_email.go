package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/web/view"
)

// AccountEmail starts an e-mail change: the current password is needed,
// the new address gets a verification link (the change takes effect when
// it is used) and the old one a notice.
func (h *Handler) AccountEmail(c echo.Context) error {
	u := currentUser(c)
	email := c.FormValue("email")
	err := h.accounts().ChangeEmail(c.Request().Context(), h.DB, *u, email, c.FormValue("current_email"))
	if errs := apperr.Fields(err); errs != nil {
		return h.renderAccount(c, formStatus(err), func(a *view.AccountPage) { a.EmailChg = emailForm(langOf(c), email, errs) })
	}
	var rl *auth.RateLimitError
	if errors.As(err, &rl) {
		setRetryAfter(c, rl.Wait())
		return h.renderAccount(c, http.StatusTooManyRequests, func(a *view.AccountPage) {
			a.EmailChg = emailForm(langOf(c), email, apperr.Validation{"current_email": "account.current.throttled"})
		})
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "flash.email_change_sent")
	return c.Redirect(http.StatusSeeOther, "/account")
}
