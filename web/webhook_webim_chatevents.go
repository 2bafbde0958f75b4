package web

import (
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/clip"
	"github.com/botbridge/botbridge/internal/webim"
)

// WebhookWebimChatEvents takes calls of the Webim account's chat event
// handlers (chat_started, chat_assigned, chat_closed) at an integration's
// chat events URL. Webim sends the Basic credentials written into the URL;
// without the right ones the answer is 401 and nothing is stored. The
// payload's shape is not public, so anything that is a JSON object naming
// an event is answered 200.
func (h *Handler) WebhookWebimChatEvents(c echo.Context) error {
	ctx := c.Request().Context()
	if h.Bridge == nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"error": "bridge not configured"})
	}
	key := c.Param("key")
	integ, err := h.Bridge.Integration(ctx, key)
	if k, ok := h.graceKey(c, key, err); ok {
		integ, err = h.Bridge.Integration(ctx, k)
	}
	if err != nil {
		return h.webhookErr(c, err)
	}
	user, password, ok := c.Request().BasicAuth()
	if !ok {
		c.Response().Header().Set("WWW-Authenticate", `Basic realm="botbridge chat events"`)
		return c.JSON(http.StatusUnauthorized, map[string]string{"error": "Basic credentials required"})
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, webim.MaxWebhookBytes+1))
	if err != nil {
		return c.JSON(http.StatusBadRequest, map[string]string{"error": "could not read the request body"})
	}
	if len(body) > webim.MaxWebhookBytes {
		return c.JSON(http.StatusRequestEntityTooLarge, map[string]string{"error": "body larger than 1 MiB"})
	}
	ev, err := webim.ParseChatEvent(c.Param("event"), body)
	if err != nil {
		h.Bridge.Metrics.Webhook(bridge.WebhookRefused, bridge.ReasonBadBody)
		return c.JSON(http.StatusBadRequest, map[string]string{"error": err.Error()})
	}
	res, err := h.Bridge.IngestChatEvent(ctx, integ, user, password, ev, clip.Text(c.Request().Header.Get(webim.HeaderWebimVersion), 32))
	if errors.Is(err, bridge.ErrBadCredentials) {
		h.Bridge.Metrics.Webhook(bridge.WebhookRefused, bridge.ReasonBadCredentials)
		c.Response().Header().Set("WWW-Authenticate", `Basic realm="botbridge chat events"`)
		return c.JSON(http.StatusUnauthorized, map[string]string{"error": "wrong credentials"})
	}
	if err != nil {
		return h.webhookErr(c, err)
	}
	switch {
	case res.EventID > 0:
		h.Bridge.Metrics.Webhook(bridge.WebhookStored, bridge.ReasonNone)
	case res.Ignored:
		h.Bridge.Metrics.Webhook(bridge.WebhookIgnored, bridge.ReasonNone)
	default:
		h.Bridge.Metrics.Webhook(bridge.WebhookDuplicate, bridge.ReasonNone)
	}
	if res.Ignored && ev.ChatID == "" {
		h.Log.Info("webhook: chat event names no chat; recorded, not stored", slog.String("event", clip.Text(ev.Name, 64)),
			slog.String("request_id", requestID(c)))
	}
	return c.JSON(http.StatusOK, map[string]string{"result": "ok"})
}
