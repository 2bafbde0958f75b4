// Command bench measures botbridge against baselines on one PostgreSQL, in
// one run: ingest throughput and latency (webhooks acknowledged, against
// raw INSERTs), end-to-end reply latency, worker throughput (against River
// no-op jobs), page latencies at scale and the server's peak memory (after
// the ingest and under a burst of sign-ups and log-ins). It
// prints one name=value line per figure plus a table, and appends the run
// with the machine's facts to bench/results.md.
//
//	go run ./cmd/bench          full run (make bench, under 10 minutes)
//	go run ./cmd/bench -quick   smoke run with small sizes (make bench-quick)
//
// DATABASE_URL names the server (any database on it); the run creates
// bench_<timestamp>, migrates it and drops it at the end. It must be run
// from the repository root (it builds ./cmd/botbridge and runs it as a
// child process, so the server's memory can be measured apart).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/config"
	"github.com/botbridge/botbridge/internal/stack"
)

// childConfig is the configuration of the botbridge processes: a stack's
// environment plus the -env overrides.
func childConfig(extra map[string]string) (*config.Config, error) {
	env := stack.Env("http://127.0.0.1:8080", "127.0.0.1:8080", "postgres://bench/unused")
	for k, v := range extra {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		return nil, fmt.Errorf("botbridge configuration: %w", err)
	}
	return cfg, nil
}

// sizes are a run's dimensions.
type sizes struct {
	Mode string
	// Ingest: concurrent senders over integrations, warm-up and timed
	// closed-loop runs, then the open-model run at half the maximum rate.
	Senders, Integrations    int
	Warm, IngestDur, OpenDur time.Duration
	// Queue baseline jobs; worker drain: accounts × chats × (1 + msgs) events.
	QueueJobs                         int
	WorkerAccounts, WorkerChats, Msgs int
	// End to end: accounts × chats, idle messages, loaded run length.
	E2EAccounts, E2EChats, IdleN int
	E2EMaxDur, E2EDur            time.Duration
	// Pages: requests in the table, events (over chats) in the activity log.
	Requests, Events, Chats int
	PageWarm, PageN         int
}

var (
	full = sizes{Mode: "full", Senders: 64, Integrations: 50, Warm: 3 * time.Second, IngestDur: 15 * time.Second, OpenDur: 15 * time.Second,
		QueueJobs: 10000, WorkerAccounts: 10, WorkerChats: 200, Msgs: 4,
		E2EAccounts: 10, E2EChats: 100, IdleN: 200, E2EMaxDur: 10 * time.Second, E2EDur: 20 * time.Second,
		Requests: 100_000, Events: 1_000_000, Chats: 20_000, PageWarm: 20, PageN: 300}
	quick = sizes{Mode: "quick", Senders: 64, Integrations: 10, Warm: 500 * time.Millisecond, IngestDur: 2 * time.Second, OpenDur: 3 * time.Second,
		QueueJobs: 800, WorkerAccounts: 4, WorkerChats: 40, Msgs: 4,
		E2EAccounts: 2, E2EChats: 50, IdleN: 20, E2EMaxDur: 2 * time.Second, E2EDur: 3 * time.Second,
		Requests: 5000, Events: 10_000, Chats: 500, PageWarm: 3, PageN: 30}
)

func main() {
	quickFlag := flag.Bool("quick", false, "small sizes: a smoke run of about a minute")
	resultsPath := flag.String("results", "bench/results.md", "append the run to this file (empty: do not)")
	keep := flag.Bool("keep-db", false, "keep the bench database afterwards (for inspection)")
	var opt options
	flag.StringVar(&opt.bin, "bin", "", "use this botbridge binary instead of building ./cmd/botbridge (to compare a change)")
	opt.env = map[string]string{}
	flag.Func("env", "KEY=VALUE added to the botbridge processes' environment, e.g. DB_MAX_CONNS=40 (repeatable)", func(s string) error {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			return fmt.Errorf("want KEY=VALUE")
		}
		opt.env[k] = v
		return nil
	})
	flag.DurationVar(&opt.cooldown, "baseline-fetch-cooldown", 0, "only this River FetchCooldown (with 10 workers) for the queue baseline (0: try the settings of queueSettings, keep the best)")
	phases := flag.String("phases", "ingest,worker,instr,e2e,pages,auth,retention", "which phases to run (results are appended only when all ran)")
	flag.StringVar(&opt.label, "label", "", "describes the run in bench/results.md, e.g. what a -bin or -env changes")
	flag.DurationVar(&opt.idleGap, "idle-gap", 250*time.Millisecond, "pause between the idle end-to-end messages (after each reply)")
	flag.Float64Var(&opt.e2eRate, "e2e-rate", 0, "offered rate of the loaded end-to-end run (0: half of the measured e2e_max_rps)")
	flag.BoolVar(&opt.soak, "soak", false, "soak instead of the phases: the end-to-end load at half e2e_max_rps for -soak-minutes, one table row per minute")
	soakMinutes := 30
	if v, err := strconv.Atoi(os.Getenv("SOAK_MINUTES")); err == nil && v > 0 {
		soakMinutes = v
	}
	flag.IntVar(&soakMinutes, "soak-minutes", soakMinutes, "length of -soak (default $SOAK_MINUTES, else 30)")
	flag.StringVar(&opt.soakOut, "soak-results", "bench/soak.md", "append the -soak table to this file (empty: do not)")
	flag.Parse()
	opt.soakFor = time.Duration(soakMinutes) * time.Minute
	opt.keep = *keep
	opt.phases = map[string]bool{}
	for _, p := range strings.Split(*phases, ",") {
		p = strings.TrimSpace(p)
		if p != "ingest" && p != "worker" && p != "instr" && p != "e2e" && p != "pages" && p != "auth" && p != "retention" {
			fmt.Fprintf(os.Stderr, "bench: unknown phase %q (ingest, worker, instr, e2e, pages, auth, retention)\n", p)
			os.Exit(2)
		}
		opt.phases[p] = true
	}
	sz := full
	if *quickFlag {
		sz = quick
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	log.SetPrefix("bench: ")
	r, err := run(ctx, sz, opt)
	if opt.soak {
		if err != nil {
			log.Printf("FAILED: %v", err)
			os.Exit(1)
		}
		return
	}
	if r != nil {
		r.print(os.Stdout)
		if *resultsPath != "" && r.complete() {
			if werr := r.appendMarkdown(*resultsPath); werr != nil {
				log.Printf("write %s: %v", *resultsPath, werr)
				err = werr
			} else {
				log.Printf("appended to %s", *resultsPath)
			}
		}
	}
	if err != nil {
		log.Printf("FAILED: %v", err)
		os.Exit(1)
	}
}

// options are the command line's knobs for experiments.
type options struct {
	keep     bool
	bin      string
	env      map[string]string
	cooldown time.Duration
	phases   map[string]bool
	e2eRate  float64
	idleGap  time.Duration
	label    string
	// soak replaces the phases by a soak run of soakFor (see soak.go).
	soak    bool
	soakFor time.Duration
	soakOut string
}

// bench is one run's shared state.
type bench struct {
	sz     sizes
	opt    options
	rep    *report
	bin    string
	tmp    string
	db     *benchDB
	pool   *pgxpool.Pool
	client *http.Client
	tn     *tenant
	// cfg is the configuration the botbridge processes run with (their
	// environment): the baselines use the same pool size and worker count.
	cfg *config.Config
	// seeded is set while the finished events the pages phase seeded
	// (sz.Events over sz.Chats) are still in the tables, so the retention
	// phase works on them instead of seeding as many again (80 s of a
	// 10-minute run on a slow machine).
	seeded bool
}

func run(ctx context.Context, sz sizes, opt options) (*report, error) {
	start := time.Now()
	serverURL := os.Getenv("DATABASE_URL")
	if serverURL == "" {
		serverURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	b := &bench{sz: sz, opt: opt, bin: opt.bin, client: newHTTPClient(512)}
	var err error
	if b.cfg, err = childConfig(opt.env); err != nil {
		return nil, err
	}
	if b.tmp, err = os.MkdirTemp("", "botbridge-bench-"); err != nil {
		return nil, err
	}
	defer os.RemoveAll(b.tmp)
	if b.bin == "" {
		log.Printf("building ./cmd/botbridge")
		if b.bin, err = buildBinary(ctx, b.tmp); err != nil {
			return nil, err
		}
	}
	if b.db, err = createBenchDB(ctx, serverURL); err != nil {
		return nil, err
	}
	log.Printf("database %s on %s", b.db.Name, redact(serverURL))
	defer func() {
		if opt.keep {
			log.Printf("kept database %s", b.db.Name)
			b.db.Pool.Close()
			return
		}
		if err := b.db.Drop(context.Background()); err != nil {
			log.Printf("drop %s: %v", b.db.Name, err)
		}
	}()
	b.pool = b.db.Pool
	b.rep = newReport(sz, machineFacts(ctx, b.pool))
	b.rep.label = opt.label
	defer func() { b.rep.Duration = time.Since(start) }()
	// The tenant's webhook URLs are not used (the benchmark addresses each
	// botbridge process itself), so any base URL will do.
	if b.tn, err = seedTenant(ctx, b.pool, "http://127.0.0.1:8080", sz.Integrations); err != nil {
		return b.rep, err
	}
	defer b.tn.Close()

	if opt.soak {
		return b.rep, b.soak(ctx, opt.soakFor, opt.soakOut)
	}
	for _, ph := range []struct {
		name string
		fn   func(context.Context) error
	}{{"ingest", b.ingest}, {"worker", b.worker}, {"instr", b.instructions}, {"e2e", b.e2e}, {"pages", b.pages}, {"auth", b.authBurst}, {"retention", b.retention}} {
		if !opt.phases[ph.name] {
			continue
		}
		if err := ph.fn(ctx); err != nil {
			return b.rep, fmt.Errorf("%s: %w", ph.name, err)
		}
		if b.seeded && ph.name != "retention" && opt.phases["retention"] {
			// The auth phase in between does not touch the bridge's tables.
			checkpoint(ctx, b.pool)
			continue
		}
		b.seeded = false
		if err := b.reset(ctx); err != nil {
			return b.rep, err
		}
	}
	return b.rep, nil
}

// reset empties the bridge's tables and the job queue between phases.
// TRUNCATE leaves them as a new database has them, of unknown size
// (pg_class.reltuples -1), so the planner assumes some rows until they are
// analyzed. A VACUUM ANALYZE here recorded them as empty instead, and the
// next phase's prepared statements, planned while the tables were tiny,
// kept sequential scans as they grew (autovacuum is off on this server):
// the end-to-end phase after another cost PostgreSQL 3.2 ms per message
// instead of 1.7 and read e2e_max_rps 362-531 instead of 634-720.
//
// TRUNCATE keeps the tables' column statistics, though: after the drain,
// river_job's said every job was available, and River's fetch in the
// end-to-end phase took 1.8 ms instead of 0.35 (p95 at half the maximum
// 34-42 ms instead of 20-22). So they are deleted too, which needs a
// superuser; without one the phase goes on with the old ones.
func (b *bench) reset(ctx context.Context) error {
	if _, err := b.pool.Exec(ctx, `TRUNCATE bridge_calls, bridge_events, chats, river_job; DROP TABLE IF EXISTS bench_events`); err != nil {
		return err
	}
	if _, err := b.pool.Exec(ctx, `DELETE FROM pg_statistic WHERE starelid = ANY ('{bridge_calls,bridge_events,chats,river_job}'::regclass[])`); err != nil {
		log.Printf("reset: column statistics kept (%v): the next phase plans with the last phase's", err)
	}
	checkpoint(ctx, b.pool)
	return nil
}

// serve starts a botbridge process on a free loopback port.
func (b *bench) serve(ctx context.Context, name string, args ...string) (*child, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	return startChild(ctx, b.bin, b.tmp, name, "http://"+addr, addr, b.db.URL, b.opt.env, args...)
}

// ingest measures the ingress: raw INSERTs, then webhooks to botbridge
// serve --no-workers (closed loop, then open model at half the maximum).
func (b *bench) ingest(ctx context.Context) error {
	sz, rep := b.sz, b.rep
	accts, err := b.tn.keys(ctx)
	if err != nil {
		return err
	}
	ids := make([]int64, len(accts))
	for i, a := range accts {
		ids[i] = a.IntegrationID
	}
	if err := baselineTable(ctx, b.pool); err != nil {
		return err
	}
	log.Printf("ingest baseline: raw INSERTs, %d senders, %s", sz.Senders, sz.IngestDur)
	bpool, err := openBaselinePool(ctx, b.db.URL, b.cfg.DBMaxConns)
	if err != nil {
		return err
	}
	baselineRun(ctx, bpool, ids, "bw", sz.Senders, sz.Warm)
	mark, bwal := markCPU(0), markWAL(ctx, b.pool)
	br := baselineRun(ctx, bpool, ids, "b", sz.Senders, sz.IngestDur)
	rep.note("ingest baseline: %d inserts by %d senders over %d connections (DB_MAX_CONNS); %s%s", br.OK, sz.Senders, b.cfg.DBMaxConns,
		mark.since().describe(br.OK, "insert"), bwal.since(ctx, b.pool, br.OK, "insert"))
	defer bpool.Close()
	if br.Failed > 0 {
		return fmt.Errorf("baseline: %d inserts failed: %v", br.Failed, br.FirstErr)
	}
	rep.set("ingest_baseline_rps", br.Rate())
	log.Printf("ingest batch baseline: INSERTs of %d rows, one sender per connection (%d), %s", baselineBatch, b.cfg.DBMaxConns, sz.IngestDur)
	baselineBatchRun(ctx, bpool, ids, "bbw", int(b.cfg.DBMaxConns), sz.Warm)
	mark = markCPU(0)
	bb := baselineBatchRun(ctx, bpool, ids, "bb", int(b.cfg.DBMaxConns), sz.IngestDur)
	if bb.Failed > 0 {
		return fmt.Errorf("batch baseline: %d inserts failed: %v", bb.Failed, bb.FirstErr)
	}
	rep.note("ingest batch baseline: %d rows in INSERTs of %d over %d connections; %s", bb.OK, baselineBatch, b.cfg.DBMaxConns, mark.since().describe(bb.OK, "row"))
	rep.set("ingest_batch_baseline_rps", bb.Rate())

	srv, err := b.serve(ctx, "ingest", "serve", "--no-workers")
	if err != nil {
		return err
	}
	defer srv.Stop()
	log.Printf("ingest: webhooks to botbridge serve --no-workers (pid %d), %d senders over %d integrations, %s",
		srv.Pid(), sz.Senders, len(accts), sz.IngestDur)
	if wr := ingestRun(ctx, b.client, srv.BaseURL, accts, "iw", sz.Senders, sz.Warm); wr.Failed > 0 {
		return fmt.Errorf("warm-up: %d webhooks failed: %v", wr.Failed, wr.FirstErr)
	}
	mark = markCPU(srv.Pid())
	wal := markWAL(ctx, b.pool)
	ir := ingestRun(ctx, b.client, srv.BaseURL, accts, "i", sz.Senders, sz.IngestDur)
	if ir.Failed > 0 {
		return fmt.Errorf("%d webhooks failed: %v", ir.Failed, ir.FirstErr)
	}
	rep.note("ingest: %d webhooks; %s%s", ir.OK, mark.since().describe(ir.OK, "webhook"), wal.since(ctx, b.pool, ir.OK, "webhook"))
	rep.set("ingest_rps", ir.Rate())
	rep.set("ingest_ratio", ir.Rate()/br.Rate())
	rep.set("ingest_batch_ratio", ir.Rate()/bb.Rate())

	rate := math.Floor(ir.Rate() / 2)
	checkpoint(ctx, b.pool) // the closed-loop runs' WAL would trigger one here
	log.Printf("ingest latency: open model at %.0f/s (half the maximum) for %s", rate, sz.OpenDur)
	or := ingestOpen(ctx, b.client, srv.BaseURL, accts, "o", rate, sz.OpenDur, 512)
	if or.Failed > 0 {
		return fmt.Errorf("open model: %s", describeOpen(or))
	}
	s := summarize(or.Latencies)
	rep.set("ingest_open_rate", rate)
	rep.set("ingest_p50_ms", ms(s.P50))
	rep.set("ingest_p99_ms", ms(s.P99))
	rep.note("ingest open model: %s; p50 %.1f ms, p99 %.1f ms, max %.1f ms", describeOpen(or), ms(s.P50), ms(s.P99), ms(s.Max))

	// The same rate of raw INSERTs: what the database gives one committed
	// write meanwhile (a WAL flush stall delays both alike).
	log.Printf("ingest baseline latency: raw INSERTs, open model at %.0f/s for %s", rate, sz.OpenDur)
	bo := baselineOpen(ctx, bpool, ids, "bo", rate, sz.OpenDur, 512)
	if bo.Failed > 0 {
		return fmt.Errorf("baseline open model: %s", describeOpen(bo))
	}
	bs := summarize(bo.Latencies)
	rep.set("ingest_baseline_p99_ms", ms(bs.P99))
	rep.note("ingest baseline open model (raw INSERTs at the same rate): %s; p50 %.1f ms, p99 %.1f ms, max %.1f ms", describeOpen(bo), ms(bs.P50), ms(bs.P99), ms(bs.Max))
	peak, cur, err := memory(srv.Pid())
	if err != nil {
		return err
	}
	rep.set("rss_peak_mb", float64(peak)/(1<<20))
	rep.note("botbridge RSS after the ingest runs: %.0f MB (peak %.0f MB)", float64(cur)/(1<<20), float64(peak)/(1<<20))
	return nil
}

// worker measures delivery: River no-op jobs at their best settings, then
// the bridge draining a backlog pre-loaded through the ingress, with one
// botbridge worker, then with two against the same database.
func (b *bench) worker(ctx context.Context) error {
	sz, rep := b.sz, b.rep
	qb, best, err := bestQueueBaseline(ctx, b.db.URL, sz.QueueJobs, b.cfg.DBMaxConns, b.opt.cooldown)
	if err != nil {
		return err
	}
	rep.set("queue_baseline_jps", qb.EPS())
	rep.note("queue baseline: River's best no-op rate here, %d jobs with %s", qb.Events, best)
	if err := b.reset(ctx); err != nil {
		return err
	}
	one, err := b.drain(ctx, 1, 1)
	if err != nil {
		return err
	}
	rep.set("worker_eps", one.EPS())
	rep.set("worker_ratio", one.EPS()/qb.EPS())
	if err := b.reset(ctx); err != nil {
		return err
	}
	two, err := b.drain(ctx, 2, 1+int64(sz.WorkerAccounts)*1_000_000)
	if err != nil {
		return err
	}
	rep.set("worker2_eps", two.EPS())
	rep.set("worker2_ratio", two.EPS()/one.EPS())
	rep.set("worker2_order_violations", float64(two.Violations))
	if two.Violations > 0 {
		return fmt.Errorf("two workers: %d calls out of their chat's order", two.Violations)
	}
	return nil
}

// drain pre-loads a backlog of new chats through the ingress, then starts
// procs botbridge worker processes and times them draining it; it checks
// each chat's calls went out in its events' order.
func (b *bench) drain(ctx context.Context, procs int, firstChat int64) (workerResult, error) {
	sz, rep := b.sz, b.rep
	accts, err := b.tn.addAccounts(ctx, sz.WorkerAccounts, sz.WorkerChats, firstChat, nil)
	if err != nil {
		return workerResult{}, err
	}
	srv, err := b.serve(ctx, "preload", "serve", "--no-workers")
	if err != nil {
		return workerResult{}, err
	}
	log.Printf("worker: pre-loading %d chats × %d events through the ingress", sz.WorkerAccounts*sz.WorkerChats, 1+sz.Msgs)
	sent, err := preload(ctx, b.client, srv.BaseURL, accts, sz.Msgs, sz.Senders)
	srv.Stop()
	if err != nil {
		return workerResult{}, fmt.Errorf("pre-load: %w", err)
	}
	if err := vacuum(ctx, b.pool); err != nil {
		return workerResult{}, err
	}
	c, err := countEvents(ctx, b.pool)
	if err != nil {
		return workerResult{}, err
	}
	if c.Open != sent {
		return workerResult{}, fmt.Errorf("pre-load: %d webhooks acknowledged but %d events pending", sent, c.Open)
	}
	var jobs int64
	if err := b.pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'bridge_chat'`).Scan(&jobs); err != nil {
		return workerResult{}, err
	}
	log.Printf("worker: %d botbridge worker process(es) draining %d events (%d jobs)", procs, c.Open, jobs)
	started := time.Now()
	var ws []*child
	defer func() {
		for _, w := range ws {
			w.Stop()
		}
	}()
	var marks []cpuMark
	wal := markWAL(ctx, b.pool)
	for i := range procs {
		w, err := b.serve(ctx, fmt.Sprintf("worker%d", i+1), "worker")
		if err != nil {
			return workerResult{}, err
		}
		ws = append(ws, w)
		marks = append(marks, markCPU(w.Pid()))
	}
	wr, err := waitDrained(ctx, b.pool, started, 5*time.Minute)
	var cpu cpuUse
	for i, m := range marks {
		u := m.since()
		cpu.Server += u.Server
		if i == 0 {
			cpu.Postgres, cpu.Bench, cpu.Wall = u.Postgres, u.Bench, u.Wall
		}
	}
	if err != nil {
		return wr, err
	}
	if !wr.Complete || wr.Failed > 0 {
		return wr, fmt.Errorf("%d done, %d failed, complete=%v; log: %s", wr.Events, wr.Failed, wr.Complete, ws[0].tail())
	}
	if wr.Violations, err = orderViolations(ctx, b.pool); err != nil {
		return wr, err
	}
	// Snoozes are runs that gave way (fair share, a chat locked by another
	// run): each costs River a round trip and the chat a delay.
	var snoozed int64
	if err := b.pool.QueryRow(ctx, `SELECT coalesce(sum((metadata->>'snoozes')::int), 0) FROM river_job WHERE kind = 'bridge_chat'`).Scan(&snoozed); err != nil {
		return wr, err
	}
	rep.note("worker ×%d: %s%s", procs, cpu.describe(wr.Events, "event"), wal.since(ctx, b.pool, wr.Events, "event"))
	rep.note("worker ×%d: %d events (%d jobs, %d snoozes) in %.2f s (first to last done; %.2f s from process start); %d calls out of order",
		procs, wr.Events, jobs, snoozed, wr.Span.Seconds(), wr.Wall.Seconds(), wr.Violations)
	return wr, nil
}

// e2e measures webhook → reply at the Webim sandbox with botbridge serve
// (web and workers in one process), idle and at half the maximum rate.
func (b *bench) e2e(ctx context.Context) error {
	sz, rep := b.sz, b.rep
	srv, err := b.serve(ctx, "e2e", "serve")
	if err != nil {
		return err
	}
	defer srv.Stop()
	rc := newReceipts()
	accts, err := b.tn.addAccounts(ctx, sz.E2EAccounts, sz.E2EChats, 1, rc.wrap)
	if err != nil {
		return err
	}
	target := newE2ETarget(srv.BaseURL, accts)
	log.Printf("e2e idle: %d messages one at a time", sz.IdleN)
	idle, lost, err := e2eIdle(ctx, b.client, target, rc, 0, sz.IdleN, b.opt.idleGap)
	if err != nil {
		return err
	}
	if lost > 0 {
		return fmt.Errorf("idle: %d replies never arrived", lost)
	}
	is := summarize(idle)
	rep.set("e2e_idle_p50_ms", ms(is.P50))
	rep.note("e2e idle (%s between a reply and the next message): %d messages, p50 %.1f ms, p95 %.1f ms, max %.1f ms",
		b.opt.idleGap, is.N, ms(is.P50), ms(is.P95), ms(is.Max))
	// Back to back: the next message leaves as soon as the reply arrived,
	// which exposes how job wake-ups are throttled.
	n := max(sz.IdleN/4, 5)
	b2b, lost, err := e2eIdle(ctx, b.client, target, rc, sz.IdleN, n, 0)
	if err != nil {
		return err
	}
	if lost > 0 {
		return fmt.Errorf("back to back: %d replies never arrived", lost)
	}
	bs := summarize(b2b)
	rep.set("e2e_backtoback_p95_ms", ms(bs.P95))
	rep.note("e2e back to back: %d messages, p50 %.1f ms, p95 %.1f ms, max %.1f ms", bs.N, ms(bs.P50), ms(bs.P95), ms(bs.Max))
	first := sz.IdleN + n

	// The pipeline's maximum, measured rather than derived from ingest_rps
	// and worker_eps: the drain behind worker_eps works several events per
	// job (a backlog), live chats need a job per message, and web and
	// workers share the process here.
	log.Printf("e2e maximum: one closed-loop sender per chat (%d chats) for %s", len(target.chats), sz.E2EMaxDur)
	cpu := markCPU(srv.Pid())
	wal := markWAL(ctx, b.pool)
	maxRate, next, err := e2eClosed(ctx, b.client, target, rc, first, sz.E2EMaxDur)
	if err != nil {
		return fmt.Errorf("e2e maximum: %w", err)
	}
	// What a message costs end to end, to set e2e_max_rps against the two
	// cores: the sandbox and the demo bot are the load generator's share.
	msgs := int64(maxRate * sz.E2EMaxDur.Seconds())
	rep.note("e2e maximum: %s%s", cpu.since().describe(msgs, "message"), wal.since(ctx, b.pool, msgs, "message"))
	rep.set("e2e_max_rps", maxRate)
	first = next
	rate := b.opt.e2eRate
	if rate <= 0 {
		rate = math.Floor(maxRate / 2)
	}
	rate = max(rate, 1)
	log.Printf("e2e load: open model at %.0f/s for %s (half of e2e_max_rps)", rate, sz.E2EDur)
	loaded, lost, or := e2eLoad(ctx, b.client, target, rc, first, rate, sz.E2EDur)
	if or.Failed > 0 {
		return fmt.Errorf("load: %s", describeOpen(or))
	}
	s := summarize(loaded)
	rep.set("e2e_rate", rate)
	rep.set("e2e_p50_ms", ms(s.P50))
	rep.set("e2e_p95_ms", ms(s.P95))
	rep.set("e2e_lost", float64(lost))
	rep.note("e2e load: %s; replies: %d, lost %d; p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms",
		describeOpen(or), s.N, lost, ms(s.P50), ms(s.P95), ms(s.P99), ms(s.Max))
	if lost > 0 {
		return fmt.Errorf("load: %d replies never arrived", lost)
	}
	return nil
}

// pages measures the moderation queue and the activity log at scale, over
// HTTP as logged-in users of a botbridge serve --no-workers.
func (b *bench) pages(ctx context.Context) error {
	sz, rep, pool := b.sz, b.rep, b.pool
	srv, err := b.serve(ctx, "pages", "serve", "--no-workers")
	if err != nil {
		return err
	}
	defer srv.Stop()
	mod, modID, err := login(ctx, pool, srv.BaseURL, "moderator@bench.test", auth.RoleModerator)
	if err != nil {
		return err
	}
	log.Printf("pages: seeding %d integration requests", sz.Requests)
	t0 := time.Now()
	if err := seedRequests(ctx, pool, modID, sz.Requests); err != nil {
		return err
	}
	rep.note("seeded %d requests in %.1f s", sz.Requests, time.Since(t0).Seconds())
	page50, err := mod.followNext(ctx, "/moderation?platform=webim&status=in_review", 50)
	if err != nil {
		return err
	}
	ql, err := mod.timePage(ctx, page50, sz.PageWarm, sz.PageN, expectRows(queueRowRE, 25))
	if err != nil {
		return err
	}
	qs := summarize(ql)
	rep.set("page_queue_p95_ms", ms(qs.P95))
	rep.note("moderation queue page 50 (webim, in review) of %d requests: p50 %.1f ms, p95 %.1f ms", sz.Requests, ms(qs.P50), ms(qs.P95))

	owner, ownerID, err := login(ctx, pool, srv.BaseURL, "owner@bench.test", auth.RoleOwner)
	if err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, `INSERT INTO project_members (project_id, user_id, role) VALUES ($1, $2, 'owner')`, b.tn.ProjectID, ownerID); err != nil {
		return err
	}
	integ := b.tn.Accounts[0].IntegrationID
	log.Printf("pages: seeding %d events over %d chats", sz.Events, sz.Chats)
	t0 = time.Now()
	minID, maxID, err := seedActivity(ctx, pool, integ, b.tn.ProjectID, sz.Events, sz.Chats)
	if err != nil {
		return err
	}
	var total int64
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM bridge_events`).Scan(&total); err != nil {
		return err
	}
	rep.note("seeded %d events (+%d calls) in %.1f s", sz.Events, 2*sz.Events, time.Since(t0).Seconds())
	b.seeded = true
	return b.activityPages(ctx, owner, integ, minID, maxID, total) // activity.go
}
