package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/integration"
)

// IntegrationRotateWebhook gives the integration a new webhook URL; the old
// one keeps working for the grace period the owner picked (none, 1 h,
// 24 h), and the page shows until when.
func (h *Handler) IntegrationRotateWebhook(c echo.Context) error {
	p, in, err := h.loadIntegration(c)
	if err != nil {
		return err
	}
	// No choice sent (an old form, a script): the old URL stops at once,
	// as rotation did before grace periods existed.
	g := c.FormValue("grace")
	if g == "" {
		g = integration.GraceName(0)
	}
	grace, ok := integration.ParseGrace(g)
	if !ok {
		return apperr.Validation{"grace": "integration.rotate.grace_invalid"}
	}
	if _, err := integration.RotateWebhook(c.Request().Context(), h.DB, h.Keyring, p.ID, in.ID, currentUser(c).ID, grace); err != nil {
		return err
	}
	if grace > 0 {
		h.setFlash(c, "owner.flash.webhook_rotated_grace")
	} else {
		h.setFlash(c, "settings.flash.webhook_rotated")
	}
	return c.Redirect(http.StatusSeeOther, integrationURL(p, in.ID))
}
