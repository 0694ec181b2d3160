package lut

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/fpga"
	"github.com/hwnas/hwnas/search"
)

// mobile is examples/oneshot_mnist.hwnas's space: a strided stem, slots of
// MobileNetV2 blocks or skip, and a strided block between them.
func mobile() *arch.ChainSpace {
	mb := func(f int, expand []int, stride int) arch.LayerAlt {
		return arch.LayerAlt{Kind: "mbconv", Params: []arch.Param{{Name: "expand", Values: expand},
			{Name: "kernel", Values: []int{3, 5, 7}}, {Name: "filters", Values: []int{f}}, {Name: "stride", Values: []int{stride}}}}
	}
	slot := func(f int) arch.ChainBlock {
		return arch.ChainBlock{MinRepeat: 2, MaxRepeat: 2, Layers: []arch.ChainLayer{{Alts: []arch.LayerAlt{mb(f, []int{1, 3, 6}, 1), {Kind: "skip"}}}}}
	}
	return &arch.ChainSpace{SpaceName: "mobile", Input: arch.Shape{H: 28, W: 28, C: 1}, Blocks: []arch.ChainBlock{
		{MinRepeat: 1, MaxRepeat: 1, Layers: []arch.ChainLayer{{Alts: []arch.LayerAlt{{Kind: "conv", Params: []arch.Param{
			{Name: "kernel", Values: []int{3}}, {Name: "filters", Values: []int{16}}, {Name: "stride", Values: []int{2}}}}}}}},
		slot(16),
		{MinRepeat: 1, MaxRepeat: 1, Layers: []arch.ChainLayer{{Alts: []arch.LayerAlt{mb(24, []int{3, 6}, 2)}}}},
		slot(24),
	}, Head: []arch.HeadLayer{{Kind: "gap"}, {Kind: "dense", Units: 10}}}
}

func pynq(t testing.TB) fpga.Platform {
	p, err := fpga.Lookup("PYNQ-Z1")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTableShape(t *testing.T) {
	tb, err := Build(mobile(), pynq(t), fpga.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range tb.Positions {
		got = append(got, p.Name+":"+strconv.Itoa(len(p.Candidates)))
	}
	want := "layer1:1 layer2:10 layer3:10 layer4:6 layer5:10 layer6:10 fixed:1"
	if s := strings.Join(got, " "); s != want {
		t.Fatalf("positions %s, want %s", s, want)
	}
	if c := tb.Positions[1].Candidates; c[0].Candidate != "mbconv(expand=1 kernel=3)" || c[9].Candidate != "skip" || c[9].LatencyMs != 0 {
		t.Fatalf("layer2 candidates %q … %q (%g ms)", c[0].Candidate, c[9].Candidate, c[9].LatencyMs)
	}
}

// TestSharedSumIsExact: under the shared engine a child's latency is the
// sum of its entries, cycle for cycle, on 200 random children.
func TestSharedSumIsExact(t *testing.T) {
	sp, p := mobile(), pynq(t)
	tb, err := Build(sp, p, fpga.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		g := make([]int, len(sp.Decisions()))
		for i, d := range sp.Decisions() {
			g[i] = r.IntN(len(d.Choices))
		}
		n, err := sp.Decode(g)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := fpga.Estimate(n, p, tb.design)
		if fitOK(err) != nil {
			t.Fatal(err)
		}
		s, err := tb.Sum(g)
		if err != nil {
			t.Fatal(err)
		}
		if s.Cycles != rep.Cycles || s.MACs != n.MACs() || s.BRAM18 != rep.BRAM18 || s.DSP != rep.DSP {
			t.Fatalf("genome %v: table %d cycles %d MACs %d BRAM18 %d DSP, model %d, %d, %d, %d", g, s.Cycles, s.MACs, s.BRAM18, s.DSP, rep.Cycles, n.MACs(), rep.BRAM18, rep.DSP)
		}
	}
	e, err := tb.Measure(sp, p, 200, 1)
	if err != nil {
		t.Fatal(err)
	}
	if e.MaxLatency != 0 {
		t.Fatalf("latency error %g, want 0", e.MaxLatency)
	}
	t.Logf("shared: energy error mean %.4f%% max %.4f%%; against each child's optimised engine mean %.2f%% max %.2f%%",
		100*e.MeanEnergy, 100*e.MaxEnergy, 100*e.MeanOptimised, 100*e.MaxOptimised)
}

func TestPipelineError(t *testing.T) {
	sp, p := mobile(), pynq(t)
	tb, err := Build(sp, p, fpga.Options{Mode: fpga.Pipeline})
	if err != nil {
		t.Fatal(err)
	}
	e, err := tb.Measure(sp, p, 200, 1)
	if err != nil {
		t.Fatal(err)
	}
	tau := search.KendallTau(e.sums, e.model)
	t.Logf("pipeline: latency error mean %.2f%% max %.2f%%, energy mean %.2f%% max %.2f%% over %d children (%d drawn fit no pipeline); Kendall tau of sums and model %.3f",
		100*e.MeanLatency, 100*e.MaxLatency, 100*e.MeanEnergy, 100*e.MaxEnergy, e.Children, e.Unfit, tau)
	if e.Children != 200 || !(tau > 0.5) {
		t.Fatalf("%d children, rank correlation %.3f: the pipeline table no longer orders children like the model", e.Children, tau)
	}
}

func TestBuildErrors(t *testing.T) {
	conv := func(filters ...int) arch.ChainLayer {
		return arch.ChainLayer{Alts: []arch.LayerAlt{{Kind: "conv", Params: []arch.Param{{Name: "filters", Values: filters}}}}}
	}
	space := func(min, max int, l arch.ChainLayer) *arch.ChainSpace {
		return &arch.ChainSpace{SpaceName: "s", Input: arch.Shape{H: 8, W: 8, C: 1},
			Blocks: []arch.ChainBlock{{MinRepeat: min, MaxRepeat: max, Layers: []arch.ChainLayer{l}}},
			Head:   []arch.HeadLayer{{Kind: "gap"}, {Kind: "dense", Units: 2}}}
	}
	big := space(1, 1, arch.ChainLayer{Alts: []arch.LayerAlt{{Kind: "maxpool", Params: []arch.Param{{Name: "kernel", Values: []int{1, 16}}, {Name: "stride", Values: []int{1}}}}}})
	for _, c := range []struct {
		space arch.Space
		want  string
	}{
		{space(1, 3, conv(4)), "lut: space s: block 1 repeats 1..3 times: a latency table needs a fixed depth"},
		{space(2, 2, conv(4, 8)), "lut: space s: at layer1, conv(filters=8) changes layer2 (8x8x4 → 8x8x4) into layer2 (8x8x8 → 8x8x4): a latency table needs"},
		{big, "lut: layer1 maxpool(kernel=16): space s:"},
	} {
		_, err := Build(c.space, pynq(t), fpga.Options{})
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
	// One position whose candidates keep the shape is fine, with a fixed
	// second conv after it.
	ok := space(1, 1, conv(4))
	ok.Blocks = append(ok.Blocks, arch.ChainBlock{MinRepeat: 1, MaxRepeat: 1, Shared: true, Layers: []arch.ChainLayer{{Optional: true, Alts: []arch.LayerAlt{{Kind: "skip"}, {Kind: "dwconv", Params: []arch.Param{{Name: "kernel", Values: []int{3, 5}}}}}}}})
	tb, err := Build(ok, pynq(t), fpga.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range tb.Positions[1].Candidates {
		got = append(got, e.Candidate)
	}
	if tb.Positions[1].Name != "block2.layer1" || strings.Join(got, ";") != "none;skip;dwconv(kernel=3);dwconv(kernel=5)" {
		t.Fatalf("%s: %q", tb.Positions[1].Name, got)
	}
}
