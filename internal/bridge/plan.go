package bridge

import (
	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/webim"
)

// PlanReply is what a bot's reply to an event of eventType becomes on
// Webim for integ's chat: the one translation both the engine (before it
// stores and sends the calls) and the owner's "Send a test event" use, so a
// preview (webim.Preview of the Plan's calls) shows exactly what the bridge
// would send. webimVersion is the account's X-Webim-Version ("" when
// unknown); it matters only for transfers. A reply to chat.assigned or
// chat.closed goes nowhere: an operator holds the chat, or it is over, so
// the bot may take note but says nothing to the visitor.
func PlanReply(reply botapi.Response, chat webim.ChatRef, integ integration.Integration, eventType, webimVersion string) (webim.Plan, error) {
	opts := webim.Options{LinkButtons: integ.LinkButtons, WebimVersion: webimVersion}
	plan, err := webim.Translate(reply, chat, integ.WebimTarget(), opts)
	if err == nil && (eventType == botapi.TypeChatAssigned || eventType == botapi.TypeChatClosed) {
		plan.Calls = nil
	}
	return plan, err
}
