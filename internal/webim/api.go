package webim

import (
	"bytes"
	"encoding/json"
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
	// ChatID goes back in the form Webim sent it.
	ChatID  ChatRef    `json:"chat_id"`
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
	ChatID     ChatRef `json:"chat_id"`
	DepKey     string  `json:"dep_key,omitempty"`
	OperatorID int64   `json:"operator_id,omitempty"`
}

// CloseChat is the body of close_chat.
type CloseChat struct {
	ChatID ChatRef `json:"chat_id"`
}

// ChatRef is a chat id the way Webim sent it: a JSON integer (Webim's
// sample bot) or a JSON string (not excluded by any source). Calls about
// the chat send it back in the same form, since which forms an account's
// API accepts is not known.
type ChatRef struct {
	// ID is the id's text: decimal digits for an integer.
	ID string
	// Quoted: Webim sent a JSON string.
	Quoted bool
}

// IntChat is the ChatRef of an integer id.
func IntChat(id int64) ChatRef { return ChatRef{ID: strconv.FormatInt(id, 10)} }

// NewChatRef is the ChatRef of a stored chat id; an unquoted one must be
// an integer (a 1.0 uuid is not: 1.0 chats cannot be driven through the
// API).
func NewChatRef(id string, quoted bool) (ChatRef, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return ChatRef{}, fmt.Errorf("webim: empty chat id: %w", apperr.ErrInvalid)
	}
	if !quoted {
		if _, err := strconv.ParseInt(id, 10, 64); err != nil {
			return ChatRef{}, fmt.Errorf("webim: chat id %q is not a 2.0 integer id: %w", clip.Text(id, 40), apperr.ErrInvalid)
		}
	}
	return ChatRef{ID: id, Quoted: quoted}, nil
}

// MarshalJSON writes the id in the form Webim used.
func (c ChatRef) MarshalJSON() ([]byte, error) {
	if c.Quoted {
		return json.Marshal(c.ID)
	}
	if _, err := strconv.ParseInt(c.ID, 10, 64); err != nil {
		return nil, fmt.Errorf("webim: chat id %q is not an integer", clip.Text(c.ID, 40))
	}
	return []byte(c.ID), nil
}

// UnmarshalJSON reads an integer or a string id.
func (c *ChatRef) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*c = ChatRef{ID: s, Quoted: true}
		return nil
	}
	var n int64
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*c = IntChat(n)
	return nil
}

// Int is the id as an integer (false for a non-numeric string id).
func (c ChatRef) Int() (int64, bool) {
	n, err := strconv.ParseInt(c.ID, 10, 64)
	return n, err == nil
}

// NewTextMessage sends plain text as the bot's operator.
func NewTextMessage(chat ChatRef, text string) Call {
	return Call{Method: MethodSendMessage, Body: SendMessage{ChatID: chat, Message: OutMessage{Kind: KindOperator, Text: text}}}
}

// NewKeyboardMessage sends rows of {id, text} buttons.
func NewKeyboardMessage(chat ChatRef, rows [][]Button) Call {
	return Call{Method: MethodSendMessage, Body: SendMessage{ChatID: chat, Message: OutMessage{Kind: KindKeyboard, Buttons: rows}}}
}

// NewFileMessage sends a file by URL.
func NewFileMessage(chat ChatRef, f FileData) Call {
	return Call{Method: MethodSendMessage, Body: SendMessage{ChatID: chat, Message: OutMessage{Kind: KindFileOperator, Data: &f}}}
}

// NewRedirectToDepartment hands the chat to a department by its letter key.
func NewRedirectToDepartment(chat ChatRef, depKey string) Call {
	return Call{Method: MethodRedirectChat, Body: RedirectChat{ChatID: chat, DepKey: depKey}}
}

// NewRedirectToOperator hands the chat to one employee.
func NewRedirectToOperator(chat ChatRef, operatorID int64) Call {
	return Call{Method: MethodRedirectChat, Body: RedirectChat{ChatID: chat, OperatorID: operatorID}}
}

// NewRedirectToQueue hands the chat to whoever is free (Webim ≥ 10.4).
func NewRedirectToQueue(chat ChatRef) Call {
	return Call{Method: MethodRedirectChat, Body: RedirectChat{ChatID: chat}}
}

// NewCloseChat ends the chat.
func NewCloseChat(chat ChatRef) Call {
	return Call{Method: MethodCloseChat, Body: CloseChat{ChatID: chat}}
}
