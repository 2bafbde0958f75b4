package lifecycle

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/jobs"
)

// RetentionEvery is how often retention runs. Content is due by the day,
// so an hour is precise enough, and each run finds only an hour's worth.
const RetentionEvery = time.Hour

// RetentionArgs is the periodic retention job; ChatsAfter is set on the
// follow-up of a run that ran out of time, so the sweep of chats resumes
// instead of starting over.
type RetentionArgs struct {
	ChatsAfter int64 `json:"chats_after,omitempty"`
}

// Kind names the job in river_job.
func (RetentionArgs) Kind() string { return "lifecycle_retention" }

// InsertOpts: a failed run is retried twice soon after, then left to the
// next hour.
func (RetentionArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 3} }

// RetentionJob schedules RetentionArgs every RetentionEvery and when a
// process becomes River's leader (only the leader schedules).
func RetentionJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(RetentionEvery),
		func() (river.JobArgs, *river.InsertOpts) { return RetentionArgs{}, nil },
		&river.PeriodicJobOpts{ID: RetentionArgs{}.Kind(), RunOnStart: true})
}

// Workers registers the retention and purge workers. One run works for at
// most budget (keep it under JOB_TIMEOUT) and, with more left, queues
// itself again at once.
func Workers(conn db.Conn, r Retention, budget time.Duration, log *slog.Logger) jobs.Register {
	if log == nil {
		log = slog.Default()
	}
	r.DB = conn
	return func(ws *river.Workers) {
		river.AddWorker(ws, &retentionWorker{r: r, budget: budget, log: log})
		river.AddWorker(ws, &purgeWorker{db: conn, budget: budget})
	}
}

type retentionWorker struct {
	river.WorkerDefaults[RetentionArgs]
	r      Retention
	budget time.Duration
	log    *slog.Logger
}

func (w *retentionWorker) Work(ctx context.Context, job *river.Job[RetentionArgs]) error {
	r := w.r
	r.ChatsAfter = job.Args.ChatsAfter
	rep, err := r.Run(ctx, w.budget)
	if rep != (Report{}) {
		w.log.InfoContext(ctx, "retention", "events_stripped", rep.EventsStripped, "chats_stripped", rep.ChatsStripped,
			"events_deleted", rep.EventsDeleted, "chats_deleted", rep.ChatsDeleted, "mail_pruned", rep.MailPruned,
			"projects_purged", rep.ProjectsPurged, "more", rep.More)
	}
	if err != nil {
		return err
	}
	if rep.More {
		// More is due: a follow-up run at once, resuming the chat sweep.
		if _, err := river.ClientFromContext[pgx.Tx](ctx).Insert(ctx, RetentionArgs{ChatsAfter: rep.ChatsAfter}, nil); err != nil {
			return fmt.Errorf("lifecycle: queue the next retention run: %w", err)
		}
	}
	return nil
}
