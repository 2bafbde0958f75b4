package web

import (
	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/auth"
)

// startSession logs u in on this browser: the session the browser already
// had (anyone's, possibly one planted by an attacker) is destroyed and a
// fresh token is issued, so a session id known before log-in is worthless
// after it (rotation against session fixation). Log-in and sign-up both
// end here.
func (h *Handler) startSession(c echo.Context, u auth.User) error {
	ctx := c.Request().Context()
	if old, ok := c.Get(ctxToken).(string); ok {
		if err := h.Sessions.Destroy(ctx, h.DB, old); err != nil {
			return err
		}
	}
	token, err := h.Sessions.Create(ctx, h.DB, u.ID, c.RealIP(), c.Request().UserAgent())
	if err != nil {
		return err
	}
	h.setSessionCookie(c, token)
	return nil
}
