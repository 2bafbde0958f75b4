package bridge

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The reserve goes to integrations below an even share; a single busy
// integration gets all but the reserve; releasing gives slots back.
func TestFairShare(t *testing.T) {
	t.Parallel()
	f := fairShare{workers: 10}
	require.Equal(t, 2, f.reserve())
	const slow, fast, third = 1, 2, 3
	for range 8 {
		require.True(t, f.admit(slow))
	}
	require.False(t, f.admit(slow), "the reserve is not for the integration holding the rest")
	require.True(t, f.admit(fast), "an integration holding nothing always gets in")
	require.True(t, f.admit(fast), "below an even share (⌈10 / (2 + 1)⌉ = 4)")
	// Every slot is taken now: River hands out no job until one ends.
	f.release(fast)
	require.True(t, f.admit(third))
	f.release(slow)
	require.True(t, f.admit(fast), "below its share (⌈10 / (3 + 1)⌉ = 3)")
	f.release(slow)
	require.True(t, f.admit(fast), "below its share")
	f.release(slow)
	require.False(t, f.admit(fast), "at its share, with only the reserve left")
	require.True(t, f.admit(third), "below its share")
	require.Equal(t, 10, f.busy)
	for range 3 {
		f.release(fast)
	}
	f.release(third)
	f.release(third)
	require.Equal(t, map[int64]int{slow: 5}, f.held)
	for range 3 {
		require.True(t, f.admit(slow), "below the reserve: first come, first served")
	}
	require.False(t, f.admit(slow))
	require.Equal(t, 8, f.busy)

	// Many tenants at their share use every slot: ten integrations with
	// two runs each fill 20 workers (rounded down, the share was one and
	// the reserve's four slots stayed empty).
	many := fairShare{workers: 20}
	for round := range 2 {
		for id := int64(1); id <= 10; id++ {
			require.True(t, many.admit(id), "integration %d, run %d", id, round+1)
		}
	}
	require.Equal(t, 20, many.busy)
	require.False(t, many.admit(1), "over its share: ⌈20 / 11⌉ = 2")

	for _, n := range []int{0, 1} {
		off := fairShare{workers: n}
		for range 20 {
			require.True(t, off.admit(slow), "%d workers: no fairness", n)
		}
	}
}

// lockBusyWait backs off from 300 ms to 2.4 s with the job's snoozes.
func TestLockBusyWait(t *testing.T) {
	t.Parallel()
	require.Equal(t, 300*time.Millisecond, lockBusyWait(nil))
	require.Equal(t, 300*time.Millisecond, lockBusyWait([]byte(`{}`)))
	require.Equal(t, 600*time.Millisecond, lockBusyWait([]byte(`{"snoozes":1}`)))
	require.Equal(t, 2400*time.Millisecond, lockBusyWait([]byte(`{"snoozes":40}`)))
}
