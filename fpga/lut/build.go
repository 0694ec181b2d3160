package lut

import (
	"errors"
	"fmt"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/fpga"
)

// cell is one candidate at one position with the network that holds it.
type cell struct {
	pos, cand int
	c         candidate
	net       *arch.Network
	macs      int64
}

// Build makes the table of space on platform p under the experiment's
// options o. o.Mode picks the design (0 means Shared):
//
//   - Shared: one engine for every child, the design fpga.Optimize picks for
//     the largest child (the most MACs at every position), with one tiling
//     (the optimiser's Tm×Tn array and the per-layer <Tr,Tc> that is fastest
//     for the largest child when used by every layer). Every child's latency
//     under that design is exactly the sum of its entries.
//   - Pipeline: a first-order table around the smallest child (the fewest
//     MACs at every position), each optimised by fpga.Optimize: the fixed
//     entry is the smallest child's latency, energy, DSP and BRAM18, and a
//     candidate's entry is how much putting it in place changes them. In a
//     balanced pipeline every stage takes about the interval the slowest
//     layer sets, so a child's latency is not a sum of per-layer figures;
//     the table's sum approximates it (docs/lut.md gives its measured error).
//
// The space must be a chain space with a fixed depth whose candidates at a
// position all give the same output shape (FBNet's fixed macro-architecture),
// so that no entry depends on another position's choice.
func Build(space arch.Space, p fpga.Platform, o fpga.Options) (*Table, error) {
	cs, cells, names, err := chainCells(space)
	if err != nil {
		return nil, err
	}
	if o.Mode == 0 {
		o.Mode = fpga.Shared
	}
	t := &Table{Space: space.Name(), Platform: p.Name, Mode: o.Mode, Source: "model", opts: o}
	switch o.Mode {
	case fpga.Shared:
		err = t.buildShared(cs, cells, names, p, o)
	case fpga.Pipeline:
		err = t.buildPipeline(cs, cells, names, p, o)
	default:
		err = fmt.Errorf("lut: mode %s: a latency table is built for one device (shared or pipeline) or a pool (BuildPool)", o.Mode)
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

// chainCells enumerates the cells of a chain space around the child of
// first choices.
func chainCells(space arch.Space) (*arch.ChainSpace, []cell, []string, error) {
	cs, ok := space.(*arch.ChainSpace)
	if !ok {
		return nil, nil, nil, fmt.Errorf("lut: space %s is not a chain space: a latency table needs layer positions", space.Name())
	}
	cells, names, err := enumerate(cs, nil)
	return cs, cells, names, err
}

// enumerate decodes the base child (the first choice of every decision,
// then the base genes) with every candidate of every position in place; the
// last cell is the base child itself, for the fixed layers.
func enumerate(cs *arch.ChainSpace, baseGenes map[int]int) ([]cell, []string, error) {
	sls, err := slots(cs)
	if err != nil {
		return nil, nil, err
	}
	idx := map[string]int{}
	for i, d := range cs.Decisions() {
		idx[d.Name] = i
	}
	base, err := decode(cs, baseGenes)
	if err != nil {
		return nil, nil, err
	}
	var cells []cell
	var names []string
	for i := range sls {
		names = append(names, sls[i].name)
		cands, err := sls[i].candidates(idx)
		if err != nil {
			return nil, nil, err
		}
		for k, c := range cands {
			n, err := decode(cs, baseGenes, c.genes)
			if err != nil {
				return nil, nil, fmt.Errorf("lut: %s %s: %w", sls[i].name, c.label, err)
			}
			if err := sameOutside(base, n, sls[i].name); err != nil {
				return nil, nil, fmt.Errorf("lut: space %s: at %s, %s %w: a latency table needs every candidate of a position to give the same shape (FBNet's fixed macro-architecture)",
					cs.SpaceName, sls[i].name, c.label, err)
			}
			cells = append(cells, cell{pos: i, cand: k, c: c, net: n, macs: macsAt(n, sls[i].name)})
		}
	}
	cells = append(cells, cell{pos: len(sls), c: candidate{label: Fixed}, net: base, macs: macsAt(base, Fixed)})
	return cells, append(names, Fixed), nil
}

// decode decodes the genome of zeros with the genes of each map set in turn.
func decode(s *arch.ChainSpace, genes ...map[int]int) (*arch.Network, error) {
	g := make([]int, len(s.Decisions()))
	for _, m := range genes {
		for i, v := range m {
			g[i] = v
		}
	}
	return s.Decode(g)
}

// sameOutside checks that n's layers outside position pos read and write
// the shapes base's do.
func sameOutside(base, n *arch.Network, pos string) error {
	a, b := shapes(base, pos), shapes(n, pos)
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Errorf("changes %s into %s", a[i], b[i])
		}
	}
	if len(a) != len(b) {
		return errors.New("changes the layers of other positions")
	}
	return nil
}

// shapes lists the layers of n outside position pos with the shapes they
// read and write.
func shapes(n *arch.Network, pos string) []string {
	var out []string
	for i := range n.Layers {
		if l := &n.Layers[i]; positionOf(l.Name) != pos {
			out = append(out, fmt.Sprintf("%s (%s → %s)", l.Name, n.InShape(i), l.Shape))
		}
	}
	return out
}

func macsAt(n *arch.Network, pos string) int64 {
	var m int64
	for i := range n.Layers {
		if positionOf(n.Layers[i].Name) == pos {
			m += n.LayerMACs(i)
		}
	}
	return m
}

// place puts the entries in their positions (cells come in position order).
func (t *Table) place(cells []cell, names []string, entry func(c *cell) (Entry, error)) error {
	for i := range cells {
		c := &cells[i]
		e, err := entry(c)
		if err != nil {
			return err
		}
		e.Candidate, e.MACs, e.genes = c.c.label, c.macs, c.c.genes
		if c.cand == 0 {
			t.Positions = append(t.Positions, Position{Name: names[c.pos]})
		}
		p := &t.Positions[len(t.Positions)-1]
		p.Candidates = append(p.Candidates, e)
	}
	return nil
}

// fitOK drops a FitError: the report is filled and the table keeps it.
func fitOK(err error) error {
	if _, ok := errors.AsType[*fpga.FitError](err); ok {
		return nil
	}
	return err
}
