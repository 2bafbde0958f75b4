package web

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/webim"
)

// WebhookWebim is the ingress for every tenant's Webim account. Webim sends
// no credential: the unguessable key in the URL is the proof. The event is
// acknowledged only after it is committed together with its job.
func (h *Handler) WebhookWebim(c echo.Context) error {
	ctx := c.Request().Context()
	if h.Bridge == nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"error": "bridge not configured"})
	}
	integ, err := h.Bridge.Dir.ByWebhookKey(ctx, h.DB, c.Param("key"))
	if errors.Is(err, apperr.ErrNotFound) {
		return c.JSON(http.StatusNotFound, map[string]string{"error": "not found"})
	}
	if err != nil {
		return err
	}
	suffix := strings.TrimPrefix(c.Path()[strings.LastIndexByte(c.Path(), '/')+1:], ":")
	if suffix == "key" {
		suffix = ""
	}
	version, err := webim.DetectVersion(c.Request().Header.Get("X-Bot-API-Version"), suffix)
	if err != nil {
		return webhookBad(c, err)
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, webim.MaxWebhookBytes+1))
	if err != nil {
		return webhookBad(c, errors.New("could not read the request body"))
	}
	if len(body) > webim.MaxWebhookBytes {
		return c.JSON(http.StatusRequestEntityTooLarge, map[string]string{"error": "body larger than 1 MiB"})
	}
	ev, err := webim.ParseWebhook(version, body)
	if err != nil {
		return webhookBad(c, err)
	}
	if !ev.IsKnown() {
		name := ev.Name
		if len(name) > 64 {
			name = name[:64] + "…" // the name is the sender's text: bound what reaches the log
		}
		h.Log.Info("webhook: unknown Webim event ignored", slog.String("event", name), slog.Int64("integration_id", integ.ID),
			slog.String("request_id", requestID(c)))
		return c.JSON(http.StatusOK, map[string]string{"result": "ok"})
	}
	if version == webim.Version1 {
		ans, err := h.Bridge.AnswerV1(ctx, h.DB, integ, ev)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, ans)
	}
	if _, err := h.Bridge.Ingest(ctx, h.DB, integ, ev); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"result": "ok"})
}

func webhookBad(c echo.Context, err error) error {
	return c.JSON(http.StatusBadRequest, map[string]string{"error": err.Error()})
}
