package faulttest

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/secret"
	"github.com/botbridge/botbridge/internal/stack"
	"github.com/botbridge/botbridge/web"
	"github.com/botbridge/botbridge/web/i18n"
)

// inproc is botbridge assembled in the test process (like stack.Start) but
// with what the fault tests tune: the outbound HTTP timeout (so Webim
// "timeouts" are real client-side timeouts, fast), the retry policy and
// the worker count. Its web server is an httptest.Server, so webtest's
// client can log in and read the activity log.
type inproc struct {
	*stack.Stack
	Web *httptest.Server
}

type inprocOptions struct {
	Retry        bridge.Retry
	Workers      int
	HTTPTimeout  time.Duration
	Integrations int
}

func startInProcess(t *testing.T, opt inprocOptions) *inproc {
	t.Helper()
	ctx := context.Background()
	pool, _ := dbtest.NewDatabase(t)
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	cfg, err := stack.Config(base, srv.Listener.Addr().String(), "postgres://faulttest/unused")
	require.NoError(t, err)
	kr, err := secret.NewKeyring(cfg.SecretKey)
	require.NoError(t, err)
	s, err := stack.Seed(ctx, pool, kr, base, stack.Options{Log: quietLog, Integrations: opt.Integrations})
	require.NoError(t, err)
	policy := outbound.Policy{AllowLocal: true}
	s.Engine = bridge.NewEngine(bridge.Config{
		Pool:    pool,
		Keyring: kr,
		HTTP:    outbound.NewClient(policy, opt.HTTPTimeout),
		Log:     quietLog,
		Retry:   opt.Retry,
	})
	s.River, err = jobs.New(pool, jobs.Options{RunWorkers: true, Queues: map[string]int{bridge.Queue: opt.Workers},
		FetchPollInterval: 100 * time.Millisecond, SkipUnknownJobCheck: true, Log: quietLog}, s.Engine.Workers())
	require.NoError(t, err)
	s.Engine.Jobs = s.River
	s.Engine.Notify = bridge.OwnerMailer{Jobs: s.River, BaseURL: cfg.BaseURL.String(), T: i18n.Text, DefaultLang: "en"}.Notify
	srv.Config.Handler = web.New(web.Deps{
		Config: cfg, DB: pool, Ping: pool.Ping, Log: quietLog,
		Sessions: auth.DefaultSessions, Throttle: auth.DefaultThrottle,
		Jobs: s.River, Keyring: kr, Outbound: policy, Bridge: s.Engine,
	})
	srv.Start()
	require.NoError(t, s.River.Start(ctx))
	t.Cleanup(func() {
		s.Stop() // sandboxes, bot, River
		srv.Close()
	})
	return &inproc{Stack: s, Web: srv}
}

// ownerEmail is the seeded project owner's address (its password is
// "stack owner password").
func (p *inproc) ownerEmail(t *testing.T) string {
	t.Helper()
	var email string
	require.NoError(t, p.Pool.QueryRow(context.Background(), `
		SELECT u.email FROM users u JOIN project_members m ON m.user_id = u.id
		WHERE m.project_id = $1 ORDER BY u.id LIMIT 1`, p.ProjectID).Scan(&email))
	return email
}
