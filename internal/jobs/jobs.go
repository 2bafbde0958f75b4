// Package jobs builds the River client: the durable job queue on the same
// PostgreSQL that every botbridge process shares. Jobs are inserted in the
// same transaction as the change that needs them, so a rolled-back change
// never leaves a job behind and a committed one never loses it.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
)

// Client is the River client type used everywhere.
type Client = river.Client[pgx.Tx]

// Inserter is what code that enqueues jobs needs: the River client, or a
// test double-free insert-only client.
type Inserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	// InsertManyTx inserts several jobs in one statement.
	InsertManyTx(ctx context.Context, tx pgx.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

// Register adds workers to the registry before the client is built.
type Register func(w *river.Workers)

// Options tunes the client.
type Options struct {
	// RunWorkers false builds an insert-only client (web-only instances).
	RunWorkers bool
	// Queues maps queue names to their worker counts; default queue gets 10.
	Queues map[string]int
	Log    *slog.Logger
	// FetchPollInterval bounds how long a job waits when LISTEN/NOTIFY
	// wake-ups are missed; tests shorten it.
	FetchPollInterval time.Duration
	// SkipUnknownJobCheck allows inserting kinds this client has no worker
	// for (a test that runs only some workers; the jobs wait for others).
	SkipUnknownJobCheck bool
	// JobTimeout bounds one run of a job whose worker sets no timeout of
	// its own (River's default, 1 minute, when zero).
	JobTimeout time.Duration
	// RescueStuckJobsAfter is how long a job may stay "running" before the
	// leader's rescuer retries it: jobs of a process killed mid-run would
	// otherwise wait River's default of an hour. Must exceed JobTimeout.
	RescueStuckJobsAfter time.Duration
	// Periodic are jobs enqueued on a schedule (worker clients only). River
	// runs the schedule in the elected leader alone, so however many
	// processes run workers, each period enqueues once.
	Periodic []*river.PeriodicJob
}

// Fetch timing of worker clients (see New); exported so the queue
// baseline of the benchmarks runs River exactly as botbridge does.
//
// River wakes fetchers on an insert at most once per cooldown per queue. A
// live chat's next message typically arrives 5–8 ms after the previous
// reply, inside a 10 ms cooldown, so its job waited for the 100 ms poll
// (e2e_backtoback_p95_ms ~100 ms); with 2 ms it is fetched at once (6 ms).
// Measured interleaved on a quiet machine: README, "Tuning done".
const (
	DefaultFetchCooldown     = 2 * time.Millisecond
	DefaultFetchPollInterval = 100 * time.Millisecond
)

// New builds a River client over pool with the given workers.
func New(pool *pgxpool.Pool, opt Options, regs ...Register) (*Client, error) {
	workers := river.NewWorkers()
	for _, r := range regs {
		r(workers)
	}
	cfg := &river.Config{Workers: workers, Logger: opt.Log, SkipUnknownJobCheck: opt.SkipUnknownJobCheck,
		JobTimeout: opt.JobTimeout, RescueStuckJobsAfter: opt.RescueStuckJobsAfter}
	if opt.RunWorkers {
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 10}}
		for name, n := range opt.Queues {
			cfg.Queues[name] = river.QueueConfig{MaxWorkers: n}
		}
		// River's defaults (fetch at most every 100 ms, poll every 1 s when
		// a LISTEN/NOTIFY wake-up was missed) cap a worker set at about its
		// size ×10 jobs per second and add up to a second to a chat reply;
		// chat delivery wants the next job at once.
		cfg.FetchCooldown = DefaultFetchCooldown
		cfg.FetchPollInterval = DefaultFetchPollInterval
		if opt.FetchPollInterval > 0 {
			cfg.FetchPollInterval = opt.FetchPollInterval
			cfg.FetchCooldown = min(cfg.FetchCooldown, opt.FetchPollInterval/2)
		}
		cfg.PeriodicJobs = opt.Periodic
	}
	c, err := river.NewClient(riverpgxv5.New(pool), cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: new client: %w", err)
	}
	return c, nil
}

// InsertOnly builds a client that can only insert jobs (no pool needed
// beyond the transaction passed to InsertTx); for tests and web-only use.
func InsertOnly(regs ...Register) (*Client, error) {
	var workers *river.Workers
	if len(regs) > 0 {
		workers = river.NewWorkers()
		for _, r := range regs {
			r(workers)
		}
	}
	c, err := river.NewClient(riverpgxv5.New(nil), &river.Config{Workers: workers})
	if err != nil {
		return nil, fmt.Errorf("jobs: new insert-only client: %w", err)
	}
	return c, nil
}
