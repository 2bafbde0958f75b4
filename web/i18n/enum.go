package i18n

// enums are the catalog keys of the values pages show by name (statuses,
// roles, actions), spelled out in full so the catalog test finds every key
// code can reach: code never builds a key by concatenation.
var enums = map[string]map[string]string{
	"request.status": {
		"submitted": "request.status.submitted", "in_review": "request.status.in_review", "approved": "request.status.approved",
		"rejected": "request.status.rejected", "withdrawn": "request.status.withdrawn",
	},
	"request.verb": {
		"in_review": "request.verb.in_review", "approved": "request.verb.approved",
		"rejected": "request.verb.rejected", "withdrawn": "request.verb.withdrawn",
	},
	"settings.request_status": {
		"submitted": "settings.request_status.submitted", "in_review": "settings.request_status.in_review",
		"approved": "settings.request_status.approved", "rejected": "settings.request_status.rejected",
		"withdrawn": "settings.request_status.withdrawn",
	},
	"activity.status": {
		"pending": "activity.status.pending", "replied": "activity.status.replied",
		"done": "activity.status.done", "failed": "activity.status.failed",
	},
	"activity.outcome": {
		"replied": "activity.outcome.replied", "transferred": "activity.outcome.transferred", "closed": "activity.outcome.closed",
		"fallback": "activity.outcome.fallback", "nothing": "activity.outcome.nothing", "unsupported": "activity.outcome.unsupported",
	},
	"settings.audit.action": {
		"created": "settings.audit.action.created", "updated": "settings.audit.action.updated",
		"disabled": "settings.audit.action.disabled", "enabled": "settings.audit.action.enabled",
		"deleted": "settings.audit.action.deleted", "webhook_rotated": "settings.audit.action.webhook_rotated",
		"marked_unhealthy": "settings.audit.action.marked_unhealthy", "marked_healthy": "settings.audit.action.marked_healthy",
		"bot_endpoint_saved": "settings.audit.action.bot_endpoint_saved", "bot_secret_rotated": "settings.audit.action.bot_secret_rotated",
		"chat_events_rotated":  "settings.audit.action.chat_events_rotated",
		"link_buttons_changed": "settings.audit.action.link_buttons_changed",
	},
	"activity.type": {
		"chat.started": "activity.type.chat_started", "message.text": "activity.type.message_text",
		"message.button": "activity.type.message_button", "message.file": "activity.type.message_file",
		"message.other": "activity.type.message_other", "chat.returned": "activity.type.chat_returned",
		"chat.assigned": "activity.type.chat_assigned", "chat.closed": "activity.type.chat_closed",
		"action.failed": "activity.type.action_failed", "webim.chat_started": "activity.type.webim_chat_started",
	},
	"integration.seen.kind": {
		"new_chat": "integration.seen.kind.new_chat", "new_message": "integration.seen.kind.new_message",
		"chat_started": "integration.seen.kind.chat_started", "chat_assigned": "integration.seen.kind.chat_assigned",
		"chat_closed": "integration.seen.kind.chat_closed", "other": "integration.seen.kind.other",
	},
	"settings.summary": {
		"active": "settings.summary.active", "unhealthy": "settings.summary.unhealthy",
		"disabled": "settings.summary.disabled", "not_configured": "settings.summary.not_configured",
	},
	"integration.status": {
		"active": "integration.status.active", "disabled": "integration.status.disabled", "unhealthy": "integration.status.unhealthy",
	},
	"integration.transfer_to": {
		"department": "integration.transfer_to.department", "operator": "integration.transfer_to.operator",
	},
	"dev.mail.status": {
		"sent": "dev.mail.status.sent", "pending": "dev.mail.status.pending", "failed": "dev.mail.status.failed",
	},
	"project.role": {"owner": "project.role.owner", "member": "project.role.member"},
	"project.tab":  {"overview": "project.tab.overview", "requests": "project.tab.requests", "settings": "project.tab.settings"},
}

// Family names for Enum.
const (
	RequestStatus         = "request.status"
	RequestVerb           = "request.verb"
	SettingsRequestStatus = "settings.request_status"
	ActivityStatus        = "activity.status"
	ActivityOutcome       = "activity.outcome"
	ActivityType          = "activity.type"
	SeenKind              = "integration.seen.kind"
	AuditAction           = "settings.audit.action"
	PlatformSummary       = "settings.summary"
	IntegrationStatus     = "integration.status"
	TransferTo            = "integration.transfer_to"
	MailStatus            = "dev.mail.status"
	ProjectRole           = "project.role"
	ProjectTab            = "project.tab"
)

// Enum translates value of an enumeration (family, e.g. ActivityStatus)
// into l; a value the catalog does not know is shown as it is, never as a
// key.
func (l Lang) Enum(family, value string, args ...any) string {
	if k, ok := enums[family][value]; ok {
		return l.T(k, args...)
	}
	return value
}
