package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// soakRow is one minute of a soak run.
type soakRow struct {
	Minute     int
	Sent, Lost int
	P50, P99   time.Duration
	RSS        int64 // bytes, VmRSS of botbridge at the minute's end
	Goroutines int
	DBConns    int // connections botbridge holds open to the bench database
}

// soak runs `botbridge serve` under the end-to-end load at half its
// measured maximum (as the e2e phase offers it) for d, and records, each
// minute, botbridge's resident memory, goroutines and open database
// connections and that minute's reply latency: what must stay flat.
func (b *bench) soak(ctx context.Context, d time.Duration, out string) error {
	sz := b.sz
	srv, err := b.serve(ctx, "soak", "serve")
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
	log.Printf("soak: e2e maximum first: one closed-loop sender per chat (%d chats) for %s", len(target.chats), sz.E2EMaxDur)
	maxRate, first, err := e2eClosed(ctx, b.client, target, rc, 0, sz.E2EMaxDur)
	if err != nil {
		return fmt.Errorf("e2e maximum: %w", err)
	}
	rate := b.opt.e2eRate
	if rate <= 0 {
		rate = math.Floor(maxRate / 2)
	}
	rate = max(rate, 1)
	minutes := max(int(d/time.Minute), 1)
	log.Printf("soak: e2e_max_rps %.0f; open model at %.0f/s for %d minutes", maxRate, rate, minutes)
	var rows []soakRow
	failed := 0
	for m := 1; m <= minutes && ctx.Err() == nil; m++ {
		lat, lost, or := e2eLoad(ctx, b.client, target, rc, first, rate, time.Minute)
		first += int(rate * time.Minute.Seconds())
		failed += or.Failed
		s := summarize(lat)
		row := soakRow{Minute: m, Sent: len(or.Latencies), Lost: lost, P50: s.P50, P99: s.P99}
		if _, row.RSS, err = memory(srv.Pid()); err != nil {
			return err
		}
		if row.Goroutines, err = goroutines(ctx, b.client, srv.BaseURL); err != nil {
			return err
		}
		if row.DBConns, err = b.childConns(ctx); err != nil {
			return err
		}
		rows = append(rows, row)
		log.Printf("soak: %s", row.line())
	}
	table := soakTable(rows)
	fmt.Print(table)
	header := fmt.Sprintf("\n## %s — soak, %d minutes at %.0f/s (half of e2e_max_rps %.0f), commit %s\n\n"+
		"Machine: %s, %d cores, %s RAM; %s; PostgreSQL %s; load average (1, 5, 15 min) %s at the start, %s at the end. "+
		"%d accounts × %d chats; botbridge `serve` with the bench's environment%s.\n\n",
		b.rep.m.Date, len(rows), rate, maxRate, b.rep.m.Commit, b.rep.m.CPU, b.rep.m.Cores, b.rep.m.Memory, b.rep.m.GoVersion,
		b.rep.m.Postgres, b.rep.m.LoadBefore, loadAverage(), sz.E2EAccounts, sz.E2EChats, envNote(b.opt.env))
	if out != "" {
		if err := appendFile(out, "# Soak runs\n\nAppended by `make soak` (`go run ./cmd/bench -soak`); newest last. Each row is one minute: "+
			"replies sent and lost, their p50/p99 from the scheduled send, then botbridge's resident memory, goroutines and open database connections at the minute's end.\n",
			header+table); err != nil {
			return err
		}
		log.Printf("appended to %s", out)
	}
	lost := 0
	for _, r := range rows {
		lost += r.Lost
	}
	if failed > 0 || lost > 0 {
		return fmt.Errorf("soak: %d webhooks failed, %d replies lost", failed, lost)
	}
	return nil
}

func envNote(env map[string]string) string {
	if len(env) == 0 {
		return ""
	}
	var parts []string
	for k, v := range env {
		parts = append(parts, k+"="+v)
	}
	return " plus " + strings.Join(parts, ", ")
}

func (r soakRow) line() string {
	return fmt.Sprintf("minute %d: %d sent, %d lost, p50 %.1f ms, p99 %.1f ms, RSS %.1f MB, %d goroutines, %d DB connections",
		r.Minute, r.Sent, r.Lost, ms(r.P50), ms(r.P99), float64(r.RSS)/(1<<20), r.Goroutines, r.DBConns)
}

func soakTable(rows []soakRow) string {
	var b strings.Builder
	b.WriteString("| minute | sent | lost | p50 ms | p99 ms | RSS MB | goroutines | DB connections |\n")
	b.WriteString("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %d | %d | %d | %.1f | %.1f | %.1f | %d | %d |\n",
			r.Minute, r.Sent, r.Lost, ms(r.P50), ms(r.P99), float64(r.RSS)/(1<<20), r.Goroutines, r.DBConns)
	}
	return b.String()
}

// goroutines reads go_goroutines from botbridge's /metrics.
func goroutines(ctx context.Context, c *http.Client, base string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 4<<20))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return int(f), err
		}
	}
	return 0, fmt.Errorf("/metrics: no go_goroutines (status %d)", resp.StatusCode)
}

// childConns counts the connections to the bench database other than the
// bench's own pool: botbridge's.
func (b *bench) childConns(ctx context.Context) (int, error) {
	var n int
	err := b.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()`).Scan(&n)
	return n - int(b.pool.Stat().TotalConns()), err
}

// appendFile appends text to path, starting a new file with head.
func appendFile(path, head, text string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(path); os.IsNotExist(err) {
		text = head + text
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
