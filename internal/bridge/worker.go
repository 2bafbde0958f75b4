package bridge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/jobs"
)

// Workers registers the chat worker with River.
func (e *Engine) Workers() jobs.Register {
	return func(w *river.Workers) { river.AddWorker(w, &chatWorker{e: e}) }
}

type chatWorker struct {
	river.WorkerDefaults[ChatArgs]
	e *Engine
}

// The chat worker sets no Timeout of its own: a run is bounded by the
// client's JobTimeout (JOB_TIMEOUT), which is also the time after which
// River's rescuer may retry a run left "running" by a dead process. Work
// yields long before that deadline (see yieldShare), so a busy chat is
// never cut off mid-event in normal operation.

// yieldShare is the part of the time left until the run's deadline after
// which Work stops taking new events and re-queues the job: one event
// (bot ≤ 30 s, then its Webim calls ≤ 15 s each) must still fit before
// the deadline.
const yieldShare = 4

// lockKey is the advisory lock of one chat. The high bit pattern keeps it
// apart from other advisory locks (goose, tests).
func lockKey(chatID int64) int64 { return 0x6272<<48 | chatID }

// lockBusyDelay is how soon a job retries when another worker holds the chat.
const lockBusyDelay = 300 * time.Millisecond

// Work takes the chat's lock (a session advisory lock: a crashed process
// drops its connection and with it the lock) and delivers its events in
// order until none is due.
func (w *chatWorker) Work(ctx context.Context, job *river.Job[ChatArgs]) error {
	e := w.e
	// The chat's connection is held for the whole run (the advisory lock
	// lives on it), including bot and Webim calls: it comes from the
	// workers' own pool so slow bots never starve webhook ingest and pages.
	conn, err := e.workPool().Acquire(ctx)
	if err != nil {
		return fmt.Errorf("bridge: acquire: %w", err)
	}
	defer conn.Release()
	q := dbsqlc.New(conn)
	key := lockKey(job.Args.ChatID)
	locked, err := q.TryLockChat(ctx, key)
	if err != nil {
		return fmt.Errorf("bridge: lock chat: %w", err)
	}
	if !locked {
		return river.JobSnooze(lockBusyDelay)
	}
	defer unlock(conn, key)
	// Clear the chat's job mark: a webhook committed after this queues a
	// job of its own, since this run may end before reaching its event;
	// one committed before is seen by nextEvent below (clearing waits for
	// an ingest transaction holding the chat row).
	if err := q.ClearChatJobMark(ctx, job.Args.ChatID); err != nil {
		return fmt.Errorf("bridge: chat job mark: %w", err)
	}

	var yieldAt time.Time
	if deadline, ok := ctx.Deadline(); ok {
		start := time.Now()
		yieldAt = start.Add(deadline.Sub(start) / yieldShare)
	}
	for range 10_000 {
		if !yieldAt.IsZero() && time.Now().After(yieldAt) {
			// A long backlog: let the job run again (immediately) rather
			// than run into its timeout, which would count as a failure.
			return river.JobSnooze(0)
		}
		ev, ok, err := nextEvent(ctx, q, job.Args.ChatID)
		if err != nil || !ok {
			return err
		}
		if ev.NextAttemptAt != nil {
			if wait := ev.NextAttemptAt.Sub(e.now()); wait > 0 {
				return river.JobSnooze(wait)
			}
		}
		wait, err := e.deliver(ctx, conn, ev)
		if err != nil {
			return err
		}
		if wait > 0 {
			return river.JobSnooze(wait)
		}
	}
	// Events may be left, and the mark is cleared: run again.
	return river.JobSnooze(0)
}

// nextEvent loads the chat's next event to deliver; ok is false when none
// is left.
func nextEvent(ctx context.Context, q *dbsqlc.Queries, chatID int64) (event, bool, error) {
	row, err := q.NextChatEvent(ctx, chatID)
	if errors.Is(err, pgx.ErrNoRows) {
		return event{}, false, nil
	}
	if err != nil {
		return event{}, false, fmt.Errorf("bridge: load event: %w", err)
	}
	ev, err := eventFromRow(row.BridgeEvent, row.Chat)
	return ev, err == nil, err
}

func unlock(conn *pgxpool.Conn, key int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := dbsqlc.New(conn).UnlockChat(ctx, key); err != nil {
		// A connection that may still hold the lock must not go back to
		// the pool: closing it releases the lock.
		_ = conn.Conn().Close(ctx)
	}
}

func (e *Engine) workPool() *pgxpool.Pool {
	if e.WorkPool != nil {
		return e.WorkPool
	}
	return e.Pool
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// discard is the logger of an engine built without one.
var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func (e *Engine) log() *slog.Logger {
	if e.Log != nil {
		return e.Log
	}
	return discard
}
