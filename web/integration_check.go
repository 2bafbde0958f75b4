package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/bridge"
)

// IntegrationCheck is "Check again": a harmless authenticated call to
// Webim; when the token is accepted an unhealthy integration works again.
// The flash says what Webim answered.
func (h *Handler) IntegrationCheck(c echo.Context) error {
	p, in, err := h.loadIntegration(c)
	if err != nil {
		return err
	}
	res, err := h.Bridge.CheckAgain(c.Request().Context(), p.ID, in.ID)
	if err != nil {
		return err
	}
	switch {
	case res.Outcome == bridge.CheckAccepted && res.Recovered:
		h.setFlash(c, "owner.flash.check_recovered")
	case res.Outcome == bridge.CheckAccepted:
		h.setFlash(c, "owner.flash.check_accepted")
	case res.Outcome == bridge.CheckRefused:
		h.setFlash(c, "owner.flash.check_refused")
	default:
		h.Log.Info("check again: no verdict", "integration", in.ID, "detail", res.Detail)
		h.setFlash(c, "owner.flash.check_unreachable")
	}
	return c.Redirect(http.StatusSeeOther, integrationURL(p, in.ID)+"#status")
}
