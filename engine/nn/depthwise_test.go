package nn

import (
	"math/rand/v2"
	"testing"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine/data"
)

// TestVMulAdd checks the vector multiply-add against the Go loop at every
// length around the vector widths.
func TestVMulAdd(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 70 {
		a, b, dst := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range n {
			a[i], b[i], dst[i] = float32(r.NormFloat64()), float32(r.NormFloat64()), float32(r.NormFloat64())
		}
		want := append([]float32(nil), dst...)
		vmulAddGo(want, a, b)
		vmulAdd(dst, a, b)
		for i := range dst {
			if d := dst[i] - want[i]; d > 1e-5 || d < -1e-5 {
				t.Fatalf("n=%d: dst[%d] = %g, want %g", n, i, dst[i], want[i])
			}
		}
	}
}

// TestDepthwiseGradients checks the depthwise fast path's weight, bias and
// input gradients with finite differences, at 19 channels (two vectors and a
// tail), stride 2 and an even kernel, inside an MBConv block with its
// shortcut (MobileNetV2's inverted residual, as arch decodes mbconv).
func TestDepthwiseGradients(t *testing.T) {
	n := &arch.Network{Input: arch.Shape{H: 6, W: 6, C: 3}, Classes: 3}
	x := n.Append(arch.Layer{Op: arch.Conv, Kernel: 1, Stride: 1, Out: 19, BN: true}, arch.Input)
	x = n.Append(arch.Layer{Op: arch.Conv, Kernel: 4, Stride: 2, Pad: 1, PadAfter: 1, Groups: 19, Out: 19, Act: arch.ReLU}, x)
	x = n.Append(arch.Layer{Op: arch.Conv, Kernel: 1, Stride: 1, Out: 5, BN: true}, x)
	y := n.Append(arch.Layer{Op: arch.Conv, Kernel: 1, Stride: 1, Out: 10, Act: arch.ReLU}, x)
	y = n.Append(arch.Layer{Op: arch.Conv, Kernel: 3, Stride: 1, Pad: 1, Groups: 10, Out: 10, Act: arch.ReLU, BN: true}, y)
	y = n.Append(arch.Layer{Op: arch.Conv, Kernel: 1, Stride: 1, Out: 5}, y)
	s := n.Append(arch.Layer{Op: arch.Add}, x, y)
	n.Append(arch.Layer{Op: arch.Dense, Out: 3}, n.Append(arch.Layer{Op: arch.GlobalAvgPool}, s))
	if err := n.Infer(); err != nil {
		t.Fatal(err)
	}
	gradCheck(t, n, 0)
}

// TestMBConvSpaceTrains trains a decoded mbconv network a few steps: the
// loss must fall, so forward and backward agree end to end.
func TestMBConvSpaceTrains(t *testing.T) {
	sp := &arch.ChainSpace{SpaceName: "mb", Input: arch.Shape{H: 8, W: 8, C: 1},
		Blocks: []arch.ChainBlock{{MinRepeat: 2, MaxRepeat: 2, Layers: []arch.ChainLayer{{Alts: []arch.LayerAlt{{Kind: "mbconv",
			Params: []arch.Param{{Name: "expand", Values: []int{3}}, {Name: "kernel", Values: []int{5}}, {Name: "filters", Values: []int{8}}}}}}}}},
		Head: []arch.HeadLayer{{Kind: "gap"}, {Kind: "dense", Units: 2}}}
	net, err := sp.Decode(nil)
	if err != nil {
		t.Fatal(err)
	}
	set := stripes(64)
	res, err := Train(t.Context(), net, set, nil, set, Config{Epochs: 8, Batch: 16, LR: 0.05, Seed: 1, LossEvery: 1})
	if err != nil {
		t.Fatal(err)
	}
	if first, last := res.Loss[0], res.Loss[len(res.Loss)-1]; !(last < first*0.7) {
		t.Errorf("loss %g → %g: did not fall", first, last)
	}
}

// stripes is a two-class set of 8x8 images: horizontal or vertical stripes.
func stripes(n int) *data.Set {
	s := &data.Set{Name: "stripes", Shape: arch.Shape{H: 8, W: 8, C: 1}, Classes: 2}
	for i := range n {
		img := make([]float32, 64)
		for y := range 8 {
			for x := range 8 {
				if (i%2 == 0 && y%2 == 0) || (i%2 == 1 && x%2 == 0) {
					img[y*8+x] = 1
				}
			}
		}
		s.X = append(s.X, img...)
		s.Y = append(s.Y, uint8(i%2))
	}
	return s
}

// BenchmarkDepthwise is one training step of a 5×5 depthwise layer on
// 14x14x96 maps (an MBConv's middle layer on MNIST), batch 64.
func BenchmarkDepthwise(b *testing.B) {
	n := &arch.Network{Input: arch.Shape{H: 14, W: 14, C: 96}, Classes: 10}
	x := n.Append(arch.Layer{Op: arch.Conv, Kernel: 5, Stride: 1, Pad: 2, Groups: 96, Out: 96, Act: arch.ReLU}, arch.Input)
	n.Append(arch.Layer{Op: arch.Dense, Out: 10}, n.Append(arch.Layer{Op: arch.GlobalAvgPool}, x))
	if err := n.Infer(); err != nil {
		b.Fatal(err)
	}
	m, err := build(n, 64, 1, 0, "sgd", false)
	if err != nil {
		b.Fatal(err)
	}
	m.init(1)
	labels := make([]uint8, 64)
	for b.Loop() {
		m.forward(64, true, 1, 1)
		m.zeroGrads(64)
		m.softmaxLoss(64, labels, true)
		m.backward(64)
	}
}
