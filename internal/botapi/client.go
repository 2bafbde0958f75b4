package botapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/botbridge/botbridge/internal/outbound"
)

// DefaultTimeout bounds a bot call when the endpoint sets no timeout.
const DefaultTimeout = 10 * time.Second

// Endpoint is where and how a project's bot is called.
type Endpoint struct {
	URL string
	// Timeout is the project's reply timeout (DefaultTimeout when zero).
	Timeout time.Duration
	// Secrets sign requests: the current one, plus the previous one during
	// a rotation's overlap.
	Secrets []string
}

// Client posts signed events to bots and parses their replies. Policy
// (retries, the fallback, recording) is the caller's.
type Client struct {
	// HTTP sends the requests: botbridge's SSRF-safe outbound client.
	HTTP *http.Client
	// Now is the clock for signatures and Retry-After (time.Now when nil).
	Now func() time.Time
}

// StatusError is a bot's non-2xx answer.
type StatusError struct {
	Status int
	// RetryAfter is the bot's Retry-After hint (0 when none).
	RetryAfter time.Duration
}

func (e *StatusError) Error() string { return fmt.Sprintf("bot answered HTTP %d", e.Status) }

// Permanent: a 4xx other than 408 and 429 means the bot rejects this
// request as such; asking again would only delay the visitor's fallback.
func (e *StatusError) Permanent() bool {
	return e.Status >= 400 && e.Status < 500 && e.Status != http.StatusRequestTimeout && e.Status != http.StatusTooManyRequests
}

// Send POSTs body (an encoded Event whose id is msgID) to the bot, signed,
// within the endpoint's timeout, and parses the reply. It returns the HTTP
// status (0 when no answer came); a non-2xx answer is a *StatusError.
func (c Client) Send(ctx context.Context, ep Endpoint, msgID string, body []byte) (Response, int, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	timeout := ep.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	h, err := Headers(ep.Secrets, msgID, now(), body)
	if err != nil {
		return Response{}, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return Response{}, 0, fmt.Errorf("bot request: %w", err)
	}
	req.Header = h
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "botbridge")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return Response{}, 0, fmt.Errorf("bot unreachable: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return Response{}, resp.StatusCode, fmt.Errorf("bot reply: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Response{}, resp.StatusCode, &StatusError{Status: resp.StatusCode, RetryAfter: outbound.RetryAfter(resp.Header, now())}
	}
	if len(raw) > MaxResponseBytes {
		return Response{}, resp.StatusCode, errors.New("bot reply larger than 1 MiB")
	}
	reply, err := ParseResponse(raw)
	if err != nil {
		return Response{}, resp.StatusCode, fmt.Errorf("bot reply is not valid: %w", err)
	}
	return reply, resp.StatusCode, nil
}
