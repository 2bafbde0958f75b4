package web

// settingsRoutes is the routes table for project settings: chat platforms, integrations, bot endpoint.
// Every route loads the project through the member's membership, so
// another tenant (moderators included) gets 404; anonymous visitors are
// sent to log in by r.User.
func (h *Handler) settingsRoutes(r *Router) {
	// "My projects" shows granted platforms and their health unless main
	// wired something else.
	if h.Platforms == nil && h.DB != nil {
		h.Platforms = PlatformSummaries(h.DB)
	}

	const base = "/projects/:project/settings"
	r.User.GET(base, h.SettingsShow)

	r.User.GET(base+"/integrations/new", h.IntegrationNew)
	r.User.POST(base+"/integrations/new", h.IntegrationCreate)
	r.User.GET(base+"/integrations/:integration", h.IntegrationShow)
	r.User.GET(base+"/integrations/:integration/edit", h.IntegrationEdit)
	r.User.POST(base+"/integrations/:integration/edit", h.IntegrationUpdate)
	r.User.POST(base+"/integrations/:integration/disable", h.IntegrationDisable)
	r.User.POST(base+"/integrations/:integration/enable", h.IntegrationEnable)
	r.User.POST(base+"/integrations/:integration/delete", h.IntegrationDelete)
	r.User.POST(base+"/integrations/:integration/rotate-webhook", h.IntegrationRotateWebhook)
	r.User.POST(base+"/integrations/:integration/chat-events/rotate", h.IntegrationRotateChatEvents)
	r.User.POST(base+"/integrations/:integration/chat-events/hide", h.IntegrationHideChatEvents)
	r.User.POST(base+"/integrations/:integration/link-buttons", h.IntegrationLinkButtons)

	r.User.GET(base+"/bot", h.BotEndpointEdit)
	r.User.POST(base+"/bot", h.BotEndpointSave)
	r.User.POST(base+"/bot/rotate-secret", h.BotEndpointRotateSecret)
	r.User.POST(base+"/bot/hide-secret", h.BotEndpointHideSecret)

	h.lifecycleRoutes(r) // routes_lifecycle.go: retention, erasure, project deletion
}
