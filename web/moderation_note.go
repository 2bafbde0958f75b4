package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/request"
)

// ModerationNote adds an internal note: moderators only, never shown or
// mailed to the project's people.
func (h *Handler) ModerationNote(c echo.Context) error {
	id, err := paramID(c, "request")
	if err != nil {
		return err
	}
	note := c.FormValue("note")
	_, err = request.AddNote(c.Request().Context(), h.DB, id, currentUser(c).ID, note)
	if errs := apperr.Fields(err); errs != nil {
		return h.renderModeration(c, formStatus(err), id, modState{Note: note, Errs: errs})
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "flash.request_noted")
	return c.Redirect(http.StatusSeeOther, moderationURL(id))
}
