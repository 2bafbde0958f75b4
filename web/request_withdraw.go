package web

import (
	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/internal/request"
)

// RequestWithdraw lets the owner take back a request not decided yet.
func (h *Handler) RequestWithdraw(c echo.Context) error {
	return h.ownerRequestAction(c, "flash.request_withdrawn", cardState{}, func(p project.Project, id int64, version int32, userID int64) error {
		_, err := request.Withdraw(c.Request().Context(), h.DB, h.notifier(), p.ID, id, version, userID)
		return err
	})
}
