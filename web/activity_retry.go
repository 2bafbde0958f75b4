package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/web/view"
)

// ActivityRetry puts a failed event back in the queue.
func (h *Handler) ActivityRetry(c echo.Context) error {
	p, integID, _, err := h.activityIntegration(c)
	if err != nil {
		return err
	}
	eventID, err := paramID(c, "event")
	if err != nil {
		return err
	}
	if err := h.Bridge.RetryEvent(c.Request().Context(), p.ID, eventID); err != nil {
		return err
	}
	h.setFlash(c, "flash.event_retried")
	return c.Redirect(http.StatusSeeOther, "/projects/"+view.Itoa(p.ID)+"/settings/integrations/"+view.Itoa(integID)+"/activity")
}
