package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/web/view"
)

// AdminUserDisable locks an account out and ends its sessions at once.
func (h *Handler) AdminUserDisable(c echo.Context) error { return h.adminSetDisabled(c, true) }

// AdminUserEnable lets a disabled account log in again.
func (h *Handler) AdminUserEnable(c echo.Context) error { return h.adminSetDisabled(c, false) }

func (h *Handler) adminSetDisabled(c echo.Context, disabled bool) error {
	id, err := paramID(c, "user")
	if err != nil {
		return err
	}
	_, err = auth.SetDisabled(c.Request().Context(), h.DB, *currentUser(c), id, disabled)
	if err != nil {
		return h.adminRefused(c, id, err)
	}
	if disabled {
		h.setFlash(c, "flash.admin.disabled")
	} else {
		h.setFlash(c, "flash.admin.enabled")
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users/"+view.Itoa(id))
}

// adminRefused turns an action on the admin's own account into a message
// on the user page; other errors go to the error page.
func (h *Handler) adminRefused(c echo.Context, id int64, err error) error {
	if errors.Is(err, auth.ErrSelf) {
		h.setFlash(c, "flash.admin.self")
		return c.Redirect(http.StatusSeeOther, "/admin/users/"+view.Itoa(id))
	}
	return err
}
