package web

// requestRoutes is the routes table for integration requests (owner side) and the moderation queue.
func (h *Handler) requestRoutes(r *Router) {}
