package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
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

// lockBusyWait is lockBusyDelay, doubled for each time the job already
// snoozed, up to 8×: a job waiting behind a long run (a slow bot working
// through a backlog) would otherwise come back three times a second, and
// such jobs of many chats take the fetches other tenants' jobs need. The
// running job delivers every event committed before it ends; the waiting
// one only covers events that come after, so waiting longer behind a long
// run costs little.
func lockBusyWait(metadata []byte) time.Duration {
	return lockBusyDelay << min(snoozes(metadata), 3)
}

// snoozes is how often River snoozed the job so far.
func snoozes(metadata []byte) int {
	var m struct {
		Snoozes int `json:"snoozes"`
	}
	_ = json.Unmarshal(metadata, &m)
	return max(m.Snoozes, 0)
}

// Work takes the chat's lock (a session advisory lock: a crashed process
// drops its connection and with it the lock) and delivers its events in
// order until none is due.
func (w *chatWorker) Work(ctx context.Context, job *river.Job[ChatArgs]) error {
	e := w.e
	// A job that names its integration takes its worker slot first (see
	// fairShare): giving way then costs no database round trip.
	admitted := job.Args.IntegrationID
	if admitted != 0 {
		if !e.fair.admit(admitted) {
			return river.JobSnooze(fairShareWait(job.Metadata))
		}
		defer e.fair.release(admitted)
	}
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
	// Admitted already: the job mark is cleared with the lock (see below).
	lock := q.TryLockChat
	if admitted != 0 {
		lock = func(ctx context.Context, key int64) (bool, error) {
			return q.LockChatClearMark(ctx, dbsqlc.LockChatClearMarkParams{Key: key, ChatID: job.Args.ChatID})
		}
	}
	locked, err := lock(ctx, key)
	if err != nil {
		return fmt.Errorf("bridge: lock chat: %w", err)
	}
	if !locked {
		return river.JobSnooze(lockBusyWait(job.Metadata))
	}
	defer unlock(conn, key)
	var head event
	haveHead := false
	if admitted == 0 {
		// An older job: the chat's head event names its integration. It is
		// read before the job mark is cleared, so a run that gives way
		// leaves the mark, and the chat's later webhooks keep joining this
		// job instead of queueing their own.
		if head, haveHead, err = nextEvent(ctx, q, job.Args.ChatID); err != nil {
			return err
		}
		if haveHead {
			if !e.fair.admit(head.IntegrationID) {
				return river.JobSnooze(fairShareWait(job.Metadata))
			}
			defer e.fair.release(head.IntegrationID)
		}
	}
	// Clear the chat's job mark: a webhook committed after this queues a
	// job of its own, since this run may end before reaching its event;
	// one committed before is seen by the next read below (clearing waits
	// for an ingest transaction holding the chat row). A job admitted
	// before the lock cleared it with the lock.
	if admitted == 0 {
		if err := q.ClearChatJobMark(ctx, job.Args.ChatID); err != nil {
			return fmt.Errorf("bridge: chat job mark: %w", err)
		}
	}

	var yieldAt time.Time
	if deadline, ok := ctx.Deadline(); ok {
		start := time.Now()
		yieldAt = start.Add(deadline.Sub(start) / yieldShare)
	}
	run := &chatRun{now: e.now, cache: &e.settings}
	// ev is the chat's head once known: read before the mark was cleared
	// it is still the head (under the lock, new events only queue behind
	// it), but later events may have come, so the loop reads again after it.
	ev, ok, known := head, haveHead, haveHead
	for range 10_000 {
		if !yieldAt.IsZero() && time.Now().After(yieldAt) {
			// A long backlog: let the job run again (immediately) rather
			// than run into its timeout, which would count as a failure.
			return river.JobSnooze(0)
		}
		if !known {
			if ev, ok, err = nextEvent(ctx, q, job.Args.ChatID); err != nil {
				return err
			}
		}
		if !ok {
			return nil
		}
		if ev.NextAttemptAt != nil {
			if wait := ev.NextAttemptAt.Sub(e.now()); wait > 0 {
				return river.JobSnooze(wait)
			}
		}
		d, err := e.deliver(ctx, conn, run, ev)
		if err != nil {
			return err
		}
		if d.wait > 0 {
			return river.JobSnooze(d.wait)
		}
		// The statement that ended the event may have read the chat's next
		// one already (in a snapshot taken after the mark was cleared).
		ev, ok, known = d.next, d.ok, d.known
	}
	// Events may be left, and the mark is cleared: run again.
	return river.JobSnooze(0)
}

// fairShareDelay is how soon a job that gave way to other integrations
// (fairShare) tries again the first time; doubled for each time it already
// snoozed, up to 16× (0.8 s). A slot of its integration frees when one of
// its runs ends, which for live chats is within milliseconds (a fixed
// second was the tail of every busy tenant's replies), and for a slow
// bot's backlog takes seconds, where the doubling keeps the retries from
// taking the fetches other jobs need.
const fairShareDelay = 50 * time.Millisecond

func fairShareWait(metadata []byte) time.Duration {
	return fairShareDelay << min(snoozes(metadata), 4)
}

// fairShare keeps one integration from holding every worker slot of this
// process. A chat run holds its slot for as long as the bot and Webim take,
// and River hands out jobs in arrival order, so a tenant with a slow bot
// (every reply at its timeout) and more busy chats than there are workers
// would otherwise hold all of them, and every other tenant's chats would
// wait behind its backlog. So the last `reserve` slots (a fifth of the
// workers, at least one) go only to integrations holding fewer than an
// even share of the workers, counted as if one more integration were busy
// and rounded up (at least one slot: an integration holding none always
// gets in). Rounded down, ten busy tenants on 20 workers each got a share
// of one, so the reserve's four slots stayed empty while River handed them
// job after job to snooze: two snoozes per job in the bench's drain. Below
// the reserve, slots are first come, first served: a single busy tenant
// still gets all but the reserve. A run that finds no slot for its
// integration snoozes (a snooze costs no attempt) and River hands the slot
// to the next job. Counted per process, as worker slots are. Per-chat
// order is untouched: a chat's events are still worked one by one under
// its lock.
type fairShare struct {
	mu      sync.Mutex
	workers int
	busy    int
	held    map[int64]int
}

// reserve is the number of slots kept for integrations below their share;
// 0 (no fairness) with fewer than two workers or an unknown count.
func (f *fairShare) reserve() int {
	if f.workers < 2 {
		return 0
	}
	return max(1, f.workers/5)
}

// admit takes a slot for integration id, or reports false when only the
// reserve is free and id already holds its share.
func (f *fairShare) admit(id int64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r := f.reserve(); r > 0 && f.busy >= f.workers-r {
		holding := len(f.held) // integrations holding slots…
		if f.held[id] == 0 {
			holding++ // …this one included
		}
		if f.held[id] >= max(1, ceilDiv(f.workers, holding+1)) {
			return false
		}
	}
	if f.held == nil {
		f.held = map[int64]int{}
	}
	f.busy++
	f.held[id]++
	return true
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func (f *fairShare) release(id int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.busy--
	if f.held[id]--; f.held[id] <= 0 {
		delete(f.held, id)
	}
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
	ev, err := eventFromNext(row)
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
