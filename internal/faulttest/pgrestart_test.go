package faulttest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/stack"
)

// PostgreSQL itself stopped (pg_ctl stop -m fast) for a few seconds under
// a steady stream, then started again, on a cluster of the test's own:
// meanwhile webhooks are answered 503 with Retry-After (never 200: nothing
// can be stored) and /readyz says unavailable; the visitors' Webim sends
// each refused webhook again, as Webim does; afterwards botbridge — never
// restarted — delivers every acknowledged message, each chat in order.
func testPostgresRestart(t *testing.T, bin string) {
	cl := startCluster(t)
	dbURL := cl.createDB("botbridge")
	ctx := context.Background()
	require.NoError(t, db.Migrate(ctx, dbURL, quietLog))
	pool, err := pgxpool.New(ctx, dbURL)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	e := newEnvOn(t, bin, pool, dbURL, stack.Options{})
	p := e.serve("botbridge", nil)

	chats := startChats(t, e.s, 6)
	l := startLoadWith(chats, 100*time.Millisecond, loadOptions{resend: true})
	t.Cleanup(func() { l.halt(t) })
	time.Sleep(1500 * time.Millisecond)

	stopped := time.Now()
	cl.stop()
	down := time.Now()
	p.waitHTTP(e.base+"/readyz", http.StatusServiceUnavailable, 5*time.Second)
	const outage = 4 * time.Second
	time.Sleep(outage - time.Since(down))
	code, err := get(e.base + "/readyz")
	require.NoError(t, err)
	require.Equal(t, http.StatusServiceUnavailable, code, "/readyz reports the outage while it lasts")
	code, err = get(e.base + "/healthz")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code, "the process itself is alive")
	up := time.Now()
	cl.start()
	restarted := time.Now()
	p.waitHTTP(e.base+"/readyz", http.StatusOK, 30*time.Second)
	ready := time.Now()
	pool.Reset() // the test's own connections were cut too
	ackedAtRecovery := l.acked.Load()
	time.Sleep(2 * time.Second)
	l.halt(t)
	require.Greater(t, l.acked.Load(), ackedAtRecovery, "webhooks are acknowledged again after the restart")
	require.True(t, p.running(), "botbridge was never restarted")

	// While the server was down, every webhook was refused with 503 (and
	// Retry-After, where the answer's headers are known).
	refused, resent := 0, 0
	for _, a := range l.sends() {
		if a.start.Before(down) || a.end.After(up) {
			continue
		}
		require.Equal(t, http.StatusServiceUnavailable, a.status, "a webhook sent while PostgreSQL was down, at %s", a.start.Format("15:04:05.000"))
		refused++
		if a.resend {
			resent++
			require.NotEmpty(t, a.retryAfter, "a 503 says when to try again")
		}
	}
	require.Positive(t, resent, "refused webhooks were sent again during the outage")
	require.Greater(t, refused, 20)

	o := verifyWith(t, pool, e.s.Bot, chats, 90*time.Second, expect{acked: l.isAcked})
	t.Logf("PostgreSQL stopped in %s, down %s (%d webhooks refused with 503 meanwhile, %d of them resends), started in %s, botbridge ready %s later; %s; %s",
		down.Sub(stopped).Round(time.Millisecond), up.Sub(down).Round(time.Millisecond), refused, resent,
		restarted.Sub(up).Round(time.Millisecond), ready.Sub(restarted).Round(time.Millisecond), l, o)
	require.Zero(t, o.Unacked, "every message was acknowledged in the end, on a resend if not at once")
	// A run cut by the stop repeats its one step in flight: at most once
	// per chat.
	require.LessOrEqual(t, o.WebimDup, len(chats))
	require.LessOrEqual(t, o.BotDup, len(chats))
}
