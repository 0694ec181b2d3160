package nn

// Dense layers flatten their input (HWC order) and multiply a chunk of images
// at a time: Y = X·W + b with W stored inputs × outputs.

func (m *model) denseForward(n *node, nb int) {
	in, _, isz := m.inOut(n.in[0])
	out := n.shape.C
	n.wPack = packB(n.wPack.d, isz, out, view{n.w.v, out, 1})
	par(m.threads, chunks(nb), func(w, c int) {
		lo, hi := span(c, nb)
		y := n.out[lo*out : hi*out]
		gemm(hi-lo, view{in[lo*isz:], isz, 1}, &n.wPack, y, out, false, m.gemmS[w])
		biasReLU(y, n.b.v, n.relu)
	})
}

func (m *model) denseBackward(n *node, nb int) {
	in, dIn, isz := m.inOut(n.in[0])
	out := n.shape.C
	fresh := m.fresh(n.in[0])
	if dIn != nil {
		n.wtPack = packB(n.wtPack.d, out, isz, view{n.w.v, 1, out})
	}
	par(m.threads, chunks(nb), func(w, c int) {
		lo, hi := span(c, nb)
		dy := n.grad[lo*out : hi*out]
		if n.relu && !n.consumerMasks {
			maskReLU(dy, n.out[lo*out:hi*out])
		}
		db := n.chunkB[c]
		clear(db)
		for r := 0; r < len(dy); r += out {
			for j, g := range dy[r : r+out] {
				db[j] += g
			}
		}
		pb := packB(m.bpack[w], hi-lo, out, view{dy, out, 1})
		gemm(isz, view{in[lo*isz:], 1, isz}, &pb, n.chunkW[c], out, false, m.gemmS[w])
		if dIn != nil {
			gemm(hi-lo, view{dy, out, 1}, &n.wtPack, dIn[lo*isz:hi*isz], isz, !fresh, m.gemmS[w])
		}
	})
	m.reduce(n.w.g, n.chunkW, chunks(nb))
	m.reduce(n.b.g, n.chunkB, chunks(nb))
}
