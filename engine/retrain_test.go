package engine

import (
	"context"
	"slices"
	"testing"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine/data"
	"github.com/hwnas/hwnas/metric"
)

// TestRetrainBitIdentical: Retrain gives the metrics Evaluate gave, and the
// same weights with one thread or two: what export relies on.
func TestRetrainBitIdentical(t *testing.T) {
	net := &arch.Network{Input: arch.Shape{H: 28, W: 28, C: 1}, Classes: 10}
	x := net.Append(arch.Layer{Op: arch.Conv, Kernel: 3, Stride: 2, Pad: 1, Out: 6, BN: true, Act: arch.ReLU}, arch.Input)
	net.Append(arch.Layer{Op: arch.Dense, Out: 10}, net.Append(arch.Layer{Op: arch.GlobalAvgPool}, x))
	te := &TrainEvaluator{Source: "mnist", Load: data.MNIST}
	req := Request{Network: net, Fidelity: Fidelity{Train: 200, Val: 50, Test: 50, Epochs: 1, Batch: 25, Seed: 4}, Threads: 1}
	ev, err := te.Evaluate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	r1, err := te.Retrain(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	req.Threads = 2
	r2, err := te.Retrain(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{metric.Accuracy, metric.TestAccuracy} {
		if r1.Metrics[m] != ev.Metrics[m] || r2.Metrics[m] != ev.Metrics[m] {
			t.Errorf("%s: Evaluate %v, Retrain %v and %v", m, ev.Metrics[m], r1.Metrics[m], r2.Metrics[m])
		}
	}
	for i := range r1.Weights.Layers {
		if a, b := r1.Weights.Layers[i], r2.Weights.Layers[i]; !slices.Equal(a.W, b.W) || !slices.Equal(a.Mean, b.Mean) {
			t.Errorf("layer %d: weights differ between two retrainings", i)
		}
	}
	if len(r1.Mean) != 1 || len(r1.Std) != 1 || !(r1.Std[0] > 0) {
		t.Errorf("input statistics %v %v", r1.Mean, r1.Std)
	}
}
