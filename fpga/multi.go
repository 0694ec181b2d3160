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
	if err := checkNetwork(n); err != nil {
		return Report{}, fmt.Errorf("estimate: %w", err)
	}
	for _, p := range pool.Devices {
		if err := d.check(n, p.Family); err != nil {
			return Report{}, fmt.Errorf("estimate on %s: %w", p.Name, err)
		}
	}
	if err := d.checkStages(n, len(pool.Devices)); err != nil {
		return Report{}, fmt.Errorf("estimate on pool %s: %w", pool, err)
	}
	r := Report{ModelVersion: ModelVersion, Platform: pool.String(), Mode: Multi, Template: d.Template,
		Combine: d.Combine, Precision: d.Precision, ClockMHz: d.ClockMHz}
	last := lastUse(n)
	bw := d.Precision.Bytes()
	var dsp, bram, lut, dspHave, bramHave, lutHave int
	var sumMs, interval float64
	var fitErr error
	for s, st := range d.Stages {
		p := pool.Devices[st.Device]
		e := newEnv(&p, &d)
		mhz := d.clock(&p)
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
		if s+1 < len(d.Stages) {
			sr.LinkBytes = crossing(n, last, st.Last+1) * int64(bw)
			sr.LinkMs = float64(sr.LinkBytes) / (pool.LinkGBs * 1e6)
		}
		sumMs += sr.LatencyMs + sr.LinkMs
		interval = max(interval, sr.LatencyMs, sr.LinkMs)
		if sr.LinkMs > 0 && sr.LinkMs >= interval {
			r.Bound = BoundLink
		} else if sr.LatencyMs >= interval {
			slow := st.First
			for i := st.First; i <= st.Last; i++ {
				if r.Layers[i].Cycles > r.Layers[slow].Cycles {
					slow = i
				}
			}
			r.Bound = r.Layers[slow].Bound
		}
		if err := fits(&p, &d, sr.DSP, sr.BRAM18, sr.LUT, &e); err != nil && fitErr == nil {
			fitErr = fmt.Errorf("stage %d (layers %d–%d): %w", s, st.First, st.Last, err)
		}
		sr.PowerW = power(&p, mhz, sr.DSP, sr.BRAM18, sr.LUT, float64(bytes)/sr.LatencyMs*1e3)
		r.Stages = append(r.Stages, sr)
		dsp, bram, lut = dsp+sr.DSP, bram+sr.BRAM18, lut+sr.LUT
		dspHave, bramHave, lutHave = dspHave+p.DSP, bramHave+p.BRAM18, lutHave+p.LUT
		r.Cycles += g.cycles
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
	// try the port shares of tunePorts
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

// optimizeMulti is OptimizePool's dynamic programme for one port split.
func optimizeMulti(n *arch.Network, pool Pool, o Options) (Design, Report, error) {
	d := o.design(Multi)
	L, D := len(n.Layers), len(pool.Devices)
	const inf = int64(1) << 50
	// per device: per pair prefix sums of best per-layer cycles
	type devTable struct {
		mhz    float64
		pairs  [][2]int
		prefix [][]int64  // [pair][i] = Σ cycles of layers < i
		tiles  [][]Tiling // [pair][layer]
	}
	tabs := make([]devTable, D)
	ds := make([]dims, L)
	firstOf := make([]int, L) // the first layer equal to each layer
	sps := make([][][2]int, L)
	byDims := make(map[dims]int)
	for i := range n.Layers {
		ds[i] = layerDims(n, i)
		f, ok := byDims[ds[i]]
		if !ok {
			f = i
			byDims[ds[i]] = i
		}
		firstOf[i] = f
		sps[i] = spatial(&ds[i], o.Fix)
	}
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
			return Design{}, Report{}, fmt.Errorf("optimize on %s: %w", p.Name, err)
		}
		e := newEnv(&p, &d)
		dspB, bramB, lutB := p.Budget()
		pe := d.Precision.dspCost(p.Family).lanes(dspB)
		var tms, tns []int
		for i := range ds {
			if ds[i].kind == kConv || ds[i].kind == kDW {
				tms = union(tms, ceilCands(ds[i].M, pe, o.Fix.Tm))
			}
			if ds[i].kind == kConv {
				tns = union(tns, ceilCands(ds[i].N, pe, o.Fix.Tn))
			}
		}
		if len(tns) == 0 {
			tns = []int{1}
		}
		tab := devTable{mhz: d.clock(&p)}
		tab.pairs = arrayPairs(tms, tns, pe, func(tm, tn int) bool {
			return lutBase+lutEngine+tm*tn*lutPerLane(d.Precision, p.Family)+tm*lutVec <= lutB
		})
		if len(tms) == 0 {
			tab.pairs = append(tab.pairs, [2]int{1, 1})
		}
		for _, pr := range tab.pairs {
			pre := make([]int64, L+1)
			til := make([]Tiling, L)
			for i := range ds {
				bc := inf
				if f := firstOf[i]; f < i { // an equal earlier layer: same answer
					bc, til[i] = pre[f+1]-pre[f], til[f]
				} else {
					til[i] = Tiling{pr[0], pr[1], 1, 1}
					for _, s := range sps[i] {
						t := Tiling{pr[0], pr[1], s[0], s[1]}
						if c := layerCost(&ds[i], t, &e); c.bram <= bramB && c.cycles < bc {
							bc, til[i] = c.cycles, t
						}
					}
				}
				pre[i+1] = pre[i] + bc
			}
			tab.prefix = append(tab.prefix, pre)
			tab.tiles = append(tab.tiles, til)
		}
		tabs[k] = tab
	}
	last := lastUse(n)
	linkMs := make([]float64, L+1)
	for c := 1; c < L; c++ {
		linkMs[c] = float64(crossing(n, last, c)*int64(d.Precision.Bytes())) / (pool.LinkGBs * 1e6)
	}
	stage := func(j, i, k int) (float64, int) {
		best, bp := math.Inf(1), -1
		t := &tabs[k]
		for pi := range t.pairs {
			c := t.prefix[pi][i] - t.prefix[pi][j]
			if c >= inf {
				continue
			}
			if ms := float64(c) / (t.mhz * 1e3); ms < best {
				best, bp = ms, pi
			}
		}
		return best, bp
	}
	comb := func(acc, link, st float64) float64 {
		if o.Goal == MaxThroughput {
			return max(acc, link, st)
		}
		return acc + link + st
	}
	type choice struct {
		j, pair int
		skip    bool
	}
	best := make([][]float64, L+1)
	ch := make([][]choice, L+1)
	for i := range best {
		best[i] = make([]float64, D+1)
		ch[i] = make([]choice, D+1)
		for k := range best[i] {
			best[i][k] = math.Inf(1)
		}
	}
	for k := 0; k <= D; k++ {
		best[0][k] = 0
	}
	for k := 1; k <= D; k++ {
		for i := 1; i <= L; i++ {
			best[i][k], ch[i][k] = best[i][k-1], choice{skip: true}
			for j := 0; j < i; j++ {
				if math.IsInf(best[j][k-1], 1) {
					continue
				}
				st, pi := stage(j, i, k-1)
				if pi < 0 {
					continue
				}
				if v := comb(best[j][k-1], linkMs[j], st); v < best[i][k] {
					best[i][k], ch[i][k] = v, choice{j: j, pair: pi}
				}
			}
		}
	}
	if math.IsInf(best[L][D], 1) {
		return Design{}, Report{}, fmt.Errorf("optimize on pool %s: no partition fits the devices", pool)
	}
	d.Tilings = make([]Tiling, L)
	var stages []Stage
	for i, k := L, D; i > 0; k-- {
		c := ch[i][k]
		if c.skip {
			continue
		}
		copy(d.Tilings[c.j:i], tabs[k-1].tiles[c.pair][c.j:i])
		stages = append([]Stage{{First: c.j, Last: i - 1, Device: k - 1}}, stages...)
		i = c.j
	}
	d.Stages = stages
	r, err := EstimatePool(n, pool, d)
	if err != nil {
		return Design{}, Report{}, fmt.Errorf("optimize on pool %s: %w", pool, err)
	}
	return d, r, nil
}
