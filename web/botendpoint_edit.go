package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/web/i18n"
	"github.com/botbridge/botbridge/web/view"
)

// BotEndpointEdit shows the bot endpoint form and the signing secret: in
// full once, right after it was created or rotated, else masked.
func (h *Handler) BotEndpointEdit(c echo.Context) error {
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	return h.renderBot(c, p, http.StatusOK, nil, nil)
}

// renderBot draws the bot page; values is nil to show what is saved.
func (h *Handler) renderBot(c echo.Context, p project.Project, status int, values *integration.BotInput, errs apperr.Validation) error {
	return h.renderBotPage(c, p, status, values, errs, nil)
}

// renderBotPage is renderBot with the result of a test event, if one ran.
func (h *Handler) renderBotPage(c echo.Context, p project.Project, status int, values *integration.BotInput, errs apperr.Validation, test *view.TestEventView) error {
	l := langOf(c)
	ctx := c.Request().Context()
	m := view.BotForm{
		Header: settingsHeader(p), Action: settingsURL(p) + "/bot", RotateAction: settingsURL(p) + "/bot/rotate-secret",
		HideAction: settingsURL(p) + "/bot/hide-secret",
		CancelURL:  settingsURL(p),
	}
	in := integration.DefaultBotInput(integration.DefaultVisitorLanguage)
	saved, err := integration.GetBotSettings(ctx, h.DB, p.ID)
	switch {
	case err == nil:
		in = saved.Input()
		m.Configured, m.SecretMask, m.PreviousValidUntil = true, saved.SecretMask(), saved.PreviousValidUntil
		// The new secret stays visible to its maker until they confirm
		// they copied it (a POST), never consumed by a mere page view.
		if values == nil {
			sec, ok, err := integration.RevealBotSecret(ctx, h.DB, h.Keyring, p.ID, currentUser(c).ID)
			if err != nil {
				return err
			}
			if ok {
				m.NewSecret = sec
			}
		}
	case !errors.Is(err, apperr.ErrNotFound):
		return err
	}
	if values != nil {
		in = *values
	}
	m.URL = field(l, "endpoint_url", "bot.endpoint_url.label", in.URL, errs)
	m.URL.Type, m.URL.Required, m.URL.Hint, m.URL.Placeholder = "url", true, l.T("bot.endpoint_url.hint"), "https://bot.example.com/webhook"
	m.URL.Autocomplete = "off"
	m.Timeout = field(l, "timeout", "bot.timeout.label", in.Timeout, errs)
	m.Timeout.Type, m.Timeout.Required, m.Timeout.Hint = "number", true, l.T("bot.timeout.hint")
	m.FallbackMode = in.FallbackMode
	if k, ok := errs["fallback_mode"]; ok {
		m.ModeError = l.T(k)
	}
	m.VisitorLanguage = field(l, "visitor_language", "bot.visitor_language.label", in.VisitorLanguage, errs)
	m.VisitorLanguage.Required, m.VisitorLanguage.Hint = true, l.T("bot.visitor_language.hint")
	for _, vl := range integration.VisitorLanguages {
		if lang, ok := i18n.Parse(vl); ok {
			m.VisitorLanguages = append(m.VisitorLanguages, view.Option{Value: vl, Label: lang.Name(), Selected: vl == in.VisitorLanguage})
		}
	}
	m.FallbackText = field(l, "fallback_text", "bot.fallback_text.label", in.FallbackText, errs)
	m.FallbackText.Required, m.FallbackText.Hint, m.FallbackText.MaxLength = true, l.T("bot.fallback_text.hint"), integration.MaxFallbackText

	m.Test = view.TestEventView{Action: settingsURL(p) + "/bot/test"}
	if test != nil {
		m.Test = *test
	}
	title := l.T("bot.title")
	crumbs := settingsCrumbs(l, p, view.Crumb{Label: title})
	return render(c, status, view.BotEndpoint(h.page(c, title, crumbs...), m))
}
