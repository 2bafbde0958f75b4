// Package apperr holds the sentinel errors every domain package wraps, so the
// HTTP layer can map them to status codes in one place.
package apperr

import (
	"errors"
	"sort"
	"strings"
)

// Sentinel errors. Wrap them with fmt.Errorf("thing: %w", apperr.ErrNotFound).
var (
	// ErrNotFound: the object does not exist or belongs to another tenant.
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the caller is known but may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrConflict: the object changed or already exists.
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the input is malformed; see Validation for field details.
	ErrInvalid = errors.New("invalid input")
	// ErrUnauthenticated: no valid session.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrRateLimited: too many attempts.
	ErrRateLimited = errors.New("rate limited")
	// ErrUnavailable: the server is too busy right now; try again shortly.
	ErrUnavailable = errors.New("temporarily unavailable")
)

// Validation is an ErrInvalid carrying one message per form field. Keys are
// the form field names so templates can put each message under its input.
type Validation map[string]string

// Error lists the fields in a stable order.
func (v Validation) Error() string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+v[k])
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Is makes errors.Is(v, ErrInvalid) true.
func (v Validation) Is(target error) bool { return target == ErrInvalid }

// Add records msg for field unless the field already has a message, so the
// first (most basic) problem is the one shown.
func (v Validation) Add(field, msg string) {
	if _, ok := v[field]; !ok {
		v[field] = msg
	}
}

// Err returns v as an error, or nil when no field failed.
func (v Validation) Err() error {
	if len(v) == 0 {
		return nil
	}
	return v
}

// Fields extracts field messages from err, or nil.
func Fields(err error) Validation {
	var v Validation
	if errors.As(err, &v) {
		return v
	}
	return nil
}
