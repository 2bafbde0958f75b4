package outbound

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxRetryAfter caps a Retry-After hint so a hostile or broken server
// cannot park a job for days (and huge values cannot overflow).
const MaxRetryAfter = time.Hour

// RetryAfter reads a Retry-After header given as delay-seconds or an HTTP
// date. It returns 0 when the header is missing, malformed or in the past,
// and at most MaxRetryAfter.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	var d time.Duration
	secs, err := strconv.ParseUint(v, 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return MaxRetryAfter // all digits, just enormous
	case err == nil:
		if secs > uint64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter
		}
		d = time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), MaxRetryAfter)
}
