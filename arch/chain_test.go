package arch

import (
	"strings"
	"testing"
)

// fnasSpace is FNAS's MNIST space (official train.py): 4 × conv with kernel
// {5,7,14} and filters {9,18,36}, stride 1, GAP, dense 10 on 28x28x1.
func fnasSpace() *ChainSpace {
	return &ChainSpace{
		SpaceName: "fnas",
		Input:     Shape{28, 28, 1},
		Blocks: []ChainBlock{{MinRepeat: 4, MaxRepeat: 4, Layers: []ChainLayer{{Alts: []LayerAlt{{Kind: "conv", Params: []Param{
			{"kernel", []int{5, 7, 14}}, {"filters", []int{9, 18, 36}}, {"stride", []int{1}}}}}}}}},
		Head: []HeadLayer{{Kind: "gap"}, {Kind: "dense", Units: 10}},
	}
}

func TestChainFNASSize(t *testing.T) {
	s := fnasSpace()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	ds := s.Decisions()
	if len(ds) != 8 || Size(s) != 6561 {
		t.Fatalf("got %d decisions, size %d; want 8 and 3^8 = 6561", len(ds), Size(s))
	}
	if ds[2].Name != "layer2.kernel" || ds[3].Name != "layer2.filters" {
		t.Errorf("names %q %q", ds[2].Name, ds[3].Name)
	}
	n, err := s.Decode([]int{0, 0, 0, 1, 0, 2, 0, 2})
	if err != nil {
		t.Fatal(err)
	}
	// [5,9] [5,18] [5,36] [5,36] → the MACs of FNAS's worked example (Jiang et al. DAC'19; docs/fpga-model.md §9), on 28x28 maps.
	var want int64 = 176400 + 3175200 + 12700800 + 25401600 + 36*10
	if n.MACs() != want {
		t.Errorf("MACs %d, want %d", n.MACs(), want)
	}
	if n.Classes != 10 || n.Output() != (Shape{1, 1, 10}) {
		t.Errorf("output %v classes %d", n.Output(), n.Classes)
	}
	if n.Layers[0].Act != ReLU || n.Layers[len(n.Layers)-1].Act != Linear {
		t.Errorf("activations wrong")
	}
}

// The co-exploration net PredictableStride/OptHW has 286,518 Keras params
// (Co-Explore-NAS Cifar-10 model.txt): conv → ReLU → BN, flatten, dense 10.
func TestChainCoExploreParams(t *testing.T) {
	conv := func(k, f, s int) ChainLayer {
		return ChainLayer{Alts: []LayerAlt{{Kind: "conv", Params: []Param{{"kernel", []int{k}}, {"filters", []int{f}}, {"stride", []int{s}}}}}}
	}
	s := &ChainSpace{SpaceName: "co", Input: Shape{32, 32, 3}, BatchNorm: true,
		Blocks: []ChainBlock{{MinRepeat: 1, MaxRepeat: 1, Layers: []ChainLayer{
			conv(3, 36, 1), conv(5, 36, 1), conv(1, 64, 1), conv(3, 48, 2), conv(7, 24, 1), conv(1, 64, 1)}}},
		Head: []HeadLayer{{Kind: "flatten"}, {Kind: "dense", Units: 10}}}
	if len(s.Decisions()) != 0 {
		t.Fatalf("fixed space has decisions %v", s.Decisions())
	}
	n, err := s.Decode(nil)
	if err != nil {
		t.Fatal(err)
	}
	if n.Params() != 286518 {
		t.Errorf("params %d, want 286518", n.Params())
	}
}

func TestChainRepeatOptionalChoice(t *testing.T) {
	s := &ChainSpace{SpaceName: "mix", Input: Shape{32, 32, 3},
		Blocks: []ChainBlock{
			{MinRepeat: 1, MaxRepeat: 3, Layers: []ChainLayer{{Alts: []LayerAlt{
				{Kind: "conv", Params: []Param{{"kernel", []int{3, 5}}, {"filters", []int{16}}}},
				{Kind: "dwconv"},
				{Kind: "skip"}}}}},
			{MinRepeat: 2, MaxRepeat: 2, Shared: true, Layers: []ChainLayer{
				{Optional: true, Alts: []LayerAlt{{Kind: "maxpool", Params: []Param{{"kernel", []int{2}}}}}},
				{Alts: []LayerAlt{{Kind: "conv", Params: []Param{{"filters", []int{32, 64}}}}}}}},
		},
		Head: []HeadLayer{{Kind: "dense", Units: 10}}}
	var names []string
	for _, d := range s.Decisions() {
		names = append(names, d.Name)
	}
	want := "block1.repeat layer1.type layer1.conv.kernel layer2.type layer2.conv.kernel layer3.type layer3.conv.kernel block2.layer1.use block2.layer2.filters"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("decisions\n got %s\nwant %s", got, want)
	}
	tests := []struct {
		genome []int
		ops    string
	}{
		{[]int{0, 0, 1, 2, 0, 2, 0, 0, 1}, "conv conv conv dense"},                      // 1 repeat of conv5, no pool
		{[]int{2, 1, 0, 0, 0, 2, 0, 1, 0}, "conv conv maxpool conv maxpool conv dense"}, // dw, conv3, skip; pool shared
		{[]int{1, 2, 0, 2, 0, 0, 0, 0, 0}, "conv conv dense"},                           // two skips
	}
	for _, tt := range tests {
		n, err := s.Decode(tt.genome)
		if err != nil {
			t.Fatalf("%v: %v", tt.genome, err)
		}
		var ops []string
		for _, l := range n.Layers {
			ops = append(ops, l.Op.String())
		}
		if got := strings.Join(ops, " "); got != tt.ops {
			t.Errorf("%v: ops %q, want %q", tt.genome, got, tt.ops)
		}
	}
}

func TestChainErrors(t *testing.T) {
	s := fnasSpace()
	if _, err := s.Decode([]int{0}); err == nil || !strings.Contains(err.Error(), "8") {
		t.Errorf("short genome: %v", err)
	}
	if _, err := s.Decode([]int{0, 0, 0, 0, 0, 0, 0, 3}); err == nil || !strings.Contains(err.Error(), "layer4.filters") {
		t.Errorf("gene out of range: %v", err)
	}
	// Pools that shrink the map below the kernel give a shape error.
	p := &ChainSpace{SpaceName: "p", Input: Shape{4, 4, 1}, Blocks: []ChainBlock{{MinRepeat: 3, MaxRepeat: 3,
		Layers: []ChainLayer{{Alts: []LayerAlt{{Kind: "maxpool"}}}}}}, Head: []HeadLayer{{Kind: "dense", Units: 2}}}
	if _, err := p.Decode(nil); err == nil || !strings.Contains(err.Error(), "does not fit") {
		t.Errorf("shape error: %v", err)
	}
	bad := []*ChainSpace{
		{SpaceName: "a", Input: Shape{1, 1, 1}, Blocks: []ChainBlock{{MinRepeat: 1, MaxRepeat: 1, Layers: []ChainLayer{{Alts: []LayerAlt{{Kind: "conv"}}}}}}, Head: []HeadLayer{{Kind: "dense", Units: 2}}},
		{SpaceName: "b", Input: Shape{1, 1, 1}, Blocks: []ChainBlock{{MinRepeat: 2, MaxRepeat: 1, Layers: []ChainLayer{{Alts: []LayerAlt{{Kind: "skip"}}}}}}, Head: []HeadLayer{{Kind: "dense", Units: 2}}},
		{SpaceName: "c", Input: Shape{1, 1, 1}, Blocks: []ChainBlock{{MinRepeat: 1, MaxRepeat: 1, Layers: []ChainLayer{{Alts: []LayerAlt{{Kind: "skip"}}}}}}, Head: []HeadLayer{{Kind: "gap"}}},
		{SpaceName: "d", Input: Shape{1, 1, 1}, Blocks: []ChainBlock{{MinRepeat: 1, MaxRepeat: 1, Layers: []ChainLayer{{Alts: []LayerAlt{{Kind: "maxpool", Params: []Param{{"filters", []int{3}}}}}}}}}, Head: []HeadLayer{{Kind: "dense", Units: 2}}},
	}
	for _, b := range bad {
		if err := b.Validate(); err == nil {
			t.Errorf("space %s: no error", b.SpaceName)
		}
	}
}

func BenchmarkChainDecode(b *testing.B) {
	s := fnasSpace()
	g := []int{2, 2, 1, 1, 0, 0, 2, 1}
	for i := 0; i < b.N; i++ {
		if _, err := s.Decode(g); err != nil {
			b.Fatal(err)
		}
	}
}
