package backoff

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDelayGrowsWithJitterAndIsCapped(t *testing.T) {
	t.Parallel()
	base, maxDelay := 15*time.Second, time.Hour
	cases := []struct {
		attempt int
		step    time.Duration
	}{
		{0, 15 * time.Second},
		{1, 15 * time.Second},
		{2, 30 * time.Second},
		{3, time.Minute},
		{8, 32 * time.Minute},
		{9, time.Hour},
		{40, time.Hour},
		{1000, time.Hour},
	}
	for _, tc := range cases {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := Delay(tc.attempt, base, maxDelay)
			require.LessOrEqual(t, d, tc.step, "attempt %d", tc.attempt)
			require.GreaterOrEqual(t, d, tc.step/2, "attempt %d", tc.attempt)
			seen[d] = true
		}
		require.Greater(t, len(seen), 1, "attempt %d: no jitter", tc.attempt)
	}
}
