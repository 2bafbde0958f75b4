package auth_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/jobs"
)

// expire makes one session look idle for too long or past its absolute end.
func expire(t *testing.T, q db.DBTX, token, set string) {
	t.Helper()
	tag, err := q.Exec(context.Background(),
		`UPDATE sessions SET `+set+` WHERE token_hash = sha256(convert_to($1, 'UTF8'))`, token)
	require.NoError(t, err)
	require.EqualValues(t, 1, tag.RowsAffected())
}

func sessionCount(t *testing.T, q db.DBTX, userID int64) int {
	t.Helper()
	var n int
	require.NoError(t, q.QueryRow(context.Background(), `SELECT count(*) FROM sessions WHERE user_id = $1`, userID).Scan(&n))
	return n
}

func TestPruneWorkerDeletesExpiredSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := dbtest.Tx(t)
	u, err := auth.CreateUser(ctx, tx, "prune@example.com", "the right password", auth.RoleOwner)
	require.NoError(t, err)
	s := auth.DefaultSessions

	live, err := s.Create(ctx, tx, u.ID, "", "")
	require.NoError(t, err)
	idle, err := s.Create(ctx, tx, u.ID, "", "")
	require.NoError(t, err)
	expire(t, tx, idle, `last_seen_at = now() - interval '2 hours 1 minute'`)
	ended, err := s.Create(ctx, tx, u.ID, "", "")
	require.NoError(t, err)
	expire(t, tx, ended, `expires_at = now() - interval '1 second'`)
	_, err = tx.Exec(ctx, `INSERT INTO login_failures (email, ip, created_at) VALUES
		('prune@example.com', '192.0.2.1', now() - interval '25 hours'),
		('prune@example.com', '192.0.2.2', now() - interval '1 hour')`)
	require.NoError(t, err)

	// The zero Sessions means DefaultSessions, not "everything is idle".
	w := &auth.PruneWorker{DB: tx, Log: slog.New(slog.NewTextHandler(t.Output(), nil))}
	require.NoError(t, w.Work(ctx, nil))

	require.Equal(t, 1, sessionCount(t, tx, u.ID), "only the expired sessions are gone")
	got, err := s.Lookup(ctx, tx, live)
	require.NoError(t, err)
	require.Equal(t, u.ID, got.ID)
	var ips []string
	rows, err := tx.Query(ctx, `SELECT ip FROM login_failures WHERE email = 'prune@example.com'`)
	require.NoError(t, err)
	for rows.Next() {
		var ip string
		require.NoError(t, rows.Scan(&ip))
		ips = append(ips, ip)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"192.0.2.2"}, ips, "log-in failures older than a day are gone")
}

// A worker process runs the prune as soon as it becomes River's leader,
// without waiting for the first hour.
func TestPruneJobRunsOnStart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, _ := dbtest.NewDatabase(t)
	u, err := auth.CreateUser(ctx, pool, "prune-start@example.com", "the right password", auth.RoleOwner)
	require.NoError(t, err)
	tok, err := auth.DefaultSessions.Create(ctx, pool, u.ID, "", "")
	require.NoError(t, err)
	expire(t, pool, tok, `expires_at = now() - interval '1 second'`)
	_, err = auth.DefaultSessions.Create(ctx, pool, u.ID, "", "")
	require.NoError(t, err)

	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := jobs.New(pool, jobs.Options{
		RunWorkers:        true,
		Log:               log,
		FetchPollInterval: 50 * time.Millisecond,
		Periodic:          []*river.PeriodicJob{auth.PruneJob()},
	}, auth.PruneWorkers(pool, log))
	require.NoError(t, err)
	require.NoError(t, c.Start(ctx))
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.Stop(stopCtx)
	})

	require.Eventually(t, func() bool {
		var done bool
		err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM river_job WHERE kind = $1 AND state = 'completed')`,
			auth.PruneArgs{}.Kind()).Scan(&done)
		return err == nil && done
	}, 20*time.Second, 50*time.Millisecond, "the prune job ran on start")
	require.Equal(t, 1, sessionCount(t, pool, u.ID), "the expired session was pruned, the live one kept")
}
