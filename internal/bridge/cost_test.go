package bridge_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/internal/webim"
)

// stmtCounter is a pgx tracer counting the statements a pool sends and the
// commits they make: an explicit COMMIT, or a write outside a transaction
// (its own commit).
type stmtCounter struct {
	mu         sync.Mutex
	inTx       map[*pgx.Conn]bool
	statements int
	commits    int
	bySQL      map[string]int
}

func (c *stmtCounter) TraceQueryStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	sql := strings.ToLower(strings.TrimSpace(data.SQL))
	c.statements++
	c.bySQL[firstLine(sql)]++
	switch {
	case strings.HasPrefix(sql, "begin"):
		c.inTx[conn] = true
	case strings.HasPrefix(sql, "commit"):
		c.inTx[conn] = false
		c.commits++
	case strings.HasPrefix(sql, "rollback"):
		c.inTx[conn] = false
	case !c.inTx[conn] && isWrite(sql):
		c.commits++
	}
	return ctx
}

func (c *stmtCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *stmtCounter) snapshot() (statements, commits int, bySQL map[string]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[string]int, len(c.bySQL))
	for k, v := range c.bySQL {
		m[k] = v
	}
	return c.statements, c.commits, m
}

// isWrite: the statement changes rows (sqlc names the query in a comment
// first; the verbs may come after a WITH).
func isWrite(sql string) bool {
	for _, w := range []string{"insert ", "update ", "delete "} {
		if strings.Contains(sql, w) {
			return true
		}
	}
	return false
}

func firstLine(sql string) string {
	if i := strings.IndexByte(sql, '\n'); i > 0 {
		return sql[:i]
	}
	return sql
}

// TestDeliveryCost counts what the chat workers send to PostgreSQL per
// delivered event in steady state (chats with several events queued, a bot
// that answers each with one text, so one Webim call per event): the
// statements and the commits. River's own statements go over the other
// pool and are not counted. The bounds are the performance issue's
// targets; the log shows where they go.
func TestDeliveryCost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, url := dbtest.NewDatabase(t)
	kr := testfactory.Keyring(t, "bridge-test-secret-key-0123456789abcdef")
	wb, bot := newFakeWebim(t), newFakeBot(t)
	in := testfactory.DefaultInput()
	in.Domain = wb.srv.URL
	tenant := testfactory.NewTenant(ctx, t, pool, &testfactory.TenantOpts{
		Keyring: kr, Integrations: []integration.Input{in},
		Bot: &integration.BotInput{URL: bot.srv.URL + "/hook", Timeout: "2", FallbackMode: "transfer", FallbackText: "A person will answer."},
	})
	bot.secrets = tenant.Bot.Secrets
	bot.setReply(func(ev botapi.Event) (int, string) { return 200, `{"replies":[{"text":"ok"}]}` })

	counter := &stmtCounter{inTx: map[*pgx.Conn]bool{}, bySQL: map[string]int{}}
	cfg, err := pgxpool.ParseConfig(url)
	require.NoError(t, err)
	cfg.ConnConfig.Tracer = counter
	work, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(work.Close)

	engine := bridge.NewEngine(bridge.Config{Pool: pool, WorkPool: work, Keyring: kr,
		HTTP: outbound.NewClient(outbound.Policy{AllowLocal: true}, 5*time.Second), Workers: 4})
	const chats, perChat = 8, 5
	key := tenant.Integration().WebhookKey
	// Stored before the workers start, so every chat's run has a backlog.
	client, err := jobs.New(pool, jobs.Options{RunWorkers: true, Queues: map[string]int{bridge.Queue: 4},
		Log: slog.New(slog.DiscardHandler)}, engine.Workers())
	require.NoError(t, err)
	engine.Jobs = client
	for c := range chats {
		for m := range perChat {
			ev, err := webim.ParseWebhook(webim.Version2, []byte(fmt.Sprintf(
				`{"event":"new_message","chat_id":%d,"message":{"id":"m%d","kind":"visitor","text":"hi"}}`, 900+c, m)))
			require.NoError(t, err)
			_, err = engine.Ingest(ctx, key, ev)
			require.NoError(t, err)
		}
	}
	require.NoError(t, client.Start(ctx))
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = client.Stop(sctx)
	})
	require.Eventually(t, func() bool {
		var open int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM bridge_events WHERE status NOT IN ('done', 'failed')`).Scan(&open))
		return open == 0
	}, waitFor, tick)
	require.Len(t, wb.Calls(), chats*perChat)

	statements, commits, bySQL := counter.snapshot()
	events := float64(chats * perChat)
	t.Logf("per delivered event: %.2f statements, %.2f commits", float64(statements)/events, float64(commits)/events)
	for sql, n := range bySQL {
		t.Logf("%5d  %s", n, sql)
	}
	require.LessOrEqual(t, float64(statements)/events, 6.0, "statements per event")
	require.LessOrEqual(t, float64(commits)/events, 2.25, "commits per event")
}
