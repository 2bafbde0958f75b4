package bridge_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/internal/request"
	"github.com/botbridge/botbridge/internal/secret"
	"github.com/botbridge/botbridge/internal/webim"
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
	integ  bridge.Integration
	key    string
	webim  *fakeWebim
	bot    *fakeBot
	owner  auth.User
	kr     *secret.Keyring
}

// setup builds a project with a Webim integration (transfer to department
// "sales") pointing at a fake Webim, a bot endpoint pointing at a fake bot,
// and a running engine with fast retries.
func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	pool, _ := dbtest.NewDatabase(t)
	kr, err := secret.NewKeyring("bridge-test-secret-key-0123456789abcdef")
	require.NoError(t, err)
	owner, err := auth.CreateUser(ctx, pool, "owner@example.com", "owner password", auth.RoleOwner)
	require.NoError(t, err)
	p, err := project.Create(ctx, pool, owner.ID, "Bridge shop")
	require.NoError(t, err)
	require.NoError(t, request.Grant(ctx, pool, p.ID, "webim", owner.ID))

	f := &fixture{pool: pool, webim: newFakeWebim(t), bot: newFakeBot(t), owner: owner, kr: kr}
	env := integration.Env{Keyring: kr, Outbound: outbound.Policy{AllowLocal: true}}
	in, err := integration.Create(ctx, pool, env, p.ID, owner.ID, "webim", integration.Input{
		Token: "webim-token-1234", Domain: f.webim.srv.URL, TransferTo: "department", DepartmentID: "sales"})
	require.NoError(t, err)
	f.key, err = integration.WebhookKey(kr, in)
	require.NoError(t, err)
	_, err = integration.SaveBot(ctx, pool, env, p.ID, owner.ID, integration.BotInput{
		URL: f.bot.srv.URL + "/hook", Timeout: "2", FallbackMode: "transfer", FallbackText: "Our assistant is away. Connecting you to a person."})
	require.NoError(t, err)
	b, err := integration.BotEndpoint(ctx, pool, kr, p.ID)
	require.NoError(t, err)
	f.bot.secrets = b.Secrets

	f.engine = &bridge.Engine{
		Pool:  pool,
		Dir:   bridge.NewDirectory(kr),
		HTTP:  outbound.NewClient(outbound.Policy{AllowLocal: true}, 5*time.Second),
		Log:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Retry: bridge.Retry{BotAttempts: 3, WebimAttempts: 4, Base: 20 * time.Millisecond, Max: 100 * time.Millisecond},
	}
	f.river, err = jobs.New(pool, jobs.Options{RunWorkers: true, Queues: map[string]int{bridge.Queue: 8}, FetchPollInterval: 50 * time.Millisecond,
		SkipUnknownJobCheck: true, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, f.engine.Workers())
	require.NoError(t, err)
	f.engine.Jobs = f.river
	base, _ := url.Parse("http://bridge.test")
	f.engine.Notify = bridge.MailOwners(base, f.river)
	require.NoError(t, f.river.Start(ctx))
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = f.river.Stop(sctx)
	})
	f.integ, err = f.engine.Dir.ByWebhookKey(ctx, pool, f.key)
	require.NoError(t, err)
	return f
}

// ingest parses a 2.0 webhook body and stores it, as the ingress does.
func (f *fixture) ingest(t *testing.T, body string) bridge.Ingested {
	t.Helper()
	ev, err := webim.ParseWebhook(webim.Version2, []byte(body))
	require.NoError(t, err)
	res, err := f.engine.Ingest(context.Background(), f.pool, f.key, ev)
	require.NoError(t, err)
	return res
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func (f *fixture) eventStatus(t *testing.T, id int64) (status, outcome, lastError string) {
	t.Helper()
	require.NoError(t, f.pool.QueryRow(context.Background(), `SELECT status, outcome, last_error FROM bridge_events WHERE id = $1`, id).Scan(&status, &outcome, &lastError))
	return
}
