package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/botbridge/botbridge/internal/clip"
	"github.com/botbridge/botbridge/internal/jsonerr"

	"github.com/botbridge/botbridge/internal/webim"
	"github.com/botbridge/botbridge/web/i18n"
)

// Visitor-side errors.
var (
	ErrChatNotFound  = errors.New("sandbox: no such chat")
	ErrChatClosed    = errors.New("sandbox: the chat is closed")
	ErrUnknownButton = errors.New("sandbox: no keyboard in this chat has that button")
	ErrInvalid       = errors.New("sandbox: invalid input")
)

// Limits on what a visitor may send.
const (
	maxNameLen = 100
	maxTextLen = 10000
)

// WebhookResult is how botbridge answered a webhook.
type WebhookResult struct {
	URL string `json:"url"`
	// Status is the HTTP status, 0 when there was no answer.
	Status int `json:"status"`
	// OK: 2xx with {"result":"ok"} (2.0), or 200 with a parseable answer (1.0).
	OK bool `json:"ok"`
	// Body is the start of the answer, for diagnosis.
	Body string `json:"body,omitempty"`
	// Note explains the result to a person ("botbridge answered 404: …"),
	// in English; the page shows it in its language.
	Note string `json:"note"`
	noteText
}

// noteText is a note's catalog key and arguments, so the page can show it
// in its own language.
type noteText struct {
	key  string
	args []any
}

func (n noteText) in(l i18n.Lang, fallback string) string {
	if n.key == "" {
		return fallback
	}
	return l.T(n.key, n.args...)
}

// setNote sets the note from the catalog (English in Note).
func (r *WebhookResult) setNote(key string, args ...any) {
	r.noteText = noteText{key: key, args: args}
	r.Note = i18n.EN.T(key, args...)
}

func (r WebhookResult) localized(l i18n.Lang) WebhookResult {
	r.Note = r.in(l, r.Note)
	return r
}

// WebhookError is returned by the visitor actions when botbridge did not
// accept the webhook. The action itself happened (the chat exists, the
// message is in the transcript).
type WebhookError struct {
	Result WebhookResult
}

func (e *WebhookError) Error() string { return "sandbox: webhook: " + e.Result.Note }

func (r WebhookResult) err() error {
	if r.OK {
		return nil
	}
	return &WebhookError{Result: r}
}

// Webhook payloads of Bot API 2.0, as webim-bot-api.md documents them.
type (
	wireNewChat struct {
		Event    string        `json:"event"`
		Chat     wireChat      `json:"chat"`
		Visitor  wireVisitor   `json:"visitor"`
		Messages []wireMessage `json:"messages"`
	}
	wireChat struct {
		ID any `json:"id"` // int64 in 2.0, uuid string in 1.0
	}
	wireVisitor struct {
		ID     string            `json:"id"`
		Fields map[string]string `json:"fields"`
	}
	wireNewMessage struct {
		Event   string      `json:"event"`
		ChatID  any         `json:"chat_id"` // int64, or a string with StringChatIDs
		Message wireMessage `json:"message"`
	}
	wireMessage struct {
		ID      string           `json:"id,omitempty"` // left out with NoMessageIDs
		Kind    string           `json:"kind"`
		Text    string           `json:"text,omitempty"`
		Buttons [][]webim.Button `json:"buttons,omitempty"` // a keyboard in a history
		Data    any              `json:"data,omitempty"`
	}
	wirePress struct {
		Button  webim.Button `json:"button"`
		Request struct {
			MessageID string `json:"messageId"`
		} `json:"request"`
	}
	wirePressV1 struct {
		Button webim.Button `json:"button"`
	}
	// wireNewMessageV1 is 1.0's flat message.
	wireNewMessageV1 struct {
		Event string       `json:"event"`
		Chat  wireChat     `json:"chat"`
		ID    string       `json:"id"`
		Kind  string       `json:"kind"`
		Text  string       `json:"text,omitempty"`
		Resp  *wirePressV1 `json:"response,omitempty"`
	}
)

// StartChat opens a chat for a visitor and sends new_chat. The chat exists
// even when the webhook fails (the error is then a *WebhookError).
func (s *Server) StartChat(ctx context.Context, visitorName string) (int64, error) {
	id, res, err := s.startChat(ctx, visitorName)
	if err != nil {
		return 0, err
	}
	return id, res.err()
}

func (s *Server) startChat(ctx context.Context, visitorName string) (int64, WebhookResult, error) {
	name := strings.TrimSpace(visitorName)
	if name == "" {
		name = "Visitor"
	}
	if utf8.RuneCountInString(name) > maxNameLen || !utf8.ValidString(name) {
		return 0, WebhookResult{}, fmt.Errorf("%w: the name must be valid text of at most %d characters", ErrInvalid, maxNameLen)
	}
	s.mu.Lock()
	id := s.nextChatID
	s.nextChatID++
	c := &chat{t: Transcript{ChatID: id, StringID: s.settings.StringChatIDs, Visitor: Visitor{ID: newID(16), Name: name},
		State: StateBot, Messages: []Message{}}}
	s.chats[id] = c
	c.sendMu.Lock() // before anyone can act on the chat, so new_chat goes first
	s.touchLocked(c)
	visitor := c.t.Visitor
	s.mu.Unlock()
	defer c.sendMu.Unlock()

	payload := wireNewChat{Event: webim.EventNewChat, Chat: wireChat{ID: c.wireID()},
		Visitor:  wireVisitor{ID: visitor.ID, Fields: map[string]string{"name": visitor.Name}},
		Messages: []wireMessage{}}
	res, _ := s.post(ctx, webim.Version2, payload)
	s.mu.Lock()
	c.t.StartDelivery = &res
	s.touchLocked(c)
	s.mu.Unlock()
	s.log.Info("sandbox visitor started a chat", "chat_id", id, "webhook_status", res.Status, "ok", res.OK)
	return id, res, nil
}

// wireID is the chat id in the form the account sends it; the fields it
// reads never change after the chat starts.
func (c *chat) wireID() any {
	if c.t.StringID {
		return strconv.FormatInt(c.t.ChatID, 10)
	}
	return c.t.ChatID
}

// SendText is the visitor typing text. After a transfer the message only
// goes to the transcript (the bot no longer owns the chat); in a closed
// chat it fails with ErrChatClosed.
func (s *Server) SendText(ctx context.Context, chatID int64, text string) error {
	return actionErr(s.sendText(ctx, chatID, text))
}

func (s *Server) sendText(ctx context.Context, chatID int64, text string) (*WebhookResult, error) {
	if strings.TrimSpace(text) == "" || utf8.RuneCountInString(text) > maxTextLen || !utf8.ValidString(text) {
		return nil, fmt.Errorf("%w: the text must be non-blank valid text of at most %d characters", ErrInvalid, maxTextLen)
	}
	msg := Message{ID: newID(12), From: FromVisitor, Kind: webim.KindVisitor, Text: text}
	return s.visitorSays(ctx, chatID, func(Transcript) (Message, error) { return msg, nil })
}

// SendSticker is the visitor sending a sticker: a kind botbridge does not
// model, sent as {"kind": "sticker_visitor", "data": {"stickerId": N}} (the
// shape of Webim's visitor SDK). Like SendText it goes nowhere after a
// transfer.
func (s *Server) SendSticker(ctx context.Context, chatID int64, stickerID int) error {
	return actionErr(s.sendSticker(ctx, chatID, stickerID))
}

func (s *Server) sendSticker(ctx context.Context, chatID int64, stickerID int) (*WebhookResult, error) {
	if stickerID <= 0 || stickerID > 1_000_000 {
		return nil, fmt.Errorf("%w: a sticker id is a positive integer", ErrInvalid)
	}
	data, _ := json.Marshal(map[string]int{"stickerId": stickerID})
	return s.sendOther(ctx, chatID, KindSticker, data)
}

// KindSticker is Webim's kind of a visitor's sticker.
const KindSticker = "sticker_visitor"

// SendOther is the visitor sending a message of any other kind Webim has
// (contacts, …) with its data (a JSON object, or nil).
func (s *Server) SendOther(ctx context.Context, chatID int64, kind string, data json.RawMessage) error {
	return actionErr(s.sendOther(ctx, chatID, kind, data))
}

func (s *Server) sendOther(ctx context.Context, chatID int64, kind string, data json.RawMessage) (*WebhookResult, error) {
	kind = strings.TrimSpace(kind)
	if kind == "" || len(kind) > 64 {
		return nil, fmt.Errorf("%w: the kind must be 1 to 64 characters", ErrInvalid)
	}
	if data != nil && (!json.Valid(data) || len(bytes.TrimSpace(data)) == 0 || bytes.TrimSpace(data)[0] != '{') {
		return nil, fmt.Errorf("%w: data must be a JSON object", ErrInvalid)
	}
	msg := Message{ID: newID(12), From: FromVisitor, Kind: kind, Data: bytes.Clone(data)}
	return s.visitorSays(ctx, chatID, func(Transcript) (Message, error) { return msg, nil })
}

// actionErr is the error of a visitor action: its own, else the webhook's.
func actionErr(res *WebhookResult, err error) error {
	if err != nil {
		return err
	}
	if res == nil {
		return nil
	}
	return res.err()
}

// PressButton is the visitor pressing a keyboard button: the newest
// keyboard holding buttonID answers, as keyboard_response.
func (s *Server) PressButton(ctx context.Context, chatID int64, buttonID string) error {
	return actionErr(s.pressButton(ctx, chatID, buttonID, ""))
}

// pressButton finds the button in keyboardID's message, or in the newest
// keyboard holding it when keyboardID is "".
func (s *Server) pressButton(ctx context.Context, chatID int64, buttonID, keyboardID string) (*WebhookResult, error) {
	return s.visitorSays(ctx, chatID, func(t Transcript) (Message, error) {
		for i := len(t.Messages) - 1; i >= 0; i-- {
			m := t.Messages[i]
			if m.Kind != webim.KindKeyboard || (keyboardID != "" && m.ID != keyboardID) {
				continue
			}
			for _, row := range m.Buttons {
				for _, b := range row {
					if b.ID == buttonID && !isLinkButton(b) {
						btn := b
						return Message{ID: newID(12), From: FromVisitor, Kind: webim.KindKeyboardResponse,
							Text: b.Text, Button: &btn, ReplyTo: m.ID}, nil
					}
				}
			}
		}
		return Message{}, fmt.Errorf("%w: %q", ErrUnknownButton, clip.Text(buttonID, 60))
	})
}

// visitorSays appends the visitor's message (built from the transcript by
// build) and, while the bot owns the chat, sends it as new_message. The
// result is nil when nothing was sent.
func (s *Server) visitorSays(ctx context.Context, chatID int64, build func(Transcript) (Message, error)) (*WebhookResult, error) {
	s.mu.Lock()
	c, ok := s.chats[chatID]
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%w: %d", ErrChatNotFound, chatID)
	}
	c.sendMu.Lock()
	defer c.sendMu.Unlock()

	s.mu.Lock()
	if c.t.State == StateClosed {
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: %d", ErrChatClosed, chatID)
	}
	msg, err := build(c.t)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	msg.At = time.Now().UTC()
	if c.t.State == StateTransferred {
		// The chat is with a person now: Webim stops calling the bot.
		d := WebhookResult{OK: true}
		d.setNote("sandboxui.note.not_sent")
		msg.Delivery = &d
	}
	c.t.Messages = append(c.t.Messages, msg)
	idx := len(c.t.Messages) - 1
	s.touchLocked(c)
	noIDs := s.settings.NoMessageIDs
	s.mu.Unlock()
	if msg.Delivery != nil {
		return nil, nil
	}

	wm := msg.wire()
	if noIDs {
		wm.ID = ""
	}
	res, _ := s.post(ctx, webim.Version2, wireNewMessage{Event: webim.EventNewMessage, ChatID: c.wireID(), Message: wm})
	s.mu.Lock()
	c.t.Messages[idx].Delivery = &res
	s.touchLocked(c)
	s.mu.Unlock()
	s.log.Info("sandbox visitor message", "chat_id", chatID, "kind", msg.Kind, "webhook_status", res.Status, "ok", res.OK)
	return &res, nil
}

// wire is the message as Webim puts it in a webhook: a visitor's message
// in new_message, any message in a history.
func (m Message) wire() wireMessage {
	wm := wireMessage{ID: m.ID, Kind: m.Kind, Text: m.Text}
	switch {
	case m.Kind == webim.KindKeyboardResponse && m.Button != nil:
		wm.Text = ""
		p := &wirePress{Button: *m.Button}
		p.Request.MessageID = m.ReplyTo
		wm.Data = p
	case m.File != nil:
		wm.Data = m.File
	case m.Data != nil:
		wm.Data = m.Data
	}
	if m.Kind == webim.KindKeyboard {
		wm.Buttons = m.Buttons
	}
	return wm
}

func isLinkButton(b webim.Button) bool {
	return b.Config != nil && b.Config.Link != ""
}

// StartChatV1 sends a Bot API 1.0 new_chat for a chat with a uuid id and
// returns botbridge's synchronous answer. 1.0 chats are not kept in
// transcripts: the answer is all there is.
func (s *Server) StartChatV1(ctx context.Context, chatUUID, visitorName string) (webim.V1Answer, error) {
	return s.sendV1(ctx, wireNewChat{Event: webim.EventNewChat, Chat: wireChat{ID: chatUUID},
		Visitor:  wireVisitor{ID: newID(16), Fields: map[string]string{"name": visitorName}},
		Messages: []wireMessage{}})
}

// SendTextV1 sends a Bot API 1.0 new_message (a flat visitor message) and
// returns botbridge's synchronous answer.
func (s *Server) SendTextV1(ctx context.Context, chatUUID, text string) (webim.V1Answer, error) {
	return s.sendV1(ctx, wireNewMessageV1{Event: webim.EventNewMessage, Chat: wireChat{ID: chatUUID},
		ID: newID(12), Kind: webim.KindVisitor, Text: text})
}

// PressButtonV1 sends a Bot API 1.0 keyboard_response and returns the answer.
func (s *Server) PressButtonV1(ctx context.Context, chatUUID string, button webim.Button) (webim.V1Answer, error) {
	return s.sendV1(ctx, wireNewMessageV1{Event: webim.EventNewMessage, Chat: wireChat{ID: chatUUID},
		ID: newID(12), Kind: webim.KindKeyboardResponse, Resp: &wirePressV1{Button: button}})
}

func (s *Server) sendV1(ctx context.Context, payload any) (webim.V1Answer, error) {
	res, body := s.post(ctx, webim.Version1, payload)
	if !res.OK {
		return webim.V1Answer{}, &WebhookError{Result: res}
	}
	ans, err := parseV1Answer(body)
	if err != nil {
		res.OK = false
		res.setNote("sandboxui.note.bad_v1_answer", err.Error())
		return webim.V1Answer{}, &WebhookError{Result: res}
	}
	return ans, nil
}

// parseV1Answer reads {"has_answer": bool, "messages": [...]}.
func parseV1Answer(body []byte) (webim.V1Answer, error) {
	var w struct {
		HasAnswer *bool              `json:"has_answer"`
		Messages  []webim.OutMessage `json:"messages"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return webim.V1Answer{}, errors.New(jsonerr.Reason(err))
	}
	if w.HasAnswer == nil {
		return webim.V1Answer{}, errors.New("has_answer is missing")
	}
	if *w.HasAnswer && w.Messages == nil {
		return webim.V1Answer{}, errors.New("messages is missing")
	}
	return webim.V1Answer{HasAnswer: *w.HasAnswer, Messages: w.Messages}, nil
}

// V1URL is where 1.0 webhooks go: the webhook URL with a /v1 suffix (how
// owners of old Webim releases, which send no version header, mark it).
func V1URL(webhookURL string) string {
	u := strings.TrimRight(webhookURL, "/")
	if strings.HasSuffix(u, "/v1") {
		return u
	}
	return strings.TrimSuffix(u, "/v2") + "/v1"
}

// maxAnswer bounds how much of botbridge's answer is read.
const maxAnswer = 1 << 20

// post sends one webhook and explains the outcome. 2.0 webhooks carry the
// headers of Webim ≥ 10.3; 1.0 webhooks imitate an older Webim: no version
// headers, the version is in the URL suffix.
func (s *Server) post(ctx context.Context, version string, payload any) (WebhookResult, []byte) {
	base := s.WebhookURL()
	target := base
	if version == webim.Version1 && base != "" {
		target = V1URL(base)
	}
	res := WebhookResult{URL: target}
	if base == "" {
		res.setNote("sandboxui.note.no_webhook")
		return res, nil
	}
	body, err := json.Marshal(payload)
	if err != nil {
		res.setNote("sandboxui.note.encode_failed", err.Error())
		return res, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		res.setNote("sandboxui.note.bad_webhook_url", err.Error())
		return res, nil
	}
	req.Header.Set("Content-Type", "application/json")
	if v := s.Settings().WebimVersion; version == webim.Version2 && v != "" {
		// Webim ≥ 10.3 names itself; older releases send no headers.
		req.Header.Set("X-Bot-API-Dialect", "Webim Standard")
		req.Header.Set(webim.HeaderVersion, webim.Version2)
		req.Header.Set(webim.HeaderWebimVersion, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		res.setNote("sandboxui.note.unreachable", redactURL(target), shortErr(err))
		return res, nil
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	res.Status = resp.StatusCode
	res.Body = snippet(answer)
	ok2xx := resp.StatusCode >= 200 && resp.StatusCode < 300
	code := strconv.Itoa(resp.StatusCode)
	switch {
	case ok2xx && version == webim.Version1:
		res.OK = resp.StatusCode == http.StatusOK
		res.setNote("sandboxui.note.answered", code)
	case ok2xx && resultOK(answer):
		res.OK = true
		res.setNote("sandboxui.note.delivered", code)
	case ok2xx:
		res.setNote("sandboxui.note.no_result_ok", code)
	case resp.StatusCode == http.StatusNotFound:
		res.setNote("sandboxui.note.not_found")
	case resp.StatusCode == http.StatusRequestEntityTooLarge:
		res.setNote("sandboxui.note.too_large")
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		res.setNote("sandboxui.note.refused", code, res.Body)
	default:
		res.setNote("sandboxui.note.server_error", code)
	}
	return res, answer
}

func resultOK(body []byte) bool {
	var v struct {
		Result string `json:"result"`
	}
	return json.Unmarshal(body, &v) == nil && v.Result == "ok"
}

// redactURL hides the webhook key in notes: the path's last segment is the
// integration's secret.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the webhook URL"
	}
	return u.Scheme + "://" + u.Host
}

func shortErr(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer in time"
	}
	return err.Error()
}

func snippet(b []byte) string {
	return strings.TrimSpace(strings.ToValidUTF8(string(b[:min(len(b), 300)]), ""))
}
