package web

import (
	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/request"
)

// ModerationApprove approves a request in review and grants the platform.
func (h *Handler) ModerationApprove(c echo.Context) error {
	return h.moderate(c, "flash.request_approved", modState{}, func(id int64, version int32, userID int64) error {
		_, err := request.Approve(c.Request().Context(), h.DB, h.notifier(), id, version, userID)
		return err
	})
}
