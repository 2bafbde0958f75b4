package db_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Every migration must be reversible: up, all the way down, and up again on
// an empty database, with the schema present and gone as expected.
func TestMigrationsUpDownUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.EmptyDatabase(t)
	m, err := db.NewMigrator(url, nil)
	require.NoError(t, err)
	defer m.Close()

	tableCount := func() int {
		conn, err := pgx.Connect(ctx, url)
		require.NoError(t, err)
		defer conn.Close(ctx)
		var n int
		require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'goose_db_version'`).Scan(&n))
		return n
	}

	res, err := m.Up(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, res)
	full := tableCount()
	require.Greater(t, full, 5)

	_, err = m.DownTo(ctx, 0)
	require.NoError(t, err)
	require.Equal(t, 0, tableCount())

	_, err = m.Up(ctx)
	require.NoError(t, err)
	require.Equal(t, full, tableCount())

	st, err := m.Status(ctx)
	require.NoError(t, err)
	for _, s := range st {
		require.Equal(t, "applied", string(s.State), s.Source.Path)
	}
}

// Two migrators racing on one empty database both succeed and the schema is
// applied exactly once (goose's session locker).
func TestConcurrentMigrate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.EmptyDatabase(t)
	errs := make(chan error, 2)
	for range 2 {
		go func() { errs <- db.Migrate(ctx, url, nil) }()
	}
	require.NoError(t, <-errs)
	require.NoError(t, <-errs)
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var n int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM goose_db_version WHERE version_id = 1 AND is_applied`).Scan(&n))
	require.Equal(t, 1, n)
}

func TestTxIsolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	_, err := tx.Exec(ctx, `INSERT INTO users (email, password_hash) VALUES ('iso@example.com', 'x')`)
	require.NoError(t, err)
	var n int
	require.NoError(t, dbtest.Pool(t).QueryRow(ctx, `SELECT count(*) FROM users WHERE email = 'iso@example.com'`).Scan(&n))
	require.Equal(t, 0, n, "uncommitted rows must not leak to other tests")
}

func TestIsUniqueViolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	_, err := tx.Exec(ctx, `INSERT INTO users (email, password_hash) VALUES ('dup@example.com', 'x')`)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `SAVEPOINT s`)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `INSERT INTO users (email, password_hash) VALUES ('dup@example.com', 'x')`)
	require.True(t, db.IsUniqueViolation(err, "users_email_key"))
	require.False(t, db.IsUniqueViolation(err, "other"))
	require.False(t, db.IsUniqueViolation(nil, ""))
}
