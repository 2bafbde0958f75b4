package web

// activityRoutes is the routes table for an integration's activity log.
func (h *Handler) activityRoutes(r *Router) {
	r.User.GET("/projects/:project/settings/integrations/:integration/activity", h.ActivityList)
	r.User.POST("/projects/:project/settings/integrations/:integration/activity/:event/retry", h.ActivityRetry)
}
