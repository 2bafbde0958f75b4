package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/team"
)

// InvitationRevoke takes a pending invitation back (owners only): its link
// stops working at once. Another project's invitation is a 404.
func (h *Handler) InvitationRevoke(c echo.Context) error {
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	id, err := paramID(c, "invitation")
	if err != nil {
		return err
	}
	if err := team.Revoke(c.Request().Context(), h.DB, p.ID, currentUser(c).ID, id); err != nil {
		return err
	}
	h.setFlash(c, "team.flash.revoked")
	return c.Redirect(http.StatusSeeOther, membersURL(p))
}
