package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

// adminRoles are the roles an admin can give, in the select's order.
var adminRoles = []auth.Role{auth.RoleOwner, auth.RoleModerator, auth.RoleAdmin}

// roleKeys, memberKeys and auditKeys name account roles, project roles
// and admin actions (keys spelled out, see i18n/enum.go).
var (
	roleKeys   = map[auth.Role]string{auth.RoleOwner: "admin.role.owner", auth.RoleModerator: "admin.role.moderator", auth.RoleAdmin: "admin.role.admin"}
	memberKeys = map[string]string{"owner": "admin.member.owner", "member": "admin.member.member"}
	auditKeys  = map[string]string{auth.AuditDisable: "admin.audit.disable", auth.AuditEnable: "admin.audit.enable", auth.AuditRole: "admin.audit.role"}
)

// label is the words of a key from one of those maps, or the value itself
// for one they do not know.
func label[K comparable](l i18n.Lang, keys map[K]string, v K, raw string) string {
	if k, ok := keys[v]; ok {
		return l.T(k)
	}
	return raw
}

// auditLabel is an admin action in words.
func auditLabel(l i18n.Lang, a auth.AuditEntry) string {
	s := label(l, auditKeys, a.Action, a.Action)
	if a.Detail != "" {
		s += ": " + a.Detail
	}
	return s
}

// AdminUser is one account: its details, projects, what admins did to it,
// and the actions (none on the admin's own account).
func (h *Handler) AdminUser(c echo.Context) error {
	l := langOf(c)
	id, err := paramID(c, "user")
	if err != nil {
		return err
	}
	d, err := h.Sessions.GetAccount(c.Request().Context(), h.DB, id)
	if err != nil {
		return err
	}
	u := d.User
	m := view.AdminUserPage{ID: u.ID, Email: u.Email, RoleLabel: label(l, roleKeys, u.Role, string(u.Role)), Verified: u.Verified, Disabled: u.Disabled,
		Created: u.CreatedAt, LastLogin: u.LastLoginAt, Sessions: d.Sessions, Self: u.ID == currentUser(c).ID}
	for _, r := range adminRoles {
		m.Roles = append(m.Roles, view.Option{Value: string(r), Label: label(l, roleKeys, r, string(r)), Selected: r == u.Role})
	}
	for _, p := range d.Projects {
		m.Projects = append(m.Projects, view.AdminProjectRow{ID: p.ProjectID, Name: p.Name, RoleLabel: label(l, memberKeys, p.Role, p.Role), Since: p.Since})
	}
	for _, a := range d.Audit {
		m.Audit = append(m.Audit, view.AdminAuditRow{Action: auditLabel(l, a), Actor: a.Actor, At: a.At})
	}
	return render(c, http.StatusOK, view.AdminUser(h.page(c, u.Email,
		view.Crumb{Label: l.T("admin.users.title"), URL: "/admin/users"}, view.Crumb{Label: u.Email}), m))
}
