package nn

import (
	"context"
	"slices"
	"testing"
)

// TestKeepForward: the weights Train keeps, run through Forward, classify
// the test set exactly as Train's own accuracy says, and training again with
// the same seed keeps bit-identical weights.
func TestKeepForward(t *testing.T) {
	train, test := mnist(t)
	tr, te := subset(t, train, 400), subset(t, test, 150)
	run := func(threads int) (*Weights, Result) {
		var w Weights
		res, err := Train(context.Background(), smallNet(), tr, nil, te,
			Config{Epochs: 1, Batch: 50, Seed: 7, Threads: threads, Dropout: 0.1, Keep: &w})
		if err != nil {
			t.Fatal(err)
		}
		return &w, res
	}
	w, res := run(1)
	net := smallNet()
	out, err := Forward(net, w, te.X, te.Len())
	if err != nil {
		t.Fatal(err)
	}
	correct := 0
	for i := range te.Len() {
		z := out[i*10 : (i+1)*10]
		if argmax(z) == int(te.Y[i]) {
			correct++
		}
	}
	if acc := float64(correct) / float64(te.Len()); acc != res.TestAccuracy {
		t.Errorf("Forward with the kept weights: accuracy %v, Train said %v", acc, res.TestAccuracy)
	}
	w2, _ := run(2)
	for i := range w.Layers {
		a, b := w.Layers[i], w2.Layers[i]
		for k, pair := range [][2][]float32{{a.W, b.W}, {a.B, b.B}, {a.Gamma, b.Gamma}, {a.Beta, b.Beta}, {a.Mean, b.Mean}, {a.Var, b.Var}} {
			if !slices.Equal(pair[0], pair[1]) {
				t.Errorf("layer %d tensor %d differs between two runs with the same seed", i, k)
			}
		}
	}
	if w.Layers[0].Gamma == nil || w.Layers[2].W != nil {
		t.Errorf("layer 0 (conv+BN) gamma %v, layer 2 (add) weights %v", w.Layers[0].Gamma, w.Layers[2].W)
	}
}

func argmax(z []float32) int {
	best := 0
	for j, v := range z {
		if v > z[best] {
			best = j
		}
	}
	return best
}

// TestForwardErrors: wrong input sizes and weights are refused, not read.
func TestForwardErrors(t *testing.T) {
	net := smallNet()
	w, err := Init(net, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Forward(net, w, make([]float32, 10), 1); err == nil {
		t.Error("10 inputs for a 28x28x1 image: no error")
	}
	w.Layers[1].W = w.Layers[1].W[:3]
	if _, err := Forward(net, w, make([]float32, 784), 1); err == nil {
		t.Error("truncated conv weights: no error")
	}
}
