package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/botbridge/botbridge/internal/clip"
	"github.com/botbridge/botbridge/internal/jsonerr"

	"github.com/botbridge/botbridge/internal/webim"
)

// FaultUnauthorized marks calls refused by Faults.Unauthorized in Calls().
const FaultUnauthorized FaultMode = "unauthorized"

// maxAPIBody bounds an API request body.
const maxAPIBody = 1 << 20

// Error codes the sandbox answers with. Webim's own list is not public;
// these are descriptive and only the status matters to the bridge.
const (
	ErrCodeUnauthorized     = "unauthorized"
	ErrCodeBadRequest       = "bad_request"
	ErrCodeChatNotFound     = "chat_not_found"
	ErrCodeChatClosed       = "chat_closed"
	ErrCodeChatTransferred  = "chat_transferred"
	ErrCodeUnknownMethod    = "unknown_method"
	ErrCodeMethodNotAllowed = "method_not_allowed"
	ErrCodeTooLarge         = "request_too_large"
	ErrCodeUnsupportedMedia = "unsupported_media_type"
	ErrCodeInternal         = "internal_error"
	ErrCodeTooManyRequests  = "too_many_requests"
	ErrCodeTimeout          = "timeout"
)

func knownMethod(m string) bool {
	return m == webim.MethodSendMessage || m == webim.MethodRedirectChat || m == webim.MethodCloseChat
}

// apiError is a refusal: status plus Webim's {"error", "desc"}.
type apiError struct {
	status int
	code   string
	desc   string
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: ErrCodeBadRequest, desc: fmt.Sprintf(format, args...)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeAPIError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.status, map[string]string{"error": e.code, "desc": e.desc})
}

// handleAPIOther answers whatever is not a POST to a known method.
func (s *Server) handleAPIOther(w http.ResponseWriter, r *http.Request) {
	method, ok := strings.CutPrefix(r.URL.Path, "/api/bot/v2/")
	if ok && knownMethod(method) {
		w.Header().Set("Allow", http.MethodPost)
		writeAPIError(w, &apiError{http.StatusMethodNotAllowed, ErrCodeMethodNotAllowed, "use POST"})
		return
	}
	writeAPIError(w, &apiError{http.StatusNotFound, ErrCodeUnknownMethod, "no such API method"})
}

// handleAPI is POST /api/bot/v2/{method}: faults, token, validation, then
// the call is applied to the chat and recorded.
func (s *Server) handleAPI(w http.ResponseWriter, r *http.Request) {
	method := r.PathValue("method")
	call := RecordedCall{Method: method, At: time.Now().UTC()}
	s.mu.Lock()
	s.stats.Received++
	f := s.faults
	s.mu.Unlock()

	// finish records the outcome and writes the answer.
	finish := func(e *apiError, fault FaultMode) {
		call.Fault = fault
		if e == nil {
			call.Status = http.StatusOK
		} else {
			call.Status, call.Error = e.status, e.code
		}
		s.mu.Lock()
		s.recordLocked(call)
		s.mu.Unlock()
		s.log.Info("sandbox api", "method", method, "chat_id", call.ChatID, "status", call.Status, "error", call.Error, "fault", string(fault))
		if e != nil {
			writeAPIError(w, e)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"result": "ok"})
	}

	if !s.sleep(r, f.Latency) {
		finish(&apiError{http.StatusServiceUnavailable, ErrCodeTimeout, "the sandbox is shutting down or the caller left"}, "")
		return
	}
	if f.Unauthorized {
		finish(&apiError{http.StatusUnauthorized, ErrCodeUnauthorized, "the bot token was revoked (injected fault)"}, FaultUnauthorized)
		return
	}
	if !s.authorized(r) {
		finish(&apiError{http.StatusUnauthorized, ErrCodeUnauthorized, `missing or wrong "Authorization: Token <bot token>" header`}, "")
		return
	}
	if !knownMethod(method) {
		finish(&apiError{http.StatusNotFound, ErrCodeUnknownMethod, "no such API method"}, "")
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			finish(&apiError{http.StatusUnsupportedMediaType, ErrCodeUnsupportedMedia, "send JSON (Content-Type: application/json)"}, "")
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAPIBody))
	call.Body = string(body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			finish(&apiError{http.StatusRequestEntityTooLarge, ErrCodeTooLarge, "body larger than 1 MiB"}, "")
			return
		}
		finish(badRequest("could not read the body"), "")
		return
	}
	call.ChatID = peekChatID(body)

	s.mu.Lock()
	fault := s.drawFaultLocked(method)
	s.mu.Unlock()
	switch fault {
	case FaultServerError:
		finish(&apiError{http.StatusInternalServerError, ErrCodeInternal, "injected server error"}, fault)
		return
	case FaultRateLimit:
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		finish(&apiError{http.StatusTooManyRequests, ErrCodeTooManyRequests, "injected rate limit"}, fault)
		return
	case FaultTimeout:
		s.sleep(r, f.Delay)
		finish(&apiError{http.StatusGatewayTimeout, ErrCodeTimeout, "injected timeout"}, fault)
		return
	}
	finish(s.apply(method, body), "")
}

// peekChatID reads chat_id for the call log, ignoring every error.
func peekChatID(body []byte) int64 {
	var v struct {
		ChatID int64 `json:"chat_id"`
	}
	_ = json.Unmarshal(body, &v)
	return v.ChatID
}

// decodeStrict decodes one JSON value into v, refusing unknown fields,
// wrong types and trailing data. Every known top-level key must not be null.
func decodeStrict(body []byte, v any) *apiError {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return badRequest("body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("%s", jsonerr.Reason(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("unexpected data after the JSON object")
	}
	return nil
}

// topKeys returns the top-level keys of the object at path ("" for the
// body); null values are refused because Go would silently read them as zero.
func topKeys(body []byte, path string) (map[string]json.RawMessage, *apiError) {
	prefix, what := "", "body"
	if path != "" {
		prefix, what = path+".", path
	}
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' {
		return nil, badRequest("%s must be a JSON object", what)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, badRequest("%s", jsonerr.Reason(err))
	}
	for k, v := range m {
		if string(bytes.TrimSpace(v)) == "null" {
			return nil, badRequest("%s%s must not be null", prefix, k)
		}
	}
	return m, nil
}

// redirectBody is redirect_chat plus the flags Webim is believed to accept
// (webim-bot-api.md marks them inferred), so a bridge sending them passes.
type redirectBody struct {
	webim.RedirectChat
	AllowRedirectToOfflineDep   *bool `json:"allow_redirect_to_offline_dep,omitempty"`
	AllowRedirectToInvisibleDep *bool `json:"allow_redirect_to_invisible_dep,omitempty"`
}

// apply validates a call and changes the chat; nil means 200 {"result":"ok"}.
func (s *Server) apply(method string, body []byte) *apiError {
	var (
		send     webim.SendMessage
		redirect redirectBody
		closeReq webim.CloseChat
		into     any
	)
	switch method {
	case webim.MethodSendMessage:
		into = &send
	case webim.MethodRedirectChat:
		into = &redirect
	case webim.MethodCloseChat:
		into = &closeReq
	default:
		return &apiError{http.StatusNotFound, ErrCodeUnknownMethod, "no such API method"}
	}
	if e := decodeStrict(body, into); e != nil {
		return e
	}
	keys, e := topKeys(body, "")
	if e != nil {
		return e
	}
	if _, ok := keys["chat_id"]; !ok {
		return badRequest("chat_id is required")
	}
	switch method {
	case webim.MethodSendMessage:
		raw, ok := keys["message"]
		if !ok {
			return badRequest("message is required")
		}
		if _, e := topKeys(raw, "message"); e != nil {
			return e
		}
		msg, e := validateOutMessage(send.Message)
		if e != nil {
			return e
		}
		return s.applyToChat(send.ChatID, func(c *chat) {
			c.t.Messages = append(c.t.Messages, msg)
		})
	case webim.MethodRedirectChat:
		_, hasDep := keys["dep_key"]
		_, hasOp := keys["operator_id"]
		switch {
		case hasDep && hasOp:
			return badRequest("give dep_key or operator_id, not both")
		case hasDep && strings.TrimSpace(redirect.DepKey) == "":
			return badRequest("dep_key must not be empty")
		case hasOp && redirect.OperatorID <= 0:
			return badRequest("operator_id must be a positive integer")
		}
		rc := redirect.RedirectChat
		target := "the queue"
		switch {
		case hasDep:
			target = "department " + rc.DepKey
		case hasOp:
			target = "operator " + strconv.FormatInt(rc.OperatorID, 10)
		}
		return s.applyToChat(rc.ChatID, func(c *chat) {
			c.t.State = StateTransferred
			c.t.Target = target
			c.t.Transfer = &rc
			c.t.Messages = append(c.t.Messages, Message{ID: newID(8), From: FromSystem, Kind: KindTransfer,
				Text: "Transferred to " + target, At: time.Now().UTC()})
		})
	default: // close_chat
		return s.applyToChat(closeReq.ChatID, func(c *chat) {
			c.t.State = StateClosed
			c.t.Messages = append(c.t.Messages, Message{ID: newID(8), From: FromSystem, Kind: KindClose,
				Text: "Chat closed", At: time.Now().UTC()})
		})
	}
}

// applyToChat runs change on a chat the bot still owns.
func (s *Server) applyToChat(ref webim.ChatRef, change func(*chat)) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	chatID, ok := ref.Int()
	c, found := s.chats[chatID]
	ok = ok && found
	if ok && ref.Quoted {
		// The bridge must send an id back in the form this account sent it
		// (an integer): which other forms real Webim takes is not known.
		return badRequest("chat_id must be an integer here, as this account sends it, not a string")
	}
	switch {
	case !ok:
		return &apiError{http.StatusBadRequest, ErrCodeChatNotFound, fmt.Sprintf("no chat %d in this account", chatID)}
	case c.t.State == StateClosed:
		return &apiError{http.StatusBadRequest, ErrCodeChatClosed, fmt.Sprintf("chat %d is closed", chatID)}
	case c.t.State == StateTransferred:
		return &apiError{http.StatusBadRequest, ErrCodeChatTransferred,
			fmt.Sprintf("chat %d was transferred to %s; the bot no longer owns it", chatID, c.t.Target)}
	}
	change(c)
	s.touchLocked(c)
	return nil
}

// validateOutMessage checks a send_message message by kind and returns it
// as a transcript line.
func validateOutMessage(m webim.OutMessage) (Message, *apiError) {
	msg := Message{ID: newID(8), From: FromBot, Kind: m.Kind, At: time.Now().UTC()}
	switch m.Kind {
	case webim.KindOperator:
		if strings.TrimSpace(m.Text) == "" {
			return Message{}, badRequest("message.text is required for kind operator")
		}
		if m.Buttons != nil || m.Data != nil {
			return Message{}, badRequest("message.buttons and message.data are not allowed with kind operator")
		}
		msg.Text = m.Text
	case webim.KindKeyboard:
		if m.Text != "" || m.Data != nil {
			return Message{}, badRequest("message.text and message.data are not allowed with kind keyboard")
		}
		if len(m.Buttons) == 0 {
			return Message{}, badRequest("message.buttons needs at least one row for kind keyboard")
		}
		for i, row := range m.Buttons {
			if len(row) == 0 {
				return Message{}, badRequest("message.buttons[%d] is an empty row", i)
			}
			for j, b := range row {
				if strings.TrimSpace(b.ID) == "" {
					return Message{}, badRequest("message.buttons[%d][%d].id is required", i, j)
				}
				if strings.TrimSpace(b.Text) == "" {
					return Message{}, badRequest("message.buttons[%d][%d].text is required", i, j)
				}
			}
		}
		msg.Buttons = m.Buttons
	case webim.KindFileOperator:
		if m.Text != "" || m.Buttons != nil {
			return Message{}, badRequest("message.text and message.buttons are not allowed with kind file_operator")
		}
		if m.Data == nil {
			return Message{}, badRequest("message.data is required for kind file_operator")
		}
		if u, err := url.Parse(m.Data.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Message{}, badRequest("message.data.url must be an absolute http or https URL")
		}
		if strings.TrimSpace(m.Data.Name) == "" {
			return Message{}, badRequest("message.data.name is required")
		}
		if mt, _, err := mime.ParseMediaType(m.Data.MediaType); err != nil || !strings.Contains(mt, "/") {
			return Message{}, badRequest("message.data.media_type must look like type/subtype")
		}
		d := *m.Data
		msg.File = &d
	case "":
		return Message{}, badRequest("message.kind is required")
	default:
		return Message{}, badRequest("message.kind must be operator, keyboard or file_operator, not %q", clip.Text(m.Kind, 40))
	}
	return msg, nil
}
