package request

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/jobs"
)

// CompactEvery is how often the queue's status deltas are folded: the
// table then holds one row per status plus a minute of changes.
const CompactEvery = time.Minute

// CompactCounts folds the status deltas behind Counts into one row per
// status; the counts do not change.
func CompactCounts(ctx context.Context, q db.DBTX) error {
	if _, err := dbsqlc.New(q).CompactStatusDeltas(ctx); err != nil {
		return fmt.Errorf("request: compact counts: %w", err)
	}
	return nil
}

// CompactArgs is the periodic job that runs CompactCounts.
type CompactArgs struct{}

// Kind names the job in River.
func (CompactArgs) Kind() string { return "request_counts_compact" }

// InsertOpts: the next minute's run replaces a failed one.
func (CompactArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 1} }

// CompactJob schedules CompactArgs every CompactEvery (the leader only),
// for jobs.Options.Periodic.
func CompactJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(CompactEvery),
		func() (river.JobArgs, *river.InsertOpts) { return CompactArgs{}, nil },
		&river.PeriodicJobOpts{ID: CompactArgs{}.Kind(), RunOnStart: true})
}

type compactWorker struct {
	river.WorkerDefaults[CompactArgs]
	db db.DBTX
}

func (w *compactWorker) Work(ctx context.Context, _ *river.Job[CompactArgs]) error {
	return CompactCounts(ctx, w.db)
}

// CompactWorkers registers the compaction worker, for jobs.New.
func CompactWorkers(q db.DBTX) jobs.Register {
	return func(ws *river.Workers) { river.AddWorker(ws, &compactWorker{db: q}) }
}
