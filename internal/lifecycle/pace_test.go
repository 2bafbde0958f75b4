package lifecycle

import (
	"testing"
	"time"
)

// The pause between batches is Pause, stretched to PaceFactor times a
// batch that took longer (a busy database), and none when Pause is 0.
func TestRetentionPause(t *testing.T) {
	s := &runState{r: Retention{Pause: 100 * time.Millisecond}}
	s.batchStart = time.Now()
	if got := s.pause(); got != 100*time.Millisecond {
		t.Fatalf("a quick batch: pause %v, want Pause", got)
	}
	s.batchStart = time.Now().Add(-time.Second)
	if got := s.pause(); got < PaceFactor*time.Second || got > PaceFactor*time.Second+time.Second {
		t.Fatalf("a 1 s batch: pause %v, want about %v", got, PaceFactor*time.Second)
	}
	s.r.Pause = 0
	if got := s.pause(); got != 0 {
		t.Fatalf("Pause 0: pause %v, want none", got)
	}
}
