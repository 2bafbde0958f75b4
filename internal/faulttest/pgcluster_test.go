package faulttest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// pgCluster is a PostgreSQL cluster of the test's own (initdb into a
// temporary directory, pg_ctl on a free loopback port), so the test may
// stop and start the server itself — never the shared one. It follows
// scripts/devdb.sh: trust authentication for user postgres, 127.0.0.1
// only, durability traded for speed; run as root (as tests are here and in
// CI) the server runs as the `postgres` system user, or a `botbridge-pg`
// user created for it, since PostgreSQL refuses to run as root.
type pgCluster struct {
	t      *testing.T
	bindir string
	dir    string // holds data/ and the log
	port   int
	cred   *syscall.Credential // nil when not root
}

// pgBinDir finds initdb and pg_ctl: on PATH, else the highest version under
// /usr/lib/postgresql/*/bin. Missing binaries fail the test: CI installs
// them (.ci/run), so a skip would hide a broken setup.
func pgBinDir(t *testing.T) string {
	t.Helper()
	if initdb, err := exec.LookPath("initdb"); err == nil {
		if pgctl, err := exec.LookPath("pg_ctl"); err == nil && filepath.Dir(initdb) == filepath.Dir(pgctl) {
			return filepath.Dir(initdb)
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return pgMajor(b) - pgMajor(a) })
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) {
			return d
		}
	}
	t.Fatal("PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or under /usr/lib/postgresql/*/bin: " +
		"install the server package (Debian: apt-get install postgresql; .ci/run does this in CI)")
	return ""
}

// pgMajor is the version in a /usr/lib/postgresql/<major>/bin path.
func pgMajor(bindir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(bindir)))
	return n
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// pgRunAs is the credential the server runs with when the test runs as root.
func pgRunAs(t *testing.T) *syscall.Credential {
	t.Helper()
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		if u, err = user.Lookup("botbridge-pg"); err != nil {
			out, err := exec.Command("useradd", "-r", "-M", "-d", "/nonexistent", "-s", "/usr/sbin/nologin", "botbridge-pg").CombinedOutput()
			if err != nil && !strings.Contains(string(out), "already exists") {
				t.Fatalf("running as root, PostgreSQL needs another user: useradd botbridge-pg: %v: %s", err, out)
			}
			u, err = user.Lookup("botbridge-pg")
			require.NoError(t, err)
		}
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	require.NoError(t, err)
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	require.NoError(t, err)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}

// startCluster creates and starts a private cluster; the test's cleanup
// stops it and removes its files.
func startCluster(t *testing.T) *pgCluster {
	t.Helper()
	c := &pgCluster{t: t, bindir: pgBinDir(t), cred: pgRunAs(t)}
	// Not t.TempDir: its parents are private to root, and the server's user
	// must reach the data directory.
	dir, err := os.MkdirTemp("", "botbridge-faulttest-pg-")
	require.NoError(t, err)
	c.dir = dir
	t.Cleanup(func() {
		if c.running() {
			_ = c.pgctl("stop", "-m", "immediate", "-w", "-t", "30")
		}
		if t.Failed() {
			c.dumpLog()
		}
		_ = os.RemoveAll(dir)
	})
	if c.cred != nil {
		require.NoError(t, os.Chown(dir, int(c.cred.Uid), int(c.cred.Gid)))
	}
	start := time.Now()
	// --no-sync: a throwaway cluster (as devdb.sh makes it).
	out, err := c.command(filepath.Join(c.bindir, "initdb"), "-D", c.data(), "-A", "trust", "-U", "postgres",
		"--encoding=UTF8", "--locale=C", "--no-sync").CombinedOutput()
	require.NoError(t, err, "initdb: %s", out)
	_, portStr, _ := strings.Cut(freeAddr(t), ":")
	c.port, err = strconv.Atoi(portStr)
	require.NoError(t, err)
	conf := fmt.Sprintf(`
# written by internal/faulttest
listen_addresses = '127.0.0.1'
port = %d
unix_socket_directories = ''
max_connections = 60
fsync = off
synchronous_commit = off
full_page_writes = off
`, c.port)
	f, err := os.OpenFile(filepath.Join(c.data(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(conf)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	c.start()
	version, _ := exec.Command(filepath.Join(c.bindir, "pg_ctl"), "--version").Output()
	t.Logf("private cluster (%s) on 127.0.0.1:%d ready in %s", strings.TrimSpace(string(version)), c.port, time.Since(start).Round(time.Millisecond))
	return c
}

func (c *pgCluster) data() string    { return filepath.Join(c.dir, "data") }
func (c *pgCluster) logFile() string { return filepath.Join(c.dir, "server.log") }

// command runs a PostgreSQL program as the cluster's user, in its directory.
func (c *pgCluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = c.dir
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C"}
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	return cmd
}

func (c *pgCluster) pgctl(args ...string) error {
	args = append([]string{"-D", c.data(), "-l", c.logFile()}, args...)
	out, err := c.command(filepath.Join(c.bindir, "pg_ctl"), args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// start starts the server and waits until it accepts connections.
func (c *pgCluster) start() {
	c.t.Helper()
	require.NoError(c.t, c.pgctl("start", "-w", "-t", "60"))
}

// stop is `pg_ctl stop -m fast`: sessions are cut, the server shuts down
// cleanly and stops listening.
func (c *pgCluster) stop() {
	c.t.Helper()
	require.NoError(c.t, c.pgctl("stop", "-m", "fast", "-w", "-t", "60"))
}

func (c *pgCluster) running() bool { return c.pgctl("status") == nil }

// url is the address of database db on the cluster.
func (c *pgCluster) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// createDB creates database name.
func (c *pgCluster) createDB(name string) string {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.url("postgres"))
	require.NoError(c.t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	require.NoError(c.t, err)
	return c.url(name)
}

func (c *pgCluster) dumpLog() {
	b, _ := os.ReadFile(c.logFile())
	const keep = 4000
	if len(b) > keep {
		b = b[len(b)-keep:]
	}
	c.t.Logf("--- last lines of the private PostgreSQL log ---\n%s", b)
}
