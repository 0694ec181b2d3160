package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hwnas/hwnas/arch"
)

// lossAt runs a training-mode forward pass and returns the mean loss.
func lossAt(m *model, nb int, labels []uint8) float64 {
	m.forward(nb, true, 5, 7)
	return m.softmaxLoss(nb, labels, false)
}

// gradCheck compares every analytic parameter gradient (a sample of them for
// large tensors) with central finite differences of the loss.
func gradCheck(t *testing.T, net *arch.Network, dropout float32) {
	t.Helper()
	const nb = 10 // two chunks, so chunked reductions are exercised
	m, err := build(net, nb, 2, dropout, "sgd", false)
	if err != nil {
		t.Fatal(err)
	}
	m.init(1)
	r := rand.New(rand.NewPCG(9, 9))
	for _, p := range m.params { // non-trivial BN scales and biases
		for i := range p.v {
			if p.v[i] == 0 || p.v[i] == 1 {
				p.v[i] += float32(r.NormFloat64() * 0.3)
			}
		}
	}
	for i := range m.input {
		m.input[i] = float32(r.NormFloat64())
	}
	labels := make([]uint8, nb)
	for i := range labels {
		labels[i] = uint8(r.IntN(net.Classes))
	}
	m.forward(nb, true, 5, 7)
	m.zeroGrads(nb)
	m.softmaxLoss(nb, labels, true)
	m.backward(nb)
	// A ReLU or max-pool kink within eps of a pre-activation spoils a finite
	// difference; a gradient passes when one of two step sizes agrees with it.
	checked := 0
	for pi, p := range m.params {
		stride := max(1, len(p.v)/25)
		for i := 0; i < len(p.v); i += stride {
			ana := float64(p.g[i])
			var nums []float64
			for _, eps := range []float32{1e-3, 2e-4} {
				old := p.v[i]
				p.v[i] = old + eps
				lp := lossAt(m, nb, labels)
				p.v[i] = old - eps
				lm := lossAt(m, nb, labels)
				p.v[i] = old
				num := (lp - lm) / (2 * float64(eps))
				nums = append(nums, num)
				if math.Abs(num-ana) <= 1e-3+1e-2*max(math.Abs(num), math.Abs(ana)) {
					break
				}
			}
			checked++
			if len(nums) == 2 && math.Abs(nums[1]-ana) > 1e-3+1e-2*max(math.Abs(nums[1]), math.Abs(ana)) {
				t.Errorf("param %d[%d]: analytic %.6g, numeric %.6g (eps 1e-3), %.6g (eps 2e-4)", pi, i, ana, nums[0], nums[1])
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d gradients checked", checked)
	}
}

func TestGradients(t *testing.T) {
	conv := func(k, s, p, out int) arch.Layer {
		return arch.Layer{Op: arch.Conv, Kernel: k, Stride: s, Pad: p, Out: out}
	}
	relu := func(l arch.Layer) arch.Layer { l.Act = arch.ReLU; return l }
	bn := func(l arch.Layer) arch.Layer { l.BN = true; return l }
	dense := arch.Layer{Op: arch.Dense, Out: 3}
	for _, c := range []struct {
		name    string
		input   arch.Shape
		layers  func(n *arch.Network)
		dropout float32
	}{
		{"conv same + relu + dense", arch.Shape{H: 5, W: 5, C: 2}, func(n *arch.Network) {
			n.Append(dense, n.Append(relu(conv(3, 1, 1, 4)), arch.Input))
		}, 0},
		{"conv stride 2, pointwise conv, gap", arch.Shape{H: 7, W: 6, C: 3}, func(n *arch.Network) {
			a := n.Append(conv(3, 2, 0, 4), arch.Input)
			b := n.Append(conv(1, 1, 0, 5), a)
			n.Append(dense, n.Append(arch.Layer{Op: arch.GlobalAvgPool}, b))
		}, 0},
		{"large kernel same padding", arch.Shape{H: 6, W: 6, C: 1}, func(n *arch.Network) {
			n.Append(dense, n.Append(conv(5, 1, 2, 3), arch.Input))
		}, 0},
		{"grouped and depthwise conv", arch.Shape{H: 5, W: 5, C: 4}, func(n *arch.Network) {
			a := n.Append(conv(3, 1, 1, 4), arch.Input)
			g := conv(3, 2, 1, 6)
			g.Groups = 2
			b := n.Append(g, a)
			d := conv(3, 1, 1, 6)
			d.Groups = 6
			n.Append(dense, n.Append(d, b))
		}, 0},
		{"max and avg pool", arch.Shape{H: 6, W: 6, C: 2}, func(n *arch.Network) {
			a := n.Append(conv(3, 1, 1, 3), arch.Input)
			b := n.Append(arch.Layer{Op: arch.MaxPool, Kernel: 2, Stride: 2}, a)
			c := n.Append(arch.Layer{Op: arch.AvgPool, Kernel: 3, Stride: 1, Pad: 1}, b)
			n.Append(dense, n.Append(arch.Layer{Op: arch.MaxPool, Kernel: 3, Stride: 2, Pad: 1}, c))
		}, 0},
		{"relu into max pool (mask applied by the pool)", arch.Shape{H: 8, W: 8, C: 2}, func(n *arch.Network) {
			a := n.Append(relu(conv(3, 1, 1, 3)), arch.Input)
			b := n.Append(arch.Layer{Op: arch.MaxPool, Kernel: 2, Stride: 2}, a)
			c := n.Append(relu(conv(3, 1, 1, 4)), b)
			d := n.Append(arch.Layer{Op: arch.MaxPool, Kernel: 3, Stride: 2, Pad: 1}, c)
			n.Append(dense, d)
		}, 0},
		{"pool windows wholly in the padding", arch.Shape{H: 4, W: 4, C: 2}, func(n *arch.Network) {
			a := n.Append(relu(conv(3, 1, 1, 3)), arch.Input)
			b := n.Append(arch.Layer{Op: arch.MaxPool, Kernel: 1, Stride: 1, Pad: 1}, a)
			c := n.Append(arch.Layer{Op: arch.AvgPool, Kernel: 1, Stride: 2, Pad: 1}, b)
			n.Append(dense, c)
		}, 0},
		{"batch norm conv and dense", arch.Shape{H: 4, W: 4, C: 2}, func(n *arch.Network) {
			a := n.Append(relu(bn(conv(3, 1, 1, 3))), arch.Input)
			b := n.Append(relu(bn(arch.Layer{Op: arch.Dense, Out: 5})), a)
			n.Append(dense, b)
		}, 0},
		{"residual add and concat", arch.Shape{H: 4, W: 4, C: 2}, func(n *arch.Network) {
			a := n.Append(conv(3, 1, 1, 3), arch.Input)
			b := n.Append(relu(conv(1, 1, 0, 3)), a)
			c := n.Append(conv(3, 1, 1, 3), a)
			s := n.Append(arch.Layer{Op: arch.Add}, a, b, c)
			cat := n.Append(arch.Layer{Op: arch.Concat}, s, a)
			n.Append(dense, n.Append(arch.Layer{Op: arch.GlobalAvgPool}, cat))
		}, 0},
		{"dropout before dense", arch.Shape{H: 3, W: 3, C: 2}, func(n *arch.Network) {
			n.Append(dense, n.Append(conv(3, 1, 1, 4), arch.Input))
		}, 0.3},
		{"whole small network", arch.Shape{H: 8, W: 8, C: 1}, func(n *arch.Network) {
			a := n.Append(relu(bn(conv(3, 1, 1, 4))), arch.Input)
			a = n.Append(arch.Layer{Op: arch.MaxPool, Kernel: 2, Stride: 2}, a)
			b := n.Append(relu(bn(conv(3, 1, 1, 4))), a)
			b = n.Append(bn(conv(3, 1, 1, 4)), b)
			s := n.Append(arch.Layer{Op: arch.Add, Act: arch.ReLU}, a, b)
			s = n.Append(relu(conv(3, 2, 1, 6)), s)
			s = n.Append(arch.Layer{Op: arch.AvgPool, Kernel: 2, Stride: 2}, s)
			n.Append(dense, n.Append(relu(arch.Layer{Op: arch.Dense, Out: 8}), s))
		}, 0.2},
	} {
		t.Run(c.name, func(t *testing.T) {
			net := &arch.Network{Input: c.input, Classes: 3}
			c.layers(net)
			gradCheck(t, net, c.dropout)
		})
	}
}
