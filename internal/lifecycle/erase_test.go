package lifecycle_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/lifecycle"
	"github.com/botbridge/botbridge/internal/testfactory"
)

// rowsOf counts a project's chats, events and calls.
func (w *world) rowsOf(t *testing.T, tn *testfactory.Tenant) lifecycle.Erased {
	t.Helper()
	return lifecycle.Erased{
		Chats:  w.count(t, `SELECT count(*) FROM chats WHERE project_id = $1`, tn.Project.ID),
		Events: w.count(t, `SELECT count(*) FROM bridge_events e JOIN chats c ON c.id = e.chat_id WHERE c.project_id = $1`, tn.Project.ID),
		Calls: w.count(t, `SELECT count(*) FROM bridge_calls k JOIN bridge_events e ON e.id = k.event_id JOIN chats c ON c.id = e.chat_id
			WHERE c.project_id = $1`, tn.Project.ID),
	}
}

// Erasing a visitor removes every chat of theirs in the project with its
// events and calls, and nothing else: not the project's other visitors,
// not the same visitor id in another project. Another project's chat ids
// find nothing. The audit log says that it happened and how many rows,
// never whose.
func TestEraseVisitorOnly(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	w.chat(t, w.a, 1, "v1")
	w.chat(t, w.a, 5, "v1")
	w.chat(t, w.a, 2, "v2")
	w.chat(t, w.b, 1, "v1")
	w.waitIdle(t)
	beforeA, beforeB := w.rowsOf(t, w.a), w.rowsOf(t, w.b)
	v2 := w.count(t, `SELECT count(*) FROM bridge_events e JOIN chats c ON c.id = e.chat_id WHERE c.project_id = $1 AND c.visitor_id = 'v2'`, w.a.Project.ID)

	got, err := lifecycle.Erase(ctx, w.pool, w.a.Project.ID, &w.a.Owner.ID, lifecycle.Target{VisitorID: "v1"})
	require.NoError(t, err)
	require.Equal(t, 2, got.Chats)
	after := w.rowsOf(t, w.a)
	require.Equal(t, beforeA.Chats-2, after.Chats)
	require.Equal(t, beforeA.Events-got.Events, after.Events)
	require.Equal(t, beforeA.Calls-got.Calls, after.Calls)
	require.Positive(t, got.Calls)
	require.Zero(t, w.count(t, `SELECT count(*) FROM chats WHERE project_id = $1 AND visitor_id = 'v1'`, w.a.Project.ID))
	require.Zero(t, w.count(t, `SELECT count(*) FROM bridge_events WHERE message::text LIKE '%v1%' AND integration_id = $1`, w.a.Integration().ID))
	require.Equal(t, v2, after.Events, "the other visitor keeps everything")
	require.Equal(t, beforeB, w.rowsOf(t, w.b), "the same visitor id in another project is untouched")

	entries, err := integration.ProjectAudit(ctx, w.pool, w.a.Project.ID, 5)
	require.NoError(t, err)
	require.Equal(t, lifecycle.ActionVisitorErased, entries[0].Action)
	require.Equal(t, "a@example.com", entries[0].ActorEmail)
	require.Contains(t, entries[0].Detail, "chats=2")
	require.NotContains(t, entries[0].Detail, "v1")

	// Tenant isolation: B's chat, named by A, is not found and stays.
	var bChat int64
	require.NoError(t, w.pool.QueryRow(ctx, `SELECT id FROM chats WHERE project_id = $1`, w.b.Project.ID).Scan(&bChat))
	for _, tg := range []lifecycle.Target{{ChatID: bChat}, {VisitorID: "v1"}} {
		_, err = lifecycle.Erase(ctx, w.pool, w.a.Project.ID, nil, tg)
		require.ErrorIs(t, err, apperr.ErrNotFound)
	}
	require.Equal(t, beforeB, w.rowsOf(t, w.b))

	// By Webim chat id.
	got, err = lifecycle.Erase(ctx, w.pool, w.a.Project.ID, nil, lifecycle.Target{PlatformChatID: "2"})
	require.NoError(t, err)
	require.Equal(t, 1, got.Chats)
	require.Equal(t, lifecycle.Erased{}, w.rowsOf(t, w.a))
	require.Equal(t, beforeB, w.rowsOf(t, w.b))
}

// An erasure of a chat whose event the worker is delivering waits for the
// run to end (the worker's chat lock), then removes everything; the
// delivery finishes without an error and nothing of the chat is left.
func TestEraseWaitsForDelivery(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	w.botGate.close()
	w.mustIngest(t, w.a, `{"event":"new_message","chat_id":7,"message":{"id":"x1","kind":"visitor","text":"in flight"}}`)
	w.mustIngest(t, w.a, `{"event":"new_message","chat_id":7,"message":{"id":"x2","kind":"visitor","text":"queued behind"}}`)
	require.Eventually(t, func() bool { return w.botGate.waiting.Load() > 0 }, waitFor, tick)

	type result struct {
		got lifecycle.Erased
		err error
	}
	done := make(chan result, 1)
	go func() {
		got, err := lifecycle.Erase(ctx, w.pool, w.a.Project.ID, nil, lifecycle.Target{PlatformChatID: "7"})
		done <- result{got, err}
	}()
	// The erasure waits on the chat's advisory lock…
	require.Eventually(t, func() bool {
		return w.count(t, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`) > 0
	}, waitFor, tick)
	select {
	case r := <-done:
		t.Fatalf("erasure finished while the chat was being delivered: %+v", r)
	default:
	}
	// …until the run ends.
	w.botGate.open()
	r := <-done
	require.NoError(t, r.err)
	require.Equal(t, 1, r.got.Chats)
	require.Positive(t, r.got.Events)
	w.waitIdle(t)
	require.Equal(t, lifecycle.Erased{}, w.rowsOf(t, w.a))
	require.Zero(t, w.count(t, `SELECT count(*) FROM river_job WHERE kind = 'bridge_chat' AND (state <> 'completed' OR cardinality(errors) > 0)`),
		"the chat's jobs ended without errors")
}

func TestParseTarget(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		by, value, field string
		want             lifecycle.Target
	}{
		{"visitor", " v-1 ", "", lifecycle.Target{VisitorID: "v-1"}},
		{"chat", "42", "", lifecycle.Target{PlatformChatID: "42"}},
		{"chat_ref", "42", "", lifecycle.Target{ChatID: 42}},
		{"chat_ref", "x", "value", lifecycle.Target{}},
		{"visitor", "  ", "value", lifecycle.Target{}},
		{"visitor", strings.Repeat("x", 201), "value", lifecycle.Target{}},
		{"nobody", "v", "by", lifecycle.Target{}},
	} {
		got, err := lifecycle.ParseTarget(c.by, c.value)
		if c.field != "" {
			require.Contains(t, apperr.Fields(err), c.field, "%s %q", c.by, c.value)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, c.want, got)
	}
}
