package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// IntegrationHideChatEvents ends the display of a new chat events URL once
// the owner has copied it.
func (h *Handler) IntegrationHideChatEvents(c echo.Context) error {
	p, in, err := h.loadIntegration(c)
	if err != nil {
		return err
	}
	if err := requireOwner(p); err != nil {
		return err
	}
	h.clearChatEventsReveal(c, p, in.ID)
	return c.Redirect(http.StatusSeeOther, integrationURL(p, in.ID)+"#chat-events")
}
