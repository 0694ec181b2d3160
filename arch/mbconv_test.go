package arch

import "testing"

// mbSpace is an 8x8x16 input, one mbconv slot with the given choices, GAP and dense 10.
func mbSpace(expand, kernel, filters, stride []int) *ChainSpace {
	return &ChainSpace{SpaceName: "mb", Input: Shape{8, 8, 16},
		Blocks: []ChainBlock{{MinRepeat: 1, MaxRepeat: 1, Layers: []ChainLayer{{Alts: []LayerAlt{{Kind: "mbconv", Params: []Param{
			{"expand", expand}, {"kernel", kernel}, {"filters", filters}, {"stride", stride}}}}}}}},
		Head: []HeadLayer{{Kind: "gap"}, {Kind: "dense", Units: 10}}}
}

// TestMBConvCounts checks one inverted residual block (MobileNetV2, Sandler
// et al. CVPR 2018, Table 1: 1×1 expansion, k×k depthwise, linear 1×1
// projection) against its MACs and Keras-style parameters counted by hand.
func TestMBConvCounts(t *testing.T) {
	s := mbSpace([]int{6}, []int{3}, []int{16}, []int{1})
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	n, err := s.Decode(nil)
	if err != nil {
		t.Fatal(err)
	}
	ops := []Op{Conv, Conv, Conv, Add, GlobalAvgPool, Dense}
	if len(n.Layers) != len(ops) {
		t.Fatalf("got %d layers, want %d:\n%s", len(n.Layers), len(ops), n.Canonical())
	}
	for i, op := range ops {
		if n.Layers[i].Op != op {
			t.Errorf("layer %d is %s, want %s", i, n.Layers[i].Op, op)
		}
	}
	if !n.Layers[1].Depthwise() || n.Layers[1].Out != 96 || n.Layers[2].Act != Linear || n.Layers[0].Act != ReLU {
		t.Errorf("block layers wrong:\n%s", n.Canonical())
	}
	if in := n.Layers[3].In; len(in) != 2 || in[0] != Input || in[1] != 2 {
		t.Errorf("shortcut reads %v, want [input, project]", in)
	}
	// 64 positions: expand 16→96, depthwise 3×3 on 96, project 96→16, dense 16→10.
	wantMACs := int64(64*96*16 + 64*96*9 + 64*16*96 + 16*10)
	if n.MACs() != wantMACs {
		t.Errorf("MACs %d, want %d", n.MACs(), wantMACs)
	}
	wantParams := int64((16*96 + 96 + 4*96) + (9*96 + 96 + 4*96) + (96*16 + 16 + 4*16) + (16*10 + 10))
	if n.Params() != wantParams {
		t.Errorf("params %d, want %d", n.Params(), wantParams)
	}
}

// TestMBConvShapes checks expand 1 (no expansion layer), stride 2 and a
// change of width (no shortcut), and the decisions of a searched block.
func TestMBConvShapes(t *testing.T) {
	s := mbSpace([]int{1, 3, 6}, []int{3, 5, 7}, []int{24}, []int{1, 2})
	if got := Size(s); got != 18 {
		t.Fatalf("size %d, want 3·3·2 = 18", got)
	}
	n, err := s.Decode([]int{0, 2, 1}) // expand 1, kernel 7, stride 2
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Layers) != 4 || n.Layers[0].Name != "layer1.dw" || n.Layers[0].Kernel != 7 || n.Layers[0].Groups != 16 {
		t.Fatalf("want dw, project, gap, dense:\n%s", n.Canonical())
	}
	if got := n.Layers[1].Shape; got != (Shape{4, 4, 24}) {
		t.Errorf("projection shape %s, want 4x4x24", got)
	}
	n, err = s.Decode([]int{1, 0, 0}) // expand 3, stride 1, 16 → 24: no shortcut
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range n.Layers {
		if l.Op == Add {
			t.Errorf("shortcut across a change of width:\n%s", n.Canonical())
		}
	}
	if err := (&LayerAlt{Kind: "mbconv", Params: []Param{{"kernel", []int{3}}}}).validate(); err == nil {
		t.Error("mbconv without filters validated")
	}
}

// TestMBConvMobileNetV2 builds MobileNetV2 1.0 (Sandler et al., CVPR 2018,
// Table 2) as a chain space of mbconv blocks and checks it against the zoo's
// network, whose 300M MACs and Keras's 3,538,984 parameters TestZoo checks:
// the same layers, shapes, MACs and parameters.
func TestMBConvMobileNetV2(t *testing.T) {
	fixed := func(kind string, ps ...Param) ChainLayer {
		return ChainLayer{Alts: []LayerAlt{{Kind: kind, Params: ps}}}
	}
	one := func(name string, v int) Param { return Param{name, []int{v}} }
	mb := func(e, c, s int) ChainLayer {
		return fixed("mbconv", one("expand", e), one("kernel", 3), one("filters", c), one("stride", s))
	}
	layers := []ChainLayer{fixed("conv", one("kernel", 3), one("filters", 32), one("stride", 2))}
	for _, b := range [][4]int{{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}} {
		for r := range b[2] {
			s := 1
			if r == 0 {
				s = b[3]
			}
			layers = append(layers, mb(b[0], b[1], s))
		}
	}
	layers = append(layers, fixed("conv", one("kernel", 1), one("filters", 1280)))
	sp := &ChainSpace{SpaceName: "mobilenet_v2", Input: Shape{224, 224, 3}, BatchNorm: true,
		Blocks: []ChainBlock{{MinRepeat: 1, MaxRepeat: 1, Layers: layers}},
		Head:   []HeadLayer{{Kind: "gap"}, {Kind: "dense", Units: 1000}}}
	got, err := sp.Decode(nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Zoo("mobilenet_v2")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Layers) != len(want.Layers) {
		t.Fatalf("%d layers, zoo has %d", len(got.Layers), len(want.Layers))
	}
	for i := range got.Layers {
		g, w := &got.Layers[i], &want.Layers[i]
		if g.Op != w.Op || g.Shape != w.Shape || g.Groups != w.Groups || g.Act != w.Act || g.BN != w.BN ||
			got.LayerMACs(i) != want.LayerMACs(i) || got.LayerParams(i) != want.LayerParams(i) {
			t.Errorf("layer %d: %s %s %+v, zoo %s %s %+v", i, g.Name, g.Op, g.Shape, w.Name, w.Op, w.Shape)
		}
	}
	if got.MACs() != want.MACs() || got.Params() != want.Params() {
		t.Errorf("MACs %d params %d, zoo %d and %d", got.MACs(), got.Params(), want.MACs(), want.Params())
	}
}
