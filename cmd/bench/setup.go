package main

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/botbridge/botbridge/internal/db"
)

// withDatabase returns the server URL pointing at database name.
func withDatabase(raw, name string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("DATABASE_URL: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// benchDB is the throw-away database of one run.
type benchDB struct {
	Name, URL string
	adminURL  string
	Pool      *pgxpool.Pool
}

// createBenchDB creates bench_<timestamp> on the server of serverURL and
// migrates it with the application's migrations.
func createBenchDB(ctx context.Context, serverURL string) (*benchDB, error) {
	adminURL, err := withDatabase(serverURL, "postgres")
	if err != nil {
		return nil, err
	}
	name := "bench_" + time.Now().UTC().Format("20060102_150405")
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", redact(adminURL), err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	b := &benchDB{Name: name, adminURL: adminURL}
	if b.URL, err = withDatabase(serverURL, name); err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, b.URL, nil); err != nil {
		_ = b.Drop(context.Background())
		return nil, err
	}
	if b.Pool, err = db.Open(ctx, b.URL, 8); err != nil {
		_ = b.Drop(context.Background())
		return nil, err
	}
	return b, nil
}

// Drop removes the database (closing the pool first).
func (b *benchDB) Drop(ctx context.Context) error {
	if b.Pool != nil {
		b.Pool.Close()
	}
	admin, err := pgx.Connect(ctx, b.adminURL)
	if err != nil {
		return err
	}
	defer admin.Close(ctx)
	_, err = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{b.Name}.Sanitize()+" WITH (FORCE)")
	return err
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// machine describes where a run happened.
type machine struct {
	CPU, Memory, GoVersion, Postgres, Commit, Date string
	Cores                                          int
	// LoadBefore is the 1-minute load average when the run started: other
	// work on the machine competes for the same cores.
	LoadBefore string
}

// loadAverage is /proc/loadavg's 1-, 5- and 15-minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func machineFacts(ctx context.Context, pool *pgxpool.Pool) machine {
	m := machine{CPU: "unknown", Memory: "unknown", Cores: runtime.NumCPU(), GoVersion: runtime.Version(),
		Date: time.Now().UTC().Format("2006-01-02 15:04 UTC"), Commit: gitCommit(), LoadBefore: loadAverage()}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var kb int64
			if _, err := fmt.Sscanf(sc.Text(), "MemTotal: %d kB", &kb); err == nil {
				m.Memory = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
				break
			}
		}
		f.Close()
	}
	var v string
	if err := pool.QueryRow(ctx, "SHOW server_version").Scan(&v); err == nil {
		m.Postgres = v
	}
	return m
}

// gitCommit is the checked-out commit, "+dirty" when the tree has changes.
func gitCommit() string {
	out, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(strings.TrimSpace(string(st))) > 0 {
		c += "+dirty"
	}
	return c
}

// checkpoint has PostgreSQL write its dirty pages now. The phases write
// hundreds of megabytes of WAL, which starts a checkpoint (max_wal_size)
// that then runs for a minute or two; one landing on the next latency
// window made its tail a measure of the previous phase (a full run read
// ingest_p99_ms 93 with a checkpoint under way, 12-39 without). Each
// phase, and ingest's open-model run, starts right after one instead;
// checkpoints within a long run show in make soak. Without the privilege
// (pg_checkpoint) the run goes on.
func checkpoint(ctx context.Context, pool *pgxpool.Pool) {
	if _, err := pool.Exec(ctx, "CHECKPOINT"); err != nil {
		log.Printf("checkpoint: %v (phases may overlap a checkpoint)", err)
	}
}

// vacuum tidies the tables a phase has just loaded, so what it measures
// next runs on their real statistics and no dead rows, as autovacuum
// would give it (VACUUM cannot run in a multi-statement call, hence one
// call each). Not for emptied tables: see reset.
func vacuum(ctx context.Context, pool *pgxpool.Pool) error {
	for _, t := range []string{"river_job", "bridge_events", "chats", "bridge_calls"} {
		if _, err := pool.Exec(ctx, "VACUUM ANALYZE "+t); err != nil {
			return fmt.Errorf("vacuum %s: %w", t, err)
		}
	}
	return nil
}
