package web

// requestRoutes is the routes table for integration requests (owner side) and the moderation queue.
func (h *Handler) requestRoutes(r *Router) {
	// Owner side: always through the project (h.CurrentProject), so another
	// tenant's project or request is a 404.
	r.User.GET("/projects/:project/requests", h.RequestList)
	r.User.GET("/projects/:project/requests/new", h.RequestNewForm)
	r.User.POST("/projects/:project/requests/new", h.RequestCreate)
	r.User.POST("/projects/:project/requests/:request/withdraw", h.RequestWithdraw)
	r.User.POST("/projects/:project/requests/:request/comments", h.RequestComment)
	r.User.GET("/projects/:project/requests/:request/resubmit", h.RequestEditForm)
	r.User.POST("/projects/:project/requests/:request/resubmit", h.RequestResubmit)

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
