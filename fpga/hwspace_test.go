package fpga

import (
	"strings"
	"testing"
)

func TestHWSpace(t *testing.T) {
	n := zoo(t, "alexnet")
	pool, _ := NewPool(1.25, "ZCU102", "ZCU102", "ZC706")
	cases := []struct {
		name   string
		s      HWSpace
		genes  []int
		names  string
		mode   Mode
		stages int
	}{
		{"single", CoExploreSpace(pool, false), []int{2, 5, 7, 1, 1}, "hw.device,hw.tm,hw.tn,hw.tr,hw.tc", Shared, 0},
		{"multi", CoExploreSpace(pool, true), []int{2, 5, 7, 0, 0}, "hw.stages,hw.tm,hw.tn,hw.tr,hw.tc", Multi, 3},
		{"one device", HWSpace{Pool: Pool{Devices: pool.Devices[:1]}, Precisions: []Precision{Int16, Int8}}, []int{1, 0, 0, 0, 0},
			"hw.precision,hw.tm,hw.tn,hw.tr,hw.tc", Shared, 0},
	}
	for _, c := range cases {
		var names []string
		for _, d := range c.s.Decisions() {
			names = append(names, d.Name)
		}
		if strings.Join(names, ",") != c.names {
			t.Errorf("%s: decisions %v, want %s", c.name, names, c.names)
		}
		d, err := c.s.Decode(c.genes, n)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if d.Mode != c.mode || len(d.Stages) != c.stages {
			t.Errorf("%s: mode %s with %d stages", c.name, d.Mode, len(d.Stages))
		}
		r, err := EstimatePool(n, c.s.Pool, d)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
		} else if r.LatencyMs <= 0 {
			t.Errorf("%s: latency %g", c.name, r.LatencyMs)
		}
	}
	s := CoExploreSpace(pool, false)
	if _, err := s.Decode([]int{0, 0}, n); err == nil || !strings.Contains(err.Error(), "has 2 genes, want 5") {
		t.Errorf("short genome: %v", err)
	}
	if _, err := s.Decode([]int{3, 0, 0, 0, 0}, n); err == nil || !strings.Contains(err.Error(), "hw.device) = 3, want 0..2") {
		t.Errorf("gene out of range: %v", err)
	}
}

func TestBalancedStages(t *testing.T) {
	n := zoo(t, "vgg16")
	for k := 1; k <= 5; k++ {
		st := balancedStages(n, k)
		if len(st) != k || st[0].First != 0 || st[k-1].Last != len(n.Layers)-1 {
			t.Fatalf("k=%d: %v", k, st)
		}
		for i := 1; i < k; i++ {
			if st[i].First != st[i-1].Last+1 || st[i].Last < st[i].First {
				t.Fatalf("k=%d: %v", k, st)
			}
		}
	}
}

// TestHWSpaceOptimizeTiling: without tile genes every stage gets the shared
// engine that runs its layers fastest, which is what Optimize finds for a
// single device and at least as fast as every tiling the genes could give.
func TestHWSpaceOptimizeTiling(t *testing.T) {
	n := zoo(t, "alexnet")
	pool, _ := NewPool(1.25, "ZCU102", "ZCU102", "ZC706")
	genes := CoExploreSpace(pool, true)
	compared := 0
	for _, multi := range []bool{false, true} {
		s := CoExploreSpace(pool, multi)
		s.OptimizeTiling = true
		var names []string
		for _, d := range s.Decisions() {
			names = append(names, d.Name)
		}
		if want := map[bool]string{false: "hw.device", true: "hw.stages"}[multi]; strings.Join(names, ",") != want {
			t.Errorf("multi=%v: decisions %v, want %s", multi, names, want)
		}
		for g := range len(pool.Devices) {
			d, err := s.Decode([]int{g}, n)
			if err != nil {
				t.Fatalf("multi=%v gene %d: %v", multi, g, err)
			}
			if len(d.Tilings) != len(n.Layers) {
				t.Fatalf("multi=%v gene %d: %d tilings for %d layers", multi, g, len(d.Tilings), len(n.Layers))
			}
			r, err := EstimatePool(n, pool, d)
			if err != nil {
				t.Fatalf("multi=%v gene %d: %v", multi, g, err)
			}
			if !multi {
				p := pool.Devices[g]
				_, want, err := Optimize(n, p, Options{Mode: Shared, PortShare: [3]int{1, 1, 1}}) // even ports, as Decode
				if err != nil || r.Cycles != want.Cycles {
					t.Errorf("device %d: %d cycles; Optimize finds %d (%v)", g, r.Cycles, want.Cycles, err)
				}
			}
			// Every tiling the genes could give is no faster.
			for _, tg := range [][4]int{{0, 0, 0, 0}, {5, 7, 1, 1}, {2, 3, 0, 1}, {5, 0, 1, 0}, {3, 7, 0, 0}} {
				gd, _ := genes.Decode([]int{g, tg[0], tg[1], tg[2], tg[3]}, n)
				if !multi {
					gd.Mode, gd.Stages, gd.Device = Shared, nil, g
				}
				gr, err := EstimatePool(n, pool, gd)
				if err == nil {
					compared++
				}
				if err == nil && gr.LatencyMs < r.LatencyMs {
					t.Errorf("multi=%v gene %d: tiling %v gives %g ms, the optimised tiling %g ms", multi, g, gd.Tilings[0], gr.LatencyMs, r.LatencyMs)
				}
			}
		}
	}
	if compared < 10 {
		t.Errorf("only %d gene tilings fit: compare with more", compared)
	}
	one := HWSpace{Pool: Pool{Devices: pool.Devices[:1]}, OptimizeTiling: true}
	if ds := one.Decisions(); len(ds) != 0 {
		t.Errorf("one device, one precision, no tiling genes: decisions %v", ds)
	}
	if _, err := one.Decode(nil, nil); err == nil || !strings.Contains(err.Error(), "an optimised tiling needs a network") {
		t.Errorf("no network: %v", err)
	}
}
