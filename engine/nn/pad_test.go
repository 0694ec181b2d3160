package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hwnas/hwnas/arch"
)

// refLayer computes one conv or pool layer of l on the NHWC image x by
// building the padded map explicitly: p zeros before and p+pa after on each
// axis. Pools ignore the padding (max over, and average of, the map's own
// elements only), as the engine documents.
func refLayer(l arch.Layer, in arch.Shape, x, w, b []float32) []float32 {
	k, s, p, pa := l.Kernel, l.Stride, l.Pad, l.PadAfter
	ph, pw := in.H+2*p+pa, in.W+2*p+pa
	oh, ow := (ph-k)/s+1, (pw-k)/s+1
	inMap := func(y, x int) bool { return y >= p && y < p+in.H && x >= p && x < p+in.W }
	at := func(y, xx, c int) float32 { return x[((y-p)*in.W+xx-p)*in.C+c] }
	oc := in.C
	if l.Op == arch.Conv {
		oc = l.Out
	}
	out := make([]float32, oh*ow*oc)
	g := max(l.Groups, 1)
	cig, cog := in.C/g, oc/g
	for oy := range oh {
		for ox := range ow {
			for co := range oc {
				var acc float64
				best, n := float32(math.Inf(-1)), 0
				for ky := range k {
					for kx := range k {
						y, xx := oy*s+ky, ox*s+kx
						if !inMap(y, xx) {
							continue
						}
						switch l.Op {
						case arch.Conv:
							gi := co / cog
							for ci := range cig {
								wi := ((gi*k*k+ky*k+kx)*cig+ci)*cog + co%cog
								acc += float64(at(y, xx, gi*cig+ci)) * float64(w[wi])
							}
						default:
							v := at(y, xx, co)
							acc += float64(v)
							best = max(best, v)
							n++
						}
					}
				}
				var v float32
				switch l.Op {
				case arch.Conv:
					v = float32(acc) + b[co]
				case arch.MaxPool:
					v = best
				default:
					v = float32(acc / float64(n))
				}
				out[(oy*ow+ox)*oc+co] = v
			}
		}
	}
	return out
}

// padAfterLayers are layers with extra padding after that reach every code
// path: im2col/col2im, the pointwise shortcut, the grouped GEMMs (with
// whole and edge panels), the depthwise loops, the 2×2/2 max-pool shortcut
// and the general pools.
var padAfterLayers = []struct {
	name string
	in   arch.Shape
	l    arch.Layer
}{
	{"conv k4 same", arch.Shape{H: 6, W: 6, C: 2}, arch.Layer{Op: arch.Conv, Kernel: 4, Stride: 1, Pad: 1, PadAfter: 1, Out: 3}},
	{"conv k14 same (FNAS)", arch.Shape{H: 14, W: 14, C: 1}, arch.Layer{Op: arch.Conv, Kernel: 14, Stride: 1, Pad: 6, PadAfter: 1, Out: 2}},
	{"conv k2 after only", arch.Shape{H: 5, W: 5, C: 3}, arch.Layer{Op: arch.Conv, Kernel: 2, Stride: 1, PadAfter: 1, Out: 2}},
	{"conv k4 stride 2", arch.Shape{H: 7, W: 7, C: 2}, arch.Layer{Op: arch.Conv, Kernel: 4, Stride: 2, Pad: 1, PadAfter: 1, Out: 3}},
	{"pointwise with padding after", arch.Shape{H: 4, W: 4, C: 2}, arch.Layer{Op: arch.Conv, Kernel: 1, Stride: 1, PadAfter: 1, Out: 3}},
	{"grouped k4", arch.Shape{H: 5, W: 5, C: 4}, arch.Layer{Op: arch.Conv, Kernel: 4, Stride: 1, Pad: 1, PadAfter: 1, Groups: 2, Out: 6}},
	{"grouped k3 stride 2, 3 groups", arch.Shape{H: 6, W: 5, C: 6}, arch.Layer{Op: arch.Conv, Kernel: 3, Stride: 2, Pad: 1, PadAfter: 1, Groups: 3, Out: 9}},
	{"grouped 1x1, 2 groups of 16 outputs (whole GEMM panels)", arch.Shape{H: 3, W: 4, C: 4}, arch.Layer{Op: arch.Conv, Kernel: 1, Stride: 1, Groups: 2, Out: 32}},
	{"grouped k2, 2 groups of 18 outputs (a panel and an edge)", arch.Shape{H: 4, W: 4, C: 4}, arch.Layer{Op: arch.Conv, Kernel: 2, Stride: 1, PadAfter: 1, Groups: 2, Out: 36}},
	{"depthwise k2", arch.Shape{H: 5, W: 5, C: 3}, arch.Layer{Op: arch.Conv, Kernel: 2, Stride: 1, PadAfter: 1, Groups: 3, Out: 3}},
	{"depthwise k4 stride 2, 43 channels (vector and tail)", arch.Shape{H: 7, W: 6, C: 43}, arch.Layer{Op: arch.Conv, Kernel: 4, Stride: 2, Pad: 1, PadAfter: 1, Groups: 43, Out: 43}},
	{"depthwise k5 stride 2, 40 channels (window kernel, 32 then 8)", arch.Shape{H: 7, W: 6, C: 40}, arch.Layer{Op: arch.Conv, Kernel: 5, Stride: 2, Pad: 2, PadAfter: 1, Groups: 40, Out: 40}},
	{"depthwise k3, 16 channels, padding after only", arch.Shape{H: 4, W: 5, C: 16}, arch.Layer{Op: arch.Conv, Kernel: 3, Stride: 1, PadAfter: 2, Groups: 16, Out: 16}},
	{"maxpool 2x2/2 odd map", arch.Shape{H: 5, W: 5, C: 2}, arch.Layer{Op: arch.MaxPool, Kernel: 2, Stride: 2, PadAfter: 1}},
	{"maxpool k4", arch.Shape{H: 5, W: 5, C: 2}, arch.Layer{Op: arch.MaxPool, Kernel: 4, Stride: 1, Pad: 1, PadAfter: 1}},
	{"avgpool 2x2/2 odd map", arch.Shape{H: 5, W: 5, C: 2}, arch.Layer{Op: arch.AvgPool, Kernel: 2, Stride: 2, PadAfter: 1}},
	{"avgpool k2 same", arch.Shape{H: 4, W: 4, C: 2}, arch.Layer{Op: arch.AvgPool, Kernel: 2, Stride: 1, PadAfter: 1}},
}

// TestPadAfterForward checks each layer's forward pass against refLayer.
func TestPadAfterForward(t *testing.T) {
	for _, c := range padAfterLayers {
		t.Run(c.name, func(t *testing.T) {
			net := &arch.Network{Input: c.in, Classes: 3}
			net.Append(arch.Layer{Op: arch.Dense, Out: 3}, net.Append(c.l, arch.Input))
			if err := net.Infer(); err != nil {
				t.Fatal(err)
			}
			const nb = 2
			m, err := build(net, nb, 1, 0, "sgd", false)
			if err != nil {
				t.Fatal(err)
			}
			m.init(3)
			r := rand.New(rand.NewPCG(4, 4))
			for i := range m.input {
				m.input[i] = float32(r.NormFloat64())
			}
			var w, b []float32
			if c.l.Op == arch.Conv {
				n := m.nodes[0]
				for i := range n.b.v {
					n.b.v[i] = float32(r.NormFloat64())
				}
				w, b = n.w.v, n.b.v
			}
			m.forward(nb, false, 1, 1)
			isz, osz := int(c.in.Size()), int(net.Layers[0].Shape.Size())
			for img := range nb {
				want := refLayer(net.Layers[0], c.in, m.input[img*isz:(img+1)*isz], w, b)
				got := m.nodes[0].out[img*osz : (img+1)*osz]
				if len(want) != len(got) {
					t.Fatalf("output has %d values, reference %d (shape %s)", len(got), len(want), net.Layers[0].Shape)
				}
				for i := range want {
					if math.Abs(float64(got[i]-want[i])) > 1e-4*(1+math.Abs(float64(want[i]))) {
						t.Fatalf("image %d value %d: got %g, want %g", img, i, got[i], want[i])
					}
				}
			}
		})
	}
}

// TestPadAfterGradients checks every layer of padAfterLayers by finite
// differences, behind a 3×3 conv so that the gradient it passes back to its
// input (col2im, the direct loops, the pools' routing) is checked through
// that conv's weights too.
func TestPadAfterGradients(t *testing.T) {
	for _, c := range padAfterLayers {
		t.Run(c.name, func(t *testing.T) {
			net := &arch.Network{Input: arch.Shape{H: c.in.H, W: c.in.W, C: 2}, Classes: 3}
			a := net.Append(arch.Layer{Op: arch.Conv, Kernel: 3, Stride: 1, Pad: 1, Out: c.in.C, Act: arch.ReLU}, arch.Input)
			b := net.Append(c.l, a)
			net.Append(arch.Layer{Op: arch.Dense, Out: 3}, b)
			if err := net.Infer(); err != nil {
				t.Fatal(err)
			}
			gradCheck(t, net, 0)
		})
	}
}
