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
	// Event types and what the log says of them beyond status and calls.
	Register(EN, map[string]string{
		"activity.type.chat_started":         "Chat given to the bot",
		"activity.type.message_text":         "Message",
		"activity.type.message_button":       "Button pressed",
		"activity.type.message_file":         "File",
		"activity.type.message_other":        "Message of another kind",
		"activity.type.chat_returned":        "Chat returned to the bot",
		"activity.type.chat_assigned":        "Chat assigned to an operator",
		"activity.type.chat_closed":          "Chat closed",
		"activity.type.action_failed":        "Action failed",
		"activity.type.webim_chat_started":   "Webim: chat started",
		"activity.kind":                      "Webim message kind: %s",
		"activity.operator":                  "Operator: %s",
		"activity.failed_action":             "Action: %s",
		"activity.note.queue_replaced":       "Webim %s cannot transfer to the general queue, so the chat went to the integration's target.",
		"activity.note.queue_replaced_plain": "This Webim release cannot transfer to the general queue (possible from 10.4 on), so the chat went to the integration's target.",
		"activity.note.other":                "Note: %s",
		"activity.operator_data":             "Data for the operator",
		"activity.operator_data.hint":        "The bot wanted to pass this to the operator (send_data_to_operator), which Webim cannot take, so it is kept here.",
	})
	RegisterPlurals(EN, map[string]Plural{
		"activity.carried": {Arg: 1, One: "%d message since the hand-over", Other: "%d messages since the hand-over"},
	})
}
