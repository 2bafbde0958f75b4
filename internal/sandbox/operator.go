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

	"github.com/botbridge/botbridge/internal/webim"
	"github.com/botbridge/botbridge/web/i18n"
)

// ErrNotWithOperator: the operator console acts only on a chat the bot
// transferred (and that is not closed).
var ErrNotWithOperator = errors.New("sandbox: the chat is not with an operator")

// ConsoleOperatorID and ConsoleOperatorName are who the operator console
// is, in chat_assigned of a transfer to a department or the queue.
const (
	ConsoleOperatorID   = 240001
	ConsoleOperatorName = "Anna (sandbox operator)"
)

// OperatorSay is an operator writing in a transferred chat: the visitor
// sees it, the bot does not (until the chat returns to it).
func (s *Server) OperatorSay(chatID int64, text string) error {
	if strings.TrimSpace(text) == "" || utf8.RuneCountInString(text) > maxTextLen || !utf8.ValidString(text) {
		return fmt.Errorf("%w: the text must be non-blank valid text of at most %d characters", ErrInvalid, maxTextLen)
	}
	c, err := s.operatorChat(chatID)
	if err != nil {
		return err
	}
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.t.State != StateTransferred {
		return fmt.Errorf("%w: %d is %s", ErrNotWithOperator, chatID, c.t.State)
	}
	c.t.Messages = append(c.t.Messages, Message{ID: newID(12), From: FromOperator, Kind: webim.KindOperator, Text: text, At: time.Now().UTC()})
	s.touchLocked(c)
	return nil
}

// ReturnToBot is the operator handing a transferred chat back to the bot:
// Webim then sends new_chat again for the same chat, its messages the
// whole history so far (the visitor's, the bot's — listed as operator
// messages, as Webim lists them — and the operator's, in order, each with
// its id). The chat is the bot's again even when the webhook fails (the
// error is then a *WebhookError).
func (s *Server) ReturnToBot(ctx context.Context, chatID int64) error {
	return actionErr(s.returnToBot(ctx, chatID))
}

func (s *Server) returnToBot(ctx context.Context, chatID int64) (*WebhookResult, error) {
	c, err := s.operatorChat(chatID)
	if err != nil {
		return nil, err
	}
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	s.mu.Lock()
	if c.t.State != StateTransferred {
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: %d is %s", ErrNotWithOperator, chatID, c.t.State)
	}
	history := []wireMessage{}
	for _, m := range c.t.Messages {
		if m.From != FromSystem {
			history = append(history, m.wire())
		}
	}
	c.t.State, c.t.Target, c.t.Transfer = StateBot, "", nil
	c.t.Messages = append(c.t.Messages, notice(KindReturn, "sandboxui.notice.returned", ""))
	s.touchLocked(c)
	payload := wireNewChat{Event: webim.EventNewChat, Chat: wireChat{ID: c.wireID()},
		Visitor:  wireVisitor{ID: c.t.Visitor.ID, Fields: map[string]string{"name": c.t.Visitor.Name}},
		Messages: history}
	s.mu.Unlock()

	res, _ := s.post(ctx, webim.Version2, payload)
	s.mu.Lock()
	c.t.Returns = append(c.t.Returns, res)
	s.touchLocked(c)
	s.mu.Unlock()
	s.log.Info("sandbox operator returned a chat to the bot", "chat_id", chatID, "history", len(history), "webhook_status", res.Status, "ok", res.OK)
	return &res, nil
}

// CloseByOperator is the operator closing a transferred chat: the visitor
// can no longer write, and the account's chat event handler (the chat
// events URL, if set) is called with chat_closed. When that call fails the
// chat is closed all the same and the error is a *ChatEventError.
func (s *Server) CloseByOperator(ctx context.Context, chatID int64) error {
	_, err := s.closeByOperator(ctx, chatID)
	return err
}

func (s *Server) closeByOperator(ctx context.Context, chatID int64) (*ChatEventResult, error) {
	c, err := s.operatorChat(chatID)
	if err != nil {
		return nil, err
	}
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	s.mu.Lock()
	if c.t.State != StateTransferred {
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: %d is %s", ErrNotWithOperator, chatID, c.t.State)
	}
	c.t.State = StateClosed
	c.t.Messages = append(c.t.Messages, notice(KindClose, "sandboxui.notice.closed_by_operator", ""))
	s.touchLocked(c)
	s.mu.Unlock()
	res := s.callChatEvent(ctx, chatEventCall{c: c, event: webim.ChatEventClosed})
	if res == nil || res.OK {
		return res, nil
	}
	return res, &ChatEventError{Result: *res}
}

// ChatEventError: the chat events URL did not accept a call.
type ChatEventError struct {
	Result ChatEventResult
}

func (e *ChatEventError) Error() string {
	return "sandbox: chat event " + e.Result.Event + ": " + e.Result.Note
}

func (s *Server) operatorChat(chatID int64) (*chat, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.chats[chatID]
	if !ok {
		return nil, fmt.Errorf("%w: %d", ErrChatNotFound, chatID)
	}
	if c.t.State == StateClosed {
		return nil, fmt.Errorf("%w: %d", ErrChatClosed, chatID)
	}
	return c, nil
}

// chatEventCall is one call of the chat events URL to make.
type chatEventCall struct {
	c          *chat
	event      string
	operatorID int64
}

// wireChatEvent is the body the sandbox sends. Webim's real payload is not
// public; this is the shape botbridge documents it accepts.
type wireChatEvent struct {
	Event    string        `json:"event"`
	Chat     wireChat      `json:"chat"`
	Operator *wireOperator `json:"operator,omitempty"`
}

type wireOperator struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// WithCredentials writes Basic credentials into a URL the way Webim's chat
// event handler settings take them: https://user:pass@host/path.
func WithCredentials(rawURL, user, pass string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%w: not an absolute URL", ErrInvalid)
	}
	u.User = url.UserPassword(user, pass)
	return u.String(), nil
}

// parseChatEventsURL splits https://user:pass@host/path into the URL
// without credentials and the Basic credentials.
func parseChatEventsURL(raw string) (target, user, pass string, err error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", "", fmt.Errorf("%w: the chat events URL must be an absolute http or https URL", ErrInvalid)
	}
	if u.User != nil {
		user = u.User.Username()
		pass, _ = u.User.Password()
	}
	u.User = nil
	return u.String(), user, pass, nil
}

// callChatEvent POSTs one chat event to the chat events URL (nil when none
// is set) and records the outcome in the chat's transcript.
func (s *Server) callChatEvent(ctx context.Context, ce chatEventCall) *ChatEventResult {
	st := s.Settings()
	if st.ChatEventsURL == "" {
		return nil
	}
	res := ChatEventResult{Event: ce.event}
	defer func() {
		s.mu.Lock()
		ce.c.t.ChatEvents = append(ce.c.t.ChatEvents, res)
		s.touchLocked(ce.c)
		s.mu.Unlock()
		s.log.Info("sandbox chat event", "event", ce.event, "chat_id", ce.c.t.ChatID, "status", res.Status, "ok", res.OK)
	}()
	note := func(key string, args ...any) {
		res.noteText = noteText{key: key, args: args}
		res.Note = res.noteText.in(i18n.EN, "")
	}
	target, user, pass, err := parseChatEventsURL(st.ChatEventsURL)
	if err != nil {
		note("sandboxui.note.bad_chat_events_url")
		return &res
	}
	body := wireChatEvent{Event: ce.event, Chat: wireChat{ID: ce.c.wireID()}}
	if ce.event == webim.ChatEventAssigned {
		op := wireOperator{ID: ConsoleOperatorID, Name: ConsoleOperatorName}
		if ce.operatorID > 0 {
			op = wireOperator{ID: ce.operatorID, Name: "Operator " + strconv.FormatInt(ce.operatorID, 10)}
		}
		body.Operator = &op
	}
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(b))
	if err != nil {
		note("sandboxui.note.bad_chat_events_url")
		return &res
	}
	req.Header.Set("Content-Type", "application/json")
	if user != "" || pass != "" {
		req.SetBasicAuth(user, pass)
	}
	if st.WebimVersion != "" {
		req.Header.Set(webim.HeaderWebimVersion, st.WebimVersion)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		note("sandboxui.note.chat_events_unreachable", redactURL(target), shortErr(err))
		return &res
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	res.Status, res.Body = resp.StatusCode, snippet(answer)
	code := strconv.Itoa(resp.StatusCode)
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		res.OK = true
		note("sandboxui.note.chat_event_delivered", ce.event, code)
	case resp.StatusCode == http.StatusUnauthorized:
		note("sandboxui.note.chat_event_unauthorized")
	default:
		note("sandboxui.note.chat_event_refused", ce.event, code, res.Body)
	}
	return &res
}

// backgroundContext bounds a call the sandbox makes on its own; Close
// cancels it.
func (s *Server) backgroundContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	go func() {
		select {
		case <-s.closing:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}
