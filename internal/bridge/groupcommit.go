package bridge

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/botbridge/botbridge/internal/webim"
)

// Group commit. Most of a webhook's cost in PostgreSQL is fixed per
// transaction and per statement (BEGIN, the COMMIT's WAL flush, River's
// insert statement), not per row. So a webhook that arrives while earlier
// ones are being committed joins the next batch, and one transaction then
// resolves the batch's webhook keys, upserts its chats, inserts all its
// events (in arrival order) and enqueues one job per chat that has none
// waiting. A webhook that finds no batch in progress is committed at once,
// alone: an idle server adds no latency. Each webhook is still
// acknowledged only after the transaction holding its events committed. If
// a batch fails, each of its webhooks is retried alone, so one bad event
// never fails the others.
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

// group queues the webhooks waiting for a transaction on the engine's pool.
type group struct {
	mu       sync.Mutex
	queue    []*ingestReq
	flushers int
	// kick wakes one of the engine's maxBatchFlushers flusher goroutines,
	// started with the first webhook and parked between bursts: a
	// goroutine per batch grew its stack from scratch every time (two stack
	// copies per webhook, a sixth of ingest's instructions under callgrind).
	kick  chan struct{}
	start sync.Once
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

// ingestGrouped stores r in the next batch transaction and waits for it.
func (e *Engine) ingestGrouped(ctx context.Context, r *ingestReq) (Ingested, error) {
	g := &e.groups
	r.done = make(chan struct{})
	g.mu.Lock()
	g.queue = append(g.queue, r)
	start := g.flushers < maxBatchFlushers
	if start {
		g.flushers++
	}
	g.mu.Unlock()
	if start {
		// The flusher outlives this request if need be: its transaction
		// carries other webhooks too.
		g.start.Do(func() {
			g.kick = make(chan struct{}, maxBatchFlushers)
			for range maxBatchFlushers {
				go func() {
					for range g.kick {
						e.flush()
					}
				}()
			}
		})
		g.kick <- struct{}{} // never blocks: one kick per flusher counted
	}
	select {
	case <-r.done:
	case <-ctx.Done():
		// The batch may still commit the event; a redelivery is deduplicated.
		return Ingested{}, ctx.Err()
	}
	if errors.Is(r.err, errBatchFailed) {
		alone := &ingestReq{keyHash: r.keyHash, ev: r.ev}
		if err := e.storeInTx(ctx, []*ingestReq{alone}, true); err != nil {
			return Ingested{}, err
		}
		return alone.res, alone.err
	}
	return r.res, r.err
}

// flush commits batches until the queue is empty, then ends.
func (e *Engine) flush() {
	g := &e.groups
	for {
		g.mu.Lock()
		n := min(len(g.queue), maxBatch)
		if n == 0 {
			g.flushers--
			g.mu.Unlock()
			return
		}
		batch := slices.Clone(g.queue[:n])
		g.queue = slices.Delete(g.queue, 0, n)
		g.mu.Unlock()

		ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
		if err := e.storeInTx(ctx, batch, true); err != nil {
			if len(batch) > 1 {
				e.log().Warn("bridge: group commit failed; storing its webhooks one by one", "webhooks", len(batch), "error", err)
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
