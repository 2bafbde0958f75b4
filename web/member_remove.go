package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/team"
)

// MemberRemove takes a member out of the project (owners only); they lose
// access at once. The last owner cannot be removed.
func (h *Handler) MemberRemove(c echo.Context) error {
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	userID, err := paramID(c, "user")
	if err != nil {
		return err
	}
	me := currentUser(c).ID
	err = team.Remove(c.Request().Context(), h.DB, p.ID, me, userID)
	if refused, st := memberRefusal(c, err); refused {
		return h.renderMembers(c, p, st.status, st.membersState)
	}
	if err != nil {
		return err
	}
	if userID == me {
		h.setFlash(c, "team.flash.left")
		return c.Redirect(http.StatusSeeOther, "/projects")
	}
	h.setFlash(c, "team.flash.removed")
	return c.Redirect(http.StatusSeeOther, membersURL(p))
}
