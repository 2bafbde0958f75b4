package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/web/view"
)

// AdminUserRole makes an account owner, moderator or admin. A role the
// select cannot send is a 400 that changes nothing.
func (h *Handler) AdminUserRole(c echo.Context) error {
	id, err := paramID(c, "user")
	if err != nil {
		return err
	}
	_, err = auth.SetRole(c.Request().Context(), h.DB, *currentUser(c), id, auth.Role(c.FormValue("role")))
	if err != nil {
		return h.adminRefused(c, id, err)
	}
	h.setFlash(c, "flash.admin.role")
	return c.Redirect(http.StatusSeeOther, "/admin/users/"+view.Itoa(id))
}
