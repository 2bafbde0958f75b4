package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPercentileNearestRank(t *testing.T) {
	t.Parallel()
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	cases := []struct {
		name    string
		samples []time.Duration
		p       float64
		want    time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"median of odd", ms(5, 1, 3), 50, 3 * time.Millisecond},
		{"median of even is the lower middle", ms(4, 1, 3, 2), 50, 2 * time.Millisecond},
		{"p95 of 1..100", ms(seq(1, 100)...), 95, 95 * time.Millisecond},
		{"p99 of 1..100", ms(seq(1, 100)...), 99, 99 * time.Millisecond},
		{"p99 of 1..10 is the max", ms(seq(1, 10)...), 99, 10 * time.Millisecond},
		{"p100 is the max", ms(3, 9, 1), 100, 9 * time.Millisecond},
		{"tiny p is the min", ms(3, 9, 1), 0.1, 1 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, percentile(tc.samples, tc.p))
		})
	}
}

func TestPercentileLeavesInputAlone(t *testing.T) {
	t.Parallel()
	in := []time.Duration{3, 1, 2}
	_ = percentile(in, 50)
	require.Equal(t, []time.Duration{3, 1, 2}, in)
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	var s []time.Duration
	for i := 200; i >= 1; i-- {
		s = append(s, time.Duration(i)*time.Microsecond)
	}
	got := summarize(s)
	require.Equal(t, summary{N: 200, P50: 100 * time.Microsecond, P95: 190 * time.Microsecond,
		P99: 198 * time.Microsecond, Max: 200 * time.Microsecond}, got)
	require.Equal(t, summary{}, summarize(nil))
}

func TestPerSecond(t *testing.T) {
	t.Parallel()
	require.InDelta(t, 250.0, perSecond(500, 2*time.Second), 1e-9)
	require.Zero(t, perSecond(10, 0))
	require.InDelta(t, 1.5, ms(1500*time.Microsecond), 1e-9)
}

func seq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}
