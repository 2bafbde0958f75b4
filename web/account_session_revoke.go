package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// SessionRevoke ends one session of the account ("Log out this session");
// another account's session id answers 404 and ends nothing.
func (h *Handler) SessionRevoke(c echo.Context) error {
	id, err := paramID(c, "session")
	if err != nil {
		return err
	}
	if err := h.Sessions.Revoke(c.Request().Context(), h.DB, currentUser(c).ID, id); err != nil {
		return err
	}
	h.setFlash(c, "flash.session_ended")
	return c.Redirect(http.StatusSeeOther, "/account")
}
