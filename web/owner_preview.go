package web

import (
	"strconv"

	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/webim"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

// PreviewView words webim.Preview's items for view.VisitorPreview: the
// texts as sent, files by name, keyboards by their labels, transfers and
// closes as a line about the chat. The test event and the activity log's
// "what the visitor saw" both use it.
func PreviewView(l i18n.Lang, items []webim.PreviewItem) []view.PreviewItem {
	out := make([]view.PreviewItem, 0, len(items))
	for _, it := range items {
		v := view.PreviewItem{Kind: it.Kind, Text: it.Text}
		switch it.Kind {
		case webim.PreviewFile:
			if it.File != nil {
				v.FileName, v.FileURL = it.File.Name, it.File.URL
			}
		case webim.PreviewKeyboard:
			for _, row := range it.Buttons {
				var r []view.PreviewButton
				for _, b := range row {
					pb := view.PreviewButton{Text: b.Text}
					if b.Config != nil {
						pb.URL = b.Config.Link
					}
					r = append(r, pb)
				}
				v.Rows = append(v.Rows, r)
			}
		case webim.PreviewTransfer:
			switch {
			case it.DepKey != "":
				v.Text = l.T("owner.preview.transfer_department", it.DepKey)
			case it.OperatorID != 0:
				v.Text = l.T("owner.preview.transfer_operator", strconv.FormatInt(it.OperatorID, 10))
			default:
				v.Text = l.T("owner.preview.transfer_queue")
			}
		case webim.PreviewClose:
			v.Text = l.T("owner.preview.close")
		}
		out = append(out, v)
	}
	return out
}

// stateLabel words an integration's health state.
func stateLabel(l i18n.Lang, state string) string {
	switch state {
	case integration.StateWorking:
		return l.T("owner.state.working")
	case integration.StateUnhealthy:
		return l.T("owner.state.unhealthy")
	case integration.StateDisabled:
		return l.T("owner.state.disabled")
	}
	return l.T("owner.state.waiting")
}

// projectHealthLabel words a project's health on "My projects".
func projectHealthLabel(l i18n.Lang, health string) string {
	switch health {
	case integration.ProjectWaiting:
		return l.T("owner.health.waiting")
	case integration.ProjectWorking:
		return l.T("owner.health.working")
	case integration.ProjectNeedsAttention:
		return l.T("owner.health.needs_attention")
	}
	return l.T("owner.health.not_set_up")
}
