package web

import "github.com/botbridge/botbridge/internal/project"

// requestRoutes is the routes table for integration requests (owner side) and the moderation queue.
func (h *Handler) requestRoutes(r *Router) {
	// Owner side: always through the project (h.CurrentProject), so another
	// tenant's project or request is a 404.
	r.Project(project.ActionView).GET("/projects/:project/requests", h.RequestList)
	r.Project(project.ActionFileRequest).GET("/projects/:project/requests/new", h.RequestNewForm)
	r.Project(project.ActionFileRequest).POST("/projects/:project/requests/new", h.RequestCreate)
	r.Project(project.ActionFileRequest).POST("/projects/:project/requests/:request/withdraw", h.RequestWithdraw)
	r.Project(project.ActionFileRequest).POST("/projects/:project/requests/:request/comments", h.RequestComment)
	r.Project(project.ActionFileRequest).GET("/projects/:project/requests/:request/resubmit", h.RequestEditForm)
	r.Project(project.ActionFileRequest).POST("/projects/:project/requests/:request/resubmit", h.RequestResubmit)

	// Moderators and admins; everyone else gets 403.
	r.Moderator.GET("/moderation", h.ModerationQueue)
	r.Moderator.GET("/moderation/requests/:request", h.ModerationShow)
	r.Moderator.POST("/moderation/requests/:request/take", h.ModerationTake)
	r.Moderator.POST("/moderation/requests/:request/approve", h.ModerationApprove)
	r.Moderator.POST("/moderation/requests/:request/reject", h.ModerationReject)
	r.Moderator.POST("/moderation/requests/:request/comments", h.ModerationComment)
	r.Moderator.POST("/moderation/requests/:request/revoke", h.ModerationRevoke)
	r.Moderator.POST("/moderation/requests/:request/notes", h.ModerationNote)
	r.Moderator.POST("/moderation/requests/:request/evidence", h.ModerationCheckAgain)
	r.Moderator.GET("/moderation/next", h.ModerationNext)
	r.Moderator.GET("/moderation/projects/:project", h.ModerationProject)
}
