package web

// devRoutes is the routes table for development-only pages (sent mail). In
// production the routes are not registered at all, so they answer 404.
// Sent mail holds other people's messages (sign-up links, moderation
// news, attack alerts), so only admins see it even in development.
func (h *Handler) devRoutes(r *Router) {
	if h.Config == nil || !h.Config.Dev() {
		return
	}
	r.Admin.GET("/dev/mail", h.DevMail)
}
