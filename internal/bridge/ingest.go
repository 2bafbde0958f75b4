package bridge

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/oklog/ulid/v2"
	"github.com/riverqueue/river"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/webim"
)

// Ingest stores a known Webim event that arrived at the webhook URL with
// key, and enqueues its chat's job unless one is already waiting, all in
// one transaction: when it returns nil the event is durable and will be
// delivered, so the webhook may be acknowledged. A key of no integration
// accepting webhooks (unknown, rotated, disabled, deleted) is
// apperr.ErrNotFound.
//
// Concurrent calls share transactions (group commit, groupcommit.go). The
// key is resolved inside the storing transaction rather than before it: no
// extra round trip per webhook, and an integration deleted or disabled
// before the transaction stores nothing more.
func (e *Engine) Ingest(ctx context.Context, key string, ev webim.Event) (Ingested, error) {
	hash, err := integration.WebhookKeyHash(key)
	if err != nil {
		return Ingested{}, err
	}
	return e.ingestGrouped(ctx, &ingestReq{keyHash: hash, ev: ev})
}

// IngestTx is Ingest inside the caller's transaction (no group commit):
// the event is durable when the caller commits.
func (e *Engine) IngestTx(ctx context.Context, tx pgx.Tx, key string, ev webim.Event) (Ingested, error) {
	hash, err := integration.WebhookKeyHash(key)
	if err != nil {
		return Ingested{}, err
	}
	r := &ingestReq{keyHash: hash, ev: ev}
	if err := e.store(ctx, tx, []*ingestReq{r}, true); err != nil {
		return Ingested{}, err
	}
	return r.res, r.err
}

// storeInTx stores batch in a transaction of its own on the engine's pool.
func (e *Engine) storeInTx(ctx context.Context, batch []*ingestReq, enqueue bool) error {
	return db.InTx(ctx, e.Pool, func(tx pgx.Tx) error { return e.store(ctx, tx, batch, enqueue) })
}

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

// jobMarkFresh is how long a chat's job mark holds new jobs back (see
// migrations/00014_chat_job_queued.sql): long enough that a busy queue
// does not fill with redundant jobs, short enough that a lost job delays
// a chat by a minute at most.
const jobMarkFresh = time.Minute

// store stores the webhooks of batch in tx, with the outcome of storing
// them one after another in queue order: a later non-empty visitor field
// wins, new_chat gives the chat back to the bot, events get ids in arrival
// order, a duplicate is stored once (for the first webhook carrying it),
// and each chat with new events and no job waiting gets one (unless
// enqueue is false: the 1.0 ingress delivers inline). A webhook whose key
// belongs to no integration accepting webhooks gets apperr.ErrNotFound in
// its err and stores nothing; an error returned fails the whole batch.
func (e *Engine) store(ctx context.Context, tx pgx.Tx, batch []*ingestReq, enqueue bool) error {
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
	q := dbsqlc.New(tx)
	up := dbsqlc.UpsertChatsParams{}
	for _, c := range order {
		up.KeyHashes, up.PlatformChatIds = append(up.KeyHashes, []byte(c.key.keyHash)), append(up.PlatformChatIds, c.key.platformID)
		up.VisitorIds, up.VisitorNames = append(up.VisitorIds, c.visitor), append(up.VisitorNames, c.name)
		up.VisitorPhones, up.VisitorEmails = append(up.VisitorPhones, c.phone), append(up.VisitorEmails, c.email)
	}
	upserted, err := q.UpsertChats(ctx, up)
	if err != nil {
		return fmt.Errorf("bridge: upsert chats: %w", err)
	}
	var started []int64
	for _, row := range upserted {
		c := chats[chatKey{string(row.WebhookKeyHash), row.PlatformChatID}]
		if c == nil {
			return fmt.Errorf("bridge: upsert chats: unexpected chat %d", row.ID)
		}
		c.id, c.integration = row.ID, row.IntegrationID
		if c.started {
			started = append(started, row.ID)
		}
	}
	if len(started) > 0 {
		if err := q.GiveChatsToBot(ctx, started); err != nil {
			return fmt.Errorf("bridge: chat state: %w", err)
		}
	}

	ins := dbsqlc.InsertEventsParams{Enqueue: enqueue, MarkFreshSecs: jobMarkFresh.Seconds()}
	for i, r := range batch {
		c := chats[chatKey{string(r.keyHash), r.ev.ChatID}]
		if c.integration == 0 {
			r.res, r.err = Ingested{}, fmt.Errorf("bridge: webhook key: %w", apperr.ErrNotFound)
			continue
		}
		r.res, r.err = Ingested{IntegrationID: c.integration, ChatID: c.id}, nil
		for _, p := range evs[i] {
			var msg []byte // nil is SQL NULL: an event without a message
			if p.message != nil {
				if msg, err = json.Marshal(p.message); err != nil {
					return fmt.Errorf("bridge: encode message: %w", err)
				}
			}
			ins.PublicIds, ins.DedupKeys = append(ins.PublicIds, newPublicID()), append(ins.DedupKeys, p.dedup)
			ins.ApiVersions, ins.Types = append(ins.ApiVersions, r.ev.Version), append(ins.Types, p.typ)
			ins.IntegrationIds, ins.ChatIds = append(ins.IntegrationIds, c.integration), append(ins.ChatIds, c.id)
			ins.Messages = append(ins.Messages, msg)
		}
	}
	stored := map[eventKey]int64{}
	var jobChats []int64
	if len(ins.DedupKeys) > 0 {
		rows, err := q.InsertEvents(ctx, ins)
		if err != nil {
			return fmt.Errorf("bridge: store events: %w", err)
		}
		for _, row := range rows {
			stored[eventKey{row.IntegrationID, row.DedupKey}] = row.ID
			if row.Marked && !slices.Contains(jobChats, row.ChatID) {
				jobChats = append(jobChats, row.ChatID)
			}
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
}

// chatInsertOpts: plenty of attempts, since the job is mostly snoozed (lock
// busy, backoff) and real failures are counted per event, not per job.
func chatInsertOpts() *river.InsertOpts {
	return &river.InsertOpts{Queue: Queue, MaxAttempts: 25}
}

// enqueueChats inserts one chat job per chat, in one statement.
func (e *Engine) enqueueChats(ctx context.Context, tx pgx.Tx, chatIDs []int64) error {
	if len(chatIDs) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(chatIDs))
	for i, id := range chatIDs {
		params[i] = river.InsertManyParams{Args: ChatArgs{ChatID: id}, InsertOpts: chatInsertOpts()}
	}
	if _, err := e.Jobs.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("bridge: enqueue: %w", err)
	}
	return nil
}

// Integration is the integration whose webhook URL has key, if it accepts
// webhooks (else apperr.ErrNotFound): the ingress asks before refusing a
// webhook, so an unknown key is 404 whatever the body.
func (e *Engine) Integration(ctx context.Context, key string) (integration.Integration, error) {
	return integration.LookupByWebhookKey(ctx, e.Pool, key)
}
