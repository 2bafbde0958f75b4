package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/integration"
)

// BotEndpointSave stores the bot endpoint. The first save creates the
// signing secret, which the page then shows once.
func (h *Handler) BotEndpointSave(c echo.Context) error {
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	in := integration.BotInput{
		URL:          c.FormValue("endpoint_url"),
		Timeout:      c.FormValue("timeout"),
		FallbackMode: c.FormValue("fallback_mode"),
		// Absent from an older form: keep the visitors' language as saved.
		VisitorLanguage: c.FormValue("visitor_language"),
		FallbackText:    c.FormValue("fallback_text"),
	}
	created, err := integration.SaveBot(c.Request().Context(), h.DB, h.integrationEnv(), p.ID, currentUser(c).ID, in)
	if errs := apperr.Fields(err); errs != nil {
		return h.renderBot(c, p, formStatus(err), &in, errs)
	}
	if err != nil {
		return err
	}
	if created {
		h.setFlash(c, "settings.flash.bot_created")
	} else {
		h.setFlash(c, "settings.flash.bot_saved")
	}
	return c.Redirect(http.StatusSeeOther, settingsURL(p)+"/bot")
}
