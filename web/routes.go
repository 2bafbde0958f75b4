package web

import "github.com/botbridge/botbridge/internal/project"

// coreRoutes is the routes table for accounts and projects; each other area
// (requests, settings, bridge) keeps its own table in a routes_*.go file,
// called from here.
func (h *Handler) coreRoutes(r *Router) {
	r.Public.GET("/", h.Home)
	r.Public.GET("/login", h.LoginForm)
	r.Public.POST("/login", h.Login)
	r.Public.GET("/signup", h.SignupForm)
	r.Public.POST("/signup", h.Signup)
	r.Public.POST("/logout", h.Logout)

	r.User.GET("/projects", h.ProjectList)
	r.User.GET("/projects/new", h.ProjectNewForm)
	r.User.POST("/projects", h.ProjectCreate)
	r.Project(project.ActionView).GET("/projects/:project", h.ProjectShow)

	h.requestRoutes(r)  // routes_requests.go: integration requests and moderation
	h.settingsRoutes(r) // routes_settings.go: project settings and integrations
	h.devRoutes(r)      // routes_dev.go: development-only pages
	h.webhookRoutes(r)  // routes_webhooks.go: chat-platform webhooks
	h.activityRoutes(r) // routes_activity.go: the bridge's activity log
	h.accountRoutes(r)  // account.go: language switch, account page
	h.adminRoutes(r)    // routes_admin.go: the admins' user pages
	h.teamRoutes(r)     // routes_teams.go: members, invitations, renaming
}
