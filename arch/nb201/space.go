package nb201

import (
	"fmt"

	"github.com/hwnas/hwnas/arch"
)

// Space is the NAS-Bench-201 cell space as an arch.Space: six decisions, one
// per edge in genome order, each choosing one of Ops.
type Space struct{}

var _ arch.Space = Space{}

// Name returns "nasbench201".
func (Space) Name() string { return "nasbench201" }

// Decisions returns the six edge decisions, named "edge_<to>_<from>".
func (Space) Decisions() []arch.Decision {
	ds := make([]arch.Decision, NumEdges)
	for i, e := range Edges {
		ds[i] = arch.Decision{Name: fmt.Sprintf("edge_%d_%d", e.To, e.From), Choices: append([]string(nil), Ops...)}
	}
	return ds
}

// Decode builds the network of a genome (see Network).
func (Space) Decode(g []int) (*arch.Network, error) { return NetworkOf(g) }

var _ arch.Describer = Space{}

// Describe names a genome's cell as NAS-Bench-201 does: its benchmark index
// and cell string, "#1462 |nor_conv_3x3~0|+|…|". An invalid genome gets
// its error's text.
func (Space) Describe(g []int) string {
	row, err := LookupGenome(g)
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("#%d %s", row.Idx, row.Arch)
}
