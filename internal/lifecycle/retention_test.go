package lifecycle_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/lifecycle"
	"github.com/botbridge/botbridge/internal/mail"
)

const day = 24 * time.Hour

// Retention strips exactly the content each project no longer keeps:
// project A (7 days) loses its 10-day-old texts, visitor fields and bot
// replies, project B (30 days) keeps the same age; metadata stays, and an
// event still being delivered keeps everything. Past the metadata limit
// A's finished events, calls and empty chats go; the unfinished one stays.
func TestRetentionAcrossProjects(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	require.NoError(t, lifecycle.SetRetentionDays(ctx, w.pool, w.a.Project.ID, w.a.Owner.ID, 7))
	days, err := lifecycle.RetentionDays(ctx, w.pool, w.b.Project.ID)
	require.NoError(t, err)
	require.Equal(t, lifecycle.DefaultRetentionDays, days)

	w.chat(t, w.a, 1, "va1")
	w.chat(t, w.a, 2, "va2")
	w.chat(t, w.b, 1, "vb1")
	w.waitIdle(t)
	// A chat of A whose event is being delivered (the bot holds its answer).
	w.botGate.close()
	busy := w.mustIngest(t, w.a, `{"event":"new_chat","chat":{"id":3},"visitor":{"id":"va3","fields":{"name":"Busy"}},"messages":[{"id":"m3","kind":"visitor","text":"pending text"}]}`)
	require.Eventually(t, func() bool { return w.botGate.waiting.Load() > 0 }, waitFor, tick)

	w.age(t, w.a, 10*day)
	w.age(t, w.b, 10*day)
	aEvents := w.count(t, `SELECT count(*) FROM bridge_events WHERE integration_id = $1`, w.a.Integration().ID)
	aCalls := w.count(t, `SELECT count(*) FROM bridge_calls c JOIN bridge_events e ON e.id = c.event_id WHERE e.integration_id = $1`, w.a.Integration().ID)
	require.Greater(t, aCalls, 0)

	rep, err := lifecycle.Retention{DB: w.pool, Batch: 2}.Run(ctx, 0)
	require.NoError(t, err)
	require.False(t, rep.More)
	require.Positive(t, rep.EventsStripped)
	require.Equal(t, 2, rep.ChatsStripped, "A's two idle chats; the busy one keeps its visitor")
	require.Zero(t, rep.EventsDeleted)

	a := w.a.Integration().ID
	// A: finished events have no content left, but all their metadata.
	require.Zero(t, w.count(t, `SELECT count(*) FROM bridge_events WHERE integration_id = $1 AND status IN ('done','failed')
		AND (message IS NOT NULL OR extra IS NOT NULL OR raw IS NOT NULL OR bot_reply IS NOT NULL OR calls IS NOT NULL OR notes IS NOT NULL OR operator_data IS NOT NULL OR content_removed_at IS NULL)`, a))
	require.Equal(t, aEvents, w.count(t, `SELECT count(*) FROM bridge_events WHERE integration_id = $1`, a), "rows are kept")
	require.Zero(t, w.count(t, `SELECT count(*) FROM bridge_events WHERE integration_id = $1 AND status = 'done' AND (outcome = '' OR processed_at IS NULL)`, a),
		"outcomes and times are kept")
	require.Equal(t, aCalls, w.count(t, `SELECT count(*) FROM bridge_calls c JOIN bridge_events e ON e.id = c.event_id WHERE e.integration_id = $1`, a))
	// Nor do their bot calls' records, which kept the bot's reply until
	// the event was delivered.
	require.Zero(t, w.count(t, `SELECT count(*) FROM bridge_calls c JOIN bridge_events e ON e.id = c.event_id
		WHERE e.integration_id = $1 AND e.status IN ('done','failed')
		AND (c.bot_reply IS NOT NULL OR c.calls IS NOT NULL OR c.notes IS NOT NULL OR c.operator_data IS NOT NULL)`, a))
	require.Zero(t, w.count(t, `SELECT count(*) FROM chats WHERE integration_id = $1 AND platform_chat_id IN ('1','2')
		AND (visitor_id <> '' OR visitor_name <> '' OR visitor_phone <> '' OR visitor_email <> '')`, a))
	// The event in flight is untouched, and so is its chat.
	require.Equal(t, 1, w.count(t, `SELECT count(*) FROM bridge_events WHERE id = ANY($1) AND content_removed_at IS NULL
		AND message->>'text' = 'pending text'`, busy.EventIDs))
	require.Zero(t, w.count(t, `SELECT count(*) FROM bridge_events WHERE id = ANY($1) AND content_removed_at IS NOT NULL`, busy.EventIDs))
	require.Equal(t, 1, w.count(t, `SELECT count(*) FROM chats WHERE integration_id = $1 AND visitor_name = 'Busy'`, a))
	// B keeps everything at the same age.
	b := w.b.Integration().ID
	require.Zero(t, w.count(t, `SELECT count(*) FROM bridge_events WHERE integration_id = $1 AND content_removed_at IS NOT NULL`, b))
	require.Equal(t, 1, w.count(t, `SELECT count(*) FROM bridge_events WHERE integration_id = $1 AND message->>'text' = 'secret text of vb1'`, b))
	require.Positive(t, w.count(t, `SELECT count(*) FROM bridge_calls c JOIN bridge_events e ON e.id = c.event_id
		WHERE e.integration_id = $1 AND c.calls IS NOT NULL`, b), "B's bot calls keep their copy of the reply")
	require.Equal(t, 1, w.count(t, `SELECT count(*) FROM chats WHERE integration_id = $1 AND visitor_phone = '+7 900 vb1'`, b))

	// A stripped event cannot be retried: there is nothing to send.
	var done int64
	require.NoError(t, w.pool.QueryRow(ctx, `SELECT id FROM bridge_events WHERE integration_id = $1 AND status = 'done' LIMIT 1`, a).Scan(&done))
	_, err = w.pool.Exec(ctx, `UPDATE bridge_events SET status = 'failed' WHERE id = $1`, done)
	require.NoError(t, err)
	require.Error(t, w.engine.RetryEvent(ctx, w.a.Project.ID, done))

	// The audit log has the change of retention.
	entries, err := integration.ProjectAudit(ctx, w.pool, w.a.Project.ID, 10)
	require.NoError(t, err)
	require.Equal(t, lifecycle.ActionRetentionChanged, entries[0].Action)
	require.Equal(t, "days=30→7", entries[0].Detail)

	// Past the metadata limit: A's finished events, their calls and its
	// idle chats go; the unfinished event and its chat stay; B is younger.
	w.age(t, w.a, 400*day)
	rep, err = lifecycle.Retention{DB: w.pool, Batch: 2, MetadataDays: 400}.Run(ctx, 0)
	require.NoError(t, err)
	require.Equal(t, aEvents-len(busy.EventIDs), rep.EventsDeleted)
	require.Equal(t, 2, rep.ChatsDeleted)
	require.Equal(t, len(busy.EventIDs), w.count(t, `SELECT count(*) FROM bridge_events WHERE integration_id = $1`, a))
	require.Zero(t, w.count(t, `SELECT count(*) FROM bridge_calls c JOIN bridge_events e ON e.id = c.event_id WHERE e.integration_id = $1`, a))
	require.Equal(t, 1, w.count(t, `SELECT count(*) FROM chats WHERE integration_id = $1`, a))
	require.Equal(t, 3, w.count(t, `SELECT count(*) FROM bridge_events WHERE integration_id = $1`, b))

	// Once delivered, the event finishes normally.
	w.botGate.open()
	w.waitIdle(t)
}

// Sent mail loses its body after 30 days; newer mail and mail not yet
// sent keep theirs.
func TestRetentionPrunesMailBodies(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	ins, err := jobs.InsertOnly(mail.Workers(nil, nil, nil))
	require.NoError(t, err)
	ids := map[string]int64{}
	for _, name := range []string{"old", "new", "unsent"} {
		require.NoError(t, db.InTx(ctx, w.pool, func(tx pgx.Tx) error {
			id, err := mail.Enqueue(ctx, tx, ins, mail.Message{To: name + "@example.com", Subject: "Hello " + name, Body: "body of " + name})
			ids[name] = id
			return err
		}))
	}
	for _, name := range []string{"old", "new"} {
		require.NoError(t, dbsqlc.New(w.pool).MarkMailSent(ctx, ids[name]))
	}
	_, err = w.pool.Exec(ctx, `UPDATE mail_outbox SET sent_at = now() - interval '31 days', created_at = now() - interval '31 days' WHERE id = $1`, ids["old"])
	require.NoError(t, err)
	_, err = w.pool.Exec(ctx, `UPDATE mail_outbox SET created_at = now() - interval '31 days' WHERE id = $1`, ids["unsent"])
	require.NoError(t, err)

	rep, err := lifecycle.Retention{DB: w.pool}.Run(ctx, 0)
	require.NoError(t, err)
	require.Equal(t, 1, rep.MailPruned)
	bodies := map[int64]string{}
	rows, err := w.pool.Query(ctx, `SELECT id, body, subject FROM mail_outbox`)
	require.NoError(t, err)
	for rows.Next() {
		var id int64
		var body, subject string
		require.NoError(t, rows.Scan(&id, &body, &subject))
		require.NotEmpty(t, subject, "the envelope stays")
		bodies[id] = body
	}
	require.NoError(t, rows.Err())
	require.Equal(t, "", bodies[ids["old"]])
	require.Equal(t, "body of new", bodies[ids["new"]])
	require.Equal(t, "body of unsent", bodies[ids["unsent"]])
}

// A run that ran out of time says where its sweep of chats stopped; the
// next resumes there instead of starting over.
func TestRetentionResumesChatSweep(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	w.chat(t, w.b, 1, "r1")
	w.chat(t, w.b, 2, "r2")
	w.waitIdle(t)
	w.age(t, w.b, 40*day)
	var first int64
	require.NoError(t, w.pool.QueryRow(ctx, `SELECT min(id) FROM chats WHERE project_id = $1`, w.b.Project.ID).Scan(&first))

	rep, err := lifecycle.Retention{DB: w.pool, Batch: 1, ChatsAfter: first}.Run(ctx, 0)
	require.NoError(t, err)
	require.Equal(t, 1, rep.ChatsStripped, "only the chats after the cursor")
	require.Zero(t, rep.ChatsAfter, "the sweep finished")
	require.Equal(t, 1, w.count(t, `SELECT count(*) FROM chats WHERE id = $1 AND visitor_id = 'r1'`, first))

	rep, err = lifecycle.Retention{DB: w.pool, Batch: 1}.Run(ctx, time.Nanosecond)
	require.NoError(t, err)
	require.True(t, rep.More, "a spent budget leaves work for the next run")
}

// The periodic job does the same work through River.
func TestRetentionJob(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	w.chat(t, w.b, 1, "j1")
	w.waitIdle(t)
	w.age(t, w.b, 31*day)
	_, err := w.river.Insert(ctx, lifecycle.RetentionArgs{}, nil)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		return w.count(t, `SELECT count(*) FROM bridge_events WHERE integration_id = $1 AND content_removed_at IS NULL`, w.b.Integration().ID) == 0 &&
			w.count(t, `SELECT count(*) FROM chats WHERE project_id = $1 AND visitor_id <> ''`, w.b.Project.ID) == 0
	}, waitFor, tick)
	require.NotNil(t, lifecycle.RetentionJob())
}
