package web

import (
	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/request"
)

// ModerationReject rejects an open request; the reason is required.
func (h *Handler) ModerationReject(c echo.Context) error {
	reason := c.FormValue("reason")
	return h.moderate(c, "flash.request_rejected", modState{Reason: reason}, func(id int64, version int32, userID int64) error {
		_, err := request.Reject(c.Request().Context(), h.DB, h.notifier(), id, version, userID, reason)
		return err
	})
}
