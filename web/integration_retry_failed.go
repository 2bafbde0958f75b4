package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/integration"
)

// IntegrationRetryFailed puts all of the integration's failed events back
// in the queue, in chat order. While the integration cannot send (unhealthy,
// disabled) it refuses and says why, instead of queueing events that would
// only fail again.
func (h *Handler) IntegrationRetryFailed(c echo.Context) error {
	p, in, err := h.loadIntegration(c)
	if err != nil {
		return err
	}
	n, err := h.Bridge.RetryFailed(c.Request().Context(), p.ID, in.ID)
	switch {
	case errors.Is(err, bridge.ErrCannotSend):
		h.setFlash(c, cannotSendFlash(in))
	case err != nil:
		return err
	case n == 0:
		h.setFlash(c, "owner.flash.retry_none")
	default:
		h.setFlash(c, "owner.flash.retry_all")
	}
	return c.Redirect(http.StatusSeeOther, integrationURL(p, in.ID)+"#status")
}

// cannotSendFlash says why an integration's events cannot run yet.
func cannotSendFlash(in integration.Integration) string {
	if in.Status == integration.StatusDisabled {
		return "owner.flash.retry_disabled"
	}
	return "owner.flash.retry_unhealthy"
}
