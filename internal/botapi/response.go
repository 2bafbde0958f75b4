package botapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/botbridge/botbridge/internal/jsonerr"

	"github.com/botbridge/botbridge/internal/apperr"
)

// Action types a bot may ask for.
const (
	// ActionTransfer hands the chat to a human (department, operator or queue).
	ActionTransfer = "transfer"
	// ActionClose ends the chat.
	ActionClose = "close"
	// ActionSendDataToOperator exists in the seed's scenarios; platforms that
	// cannot do it answer with an action.failed event.
	ActionSendDataToOperator = "send_data_to_operator"
)

// Limits on a bot response. They keep one misbehaving bot from flooding a
// visitor or the platform API; generous enough for any real scenario.
const (
	// MaxResponseBytes bounds the whole body; callers should stop reading there.
	MaxResponseBytes = 1 << 20
	// MaxReplies bounds messages per answer, so a loop cannot flood a visitor.
	MaxReplies = 20
	// MaxTextLen bounds a reply's text in characters (runes), not bytes.
	MaxTextLen = 4096
	// MaxButtonRows bounds keyboard rows per reply.
	MaxButtonRows = 10
	// MaxButtonsPerRow bounds buttons in one row.
	MaxButtonsPerRow = 10
	// MaxButtonTextLen bounds a button label in characters.
	MaxButtonTextLen = 256
	// MaxButtonIDLen bounds a button id in bytes; it comes back in events.
	MaxButtonIDLen = 256
	// MaxURLLen bounds link-button and file URLs in bytes.
	MaxURLLen = 2048
	// MaxFileNameLen bounds a reply file's name in characters.
	MaxFileNameLen = 255
	// MaxDepartmentLen bounds a transfer's department key in bytes.
	MaxDepartmentLen = 256
)

// Response is the bot's answer to one event. The zero value means "nothing
// to say", which is a valid answer.
type Response struct {
	Replies []Reply `json:"replies,omitempty"`
	Action  *Action `json:"action,omitempty"`
}

// Reply is one message to the visitor. Text is Markdown; platforms that
// cannot render it get plain text.
type Reply struct {
	Text    string     `json:"text,omitempty"`
	Buttons [][]Button `json:"buttons,omitempty"`
	File    *File      `json:"file,omitempty"`
}

// Button is a keyboard button (ID set) or a link button (URL set), never both.
// In requests (message.button) it carries the pressed button's ID and Text.
type Button struct {
	ID   string `json:"id,omitempty"`
	Text string `json:"text"`
	URL  string `json:"url,omitempty"`
}

// File is a file by URL. Size is only filled in requests; the platform
// fetches reply files itself, so bots need not send it.
type File struct {
	URL       string `json:"url"`
	Name      string `json:"name,omitempty"`
	MediaType string `json:"media_type,omitempty"`
	Size      int64  `json:"size,omitempty"`
}

// Action is what the bot wants done after its replies are sent.
type Action struct {
	Type string `json:"type"`
	// Department, OperatorID and Queue choose a transfer target; at most one
	// may be set. With none, the integration's configured target is used.
	Department string `json:"department,omitempty"`
	OperatorID int64  `json:"operator_id,omitempty"`
	Queue      bool   `json:"queue,omitempty"`
	// Data is passed through untouched for send_data_to_operator.
	Data json.RawMessage `json:"data,omitempty"`
}

// IsEmpty reports whether the bot chose to say and do nothing.
func (r Response) IsEmpty() bool { return len(r.Replies) == 0 && r.Action == nil }

// IsLink reports whether b is a link button rather than a keyboard button.
func (b Button) IsLink() bool { return b.URL != "" }

// wireResponse mirrors Response with pointers where "present" and "zero"
// must be told apart (operator_id: 0 is a bot bug, not "no operator").
type wireResponse struct {
	Replies []Reply     `json:"replies"`
	Action  *wireAction `json:"action"`
}

type wireAction struct {
	Type       string          `json:"type"`
	Department string          `json:"department"`
	OperatorID *int64          `json:"operator_id"`
	Queue      *bool           `json:"queue"`
	Data       json.RawMessage `json:"data"`
}

// ParseResponse decodes and validates a bot's answer. An empty body and {}
// both mean "nothing to say". Unknown keys are ignored so bots written
// against a newer protocol keep working (a failed parse would trigger the
// fallback transfer, far worse than an ignored field), but every known key
// must have the right type: a mistyped field is a bug the bot owner must see.
func ParseResponse(body []byte) (Response, error) {
	if len(body) > MaxResponseBytes {
		return Response{}, fmt.Errorf("botapi: response larger than %d bytes: %w", MaxResponseBytes, apperr.ErrInvalid)
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return Response{}, nil
	}
	if !utf8.Valid(trimmed) {
		return Response{}, fmt.Errorf("botapi: response is not valid UTF-8: %w", apperr.ErrInvalid)
	}
	if trimmed[0] != '{' {
		return Response{}, fmt.Errorf("botapi: response must be a JSON object: %w", apperr.ErrInvalid)
	}
	var w wireResponse
	if err := json.Unmarshal(trimmed, &w); err != nil {
		return Response{}, fmt.Errorf("botapi: response: %s: %w", jsonerr.Reason(err), apperr.ErrInvalid)
	}
	resp := Response{Replies: w.Replies}
	v := apperr.Validation{}
	if a := w.Action; a != nil {
		if a.OperatorID != nil && *a.OperatorID <= 0 {
			v.Add("action.operator_id", "must be a positive integer")
		}
		// queue:false is harmless anywhere: it just means "not the queue".
		act := &Action{Type: a.Type, Department: a.Department, Data: a.Data, Queue: a.Queue != nil && *a.Queue}
		if a.OperatorID != nil {
			act.OperatorID = *a.OperatorID
		}
		if bytes.Equal(bytes.TrimSpace(act.Data), []byte("null")) {
			act.Data = nil
		}
		resp.Action = act
	}
	resp.validate(v)
	if err := v.Err(); err != nil {
		return Response{}, fmt.Errorf("botapi: response: %w", err)
	}
	return resp, nil
}

// Validate checks r against the protocol's rules and limits; the error
// wraps apperr.ErrInvalid and names every offending field by JSON path.
// Translators call it so a hand-built Response cannot bypass the checks.
func (r Response) Validate() error {
	v := apperr.Validation{}
	r.validate(v)
	if err := v.Err(); err != nil {
		return fmt.Errorf("botapi: response: %w", err)
	}
	return nil
}

func (r Response) validate(v apperr.Validation) {
	if len(r.Replies) > MaxReplies {
		v.Add("replies", fmt.Sprintf("at most %d replies", MaxReplies))
	}
	for i, rep := range r.Replies {
		if i >= MaxReplies {
			break
		}
		rep.validate(v, "replies["+strconv.Itoa(i)+"]")
	}
	if r.Action != nil {
		r.Action.validate(v)
	}
}

func (rep Reply) validate(v apperr.Validation, path string) {
	if strings.TrimSpace(rep.Text) == "" && len(rep.Buttons) == 0 && rep.File == nil {
		v.Add(path, "needs text, buttons or a file")
		return
	}
	if n := utf8.RuneCountInString(rep.Text); n > MaxTextLen {
		v.Add(path+".text", fmt.Sprintf("at most %d characters, got %d", MaxTextLen, n))
	}
	if len(rep.Buttons) > MaxButtonRows {
		v.Add(path+".buttons", fmt.Sprintf("at most %d rows", MaxButtonRows))
	}
	for i, row := range rep.Buttons {
		if i >= MaxButtonRows {
			break
		}
		rowPath := path + ".buttons[" + strconv.Itoa(i) + "]"
		if len(row) == 0 {
			v.Add(rowPath, "row is empty")
		}
		if len(row) > MaxButtonsPerRow {
			v.Add(rowPath, fmt.Sprintf("at most %d buttons per row", MaxButtonsPerRow))
		}
		for j, b := range row {
			if j >= MaxButtonsPerRow {
				break
			}
			b.validate(v, rowPath+"["+strconv.Itoa(j)+"]")
		}
	}
	if rep.File != nil {
		rep.File.validate(v, path+".file")
	}
}

func (b Button) validate(v apperr.Validation, path string) {
	switch {
	case strings.TrimSpace(b.Text) == "":
		v.Add(path+".text", "is required")
	case utf8.RuneCountInString(b.Text) > MaxButtonTextLen:
		v.Add(path+".text", fmt.Sprintf("at most %d characters", MaxButtonTextLen))
	}
	switch {
	case b.ID == "" && b.URL == "":
		v.Add(path, "needs an id (keyboard button) or a url (link button)")
	case b.ID != "" && b.URL != "":
		v.Add(path, "has both id and url; a button is either a keyboard or a link button")
	case b.URL != "":
		if msg := checkURL(b.URL); msg != "" {
			v.Add(path+".url", msg)
		}
	case strings.TrimSpace(b.ID) == "":
		v.Add(path+".id", "must not be blank")
	case len(b.ID) > MaxButtonIDLen:
		v.Add(path+".id", fmt.Sprintf("at most %d bytes", MaxButtonIDLen))
	}
}

func (f File) validate(v apperr.Validation, path string) {
	if f.URL == "" {
		v.Add(path+".url", "is required")
	} else if msg := checkURL(f.URL); msg != "" {
		v.Add(path+".url", msg)
	}
	if utf8.RuneCountInString(f.Name) > MaxFileNameLen {
		v.Add(path+".name", fmt.Sprintf("at most %d characters", MaxFileNameLen))
	}
	if f.MediaType != "" {
		if _, _, err := mime.ParseMediaType(f.MediaType); err != nil || !strings.Contains(f.MediaType, "/") {
			v.Add(path+".media_type", "must look like type/subtype")
		}
	}
	if f.Size < 0 {
		v.Add(path+".size", "must not be negative")
	}
}

func (a Action) validate(v apperr.Validation) {
	switch a.Type {
	case ActionTransfer:
		targets := 0
		if a.Department != "" {
			targets++
			if strings.TrimSpace(a.Department) == "" || len(a.Department) > MaxDepartmentLen {
				v.Add("action.department", fmt.Sprintf("must be a non-blank key of at most %d bytes", MaxDepartmentLen))
			}
		}
		if a.OperatorID != 0 {
			targets++
			if a.OperatorID < 0 {
				v.Add("action.operator_id", "must be a positive integer")
			}
		}
		if a.Queue {
			targets++
		}
		if targets > 1 {
			v.Add("action", "transfer names at most one of department, operator_id and queue")
		}
	case ActionClose, ActionSendDataToOperator:
		if a.Department != "" || a.OperatorID != 0 || a.Queue {
			v.Add("action", "department, operator_id and queue only apply to transfer")
		}
	case "":
		v.Add("action.type", "is required")
	default:
		v.Add("action.type", fmt.Sprintf("must be one of %s, %s, %s", ActionTransfer, ActionClose, ActionSendDataToOperator))
	}
	if len(a.Data) > 0 && a.Type != ActionSendDataToOperator {
		v.Add("action.data", "only applies to send_data_to_operator")
	}
}

// checkURL returns why u is not an absolute http(s) URL, or "".
func checkURL(u string) string {
	if len(u) > MaxURLLen {
		return fmt.Sprintf("at most %d bytes", MaxURLLen)
	}
	if strings.ContainsFunc(u, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return "must not contain spaces or control characters"
	}
	p, err := url.Parse(u)
	if err != nil {
		return "is not a valid URL"
	}
	if s := strings.ToLower(p.Scheme); s != "http" && s != "https" {
		return "must be an http or https URL"
	}
	if p.Host == "" {
		return "must have a host"
	}
	return ""
}
