// Package dbtest gives tests a real PostgreSQL: one database per test package,
// cloned from a migrated template, and one rolled-back transaction per test
// (or a fresh database when a test needs committed data, e.g. River workers).
package dbtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/migrations"
)

// defaultURL is the local server of the development machine; make test
// passes the URL chosen by scripts/devdb.sh in DATABASE_URL.
const defaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

var (
	pkgOnce sync.Once
	pkgPool *pgxpool.Pool
	pkgErr  error
	created []string
	mu      sync.Mutex
)

// ServerURL is the URL of the test server's maintenance database.
func ServerURL() string {
	raw := os.Getenv("TEST_DATABASE_URL")
	if raw == "" {
		raw = os.Getenv("DATABASE_URL")
	}
	if raw == "" {
		return defaultURL
	}
	return withDatabase(raw, "postgres")
}

func withDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = "/" + name
	return u.String()
}

// templateLocale makes every test database use the C locale whatever the
// server's default is: it is the harshest case (no case folding or collation
// beyond ASCII), and a private cluster from scripts/devdb.sh has it anyway,
// so a query that only works under a UTF-8 locale fails on every machine,
// not only on the one whose server happens to be C.
const templateLocale = " TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"

// templateName changes whenever a migration file changes, so a stale
// template from an older checkout is never used.
func templateName() (string, error) {
	h := sha256.New()
	h.Write([]byte(templateLocale))
	entries, err := fs.ReadDir(migrations.FS, ".")
	if err != nil {
		return "", err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := fs.ReadFile(migrations.FS, n)
		if err != nil {
			return "", err
		}
		h.Write([]byte(n))
		h.Write(b)
	}
	return "bbtmpl_" + hex.EncodeToString(h.Sum(nil))[:16], nil
}

// ensureTemplate creates and migrates the template database once per server;
// an advisory lock keeps concurrently running test binaries from racing.
func ensureTemplate(ctx context.Context, admin *pgx.Conn) (string, error) {
	name, err := templateName()
	if err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(727274)"); err != nil {
		return "", fmt.Errorf("dbtest: lock: %w", err)
	}
	defer admin.Exec(context.Background(), "SELECT pg_advisory_unlock(727274)") //nolint:errcheck
	var ready bool
	err = admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)", name).Scan(&ready)
	if err != nil {
		return "", fmt.Errorf("dbtest: check template: %w", err)
	}
	if ready {
		return name, nil
	}
	_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+templateLocale); err != nil {
		return "", fmt.Errorf("dbtest: create template: %w", err)
	}
	if err := db.Migrate(ctx, withDatabase(ServerURL(), name), nil); err != nil {
		return "", fmt.Errorf("dbtest: migrate template: %w", err)
	}
	// Marking it a template only after migrating means a crashed run leaves
	// a non-template database that the next run drops and rebuilds.
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH is_template true"); err != nil {
		return "", fmt.Errorf("dbtest: mark template: %w", err)
	}
	return name, nil
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9_]+`)

// createDatabase clones the template into a new database and returns its URL.
func createDatabase(ctx context.Context, label string) (string, error) {
	admin, err := pgx.Connect(ctx, ServerURL())
	if err != nil {
		return "", fmt.Errorf("dbtest: connect to %s: %w (set DATABASE_URL or run scripts/devdb.sh)", ServerURL(), err)
	}
	defer admin.Close(context.Background())
	tmpl, err := ensureTemplate(ctx, admin)
	if err != nil {
		return "", err
	}
	label = unsafeChars.ReplaceAllString(strings.ToLower(label), "_")
	if len(label) > 30 {
		label = label[len(label)-30:]
	}
	name := fmt.Sprintf("bbtest_%s_%d_%d", label, os.Getpid(), time.Now().UnixNano()%1_000_000_000)
	// CREATE DATABASE from a template fails while anyone else is connected
	// to the template; retry briefly when another package is cloning it.
	for attempt := 0; ; attempt++ {
		_, err = admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{tmpl}.Sanitize())
		if err == nil || attempt >= 50 || !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return "", fmt.Errorf("dbtest: create %s: %w", name, err)
	}
	mu.Lock()
	created = append(created, name)
	mu.Unlock()
	return withDatabase(ServerURL(), name), nil
}

// Main wraps a package's TestMain: it runs the tests and drops every
// database they created.
func Main(m *testing.M) {
	code := m.Run()
	if pkgPool != nil {
		pkgPool.Close()
	}
	dropCreated()
	os.Exit(code)
}

func dropCreated() {
	mu.Lock()
	defer mu.Unlock()
	if len(created) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, ServerURL())
	if err != nil {
		return
	}
	defer admin.Close(ctx)
	for _, n := range created {
		_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{n}.Sanitize()+" WITH (FORCE)")
	}
	created = nil
}

// Pool returns the package's shared database pool (created on first use).
// Use it for tests that commit and clean up after themselves; prefer Tx.
func Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pkgOnce.Do(func() {
		ctx := context.Background()
		label := filepath.Base(os.Args[0])
		label = strings.TrimSuffix(label, ".test")
		var url string
		url, pkgErr = createDatabase(ctx, label)
		if pkgErr != nil {
			return
		}
		pkgPool, pkgErr = db.Open(ctx, url, 10)
	})
	if pkgErr != nil {
		t.Fatalf("dbtest: %v", pkgErr)
	}
	return pkgPool
}

// Tx returns a transaction on the package database that is rolled back when
// the test ends, so tests never see each other's rows.
func Tx(t testing.TB) pgx.Tx {
	t.Helper()
	pool := Pool(t)
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatalf("dbtest: begin: %v", err)
	}
	t.Cleanup(func() { _ = tx.Rollback(context.Background()) })
	return tx
}

// NewDatabase gives the test a database of its own, cloned from the migrated
// template, for code that must commit (several connections, River workers,
// a server under test). It is dropped at the end of the package run.
func NewDatabase(t testing.TB) (*pgxpool.Pool, string) {
	t.Helper()
	ctx := context.Background()
	u, err := createDatabase(ctx, t.Name())
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	pool, err := db.Open(ctx, u, 10)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool, u
}

// EmptyDatabase gives the test a database with no schema at all (for
// migration tests).
func EmptyDatabase(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, ServerURL())
	if err != nil {
		t.Fatalf("dbtest: connect: %v", err)
	}
	defer admin.Close(ctx)
	name := fmt.Sprintf("bbtest_empty_%d_%d", os.Getpid(), time.Now().UnixNano()%1_000_000_000)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("dbtest: create: %v", err)
	}
	mu.Lock()
	created = append(created, name)
	mu.Unlock()
	return withDatabase(ServerURL(), name)
}
