package i18n

// The demo bot's replies (internal/demobot): Markdown, as bots write it.
func init() {
	Register(EN, map[string]string{
		"demobot.hi":      "Hi!",
		"demobot.hi.name": "Hi %s!",
		"demobot.greeting": "%s I'm the **botbridge demo bot**.\n\n" +
			"Type anything and I'll echo it, or try: `operator`, `bye`, `contact`, `markdown`, `file`, `queue`, `dept sales`, `op 42`.",
		"demobot.button.prices":    "Prices",
		"demobot.button.human":     "Talk to a person",
		"demobot.button.site":      "Our website",
		"demobot.button.open_site": "Open example.com",
		"demobot.empty":            "You sent an empty message. Type *help* to see what I can do.",
		"demobot.transfer":         "Connecting you to a person…",
		"demobot.bye":              "Bye! Thanks for chatting.",
		"demobot.contact":          "Let me pass your contact details to an operator.",
		"demobot.contact.failed":   "Sorry, I can't pass your contact details to an operator on this channel.",
		"demobot.markdown": "**Markdown sample**\n\n" +
			"This is **bold**, this is _italic_, and here is [a link](%s).\n\n" +
			"- a list item\n" +
			"- another one, with `inline code`\n\n" +
			"1. numbered\n" +
			"2. list",
		"demobot.file":                "Here is our price list.",
		"demobot.file.thanks":         "Thanks for the file %s. I can't read files, but a person could: type *operator*.",
		"demobot.file.thanks_unnamed": "Thanks for the file. I can't read files, but a person could: type *operator*.",
		"demobot.queue":               "Putting you in the queue: the first free operator will answer.",
		"demobot.dept.ask":            "Which department? Try: `dept sales`",
		"demobot.dept":                "Transferring you to department %s…",
		"demobot.op.ask":              "Operator ids are positive integers. Try: `op 42`",
		"demobot.op":                  "Transferring you to operator %s…",
		"demobot.echo":                "You said: %s",
		"demobot.pressed":             "You pressed %s",
		"demobot.other.sticker":       "I can't read stickers yet. Tell me in words, or type *operator*.",
		"demobot.other.contacts":      "I can't read contact cards yet. Type your phone number, or type *operator*.",
		"demobot.other.kind":          "I can't read messages of the kind “%s” yet. Tell me in words, or type *operator*.",
		"demobot.returned":            "Welcome back, it's the bot again. Type *help* to see what I can do.",
		"demobot.returned.last":       "The operator's last message: “%s”",
		"demobot.action.failed":       "Sorry, I couldn't do that (%s: %s).",
	})
}
