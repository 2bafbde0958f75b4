package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/oklog/ulid/v2"

	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/webim"
)

// chatsPerSender: each sender writes to its own chats, round robin, so
// concurrent requests never queue on one chat row (as in production, where
// one visitor waits for answers between messages).
const chatsPerSender = 50

// ingestTarget says which chat and integration message seq goes to, for a
// run tagged run: distinct message ids everywhere, every integration used.
func ingestTarget(run string, seq int64, senders int, accounts int) (acct int, chatID int64, msgID string) {
	sender := seq % int64(senders)
	round := seq / int64(senders)
	acct = int((sender + round) % int64(accounts))
	chatID = 1_000_000 + sender*chatsPerSender + round%chatsPerSender
	return acct, chatID, run + "-" + strconv.FormatInt(seq, 10)
}

// ingestRun measures acknowledged webhooks per second with concurrency
// closed-loop senders over the accounts (maximum throughput).
func ingestRun(ctx context.Context, client *http.Client, base string, accts []account, run string, senders int, d time.Duration) closedResult {
	urls := make([]string, len(accts))
	for i, a := range accts {
		urls[i] = a.WebhookURL(base)
	}
	return closedLoop(ctx, senders, d, func(ctx context.Context, seq int64) error {
		acct, chat, msg := ingestTarget(run, seq, senders, len(accts))
		return postWebhook(ctx, client, urls[acct], newMessageBody(chat, msg, "hello "+msg))
	})
}

// ingestOpen offers webhooks at a constant rate for d and returns the
// latencies from each request's scheduled time to its 200.
func ingestOpen(ctx context.Context, client *http.Client, base string, accts []account, run string, rate float64, d time.Duration, maxInFlight int) openResult {
	urls := make([]string, len(accts))
	for i, a := range accts {
		urls[i] = a.WebhookURL(base)
	}
	n := int(rate * d.Seconds())
	// Spread the open-model requests over as many chats as the closed
	// run's senders: a chat still sees one message at a time.
	return openLoop(ctx, rate, n, maxInFlight, func(ctx context.Context, i int, _ time.Time) error {
		acct, chat, msg := ingestTarget(run, int64(i), 64, len(accts))
		return postWebhook(ctx, client, urls[acct], newMessageBody(chat, msg, "hello "+msg))
	})
}

// baselineTable creates a scratch table shaped like bridge_events (same
// columns, defaults, identity, unique keys and indexes; no foreign keys).
func baselineTable(ctx context.Context, pool *pgxpool.Pool) error {
	_, err := pool.Exec(ctx, `
		DROP TABLE IF EXISTS bench_events;
		CREATE TABLE bench_events (LIKE bridge_events INCLUDING ALL)`)
	return err
}

// openBaselinePool opens size connections up front: botbridge's
// DB_MAX_CONNS, so both sides queue their senders on as many connections.
func openBaselinePool(ctx context.Context, url string, size int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns, cfg.MinConns = size, size
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// baselineRun is the database's own speed for the same write: one pgx
// INSERT per message into bench_events, the same columns and payload as
// the ingress stores, at the same concurrency.
func baselineRun(ctx context.Context, pool *pgxpool.Pool, integrationIDs []int64, run string, senders int, d time.Duration) closedResult {
	return closedLoop(ctx, senders, d, func(ctx context.Context, seq int64) error {
		return baselineInsert(ctx, pool, integrationIDs, run, seq, senders)
	})
}

// baselineOpen offers the same raw INSERTs at a constant rate for d: the
// latency the database itself gives a single committed write at the rate
// botbridge's open-model run used (its commit stalls show up here too).
func baselineOpen(ctx context.Context, pool *pgxpool.Pool, integrationIDs []int64, run string, rate float64, d time.Duration, maxInFlight int) openResult {
	return openLoop(ctx, rate, int(rate*d.Seconds()), maxInFlight, func(ctx context.Context, i int, _ time.Time) error {
		return baselineInsert(ctx, pool, integrationIDs, run, int64(i), 64)
	})
}

// baselineInsert is one raw INSERT of message seq (see ingestTarget).
func baselineInsert(ctx context.Context, pool *pgxpool.Pool, integrationIDs []int64, run string, seq int64, senders int) error {
	acct, chat, msg := ingestTarget(run, seq, senders, len(integrationIDs))
	body, err := json.Marshal(botapi.Message{Text: "hello " + msg})
	if err != nil {
		return err
	}
	var id int64
	err = pool.QueryRow(ctx, `
		INSERT INTO bench_events (public_id, integration_id, chat_id, dedup_key, api_version, type, message)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (integration_id, dedup_key) DO NOTHING
		RETURNING id`,
		"evt_"+ulid.MustNew(ulid.Now(), rand.Reader).String(), integrationIDs[acct], chat,
		"msg:"+strconv.FormatInt(chat, 10)+":"+msg, webim.Version2, botapi.TypeMessageText, body).Scan(&id)
	if err != nil {
		return fmt.Errorf("baseline insert: %w", err)
	}
	return nil
}

// baselineBatch is the rows per statement of the batched-insert baseline.
const baselineBatch = 50

// baselineBatchRun is the database's ceiling for this write: the same rows
// as baselineRun, inserted baselineBatch at a time (one multi-row INSERT
// … SELECT unnest, one commit) by one sender per connection. OK counts rows.
func baselineBatchRun(ctx context.Context, pool *pgxpool.Pool, integrationIDs []int64, run string, conns int, d time.Duration) closedResult {
	r := closedLoop(ctx, conns, d, func(ctx context.Context, seq int64) error {
		return baselineInsertBatch(ctx, pool, integrationIDs, run, seq, conns)
	})
	r.OK *= baselineBatch
	return r
}

// baselineInsertBatch inserts baselineBatch messages (batch seq) in one statement.
func baselineInsertBatch(ctx context.Context, pool *pgxpool.Pool, integrationIDs []int64, run string, seq int64, senders int) error {
	var pub, dedup, ver, typ []string
	var integ, chats []int64
	var bodies [][]byte
	for i := range int64(baselineBatch) {
		acct, chat, msg := ingestTarget(run, seq*baselineBatch+i, senders*baselineBatch, len(integrationIDs))
		body, err := json.Marshal(botapi.Message{Text: "hello " + msg})
		if err != nil {
			return err
		}
		pub = append(pub, "evt_"+ulid.MustNew(ulid.Now(), rand.Reader).String())
		integ, chats = append(integ, integrationIDs[acct]), append(chats, chat)
		dedup = append(dedup, "msg:"+strconv.FormatInt(chat, 10)+":"+msg)
		ver, typ, bodies = append(ver, webim.Version2), append(typ, botapi.TypeMessageText), append(bodies, body)
	}
	_, err := pool.Exec(ctx, `
		INSERT INTO bench_events (public_id, integration_id, chat_id, dedup_key, api_version, type, message)
		SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::jsonb[])
		ON CONFLICT (integration_id, dedup_key) DO NOTHING`,
		pub, integ, chats, dedup, ver, typ, bodies)
	if err != nil {
		return fmt.Errorf("baseline batch insert: %w", err)
	}
	return nil
}
