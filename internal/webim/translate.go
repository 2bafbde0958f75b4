package webim

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"strconv"
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
func Translate(reply botapi.Response, chat ChatRef, target Target, opts Options) (Plan, error) {
	if err := reply.Validate(); err != nil {
		return Plan{}, err
	}
	if target.DepKey != "" && target.OperatorID != 0 {
		return Plan{}, fmt.Errorf("webim: transfer target names both a department and an operator: %w", apperr.ErrInvalid)
	}
	if _, err := chat.MarshalJSON(); err != nil {
		return Plan{}, fmt.Errorf("%w: %w", err, apperr.ErrInvalid)
	}
	var p Plan
	for _, rep := range reply.Replies {
		p.Calls = append(p.Calls, replyCalls(chat, rep, opts)...)
	}
	if a := reply.Action; a != nil {
		switch a.Type {
		case botapi.ActionTransfer:
			call, note := transferCall(chat, *a, target, opts)
			p.Calls = append(p.Calls, call)
			if note != nil {
				p.Notes = append(p.Notes, *note)
			}
		case botapi.ActionClose:
			p.Calls = append(p.Calls, NewCloseChat(chat))
		default:
			p.Unsupported = append(p.Unsupported, a.Type)
		}
	}
	return p, nil
}

// Options are an integration's choices for translation.
type Options struct {
	// LinkButtons sends link buttons as keyboard buttons in the shape of
	// Webim's own keyboard model ({"config":{"link":…},"params":{"type":"url"}})
	// instead of "label: url" lines. Unconfirmed for bots: off by default.
	LinkButtons bool
	// WebimVersion is the account's X-Webim-Version ("" when unknown); a
	// release before QueueTransferSince cannot transfer to the queue.
	WebimVersion string
}

// Plan is what a bot's reply becomes on Webim.
type Plan struct {
	// Calls are the API calls to make, in order.
	Calls []Call
	// Unsupported lists actions Webim cannot perform (send_data_to_operator):
	// no call, and the bot hears of it through action.failed.
	Unsupported []string
	// Notes say where the translation departed from what the bot asked,
	// for the activity log.
	Notes []Note
}

// Note is one departure from the bot's request, by code (views word it).
type Note struct {
	Code string `json:"code"`
	// WebimVersion is the account's release the note depends on.
	WebimVersion string `json:"webim_version,omitempty"`
}

// NoteQueueReplaced: the account's release cannot transfer to the general
// queue, so the chat went to the integration's configured target.
const NoteQueueReplaced = "queue_transfer_replaced"

// replyCalls is one reply's calls: text, file, keyboard, each only if present.
func replyCalls(chatID ChatRef, rep botapi.Reply, opts Options) []Call {
	var calls []Call
	text := replyText(rep, nil)
	if opts.LinkButtons {
		text = MarkdownToText(rep.Text)
	}
	if text != "" {
		calls = append(calls, NewTextMessage(chatID, text))
	}
	if rep.File != nil {
		calls = append(calls, NewFileMessage(chatID, fileData(*rep.File)))
	}
	if rows := keyboardRows(rep.Buttons, opts.LinkButtons); len(rows) > 0 {
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

// keyboardRows keeps the id buttons in their rows (and, with links, the
// link buttons in Webim's link shape); rows left empty once link buttons
// are taken out are dropped (Webim would show an empty row).
func keyboardRows(rows [][]botapi.Button, links bool) [][]Button {
	var out [][]Button
	n := 0
	for _, row := range rows {
		var kept []Button
		for _, b := range row {
			switch {
			case b.IsLink() && links:
				n++
				kept = append(kept, Button{ID: "link-" + strconv.Itoa(n), Text: strings.TrimSpace(b.Text),
					Config: &ButtonConfig{Link: b.URL}, Params: &ButtonParams{Type: "url"}})
			case !b.IsLink() && b.ID != "":
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
//
// A queue transfer (asked for, or the fallback of an integration with no
// target) on a release that cannot do it goes to the configured target
// instead, with a note.
func transferCall(chatID ChatRef, a botapi.Action, target Target, opts Options) (Call, *Note) {
	switch {
	case a.Department != "":
		return NewRedirectToDepartment(chatID, a.Department), nil
	case a.OperatorID != 0:
		return NewRedirectToOperator(chatID, a.OperatorID), nil
	case a.Queue && SupportsQueueTransfer(opts.WebimVersion):
		return NewRedirectToQueue(chatID), nil
	case a.Queue && target != (Target{}):
		return NewRedirect(chatID, target), &Note{Code: NoteQueueReplaced, WebimVersion: opts.WebimVersion}
	default:
		return NewRedirect(chatID, target), nil
	}
}

// NewRedirect hands the chat to the integration's configured target: the
// department, else the operator, else the general queue.
func NewRedirect(chatID ChatRef, target Target) Call {
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
		if rows := keyboardRows(rep.Buttons, false); len(rows) > 0 {
			ans.Messages = append(ans.Messages, OutMessage{Kind: KindKeyboard, Buttons: rows})
		}
	}
	return ans
}
