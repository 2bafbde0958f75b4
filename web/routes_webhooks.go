package web

// webhookRoutes is the routes table for chat-platform webhooks: no session,
// no CSRF (the key in the URL authenticates), JSON answers.
func (h *Handler) webhookRoutes(r *Router) {
	// The URL may name the Bot API version; X-Bot-API-Version wins over it.
	r.Raw.POST("/webhooks/webim/:key", h.WebhookWebim(""))
	r.Raw.POST("/webhooks/webim/:key/v1", h.WebhookWebim("v1"))
	r.Raw.POST("/webhooks/webim/:key/v2", h.WebhookWebim("v2"))
	// Webim's account-level chat event handlers (Basic auth, see
	// integration.ChatEventsPath); the event may be named in the URL.
	r.Raw.POST("/webhooks/webim/:key/chat-events", h.WebhookWebimChatEvents)
	r.Raw.POST("/webhooks/webim/:key/chat-events/:event", h.WebhookWebimChatEvents)
}
