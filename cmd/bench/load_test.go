package main

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestScheduledAtIsEvenlySpaced(t *testing.T) {
	t.Parallel()
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	require.Equal(t, start, scheduledAt(start, 200, 0))
	require.Equal(t, start.Add(5*time.Millisecond), scheduledAt(start, 200, 1))
	require.Equal(t, start.Add(time.Second), scheduledAt(start, 200, 200))
	require.Equal(t, start.Add(1500*time.Millisecond), scheduledAt(start, 2, 3))
}

func TestOpenLoopCallsEveryRequestOnce(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := map[int]time.Time{}
	res := openLoop(context.Background(), 2000, 100, 8, func(_ context.Context, i int, at time.Time) error {
		mu.Lock()
		defer mu.Unlock()
		seen[i] = at
		if i%10 == 0 {
			return errors.New("boom")
		}
		return nil
	})
	require.Len(t, seen, 100)
	require.Equal(t, 10, res.Failed)
	require.EqualError(t, res.FirstErr, "boom")
	require.Len(t, res.Latencies, 90)
	// Scheduled times follow the constant rate from the first one.
	for i := 1; i < 100; i++ {
		require.Equal(t, scheduledAt(seen[0], 2000, i), seen[i])
	}
}

// With one request in flight and each taking longer than the interval, the
// backlog must show as latency measured from the schedule: request k cannot
// finish before (k+1)·work after the start, but was scheduled at k·interval.
func TestOpenLoopMeasuresFromScheduleNotSend(t *testing.T) {
	t.Parallel()
	const (
		rate = 1000 // 1 ms interval
		work = 4 * time.Millisecond
		n    = 20
	)
	res := openLoop(context.Background(), rate, n, 1, func(context.Context, int, time.Time) error {
		time.Sleep(work)
		return nil
	})
	require.Len(t, res.Latencies, n)
	s := summarize(res.Latencies)
	// The last request waited for the 19 before it: at least 20·4 − 19·1 ms.
	require.GreaterOrEqual(t, s.Max, time.Duration(n)*work-time.Duration(n-1)*time.Millisecond)
	require.Positive(t, res.Lagged, "requests left after their scheduled time")
	for _, l := range res.Latencies {
		require.GreaterOrEqual(t, l, work)
	}
}

func TestClosedLoopCountsAndNumbersUniquely(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seqs := map[int64]bool{}
	var twice []int64 // the workers record; the test goroutine asserts
	var calls atomic.Int64
	res := closedLoop(context.Background(), 4, 50*time.Millisecond, func(_ context.Context, seq int64) error {
		mu.Lock()
		if seqs[seq] {
			twice = append(twice, seq)
		}
		seqs[seq] = true
		mu.Unlock()
		calls.Add(1)
		time.Sleep(time.Millisecond)
		if seq%2 == 1 {
			return errors.New("odd")
		}
		return nil
	})
	mu.Lock()
	require.Empty(t, twice, "seqs handed out twice")
	mu.Unlock()
	require.Positive(t, res.OK)
	require.Positive(t, res.Failed)
	// Calls finishing after the deadline are not counted (one per worker).
	require.LessOrEqual(t, res.OK+res.Failed, calls.Load())
	require.GreaterOrEqual(t, res.OK+res.Failed, calls.Load()-4)
	require.Equal(t, 50*time.Millisecond, res.Elapsed)
	require.EqualError(t, res.FirstErr, "odd")
}

func TestClosedLoopStopsOnCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int64
	res := closedLoop(ctx, 2, time.Hour, func(context.Context, int64) error {
		if calls.Add(1) == 10 {
			cancel()
		}
		return nil
	})
	require.GreaterOrEqual(t, calls.Load(), int64(10))
	require.Less(t, res.Elapsed, time.Hour)
}
