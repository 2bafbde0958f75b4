package web

import (
	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/request"
)

// ModerationRevoke takes back the platform an approved request granted;
// the reason is required and e-mailed to the owner.
func (h *Handler) ModerationRevoke(c echo.Context) error {
	reason := c.FormValue("revoke_reason")
	return h.moderate(c, "flash.request_revoked", modState{Revoke: reason}, func(id int64, version int32, userID int64) error {
		_, err := request.Revoke(c.Request().Context(), h.DB, h.notifier(), id, version, userID, reason)
		return err
	})
}
