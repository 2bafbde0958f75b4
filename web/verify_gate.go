package web

import (
	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
)

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
