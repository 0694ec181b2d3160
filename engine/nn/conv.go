package nn

import "math"

// im2col writes the patches of one NHWC image into cols: one row per output
// position, K·K·C columns ordered (ky, kx, c). p is the padding before; the
// padding after (symmetric or not) is whatever oh and ow reach beyond the
// map, which reads as zeros. For each output row and ky, the positions whose
// window lies inside the map's width copy their K·C values in one call.
func im2col(in []float32, h, w, c, k, s, p, oh, ow int, cols []float32) {
	kc := k * c
	kkc := k * kc
	lo, hi := interior(w, k, s, p, ow)
	for oy := range oh {
		base := oy * ow * kkc
		for ky := range k {
			iy := oy*s - p + ky
			if iy < 0 || iy >= h {
				for ox := range ow {
					clear(cols[base+ox*kkc+ky*kc : base+ox*kkc+ky*kc+kc])
				}
				continue
			}
			for ox := range ow {
				if ox == lo && hi > lo {
					copyRuns(cols[base+lo*kkc+ky*kc:], kkc, in[(iy*w+lo*s-p)*c:], s*c, kc, hi-lo)
				}
				if ox < lo || ox >= hi {
					patchRow(in[iy*w*c:(iy+1)*w*c], w, c, k, ox*s-p, cols[base+ox*kkc+ky*kc:base+ox*kkc+ky*kc+kc])
				}
			}
		}
	}
}

// interior returns the output columns [lo, hi) whose windows, k wide with
// stride s after a padding p, lie wholly inside a map w wide (lo == hi when
// none does).
func interior(w, k, s, p, ow int) (lo, hi int) {
	lo = min((p+s-1)/s, ow)
	if w+p-k >= 0 {
		hi = min((w+p-k)/s+1, ow)
	}
	return lo, max(hi, lo)
}

// patchRow writes into d the k·c values of the input row from column ix0,
// zeros outside the row's w columns of c channels.
func patchRow(row []float32, w, c, k, ix0 int, d []float32) {
	lo, hi := max(0, -ix0), min(k, w-ix0) // valid kx range
	if lo >= hi {
		clear(d)
		return
	}
	clear(d[:lo*c])
	copy(d[lo*c:hi*c], row[(ix0+lo)*c:(ix0+hi)*c])
	clear(d[hi*c:])
}

// col2im adds the patch gradients in cols back into the image gradient dx.
func col2im(cols []float32, h, w, c, k, s, p, oh, ow int, dx []float32) {
	kc := k * c
	row := 0
	for oy := range oh {
		for ox := range ow {
			src := cols[row : row+k*kc]
			row += k * kc
			ix0 := ox*s - p
			lo, hi := max(0, -ix0), min(k, w-ix0)
			if lo >= hi {
				continue
			}
			for ky := range k {
				iy := oy*s - p + ky
				if iy < 0 || iy >= h {
					continue
				}
				addTo(dx[(iy*w+ix0+lo)*c:(iy*w+ix0+hi)*c], src[ky*kc+lo*c:ky*kc+hi*c])
			}
		}
	}
}

// isPointwise reports a 1×1 stride-1 convolution without padding, whose
// input is its own patch matrix.
func (n *node) isPointwise() bool { return n.k == 1 && n.stride == 1 && n.pad == 0 && n.padAfter == 0 }

func (m *model) convForward(n *node, nb int) {
	n.convForwardPrep()
	par(m.threads, chunks(nb), func(w, c int) { m.convForwardChunk(n, nb, w, c) })
}

// convForwardPrep packs n's weights for the forward pass of a batch.
func (n *node) convForwardPrep() {
	switch {
	case n.groups == 1:
		n.wPack = packB(n.wPack.d, n.kkc, n.shape.C, view{n.w.v, n.shape.C, 1})
	case n.isDepthwise():
		tapMajor(n.wTap, n.w.v, n.shape.C, n.k*n.k)
	default:
		cog := n.shape.C / n.groups
		for g := range n.groups {
			packB(n.groupPack(n.wPack.d, g, n.kkc, cog).d, n.kkc, cog, view{n.w.v[g*n.kkc*cog:], cog, 1})
		}
	}
}

// groupPack is group g's part of a packing of every group's k×cols matrix
// in d, back to back (grouped convolutions).
func (n *node) groupPack(d []float32, g, k, cols int) packedB {
	sz := packedBSize(k, cols)
	return packedB{k: k, n: cols, panels: (cols + nr - 1) / nr, d: d[g*sz : (g+1)*sz]}
}

// convForwardChunk runs the convolution n on the images of task c, on worker w.
func (m *model) convForwardChunk(n *node, nb, w, c int) {
	in, _, isz := m.inOut(n.in[0])
	oh, ow, oc := n.shape.H, n.shape.W, n.shape.C
	osz := oh * ow * oc
	lo, hi := span(c, nb)
	for img := lo; img < hi; img++ {
		x := in[img*isz : (img+1)*isz]
		y := n.out[img*osz : (img+1)*osz]
		if n.isDepthwise() {
			depthwiseForward(n, n.wTap, x, y)
			if n.relu {
				for i, v := range y {
					y[i] = max(v, 0)
				}
			}
			continue
		}
		if n.groups > 1 {
			m.groupedForward(n, w, x, y)
			biasReLU(y, n.b.v, n.relu)
			continue
		}
		cols := x
		if !n.isPointwise() {
			cols = m.cols[w]
			if n.colCache != nil {
				cols = n.colCache[img*oh*ow*n.kkc : (img+1)*oh*ow*n.kkc]
			}
			n.patches(x, cols)
		}
		gemm(oh*ow, view{cols, n.kkc, 1}, &n.wPack, y, oc, false, m.gemmS[w])
		biasReLU(y, n.b.v, n.relu)
	}
}

// biasReLU adds bias to every row of y and applies ReLU when relu is set.
func biasReLU(y, bias []float32, relu bool) { affine(y, y, nil, bias, relu) }

// maskReLUGo zeroes the gradient g where the ReLU output y was not
// positive (maskReLU, with AVX2 where there is).
func maskReLUGo(g, y []float32) {
	y = y[:len(g)]
	for i, v := range y {
		// Branch-free: keep is all ones when |y| > 0 (y is never negative here).
		b := int32(math.Float32bits(v) & 0x7fffffff)
		keep := uint32(-b >> 31)
		g[i] = math.Float32frombits(math.Float32bits(g[i]) & keep)
	}
}

func (m *model) convBackward(n *node, nb int) {
	m.convBackwardPrep(n)
	par(m.threads, chunks(nb), func(w, c int) { m.convBackwardChunk(n, nb, w, c) })
	m.convBackwardPost(n, nb)
}

// convBackwardPrep packs n's transposed weights for the input gradient.
func (m *model) convBackwardPrep(n *node) {
	if _, dIn, _ := m.inOut(n.in[0]); dIn == nil || n.isDepthwise() {
		return
	}
	if n.groups == 1 {
		n.wtPack = packB(n.wtPack.d, n.shape.C, n.kkc, view{n.w.v, 1, n.shape.C})
		return
	}
	cog := n.shape.C / n.groups
	for g := range n.groups {
		packB(n.groupPack(n.wtPack.d, g, cog, n.kkc).d, cog, n.kkc, view{n.w.v[g*n.kkc*cog:], 1, cog})
	}
}

// convBackwardChunk sets task c's partial weight and bias gradients and
// writes or adds its images' input gradients, on worker w.
func (m *model) convBackwardChunk(n *node, nb, w, c int) {
	lo, hi := span(c, nb)
	dw, db := n.chunkW[c], n.chunkB[c]
	clear(dw)
	clear(db)
	for img := lo; img < hi; img++ {
		m.convBackwardImage(n, w, img, dw, db)
	}
}

// convBackwardPost sums the tasks' partial gradients into n's.
func (m *model) convBackwardPost(n *node, nb int) {
	switch {
	case n.groups == 1 && !n.narrowPatches():
		m.reduceT(n.w.g, n.chunkW, chunks(nb), n.shape.C, n.kkc)
	case n.isDepthwise():
		m.reduce(n.gTap, n.chunkW, chunks(nb))
		channelMajor(n.w.g, n.gTap, n.shape.C, n.k*n.k)
	default:
		m.reduce(n.w.g, n.chunkW, chunks(nb))
	}
	m.reduce(n.b.g, n.chunkB, chunks(nb))
}

// convBackwardImage adds the weight and bias gradients of image img to dw
// and db, and writes or adds its input gradient, on worker w.
func (m *model) convBackwardImage(n *node, w, img int, dw, db []float32) {
	in, dIn, isz := m.inOut(n.in[0])
	oc, hw := n.shape.C, n.shape.H*n.shape.W
	osz := hw * oc
	x := in[img*isz : (img+1)*isz]
	dy := n.grad[img*osz : (img+1)*osz]
	if n.relu && !n.consumerMasks {
		maskReLU(dy, n.out[img*osz:(img+1)*osz])
	}
	addRows(db, dy, oc)
	fresh := m.fresh(n.in[0])
	var dx []float32
	if dIn != nil {
		dx = dIn[img*isz : (img+1)*isz]
		if fresh && (n.groups > 1 || !n.isPointwise()) {
			clear(dx) // col2im and the direct convolution add; a pointwise GEMM can overwrite
		}
	}
	if n.isDepthwise() {
		depthwiseBackward(n, n.wTap, x, dy, dw, dx)
		return
	}
	if n.groups > 1 {
		m.groupedBackward(n, w, x, dy, dw, dx)
		return
	}
	cols := x
	if !n.isPointwise() {
		cols = m.cols[w]
		if n.colCache != nil {
			cols = n.colCache[img*hw*n.kkc : (img+1)*hw*n.kkc]
		} else {
			n.patches(x, cols)
		}
	}
	if n.narrowPatches() {
		// dW += colsᵀ · dY: fewer than nr patch columns would fill less
		// than one panel of B, so they are the GEMM's rows instead.
		gemmRowB(n.kkc, oc, hw, view{cols, 1, n.kkc}, view{dy, oc, 1}, dw, oc, true, m.gemmS[w], m.bpack[w])
	} else {
		// dWᵀ += dYᵀ · cols: packing cols as B copies whole rows, where
		// packing colsᵀ as A would gather them across rows.
		gemmRowB(oc, n.kkc, hw, view{dy, 1, oc}, view{cols, n.kkc, 1}, dw, n.kkc, true, m.gemmS[w], m.bpack[w])
	}
	switch {
	case dx == nil:
	case n.isPointwise():
		gemm(hw, view{dy, oc, 1}, &n.wtPack, dx, n.inShape.C, !fresh, m.gemmS[w])
	default:
		// dCols = dY · Wᵀ, then scatter back into dX.
		dcols := m.cols[w]
		gemm(hw, view{dy, oc, 1}, &n.wtPack, dcols, n.kkc, false, m.gemmS[w])
		col2im(dcols, n.inShape.H, n.inShape.W, n.inShape.C, n.k, n.stride, n.pad, n.shape.H, n.shape.W, dx)
	}
}

// narrowPatches reports a convolution (groups 1) whose patches have fewer
// columns than a GEMM panel, as a first layer on one channel does (9 for
// 3×3): its weight gradient is computed, and kept per chunk, as W is laid
// out (K·K·Cin × Cout) rather than transposed.
func (n *node) narrowPatches() bool { return n.groups == 1 && n.kkc < nr }

// patches writes the patches of n's input image x into cols (im2col).
func (n *node) patches(x, cols []float32) {
	im2col(x, n.inShape.H, n.inShape.W, n.inShape.C, n.k, n.stride, n.pad, n.shape.H, n.shape.W, cols)
}

// reduceT sets the rows×cols gradient g to the transpose of the sum of the
// first n cols×rows partial gradients, in order.
func (m *model) reduceT(g []float32, parts [][]float32, n, cols, rows int) {
	const block = 64
	par(m.threads, (rows+block-1)/block, func(_, t int) {
		for i := t * block; i < min((t+1)*block, rows); i++ {
			dst := g[i*cols : (i+1)*cols]
			for j := range dst {
				dst[j] = parts[0][j*rows+i]
			}
			for _, p := range parts[1:n] {
				for j := range dst {
					dst[j] += p[j*rows+i]
				}
			}
		}
	})
}

// reduce sets g to the sum of the first n partial gradients, in order.
func (m *model) reduce(g []float32, parts [][]float32, n int) {
	const block = 4096
	par(m.threads, (len(g)+block-1)/block, func(_, t int) {
		lo, hi := t*block, min((t+1)*block, len(g))
		dst := g[lo:hi]
		copy(dst, parts[0][lo:hi])
		for _, p := range parts[1:n] {
			addTo(dst, p[lo:hi])
		}
	})
}

// groupedForward is a grouped convolution (groups > 1, not depthwise) of
// one image as a GEMM per group, on worker w: the group's patches (its
// input channels only) times its weights, [ky][kx][cin/g] × [cout/g], into
// its output channels of y. The bias is left to the caller.
func (m *model) groupedForward(n *node, w int, x, y []float32) {
	oc, hw := n.shape.C, n.shape.H*n.shape.W
	cog := oc / n.groups
	cols := m.cols[w][:hw*n.kkc]
	for g := range n.groups {
		n.groupPatches(x, g, cols, false)
		pb := n.groupPack(n.wPack.d, g, n.kkc, cog)
		gemm(hw, view{cols, n.kkc, 1}, &pb, y[g*cog:], oc, false, m.gemmS[w])
	}
}

// groupedBackward adds one image's weight gradient to dw, per group
// dW_g += patches_gᵀ·dY_g, and, when dx is not nil, its input gradient to
// dx: the group's patch gradients dY_g·W_gᵀ scattered back.
func (m *model) groupedBackward(n *node, w int, x, dy, dw, dx []float32) {
	oc, hw := n.shape.C, n.shape.H*n.shape.W
	cog := oc / n.groups
	cols := m.cols[w][:hw*n.kkc]
	for g := range n.groups {
		n.groupPatches(x, g, cols, false)
		gemmRowB(n.kkc, cog, hw, view{cols, 1, n.kkc}, view{dy[g*cog:], oc, 1}, dw[g*n.kkc*cog:], cog, true, m.gemmS[w], m.bpack[w])
		if dx == nil {
			continue
		}
		pt := n.groupPack(n.wtPack.d, g, cog, n.kkc)
		gemm(hw, view{dy[g*cog:], oc, 1}, &pt, cols, n.kkc, false, m.gemmS[w])
		n.groupPatches(dx, g, cols, true)
	}
}

// groupPatches writes the patches of group g's input channels of the image
// x into cols: a row per output position, K·K·(Cin/groups) columns ordered
// (ky, kx, c), zeros for the padding. With scatter set it goes the other
// way, as col2im: it adds the patch gradients in cols back into x.
func (n *node) groupPatches(x []float32, g int, cols []float32, scatter bool) {
	ih, iw, ic := n.inShape.H, n.inShape.W, n.inShape.C
	cig := ic / n.groups
	row := 0
	for oy := range n.shape.H {
		for ox := range n.shape.W {
			for ky := range n.k {
				iy := oy*n.stride - n.pad + ky
				for kx := range n.k {
					d := cols[row : row+cig]
					row += cig
					ix := ox*n.stride - n.pad + kx
					inside := iy >= 0 && iy < ih && ix >= 0 && ix < iw
					switch {
					case scatter && inside:
						addTo(x[(iy*iw+ix)*ic+g*cig:], d)
					case scatter:
					case inside:
						copy(d, x[(iy*iw+ix)*ic+g*cig:])
					default:
						clear(d)
					}
				}
			}
		}
	}
}

// copyRunsGo is copyRuns in Go.
func copyRunsGo(dst []float32, dstStride int, src []float32, srcStride, n, rows int) {
	for r := range rows {
		copy(dst[r*dstStride:r*dstStride+n], src[r*srcStride:r*srcStride+n])
	}
}
