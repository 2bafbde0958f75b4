package webim

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/botapi"
)

// Target is the integration's "Transfer to" setting: a department key or an
// operator id (at most one). With neither, transfers go to the queue.
type Target struct {
	DepKey     string
	OperatorID int64
}

// Translate turns a bot's answer into the Webim 2.0 calls to make, in
// order. Per reply: its text (Markdown rendered to plain text, link buttons
// appended as "label: url" lines), then its file, then its keyboard of id
// buttons, last so the buttons sit right above the visitor's input. The
// action comes after all replies. Actions Webim cannot perform
// (send_data_to_operator) produce no call and are listed in unsupported, so
// the engine can send the bot an action.failed event.
func Translate(reply botapi.Response, chatID string, target Target) (calls []Call, unsupported []string, err error) {
	if err := reply.Validate(); err != nil {
		return nil, nil, err
	}
	if target.DepKey != "" && target.OperatorID != 0 {
		return nil, nil, fmt.Errorf("webim: transfer target names both a department and an operator: %w", apperr.ErrInvalid)
	}
	id, err := ParseChatID(chatID)
	if err != nil {
		return nil, nil, err
	}
	for _, rep := range reply.Replies {
		calls = append(calls, replyCalls(id, rep)...)
	}
	if a := reply.Action; a != nil {
		switch a.Type {
		case botapi.ActionTransfer:
			calls = append(calls, transferCall(id, *a, target))
		case botapi.ActionClose:
			calls = append(calls, NewCloseChat(id))
		default:
			unsupported = append(unsupported, a.Type)
		}
	}
	return calls, unsupported, nil
}

// replyCalls is one reply's calls: text, file, keyboard, each only if present.
func replyCalls(chatID int64, rep botapi.Reply) []Call {
	var calls []Call
	if text := replyText(rep, nil); text != "" {
		calls = append(calls, NewTextMessage(chatID, text))
	}
	if rep.File != nil {
		calls = append(calls, NewFileMessage(chatID, fileData(*rep.File)))
	}
	if rows := keyboardRows(rep.Buttons); len(rows) > 0 {
		calls = append(calls, NewKeyboardMessage(chatID, rows))
	}
	return calls
}

// replyText is the plain text of a reply: its Markdown rendered, then a
// blank line and the link buttons (and extra lines) one per line. Webim
// cannot show link buttons, so the visitor gets the URL to tap instead.
func replyText(rep botapi.Reply, extra []string) string {
	text := MarkdownToText(rep.Text)
	lines := append(linkLines(rep.Buttons), extra...)
	if len(lines) == 0 {
		return text
	}
	if text == "" {
		return strings.Join(lines, "\n")
	}
	return text + "\n\n" + strings.Join(lines, "\n")
}

// linkLines lists the link buttons as "label: url", in reading order.
func linkLines(rows [][]botapi.Button) []string {
	var lines []string
	for _, row := range rows {
		for _, b := range row {
			if b.IsLink() {
				lines = append(lines, strings.TrimSpace(b.Text)+": "+b.URL)
			}
		}
	}
	return lines
}

// keyboardRows keeps the id buttons in their rows; rows left empty once
// link buttons are taken out are dropped (Webim would show an empty row).
func keyboardRows(rows [][]botapi.Button) [][]Button {
	var out [][]Button
	for _, row := range rows {
		var kept []Button
		for _, b := range row {
			if !b.IsLink() && b.ID != "" {
				kept = append(kept, Button{ID: b.ID, Text: b.Text})
			}
		}
		if len(kept) > 0 {
			out = append(out, kept)
		}
	}
	return out
}

// fileData fills in what Webim needs but bots may omit: a name from the
// URL's last path segment and a media type from the name's extension.
func fileData(f botapi.File) FileData {
	d := FileData{URL: f.URL, Name: strings.TrimSpace(f.Name), MediaType: f.MediaType}
	if d.Name == "" {
		d.Name = fileNameFromURL(f.URL)
	}
	if d.MediaType == "" {
		d.MediaType = mediaTypeByName(d.Name)
	}
	return d
}

func fileNameFromURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "file"
	}
	name := path.Base(u.Path)
	if name == "." || name == "/" || name == "" {
		return "file"
	}
	return name
}

// mediaTypes is a fixed table rather than mime.TypeByExtension, whose
// answers depend on the host's /etc/mime.types.
var mediaTypes = map[string]string{
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
	".webp": "image/webp", ".svg": "image/svg+xml", ".pdf": "application/pdf",
	".txt": "text/plain", ".csv": "text/csv", ".json": "application/json",
	".zip": "application/zip", ".mp3": "audio/mpeg", ".ogg": "audio/ogg",
	".mp4": "video/mp4", ".doc": "application/msword",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xls":  "application/vnd.ms-excel",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

func mediaTypeByName(name string) string {
	if t, ok := mediaTypes[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	return "application/octet-stream"
}

// transferCall picks the redirect target: the action's own department,
// operator or queue first, else the integration's configured target, else
// the queue.
func transferCall(chatID int64, a botapi.Action, target Target) Call {
	switch {
	case a.Department != "":
		return NewRedirectToDepartment(chatID, a.Department)
	case a.OperatorID != 0:
		return NewRedirectToOperator(chatID, a.OperatorID)
	case a.Queue:
		return NewRedirectToQueue(chatID)
	default:
		return NewRedirect(chatID, target)
	}
}

// NewRedirect hands the chat to the integration's configured target: the
// department, else the operator, else the general queue.
func NewRedirect(chatID int64, target Target) Call {
	switch {
	case target.DepKey != "":
		return NewRedirectToDepartment(chatID, target.DepKey)
	case target.OperatorID != 0:
		return NewRedirectToOperator(chatID, target.OperatorID)
	default:
		return NewRedirectToQueue(chatID)
	}
}

// V1Answer is the response body of a Bot API 1.0 webhook: the bot's
// messages inline, or has_answer=false to hand the chat to the queue.
type V1Answer struct {
	HasAnswer bool
	Messages  []OutMessage
	// Unsupported lists action types 1.0 cannot perform and the bot should
	// hear about (send_data_to_operator). Not part of the wire format.
	Unsupported []string
}

// MarshalJSON writes {"has_answer":false} alone, and always a messages
// array (possibly empty) when has_answer is true.
func (a V1Answer) MarshalJSON() ([]byte, error) {
	if !a.HasAnswer {
		return []byte(`{"has_answer":false}`), nil
	}
	msgs := a.Messages
	if msgs == nil {
		msgs = []OutMessage{}
	}
	return json.Marshal(struct {
		HasAnswer bool         `json:"has_answer"`
		Messages  []OutMessage `json:"messages"`
	}{true, msgs})
}

// TranslateV1 renders a bot's answer for Bot API 1.0, which has no files,
// no targeted transfer and no close: a file becomes a "name: url" line of
// its reply's text; any transfer becomes has_answer=false (the queue), and
// the replies are dropped because 1.0 cannot both answer and transfer;
// close is ignored. The answer should come from ParseResponse; invalid
// parts of a hand-built one are skipped, never a panic.
func TranslateV1(reply botapi.Response) V1Answer {
	var ans V1Answer
	if a := reply.Action; a != nil {
		switch a.Type {
		case botapi.ActionTransfer:
			return V1Answer{HasAnswer: false}
		case botapi.ActionSendDataToOperator:
			ans.Unsupported = append(ans.Unsupported, a.Type)
		}
	}
	ans.HasAnswer = true
	ans.Messages = []OutMessage{}
	for _, rep := range reply.Replies {
		var extra []string
		if f := rep.File; f != nil && f.URL != "" {
			extra = append(extra, fileData(*f).Name+": "+f.URL)
		}
		if text := replyText(rep, extra); text != "" {
			ans.Messages = append(ans.Messages, OutMessage{Kind: KindOperator, Text: text})
		}
		if rows := keyboardRows(rep.Buttons); len(rows) > 0 {
			ans.Messages = append(ans.Messages, OutMessage{Kind: KindKeyboard, Buttons: rows})
		}
	}
	return ans
}
