package web

import (
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/clip"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/webim"
)

// WebhookWebim is the ingress for every tenant's Webim account. Webim sends
// no credential: the unguessable key in the URL is the proof. The event is
// acknowledged only after it is committed together with its job.
//
// The key is resolved by the transaction that stores the event: one round
// trip fewer per webhook. Refusals look the key up first, so an unknown,
// rotated, disabled or deleted key is 404 whatever the body, without
// detail, and only the owner of a real key learns what is wrong with it.
//
// pathVersion is the version the route's URL names ("v1", "v2" or "" for
// none).
func (h *Handler) WebhookWebim(pathVersion string) echo.HandlerFunc {
	return func(c echo.Context) error { return h.webhookWebim(c, pathVersion) }
}

func (h *Handler) webhookWebim(c echo.Context, pathVersion string) error {
	ctx := c.Request().Context()
	if h.Bridge == nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"error": "bridge not configured"})
	}
	m := h.Bridge.Metrics
	key := c.Param("key")
	// graced: an unknown key was looked up once among the rotated-away keys
	// still in their grace period (and, if found, key is the current one).
	graced := false
	retry := func(err error) bool {
		if graced {
			return false
		}
		graced = true
		k, ok := h.graceKey(c, key, err)
		if ok {
			key = k
		}
		return ok
	}
	refuse := func(status int, reason, msg string) error {
		_, err := h.Bridge.Integration(ctx, key)
		if retry(err) {
			_, err = h.Bridge.Integration(ctx, key)
		}
		if err != nil {
			return h.webhookErr(c, err)
		}
		m.Webhook(bridge.WebhookRefused, reason)
		return c.JSON(status, map[string]string{"error": msg})
	}
	version, err := webim.DetectVersion(c.Request().Header.Get(webim.HeaderVersion), pathVersion)
	if err != nil {
		return refuse(http.StatusBadRequest, bridge.ReasonBadVersion, err.Error())
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, webim.MaxWebhookBytes+1))
	if err != nil {
		return refuse(http.StatusBadRequest, bridge.ReasonBadBody, "could not read the request body")
	}
	if len(body) > webim.MaxWebhookBytes {
		return refuse(http.StatusRequestEntityTooLarge, bridge.ReasonTooLarge, "body larger than 1 MiB")
	}
	ev, err := webim.ParseWebhook(version, body)
	if err != nil {
		return refuse(http.StatusBadRequest, bridge.ReasonBadBody, err.Error())
	}
	ev.WebimVersion = clip.Text(c.Request().Header.Get(webim.HeaderWebimVersion), 32)
	switch {
	case !ev.IsKnown():
		integ, err := h.Bridge.Integration(ctx, key)
		if retry(err) {
			integ, err = h.Bridge.Integration(ctx, key)
		}
		if err != nil {
			return h.webhookErr(c, err)
		}
		name := clip.Text(ev.Name, 64) // the name is the sender's text: bound what reaches the log
		h.Log.Info("webhook: unknown Webim event ignored", slog.String("event", name), slog.Int64("integration_id", integ.ID),
			slog.String("request_id", requestID(c)))
		m.Webhook(bridge.WebhookIgnored, bridge.ReasonNone)
	case version == webim.Version1:
		ans, err := h.Bridge.AnswerV1(ctx, key, ev)
		if retry(err) {
			ans, err = h.Bridge.AnswerV1(ctx, key, ev)
		}
		if err != nil {
			return h.webhookErr(c, err)
		}
		m.Webhook(bridge.WebhookStored, bridge.ReasonNone)
		return c.JSON(http.StatusOK, ans)
	default:
		res, err := h.Bridge.Ingest(ctx, key, ev)
		if retry(err) {
			res, err = h.Bridge.Ingest(ctx, key, ev)
		}
		if err != nil {
			return h.webhookErr(c, err)
		}
		if res.Stored > 0 {
			m.Webhook(bridge.WebhookStored, bridge.ReasonNone)
		} else {
			m.Webhook(bridge.WebhookDuplicate, bridge.ReasonNone)
		}
	}
	return c.JSONBlob(http.StatusOK, webhookOK)
}

// webhookOK is the answer to an accepted webhook, as c.JSON would write
// it, encoded once rather than on every request.
var webhookOK = []byte(`{"result":"ok"}` + "\n")

// webhookErr answers an unknown key with 404 (a JSON body, as Webim reads
// it). Anything else means the event may not be stored (the database is
// unreachable, a statement failed): 503 with Retry-After, so Webim sends it
// again; never 200 for something not stored.
func (h *Handler) webhookErr(c echo.Context, err error) error {
	m := h.Bridge.Metrics
	if errors.Is(err, apperr.ErrNotFound) {
		m.Webhook(bridge.WebhookRefused, bridge.ReasonUnknownKey)
		return c.JSON(http.StatusNotFound, map[string]string{"error": "not found"})
	}
	m.Webhook(bridge.WebhookRefused, bridge.ReasonUnavailable)
	h.Log.Error("webhook: not stored", slog.String("error", err.Error()), slog.String("request_id", requestID(c)))
	c.Response().Header().Set("Retry-After", "5")
	return c.JSON(http.StatusServiceUnavailable, map[string]string{"error": "temporarily unavailable, try again"})
}

// graceKey is the current webhook key of the integration whose previous
// key is key, while that key's grace period after a rotation lasts; ok is
// false otherwise. It is asked only after err said key is unknown, so
// webhooks with a current key pay nothing for the grace period.
func (h *Handler) graceKey(c echo.Context, key string, err error) (string, bool) {
	if !errors.Is(err, apperr.ErrNotFound) {
		return "", false
	}
	_, current, lerr := integration.LookupByPreviousWebhookKey(c.Request().Context(), h.DB, h.Keyring, key)
	if lerr != nil {
		if !errors.Is(lerr, apperr.ErrNotFound) {
			h.Log.Warn("webhook: previous key lookup", slog.String("error", lerr.Error()), slog.String("request_id", requestID(c)))
		}
		return "", false
	}
	return current, true
}
