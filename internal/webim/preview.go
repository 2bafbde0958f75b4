package webim

import (
	"encoding/json"
	"fmt"

	"github.com/botbridge/botbridge/internal/apperr"
)

// Kinds of PreviewItem.
const (
	// PreviewText is a plain-text message (Markdown already rendered, link
	// buttons as "label: url" lines).
	PreviewText = "text"
	// PreviewFile is a file the visitor can open.
	PreviewFile = "file"
	// PreviewKeyboard is a row set of buttons above the visitor's input.
	PreviewKeyboard = "keyboard"
	// PreviewTransfer: the chat is handed to a department, an operator or
	// the queue (neither DepKey nor OperatorID).
	PreviewTransfer = "transfer"
	// PreviewClose: the chat is closed.
	PreviewClose = "close"
)

// PreviewItem is one thing the visitor sees (or that happens to the chat),
// in the order Webim receives it.
type PreviewItem struct {
	Kind string
	// Text is the message exactly as sent (PreviewText).
	Text string
	// File is the file message's data (PreviewFile).
	File *FileData
	// Buttons are the keyboard's rows (PreviewKeyboard); link buttons carry
	// Config.Link.
	Buttons [][]Button
	// DepKey or OperatorID name a transfer's target; neither: the queue.
	DepKey     string
	OperatorID int64
}

// Preview is how Webim will show the given calls to the visitor. It reads
// the calls' bodies as they go over the wire (a typed body from Translate,
// or the json.RawMessage the bridge stores in bridge_events.calls), so what
// the owner previews is what the bridge sends, not a second rendering of
// the bot's reply. "Send a test event" previews the Plan of
// bridge.PlanReply; the activity log previews an event's stored calls.
func Preview(calls []Call) ([]PreviewItem, error) {
	items := make([]PreviewItem, 0, len(calls))
	for _, c := range calls {
		raw, err := json.Marshal(c.Body)
		if err != nil {
			return nil, fmt.Errorf("webim: preview %s: %w", c.Method, err)
		}
		switch c.Method {
		case MethodSendMessage:
			var b struct {
				Message OutMessage `json:"message"`
			}
			if err := json.Unmarshal(raw, &b); err != nil {
				return nil, fmt.Errorf("webim: preview send_message: %w: %w", err, apperr.ErrInvalid)
			}
			m := b.Message
			switch m.Kind {
			case KindOperator:
				items = append(items, PreviewItem{Kind: PreviewText, Text: m.Text})
			case KindFileOperator:
				f := FileData{}
				if m.Data != nil {
					f = *m.Data
				}
				items = append(items, PreviewItem{Kind: PreviewFile, File: &f})
			case KindKeyboard:
				items = append(items, PreviewItem{Kind: PreviewKeyboard, Buttons: m.Buttons})
			default:
				return nil, fmt.Errorf("webim: preview: message kind %q: %w", m.Kind, apperr.ErrInvalid)
			}
		case MethodRedirectChat:
			var b RedirectChat
			if err := json.Unmarshal(raw, &b); err != nil {
				return nil, fmt.Errorf("webim: preview redirect_chat: %w: %w", err, apperr.ErrInvalid)
			}
			items = append(items, PreviewItem{Kind: PreviewTransfer, DepKey: b.DepKey, OperatorID: b.OperatorID})
		case MethodCloseChat:
			items = append(items, PreviewItem{Kind: PreviewClose})
		default:
			return nil, fmt.Errorf("webim: preview: method %q: %w", c.Method, apperr.ErrInvalid)
		}
	}
	return items, nil
}
