package web

// devRoutes is the routes table for development-only pages (sent mail). In
// production the routes are not registered at all, so they answer 404.
func (h *Handler) devRoutes(r *Router) {
	if h.Config == nil || !h.Config.Dev() {
		return
	}
	r.User.GET("/dev/mail", h.DevMail)
}
