package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// ModerationShow is one request as a moderator reviews it.
func (h *Handler) ModerationShow(c echo.Context) error {
	id, err := paramID(c, "request")
	if err != nil {
		return err
	}
	return h.renderModeration(c, http.StatusOK, id, modState{})
}
