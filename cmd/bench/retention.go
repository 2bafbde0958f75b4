package main

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/lifecycle"
)

// retention measures what the retention job costs the bridge: ingest and
// delivery rates with and without a retention run working through a table
// of sz.Events finished events (with two calls each) at the same time. The
// run strips content during the ingest measurement and deletes metadata
// during the delivery one, in its production batches and pauses, on its
// own two connections. Its clock is moved so that exactly the seeded rows
// are due: nothing the measurement itself writes is touched. Figures go to
// the notes (this phase is not in the default set, so `make bench` tables
// are unchanged): run it with -phases retention.
// Issue 19: ingest and delivery must not slow down while retention runs
// over a table of 10⁶ events (at botbridge's own pace, lifecycle.DefaultPause).
func init() {
	figures = append(figures,
		figure{Name: "retention_ingest_ratio", Target: "≥ 0.9", ok: atLeast(0.9)},
		figure{Name: "retention_delivery_ratio", Target: "≥ 0.9", ok: atLeast(0.9)},
	)
}

func (b *bench) retention(ctx context.Context) error {
	sz, rep, pool := b.sz, b.rep, b.pool
	integ := b.tn.Accounts[0].IntegrationID
	if b.seeded {
		// The pages phase's finished events (1 % of them failed) are as old
		// as these would be: strip and delete those.
		log.Printf("retention: on the pages phase's %d finished events (+%d calls) over %d chats", sz.Events, 2*sz.Events, sz.Chats)
		rep.note("retention: on the pages phase's %d finished events", sz.Events)
	} else {
		log.Printf("retention: seeding %d finished events (+%d calls) over %d chats", sz.Events, 2*sz.Events, sz.Chats)
		t0 := time.Now()
		if _, _, err := seedActivity(ctx, pool, integ, b.tn.ProjectID, sz.Events, sz.Chats); err != nil {
			return err
		}
		rep.note("retention: seeded %d events in %.1f s", sz.Events, time.Since(t0).Seconds())
	}
	if err := vacuum(ctx, pool); err != nil {
		return err
	}
	rpool, err := db.Open(ctx, b.db.URL, 2)
	if err != nil {
		return err
	}
	defer rpool.Close()

	// Ingest, alone then with the content strip running.
	accts, err := b.tn.keys(ctx)
	if err != nil {
		return err
	}
	srv, err := b.serve(ctx, "retention-ingest", "serve", "--no-workers")
	if err != nil {
		return err
	}
	if wr := ingestRun(ctx, b.client, srv.BaseURL, accts, "rw", sz.Senders, sz.Warm); wr.Failed > 0 {
		srv.Stop()
		return fmt.Errorf("warm-up: %d webhooks failed: %v", wr.Failed, wr.FirstErr)
	}
	alone := ingestRun(ctx, b.client, srv.BaseURL, accts, "ra", sz.Senders, sz.IngestDur)
	// Alone, with retention at two paces, alone again: the table grows
	// and the machine's load drifts during the runs.
	runs := []closedResult{alone}
	var withDefault float64 // ingest rate with retention at botbridge's own pace
	for i, pause := range []time.Duration{10 * time.Millisecond, 100 * time.Millisecond} {
		start := time.Now()
		strip := lifecycle.Retention{DB: rpool, Pause: pause,
			Now: func() time.Time { return start.Add(time.Duration(lifecycle.DefaultRetentionDays) * 24 * time.Hour) }}
		stop, done := runRetention(ctx, strip, sz.IngestDur+sz.Warm)
		with := ingestRun(ctx, b.client, srv.BaseURL, accts, fmt.Sprintf("rr%d", i), sz.Senders, sz.IngestDur)
		stop()
		rr := <-done
		if rr.err != nil {
			srv.Stop()
			return fmt.Errorf("retention during ingest: %w", rr.err)
		}
		runs = append(runs, with)
		if pause == lifecycle.DefaultPause {
			withDefault = with.Rate()
		}
		rep.note("retention × ingest: %.0f webhooks/s while retention stripped %d events' content in %.1f s (%.0f rows/s, batches of 500, %s pauses): %.2f of alone",
			with.Rate(), rr.rep.EventsStripped, rr.took.Seconds(), float64(rr.rep.EventsStripped)/rr.took.Seconds(), pause, with.Rate()/alone.Rate())
	}
	again := ingestRun(ctx, b.client, srv.BaseURL, accts, "rz", sz.Senders, sz.IngestDur)
	runs = append(runs, again)
	srv.Stop()
	for _, r := range runs {
		if r.Failed > 0 {
			return fmt.Errorf("ingest: %d webhooks failed: %v", r.Failed, r.FirstErr)
		}
	}
	rep.note("retention × ingest: %.0f webhooks/s alone before, %.0f/s alone after", alone.Rate(), again.Rate())
	// The figure is the pace botbridge runs retention at (the faster one is in
	// the notes, to show what the pause buys), against the mean of the runs
	// alone before and after: the table grows during the phase and the alone
	// rate drifts with it.
	rep.set("retention_ingest_ratio", withDefault/((alone.Rate()+again.Rate())/2))
	// What the ingest stored stays out of the delivery measurement.
	if _, err := pool.Exec(ctx, `DELETE FROM bridge_events WHERE status IN ('pending', 'replied'); DELETE FROM river_job`); err != nil {
		return err
	}

	// Delivery, alone then with the metadata deletion running.
	drain := func(name string, r *lifecycle.Retention) (float64, retentionResult, error) {
		// Events received from here on are newer than the deletion's
		// cutoff: it deletes the seeded rows, not the ones being drained.
		cutoff := time.Now()
		accts, err := b.tn.addAccounts(ctx, sz.WorkerAccounts, sz.WorkerChats, 1, nil)
		if err != nil {
			return 0, retentionResult{}, err
		}
		ids := make([]int64, len(accts))
		for i, a := range accts {
			ids[i] = a.IntegrationID
		}
		pre, err := b.serve(ctx, "retention-preload", "serve", "--no-workers")
		if err != nil {
			return 0, retentionResult{}, err
		}
		sent, err := preload(ctx, b.client, pre.BaseURL, accts, sz.Msgs, sz.Senders)
		pre.Stop()
		if err != nil {
			return 0, retentionResult{}, err
		}
		if err := vacuum(ctx, pool); err != nil {
			return 0, retentionResult{}, err
		}
		var rc chan retentionResult
		stop := context.CancelFunc(func() {})
		if r != nil {
			// MetadataDays 1 (below what the configuration allows) and the
			// clock a day on: the seeded rows are past the metadata limit,
			// none is past the content limit, so only deletion runs.
			r.Now = func() time.Time { return cutoff.Add(24 * time.Hour) }
			stop, rc = runRetention(ctx, *r, 5*time.Minute)
		}
		w, err := b.serve(ctx, "retention-"+name, "worker")
		if err != nil {
			return 0, retentionResult{}, err
		}
		eps, err := drainedRate(ctx, pool, ids, sent, 5*time.Minute)
		stop()
		w.Stop()
		var res retentionResult
		if rc != nil {
			res = <-rc
		}
		return eps, res, err
	}
	eAlone, _, err := drain("alone", nil)
	if err != nil {
		return fmt.Errorf("delivery alone: %w", err)
	}
	del := lifecycle.Retention{DB: rpool, Pause: lifecycle.DefaultPause, MetadataDays: 1}
	eWith, dr, err := drain("with", &del)
	if err != nil {
		return fmt.Errorf("delivery with retention: %w", err)
	}
	if dr.err != nil {
		return fmt.Errorf("retention during delivery: %w", dr.err)
	}
	rep.set("retention_delivery_ratio", eWith/eAlone)
	rep.note("retention × delivery: %.0f events/s alone, %.0f/s while retention deleted %d old events (and their calls) in %.1f s (%.0f events/s): ratio %.2f",
		eAlone, eWith, dr.rep.EventsDeleted, dr.took.Seconds(), float64(dr.rep.EventsDeleted)/dr.took.Seconds(), eWith/eAlone)
	return nil
}

type retentionResult struct {
	rep  lifecycle.Report
	took time.Duration
	err  error
}

// runRetention runs r in the background for at most budget.
func runRetention(ctx context.Context, r lifecycle.Retention, budget time.Duration) (context.CancelFunc, chan retentionResult) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan retentionResult, 1)
	go func() {
		defer cancel()
		start := time.Now()
		rep, err := r.Run(ctx, budget)
		if ctx.Err() != nil {
			err = nil
		}
		done <- retentionResult{rep: rep, took: time.Since(start), err: err}
	}()
	return cancel, done
}

// drainedRate waits until the integrations' n events are done and returns
// events per second from the first finished to the last.
func drainedRate(ctx context.Context, pool *pgxpool.Pool, ids []int64, n int64, timeout time.Duration) (float64, error) {
	deadline := time.Now().Add(timeout)
	for {
		var done, failed int64
		var first, last *time.Time
		err := pool.QueryRow(ctx, `
			SELECT count(*) FILTER (WHERE status = 'done'), count(*) FILTER (WHERE status = 'failed'), min(processed_at), max(processed_at)
			FROM bridge_events WHERE integration_id = ANY($1)`, ids).Scan(&done, &failed, &first, &last)
		if err != nil {
			return 0, err
		}
		if failed > 0 {
			return 0, fmt.Errorf("%d events failed", failed)
		}
		if done >= n && first != nil && last != nil {
			return perSecond(done, last.Sub(*first)), nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return 0, fmt.Errorf("%d of %d events done after %s", done, n, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
