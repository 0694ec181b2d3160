package fpga

import (
	"errors"
	"fmt"
	"math"

	"github.com/hwnas/hwnas/arch"
)

// LUT model (approx.): a fixed base for DMA, AXI and control, a per-engine
// controller, and a per-lane cost by precision. fp32 is calibrated on Zhang
// FPGA'15 (186,251 LUTs for 448 fp32 lanes ≈ 415 per lane).
const (
	lutBase   = 12000
	lutEngine = 1500
	lutVec    = 30 // per pool/add lane
)

func lutPerLane(p Precision, f Family) int {
	if f == Intel {
		return 60 // approx.: Intel DSP blocks do fp32/fp16 multiply-add in hard logic
	}
	switch p {
	case FP32:
		return 400 // Zhang FPGA'15 calibration
	case FP16:
		return 200 // approx.
	case Int16:
		return 60 // approx.: adder tree and operand muxing around a DSP MAC
	}
	return 40 // int8, approx.
}

// Estimate runs the model for network n on platform p with design d. n must
// have been inferred (arch.Network.Infer). When the design does not fit the
// platform the report is still filled and the error is a *FitError.
func Estimate(n *arch.Network, p Platform, d Design) (Report, error) {
	var r Report
	err := EstimateTo(&r, n, p, d)
	return r, err
}

// EstimateTo is Estimate writing into r and reusing r.Layers: with enough
// capacity it allocates nothing, for search loops.
func EstimateTo(r *Report, n *arch.Network, p Platform, d Design) error {
	if d.Mode == Multi {
		return errors.New("estimate: a multi-FPGA design runs on a Pool: use EstimatePool")
	}
	if err := checkNetwork(n); err != nil {
		return fmt.Errorf("estimate: %w", err)
	}
	if err := p.Validate(); err != nil {
		return fmt.Errorf("estimate: %w", err)
	}
	if err := d.check(n, p.Family); err != nil {
		return fmt.Errorf("estimate on %s: %w", p.Name, err)
	}
	layers := r.Layers[:0]
	*r = Report{ModelVersion: ModelVersion, Platform: p.Name, Mode: d.Mode, Template: d.Template,
		Combine: d.Combine, Precision: d.Precision, ClockMHz: d.clock(&p)}
	if d.Mode == Shared {
		r.Combine = Sum
	}
	e := newEnv(&p, &d)
	var g group
	var bytes, wbytes int64
	r.Layers, bytes, wbytes = estimateLayers(layers, &g, n, &p, &d, &e, r.ClockMHz)
	var dsp, bram, lut int
	if d.Mode == Pipeline {
		dsp, bram, lut = g.dspSum, g.bramSum, g.lutSum+lutBase
		bytes = r.pipelineTiming(&g, n, &p, wbytes, e.bits, d.Combine)
	} else {
		dsp, bram, lut = g.dsp(d.Precision, p.Family), g.bram, g.lut(d.Precision, p.Family)+lutBase
		for i := range r.Layers {
			r.Layers[i].DSP = dsp
		}
		r.Cycles = g.cycles
		r.IntervalMs = float64(g.cycles) / (r.ClockMHz * 1e3)
	}
	r.LatencyMs = float64(r.Cycles) / (r.ClockMHz * 1e3)
	if r.Bound == "" {
		r.Bound = r.Layers[slowest(r.Layers)].Bound
	}
	r.finish(n, dsp, bram, lut, p.DSP, p.BRAM18, p.LUT)
	r.PowerW = power(&p, r.ClockMHz, dsp, bram, lut, float64(bytes)*r.ThroughputFPS)
	r.EnergyMJ = energy(r.PowerW, r.ThroughputFPS)
	return fits(&p, &d, dsp, bram, lut, &e)
}

// estimateLayers costs every layer of a single-device design into layers
// (reused) and g: one engine for Shared, the sums of per-layer engines for
// Pipeline. It returns the rows and the off-chip bytes and weight bytes.
func estimateLayers(layers []LayerReport, g *group, n *arch.Network, p *Platform, d *Design, e *env, mhz float64) ([]LayerReport, int64, int64) {
	var bytes, wbytes int64
	for i := range n.Layers {
		dm := layerDims(n, i)
		t := d.tiling(i)
		c := layerCost(&dm, t, e)
		stage := 0
		if d.Mode == Pipeline {
			stage = i
		}
		layers = append(layers, layerRow(n, i, &dm, t, &c, stage, mhz))
		bytes += c.bytes
		wbytes += c.wbytes
		if d.Mode != Pipeline {
			g.add(&c, t, d.Template, false)
			continue
		}
		var eg group
		eg.add(&c, t, d.Template, true)
		row := &layers[len(layers)-1]
		row.DSP = eg.dsp(d.Precision, p.Family)
		row.BRAM18 = eg.bram
		g.dspSum += row.DSP
		g.bramSum += eg.bram
		g.lutSum += eg.lut(d.Precision, p.Family)
		g.cycles += c.cycles
		g.maxCycles = max(g.maxCycles, c.cycles)
	}
	return layers, bytes, wbytes
}

// pipelineTiming sets the cycles, interval and (when traffic binds) the
// bound of a Pipeline design whose engines g holds, and returns its
// off-chip bytes per image. All engines share the off-chip memory: per image
// the pipeline moves the network input and output and every engine's weight
// traffic through the shared ports and DRAM (the roofline).
func (r *Report) pipelineTiming(g *group, n *arch.Network, p *Platform, wbytes int64, bits int, combine Combine) int64 {
	bytes := wbytes + (n.Input.Size()+n.Output().Size())*int64(bits/8)
	agg := int64(float64(bytes)/min(p.BandwidthGBs*1e3/r.ClockMHz, float64(p.PortBits)/8) + 0.999999)
	r.IntervalMs = float64(max(g.maxCycles, agg)) / (r.ClockMHz * 1e3)
	if agg > g.maxCycles {
		r.Bound = BoundBandwidth
	}
	r.Cycles = max(g.cycles, agg) // one image through every stage
	if combine == Slowest {
		r.Cycles = max(g.maxCycles, agg) // the steady-state interval
	}
	return bytes
}

// slowest returns the index of the first row with the most cycles.
func slowest(rows []LayerReport) int {
	slow := 0
	for i := range rows {
		if rows[i].Cycles > rows[slow].Cycles {
			slow = i
		}
	}
	return slow
}

// finish fills throughput, GOPS and utilisation from the interval.
func (r *Report) finish(n *arch.Network, dsp, bram, lut, dspHave, bramHave, lutHave int) {
	if r.IntervalMs > 0 {
		r.ThroughputFPS = 1e3 / r.IntervalMs
	}
	r.GOPS = 2 * float64(n.MACs()) * r.ThroughputFPS / 1e9
	r.DSP, r.BRAM18, r.LUT = dsp, bram, lut
	r.DSPPct = 100 * float64(dsp) / float64(dspHave)
	r.BRAMPct = 100 * float64(bram) / float64(bramHave)
	r.LUTPct = 100 * float64(lut) / float64(lutHave)
}

func energy(w, fps float64) float64 {
	if fps <= 0 {
		return 0
	}
	return w / fps * 1e3
}

// power is the platform's power model (docs/fpga-model.md §4, "Power"): static power
// plus dynamic power proportional to the clock and the resources in use, plus
// off-chip traffic energy.
func power(p *Platform, mhz float64, dsp, bram, lut int, bytesPerS float64) float64 {
	dyn := mhz / 100 * (p.DSPmW*float64(dsp) + p.BRAMmW*float64(bram) + p.LUTmWk*float64(lut)/1000) / 1000
	return p.StaticW + dyn + p.DRAMpJB*bytesPerS*1e-12
}

// fits checks the resources and the memory ports against the platform.
func fits(p *Platform, d *Design, dsp, bram, lut int, e *env) error {
	dh, bh, lh := p.Budget()
	switch {
	case dsp > dh:
		return &FitError{p.Name, "DSP", dsp, dh, d.fitDetail()}
	case bram > bh && d.Template != FNAS: // FNAS PARA.py computes BRAM but does not enforce it
		return &FitError{p.Name, "BRAM18", bram, bh, d.fitDetail()}
	case lut > lh:
		return &FitError{p.Name, "LUT", lut, lh, d.fitDetail()}
	}
	if d.Template == HWNAS {
		if need := e.bits * (e.ports.W + e.ports.I + e.ports.O); need > p.PortBits {
			return &FitError{p.Name, "port bits", need, p.PortBits, fmt.Sprintf(" (ports %d/%d/%d words of %d bits)", e.ports.W, e.ports.I, e.ports.O, e.bits)}
		}
	}
	return nil
}

func (d *Design) fitDetail() string {
	if len(d.Tilings) == 1 {
		return fmt.Sprintf(" (%s, %s, tiling <%s>)", d.Mode, d.Precision, d.Tilings[0])
	}
	return fmt.Sprintf(" (%s, %s, %d tilings)", d.Mode, d.Precision, len(d.Tilings))
}

// group accumulates the resources of one engine (Shared, a Multi stage, or a
// single Pipeline layer).
type group struct {
	lanes, vec, bram        int
	cycles, maxCycles       int64
	dspSum, bramSum, lutSum int
	fnasLanes               int
}

func (g *group) add(c *cost, t Tiling, tmpl Template, own bool) {
	if c.lanes > 0 {
		if own || tmpl == FNAS {
			g.lanes = max(g.lanes, c.lanes)
		} else {
			g.lanes = max(g.lanes, t.Tm*t.Tn) // the shared array is Tm·Tn whatever the layer uses
		}
	}
	g.vec = max(g.vec, c.vec)
	g.bram = max(g.bram, c.bram)
	g.cycles += c.cycles
	g.maxCycles = max(g.maxCycles, c.cycles)
}

func (g *group) dsp(p Precision, f Family) int { return p.dspCost(f).dsps(g.lanes) }

func (g *group) lut(p Precision, f Family) int {
	if g.lanes == 0 && g.vec == 0 {
		return 0
	}
	return lutEngine + g.lanes*lutPerLane(p, f) + g.vec*lutVec
}

func layerRow(n *arch.Network, i int, dm *dims, t Tiling, c *cost, stage int, mhz float64) LayerReport {
	l := &n.Layers[i]
	row := LayerReport{Index: i, Name: l.Name, Op: l.Op.String(), Stage: stage, Tiling: t, MACs: dm.MACs,
		Cycles: c.cycles, Bound: c.bound, TComp: c.tC, TIn: c.tI, TWeight: c.tW, TOut: c.tO, Bytes: c.bytes, BRAM18: c.bram}
	row.LatencyMs = float64(c.cycles) / (mhz * 1e3)
	if c.cycles > 0 {
		row.GOPS = 2 * float64(dm.MACs) / (row.LatencyMs * 1e6)
	}
	return row
}

func (d *Design) clock(p *Platform) float64 {
	if d.ClockMHz > 0 {
		return d.ClockMHz
	}
	return p.ClockMHz
}

func newEnv(p *Platform, d *Design) env {
	bits := d.Precision.Bits()
	f := d.clock(p)
	e := env{ports: d.ports(p, bits), bits: bits, blk: p.BRAMBits, bpc: p.BandwidthGBs * 1e3 / f,
		tmpl: d.Template, float: d.Precision == FP32 || d.Precision == FP16}
	if d.Mode == Pipeline {
		// engines stream activations to each other on chip; the shared
		// off-chip roofline is applied to the whole pipeline (pipelineTiming)
		e.bpc = math.Inf(1)
	}
	return e
}

// checkNetwork rejects networks the model cannot cost, naming the layer.
func checkNetwork(n *arch.Network) error {
	if n == nil || len(n.Layers) == 0 {
		return errors.New("network has no layers")
	}
	for i := range n.Layers {
		l := &n.Layers[i]
		if l.Shape.H <= 0 || l.Shape.W <= 0 || l.Shape.C <= 0 || len(l.In) == 0 {
			return &arch.LayerError{Index: i, Layer: layerName(l), Msg: "shape not inferred or impossible (run Network.Infer)"}
		}
		for _, j := range l.In {
			if j < arch.Input || j >= i {
				return &arch.LayerError{Index: i, Layer: layerName(l), Msg: fmt.Sprintf("input %d is not an earlier layer", j)}
			}
		}
		if msg := checkDims(n, i); msg != "" {
			return &arch.LayerError{Index: i, Layer: layerName(l), Msg: msg}
		}
	}
	return nil
}

// checkDims rejects hyper-parameters the cycle model cannot use (a network
// built by hand without Network.Infer can carry them).
func checkDims(n *arch.Network, i int) string {
	l := &n.Layers[i]
	in := n.InShape(i)
	if in.H <= 0 || in.W <= 0 || in.C <= 0 {
		return fmt.Sprintf("input shape %s is not positive", in)
	}
	switch l.Op {
	case arch.Conv, arch.MaxPool, arch.AvgPool:
		if l.Kernel < 1 || l.Stride < 1 || l.Pad < 0 {
			return fmt.Sprintf("kernel %d, stride %d, padding %d: kernel and stride must be at least 1, padding at least 0", l.Kernel, l.Stride, l.Pad)
		}
		if l.PadAfter < 0 {
			return fmt.Sprintf("extra padding after %d: must be at least 0", l.PadAfter)
		}
		if g := max(l.Groups, 1); l.Op == arch.Conv && (in.C%g != 0 || l.Shape.C%g != 0) {
			return fmt.Sprintf("groups %d must divide input channels %d and output channels %d", g, in.C, l.Shape.C)
		}
	}
	return ""
}

func layerName(l *arch.Layer) string {
	if l.Name != "" {
		return l.Name
	}
	return l.Op.String()
}

// MaxTile bounds every tile size: products of four tile sizes and a kernel
// then stay far inside int64 (a tile larger than any layer buys nothing).
const MaxTile = 1 << 16

// check validates the design against the network and device family.
func (d *Design) check(n *arch.Network, f Family) error {
	if d.Precision < FP32 || d.Precision > Int8 {
		return fmt.Errorf("design has no precision (want fp32, fp16, int16 or int8)")
	}
	if num, _ := d.Precision.DSPPerMAC(f); num == 0 {
		return fmt.Errorf("precision %s is not supported on %s devices", d.Precision, f)
	}
	if d.Mode < Shared || d.Mode > Multi {
		return fmt.Errorf("design has no mode (want shared, pipeline or multi)")
	}
	if !(d.ClockMHz >= 0) || math.IsInf(d.ClockMHz, 1) { // NaN fails every comparison
		return fmt.Errorf("clock %g MHz must be a positive number (0 for the platform's)", d.ClockMHz)
	}
	if d.Ports.W < 0 || d.Ports.I < 0 || d.Ports.O < 0 {
		return fmt.Errorf("ports %d/%d/%d must be positive", d.Ports.W, d.Ports.I, d.Ports.O)
	}
	if len(d.Tilings) != 1 && len(d.Tilings) != len(n.Layers) {
		return fmt.Errorf("design has %d tilings; want 1 (all layers) or %d (one per layer)", len(d.Tilings), len(n.Layers))
	}
	for i, t := range d.Tilings {
		if t.Tm < 1 || t.Tn < 1 || t.Tr < 1 || t.Tc < 1 {
			return fmt.Errorf("tiling %d <%s>: every tile size must be at least 1", i, t)
		}
		if t.Tm > MaxTile || t.Tn > MaxTile || t.Tr > MaxTile || t.Tc > MaxTile {
			return fmt.Errorf("tiling %d <%s>: every tile size must be at most %d", i, t, MaxTile)
		}
	}
	if d.Mode == Shared && len(d.Tilings) > 1 {
		first := -1
		for i := range n.Layers {
			if !isArray(&n.Layers[i]) {
				continue
			}
			if first < 0 {
				first = i
				continue
			}
			a, b := d.Tilings[first], d.Tilings[i]
			if a.Tm != b.Tm || a.Tn != b.Tn {
				return fmt.Errorf("shared engine: layer %d uses <Tm,Tn> = <%d,%d> but layer %d uses <%d,%d>; one MAC array has one shape",
					i, b.Tm, b.Tn, first, a.Tm, a.Tn)
			}
		}
	}
	return nil
}

// isArray reports whether a layer runs on the MAC array.
func isArray(l *arch.Layer) bool { return l.Op == arch.Conv || l.Op == arch.Dense }
