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

// TestTapGradsMatchLoop checks the weight gradient summed tap by tap
// (tapGrads) against the per-position loop it replaces, bit for bit, over
// kernels, strides and paddings whose taps see different output ranges.
func TestTapGradsMatchLoop(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	for _, c := range []struct{ h, w, ch, k, s, p, pa int }{
		{6, 5, 8, 3, 1, 1, 0}, {7, 7, 40, 5, 2, 2, 0}, {5, 6, 16, 4, 2, 1, 1}, {4, 4, 48, 7, 1, 3, 0}, {3, 5, 8, 3, 1, 0, 2},
	} {
		net := &arch.Network{Input: arch.Shape{H: c.h, W: c.w, C: c.ch}, Classes: 2}
		net.Append(arch.Layer{Op: arch.Dense, Out: 2}, net.Append(arch.Layer{Op: arch.Conv, Kernel: c.k, Stride: c.s, Pad: c.p, PadAfter: c.pa, Groups: c.ch, Out: c.ch}, arch.Input))
		m, err := build(net, 1, 1, 0, "sgd", false)
		if err != nil {
			t.Fatal(err)
		}
		n := m.nodes[0]
		x, dy := make([]float32, c.h*c.w*c.ch), make([]float32, n.shape.Size())
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
		for i := range dy {
			dy[i] = float32(r.NormFloat64())
		}
		got, want := make([]float32, c.k*c.k*c.ch), make([]float32, c.k*c.k*c.ch)
		for i := range got {
			got[i] = float32(r.NormFloat64())
			want[i] = got[i]
		}
		if !n.tapGrads(x, dy, got) {
			t.Skip("no tap-gradient kernel on this machine")
		}
		for oy := range n.shape.H {
			for ox := range n.shape.W {
				d := dy[(oy*n.shape.W+ox)*c.ch : (oy*n.shape.W+ox+1)*c.ch]
				ky0, ky1, kx0, kx1, iy0, ix0 := n.dwWindow(oy, ox)
				for ky := ky0; ky < ky1; ky++ {
					for kx := kx0; kx < kx1; kx++ {
						p := ((iy0+ky)*c.w + ix0 + kx) * c.ch
						tp := (ky*c.k + kx) * c.ch
						vmulAdd(want[tp:tp+c.ch], x[p:p+c.ch], d)
					}
				}
			}
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%+v: dw[%d] = %g, the per-position loop gives %g", c, i, got[i], want[i])
			}
		}
	}
}
