package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/integration"
)

// IntegrationRotateWebhook gives the integration a new webhook URL; the old
// one stops working at once, so the page reminds the owner to update Webim.
func (h *Handler) IntegrationRotateWebhook(c echo.Context) error {
	p, in, err := h.loadIntegration(c)
	if err != nil {
		return err
	}
	if _, err := integration.RotateWebhook(c.Request().Context(), h.DB, h.Keyring, p.ID, in.ID, currentUser(c).ID); err != nil {
		return err
	}
	h.setFlash(c, "settings.flash.webhook_rotated")
	return c.Redirect(http.StatusSeeOther, integrationURL(p, in.ID))
}
