package bridge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/clip"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/webim"
)

// maxResponseBytes bounds what we read from a bot or from Webim.
const maxResponseBytes = 1 << 20

// webimTimeout bounds one Webim API call.
const webimTimeout = 15 * time.Second

// callBot POSTs the signed event to the bot and parses its reply. Every
// attempt is recorded in bridge_calls with its result.
func (e *Engine) callBot(ctx context.Context, q db.DBTX, bot Bot, ev event, attempt int) (botapi.Response, error) {
	body, err := json.Marshal(botEvent(ev))
	if err != nil {
		return botapi.Response{}, fmt.Errorf("bridge: encode bot event: %w", err)
	}
	start := time.Now()
	reply, status, err := e.postBot(ctx, bot, ev.PublicID, body)
	e.record(ctx, q, ev.ID, "bot", ev.Type, attempt, status, err, time.Since(start))
	return reply, err
}

// postBot does the HTTP part of a bot call (also used by the synchronous
// 1.0 path). The timeout is the project's reply timeout.
func (e *Engine) postBot(ctx context.Context, bot Bot, msgID string, body []byte) (botapi.Response, int, error) {
	timeout := bot.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	h, err := botapi.Headers(bot.Secrets, msgID, e.now(), body)
	if err != nil {
		return botapi.Response{}, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, bot.URL, bytes.NewReader(body))
	if err != nil {
		return botapi.Response{}, 0, fmt.Errorf("bot request: %w", err)
	}
	req.Header = h
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "botbridge")
	resp, err := e.HTTP.Do(req)
	if err != nil {
		return botapi.Response{}, 0, fmt.Errorf("bot unreachable: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return botapi.Response{}, resp.StatusCode, fmt.Errorf("bot reply: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return botapi.Response{}, resp.StatusCode, &botError{status: resp.StatusCode, retryAfter: webim.RetryAfter(resp.Header, e.now())}
	}
	if len(raw) > maxResponseBytes {
		return botapi.Response{}, resp.StatusCode, errors.New("bot reply larger than 1 MiB")
	}
	reply, err := botapi.ParseResponse(raw)
	if err != nil {
		return botapi.Response{}, resp.StatusCode, fmt.Errorf("bot reply is not valid: %w", err)
	}
	return reply, resp.StatusCode, nil
}

// botError is a bot's non-2xx answer.
type botError struct {
	status     int
	retryAfter time.Duration
}

func (b *botError) Error() string { return fmt.Sprintf("bot answered HTTP %d", b.status) }

// permanent: a 4xx other than 408 and 429 means the bot rejects this
// request as such; asking again would only delay the visitor's fallback.
func (b *botError) permanent() bool {
	return b.status >= 400 && b.status < 500 && b.status != http.StatusRequestTimeout && b.status != http.StatusTooManyRequests
}

// sendWebim makes one Webim API call with the integration's token.
func (e *Engine) sendWebim(ctx context.Context, q db.DBTX, integ Integration, token string, ev event, c storedCall, attempt int) error {
	start := time.Now()
	status, err := e.postWebim(ctx, integ.Domain, token, c)
	e.record(ctx, q, ev.ID, "webim", c.Method, attempt, status, err, time.Since(start))
	return err
}

func (e *Engine) postWebim(ctx context.Context, domain, token string, c storedCall) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, webimTimeout)
	defer cancel()
	url := strings.TrimRight(domain, "/") + "/api/bot/v2/" + c.Method
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(c.Body))
	if err != nil {
		return 0, &webim.APIError{Status: 0, Desc: "bad request: " + err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Token "+token)
	req.Header.Set("User-Agent", "botbridge")
	resp, err := e.HTTP.Do(req)
	if err != nil {
		// Network trouble and timeouts are worth retrying.
		return 0, fmt.Errorf("webim unreachable: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	return resp.StatusCode, webim.ParseAPIResponse(resp.StatusCode, resp.Header, raw, e.now())
}

// record stores one outbound call's outcome; a failure to record is
// logged, never allowed to stop delivery.
func (e *Engine) record(ctx context.Context, q db.DBTX, eventID int64, target, method string, attempt, status int, callErr error, took time.Duration) {
	msg := ""
	if callErr != nil {
		msg = clip.Text(callErr.Error(), 1000)
	}
	if _, err := q.Exec(ctx, `
		INSERT INTO bridge_calls (event_id, target, method, attempt, status_code, ok, error, duration_ms)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		eventID, target, method, attempt, status, callErr == nil, msg, int(took/time.Millisecond)); err != nil {
		e.Log.Warn("bridge: record call", "event_id", eventID, "error", err)
	}
}
