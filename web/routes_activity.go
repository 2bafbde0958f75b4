package web

import "github.com/botbridge/botbridge/internal/project"

// activityRoutes is the routes table for an integration's activity log:
// its conversations, one conversation, Retry, and the traffic charts.
func (h *Handler) activityRoutes(r *Router) {
	const base = "/projects/:project/settings/integrations/:integration"
	r.Project(project.ActionView).GET(base+"/activity", h.ActivityList)
	r.Project(project.ActionView).GET(base+"/activity/chats/:chat", h.ActivityChat)
	r.Project(project.ActionRetryEvent).POST(base+"/activity/:event/retry", h.ActivityRetry)
	r.Project(project.ActionView).GET(base+"/traffic", h.Traffic)
}
