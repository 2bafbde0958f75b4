package web

import "github.com/botbridge/botbridge/internal/project"

// teamRoutes is the routes table for a project's team: the Members tab,
// invitations (sent from the tab, opened from the e-mail's link) and
// renaming the project.
func (h *Handler) teamRoutes(r *Router) {
	const base = "/projects/:project/members"
	r.Project(project.ActionView).GET(base, h.MemberList)
	r.Project(project.ActionManageMembers).POST(base+"/invitations", h.InvitationCreate)
	r.Project(project.ActionManageMembers).POST(base+"/invitations/:invitation/revoke", h.InvitationRevoke)
	r.Project(project.ActionManageMembers).POST(base+"/:user/role", h.MemberRole)
	r.Project(project.ActionManageMembers).POST(base+"/:user/remove", h.MemberRemove)
	r.Project(project.ActionLeave).POST(base+"/leave", h.MemberLeave)

	r.Project(project.ActionRename).GET("/projects/:project/settings/name", h.ProjectRenameForm)
	r.Project(project.ActionRename).POST("/projects/:project/settings/name", h.ProjectRename)

	// The link is the credential (its token); whoever opens it sees which
	// project invites which address, then logs in, signs up or accepts.
	r.Public.GET("/invitations/:token", h.InvitationShow)
	r.User.POST("/invitations/:token/accept", h.InvitationAccept)
	r.Public.GET("/invitations/:token/signup", h.InvitationSignupForm)
	r.Public.POST("/invitations/:token/signup", h.InvitationSignup)
}
