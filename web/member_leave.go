package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/team"
)

// MemberLeave takes the current user out of the project. The last owner
// cannot leave (they make someone else an owner first).
func (h *Handler) MemberLeave(c echo.Context) error {
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	err = team.Leave(c.Request().Context(), h.DB, p.ID, currentUser(c).ID)
	if refused, st := memberRefusal(c, err); refused {
		return h.renderMembers(c, p, st.status, st.membersState)
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "team.flash.left")
	return c.Redirect(http.StatusSeeOther, "/projects")
}
