package hwnastest

import (
	"math/rand/v2"
	"os"
	"testing"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine/data"
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

// MNISTTest returns n images of the MNIST test set, drawn with seed.
func MNISTTest(t testing.TB, n int, seed uint64) *data.Set {
	t.Helper()
	_, test, err := data.MNIST()
	if err != nil {
		t.Fatal(err)
	}
	s, err := test.Subset(n, seed)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ExportSpec trains two small networks on a little MNIST on one board:
// experiment tiny, for the export tests of the command line and the kernel.
const ExportSpec = `
platform pynq from "PYNQ-Z1" { precision = int16 }
space tinyspace {
  input 28x28x1
  batchnorm = true
  repeat 2 {
    conv { kernel in {3, 5}  filters in {4, 8}  stride = 1 }
  }
  head gap, dense(10)
}
dataset small {
  source = builtin("mnist")
  train = 300  val = 100  test = 100
  epochs = 1  batch = 32
}
experiment tiny {
  space = tinyspace  platform = pynq  dataset = small
  maximize accuracy
  minimize latency
  budget 2 trials
  seed 2
}
`

// MobileSpace is a small MBConv space for supernet tests: a stride-4 stem
// and two slots of an mbconv (expansion 1 or 3, kernel 3 or 5, 8 filters)
// or skip, 5 · 5 = 25 networks.
func MobileSpace() *arch.ChainSpace {
	mb := arch.ChainLayer{Alts: []arch.LayerAlt{{Kind: "mbconv", Params: []arch.Param{
		{Name: "expand", Values: []int{1, 3}}, {Name: "kernel", Values: []int{3, 5}}, {Name: "filters", Values: []int{8}}}}, {Kind: "skip"}}}
	return &arch.ChainSpace{SpaceName: "mobile", Input: arch.Shape{H: 28, W: 28, C: 1},
		Blocks: []arch.ChainBlock{{MinRepeat: 1, MaxRepeat: 1, Layers: []arch.ChainLayer{
			{Alts: []arch.LayerAlt{{Kind: "conv", Params: []arch.Param{{Name: "filters", Values: []int{8}}, {Name: "stride", Values: []int{4}}}}}}, mb, mb}}},
		Head: []arch.HeadLayer{{Kind: "gap"}, {Kind: "dense", Units: 10}}}
}
