package fpga

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/arch"
)

func zoo(t testing.TB, name string) *arch.Network {
	n, err := arch.Zoo(name)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestOptimizeZoo runs every zoo model through both single-device modes on
// a few boards and checks the report's invariants.
func TestOptimizeZoo(t *testing.T) {
	for _, m := range arch.ZooNames() {
		n := zoo(t, m)
		for _, pn := range []string{"PYNQ-Z1", "ZCU102", "Alveo-U250"} {
			p := mustLookup(t, pn)
			for _, mode := range []Mode{Shared, Pipeline} {
				d, r, err := Optimize(n, p, Options{Mode: mode, Goal: MaxThroughput})
				var fe *FitError
				if mode == Pipeline && pn == "PYNQ-Z1" && len(n.Layers) > 10 && errors.As(err, &fe) {
					continue // one engine per layer of a deep net does not fit 220 DSPs / 53k LUTs
				}
				if err != nil {
					t.Errorf("%s on %s %s: %v", m, pn, mode, err)
					continue
				}
				dh, bh, _ := p.Budget()
				if r.DSP > dh || r.BRAM18 > bh || r.DSP <= 0 {
					t.Errorf("%s on %s %s: %d DSP, %d BRAM18 (budget %d, %d)", m, pn, mode, r.DSP, r.BRAM18, dh, bh)
				}
				if len(r.Layers) != len(n.Layers) || r.LatencyMs <= 0 || r.ThroughputFPS <= 0 || r.PowerW <= p.StaticW || r.EnergyMJ <= 0 {
					t.Errorf("%s on %s %s: bad report %+v", m, pn, mode, r)
				}
				// the peak: 2 ops per lane per cycle
				lanes := float64(r.DSP) * float64(Int16.dspCost(p.Family).Den) / float64(Int16.dspCost(p.Family).Num)
				if peak := 2 * lanes * p.ClockMHz / 1e3; r.GOPS > peak*1.0001 {
					t.Errorf("%s on %s %s: %.1f GOPS above the %.1f peak", m, pn, mode, r.GOPS, peak)
				}
				if r2, err := Estimate(n, p, d); err != nil || r2.LatencyMs != r.LatencyMs {
					t.Errorf("%s on %s %s: re-estimate %v, %v", m, pn, mode, r2.LatencyMs, err)
				}
			}
		}
	}
}

func TestPipelineBeatsSharedThroughput(t *testing.T) {
	n := zoo(t, "vgg16")
	p := mustLookup(t, "ZCU102")
	_, rs, err := Optimize(n, p, Options{Mode: Shared})
	if err != nil {
		t.Fatal(err)
	}
	_, rp, err := Optimize(n, p, Options{Mode: Pipeline, Goal: MaxThroughput})
	if err != nil {
		t.Fatal(err)
	}
	if rp.ThroughputFPS <= rs.ThroughputFPS*0.9 {
		t.Errorf("pipeline %.1f fps vs shared %.1f fps", rp.ThroughputFPS, rs.ThroughputFPS)
	}
	if rp.LatencyMs < rp.IntervalMs {
		t.Errorf("pipeline latency %g below its interval %g", rp.LatencyMs, rp.IntervalMs)
	}
}

func TestMultiFPGA(t *testing.T) {
	n := zoo(t, "vgg16")
	single, err := Lookup("ZCU102")
	if err != nil {
		t.Fatal(err)
	}
	_, one, err := Optimize(n, single, Options{Mode: Shared})
	if err != nil {
		t.Fatal(err)
	}
	pool, _ := NewPool(1.25, "ZCU102", "ZCU102", "ZC706") // 10 Gb/s SFP+ links
	d, r, err := OptimizePool(n, pool, Options{Mode: Multi, Goal: MaxThroughput})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Stages) < 2 || r.ThroughputFPS <= one.ThroughputFPS {
		t.Errorf("multi: %d stages, %.1f fps; single ZCU102 %.1f fps", len(d.Stages), r.ThroughputFPS, one.ThroughputFPS)
	}
	if r.IntervalMs < r.Stages[0].LinkMs {
		t.Errorf("interval %g below the first link %g", r.IntervalMs, r.Stages[0].LinkMs)
	}
	// A very slow link makes splitting pointless: one stage.
	slow, _ := NewPool(1e-7, "ZCU102", "ZCU102")
	d, r, err = OptimizePool(n, slow, Options{Mode: Multi, Goal: MaxThroughput})
	if err != nil || len(d.Stages) != 1 {
		t.Errorf("slow link: %d stages (%v), %v", len(d.Stages), d.Stages, err)
	}
	// Latency goal over a pool of equal devices never beats one device by much
	// (stages run one after another) and never loses to it.
	d, r, err = OptimizePool(n, pool, Options{Mode: Multi, Goal: MinLatency})
	if err != nil || r.LatencyMs > one.LatencyMs*1.0001 {
		t.Errorf("multi latency %g ms vs single %g ms, %v", r.LatencyMs, one.LatencyMs, err)
	}
	if !strings.Contains(d.String(), "stages=") {
		t.Errorf("design string %q lacks stages", d)
	}
}

func TestBadInput(t *testing.T) {
	n := fnasChild([2]int{5, 9}, [2]int{5, 18}, [2]int{5, 36}, [2]int{5, 36})
	p := mustLookup(t, "PYNQ-Z1")
	good := Design{Mode: Shared, Precision: Int16, Tilings: []Tiling{{8, 8, 14, 14}}}
	cases := []struct {
		name string
		d    func(Design) Design
		n    func() *arch.Network
		want string
	}{
		{"too many DSP", func(d Design) Design { d.Tilings = []Tiling{{32, 32, 14, 14}}; return d }, nil,
			"design does not fit PYNQ-Z1: needs 1024 DSP, 220 available"},
		{"too much BRAM", func(d Design) Design { d.Precision = FP32; d.Tilings = []Tiling{{4, 3, 224, 224}}; return d }, func() *arch.Network {
			m := &arch.Network{Input: arch.Shape{H: 224, W: 224, C: 3}}
			m.Append(arch.Layer{Op: arch.Conv, Kernel: 3, Stride: 1, Pad: 1, Out: 64}, arch.Input)
			_ = m.Infer()
			return m
		}, "BRAM18, 252 available"},
		{"zero tile", func(d Design) Design { d.Tilings = []Tiling{{0, 8, 14, 14}}; return d }, nil, "every tile size must be at least 1"},
		{"tiling count", func(d Design) Design { d.Tilings = make([]Tiling, 3); return d }, nil, "want 1 (all layers) or 6"},
		{"no precision", func(d Design) Design { d.Precision = 0; return d }, nil, "no precision"},
		{"mixed array", func(d Design) Design {
			d.Tilings = []Tiling{{8, 8, 14, 14}, {4, 8, 14, 14}, {8, 8, 14, 14}, {8, 8, 14, 14}, {8, 8, 14, 14}, {8, 8, 14, 14}}
			return d
		}, nil, "one MAC array has one shape"},
		{"multi without pool", func(d Design) Design { d.Mode = Multi; return d }, nil, "use EstimatePool"},
		{"not inferred", nil, func() *arch.Network {
			m := &arch.Network{Input: arch.Shape{H: 8, W: 8, C: 1}}
			m.Append(arch.Layer{Op: arch.Conv, Kernel: 3, Out: 4}, arch.Input)
			return m
		}, "layer 0 (conv): shape not inferred"},
		{"empty", nil, func() *arch.Network { return &arch.Network{} }, "network has no layers"},
		{"nil", nil, func() *arch.Network { return nil }, "network has no layers"},
	}
	for _, c := range cases {
		d, m := good, n
		if c.d != nil {
			d = c.d(good)
		}
		if c.n != nil {
			m = c.n()
		}
		_, err := Estimate(m, p, d)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error = %v, want it to contain %q", c.name, err, c.want)
		}
	}
	if _, err := Estimate(n, p, good); err != nil {
		t.Errorf("good design: %v", err)
	}
	var fe *FitError
	_, err := Estimate(n, p, Design{Mode: Shared, Precision: Int16, Tilings: []Tiling{{32, 32, 14, 14}}})
	if !errors.As(err, &fe) || fe.Need != 1024 || fe.Have != 220 {
		t.Errorf("FitError = %#v", err)
	}
	if _, _, err := Optimize(n, p, Options{Mode: Shared, Fix: Tiling{Tm: 64, Tn: 64}}); !errors.As(err, &fe) || !strings.Contains(err.Error(), "needs 4096 DSP, 220 available") {
		t.Errorf("impossible fixed tiling: %v", err)
	}
	arty := mustLookup(t, "Arty-A7-50T")
	if _, _, err := Optimize(zoo(t, "vgg16"), arty, Options{Mode: Pipeline}); !errors.As(err, &fe) {
		t.Errorf("VGG16 engines on an Arty: %v, want a *FitError", err)
	}
}

func TestReportJSON(t *testing.T) {
	n := fnasChild([2]int{5, 9}, [2]int{5, 18})
	_, r, err := Optimize(n, mustLookup(t, "ZCU102"), Options{Mode: Shared})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"latency_ms"`, `"throughput_fps"`, `"gops"`, `"energy_mj"`, `"power_w"`, `"dsp"`, `"bram18"`, `"lut"`, `"layers"`, `"mode":"shared"`, `"precision":"int16"`, `"combine":"sum"`, `"bound"`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("JSON lacks %s: %s", k, b)
		}
	}
}

func TestDesignString(t *testing.T) {
	d := Design{Mode: Pipeline, Precision: Int8, Tilings: []Tiling{{1, 2, 3, 4}, {5, 6, 7, 8}}, Combine: Slowest}
	want := "fpga-model/1 mode=pipeline tmpl=hwnas combine=slowest prec=int8 clk=0 ports=0/0/0 dev=0 tiles=1,2,3,4;5,6,7,8"
	if d.String() != want {
		t.Errorf("String = %q\nwant      %q", d, want)
	}
	tl, err := ParseTiling(" 64, 7,13,13")
	if err != nil || tl != (Tiling{64, 7, 13, 13}) {
		t.Errorf("ParseTiling = %v, %v", tl, err)
	}
	for _, s := range []string{"64,7,13", "64,x,1,1", "0,1,1,1", ""} {
		if _, err := ParseTiling(s); err == nil {
			t.Errorf("ParseTiling(%q) accepted", s)
		}
	}
}

func FuzzParseTiling(f *testing.F) {
	for _, s := range []string{"64,7,13,13", "1,1,1,1", ",,,", "9999999999999999999,1,1,1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tl, err := ParseTiling(s)
		if err == nil && (tl.Tm < 1 || tl.Tn < 1 || tl.Tr < 1 || tl.Tc < 1) {
			t.Errorf("ParseTiling(%q) = %v", s, tl)
		}
	})
}

func FuzzParsePrecision(f *testing.F) {
	for _, s := range []string{"fp32", "INT8", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePrecision(s)
		if err == nil && p.Bits() == 0 {
			t.Errorf("ParsePrecision(%q) = %v", s, p)
		}
	})
}

func FuzzLookup(f *testing.F) {
	for _, s := range []string{"zcu102", "", "ALVEO U5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, err := Lookup(s); err == nil && p.Validate() != nil {
			t.Errorf("Lookup(%q) returned an invalid platform", s)
		}
	})
}

// TestSharedPruningExact checks that the best-first search with lower-bound
// pruning finds the same optimum as trying every <Tm,Tn> pair on its own.
func TestSharedPruningExact(t *testing.T) {
	for _, c := range []struct{ net, plat string }{{"alexnet", "PYNQ-Z1"}, {"vgg16", "ZC706"}, {"lenet5", "Arty-A7-50T"}} {
		n := zoo(t, c.net)
		p := mustLookup(t, c.plat)
		d := Design{Mode: Shared, Precision: Int16, PortShare: [3]int{4, 1, 1}}
		if err := optimizeShared(n, &p, &d, Tiling{}); err != nil {
			t.Fatal(err)
		}
		got, _ := Estimate(n, p, d)
		pe := p.DSP
		var tms, tns []int
		for i := range n.Layers {
			if dm := layerDims(n, i); dm.kind == kConv {
				tms = union(tms, ceilCands(dm.M, pe, 0))
				tns = union(tns, ceilCands(dm.N, pe, 0))
			}
		}
		best := int64(math.MaxInt64)
		for _, pr := range arrayPairs(tms, tns, pe, func(int, int) bool { return true }) {
			e := d
			if err := optimizeShared(n, &p, &e, Tiling{Tm: pr[0], Tn: pr[1]}); err != nil {
				continue
			}
			if r, err := Estimate(n, p, e); err == nil && r.Cycles < best {
				best = r.Cycles
			}
		}
		if got.Cycles != best {
			t.Errorf("%s on %s: search %d cycles, exhaustive %d", c.net, c.plat, got.Cycles, best)
		}
	}
}

// TestEstimateToAllocs pins the search-loop property: with a reused report
// EstimateTo allocates nothing.
func TestEstimateToAllocs(t *testing.T) {
	n := fnasChild([2]int{5, 9}, [2]int{5, 18}, [2]int{5, 36}, [2]int{5, 36})
	p := mustLookup(t, "PYNQ-Z1")
	for _, d := range []Design{
		{Mode: Shared, Precision: Int16, Tilings: []Tiling{{8, 16, 14, 14}}},
		{Mode: Pipeline, Precision: Int16, Tilings: []Tiling{{4, 1, 28, 28}}},
	} {
		var r Report
		if err := EstimateTo(&r, n, p, d); err != nil {
			t.Fatal(err)
		}
		if a := testing.AllocsPerRun(100, func() { _ = EstimateTo(&r, n, p, d) }); a != 0 {
			t.Errorf("%s: %.1f allocations per EstimateTo", d.Mode, a)
		}
	}
}

func TestBRAMBlocks(t *testing.T) {
	// RAMB18 shapes (UG473): 512×36, 1K×18, 2K×9, 4K×4, 8K×2, 16K×1.
	cases := []struct{ w, d, blk, want int }{
		{36, 512, 18432, 1}, {37, 512, 18432, 2}, {18, 1024, 18432, 1}, {9, 2048, 18432, 1},
		{1, 16384, 18432, 1}, {16, 2048, 18432, 2}, {1152, 50, 18432, 32}, {0, 10, 18432, 0},
		{40, 512, 20480, 1}, {20, 1024, 20480, 1}, // M20K: 512×40, 1K×20
	}
	for _, c := range cases {
		if got := bramBlocks(c.w, c.d, c.blk); got != c.want {
			t.Errorf("bramBlocks(%d wide, %d deep, %d-bit blocks) = %d, want %d", c.w, c.d, c.blk, got, c.want)
		}
	}
}

func TestDesignJSONRoundTrip(t *testing.T) {
	n := zoo(t, "vgg16")
	pool, _ := NewPool(1.25, "ZCU102", "ZC706")
	d, r, err := OptimizePool(n, pool, Options{Mode: Multi, Goal: MaxThroughput, Combine: Slowest, Precision: Int8})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back Design
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if back.String() != d.String() {
		t.Errorf("round trip:\n%s\n%s", back, d)
	}
	r2, err := EstimatePool(n, pool, back)
	if err != nil || r2.ThroughputFPS != r.ThroughputFPS {
		t.Errorf("re-estimate %g fps (%v), want %g", r2.ThroughputFPS, err, r.ThroughputFPS)
	}
	if err := json.Unmarshal([]byte(`{"mode":"ring"}`), &back); err == nil || !strings.Contains(err.Error(), "want shared, pipeline or multi") {
		t.Errorf("bad mode: %v", err)
	}
}

func TestEstimatePoolStages(t *testing.T) {
	n := zoo(t, "alexnet")
	pool, _ := NewPool(0.001, "ZCU102", "ZCU102")
	tl := []Tiling{{32, 16, 13, 13}}
	cases := []struct {
		stages []Stage
		want   string
	}{
		{nil, "multi design has no stages"},
		{[]Stage{{0, 4, 0}, {6, 10, 1}}, "stage 1 covers layers 6–10; want a range starting at 5"},
		{[]Stage{{0, 4, 0}, {5, 10, 0}}, "device 0 is not a free device"},
		{[]Stage{{0, 4, 0}, {5, 9, 1}}, "stages end at layer 9; the network has 11 layers"},
		{[]Stage{{0, 4, 0}, {5, 10, 2}}, "device 2 is not a free device of the pool of 2"},
	}
	for _, c := range cases {
		_, err := EstimatePool(n, pool, Design{Mode: Multi, Precision: Int16, Tilings: tl, Stages: c.stages})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.stages, err, c.want)
		}
	}
	// conv5's 13×13×256 output crosses a 1 MB/s link: the link sets the pace.
	r, err := EstimatePool(n, pool, Design{Mode: Multi, Precision: Int16, Tilings: tl, Stages: []Stage{{0, 6, 0}, {7, 10, 1}}})
	if err != nil {
		t.Fatal(err)
	}
	wantLink := float64(13*13*256*2) / (0.001 * 1e6) // conv5 output, 16-bit words
	if r.Bound != BoundLink || math.Abs(r.Stages[0].LinkMs-wantLink) > 1e-9 || r.IntervalMs != wantLink {
		t.Errorf("bound %s, link %g ms (want %g), interval %g", r.Bound, r.Stages[0].LinkMs, wantLink, r.IntervalMs)
	}
	if want := r.Stages[0].LatencyMs + r.Stages[0].LinkMs + r.Stages[1].LatencyMs; math.Abs(r.LatencyMs-want) > 1e-9 {
		t.Errorf("latency %g, want the sum %g", r.LatencyMs, want)
	}
}
