package arch

import (
	"strings"
	"testing"
)

// TestPadAfterShapes checks out = (in + 2·Pad + PadAfter − K)/S + 1 and that
// MACs keep their formula (output positions × K² × input channels).
func TestPadAfterShapes(t *testing.T) {
	cases := []struct {
		in, k, s, p, pa int
		want            int
	}{
		{28, 14, 1, 6, 1, 28}, // Keras 'same', kernel 14: 6 before, 7 after
		{28, 14, 1, 6, 0, 27}, // symmetric only: one row and column short
		{28, 2, 1, 0, 1, 28},
		{28, 4, 2, 1, 1, 14},
		{7, 2, 2, 0, 1, 4}, // a 2×2/2 pool over an odd map keeps the last row
		{5, 3, 1, 1, 0, 5},
	}
	for _, c := range cases {
		for _, op := range []Op{Conv, MaxPool, AvgPool} {
			n := &Network{Input: Shape{c.in, c.in, 3}}
			n.Append(Layer{Op: op, Kernel: c.k, Stride: c.s, Pad: c.p, PadAfter: c.pa, Out: 5}, Input)
			if err := n.Infer(); err != nil {
				t.Fatalf("%s %+v: %v", op, c, err)
			}
			if got := n.Output(); got.H != c.want || got.W != c.want {
				t.Errorf("%s in %d k %d s %d pad %d+%d: output %s, want %dx%d", op, c.in, c.k, c.s, c.p, c.pa, got, c.want, c.want)
			}
			if op == Conv {
				if got, want := n.MACs(), int64(c.want*c.want*5*3*c.k*c.k); got != want {
					t.Errorf("conv %+v: MACs %d, want %d", c, got, want)
				}
			}
		}
	}
}

func TestPadAfterErrors(t *testing.T) {
	cases := []struct {
		name string
		l    Layer
		want string
	}{
		{"negative", Layer{Op: Conv, Kernel: 3, Stride: 1, PadAfter: -1, Out: 2}, "extra padding after -1: must be at least 0"},
		{"does not fit", Layer{Op: Conv, Kernel: 6, Stride: 1, PadAfter: 1, Out: 2}, "kernel 6 does not fit input 4x4x1 with padding 0 (+1 after)"},
	}
	for _, c := range cases {
		n := &Network{Input: Shape{4, 4, 1}}
		n.Append(c.l, Input)
		if err := n.Infer(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

// TestPadAfterKey checks that PadAfter enters the key only when set, so the
// keys of networks without it are those they had before the field existed.
func TestPadAfterKey(t *testing.T) {
	n := coExploreNet()
	if strings.Contains(n.Canonical(), "pa=") {
		t.Fatalf("canonical text names pa= with no extra padding:\n%s", n.Canonical())
	}
	// The canonical line format before PadAfter existed.
	if line := strings.SplitN(n.Canonical(), "\n", 3)[1]; line != "conv in=[-1] k=3 s=1 p=1 g=1 out=36 act=relu bn=true" {
		t.Errorf("first layer line %q changed", line)
	}
	m := coExploreNet()
	m.Layers[1].PadAfter = 1
	if n.Key() == m.Key() {
		t.Error("PadAfter 1 kept the key")
	}
	if !strings.Contains(m.Canonical(), "k=5 s=1 p=2 pa=1 g=1") {
		t.Errorf("canonical text lacks pa=1:\n%s", m.Canonical())
	}
}

// TestChainSamePadding checks that the chain space's 'same' convolutions keep
// 28×28 maps for every FNAS kernel, even 14 (Keras pads it 6 before, 7 after).
func TestChainSamePadding(t *testing.T) {
	s := fnasSpace()
	for ki, k := range []int{5, 7, 14} {
		n, err := s.Decode([]int{ki, 2, ki, 2, ki, 2, ki, 2})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 4; i++ {
			l := n.Layers[i]
			if l.Shape != (Shape{28, 28, 36}) {
				t.Errorf("kernel %d layer %d: shape %s, want 28x28x36", k, i+1, l.Shape)
			}
			if before, after := l.Pad, l.Pad+l.PadAfter; before != (k-1)/2 || after != k/2 {
				t.Errorf("kernel %d: padding %d before, %d after; want %d, %d", k, before, after, (k-1)/2, k/2)
			}
		}
		// MACs as FNAS's PARA.py splits the DSPs by them (Jiang et al. DAC'19): R·C·M·K²·N with R = C = 28.
		if got, want := n.LayerMACs(1), int64(28*28*36*k*k*36); got != want {
			t.Errorf("kernel %d: layer 2 MACs %d, want %d", k, got, want)
		}
	}
}
