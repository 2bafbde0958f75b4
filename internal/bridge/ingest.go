package bridge

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
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
	res, err := e.ingestGrouped(ctx, &ingestReq{keyHash: hash, ev: ev})
	if err == nil {
		e.noteSeen(ctx, hash, ev.Name, ev.WebimVersion)
	}
	return res, err
}

// seenEvery is how often one process records that an integration's account
// called with a kind of event and release (integration_seen): often enough
// for "last event 2 min ago", rarely enough to cost nothing per webhook.
const seenEvery = 10 * time.Second

// noteSeen records the call in integration_seen unless this process did so
// for the same integration, kind and release within seenEvery. It runs
// after the event is stored, outside its transaction; a failure is logged
// and never fails the webhook.
func (e *Engine) noteSeen(ctx context.Context, keyHash []byte, kind, version string) {
	k := string(keyHash) + "\x00" + kind + "\x00" + version
	now := time.Now()
	if last, ok := e.seen.Load(k); ok && now.Sub(last.(time.Time)) < seenEvery {
		return
	}
	e.seen.Store(k, now)
	if err := dbsqlc.New(e.Pool).TouchIntegrationSeenByKey(ctx, dbsqlc.TouchIntegrationSeenByKeyParams{
		KeyHash: keyHash, Kind: kind, WebimVersion: version}); err != nil {
		e.log().Warn("bridge: record last seen", "error", err)
	}
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
	extra   *eventExtra
}

// eventExtra is what an event carries besides its message
// (bridge_events.extra).
type eventExtra struct {
	// Messages of chat.returned: what was said since the hand-over.
	Messages []botapi.Message `json:"messages,omitempty"`
	// Operator of chat.assigned, when Webim named one.
	Operator *botapi.Operator `json:"operator,omitempty"`
}

// eventsOf turns a Webim webhook into bot events, in order. new_chat carries
// the chat's history: each visitor message in it becomes its own message
// event (deduped by message id, so a later new_message for the same id is
// stored once); operator messages are not the bot's business until the chat
// comes back to it (see returnedEvent). A new_message of any kind is the
// visitor's; one without an id is deduped by the body's hash.
func eventsOf(ev webim.Event) []pending {
	var out []pending
	if ev.Name == webim.EventNewChat {
		out = append(out, pending{dedup: "chat:" + ev.ChatID, typ: botapi.TypeChatStarted})
	}
	for _, m := range ev.Messages {
		if ev.Name == webim.EventNewChat && !m.FromVisitor() {
			continue
		}
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

// chatHistory is what the bridge already knows of a returned chat.
type chatHistory struct {
	// known holds the ids of history messages already given to the bot
	// (as message events, or carried by an earlier chat.returned).
	known map[string]bool
	// botTexts are the texts the bot sent to the chat.
	botTexts map[string]bool
}

// returnedEvent is the one event of a new_chat for a chat the bot had
// handed over: chat.returned with the history since the hand-over, which
// starts after the last message the bot already knows, less the bot's own
// replies that Webim lists as operator messages right after it. A true
// duplicate of the webhook (same body) is stored once.
func returnedEvent(ev webim.Event, h chatHistory) pending {
	start := 0
	for i, m := range ev.Messages {
		if m.ID != "" && h.known[m.ID] {
			start = i + 1
		}
	}
	since := ev.Messages[start:]
	for len(since) > 0 && !since[0].FromVisitor() && h.botTexts[since[0].Text] {
		since = since[1:]
	}
	extra := &eventExtra{Messages: []botapi.Message{}}
	for _, m := range since {
		extra.Messages = append(extra.Messages, webim.HistoryMessage(m))
	}
	return pending{dedup: "returned:" + ev.ChatID + ":sha256:" + ev.BodyHash, typ: botapi.TypeChatReturned, extra: extra}
}

// markCarried stores the visitor messages a chat.returned carries as done
// message events, so they are never given to the bot again on their own.
func markCarried(ctx context.Context, q *dbsqlc.Queries, c *batchChat, ev webim.Event, p pending) error {
	args := dbsqlc.InsertCarriedMessagesParams{IntegrationID: c.integration, ChatID: c.id, ApiVersion: ev.Version}
	for _, m := range p.extra.Messages {
		if m.ID != "" && m.Kind != "" && (webim.Message{Kind: m.Kind}).FromVisitor() {
			args.PublicIds, args.DedupKeys = append(args.PublicIds, newPublicID()), append(args.DedupKeys, "msg:"+ev.ChatID+":"+m.ID)
		}
	}
	if len(args.DedupKeys) == 0 {
		return nil
	}
	if err := q.InsertCarriedMessages(ctx, args); err != nil {
		return fmt.Errorf("bridge: carried messages: %w", err)
	}
	return nil
}

// loadHistories reads what the bridge knows of the returned chats'
// histories, for returnedEvent.
func loadHistories(ctx context.Context, q *dbsqlc.Queries, chatIDs []int64) (map[int64]chatHistory, error) {
	out := make(map[int64]chatHistory, len(chatIDs))
	for _, id := range chatIDs {
		out[id] = chatHistory{known: map[string]bool{}, botTexts: map[string]bool{}}
	}
	rows, err := q.ListReturnHistory(ctx, chatIDs)
	if err != nil {
		return nil, fmt.Errorf("bridge: chat history: %w", err)
	}
	for _, r := range rows {
		h := out[r.ChatID]
		if rest, ok := strings.CutPrefix(r.DedupKey, "msg:"); ok {
			if _, id, ok := strings.Cut(rest, ":"); ok && !strings.HasPrefix(id, "sha256:") {
				h.known[id] = true
			}
		}
		if len(r.Extra) > 0 {
			var x eventExtra
			if json.Unmarshal(r.Extra, &x) == nil {
				for _, m := range x.Messages {
					if m.ID != "" {
						h.known[m.ID] = true
					}
				}
			}
		}
		if len(r.Calls) > 0 {
			var calls []storedCall
			if json.Unmarshal(r.Calls, &calls) == nil {
				for _, c := range calls {
					var body struct {
						Message struct {
							Text string `json:"text"`
						} `json:"message"`
					}
					if json.Unmarshal(c.Body, &body) == nil && body.Message.Text != "" {
						h.botTexts[body.Message.Text] = true
					}
				}
			}
		}
	}
	return out, nil
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
	started, quoted             bool
	// mark: the chat's webhooks bring events for the bot, so it needs a
	// job unless one is waiting (UpsertChats).
	mark bool
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
// and each chat with events for the bot and no job waiting gets one (a
// batch of duplicates too; unless enqueue is false: the 1.0 ingress
// delivers inline). A webhook whose key
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
		c.quoted = r.ev.ChatIDQuoted // the latest form wins
		evs[i] = eventsOf(r.ev)
		// Only a chat with something for the bot needs a job (a batch of
		// duplicates still gets one, which finds nothing: rare and harmless).
		c.mark = c.mark || (enqueue && len(evs[i]) > 0)
	}
	q := dbsqlc.New(tx)
	up := dbsqlc.UpsertChatsParams{MarkFreshSecs: jobMarkFresh.Seconds()}
	for _, c := range order {
		up.Marks = append(up.Marks, c.mark)
		up.KeyHashes, up.PlatformChatIds = append(up.KeyHashes, []byte(c.key.keyHash)), append(up.PlatformChatIds, c.key.platformID)
		up.Quoted = append(up.Quoted, c.quoted)
		up.VisitorIds, up.VisitorNames = append(up.VisitorIds, c.visitor), append(up.VisitorNames, c.name)
		up.VisitorPhones, up.VisitorEmails = append(up.VisitorPhones, c.phone), append(up.VisitorEmails, c.email)
	}
	upserted, err := q.UpsertChats(ctx, up)
	if err != nil {
		return fmt.Errorf("bridge: upsert chats: %w", err)
	}
	var started []int64
	var jobChats []chatJob
	for _, row := range upserted {
		c := chats[chatKey{string(row.WebhookKeyHash), row.PlatformChatID}]
		if c == nil {
			return fmt.Errorf("bridge: upsert chats: unexpected chat %d", row.ID)
		}
		c.id, c.integration = row.ID, row.IntegrationID
		if row.Marked {
			jobChats = append(jobChats, chatJob{row.ID, row.IntegrationID})
		}
		if c.started {
			started = append(started, row.ID)
		}
	}
	var histories map[int64]chatHistory
	if len(started) > 0 {
		returned, err := q.GiveChatsToBot(ctx, started)
		if err != nil {
			return fmt.Errorf("bridge: chat state: %w", err)
		}
		if len(returned) > 0 {
			if histories, err = loadHistories(ctx, q, returned); err != nil {
				return err
			}
		}
	}

	ins := dbsqlc.InsertEventsParams{}
	for i, r := range batch {
		c := chats[chatKey{string(r.keyHash), r.ev.ChatID}]
		if c.integration == 0 {
			r.res, r.err = Ingested{}, fmt.Errorf("bridge: webhook key: %w", apperr.ErrNotFound)
			continue
		}
		r.res, r.err = Ingested{IntegrationID: c.integration, ChatID: c.id}, nil
		if h, ok := histories[c.id]; ok && r.ev.Name == webim.EventNewChat {
			// The chat came back from an operator: one chat.returned instead
			// of chat.started and the history's messages.
			p := returnedEvent(r.ev, h)
			evs[i] = []pending{p}
			if err := markCarried(ctx, q, c, r.ev, p); err != nil {
				return err
			}
		}
		for _, p := range evs[i] {
			var msg, extra []byte // nil is SQL NULL
			if p.message != nil {
				if msg, err = json.Marshal(p.message); err != nil {
					return fmt.Errorf("bridge: encode message: %w", err)
				}
			}
			if p.extra != nil {
				if extra, err = json.Marshal(p.extra); err != nil {
					return fmt.Errorf("bridge: encode event: %w", err)
				}
			}
			ins.PublicIds, ins.DedupKeys = append(ins.PublicIds, newPublicID()), append(ins.DedupKeys, p.dedup)
			ins.ApiVersions, ins.Types = append(ins.ApiVersions, r.ev.Version), append(ins.Types, p.typ)
			ins.IntegrationIds, ins.ChatIds = append(ins.IntegrationIds, c.integration), append(ins.ChatIds, c.id)
			ins.Messages, ins.Extras = append(ins.Messages, msg), append(ins.Extras, extra)
		}
	}
	stored := map[eventKey]int64{}
	if len(ins.DedupKeys) > 0 {
		rows, err := q.InsertEvents(ctx, ins)
		if err != nil {
			return fmt.Errorf("bridge: store events: %w", err)
		}
		for _, row := range rows {
			stored[eventKey{row.IntegrationID, row.DedupKey}] = row.ID
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

// chatJob names a chat that needs a job, with its integration.
type chatJob struct{ chat, integration int64 }

// enqueueChats inserts one chat job per chat, in one statement.
func (e *Engine) enqueueChats(ctx context.Context, tx pgx.Tx, chats []chatJob) error {
	if len(chats) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(chats))
	for i, c := range chats {
		params[i] = river.InsertManyParams{Args: ChatArgs{ChatID: c.chat, IntegrationID: c.integration}, InsertOpts: chatInsertOpts()}
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
