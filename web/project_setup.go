package web

import (
	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/web/view"
)

// setupSteps is the Overview checklist: request filed → approved → Webim
// integration added → bot endpoint set → first event received → first
// reply delivered, each with its live state and a link to where it is done.
func (h *Handler) setupSteps(c echo.Context, p project.Project) ([]view.SetupStep, error) {
	l := langOf(c)
	ctx := c.Request().Context()
	s, err := integration.ProjectSetup(ctx, h.DB, p.ID)
	if err != nil {
		return nil, err
	}
	base := "/projects/" + view.Itoa(p.ID)
	// The first live integration is where Webim is set up and its events show.
	integURL := settingsURL(p)
	if list, err := integration.List(ctx, h.DB, p.ID); err != nil {
		return nil, err
	} else if len(list) > 0 {
		integURL = integrationURL(p, list[0].ID)
	}
	requestURL := base + "/requests"
	if !s.RequestFiled {
		requestURL = base + "/requests/new?platform=" + integration.PlatformWebim
	}
	steps := []view.SetupStep{
		{Key: "request_filed", Label: l.T("owner.setup.step.request_filed"), Done: s.RequestFiled, URL: requestURL, Action: l.T("owner.setup.go.request_filed")},
		{Key: "approved", Label: l.T("owner.setup.step.approved"), Done: s.Approved, URL: base + "/requests", Action: l.T("owner.setup.go.approved")},
		{Key: "integration_added", Label: l.T("owner.setup.step.integration_added"), Done: s.IntegrationAdded, URL: settingsURL(p), Action: l.T("owner.setup.go.integration_added")},
		{Key: "bot_set", Label: l.T("owner.setup.step.bot_set"), Done: s.BotSet, URL: settingsURL(p) + "/bot", Action: l.T("owner.setup.go.bot_set")},
		{Key: "first_event", Label: l.T("owner.setup.step.first_event"), Done: s.FirstEvent, URL: integURL + "#webim-steps", Action: l.T("owner.setup.go.first_event")},
		{Key: "first_reply", Label: l.T("owner.setup.step.first_reply"), Done: s.FirstReply, URL: settingsURL(p) + "/bot#test-event", Action: l.T("owner.setup.go.first_reply")},
	}
	for i := range steps {
		if steps[i].Done {
			steps[i].Action = l.T("owner.setup.go.view")
		}
	}
	return steps, nil
}
