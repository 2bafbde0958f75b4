package webim

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/clip"
)

// Webim Bot API 2.0 methods the bridge calls.
const (
	// MethodSendMessage posts a text, keyboard or file message.
	MethodSendMessage = "send_message"
	// MethodRedirectChat hands the chat to a department, operator or queue.
	MethodRedirectChat = "redirect_chat"
	// MethodCloseChat ends the chat.
	MethodCloseChat = "close_chat"
)

// Outgoing message kinds.
const (
	// KindOperator is a plain-text message from the bot's operator account.
	KindOperator = "operator"
	// KindKeyboard is a message made of {id, text} button rows.
	KindKeyboard = "keyboard"
	// KindFileOperator is a file Webim downloads from a URL.
	KindFileOperator = "file_operator"
)

// Call is one Webim API request: POST {base}/api/bot/v2/{Method} with Body
// as JSON. Calls are plain data so the engine can store and retry each one.
type Call struct {
	Method string `json:"method"`
	Body   any    `json:"body"`
}

// Path is the URL path of the call, relative to the account's domain.
func (c Call) Path() string { return "/api/bot/v2/" + c.Method }

// SendMessage is the body of send_message.
type SendMessage struct {
	// ChatID is an integer on the wire, as Webim 2.0 sent it to us.
	ChatID  int64      `json:"chat_id"`
	Message OutMessage `json:"message"`
}

// OutMessage is a message the bot sends: text, keyboard or file by kind.
// It is also the element of a 1.0 synchronous answer.
type OutMessage struct {
	Kind    string     `json:"kind"`
	Text    string     `json:"text,omitempty"`
	Buttons [][]Button `json:"buttons,omitempty"`
	Data    *FileData  `json:"data,omitempty"`
}

// FileData is the file of a file_operator message; Webim downloads URL.
type FileData struct {
	URL       string `json:"url"`
	Name      string `json:"name"`
	MediaType string `json:"media_type"`
}

// RedirectChat is the body of redirect_chat. With neither DepKey nor
// OperatorID the chat goes to the general queue (Webim ≥ 10.4).
type RedirectChat struct {
	ChatID     int64  `json:"chat_id"`
	DepKey     string `json:"dep_key,omitempty"`
	OperatorID int64  `json:"operator_id,omitempty"`
}

// CloseChat is the body of close_chat.
type CloseChat struct {
	ChatID int64 `json:"chat_id"`
}

// ParseChatID turns Event.ChatID back into the integer Webim 2.0 expects.
// A 1.0 uuid fails: 1.0 chats cannot be driven through the API.
func ParseChatID(chatID string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(chatID), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("webim: chat id %q is not a 2.0 integer id: %w", clip.Text(chatID, 40), apperr.ErrInvalid)
	}
	return id, nil
}

// NewTextMessage sends plain text as the bot's operator.
func NewTextMessage(chatID int64, text string) Call {
	return Call{Method: MethodSendMessage, Body: SendMessage{ChatID: chatID, Message: OutMessage{Kind: KindOperator, Text: text}}}
}

// NewKeyboardMessage sends rows of {id, text} buttons.
func NewKeyboardMessage(chatID int64, rows [][]Button) Call {
	return Call{Method: MethodSendMessage, Body: SendMessage{ChatID: chatID, Message: OutMessage{Kind: KindKeyboard, Buttons: rows}}}
}

// NewFileMessage sends a file by URL.
func NewFileMessage(chatID int64, f FileData) Call {
	return Call{Method: MethodSendMessage, Body: SendMessage{ChatID: chatID, Message: OutMessage{Kind: KindFileOperator, Data: &f}}}
}

// NewRedirectToDepartment hands the chat to a department by its letter key.
func NewRedirectToDepartment(chatID int64, depKey string) Call {
	return Call{Method: MethodRedirectChat, Body: RedirectChat{ChatID: chatID, DepKey: depKey}}
}

// NewRedirectToOperator hands the chat to one employee.
func NewRedirectToOperator(chatID int64, operatorID int64) Call {
	return Call{Method: MethodRedirectChat, Body: RedirectChat{ChatID: chatID, OperatorID: operatorID}}
}

// NewRedirectToQueue hands the chat to whoever is free (Webim ≥ 10.4).
func NewRedirectToQueue(chatID int64) Call {
	return Call{Method: MethodRedirectChat, Body: RedirectChat{ChatID: chatID}}
}

// NewCloseChat ends the chat.
func NewCloseChat(chatID int64) Call {
	return Call{Method: MethodCloseChat, Body: CloseChat{ChatID: chatID}}
}
