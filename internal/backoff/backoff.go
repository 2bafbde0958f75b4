// Package backoff is the one retry delay of botbridge (bridge calls to bots
// and Webim, mail delivery): exponential, capped, with jitter so that work
// that failed together (an outage) does not retry in lockstep.
package backoff

import (
	"math/rand/v2"
	"time"
)

// Delay is the wait after failed attempt n (1-based; below 1 counts as 1):
// base doubling per attempt, capped at max, with "equal jitter": a random
// point in the upper half of the step, so retries still space out while
// the cap holds.
func Delay(n int, base, max time.Duration) time.Duration {
	d := max
	if n < 1 {
		n = 1
	}
	if n <= 30 && base > 0 {
		if step := base << (n - 1); step > 0 && step < max {
			d = step
		}
	}
	half := d / 2
	return half + rand.N(d-half+1)
}
