// Package webim speaks Webim's External Bot API: it parses the webhooks
// Webim pushes, builds the API calls the bridge makes back, classifies
// Webim's answers, and translates a bot's reply (package botapi) into the
// plain text and {id, text} keyboards Webim can show. It does no I/O.
package webim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/botbridge/botbridge/internal/jsonerr"

	"github.com/botbridge/botbridge/internal/apperr"
)

// Bot API versions. 2.0 is asynchronous (answers go through the API); 1.0
// is synchronous (the answer is the webhook's response body).
const (
	// Version1 is the legacy synchronous API (uuid chat ids, flat messages).
	Version1 = "1.0"
	// Version2 is the asynchronous API (integer chat ids), the default.
	Version2 = "2.0"
)

// Event names Webim sends. Anything else is tolerated (see Event.IsKnown).
const (
	// EventNewChat: a chat was assigned to the bot, maybe with history.
	EventNewChat = "new_chat"
	// EventNewMessage: the visitor sent one message.
	EventNewMessage = "new_message"
)

// Visitor message kinds the bridge understands.
const (
	// KindVisitor is a text message.
	KindVisitor = "visitor"
	// KindFileVisitor is a file upload; Message.File is set.
	KindFileVisitor = "file_visitor"
	// KindKeyboardResponse is a button press; Message.Button is set.
	KindKeyboardResponse = "keyboard_response"
	// KindOperatorMessage is an operator's (or the bot's) text in a chat's
	// history; it never arrives as new_message.
	KindOperatorMessage = "operator"
)

// HeaderWebimVersion is the header Webim ≥ 10.3 puts on every webhook
// request with its release, e.g. "10.5.62".
const HeaderWebimVersion = "X-Webim-Version"

// MaxWebhookBytes bounds a webhook body; the ingress should stop reading
// there too. Real events are a few kilobytes.
const MaxWebhookBytes = 1 << 20

// maxIDLen bounds ids because they end up in unique database keys.
const maxIDLen = 256

// Event is a Webim webhook normalised across API versions.
type Event struct {
	// Version is the Bot API version the event was parsed as.
	Version string
	// Name is Webim's event name, also for events this package does not know.
	Name string
	// ChatID is Webim's chat id as a string: a 2.0 integer in decimal, a
	// string id (1.0 uuids, and 2.0 ids sent as strings) as is.
	ChatID string
	// ChatIDQuoted: Webim sent the chat id as a JSON string, so calls about
	// the chat send it back as one (see ChatRef).
	ChatIDQuoted bool
	Visitor      Visitor
	// Messages are the message of a new_message, or the history of a
	// new_chat in order, of every kind (operator messages included).
	Messages []Message
	// WebimVersion is the X-Webim-Version of the request ("" when absent);
	// the ingress sets it, the body does not carry it.
	WebimVersion string
	// BodyHash is the hex SHA-256 of the raw body; DedupKey falls back to it
	// when a 1.0 message carries no id.
	BodyHash string
}

// Visitor is who writes in the chat; fields Webim does not know are "".
type Visitor struct {
	ID    string
	Name  string
	Phone string
	Email string
}

// Message is one visitor message.
type Message struct {
	ID   string
	Kind string
	Text string
	// File is set for file_visitor.
	File *File
	// Button is set for keyboard_response: the button the visitor pressed.
	Button *Button
	// ReplyToMessageID is the keyboard message a keyboard_response answers.
	ReplyToMessageID string
	// Data is the message's raw data object for kinds botbridge does not
	// model (stickers, contacts, …), passed on to the bot as it came.
	Data json.RawMessage
}

// FromVisitor reports whether the message was written by the visitor:
// the kinds botbridge models, and unknown ones named like Webim's visitor
// kinds (sticker_visitor, …) or known visitor-side ones (contacts,
// apple_chat_response). Operator, bot and system messages of a history
// are not.
func (m Message) FromVisitor() bool {
	switch m.Kind {
	case KindVisitor, KindFileVisitor, KindKeyboardResponse, "contacts", "apple_chat_response":
		return true
	}
	return strings.HasSuffix(m.Kind, "_visitor")
}

// File is a file the visitor sent; URL points at Webim and needs no token.
type File struct {
	URL       string
	Name      string
	MediaType string
	Size      int64
}

// Button is a keyboard button, both in a visitor's press and in our keyboards.
type Button struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	// Config and Params describe a link button the way Webim's own keyboard
	// model does (config.link, params.type "url"); sent only when the
	// integration opts in (unconfirmed for bots, see Options.LinkButtons).
	Config *ButtonConfig `json:"config,omitempty"`
	Params *ButtonParams `json:"params,omitempty"`
}

// ButtonConfig is a keyboard button's config in Webim's model.
type ButtonConfig struct {
	Link string `json:"link,omitempty"`
}

// ButtonParams is a keyboard button's params in Webim's model.
type ButtonParams struct {
	Type string `json:"type,omitempty"`
}

// IsKnown reports whether the event is one the bridge acts on. Unknown
// events must still be answered 200 (and logged) so Webim does not retry.
func (e Event) IsKnown() bool { return e.Name == EventNewChat || e.Name == EventNewMessage }

// DedupKey identifies the event for "store once" purposes: "chat:<chat>"
// for new_chat, "msg:<chat>:<message>" for new_message. A 1.0 message
// without an id falls back to the body hash ("msg:<chat>:sha256:<hex>"):
// a redelivery then dedupes, but so would two byte-identical 1.0 messages,
// which is acceptable because 1.0 is synchronous and Webim waits for our
// answer before sending the next one. Other events get "event:<name>:sha256:<hex>".
func DedupKey(ev Event) string {
	switch ev.Name {
	case EventNewChat:
		return "chat:" + ev.ChatID
	case EventNewMessage:
		if len(ev.Messages) > 0 && ev.Messages[0].ID != "" {
			return "msg:" + ev.ChatID + ":" + ev.Messages[0].ID
		}
		return "msg:" + ev.ChatID + ":sha256:" + ev.BodyHash
	default:
		return "event:" + ev.Name + ":sha256:" + ev.BodyHash
	}
}

// Wire shapes. Pointers tell "missing" from "zero"; json.RawMessage is used
// where Webim's type is not pinned down (ids may be strings or integers).
type (
	wireVisitor struct {
		ID     json.RawMessage `json:"id"`
		Fields *wireFields     `json:"fields"`
	}
	wireFields struct {
		Name        *string `json:"name"`
		DisplayName *string `json:"display_name"`
		Phone       *string `json:"phone"`
		Email       *string `json:"email"`
	}
	wireMessage struct {
		ID       json.RawMessage `json:"id"`
		Kind     *string         `json:"kind"`
		Text     *string         `json:"text"`
		Data     json.RawMessage `json:"data"`
		Response json.RawMessage `json:"response"` // 1.0 keyboard_response
	}
	wireFileData struct {
		URL       *string `json:"url"`
		Name      *string `json:"name"`
		MediaType *string `json:"media_type"`
		Size      *int64  `json:"size"`
	}
	wireKeyboardData struct {
		Button *struct {
			ID   json.RawMessage `json:"id"`
			Text *string         `json:"text"`
		} `json:"button"`
		Request *struct {
			MessageID json.RawMessage `json:"messageId"`
		} `json:"request"`
	}
	wireNewChatV2 struct {
		Chat *struct {
			ID json.RawMessage `json:"id"`
		} `json:"chat"`
		Visitor  *wireVisitor  `json:"visitor"`
		Messages []wireMessage `json:"messages"`
	}
	wireNewMessageV2 struct {
		ChatID  json.RawMessage `json:"chat_id"`
		Message *wireMessage    `json:"message"`
	}
	wireChatV1 struct {
		Chat *struct {
			ID *string `json:"id"`
		} `json:"chat"`
	}
	wireNewChatV1 struct {
		wireChatV1
		Visitor  *wireVisitor  `json:"visitor"`
		Messages []wireMessage `json:"messages"`
	}
	wireNewMessageV1 struct {
		wireChatV1
		wireMessage
	}
)

// twoPasses turns off ParseWebhook's one-decoding path for 2.0
// new_message: the fuzz test sets it to check both paths agree on every
// body.
var twoPasses atomic.Bool

// ParseWebhook parses a webhook body sent with Bot API version "1.0" or
// "2.0". Unknown keys are ignored (Webim adds fields over time) but known
// keys must have the documented types. Errors wrap apperr.ErrInvalid with a
// short reason safe to log; an unknown event name is not an error.
func ParseWebhook(version string, body []byte) (Event, error) {
	if version != Version1 && version != Version2 {
		return Event{}, invalid(fmt.Sprintf("unsupported version %q", version))
	}
	if len(body) > MaxWebhookBytes {
		return Event{}, invalid(fmt.Sprintf("body larger than %d bytes", MaxWebhookBytes))
	}
	if !utf8.Valid(body) {
		return Event{}, invalid("body is not valid UTF-8")
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return Event{}, invalid("body must be a JSON object")
	}
	// Most webhooks are 2.0 new_message: one decoding reads the event's
	// name and that shape together (JSON was 9 % of ingest's CPU, half of
	// it a first pass for the name alone). When that decoding fails (a
	// mistyped field of new_message, or of a field another event uses
	// differently), the name is read alone and the event's own decoding
	// says what is wrong, as it always did.
	var fast struct {
		Event *string `json:"event"`
		wireNewMessageV2
	}
	fastOK := !twoPasses.Load() && version == Version2 && json.Unmarshal(trimmed, &fast) == nil
	name := fast.Event
	if !fastOK {
		var head struct {
			Event *string `json:"event"`
		}
		if err := json.Unmarshal(trimmed, &head); err != nil {
			return Event{}, invalid(jsonerr.Reason(err))
		}
		name = head.Event
	}
	if name == nil || *name == "" {
		return Event{}, invalid("event is required")
	}
	sum := sha256.Sum256(body)
	ev := Event{Version: version, Name: *name, BodyHash: hex.EncodeToString(sum[:])}
	var err error
	switch {
	case ev.Name == EventNewChat && version == Version2:
		err = parseNewChatV2(trimmed, &ev)
	case ev.Name == EventNewMessage && version == Version2 && fastOK:
		err = buildNewMessageV2(fast.wireNewMessageV2, &ev)
	case ev.Name == EventNewMessage && version == Version2:
		err = parseNewMessageV2(trimmed, &ev)
	case ev.Name == EventNewChat:
		err = parseNewChatV1(trimmed, &ev)
	case ev.Name == EventNewMessage:
		err = parseNewMessageV1(trimmed, &ev)
	}
	if err != nil {
		return Event{}, err
	}
	stripNUL(&ev)
	return ev, nil
}

// stripNUL removes U+0000 from every string of the event. JSON allows it,
// PostgreSQL text and jsonb do not: kept, it would make the store fail and
// Webim retry the same message for ever. Nothing a person typed is lost.
func stripNUL(ev *Event) {
	clean := func(s *string) {
		if strings.IndexByte(*s, 0) >= 0 {
			*s = strings.ReplaceAll(*s, "\x00", "")
		}
	}
	// The event name is left alone: "new_chat\x00" is not new_chat, it is an
	// unknown event (answered 200, never stored).
	clean(&ev.ChatID)
	for _, f := range []*string{&ev.Visitor.ID, &ev.Visitor.Name, &ev.Visitor.Phone, &ev.Visitor.Email} {
		clean(f)
	}
	for i := range ev.Messages {
		m := &ev.Messages[i]
		clean(&m.ID)
		clean(&m.Kind)
		clean(&m.Text)
		clean(&m.ReplyToMessageID)
		if m.File != nil {
			clean(&m.File.URL)
			clean(&m.File.Name)
			clean(&m.File.MediaType)
		}
		if m.Button != nil {
			clean(&m.Button.ID)
			clean(&m.Button.Text)
		}
		m.Data = stripNULJSON(m.Data)
	}
}

// stripNULJSON removes U+0000 from the strings of a raw JSON value (jsonb
// refuses the \u0000 escape as text refuses the byte).
func stripNULJSON(raw json.RawMessage) json.RawMessage {
	if !bytes.Contains(raw, []byte(`\u0000`)) {
		return raw
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	var walk func(any) any
	walk = func(v any) any {
		switch t := v.(type) {
		case string:
			return strings.ReplaceAll(t, "\x00", "")
		case []any:
			for i := range t {
				t[i] = walk(t[i])
			}
		case map[string]any:
			out := make(map[string]any, len(t))
			for k, x := range t {
				out[strings.ReplaceAll(k, "\x00", "")] = walk(x)
			}
			return out
		}
		return v
	}
	b, err := json.Marshal(walk(v))
	if err != nil {
		return nil
	}
	return b
}

func parseNewChatV2(body []byte, ev *Event) error {
	var w wireNewChatV2
	if err := json.Unmarshal(body, &w); err != nil {
		return invalid(jsonerr.Reason(err))
	}
	if w.Chat == nil {
		return invalid("chat.id is required")
	}
	if err := chatIDV2(w.Chat.ID, "chat.id", ev); err != nil {
		return err
	}
	return fillChat(ev, w.Visitor, w.Messages)
}

func parseNewChatV1(body []byte, ev *Event) error {
	var w wireNewChatV1
	if err := json.Unmarshal(body, &w); err != nil {
		return invalid(jsonerr.Reason(err))
	}
	id, err := w.chatID()
	if err != nil {
		return err
	}
	ev.ChatID = id
	return fillChat(ev, w.Visitor, w.Messages)
}

func (w wireChatV1) chatID() (string, error) {
	if w.Chat == nil || w.Chat.ID == nil || *w.Chat.ID == "" {
		return "", invalid("chat.id is required")
	}
	if len(*w.Chat.ID) > maxIDLen {
		return "", invalid("chat.id is too long")
	}
	return *w.Chat.ID, nil
}

// fillChat sets the visitor and the history of a new_chat. History holds
// operator and system messages too; every kind is kept (the bridge needs
// operator messages when a chat comes back to the bot) and none of an
// unknown kind is refused, so the chat always starts.
func fillChat(ev *Event, v *wireVisitor, msgs []wireMessage) error {
	if v != nil {
		id, err := flexID(v.ID, "visitor.id")
		if err != nil {
			return err
		}
		ev.Visitor.ID = id
		if f := v.Fields; f != nil {
			ev.Visitor.Name = deref(f.Name)
			if ev.Visitor.Name == "" {
				ev.Visitor.Name = deref(f.DisplayName)
			}
			ev.Visitor.Phone = deref(f.Phone)
			ev.Visitor.Email = deref(f.Email)
		}
	}
	for i, wm := range msgs {
		m, err := parseMessage(wm, ev.Version, fmt.Sprintf("messages[%d]", i))
		if err != nil {
			return err
		}
		ev.Messages = append(ev.Messages, m)
	}
	return nil
}

func parseNewMessageV2(body []byte, ev *Event) error {
	var w wireNewMessageV2
	if err := json.Unmarshal(body, &w); err != nil {
		return invalid(jsonerr.Reason(err))
	}
	return buildNewMessageV2(w, ev)
}

// buildNewMessageV2 builds a 2.0 new_message from its decoded shape.
func buildNewMessageV2(w wireNewMessageV2, ev *Event) error {
	if err := chatIDV2(w.ChatID, "chat_id", ev); err != nil {
		return err
	}
	if w.Message == nil {
		return invalid("message is required")
	}
	m, err := parseMessage(*w.Message, ev.Version, "message")
	if err != nil {
		return err
	}
	// A message without an id (not pinned by any source) is deduplicated
	// by the body's hash, as 1.0 messages are (see DedupKey).
	ev.Messages = []Message{m}
	return nil
}

func parseNewMessageV1(body []byte, ev *Event) error {
	var w wireNewMessageV1
	if err := json.Unmarshal(body, &w); err != nil {
		return invalid(jsonerr.Reason(err))
	}
	id, err := w.chatID()
	if err != nil {
		return err
	}
	ev.ChatID = id
	m, err := parseMessage(w.wireMessage, ev.Version, "message")
	if err != nil {
		return err
	}
	ev.Messages = []Message{m}
	return nil
}

// chatIDV2 reads a 2.0 chat id: an integer in Webim's sample bot, but not
// pinned by any source, so a string is accepted too (and remembered, so
// calls send it back the same way).
func chatIDV2(raw json.RawMessage, field string, ev *Event) error {
	if isNull(raw) {
		return invalid(field + " is required")
	}
	id, err := flexID(raw, field)
	if err != nil {
		return err
	}
	if id == "" {
		return invalid(field + " is required")
	}
	ev.ChatID, ev.ChatIDQuoted = id, raw[0] == '"'
	return nil
}

// parseMessage validates one visitor message; path names it in errors.
func parseMessage(w wireMessage, version, path string) (Message, error) {
	id, err := flexID(w.ID, path+".id")
	if err != nil {
		return Message{}, err
	}
	m := Message{ID: id, Kind: deref(w.Kind), Text: deref(w.Text)}
	switch m.Kind {
	case "":
		return Message{}, invalid(path + ".kind is required")
	case KindVisitor:
	case KindFileVisitor:
		// The data shape is not pinned by any source: a file without data,
		// or without a URL, still reaches the bot with what is known.
		m.File = &File{}
		if !isNull(w.Data) {
			var d wireFileData
			if err := json.Unmarshal(w.Data, &d); err != nil {
				return Message{}, invalid(path + ".data: " + jsonerr.Reason(err))
			}
			m.File = &File{URL: deref(d.URL), Name: deref(d.Name), MediaType: deref(d.MediaType)}
			if d.Size != nil {
				m.File.Size = *d.Size
			}
		}
	case KindKeyboardResponse:
		// 2.0 puts the press under data; 1.0 under response. Either is
		// accepted in both versions because neither is documented by Webim
		// itself and a wrong guess would lose the press.
		raw, where := w.Data, ".data"
		if isNull(raw) || version == Version1 && !isNull(w.Response) {
			raw, where = w.Response, ".response"
		}
		if isNull(raw) {
			return Message{}, invalid(path + where + ".button is required for keyboard_response")
		}
		var d wireKeyboardData
		if err := json.Unmarshal(raw, &d); err != nil {
			return Message{}, invalid(path + where + ": " + jsonerr.Reason(err))
		}
		if d.Button == nil {
			return Message{}, invalid(path + where + ".button is required")
		}
		bid, err := flexID(d.Button.ID, path+where+".button.id")
		if err != nil {
			return Message{}, err
		}
		if bid == "" {
			return Message{}, invalid(path + where + ".button.id is required")
		}
		m.Button = &Button{ID: bid, Text: deref(d.Button.Text)}
		if m.Button.Text == "" {
			m.Button.Text = m.Text
		}
		if m.Text == "" {
			m.Text = m.Button.Text
		}
		if d.Request != nil {
			if m.ReplyToMessageID, err = flexID(d.Request.MessageID, path+where+".request.messageId"); err != nil {
				return Message{}, err
			}
		}
	default:
		// A kind botbridge does not model (sticker_visitor, contacts, …; or
		// operator and system messages of a history): its data goes on as
		// it came, if it is JSON at all.
		if !isNull(w.Data) {
			m.Data = bytes.Clone(w.Data)
		}
	}
	return m, nil
}

// flexID reads an id that Webim may send as a string or an integer; other
// types are rejected. Missing or null gives "".
func flexID(raw json.RawMessage, field string) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	var id string
	switch raw[0] {
	case '"':
		if err := json.Unmarshal(raw, &id); err != nil {
			return "", invalid(field + " must be a string or an integer")
		}
	default:
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return "", invalid(field + " must be a string or an integer")
		}
		id = strconv.FormatInt(n, 10)
	}
	if len(id) > maxIDLen {
		return "", invalid(field + " is too long")
	}
	return id, nil
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func invalid(reason string) error {
	return fmt.Errorf("webim: webhook: %s: %w", reason, apperr.ErrInvalid)
}
