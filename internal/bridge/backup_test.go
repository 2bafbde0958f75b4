package bridge_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/webim"
)

// The backup procedure of docs/operations.md, proved: pg_dump a database
// with a live integration, pg_restore it into a fresh database, run the
// engine on the restored copy with the same SECRET_KEY, and a new webhook
// is delivered to Webim with the restored, still decryptable token; the
// history came along.
func TestBackupRestoreRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		_, err := exec.LookPath(tool)
		require.NoError(t, err, "%s is needed (Debian's postgresql-client; .ci/run installs it)", tool)
	}
	f := setup(t)
	ctx := context.Background()
	f.bot.setReply(func(ev botapi.Event) (int, string) {
		return 200, `{"replies":[{"text":"echo ` + ev.Message.Text + `"}]}`
	})
	before := f.ingest(t, `{"event":"new_message","chat_id":91,"message":{"id":"m1","kind":"visitor","text":"before"}}`)
	f.waitStatus(t, before.EventIDs[0], "done")

	dump := filepath.Join(t.TempDir(), "botbridge.dump")
	out, err := exec.Command("pg_dump", "--format=custom", "--no-owner", "--file="+dump, "--dbname="+f.pool.Config().ConnString()).CombinedOutput()
	require.NoError(t, err, "pg_dump: %s", out)
	restored := dbtest.EmptyDatabase(t)
	out, err = exec.Command("pg_restore", "--no-owner", "--exit-on-error", "--dbname="+restored, dump).CombinedOutput()
	require.NoError(t, err, "pg_restore: %s", out)

	pool, err := db.Open(ctx, restored, 5)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	var history int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM bridge_events WHERE status = 'done'`).Scan(&history))
	require.Equal(t, 1, history, "the history is in the copy")

	engine := bridge.NewEngine(bridge.Config{Pool: pool, Keyring: f.kr, // the same SECRET_KEY
		HTTP:  outbound.NewClient(outbound.Policy{AllowLocal: true}, 5*time.Second),
		Retry: bridge.Retry{BotAttempts: 3, WebimAttempts: 3, Base: 20 * time.Millisecond, Max: 100 * time.Millisecond}})
	rc, err := jobs.New(pool, jobs.Options{RunWorkers: true, Queues: map[string]int{bridge.Queue: 2}, FetchPollInterval: 50 * time.Millisecond,
		SkipUnknownJobCheck: true}, engine.Workers())
	require.NoError(t, err)
	engine.Jobs = rc
	require.NoError(t, rc.Start(ctx))
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = rc.Stop(sctx)
	})
	ev, err := webim.ParseWebhook(webim.Version2, []byte(`{"event":"new_message","chat_id":91,"message":{"id":"m2","kind":"visitor","text":"after"}}`))
	require.NoError(t, err)
	res, err := engine.Ingest(ctx, f.key, ev)
	require.NoError(t, err, "the restored webhook key still finds its integration")
	require.Equal(t, 1, res.Stored)
	f.waitCalls(t, 2)
	last := f.webim.Calls()[1]
	require.Equal(t, "Token webim-token-1234", last.Auth, "the token decrypts in the restored copy")
	require.Equal(t, "echo after", textOf(last))
}
