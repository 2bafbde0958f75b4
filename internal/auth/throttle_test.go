package auth_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/web/i18n"
)

// The lock-out of issue 14: five wrong passwords from anywhere locked the
// account for 15 minutes, even for its owner with the right password.
func TestStrangerCannotLockTheOwnerOut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	_, err := auth.CreateUser(ctx, tx, "victim@example.com", "the right password", auth.RoleOwner)
	require.NoError(t, err)
	th := auth.DefaultThrottle

	limited := 0
	for range 30 {
		_, err := th.Authenticate(ctx, tx, "victim@example.com", "a guess", "203.0.113.9")
		switch {
		case errors.Is(err, apperr.ErrRateLimited):
			limited++
		default:
			require.ErrorIs(t, err, auth.ErrBadCredentials)
		}
	}
	require.NotZero(t, limited, "the attacker's own address is slowed down")

	u, err := th.Authenticate(ctx, tx, "victim@example.com", "the right password", "198.51.100.7")
	require.NoError(t, err, "the owner, elsewhere, still logs in")
	require.Equal(t, "victim@example.com", u.Email)
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	_, err := auth.CreateUser(ctx, tx, "login@example.com", "the right password", auth.RoleOwner)
	require.NoError(t, err)
	th := auth.DefaultThrottle
	u, err := th.Authenticate(ctx, tx, "LOGIN@example.com", "the right password", "192.0.2.1")
	require.NoError(t, err)
	require.Equal(t, "login@example.com", u.Email)
	_, err = th.Authenticate(ctx, tx, "login@example.com", "wrong", "192.0.2.1")
	require.ErrorIs(t, err, auth.ErrBadCredentials)
	_, err = th.Authenticate(ctx, tx, "nobody@example.com", "wrong", "192.0.2.1")
	require.ErrorIs(t, err, auth.ErrBadCredentials, "unknown e-mail gives the same answer")

	// The right password clears its own address's failures only.
	_, err = th.Authenticate(ctx, tx, "login@example.com", "wrong", "192.0.2.2")
	require.ErrorIs(t, err, auth.ErrBadCredentials)
	_, err = th.Authenticate(ctx, tx, "login@example.com", "the right password", "192.0.2.1")
	require.NoError(t, err)
	var left []string
	require.NoError(t, pgxCollect(ctx, tx, `SELECT ip FROM login_failures WHERE email = 'login@example.com' ORDER BY id`, &left))
	require.Equal(t, []string{"192.0.2.2"}, left)
}

// ageFailures moves the recorded failures of an account d into the past,
// as if that much time had gone by.
func ageFailures(t *testing.T, tx pgx.Tx, email string, d time.Duration) {
	t.Helper()
	_, err := tx.Exec(context.Background(), `UPDATE login_failures SET created_at = created_at - $2::interval WHERE email = $1`, email, d.String())
	require.NoError(t, err)
}

func TestThrottleDelayGrowsPerAccountAndAddress(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	_, err := auth.CreateUser(ctx, tx, "slow@example.com", "the right password", auth.RoleOwner)
	require.NoError(t, err)
	th := auth.Throttle{PairFree: 3, PairDelay: time.Minute, PairMaxDelay: 4 * time.Minute, PairWindow: time.Hour, PerIP: 100, Window: time.Hour}
	const ip = "203.0.113.20"
	for range 3 {
		_, err = th.Authenticate(ctx, tx, "slow@example.com", "a guess", ip)
		require.ErrorIs(t, err, auth.ErrBadCredentials)
	}
	// Each further failure doubles the wait: 1, 2, 4, then 4 minutes (the cap).
	for _, wait := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 4 * time.Minute} {
		_, err = th.Authenticate(ctx, tx, "slow@example.com", "the right password", ip)
		var rl *auth.RateLimitError
		require.ErrorAs(t, err, &rl, "even the right password waits its turn from this address")
		require.InDelta(t, wait.Seconds(), rl.Wait().Seconds(), 2)
		require.Equal(t, int(wait/time.Minute), rl.Minutes())

		ageFailures(t, tx, "slow@example.com", wait)
		_, err = th.Authenticate(ctx, tx, "slow@example.com", "a guess", ip)
		require.ErrorIs(t, err, auth.ErrBadCredentials, "after the wait, one more guess")
	}
	// Failures older than the window are forgotten.
	ageFailures(t, tx, "slow@example.com", time.Hour)
	_, err = th.Authenticate(ctx, tx, "slow@example.com", "the right password", ip)
	require.NoError(t, err)
}

func TestThrottleCapsOneAddressAcrossAccounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	_, err := auth.CreateUser(ctx, tx, "sprayed@example.com", "the right password", auth.RoleOwner)
	require.NoError(t, err)
	th := auth.DefaultThrottle
	th.PerIP = 4
	const sprayer = "203.0.113.30"
	for i := range 4 {
		_, err = th.Authenticate(ctx, tx, fmt.Sprintf("user%d@example.com", i), "password1", sprayer)
		require.ErrorIs(t, err, auth.ErrBadCredentials)
	}
	_, err = th.Authenticate(ctx, tx, "user9@example.com", "password1", sprayer)
	var rl *auth.RateLimitError
	require.ErrorAs(t, err, &rl, "one guess per account, but too many accounts")
	require.Equal(t, 15, rl.Minutes())
	_, err = th.Authenticate(ctx, tx, "sprayed@example.com", "the right password", sprayer)
	require.ErrorIs(t, err, apperr.ErrRateLimited, "the address is stopped for every account")
	_, err = th.Authenticate(ctx, tx, "sprayed@example.com", "the right password", "198.51.100.30")
	require.NoError(t, err, "other addresses are not")
}

func TestThrottleMailsTheOwnerOncePerAttack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	u, err := auth.CreateUser(ctx, tx, "attacked@example.com", "the right password", auth.RoleOwner)
	require.NoError(t, err)
	th := auth.DefaultThrottle
	th.AlertAfter = 4
	th.Alerts = auth.MailAlerts{Jobs: insertOnly(t), BaseURL: "https://bridge.example/", T: i18n.Text, DefaultLang: "en"}
	mails := func() []string {
		var subjects []string
		require.NoError(t, pgxCollect(ctx, tx, `SELECT body FROM mail_outbox WHERE to_addr = 'attacked@example.com' AND topic = 'login_attack:`+strconv.FormatInt(u.ID, 10)+`' ORDER BY id`, &subjects))
		return subjects
	}
	guess := func(ip string) {
		t.Helper()
		_, err := th.Authenticate(ctx, tx, "attacked@example.com", "a guess", ip)
		require.ErrorIs(t, err, auth.ErrBadCredentials)
	}
	for i := range 3 {
		guess(fmt.Sprintf("203.0.113.%d", 40+i))
	}
	require.Empty(t, mails(), "three failures are no attack yet")
	guess("203.0.113.43")
	got := mails()
	require.Len(t, got, 1)
	require.Contains(t, got[0], "attacked@example.com: 4 failed log-in attempts in the last 60 minutes, from 4 address(es)")
	require.Contains(t, got[0], "https://bridge.example/login")
	for i := range 6 {
		guess(fmt.Sprintf("203.0.113.%d", 50+i))
	}
	require.Len(t, mails(), 1, "one mail per attack")

	// An hour without failures ends the attack; the next one is news.
	_, err = tx.Exec(ctx, `UPDATE login_alerts SET last_at = last_at - interval '61 minutes', sent_at = sent_at - interval '61 minutes'`)
	require.NoError(t, err)
	guess("203.0.113.60")
	require.Len(t, mails(), 2)

	// Unknown accounts have nobody to tell.
	for range 5 {
		_, err := th.Authenticate(ctx, tx, "nobody@example.com", "a guess", "203.0.113.61")
		require.ErrorIs(t, err, auth.ErrBadCredentials)
	}
}

func TestLoginAttackMailInRussian(t *testing.T) {
	t.Parallel()
	body := i18n.TL(i18n.RU, "mail.login_attack.body", "a@example.com", 12, 60, 3, "https://bridge.example/login")
	require.Contains(t, body, "Неудачных попыток входа за последние 60 мин.: 12, разных адресов: 3.")
	require.NotContains(t, body, "%!")
}

func pgxCollect(ctx context.Context, tx pgx.Tx, sql string, out *[]string) error {
	rows, err := tx.Query(ctx, sql)
	if err != nil {
		return err
	}
	*out, err = pgx.CollectRows(rows, pgx.RowTo[string])
	return err
}

func insertOnly(t *testing.T) jobs.Inserter {
	t.Helper()
	ins, err := jobs.InsertOnly()
	require.NoError(t, err)
	return ins
}

func TestSignUpLimitedPerAddress(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	th := auth.DefaultThrottle
	th.SignupsPerIP = 3
	const ip = "203.0.113.70"
	form := func(email string) auth.SignUp {
		return auth.SignUp{Email: email, Password: "long enough pw", Confirm: "long enough pw"}
	}
	_, err := th.SignUp(ctx, tx, auth.SignUp{Email: "bad"}, ip)
	require.ErrorIs(t, err, apperr.ErrInvalid, "field errors cost nothing and do not count")
	_, err = th.SignUp(ctx, tx, form("one@example.com"), ip)
	require.NoError(t, err)
	_, err = th.SignUp(ctx, tx, form("one@example.com"), ip)
	require.Equal(t, "auth.email.taken", apperr.Fields(err)["email"], "a taken address still costs a hash, so it counts")
	_, err = th.SignUp(ctx, tx, form("two@example.com"), ip)
	require.NoError(t, err)
	_, err = th.SignUp(ctx, tx, form("three@example.com"), ip)
	var rl *auth.RateLimitError
	require.ErrorAs(t, err, &rl)
	require.Equal(t, 60, rl.Minutes())
	_, err = auth.GetUserByEmail(ctx, tx, "three@example.com")
	require.ErrorIs(t, err, apperr.ErrNotFound)
	_, err = th.SignUp(ctx, tx, form("three@example.com"), "198.51.100.70")
	require.NoError(t, err, "another address signs up")
}

// The alert is written in the owner's language, else DEFAULT_LANGUAGE.
func TestLoginAttackMailInTheOwnersLanguage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	u, err := auth.CreateUser(ctx, tx, "ru-owner@example.com", "the right password", auth.RoleOwner)
	require.NoError(t, err)
	th := auth.DefaultThrottle
	th.AlertAfter = 1
	th.Alerts = auth.MailAlerts{Jobs: insertOnly(t), BaseURL: "https://bridge.example", T: i18n.Text}
	_, err = th.Authenticate(ctx, tx, u.Email, "a guess", "203.0.113.99")
	require.ErrorIs(t, err, auth.ErrBadCredentials)
	var subject, body string
	require.NoError(t, tx.QueryRow(ctx, `SELECT subject, body FROM mail_outbox WHERE to_addr = $1`, u.Email).Scan(&subject, &body))
	require.Equal(t, "Кто-то пытается войти в ваш аккаунт botbridge", subject)
	require.Contains(t, body, "Неудачных попыток входа за последние 60 мин.: 1, разных адресов: 1.")
	require.Contains(t, body, "https://bridge.example/login")
}
