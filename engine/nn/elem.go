package nn

import "math/rand/v2"

// Element-wise nodes: ReLU, residual add, channel concat and dropout.

func (m *model) eachChunk(nb int, fn func(lo, hi int)) {
	par(m.threads, chunks(nb), func(_, t int) { fn(span(t, nb)) })
}

// reluInPlace applies a fused ReLU to a node whose op does not apply it itself.
func (m *model) reluInPlace(n *node, nb int) {
	sz := int(n.shape.Size())
	m.eachChunk(nb, func(lo, hi int) {
		y := n.out[lo*sz : hi*sz]
		for i, v := range y {
			y[i] = max(v, 0)
		}
	})
}

// reluMask masks the gradient of such a node before its own backward.
func (m *model) reluMask(n *node, nb int) {
	sz := int(n.shape.Size())
	m.eachChunk(nb, func(lo, hi int) { maskReLU(n.grad[lo*sz:hi*sz], n.out[lo*sz:hi*sz]) })
}

func (m *model) addForward(n *node, nb int) {
	sz := int(n.shape.Size())
	m.eachChunk(nb, func(lo, hi int) {
		y := n.out[lo*sz : hi*sz]
		first, _, _ := m.inOut(n.in[0])
		copy(y, first[lo*sz:hi*sz])
		for _, j := range n.in[1:] {
			x, _, _ := m.inOut(j)
			for i, v := range x[lo*sz : hi*sz] {
				y[i] += v
			}
		}
	})
}

func (m *model) addBackward(n *node, nb int) {
	sz := int(n.shape.Size())
	m.eachChunk(nb, func(lo, hi int) {
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
	})
}

func (m *model) concatForward(n *node, nb int) {
	c, hw := n.shape.C, n.shape.H*n.shape.W
	m.eachChunk(nb, func(lo, hi int) {
		off := 0
		for _, j := range n.in {
			x, _, sz := m.inOut(j)
			cj := sz / hw
			for p := lo * hw; p < hi*hw; p++ {
				copy(n.out[p*c+off:p*c+off+cj], x[p*cj:(p+1)*cj])
			}
			off += cj
		}
	})
}

func (m *model) concatBackward(n *node, nb int) {
	c, hw := n.shape.C, n.shape.H*n.shape.W
	m.eachChunk(nb, func(lo, hi int) {
		off := 0
		for _, j := range n.in {
			_, d, sz := m.inOut(j)
			cj := sz / hw
			if d != nil {
				if m.fresh(j) {
					clear(d[lo*hw*cj : hi*hw*cj])
				}
				for p := lo * hw; p < hi*hw; p++ {
					dst := d[p*cj : (p+1)*cj]
					for i, v := range n.grad[p*c+off : p*c+off+cj] {
						dst[i] += v
					}
				}
			}
			off += cj
		}
	})
}

// dropoutForward zeroes each value with probability rate and scales the rest
// by 1/(1-rate) (inverted dropout). Each chunk draws from its own stream,
// seeded by step and node, so the mask does not depend on the thread count.
func (m *model) dropoutForward(n *node, nb int, train bool, seed, step uint64, id int) {
	in, _, sz := m.inOut(n.in[0])
	if !train || n.rate == 0 {
		copy(n.out[:nb*sz], in[:nb*sz])
		return
	}
	keep := 1 - n.rate
	scale := 1 / keep
	par(m.threads, chunks(nb), func(_, t int) {
		lo, hi := span(t, nb)
		r := rand.New(rand.NewPCG(seed^0x64726f70, step<<24|uint64(id)<<12|uint64(t)))
		for i := lo * sz; i < hi*sz; i++ {
			if r.Float32() < keep {
				n.mask[i] = scale
			} else {
				n.mask[i] = 0
			}
			n.out[i] = in[i] * n.mask[i]
		}
	})
}

func (m *model) dropoutBackward(n *node, nb int) {
	_, dIn, sz := m.inOut(n.in[0])
	if dIn == nil {
		return
	}
	fresh := m.fresh(n.in[0])
	m.eachChunk(nb, func(lo, hi int) {
		if fresh {
			clear(dIn[lo*sz : hi*sz])
		}
		for i := lo * sz; i < hi*sz; i++ {
			dIn[i] += n.grad[i] * n.mask[i]
		}
	})
}
