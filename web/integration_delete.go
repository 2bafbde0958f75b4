package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/integration"
)

// IntegrationDelete removes an integration (after the form's confirmation):
// its webhook URL stops working at once and its token is erased.
func (h *Handler) IntegrationDelete(c echo.Context) error {
	p, in, err := h.loadIntegration(c)
	if err != nil {
		return err
	}
	if err := integration.Delete(c.Request().Context(), h.DB, p.ID, in.ID, currentUser(c).ID); err != nil {
		return err
	}
	h.setFlash(c, "settings.flash.integration_deleted")
	return c.Redirect(http.StatusSeeOther, settingsURL(p))
}
