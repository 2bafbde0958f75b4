package web

// activityRoutes is the routes table for an integration's activity log:
// its conversations, one conversation, Retry, and the traffic charts.
func (h *Handler) activityRoutes(r *Router) {
	const base = "/projects/:project/settings/integrations/:integration"
	r.User.GET(base+"/activity", h.ActivityList)
	r.User.GET(base+"/activity/chats/:chat", h.ActivityChat)
	r.User.POST(base+"/activity/:event/retry", h.ActivityRetry)
	r.User.GET(base+"/traffic", h.Traffic)
}
