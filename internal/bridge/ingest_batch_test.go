package bridge

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/testfactory"
	"github.com/botbridge/botbridge/internal/webim"
)

// batchSetup is an engine without workers (jobs stay queued) and the
// webhook keys of two integrations of one project.
func batchSetup(t *testing.T) (*Engine, *pgxpool.Pool, string, string) {
	t.Helper()
	ctx := context.Background()
	pool, _ := dbtest.NewDatabase(t)
	kr := testfactory.Keyring(t, "bridge-test-secret-key-0123456789abcdef")
	ins, err := jobs.InsertOnly()
	require.NoError(t, err)
	e := NewEngine(Config{Pool: pool, Keyring: kr, Jobs: ins})
	var inputs []integration.Input
	for i := range 2 {
		in := testfactory.DefaultInput()
		in.Domain = fmt.Sprintf("http://127.0.0.1:%d", 9000+i)
		inputs = append(inputs, in)
	}
	tenant := testfactory.NewTenant(ctx, t, pool, &testfactory.TenantOpts{
		Owner:        &testfactory.UserOpts{Email: testfactory.Ptr("owner@example.com"), Password: testfactory.Ptr("owner password")},
		ProjectName:  testfactory.Ptr("Batch shop"),
		Keyring:      kr,
		Integrations: inputs,
	})
	return e, pool, tenant.Integrations[0].WebhookKey, tenant.Integrations[1].WebhookKey
}

func parse(t *testing.T, body string) webim.Event {
	t.Helper()
	ev, err := webim.ParseWebhook(webim.Version2, []byte(body))
	require.NoError(t, err)
	return ev
}

// parseBody is parse for goroutines other than the test's: they hand the
// error back instead of failing the test.
func parseBody(body string) (webim.Event, error) {
	return webim.ParseWebhook(webim.Version2, []byte(body))
}

func req(t *testing.T, key string, ev webim.Event) *ingestReq {
	t.Helper()
	hash, err := integration.WebhookKeyHash(key)
	require.NoError(t, err)
	return &ingestReq{keyHash: hash, ev: ev, done: make(chan struct{})}
}

func jobChats(t *testing.T, pool *pgxpool.Pool) map[int64]int {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT (args->>'chat_id')::bigint FROM river_job WHERE kind = 'bridge_chat'`)
	require.NoError(t, err)
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		require.NoError(t, rows.Scan(&id))
		out[id]++
	}
	require.NoError(t, rows.Err())
	return out
}

// One batch stores what the same webhooks stored one by one would: events
// in arrival order, a duplicate once (for its first webhook), visitor
// fields merged, new_chat giving the chat back to the bot, a job per chat.
func TestCommitBatchMatchesOneByOne(t *testing.T) {
	t.Parallel()
	e, pool, a, b := batchSetup(t)
	ctx := context.Background()
	// Chat 7 exists, transferred to a person, with a known phone.
	_, err := e.Ingest(ctx, a, parse(t, `{"event":"new_chat","chat":{"id":7},"visitor":{"id":"v7","fields":{"name":"Old","phone":"+100"}},"messages":[]}`))
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `UPDATE chats SET state = 'transferred' WHERE platform_chat_id = '7'`)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `DELETE FROM river_job; UPDATE chats SET job_queued_at = NULL`)
	require.NoError(t, err)

	batch := []*ingestReq{
		req(t, a, parse(t, `{"event":"new_chat","chat":{"id":1},"visitor":{"id":"v1","fields":{"name":"Ann"}},"messages":[]}`)),
		req(t, a, parse(t, `{"event":"new_message","chat_id":1,"message":{"id":"m1","kind":"visitor","text":"one"}}`)),
		req(t, b, parse(t, `{"event":"new_message","chat_id":1,"message":{"id":"m1","kind":"visitor","text":"other account"}}`)),
		req(t, a, parse(t, `{"event":"new_message","chat_id":1,"message":{"id":"m1","kind":"visitor","text":"one"}}`)),
		req(t, a, parse(t, `{"event":"new_message","chat_id":1,"message":{"id":"m2","kind":"visitor","text":"two"}}`)),
		req(t, a, parse(t, `{"event":"new_message","chat_id":7,"message":{"id":"m9","kind":"visitor","text":"still there?"}}`)),
		req(t, a, parse(t, `{"event":"new_chat","chat":{"id":8},"visitor":{"id":"v8","fields":{"name":"Bo"}},"messages":[{"id":"h1","kind":"visitor","text":"history"}]}`)),
		req(t, a, parse(t, `{"event":"new_chat","chat":{"id":7},"visitor":{"id":"v7","fields":{"name":"New"}},"messages":[]}`)),
	}
	require.NoError(t, e.storeInTx(ctx, batch, true))

	r := func(i int) Ingested { return batch[i].res }
	require.Equal(t, 1, r(0).Stored)
	require.Equal(t, 1, r(1).Stored)
	require.Equal(t, 1, r(2).Stored, "same ids in another integration are other events")
	require.Equal(t, 0, r(3).Stored, "a redelivery in the same batch is stored once")
	require.Empty(t, r(3).EventIDs)
	require.Equal(t, 1, r(4).Stored)
	require.Equal(t, 1, r(5).Stored)
	require.Equal(t, 2, r(6).Stored, "chat.started and the history message")
	require.Equal(t, 1, r(7).Stored, "chat 7 was handed over: new_chat brings it back, one chat.returned (no chat.started again)")
	var returnedType string
	require.NoError(t, pool.QueryRow(ctx, `SELECT type FROM bridge_events WHERE id = $1`, r(7).EventIDs[0]).Scan(&returnedType))
	require.Equal(t, "chat.returned", returnedType)
	require.Equal(t, r(0).ChatID, r(1).ChatID)
	require.Equal(t, r(0).ChatID, r(3).ChatID)
	require.NotEqual(t, r(0).ChatID, r(2).ChatID)
	require.Equal(t, r(5).ChatID, r(7).ChatID)
	require.Less(t, r(0).EventIDs[0], r(1).EventIDs[0])
	require.Less(t, r(1).EventIDs[0], r(4).EventIDs[0])
	require.Less(t, r(6).EventIDs[0], r(6).EventIDs[1])

	var types []string
	rows, err := pool.Query(ctx, `SELECT type || ':' || coalesce(message->>'text', '') FROM bridge_events WHERE chat_id = $1 ORDER BY id`, r(0).ChatID)
	require.NoError(t, err)
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		types = append(types, s)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"chat.started:", "message.text:one", "message.text:two"}, types)

	var name, phone, state string
	require.NoError(t, pool.QueryRow(ctx, `SELECT visitor_name, visitor_phone, state FROM chats WHERE id = $1`, r(5).ChatID).Scan(&name, &phone, &state))
	require.Equal(t, "New", name, "a later non-empty field wins")
	require.Equal(t, "+100", phone, "an empty field keeps the stored one")
	require.Equal(t, "bot", state, "new_chat gives the chat back to the bot, even as a redelivery")
	require.NoError(t, pool.QueryRow(ctx, `SELECT visitor_name, state FROM chats WHERE id = $1`, r(0).ChatID).Scan(&name, &state))
	require.Equal(t, "Ann", name)

	require.Equal(t, map[int64]int{r(0).ChatID: 1, r(2).ChatID: 1, r(5).ChatID: 1, r(6).ChatID: 1}, jobChats(t, pool))
}

// A batch that fails stores nothing and sends each webhook back to be
// stored alone, where only the bad one fails.
func TestFailedBatchFallsBackToOneByOne(t *testing.T) {
	t.Parallel()
	e, pool, a, _ := batchSetup(t)
	ctx := context.Background()
	// PostgreSQL refuses U+0000 in text, which fails the whole statement.
	// (The parser strips it from real webhooks; this event is built by hand.)
	poison := parse(t, `{"event":"new_message","chat_id":2,"message":{"id":"m1","kind":"visitor","text":"two"}}`)
	poison.ChatID = "2\x00"
	e.groups.flushers = 1
	good := req(t, a, parse(t, `{"event":"new_message","chat_id":1,"message":{"id":"m1","kind":"visitor","text":"one"}}`))
	bad := req(t, a, poison)
	e.groups.queue = []*ingestReq{good, bad}
	e.flush()
	for _, r := range []*ingestReq{good, bad} {
		<-r.done
		require.ErrorIs(t, r.err, errBatchFailed)
	}
	require.Zero(t, e.groups.flushers)
	var n int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM bridge_events`).Scan(&n))
	require.Zero(t, n, "the failed batch stored nothing")

	// Through Ingest, however the calls are batched, the good ones are
	// stored and only the bad one fails.
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev := poison
			if i != 7 {
				if ev, errs[i] = parseBody(fmt.Sprintf(`{"event":"new_message","chat_id":%d,"message":{"id":"x%d","kind":"visitor","text":"hi"}}`, 100+i, i)); errs[i] != nil {
					return
				}
			}
			_, errs[i] = e.Ingest(ctx, a, ev)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if i == 7 {
			require.Error(t, err)
			require.NotErrorIs(t, err, errBatchFailed, "the caller sees the real error")
		} else {
			require.NoError(t, err, "webhook %d", i)
		}
	}
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM bridge_events`).Scan(&n))
	require.Equal(t, 19, n)
}

// Keys are resolved inside the storing transaction: a webhook whose key
// belongs to no integration accepting webhooks is not found and stores
// nothing, while the rest of its batch is stored; disabling or deleting an
// integration turns its key away from the next webhook on.
func TestIngestResolvesKeysInTheBatch(t *testing.T) {
	t.Parallel()
	e, pool, a, b := batchSetup(t)
	ctx := context.Background()
	msg := func(chat, id string) webim.Event {
		return parse(t, fmt.Sprintf(`{"event":"new_message","chat_id":%s,"message":{"id":%q,"kind":"visitor","text":"hi"}}`, chat, id))
	}
	unknown := req(t, "no-such-key-0123456789abcdefghij", msg("1", "u1"))
	batch := []*ingestReq{req(t, a, msg("1", "a1")), unknown, req(t, b, msg("1", "b1"))}
	require.NoError(t, e.storeInTx(ctx, batch, true))
	require.NoError(t, batch[0].err)
	require.NoError(t, batch[2].err)
	require.ErrorIs(t, unknown.err, apperr.ErrNotFound)
	require.Zero(t, unknown.res.Stored)
	require.Equal(t, 1, batch[0].res.Stored)
	require.Equal(t, 1, batch[2].res.Stored)
	require.NotEqual(t, batch[0].res.IntegrationID, batch[2].res.IntegrationID)
	require.NotEqual(t, batch[0].res.ChatID, batch[2].res.ChatID, "chat 1 of each integration is its own chat")
	var n int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM bridge_events`).Scan(&n))
	require.Equal(t, 2, n)

	// Disabled: not found, on the batched path as on the single one.
	_, err := pool.Exec(ctx, `UPDATE integrations SET status = 'disabled' WHERE id = $1`, batch[0].res.IntegrationID)
	require.NoError(t, err)
	_, err = e.Ingest(ctx, a, msg("1", "a2"))
	require.ErrorIs(t, err, apperr.ErrNotFound)
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx)
	_, err = e.IngestTx(ctx, tx, a, msg("1", "a3"))
	require.ErrorIs(t, err, apperr.ErrNotFound)
	require.NoError(t, tx.Rollback(ctx))
	// Unhealthy integrations still take webhooks (their events wait for a
	// new token).
	_, err = pool.Exec(ctx, `UPDATE integrations SET status = 'unhealthy', unhealthy_reason = 'token' WHERE id = $1`, batch[0].res.IntegrationID)
	require.NoError(t, err)
	res, err := e.Ingest(ctx, a, msg("1", "a4"))
	require.NoError(t, err)
	require.Equal(t, 1, res.Stored)
	// Malformed keys never reach the database.
	for _, k := range []string{"", strings.Repeat("k", 300)} {
		_, err = e.Ingest(ctx, k, msg("1", "x"))
		require.ErrorIs(t, err, apperr.ErrNotFound)
	}
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM bridge_events`).Scan(&n))
	require.Equal(t, 3, n)
}

// Many concurrent webhooks (batched as they come): every event stored once,
// each chat's events in the order its sender sent them, every chat queued.
func TestConcurrentIngestKeepsChatOrder(t *testing.T) {
	t.Parallel()
	e, pool, a, b := batchSetup(t)
	ctx := context.Background()
	const senders, perSender = 24, 15
	ids := make([][]int64, senders)
	// Each sender reports its first problem here; the test goroutine alone
	// fails the test.
	errs := make([]error, senders)
	var wg sync.WaitGroup
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := a
			if s%2 == 1 {
				in = b
			}
			ingest := func(body string) (Ingested, error) {
				ev, err := parseBody(body)
				if err != nil {
					return Ingested{}, err
				}
				return e.Ingest(ctx, in, ev)
			}
			for m := range perSender {
				body := fmt.Sprintf(`{"event":"new_message","chat_id":%d,"message":{"id":"m%d","kind":"visitor","text":"%d"}}`, 1000+s, m, m)
				res, err := ingest(body)
				if err != nil {
					errs[s] = fmt.Errorf("sender %d: %w", s, err)
					return
				}
				// A redelivery of the same message, stored once.
				dup, err := ingest(body)
				if err != nil {
					errs[s] = fmt.Errorf("sender %d: %w", s, err)
					return
				}
				if res.Stored != 1 || dup.Stored != 0 {
					errs[s] = fmt.Errorf("sender %d message %d: stored %d then %d", s, m, res.Stored, dup.Stored)
					return
				}
				ids[s] = append(ids[s], res.EventIDs...)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	chats := map[int64]bool{}
	for s := range senders {
		require.Len(t, ids[s], perSender)
		rows, err := pool.Query(ctx, `SELECT e.id, e.message->>'text', e.chat_id FROM bridge_events e JOIN chats c ON c.id = e.chat_id
			WHERE c.platform_chat_id = $1 ORDER BY e.id`, fmt.Sprint(1000+s))
		require.NoError(t, err)
		var got []int64
		m := 0
		for rows.Next() {
			var id, chat int64
			var text string
			require.NoError(t, rows.Scan(&id, &text, &chat))
			require.Equal(t, fmt.Sprint(m), text, "sender %d: arrival order", s)
			m++
			got = append(got, id)
			chats[chat] = true
		}
		require.NoError(t, rows.Err())
		require.Equal(t, ids[s], got)
	}
	queued := jobChats(t, pool)
	require.Len(t, chats, senders)
	for c := range chats {
		require.Positive(t, queued[c], "chat %d has a job", c)
	}
}

// A chat has one job waiting at most: webhooks that arrive while it waits
// add their events to it. Once the job starts working the chat, the next
// webhook queues a new one; so does one arriving after the mark went stale
// (a lost job delays a chat, never strands it). 1.0 deliveries queue none.
func TestChatJobsCoalesce(t *testing.T) {
	t.Parallel()
	e, pool, a, _ := batchSetup(t)
	ctx := context.Background()
	n := 0
	send := func(chat int) Ingested {
		t.Helper()
		n++
		res, err := e.Ingest(ctx, a, parse(t, fmt.Sprintf(`{"event":"new_message","chat_id":%d,"message":{"id":"m%d","kind":"visitor","text":"hi"}}`, chat, n)))
		require.NoError(t, err)
		require.Equal(t, 1, res.Stored)
		return res
	}
	chat := send(1).ChatID
	send(1)
	send(1)
	other := send(2).ChatID
	require.Equal(t, map[int64]int{chat: 1, other: 1}, jobChats(t, pool), "one job waits per chat")

	require.NoError(t, dbsqlc.New(pool).ClearChatJobMark(ctx, chat)) // its job starts
	send(1)
	send(1)
	require.Equal(t, map[int64]int{chat: 2, other: 1}, jobChats(t, pool))

	_, err := pool.Exec(ctx, `UPDATE chats SET job_queued_at = now() - interval '61 seconds' WHERE id = $1`, chat)
	require.NoError(t, err)
	send(1)
	require.Equal(t, map[int64]int{chat: 3, other: 1}, jobChats(t, pool), "a stale mark holds nothing back")

	// A duplicate stores nothing. The chat is marked with the upsert that
	// precedes the events' insert, so a duplicate arriving while no job
	// waits queues one (it will find nothing); while that one waits, the
	// next duplicate queues none.
	require.NoError(t, dbsqlc.New(pool).ClearChatJobMark(ctx, chat))
	for range 2 {
		dup, err := e.Ingest(ctx, a, parse(t, fmt.Sprintf(`{"event":"new_message","chat_id":1,"message":{"id":"m%d","kind":"visitor","text":"hi"}}`, n)))
		require.NoError(t, err)
		require.Zero(t, dup.Stored)
		require.Equal(t, map[int64]int{chat: 4, other: 1}, jobChats(t, pool))
	}

	// The 1.0 ingress stores without a job and without marking the chat.
	hash, err := integration.WebhookKeyHash(a)
	require.NoError(t, err)
	require.NoError(t, dbsqlc.New(pool).ClearChatJobMark(ctx, chat))
	v1 := &ingestReq{keyHash: hash, ev: parse(t, `{"event":"new_message","chat_id":1,"message":{"id":"v1","kind":"visitor","text":"hi"}}`)}
	require.NoError(t, e.storeInTx(ctx, []*ingestReq{v1}, false))
	require.NoError(t, v1.err)
	require.Equal(t, 1, v1.res.Stored)
	var marked bool
	require.NoError(t, pool.QueryRow(ctx, `SELECT job_queued_at IS NOT NULL FROM chats WHERE id = $1`, chat).Scan(&marked))
	require.False(t, marked)
	require.Equal(t, map[int64]int{chat: 4, other: 1}, jobChats(t, pool))
}
