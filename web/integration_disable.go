package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/integration"
)

// IntegrationDisable stops an integration: its webhook answers 404 until
// it is enabled again.
func (h *Handler) IntegrationDisable(c echo.Context) error {
	p, in, err := h.loadIntegration(c)
	if err != nil {
		return err
	}
	if err := integration.Disable(c.Request().Context(), h.DB, p.ID, in.ID, currentUser(c).ID); err != nil {
		return err
	}
	h.setFlash(c, "settings.flash.integration_disabled")
	return c.Redirect(http.StatusSeeOther, integrationURL(p, in.ID))
}
