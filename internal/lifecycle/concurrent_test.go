package lifecycle_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/lifecycle"
)

// Retention running in small batches, over and over, while webhooks keep
// coming into old and new chats and the workers deliver them: no webhook
// fails, every one is stored and delivered, no chat job errs, old content
// is gone and new content is all there.
func TestRetentionWhileIngestAndDelivery(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	require.NoError(t, lifecycle.SetRetentionDays(ctx, w.pool, w.a.Project.ID, w.a.Owner.ID, 7))
	const oldChats = 40
	for i := range oldChats {
		w.chat(t, w.a, 1000+i, fmt.Sprintf("old%d", i))
	}
	w.waitIdle(t)
	w.age(t, w.a, 10*day)
	oldEvents := w.count(t, `SELECT count(*) FROM bridge_events WHERE integration_id = $1`, w.a.Integration().ID)

	const senders, perSender = 4, 40
	stop := make(chan struct{})
	retErr := make(chan error, 1)
	var stripped int
	go func() {
		var err error
		for err == nil {
			select {
			case <-stop:
				retErr <- nil
				return
			default:
			}
			var rep lifecycle.Report
			rep, err = lifecycle.Retention{DB: w.pool, Batch: 7}.Run(ctx, 0)
			stripped += rep.EventsStripped
		}
		retErr <- err
	}()
	var wg sync.WaitGroup
	errs := make(chan error, senders*perSender)
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range perSender {
				// Half into the old chats (which come back to life), half into new ones.
				chat := 1000 + (s*perSender+m)%oldChats
				if m%2 == 1 {
					chat = 5000 + s*perSender + m
				}
				if _, err := w.ingest(w.a, fmt.Sprintf(`{"event":"new_message","chat_id":%d,"message":{"id":"n%d-%d","kind":"visitor","text":"fresh %d-%d"}}`, chat, s, m, s, m)); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	w.waitIdle(t)
	close(stop)
	require.NoError(t, <-retErr)
	// One more pass now that everything is finished.
	rep, err := lifecycle.Retention{DB: w.pool, Batch: 7}.Run(ctx, 0)
	require.NoError(t, err)
	stripped += rep.EventsStripped

	a := w.a.Integration().ID
	require.Equal(t, oldEvents+senders*perSender, w.count(t, `SELECT count(*) FROM bridge_events WHERE integration_id = $1`, a), "no event lost")
	require.Equal(t, senders*perSender, w.count(t, `SELECT count(*) FROM bridge_events WHERE integration_id = $1 AND message->>'text' LIKE 'fresh %'
		AND status = 'done' AND content_removed_at IS NULL`, a), "every new message delivered, with its content")
	require.Zero(t, w.count(t, `SELECT count(*) FROM bridge_events WHERE integration_id = $1 AND status = 'failed'`, a))
	require.Equal(t, oldEvents, stripped, "every old event stripped once")
	require.Equal(t, oldEvents, w.count(t, `SELECT count(*) FROM bridge_events WHERE integration_id = $1 AND content_removed_at IS NOT NULL AND message IS NULL`, a))
	require.Zero(t, w.count(t, `SELECT count(*) FROM river_job WHERE kind = 'bridge_chat' AND cardinality(errors) > 0`))
}
