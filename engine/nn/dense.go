package nn

// Dense layers flatten their input (HWC order) and multiply a chunk of images
// at a time: Y = X·W + b with W stored inputs × outputs.

func (m *model) denseForward(n *node, nb int) {
	m.denseForwardPrep(n)
	par(m.threads, chunks(nb), func(w, c int) { m.denseForwardChunk(n, nb, w, c) })
}

// denseForwardPrep packs n's weights for the forward pass of a batch.
func (m *model) denseForwardPrep(n *node) {
	_, _, isz := m.inOut(n.in[0])
	n.wPack = packB(n.wPack.d, isz, n.shape.C, view{n.w.v, n.shape.C, 1})
}

// denseForwardChunk runs the dense layer n on the images of task c, on worker w.
func (m *model) denseForwardChunk(n *node, nb, w, c int) {
	in, _, isz := m.inOut(n.in[0])
	out := n.shape.C
	lo, hi := span(c, nb)
	y := n.out[lo*out : hi*out]
	gemm(hi-lo, view{in[lo*isz:], isz, 1}, &n.wPack, y, out, false, m.gemmS[w])
	biasReLU(y, n.b.v, n.relu)
}

func (m *model) denseBackward(n *node, nb int) {
	m.denseBackwardPrep(n)
	par(m.threads, chunks(nb), func(w, c int) { m.denseBackwardChunk(n, nb, w, c) })
	m.denseBackwardPost(n, nb)
}

// denseBackwardPrep packs n's transposed weights for the input gradient.
func (m *model) denseBackwardPrep(n *node) {
	if _, dIn, isz := m.inOut(n.in[0]); dIn != nil {
		n.wtPack = packB(n.wtPack.d, n.shape.C, isz, view{n.w.v, 1, n.shape.C})
	}
}

// denseBackwardChunk sets task c's partial weight and bias gradients and
// writes or adds its images' input gradients, on worker w.
func (m *model) denseBackwardChunk(n *node, nb, w, c int) {
	in, dIn, isz := m.inOut(n.in[0])
	out := n.shape.C
	lo, hi := span(c, nb)
	dy := n.grad[lo*out : hi*out]
	if n.relu && !n.consumerMasks {
		maskReLU(dy, n.out[lo*out:hi*out])
	}
	db := n.chunkB[c]
	clear(db)
	addRows(db, dy, out)
	pb := packB(m.bpack[w], hi-lo, out, view{dy, out, 1})
	gemm(isz, view{in[lo*isz:], 1, isz}, &pb, n.chunkW[c], out, false, m.gemmS[w])
	if dIn != nil {
		gemm(hi-lo, view{dy, out, 1}, &n.wtPack, dIn[lo*isz:hi*isz], isz, !m.fresh(n.in[0]), m.gemmS[w])
	}
}

// denseBackwardPost sums the tasks' partial gradients into n's.
func (m *model) denseBackwardPost(n *node, nb int) {
	m.reduce(n.w.g, n.chunkW, chunks(nb))
	m.reduce(n.b.g, n.chunkB, chunks(nb))
}
