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
	// ErrCodeQueueUnsupported refuses redirect_chat to the general queue
	// on a Webim older than 10.4 (which has no such transfer).
	ErrCodeQueueUnsupported = "redirect_target_required"
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

// peekChatID reads chat_id (an integer, or a string of digits) for the
// call log, ignoring every error.
func peekChatID(body []byte) int64 {
	var v struct {
		ChatID webim.ChatRef `json:"chat_id"`
	}
	_ = json.Unmarshal(body, &v)
	n, _ := v.ChatID.Int()
	return n
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

// outButton is a keyboard button as Webim's own keyboard model has it
// (webim-bot-api.md, "Evidence"): {id, text} for a press, plus config and
// params, where config.link with params.type "url" makes a link button.
// Every field of that model is accepted; others are refused.
type outButton struct {
	ID     string `json:"id"`
	Text   string `json:"text"`
	Config *struct {
		Link              string `json:"link,omitempty"`
		TextToInsert      string `json:"text_to_insert,omitempty"`
		Active            *bool  `json:"active,omitempty"`
		State             string `json:"state,omitempty"`
		HideAfterResponse *bool  `json:"hide_after_response,omitempty"`
	} `json:"config,omitempty"`
	Params *struct {
		Type   string `json:"type,omitempty"`
		Action string `json:"action,omitempty"`
		Color  string `json:"color,omitempty"`
	} `json:"params,omitempty"`
}

// outMessage is send_message's message as the sandbox reads it.
type outMessage struct {
	Kind    string          `json:"kind"`
	Text    string          `json:"text,omitempty"`
	Buttons [][]outButton   `json:"buttons,omitempty"`
	Data    *webim.FileData `json:"data,omitempty"`
}

type sendBody struct {
	ChatID  webim.ChatRef `json:"chat_id"`
	Message outMessage    `json:"message"`
}

// apply validates a call and changes the chat; nil means 200 {"result":"ok"}.
func (s *Server) apply(method string, body []byte) *apiError {
	var (
		send     sendBody
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
		target, key, arg := "the queue", "sandboxui.notice.transfer_queue", ""
		switch {
		case hasDep:
			target, key, arg = "department "+rc.DepKey, "sandboxui.notice.transfer_department", rc.DepKey
		case hasOp:
			arg = strconv.FormatInt(rc.OperatorID, 10)
			target, key = "operator "+arg, "sandboxui.notice.transfer_operator"
		}
		st := s.Settings()
		if !hasDep && !hasOp && !queueSupported(st.WebimVersion) {
			v := st.WebimVersion
			if v == "" {
				v = "older than 10.3"
			}
			return &apiError{http.StatusBadRequest, ErrCodeQueueUnsupported,
				fmt.Sprintf("redirect to the general queue needs Webim 10.4 or later (this account runs %s): give dep_key or operator_id", clip.Text(v, 32))}
		}
		var assigned *chatEventCall
		e := s.applyToChat(rc.ChatID, func(c *chat) {
			c.t.State = StateTransferred
			c.t.Target = target
			c.t.Transfer = &rc
			n := notice(KindTransfer, key, arg)
			c.t.Messages = append(c.t.Messages, n)
			if st.ChatAssigned && st.ChatEventsURL != "" {
				assigned = &chatEventCall{c: c, event: webim.ChatEventAssigned, operatorID: rc.OperatorID}
			}
		})
		if e == nil && assigned != nil {
			// Webim's chat event handlers run on their own, after the API
			// has answered.
			s.bg.Add(1)
			go func() {
				defer s.bg.Done()
				ctx, cancel := s.backgroundContext()
				defer cancel()
				s.callChatEvent(ctx, *assigned)
			}()
		}
		return e
	default: // close_chat
		return s.applyToChat(closeReq.ChatID, func(c *chat) {
			c.t.State = StateClosed
			c.t.Messages = append(c.t.Messages, notice(KindClose, "sandboxui.notice.closed_by_bot", ""))
		})
	}
}

// queueSupported: the Webim release (its X-Webim-Version, "" when it sends
// none, which only releases before 10.3 do) can transfer to the queue.
func queueSupported(webimVersion string) bool {
	return webimVersion != "" && webim.SupportsQueueTransfer(webimVersion)
}

// applyToChat runs change on a chat the bot still owns.
func (s *Server) applyToChat(ref webim.ChatRef, change func(*chat)) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	chatID, ok := ref.Int()
	c, found := s.chats[chatID]
	ok = ok && found
	if ok && ref.Quoted != c.t.StringID {
		// The bridge must send an id back in the form this account sent it:
		// which other forms real Webim takes is not known.
		if c.t.StringID {
			return badRequest("chat_id must be a string here, as this account sends it, not an integer")
		}
		return badRequest("chat_id must be an integer here, as this account sends it, not a string")
	}
	switch {
	case !ok:
		return &apiError{http.StatusBadRequest, ErrCodeChatNotFound, fmt.Sprintf("no chat %s in this account", clip.Text(ref.ID, 40))}
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
// as a transcript line. It refuses what Webim cannot show (a text message
// without text, a file without a URL) and accepts what Webim is not known
// to refuse: a keyboard with a text above it, link buttons.
func validateOutMessage(m outMessage) (Message, *apiError) {
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
		if m.Data != nil {
			return Message{}, badRequest("message.data is not allowed with kind keyboard")
		}
		if len(m.Buttons) == 0 {
			return Message{}, badRequest("message.buttons needs at least one row for kind keyboard")
		}
		rows := make([][]webim.Button, 0, len(m.Buttons))
		for i, row := range m.Buttons {
			if len(row) == 0 {
				return Message{}, badRequest("message.buttons[%d] is an empty row", i)
			}
			out := make([]webim.Button, 0, len(row))
			for j, b := range row {
				btn, e := validateButton(b, i, j)
				if e != nil {
					return Message{}, e
				}
				out = append(out, btn)
			}
			rows = append(rows, out)
		}
		msg.Text = m.Text
		msg.Buttons = rows
	case webim.KindFileOperator:
		if m.Text != "" || m.Buttons != nil {
			return Message{}, badRequest("message.text and message.buttons are not allowed with kind file_operator")
		}
		if m.Data == nil {
			return Message{}, badRequest("message.data is required for kind file_operator")
		}
		if !absHTTP(m.Data.URL) {
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

// validateButton checks one keyboard button: a press button needs an id
// and a text; a link button (config.link, params.type "url") a text and an
// absolute http(s) link, its id being optional.
func validateButton(b outButton, i, j int) (webim.Button, *apiError) {
	link, typ := "", ""
	if b.Config != nil {
		link = b.Config.Link
	}
	if b.Params != nil {
		typ = b.Params.Type
	}
	if strings.TrimSpace(b.Text) == "" {
		return webim.Button{}, badRequest("message.buttons[%d][%d].text is required", i, j)
	}
	isLink := link != "" || typ == "url"
	if isLink {
		if !absHTTP(link) {
			return webim.Button{}, badRequest("message.buttons[%d][%d].config.link must be an absolute http or https URL for a link button", i, j)
		}
		return webim.Button{ID: b.ID, Text: b.Text, Config: &webim.ButtonConfig{Link: link}, Params: &webim.ButtonParams{Type: "url"}}, nil
	}
	if strings.TrimSpace(b.ID) == "" {
		return webim.Button{}, badRequest("message.buttons[%d][%d].id is required", i, j)
	}
	return webim.Button{ID: b.ID, Text: b.Text}, nil
}

func absHTTP(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
