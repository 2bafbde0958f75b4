package faulttest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/secret"
	"github.com/botbridge/botbridge/internal/stack"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// gate bounds how many of this package's tests run at once: each holds a
// database, one or two botbridge processes and their connections, and the
// machine (2 cores, max_connections 100 shared with other packages) must
// not be what the tests measure.
var gate = make(chan struct{}, 3)

func limit(t *testing.T) {
	t.Helper()
	gate <- struct{}{}
	t.Cleanup(func() { <-gate })
}

// buildBinary compiles cmd/botbridge (without -race: the child is the
// system under test, not the test, and must start and run fast).
func buildBinary(t *testing.T) string {
	t.Helper()
	// go test puts its own GOROOT/bin first on the test's PATH, so this finds
	// the go command that is running the tests.
	goTool, err := exec.LookPath("go")
	require.NoError(t, err, "the go command is needed to build the binary under test")
	bin := filepath.Join(t.TempDir(), "botbridge")
	start := time.Now()
	cmd := exec.Command(goTool, "build", "-o", bin, "github.com/botbridge/botbridge/cmd/botbridge")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	t.Logf("built %s in %s", bin, time.Since(start).Round(time.Millisecond))
	return bin
}

// freeAddr returns a loopback address nobody listens on (for a child that
// must come back on the same address after a restart).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// quietLog discards the in-process peers' logs (sandbox, demo bot).
var quietLog = slog.New(slog.DiscardHandler)

// testEnv is one test's world: a database, a seeded tenant whose Webim
// sandboxes and demo bot run in the test process, and the address the
// botbridge children serve on.
type testEnv struct {
	t      *testing.T
	bin    string
	pool   *pgxpool.Pool
	dbURL  string
	dbName string
	addr   string
	base   string
	s      *stack.Stack
	// env is added to every child's environment.
	env map[string]string
}

func newEnv(t *testing.T, bin string, opt stack.Options) *testEnv {
	t.Helper()
	pool, dbURL := dbtest.NewDatabase(t)
	addr := freeAddr(t)
	e := &testEnv{t: t, bin: bin, pool: pool, dbURL: dbURL, addr: addr, base: "http://" + addr}
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT current_database()`).Scan(&e.dbName))
	kr, err := secret.NewKeyring(stack.SecretKey)
	require.NoError(t, err)
	if opt.Log == nil {
		opt.Log = quietLog
	}
	e.s, err = stack.Seed(context.Background(), pool, kr, e.base, opt)
	require.NoError(t, err)
	t.Cleanup(e.s.Stop)
	e.env = map[string]string{
		// Small pools: several children and other test packages share one
		// server with max_connections = 100.
		"DB_MAX_CONNS": "8",
		// A run is short here (instant bot, local sandbox); rescuing soon
		// after is what lets a test see the work of a killed process
		// finished within its time bound.
		"JOB_TIMEOUT":      "4s",
		"JOB_RESCUE_AFTER": "5s",
		"SHUTDOWN_TIMEOUT": "5s",
		"LOG_LEVEL":        "info",
	}
	return e
}

// proc is one botbridge child process.
type proc struct {
	t    *testing.T
	name string
	cmd  *exec.Cmd
	logf string
	done chan struct{}
	// state after exit (read after done is closed)
	exit *os.ProcessState
}

// start runs `botbridge args...` with the test's environment plus extra.
func (e *testEnv) start(name string, extra map[string]string, args ...string) *proc {
	t := e.t
	t.Helper()
	env := stack.Env(e.base, e.addr, e.dbURL)
	for k, v := range e.env {
		env[k] = v
	}
	for k, v := range extra {
		env[k] = v
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	cmd := exec.Command(e.bin, args...)
	cmd.SysProcAttr = childAttr()
	cmd.Env = []string{}
	for _, k := range keys {
		cmd.Env = append(cmd.Env, k+"="+env[k])
	}
	logf := filepath.Join(t.TempDir(), name+".log")
	f, err := os.Create(logf)
	require.NoError(t, err)
	cmd.Stdout, cmd.Stderr = f, f
	require.NoError(t, cmd.Start())
	p := &proc{t: t, name: name, cmd: cmd, logf: logf, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		p.exit = cmd.ProcessState
		_ = f.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			p.dumpLog()
		}
	})
	return p
}

// serve starts `botbridge serve` and waits until it answers /healthz.
func (e *testEnv) serve(name string, extra map[string]string, flags ...string) *proc {
	e.t.Helper()
	p := e.start(name, extra, append([]string{"serve"}, flags...)...)
	p.waitHTTP(e.base+"/healthz", http.StatusOK, 30*time.Second)
	return p
}

func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// kill is kill -9: no shutdown code runs, connections drop, jobs stay
// "running" in the database.
func (p *proc) kill() {
	if p.running() {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
	}
	<-p.done
}

// term sends SIGTERM and waits up to d for the process to exit; it
// returns how long that took.
func (p *proc) term(d time.Duration) time.Duration {
	p.t.Helper()
	start := time.Now()
	require.NoError(p.t, p.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-p.done:
		return time.Since(start)
	case <-time.After(d):
		p.t.Fatalf("%s did not exit within %s of SIGTERM", p.name, d)
		return 0
	}
}

// waitHTTP polls url until it answers want.
func (p *proc) waitHTTP(url string, want int, d time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(d)
	last := "no answer"
	for time.Now().Before(deadline) {
		if !p.running() {
			p.dumpLog()
			p.t.Fatalf("%s exited: %v", p.name, p.exit)
		}
		if code, err := get(url); err == nil {
			if code == want {
				return
			}
			last = fmt.Sprint(code)
		} else {
			last = err.Error()
		}
		time.Sleep(25 * time.Millisecond)
	}
	p.dumpLog()
	p.t.Fatalf("%s: %s did not answer %d within %s (last: %s)", p.name, url, want, d, last)
}

func (p *proc) dumpLog() {
	b, _ := os.ReadFile(p.logf)
	const keep = 8000
	if len(b) > keep {
		b = b[len(b)-keep:]
	}
	p.t.Logf("--- last log lines of %s ---\n%s", p.name, b)
}

// logContains reports whether the child's log holds s.
func (p *proc) logContains(s string) bool {
	b, _ := os.ReadFile(p.logf)
	return bytes.Contains(b, []byte(s))
}

var httpc = &http.Client{Timeout: 5 * time.Second}

func get(url string) (int, error) {
	resp, err := httpc.Get(url)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// count runs a count(*) query.
func count(t require.TestingT, pool *pgxpool.Pool, sql string, args ...any) int {
	helper(t)
	var n int
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, pool.QueryRow(ctx, sql, args...).Scan(&n), sql)
	return n
}

// poll is how often the tests look again for a condition to hold.
const poll = 50 * time.Millisecond

// helper marks the caller a test helper when t is a *testing.T (t may be
// an assert.CollectT inside EventuallyWithT).
func helper(t require.TestingT) {
	if h, ok := t.(interface{ Helper() }); ok {
		h.Helper()
	}
}

// runningJobs lists the chat jobs in state running with the client that
// runs them (the last entry of attempted_by).
func runningJobs(t require.TestingT, pool *pgxpool.Pool) map[int64]string {
	helper(t)
	rows, err := pool.Query(context.Background(), `
		SELECT id, coalesce(attempted_by[array_upper(attempted_by, 1)], '')
		FROM river_job WHERE kind = 'bridge_chat' AND state = 'running'`)
	require.NoError(t, err)
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var by string
		require.NoError(t, rows.Scan(&id, &by))
		out[id] = by
	}
	require.NoError(t, rows.Err())
	return out
}

// clientIDs lists the River clients that ever worked a chat job, oldest
// first (a client id ends in its start time).
func clientIDs(t require.TestingT, pool *pgxpool.Pool) []string {
	helper(t)
	rows, err := pool.Query(context.Background(), `
		SELECT DISTINCT c FROM river_job, unnest(attempted_by) AS c WHERE kind = 'bridge_chat' ORDER BY c`)
	require.NoError(t, err)
	var out []string
	for rows.Next() {
		var c string
		require.NoError(t, rows.Scan(&c))
		out = append(out, c)
	}
	require.NoError(t, rows.Err())
	return out
}

func joinKeys[V any](m map[int64]V) string {
	var parts []string
	for k := range m {
		parts = append(parts, fmt.Sprint(k))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}
