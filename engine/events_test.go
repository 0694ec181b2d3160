package engine

import (
	"strings"
	"testing"
)

// TestArchEpochText renders an epoch of a differentiable search: one line
// with each position's most likely candidate, and the table of every
// candidate's probability (a "-" where a position lacks it, a "*" on each
// position's most likely).
func TestArchEpochText(t *testing.T) {
	a := &ArchEpoch{Strategy: "proxyless", Sweep: "target=0.3", Epoch: 4, Epochs: 10, Loss: 1.25, CE: 1.5, LatencyMs: 0.2125, TargetMs: 0.3, Seconds: 1.26,
		Positions: []ArchPosition{
			{Name: "layer2", Candidates: []string{"mbconv(expand=1 kernel=3)", "skip"}, Probs: []float64{0.25, 0.75}},
			{Name: "layer10", Candidates: []string{"mbconv(expand=3 kernel=5)", "mbconv(expand=1 kernel=3)"}, Probs: []float64{0.5, 0.5}},
		}}
	if got, want := a.Line(), "proxyless target=0.3 epoch 4/10: loss 1.2500 (CE 1.5000), E[latency] 0.2125 ms (target 0.3 ms), 1.3 s; layer2 skip 75% layer10 mbconv(expand=3 kernel=5) 50%"; got != want {
		t.Errorf("line:\n got %s\nwant %s", got, want)
	}
	want := []string{
		"  candidate                  layer2   layer10",
		"  mbconv(expand=1 kernel=3)     25%       50%",
		"  skip                          75%*        -",
		"  mbconv(expand=3 kernel=5)       -       50%*",
	}
	if got := a.Distribution(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("table:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
