package i18n

func init() {
	Register(EN, map[string]string{
		"dev.mail.title":          "Sent mail (development)",
		"dev.mail.intro":          "The newest 50 messages in the mail outbox. Without SMTP_URL nothing leaves this machine: the messages are written to the log and listed here.",
		"dev.mail.empty":          "No mail yet. Taking a request into work, approving or rejecting it writes a message here.",
		"dev.mail.to":             "To",
		"dev.mail.subject":        "Subject (click to read)",
		"dev.mail.created":        "Queued",
		"dev.mail.status":         "Delivery",
		"dev.mail.topic":          "Topic",
		"dev.mail.status.sent":    "Sent",
		"dev.mail.status.pending": "Pending",
		"dev.mail.status.failed":  "Failed",
	})
	RegisterPlurals(EN, map[string]Plural{
		"dev.mail.attempts": {Arg: 1, One: "%d attempt", Other: "%d attempts"},
	})
}
