package fpga

import (
	"errors"
	"fmt"
	"math"
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

func union(a []int, b []int) []int {
	m := make(map[int]bool, len(a)+len(b))
	for _, x := range a {
		m[x] = true
	}
	for _, x := range b {
		m[x] = true
	}
	out := make([]int, 0, len(m))
	for x := range m {
		out = append(out, x)
	}
	sort.Ints(out)
	return out
}

// optimizeShared searches one <Tm,Tn> array for all layers.
func optimizeShared(n *arch.Network, p *Platform, d *Design, fix Tiling) error {
	dc := d.Precision.dspCost(p.Family)
	dspB, bramB, lutB := p.Budget()
	pe := dc.lanes(dspB)
	if pe < 1 {
		return &FitError{p.Name, "DSP", dc.dsps(1), dspB, fmt.Sprintf(" (one %s MAC lane)", d.Precision)}
	}
	ds := make([]dims, len(n.Layers))
	var tms, tns []int
	for i := range n.Layers {
		ds[i] = layerDims(n, i)
		switch ds[i].kind {
		case kConv:
			tms = union(tms, ceilCands(ds[i].M, pe, fix.Tm))
			tns = union(tns, ceilCands(ds[i].N, pe, fix.Tn))
		case kDW:
			tms = union(tms, ceilCands(ds[i].M, pe, fix.Tm))
		}
	}
	if len(tms) == 0 {
		tms = []int{max(fix.Tm, 1)}
	}
	if len(tns) == 0 {
		tns = []int{max(fix.Tn, 1)}
	}
	// Equal layers (repeated cells and blocks) cost the same: search each
	// distinct layer once and weigh it by its count.
	var ud []dims
	var mult []int64
	var first []int
	rep := make([]int, len(ds))
	index := make(map[dims]int)
	for j := range ds {
		u, ok := index[ds[j]]
		if !ok {
			u = len(ud)
			index[ds[j]] = u
			ud, mult, first = append(ud, ds[j]), append(mult, 0), append(first, j)
		}
		mult[u]++
		rep[j] = u
	}
	lutOK := func(tm, tn int) bool {
		return lutBase+lutEngine+tm*tn*lutPerLane(d.Precision, p.Family)+tm*lutVec <= lutB
	}
	type pair struct {
		tm, tn int
		lb     int64
	}
	var pairs []pair
	for _, pr := range arrayPairs(tms, tns, pe, lutOK) {
		pairs = append(pairs, pair{tm: pr[0], tn: pr[1]})
	}
	if len(pairs) == 0 {
		if lanes := max(fix.Tm, 1) * max(fix.Tn, 1); lanes > pe {
			return &FitError{p.Name, "DSP", dc.dsps(lanes), dspB, fmt.Sprintf(" (fixed <Tm,Tn> = <%d,%d>: %d MAC lanes, %d fit)", fix.Tm, fix.Tn, lanes, pe)}
		}
		return &FitError{p.Name, "LUT", lutBase + lutEngine + lutPerLane(d.Precision, p.Family) + lutVec, lutB, " (the smallest MAC array)"}
	}
	e := newEnv(p, d)
	// Per-layer floors no tiling beats: every weight crosses the weight port
	// once and every input word the input port once, and the roofline.
	floor := make([]int64, len(ud))
	for j := range ud {
		dm := &ud[j]
		if dm.kind != kConv && dm.kind != kDW {
			continue
		}
		g := int64(dm.G)
		w := g * int64(dm.M) * int64(dm.N) * int64(dm.K*dm.K)
		in := g * int64(dm.N) * int64(dm.Hin) * int64(dm.Win)
		if dm.kind == kDW {
			w, in = int64(dm.M*dm.K*dm.K), int64(dm.M)*int64(dm.Hin)*int64(dm.Win)
		}
		out := int64(dm.M) * g * int64(dm.R) * int64(dm.C)
		bw := int64(float64((w+in+out)*int64(e.bits/8)) / e.bpc)
		floor[j] = max(cdiv(w, int64(e.ports.W)), cdiv(in, int64(e.ports.I)), cdiv(out, int64(e.ports.O)), bw)
	}
	for i := range pairs {
		var lb int64
		for j := range ud {
			dm := &ud[j]
			var c int64
			switch dm.kind {
			case kConv:
				c = int64(dm.G) * cdiv(int64(dm.M), int64(pairs[i].tm)) * cdiv(int64(dm.N), int64(pairs[i].tn)) * int64(dm.R*dm.C*dm.K*dm.K)
			case kDW:
				c = cdiv(int64(dm.M), int64(pairs[i].tm)) * int64(dm.R*dm.C*dm.K*dm.K)
			}
			lb += mult[j] * max(c, floor[j])
		}
		pairs[i].lb = lb
	}
	sort.Slice(pairs, func(a, b int) bool { return pairs[a].lb < pairs[b].lb })
	best := int64(math.MaxInt64)
	minBRAM, hard := math.MaxInt, 0 // the smallest BRAM a layer with no fitting tiling needs
	bestT := make([]Tiling, len(ud))
	cur := make([]Tiling, len(ud))
	sp := make([][][2]int, len(ud))
	for j := range ud {
		sp[j] = spatial(&ud[j], fix)
	}
	for _, pr := range pairs {
		if pr.lb >= best {
			break
		}
		var total int64
		ok := true
		for j := range ud {
			dm := &ud[j]
			bc, bt := int64(math.MaxInt64), Tiling{}
			for _, s := range sp[j] {
				t := Tiling{pr.tm, pr.tn, s[0], s[1]}
				c := layerCost(dm, t, &e)
				if c.bram <= bramB && c.cycles < bc {
					bc, bt = c.cycles, t
				}
				if dm.kind == kFree || dm.kind == kGAP || dm.kind == kAdd {
					break // spatial tiles do not change these
				}
			}
			if bc == math.MaxInt64 {
				for _, s := range sp[j] {
					if c := layerCost(dm, Tiling{pr.tm, pr.tn, s[0], s[1]}, &e); c.bram < minBRAM {
						minBRAM, hard = c.bram, first[j]
					}
				}
				ok = false
				break
			}
			total += mult[j] * bc
			cur[j] = bt
			if total >= best {
				ok = false
				break
			}
		}
		if ok {
			best = total
			copy(bestT, cur)
		}
	}
	if best == math.MaxInt64 {
		return &FitError{p.Name, "BRAM18", minBRAM, bramB, fmt.Sprintf(" (the smallest buffers of layer %d, %s)", hard, layerName(&n.Layers[hard]))}
	}
	d.Tilings = make([]Tiling, len(ds))
	for j := range ds {
		d.Tilings[j] = bestT[rep[j]]
	}
	return nil
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
func layerCands(dm *dims, p *Platform, d *Design, e *env, fix Tiling, dspB, bramB, lutB int) (cheap []cand) {
	dc := d.Precision.dspCost(p.Family)
	pe := dc.lanes(dspB)
	var out []cand
	addCand := func(t Tiling) {
		c := layerCost(dm, t, e)
		var g group
		g.add(&c, t, d.Template, true)
		k := cand{t: t, cycles: c.cycles, wbytes: c.wbytes, dsp: g.dsp(d.Precision, p.Family), bram: c.bram, lut: g.lut(d.Precision, p.Family)}
		if k.dsp > dspB || k.bram > bramB || k.lut > lutB {
			return
		}
		k.score = float64(k.dsp)/float64(dspB) + float64(k.bram)/float64(bramB) + float64(k.lut)/float64(lutB)
		out = append(out, k)
	}
	sp := spatial(dm, fix)
	switch dm.kind {
	case kConv, kDW:
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
					addCand(Tiling{tm, tn, s[0], s[1]})
				}
			}
		}
	case kFree:
		addCand(Tiling{1, 1, 1, 1})
	default:
		for _, l := range ceilCands(dm.M, 64, fix.Tm) {
			addCand(Tiling{l, 1, 1, 1})
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].cycles != out[b].cycles {
			return out[a].cycles < out[b].cycles
		}
		return out[a].score < out[b].score
	})
	// Drop candidates that are no better than a faster one in resources
	// and in traffic.
	for _, k := range out {
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
	cs := make([][]cand, len(n.Layers))
	var lo, hi int64
	memo := make(map[dims][]cand) // equal layers share their candidates
	for j := range n.Layers {
		dm := layerDims(n, j)
		c, ok := memo[dm]
		if !ok {
			c = layerCands(&dm, p, d, &e, fix, dspB, bramB, lutB-lutBase)
			memo[dm] = c
		}
		cs[j] = c
		if len(cs[j]) == 0 {
			return &FitError{Platform: p.Name, Detail: fmt.Sprintf(": no engine for layer %d (%s) fits the DSP, BRAM18 and LUT budgets (%d, %d, %d)", j, layerName(&n.Layers[j]), dspB, bramB, lutB)}
		}
		lo = max(lo, cs[j][0].cycles)
		hi = max(hi, cs[j][len(cs[j])-1].cycles)
	}
	mhz := d.clock(p)
	rate := min(p.BandwidthGBs*1e3/mhz, float64(p.PortBits)/8) // off-chip bytes per cycle
	io := float64((n.Input.Size() + n.Output().Size()) * int64(d.Precision.Bytes()))
	var dsp, bram, lut int
	var bytes float64
	pick := func(T int64, out []Tiling) bool {
		dsp, bram, lut, bytes = 0, 0, 0, io
		for j, c := range cs {
			best, bk := math.Inf(1), -1
			for k := range c {
				if c[k].cycles > T {
					break
				}
				if s := c[k].score + float64(c[k].wbytes)/(rate*float64(T)); s < best {
					best, bk = s, k
				}
			}
			if bk < 0 {
				return false
			}
			k := &c[bk]
			dsp, bram, lut, bytes = dsp+k.dsp, bram+k.bram, lut+k.lut, bytes+float64(k.wbytes)
			if out != nil {
				out[j] = k.t
			}
		}
		return dsp <= dspB && bram <= bramB && lut+lutBase <= lutB && bytes/rate <= float64(T)
	}
	hi = max(hi, int64(io/rate)+1)
	for !pick(hi, nil) {
		if dsp > dspB || bram > bramB || lut+lutBase > lutB {
			detail := fmt.Sprintf(" (the cheapest engines of all %d layers: %d DSP, %d BRAM18, %d LUT; budget %d, %d, %d)",
				len(n.Layers), dsp, bram, lut+lutBase, dspB, bramB, lutB)
			switch {
			case dsp > dspB:
				return &FitError{p.Name, "DSP", dsp, dspB, detail}
			case bram > bramB:
				return &FitError{p.Name, "BRAM18", bram, bramB, detail}
			}
			return &FitError{p.Name, "LUT", lut + lutBase, lutB, detail}
		}
		hi *= 2 // traffic-bound: a longer interval carries more bytes
	}
	for lo < hi {
		mid := lo + (hi-lo)/2
		if pick(mid, nil) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	d.Tilings = make([]Tiling, len(n.Layers))
	pick(hi, d.Tilings)
	return nil
}

// optimizeFNAS is FNAS PARA.py's search (seed-systems.md §2.2): DSPs split
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
