package web

import (
	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/request"
)

// ModerationTake takes a submitted request into work.
func (h *Handler) ModerationTake(c echo.Context) error {
	return h.moderate(c, "flash.request_taken", modState{}, func(id int64, version int32, userID int64) error {
		_, err := request.Take(c.Request().Context(), h.DB, h.notifier(), id, version, userID)
		return err
	})
}
