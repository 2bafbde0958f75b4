package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/integration"
)

// IntegrationCreate saves the Webim form (Add) and sends the owner to the
// new integration's page with its webhook URL.
func (h *Handler) IntegrationCreate(c echo.Context) error {
	p, err := h.CurrentProject(c)
	if err != nil {
		return err
	}
	key := c.FormValue("platform")
	if ok, err := h.checkPlatform(c, p, key); !ok || err != nil {
		return err
	}
	in := webimInput(c)
	it, err := integration.Create(c.Request().Context(), h.DB, h.integrationEnv(), p.ID, currentUser(c).ID, key, in)
	if errs := apperr.Fields(err); errs != nil {
		return h.renderWebimNew(c, p, formStatus(err), key, in, errs)
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "settings.flash.integration_added")
	return c.Redirect(http.StatusSeeOther, integrationURL(p, it.ID))
}
