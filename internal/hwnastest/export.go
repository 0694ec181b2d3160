package hwnastest

import (
	"math/rand/v2"
	"os"
	"testing"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine/nn"
)

// NeedPython returns a python3 that imports modules (FindPython), skipping
// t without one, or failing it under CI=true, where it must be installed.
func NeedPython(t testing.TB, modules ...string) string {
	t.Helper()
	py, err := FindPython(modules...)
	if err == nil {
		return py
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and python3 cannot import %v: %v", modules, err)
	}
	t.Skipf("python3 cannot import %v: %v", modules, err)
	return ""
}

// Weights returns seeded initial weights of net with its biases and batch
// normalisation statistics moved away from 0 and 1, so that an export test
// sees every tensor matter.
func Weights(t testing.TB, net *arch.Network) *nn.Weights {
	t.Helper()
	w, err := nn.Init(net, 5)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range w.Layers {
		l := &w.Layers[i]
		for _, v := range [][]float32{l.B, l.Beta, l.Mean} {
			for k := range v {
				v[k] = float32(r.NormFloat64() * 0.1)
			}
		}
		for _, v := range [][]float32{l.Gamma, l.Var} {
			for k := range v {
				v[k] = float32(0.5 + r.Float64())
			}
		}
	}
	return w
}
