package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/project"
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
	for _, a := range page.Events {
		row := view.ActivityRow{
			ID: a.ID, Chat: a.PlatformChatID, Visitor: a.VisitorName, Type: a.Type, Text: a.Text,
			Status: string(a.Status), StatusLabel: l.Enum(i18n.ActivityStatus, string(a.Status)), Outcome: string(a.Outcome),
			Attempts: a.Attempts, LastError: a.LastError, ReceivedAt: a.ReceivedAt, ProcessedAt: a.ProcessedAt,
			NextAttemptAt: a.NextAttemptAt,
		}
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
