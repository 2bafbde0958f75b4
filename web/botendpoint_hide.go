package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/integration"
)

// BotEndpointHideSecret ends the display of a new signing secret once the
// owner has copied it.
func (h *Handler) BotEndpointHideSecret(c echo.Context) error {
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	if err := integration.HideBotSecret(c.Request().Context(), h.DB, p.ID, currentUser(c).ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, settingsURL(p)+"/bot")
}
