package webim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/botbridge/botbridge/internal/clip"
	"github.com/botbridge/botbridge/internal/outbound"
)

// ErrUnauthorized: Webim rejected the bot token (401/403). Retrying cannot
// help; the integration must be marked unhealthy and its owner told.
var ErrUnauthorized = errors.New("webim: credentials rejected")

// APIError is a failed Webim API call. errors.Is(err, ErrUnauthorized)
// holds for 401/403.
type APIError struct {
	// Status is the HTTP status (200 when Webim said 200 but not "ok").
	Status int
	// Code and Desc are Webim's {"error", "desc"}, when it sent them.
	Code string
	Desc string
	// Retryable: 408, 429 and 5xx; the same call may succeed later.
	Retryable bool
	// RetryAfter is the server's hint (see RetryAfter); 0 means none.
	RetryAfter time.Duration
}

// Error reads like "webim: api 400 chat_not_found: no such chat".
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "webim: api %d", e.Status)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Desc != "" {
		b.WriteString(": " + e.Desc)
	}
	if e.Retryable {
		b.WriteString(" (retryable)")
	}
	return b.String()
}

// Unwrap exposes ErrUnauthorized for 401/403 so callers need no status checks.
func (e *APIError) Unwrap() error {
	if e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden {
		return ErrUnauthorized
	}
	return nil
}

// ParseAPIResult classifies a Webim API answer: nil only for a 2xx with
// {"result": "ok"}, otherwise an *APIError. A 2xx with anything else is a
// permanent failure: retrying a send_message that may have been applied
// risks showing the visitor the same message twice.
func ParseAPIResult(status int, body []byte) error {
	var r struct {
		Result json.RawMessage `json:"result"`
		Error  json.RawMessage `json:"error"`
		Desc   json.RawMessage `json:"desc"`
	}
	parsed := json.Unmarshal(body, &r) == nil
	if status >= 200 && status < 300 && parsed && jsonString(r.Result) == "ok" && jsonString(r.Error) == "" {
		return nil
	}
	e := &APIError{Status: status}
	if parsed {
		e.Code = clip.Text(jsonString(r.Error), 100)
		e.Desc = clip.Text(jsonString(r.Desc), 300)
	}
	if e.Code == "" && e.Desc == "" {
		e.Desc = snippet(body)
	}
	switch {
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests, status >= 500:
		e.Retryable = true
	}
	return e
}

// ParseAPIResponse is ParseAPIResult plus the Retry-After hint of a
// retryable failure, for callers that have the response headers.
func ParseAPIResponse(status int, h http.Header, body []byte, now time.Time) error {
	err := ParseAPIResult(status, body)
	var e *APIError
	if errors.As(err, &e) && e.Retryable {
		e.RetryAfter = outbound.RetryAfter(h, now)
	}
	return err
}

// jsonString renders a JSON value as text: strings unquoted, other
// values (Webim's error may be a number) as their JSON.
func jsonString(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// snippet keeps an unparseable body short and valid UTF-8 for logs
// (proxies answer with whole HTML pages).
func snippet(body []byte) string {
	return strings.TrimSpace(strings.ToValidUTF8(string(body[:min(len(body), 200)]), ""))
}
