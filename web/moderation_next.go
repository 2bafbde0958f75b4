package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/request"
)

// ModerationNext opens the oldest request waiting to be taken that this
// moderator may decide, or the queue with a word that none is waiting.
func (h *Handler) ModerationNext(c echo.Context) error {
	id, err := request.NextWaiting(c.Request().Context(), h.DB, currentUser(c).ID)
	if err != nil {
		return err
	}
	if id == 0 {
		h.setFlash(c, "flash.moderation_none_waiting")
		return c.Redirect(http.StatusSeeOther, "/moderation")
	}
	return c.Redirect(http.StatusSeeOther, moderationURL(id))
}
