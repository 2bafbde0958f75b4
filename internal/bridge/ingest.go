package bridge

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/oklog/ulid/v2"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/webim"
)

// ChatArgs is the River job that works through one chat's pending events.
// A chat has one job waiting at most (see storeEvents); jobs that overlap
// anyway (one running, the next queued) take turns on the chat lock.
type ChatArgs struct {
	ChatID int64 `json:"chat_id"`
}

// Kind names the job in River's table.
func (ChatArgs) Kind() string { return "bridge_chat" }

// Queue is the River queue for chat delivery.
const Queue = "bridge"

// pending is one event to store.
type pending struct {
	dedup   string
	typ     string
	message *botapi.Message
}

// eventsOf turns a Webim webhook into bot events, in order. new_chat carries
// the visitor's messages so far: each becomes its own message event (deduped
// by message id, so a later new_message for the same id is stored once).
func eventsOf(ev webim.Event) []pending {
	var out []pending
	if ev.Name == webim.EventNewChat {
		out = append(out, pending{dedup: "chat:" + ev.ChatID, typ: botapi.TypeChatStarted})
	}
	for _, m := range ev.Messages {
		typ, msg, ok := webim.BotMessage(m)
		if !ok {
			continue
		}
		key := "msg:" + ev.ChatID + ":" + m.ID
		if ev.Name == webim.EventNewMessage {
			key = webim.DedupKey(ev)
		} else if m.ID == "" {
			continue // history without ids cannot be deduplicated; the bot gets chat.started
		}
		out = append(out, pending{dedup: key, typ: typ, message: &msg})
	}
	return out
}

// newPublicID returns a sortable unique event id ("evt_01J…").
func newPublicID() string {
	return "evt_" + ulid.MustNew(ulid.Now(), rand.Reader).String()
}

// Ingested says what the ingress stored.
type Ingested struct {
	IntegrationID int64
	ChatID        int64
	// Stored counts new events; duplicates are not stored again.
	Stored int
	// EventIDs are the ids of the events stored (in order).
	EventIDs []int64
}

// Ingest stores a known Webim event that arrived at the webhook URL with
// key, and enqueues its chat's job unless one is already waiting, all in
// one transaction: when it
// returns nil the event is durable and will be delivered, so the webhook
// may be acknowledged. A key of no integration accepting webhooks
// (unknown, rotated, disabled, deleted) is apperr.ErrNotFound.
//
// The key is resolved inside the storing transaction rather than before
// it: no extra round trip per webhook (it was a fifth of the ingress's
// cost), and an integration deleted or disabled before the transaction
// stores nothing more. On a pool, concurrent calls share transactions
// (group commit, see below).
func (e *Engine) Ingest(ctx context.Context, conn db.Conn, key string, ev webim.Event) (Ingested, error) {
	hash, err := integration.WebhookKeyHash(key)
	if err != nil {
		return Ingested{}, err
	}
	r := &ingestReq{keyHash: hash, ev: ev}
	if pool, ok := conn.(*pgxpool.Pool); ok {
		return e.ingestGrouped(ctx, pool, r)
	}
	return e.ingestOne(ctx, conn, r, true)
}

// ingestOne stores one webhook in a transaction of its own.
func (e *Engine) ingestOne(ctx context.Context, conn db.Conn, r *ingestReq, enqueue bool) (Ingested, error) {
	if err := e.store(ctx, conn, []*ingestReq{r}, enqueue); err != nil {
		return Ingested{}, err
	}
	return r.res, r.err
}

// Group commit. Most of a webhook's cost in PostgreSQL is fixed per
// transaction and per statement (BEGIN, the COMMIT's WAL flush, River's
// insert statement), not per row. So a webhook that arrives while earlier
// ones are being committed joins the next batch, and one transaction then
// resolves the batch's webhook keys, upserts its chats, inserts all its
// events (in arrival order) and enqueues one job per chat that has none
// waiting. A webhook that finds no batch in progress is committed at once,
// alone: an idle server adds no latency. Each webhook is still acknowledged only after the
// transaction holding its events committed. If a batch fails, each of its
// webhooks is retried alone, so one bad event never fails the others.
const (
	// maxBatchFlushers bounds the batch transactions in flight per process
	// (measured on 2 cores: 1–2 give the highest rate, more only add cost;
	// 2 keeps ingest moving while one batch waits on a lock or a slow flush).
	maxBatchFlushers = 2
	// maxBatch bounds the webhooks in one transaction.
	maxBatch = 128
	// batchTimeout bounds one batch transaction.
	batchTimeout = 30 * time.Second
)

// batcher queues the webhooks waiting for a transaction on one pool; the
// engine drops it when idle.
type batcher struct {
	pool     *pgxpool.Pool
	mu       sync.Mutex
	queue    []*ingestReq
	flushers int
}

// ingestReq is one webhook to store: the hash of its URL's key and its
// event, and once stored, the outcome.
type ingestReq struct {
	keyHash []byte
	ev      webim.Event
	res     Ingested
	err     error
	done    chan struct{}
}

// errBatchFailed sends the webhooks of a failed batch back to ingest, alone.
var errBatchFailed = errors.New("bridge: batch failed")

func (e *Engine) ingestGrouped(ctx context.Context, pool *pgxpool.Pool, r *ingestReq) (Ingested, error) {
	v, _ := e.batchers.LoadOrStore(pool, &batcher{pool: pool})
	b := v.(*batcher)
	r.done = make(chan struct{})
	b.mu.Lock()
	b.queue = append(b.queue, r)
	start := b.flushers < maxBatchFlushers
	if start {
		b.flushers++
	}
	b.mu.Unlock()
	if start {
		// The flusher outlives this request if need be: its transaction
		// carries other webhooks too.
		go b.flush(e)
	}
	select {
	case <-r.done:
	case <-ctx.Done():
		// The batch may still commit the event; a redelivery is deduplicated.
		return Ingested{}, ctx.Err()
	}
	if errors.Is(r.err, errBatchFailed) {
		return e.ingestOne(ctx, pool, &ingestReq{keyHash: r.keyHash, ev: r.ev}, true)
	}
	return r.res, r.err
}

// flush commits batches until the queue is empty, then ends.
func (b *batcher) flush(e *Engine) {
	for {
		b.mu.Lock()
		n := min(len(b.queue), maxBatch)
		if n == 0 {
			b.flushers--
			if b.flushers == 0 {
				// A caller that still holds b starts a flusher of its own.
				e.batchers.CompareAndDelete(b.pool, b)
			}
			b.mu.Unlock()
			return
		}
		batch := slices.Clone(b.queue[:n])
		b.queue = slices.Delete(b.queue, 0, n)
		b.mu.Unlock()

		ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
		if err := e.store(ctx, b.pool, batch, true); err != nil {
			if len(batch) > 1 {
				if e.Log != nil {
					e.Log.Warn("bridge: group commit failed; storing its webhooks one by one", "webhooks", len(batch), "error", err)
				}
				err = errBatchFailed
			}
			for _, r := range batch {
				r.res, r.err = Ingested{}, err
			}
		}
		cancel()
		for _, r := range batch {
			close(r.done)
		}
	}
}

// chatKey names a chat within a batch: the webhook key's hash and Webim's
// chat id.
type chatKey struct {
	keyHash    string
	platformID string
}

// eventKey names a stored event: integration and dedup key.
type eventKey struct {
	integration int64
	dedup       string
}

// batchChat is one chat of a batch with its visitor fields merged.
type batchChat struct {
	key                         chatKey
	visitor, name, phone, email string
	started                     bool
	// Set by the upsert; integration stays 0 when the key is not (or no
	// longer) an integration accepting webhooks.
	id, integration int64
}

// storeChats resolves the webhook keys to integrations accepting webhooks
// (the rule of integration.LookupByWebhookKey) and upserts the chats, in
// one statement. Rows are locked in (integration, chat) order so that
// concurrent batches cannot deadlock; an upsert may touch each row once,
// hence one input row per chat. A later non-empty visitor field wins.
const storeChats = `
	WITH accepting AS (
		SELECT id, project_id, webhook_key_hash FROM integrations
		WHERE webhook_key_hash = ANY($1::bytea[]) AND deleted_at IS NULL AND status IN ('active', 'unhealthy')
	), upserted AS (
		INSERT INTO chats (integration_id, project_id, platform_chat_id, visitor_id, visitor_name, visitor_phone, visitor_email)
		SELECT a.id, a.project_id, u.platform_chat_id, u.visitor_id, u.visitor_name, u.visitor_phone, u.visitor_email
		FROM unnest($1::bytea[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
			AS u(key_hash, platform_chat_id, visitor_id, visitor_name, visitor_phone, visitor_email)
		JOIN accepting a ON a.webhook_key_hash = u.key_hash
		ORDER BY a.id, u.platform_chat_id
		ON CONFLICT (integration_id, platform_chat_id) DO UPDATE SET
			last_event_at = now(),
			visitor_id    = CASE WHEN excluded.visitor_id    <> '' THEN excluded.visitor_id    ELSE chats.visitor_id END,
			visitor_name  = CASE WHEN excluded.visitor_name  <> '' THEN excluded.visitor_name  ELSE chats.visitor_name END,
			visitor_phone = CASE WHEN excluded.visitor_phone <> '' THEN excluded.visitor_phone ELSE chats.visitor_phone END,
			visitor_email = CASE WHEN excluded.visitor_email <> '' THEN excluded.visitor_email ELSE chats.visitor_email END
		RETURNING id, integration_id, platform_chat_id
	)
	SELECT u.id, u.integration_id, u.platform_chat_id, a.webhook_key_hash
	FROM upserted u JOIN accepting a ON a.id = u.integration_id`

// storeEvents inserts events in arrival order; a duplicate (integration,
// dedup key) is skipped. When $8 (enqueue) holds, it also marks each chat
// that got new events and has no job waiting (job_queued_at unset, or set
// more than $9 seconds ago) and says which chats it marked: those need a
// job. The chats were locked by storeChats, so a worker starting on one
// (clearing its mark, see Work) waits for this transaction and then sees
// its events.
const storeEvents = `
	WITH inserted AS (
		INSERT INTO bridge_events (public_id, integration_id, chat_id, dedup_key, api_version, type, message)
		SELECT u.public_id, u.integration_id, u.chat_id, u.dedup_key, u.api_version, u.type, u.message::jsonb
		FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[])
			WITH ORDINALITY AS u(public_id, integration_id, chat_id, dedup_key, api_version, type, message, ord)
		ORDER BY u.ord
		ON CONFLICT (integration_id, dedup_key) DO NOTHING
		RETURNING id, integration_id, dedup_key, chat_id
	), marked AS (
		UPDATE chats SET job_queued_at = now()
		WHERE $8::boolean AND id IN (SELECT chat_id FROM inserted)
		  AND (job_queued_at IS NULL OR job_queued_at < now() - make_interval(secs => $9::float8))
		RETURNING id
	)
	SELECT i.id, i.integration_id, i.dedup_key, i.chat_id, m.id IS NOT NULL
	FROM inserted i LEFT JOIN marked m ON m.id = i.chat_id`

// jobMarkFresh is how long a chat's job mark holds new jobs back (see
// migrations/00014_chat_job_queued.sql): long enough that a busy queue
// does not fill with redundant jobs, short enough that a lost job delays
// a chat by a minute at most.
const jobMarkFresh = time.Minute

// store stores the webhooks of batch in one transaction, with the outcome
// of storing them one after another in queue order: a later non-empty
// visitor field wins, new_chat gives the chat back to the bot, events get
// ids in arrival order, a duplicate is stored once (for the first webhook
// carrying it), and each chat with new events and no job waiting gets one
// (unless enqueue is false: the v1 ingress delivers inline). A webhook whose key belongs
// to no integration accepting webhooks gets apperr.ErrNotFound in its err
// and stores nothing; an error returned fails the whole batch.
func (e *Engine) store(ctx context.Context, conn db.Conn, batch []*ingestReq, enqueue bool) error {
	chats := map[chatKey]*batchChat{}
	var order []*batchChat
	evs := make([][]pending, len(batch))
	for i, r := range batch {
		k := chatKey{string(r.keyHash), r.ev.ChatID}
		c := chats[k]
		if c == nil {
			c = &batchChat{key: k}
			chats[k] = c
			order = append(order, c)
		}
		v := r.ev.Visitor
		c.visitor, c.name, c.phone, c.email = cmp.Or(v.ID, c.visitor), cmp.Or(v.Name, c.name), cmp.Or(v.Phone, c.phone), cmp.Or(v.Email, c.email)
		c.started = c.started || r.ev.Name == webim.EventNewChat
		evs[i] = eventsOf(r.ev)
	}
	var (
		hashes                                       [][]byte
		platformIDs, visitors, names, phones, emails []string
	)
	for _, c := range order {
		hashes, platformIDs = append(hashes, []byte(c.key.keyHash)), append(platformIDs, c.key.platformID)
		visitors, names, phones, emails = append(visitors, c.visitor), append(names, c.name), append(phones, c.phone), append(emails, c.email)
	}
	return db.InTx(ctx, conn, func(tx pgx.Tx) error {
		crows, err := tx.Query(ctx, storeChats, hashes, platformIDs, visitors, names, phones, emails)
		if err != nil {
			return fmt.Errorf("bridge: upsert chats: %w", err)
		}
		var started []int64
		for crows.Next() {
			var id, integ int64
			var platformID string
			var hash []byte
			if err := crows.Scan(&id, &integ, &platformID, &hash); err != nil {
				return fmt.Errorf("bridge: upsert chats: %w", err)
			}
			c := chats[chatKey{string(hash), platformID}]
			if c == nil {
				return fmt.Errorf("bridge: upsert chats: unexpected chat %d", id)
			}
			c.id, c.integration = id, integ
			if c.started {
				started = append(started, id)
			}
		}
		if err := crows.Err(); err != nil {
			return fmt.Errorf("bridge: upsert chats: %w", err)
		}
		if len(started) > 0 {
			// new_chat gives the chat back to the bot.
			if _, err := tx.Exec(ctx, `UPDATE chats SET state = 'bot' WHERE id = ANY($1) AND state <> 'bot'`, started); err != nil {
				return fmt.Errorf("bridge: chat state: %w", err)
			}
		}

		var (
			publicIDs, keys, versions, types []string
			evIntegs, chatIDs                []int64
			msgs                             []*string
		)
		for i, r := range batch {
			c := chats[chatKey{string(r.keyHash), r.ev.ChatID}]
			if c.integration == 0 {
				r.res, r.err = Ingested{}, fmt.Errorf("bridge: webhook key: %w", apperr.ErrNotFound)
				continue
			}
			r.res, r.err = Ingested{IntegrationID: c.integration, ChatID: c.id}, nil
			for _, p := range evs[i] {
				var msg *string
				if p.message != nil {
					b, err := json.Marshal(p.message)
					if err != nil {
						return fmt.Errorf("bridge: encode message: %w", err)
					}
					m := string(b)
					msg = &m
				}
				publicIDs, keys, versions, types = append(publicIDs, newPublicID()), append(keys, p.dedup), append(versions, r.ev.Version), append(types, p.typ)
				evIntegs, chatIDs, msgs = append(evIntegs, c.integration), append(chatIDs, c.id), append(msgs, msg)
			}
		}
		stored := map[eventKey]int64{}
		var jobChats []int64
		if len(keys) > 0 {
			erows, err := tx.Query(ctx, storeEvents, publicIDs, evIntegs, chatIDs, keys, versions, types, msgs,
				enqueue, jobMarkFresh.Seconds())
			if err != nil {
				return fmt.Errorf("bridge: store events: %w", err)
			}
			for erows.Next() {
				var id, chat int64
				var k eventKey
				var needsJob bool
				if err := erows.Scan(&id, &k.integration, &k.dedup, &chat, &needsJob); err != nil {
					return fmt.Errorf("bridge: store events: %w", err)
				}
				stored[k] = id
				if needsJob && !slices.Contains(jobChats, chat) {
					jobChats = append(jobChats, chat)
				}
			}
			if err := erows.Err(); err != nil {
				return fmt.Errorf("bridge: store events: %w", err)
			}
		}
		for i, r := range batch {
			if r.err != nil {
				continue
			}
			for _, p := range evs[i] {
				k := eventKey{r.res.IntegrationID, p.dedup}
				if id, ok := stored[k]; ok {
					delete(stored, k) // a duplicate later in the batch is not stored again
					r.res.Stored++
					r.res.EventIDs = append(r.res.EventIDs, id)
				}
			}
		}
		return e.enqueueChats(ctx, tx, jobChats)
	})
}

// enqueueChats inserts one chat job per chat, in one statement when the
// inserter can (River's client can).
func (e *Engine) enqueueChats(ctx context.Context, tx pgx.Tx, chatIDs []int64) error {
	if len(chatIDs) == 0 {
		return nil
	}
	if many, ok := e.Jobs.(interface {
		InsertManyTx(ctx context.Context, tx pgx.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
	}); ok {
		params := make([]river.InsertManyParams, len(chatIDs))
		for i, id := range chatIDs {
			params[i] = river.InsertManyParams{Args: ChatArgs{ChatID: id}, InsertOpts: chatInsertOpts()}
		}
		if _, err := many.InsertManyTx(ctx, tx, params); err != nil {
			return fmt.Errorf("bridge: enqueue: %w", err)
		}
		return nil
	}
	for _, id := range chatIDs {
		if _, err := e.Jobs.InsertTx(ctx, tx, ChatArgs{ChatID: id}, chatInsertOpts()); err != nil {
			return fmt.Errorf("bridge: enqueue: %w", err)
		}
	}
	return nil
}
