package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/team"
	"github.com/botbridge/botbridge/web/view"
)

// InvitationAccept makes the logged-in account a member of the invitation's
// project. Only the invited address may: another account gets the page's
// refusal (403) and nothing changes; a link that no longer works says why.
func (h *Handler) InvitationAccept(c echo.Context) error {
	u := currentUser(c)
	projectID, err := team.Accept(c.Request().Context(), h.DB, c.Param("token"), *u)
	var wrong *team.WrongAccountError
	switch {
	case errors.As(err, &wrong), errors.Is(err, team.ErrInvitationExpired), errors.Is(err, team.ErrInvitationRevoked),
		errors.Is(err, team.ErrInvitationUsed):
		// The page explains each case in words.
		return h.InvitationShow(c)
	case err != nil:
		return err
	}
	h.setFlash(c, "team.flash.joined")
	return c.Redirect(http.StatusSeeOther, "/projects/"+view.Itoa(projectID))
}
