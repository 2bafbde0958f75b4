package web

import (
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/botbridge/botbridge/internal/apperr"
)

// inFlight caps the requests one client address has in flight at once
// (MAX_REQUESTS_PER_IP), so one address cannot hold all the server's
// goroutines, database connections or password-hashing turns while
// everybody else waits. The address is the one the log-in throttle uses
// (c.RealIP: the visitor's behind TRUSTED_PROXIES, else the connection's),
// so visitors behind a shared proxy are counted apart. Webhooks are not
// capped: Webim delivers every tenant's events from a few addresses. The
// counts are per process: a cap, not state another instance needs.
type inFlight struct {
	max int
	mu  sync.Mutex
	n   map[string]int
}

func newInFlight(max int) *inFlight { return &inFlight{max: max, n: map[string]int{}} }

func (f *inFlight) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	if f.max <= 0 {
		return next
	}
	return func(c echo.Context) error {
		ip := c.RealIP()
		f.mu.Lock()
		if f.n[ip] >= f.max {
			f.mu.Unlock()
			return errTooManyInFlight{}
		}
		f.n[ip]++
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			if f.n[ip]--; f.n[ip] <= 0 {
				delete(f.n, ip) // the map holds only addresses with requests in flight
			}
			f.mu.Unlock()
		}()
		return next(c)
	}
}

// errTooManyInFlight is a 429 that asks to retry in a second.
type errTooManyInFlight struct{}

func (errTooManyInFlight) Error() string { return "web: too many requests in flight from this address" }

// Is makes errors.Is(err, apperr.ErrRateLimited) true.
func (errTooManyInFlight) Is(target error) bool { return target == apperr.ErrRateLimited }

// Wait is the Retry-After.
func (errTooManyInFlight) Wait() time.Duration { return time.Second }
