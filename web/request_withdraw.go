package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/request"
)

// RequestWithdraw lets the owner take back a request not decided yet.
func (h *Handler) RequestWithdraw(c echo.Context) error {
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	id, err := paramID(c, "request")
	if err != nil {
		return err
	}
	version, err := formVersion(c)
	if err != nil {
		return err
	}
	_, err = request.Withdraw(c.Request().Context(), h.DB, h.notifier(), p.ID, id, version, currentUser(c).ID)
	if msg := refusal(err); msg != "" {
		return h.renderRequestList(c, http.StatusConflict, p, cardState{RequestID: id, Notice: msg})
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "flash.request_withdrawn")
	return c.Redirect(http.StatusSeeOther, requestsURL(p)+"#"+requestAnchor(id))
}
