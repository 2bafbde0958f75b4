package web

import "github.com/botbridge/botbridge/internal/project"

// settingsRoutes is the routes table for project settings: chat platforms, integrations, bot endpoint.
// Every route loads the project through the member's membership, so
// another tenant (moderators included) gets 404; anonymous visitors are
// sent to log in by r.User; each names the action it performs, and a
// member whose role does not allow it gets 403 (r.Project).
func (h *Handler) settingsRoutes(r *Router) {
	// "My projects" shows granted platforms and their health unless main
	// wired something else.
	if h.Platforms == nil && h.DB != nil {
		h.Platforms = PlatformSummaries(h.DB)
	}

	const base = "/projects/:project/settings"
	r.Project(project.ActionView).GET(base, h.SettingsShow)

	r.Project(project.ActionConfigureIntegration).GET(base+"/integrations/new", h.IntegrationNew)
	r.Project(project.ActionConfigureIntegration).POST(base+"/integrations/new", h.IntegrationCreate)
	r.Project(project.ActionView).GET(base+"/integrations/:integration", h.IntegrationShow)
	r.Project(project.ActionConfigureIntegration).GET(base+"/integrations/:integration/edit", h.IntegrationEdit)
	r.Project(project.ActionConfigureIntegration).POST(base+"/integrations/:integration/edit", h.IntegrationUpdate)
	r.Project(project.ActionConfigureIntegration).POST(base+"/integrations/:integration/disable", h.IntegrationDisable)
	r.Project(project.ActionConfigureIntegration).POST(base+"/integrations/:integration/enable", h.IntegrationEnable)
	r.Project(project.ActionConfigureIntegration).POST(base+"/integrations/:integration/delete", h.IntegrationDelete)
	r.Project(project.ActionConfigureIntegration).POST(base+"/integrations/:integration/rotate-webhook", h.IntegrationRotateWebhook)
	r.Project(project.ActionConfigureIntegration).POST(base+"/integrations/:integration/chat-events/rotate", h.IntegrationRotateChatEvents)
	r.Project(project.ActionConfigureIntegration).POST(base+"/integrations/:integration/chat-events/hide", h.IntegrationHideChatEvents)
	r.Project(project.ActionConfigureIntegration).POST(base+"/integrations/:integration/link-buttons", h.IntegrationLinkButtons)

	r.Project(project.ActionConfigureBot).GET(base+"/bot", h.BotEndpointEdit)
	r.Project(project.ActionConfigureBot).POST(base+"/bot", h.BotEndpointSave)
	r.Project(project.ActionConfigureBot).POST(base+"/bot/rotate-secret", h.BotEndpointRotateSecret)
	r.Project(project.ActionConfigureBot).POST(base+"/bot/hide-secret", h.BotEndpointHideSecret)
}
