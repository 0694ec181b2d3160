package lut

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/fpga"
)

// buildShared costs every cell under one shared-engine design (see Build).
func (t *Table) buildShared(cs *arch.ChainSpace, cells []cell, names []string, p fpga.Platform, o fpga.Options) error {
	largest, err := largestChild(cs, cells)
	if err != nil {
		return err
	}
	d, r, err := SharedDesign(largest, p, o)
	if err != nil {
		return err
	}
	t.Design, t.design = d.String(), d
	var bytes int64
	for _, l := range r.Layers {
		bytes += l.Bytes
	}
	// The engine's power without its off-chip traffic (docs/fpga-model.md §4,
	// "Power"): an entry's energy is that power over its latency plus the
	// DRAM energy of its own traffic.
	p0 := r.PowerW - p.DRAMpJB*float64(bytes)*r.ThroughputFPS*1e-12
	var rep fpga.Report
	return t.place(cells, names, func(c *cell) (Entry, error) {
		if err := fitOK(fpga.EstimateTo(&rep, c.net, p, d)); err != nil {
			return Entry{}, fmt.Errorf("lut: %s %s: %w", names[c.pos], c.c.label, err)
		}
		e := sumRows(rep.Layers, names[c.pos], fpga.Shared)
		e.EnergyMJ = p0*e.LatencyMs + p.DRAMpJB*float64(e.bytes)*1e-9
		e.DSP = rep.DSP
		return e.Entry, nil
	})
}

// buildPipeline makes a first-order table of the optimised pipeline around
// the smallest child (the fewest MACs at every position): the fixed entry is
// that child's whole figures, and a candidate's entry is what putting it in
// place changes in them (latency, energy, DSP, BRAM18), so that it includes the
// slower interval a bigger layer imposes on every stage.
func (t *Table) buildPipeline(cs *arch.ChainSpace, cells []cell, names []string, p fpga.Platform, o fpga.Options) error {
	cells, _, err := enumerate(cs, extremeGenes(cells, false))
	if err != nil {
		return err
	}
	whole := func(c *cell) (Entry, error) {
		_, rep, err := fpga.Optimize(c.net, p, o)
		if err != nil {
			return Entry{}, fmt.Errorf("lut: %s %s: %w", names[c.pos], c.c.label, err)
		}
		return Entry{Cycles: rep.Cycles, LatencyMs: rep.LatencyMs, EnergyMJ: rep.EnergyMJ, DSP: rep.DSP, BRAM18: rep.BRAM18}, nil
	}
	base, err := whole(&cells[len(cells)-1])
	if err != nil {
		return err
	}
	return t.place(cells, names, func(c *cell) (Entry, error) {
		if c.pos == len(names)-1 {
			return base, nil
		}
		e, err := whole(c)
		e.Cycles, e.LatencyMs, e.EnergyMJ = e.Cycles-base.Cycles, e.LatencyMs-base.LatencyMs, e.EnergyMJ-base.EnergyMJ
		e.DSP, e.BRAM18 = e.DSP-base.DSP, e.BRAM18-base.BRAM18
		return e, err
	})
}

// rowSum is an entry with its off-chip bytes.
type rowSum struct {
	Entry
	bytes int64
}

// sumRows adds up the model's rows of the layers at position pos.
func sumRows(rows []fpga.LayerReport, pos string, m fpga.Mode) rowSum {
	var s rowSum
	for i := range rows {
		l := &rows[i]
		if positionOf(l.Name) != pos {
			continue
		}
		s.Cycles += l.Cycles
		s.LatencyMs += l.LatencyMs
		s.bytes += l.Bytes
		if m == fpga.Pipeline {
			s.DSP += l.DSP
			s.BRAM18 += l.BRAM18
		} else {
			s.BRAM18 = max(s.BRAM18, l.BRAM18)
		}
	}
	return s
}

// largestChild decodes the child with the most MACs at every position.
func largestChild(cs *arch.ChainSpace, cells []cell) (*arch.Network, error) {
	n, err := decode(cs, largestGenes(cells))
	if err != nil {
		return nil, fmt.Errorf("lut: the largest child: %w", err)
	}
	return n, nil
}

// largestGenes are the genes of the candidate with the most MACs at every
// position.
func largestGenes(cells []cell) map[int]int { return extremeGenes(cells, true) }

// extremeGenes are the genes of the candidate with the most (largest) or
// the fewest MACs at every position.
func extremeGenes(cells []cell, largest bool) map[int]int {
	best := map[int]*cell{}
	for i := range cells {
		c := &cells[i]
		if b := best[c.pos]; b == nil || largest && c.macs > b.macs || !largest && c.macs < b.macs {
			best[c.pos] = c
		}
	}
	g := map[int]int{}
	for _, c := range best {
		for k, v := range c.c.genes {
			g[k] = v
		}
	}
	return g
}

// SharedDesign is the table's shared-engine design for network n (the
// largest child): fpga.Optimize's design in Shared mode, with its per-layer
// tilings replaced by the one of them that is fastest for n when every layer
// uses it, so that any child can run on it.
func SharedDesign(n *arch.Network, p fpga.Platform, o fpga.Options) (fpga.Design, fpga.Report, error) {
	o.Mode = fpga.Shared
	d, _, err := fpga.Optimize(n, p, o)
	if err != nil {
		return fpga.Design{}, fpga.Report{}, fmt.Errorf("lut: the shared engine for the largest child: %w", err)
	}
	var best fpga.Design
	var bestR fpga.Report
	for _, tl := range slices.Compact(slices.SortedFunc(slices.Values(d.Tilings), cmpTiling)) {
		c := d
		c.Tilings = []fpga.Tiling{tl}
		r, err := fpga.Estimate(n, p, c)
		if err == nil && (best.Tilings == nil || r.LatencyMs < bestR.LatencyMs) {
			best, bestR = c, r
		}
	}
	if best.Tilings == nil {
		return fpga.Design{}, fpga.Report{}, fmt.Errorf("lut: on %s no tiling of the optimised shared engine fits every layer of the largest child", p.Name)
	}
	return best, bestR, nil
}

func cmpTiling(a, b fpga.Tiling) int {
	return cmp.Or(cmp.Compare(a.Tm, b.Tm), cmp.Compare(a.Tn, b.Tn), cmp.Compare(a.Tr, b.Tr), cmp.Compare(a.Tc, b.Tc))
}
