package fpga

import (
	"errors"
	"fmt"
	"math"

	"github.com/hwnas/hwnas/arch"
)

// EstimatePool runs the model over a pool. A Multi design places contiguous
// stages on pool devices (one shared engine per device) joined by links;
// other modes run on pool.Devices[d.Device].
func EstimatePool(n *arch.Network, pool Pool, d Design) (Report, error) {
	if err := pool.Validate(); err != nil {
		return Report{}, fmt.Errorf("estimate: %w", err)
	}
	if d.Mode != Multi {
		if d.Device < 0 || d.Device >= len(pool.Devices) {
			return Report{}, fmt.Errorf("estimate: device %d is not in the pool of %d", d.Device, len(pool.Devices))
		}
		return Estimate(n, pool.Devices[d.Device], d)
	}
	if err := d.checkMulti(n, pool); err != nil {
		return Report{}, err
	}
	r := Report{ModelVersion: ModelVersion, Platform: pool.String(), Mode: Multi, Template: d.Template,
		Combine: d.Combine, Precision: d.Precision, ClockMHz: d.ClockMHz}
	last := lastUse(n)
	var dsp, bram, lut, dspHave, bramHave, lutHave int
	var sumMs, interval float64
	var fitErr error
	for s, st := range d.Stages {
		p := pool.Devices[st.Device]
		sr, err := d.stage(&r, n, &p, st, s)
		if err != nil && fitErr == nil {
			fitErr = fmt.Errorf("stage %d (layers %d–%d): %w", s, st.First, st.Last, err)
		}
		if s+1 < len(d.Stages) {
			sr.LinkBytes = crossing(n, last, st.Last+1) * int64(d.Precision.Bytes())
			sr.LinkMs = float64(sr.LinkBytes) / (pool.LinkGBs * 1e6)
		}
		sumMs += sr.LatencyMs + sr.LinkMs
		interval = max(interval, sr.LatencyMs, sr.LinkMs)
		if sr.LinkMs > 0 && sr.LinkMs >= interval {
			r.Bound = BoundLink
		} else if sr.LatencyMs >= interval {
			r.Bound = r.Layers[slowest(r.Layers[st.First:st.Last+1])+st.First].Bound
		}
		r.Stages = append(r.Stages, sr)
		dsp, bram, lut = dsp+sr.DSP, bram+sr.BRAM18, lut+sr.LUT
		dspHave, bramHave, lutHave = dspHave+p.DSP, bramHave+p.BRAM18, lutHave+p.LUT
		r.Cycles += sr.Cycles
	}
	r.IntervalMs = interval
	r.LatencyMs = sumMs
	if d.Combine == Slowest {
		r.LatencyMs = interval
	}
	r.finish(n, dsp, bram, lut, dspHave, bramHave, lutHave)
	for i := range r.Stages {
		// a stage idles while it waits for the slowest one: scale its dynamic
		// and traffic power by its duty cycle
		st := &r.Stages[i]
		p := pool.Devices[d.Stages[i].Device]
		duty := st.LatencyMs / interval
		st.PowerW = p.StaticW + (st.PowerW-p.StaticW)*duty
		r.PowerW += st.PowerW
	}
	r.EnergyMJ = energy(r.PowerW, r.ThroughputFPS)
	return r, fitErr
}

// checkMulti validates a Multi design and n for every device of the pool.
func (d *Design) checkMulti(n *arch.Network, pool Pool) error {
	if err := checkNetwork(n); err != nil {
		return fmt.Errorf("estimate: %w", err)
	}
	for _, p := range pool.Devices {
		if err := d.check(n, p.Family); err != nil {
			return fmt.Errorf("estimate on %s: %w", p.Name, err)
		}
	}
	if err := d.checkStages(n, len(pool.Devices)); err != nil {
		return fmt.Errorf("estimate on pool %s: %w", pool, err)
	}
	return nil
}

// stage costs stage s of a Multi design, one shared engine on p, appending
// its layers to r.Layers; the link fields are left to the caller. The error
// is a *FitError when the engine does not fit p.
func (d *Design) stage(r *Report, n *arch.Network, p *Platform, st Stage, s int) (StageReport, error) {
	e := newEnv(p, d)
	mhz := d.clock(p)
	var g group
	var bytes int64
	for i := st.First; i <= st.Last; i++ {
		dm := layerDims(n, i)
		t := d.tiling(i)
		c := layerCost(&dm, t, &e)
		r.Layers = append(r.Layers, layerRow(n, i, &dm, t, &c, s, mhz))
		g.add(&c, t, d.Template, false)
		bytes += c.bytes
	}
	sr := StageReport{Device: p.Name, First: st.First, Last: st.Last, Cycles: g.cycles,
		LatencyMs: float64(g.cycles) / (mhz * 1e3), DSP: g.dsp(d.Precision, p.Family), BRAM18: g.bram,
		LUT: g.lut(d.Precision, p.Family) + lutBase}
	for i := st.First; i <= st.Last; i++ {
		r.Layers[i].DSP = sr.DSP
	}
	sr.PowerW = power(p, mhz, sr.DSP, sr.BRAM18, sr.LUT, float64(bytes)/sr.LatencyMs*1e3)
	return sr, fits(p, d, sr.DSP, sr.BRAM18, sr.LUT, &e)
}

// checkStages validates a Multi design's stages: contiguous, covering every
// layer, each on a distinct pool device, with one <Tm,Tn> per stage.
func (d *Design) checkStages(n *arch.Network, devices int) error {
	if len(d.Stages) == 0 {
		return errors.New("multi design has no stages")
	}
	used := make(map[int]bool)
	next := 0
	for s, st := range d.Stages {
		if st.First != next || st.Last < st.First || st.Last >= len(n.Layers) {
			return fmt.Errorf("stage %d covers layers %d–%d; want a range starting at %d within the %d layers", s, st.First, st.Last, next, len(n.Layers))
		}
		if st.Device < 0 || st.Device >= devices || used[st.Device] {
			return fmt.Errorf("stage %d: device %d is not a free device of the pool of %d", s, st.Device, devices)
		}
		used[st.Device] = true
		next = st.Last + 1
		first := -1
		for i := st.First; i <= st.Last; i++ {
			if !isArray(&n.Layers[i]) {
				continue
			}
			if first < 0 {
				first = i
			} else if a, b := d.tiling(first), d.tiling(i); a.Tm != b.Tm || a.Tn != b.Tn {
				return fmt.Errorf("stage %d: layer %d uses <Tm,Tn> = <%d,%d> but layer %d uses <%d,%d>", s, i, b.Tm, b.Tn, first, a.Tm, a.Tn)
			}
		}
	}
	if next != len(n.Layers) {
		return fmt.Errorf("stages end at layer %d; the network has %d layers", next-1, len(n.Layers))
	}
	return nil
}

// lastUse returns, for the input (index 0) and every layer i (index i+1),
// the last layer that reads it.
func lastUse(n *arch.Network) []int {
	last := make([]int, len(n.Layers)+1)
	for i := range last {
		last[i] = -1
	}
	for i, l := range n.Layers {
		for _, j := range l.In {
			last[j+1] = max(last[j+1], i)
		}
	}
	return last
}

// crossing is the number of activation words that must move when the network
// is cut before layer cut: every tensor made before the cut and read after.
func crossing(n *arch.Network, last []int, cut int) int64 {
	var w int64
	if last[0] >= cut {
		w += n.Input.Size()
	}
	for i := 0; i < cut; i++ {
		if last[i+1] >= cut {
			w += n.Layers[i].Shape.Size()
		}
	}
	return w
}

// OptimizePool finds the best design over a pool. With Mode Multi it
// partitions the network into contiguous stages on pool devices (in pool
// order, devices may be left unused) by dynamic programming over
// (layers covered, devices considered), each stage a shared engine tuned
// for its layers; otherwise it optimises on every device and keeps the best.
func OptimizePool(n *arch.Network, pool Pool, o Options) (Design, Report, error) {
	if err := pool.Validate(); err != nil {
		return Design{}, Report{}, fmt.Errorf("optimize: %w", err)
	}
	if o.Mode != Multi {
		var bd Design
		var br Report
		var firstErr error
		found := false
		for i, p := range pool.Devices {
			d, r, err := Optimize(n, p, o)
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			d.Device = i
			if !found || better(o.Goal, &r, &br) {
				bd, br, found = d, r, true
			}
		}
		if !found {
			return Design{}, Report{}, firstErr
		}
		return bd, br, nil
	}
	if err := checkNetwork(n); err != nil {
		return Design{}, Report{}, fmt.Errorf("optimize: %w", err)
	}
	if o.Template == FNAS {
		return Design{}, Report{}, errors.New("optimize: the FNAS template has no multi-FPGA form")
	}
	if o.Ports != (Ports{}) || o.PortShare != [3]int{} {
		return optimizeMulti(n, pool, o)
	}
	// try every port share of portSplits, as tunePorts does
	var bd Design
	var br Report
	var firstErr error
	found := false
	for _, s := range portSplits {
		o.PortShare = s
		d, r, err := optimizeMulti(n, pool, o)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if !found || better(o.Goal, &r, &br) {
			bd, br, found = d, r, true
		}
	}
	if !found {
		return Design{}, Report{}, firstErr
	}
	return bd, br, nil
}

// optimizeMulti is OptimizePool's dynamic programme for one port split
// (docs/fpga-model.md §7, "Multi").
func optimizeMulti(n *arch.Network, pool Pool, o Options) (Design, Report, error) {
	d := o.design(Multi)
	tabs, err := deviceTables(n, pool, &d, o.Fix)
	if err != nil {
		return Design{}, Report{}, err
	}
	p := partition{tabs: tabs, link: linkTimes(n, pool, d.Precision), goal: o.Goal}
	p.solve(len(n.Layers))
	if math.IsInf(p.best[len(n.Layers)][len(tabs)], 1) {
		return Design{}, Report{}, fmt.Errorf("optimize on pool %s: no partition fits the devices", pool)
	}
	d.Tilings, d.Stages = p.design(len(n.Layers))
	r, err := EstimatePool(n, pool, d)
	if err != nil {
		return Design{}, Report{}, fmt.Errorf("optimize on pool %s: %w", pool, err)
	}
	return d, r, nil
}

// noStage is the cycles of a stage with a layer no tiling of the array fits.
const noStage = int64(1) << 50

// devTable is what one device can do for every range of layers: for each
// <Tm,Tn> array worth trying, the best tiling of every layer and the prefix
// sums of their cycles, so that a stage over layers [j, i) costs
// prefix[pair][i] − prefix[pair][j].
type devTable struct {
	mhz    float64
	pairs  [][2]int
	prefix [][]int64  // [pair][i] = Σ cycles of layers < i
	tiles  [][]Tiling // [pair][layer]
}

// deviceTables builds the devTable of every pool device; a device repeated
// in the pool shares the table of its first copy.
func deviceTables(n *arch.Network, pool Pool, d *Design, fix Tiling) ([]devTable, error) {
	ls := distinctLayers(n)
	sps := make([][][2]int, len(ls.dims))
	for u := range ls.dims {
		sps[u] = spatial(&ls.dims[u], fix)
	}
	tabs := make([]devTable, len(pool.Devices))
	seen := map[string]int{}
	for k, p := range pool.Devices {
		key := fmt.Sprintf("%s|%g|%d|%d|%d|%g|%d|%+v", p.Name, p.ClockMHz, p.DSP, p.BRAM18, p.LUT, p.BandwidthGBs, p.PortBits, p.Caps)
		if j, ok := seen[key]; ok { // a repeated device: same table
			tabs[k] = tabs[j]
			continue
		}
		seen[key] = k
		d.Tilings = []Tiling{{1, 1, 1, 1}}
		if err := d.check(n, p.Family); err != nil {
			return nil, fmt.Errorf("optimize on %s: %w", p.Name, err)
		}
		tabs[k] = deviceTable(&ls, sps, &p, d, fix)
	}
	return tabs, nil
}

// deviceTable tabulates one device: the <Tm,Tn> arrays of its budgets and,
// for each, every layer's fastest <Tr,Tc> whose buffers fit.
func deviceTable(ls *layerSet, sps [][][2]int, p *Platform, d *Design, fix Tiling) devTable {
	e := newEnv(p, d)
	dspB, bramB, lutB := p.Budget()
	pe := d.Precision.dspCost(p.Family).lanes(dspB)
	tms, tns := arrayCands(ls.dims, pe, fix)
	if len(tns) == 0 {
		tns = []int{1}
	}
	tab := devTable{mhz: d.clock(p)}
	tab.pairs = arrayPairs(tms, tns, pe, func(tm, tn int) bool { return arrayLUT(tm, tn, d.Precision, p.Family) <= lutB })
	if len(tms) == 0 {
		tab.pairs = append(tab.pairs, [2]int{1, 1})
	}
	L := len(ls.of)
	best := make([]int64, len(ls.dims)) // per distinct layer, for one pair
	bestT := make([]Tiling, len(ls.dims))
	for _, pr := range tab.pairs {
		for u := range ls.dims {
			best[u], bestT[u] = noStage, Tiling{pr[0], pr[1], 1, 1}
			for _, s := range sps[u] {
				t := Tiling{pr[0], pr[1], s[0], s[1]}
				if c := layerCost(&ls.dims[u], t, &e); c.bram <= bramB && c.cycles < best[u] {
					best[u], bestT[u] = c.cycles, t
				}
			}
		}
		pre := make([]int64, L+1)
		til := make([]Tiling, L)
		for i, u := range ls.of {
			pre[i+1], til[i] = pre[i]+best[u], bestT[u]
		}
		tab.prefix = append(tab.prefix, pre)
		tab.tiles = append(tab.tiles, til)
	}
	return tab
}

// stage returns the milliseconds of the fastest engine of the device over
// layers [j, i) and its pair, or pair −1 when no array fits them.
func (t *devTable) stage(j, i int) (float64, int) {
	best, bp := math.Inf(1), -1
	for pi := range t.pairs {
		c := t.prefix[pi][i] - t.prefix[pi][j]
		if c >= noStage {
			continue
		}
		if ms := float64(c) / (t.mhz * 1e3); ms < best {
			best, bp = ms, pi
		}
	}
	return best, bp
}

// linkTimes returns, for every cut c, the milliseconds the activations
// crossing a cut before layer c take over the pool's link (0 at the ends).
func linkTimes(n *arch.Network, pool Pool, p Precision) []float64 {
	L := len(n.Layers)
	last := lastUse(n)
	ms := make([]float64, L+1)
	for c := 1; c < L; c++ {
		ms[c] = float64(crossing(n, last, c)*int64(p.Bytes())) / (pool.LinkGBs * 1e6)
	}
	return ms
}

// partition is the dynamic programme over (layers covered, devices
// considered): best[i][k] is the best figure of the first i layers on the
// first k devices, each device used at most once and in pool order.
type partition struct {
	tabs []devTable
	link []float64
	goal Goal
	best [][]float64
	ch   [][]partChoice
}

// partChoice is how best[i][k] was reached: device k−1 skipped, or running
// layers [j, i) with array pair.
type partChoice struct {
	j, pair int
	skip    bool
}

// comb joins the figure of the earlier stages, a link and a stage: the
// slowest for throughput, the sum for latency.
func (p *partition) comb(acc, link, st float64) float64 {
	if p.goal == MaxThroughput {
		return max(acc, link, st)
	}
	return acc + link + st
}

// solve fills best and ch for L layers:
// best[i][k] = min(best[i][k−1], min_j comb(best[j][k−1], link(j), stage(j, i, k−1))).
func (p *partition) solve(L int) {
	D := len(p.tabs)
	p.best = make([][]float64, L+1)
	p.ch = make([][]partChoice, L+1)
	for i := range p.best {
		p.best[i] = make([]float64, D+1)
		p.ch[i] = make([]partChoice, D+1)
		for k := range p.best[i] {
			p.best[i][k] = math.Inf(1)
		}
	}
	for k := 0; k <= D; k++ {
		p.best[0][k] = 0
	}
	for k := 1; k <= D; k++ {
		for i := 1; i <= L; i++ {
			p.best[i][k], p.ch[i][k] = p.best[i][k-1], partChoice{skip: true}
			for j := 0; j < i; j++ {
				if math.IsInf(p.best[j][k-1], 1) {
					continue
				}
				st, pi := p.tabs[k-1].stage(j, i)
				if pi < 0 {
					continue
				}
				if v := p.comb(p.best[j][k-1], p.link[j], st); v < p.best[i][k] {
					p.best[i][k], p.ch[i][k] = v, partChoice{j: j, pair: pi}
				}
			}
		}
	}
}

// design walks the choices back from all L layers on every device and
// returns the tilings and stages of the best partition.
func (p *partition) design(L int) ([]Tiling, []Stage) {
	tilings := make([]Tiling, L)
	var stages []Stage
	for i, k := L, len(p.tabs); i > 0; k-- {
		c := p.ch[i][k]
		if c.skip {
			continue
		}
		copy(tilings[c.j:i], p.tabs[k-1].tiles[c.pair][c.j:i])
		stages = append([]Stage{{First: c.j, Last: i - 1, Device: k - 1}}, stages...)
		i = c.j
	}
	return tilings, stages
}
