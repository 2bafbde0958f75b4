package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/web/view"
)

// AccountPassword changes the password (the current one required) and
// ends every other session of the account; this browser stays logged in.
func (h *Handler) AccountPassword(c echo.Context) error {
	u := currentUser(c)
	token, _ := c.Get(ctxToken).(string)
	in := auth.NewPassword{Password: c.FormValue("password"), Confirm: c.FormValue("confirm")}
	err := h.accounts().ChangePassword(c.Request().Context(), h.DB, *u, c.FormValue("current"), in, token)
	if errs := apperr.Fields(err); errs != nil {
		return h.renderAccount(c, formStatus(err), func(a *view.AccountPage) { a.Password = passwordForm(langOf(c), errs) })
	}
	var rl *auth.RateLimitError
	if errors.As(err, &rl) {
		setRetryAfter(c, rl.Wait())
		return h.renderAccount(c, http.StatusTooManyRequests, func(a *view.AccountPage) {
			a.Password = passwordForm(langOf(c), apperr.Validation{"current": "account.current.throttled"})
		})
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "flash.password_changed")
	return c.Redirect(http.StatusSeeOther, "/account")
}
