package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/internal/team"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

func membersURL(p project.Project) string { return "/projects/" + view.Itoa(p.ID) + "/members" }

// MemberList is the project's Members tab: who is in the team and since
// when; for owners also the invitation form and the pending invitations.
func (h *Handler) MemberList(c echo.Context) error {
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	return h.renderMembers(c, p, http.StatusOK, membersState{})
}

// membersState is what a refused action leaves on the page.
type membersState struct {
	Email, Role string
	Errs        apperr.Validation
	FormError   string
	Notice      string
}

func roleOptions(l i18n.Lang, selected string) []view.Option {
	out := make([]view.Option, len(project.Roles))
	for i, r := range project.Roles {
		out[i] = view.Option{Value: r, Label: l.Enum(i18n.ProjectRole, r), Selected: r == selected}
	}
	return out
}

func (h *Handler) renderMembers(c echo.Context, p project.Project, status int, st membersState) error {
	l := langOf(c)
	ctx := c.Request().Context()
	me := currentUser(c)
	base := membersURL(p)
	members, err := team.List(ctx, h.DB, p.ID)
	if err != nil {
		return err
	}
	m := view.MembersPage{
		Header:      view.ProjectHeader{ID: p.ID, Name: p.Name, Active: "members"},
		CanManage:   can(p, project.ActionManageMembers),
		LeaveAction: base + "/leave",
		Notice:      st.Notice,
	}
	if !can(p, project.ActionLeave) {
		m.LeaveAction = ""
	}
	for _, mb := range members {
		r := view.MemberRow{Email: mb.Email, Role: mb.Role, JoinedAt: mb.JoinedAt, Self: mb.UserID == me.ID}
		if m.CanManage {
			r.RoleAction = base + "/" + view.Itoa(mb.UserID) + "/role"
			r.RemoveAction = base + "/" + view.Itoa(mb.UserID) + "/remove"
			r.Roles = roleOptions(l, mb.Role)
		}
		m.Members = append(m.Members, r)
	}
	if m.CanManage {
		if st.Role == "" {
			st.Role = project.RoleMember
		}
		email := field(l, "email", "team.invite.email.label", st.Email, st.Errs)
		email.Type, email.Required, email.Autocomplete, email.Hint = "email", true, "off", l.T("team.invite.email.hint")
		role := field(l, "role", "team.invite.role.label", "", st.Errs)
		role.Required, role.Hint = true, l.T("team.invite.role.hint")
		m.Invite = view.InviteForm{Action: base + "/invitations", Email: email, Role: role, Roles: roleOptions(l, st.Role), Error: st.FormError}
		pending, err := team.ListPending(ctx, h.DB, p.ID)
		if err != nil {
			return err
		}
		now := time.Now()
		for _, inv := range pending {
			m.Invitations = append(m.Invitations, view.InvitationRow{
				Email: inv.Email, Role: inv.Role, InvitedBy: inv.InvitedByEmail, SentAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt,
				Expired: inv.Expired(now), RevokeAction: base + "/invitations/" + view.Itoa(inv.ID) + "/revoke",
			})
		}
	}
	title := l.T("team.members.title")
	return render(c, status, view.Members(h.page(c, p.Name+" · "+title, ProjectCrumbs(l, p, view.Crumb{Label: title})...), m))
}
