package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, err := auth.HashPassword(ctx, "correct horse battery")
	require.NoError(t, err)
	require.Contains(t, h, "$argon2id$")
	require.NotContains(t, h, "correct horse")
	for _, tc := range []struct {
		hash, password string
		want           bool
	}{
		{h, "correct horse battery", true},
		{h, "correct horse batterY", false},
		{"garbage", "x", false},
	} {
		ok, err := auth.CheckPassword(ctx, tc.hash, tc.password)
		require.NoError(t, err)
		require.Equal(t, tc.want, ok, tc.password)
	}
	h2, err := auth.HashPassword(ctx, "correct horse battery")
	require.NoError(t, err)
	require.NotEqual(t, h, h2, "salted")
}

// Not parallel: it holds every hashing slot of the process, which the
// other tests (paused until the serial ones are done) must not meet.
func TestPasswordHashingIsBounded(t *testing.T) {
	release := auth.OccupyHashSlots()
	start := time.Now()
	_, err := auth.HashPassword(context.Background(), "correct horse battery")
	require.ErrorIs(t, err, auth.ErrBusy)
	require.ErrorIs(t, err, apperr.ErrUnavailable)
	require.GreaterOrEqual(t, time.Since(start), auth.HashWait, "it waited for a slot first")
	_, err = auth.CheckPassword(context.Background(), "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$a2V5", "x")
	require.ErrorIs(t, err, auth.ErrBusy)

	// A slot that comes free in time is taken.
	go func() { time.Sleep(100 * time.Millisecond); release() }()
	_, err = auth.HashPassword(context.Background(), "correct horse battery")
	require.NoError(t, err)
}

func TestRegisterValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	_, err := auth.Register(ctx, tx, auth.SignUp{Email: " Taken@Example.com ", Password: "long enough pw", Confirm: "long enough pw"})
	require.NoError(t, err)

	cases := []struct {
		name  string
		in    auth.SignUp
		field string
		key   string
	}{
		{"empty email", auth.SignUp{Email: "", Password: "long enough pw", Confirm: "long enough pw"}, "email", "auth.email.required"},
		{"bad email", auth.SignUp{Email: "not-an-email", Password: "long enough pw", Confirm: "long enough pw"}, "email", "auth.email.invalid"},
		{"display name", auth.SignUp{Email: "Bob <bob@example.com>", Password: "long enough pw", Confirm: "long enough pw"}, "email", "auth.email.invalid"},
		{"no dot", auth.SignUp{Email: "bob@localhost", Password: "long enough pw", Confirm: "long enough pw"}, "email", "auth.email.invalid"},
		{"duplicate differently cased", auth.SignUp{Email: "TAKEN@example.com", Password: "long enough pw", Confirm: "long enough pw"}, "email", "auth.email.taken"},
		{"short password", auth.SignUp{Email: "a@example.com", Password: "123456789", Confirm: "123456789"}, "password", "auth.password.short"},
		{"empty password", auth.SignUp{Email: "a@example.com", Password: "", Confirm: ""}, "password", "auth.password.required"},
		{"mismatch", auth.SignUp{Email: "a@example.com", Password: "long enough pw", Confirm: "long enough pX"}, "confirm", "auth.confirm.mismatch"},
	}
	for _, tc := range cases {
		_, err := auth.Register(ctx, tx, tc.in)
		require.ErrorIs(t, err, apperr.ErrInvalid, tc.name)
		require.Equal(t, tc.key, apperr.Fields(err)[tc.field], tc.name)
	}
	u, err := auth.GetUserByEmail(ctx, tx, "taken@example.com")
	require.NoError(t, err)
	require.Equal(t, auth.RoleOwner, u.Role)
}

func TestSessionsLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	u, err := auth.CreateUser(ctx, tx, "sess@example.com", "the right password", auth.RoleModerator)
	require.NoError(t, err)
	s := auth.Sessions{Idle: time.Hour, Absolute: 2 * time.Hour}

	tok, err := s.Create(ctx, tx, u.ID, "1.1.1.1", "test")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(tok), 22, "at least 128 bits")
	var stored int
	require.NoError(t, tx.QueryRow(ctx, `SELECT count(*) FROM sessions WHERE token_hash = $1::text::bytea`, tok).Scan(&stored))
	require.Zero(t, stored, "the raw token is never stored")

	got, err := s.Lookup(ctx, tx, tok)
	require.NoError(t, err)
	require.Equal(t, u.ID, got.ID)
	require.True(t, got.Role.CanModerate())

	_, err = s.Lookup(ctx, tx, tok+"x")
	require.ErrorIs(t, err, apperr.ErrUnauthenticated)

	// Idle expiry.
	_, err = tx.Exec(ctx, `UPDATE sessions SET last_seen_at = now() - interval '61 minutes'`)
	require.NoError(t, err)
	_, err = s.Lookup(ctx, tx, tok)
	require.ErrorIs(t, err, apperr.ErrUnauthenticated)

	// Absolute expiry.
	tok2, err := s.Create(ctx, tx, u.ID, "", "")
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `UPDATE sessions SET expires_at = now() - interval '1 second' WHERE last_seen_at > now() - interval '1 minute'`)
	require.NoError(t, err)
	_, err = s.Lookup(ctx, tx, tok2)
	require.ErrorIs(t, err, apperr.ErrUnauthenticated)

	// Destroy.
	tok3, err := s.Create(ctx, tx, u.ID, "", "")
	require.NoError(t, err)
	require.NoError(t, s.Destroy(ctx, tx, tok3))
	_, err = s.Lookup(ctx, tx, tok3)
	require.ErrorIs(t, err, apperr.ErrUnauthenticated)

	n, err := s.Prune(ctx, tx)
	require.NoError(t, err)
	require.Equal(t, int64(2), n)
}

func TestDisableUserEndsSessionsAndLogin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	u, err := auth.CreateUser(ctx, tx, "gone@example.com", "the right password", auth.RoleOwner)
	require.NoError(t, err)
	s := auth.DefaultSessions
	tok, err := s.Create(ctx, tx, u.ID, "", "")
	require.NoError(t, err)

	d, err := auth.DisableUser(ctx, tx, "GONE@example.com")
	require.NoError(t, err)
	require.True(t, d.Disabled)
	_, err = s.Lookup(ctx, tx, tok)
	require.ErrorIs(t, err, apperr.ErrUnauthenticated)
	_, err = auth.DefaultThrottle.Authenticate(ctx, tx, "gone@example.com", "the right password", "1.1.1.1")
	require.ErrorIs(t, err, auth.ErrDisabled)

	_, err = auth.DisableUser(ctx, tx, "nobody@example.com")
	require.ErrorIs(t, err, apperr.ErrNotFound)
}

func TestParseRole(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"owner", "Moderator", " admin "} {
		_, err := auth.ParseRole(ok)
		require.NoError(t, err, ok)
	}
	_, err := auth.ParseRole("root")
	require.ErrorIs(t, err, apperr.ErrInvalid)
}
