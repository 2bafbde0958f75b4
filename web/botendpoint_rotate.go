package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/integration"
)

// BotEndpointRotateSecret replaces the bot signing secret; the previous
// one keeps verifying for 24 hours, and the new one is shown once.
func (h *Handler) BotEndpointRotateSecret(c echo.Context) error {
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	if err := integration.RotateBotSecret(c.Request().Context(), h.DB, h.Keyring, p.ID, currentUser(c).ID); err != nil {
		return err
	}
	h.setFlash(c, "settings.flash.bot_secret_rotated")
	return c.Redirect(http.StatusSeeOther, settingsURL(p)+"/bot#secret")
}
