package i18n

// Messages of the data lifecycle (issue 19 and project deletion of issue
// 15): retention, erasure of a visitor, deleting a project. The Russian
// texts, same keys, are in lifecycle_ru.go.
func init() {
	Register(EN, lifecycleEN)
	RegisterPlurals(EN, map[string]Plural{
		"lifecycle.retention.intro": {Arg: 1,
			One: "After the number of days set here, botbridge removes the chats' content: what visitors wrote, their names, phone numbers " +
				"and e-mail addresses, and the bot's replies. What remains (times, outcomes, counts) is kept for %d day, then deleted too. " +
				"Messages still being delivered are never removed.",
			Other: "After the number of days set here, botbridge removes the chats' content: what visitors wrote, their names, phone numbers " +
				"and e-mail addresses, and the bot's replies. What remains (times, outcomes, counts) is kept for %d days, then deleted too. " +
				"Messages still being delivered are never removed."},
	})
	// The audit log names this area's actions.
	enums[AuditAction]["visitor_erased"] = "settings.audit.action.visitor_erased"
	enums[AuditAction]["retention_changed"] = "settings.audit.action.retention_changed"
}

var lifecycleEN = map[string]string{
	"lifecycle.data.title":         "Data",
	"lifecycle.retention.title":    "How long chats are kept",
	"lifecycle.retention.label":    "Keep chat content for (days)",
	"lifecycle.retention.hint":     "From %d to %d days.",
	"lifecycle.retention.save":     "Save",
	"lifecycle.retention.required": "Enter the number of days.",
	"lifecycle.retention.range":    "Enter a whole number of days from 1 to 365.",

	"lifecycle.erase.title":             "Erase a visitor's data",
	"lifecycle.erase.intro":             "Removes every chat of one visitor in this project: their messages, their details, the bot's replies and the delivery records. This cannot be undone. The audit log records that data was erased and how much, not whose.",
	"lifecycle.erase.by.label":          "Find the visitor by",
	"lifecycle.erase.by.visitor":        "Webim visitor ID",
	"lifecycle.erase.by.chat":           "Webim chat ID",
	"lifecycle.erase.by.required":       "Choose how to find the visitor.",
	"lifecycle.erase.value.label":       "ID",
	"lifecycle.erase.value.hint":        "As Webim shows it, e.g. in the chat's details.",
	"lifecycle.erase.value.required":    "Enter the ID.",
	"lifecycle.erase.value.long":        "This ID is too long: Webim IDs have at most 200 characters.",
	"lifecycle.erase.value.not_found":   "This project has no chat with this ID. Nothing was erased.",
	"lifecycle.erase.submit":            "Erase data",
	"lifecycle.erase.confirm":           "Erase everything botbridge keeps of this visitor's chats? This cannot be undone.",
	"lifecycle.flash.erased":            "The visitor's data was erased. The audit log below says how many records were removed.",
	"lifecycle.flash.erased_from_chat":  "The visitor's data was erased. The audit log in the project's Settings says how many records were removed.",
	"lifecycle.flash.retention_saved":   "Saved: chat content is kept for the number of days you set.",
	"lifecycle.flash.project_deleted":   "The project was deleted. Its integrations no longer receive webhooks, and its data is being removed.",
	"lifecycle.delete.title":            "Danger zone: delete the project",
	"lifecycle.delete.intro":            "Deleting the project “%s” cannot be undone. At once:",
	"lifecycle.delete.webhooks":         "its integrations stop: Webim's webhooks and chat events get “not found”, and visitors' messages no longer reach the bot;",
	"lifecycle.delete.events":           "messages waiting to be delivered are cancelled;",
	"lifecycle.delete.secrets":          "Webim tokens, webhook URLs and the bot's signing secrets are destroyed;",
	"lifecycle.delete.data":             "all chats, requests, the audit log and the settings are removed;",
	"lifecycle.delete.members":          "no member, you included, can open the project any more.",
	"lifecycle.delete.confirm.label":    "To confirm, type the project's name: %s",
	"lifecycle.delete.confirm.required": "Type the project's name to confirm.",
	"lifecycle.delete.confirm.mismatch": "The name does not match. Type it exactly as shown.",
	"lifecycle.delete.submit":           "Delete project",

	"settings.audit.action.visitor_erased":    "Visitor's data erased",
	"settings.audit.action.retention_changed": "Chat retention changed",
}
