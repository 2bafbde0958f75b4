package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/lifecycle"
)

// RetentionSave sets how many days the project keeps chat content.
func (h *Handler) RetentionSave(c echo.Context) error {
	p, err := h.ownedProject(c)
	if err != nil {
		return err
	}
	typed := c.FormValue("retention_days")
	days, err := lifecycle.ParseRetentionDays(typed)
	if err == nil {
		err = lifecycle.SetRetentionDays(c.Request().Context(), h.DB, p.ID, currentUser(c).ID, days)
	}
	if err != nil {
		return h.refuseLifecycleForm(c, p, &lifecycleForm{retention: typed, retentionErrs: apperr.Fields(err)}, err)
	}
	h.setFlash(c, "lifecycle.flash.retention_saved")
	return c.Redirect(http.StatusSeeOther, settingsURL(p)+"#data")
}
