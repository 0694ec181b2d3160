package fpga

import (
	"math"
	"testing"

	"github.com/hwnas/hwnas/arch"
)

// fnasChild is the MNIST child of FNAS's worked example (Jiang et al. DAC'19;
// docs/fpga-model.md §9): four same-padded
// 5×5 convs with 9, 18, 36, 36 filters, global average pool, dense(10).
// 'Same' padding is Keras's: (k−1)/2 before and k/2 after.
func fnasChild(specs ...[2]int) *arch.Network {
	n := &arch.Network{Input: arch.Shape{H: 28, W: 28, C: 1}, Classes: 10}
	x := arch.Input
	for _, s := range specs {
		k := s[0]
		x = n.Append(arch.Layer{Op: arch.Conv, Kernel: k, Stride: 1, Pad: (k - 1) / 2, PadAfter: k/2 - (k-1)/2, Out: s[1], Act: arch.ReLU}, x)
	}
	x = n.Append(arch.Layer{Op: arch.GlobalAvgPool}, x)
	n.Append(arch.Layer{Op: arch.Dense, Out: 10}, x)
	if err := n.Infer(); err != nil {
		panic(err)
	}
	return n
}

func mustLookup(t testing.TB, name string) Platform {
	p, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFNASWorkedExample pins FNAS PARA.py's released model cycle for cycle
// (Jiang et al. DAC'19; docs/fpga-model.md §9, "Pinned points").
func TestFNASWorkedExample(t *testing.T) {
	n := fnasChild([2]int{5, 9}, [2]int{5, 18}, [2]int{5, 36}, [2]int{5, 36})
	p := mustLookup(t, "PYNQ-Z1") // 220 DSPs, as in FNAS
	d, r, err := Optimize(n, p, Options{Template: FNAS, Mode: Pipeline, Precision: Int16, Combine: Slowest})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		t      Tiling
		dsp    int
		bram   int
		cycles int64
	}{
		{Tiling{1, 1, 20, 20}, 1, 5, 360000},
		{Tiling{3, 5, 20, 20}, 15, 31, 480000},
		{Tiling{3, 18, 20, 20}, 54, 96, 480000},
		{Tiling{3, 36, 20, 20}, 108, 186, 480000},
	}
	for i, w := range want {
		l := r.Layers[i]
		if d.Tilings[i] != w.t || l.DSP != w.dsp || l.BRAM18 != w.bram || l.Cycles != w.cycles || l.Bound != BoundCompute {
			t.Errorf("layer %d: tiling <%s> dsp %d bram %d cycles %d bound %s; want <%s> %d %d %d compute",
				i+1, d.Tilings[i], l.DSP, l.BRAM18, l.Cycles, l.Bound, w.t, w.dsp, w.bram, w.cycles)
		}
	}
	if r.DSP != 178 || r.BRAM18 != 318 {
		t.Errorf("totals: %d DSP, %d BRAM18; want 178, 318", r.DSP, r.BRAM18)
	}
	if r.Cycles != 480000 {
		t.Errorf("slowest stage = %d cycles, want 480,000", r.Cycles)
	}
	d.Combine = Sum
	r, err = Estimate(n, p, d)
	if err != nil || r.Cycles != 1800000 || r.LatencyMs != 18 {
		t.Errorf("sum = %d cycles (%g ms), %v; want 1,800,000 (18 ms at 100 MHz)", r.Cycles, r.LatencyMs, err)
	}
	// The cross-checks of docs/fpga-model.md §9.
	for _, c := range []struct {
		spec [2]int
		want int64
	}{{[2]int{5, 9}, 80000}, {[2]int{14, 36}, 5644800}} {
		n := fnasChild(c.spec, c.spec, c.spec, c.spec)
		_, r, err := Optimize(n, p, Options{Template: FNAS, Mode: Pipeline, Precision: Int16})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 4; i++ {
			if r.Layers[i].Cycles != c.want {
				t.Errorf("%v×4 layer %d: %d cycles, want %d", c.spec, i+1, r.Layers[i].Cycles, c.want)
			}
		}
	}
}

// TestFNASEvenKernel checks the [14,36]×4 cross-check of docs/fpga-model.md
// §9 (5,644,800 cycles per layer) on the FNAS chain space's own decoding:
// its 'same' padding of kernel 14 (6 before, 7 after, as Keras) keeps the
// 28×28 maps FNAS's PARA.py assumes. DSP shares 2/72/72/72 give <2,1> for
// the first layer and <2,36> for the others.
func TestFNASEvenKernel(t *testing.T) {
	space := &arch.ChainSpace{SpaceName: "fnas", Input: arch.Shape{H: 28, W: 28, C: 1},
		Blocks: []arch.ChainBlock{{MinRepeat: 4, MaxRepeat: 4, Layers: []arch.ChainLayer{{Alts: []arch.LayerAlt{{Kind: "conv",
			Params: []arch.Param{{Name: "kernel", Values: []int{5, 7, 14}}, {Name: "filters", Values: []int{9, 18, 36}}}}}}}}},
		Head: []arch.HeadLayer{{Kind: "gap"}, {Kind: "dense", Units: 10}}}
	n, err := space.Decode([]int{2, 2, 2, 2, 2, 2, 2, 2}) // [14,36]×4
	if err != nil {
		t.Fatal(err)
	}
	_, r, err := Optimize(n, mustLookup(t, "PYNQ-Z1"), Options{Template: FNAS, Mode: Pipeline, Precision: Int16})
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range []Tiling{{2, 1, 20, 20}, {2, 36, 20, 20}, {2, 36, 20, 20}, {2, 36, 20, 20}} {
		l := r.Layers[i]
		if n.Layers[i].Shape != (arch.Shape{H: 28, W: 28, C: 36}) {
			t.Errorf("layer %d: shape %s, want 28x28x36", i+1, n.Layers[i].Shape)
		}
		if l.Cycles != 5644800 || l.Tiling != w {
			t.Errorf("layer %d: <%s> %d cycles, want <%s> 5,644,800", i+1, l.Tiling, l.Cycles, w)
		}
	}
}

// zhangAlexNet returns AlexNet up to conv5: Zhang FPGA'15 accelerates the
// five conv layers (the pools are costed but not counted below).
func zhangAlexNet(t testing.TB) *arch.Network {
	a, err := arch.Zoo("alexnet")
	if err != nil {
		t.Fatal(err)
	}
	// conv1 … conv5 with pool1 and pool2 between them: the first 7 layers.
	n := &arch.Network{Input: a.Input, Layers: a.Layers[:7]}
	if err := n.Infer(); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestZhangAlexNet checks Zhang FPGA'15 (AlexNet conv layers on VC707, fp32,
// 100 MHz, <Tm,Tn> = <64,7>): 2,240 DSPs exactly and the modelled
// throughput of the conv layers within 25% of the measured 61.62 GFLOPS.
func TestZhangAlexNet(t *testing.T) {
	n := zhangAlexNet(t)
	p := mustLookup(t, "VC707")
	d, r, err := Optimize(n, p, Options{Mode: Shared, Precision: FP32, ClockMHz: 100, Fix: Tiling{Tm: 64, Tn: 7}})
	if err != nil {
		t.Fatal(err)
	}
	if r.DSP != 2240 {
		t.Errorf("DSP = %d, want 2,240", r.DSP)
	}
	var convOps float64
	var convMs float64
	for _, l := range r.Layers {
		if l.Op == "conv" {
			convOps += 2 * float64(l.MACs)
			convMs += l.LatencyMs
		}
	}
	gflops := convOps / (convMs * 1e6)
	t.Logf("Zhang'15 AlexNet conv: %.2f GFLOPS in %.2f ms (measured 61.62), design %s, %.1f W", gflops, convMs, d, r.PowerW)
	if math.Abs(gflops-61.62)/61.62 > 0.25 {
		t.Errorf("conv throughput %.2f GFLOPS, want within 25%% of 61.62", gflops)
	}
	peak := 2 * 64 * 7 * 0.1
	if math.Abs(peak-89.6) > 1e-9 {
		t.Errorf("peak %g", peak)
	}
}
