package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/integration"
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
	back := activityBase(p.ID, integID) + "/activity"
	if chat, err := strconv.ParseInt(c.QueryParam("chat"), 10, 64); err == nil && chat > 0 {
		// Retry pressed in a conversation: back to it (an id, never a URL).
		back += "/chats/" + view.Itoa(chat)
	}
	// Honest: while the integration cannot call Webim, a retried event
	// would fail again at once; say why and what to do first instead.
	if in, err := integration.Get(c.Request().Context(), h.DB, p.ID, integID); err == nil && !in.CanSend() {
		h.setFlash(c, cannotSendFlash(in))
		return c.Redirect(http.StatusSeeOther, back)
	}
	if err := h.Bridge.RetryEvent(c.Request().Context(), p.ID, eventID); err != nil {
		return err
	}
	h.setFlash(c, "flash.event_retried")
	return c.Redirect(http.StatusSeeOther, back)
}
