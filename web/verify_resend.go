package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
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

// requireVerified refuses what only an account with a proved e-mail
// address may do (file requests, invite people) with auth.ErrUnverified,
// which the error page explains. Handlers call it first thing; routes
// can use requireVerifiedMW instead.
func requireVerified(c echo.Context) error {
	u := currentUser(c)
	if u == nil {
		return apperr.ErrUnauthenticated
	}
	return auth.RequireVerified(*u)
}

// requireVerifiedMW is requireVerified as route middleware.
func (h *Handler) requireVerifiedMW(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := requireVerified(c); err != nil {
			return err
		}
		return next(c)
	}
}
