package bridge_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/secret"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/internal/webim"
	"github.com/botbridge/botbridge/web/i18n"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// webimCall is one API call the fake Webim account received.
type webimCall struct {
	Method string
	Auth   string
	Body   map[string]any
}

// fakeWebim is a real HTTP server answering like Webim; fail decides a
// status for each call (0 = success).
type fakeWebim struct {
	srv   *httptest.Server
	mu    sync.Mutex
	calls []webimCall
	fail  func(n int, c webimCall) (status int, header http.Header)
	n     int
	// failBody is the body of an injected failure (a default when empty).
	failBody string
}

func newFakeWebim(t *testing.T) *fakeWebim {
	f := &fakeWebim{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c := webimCall{Method: r.URL.Path[len("/api/bot/v2/"):], Auth: r.Header.Get("Authorization")}
		_ = json.Unmarshal(b, &c.Body)
		f.mu.Lock()
		f.n++
		n := f.n
		fail, failBody := f.fail, f.failBody
		f.mu.Unlock()
		if fail != nil {
			if status, h := fail(n, c); status != 0 {
				for k, v := range h {
					w.Header()[k] = v
				}
				w.WriteHeader(status)
				if failBody == "" {
					failBody = `{"error":"test","desc":"injected"}`
				}
				_, _ = w.Write([]byte(failBody))
				return
			}
		}
		f.mu.Lock()
		f.calls = append(f.calls, c)
		f.mu.Unlock()
		_, _ = w.Write([]byte(`{"result":"ok"}`))
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeWebim) Calls() []webimCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]webimCall(nil), f.calls...)
}

func (f *fakeWebim) setBody(body string) {
	f.mu.Lock()
	f.failBody = body
	f.mu.Unlock()
}

func (f *fakeWebim) setFail(fn func(n int, c webimCall) (int, http.Header)) {
	f.mu.Lock()
	f.fail = fn
	f.mu.Unlock()
}

// fakeBot verifies signatures and answers with reply(ev).
type fakeBot struct {
	srv     *httptest.Server
	secrets []string
	mu      sync.Mutex
	events  []botapi.Event
	headers []http.Header
	reply   func(ev botapi.Event) (int, string)
}

func newFakeBot(t *testing.T) *fakeBot {
	b := &fakeBot{}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		b.mu.Lock()
		secrets := b.secrets
		reply := b.reply
		b.mu.Unlock()
		if err := botapi.Verify(secrets, r.Header, body, time.Now(), 0); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var ev botapi.Event
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		b.mu.Lock()
		b.events = append(b.events, ev)
		b.headers = append(b.headers, r.Header.Clone())
		b.mu.Unlock()
		status, out := http.StatusOK, `{}`
		if reply != nil {
			status, out = reply(ev)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(out))
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *fakeBot) Events() []botapi.Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]botapi.Event(nil), b.events...)
}

func (b *fakeBot) setReply(fn func(ev botapi.Event) (int, string)) {
	b.mu.Lock()
	b.reply = fn
	b.mu.Unlock()
}

type fixture struct {
	pool   *pgxpool.Pool
	engine *bridge.Engine
	river  *jobs.Client
	integ  integration.Integration
	key    string
	webim  *fakeWebim
	bot    *fakeBot
	owner  auth.User
	kr     *secret.Keyring
	// reg has the engine's metrics.
	reg *prometheus.Registry
}

// setup builds a project with a Webim integration (transfer to department
// "sales") pointing at a fake Webim, a bot endpoint pointing at a fake bot,
// and a running engine with fast retries.
func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	pool, _ := dbtest.NewDatabase(t)
	kr := testfactory.Keyring(t, "bridge-test-secret-key-0123456789abcdef")
	f := &fixture{pool: pool, webim: newFakeWebim(t), bot: newFakeBot(t), kr: kr}
	in := testfactory.DefaultInput()
	in.Domain = f.webim.srv.URL
	tenant := testfactory.NewTenant(ctx, t, pool, &testfactory.TenantOpts{
		Owner:        &testfactory.UserOpts{Email: testfactory.Ptr("owner@example.com"), Password: testfactory.Ptr("owner password")},
		ProjectName:  testfactory.Ptr("Bridge shop"),
		Keyring:      kr,
		Integrations: []integration.Input{in},
		Bot: &integration.BotInput{URL: f.bot.srv.URL + "/hook", Timeout: "2", FallbackMode: "transfer",
			FallbackText: "Our assistant is away. Connecting you to a person."},
	})
	f.owner = tenant.Owner
	f.key = tenant.Integration().WebhookKey
	f.bot.secrets = tenant.Bot.Secrets

	var err error
	f.reg = prometheus.NewRegistry()
	f.engine = bridge.NewEngine(bridge.Config{
		Metrics: bridge.NewMetrics(f.reg, pool),
		Pool:    pool,
		Keyring: kr,
		HTTP:    outbound.NewClient(outbound.Policy{AllowLocal: true}, 5*time.Second),
		Retry:   bridge.Retry{BotAttempts: 3, WebimAttempts: 4, Base: 20 * time.Millisecond, Max: 100 * time.Millisecond},
	})
	f.river, err = jobs.New(pool, jobs.Options{RunWorkers: true, Queues: map[string]int{bridge.Queue: 8}, FetchPollInterval: 50 * time.Millisecond,
		SkipUnknownJobCheck: true, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, f.engine.Workers())
	require.NoError(t, err)
	f.engine.Jobs = f.river
	f.engine.Notify = bridge.OwnerMailer{Jobs: f.river, BaseURL: "http://bridge.test", T: i18n.Text, DefaultLang: "en"}.Notify
	require.NoError(t, f.river.Start(ctx))
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = f.river.Stop(sctx)
	})
	f.integ, err = f.engine.Integration(ctx, f.key)
	require.NoError(t, err)
	return f
}

// ingest parses a 2.0 webhook body and stores it, as the ingress does.
func (f *fixture) ingest(t *testing.T, body string) bridge.Ingested {
	t.Helper()
	res, err := f.tryIngest(body)
	require.NoError(t, err)
	return res
}

// tryIngest is ingest for goroutines other than the test's, which must not
// fail the test themselves: the error goes back to the caller.
func (f *fixture) tryIngest(body string) (bridge.Ingested, error) {
	ev, err := webim.ParseWebhook(webim.Version2, []byte(body))
	if err != nil {
		return bridge.Ingested{}, err
	}
	ev.WebimVersion = recentWebim // as a current Webim account says on every webhook
	return f.engine.Ingest(context.Background(), f.key, ev)
}

// recentWebim is the X-Webim-Version the fixture's webhooks carry.
const recentWebim = "10.5.62"

// How long and how often the tests poll for the engine's work to show.
const (
	waitFor = 20 * time.Second
	tick    = 20 * time.Millisecond
)

// waitCalls waits until the fake Webim has accepted n calls.
func (f *fixture) waitCalls(t *testing.T, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return len(f.webim.Calls()) == n }, waitFor, tick, "waiting for %d Webim calls", n)
}

// waitStatus waits until the event has the status.
func (f *fixture) waitStatus(t *testing.T, id int64, status string) {
	t.Helper()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		s, _, _ := f.eventStatus(c, id)
		assert.Equal(c, status, s, "event %d", id)
	}, waitFor, tick)
}

// waitIdle waits until the engine has nothing left to do: every event is
// done or failed and no chat job is waiting, running or due for a retry.
// What has not happened by then will not happen, so a test may assert an
// absence after it.
func (f *fixture) waitIdle(t *testing.T) {
	t.Helper()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		var events, jobs int
		require.NoError(c, f.pool.QueryRow(context.Background(), `
			SELECT (SELECT count(*) FROM bridge_events WHERE status NOT IN ('done', 'failed')),
			       (SELECT count(*) FROM river_job WHERE kind = 'bridge_chat' AND state NOT IN ('completed', 'cancelled', 'discarded'))`).Scan(&events, &jobs))
		assert.Zero(c, events, "unsettled events")
		assert.Zero(c, jobs, "chat jobs left")
	}, waitFor, tick)
}

// eventStatus reads an event's state; t may be a CollectT inside
// EventuallyWithT.
func (f *fixture) eventStatus(t require.TestingT, id int64) (status, outcome, lastError string) {
	if h, ok := t.(interface{ Helper() }); ok {
		h.Helper()
	}
	require.NoError(t, f.pool.QueryRow(context.Background(), `SELECT status, outcome, last_error FROM bridge_events WHERE id = $1`, id).Scan(&status, &outcome, &lastError))
	return
}
