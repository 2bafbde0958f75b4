package web

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

// SettingsResolver resolves host names when a Webim domain or bot endpoint
// is saved (the SSRF check); nil means the system resolver. Tests replace
// it with a fixed table so they need no DNS.
var SettingsResolver outbound.Resolver

func (h *Handler) integrationEnv() integration.Env {
	return integration.Env{Keyring: h.Keyring, Outbound: h.Outbound, Resolver: SettingsResolver}
}

func settingsURL(p project.Project) string {
	return "/projects/" + view.Itoa(p.ID) + "/settings"
}

func integrationURL(p project.Project, id int64) string {
	return settingsURL(p) + "/integrations/" + view.Itoa(id)
}

func settingsHeader(p project.Project) view.ProjectHeader {
	return view.ProjectHeader{ID: p.ID, Name: p.Name, Active: "settings"}
}

// settingsCrumbs is the trail down to Settings, with an optional page below.
func settingsCrumbs(l i18n.Lang, p project.Project, tail ...view.Crumb) []view.Crumb {
	s := view.Crumb{Label: l.T("settings.title"), URL: settingsURL(p)}
	if len(tail) == 0 {
		s.URL = ""
	}
	return ProjectCrumbs(l, p, append([]view.Crumb{s}, tail...)...)
}

// canSeeAudit: whether the viewer's role may read the audit log.
func canSeeAudit(p project.Project) bool { return can(p, project.ActionViewAudit) }

func integrationTarget(l i18n.Lang, in integration.Integration) string {
	if in.TransferTo == integration.TransferOperator {
		return l.T("integration.target.operator", view.Itoa(in.OperatorID))
	}
	return l.T("integration.target.department", in.DepartmentID)
}

// loadIntegration loads the :integration parameter within the current
// project; another project's integration is a 404 like a missing one.
func (h *Handler) loadIntegration(c echo.Context) (project.Project, integration.Integration, error) {
	p, err := h.CurrentProject(c)
	if err != nil {
		return p, integration.Integration{}, err
	}
	id, err := paramID(c, "integration")
	if err != nil {
		return p, integration.Integration{}, err
	}
	in, err := integration.Get(c.Request().Context(), h.DB, p.ID, id)
	return p, in, err
}

// auditRows turns audit entries into view rows; names maps integration
// ids to their domains for the project-wide log.
func auditRows(l i18n.Lang, p project.Project, entries []integration.AuditEntry, names map[int64]string) []view.SettingsAuditRow {
	rows := make([]view.SettingsAuditRow, len(entries))
	for i, e := range entries {
		r := view.SettingsAuditRow{At: e.CreatedAt, Actor: e.ActorEmail, Action: l.Enum(i18n.AuditAction, e.Action), Detail: e.Detail}
		if r.Actor == "" {
			r.Actor = l.T("settings.audit.system")
		}
		if e.Action == integration.ActionLinkButtonsChanged {
			// The detail is the switch's new value, "true" or "false".
			if e.Detail == "true" {
				r.Detail = l.T("settings.audit.detail.link_buttons_on")
			} else {
				r.Detail = l.T("settings.audit.detail.link_buttons_off")
			}
		}
		if d, ok := teamAuditDetail(l, e.Action, e.Detail); ok {
			r.Detail = d
		}
		if names != nil && e.IntegrationID != 0 {
			if d, ok := names[e.IntegrationID]; ok {
				r.Subject, r.SubjectURL = d, integrationURL(p, e.IntegrationID)
			} else {
				r.Subject = "#" + strconv.FormatInt(e.IntegrationID, 10)
			}
		}
		rows[i] = r
	}
	return rows
}

// webimForm builds the Webim form's view model. The token is never echoed.
func webimForm(l i18n.Lang, p project.Project, in integration.Input, errs apperr.Validation, editing bool, tokenMask string) view.WebimForm {
	tok := field(l, "token", "integration.token.label", "", errs)
	tok.Type, tok.Autocomplete, tok.MaxLength = "password", "off", integration.MaxTokenLen
	tok.Hint = l.T("integration.token.hint")
	tok.Required = !editing
	if editing {
		tok.Hint = l.T("integration.token.keep", tokenMask)
	}
	dom := field(l, "domain", "integration.domain.label", in.Domain, errs)
	dom.Required, dom.Hint, dom.Placeholder, dom.Autocomplete = true, l.T("integration.domain.hint"), "salutebot.webim.ru", "off"
	dep := field(l, "department_id", "integration.department_id.label", in.DepartmentID, errs)
	dep.Required, dep.Hint, dep.MaxLength, dep.Autocomplete = true, l.T("integration.department_id.hint"), integration.MaxDepartmentID, "off"
	op := field(l, "operator_id", "integration.operator_id.label", in.OperatorID, errs)
	op.Required, op.Hint, op.Autocomplete = true, l.T("integration.operator_id.hint"), "off"
	f := view.WebimForm{
		Header: settingsHeader(p), Token: tok, Domain: dom, Department: dep, Operator: op,
		TransferTo: in.TransferTo, CancelURL: settingsURL(p),
	}
	if k, ok := errs["transfer_to"]; ok {
		f.TransferError = l.T(k)
	}
	if f.TransferTo != integration.TransferOperator && f.TransferTo != integration.TransferDepartment {
		f.TransferTo = integration.TransferDepartment
	}
	return f
}

// webimInput reads the Webim form.
func webimInput(c echo.Context) integration.Input {
	return integration.Input{
		Token:        c.FormValue("token"),
		Domain:       c.FormValue("domain"),
		TransferTo:   c.FormValue("transfer_to"),
		DepartmentID: c.FormValue("department_id"),
		OperatorID:   c.FormValue("operator_id"),
	}
}

// PlatformSummaries decorates "My projects" with each project's granted
// platforms and their health ("Webim · Active"). Wire it as
// Deps.Platforms; settingsRoutes installs it when Deps leaves it nil.
func PlatformSummaries(q db.DBTX) ProjectPlatforms {
	return func(c echo.Context, projectIDs []int64) (map[int64][]string, error) {
		l := langOf(c)
		u := currentUser(c)
		if u == nil {
			return nil, nil
		}
		sum, err := integration.SummaryForProjects(c.Request().Context(), q, u.ID, projectIDs)
		if err != nil {
			return nil, err
		}
		out := make(map[int64][]string, len(sum))
		for id, list := range sum {
			for _, ph := range list {
				out[id] = append(out[id], l.Enum(i18n.PlatformSummary, ph.Health, ph.Name))
			}
		}
		return out, nil
	}
}
