package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/web/view"
)

// IntegrationNew shows the configuration form of the platform chosen in
// Settings (GET …/settings/integrations/new?platform=webim).
func (h *Handler) IntegrationNew(c echo.Context) error {
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	key := c.QueryParam("platform")
	if ok, err := h.checkPlatform(c, p, key); !ok || err != nil {
		return err
	}
	in := integration.Input{TransferTo: integration.TransferDepartment}
	return h.renderWebimNew(c, p, http.StatusOK, key, in, nil)
}

// checkPlatform refuses a platform the project cannot configure. A key
// that is not in the catalog is a 404; a known platform that is not
// granted (or not offered yet) re-renders Settings with the reason. ok is
// true when the form may be shown or saved.
func (h *Handler) checkPlatform(c echo.Context, p project.Project, key string) (ok bool, err error) {
	if key == "" {
		return false, h.renderSettings(c, p, http.StatusUnprocessableEntity, "settings.platforms.required", "")
	}
	ch, err := integration.Platform(c.Request().Context(), h.DB, p.ID, key)
	if err != nil {
		return false, err
	}
	switch {
	case !ch.Available || ch.Key != integration.PlatformWebim:
		return false, h.renderSettings(c, p, http.StatusForbidden, "settings.platforms.unavailable", "")
	case !ch.Granted:
		return false, h.renderSettings(c, p, http.StatusForbidden, "settings.platforms.not_granted", "")
	}
	return true, nil
}

func (h *Handler) renderWebimNew(c echo.Context, p project.Project, status int, platform string, in integration.Input, errs apperr.Validation) error {
	l := langOf(c)
	f := webimForm(l, p, in, errs, false, "")
	f.Title, f.Submit = l.T("integration.new.title"), l.T("integration.add")
	f.Platform = platform
	f.Action = settingsURL(p) + "/integrations/new?platform=" + platform
	crumbs := settingsCrumbs(l, p, view.Crumb{Label: f.Title})
	return render(c, status, view.Webim(h.page(c, f.Title, crumbs...), f))
}
