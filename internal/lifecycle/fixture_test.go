package lifecycle_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/lifecycle"
	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/secret"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/internal/webim"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const (
	waitFor = 30 * time.Second
	tick    = 20 * time.Millisecond
)

// world is two tenants wired to one running bridge engine: a fake Webim
// account that accepts every call and a bot that echoes, for each.
type world struct {
	pool    *pgxpool.Pool
	engine  *bridge.Engine
	river   *jobs.Client
	kr      *secret.Keyring
	a, b    *testfactory.Tenant
	webimN  atomic.Int64
	botGate *gate
}

// gate lets a test hold the bot's answers until it opens.
type gate struct {
	mu      sync.Mutex
	ch      chan struct{}
	waiting atomic.Int64
}

func (g *gate) close() {
	g.mu.Lock()
	g.ch = make(chan struct{})
	g.mu.Unlock()
}

func (g *gate) open() {
	g.mu.Lock()
	if g.ch != nil {
		close(g.ch)
		g.ch = nil
	}
	g.mu.Unlock()
}

func (g *gate) wait() {
	g.mu.Lock()
	ch := g.ch
	g.mu.Unlock()
	if ch != nil {
		g.waiting.Add(1)
		<-ch
		g.waiting.Add(-1)
	}
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	pool, _ := dbtest.NewDatabase(t)
	w := &world{pool: pool, kr: testfactory.Keyring(t, "lifecycle-test-secret-key-0123456789abcdef"), botGate: &gate{}}
	wim := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.webimN.Add(1)
		_, _ = rw.Write([]byte(`{"result":"ok"}`))
	}))
	t.Cleanup(wim.Close)
	var secrets atomic.Value
	bot := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s, _ := secrets.Load().([]string)
		if err := botapi.Verify(s, r.Header, body, time.Now(), 0); err != nil {
			http.Error(rw, "bad signature", http.StatusUnauthorized)
			return
		}
		w.botGate.wait()
		rw.Header().Set("Content-Type", "application/json")
		_, _ = rw.Write([]byte(`{"replies":[{"text":"echo"}]}`))
	}))
	t.Cleanup(bot.Close)
	in := testfactory.DefaultInput()
	in.Domain = wim.URL
	botIn := &integration.BotInput{URL: bot.URL + "/hook", Timeout: "10", FallbackMode: "transfer", FallbackText: "A person will answer."}
	w.a = testfactory.NewTenant(ctx, t, pool, &testfactory.TenantOpts{
		Owner: &testfactory.UserOpts{Email: testfactory.Ptr("a@example.com")}, ProjectName: testfactory.Ptr("Shop A"),
		Keyring: w.kr, Integrations: []integration.Input{in}, Bot: botIn})
	w.b = testfactory.NewTenant(ctx, t, pool, &testfactory.TenantOpts{
		Owner: &testfactory.UserOpts{Email: testfactory.Ptr("b@example.com")}, ProjectName: testfactory.Ptr("Shop B"),
		Keyring: w.kr, Integrations: []integration.Input{in}, Bot: botIn})
	// Both bots share one endpoint; either project's secret verifies.
	secrets.Store(append(append([]string{}, w.a.Bot.Secrets...), w.b.Bot.Secrets...))

	w.engine = bridge.NewEngine(bridge.Config{
		Pool: pool, Keyring: w.kr,
		HTTP:  outbound.NewClient(outbound.Policy{AllowLocal: true}, 15*time.Second),
		Retry: bridge.Retry{BotAttempts: 3, WebimAttempts: 4, Base: 20 * time.Millisecond, Max: 100 * time.Millisecond},
	})
	var err error
	w.river, err = jobs.New(pool, jobs.Options{RunWorkers: true, Queues: map[string]int{bridge.Queue: 8}, FetchPollInterval: 50 * time.Millisecond,
		SkipUnknownJobCheck: true, Log: slog.New(slog.NewTextHandler(io.Discard, nil))},
		w.engine.Workers(), lifecycle.Workers(pool, lifecycle.Retention{}, 10*time.Second, slog.New(slog.NewTextHandler(io.Discard, nil))))
	require.NoError(t, err)
	w.engine.Jobs = w.river
	require.NoError(t, w.river.Start(ctx))
	t.Cleanup(func() {
		w.botGate.open()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = w.river.Stop(sctx)
	})
	return w
}

// ingest stores a 2.0 webhook for tenant's integration.
func (w *world) ingest(tn *testfactory.Tenant, body string) (bridge.Ingested, error) {
	ev, err := webim.ParseWebhook(webim.Version2, []byte(body))
	if err != nil {
		return bridge.Ingested{}, err
	}
	return w.engine.Ingest(context.Background(), tn.Integration().WebhookKey, ev)
}

func (w *world) mustIngest(t *testing.T, tn *testfactory.Tenant, body string) bridge.Ingested {
	t.Helper()
	res, err := w.ingest(tn, body)
	require.NoError(t, err)
	return res
}

// chat starts a chat of visitor with one message and a second message.
func (w *world) chat(t *testing.T, tn *testfactory.Tenant, chatID int, visitor string) {
	t.Helper()
	w.mustIngest(t, tn, fmt.Sprintf(`{"event":"new_chat","chat":{"id":%d},"visitor":{"id":%q,"fields":{"name":"Name %s","phone":"+7 900 %s","email":"%s@example.com"}},"messages":[{"id":"m%d-1","kind":"visitor","text":"my phone is +7 900 %s"}]}`,
		chatID, visitor, visitor, visitor, visitor, chatID, visitor))
	w.mustIngest(t, tn, fmt.Sprintf(`{"event":"new_message","chat_id":%d,"message":{"id":"m%d-2","kind":"visitor","text":"secret text of %s"}}`, chatID, chatID, visitor))
}

// waitIdle waits until every event is finished and no chat job is left.
func (w *world) waitIdle(t *testing.T) {
	t.Helper()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		var events, jobs int
		require.NoError(c, w.pool.QueryRow(context.Background(), `
			SELECT (SELECT count(*) FROM bridge_events WHERE status NOT IN ('done', 'failed')),
			       (SELECT count(*) FROM river_job WHERE kind = 'bridge_chat' AND state NOT IN ('completed', 'cancelled', 'discarded'))`).Scan(&events, &jobs))
		assert.Zero(c, events, "unsettled events")
		assert.Zero(c, jobs, "chat jobs left")
	}, waitFor, tick)
}

// count runs a count(*) query.
func (w *world) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, w.pool.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

// age moves a project's chat data back in time by d.
func (w *world) age(t *testing.T, tn *testfactory.Tenant, d time.Duration) {
	t.Helper()
	ctx := context.Background()
	iv := fmt.Sprintf("%d seconds", int(d.Seconds()))
	_, err := w.pool.Exec(ctx, `UPDATE bridge_events SET received_at = received_at - $2::interval WHERE integration_id = $1`, tn.Integration().ID, iv)
	require.NoError(t, err)
	_, err = w.pool.Exec(ctx, `UPDATE chats SET last_event_at = last_event_at - $2::interval, created_at = created_at - $2::interval WHERE integration_id = $1`, tn.Integration().ID, iv)
	require.NoError(t, err)
}
