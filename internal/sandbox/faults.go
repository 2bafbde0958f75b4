package sandbox

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// FaultMode is how an injected failure looks to the caller.
type FaultMode string

// Fault modes.
const (
	// FaultServerError answers 500 {"error":"internal_error"}.
	FaultServerError FaultMode = "server_error"
	// FaultRateLimit answers 429 with Retry-After: Faults.RetryAfter.
	FaultRateLimit FaultMode = "rate_limit"
	// FaultTimeout holds the call for Faults.Delay (meant to exceed the
	// caller's timeout), then answers 504. The call is not applied.
	FaultTimeout FaultMode = "timeout"
)

// Default fault parameters.
const (
	DefaultRetryAfter = 1 // seconds
	DefaultDelay      = 30 * time.Second
	maxFaultDelay     = 10 * time.Minute
)

// Faults makes the Webim API misbehave, for tests of retries and health.
// The zero value means "behave".
type Faults struct {
	// Mode is used for the calls picked by Rate (FaultServerError when empty).
	Mode FaultMode
	// Rate is the fraction of API calls that fail, 0..1. The choice is
	// deterministic for a given Seed: the same calls fail on every run.
	Rate float64
	Seed uint64
	// Count caps the number of injected failures (0: no cap), e.g. Rate 1
	// and Count 2 fail the next two calls and then behave.
	Count int
	// Methods limits injection to these API methods (all when empty).
	Methods []string
	// RetryAfter is the Retry-After seconds of FaultRateLimit (default 1).
	RetryAfter int
	// Delay is how long FaultTimeout holds a call (default 30 s).
	Delay time.Duration
	// Unauthorized answers every call 401, as when the token was revoked.
	Unauthorized bool
	// Latency is added to every call before it is handled.
	Latency time.Duration
}

// Validate checks ranges; SetFaults clamps instead, the HTTP endpoint refuses.
func (f Faults) Validate() error {
	var errs []error
	if f.Rate < 0 || f.Rate > 1 || f.Rate != f.Rate {
		errs = append(errs, errors.New("rate must be between 0 and 1"))
	}
	switch f.Mode {
	case "", FaultServerError, FaultRateLimit, FaultTimeout:
	default:
		errs = append(errs, fmt.Errorf("mode must be %s, %s or %s", FaultServerError, FaultRateLimit, FaultTimeout))
	}
	if f.Count < 0 {
		errs = append(errs, errors.New("count must not be negative"))
	}
	if f.RetryAfter < 0 || f.RetryAfter > 3600 {
		errs = append(errs, errors.New("retry_after must be between 0 and 3600 seconds"))
	}
	if f.Delay < 0 || f.Delay > maxFaultDelay {
		errs = append(errs, fmt.Errorf("delay must be between 0 and %s", maxFaultDelay))
	}
	if f.Latency < 0 || f.Latency > maxFaultDelay {
		errs = append(errs, fmt.Errorf("latency must be between 0 and %s", maxFaultDelay))
	}
	for _, m := range f.Methods {
		if !knownMethod(m) {
			errs = append(errs, fmt.Errorf("unknown method %q", m))
		}
	}
	return errors.Join(errs...)
}

// normalized fills defaults and clamps ranges.
func (f Faults) normalized() Faults {
	if f.Rate != f.Rate || f.Rate < 0 {
		f.Rate = 0
	}
	f.Rate = min(f.Rate, 1)
	if f.Mode == "" {
		f.Mode = FaultServerError
	}
	if f.RetryAfter <= 0 {
		f.RetryAfter = DefaultRetryAfter
	}
	if f.Delay <= 0 {
		f.Delay = DefaultDelay
	}
	f.Delay = min(f.Delay, maxFaultDelay)
	f.Latency = min(max(f.Latency, 0), maxFaultDelay)
	f.Count = max(f.Count, 0)
	f.Methods = slices.Clone(f.Methods)
	return f
}

// faultState is the random source and the count of injected failures for
// the current Faults; guarded by Server.mu.
type faultState struct {
	rng      *rand.Rand
	injected int
}

func (fs *faultState) reset(f Faults) {
	fs.rng = rand.New(rand.NewPCG(f.Seed, 0x5a4db0c5))
	fs.injected = 0
}

// SetFaults replaces the fault configuration (clamped into range) and
// restarts its random sequence and failure count.
func (s *Server) SetFaults(f Faults) {
	f = f.normalized()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
	s.fs.reset(f)
}

// Faults returns the fault configuration in force (defaults filled in).
func (s *Server) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults
	f.Methods = slices.Clone(f.Methods)
	return f
}

// drawFaultLocked decides whether this call fails; call with s.mu held.
func (s *Server) drawFaultLocked(method string) FaultMode {
	f := s.faults
	if f.Rate <= 0 {
		return ""
	}
	if len(f.Methods) > 0 && !slices.Contains(f.Methods, method) {
		return ""
	}
	if f.Count > 0 && s.fs.injected >= f.Count {
		return ""
	}
	if s.fs.rng.Float64() >= f.Rate {
		return ""
	}
	s.fs.injected++
	return f.Mode
}

// Stats counts API calls.
type Stats struct {
	// Received counts every API request, whatever its outcome.
	Received int `json:"received"`
	// Accepted counts calls answered {"result":"ok"} and applied.
	Accepted int `json:"accepted"`
	// Failed counts every other answer (refused or injected).
	Failed int `json:"failed"`
	// Injected counts the failures caused by Faults (401 of Unauthorized included).
	Injected int `json:"injected"`
}

// RecordedCall is one API request the sandbox received.
type RecordedCall struct {
	Method string `json:"method"`
	// ChatID is the body's chat_id when it could be read.
	ChatID int64 `json:"chat_id,omitempty"`
	// Body is the raw request body.
	Body string `json:"body"`
	// Status is the HTTP status answered; Error the error code, if any.
	Status int    `json:"status"`
	Error  string `json:"error,omitempty"`
	// Fault names the injected fault that failed the call, if any.
	Fault FaultMode `json:"fault,omitempty"`
	At    time.Time `json:"at"`
}

// Stats returns the call counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Calls returns every API call received so far, in arrival order.
func (s *Server) Calls() []RecordedCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// AcceptedCalls returns the calls that were applied, in order.
func (s *Server) AcceptedCalls() []RecordedCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []RecordedCall
	for _, c := range s.calls {
		if c.Status == 200 {
			out = append(out, c)
		}
	}
	return out
}

// maxRecordedCalls bounds memory in a long-running sandbox.
const maxRecordedCalls = 10000

// recordLocked stores a call and updates counters; call with s.mu held.
func (s *Server) recordLocked(c RecordedCall) {
	if c.Status == 200 {
		s.stats.Accepted++
	} else {
		s.stats.Failed++
	}
	if c.Fault != "" {
		s.stats.Injected++
	}
	if len(s.calls) >= maxRecordedCalls {
		s.calls = slices.Delete(s.calls, 0, len(s.calls)-maxRecordedCalls+1)
	}
	s.calls = append(s.calls, c)
	s.notifyLocked()
}
