package web

// devRoutes is the routes table for development-only pages (sent mail).
func (h *Handler) devRoutes(r *Router) {}
