package web

import (
	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/request"
)

// ModerationComment adds a moderator's comment to a request's history.
func (h *Handler) ModerationComment(c echo.Context) error {
	text := c.FormValue("comment")
	return h.moderate(c, "flash.request_commented", modState{Comment: text}, func(id int64, version int32, userID int64) error {
		_, err := request.Comment(c.Request().Context(), h.DB, request.AsModerator(), id, version, userID, text)
		return err
	})
}
