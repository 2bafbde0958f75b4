package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/auth"
)

// VerifyResend is the banner's "Send again": a new verification link to
// the account's address, limited per account. It comes back to the page
// the banner was on.
func (h *Handler) VerifyResend(c echo.Context) error {
	u := currentUser(c)
	err := h.accounts().ResendVerification(c.Request().Context(), h.DB, *u)
	var rl *auth.RateLimitError
	switch {
	case errors.As(err, &rl):
		setRetryAfter(c, rl.Wait())
		return err
	case err != nil:
		return err
	}
	h.setFlash(c, "flash.verification_sent")
	return c.Redirect(http.StatusSeeOther, returnPath(c))
}
