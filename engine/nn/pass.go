package nn

// forward runs every node on the first nb images of m.input.
func (m *model) forward(nb int, train bool, seed, step uint64) {
	if m.actQ != nil && m.actQ[0] != nil {
		m.actQ[0].Apply(m.input[:nb*m.inSize])
	}
	for id := 0; id < len(m.nodes); id++ {
		if end := m.forwardRun(id, nb, train, seed, step); end > id { // fuse.go
			id = end - 1
			continue
		}
		n := m.nodes[id]
		if n.off {
			continue
		}
		switch n.kind {
		case kConv:
			m.convForward(n, nb)
		case kDense:
			m.denseForward(n, nb)
		case kMaxPool, kAvgPool:
			m.poolForward(n, nb)
		case kGAP:
			m.gapForward(n, nb)
		case kAdd:
			m.addForward(n, nb)
		case kConcat:
			m.concatForward(n, nb)
		case kBN:
			m.bnForward(n, nb, train)
		case kDropout:
			m.dropoutForward(n, nb, train, seed, step, id)
		case kMix:
			m.mixForward(n, nb)
		}
		if n.relu && !fusesReLU(n.kind) {
			m.reluInPlace(n, nb)
		}
		if m.actQ != nil && m.actQ[id+1] != nil {
			m.actQ[id+1].Apply(n.out[:nb*int(n.shape.Size())])
		}
	}
}

// zeroGrads clears the activation gradients of the first nb images.
func (m *model) zeroGrads(nb int) {
	m.eachChunk(nb, func(lo, hi int) {
		for i, n := range m.nodes {
			if n.fresh || i == m.out || n.off { // written by its consumer or the loss; or not computed
				continue
			}
			sz := int(n.shape.Size())
			clear(n.grad[lo*sz : hi*sz])
		}
	})
}

// backward propagates the output gradient to every parameter, in reverse.
func (m *model) backward(nb int) {
	for i := len(m.nodes) - 1; i >= 0; i-- {
		if j := m.backwardRun(i, nb); j < i { // fuse.go
			i = j + 1
			continue
		}
		n := m.nodes[i]
		if n.off {
			continue
		}
		if n.relu && !fusesReLU(n.kind) && !n.consumerMasks {
			m.reluMask(n, nb)
		}
		switch n.kind {
		case kConv:
			m.convBackward(n, nb)
		case kDense:
			m.denseBackward(n, nb)
		case kMaxPool, kAvgPool:
			m.poolBackward(n, nb)
		case kGAP:
			m.gapBackward(n, nb)
		case kAdd:
			m.addBackward(n, nb)
		case kConcat:
			m.concatBackward(n, nb)
		case kBN:
			m.bnBackward(n, nb)
		case kDropout:
			m.dropoutBackward(n, nb)
		case kMix:
			m.mixBackward(n, nb)
		}
	}
}

// fresh reports whether the gradient of input j is not zeroed beforehand:
// its one consumer must overwrite it rather than add to it.
func (m *model) fresh(j int) bool { return j >= 0 && m.nodes[j].fresh }

// fusesReLU reports whether a kind applies and masks its fused ReLU itself.
func fusesReLU(k kind) bool { return k == kConv || k == kDense || k == kBN }
