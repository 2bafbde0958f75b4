package lifecycle_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/lifecycle"
	"github.com/botbridge/botbridge/internal/project"
)

// Deleting a project stops its webhooks and destroys its secrets at once,
// cancels what was waiting, hides it from its members, and the purge job
// then removes every row of it (waiting for a delivery in flight), while
// another project is untouched throughout.
func TestDeleteProject(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	w.chat(t, w.a, 1, "v1")
	w.chat(t, w.b, 1, "v1")
	w.waitIdle(t)
	beforeB := w.rowsOf(t, w.b)
	// One chat of A in delivery, a second waiting behind it.
	w.botGate.close()
	w.mustIngest(t, w.a, `{"event":"new_message","chat_id":9,"message":{"id":"d1","kind":"visitor","text":"in flight"}}`)
	w.mustIngest(t, w.a, `{"event":"new_message","chat_id":9,"message":{"id":"d2","kind":"visitor","text":"waiting"}}`)
	require.Eventually(t, func() bool { return w.botGate.waiting.Load() > 0 }, waitFor, tick)

	_, err := lifecycle.DeleteProject(ctx, w.pool, w.river, w.a.Project.ID, "Shop B")
	require.Contains(t, apperr.Fields(err), "confirm_name")
	_, err = lifecycle.DeleteProject(ctx, w.pool, w.river, w.a.Project.ID, "")
	require.Contains(t, apperr.Fields(err), "confirm_name")
	_, err = w.ingest(w.a, `{"event":"new_message","chat_id":1,"message":{"id":"still","kind":"visitor","text":"x"}}`)
	require.NoError(t, err, "a refused confirmation changes nothing")

	d, err := lifecycle.DeleteProject(ctx, w.pool, w.river, w.a.Project.ID, "  Shop   A ")
	require.NoError(t, err)
	require.Equal(t, 1, d.Integrations)
	require.Positive(t, d.EventsCancelled)

	// At once: no webhook, no secrets, no membership.
	_, err = w.ingest(w.a, `{"event":"new_message","chat_id":1,"message":{"id":"late","kind":"visitor","text":"x"}}`)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	_, err = project.Get(ctx, w.pool, w.a.Owner.ID, w.a.Project.ID)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	require.Zero(t, w.count(t, `SELECT count(*) FROM integrations WHERE project_id = $1 AND (token_ciphertext IS NOT NULL OR webhook_key_hash IS NOT NULL OR chat_events_secret_hash IS NOT NULL)`, w.a.Project.ID))
	require.Zero(t, w.count(t, `SELECT count(*) FROM project_bots WHERE project_id = $1`, w.a.Project.ID))
	_, err = lifecycle.DeleteProject(ctx, w.pool, w.river, w.a.Project.ID, "Shop A")
	require.ErrorIs(t, err, apperr.ErrNotFound, "a second delete finds nothing")

	// The purge waits for the delivery, then everything of A is gone.
	w.botGate.open()
	require.Eventually(t, func() bool {
		return w.count(t, `SELECT count(*) FROM projects WHERE id = $1`, w.a.Project.ID) == 0
	}, waitFor, tick)
	for _, q := range []string{
		`SELECT count(*) FROM chats WHERE project_id = $1`,
		`SELECT count(*) FROM integrations WHERE project_id = $1`,
		`SELECT count(*) FROM integration_audit WHERE project_id = $1`,
		`SELECT count(*) FROM platform_grants WHERE project_id = $1`,
		`SELECT count(*) FROM project_members WHERE project_id = $1`,
	} {
		require.Zero(t, w.count(t, q, w.a.Project.ID), q)
	}
	require.Zero(t, w.count(t, `SELECT count(*) FROM bridge_events WHERE integration_id = $1`, w.a.Integration().ID))
	w.waitIdle(t)
	require.Equal(t, beforeB, w.rowsOf(t, w.b), "the other project is untouched")
	_, err = project.Get(ctx, w.pool, w.b.Owner.ID, w.b.Project.ID)
	require.NoError(t, err)
	w.mustIngest(t, w.b, `{"event":"new_message","chat_id":1,"message":{"id":"after","kind":"visitor","text":"still here"}}`)
	w.waitIdle(t)
}
