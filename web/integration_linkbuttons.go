package web

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/integration"
)

// IntegrationLinkButtons turns the experimental "send link buttons as
// Webim buttons" switch on or off (the form's checkbox: present is on).
func (h *Handler) IntegrationLinkButtons(c echo.Context) error {
	p, in, err := h.loadIntegration(c)
	if err != nil {
		return err
	}
	if err := requireOwner(p); err != nil {
		return err
	}
	var on bool
	switch v := c.FormValue("link_buttons"); v {
	case "yes", "on", "true", "1":
		on = true
	case "", "no", "off", "false", "0":
	default:
		return fmt.Errorf("web: link_buttons %q: %w", v, apperr.ErrInvalid)
	}
	if on != in.LinkButtons {
		if err := integration.SetLinkButtons(c.Request().Context(), h.DB, p.ID, in.ID, currentUser(c).ID, on); err != nil {
			return err
		}
	}
	if on {
		h.setFlash(c, "settings.flash.link_buttons_on")
	} else {
		h.setFlash(c, "settings.flash.link_buttons_off")
	}
	return c.Redirect(http.StatusSeeOther, integrationURL(p, in.ID)+"#link-buttons")
}
