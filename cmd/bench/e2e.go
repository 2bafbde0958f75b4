package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/botbridge/botbridge/internal/demobot"
)

// e2ePrefix starts every benchmark message; the demo bot echoes it back as
// demobot.EchoPrefix + text, which identifies the reply.
const e2ePrefix = "e2e "

// receipts timestamps the replies arriving at the sandboxes.
type receipts struct {
	mu      sync.Mutex
	at      map[int]time.Time
	waiters map[int]chan struct{}
}

func newReceipts() *receipts {
	return &receipts{at: map[int]time.Time{}, waiters: map[int]chan struct{}{}}
}

// wrap timestamps each send_message carrying a benchmark echo the moment
// its request reaches the sandbox, then lets the sandbox handle it.
func (rc *receipts) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		if strings.HasSuffix(r.URL.Path, "/send_message") {
			body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			r.Body = io.NopCloser(bytes.NewReader(body))
			var m struct {
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
			}
			if json.Unmarshal(body, &m) == nil {
				if rest, ok := strings.CutPrefix(m.Message.Text, demobot.EchoPrefix+e2ePrefix); ok {
					if seq, err := strconv.Atoi(rest); err == nil {
						rc.mark(seq, now)
					}
				}
			}
		}
		h.ServeHTTP(w, r)
	})
}

func (rc *receipts) mark(seq int, at time.Time) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if _, dup := rc.at[seq]; dup {
		return
	}
	rc.at[seq] = at
	if ch, ok := rc.waiters[seq]; ok {
		close(ch)
		delete(rc.waiters, seq)
	}
}

// wait blocks until seq's reply arrived (or timeout) and returns its time.
func (rc *receipts) wait(ctx context.Context, seq int, timeout time.Duration) (time.Time, bool) {
	rc.mu.Lock()
	if at, ok := rc.at[seq]; ok {
		rc.mu.Unlock()
		return at, true
	}
	ch := make(chan struct{})
	rc.waiters[seq] = ch
	rc.mu.Unlock()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	case <-ctx.Done():
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	at, ok := rc.at[seq]
	return at, ok
}

func (rc *receipts) get(seq int) (time.Time, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	at, ok := rc.at[seq]
	return at, ok
}

// e2eTarget spreads messages over the chats: message seq goes to chat
// seq mod chats, so a chat gets a new message only long after its last.
type e2eTarget struct {
	urls  []string
	chats []int64
}

func newE2ETarget(base string, accts []account) e2eTarget {
	var t e2eTarget
	for _, a := range accts {
		for _, c := range a.Chats {
			t.urls = append(t.urls, a.WebhookURL(base))
			t.chats = append(t.chats, c)
		}
	}
	return t
}

func (t e2eTarget) send(ctx context.Context, client *http.Client, seq int) error {
	i := seq % len(t.chats)
	id := "e" + strconv.Itoa(seq)
	return postWebhook(ctx, client, t.urls[i], newMessageBody(t.chats[i], id, e2ePrefix+strconv.Itoa(seq)))
}

// e2eIdle sends n messages one at a time, each after the previous reply
// arrived and a pause of gap, and returns webhook-sent → reply-received.
func e2eIdle(ctx context.Context, client *http.Client, t e2eTarget, rc *receipts, first, n int, gap time.Duration) ([]time.Duration, int, error) {
	var lat []time.Duration
	lost := 0
	for i := range n {
		seq := first + i
		sent := time.Now()
		if err := t.send(ctx, client, seq); err != nil {
			return nil, lost, err
		}
		at, ok := rc.wait(ctx, seq, 10*time.Second)
		if !ok {
			lost++
			continue
		}
		lat = append(lat, at.Sub(sent))
		if gap > 0 {
			time.Sleep(gap)
		}
	}
	return lat, lost, ctx.Err()
}

// e2eClosed measures the pipeline's maximum: one sender per chat, each
// sending its chat's next message as soon as the previous reply arrived
// (as visitors do), for d. It returns replies per second and the first
// sequence number it did not use. Each message is a job of its own here
// (its chat's previous job has finished), the steady state of live chats.
func e2eClosed(ctx context.Context, client *http.Client, t e2eTarget, rc *receipts, first int, d time.Duration) (float64, int, error) {
	chats := len(t.chats)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		done     int
		firstErr error
		maxRound int
	)
	start := time.Now()
	deadline := start.Add(d)
	for g := range chats {
		wg.Add(1)
		go func() {
			defer wg.Done()
			round := 0
			for ; time.Now().Before(deadline) && ctx.Err() == nil; round++ {
				// Chat g gets every chats-th sequence number (see send).
				seq := first + round*chats + (g-first%chats+chats)%chats
				err := t.send(ctx, client, seq)
				if err == nil {
					if _, ok := rc.wait(ctx, seq, 30*time.Second); !ok {
						err = fmt.Errorf("message %d: no reply within 30 s", seq)
					}
				}
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if err == nil && time.Now().Before(deadline) {
					done++
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
			mu.Lock()
			maxRound = max(maxRound, round)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return 0, 0, firstErr
	}
	return float64(done) / d.Seconds(), first + (maxRound+1)*chats, ctx.Err()
}

// e2eLoad offers messages at rate for d (open model) and returns, for each
// acknowledged one, scheduled send → reply received; replies missing 30 s
// after the last send are counted as lost.
func e2eLoad(ctx context.Context, client *http.Client, t e2eTarget, rc *receipts, first int, rate float64, d time.Duration) ([]time.Duration, int, openResult) {
	n := int(rate * d.Seconds())
	sched := make([]time.Time, n)
	sentOK := make([]bool, n)
	res := openLoop(ctx, rate, n, 512, func(ctx context.Context, i int, at time.Time) error {
		sched[i] = at
		err := t.send(ctx, client, first+i)
		sentOK[i] = err == nil
		return err
	})
	deadline := time.Now().Add(30 * time.Second)
	var lat []time.Duration
	lost := 0
	for i := range n {
		if !sentOK[i] {
			continue
		}
		at, ok := rc.get(first + i)
		for !ok && time.Now().Before(deadline) && ctx.Err() == nil {
			at, ok = rc.wait(ctx, first+i, time.Until(deadline))
		}
		if !ok {
			lost++
			continue
		}
		lat = append(lat, at.Sub(sched[i]))
	}
	return lat, lost, res
}

func describeOpen(r openResult) string {
	s := fmt.Sprintf("%d sent, %d failed, %d left late", len(r.Latencies)+r.Failed, r.Failed, r.Lagged)
	if r.FirstErr != nil {
		s += fmt.Sprintf(" (first error: %v)", r.FirstErr)
	}
	return s
}
