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
