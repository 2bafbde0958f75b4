// Package traffic keeps the hourly figures behind an integration's
// traffic charts (events, failures, bot and Webim call latency) and reads
// them for a span. A River periodic job folds new events and calls into
// traffic_hourly / traffic_latency by id watermark, so the delivery path
// does no extra work and a chart never scans bridge_events.
package traffic

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/jobs"
)

// RollEvery is how often the job runs: the charts are near-real-time, a
// little behind the activity log.
const RollEvery = 30 * time.Second

// Lag is how old a row must be before it is counted: a row with a lower id
// that was still uncommitted would otherwise be skipped for ever. Ingest
// and call records commit within milliseconds.
const Lag = 5 * time.Second

// FailedWindow is how far back failures are counted again on every run
// (retries and the Retry button can still turn a failure into a delivery).
const FailedWindow = 48 * time.Hour

// Bounds are the lower edges of the latency buckets in milliseconds:
// bucket i (1-based, SQL width_bucket) holds Bounds[i-1] ≤ ms < Bounds[i].
var Bounds = []int32{0, 1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 700,
	1000, 1500, 2000, 3000, 5000, 7000, 10000, 15000, 20000, 30000, 60000}

// Roll folds everything committed since the last run into the rollup, in
// one transaction, and returns how many events and calls it read.
func Roll(ctx context.Context, conn db.Conn) (events, calls int64, err error) {
	err = db.InTx(ctx, conn, func(tx pgx.Tx) error {
		q := dbsqlc.New(tx)
		st, err := q.LockTrafficState(ctx)
		if err != nil {
			return fmt.Errorf("traffic: state: %w", err)
		}
		lag := Lag.Seconds()
		evTo, err := q.TrafficEventsHigh(ctx, dbsqlc.TrafficEventsHighParams{After: st.EventsThrough, LagSecs: lag})
		if err != nil {
			return fmt.Errorf("traffic: events high: %w", err)
		}
		callTo, err := q.TrafficCallsHigh(ctx, dbsqlc.TrafficCallsHighParams{After: st.CallsThrough, LagSecs: lag})
		if err != nil {
			return fmt.Errorf("traffic: calls high: %w", err)
		}
		if evTo > st.EventsThrough {
			if err := q.RollTrafficEvents(ctx, dbsqlc.RollTrafficEventsParams{After: st.EventsThrough, Through: evTo}); err != nil {
				return fmt.Errorf("traffic: roll events: %w", err)
			}
		}
		if callTo > st.CallsThrough {
			if err := q.RollTrafficCalls(ctx, dbsqlc.RollTrafficCallsParams{Bounds: Bounds, After: st.CallsThrough, Through: callTo}); err != nil {
				return fmt.Errorf("traffic: roll calls: %w", err)
			}
		}
		since := time.Now().Add(-FailedWindow).UTC().Truncate(time.Hour)
		if err := q.RecountTrafficFailed(ctx, since); err != nil {
			return fmt.Errorf("traffic: recount failed: %w", err)
		}
		events, calls = evTo-st.EventsThrough, callTo-st.CallsThrough
		return q.SaveTrafficState(ctx, dbsqlc.SaveTrafficStateParams{EventsThrough: evTo, CallsThrough: callTo})
	})
	return events, calls, err
}

// RollArgs is the periodic job that runs Roll.
type RollArgs struct{}

// Kind is the job's name in river_job.
func (RollArgs) Kind() string { return "traffic_roll" }

// InsertOpts: a failed run is not retried; the next one, RollEvery later,
// picks up where it stopped.
func (RollArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 1} }

// Job schedules RollArgs every RollEvery for jobs.Options.Periodic (only
// River's leader schedules, so each period rolls once).
func Job() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(RollEvery),
		func() (river.JobArgs, *river.InsertOpts) { return RollArgs{}, nil },
		&river.PeriodicJobOpts{ID: RollArgs{}.Kind(), RunOnStart: true})
}

// Workers registers the roll worker, for jobs.New.
func Workers(conn db.Conn, log *slog.Logger) jobs.Register {
	w := &worker{conn: conn, log: log}
	return func(ws *river.Workers) { river.AddWorker(ws, w) }
}

type worker struct {
	river.WorkerDefaults[RollArgs]
	conn db.Conn
	log  *slog.Logger
}

func (w *worker) Work(ctx context.Context, _ *river.Job[RollArgs]) error {
	ev, calls, err := Roll(ctx, w.conn)
	if err != nil {
		return err
	}
	if w.log != nil && ev+calls > 0 {
		w.log.DebugContext(ctx, "traffic rolled up", "events", ev, "calls", calls)
	}
	return nil
}
