package i18n

func init() {
	Register(EN, map[string]string{
		"activity.title":               "Activity · %s",
		"activity.crumb":               "Chat activity",
		"activity.back":                "Back to the integration",
		"activity.empty":               "No conversations yet. Once Webim sends the first message to the webhook URL, it shows up here.",
		"activity.col.time":            "Received",
		"activity.col.chat":            "Chat",
		"activity.col.event":           "Event",
		"activity.col.status":          "Status",
		"activity.col.calls":           "Calls",
		"activity.attempts":            "Attempts: %d",
		"activity.next_attempt":        "Next attempt",
		"activity.retry":               "Retry",
		"activity.pages":               "Activity pages",
		"activity.newest":              "Newest",
		"activity.older":               "Older events",
		"activity.status.pending":      "Received",
		"activity.status.replied":      "Sending to Webim",
		"activity.status.done":         "Done",
		"activity.status.failed":       "Failed",
		"activity.outcome.replied":     "Bot replied",
		"activity.outcome.transferred": "Transferred to a person",
		"activity.outcome.closed":      "Chat closed",
		"activity.outcome.fallback":    "Bot unreachable: fallback transfer",
		"activity.outcome.nothing":     "Bot had nothing to say",
		"activity.outcome.unsupported": "Action not supported by Webim: the bot was told",
		"flash.event_retried":          "The event was put back in the queue.",
	})
}
