package arch

import (
	"strings"
	"testing"
)

func nb201Like() *CellSpace {
	return &CellSpace{SpaceName: "nb", Input: Shape{32, 32, 3}, Nodes: 4,
		Ops:          []string{"none", "skip", "conv1x1", "conv3x3", "avgpool3x3"},
		StemChannels: 16, Stages: []CellStage{{5, 16}, {5, 32}, {5, 64}}, Classes: 10}
}

func TestCellDecisions(t *testing.T) {
	s := nb201Like()
	ds := s.Decisions()
	var names []string
	for _, d := range ds {
		names = append(names, d.Name)
	}
	// NAS-Bench-201's edge order.
	if got := strings.Join(names, " "); got != "edge1<-0 edge2<-0 edge2<-1 edge3<-0 edge3<-1 edge3<-2" {
		t.Fatalf("names %s", got)
	}
	if Size(s) != 15625 {
		t.Errorf("size %d, want 5^6", Size(s))
	}
}

func TestCellDecode(t *testing.T) {
	s := nb201Like()
	tests := []struct {
		genome []int
		err    string
		convs  int
	}{
		{[]int{3, 3, 3, 3, 3, 3}, "", 15*6 + 1 + 2*3},    // all conv3x3: 6 per cell, stem, 2 reductions × 3 convs
		{[]int{1, 0, 1, 0, 0, 1}, "", 1 + 2*3},           // skip chain: identity cells
		{[]int{0, 0, 0, 0, 0, 0}, "receives no edge", 0}, // all none
		{[]int{3, 0, 0, 0, 0, 1}, "receives no edge", 0}, // node 2 is zero, so node 3 is too
		{[]int{5, 0, 0, 0, 0, 0}, "want 0..4", 0},
	}
	for _, tt := range tests {
		n, err := s.Decode(tt.genome)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%v: err %v, want %q", tt.genome, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tt.genome, err)
		}
		convs := 0
		for _, l := range n.Layers {
			if l.Op == Conv {
				convs++
			}
		}
		if convs != tt.convs {
			t.Errorf("%v: %d convs, want %d", tt.genome, convs, tt.convs)
		}
		if n.Output() != (Shape{1, 1, 10}) {
			t.Errorf("output %v", n.Output())
		}
		if n.Layers[len(n.Layers)-3].Shape != (Shape{8, 8, 64}) {
			t.Errorf("last cell shape %v", n.Layers[len(n.Layers)-3].Shape)
		}
	}
}

func TestCellValidate(t *testing.T) {
	s := nb201Like()
	s.Ops = append(s.Ops, "conv9x9")
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "conv9x9") {
		t.Errorf("unknown op: %v", err)
	}
	s = nb201Like()
	s.EdgeOps = [][]string{nil, {"skip", "conv3x3"}}
	if ds := s.Decisions(); len(ds[1].Choices) != 2 || len(ds[0].Choices) != 5 {
		t.Errorf("edge override: %v", ds)
	}
}
