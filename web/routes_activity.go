package web

import "github.com/botbridge/botbridge/internal/project"

// activityRoutes is the routes table for an integration's activity log.
func (h *Handler) activityRoutes(r *Router) {
	r.Project(project.ActionView).GET("/projects/:project/settings/integrations/:integration/activity", h.ActivityList)
	r.Project(project.ActionRetryEvent).POST("/projects/:project/settings/integrations/:integration/activity/:event/retry", h.ActivityRetry)
}
