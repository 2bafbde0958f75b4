package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/team"
	"github.com/botbridge/botbridge/web/i18n"
)

func (h *Handler) invitationMailer() team.Mailer {
	base := ""
	if h.Config != nil && h.Config.BaseURL != nil {
		base = h.Config.BaseURL.String()
	}
	return team.Mailer{Jobs: h.Jobs, BaseURL: strings.TrimRight(base, "/"), T: i18n.Text, DefaultLang: string(defaultLang(h.Config))}
}

// InvitationCreate invites an address to the project with a role (owners
// only) and e-mails it the link. Field errors (a bad address, an address
// already in the team, a tampered role) come back beside the field with
// what was typed; too many invitations from the project is a 429.
func (h *Handler) InvitationCreate(c echo.Context) error {
	l := langOf(c)
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	in := team.Invite{Email: c.FormValue("email"), Role: c.FormValue("role")}
	sent, err := team.Send(c.Request().Context(), h.DB, h.invitationMailer(), *currentUser(c), p.ID, in)
	st := membersState{Email: in.Email, Role: in.Role}
	var rl *team.RateLimitError
	switch {
	case apperr.Fields(err) != nil:
		st.Errs = apperr.Fields(err)
		return h.renderMembers(c, p, http.StatusUnprocessableEntity, st)
	case errors.Is(err, auth.ErrUnverified):
		// Beside the form rather than the generic page: the inviter stays
		// where they were and sees what to do first.
		st.FormError = l.T("team.invite.unverified")
		return h.renderMembers(c, p, http.StatusForbidden, st)
	case errors.As(err, &rl):
		st.FormError = l.T("team.invite.throttled", rl.Minutes())
		setRetryAfter(c, rl.Wait())
		return h.renderMembers(c, p, http.StatusTooManyRequests, st)
	case err != nil:
		return err
	}
	if sent.Replaced {
		h.setFlash(c, "team.flash.reinvited")
	} else {
		h.setFlash(c, "team.flash.invited")
	}
	return c.Redirect(http.StatusSeeOther, membersURL(p))
}
