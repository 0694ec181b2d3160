package fpga

import "github.com/hwnas/hwnas/arch"

// kind classifies a layer for costing.
type kind uint8

const (
	kConv kind = iota // conv (possibly grouped) and dense: a MAC-array layer
	kDW               // depthwise conv
	kPool             // max/avg pool
	kGAP              // global average pool
	kAdd              // element-wise add
	kFree             // concat: addressing only, no cycles
)

// dims are the loop bounds of one layer in the notation of Zhang et al.
// FPGA'15 (docs/fpga-model.md): M outputs, N inputs per group, R×C output
// map, K×K kernel, stride S.
// Pad zeros go on every side of the Hin×Win input and PadAfter more at the
// bottom and right, so the padded map is Hin+2·Pad+PadAfter high.
type dims struct {
	kind                       kind
	M, N, R, C, K, S, Hin, Win int
	Pad, PadAfter, G, NIn      int
	dense                      bool // a Dense layer (K = R = C = 1)
	MACs                       int64
}

// paddedH and paddedW are the input map's extent with its padding.
func (d *dims) paddedH() int { return d.Hin + 2*d.Pad + d.PadAfter }
func (d *dims) paddedW() int { return d.Win + 2*d.Pad + d.PadAfter }

func layerDims(n *arch.Network, i int) dims {
	l := &n.Layers[i]
	in := n.InShape(i)
	d := dims{M: l.Shape.C, R: l.Shape.H, C: l.Shape.W, K: max(l.Kernel, 1), S: max(l.Stride, 1),
		Hin: in.H, Win: in.W, Pad: l.Pad, PadAfter: l.PadAfter, G: 1, NIn: len(l.In), N: in.C}
	switch l.Op {
	case arch.Conv:
		if l.Depthwise() {
			d.kind = kDW
			d.N = 1
			d.MACs = n.LayerMACs(i)
			return d
		}
		d.kind = kConv
		d.G = max(l.Groups, 1)
		d.M /= d.G
		d.N /= d.G
	case arch.Dense:
		d.kind, d.dense = kConv, true
		d.N = int(in.Size())
		d.M, d.R, d.C, d.K, d.S, d.Hin, d.Win, d.Pad, d.PadAfter = l.Out, 1, 1, 1, 1, 1, 1, 0, 0
	case arch.MaxPool, arch.AvgPool:
		d.kind = kPool
	case arch.GlobalAvgPool:
		d.kind = kGAP
	case arch.Add:
		d.kind = kAdd
	default:
		d.kind = kFree
	}
	d.MACs = n.LayerMACs(i)
	return d
}

// cost is the model's answer for one layer under one tiling.
type cost struct {
	cycles         int64 // layer cycles, roofline applied
	tI, tW, tO, tC int64 // per-tile cycles of each phase
	bytes          int64 // off-chip traffic
	wbytes         int64 // the weight part of bytes
	lanes          int   // MAC lanes the engine needs (Tm·Tn, Tm for depthwise)
	vec            int   // vector lanes for pools/adds
	bram           int   // BRAM18 blocks of the layer's buffers
	bound          Bound
}

// env is what the per-layer model needs to know about the hardware.
type env struct {
	ports Ports
	bits  int
	blk   int     // bits per BRAM block
	bpc   float64 // off-chip bytes per cycle (bandwidth roofline)
	tmpl  Template
	float bool // floating-point precision (FNAS weight-buffer formula)
}

func cdiv(a, b int64) int64 { return (a + b - 1) / b }

// bramBlocks is the number of blocks making a memory width bits wide and
// depth words deep, using the best aspect ratio of a 512×(blk/512) block
// (RAMB18: 512×36 … 16K×1, UG473; M20K: 512×40 … 16K×1).
func bramBlocks(width, depth, blk int) int {
	if width <= 0 || depth <= 0 {
		return 0
	}
	w0 := blk / 512
	if depth <= 512 { // every shape holds the depth: the widest needs fewest
		return (width + w0 - 1) / w0
	}
	best := 1 << 62
	for cw, cd := w0, 512; cw >= 1; cw, cd = cw/2, cd*2 {
		best = min(best, ((width+cw-1)/cw)*((depth+cd-1)/cd))
	}
	return best
}

// layerCost applies the cycle model of the env's template to one layer.
func layerCost(d *dims, t Tiling, e *env) cost {
	if e.tmpl == FNAS {
		return fnasCost(d, t, e)
	}
	switch d.kind {
	case kConv, kDW:
		return convCost(d, t, e)
	case kFree:
		return cost{bound: BoundNone}
	}
	return vectorCost(d, t, e)
}

// convCost is the cycle model of docs/fpga-model.md §4: the memory-overlapped
// form of FNAS (Jiang et al. DAC'19) and HotNAS (Jiang et al. CODES+ISSS'20)
// on the output-tile loop nest of Zhang et al. FPGA'15, with output-tile loop
// bounds, input halos, a non-overlapped first load and last store, and
// Zhang's bandwidth roofline.
func convCost(d *dims, t Tiling, e *env) cost {
	tm, tn := int64(min(t.Tm, d.M)), int64(min(t.Tn, d.N))
	tr, tc := int64(min(t.Tr, d.R)), int64(min(t.Tc, d.C))
	k, s := int64(d.K), int64(d.S)
	inR := min(s*tr+k-s, int64(d.paddedH()))
	inC := min(s*tc+k-s, int64(d.paddedW()))
	var c cost
	nT := cdiv(int64(d.N), tn)
	var inW, wW int64 // words per tile
	if d.kind == kDW {
		inW, wW = tm*inR*inC, tm*k*k
		c.lanes = int(tm)
		nT = 1
	} else {
		inW, wW = tn*inR*inC, tm*tn*k*k
		c.lanes = int(tm * tn)
	}
	outW := tm * tr * tc
	c.tI = cdiv(inW, int64(e.ports.I))
	c.tW = cdiv(wW, int64(e.ports.W))
	c.tO = cdiv(outW, int64(e.ports.O))
	c.tC = k * k * tr * tc
	lat1 := max(c.tI, c.tW, c.tC)
	lat2 := max(nT*lat1, c.tO)
	tiles := cdiv(int64(d.R), tr) * cdiv(int64(d.C), tc) * cdiv(int64(d.M), tm)
	g := int64(d.G)
	cyc := g * (tiles*lat2 + c.tI + c.tW + c.tO)
	c.bytes = g * tiles * (nT*(inW+wW) + outW) * int64(e.bits/8)
	c.wbytes = g * tiles * nT * wW * int64(e.bits/8)
	bw := int64(float64(c.bytes)/e.bpc + 0.999999)
	c.cycles = max(cyc, bw)
	c.bound = tileBound(&c, nT, lat1)
	if bw > cyc {
		c.bound = BoundBandwidth
	}
	b := int(e.bits)
	c.bram = bramBlocks(int(inW/(inR*inC))*b, int(2*inR*inC), e.blk) +
		bramBlocks(c.lanes*b, int(2*k*k), e.blk) +
		bramBlocks(int(tm)*b, int(2*tr*tc), e.blk)
	return c
}

// tileBound names what sets a conv layer's time per tile
// (docs/fpga-model.md §4, "Bound"): the output store when it outlasts the
// ⌈N/tn⌉ input-channel steps, else whichever of compute, input load and
// weight load sets Lat1, ties going to compute.
func tileBound(c *cost, nT, lat1 int64) Bound {
	switch {
	case c.tO > nT*lat1:
		return BoundOFM
	case lat1 == c.tC:
		return BoundCompute
	case lat1 == c.tI:
		return BoundIFM
	}
	return BoundWeight
}

// vectorCost costs pools, global pools and adds on Tm channel lanes with line
// buffers: one output (or one accumulated input for a global pool) per lane
// per cycle, overlapped with streaming inputs and outputs.
func vectorCost(d *dims, t Tiling, e *env) cost {
	l := int64(max(min(t.Tm, d.M), 1))
	m := int64(d.M)
	in := int64(d.Hin) * int64(d.Win) * m
	out := int64(d.R) * int64(d.C) * m
	var comp int64
	switch d.kind {
	case kGAP:
		comp = cdiv(m, l) * int64(d.Hin) * int64(d.Win)
	case kAdd:
		in *= int64(d.NIn)
		comp = cdiv(m, l) * int64(d.R) * int64(d.C)
	default:
		comp = cdiv(m, l) * int64(d.R) * int64(d.C)
	}
	c := cost{vec: int(l), tC: comp, tI: cdiv(in, int64(e.ports.I)), tO: cdiv(out, int64(e.ports.O))}
	c.bytes = (in + out) * int64(e.bits/8)
	bw := int64(float64(c.bytes)/e.bpc + 0.999999)
	cyc := max(comp, c.tI, c.tO)
	c.cycles = max(cyc, bw)
	switch {
	case bw > cyc:
		c.bound = BoundBandwidth
	case cyc == comp:
		c.bound = BoundCompute
	case cyc == c.tI:
		c.bound = BoundIFM
	default:
		c.bound = BoundOFM
	}
	if d.kind == kPool {
		c.bram = bramBlocks(int(l)*e.bits, d.K*d.Win, e.blk) // K-row line buffer
	}
	return c
}

// fnasCost is FNAS's released model PARA.py verbatim (Jiang et al. DAC'19,
// "Accuracy vs. Efficiency: Achieving Both through FPGA-Implementation Aware
// Neural Architecture Search"; docs/fpga-model.md §6): only conv
// layers are costed, Tr and Tc are not clamped (a 20×20 tile on a 28×28 map
// computes 40×40), and BRAM uses per-lane banks of 18,000 bits.
func fnasCost(d *dims, t Tiling, e *env) cost {
	if d.kind != kConv || d.dense {
		return cost{bound: BoundNone}
	}
	tm, tn, tr, tc, k := int64(t.Tm), int64(t.Tn), int64(t.Tr), int64(t.Tc), int64(d.K)
	c := cost{lanes: int(tm * tn)}
	c.tW = cdiv(tm*tn*k*k, int64(e.ports.W))
	c.tI = cdiv(tn*tr*tc, int64(e.ports.I))
	c.tO = cdiv(tm*tr*tc, int64(e.ports.O))
	c.tC = k * k * tr * tc
	lat1 := max(c.tI, c.tW, c.tC)
	nT := cdiv(int64(d.N), tn)
	lat2 := max(nT*lat1, c.tO)
	c.cycles = int64(d.G) * cdiv(int64(d.R), tr) * cdiv(int64(d.C), tc) * cdiv(int64(d.M), tm) * lat2
	c.bound = tileBound(&c, nT, lat1)
	const blk = 18000 // the FNAS and HotNAS code's block, a little under a RAMB18's 18,432 bits
	b := int64(e.bits)
	act := cdiv(tr*tc*b, blk)
	bw := tm * tn * cdiv(4*k*k*b, blk)
	if e.float {
		bw = 2 * tm * tn * cdiv(k*k*b, blk)
	}
	c.bram = int(2*tn*act + 2*tm*act + bw)
	return c
}
