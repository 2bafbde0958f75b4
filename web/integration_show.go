package web

import (
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/internal/webim"
	"github.com/botbridge/botbridge/web/i18n"
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
		CanManage: can(p, project.ActionConfigureIntegration), LinkButtons: in.LinkButtons,
		ShowSecrets: can(p, project.ActionViewSecrets),
	}
	if !m.ShowSecrets {
		// The webhook URL carries the key: whoever has it can post events
		// as Webim. The token's last characters stay with the owners too.
		m.TokenMask = ""
	}
	// The key is kept encrypted so owners can always see the URL; if the
	// SECRET_KEY that sealed it is gone, the page says how to get a new one.
	if m.ShowSecrets {
		if key, err := integration.WebhookKey(h.Keyring, in); err == nil {
			m.WebhookURL = integration.WebhookURL(h.Config.BaseURL, key)
		} else {
			h.Log.Warn("webhook key unavailable", "integration", in.ID, "error", err)
		}
	}
	seen, err := bridge.Seen(ctx, h.DB, p.ID, in.ID)
	if err != nil {
		return err
	}
	m.Seen = seenView(l, seen)
	m.ChatEvents = view.ChatEventsView{
		Configured: in.ChatEventsUser != "", User: in.ChatEventsUser,
		RotateAction: m.Base + "/chat-events/rotate", HideAction: m.Base + "/chat-events/hide",
	}
	if m.WebhookURL != "" {
		m.ChatEvents.URL = chatEventsURL(m.WebhookURL, "", "")
		if m.CanManage && m.ChatEvents.Configured {
			if password, ok := h.revealChatEvents(c, p, in); ok {
				m.ChatEvents.NewURL = chatEventsURL(m.WebhookURL, in.ChatEventsUser, password)
			}
		}
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

// The kinds of call the Webim side makes, in the order the page lists
// them: the bot webhook's events, then the chat event handlers' calls
// ("other" for a chat event of a name botbridge does not know).
var (
	seenWebhookKinds    = []string{webim.EventNewChat, webim.EventNewMessage}
	seenChatEventsKinds = []string{webim.ChatEventStarted, webim.ChatEventAssigned, webim.ChatEventClosed, "other"}
)

// seenView lists every known kind (those that never came as "never"), and
// after the webhook's own any webhook event name botbridge does not know.
func seenView(l i18n.Lang, s bridge.IntegrationSeen) view.IntegrationSeen {
	at := make(map[string]*time.Time, len(s.Kinds))
	for _, k := range s.Kinds {
		at[k.Kind] = &k.LastSeenAt
	}
	row := func(kind string) view.SeenRow {
		return view.SeenRow{Kind: kind, Label: l.Enum(i18n.SeenKind, kind), At: at[kind]}
	}
	out := view.IntegrationSeen{WebimVersion: s.WebimVersion, WebimVersionAt: s.VersionSeenAt}
	for _, k := range seenWebhookKinds {
		out.Webhook = append(out.Webhook, row(k))
	}
	for _, k := range seenChatEventsKinds {
		out.ChatEvents = append(out.ChatEvents, row(k))
	}
	for _, k := range s.Kinds {
		if !slices.Contains(seenWebhookKinds, k.Kind) && !slices.Contains(seenChatEventsKinds, k.Kind) {
			out.Webhook = append(out.Webhook, view.SeenRow{Kind: k.Kind, Label: l.T("integration.seen.kind_unknown"), At: at[k.Kind]})
		}
	}
	return out
}
