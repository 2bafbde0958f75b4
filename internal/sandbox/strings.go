package sandbox

import "github.com/botbridge/botbridge/web/i18n"

// scriptKeys maps the names sandbox.js uses to catalog keys; a %s in a
// text is filled by the script, in order.
var scriptKeys = map[string]string{
	"state_bot":         "sandboxui.js.state_bot",
	"state_transferred": "sandboxui.js.state_transferred",
	"state_closed":      "sandboxui.js.state_closed",
	"chat_title":        "sandboxui.js.chat_title",
	"waiting":           "sandboxui.js.waiting",
	"file":              "sandboxui.js.file",
	"sticker":           "sandboxui.js.sticker",
	"operator":          "sandboxui.js.operator",
	"lost_chat":         "sandboxui.js.lost_chat",
	"lost_contact":      "sandboxui.js.lost_contact",
	"webhook_saved":     "sandboxui.js.webhook_saved",
	"webhook_cleared":   "sandboxui.js.webhook_cleared",
	"settings_saved":    "sandboxui.js.settings_saved",
	"operator_sent":     "sandboxui.js.operator_sent",
	"closed_no_events":  "sandboxui.js.closed_no_events",
}

// scriptArgs is how many %s each script text takes.
var scriptArgs = map[string]int{"chat_title": 2, "sticker": 1, "lost_contact": 1}

// scriptStrings are the script's texts in l.
func scriptStrings(l i18n.Lang) map[string]string {
	out := make(map[string]string, len(scriptKeys))
	for name, key := range scriptKeys {
		args := make([]any, scriptArgs[name])
		for i := range args {
			args[i] = "%s"
		}
		out[name] = l.T(key, args...)
	}
	return out
}
