package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/lifecycle"
)

// ProjectDelete deletes the project once its name is typed: its webhooks
// answer 404 from now on, its secrets are destroyed, waiting events are
// cancelled, its members lose it, and a background job removes the rest.
func (h *Handler) ProjectDelete(c echo.Context) error {
	p, err := h.ownedProject(c)
	if err != nil {
		return err
	}
	typed := c.FormValue("confirm_name")
	if _, err := lifecycle.DeleteProject(c.Request().Context(), h.DB, h.Jobs, p.ID, typed); err != nil {
		return h.refuseLifecycleForm(c, p, &lifecycleForm{confirmName: typed, deleteErrs: apperr.Fields(err)}, err)
	}
	h.setFlash(c, "lifecycle.flash.project_deleted")
	return c.Redirect(http.StatusSeeOther, "/projects")
}
