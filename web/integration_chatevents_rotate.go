package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/integration"
)

// IntegrationRotateChatEvents creates (or replaces) the Basic credentials
// of the integration's chat events URL; the old ones stop working at once.
// The URL with the new credentials written in is shown to its maker until
// they confirm they copied it.
func (h *Handler) IntegrationRotateChatEvents(c echo.Context) error {
	p, in, err := h.loadIntegration(c)
	if err != nil {
		return err
	}
	if err := requireOwner(p); err != nil {
		return err
	}
	first := in.ChatEventsUser == ""
	user, password, err := integration.RotateChatEvents(c.Request().Context(), h.DB, p.ID, in.ID, currentUser(c).ID)
	if err != nil {
		return err
	}
	if err := h.sealChatEventsReveal(c, p, in, user, password); err != nil {
		return err
	}
	if first {
		h.setFlash(c, "settings.flash.chat_events_created")
	} else {
		h.setFlash(c, "settings.flash.chat_events_rotated")
	}
	return c.Redirect(http.StatusSeeOther, integrationURL(p, in.ID)+"#chat-events")
}
