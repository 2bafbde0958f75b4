package web

import "github.com/botbridge/botbridge/internal/project"

// lifecycleRoutes is the routes table of the project's data lifecycle
// (owners only; the Settings page shows the forms): retention, erasure of
// one visitor, deletion of the project. POST /projects/:project/erasures
// takes by=visitor|chat|chat_ref and value, so a conversation view can
// offer "Erase this visitor's data" with by=chat_ref and its chat id.
func (h *Handler) lifecycleRoutes(r *Router) {
	// Retention and erasure change what the project keeps of its chats:
	// owners' business, like the integrations themselves.
	r.Project(project.ActionConfigureIntegration).POST("/projects/:project/settings/retention", h.RetentionSave)
	r.Project(project.ActionConfigureIntegration).POST("/projects/:project/erasures", h.ErasureCreate)
	r.Project(project.ActionDelete).POST("/projects/:project/delete", h.ProjectDelete)
}
