package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/web/view"
)

// IntegrationShow is an integration's page: webhook URL to copy, the
// Webim-side checklist, status and settings, actions and its audit log.
func (h *Handler) IntegrationShow(c echo.Context) error {
	l := langOf(c)
	p, in, err := h.loadIntegration(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	m := view.IntegrationPage{
		Header: settingsHeader(p), Platform: in.Platform, Status: in.Status, Reason: in.UnhealthyReason,
		Domain: in.Domain, Target: integrationTarget(l, in), TokenMask: in.TokenMask(),
		CreatedBy: in.CreatedByEmail, CreatedAt: in.CreatedAt, UpdatedBy: in.UpdatedByEmail, UpdatedAt: in.UpdatedAt,
		Base: integrationURL(p, in.ID), ShowAudit: canSeeAudit(p),
	}
	// The key is kept encrypted so members can always see the URL; if the
	// SECRET_KEY that sealed it is gone, the page says how to get a new one.
	if key, err := integration.WebhookKey(h.Keyring, in); err == nil {
		m.WebhookURL = integration.WebhookURL(h.Config.BaseURL, key)
	} else {
		h.Log.Warn("webhook key unavailable", "integration", in.ID, "error", err)
	}
	if m.ShowAudit {
		entries, err := integration.IntegrationAudit(ctx, h.DB, p.ID, in.ID, integration.AuditLimit)
		if err != nil {
			return err
		}
		m.Audit = auditRows(l, p, entries, nil)
	}
	title := l.T("integration.page.title", in.Domain)
	crumbs := settingsCrumbs(l, p, view.Crumb{Label: title})
	return render(c, http.StatusOK, view.Integration(h.page(c, title, crumbs...), m))
}
