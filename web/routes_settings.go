package web

// settingsRoutes is the routes table for project settings: chat platforms, integrations, bot endpoint.
func (h *Handler) settingsRoutes(r *Router) {}
