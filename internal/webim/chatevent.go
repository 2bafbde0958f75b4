package webim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/botbridge/botbridge/internal/clip"
	"github.com/botbridge/botbridge/internal/jsonerr"
)

// Webim's account-level chat event handlers (general settings →
// integration), separate from the bot API. Their payloads are not public:
// everything about them is parsed tolerantly (see docs/webim.md).
const (
	// ChatEventStarted: a chat began (once per chat).
	ChatEventStarted = "chat_started"
	// ChatEventAssigned: a chat was assigned to an operator (each time).
	ChatEventAssigned = "chat_assigned"
	// ChatEventClosed: a chat was closed for good.
	ChatEventClosed = "chat_closed"
)

// ChatEvent is one call of a chat event handler.
type ChatEvent struct {
	// Name is the event, from the URL's last segment or the body's event
	// (or type) field; any name is kept, known or not.
	Name         string
	ChatID       string
	ChatIDQuoted bool
	// OperatorID and OperatorName say who a chat_assigned went to, when
	// the body names them.
	OperatorID, OperatorName string
	// Raw is the body as it came (NUL characters dropped, for jsonb).
	Raw json.RawMessage
	// BodyHash is the hex SHA-256 of the body: the event's dedup key.
	BodyHash string
}

// ParseChatEvent reads a chat event handler call. Only a body that is no
// JSON object at all, or names no event anywhere, is refused; a missing
// chat id gives ChatID "" (the caller records the call and stores nothing).
func ParseChatEvent(pathEvent string, body []byte) (ChatEvent, error) {
	if len(body) > MaxWebhookBytes {
		return ChatEvent{}, invalid("body larger than 1 MiB")
	}
	if !utf8.Valid(body) {
		return ChatEvent{}, invalid("body is not valid UTF-8")
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return ChatEvent{}, invalid("body must be a JSON object")
	}
	var w map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &w); err != nil {
		return ChatEvent{}, invalid(jsonerr.Reason(err))
	}
	sum := sha256.Sum256(body)
	ev := ChatEvent{Name: strings.TrimSpace(pathEvent), Raw: stripNULJSON(bytes.Clone(trimmed)), BodyHash: hex.EncodeToString(sum[:])}
	if ev.Name == "" {
		ev.Name = firstString(w, "event", "type", "event_type")
	}
	if ev.Name == "" {
		return ChatEvent{}, invalid("event is required (in the URL or the body)")
	}
	var chat map[string]json.RawMessage
	if raw, ok := w["chat"]; ok && len(raw) > 0 && raw[0] == '{' {
		_ = json.Unmarshal(raw, &chat)
	}
	for _, src := range []struct {
		obj map[string]json.RawMessage
		key string
	}{{chat, "id"}, {w, "chat_id"}, {w, "id"}} {
		if raw, ok := src.obj[src.key]; ok && !isNull(raw) {
			if id, err := flexID(raw, "chat id"); err == nil && id != "" {
				ev.ChatID, ev.ChatIDQuoted = strings.ReplaceAll(id, "\x00", ""), raw[0] == '"'
				break
			}
		}
	}
	var op map[string]json.RawMessage
	for _, src := range []map[string]json.RawMessage{w, chat} {
		if raw, ok := src["operator"]; ok && len(raw) > 0 && raw[0] == '{' && op == nil {
			_ = json.Unmarshal(raw, &op)
		}
	}
	if raw, ok := op["id"]; ok {
		ev.OperatorID, _ = flexID(raw, "operator.id")
	}
	if ev.OperatorID == "" {
		if raw, ok := w["operator_id"]; ok {
			ev.OperatorID, _ = flexID(raw, "operator_id")
		}
	}
	ev.OperatorName = firstString(op, "name", "fullname", "full_name")
	if ev.OperatorName == "" {
		ev.OperatorName = firstString(w, "operator_name")
	}
	ev.OperatorName = clip.Text(ev.OperatorName, 200)
	return ev, nil
}

// firstString is the first of keys in m that holds a JSON string.
func firstString(m map[string]json.RawMessage, keys ...string) string {
	for _, k := range keys {
		var s string
		if raw, ok := m[k]; ok && json.Unmarshal(raw, &s) == nil && strings.TrimSpace(s) != "" {
			return strings.ReplaceAll(strings.TrimSpace(s), "\x00", "")
		}
	}
	return ""
}
