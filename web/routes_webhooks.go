package web

// webhookRoutes is the routes table for chat-platform webhooks: no session,
// no CSRF (the key in the URL authenticates), JSON answers.
func (h *Handler) webhookRoutes(r *Router) {
	r.Raw.POST("/webhooks/webim/:key", h.WebhookWebim)
	r.Raw.POST("/webhooks/webim/:key/v1", h.WebhookWebim)
	r.Raw.POST("/webhooks/webim/:key/v2", h.WebhookWebim)
}
