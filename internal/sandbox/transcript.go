package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/botbridge/botbridge/internal/webim"
	"github.com/botbridge/botbridge/web/i18n"
)

// Transcript is one chat as the visitor sees it: their own messages, the
// bot's messages, and the transfer and close notices, in order.
type Transcript struct {
	// ChatID is 0 for a chat that does not exist.
	ChatID int64 `json:"chat_id"`
	// StringID: the chat's id travels as a JSON string ("1001"), in the
	// webhooks and, required, in the API calls about it.
	StringID bool    `json:"string_id"`
	Visitor  Visitor `json:"visitor"`
	// State is StateBot, StateTransferred or StateClosed.
	State string `json:"state"`
	// Target describes where the chat was transferred ("department sales",
	// "operator 42", "the queue"); Transfer is the redirect_chat body.
	Target   string              `json:"target,omitempty"`
	Transfer *webim.RedirectChat `json:"transfer,omitempty"`
	Messages []Message           `json:"messages"`
	// StartDelivery is how botbridge answered the new_chat webhook.
	StartDelivery *WebhookResult `json:"start_delivery,omitempty"`
	// Returns are how botbridge answered each new_chat of a return to the
	// bot, in order.
	Returns []WebhookResult `json:"returns,omitempty"`
	// ChatEvents are the calls of the chat events URL about this chat.
	ChatEvents []ChatEventResult `json:"chat_events,omitempty"`
	// Version increases with every change, so a page can skip re-rendering.
	Version int `json:"version"`
}

// Visitor is the person in the chat.
type Visitor struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Message is one line of a transcript.
type Message struct {
	// ID is the Webim message id: sent in the webhook for visitor messages,
	// assigned by the sandbox for bot messages (a keyboard_response names
	// its keyboard's ID).
	ID string `json:"id"`
	// From is FromVisitor, FromBot, FromOperator or FromSystem.
	From string `json:"from"`
	// Kind is Webim's kind (visitor, keyboard_response, sticker_visitor,
	// operator, keyboard, file_operator) or a notice kind (KindTransfer,
	// KindClose, KindReturn).
	Kind string `json:"kind"`
	// Text is the message text, the pressed button's text, or the notice
	// (in English; the page shows it in its language). A keyboard may have
	// a text above its buttons.
	Text string `json:"text,omitempty"`
	// Data is the data of a visitor kind the bridge does not model (a
	// sticker's {"stickerId": 7}), as sent.
	Data    json.RawMessage  `json:"data,omitempty"`
	Buttons [][]webim.Button `json:"buttons,omitempty"`
	File    *webim.FileData  `json:"file,omitempty"`
	// Button is the pressed button of a keyboard_response; ReplyTo is the
	// id of the keyboard message it answers.
	Button  *webim.Button `json:"button,omitempty"`
	ReplyTo string        `json:"reply_to,omitempty"`
	At      time.Time     `json:"at"`
	// Delivery is how botbridge answered the webhook of a visitor message
	// (nil while it is being sent).
	Delivery *WebhookResult `json:"delivery,omitempty"`

	noteKey, noteArg string // a notice's catalog key and argument
}

// notice is a system line; its text is the catalog's English.
func notice(kind, key, arg string) Message {
	m := Message{ID: newID(8), From: FromSystem, Kind: kind, At: time.Now().UTC(), noteKey: key, noteArg: arg}
	m.Text = localText(i18n.EN, key, arg)
	return m
}

// localText formats a key with its one optional argument.
func localText(l i18n.Lang, key, arg string) string {
	if arg == "" {
		return l.T(key)
	}
	return l.T(key, arg)
}

// ChatEventResult is one call of the chat events URL.
type ChatEventResult struct {
	// Event is chat_assigned or chat_closed.
	Event string `json:"event"`
	// Status is the HTTP status, 0 when there was no answer; OK is 2xx.
	Status int    `json:"status"`
	OK     bool   `json:"ok"`
	Note   string `json:"note"`
	Body   string `json:"body,omitempty"`
	noteText
}

func (e ChatEventResult) localizedNote(l i18n.Lang) string { return e.noteText.in(l, e.Note) }

// localized is the transcript with its notices and notes in l.
func (t Transcript) localized(l i18n.Lang) Transcript {
	t = t.clone()
	for i := range t.Messages {
		m := &t.Messages[i]
		if m.noteKey != "" {
			m.Text = localText(l, m.noteKey, m.noteArg)
		}
		if m.Delivery != nil {
			d := m.Delivery.localized(l)
			m.Delivery = &d
		}
	}
	if t.StartDelivery != nil {
		d := t.StartDelivery.localized(l)
		t.StartDelivery = &d
	}
	for i := range t.Returns {
		t.Returns[i] = t.Returns[i].localized(l)
	}
	for i := range t.ChatEvents {
		t.ChatEvents[i].Note = t.ChatEvents[i].noteText.in(l, t.ChatEvents[i].Note)
	}
	return t
}

// clone copies t so callers never share the live slice.
func (t Transcript) clone() Transcript {
	t.Messages = slices.Clone(t.Messages)
	t.Returns = slices.Clone(t.Returns)
	t.ChatEvents = slices.Clone(t.ChatEvents)
	if t.Messages == nil {
		t.Messages = []Message{}
	}
	if t.Transfer != nil {
		tr := *t.Transfer
		t.Transfer = &tr
	}
	return t
}

// BotMessages returns the bot's messages in order.
func (t Transcript) BotMessages() []Message {
	var out []Message
	for _, m := range t.Messages {
		if m.From == FromBot {
			out = append(out, m)
		}
	}
	return out
}

// BotTexts returns the text of every operator (text) message of the bot.
func (t Transcript) BotTexts() []string {
	var out []string
	for _, m := range t.Messages {
		if m.From == FromBot && m.Kind == webim.KindOperator {
			out = append(out, m.Text)
		}
	}
	return out
}

// Keyboards returns the button rows of every keyboard message, in order.
func (t Transcript) Keyboards() [][][]webim.Button {
	var out [][][]webim.Button
	for _, m := range t.Messages {
		if m.From == FromBot && m.Kind == webim.KindKeyboard {
			out = append(out, m.Buttons)
		}
	}
	return out
}

// Files returns the files the bot sent, in order.
func (t Transcript) Files() []webim.FileData {
	var out []webim.FileData
	for _, m := range t.Messages {
		if m.From == FromBot && m.File != nil {
			out = append(out, *m.File)
		}
	}
	return out
}

// OperatorTexts returns what the operator wrote in the console, in order.
func (t Transcript) OperatorTexts() []string {
	var out []string
	for _, m := range t.Messages {
		if m.From == FromOperator {
			out = append(out, m.Text)
		}
	}
	return out
}

// Notices returns the transfer, return and close notices, in order.
func (t Transcript) Notices() []string {
	var out []string
	for _, m := range t.Messages {
		if m.From == FromSystem {
			out = append(out, m.Text)
		}
	}
	return out
}

// String renders the transcript for test failure messages.
func (t Transcript) String() string {
	if t.ChatID == 0 {
		return "(no such chat)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "chat %d (%s), visitor %q, state %s", t.ChatID, t.Visitor.ID, t.Visitor.Name, t.State)
	if t.Target != "" {
		fmt.Fprintf(&b, " → %s", t.Target)
	}
	if d := t.StartDelivery; d != nil && !d.OK {
		fmt.Fprintf(&b, "\n  new_chat webhook: %s", d.Note)
	}
	for _, e := range t.ChatEvents {
		fmt.Fprintf(&b, "\n  chat event %s: %s", e.Event, e.Note)
	}
	for _, m := range t.Messages {
		fmt.Fprintf(&b, "\n  %-7s %-17s", m.From, m.Kind)
		switch {
		case m.Kind == webim.KindKeyboard:
			for _, row := range m.Buttons {
				b.WriteString(" [")
				for i, btn := range row {
					if i > 0 {
						b.WriteString(" | ")
					}
					fmt.Fprintf(&b, "%s=%q", btn.ID, btn.Text)
				}
				b.WriteString("]")
			}
		case m.File != nil:
			fmt.Fprintf(&b, " %s (%s) %s", m.File.Name, m.File.MediaType, m.File.URL)
		case m.Button != nil:
			fmt.Fprintf(&b, " %s=%q", m.Button.ID, m.Button.Text)
		case m.Data != nil:
			fmt.Fprintf(&b, " %s", m.Data)
		default:
			fmt.Fprintf(&b, " %q", m.Text)
		}
		if d := m.Delivery; d != nil && !d.OK {
			fmt.Fprintf(&b, " (webhook: %s)", d.Note)
		}
	}
	return b.String()
}

// Transcript returns a copy of the chat; ChatID is 0 when it does not exist.
func (s *Server) Transcript(chatID int64) Transcript {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.chats[chatID]
	if !ok {
		return Transcript{Messages: []Message{}}
	}
	return c.t.clone()
}

// WaitFor waits until cond holds for the chat's transcript and returns it.
// It is woken by every change, so it needs no polling interval. When ctx
// ends first, the error says so and includes the transcript as it was.
func (s *Server) WaitFor(ctx context.Context, chatID int64, cond func(Transcript) bool) (Transcript, error) {
	for {
		s.mu.Lock()
		var t Transcript
		if c, ok := s.chats[chatID]; ok {
			t = c.t.clone()
		} else {
			t = Transcript{Messages: []Message{}}
		}
		ch := s.changed
		s.mu.Unlock()
		if t.ChatID != 0 && cond(t) {
			return t, nil
		}
		select {
		case <-ctx.Done():
			return t, fmt.Errorf("sandbox: waiting for chat %d: %w; transcript so far:\n%s", chatID, ctx.Err(), t)
		case <-ch:
		}
	}
}

// HasBotText holds once a bot text message contains substr.
func HasBotText(substr string) func(Transcript) bool {
	return func(t Transcript) bool {
		for _, s := range t.BotTexts() {
			if strings.Contains(s, substr) {
				return true
			}
		}
		return false
	}
}

// InState holds once the chat is in state (StateTransferred, StateClosed…).
func InState(state string) func(Transcript) bool {
	return func(t Transcript) bool { return t.State == state }
}

// HasKeyboardButton holds once a keyboard with a button of that id arrived.
func HasKeyboardButton(id string) func(Transcript) bool {
	return func(t Transcript) bool {
		for _, kb := range t.Keyboards() {
			for _, row := range kb {
				for _, b := range row {
					if b.ID == id {
						return true
					}
				}
			}
		}
		return false
	}
}

// HasOperatorText holds once something the operator wrote in the console
// contains substr.
func HasOperatorText(substr string) func(Transcript) bool {
	return func(t Transcript) bool {
		for _, s := range t.OperatorTexts() {
			if strings.Contains(s, substr) {
				return true
			}
		}
		return false
	}
}

// HasChatEvent holds once the chat events URL was called with event and
// answered (any status).
func HasChatEvent(event string) func(Transcript) bool {
	return func(t Transcript) bool {
		for _, e := range t.ChatEvents {
			if e.Event == event {
				return true
			}
		}
		return false
	}
}
