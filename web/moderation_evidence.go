package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/request"
)

// ModerationCheckAgain queues a new evidence check of the request's Webim
// domain; the page shows it as running until the job stores the result.
func (h *Handler) ModerationCheckAgain(c echo.Context) error {
	id, err := paramID(c, "request")
	if err != nil {
		return err
	}
	if err := request.CheckAgain(c.Request().Context(), h.DB, h.notifier(), id, currentUser(c).ID); err != nil {
		return err
	}
	h.setFlash(c, "flash.evidence_queued")
	return c.Redirect(http.StatusSeeOther, moderationURL(id)+"#evidence")
}
