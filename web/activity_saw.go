package web

import (
	"strconv"

	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/webim"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

// sawItems is "what the visitor saw" of an event: webim.Preview of the
// Webim calls the bridge stored for it (the same reading the owner's test
// event uses, no second translation), each marked sent when the bridge
// made that call. It returns the items, how many calls are not made yet,
// and why the calls could not be read ("" when they could).
func sawItems(l i18n.Lang, s bridge.ChatStep) ([]view.SawItem, int, string) {
	if len(s.WebimCalls) == 0 {
		return nil, 0, ""
	}
	items, err := webim.Preview(s.WebimCalls)
	if err != nil {
		return nil, 0, l.T("conversations.preview_error", err.Error())
	}
	out := make([]view.SawItem, 0, len(items))
	for i, it := range items {
		v := view.SawItem{Kind: it.Kind, Sent: i < s.CallsDone}
		switch it.Kind {
		case webim.PreviewText:
			v.Text = it.Text
		case webim.PreviewFile:
			if it.File != nil {
				v.Text = l.T("conversations.saw.file", it.File.Name, it.File.URL)
			}
		case webim.PreviewKeyboard:
			for _, row := range it.Buttons {
				var r []view.SawButton
				for _, b := range row {
					sb := view.SawButton{Text: b.Text}
					if b.Config != nil {
						sb.Link = b.Config.Link
					}
					r = append(r, sb)
				}
				v.Buttons = append(v.Buttons, r)
			}
		case webim.PreviewTransfer:
			switch {
			case it.OperatorID != 0:
				v.Text = l.T("conversations.saw.to_operator", strconv.FormatInt(it.OperatorID, 10))
			case it.DepKey != "":
				v.Text = l.T("conversations.saw.to_department", it.DepKey)
			default:
				v.Text = l.T("conversations.saw.to_queue")
			}
		case webim.PreviewClose:
			v.Text = l.T("conversations.saw.closed")
		}
		out = append(out, v)
	}
	unsent := max(len(s.WebimCalls)-s.CallsDone, 0)
	return out, unsent, ""
}
