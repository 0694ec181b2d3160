package nn

import "math/rand/v2"

// Element-wise nodes: ReLU, residual add, channel concat and dropout.

func (m *model) eachChunk(nb int, fn func(lo, hi int)) {
	par(m.threads, chunks(nb), func(_, t int) { fn(span(t, nb)) })
}

// reluInPlace applies a fused ReLU to a node whose op does not apply it itself.
func (m *model) reluInPlace(n *node, nb int) {
	m.eachChunk(nb, func(lo, hi int) { n.reluChunk(lo, hi) })
}

// reluChunk applies n's ReLU to the images [lo, hi).
func (n *node) reluChunk(lo, hi int) {
	sz := int(n.shape.Size())
	y := n.out[lo*sz : hi*sz]
	for i, v := range y {
		y[i] = max(v, 0)
	}
}

// reluMask masks the gradient of such a node before its own backward.
func (m *model) reluMask(n *node, nb int) {
	m.eachChunk(nb, func(lo, hi int) { n.reluMaskChunk(lo, hi) })
}

// reluMaskChunk masks n's gradient of the images [lo, hi) by its ReLU.
func (n *node) reluMaskChunk(lo, hi int) {
	sz := int(n.shape.Size())
	maskReLU(n.grad[lo*sz:hi*sz], n.out[lo*sz:hi*sz])
}

func (m *model) addForward(n *node, nb int) {
	m.eachChunk(nb, func(lo, hi int) { m.addForwardChunk(n, lo, hi) })
}

// addForwardChunk sums n's inputs for the images [lo, hi).
func (m *model) addForwardChunk(n *node, lo, hi int) {
	sz := int(n.shape.Size())
	y := n.out[lo*sz : hi*sz]
	first, _, _ := m.inOut(n.in[0])
	copy(y, first[lo*sz:hi*sz])
	for _, j := range n.in[1:] {
		x, _, _ := m.inOut(j)
		addTo(y, x[lo*sz:hi*sz])
	}
}

func (m *model) addBackward(n *node, nb int) {
	m.eachChunk(nb, func(lo, hi int) { m.addBackwardChunk(n, lo, hi) })
}

// addBackwardChunk passes n's gradient of the images [lo, hi) to every input.
func (m *model) addBackwardChunk(n *node, lo, hi int) {
	sz := int(n.shape.Size())
	g := n.grad[lo*sz : hi*sz]
	for _, j := range n.in {
		if _, d, _ := m.inOut(j); d != nil {
			d = d[lo*sz : hi*sz]
			if m.fresh(j) {
				copy(d, g)
				continue
			}
			addTo(d, g)
		}
	}
}

func (m *model) concatForward(n *node, nb int) {
	m.eachChunk(nb, func(lo, hi int) { m.concatForwardChunk(n, lo, hi) })
}

// concatForwardChunk stacks n's inputs' channels for the images [lo, hi).
func (m *model) concatForwardChunk(n *node, lo, hi int) {
	c, hw := n.shape.C, n.shape.H*n.shape.W
	off := 0
	for _, j := range n.in {
		x, _, sz := m.inOut(j)
		cj := sz / hw
		for p := lo * hw; p < hi*hw; p++ {
			copy(n.out[p*c+off:p*c+off+cj], x[p*cj:(p+1)*cj])
		}
		off += cj
	}
}

func (m *model) concatBackward(n *node, nb int) {
	m.eachChunk(nb, func(lo, hi int) { m.concatBackwardChunk(n, lo, hi) })
}

// concatBackwardChunk splits n's gradient of the images [lo, hi) among its inputs.
func (m *model) concatBackwardChunk(n *node, lo, hi int) {
	c, hw := n.shape.C, n.shape.H*n.shape.W
	off := 0
	for _, j := range n.in {
		_, d, sz := m.inOut(j)
		cj := sz / hw
		if d != nil {
			if m.fresh(j) {
				clear(d[lo*hw*cj : hi*hw*cj])
			}
			for p := lo * hw; p < hi*hw; p++ {
				addTo(d[p*cj:(p+1)*cj], n.grad[p*c+off:p*c+off+cj])
			}
		}
		off += cj
	}
}

// dropoutForward zeroes each value with probability rate and scales the rest
// by 1/(1-rate) (inverted dropout). Each chunk draws from its own stream,
// seeded by step and node, so the mask does not depend on the thread count.
func (m *model) dropoutForward(n *node, nb int, train bool, seed, step uint64, id int) {
	par(m.threads, chunks(nb), func(_, t int) { m.dropoutForwardChunk(n, nb, t, train, seed, step, id) })
}

// dropoutForwardChunk is dropoutForward for the images of task t.
func (m *model) dropoutForwardChunk(n *node, nb, t int, train bool, seed, step uint64, id int) {
	in, _, sz := m.inOut(n.in[0])
	lo, hi := span(t, nb)
	if !train || n.rate == 0 {
		copy(n.out[lo*sz:hi*sz], in[lo*sz:hi*sz])
		return
	}
	keep := 1 - n.rate
	scale := 1 / keep
	r := rand.New(rand.NewPCG(seed^0x64726f70, step<<24|uint64(id)<<12|uint64(t)))
	for i := lo * sz; i < hi*sz; i++ {
		if r.Float32() < keep {
			n.mask[i] = scale
		} else {
			n.mask[i] = 0
		}
		n.out[i] = in[i] * n.mask[i]
	}
}

func (m *model) dropoutBackward(n *node, nb int) {
	m.eachChunk(nb, func(lo, hi int) { m.dropoutBackwardChunk(n, lo, hi) })
}

// dropoutBackwardChunk masks n's gradient of the images [lo, hi) into its input's.
func (m *model) dropoutBackwardChunk(n *node, lo, hi int) {
	_, dIn, sz := m.inOut(n.in[0])
	if dIn == nil {
		return
	}
	if m.fresh(n.in[0]) {
		clear(dIn[lo*sz : hi*sz])
	}
	for i := lo * sz; i < hi*sz; i++ {
		dIn[i] += n.grad[i] * n.mask[i]
	}
}
