package web

import (
	"bytes"
	"cmp"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/internal/webim"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

// activityIntegration loads the :project (through membership) and the
// :integration within it, for the activity pages.
func (h *Handler) activityIntegration(c echo.Context) (project.Project, int64, string, error) {
	p, err := h.CurrentProject(c)
	if err != nil {
		return p, 0, "", err
	}
	integID, err := paramID(c, "integration")
	if err != nil {
		return p, 0, "", err
	}
	name, err := integration.Domain(c.Request().Context(), h.DB, p.ID, integID)
	return p, integID, name, err
}

// ActivityList shows an integration's recent events, newest first, with
// every call made for them; keyset-paginated so it stays fast at millions.
func (h *Handler) ActivityList(c echo.Context) error {
	l := langOf(c)
	p, integID, name, err := h.activityIntegration(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	before, _ := strconv.ParseInt(c.QueryParam("before"), 10, 64)
	page, err := bridge.ListActivity(ctx, h.DB, p.ID, integID, before, 50)
	if err != nil {
		return err
	}
	base := "/projects/" + view.Itoa(p.ID) + "/settings/integrations/" + view.Itoa(integID)
	m := view.ActivityPage{
		Header:      view.ProjectHeader{ID: p.ID, Name: p.Name, Active: "settings"},
		Integration: name,
		BackURL:     base,
	}
	if page.Before > 0 {
		m.OlderURL = base + "/activity?before=" + view.Itoa(page.Before)
	}
	if before > 0 {
		m.NewestURL = base + "/activity"
	}
	ids := make([]int64, len(page.Events))
	for i, a := range page.Events {
		ids[i] = a.ID
	}
	details, err := bridge.ActivityDetails(ctx, h.DB, p.ID, ids)
	if err != nil {
		return err
	}
	for _, a := range page.Events {
		row := view.ActivityRow{
			ID: a.ID, Chat: a.PlatformChatID, Visitor: a.VisitorName, Type: a.Type, TypeLabel: l.Enum(i18n.ActivityType, a.Type), Text: a.Text,
			Status: string(a.Status), StatusLabel: l.Enum(i18n.ActivityStatus, string(a.Status)), Outcome: string(a.Outcome),
			Attempts: a.Attempts, LastError: a.LastError, ReceivedAt: a.ReceivedAt, ProcessedAt: a.ProcessedAt,
			NextAttemptAt: a.NextAttemptAt,
		}
		if row.TypeLabel == a.Type {
			row.TypeLabel = "" // a type the catalog does not know: its code says it all
		}
		row.Details = activityDetails(l, a, details[a.ID])
		for _, n := range a.Notes {
			row.Notes = append(row.Notes, noteText(l, n))
		}
		row.OperatorData = prettyJSON(a.OperatorData)
		if a.Status == bridge.StatusFailed {
			row.RetryURL = base + "/activity/" + view.Itoa(a.ID) + "/retry"
		}
		for _, call := range a.Calls {
			label := call.Target + " " + call.Method + " #" + strconv.Itoa(call.Attempt)
			if call.StatusCode > 0 {
				label += " → " + strconv.Itoa(call.StatusCode)
			}
			row.Calls = append(row.Calls, view.ActivityCall{Label: label, OK: call.OK, Error: call.Error})
		}
		m.Rows = append(m.Rows, row)
	}
	crumbs := ProjectCrumbs(l, p, view.Crumb{Label: l.T("project.tab.settings"), URL: "/projects/" + view.Itoa(p.ID) + "/settings"},
		view.Crumb{Label: name, URL: base}, view.Crumb{Label: l.T("activity.crumb")})
	return render(c, http.StatusOK, view.Activity(h.page(c, l.T("activity.title", name), crumbs...), m))
}

// activityDetails are the lines the log adds under an event: the Webim
// kind of a message.other, how many messages a chat.returned carried, the
// operator a chat.assigned named, the action an action.failed reports.
func activityDetails(l i18n.Lang, a bridge.Activity, d bridge.ActivityDetail) []string {
	var out []string
	switch a.Type {
	case botapi.TypeMessageOther:
		if d.Kind != "" {
			out = append(out, l.T("activity.kind", d.Kind))
		}
	case botapi.TypeChatReturned:
		out = append(out, l.T("activity.carried", d.Carried))
	case botapi.TypeChatAssigned:
		if op := cmp.Or(d.OperatorName, d.OperatorID); op != "" {
			out = append(out, l.T("activity.operator", op))
		}
	case botapi.TypeActionFailed:
		if d.Action != "" {
			out = append(out, l.T("activity.failed_action", d.Action))
		}
	}
	return out
}

// noteText words a translation note.
func noteText(l i18n.Lang, n webim.Note) string {
	switch {
	case n.Code == webim.NoteQueueReplaced && n.WebimVersion != "":
		return l.T("activity.note.queue_replaced", n.WebimVersion)
	case n.Code == webim.NoteQueueReplaced:
		return l.T("activity.note.queue_replaced_plain")
	}
	return l.T("activity.note.other", n.Code)
}

// prettyJSON indents JSON for reading; anything else is shown as it is.
func prettyJSON(s string) string {
	if s == "" {
		return ""
	}
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(s), "", "  "); err != nil {
		return s
	}
	return b.String()
}
