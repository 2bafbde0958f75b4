package web

import (
	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
)

// requireVerified refuses what only an account with a proved e-mail
// address may do (file requests, invite people) with auth.ErrUnverified,
// which the error page explains. Handlers call it after loading the
// project, so another tenant's project still answers 404 first.
func requireVerified(c echo.Context) error {
	u := currentUser(c)
	if u == nil {
		return apperr.ErrUnauthenticated
	}
	return auth.RequireVerified(*u)
}
