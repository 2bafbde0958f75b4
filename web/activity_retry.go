package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/web/view"
)

// ActivityRetry puts a failed event back in the queue.
func (h *Handler) ActivityRetry(c echo.Context) error {
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	integID, err := paramID(c, "integration")
	if err != nil {
		return err
	}
	eventID, err := paramID(c, "event")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := bridge.IntegrationName(ctx, h.DB, p.ID, integID); err != nil {
		return err
	}
	if err := h.Bridge.RetryEvent(ctx, h.DB, p.ID, eventID); err != nil {
		return err
	}
	h.setFlash(c, "flash.event_retried")
	return c.Redirect(http.StatusSeeOther, "/projects/"+view.Itoa(p.ID)+"/settings/integrations/"+view.Itoa(integID)+"/activity")
}
