package lut

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/fpga"
)

// multiPlan is a multi-FPGA table's fixed design: which positions each
// stage runs, on which device of the pool, with which one tiling.
type multiPlan struct {
	pool   fpga.Pool
	base   fpga.Design // the largest child's: precision, ports, combine
	starts []int       // the first position of every stage
	device []int       // the pool device of every stage
	tiling []fpga.Tiling
	index  map[string]int // position name → index
}

// BuildPool makes the table of space on a pool of FPGAs (o.Mode Multi, a
// multi-FPGA pipeline: contiguous stages, each a shared engine on its own
// device, joined by links). The partition is fixed: the one
// fpga.OptimizePool picks for the largest child, its cuts moved to the
// nearest position every candidate fills (a cut before a position that
// may be skipped could leave a stage empty), and each stage's engine the
// one tiling of its layers that is fastest for the largest child. A
// child's stages are then the layers of those positions, and a candidate's
// entry its layers' cycles on the engine of the device its stage lands on;
// the fixed entry holds the head and the links, whose bytes every child
// moves alike. Under that design a child's latency (Combine sum) is exactly
// the sum of its entries; an experiment's pool instead partitions each
// child anew, which the table approximates (docs/lut.md gives the error).
func BuildPool(space arch.Space, pool fpga.Pool, o fpga.Options) (*Table, error) {
	cs, cells, names, err := chainCells(space)
	if err != nil {
		return nil, err
	}
	if o.Combine != fpga.Sum {
		return nil, fmt.Errorf("lut: a multi-FPGA table adds up latencies: it needs combine = sum, not %s", o.Combine)
	}
	o.Mode = fpga.Multi
	largest, err := largestChild(cs, cells)
	if err != nil {
		return nil, err
	}
	plan, err := newMultiPlan(largest, cells, names, pool, o)
	if err != nil {
		return nil, err
	}
	t := &Table{Space: space.Name(), Platform: pool.String(), Mode: fpga.Multi, Source: "model", opts: o, plan: plan}
	t.Design = plan.String(names)
	return t, t.buildMulti(cells, names)
}

// newMultiPlan fixes the partition and the stages' tilings from the
// largest child's optimised design.
func newMultiPlan(largest *arch.Network, cells []cell, names []string, pool fpga.Pool, o fpga.Options) (*multiPlan, error) {
	d, _, err := fpga.OptimizePool(largest, pool, o)
	if err != nil {
		return nil, fmt.Errorf("lut: the largest child on pool %s: %w", pool, err)
	}
	pl := &multiPlan{pool: pool, base: d, index: map[string]int{}}
	for i, n := range names {
		pl.index[n] = i
	}
	anchors := anchored(cells, names)
	for s, st := range d.Stages {
		at := nearestAnchor(anchors, pl.index[positionOf(largest.Layers[st.First].Name)])
		switch {
		case s == 0:
			pl.starts, pl.device = []int{0}, []int{st.Device}
		case at > pl.starts[len(pl.starts)-1]:
			pl.starts, pl.device = append(pl.starts, at), append(pl.device, st.Device)
		}
	}
	if len(pl.starts) > 1 && !slices.Contains(anchors[:pl.starts[1]], true) {
		// the first stage could be empty: the second starts at position 0
		pl.starts, pl.device = pl.starts[1:], pl.device[1:]
		pl.starts[0] = 0
	}
	return pl, pl.tune(largest, d)
}

// anchored reports, for every position, whether each of its candidates
// puts at least one layer there (no skip or none).
func anchored(cells []cell, names []string) []bool {
	out := make([]bool, len(names))
	for i := range out {
		out[i] = true
	}
	for i := range cells {
		c := &cells[i]
		if !slices.ContainsFunc(c.net.Layers, func(l arch.Layer) bool { return positionOf(l.Name) == names[c.pos] }) {
			out[c.pos] = false
		}
	}
	return out
}

// nearestAnchor is the anchored position nearest to at, the earlier of two
// as near.
func nearestAnchor(anchors []bool, at int) int {
	for d := range anchors {
		for _, i := range []int{at - d, at + d} {
			if i >= 0 && i < len(anchors) && anchors[i] {
				return i
			}
		}
	}
	return at
}

// stageOf is the stage that runs the layer called layer.
func (pl *multiPlan) stageOf(layer string) int { return pl.stageAt(pl.index[positionOf(layer)]) }

// stageAt is the stage that runs position pos.
func (pl *multiPlan) stageAt(pos int) int {
	s, found := slices.BinarySearch(pl.starts, pos)
	if !found {
		s--
	}
	return s
}

// design is the plan's design for network n: its layers grouped into the
// stages of their positions, each layer with its stage's tiling.
func (pl *multiPlan) design(n *arch.Network) fpga.Design {
	d := pl.base
	d.Tilings = make([]fpga.Tiling, len(n.Layers))
	d.Stages = nil
	for i := range n.Layers {
		s := pl.stageOf(n.Layers[i].Name)
		d.Tilings[i] = pl.tiling[s]
		if k := len(d.Stages); k > 0 && d.Stages[k-1].Device == pl.device[s] {
			d.Stages[k-1].Last = i
		} else {
			d.Stages = append(d.Stages, fpga.Stage{First: i, Last: i, Device: pl.device[s]})
		}
	}
	return d
}

// tune gives every stage the one tiling, among those the optimiser gave
// the largest child's layers there, that is fastest for them and fits the
// stage's device.
func (pl *multiPlan) tune(largest *arch.Network, opt fpga.Design) error {
	cands := make([][]fpga.Tiling, len(pl.starts))
	for i := range largest.Layers {
		s := pl.stageOf(largest.Layers[i].Name)
		cands[s] = append(cands[s], opt.Tilings[i])
	}
	pl.tiling = make([]fpga.Tiling, len(pl.starts))
	for s := range cands {
		cands[s] = slices.Compact(slices.SortedFunc(slices.Values(cands[s]), cmpTiling))
		pl.tiling[s] = cands[s][0]
	}
	for s := range cands {
		best, bestMs := fpga.Tiling{}, 0.0
		for _, tl := range cands[s] {
			pl.tiling[s] = tl
			r, _ := fpga.EstimatePool(largest, pl.pool, pl.design(largest)) // fit is checked stage by stage
			if fitsDevice(&r.Stages[s], pl.pool.Devices[pl.device[s]]) && (best.Tm == 0 || r.Stages[s].LatencyMs < bestMs) {
				best, bestMs = tl, r.Stages[s].LatencyMs
			}
		}
		if best.Tm == 0 {
			return fmt.Errorf("lut: on %s no tiling of the optimised engines fits every layer of stage %d of the largest child", pl.pool.Devices[pl.device[s]].Name, s)
		}
		pl.tiling[s] = best
	}
	if _, err := fpga.EstimatePool(largest, pl.pool, pl.design(largest)); err != nil {
		return fmt.Errorf("lut: the largest child on the table's partition: %w", err)
	}
	return nil
}

// fitsDevice reports whether a stage's engine fits its device's budget.
func fitsDevice(st *fpga.StageReport, p fpga.Platform) bool {
	dsp, bram, lut := p.Budget()
	return st.DSP <= dsp && st.BRAM18 <= bram && st.LUT <= lut
}

// String is the plan as text: every stage's positions, device and engine.
func (pl *multiPlan) String(names []string) string {
	var parts []string
	for s, first := range pl.starts {
		last := len(names) - 1
		if s+1 < len(pl.starts) {
			last = pl.starts[s+1] - 1
		}
		t := pl.tiling[s]
		parts = append(parts, fmt.Sprintf("%s–%s on %s <%d,%d,%d,%d>", names[first], names[last], pl.pool.Devices[pl.device[s]].Name, t.Tm, t.Tn, t.Tr, t.Tc))
	}
	return strings.Join(parts, "; ")
}

// buildMulti costs every cell on the plan's design (see BuildPool). An
// entry's energy is its stage's dynamic power without off-chip traffic
// over its latency plus the DRAM energy of its traffic; the pool's static
// power burns through the interval, which is not a sum: the table charges
// it over each entry's latency times the largest child's ratio of interval
// to latency. (Charging it to the stage that sets the largest child's
// interval instead was worse: 25% mean, 74% max on two PYNQ-Z1s.)
func (t *Table) buildMulti(cells []cell, names []string) error {
	pl := t.plan
	largest := cells[len(cells)-1].net
	lr, err := fpga.EstimatePool(largest, pl.pool, pl.design(largest))
	if err != nil {
		return err
	}
	dyn, static := stagePower(&lr, pl)
	static *= lr.IntervalMs / lr.LatencyMs
	var dsp int
	for _, st := range lr.Stages {
		dsp += st.DSP
	}
	defer func() {
		for i := range t.Positions {
			t.Positions[i].stage = pl.stageAt(i)
		}
	}()
	return t.place(cells, names, func(c *cell) (Entry, error) {
		rep, err := fpga.EstimatePool(c.net, pl.pool, pl.design(c.net))
		if err = fitOK(err); err != nil {
			return Entry{}, fmt.Errorf("lut: %s %s: %w", names[c.pos], c.c.label, err)
		}
		e := sumRows(rep.Layers, names[c.pos], fpga.Shared)
		s := pl.stageAt(c.pos)
		e.EnergyMJ = (dyn[s]+static)*e.LatencyMs + pl.pool.Devices[pl.device[s]].DRAMpJB*float64(e.bytes)*1e-9
		e.DSP = rep.Stages[min(s, len(rep.Stages)-1)].DSP
		if c.pos == len(names)-1 { // the fixed entry: the head, the links and every stage's DSP
			for _, st := range rep.Stages {
				e.LatencyMs += st.LinkMs
				e.EnergyMJ += static * st.LinkMs
			}
			e.DSP = dsp
		}
		return e.Entry, nil
	})
}

// stagePower is, for every stage of the largest child's report r, its
// dynamic power without off-chip traffic, undoing the model's duty-cycle
// scaling; and the pool's static power (docs/fpga-model.md §4, "Power").
func stagePower(r *fpga.Report, pl *multiPlan) ([]float64, float64) {
	dyn := make([]float64, len(r.Stages))
	var static float64
	for s := range r.Stages {
		st := &r.Stages[s]
		p := pl.pool.Devices[pl.device[s]]
		static += p.StaticW
		var bytes int64
		for _, l := range r.Layers[st.First : st.Last+1] {
			bytes += l.Bytes
		}
		duty := st.LatencyMs / r.IntervalMs
		dyn[s] = (st.PowerW-p.StaticW)/duty - p.DRAMpJB*float64(bytes)/st.LatencyMs*1e-9
	}
	return dyn, static
}
