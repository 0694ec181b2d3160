package nn

import (
	"testing"
	"time"
)

// TestPeakGFLOPS checks the peak loop runs and gives a positive rate, and
// that the Go chains compute what they say (a fixed point of x·a + b).
func TestPeakGFLOPS(t *testing.T) {
	if g := PeakGFLOPS(1, 20*time.Millisecond); !(g > 0) {
		t.Fatalf("peak %g GFLOP/s", g)
	}
	if s := fmaLoopGo(0); s != 95*96/2 {
		t.Errorf("fmaLoopGo(0) = %g, want the initial sum %d", s, 95*96/2)
	}
}
