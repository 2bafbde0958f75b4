package auth

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/jobs"
)

// PruneEvery is how often expired sessions and old log-in failures are
// deleted. Expired rows are already refused on lookup; pruning only keeps
// the tables small, so an hour is plenty.
const PruneEvery = time.Hour

// PruneArgs is the periodic job that runs Sessions.Prune.
type PruneArgs struct{}

// Kind is the job's name in river_job.
func (PruneArgs) Kind() string { return "auth_prune" }

// InsertOpts: a failed prune is retried twice soon after (a lost
// connection), then left to the next hourly run rather than River's weeks
// of backoff.
func (PruneArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 3} }

// PruneJob schedules PruneArgs every PruneEvery, and once when a process
// becomes River's leader, for jobs.Options.Periodic. Only the leader
// schedules, so however many processes run workers, each hour prunes once.
func PruneJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(PruneEvery),
		func() (river.JobArgs, *river.InsertOpts) { return PruneArgs{}, nil },
		&river.PeriodicJobOpts{ID: PruneArgs{}.Kind(), RunOnStart: true})
}

// PruneWorkers registers the prune worker, for jobs.New:
//
//	jobs.New(pool, jobs.Options{RunWorkers: true, Periodic: []*river.PeriodicJob{auth.PruneJob()}}, auth.PruneWorkers(pool, log))
func PruneWorkers(q db.DBTX, log *slog.Logger) jobs.Register {
	w := &PruneWorker{DB: q, Sessions: DefaultSessions, Log: log}
	return w.Register
}

// PruneWorker deletes expired sessions and old log-in failures.
type PruneWorker struct {
	river.WorkerDefaults[PruneArgs]
	DB db.DBTX
	// Sessions gives the expiry rules; the zero value means DefaultSessions
	// (a zero Idle would otherwise count every session as expired).
	Sessions Sessions
	Log      *slog.Logger
}

// Register adds the worker to a River worker registry (a jobs.Register).
func (w *PruneWorker) Register(ws *river.Workers) { river.AddWorker(ws, w) }

// Work prunes once.
func (w *PruneWorker) Work(ctx context.Context, _ *river.Job[PruneArgs]) error {
	s := w.Sessions
	if s == (Sessions{}) {
		s = DefaultSessions
	}
	n, err := s.Prune(ctx, w.DB)
	if err != nil {
		return err
	}
	if n > 0 {
		log := w.Log
		if log == nil {
			log = slog.Default()
		}
		log.InfoContext(ctx, "pruned sessions", "count", n)
	}
	return nil
}
