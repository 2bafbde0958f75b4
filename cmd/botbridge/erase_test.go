package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/lifecycle"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/internal/webim"
)

// An operator erases one visitor from the command line: their chats go,
// another visitor's stay, the audit log records it as botbridge's, and
// an unknown visitor or bad flags change nothing.
func TestEraseCommand(t *testing.T) {
	t.Parallel()
	pool, url := dbtest.NewDatabase(t)
	ctx := context.Background()
	kr := testfactory.Keyring(t, "cli-erase-secret-key-0123456789abcdef")
	tn := testfactory.NewTenant(ctx, t, pool, &testfactory.TenantOpts{Keyring: kr})
	// Stored through the ingress; no workers run, so the events wait.
	ins, err := jobs.InsertOnly(engineWorkers())
	require.NoError(t, err)
	engine := bridge.NewEngine(bridge.Config{Pool: pool, Keyring: kr, Jobs: ins})
	for i, v := range []string{"gone", "kept"} {
		ev, err := webim.ParseWebhook(webim.Version2, []byte(fmt.Sprintf(
			`{"event":"new_chat","chat":{"id":%d},"visitor":{"id":%q,"fields":{"name":"N"}},"messages":[{"id":"m%d","kind":"visitor","text":"hi"}]}`, i+1, v, i)))
		require.NoError(t, err)
		_, err = engine.Ingest(ctx, tn.Integration().WebhookKey, ev)
		require.NoError(t, err)
	}
	cli := func(args ...string) (int, string, string) {
		env := map[string]string{"DATABASE_URL": url, "APP_ENV": "development"}
		var out, errb bytes.Buffer
		code := run(ctx, append([]string{"erase"}, args...), func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
		return code, out.String(), errb.String()
	}
	count := func(visitor string) int {
		var n int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM bridge_events e JOIN chats c ON c.id = e.chat_id WHERE c.visitor_id = $1`, visitor).Scan(&n))
		return n
	}
	require.Positive(t, count("gone"))
	pid := fmt.Sprint(tn.Project.ID)

	code, _, _ := cli("--project", pid)
	require.Equal(t, exitUsage, code)
	code, _, errOut := cli("--project", pid, "--visitor", "nobody")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "nothing erased")

	code, out, errOut := cli("--project", pid, "--visitor", "gone")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "erased 1 chat(s)")
	require.Zero(t, count("gone"))
	require.Positive(t, count("kept"))

	code, out, errOut = cli("--project", pid, "--chat", "2")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "erased 1 chat(s)")
	require.Zero(t, count("kept"))

	entries, err := integration.ProjectAudit(ctx, pool, tn.Project.ID, 5)
	require.NoError(t, err)
	require.Equal(t, lifecycle.ActionVisitorErased, entries[0].Action)
	require.Empty(t, entries[0].ActorEmail, "done by an operator, not an account")
	require.Equal(t, "chats=1 events=2 calls=0 via=command-line", entries[0].Detail)
}

// engineWorkers registers the chat worker kind so the insert-only client
// accepts chat jobs.
func engineWorkers() jobs.Register { return bridge.NewEngine(bridge.Config{}).Workers() }
