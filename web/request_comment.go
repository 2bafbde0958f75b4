package web

import (
	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/internal/request"
)

// RequestComment adds the owner's comment to a request's history.
func (h *Handler) RequestComment(c echo.Context) error {
	text := c.FormValue("comment")
	return h.ownerRequestAction(c, "flash.request_commented", cardState{Comment: text}, func(p project.Project, id int64, version int32, userID int64) error {
		_, err := request.Comment(c.Request().Context(), h.DB, request.InProject(p.ID), id, version, userID, text)
		return err
	})
}
