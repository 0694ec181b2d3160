package arch_test

import (
	"testing"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/arch/nb201"
)

// TestCellSpaceMatchesNB201: written out in the cell language, NAS-Bench-201's
// space decodes every genome to the network package nb201 builds: the same
// MACs and parameters.
func TestCellSpaceMatchesNB201(t *testing.T) {
	s := &arch.CellSpace{SpaceName: "nb", Input: arch.Shape{H: 32, W: 32, C: 3}, Nodes: 4,
		Ops:          []string{"none", "skip", "conv1x1", "conv3x3", "avgpool3x3"},
		StemChannels: 16, Stages: []arch.CellStage{{Cells: 5, Channels: 16}, {Cells: 5, Channels: 32}, {Cells: 5, Channels: 64}}, Classes: 10}
	checked := 0
	for code := 0; code < nb201.NumCells; code += 7 {
		g, err := nb201.Genome(code)
		if err != nil {
			t.Fatal(err)
		}
		got, gerr := s.Decode(g)
		if !nb201.Reachable(g) {
			// nb201 passes the input through such a cell; a cell space
			// rejects it (the cell would output zeros).
			if gerr == nil {
				t.Errorf("genome %v: output unreachable, but it decoded", g)
			}
			continue
		}
		want, werr := nb201.NetworkOf(g)
		if werr != nil || gerr != nil {
			t.Fatalf("genome %v: %v / %v", g, werr, gerr)
		}
		checked++
		if got.MACs() != want.MACs() || got.Params() != want.Params() {
			t.Errorf("genome %v: MACs %d params %d, nb201 %d and %d", g, got.MACs(), got.Params(), want.MACs(), want.Params())
		}
	}
	t.Logf("%d genomes compared", checked)
}
