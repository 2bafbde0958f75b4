package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/web/view"
)

// IntegrationEdit shows the Webim form filled with the saved settings; the
// token field stays blank (leaving it blank keeps the token).
func (h *Handler) IntegrationEdit(c echo.Context) error {
	p, in, err := h.loadIntegration(c)
	if err != nil {
		return err
	}
	return h.renderWebimEdit(c, p, in, in.Version, http.StatusOK, savedInput(in), nil, false)
}

// savedInput turns an integration back into form values.
func savedInput(in integration.Integration) integration.Input {
	out := integration.Input{Domain: in.Domain, TransferTo: in.TransferTo, DepartmentID: in.DepartmentID}
	if in.OperatorID != 0 {
		out.OperatorID = strconv.FormatInt(in.OperatorID, 10)
	}
	return out
}

// renderWebimEdit draws the edit form; version is the one the form carries
// (the submitted one when re-rendering errors, so a stale form stays stale).
func (h *Handler) renderWebimEdit(c echo.Context, p project.Project, in integration.Integration, version int32, status int,
	values integration.Input, errs apperr.Validation, conflict bool) error {
	l := langOf(c)
	f := webimForm(l, p, values, errs, true, in.TokenMask())
	f.Title, f.Submit = l.T("integration.edit.title"), l.T("integration.save")
	f.Action = integrationURL(p, in.ID) + "/edit"
	f.Version = strconv.FormatInt(int64(version), 10)
	f.Conflict = conflict
	f.CancelURL = integrationURL(p, in.ID)
	crumbs := settingsCrumbs(l, p,
		view.Crumb{Label: l.T("integration.page.title", in.Domain), URL: integrationURL(p, in.ID)},
		view.Crumb{Label: f.Title})
	return render(c, status, view.Webim(h.page(c, f.Title, crumbs...), f))
}
