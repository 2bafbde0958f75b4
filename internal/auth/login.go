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

// Advisory lock classes of the throttles (the first key of PostgreSQL's
// two-key advisory locks); the second is a hash of the account or address.
const (
	lockClassEmail int32 = 0x6c6f6701 // "log" 1: one account's failures
	lockClassIP    int32 = 0x6c6f6702 // "log" 2: one address's failures
)

// Authenticate checks an e-mail and password. The throttle is checked
// before the password so a locked account cannot be probed further, and
// check and record are one step: under advisory locks on the account and
// the address, the attempt is counted and, if allowed, written down as a
// failure before its password is checked (and struck off when it turns
// out right). So a burst of parallel attempts gets at most the limit of
// password checks, instead of every attempt seeing the count before any
// of them had failed.
func (th Throttle) Authenticate(ctx context.Context, conn db.Conn, email, password, ip string) (User, error) {
	email = NormalizeEmail(email)
	failureID, err := th.reserve(ctx, conn, email, ip)
	if err != nil {
		return User{}, err
	}
	qs := dbsqlc.New(conn)
	row, err := qs.GetUserByEmail(ctx, email)
	if errors.Is(err, pgx.ErrNoRows) {
		CheckPassword(dummyHash, password)
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: get user: %w", err)
	}
	if !CheckPassword(row.PasswordHash, password) {
		return User{}, ErrBadCredentials
	}
	if err := qs.DeleteLoginFailure(ctx, failureID); err != nil {
		return User{}, fmt.Errorf("auth: strike off attempt: %w", err)
	}
	if row.DisabledAt != nil {
		return User{}, ErrDisabled
	}
	if err := qs.ClearLoginFailures(ctx, email); err != nil {
		return User{}, fmt.Errorf("auth: clear failures: %w", err)
	}
	return fromRow(row), nil
}

// reserve counts the failures of the account and the address and, when
// the attempt may go ahead, records it as a failure in the same
// transaction, holding both advisory locks (always the account's first,
// so two attempts never wait for each other crosswise).
func (th Throttle) reserve(ctx context.Context, conn db.Conn, email, ip string) (int64, error) {
	var id int64
	err := db.InTx(ctx, conn, func(tx pgx.Tx) error {
		qs := dbsqlc.New(tx)
		for _, k := range []dbsqlc.LockLoginKeyParams{{Class: lockClassEmail, Key: email}, {Class: lockClassIP, Key: ip}} {
			if err := qs.LockLoginKey(ctx, k); err != nil {
				return fmt.Errorf("auth: lock throttle: %w", err)
			}
		}
		now := time.Now()
		counts, err := qs.CountLoginFailures(ctx, dbsqlc.CountLoginFailuresParams{Email: email, Ip: ip, Since: now.Add(-th.Window)})
		if err != nil {
			return fmt.Errorf("auth: count failures: %w", err)
		}
		switch {
		case int(counts.ByEmail) >= th.PerEmail:
			return &RateLimitError{RetryAfter: counts.OldestEmail.Add(th.Window).Sub(now)}
		case int(counts.ByIp) >= th.PerIP:
			return &RateLimitError{RetryAfter: counts.OldestIp.Add(th.Window).Sub(now)}
		}
		if id, err = qs.RecordLoginFailure(ctx, dbsqlc.RecordLoginFailureParams{Email: email, Ip: ip}); err != nil {
			return fmt.Errorf("auth: record attempt: %w", err)
		}
		return nil
	})
	return id, err
}
