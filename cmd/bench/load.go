package main

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// closedResult is what a closed-loop run measured.
type closedResult struct {
	OK, Failed int64
	Elapsed    time.Duration
	FirstErr   error
}

// Rate is the successful operations per second.
func (r closedResult) Rate() float64 { return perSecond(r.OK, r.Elapsed) }

// closedLoop runs workers goroutines that call fn back to back for d (the
// maximum-throughput model: a new request leaves as soon as the previous
// one of that worker is answered). seq numbers the calls uniquely across
// workers. Calls still running at the deadline finish but are not counted.
func closedLoop(ctx context.Context, workers int, d time.Duration, fn func(ctx context.Context, seq int64) error) closedResult {
	var (
		ok, failed, seq atomic.Int64
		firstErr        error
		errOnce         sync.Once
		wg              sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				n := seq.Add(1) - 1
				err := fn(ctx, n)
				if time.Now().After(deadline) {
					return
				}
				if err != nil {
					failed.Add(1)
					errOnce.Do(func() { firstErr = err })
					continue
				}
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := d
	if ctx.Err() != nil {
		elapsed = time.Since(start)
	}
	return closedResult{OK: ok.Load(), Failed: failed.Load(), Elapsed: elapsed, FirstErr: firstErr}
}

// scheduledAt is when request i of an open-model run leaves: requests are
// spaced evenly at rate per second from start.
func scheduledAt(start time.Time, rate float64, i int) time.Time {
	return start.Add(time.Duration(float64(i) * float64(time.Second) / rate))
}

// openResult is what an open-model run measured. Latencies are measured
// from each request's scheduled send time, so a server (or a load
// generator) that falls behind shows up as latency instead of silently
// lowering the offered rate (no coordinated omission).
type openResult struct {
	Latencies []time.Duration
	Failed    int
	FirstErr  error
	// Lagged counts requests that left more than 5 ms after their
	// scheduled time (in-flight limit reached or the generator was starved).
	Lagged int
	// Elapsed is from the first scheduled send to the last completion.
	Elapsed time.Duration
}

// openLoop offers n requests at a constant arrival rate, whatever the
// server's answers: request i is scheduled at scheduledAt(start, rate, i)
// and dispatched on its own goroutine, with at most maxInFlight running.
// fn gets the request's index and scheduled time; its latency is the time
// from the schedule to fn's return.
func openLoop(ctx context.Context, rate float64, n, maxInFlight int, fn func(ctx context.Context, i int, at time.Time) error) openResult {
	var (
		mu  sync.Mutex
		res = openResult{Latencies: make([]time.Duration, 0, n)}
		wg  sync.WaitGroup
		sem = make(chan struct{}, maxInFlight)
	)
	start := time.Now()
	for i := 0; i < n && ctx.Err() == nil; i++ {
		at := scheduledAt(start, rate, i)
		if d := time.Until(at); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
		}
		sem <- struct{}{}
		lagged := time.Since(at) > 5*time.Millisecond
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			err := fn(ctx, i, at)
			lat := time.Since(at)
			mu.Lock()
			defer mu.Unlock()
			if lagged {
				res.Lagged++
			}
			if err != nil {
				res.Failed++
				if res.FirstErr == nil {
					res.FirstErr = err
				}
				return
			}
			res.Latencies = append(res.Latencies, lat)
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	return res
}
