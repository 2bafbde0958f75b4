package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/integration"
)

// IntegrationEnable turns a disabled integration back on.
func (h *Handler) IntegrationEnable(c echo.Context) error {
	p, in, err := h.loadIntegration(c)
	if err != nil {
		return err
	}
	if err := integration.Enable(c.Request().Context(), h.DB, p.ID, in.ID, currentUser(c).ID); err != nil {
		return err
	}
	h.setFlash(c, "settings.flash.integration_enabled")
	return c.Redirect(http.StatusSeeOther, integrationURL(p, in.ID))
}
