package webim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// DefaultCallTimeout bounds one Webim API call when Client.Timeout is unset.
const DefaultCallTimeout = 15 * time.Second

// maxAnswerBytes bounds what is read of Webim's answer.
const maxAnswerBytes = 1 << 20

// Client calls a Webim account's Bot API 2.0: it builds the request of a
// Call, sends it with the account's token and classifies the answer. Policy
// (retries, recording, ordering) is the caller's.
type Client struct {
	// HTTP sends the requests: botbridge's SSRF-safe outbound client.
	HTTP *http.Client
	// Timeout bounds one call (DefaultCallTimeout when zero).
	Timeout time.Duration
	// Now is the clock for Retry-After dates (time.Now when nil).
	Now func() time.Time
}

// Send makes call against the account at domain (scheme + host[:port]).
// It returns the HTTP status (0 when no answer came) and nil only when
// Webim answered {"result": "ok"}; otherwise an *APIError (errors.Is
// ErrUnauthorized for 401/403) or, for network trouble, a plain error worth
// retrying. A Body that is already JSON (json.RawMessage, as the bridge
// stores calls) is sent as it is.
func (c Client) Send(ctx context.Context, domain, token string, call Call) (int, error) {
	body, err := json.Marshal(call.Body)
	if err != nil {
		return 0, &APIError{Desc: "cannot encode " + call.Method + ": " + err.Error()}
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultCallTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(domain, "/")+call.Path(), bytes.NewReader(body))
	if err != nil {
		return 0, &APIError{Desc: "bad request: " + err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Token "+token)
	req.Header.Set("User-Agent", "botbridge")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		// Network trouble and timeouts are worth retrying.
		return 0, fmt.Errorf("webim unreachable: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	return resp.StatusCode, ParseAPIResponse(resp.StatusCode, resp.Header, raw, now())
}
