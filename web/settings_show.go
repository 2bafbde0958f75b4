package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/web/view"
)

// SettingsShow is the project's Settings tab: the chat-platform choice,
// the integrations, the bot endpoint and (for owners) the audit log.
func (h *Handler) SettingsShow(c echo.Context) error {
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	return h.renderSettings(c, p, http.StatusOK, "", "")
}

// renderSettings draws the Settings page; platformErr (a catalog key) is
// shown under the platform choice, chosen is the platform to keep checked.
func (h *Handler) renderSettings(c echo.Context, p project.Project, status int, platformErr, chosen string) error {
	l := langOf(c)
	ctx := c.Request().Context()
	choices, err := integration.PlatformChoices(ctx, h.DB, p.ID)
	if err != nil {
		return err
	}
	m := view.SettingsPage{
		Header:       settingsHeader(p),
		ChoiceAction: settingsURL(p) + "/integrations/new",
		BotURL:       settingsURL(p) + "/bot",
		ShowAudit:    canSeeAudit(p),
		CanConfigure: can(p, project.ActionConfigureIntegration),
		ShowBot:      can(p, project.ActionConfigureBot),
	}
	if can(p, project.ActionRename) {
		m.RenameURL = settingsURL(p) + "/name"
	}
	if platformErr != "" {
		m.PlatformError = l.T(platformErr)
	}
	selectable := 0
	for _, ch := range choices {
		if ch.Configurable() {
			selectable++
		}
	}
	projectURL := "/projects/" + view.Itoa(p.ID)
	for _, ch := range choices {
		opt := view.SettingsPlatform{Key: ch.Key, Name: ch.Name, Selectable: ch.Configurable(), ComingSoon: !ch.Available}
		opt.Checked = opt.Selectable && (ch.Key == chosen || (chosen == "" && selectable == 1))
		if ch.Available && !ch.Granted {
			opt.RequestStatus = ch.RequestStatus
			if ch.RequestStatus != "" {
				opt.RequestsURL = projectURL + "/requests"
			}
			// A closed request (or none) leaves the way open to ask again.
			switch ch.RequestStatus {
			case "", "rejected", "withdrawn":
				opt.RequestURL = projectURL + "/requests/new?platform=" + ch.Key
			}
		}
		m.Platforms = append(m.Platforms, opt)
	}

	list, err := integration.List(ctx, h.DB, p.ID)
	if err != nil {
		return err
	}
	// The list words each status as the integration's page does (waiting
	// for the first event, working, …), not the stored status.
	states, err := integration.States(ctx, h.DB, p.ID, list)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, in := range list {
		names[in.ID] = in.Domain
		m.Integrations = append(m.Integrations, view.IntegrationRow{
			URL: integrationURL(p, in.ID), Platform: platformName(choices, in.Platform), Domain: in.Domain,
			Status: in.Status, State: states[in.ID], StateLabel: stateLabel(l, states[in.ID]), Reason: in.UnhealthyReason, Target: integrationTarget(l, in), UpdatedAt: in.UpdatedAt,
		})
	}

	bot, err := integration.GetBotSettings(ctx, h.DB, p.ID)
	switch {
	case !m.ShowBot:
	case err == nil:
		m.Bot = &view.SettingsBot{
			URL: bot.URL, Timeout: l.T("settings.bot.seconds", bot.TimeoutSeconds),
			FallbackText: bot.FallbackText, SecretMask: bot.SecretMask(),
		}
	case !errors.Is(err, apperr.ErrNotFound):
		return err
	}

	if m.ShowAudit {
		entries, err := integration.ProjectAudit(ctx, h.DB, p.ID, integration.AuditLimit)
		if err != nil {
			return err
		}
		m.Audit = auditRows(l, p, entries, names)
	}
	if m.Lifecycle, err = h.lifecycleSection(c, p); err != nil { // lifecycle_support.go
		return err
	}
	title := l.T("settings.title")
	return render(c, status, view.Settings(h.page(c, p.Name+" · "+title, settingsCrumbs(l, p)...), m))
}

func platformName(choices []integration.PlatformChoice, key string) string {
	for _, ch := range choices {
		if ch.Key == key {
			return ch.Name
		}
	}
	return key
}
