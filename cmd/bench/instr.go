package main

import (
	"context"
	"fmt"
	"log"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Instruction counts: wall time on a shared two-core machine moves by tens
// of per cent between runs, so a change is judged by what it costs the CPU
// instead. Hardware counters (perf stat -e instructions) are not exposed
// in this VM, so botbridge runs under valgrind's callgrind, which counts
// every instruction it executes: counters are zeroed after start-up and a
// warm-up, a fixed number of operations runs, and the counters are dumped.
// The count per operation is stable to about a per cent between runs (the
// timers of an idle process add a little); the operations are made one at
// a time, so group commit does not batch them and the count is that of
// the unbatched path.

// callgrindTool is the command line botbridge runs under. Go's asynchronous
// preemption signals trip callgrind's signal handling, so it is off.
const callgrindTool = "valgrind --tool=callgrind --callgrind-out-file=%s/cg.%%p"

// instructions measures instructions per webhook (serve --no-workers) and
// per delivered event (worker), each over a fixed number of operations.
func (b *bench) instructions(ctx context.Context) error {
	rep := b.rep
	if _, err := exec.LookPath("valgrind"); err != nil {
		rep.set("instr_per_webhook", math.NaN())
		rep.set("instr_per_event", math.NaN())
		rep.note("instruction counts: valgrind is not installed, not measured")
		return nil
	}
	webhooks, chats := 500, 40
	if b.sz.Mode == "quick" {
		webhooks, chats = 100, 10
	}
	env := map[string]string{wrapEnv: fmt.Sprintf(callgrindTool, b.tmp), "GODEBUG": "asyncpreemptoff=1"}
	for k, v := range b.opt.env {
		env[k] = v
	}

	// Ingest: one webhook at a time.
	accts, err := b.tn.keys(ctx)
	if err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	srv, err := startChild(ctx, b.bin, b.tmp, "instr-ingest", "http://"+addr, addr, b.db.URL, env, "serve", "--no-workers")
	if err != nil {
		return err
	}
	defer srv.Stop()
	log.Printf("instructions: %d webhooks one at a time to serve --no-workers under callgrind", webhooks)
	for i := range 50 {
		acct, chat, msg := ingestTarget("cw", int64(i), 1, len(accts))
		if err := postWebhook(ctx, b.client, accts[acct].WebhookURL(srv.BaseURL), newMessageBody(chat, msg, "hello "+msg)); err != nil {
			return err
		}
	}
	if err := callgrind(ctx, "-z", srv.Pid()); err != nil {
		return err
	}
	for i := range webhooks {
		acct, chat, msg := ingestTarget("c", int64(i), 1, len(accts))
		if err := postWebhook(ctx, b.client, accts[acct].WebhookURL(srv.BaseURL), newMessageBody(chat, msg, "hello "+msg)); err != nil {
			return err
		}
	}
	n, err := callgrindDump(ctx, b.tmp, srv.Pid())
	if err != nil {
		return err
	}
	srv.Stop()
	rep.set("instr_per_webhook", float64(n)/float64(webhooks))
	rep.note("instructions: %d webhooks one at a time, %.0f instructions each in botbridge", webhooks, float64(n)/float64(webhooks))
	if err := b.reset(ctx); err != nil {
		return err
	}

	// Delivery: a worker under callgrind, idle, then a backlog of chats
	// with five events each, pre-loaded one chat at a time.
	wa, err := b.tn.addAccounts(ctx, 1, chats, 5_000_000_000, nil)
	if err != nil {
		return err
	}
	started := time.Now()
	waddr, err := freeAddr()
	if err != nil {
		return err
	}
	w, err := startChild(ctx, b.bin, b.tmp, "instr-worker", "http://"+waddr, waddr, b.db.URL, env, "worker")
	if err != nil {
		return err
	}
	defer w.Stop()
	// Ready when its bridge producer has reported to river_queue.
	for {
		var ready bool
		if err := b.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM river_queue WHERE name = 'bridge' AND updated_at > $1)`, started).Scan(&ready); err != nil {
			return err
		}
		if ready {
			break
		}
		if time.Since(started) > 3*time.Minute || ctx.Err() != nil {
			return fmt.Errorf("instructions: worker not ready; log: %s", w.tail())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := callgrind(ctx, "-z", w.Pid()); err != nil {
		return err
	}
	pre, err := b.serve(ctx, "instr-preload", "serve", "--no-workers")
	if err != nil {
		return err
	}
	sent, err := preload(ctx, b.client, pre.BaseURL, wa, 4, 1)
	pre.Stop()
	if err != nil {
		return err
	}
	log.Printf("instructions: %d events delivered by a worker under callgrind", sent)
	wr, err := waitDrained(ctx, b.pool, started, 5*time.Minute)
	if err != nil {
		return err
	}
	if !wr.Complete || wr.Failed > 0 {
		return fmt.Errorf("instructions: %d done, %d failed, complete=%v; log: %s", wr.Events, wr.Failed, wr.Complete, w.tail())
	}
	n, err = callgrindDump(ctx, b.tmp, w.Pid())
	if err != nil {
		return err
	}
	rep.set("instr_per_event", float64(n)/float64(wr.Events))
	rep.note("instructions: %d events (%d chats × 5) delivered, %.0f instructions each in botbridge worker", wr.Events, chats, float64(n)/float64(wr.Events))
	return nil
}

func callgrind(ctx context.Context, op string, pid int) error {
	out, err := exec.CommandContext(ctx, "callgrind_control", op, strconv.Itoa(pid)).CombinedOutput()
	if err != nil {
		return fmt.Errorf("callgrind_control %s: %v: %s", op, err, out)
	}
	return nil
}

// callgrindDump dumps the counters of pid and returns the instructions
// counted since they were zeroed (the dump's "summary:" line).
func callgrindDump(ctx context.Context, dir string, pid int) (int64, error) {
	if err := callgrind(ctx, "-d", pid); err != nil {
		return 0, err
	}
	files, _ := filepath.Glob(filepath.Join(dir, "cg."+strconv.Itoa(pid)+".*"))
	var newest string
	var at time.Time
	for _, f := range files {
		if st, err := os.Stat(f); err == nil && st.ModTime().After(at) {
			newest, at = f, st.ModTime()
		}
	}
	if newest == "" {
		return 0, fmt.Errorf("callgrind wrote no dump for %d", pid)
	}
	if keep := os.Getenv("BENCH_CALLGRIND_DIR"); keep != "" {
		// For callgrind_annotate: where the instructions went.
		if b, err := os.ReadFile(newest); err == nil {
			_ = os.WriteFile(filepath.Join(keep, filepath.Base(newest)), b, 0o644)
		}
	}
	data, err := os.ReadFile(newest)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "summary:"); ok {
			return strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	return 0, fmt.Errorf("no summary in %s", newest)
}
