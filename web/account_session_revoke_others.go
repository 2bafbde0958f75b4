package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// SessionRevokeOthers ends every session of the account but this
// browser's ("Log out everywhere else").
func (h *Handler) SessionRevokeOthers(c echo.Context) error {
	token, _ := c.Get(ctxToken).(string)
	if _, err := h.Sessions.RevokeOthers(c.Request().Context(), h.DB, currentUser(c).ID, token); err != nil {
		return err
	}
	h.setFlash(c, "flash.sessions_ended")
	return c.Redirect(http.StatusSeeOther, "/account")
}
