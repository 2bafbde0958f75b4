package faulttest

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/sandbox"
	"github.com/botbridge/botbridge/internal/stack"
)

// TestProcess runs the real botbridge binary as child processes and
// breaks things around it. The binary is built once for all subtests.
func TestProcess(t *testing.T) {
	bin := buildBinary(t)
	t.Run("Kill9WhileStreaming", func(t *testing.T) { t.Parallel(); limit(t); testKill9(t, bin) })
	t.Run("TwoProcessesOneKilled", func(t *testing.T) { t.Parallel(); limit(t); testTwoProcesses(t, bin) })
	t.Run("SIGTERMUnderLoad", func(t *testing.T) { t.Parallel(); limit(t); testGracefulShutdown(t, bin) })
	t.Run("PostgresConnectionsKilled", func(t *testing.T) { t.Parallel(); limit(t); testPostgresOutage(t, bin) })
	t.Run("HostileWebhookCorpus", func(t *testing.T) { t.Parallel(); limit(t); testHostileCorpus(t, bin) })
}

// setLatency slows every Webim API call down, so chat jobs spend real time
// "running" and a kill finds work in flight.
func setLatency(s *stack.Stack, d time.Duration) {
	for _, a := range s.Accounts {
		a.Sandbox.SetFaults(sandbox.Faults{Latency: d})
	}
}

// killWhileWorking kills p -9 at a moment when the River client clientID
// (any, when "") has a chat job running, and returns the jobs the dead
// process left "running".
func killWhileWorking(t *testing.T, e *testEnv, p *proc, clientID string) map[int64]string {
	t.Helper()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		busy := false
		for _, by := range runningJobs(c, e.pool) {
			busy = busy || clientID == "" || by == clientID
		}
		assert.True(c, busy)
	}, 10*time.Second, 5*time.Millisecond, "%s never had a chat job running", p.name)
	p.kill()
	orphans := map[int64]string{}
	for id, by := range runningJobs(t, e.pool) {
		if clientID == "" || by == clientID {
			orphans[id] = by
		}
	}
	return orphans
}

// kill -9 while a steady stream is ingested and delivered, restart, twice;
// after the last kill the stream stops, so the tail depends on River's
// rescuer handing the dead process's jobs to the new one.
func testKill9(t *testing.T, bin string) {
	e := newEnv(t, bin, stack.Options{})
	setLatency(e.s, 40*time.Millisecond)
	p := e.serve("botbridge-1", nil)
	chats := startChats(t, e.s, 6)
	l := startLoad(chats, 80*time.Millisecond)
	t.Cleanup(func() { l.halt(t) })

	const kills = 2
	orphaned := 0
	for round := 1; round <= kills; round++ {
		time.Sleep(1200 * time.Millisecond)
		orphans := killWhileWorking(t, e, p, "")
		orphaned += len(orphans)
		t.Logf("kill -9 #%d (%s): jobs left running: [%s]", round, l, joinKeys(orphans))
		if round == kills {
			l.halt(t)
		}
		time.Sleep(300 * time.Millisecond) // webhooks are refused meanwhile
		p = e.serve(fmt.Sprintf("botbridge-%d", round+1), nil)
	}
	require.Positive(t, orphaned, "the kills must find work in flight, or the test proves nothing")

	o := verify(t, e.pool, e.s.Bot, chats, 90*time.Second)
	t.Logf("after %d kills: %s; %s", kills, l, o)
	require.Positive(t, l.failed.Load(), "some webhooks must have hit a dead process")
	// At-least-once: a kill can repeat at most the one step each chat had
	// in flight, once at the bot and once in Webim.
	require.LessOrEqual(t, o.WebimDup, kills*len(chats))
	require.LessOrEqual(t, o.BotDup, kills*len(chats))

	// The dead processes' jobs are rescued and finished by the live one.
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Zero(c, count(c, e.pool, `SELECT count(*) FROM river_job WHERE kind = 'bridge_chat' AND state <> 'completed'`))
	}, 90*time.Second, poll, "the killed processes' chat jobs are rescued and completed")
}

// Two processes (web + workers, and workers only) share one database; the
// worker is killed while it runs chat jobs; the other finishes everything,
// including the jobs the dead one left behind, and every chat stays in order.
func testTwoProcesses(t *testing.T, bin string) {
	e := newEnv(t, bin, stack.Options{})
	setLatency(e.s, 40*time.Millisecond)
	a := e.serve("botbridge-web-and-workers", nil)
	b := e.start("botbridge-worker", nil, "worker")
	chats := startChats(t, e.s, 8)
	l := startLoad(chats, 80*time.Millisecond)
	t.Cleanup(func() { l.halt(t) })

	// Both processes work: two River clients appear in attempted_by, the
	// worker's last (client ids end in their start time).
	var ids []string
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		ids = clientIDs(c, e.pool)
		assert.GreaterOrEqual(c, len(ids), 2)
	}, 20*time.Second, poll, "both processes run chat jobs")
	require.Len(t, ids, 2)
	aID, bID := ids[0], ids[1]
	require.True(t, b.running())

	orphans := killWhileWorking(t, e, b, bID)
	t.Logf("worker killed (%s); its jobs left running: [%s]", l, joinKeys(orphans))
	time.Sleep(1500 * time.Millisecond)
	l.halt(t)
	require.True(t, a.running())

	o := verify(t, e.pool, e.s.Bot, chats, 90*time.Second)
	t.Logf("%s; %s", l, o)
	require.Zero(t, l.failed.Load(), "the web process never went away: every webhook is acknowledged")
	require.LessOrEqual(t, o.WebimDup, len(chats))
	require.LessOrEqual(t, o.BotDup, len(chats))

	// Whatever the worker left running is rescued and completed by the other.
	finishedBy := map[int64]string{}
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		for id := range orphans {
			var state, by string
			require.NoError(c, e.pool.QueryRow(context.Background(),
				`SELECT state, attempted_by[array_upper(attempted_by, 1)] FROM river_job WHERE id = $1`, id).Scan(&state, &by))
			require.Equal(c, "completed", state, "job %d", id)
			finishedBy[id] = by
		}
	}, 90*time.Second, poll, "the dead worker's jobs are completed by the live process")
	for id, by := range finishedBy {
		require.Equal(t, aID, by, "job %d finished by the live process", id)
	}
}

// SIGTERM while chats have a backlog and Webim is slow: the process drains
// for SHUTDOWN_TIMEOUT, then cancels what is left; it exits 0 with nothing
// "running", and a new process delivers everything. (The long JOB_TIMEOUT
// keeps runs from yielding by themselves, so the drain really times out
// and the cancel path is what is tested.)
func testGracefulShutdown(t *testing.T, bin string) {
	e := newEnv(t, bin, stack.Options{})
	setLatency(e.s, 250*time.Millisecond)
	p := e.serve("botbridge-1", map[string]string{"SHUTDOWN_TIMEOUT": "1s", "JOB_TIMEOUT": "2m", "JOB_RESCUE_AFTER": "3m"})
	chats := startChats(t, e.s, 6)
	l := startLoad(chats, 60*time.Millisecond)
	t.Cleanup(func() { l.halt(t) })
	time.Sleep(2 * time.Second)
	require.EventuallyWithT(t, func(c *assert.CollectT) { assert.NotEmpty(c, runningJobs(c, e.pool)) }, 5*time.Second, poll, "chat jobs running")
	inFlight := len(runningJobs(t, e.pool))

	took := p.term(20 * time.Second)
	l.halt(t)
	require.Equal(t, 0, p.exit.ExitCode(), "clean exit")
	require.Less(t, took, 1*time.Second+5*time.Second+2*time.Second, "SHUTDOWN_TIMEOUT, then at most the 5 s cancel grace")
	require.Empty(t, runningJobs(t, e.pool), "no chat job left running after a graceful stop")
	require.Zero(t, count(t, e.pool, `SELECT count(*) FROM river_job WHERE state = 'running'`), "no job of any kind left running")
	backlog := count(t, e.pool, `SELECT count(*) FROM bridge_events WHERE status IN ('pending', 'replied')`)
	queued := count(t, e.pool, `SELECT count(*) FROM river_job WHERE kind = 'bridge_chat' AND state IN ('available', 'retryable', 'scheduled')`)
	t.Logf("SIGTERM with %d chat jobs running: exited in %s; %d events still to deliver, %d chat jobs back in the queue; %s",
		inFlight, took.Round(time.Millisecond), backlog, queued, l)
	require.Positive(t, backlog, "the backlog was not drained, so the restart has work to resume")
	require.Positive(t, queued, "that work is in the queue")
	require.True(t, p.logContains("shutting down"), "the process logged its shutdown")
	require.True(t, p.logContains("workers did not drain in time"), "the drain timed out and the rest was cancelled")

	setLatency(e.s, 0)
	e.serve("botbridge-2", nil)
	o := verify(t, e.pool, e.s.Bot, chats, 60*time.Second)
	t.Logf("after restart: %s", o)
	// A step cancelled mid-call repeats (each chat has one call in flight
	// at most). Webim may apply the cancelled call only after the new
	// process's retry and next messages: that repeat lands late.
	require.LessOrEqual(t, o.WebimDup, len(chats))
	require.LessOrEqual(t, o.BotDup, len(chats))
}

// terminate cuts every connection to the database but the caller's.
func terminate(t *testing.T, admin *pgx.Conn, dbName string) int {
	t.Helper()
	var n int
	require.NoError(t, admin.QueryRow(context.Background(), `
		SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = $1 AND pid <> pg_backend_pid()`, dbName).Scan(&n))
	return n
}

// PostgreSQL connections cut under load, then an outage that lasts: the
// server recovers by itself, /readyz says 503 while the database is gone,
// and everything acknowledged is delivered.
func testPostgresOutage(t *testing.T, bin string) {
	e := newEnv(t, bin, stack.Options{})
	p := e.serve("botbridge", nil)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, dbtest.ServerURL())
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "ALTER DATABASE "+pgx.Identifier{e.dbName}.Sanitize()+" ALLOW_CONNECTIONS true")
		_ = admin.Close(context.Background())
	})
	chats := startChats(t, e.s, 6)
	l := startLoad(chats, 80*time.Millisecond)
	t.Cleanup(func() { l.halt(t) })
	time.Sleep(time.Second)

	// Connections killed while everything runs: nothing to do but go on.
	cut := 0
	for range 3 {
		cut += terminate(t, admin, e.dbName)
		time.Sleep(400 * time.Millisecond)
	}
	require.Positive(t, cut)
	p.waitHTTP(e.base+"/readyz", http.StatusOK, 10*time.Second)
	t.Logf("%d connections cut in three rounds; ready again (%s)", cut, l)

	// An outage that lasts: no new connections, the existing ones cut.
	_, err = admin.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{e.dbName}.Sanitize()+" ALLOW_CONNECTIONS false")
	require.NoError(t, err)
	terminate(t, admin, e.dbName)
	failedBefore := l.failed.Load()
	p.waitHTTP(e.base+"/readyz", http.StatusServiceUnavailable, 5*time.Second)
	time.Sleep(2 * time.Second)
	code, err := get(e.base + "/readyz")
	require.NoError(t, err)
	require.Equal(t, http.StatusServiceUnavailable, code, "/readyz reports the outage while it lasts")
	code, err = get(e.base + "/healthz")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code, "the process itself is alive")
	require.Greater(t, l.failed.Load(), failedBefore, "webhooks are refused during the outage, not acknowledged")

	_, err = admin.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{e.dbName}.Sanitize()+" ALLOW_CONNECTIONS true")
	require.NoError(t, err)
	p.waitHTTP(e.base+"/readyz", http.StatusOK, 15*time.Second)
	e.pool.Reset() // the test's own connections were cut too
	ackedAtRecovery := l.acked.Load()
	time.Sleep(1500 * time.Millisecond)
	l.halt(t)
	require.Greater(t, l.acked.Load(), ackedAtRecovery, "webhooks are acknowledged again after the outage")
	require.True(t, p.running(), "the process never restarted")

	o := verify(t, e.pool, e.s.Bot, chats, 90*time.Second)
	t.Logf("%s; %s", l, o)
	// Connections cut between a call and its bookkeeping repeat that call:
	// at most once per chat per cut.
	require.LessOrEqual(t, o.WebimDup, 4*len(chats))
	require.LessOrEqual(t, o.BotDup, 4*len(chats))
}
