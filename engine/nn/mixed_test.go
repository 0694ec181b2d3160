package nn

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/arch"
)

// mixedNet is a stem, one position mixing a 3x3 conv with batch norm, a
// 1x1 conv and the identity, then a pooled dense head; it returns the
// network and the index of its mixed layer.
func mixedNet() (*arch.Network, int) {
	n := &arch.Network{Input: arch.Shape{H: 5, W: 5, C: 2}, Classes: 3}
	stem := n.Append(arch.Layer{Name: "layer1", Op: arch.Conv, Kernel: 3, Pad: 1, Stride: 1, Out: 3, Act: arch.ReLU}, arch.Input)
	a := n.Append(arch.Layer{Name: "layer2#0.conv", Op: arch.Conv, Kernel: 3, Pad: 1, Stride: 1, Out: 3, BN: true, Act: arch.ReLU}, stem)
	b := n.Append(arch.Layer{Name: "layer2#1.conv", Op: arch.Conv, Kernel: 1, Stride: 1, Out: 3}, stem)
	mix := n.Append(arch.Layer{Name: "layer2.mix", Op: arch.Add}, a, b, stem)
	g := n.Append(arch.Layer{Name: "head.gap", Op: arch.GlobalAvgPool}, mix)
	n.Append(arch.Layer{Name: "head.dense", Op: arch.Dense, Out: 3}, g)
	return n, mix
}

// TestMixedCoefficientGradient compares ∂CE/∂c of a mixed layer with
// central differences of the loss, with every input computed and with one
// left out.
func TestMixedCoefficientGradient(t *testing.T) {
	net, mix := mixedNet()
	set := randomSet(net.Input, 3, 10)
	idx := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	x, err := NewSupernet(2).NewMixed(net, []int{mix}, Config{Batch: 10, Threads: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, on := range [][]bool{{true, true, true}, {true, false, true}} {
		coef := []float64{0.5, 0.3, 0.2}
		grad := [][]float64{nil}
		if _, err := x.Step(set, idx, MixStep{Coef: [][]float64{coef}, On: [][]bool{on}, Grad: grad}); err != nil {
			t.Fatal(err)
		}
		for k := range coef {
			const eps = 1e-3
			loss := func(d float64) float64 {
				c := append([]float64(nil), coef...)
				c[k] += d
				l, err := x.Step(set, idx, MixStep{Coef: [][]float64{c}, On: [][]bool{on}})
				if err != nil {
					t.Fatal(err)
				}
				return l
			}
			num := (loss(eps) - loss(-eps)) / (2 * eps)
			if !on[k] {
				num = 0
			}
			if ana := grad[0][k]; math.Abs(num-ana) > 1e-3+1e-2*math.Abs(num) {
				t.Errorf("on %v, input %d: analytic %.6g, numeric %.6g", on, k, ana, num)
			}
		}
	}
}

// TestMixedOnePathIsTheChild checks that a mixed layer with one computed
// input and coefficient 1 gives the loss of the child network that has
// only that input, with the parameters renamed by Rekey, and that a
// weight step leaves the parameters of inputs not computed alone.
func TestMixedOnePathIsTheChild(t *testing.T) {
	net, mix := mixedNet()
	set := randomSet(net.Input, 3, 16)
	idx := []int{0, 1, 2, 3, 4, 5, 6, 7}
	sn := NewSupernet(3)
	x, err := sn.NewMixed(net, []int{mix}, Config{Batch: 8, Threads: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	one := MixStep{Coef: [][]float64{{1, 0, 0}}, On: [][]bool{{true, false, false}}}
	lossMixed, err := x.Step(set, idx, one)
	if err != nil {
		t.Fatal(err)
	}
	child := &arch.Network{Input: net.Input, Classes: 3}
	stem := child.Append(net.Layers[0], arch.Input)
	l := net.Layers[1]
	l.Name = "layer2.conv"
	a := child.Append(l, stem)
	child.Append(net.Layers[5], child.Append(net.Layers[4], a))
	csn := sn.Rekey(func(k string) (string, bool) {
		if strings.HasPrefix(k, "layer2#1.") {
			return "", false
		}
		return strings.Replace(k, "layer2#0.", "layer2.", 1), true
	})
	cm, err := csn.build(child, &Config{Batch: 8, Threads: 1, Optimizer: "sgd"})
	if err != nil {
		t.Fatal(err)
	}
	if len(csn.params) != 8 || len(cm.params) != 8 || cm.params[0] != x.m.params[0] { // stem, conv, BN, dense: weights and bias each
		t.Fatalf("child has %d parameters, %d of them in the supernet", len(cm.params), len(csn.params))
	}
	set.Gather(idx, cm.input, cm.labels)
	if l := lossAt(cm, 8, cm.labels); math.Abs(l-lossMixed) > 1e-5 {
		t.Errorf("child loss %.6g, mixed with one path %.6g", l, lossMixed)
	}
	other := x.m.nodes[x.owned[0][1][0]].w.v
	before := append([]float32(nil), other...)
	one.LR, one.T = 0.1, 1
	if _, err := x.Step(set, idx, one); err != nil {
		t.Fatal(err)
	}
	for i := range before {
		if other[i] != before[i] {
			t.Fatal("a step on one path changed the weights of another")
		}
	}
}

// TestMixedHoldsComputedPaths checks that a mixed network holds the
// activation and gradient buffers of the inputs a step computes and no
// more: with one input, those of the child network that has only it (and
// the mixed layer's sum), counted by ActivationMemory on the child; with
// every input, those of the whole network; and back to one, the child's
// again, the buffers it keeps for later steps within the most it held.
func TestMixedHoldsComputedPaths(t *testing.T) {
	net, mix := mixedNet()
	set := randomSet(net.Input, 3, 8)
	idx := []int{0, 1, 2, 3, 4, 5, 6, 7}
	cfg := Config{Batch: 8, Threads: 2, Seed: 1}
	x, err := NewSupernet(3).NewMixed(net, []int{mix}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	actMem := func(n *arch.Network) int64 {
		b, err := ActivationMemory(n, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	sum := 2 * 4 * int64(cfg.Batch) * net.Layers[mix].Shape.Size() // the mixed layer's output and its gradient
	var children []int64
	for k := range 3 { // input k alone: the stem, input k's layers, the head
		child := &arch.Network{Input: net.Input, Classes: net.Classes}
		prev := child.Append(net.Layers[0], arch.Input)
		for li := 1; li < 3; li++ {
			if li == k+1 {
				prev = child.Append(net.Layers[li], prev)
			}
		}
		child.Append(net.Layers[5], child.Append(net.Layers[4], prev))
		children = append(children, actMem(child))
	}
	shares := x.InputBytes()[0]
	for _, on := range [][]bool{{true, false, false}, {false, true, false}, {true, true, true}, {false, false, true}, {true, false, false}} {
		if _, err := x.Step(set, idx, MixStep{Coef: [][]float64{{0.5, 0.3, 0.2}}, On: [][]bool{on}}); err != nil {
			t.Fatal(err)
		}
		want := actMem(net)
		if k := slices.Index(on, true); !slices.Contains(on[k+1:], true) {
			want = children[k] + sum
			if got := shares[k]; got != children[k]-children[2] {
				t.Errorf("input %d: share %d bytes, its child has %d more than the skip's", k, got, children[k]-children[2])
			}
		}
		if held, _ := x.Buffers(); held != want {
			t.Errorf("inputs %v computed: %d bytes held, want %d", on, held, want)
		}
		if x.held+x.kept > x.peak {
			t.Errorf("inputs %v computed: %d bytes held and %d kept, over the peak %d", on, x.held, x.kept, x.peak)
		}
	}
	if _, peak := x.Buffers(); peak != actMem(net) {
		t.Errorf("peak %d bytes, want the whole network's %d", peak, actMem(net))
	}
}
