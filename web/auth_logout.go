package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// Logout deletes the session server-side, so a copied cookie is worthless.
func (h *Handler) Logout(c echo.Context) error {
	if token, ok := c.Get(ctxToken).(string); ok {
		if err := h.Sessions.Destroy(c.Request().Context(), h.DB, token); err != nil {
			return err
		}
	}
	h.clearSessionCookie(c)
	h.setFlash(c, "flash.logged_out")
	return c.Redirect(http.StatusSeeOther, "/login")
}
