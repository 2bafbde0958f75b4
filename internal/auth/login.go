package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// Throttle limits failed log-ins per account and per client address over a
// sliding window; the counts live in PostgreSQL so all instances agree.
type Throttle struct {
	Window   time.Duration
	PerEmail int
	PerIP    int
}

// DefaultThrottle: five wrong passwords lock an account for 15 minutes; one
// address may fail 20 times (several people behind one NAT).
var DefaultThrottle = Throttle{Window: 15 * time.Minute, PerEmail: 5, PerIP: 20}

// ErrBadCredentials is the one answer for an unknown e-mail or a wrong
// password, so the form does not reveal which accounts exist.
var ErrBadCredentials = fmt.Errorf("auth: wrong e-mail or password: %w", apperr.ErrUnauthenticated)

// ErrDisabled is returned for a correct password on a disabled account.
var ErrDisabled = fmt.Errorf("auth: account disabled: %w", apperr.ErrForbidden)

// RateLimitError says how long to wait before trying again.
type RateLimitError struct{ RetryAfter time.Duration }

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("auth: too many failed log-ins, retry in %s", e.RetryAfter.Round(time.Second))
}

// Is makes errors.Is(err, apperr.ErrRateLimited) true.
func (e *RateLimitError) Is(target error) bool { return target == apperr.ErrRateLimited }

// Minutes is the wait rounded up to whole minutes, for the message.
func (e *RateLimitError) Minutes() int {
	m := int((e.RetryAfter + time.Minute - 1) / time.Minute)
	if m < 1 {
		m = 1
	}
	return m
}

// Authenticate checks an e-mail and password. Throttling is checked before
// the password so a locked account cannot be probed further.
func (th Throttle) Authenticate(ctx context.Context, q db.DBTX, email, password, ip string) (User, error) {
	email = NormalizeEmail(email)
	qs := dbsqlc.New(q)
	now := time.Now()
	counts, err := qs.CountLoginFailures(ctx, dbsqlc.CountLoginFailuresParams{Email: email, Ip: ip, Since: now.Add(-th.Window)})
	if err != nil {
		return User{}, fmt.Errorf("auth: count failures: %w", err)
	}
	switch {
	case int(counts.ByEmail) >= th.PerEmail:
		return User{}, &RateLimitError{RetryAfter: counts.OldestEmail.Add(th.Window).Sub(now)}
	case int(counts.ByIp) >= th.PerIP:
		return User{}, &RateLimitError{RetryAfter: counts.OldestIp.Add(th.Window).Sub(now)}
	}

	row, err := qs.GetUserByEmail(ctx, email)
	if errors.Is(err, pgx.ErrNoRows) {
		CheckPassword(dummyHash, password)
		return User{}, th.fail(ctx, qs, email, ip)
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: get user: %w", err)
	}
	if !CheckPassword(row.PasswordHash, password) {
		return User{}, th.fail(ctx, qs, email, ip)
	}
	if row.DisabledAt != nil {
		return User{}, ErrDisabled
	}
	if err := qs.ClearLoginFailures(ctx, email); err != nil {
		return User{}, fmt.Errorf("auth: clear failures: %w", err)
	}
	return fromRow(row), nil
}

func (th Throttle) fail(ctx context.Context, qs *dbsqlc.Queries, email, ip string) error {
	if err := qs.RecordLoginFailure(ctx, dbsqlc.RecordLoginFailureParams{Email: email, Ip: ip}); err != nil {
		return fmt.Errorf("auth: record failure: %w", err)
	}
	return ErrBadCredentials
}
