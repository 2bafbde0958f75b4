package bridge

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/testfactory"
)

// rowVersions are the versions the next-event view gives an event of the
// integration (bridge_deliverable_events).
func rowVersions(t *testing.T, pool *pgxpool.Pool, integID, projectID int64) (integ, bot int64) {
	t.Helper()
	require.NoError(t, pool.QueryRow(context.Background(), `
		SELECT i.xmin::text::bigint, coalesce((SELECT b.xmin::text::bigint FROM project_bots b WHERE b.project_id = $2), 0)
		FROM integrations i WHERE i.id = $1`, integID, projectID).Scan(&integ, &bot))
	return integ, bot
}

// settingsTenant is a project with an integration and a bot endpoint, and
// an engine over them with the clock now.
func settingsTenant(t *testing.T, now func() time.Time) (*pgxpool.Pool, *Engine, *testfactory.Tenant) {
	t.Helper()
	pool, _ := dbtest.NewDatabase(t)
	kr := testfactory.Keyring(t, "bridge-test-secret-key-0123456789abcdef")
	bot := testfactory.DefaultBotInput()
	tenant := testfactory.NewTenant(context.Background(), t, pool, &testfactory.TenantOpts{Keyring: kr, Bot: &bot})
	return pool, NewEngine(Config{Pool: pool, Keyring: kr, Now: now}), tenant
}

// The engine keeps an integration, its token and the bot endpoint across
// chat runs while their rows stay the same, and reads them again as soon
// as an event comes with another version of either row, or the backstop
// time has passed.
func TestSettingsCacheFollowsRowVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Now()
	pool, e, tenant := settingsTenant(t, func() time.Time { return now })
	integID, projectID := tenant.Integration().ID, tenant.Project.ID
	botURL := tenant.Bot.URL
	newRun := func() *chatRun { return &chatRun{now: e.now, cache: &e.settings} }
	eventNow := func() event {
		iv, bv := rowVersions(t, pool, integID, projectID)
		return event{IntegrationID: integID, ProjectID: projectID, IntegrationVersion: iv, BotVersion: bv}
	}

	before := eventNow()
	run := newRun()
	in, err := run.integration(ctx, pool, before)
	require.NoError(t, err)
	require.Equal(t, integration.StatusActive, in.Status)
	tok, err := run.webimToken(e, in)
	require.NoError(t, err)
	require.Equal(t, testfactory.WebimToken, tok)
	b, ok, err := run.botEndpoint(ctx, pool, e, before)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, botURL, b.URL)

	// Both rows change. An event read before that carries the old
	// versions: a later run is served from the cache, without a read.
	_, err = pool.Exec(ctx, `UPDATE integrations SET status = 'disabled' WHERE id = $1`, integID)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `UPDATE project_bots SET endpoint_url = 'https://bot2.example.com/hook' WHERE project_id = $1`, projectID)
	require.NoError(t, err)
	run = newRun()
	in, err = run.integration(ctx, pool, before)
	require.NoError(t, err)
	require.Equal(t, integration.StatusActive, in.Status, "same version: the cached integration")
	b, _, err = run.botEndpoint(ctx, pool, e, before)
	require.NoError(t, err)
	require.Equal(t, botURL, b.URL, "same version: the cached bot endpoint")

	// The next event read sees the new versions, and with them the change.
	after := eventNow()
	require.NotEqual(t, before.IntegrationVersion, after.IntegrationVersion)
	require.NotEqual(t, before.BotVersion, after.BotVersion)
	in, err = run.integration(ctx, pool, after)
	require.NoError(t, err)
	require.Equal(t, integration.StatusDisabled, in.Status)
	b, _, err = run.botEndpoint(ctx, pool, e, after)
	require.NoError(t, err)
	require.Equal(t, "https://bot2.example.com/hook", b.URL)

	// The backstop: past settingsTTL, even an unchanged version reads again.
	_, err = pool.Exec(ctx, `UPDATE integrations SET status = 'active' WHERE id = $1`, integID)
	require.NoError(t, err)
	in, err = newRun().integration(ctx, pool, after)
	require.NoError(t, err)
	require.Equal(t, integration.StatusDisabled, in.Status, "within the TTL: cached")
	now = now.Add(settingsTTL)
	in, err = newRun().integration(ctx, pool, after)
	require.NoError(t, err)
	require.Equal(t, integration.StatusActive, in.Status, "past the TTL: read again")

	// Webim refusing the token forgets the integration at once.
	_, err = pool.Exec(ctx, `UPDATE integrations SET status = 'disabled' WHERE id = $1`, integID)
	require.NoError(t, err)
	run = newRun()
	_, err = run.integration(ctx, pool, after)
	require.NoError(t, err)
	run.unhealthy()
	in, err = newRun().integration(ctx, pool, after)
	require.NoError(t, err)
	require.Equal(t, integration.StatusDisabled, in.Status, "forgotten: read again")
}

// A bot endpoint signing with a previous secret too is kept only until
// that secret's window closes, which no UPDATE marks.
func TestSettingsCacheBotPreviousSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, e, tenant := settingsTenant(t, nil)
	projectID := tenant.Project.ID
	conn, err := pool.Acquire(ctx)
	require.NoError(t, err)
	defer conn.Release()
	require.NoError(t, integration.RotateBotSecret(ctx, conn, e.Keyring, projectID, tenant.Owner.ID))
	// A window closing before the cache's own limit.
	_, err = pool.Exec(ctx, `UPDATE project_bots SET previous_valid_until = now() + interval '10 seconds' WHERE project_id = $1`, projectID)
	require.NoError(t, err)
	_, bv := rowVersions(t, pool, tenant.Integration().ID, projectID)
	run := &chatRun{now: e.now, cache: &e.settings}
	b, ok, err := run.botEndpoint(ctx, pool, e, event{ProjectID: projectID, BotVersion: bv})
	require.NoError(t, err)
	require.True(t, ok)
	require.Len(t, b.Secrets, 2)
	require.False(t, b.PreviousUntil.IsZero())
	require.WithinDuration(t, time.Now().Add(10*time.Second), b.PreviousUntil, 5*time.Second)
	require.Equal(t, b.PreviousUntil, e.settings.bots[projectID].until)
}
