package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/team"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

func invitationPath(token string) string { return "/invitations/" + url.PathEscape(token) }

// closedText says why an invitation's link no longer works.
func closedText(l i18n.Lang, err error) string {
	switch {
	case errors.Is(err, team.ErrInvitationExpired):
		return l.T("team.invitation.expired")
	case errors.Is(err, team.ErrInvitationRevoked):
		return l.T("team.invitation.revoked")
	case errors.Is(err, team.ErrInvitationUsed):
		return l.T("team.invitation.used")
	}
	return l.T("team.invitation.unknown")
}

// InvitationShow is what the e-mail's link opens: the invitation, and what
// to do next (accept; log in or sign up; log out of the wrong account). A
// link that does not exist is a 404, one that no longer works a 410, both
// saying so in words.
func (h *Handler) InvitationShow(c echo.Context) error {
	l := langOf(c)
	token := c.Param("token")
	link, err := team.Lookup(c.Request().Context(), h.DB, token)
	if errors.Is(err, apperr.ErrNotFound) {
		return h.renderInvitation(c, http.StatusNotFound, view.InvitationPage{State: view.InvitationClosed, Closed: closedText(l, err)})
	}
	if err != nil {
		return err
	}
	m := view.InvitationPage{
		ProjectName: link.ProjectName, Email: link.Email, Role: link.Role, InvitedBy: link.InvitedBy, ExpiresAt: link.ExpiresAt,
		AcceptAction: invitationPath(token) + "/accept", SignupURL: invitationPath(token) + "/signup",
		LoginURL: "/login?next=" + url.QueryEscape(invitationPath(token)),
	}
	if m.InvitedBy == "" {
		m.InvitedBy = l.T("team.invitation.someone")
	}
	u := currentUser(c)
	switch {
	case link.Err != nil:
		m.State, m.Closed = view.InvitationClosed, closedText(l, link.Err)
		return h.renderInvitation(c, http.StatusGone, m)
	case u == nil:
		m.State = view.InvitationLoggedOut
	case u.Email != link.Email:
		m.State, m.Current = view.InvitationWrong, u.Email
		return h.renderInvitation(c, http.StatusForbidden, m)
	default:
		m.State = view.InvitationAccept
	}
	return h.renderInvitation(c, http.StatusOK, m)
}

func (h *Handler) renderInvitation(c echo.Context, status int, m view.InvitationPage) error {
	l := langOf(c)
	// The token is in the URL: no page it opens may pass it on.
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	c.Response().Header().Set("Cache-Control", "no-store")
	return render(c, status, view.Invitation(h.page(c, l.T("team.invitation.title")), m))
}
