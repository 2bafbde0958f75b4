package botapi

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/botbridge/botbridge/internal/apperr"
)

// Standard Webhooks (https://www.standardwebhooks.com) header names; bots can
// verify our requests with any of that project's libraries.
const (
	// HeaderID carries the event id, stable across retries.
	HeaderID = "webhook-id"
	// HeaderTimestamp carries the Unix seconds of this attempt.
	HeaderTimestamp = "webhook-timestamp"
	// HeaderSignature carries space-separated "v1,<base64>" signatures.
	HeaderSignature = "webhook-signature"
)

// SecretPrefix marks a bot secret so it is recognisable in configs and in
// secret scanners.
const SecretPrefix = "whsec_"

// DefaultTolerance is how far a request's timestamp may be from the
// verifier's clock; it bounds replay of a captured request. Standard
// Webhooks suggests five minutes.
const DefaultTolerance = 5 * time.Minute

// secretBytes is the size of new secrets; the spec accepts 24..64 bytes.
const secretBytes = 32

// ErrSignature: the request is not signed by a known secret or is too old.
// It wraps apperr.ErrUnauthenticated so HTTP layers answer 401.
var ErrSignature = fmt.Errorf("webhook signature does not verify: %w", apperr.ErrUnauthenticated)

// NewSecret returns a fresh "whsec_" secret with 256 bits from crypto/rand.
func NewSecret() (string, error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("botapi: new secret: %w", err)
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b), nil
}

// decodeSecret returns the HMAC key. The prefix is optional because
// Standard Webhooks libraries accept both forms.
func decodeSecret(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil {
		return nil, fmt.Errorf("botapi: secret is not base64: %w", apperr.ErrInvalid)
	}
	if len(key) < 24 || len(key) > 64 {
		return nil, fmt.Errorf("botapi: secret must decode to 24..64 bytes, got %d: %w", len(key), apperr.ErrInvalid)
	}
	return key, nil
}

func mac(key []byte, msgID, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msgID))
	h.Write([]byte{'.'})
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Sign returns the "v1,<base64>" signature of body for msgID sent at ts.
func Sign(secret, msgID string, ts time.Time, body []byte) (string, error) {
	if msgID == "" {
		return "", fmt.Errorf("botapi: sign: message id is required: %w", apperr.ErrInvalid)
	}
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	sum := mac(key, msgID, strconv.FormatInt(ts.Unix(), 10), body)
	return "v1," + base64.StdEncoding.EncodeToString(sum), nil
}

// Headers returns the three webhook-* headers for a request. With several
// secrets (rotation overlap) it signs with each, so a bot that knows only
// the old or only the new secret still verifies.
func Headers(secrets []string, msgID string, ts time.Time, body []byte) (http.Header, error) {
	if len(secrets) == 0 {
		return nil, fmt.Errorf("botapi: sign: no secret: %w", apperr.ErrInvalid)
	}
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		sig, err := Sign(s, msgID, ts, body)
		if err != nil {
			return nil, err
		}
		sigs = append(sigs, sig)
	}
	h := http.Header{}
	h.Set(HeaderID, msgID)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, strings.Join(sigs, " "))
	return h, nil
}

// Verify checks a signed request: any "v1," entry of the signature header
// must match any of secrets (several during rotation), and the timestamp
// must be within tolerance of now (DefaultTolerance when tolerance <= 0).
// Failures wrap ErrSignature; a malformed secret wraps apperr.ErrInvalid
// because it is our configuration, not the caller, that is wrong.
func Verify(secrets []string, headers http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	msgID := headers.Get(HeaderID)
	tsText := headers.Get(HeaderTimestamp)
	sigHeader := headers.Get(HeaderSignature)
	if msgID == "" || tsText == "" || sigHeader == "" {
		return fmt.Errorf("botapi: verify: missing %s, %s or %s header: %w", HeaderID, HeaderTimestamp, HeaderSignature, ErrSignature)
	}
	sec, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return fmt.Errorf("botapi: verify: timestamp is not Unix seconds: %w", ErrSignature)
	}
	// Compare against bounds in seconds: subtracting or converting a huge
	// header value could overflow.
	tol := int64(tolerance / time.Second)
	if sec < now.Unix()-tol || sec > now.Unix()+tol {
		return fmt.Errorf("botapi: verify: timestamp outside the %s tolerance: %w", tolerance, ErrSignature)
	}
	if len(secrets) == 0 {
		return fmt.Errorf("botapi: verify: no secret: %w", apperr.ErrInvalid)
	}
	keys := make([][]byte, 0, len(secrets))
	for _, s := range secrets {
		k, err := decodeSecret(s)
		if err != nil {
			return err
		}
		keys = append(keys, k)
	}
	found := false
	for _, entry := range strings.Fields(sigHeader) {
		version, sig, ok := strings.Cut(entry, ",")
		if !ok || version != "v1" {
			continue // other schemes (v1a…) are not ours; the spec says skip
		}
		given, err := base64.StdEncoding.DecodeString(sig)
		if err != nil {
			continue
		}
		for _, k := range keys {
			// hmac.Equal is constant-time, so timing leaks nothing about the
			// expected signature.
			if hmac.Equal(given, mac(k, msgID, tsText, body)) {
				found = true
			}
		}
	}
	if !found {
		return fmt.Errorf("botapi: verify: no signature matches: %w", ErrSignature)
	}
	return nil
}
