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
	x, err := c.Exchange(ctx, ep, msgID, body)
	if err != nil {
		return Response{}, x.Status, err
	}
	return x.Reply, x.Status, nil
}

// Exchange is one signed request and what came back, for callers that
// show it ("Send a test event"): the raw reply as well as its reading.
type Exchange struct {
	// Status is the HTTP status (0 when no answer came).
	Status int
	// Raw is the reply body as received (at most MaxResponseBytes+1).
	Raw []byte
	// Reply is the parsed, valid reply (zero when err is not nil).
	Reply Response
	// Invalid is set when the bot answered 2xx with a body that is not a
	// valid reply: the validation error, which err also is.
	Invalid error
}

// Exchange is Send keeping the raw reply: err is what Send returns.
func (c Client) Exchange(ctx context.Context, ep Endpoint, msgID string, body []byte) (Exchange, error) {
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
		return Exchange{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return Exchange{}, fmt.Errorf("bot request: %w", err)
	}
	req.Header = h
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "botbridge")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return Exchange{}, fmt.Errorf("bot unreachable: %w", err)
	}
	defer resp.Body.Close()
	x := Exchange{Status: resp.StatusCode}
	x.Raw, err = io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return x, fmt.Errorf("bot reply: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return x, &StatusError{Status: resp.StatusCode, RetryAfter: outbound.RetryAfter(resp.Header, now())}
	}
	if len(x.Raw) > MaxResponseBytes {
		x.Invalid = errors.New("bot reply larger than 1 MiB")
		return x, x.Invalid
	}
	reply, err := ParseResponse(x.Raw)
	if err != nil {
		x.Invalid = fmt.Errorf("bot reply is not valid: %w", err)
		return x, x.Invalid
	}
	x.Reply = reply
	return x, nil
}
