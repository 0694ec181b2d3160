package nb201

import (
	"strings"
	"testing"

	"github.com/hwnas/hwnas/arch"
)

// skeletonMACs and skeletonParams are hand-counted for the bare skeleton
// (stem, two reduction blocks, lastact, classifier), IR conventions: conv
// bias counted, BN = 4 params per channel.
//
//	MACs:   stem 32·32·16·27 = 442,368; r1 conv_a 16·16·32·144 = 1,179,648,
//	        conv_b 16·16·32·288 = 2,359,296, shortcut 16·16·32·16 = 131,072;
//	        r2 the same three: 1,179,648 + 2,359,296 + 131,072; dense 640.
//	Params: stem 448+64; r1 4,640+128 + 9,248+128 + 544; r2 18,496+256 +
//	        36,928+256 + 2,112; lastact 256; dense 650.
//
// NAS-Bench-201 reports 7.78 MFLOPs for its smallest networks (Dong & Yang 2020).
const (
	skeletonMACs   = 7783040
	skeletonParams = 74154
)

func TestNetworkSkeleton(t *testing.T) {
	for _, cell := range []string{
		"|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|", // identity cell
		"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|",         // dead cell
		"|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|", // dead: node 1 reaches nothing
		"|none~0|+|none~0|nor_conv_3x3~1|+|none~0|none~1|skip_connect~2|",
	} {
		n, err := Network(cell)
		if err != nil {
			t.Fatal(err)
		}
		if n.MACs() != skeletonMACs || n.Params() != skeletonParams {
			t.Errorf("%s: MACs %d params %d, want %d %d", cell, n.MACs(), n.Params(), skeletonMACs, skeletonParams)
		}
	}
}

func TestNetworkAllConv(t *testing.T) {
	n, err := Network("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|")
	if err != nil {
		t.Fatal(err)
	}
	// Each stage: 5 cells × 6 convs of H·W·C·C·9 = 2,359,296 MACs at every stage.
	// NAS-Bench-201 reports 220.11 MFLOPs for this network.
	if want := int64(skeletonMACs + 3*5*6*2359296); n.MACs() != want {
		t.Errorf("MACs = %d, want %d", n.MACs(), want)
	}
	// NAS-Bench-201 counts 1,531,546 trainable params (no conv bias, 2 per BN
	// channel); the IR adds a bias per conv output and 2 more per BN channel.
	var extra int64
	for i, l := range n.Layers {
		if l.Op == arch.Conv {
			extra += int64(l.Out)
		}
		if l.BN {
			extra += 2 * int64(n.Layers[i].Shape.C)
		}
	}
	if got := n.Params() - extra; got != 1531546 {
		t.Errorf("NAS-Bench-201-style params = %d, want 1531546", got)
	}
	if n.Output() != (arch.Shape{H: 1, W: 1, C: 10}) {
		t.Errorf("output %s", n.Output())
	}
}

func TestNetworkStructure(t *testing.T) {
	// node1 = conv1x1(in); node2 = skip(in) + avg(node1); node3 = skip(node2).
	n, err := Network("|nor_conv_1x1~0|+|skip_connect~0|avg_pool_3x3~1|+|none~0|none~1|skip_connect~2|")
	if err != nil {
		t.Fatal(err)
	}
	var convs, pools, adds int
	for _, l := range n.Layers {
		if !strings.HasPrefix(l.Name, "s") || !strings.Contains(l.Name, ".c") {
			continue
		}
		switch {
		case l.Op == arch.Conv && l.Kernel == 1 && l.BN && l.Act == arch.ReLU:
			convs++
		case l.Op == arch.AvgPool && l.Kernel == 3 && l.Pad == 1 && l.Stride == 1:
			pools++
		case l.Op == arch.Add && len(l.In) == 2:
			adds++
		default:
			t.Errorf("unexpected cell layer %+v", l)
		}
	}
	if convs != 15 || pools != 15 || adds != 15 {
		t.Errorf("convs %d pools %d adds %d, want 15 each", convs, pools, adds)
	}
}

func TestReachable(t *testing.T) {
	cases := []struct {
		cell string
		want bool
	}{
		{"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", false},
		{"|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|", false},
		{"|skip_connect~0|+|none~0|avg_pool_3x3~1|+|none~0|none~1|nor_conv_1x1~2|", true},
		{"|none~0|+|none~0|none~1|+|avg_pool_3x3~0|none~1|none~2|", true},
		{"|none~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|", false},
	}
	for _, c := range cases {
		g, err := ParseCell(c.cell)
		if err != nil {
			t.Fatal(err)
		}
		if got := Reachable(g); got != c.want {
			t.Errorf("Reachable(%s) = %v, want %v", c.cell, got, c.want)
		}
	}
	if Reachable([]int{1}) {
		t.Error("Reachable of a bad genome")
	}
}

// TestAllCellsInfer builds every cell's network (Infer runs inside) and checks
// that dead cells are the ones with chance accuracy in the table.
func TestAllCellsInfer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 15,625 networks")
	}
	var sp Space
	dead := 0
	for _, r := range Rows() {
		n, err := sp.Decode(r.Genome)
		if err != nil {
			t.Fatalf("idx %d %s: %v", r.Idx, r.Arch, err)
		}
		if !Reachable(r.Genome) {
			dead++
			if n.MACs() != skeletonMACs {
				t.Fatalf("dead cell %s has %d MACs", r.Arch, n.MACs())
			}
			if r.C10TestAcc > 11 {
				t.Errorf("dead cell %s has test accuracy %.2f%%, want chance", r.Arch, r.C10TestAcc)
			}
		}
	}
	t.Logf("%d of %d cells are dead", dead, NumCells)
}

func TestSpace(t *testing.T) {
	var sp Space
	if got := arch.Cardinalities(sp); len(got) != 6 || got[0] != 5 {
		t.Fatalf("cardinalities %v", got)
	}
	if d := sp.Decisions(); d[2].Name != "edge_2_1" || d[2].Choices[3] != "nor_conv_3x3" {
		t.Errorf("decision 2 = %+v", d[2])
	}
	if _, err := sp.Decode([]int{0, 0, 0, 0, 0, 7}); err == nil || !strings.Contains(err.Error(), "gene 5 (edge 3<-2) is 7") {
		t.Errorf("Decode bad gene: %v", err)
	}
	if _, err := Network("bad"); err == nil {
		t.Error("Network(bad) succeeded")
	}
}

func BenchmarkNetwork(b *testing.B) {
	g := []int{3, 3, 4, 1, 3, 1}
	for b.Loop() {
		if _, err := NetworkOf(g); err != nil {
			b.Fatal(err)
		}
	}
}

func TestFullyLive(t *testing.T) {
	for cell, want := range map[string]bool{
		"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|": true,
		"|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|":                                 false, // node 1 reaches nothing
		"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|":                                                 true,  // no op at all
		"|none~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|none~0|none~1|none~2|":                                 false, // dead cell
	} {
		g, err := ParseCell(cell)
		if err != nil {
			t.Fatal(err)
		}
		if got := FullyLive(g); got != want {
			t.Errorf("FullyLive(%s) = %v, want %v", cell, got, want)
		}
	}
	if FullyLive([]int{9}) {
		t.Error("an invalid genome is fully live")
	}
}
