package main

import (
	"bytes"
	"testing"

	"github.com/hwnas/hwnas/engine"
)

// TestProgressArchEpoch prints an epoch of a differentiable search as a
// line and one line per position with every candidate's probability.
func TestProgressArchEpoch(t *testing.T) {
	var b bytes.Buffer
	p := &runProgress{w: &b}
	a := &engine.ArchEpoch{Strategy: "proxyless", Sweep: "target=0.3", Epoch: 2, Epochs: 8, LatencyMs: 0.31, TargetMs: 0.3,
		Positions: []engine.ArchPosition{{Name: "layer2", Candidates: []string{"mbconv(expand=1 kernel=3)", "skip"}, Probs: []float64{0.4, 0.6}}}}
	p.event(engine.Event{Kind: engine.DiffEpoch, Arch: a, Note: a.Line(), BestTrial: -1})
	want := "[0] proxyless target=0.3 epoch 2/8: loss 0.0000 (CE 0.0000), E[latency] 0.31 ms (target 0.3 ms), 0.0 s; layer2 skip 60%\n" +
		"  layer2: mbconv(expand=1 kernel=3) 40% skip 60%\n"
	if got := b.String(); got != want {
		t.Errorf("printed\n%q\nwant\n%q", got, want)
	}
}
