package fpga

import (
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"sort"

	"github.com/hwnas/hwnas/arch"
)

// Goal is what Optimize minimises.
type Goal uint8

// The optimisation goals.
const (
	MinLatency    Goal = iota // lowest latency (LatencyMs)
	MaxThroughput             // highest throughput (ThroughputFPS)
)

func (g Goal) String() string {
	if g == MaxThroughput {
		return "throughput"
	}
	return "latency"
}

// Options steer Optimize. Zero values mean: int16, the platform clock and
// ports, the HWNAS template, and Mode chosen by the goal (both single-device
// modes are tried and the better kept).
type Options struct {
	Goal      Goal
	Mode      Mode // 0: try Shared and Pipeline
	Template  Template
	Combine   Combine // Pipeline/Multi latency combination
	Precision Precision
	ClockMHz  float64
	Ports     Ports
	PortShare [3]int // zero: searched (Shared, Multi) or even (Pipeline)
	Fix       Tiling // non-zero fields are fixed for every layer
}

func (o *Options) design(m Mode) Design {
	d := Design{Mode: m, Template: o.Template, Combine: o.Combine, Precision: o.Precision, ClockMHz: o.ClockMHz, Ports: o.Ports, PortShare: o.PortShare}
	if d.Precision == 0 {
		d.Precision = Int16
	}
	if d.Template == FNAS && d.Ports == (Ports{}) {
		d.Ports = Ports{2, 2, 2} // FNAS PARA.py: W_p = I_p = O_p = 2
	}
	return d
}

// better reports whether a beats b under goal g.
func better(g Goal, a, b *Report) bool {
	if g == MaxThroughput {
		return a.ThroughputFPS > b.ThroughputFPS || a.ThroughputFPS == b.ThroughputFPS && a.LatencyMs < b.LatencyMs
	}
	return a.LatencyMs < b.LatencyMs || a.LatencyMs == b.LatencyMs && a.ThroughputFPS > b.ThroughputFPS
}

// Optimize finds the design of n on p that best meets o.Goal and fits the
// platform: Shared searches one <Tm,Tn> array (best-first with a compute
// lower bound) with per-layer <Tr,Tc>; Pipeline splits DSP and BRAM over
// per-layer engines to minimise the slowest stage; the FNAS template
// reproduces FNAS's per-layer search.
func Optimize(n *arch.Network, p Platform, o Options) (Design, Report, error) {
	if err := checkNetwork(n); err != nil {
		return Design{}, Report{}, fmt.Errorf("optimize: %w", err)
	}
	if err := p.Validate(); err != nil {
		return Design{}, Report{}, fmt.Errorf("optimize: %w", err)
	}
	if o.Fix.Tm < 0 || o.Fix.Tn < 0 || o.Fix.Tr < 0 || o.Fix.Tc < 0 {
		return Design{}, Report{}, fmt.Errorf("optimize: fixed tiling <%s> has a negative size", o.Fix)
	}
	switch o.Mode {
	case Multi:
		return Design{}, Report{}, errors.New("optimize: multi-FPGA designs need a Pool: use OptimizePool")
	case 0:
		d1, r1, err1 := Optimize(n, p, withMode(o, Shared))
		d2, r2, err2 := Optimize(n, p, withMode(o, Pipeline))
		switch {
		case err1 != nil && err2 != nil:
			return Design{}, Report{}, err1
		case err2 != nil || err1 == nil && !better(o.Goal, &r2, &r1):
			return d1, r1, nil
		}
		return d2, r2, nil
	}
	d := o.design(o.Mode)
	d.Tilings = []Tiling{{1, 1, 1, 1}} // checked before the search fills them
	if err := d.check(n, p.Family); err != nil {
		return Design{}, Report{}, fmt.Errorf("optimize on %s: %w", p.Name, err)
	}
	var err error
	switch {
	case d.Template == FNAS:
		err = optimizeFNAS(n, &p, &d, o.Fix)
	case d.Mode == Shared:
		err = optimizeShared(n, &p, &d, o.Fix)
	default:
		err = optimizePipeline(n, &p, &d, o.Fix)
	}
	if err != nil {
		return Design{}, Report{}, fmt.Errorf("optimize %s on %s: %w", d.Mode, p.Name, err)
	}
	r, err := Estimate(n, p, d)
	if err != nil {
		return Design{}, Report{}, fmt.Errorf("optimize %s on %s: %w", d.Mode, p.Name, err)
	}
	if d.Template == HWNAS && d.Mode == Shared && o.Ports == (Ports{}) && o.PortShare == [3]int{} {
		d, r = tunePorts(n, &p, d, r, o)
	}
	return d, r, nil
}

// portSplits are the weight:input:output shares of the memory ports tried
// by the search: even, weight-heavy (dense layers), input- and output-heavy.
var portSplits = [][3]int{{1, 1, 1}, {2, 1, 1}, {4, 1, 1}, {8, 1, 1}, {1, 2, 1}, {1, 1, 2}}

// tunePorts searches the tiling again under every other port share and
// keeps the best design: the port split and the tiling interact (dense
// layers want a wide weight port, early convs a wide input port).
func tunePorts(n *arch.Network, p *Platform, d Design, r Report, o Options) (Design, Report) {
	best, bestR := d, r
	for _, s := range portSplits[1:] {
		c := d
		c.PortShare = s
		if err := optimizeShared(n, p, &c, o.Fix); err != nil {
			continue
		}
		if cr, err := Estimate(n, *p, c); err == nil && better(o.Goal, &cr, &bestR) {
			best, bestR = c, cr
		}
	}
	return best, bestR
}

// ceilCands returns, ascending, the smallest t in [1, min(x, limit)] for each
// distinct ⌈x/t⌉: the only tile sizes worth trying along a loop of x.
func ceilCands(x, limit int, fixed int) []int {
	if fixed > 0 {
		return []int{fixed}
	}
	var out []int
	last := 0
	for v := x; v >= 1; v-- {
		t := (x + v - 1) / v
		if t > limit {
			break
		}
		if t != last {
			out = append(out, t)
			last = t
		}
	}
	if len(out) == 0 {
		out = append(out, 1)
	}
	return out
}

// spatial returns the <Tr,Tc> candidates of a layer: ⌈R/q⌉×⌈C/q⌉ for every
// q giving a distinct tile.
func spatial(d *dims, fix Tiling) [][2]int {
	if fix.Tr > 0 && fix.Tc > 0 {
		return [][2]int{{fix.Tr, fix.Tc}}
	}
	var out [][2]int
	last := [2]int{}
	for q := 1; q <= max(d.R, d.C); q++ {
		t := [2]int{(d.R + q - 1) / q, (d.C + q - 1) / q}
		if fix.Tr > 0 {
			t[0] = fix.Tr
		}
		if fix.Tc > 0 {
			t[1] = fix.Tc
		}
		if t != last {
			out = append(out, t)
			last = t
		}
	}
	return out
}

// union returns the sorted distinct values of a and b.
func union(a, b []int) []int {
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// layerSet groups the layers of a network by their loop bounds. Equal
// layers (the repeated cells of a NAS-Bench-201 network, the blocks of a
// ResNet) cost the same under every tiling, so the optimisers search each
// distinct one once and weigh it by its count (docs/fpga-model.md §7,
// "Repeated layers").
type layerSet struct {
	dims  []dims  // the distinct loop bounds, in order of first appearance
	count []int64 // how many layers have each
	first []int   // the first layer with each
	of    []int   // of[i] indexes dims for layer i
}

// distinctLayers groups the layers of n by their loop bounds.
func distinctLayers(n *arch.Network) layerSet {
	s := layerSet{of: make([]int, len(n.Layers))}
	index := make(map[dims]int)
	for i := range n.Layers {
		dm := layerDims(n, i)
		u, ok := index[dm]
		if !ok {
			u = len(s.dims)
			index[dm] = u
			s.dims, s.count, s.first = append(s.dims, dm), append(s.count, 0), append(s.first, i)
		}
		s.count[u]++
		s.of[i] = u
	}
	return s
}

// arrayCands returns the Tm and Tn candidates of a MAC array of pe lanes:
// the union over the conv and depthwise layers of their ceilCands.
func arrayCands(ds []dims, pe int, fix Tiling) (tms, tns []int) {
	for i := range ds {
		switch ds[i].kind {
		case kConv:
			tms = union(tms, ceilCands(ds[i].M, pe, fix.Tm))
			tns = union(tns, ceilCands(ds[i].N, pe, fix.Tn))
		case kDW:
			tms = union(tms, ceilCands(ds[i].M, pe, fix.Tm))
		}
	}
	return tms, tns
}

// arrayLUT is the LUT cost of a shared engine with a <tm,tn> MAC array
// (the LUT model of estimate.go).
func arrayLUT(tm, tn int, p Precision, f Family) int {
	return lutBase + lutEngine + tm*tn*lutPerLane(p, f) + tm*lutVec
}

// optimizeShared searches one <Tm,Tn> array for all layers, best-first by a
// lower bound on the total cycles (docs/fpga-model.md §7, "Shared").
func optimizeShared(n *arch.Network, p *Platform, d *Design, fix Tiling) error {
	dc := d.Precision.dspCost(p.Family)
	dspB, bramB, lutB := p.Budget()
	pe := dc.lanes(dspB)
	if pe < 1 {
		return &FitError{p.Name, "DSP", dc.dsps(1), dspB, fmt.Sprintf(" (one %s MAC lane)", d.Precision)}
	}
	ls := distinctLayers(n)
	tms, tns := arrayCands(ls.dims, pe, fix)
	if len(tms) == 0 {
		tms = []int{max(fix.Tm, 1)}
	}
	if len(tns) == 0 {
		tns = []int{max(fix.Tn, 1)}
	}
	pairs := arrayPairs(tms, tns, pe, func(tm, tn int) bool { return arrayLUT(tm, tn, d.Precision, p.Family) <= lutB })
	if len(pairs) == 0 {
		if lanes := max(fix.Tm, 1) * max(fix.Tn, 1); lanes > pe {
			return &FitError{p.Name, "DSP", dc.dsps(lanes), dspB, fmt.Sprintf(" (fixed <Tm,Tn> = <%d,%d>: %d MAC lanes, %d fit)", fix.Tm, fix.Tn, lanes, pe)}
		}
		return &FitError{p.Name, "LUT", arrayLUT(1, 1, d.Precision, p.Family), lutB, " (the smallest MAC array)"}
	}
	e := newEnv(p, d)
	s := sharedSearch{ls: &ls, e: &e, bramB: bramB, minBRAM: math.MaxInt}
	s.sp = make([][][2]int, len(ls.dims))
	for j := range ls.dims {
		s.sp[j] = spatial(&ls.dims[j], fix)
	}
	best := s.run(s.order(pairs))
	if best == nil {
		return &FitError{p.Name, "BRAM18", s.minBRAM, bramB, fmt.Sprintf(" (the smallest buffers of layer %d, %s)", s.hard, layerName(&n.Layers[s.hard]))}
	}
	d.Tilings = make([]Tiling, len(n.Layers))
	for j, u := range ls.of {
		d.Tilings[j] = best[u]
	}
	return nil
}

// sharedSearch is optimizeShared's branch and bound over <Tm,Tn> arrays.
type sharedSearch struct {
	ls    *layerSet
	e     *env
	sp    [][][2]int // <Tr,Tc> candidates of each distinct layer
	bramB int

	// when no array fits: the smallest BRAM a layer with no fitting tiling
	// needs, and that layer
	minBRAM, hard int
}

// boundedPair is a <Tm,Tn> array and a lower bound on its total cycles.
type boundedPair struct {
	tm, tn int
	lb     int64
}

// order returns the pairs in increasing lower bound: Σ over layers of the
// larger of the compute cycles on the array and the layer's floor.
func (s *sharedSearch) order(pairs [][2]int) []boundedPair {
	floor := make([]int64, len(s.ls.dims))
	for j := range s.ls.dims {
		floor[j] = trafficFloor(&s.ls.dims[j], s.e)
	}
	out := make([]boundedPair, len(pairs))
	for i, pr := range pairs {
		var lb int64
		for j := range s.ls.dims {
			lb += s.ls.count[j] * max(arrayCycles(&s.ls.dims[j], pr[0], pr[1]), floor[j])
		}
		out[i] = boundedPair{tm: pr[0], tn: pr[1], lb: lb}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].lb < out[b].lb })
	return out
}

// trafficFloor is the cycles no tiling of a conv or depthwise layer beats:
// every weight crosses the weight port once, every input word the input
// port and every output word the output port, and the layer's minimum
// traffic the bandwidth roofline. Other layers have no floor.
func trafficFloor(dm *dims, e *env) int64 {
	if dm.kind != kConv && dm.kind != kDW {
		return 0
	}
	g := int64(dm.G)
	w := g * int64(dm.M) * int64(dm.N) * int64(dm.K*dm.K)
	in := g * int64(dm.N) * int64(dm.Hin) * int64(dm.Win)
	if dm.kind == kDW {
		w, in = int64(dm.M*dm.K*dm.K), int64(dm.M)*int64(dm.Hin)*int64(dm.Win)
	}
	out := int64(dm.M) * g * int64(dm.R) * int64(dm.C)
	bw := int64(float64((w+in+out)*int64(e.bits/8)) / e.bpc)
	return max(cdiv(w, int64(e.ports.W)), cdiv(in, int64(e.ports.I)), cdiv(out, int64(e.ports.O)), bw)
}

// arrayCycles is the compute cycles of a conv or depthwise layer on a
// <tm,tn> array with every spatial tile in one (0 for other layers).
func arrayCycles(dm *dims, tm, tn int) int64 {
	switch dm.kind {
	case kConv:
		return int64(dm.G) * cdiv(int64(dm.M), int64(tm)) * cdiv(int64(dm.N), int64(tn)) * int64(dm.R*dm.C*dm.K*dm.K)
	case kDW:
		return cdiv(int64(dm.M), int64(tm)) * int64(dm.R*dm.C*dm.K*dm.K)
	}
	return 0
}

// run tries the pairs in order until the bound reaches the best total and
// returns the best tiling of each distinct layer, or nil when no pair fits.
func (s *sharedSearch) run(pairs []boundedPair) []Tiling {
	best := int64(math.MaxInt64)
	var bestT []Tiling
	cur := make([]Tiling, len(s.ls.dims))
	for _, pr := range pairs {
		if pr.lb >= best {
			break
		}
		if total, ok := s.total(pr.tm, pr.tn, best, cur); ok {
			best = total
			bestT = append(bestT[:0], cur...)
		}
	}
	return bestT
}

// total gives every distinct layer its fastest <Tr,Tc> on the <tm,tn> array
// whose buffers fit, into cur, and returns the weighted total cycles. It
// gives up (ok false) as soon as the total reaches limit or a layer has no
// fitting tiling.
func (s *sharedSearch) total(tm, tn int, limit int64, cur []Tiling) (total int64, ok bool) {
	for j := range s.ls.dims {
		dm := &s.ls.dims[j]
		bc, bt := int64(math.MaxInt64), Tiling{}
		for _, sp := range s.sp[j] {
			t := Tiling{tm, tn, sp[0], sp[1]}
			c := layerCost(dm, t, s.e)
			if c.bram <= s.bramB && c.cycles < bc {
				bc, bt = c.cycles, t
			}
			if dm.kind == kFree || dm.kind == kGAP || dm.kind == kAdd {
				break // spatial tiles do not change these
			}
		}
		if bc == math.MaxInt64 {
			s.noFit(j, tm, tn)
			return 0, false
		}
		total += s.ls.count[j] * bc
		cur[j] = bt
		if total >= limit {
			return 0, false
		}
	}
	return total, true
}

// noFit records the smallest buffers of distinct layer j on the <tm,tn>
// array, for the error when no array fits.
func (s *sharedSearch) noFit(j, tm, tn int) {
	for _, sp := range s.sp[j] {
		if c := layerCost(&s.ls.dims[j], Tiling{tm, tn, sp[0], sp[1]}, s.e); c.bram < s.minBRAM {
			s.minBRAM, s.hard = c.bram, s.ls.first[j]
		}
	}
}

// arrayPairs lists the <Tm,Tn> arrays worth trying: for each Tm the three
// largest Tn within pe lanes (a larger Tn never adds compute cycles; smaller
// ones are kept for when BRAM binds) whose LUTs fit.
func arrayPairs(tms, tns []int, pe int, lutOK func(tm, tn int) bool) [][2]int {
	var out [][2]int
	for _, tm := range tms {
		k := 0
		for j := len(tns) - 1; j >= 0 && k < 3; j-- {
			if tm*tns[j] <= pe && lutOK(tm, tns[j]) {
				out = append(out, [2]int{tm, tns[j]})
				k++
			}
		}
	}
	return out
}

// cand is one engine choice for one layer of a pipeline.
type cand struct {
	t      Tiling
	cycles int64
	wbytes int64 // off-chip weight traffic per image
	dsp    int
	bram   int
	lut    int
	score  float64 // normalised resource cost
}

// layerCands lists the engine choices of a layer sorted by cycles, without
// those no cheaper in resources and traffic than a recent faster one.
func layerCands(dm *dims, p *Platform, d *Design, e *env, fix Tiling, dspB, bramB, lutB int) []cand {
	var out []cand
	for t := range engineTilings(dm, d.Precision.dspCost(p.Family).lanes(dspB), fix) {
		c := layerCost(dm, t, e)
		var g group
		g.add(&c, t, d.Template, true)
		k := cand{t: t, cycles: c.cycles, wbytes: c.wbytes, dsp: g.dsp(d.Precision, p.Family), bram: c.bram, lut: g.lut(d.Precision, p.Family)}
		if k.dsp > dspB || k.bram > bramB || k.lut > lutB {
			continue
		}
		k.score = float64(k.dsp)/float64(dspB) + float64(k.bram)/float64(bramB) + float64(k.lut)/float64(lutB)
		out = append(out, k)
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].cycles != out[b].cycles {
			return out[a].cycles < out[b].cycles
		}
		return out[a].score < out[b].score
	})
	return undominated(out)
}

// engineTilings yields the tilings worth costing for a layer's own engine
// of at most pe MAC lanes: every <Tm,Tn> within the lanes with every spatial
// tile for conv layers, Tm channel lanes (up to 64) for pools and adds.
func engineTilings(dm *dims, pe int, fix Tiling) iter.Seq[Tiling] {
	return func(yield func(Tiling) bool) {
		switch dm.kind {
		case kConv, kDW:
			sp := spatial(dm, fix)
			tns := []int{1}
			if dm.kind == kConv {
				tns = ceilCands(dm.N, pe, fix.Tn)
			}
			for _, tm := range ceilCands(dm.M, pe, fix.Tm) {
				for _, tn := range tns {
					if tm*tn > pe {
						break
					}
					for _, s := range sp {
						if !yield(Tiling{tm, tn, s[0], s[1]}) {
							return
						}
					}
				}
			}
		case kFree:
			yield(Tiling{1, 1, 1, 1})
		default:
			for _, l := range ceilCands(dm.M, 64, fix.Tm) {
				if !yield(Tiling{l, 1, 1, 1}) {
					return
				}
			}
		}
	}
}

// undominated drops, from candidates sorted by cycles, those no better than
// one of the 64 last kept (all faster) in resources and in traffic.
func undominated(sorted []cand) (cheap []cand) {
	for _, k := range sorted {
		dominated := false
		for i := len(cheap) - 1; i >= 0 && i >= len(cheap)-64; i-- {
			if c := cheap[i]; c.score <= k.score && c.wbytes <= k.wbytes {
				dominated = true
				break
			}
		}
		if !dominated {
			cheap = append(cheap, k)
		}
	}
	return cheap
}

// optimizePipeline gives each layer its own engine and minimises the
// interval: a binary search on the interval T where each layer takes the
// engine no slower than T that minimises its share of the budgets (DSP,
// BRAM, LUT, and off-chip traffic in T), until the sums fit.
func optimizePipeline(n *arch.Network, p *Platform, d *Design, fix Tiling) error {
	dspB, bramB, lutB := p.Budget()
	e := newEnv(p, d)
	ls := distinctLayers(n)
	cands := make([][]cand, len(ls.dims))
	for u := range ls.dims {
		cands[u] = layerCands(&ls.dims[u], p, d, &e, fix, dspB, bramB, lutB-lutBase)
		if len(cands[u]) == 0 {
			j := ls.first[u]
			return &FitError{Platform: p.Name, Detail: fmt.Sprintf(": no engine for layer %d (%s) fits the DSP, BRAM18 and LUT budgets (%d, %d, %d)", j, layerName(&n.Layers[j]), dspB, bramB, lutB)}
		}
	}
	f := pipeFit{cs: make([][]cand, len(n.Layers)), dspB: dspB, bramB: bramB, lutB: lutB}
	var lo, hi int64
	for j, u := range ls.of {
		f.cs[j] = cands[u]
		lo = max(lo, cands[u][0].cycles)
		hi = max(hi, cands[u][len(cands[u])-1].cycles)
	}
	f.rate = min(p.BandwidthGBs*1e3/d.clock(p), float64(p.PortBits)/8)
	f.io = float64((n.Input.Size() + n.Output().Size()) * int64(d.Precision.Bytes()))
	hi = max(hi, int64(f.io/f.rate)+1)
	for !f.pick(hi, nil) {
		if err := f.overBudget(p.Name, len(n.Layers)); err != nil {
			return err
		}
		hi *= 2 // traffic-bound: a longer interval carries more bytes
	}
	for lo < hi {
		mid := lo + (hi-lo)/2
		if f.pick(mid, nil) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	d.Tilings = make([]Tiling, len(n.Layers))
	f.pick(hi, d.Tilings)
	return nil
}

// pipeFit is optimizePipeline's choice of one engine per layer for an
// interval, and the sums of that choice.
type pipeFit struct {
	cs                [][]cand // the candidates of each layer
	rate              float64  // off-chip bytes per cycle
	io                float64  // network input and output bytes
	dspB, bramB, lutB int

	dsp, bram, lut int
	bytes          float64
}

// pick gives each layer the candidate no slower than T that minimises its
// share of the budgets and of the traffic in T, writes the tilings to out
// unless it is nil, and reports whether the sums fit.
func (f *pipeFit) pick(T int64, out []Tiling) bool {
	f.dsp, f.bram, f.lut, f.bytes = 0, 0, 0, f.io
	for j, c := range f.cs {
		best, bk := math.Inf(1), -1
		for k := range c {
			if c[k].cycles > T {
				break
			}
			if s := c[k].score + float64(c[k].wbytes)/(f.rate*float64(T)); s < best {
				best, bk = s, k
			}
		}
		if bk < 0 {
			return false
		}
		k := &c[bk]
		f.dsp, f.bram, f.lut, f.bytes = f.dsp+k.dsp, f.bram+k.bram, f.lut+k.lut, f.bytes+float64(k.wbytes)
		if out != nil {
			out[j] = k.t
		}
	}
	return f.dsp <= f.dspB && f.bram <= f.bramB && f.lut+lutBase <= f.lutB && f.bytes/f.rate <= float64(T)
}

// overBudget is the *FitError of the last pick when its engines do not fit
// the resources (however long the interval), or nil when only the traffic
// did not fit.
func (f *pipeFit) overBudget(platform string, layers int) error {
	if f.dsp <= f.dspB && f.bram <= f.bramB && f.lut+lutBase <= f.lutB {
		return nil
	}
	detail := fmt.Sprintf(" (the cheapest engines of all %d layers: %d DSP, %d BRAM18, %d LUT; budget %d, %d, %d)",
		layers, f.dsp, f.bram, f.lut+lutBase, f.dspB, f.bramB, f.lutB)
	switch {
	case f.dsp > f.dspB:
		return &FitError{platform, "DSP", f.dsp, f.dspB, detail}
	case f.bram > f.bramB:
		return &FitError{platform, "BRAM18", f.bram, f.bramB, detail}
	}
	return &FitError{platform, "LUT", f.lut + lutBase, f.lutB, detail}
}

// optimizeFNAS is the search of FNAS's PARA.py (Jiang et al. DAC'19;
// docs/fpga-model.md §6): DSPs split
// across conv layers in proportion to their MACs, then per layer a brute
// force over Tm (outer) and Tn with Tm·Tn within its share, keeping the first
// strict minimum; Tr = Tc = 20 unless fixed.
func optimizeFNAS(n *arch.Network, p *Platform, d *Design, fix Tiling) error {
	d.Mode = Pipeline
	dc := d.Precision.dspCost(p.Family)
	dspB, _, _ := p.Budget()
	var total int64
	for i := range n.Layers {
		if n.Layers[i].Op == arch.Conv {
			total += n.LayerMACs(i)
		}
	}
	tr, tc := 20, 20
	if fix.Tr > 0 {
		tr = fix.Tr
	}
	if fix.Tc > 0 {
		tc = fix.Tc
	}
	e := newEnv(p, d)
	d.Tilings = make([]Tiling, len(n.Layers))
	for i := range n.Layers {
		d.Tilings[i] = Tiling{1, 1, 1, 1}
		if n.Layers[i].Op != arch.Conv {
			continue
		}
		dm := layerDims(n, i)
		share := max(1, int(int64(dspB)*n.LayerMACs(i)/total))
		lanes := dc.lanes(share)
		if lanes < 1 {
			return &FitError{p.Name, "DSP", dc.dsps(1), share, fmt.Sprintf(" (layer %d's share of the budget for one %s MAC lane)", i, d.Precision)}
		}
		best := int64(math.MaxInt64)
		for tm := 1; tm <= dm.M; tm++ {
			for tn := 1; tn <= dm.N && tm*tn <= lanes; tn++ {
				t := Tiling{tm, tn, tr, tc}
				if c := fnasCost(&dm, t, &e); c.cycles < best {
					best, d.Tilings[i] = c.cycles, t
				}
			}
		}
	}
	return nil
}

func withMode(o Options, m Mode) Options { o.Mode = m; return o }
