package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/web"
	"github.com/botbridge/botbridge/web/webtest"
)

type hookEnv struct {
	// pool is the test's own database: the engine ingests through a pool
	// (group commit), so the rows are committed.
	pool      *pgxpool.Pool
	srv       *httptest.Server
	url       string
	integID   int64
	projectID int64
	ownerID   int64
	env       integration.Env
	// reg has the HTTP and bridge metrics.
	reg *prometheus.Registry
}

func newHookEnv(t *testing.T, botURL string) *hookEnv {
	t.Helper()
	ctx := context.Background()
	pool, _ := dbtest.NewDatabase(t)
	kr := testfactory.Keyring(t, webtest.Config(t, nil).SecretKey)
	opts := &testfactory.TenantOpts{
		Owner:       &testfactory.UserOpts{Email: testfactory.Ptr("hook-owner@example.com"), Password: testfactory.Ptr("owner password")},
		ProjectName: testfactory.Ptr("Hook shop"),
		Keyring:     kr,
	}
	if botURL != "" {
		bot := testfactory.DefaultBotInput() // Timeout 2 s, transfer with "Connecting you."
		bot.URL = botURL
		opts.Bot = &bot
	}
	tenant := testfactory.NewTenant(ctx, t, pool, opts)
	u, p, in := tenant.Owner, tenant.Project, tenant.Integration()
	key := in.WebhookKey
	env := testfactory.Env(t, kr)
	ins, err := jobs.InsertOnly()
	require.NoError(t, err)
	reg := prometheus.NewRegistry()
	engine := bridge.NewEngine(bridge.Config{Pool: pool, Keyring: kr, Jobs: ins, HTTP: outbound.NewClient(env.Outbound, 5*time.Second),
		Metrics: bridge.NewMetrics(reg, pool)})
	srv := webtest.Server(t, pool, func(d *web.Deps) { d.Bridge = engine; d.Keyring = kr; d.Registry = reg })
	return &hookEnv{reg: reg, pool: pool, srv: srv, url: srv.URL + "/webhooks/webim/" + key, integID: in.ID, projectID: p.ID, ownerID: u.ID, env: env}
}

func post(t *testing.T, url string, body string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (h *hookEnv) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	require.NoError(t, h.pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n))
	return n
}

// Every payload shape of webim-bot-api.md is accepted, stored and queued.
func TestWebhookAcceptsEveryPayloadShape(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t, "")
	cases := []struct {
		name, body string
		events     int
		header     map[string]string
		suffix     string
	}{
		{"new_chat with history", `{"event":"new_chat","chat":{"id":1},"visitor":{"id":"9f1c","fields":{"name":"John","phone":"+7","email":null,"display_name":null,"login":null,"profile_url":null,"avatar_url":null,"comment":null,"info":null,"extra":"x"}},"messages":[{"id":"m1","kind":"visitor","text":"привет"}]}`, 2, nil, ""},
		{"new_chat without messages", `{"event":"new_chat","chat":{"id":2},"visitor":{"id":"v2","fields":{}}}`, 1, map[string]string{"X-Bot-API-Version": "2.0", "X-Bot-API-Dialect": "Webim Standard", "X-Webim-Version": "10.5.62"}, ""},
		{"visitor text", `{"event":"new_message","chat_id":12345,"message":{"id":"f1fee54f","kind":"visitor","text":"hello"}}`, 1, nil, "/v2"},
		{"file", `{"event":"new_message","chat_id":12345,"message":{"id":"f2","kind":"file_visitor","data":{"url":"https://acc.webim.ru/api/bot/v2/file/1?hash=x","name":"t.txt","media_type":"text/plain","size":24}}}`, 1, nil, ""},
		{"button press", `{"event":"new_message","chat_id":12345,"message":{"id":"f3","kind":"keyboard_response","data":{"button":{"id":"hi","text":"привет"},"request":{"messageId":"k1"}}}}`, 1, nil, ""},
	}
	total := 0
	for _, tc := range cases {
		status, body := post(t, h.url+tc.suffix, tc.body, tc.header)
		require.Equal(t, http.StatusOK, status, tc.name)
		require.JSONEq(t, `{"result":"ok"}`, body, tc.name)
		total += tc.events
		require.Equal(t, total, h.count(t, "bridge_events"), tc.name)
	}
	require.Equal(t, 3, h.count(t, "river_job WHERE kind = 'bridge_chat'"), "one job waiting per chat (chats 1, 2, 12345), in the same transaction")
	var typ, msg string
	require.NoError(t, h.pool.QueryRow(context.Background(), `SELECT type, message->'file'->>'name' FROM bridge_events WHERE dedup_key = 'msg:12345:f2'`).Scan(&typ, &msg))
	require.Equal(t, botapi.TypeMessageFile, typ)
	require.Equal(t, "t.txt", msg)

	// The same delivery again: answered 200, stored once.
	status, _ := post(t, h.url, cases[2].body, nil)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, total, h.count(t, "bridge_events"))
	require.Equal(t, 3, h.count(t, "river_job WHERE kind = 'bridge_chat'"))
}

// Bad input is refused with a clear status and nothing is stored.
func TestWebhookRefusesBadInput(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t, "")
	cases := []struct {
		name, url, body string
		header          map[string]string
		status          int
	}{
		{"malformed json", h.url, `{"event":"new_message",`, nil, 400},
		{"chat_id as an object in 2.0", h.url, `{"event":"new_message","chat_id":{"id":12},"message":{"id":"a","kind":"visitor","text":"x"}}`, nil, 400},
		{"text as number", h.url, `{"event":"new_message","chat_id":12,"message":{"id":"a","kind":"visitor","text":5}}`, nil, 400},
		{"missing message kind", h.url, `{"event":"new_message","chat_id":12,"message":{"id":"a","text":"x"}}`, nil, 400},
		{"file data of the wrong type", h.url, `{"event":"new_message","chat_id":12,"message":{"id":"a","kind":"file_visitor","data":[1]}}`, nil, 400},
		{"invalid utf-8", h.url, "{\"event\":\"new_message\",\"chat_id\":12,\"message\":{\"id\":\"a\",\"kind\":\"visitor\",\"text\":\"\xff\xfe\"}}", nil, 400},
		{"bad version header", h.url, `{"event":"new_chat","chat":{"id":1}}`, map[string]string{"X-Bot-API-Version": "3.0"}, 400},
		{"too large", h.url, `{"event":"new_message","chat_id":12,"message":{"id":"a","kind":"visitor","text":"` + strings.Repeat("x", 1<<20) + `"}}`, nil, 413},
		{"unknown key", h.srv.URL + "/webhooks/webim/not-a-key", `{"event":"new_chat","chat":{"id":1}}`, nil, 404},
	}
	for _, tc := range cases {
		status, body := post(t, tc.url, tc.body, tc.header)
		require.Equal(t, tc.status, status, tc.name)
		var out map[string]string
		require.NoError(t, json.Unmarshal([]byte(body), &out), "%s: JSON error body", tc.name)
		require.NotEmpty(t, out["error"], tc.name)
		require.Equal(t, 0, h.count(t, "bridge_events"), tc.name)
		require.Equal(t, 0, h.count(t, "chats"), tc.name)
	}
	_, body := post(t, h.srv.URL+"/webhooks/webim/not-a-key", `{}`, nil)
	require.JSONEq(t, `{"error":"not found"}`, body, "no detail for unknown keys")

	// Unknown events: 200, nothing stored or forwarded.
	status, body := post(t, h.url, `{"event":"chat_closed","chat_id":12}`, nil)
	require.Equal(t, http.StatusOK, status)
	require.JSONEq(t, `{"result":"ok"}`, body)
	require.Equal(t, 0, h.count(t, "bridge_events"))
}

// Disabled and deleted integrations answer 404, and so does a rotated key.
func TestWebhookKeyLifecycle(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t, "")
	ctx := context.Background()
	msg := `{"event":"new_message","chat_id":1,"message":{"id":"a","kind":"visitor","text":"x"}}`
	status, _ := post(t, h.url, msg, nil)
	require.Equal(t, 200, status)

	require.NoError(t, integration.Disable(ctx, h.pool, h.projectID, h.integID, h.ownerID))
	status, _ = post(t, h.url, msg, nil)
	require.Equal(t, 404, status)
	require.NoError(t, integration.Enable(ctx, h.pool, h.projectID, h.integID, h.ownerID))
	status, _ = post(t, h.url, msg, nil)
	require.Equal(t, 200, status)

	newKey, err := integration.RotateWebhook(ctx, h.pool, h.env.Keyring, h.projectID, h.integID, h.ownerID, 0)
	require.NoError(t, err)
	status, _ = post(t, h.url, msg, nil)
	require.Equal(t, 404, status, "the old URL stops at once")
	newURL := h.srv.URL + "/webhooks/webim/" + newKey
	status, _ = post(t, newURL, msg, nil)
	require.Equal(t, 200, status)

	require.NoError(t, integration.Delete(ctx, h.pool, h.projectID, h.integID, h.ownerID))
	status, _ = post(t, newURL, msg, nil)
	require.Equal(t, 404, status)
}

// Bot API 1.0: the bot is called inline and its answer is the response body.
func TestWebhookV1Synchronous(t *testing.T) {
	t.Parallel()
	var secrets []string
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := botapi.Verify(secrets, r.Header, body, time.Now(), 0); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var ev botapi.Event
		_ = json.Unmarshal(body, &ev)
		if ev.Message != nil && ev.Message.Text == "operator" {
			_, _ = w.Write([]byte(`{"replies":[{"text":"wait"}],"action":{"type":"transfer"}}`))
			return
		}
		_, _ = w.Write([]byte(`{"replies":[{"text":"**Echo:** ` + ev.Message.Text + `","buttons":[[{"id":"a","text":"A"}]]}]}`))
	}))
	defer bot.Close()
	h := newHookEnv(t, bot.URL)
	b, err := integration.BotEndpoint(context.Background(), h.pool, h.env.Keyring, h.projectID)
	require.NoError(t, err)
	secrets = b.Secrets

	status, body := post(t, h.url+"/v1", `{"event":"new_message","chat":{"id":"3f2c-uuid"},"kind":"visitor","text":"hello","id":"m1"}`, nil)
	require.Equal(t, 200, status, body)
	require.JSONEq(t, `{"has_answer":true,"messages":[{"kind":"operator","text":"Echo: hello"},{"kind":"keyboard","buttons":[[{"id":"a","text":"A"}]]}]}`, body)

	// Webim retrying the same delivery gets the same answer, without a second bot call.
	status, again := post(t, h.url+"/v1", `{"event":"new_message","chat":{"id":"3f2c-uuid"},"kind":"visitor","text":"hello","id":"m1"}`, nil)
	require.Equal(t, 200, status)
	require.JSONEq(t, body, again)
	require.Equal(t, 1, h.count(t, "bridge_calls WHERE target = 'bot'"))

	status, body = post(t, h.url, `{"event":"new_message","chat":{"id":"3f2c-uuid"},"kind":"visitor","text":"operator","id":"m2"}`, map[string]string{"X-Bot-API-Version": "1.0"})
	require.Equal(t, 200, status)
	require.JSONEq(t, `{"has_answer":false}`, body)
	status, body = post(t, h.url+"/v1", `{"event":"new_message","chat":{"id":"3f2c-uuid"},"kind":"visitor","text":"operator","id":"m2"}`, nil)
	require.Equal(t, 200, status)
	require.JSONEq(t, `{"has_answer":false}`, body, "a redelivered transfer is a transfer again")
	require.Equal(t, 0, h.count(t, "river_job"), "1.0 answers inline, no job")
	require.Equal(t, 2, h.count(t, "bridge_events WHERE status = 'done'"))
}

// The webhook key is the integration's only credential: it never reaches the logs.
func TestWebhookKeyNotLogged(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t, "")
	var logs strings.Builder
	var mu sync.Mutex
	srv := webtest.Server(t, h.pool, func(d *web.Deps) {
		d.Log = slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
		d.Bridge = bridge.NewEngine(bridge.Config{Pool: h.pool, Keyring: h.env.Keyring})
	})
	key := h.url[strings.LastIndex(h.url, "/")+1:]
	status, _ := post(t, srv.URL+"/webhooks/webim/"+key, `{"event":"new_message",`, nil)
	require.Equal(t, 400, status)
	status, _ = post(t, srv.URL+"/webhooks/webim/"+key+"x/v2", `{}`, nil)
	require.Equal(t, 404, status)
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	require.Contains(t, out, "/webhooks/webim/[key]")
	require.NotContains(t, out, key)
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// After real webhooks flow, /metrics has the bridge's figures: webhooks by
// outcome (stored, duplicate, refused by reason), and the database's
// pending events and integrations by status.
func TestBridgeMetricsAfterWebhooks(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t, "")
	body := `{"event":"new_message","chat_id":12,"message":{"id":"m-1","kind":"visitor","text":"hi"}}`
	status, _ := post(t, h.url, body, nil)
	require.Equal(t, http.StatusOK, status)
	status, _ = post(t, h.url, body, nil)
	require.Equal(t, http.StatusOK, status)
	status, _ = post(t, h.url, `{"event":`, nil)
	require.Equal(t, http.StatusBadRequest, status)
	status, _ = post(t, h.srv.URL+"/webhooks/webim/not-a-key", body, nil)
	require.Equal(t, http.StatusNotFound, status)

	resp, err := http.Get(h.srv.URL + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	out := string(raw)
	for _, line := range []string{
		`botbridge_webhooks_received_total{outcome="stored",reason=""} 1`,
		`botbridge_webhooks_received_total{outcome="duplicate",reason=""} 1`,
		`botbridge_webhooks_received_total{outcome="refused",reason="bad_body"} 1`,
		`botbridge_webhooks_received_total{outcome="refused",reason="unknown_key"} 1`,
		`botbridge_events_pending 1`,
		`botbridge_integrations{status="active"} 1`,
		`botbridge_integrations{status="unhealthy"} 0`,
		`botbridge_db_metrics_up 1`,
	} {
		require.Contains(t, out, line)
	}
	require.Contains(t, out, "botbridge_events_oldest_pending_age_seconds ")
	require.Contains(t, out, "botbridge_mail_outbox_pending ")
}
