package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/jobs"
)

// preload sends, for every chat of accts, new_chat followed by msgs
// new_message webhooks (in order per chat, chats in parallel) to the
// botbridge at base, and returns how many webhooks were acknowledged.
func preload(ctx context.Context, client *http.Client, base string, accts []account, msgs, senders int) (int64, error) {
	type job struct {
		url  string
		chat int64
	}
	// Tenants' chats interleave, as a backlog built by live traffic does:
	// account after account, River would hand every worker to one tenant
	// and the fair share would snooze most of its jobs (two per job).
	var work []job
	for i := 0; ; i++ {
		added := false
		for _, a := range accts {
			if i < len(a.Chats) {
				work = append(work, job{a.WebhookURL(base), a.Chats[i]})
				added = true
			}
		}
		if !added {
			break
		}
	}
	var next, sent atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, senders)
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(len(work)) || ctx.Err() != nil {
					return
				}
				w := work[i]
				cs := strconv.FormatInt(w.chat, 10)
				if err := postWebhook(ctx, client, w.url, newChatBody(w.chat, "v"+cs, "Visitor "+cs)); err != nil {
					errc <- err
					return
				}
				sent.Add(1)
				for m := range msgs {
					id := "w" + cs + "-" + strconv.Itoa(m)
					if err := postWebhook(ctx, client, w.url, newMessageBody(w.chat, id, "hello "+id)); err != nil {
						errc <- err
						return
					}
					sent.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	return sent.Load(), <-errc
}

// eventCounts reads the bridge's progress.
type eventCounts struct{ Open, Done, Failed int64 }

func countEvents(ctx context.Context, pool *pgxpool.Pool) (eventCounts, error) {
	var c eventCounts
	err := pool.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE status IN ('pending', 'replied')),
		       count(*) FILTER (WHERE status = 'done'),
		       count(*) FILTER (WHERE status = 'failed')
		FROM bridge_events`).Scan(&c.Open, &c.Done, &c.Failed)
	return c, err
}

// workerResult is one drain of the bridge queue.
type workerResult struct {
	Events, Failed int64
	// Span is from the first event finished to the last.
	Span time.Duration
	// Wall is from the worker process's start to the last event finished.
	Wall     time.Duration
	Complete bool
	// Violations counts calls (bot or Webim) made before an earlier event
	// of their chat had its own.
	Violations int64
}

func (r workerResult) EPS() float64 { return perSecond(r.Events, r.Span) }

// waitDrained polls until no event is open (or timeout), then reads when
// the first and the last event finished.
func waitDrained(ctx context.Context, pool *pgxpool.Pool, started time.Time, timeout time.Duration) (workerResult, error) {
	var res workerResult
	deadline := time.Now().Add(timeout)
	// The poll asks only whether an event is open (the open-events index
	// answers); counting every event each time, a scan of the table, had
	// taken ~6 ms of PostgreSQL's CPU every 50 ms from the drain it timed.
	for {
		var open bool
		if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM bridge_events WHERE status IN ('pending', 'replied'))`).Scan(&open); err != nil {
			return res, err
		}
		if !open || time.Now().After(deadline) || ctx.Err() != nil {
			res.Complete = !open
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	var first, last *time.Time
	err := pool.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE status = 'done'), count(*) FILTER (WHERE status = 'failed'),
		       min(processed_at), max(processed_at)
		FROM bridge_events WHERE processed_at IS NOT NULL`).Scan(&res.Events, &res.Failed, &first, &last)
	if err != nil {
		return res, err
	}
	if first != nil && last != nil {
		res.Span = last.Sub(*first)
		res.Wall = last.Sub(started)
	}
	return res, nil
}

// noopArgs is the queue baseline's job: River's cost per job and nothing else.
type noopArgs struct {
	N int `json:"n"`
}

func (noopArgs) Kind() string { return "bench_noop" }

type noopWorker struct{ river.WorkerDefaults[noopArgs] }

func (noopWorker) Work(context.Context, *river.Job[noopArgs]) error { return nil }

// queueBaseline inserts n no-op jobs, then starts a River client with the
// bridge queue's worker count on a pool of botbridge's size (and River's
// defaults otherwise, as botbridge's client; cooldown > 0 overrides the
// fetch cooldown), and times from the first completed job to the last.
func queueBaseline(ctx context.Context, url string, n, workers int, poolSize int32, cooldown time.Duration) (workerResult, error) {
	pool, err := db.Open(ctx, url, poolSize)
	if err != nil {
		return workerResult{}, err
	}
	defer pool.Close()
	// An earlier setting's jobs would count as done.
	if _, err := pool.Exec(ctx, `DELETE FROM river_job WHERE kind = 'bench_noop'`); err != nil {
		return workerResult{}, err
	}
	rw := river.NewWorkers()
	river.AddWorker(rw, noopWorker{})
	if cooldown == 0 {
		cooldown = jobs.DefaultFetchCooldown
	}
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Workers: rw, Queues: map[string]river.QueueConfig{"bench": {MaxWorkers: workers}},
		FetchCooldown: cooldown, FetchPollInterval: jobs.DefaultFetchPollInterval,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return workerResult{}, err
	}
	for i := 0; i < n; i += 1000 {
		batch := make([]river.InsertManyParams, 0, 1000)
		for j := i; j < min(i+1000, n); j++ {
			batch = append(batch, river.InsertManyParams{Args: noopArgs{N: j}, InsertOpts: &river.InsertOpts{Queue: "bench"}})
		}
		if _, err := client.InsertMany(ctx, batch); err != nil {
			return workerResult{}, fmt.Errorf("insert no-op jobs: %w", err)
		}
	}
	started := time.Now()
	if err := client.Start(ctx); err != nil {
		return workerResult{}, err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = client.Stop(sctx)
	}()
	deadline := time.Now().Add(5 * time.Minute)
	var res workerResult
	for {
		var done int64
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'bench_noop' AND state = 'completed'`).Scan(&done); err != nil {
			return res, err
		}
		if done >= int64(n) {
			res.Complete = true
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return res, errors.New("queue baseline did not finish in 5 minutes")
		}
		// The span comes from the jobs' own times, so polling less often
		// changes nothing but the load the count (~3 ms) puts on River.
		time.Sleep(100 * time.Millisecond)
	}
	var first, last time.Time
	if err := pool.QueryRow(ctx, `SELECT count(*), min(finalized_at), max(finalized_at) FROM river_job WHERE kind = 'bench_noop' AND state = 'completed'`).
		Scan(&res.Events, &first, &last); err != nil {
		return res, err
	}
	res.Span, res.Wall = last.Sub(first), last.Sub(started)
	return res, nil
}

// orderViolations counts the successful calls, per chat and target, whose
// event comes before the event of the call made just before them: zero when
// every chat was delivered in order.
func orderViolations(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	var n int64
	err := pool.QueryRow(ctx, `
		SELECT count(*) FROM (
			SELECT c.event_id, lag(c.event_id) OVER (PARTITION BY e.chat_id, c.target ORDER BY c.id) AS prev
			FROM bridge_calls c JOIN bridge_events e ON e.id = c.event_id
			WHERE c.ok
		) s WHERE s.prev > s.event_id`).Scan(&n)
	return n, err
}

// queueSetting is one River configuration the queue baseline tries.
type queueSetting struct {
	Workers  int
	Cooldown time.Duration
}

func (s queueSetting) String() string {
	return fmt.Sprintf("%d workers, %s fetch cooldown", s.Workers, s.Cooldown)
}

// queueSettings are tried in turn; the best rate is the baseline. The
// first is botbridge's own (BRIDGE_WORKERS 20, jobs.DefaultFetchCooldown);
// more workers and a shorter cooldown let River fetch bigger batches more
// often.
var queueSettings = []queueSetting{{20, jobs.DefaultFetchCooldown}, {10, 10 * time.Millisecond}, {50, 5 * time.Millisecond}, {100, 2 * time.Millisecond}, {200, time.Millisecond}}

// bestQueueBaseline runs queueBaseline with each of queueSettings (only
// with cooldown when that is set) and returns the fastest.
func bestQueueBaseline(ctx context.Context, url string, n int, poolSize int32, cooldown time.Duration) (workerResult, string, error) {
	settings := queueSettings
	if cooldown > 0 {
		settings = []queueSetting{{10, cooldown}}
	}
	var best workerResult
	var bestS queueSetting
	var tried []string
	for _, s := range settings {
		log.Printf("queue baseline: %d River no-op jobs, %s", n, s)
		r, err := queueBaseline(ctx, url, n, s.Workers, poolSize, s.Cooldown)
		if err != nil {
			return r, "", err
		}
		tried = append(tried, fmt.Sprintf("%s: %.0f/s", s, r.EPS()))
		if r.EPS() > best.EPS() {
			best, bestS = r, s
		}
	}
	return best, bestS.String() + "; tried " + strings.Join(tried, ", "), nil
}
