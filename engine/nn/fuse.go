package nn

// Fused passes. Most nodes split their work by images: a weight packing or
// batch statistics first, then the same function on every chunk of the batch,
// then a reduction of per-chunk weight gradients. A run of such nodes goes
// chunk by chunk — each task takes its images through every node of the run —
// rather than node by node with the whole batch in between: one barrier per
// run instead of one per node, so a worker the OS delays holds the other back
// once rather than at every layer, and a chunk's activations are still in its
// core's cache when the next node reads them. Every chunk computes what it
// did node by node, so the results are the same bit for bit.

// fwdChunked reports whether node n's forward pass has a per-chunk form. A
// node left out of the passes (off: a mixed layer's input not computed this
// step) has none, so that runs stop at it and the passes skip it.
func fwdChunked(n *node) bool {
	if n.off {
		return false
	}
	switch n.kind {
	case kConv, kDense, kMaxPool, kAvgPool, kGAP, kAdd, kConcat, kBN, kDropout:
		return true
	}
	return false
}

// forwardRun runs, chunk by chunk, the longest run of nodes from id whose
// forward passes have per-chunk forms, and returns the index after it; it
// returns id, having run nothing, when node id has no such form or while
// activations are being quantized. A batch norm in training needs the
// statistics of its whole input, so it can only start a run.
func (m *model) forwardRun(id, nb int, train bool, seed, step uint64) int {
	if m.actQ != nil || !fwdChunked(m.nodes[id]) {
		return id
	}
	end := id + 1
	for end < len(m.nodes) && fwdChunked(m.nodes[end]) && !(train && m.nodes[end].kind == kBN) {
		end++
	}
	for _, n := range m.nodes[id:end] {
		m.forwardPrep(n, nb, train)
	}
	par(m.threads, chunks(nb), func(w, c int) {
		for i := id; i < end; i++ {
			m.forwardChunk(i, nb, w, c, train, seed, step)
		}
	})
	return end
}

// forwardPrep does what node n's forward pass needs before its chunks.
func (m *model) forwardPrep(n *node, nb int, train bool) {
	switch n.kind {
	case kConv:
		n.convForwardPrep()
	case kDense:
		m.denseForwardPrep(n)
	case kBN:
		m.bnForwardPrep(n, nb, train)
	}
}

// forwardChunk runs the forward pass of node id on task c, on worker w.
func (m *model) forwardChunk(id, nb, w, c int, train bool, seed, step uint64) {
	n := m.nodes[id]
	lo, hi := span(c, nb)
	switch n.kind {
	case kConv:
		m.convForwardChunk(n, nb, w, c)
	case kDense:
		m.denseForwardChunk(n, nb, w, c)
	case kMaxPool, kAvgPool:
		m.poolForwardChunk(n, nb, c)
	case kGAP:
		m.gapForwardChunk(n, nb, c)
	case kAdd:
		m.addForwardChunk(n, lo, hi)
	case kConcat:
		m.concatForwardChunk(n, lo, hi)
	case kBN:
		m.bnForwardChunk(n, lo, hi)
	case kDropout:
		m.dropoutForwardChunk(n, nb, c, train, seed, step, id)
	}
	if n.relu && !fusesReLU(n.kind) {
		n.reluChunk(lo, hi)
	}
}

// bwdChunked reports whether node n's backward pass has a per-chunk form:
// every kind but batch norm, whose input gradient needs sums over the batch.
func bwdChunked(n *node) bool { return n.kind != kBN && fwdChunked(n) }

// backwardRun runs, chunk by chunk, the longest run of nodes down from id
// whose backward passes have per-chunk forms, and returns the index before
// it; it returns id, having run nothing, when node id has no such form.
func (m *model) backwardRun(id, nb int) int {
	if !bwdChunked(m.nodes[id]) {
		return id
	}
	first := id
	for first > 0 && bwdChunked(m.nodes[first-1]) {
		first--
	}
	run := m.nodes[first : id+1]
	for _, n := range run {
		switch n.kind {
		case kConv:
			m.convBackwardPrep(n)
		case kDense:
			m.denseBackwardPrep(n)
		}
	}
	par(m.threads, chunks(nb), func(w, c int) {
		for i := len(run) - 1; i >= 0; i-- {
			m.backwardChunk(run[i], nb, w, c)
		}
	})
	for _, n := range run {
		switch n.kind {
		case kConv:
			m.convBackwardPost(n, nb)
		case kDense:
			m.denseBackwardPost(n, nb)
		}
	}
	return first - 1
}

// backwardChunk runs the backward pass of node n on task c, on worker w.
func (m *model) backwardChunk(n *node, nb, w, c int) {
	lo, hi := span(c, nb)
	if n.relu && !fusesReLU(n.kind) && !n.consumerMasks {
		n.reluMaskChunk(lo, hi)
	}
	switch n.kind {
	case kConv:
		m.convBackwardChunk(n, nb, w, c)
	case kDense:
		m.denseBackwardChunk(n, nb, w, c)
	case kMaxPool, kAvgPool:
		m.poolBackwardChunk(n, nb, c)
	case kGAP:
		m.gapBackwardChunk(n, nb, c)
	case kAdd:
		m.addBackwardChunk(n, lo, hi)
	case kConcat:
		m.concatBackwardChunk(n, lo, hi)
	case kDropout:
		m.dropoutBackwardChunk(n, lo, hi)
	}
}
