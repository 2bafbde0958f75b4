package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// Throttle limits failed log-ins. Wrong passwords count against the
// account and the client address together, with a wait that doubles with
// every failure past the free ones, so a stranger guessing elsewhere slows
// only themselves down and never locks the owner out. A cap per address
// across all accounts stops one address from spraying guesses over many
// accounts. The counts live in PostgreSQL so all instances agree.
type Throttle struct {
	// PairFree is how many wrong passwords one address may try on one
	// account within PairWindow before it has to wait.
	PairFree int
	// PairDelay is the first wait after PairFree failures; every further
	// failure doubles it, up to PairMaxDelay.
	PairDelay    time.Duration
	PairMaxDelay time.Duration
	// PairWindow is how long a failure counts for its account and address.
	PairWindow time.Duration
	// PerIP caps the failures of one address over all accounts within
	// Window (several people behind one NAT share it).
	PerIP  int
	Window time.Duration
	// AlertAfter failures on one account within PairWindow, from any
	// address, mean it is under attack: Alerts tells its owner, once per
	// attack. Zero never alerts.
	AlertAfter int
	// Alerts sends that message; nil sends none.
	Alerts Alerter
	// SignupsPerIP caps the sign-ups one address may attempt within
	// SignupWindow (each costs an argon2id hash, taken address or not).
	SignupsPerIP int
	SignupWindow time.Duration
}

// DefaultThrottle: five free guesses per account and address, then waits
// of 1, 2, 4, 8 and 15 minutes, failures remembered for an hour; one
// address may fail 20 times in 15 minutes over all accounts; ten failures
// on one account within the hour e-mail its owner; ten sign-ups per
// address and hour.
var DefaultThrottle = Throttle{
	PairFree: 5, PairDelay: time.Minute, PairMaxDelay: 15 * time.Minute, PairWindow: time.Hour,
	PerIP: 20, Window: 15 * time.Minute,
	AlertAfter:   10,
	SignupsPerIP: 10, SignupWindow: time.Hour,
}

// Alerter tells an account's owner that someone is trying passwords on it.
// It runs inside the transaction that records the alert, so the message is
// written (to the mail outbox) exactly once per attack.
type Alerter interface {
	LoginAttack(ctx context.Context, tx pgx.Tx, u User, a Attack) error
}

// Attack is what an alert reports.
type Attack struct {
	// Failures and Addresses are the account's wrong passwords within
	// Window and the number of addresses they came from.
	Failures, Addresses int
	Window              time.Duration
}

// ErrBadCredentials is the one answer for an unknown e-mail or a wrong
// password, so the form does not reveal which accounts exist.
var ErrBadCredentials = fmt.Errorf("auth: wrong e-mail or password: %w", apperr.ErrUnauthenticated)

// ErrDisabled is returned for a correct password on a disabled account.
var ErrDisabled = fmt.Errorf("auth: account disabled: %w", apperr.ErrForbidden)

// RateLimitError says how long to wait before trying again.
type RateLimitError struct{ RetryAfter time.Duration }

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("auth: too many attempts, retry in %s", e.RetryAfter.Round(time.Second))
}

// Is makes errors.Is(err, apperr.ErrRateLimited) true.
func (e *RateLimitError) Is(target error) bool { return target == apperr.ErrRateLimited }

// Wait is how long the client should wait (the HTTP layer's Retry-After).
func (e *RateLimitError) Wait() time.Duration { return e.RetryAfter }

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
	lockClassEmail  int32 = 0x6c6f6701 // "log" 1: one account's failures
	lockClassIP     int32 = 0x6c6f6702 // "log" 2: one address's failures
	lockClassSignup int32 = 0x6c6f6703 // "log" 3: one address's sign-ups
)

func interval(d time.Duration) pgtype.Interval {
	return pgtype.Interval{Microseconds: d.Microseconds(), Valid: true}
}

// Authenticate checks an e-mail and password. The throttle is checked
// before the password so a throttled address cannot probe further, and
// check and record are one step: under advisory locks on the account and
// the address, the attempt is weighed and, if allowed, written down as a
// failure before its password is checked (and struck off when it turns
// out right). So a burst of parallel attempts gets no more password checks
// than the throttle allows, instead of every attempt seeing the count
// before any of them had failed.
func (th Throttle) Authenticate(ctx context.Context, conn db.Conn, email, password, ip string) (User, error) {
	email = NormalizeEmail(email)
	failureID, err := th.reserve(ctx, conn, email, ip)
	if err != nil {
		return User{}, err
	}
	qs := dbsqlc.New(conn)
	row, err := qs.GetUserByEmail(ctx, email)
	known := err == nil
	hash := row.PasswordHash
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		hash = dummyHash // same work, so the answer's timing says nothing
	case err != nil:
		return User{}, fmt.Errorf("auth: get user: %w", err)
	}
	ok, err := CheckPassword(ctx, hash, password)
	if err != nil {
		// Busy: the attempt was not judged, so it does not count.
		if derr := qs.DeleteLoginFailure(ctx, failureID); derr != nil {
			return User{}, fmt.Errorf("auth: strike off attempt: %w", derr)
		}
		return User{}, err
	}
	if !known {
		return User{}, ErrBadCredentials
	}
	if !ok {
		if err := th.alert(ctx, conn, fromRow(row)); err != nil {
			return User{}, err
		}
		return User{}, ErrBadCredentials
	}
	// The right password clears this address's failures on the account
	// (the reserved one included), never those of other addresses.
	if err := qs.ClearPairLoginFailures(ctx, dbsqlc.ClearPairLoginFailuresParams{Email: email, Ip: ip}); err != nil {
		return User{}, fmt.Errorf("auth: clear failures: %w", err)
	}
	if row.DisabledAt != nil {
		return User{}, ErrDisabled
	}
	return fromRow(row), nil
}

// reserve weighs an attempt and, when it may go ahead, records it as a
// failure in the same transaction, holding both advisory locks (always the
// account's first, so two attempts never wait for each other crosswise).
func (th Throttle) reserve(ctx context.Context, conn db.Conn, email, ip string) (int64, error) {
	var id int64
	err := db.InTx(ctx, conn, func(tx pgx.Tx) error {
		qs := dbsqlc.New(tx)
		for _, k := range []dbsqlc.LockLoginKeyParams{{Class: lockClassEmail, Key: email}, {Class: lockClassIP, Key: ip}} {
			if err := qs.LockLoginKey(ctx, k); err != nil {
				return fmt.Errorf("auth: lock throttle: %w", err)
			}
		}
		st, err := qs.LoginThrottleState(ctx, dbsqlc.LoginThrottleStateParams{
			Email: email, Ip: ip, PairWindow: interval(th.PairWindow), IpWindow: interval(th.Window),
		})
		if err != nil {
			return fmt.Errorf("auth: count failures: %w", err)
		}
		if wait := th.pairWait(int(st.PairFailures)); wait > 0 {
			if until := st.PairLatest.Add(wait); until.After(st.Now) {
				return &RateLimitError{RetryAfter: until.Sub(st.Now)}
			}
		}
		if int(st.IpFailures) >= th.PerIP {
			return &RateLimitError{RetryAfter: st.IpOldest.Add(th.Window).Sub(st.Now)}
		}
		if id, err = qs.RecordLoginFailure(ctx, dbsqlc.RecordLoginFailureParams{Email: email, Ip: ip}); err != nil {
			return fmt.Errorf("auth: record attempt: %w", err)
		}
		return nil
	})
	return id, err
}

// pairWait is how long after its latest failure an account and address
// with n failures must wait: nothing for the free ones, then PairDelay,
// doubling per failure, capped at PairMaxDelay.
func (th Throttle) pairWait(n int) time.Duration {
	if n < th.PairFree {
		return 0
	}
	wait := th.PairDelay
	for i := th.PairFree; i < n && wait < th.PairMaxDelay; i++ {
		wait *= 2
	}
	return min(wait, th.PairMaxDelay)
}

// alert tells the owner of u's account, once per attack, that its failures
// passed AlertAfter. An attack ends after PairWindow without such failures;
// while one goes on, the owner hears of it again once a day.
func (th Throttle) alert(ctx context.Context, conn db.Conn, u User) error {
	if th.Alerts == nil || th.AlertAfter <= 0 || u.Disabled {
		return nil
	}
	return db.InTx(ctx, conn, func(tx pgx.Tx) error {
		qs := dbsqlc.New(tx)
		if err := qs.LockLoginKey(ctx, dbsqlc.LockLoginKeyParams{Class: lockClassEmail, Key: u.Email}); err != nil {
			return fmt.Errorf("auth: lock throttle: %w", err)
		}
		n, err := qs.AccountLoginFailures(ctx, dbsqlc.AccountLoginFailuresParams{Email: u.Email, Since: interval(th.PairWindow)})
		if err != nil {
			return fmt.Errorf("auth: count account failures: %w", err)
		}
		if int(n.Failures) < th.AlertAfter {
			return nil
		}
		_, err = qs.StartLoginAlert(ctx, u.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			_, err = qs.RenewLoginAlert(ctx, dbsqlc.RenewLoginAlertParams{UserID: u.ID, Quiet: interval(th.PairWindow)})
		}
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			// The owner has heard of this attack already.
			if err := qs.TouchLoginAlert(ctx, u.ID); err != nil {
				return fmt.Errorf("auth: touch alert: %w", err)
			}
			return nil
		case err != nil:
			return fmt.Errorf("auth: record alert: %w", err)
		}
		return th.Alerts.LoginAttack(ctx, tx, u, Attack{Failures: int(n.Failures), Addresses: int(n.Addresses), Window: th.PairWindow})
	})
}

// SignUp is Register with a limit per client address: a valid form is
// counted (under an advisory lock on the address, so a parallel burst gets
// no more than the limit either) before its password is hashed; a form
// with field errors costs nothing and does not count.
func (th Throttle) SignUp(ctx context.Context, conn db.Conn, in SignUp, ip string) (User, error) {
	email, err := in.validate()
	if err != nil {
		return User{}, err
	}
	err = db.InTx(ctx, conn, func(tx pgx.Tx) error {
		qs := dbsqlc.New(tx)
		if err := qs.LockLoginKey(ctx, dbsqlc.LockLoginKeyParams{Class: lockClassSignup, Key: ip}); err != nil {
			return fmt.Errorf("auth: lock sign-ups: %w", err)
		}
		st, err := qs.CountSignupAttempts(ctx, dbsqlc.CountSignupAttemptsParams{Ip: ip, Since: interval(th.SignupWindow)})
		if err != nil {
			return fmt.Errorf("auth: count sign-ups: %w", err)
		}
		if int(st.Attempts) >= th.SignupsPerIP {
			return &RateLimitError{RetryAfter: st.Oldest.Add(th.SignupWindow).Sub(st.Now)}
		}
		if err := qs.RecordSignupAttempt(ctx, ip); err != nil {
			return fmt.Errorf("auth: record sign-up: %w", err)
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return register(ctx, conn, email, in.Password)
}
