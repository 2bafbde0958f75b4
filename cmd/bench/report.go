package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
)

// figure is one measured number.
type figure struct {
	Name, Unit, Target string
	// ok says whether a value meets the target (nil: no target).
	ok func(v float64) bool
}

func atLeast(t float64) func(float64) bool { return func(v float64) bool { return v >= t } }
func atMost(t float64) func(float64) bool  { return func(v float64) bool { return v <= t } }

// figures lists every figure in print order; each run prints all of them.
var figures = []figure{
	{Name: "ingest_rps", Unit: "webhooks/s"},
	{Name: "ingest_baseline_rps", Unit: "inserts/s"},
	{Name: "ingest_ratio", Target: "≥ 1.0", ok: atLeast(1.0)},
	{Name: "ingest_batch_baseline_rps", Unit: "rows/s"},
	{Name: "ingest_batch_ratio"},
	{Name: "ingest_open_rate", Unit: "webhooks/s"},
	{Name: "ingest_p50_ms", Unit: "ms"},
	{Name: "ingest_p99_ms", Unit: "ms", Target: "≤ 25", ok: atMost(25)},
	{Name: "ingest_baseline_p99_ms", Unit: "ms"},
	{Name: "rss_peak_mb", Unit: "MB", Target: "≤ 200", ok: atMost(200)},
	{Name: "rss_auth_burst_mb", Unit: "MB", Target: "≤ 300", ok: atMost(300)},
	{Name: "instr_per_webhook", Unit: "instructions"},
	{Name: "instr_per_event", Unit: "instructions"},
	{Name: "queue_baseline_jps", Unit: "jobs/s"},
	{Name: "worker_eps", Unit: "events/s"},
	{Name: "worker_ratio", Target: "≥ 0.4", ok: atLeast(0.4)},
	{Name: "worker2_eps", Unit: "events/s"},
	{Name: "worker2_ratio", Target: "≥ 0.9", ok: atLeast(0.9)},
	{Name: "worker2_order_violations", Unit: "calls", Target: "0", ok: atMost(0)},
	{Name: "e2e_idle_p50_ms", Unit: "ms", Target: "≤ 20", ok: atMost(20)},
	{Name: "e2e_backtoback_p95_ms", Unit: "ms", Target: "≤ 20", ok: atMost(20)},
	{Name: "e2e_max_rps", Unit: "messages/s", Target: "≥ 1000", ok: atLeast(1000)},
	{Name: "e2e_rate", Unit: "messages/s"},
	{Name: "e2e_p50_ms", Unit: "ms"},
	{Name: "e2e_p95_ms", Unit: "ms", Target: "≤ 25", ok: atMost(25)},
	{Name: "e2e_lost", Unit: "replies"},
	{Name: "page_queue_p95_ms", Unit: "ms", Target: "≤ 30", ok: atMost(30)},
	{Name: "page_activity_p95_ms", Unit: "ms", Target: "≤ 30", ok: atMost(30)},
}

// report collects a run's figures and notes.
type report struct {
	sz       sizes
	m        machine
	values   map[string]float64
	notes    []string
	label    string
	Duration time.Duration
}

func newReport(sz sizes, m machine) *report {
	return &report{sz: sz, m: m, values: map[string]float64{}}
}

func (r *report) set(name string, v float64) {
	for _, f := range figures {
		if f.Name == name {
			r.values[name] = v
			return
		}
	}
	panic("bench: unknown figure " + name)
}

func (r *report) note(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	r.notes = append(r.notes, s)
	fmt.Fprintln(os.Stderr, "bench: "+s)
}

func (r *report) complete() bool { return len(r.values) == len(figures) }

func format(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NA"
	case math.Abs(v) >= 100:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

// value returns the figure's value, NaN when it was not measured.
func (r *report) value(name string) float64 {
	if v, ok := r.values[name]; ok {
		return v
	}
	return math.NaN()
}

func (r *report) verdict(f figure) string {
	v := r.value(f.Name)
	switch {
	case f.ok == nil:
		return ""
	case math.IsNaN(v):
		return "not measured"
	case f.ok(v):
		return "ok"
	}
	return "MISSED"
}

// print writes the name=value lines, then a table for people.
func (r *report) print(w io.Writer) {
	for _, f := range figures {
		fmt.Fprintf(w, "%s=%s\n", f.Name, format(r.value(f.Name)))
	}
	fmt.Fprintf(w, "\n%s run, commit %s, %s: %s, %d cores, %s; %s; PostgreSQL %s; load average %s at the start\n\n",
		r.sz.Mode, r.m.Commit, r.m.Date, r.m.CPU, r.m.Cores, r.m.Memory, r.m.GoVersion, r.m.Postgres, r.m.LoadBefore)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "figure\tvalue\tunit\ttarget\t\n")
	for _, f := range figures {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.Name, format(r.value(f.Name)), f.Unit, f.Target, r.verdict(f))
	}
	tw.Flush()
}

// appendMarkdown adds the run to the results file (created with a heading
// when missing).
func (r *report) appendMarkdown(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	var b strings.Builder
	if _, err := os.Stat(path); os.IsNotExist(err) {
		b.WriteString("# Benchmark results\n\nAppended by `make bench` / `make bench-quick` (`go run ./cmd/bench`); newest last.\n")
	}
	fmt.Fprintf(&b, "\n## %s — %s run, commit %s\n\n", r.m.Date, r.sz.Mode, r.m.Commit)
	if r.label != "" {
		fmt.Fprintf(&b, "**%s**\n\n", r.label)
	}
	fmt.Fprintf(&b, "Machine: %s, %d cores, %s RAM; %s; PostgreSQL %s. Run took %s; load average (1, 5, 15 min) %s at the start, %s at the end.\n\n",
		r.m.CPU, r.m.Cores, r.m.Memory, r.m.GoVersion, r.m.Postgres, r.Duration.Round(time.Second), r.m.LoadBefore, loadAverage())
	b.WriteString("| figure | value | unit | target | |\n| --- | ---: | --- | --- | --- |\n")
	for _, f := range figures {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", f.Name, format(r.value(f.Name)), f.Unit, f.Target, r.verdict(f))
	}
	if len(r.notes) > 0 {
		b.WriteString("\n")
		for _, n := range r.notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
