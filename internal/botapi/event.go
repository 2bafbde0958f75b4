// Package botapi is the bridge's protocol towards a project's bot: the signed
// event the bridge POSTs, the reply the bot answers with, and the Standard
// Webhooks signing both sides use. It knows nothing about any chat platform,
// so one bot works with every platform the bridge speaks.
package botapi

import (
	"encoding/json"
	"time"
)

// Event types. A bot switches on these, so they never change meaning.
const (
	// TypeChatStarted: a visitor opened a chat; history (if any) is not resent.
	TypeChatStarted = "chat.started"
	// TypeMessageText: the visitor wrote text.
	TypeMessageText = "message.text"
	// TypeMessageButton: the visitor pressed a keyboard button the bot sent.
	TypeMessageButton = "message.button"
	// TypeMessageFile: the visitor sent a file; Message.File holds its URL.
	TypeMessageFile = "message.file"
	// TypeMessageOther: the visitor sent a kind of message botbridge does
	// not model (a sticker, contacts, …); Message.Kind names it and
	// Message.Data is the platform's data as it came.
	TypeMessageOther = "message.other"
	// TypeChatReturned: an operator handed the chat back to the bot;
	// Messages holds what was said since the bot handed it over.
	TypeChatReturned = "chat.returned"
	// TypeChatAssigned: the chat was assigned to an operator (the
	// platform's chat events, where configured); Operator says who.
	TypeChatAssigned = "chat.assigned"
	// TypeChatClosed: the chat was closed, by an operator or the platform.
	TypeChatClosed = "chat.closed"
	// TypeActionFailed: the platform cannot do an action the bot asked for,
	// so the scenario can take its error transition.
	TypeActionFailed = "action.failed"
	// TypePing: the owner pressed "Send a test event"; it expects a normal
	// reply, which never reaches a chat platform.
	TypePing = "ping"
)

// ChannelWebim is user.channel and request.userChannel for Webim chats:
// Webim never tells the visitor's original channel.
const ChannelWebim = "webim"

// ReasonUnsupportedByPlatform is the action.failed reason when the platform
// has no way to perform the action at all (retrying will not help).
const ReasonUnsupportedByPlatform = "unsupported_by_platform"

// Event is the JSON body of every bridge → bot request.
type Event struct {
	// ID equals the webhook-id header and stays the same across retries, so
	// a bot can drop duplicates.
	ID          string      `json:"id"`
	Type        string      `json:"type"`
	OccurredAt  time.Time   `json:"occurred_at"`
	Project     Project     `json:"project"`
	Integration Integration `json:"integration"`
	Chat        Chat        `json:"chat"`
	User        User        `json:"user"`
	Request     Request     `json:"request"`
	// Message is set for message.* events only.
	Message *Message `json:"message,omitempty"`
	// Messages is set for chat.returned: the visitor's and the operators'
	// messages since the bot handed the chat over, in order.
	Messages []Message `json:"messages,omitempty"`
	// Operator is set for chat.assigned when the platform names one.
	Operator *Operator `json:"operator,omitempty"`
	// Action names the failed action type; set for action.failed only.
	Action string `json:"action,omitempty"`
	// Reason says why the action failed; set for action.failed only.
	Reason string `json:"reason,omitempty"`
}

// Project identifies the botbridge project whose bot is called.
type Project struct {
	ID string `json:"id"`
}

// Integration identifies the chat-platform integration the event came from.
type Integration struct {
	ID       string `json:"id"`
	Platform string `json:"platform"`
}

// Chat identifies the conversation both in botbridge and on the platform.
type Chat struct {
	ID string `json:"id"`
	// PlatformChatID is the platform's own id, always a string so bots need
	// not care that Webim 2.0 uses integers and 1.0 uuids.
	PlatformChatID string `json:"platform_chat_id"`
}

// User is the visitor. Name, Phone and Email are null when the platform
// does not know them, so bots can tell "unknown" from "empty".
type User struct {
	ID      string  `json:"id"`
	Channel string  `json:"channel"`
	Name    *string `json:"name"`
	Phone   *string `json:"phone"`
	Email   *string `json:"email"`
}

// Request mirrors the seed's $request object so scenarios written for it
// keep reading $request.userChannel.
type Request struct {
	UserChannel string `json:"userChannel"`
}

// Message is what the visitor sent.
type Message struct {
	ID string `json:"id"`
	// Kind is the platform's message kind, for message.other and the
	// messages of chat.returned ("visitor", "operator", "sticker_visitor", …).
	Kind   string  `json:"kind,omitempty"`
	Text   string  `json:"text,omitempty"`
	Button *Button `json:"button,omitempty"`
	File   *File   `json:"file,omitempty"`
	// Data is the platform's own data of a message.other, unchanged.
	Data json.RawMessage `json:"data,omitempty"`
}

// Operator is who a chat was assigned to; fields the platform did not
// send are empty.
type Operator struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// NullString returns nil for "" so unknown visitor fields marshal as null.
func NullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
