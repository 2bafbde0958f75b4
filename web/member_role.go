package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/team"
)

// MemberRole changes a member's role (owners only). The last owner cannot
// be demoted: the page says so and nothing changes.
func (h *Handler) MemberRole(c echo.Context) error {
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	userID, err := paramID(c, "user")
	if err != nil {
		return err
	}
	err = team.ChangeRole(c.Request().Context(), h.DB, p.ID, currentUser(c).ID, userID, c.FormValue("role"))
	if refused, st := memberRefusal(c, err); refused {
		return h.renderMembers(c, p, st.status, st.membersState)
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "team.flash.role_changed")
	return c.Redirect(http.StatusSeeOther, membersURL(p))
}

type refusalState struct {
	membersState
	status int
}

// memberRefusal turns the refusals the Members tab explains in place (the
// last owner's rule, a role that is not one) into a notice.
func memberRefusal(c echo.Context, err error) (bool, refusalState) {
	l := langOf(c)
	switch {
	case errors.Is(err, team.ErrLastOwner):
		return true, refusalState{membersState{Notice: l.T("team.last_owner")}, http.StatusConflict}
	case apperr.Fields(err) != nil:
		return true, refusalState{membersState{Notice: l.T("team.role.invalid")}, http.StatusUnprocessableEntity}
	}
	return false, refusalState{}
}
