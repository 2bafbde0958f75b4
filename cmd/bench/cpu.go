package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// clockTick is the unit of /proc/<pid>/stat CPU times (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// procCPU is the user+system CPU time a process has used so far.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may contain spaces; fields start after its ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * clockTick
}

// postgresCPU sums the CPU time of every process named postgres visible
// here (a server on this machine); backends that exited are not counted.
func postgresCPU() time.Duration {
	var total time.Duration
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		comm, err := os.ReadFile(d + "/comm")
		if err != nil || strings.TrimSpace(string(comm)) != "postgres" {
			continue
		}
		pid, err := strconv.Atoi(filepath.Base(d))
		if err == nil {
			total += procCPU(pid)
		}
	}
	return total
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuUse is CPU time spent by the parts of a run over an interval.
type cpuUse struct {
	Server, Postgres, Bench time.Duration
	Wall                    time.Duration
}

type cpuMark struct {
	server, postgres, bench time.Duration
	at                      time.Time
	pid                     int
}

// markCPU starts measuring; pid is the botbridge process (0: none).
func markCPU(pid int) cpuMark {
	m := cpuMark{postgres: postgresCPU(), bench: selfCPU(), at: time.Now(), pid: pid}
	if pid > 0 {
		m.server = procCPU(pid)
	}
	return m
}

func (m cpuMark) since() cpuUse {
	u := cpuUse{Postgres: postgresCPU() - m.postgres, Bench: selfCPU() - m.bench, Wall: time.Since(m.at)}
	if m.pid > 0 {
		u.Server = procCPU(m.pid) - m.server
	}
	return u
}

// describe says how busy the cores were and what each part cost per op.
func (u cpuUse) describe(ops int64, what string) string {
	per := func(d time.Duration) string {
		if ops == 0 {
			return "-"
		}
		return fmt.Sprintf("%.0f µs", float64(d.Microseconds())/float64(ops))
	}
	cores := func(d time.Duration) float64 { return d.Seconds() / u.Wall.Seconds() }
	return fmt.Sprintf("CPU per %s: botbridge %s, PostgreSQL %s, load generator %s (cores busy: %.2f + %.2f + %.2f)",
		what, per(u.Server), per(u.Postgres), per(u.Bench), cores(u.Server), cores(u.Postgres), cores(u.Bench))
}

// walMark is PostgreSQL's WAL position at the start of an interval. The
// WAL an operation writes is set by the statements and indexes alone, so,
// unlike CPU time, it does not move with the machine's load: a change to
// the schema or the delivery path shows in it at once.
type walMark struct {
	lsn string
	ok  bool
}

func markWAL(ctx context.Context, pool *pgxpool.Pool) walMark {
	var m walMark
	m.ok = pool.QueryRow(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&m.lsn) == nil
	return m
}

// since is "; WAL N bytes per what" over ops operations ("" when the
// position cannot be read). The whole server's WAL is counted: other
// databases' writes meanwhile would show too.
func (m walMark) since(ctx context.Context, pool *pgxpool.Pool, ops int64, what string) string {
	if !m.ok || ops <= 0 {
		return ""
	}
	var bytes float64
	if err := pool.QueryRow(ctx, `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)`, m.lsn).Scan(&bytes); err != nil {
		return ""
	}
	return fmt.Sprintf("; WAL %.0f bytes per %s", bytes/float64(ops), what)
}
