package nn

import "math"

// Batch normalisation (Ioffe and Szegedy, ICML 2015) per channel over the
// batch and the map, with PyTorch's defaults: eps 1e-5, running statistics
// updated with momentum 0.1 and the unbiased variance.
const (
	bnEps      = 1e-5
	bnMomentum = 0.1
)

func (m *model) bnForward(n *node, nb int, train bool) {
	in, _, sz := m.inOut(n.in[0])
	c := n.shape.C
	if train {
		nc := chunks(nb)
		par(m.threads, nc, func(_, t int) {
			lo, hi := span(t, nb)
			s := n.partial[t]
			clear(s)
			for p := lo * sz; p < hi*sz; p += c {
				for ch, v := range in[p : p+c] {
					s[ch] += float64(v)
					s[c+ch] += float64(v) * float64(v)
				}
			}
		})
		cnt := float64(nb * sz / c)
		for ch := range c {
			var s, q float64
			for _, p := range n.partial[:nc] {
				s += p[ch]
				q += p[c+ch]
			}
			mean := s / cnt
			v := max(q/cnt-mean*mean, 0)
			n.mean[ch] = float32(mean)
			n.invStd[ch] = float32(1 / math.Sqrt(v+bnEps))
			unbiased := v
			if cnt > 1 {
				unbiased = v * cnt / (cnt - 1)
			}
			n.runMean[ch] = float32((1-bnMomentum)*float64(n.runMean[ch]) + bnMomentum*mean)
			n.runVar[ch] = float32((1-bnMomentum)*float64(n.runVar[ch]) + bnMomentum*unbiased)
		}
	} else {
		for ch := range c {
			n.mean[ch] = n.runMean[ch]
			n.invStd[ch] = float32(1 / math.Sqrt(float64(n.runVar[ch])+bnEps))
		}
	}
	gamma, beta := n.w.v, n.b.v
	m.eachChunk(nb, func(lo, hi int) {
		for p := lo * sz; p < hi*sz; p += c {
			x, xh, y := in[p:p+c], n.xhat[p:p+c], n.out[p:p+c]
			for ch, v := range x {
				h := (v - n.mean[ch]) * n.invStd[ch]
				xh[ch] = h
				v = h*gamma[ch] + beta[ch]
				if n.relu {
					v = max(v, 0)
				}
				y[ch] = v
			}
		}
	})
}

// bnBackward uses the batch statistics of the last training forward:
// dx = invStd/N · (N·dy·γ − Σdy·γ − x̂·Σ(dy·γ·x̂)).
func (m *model) bnBackward(n *node, nb int) {
	_, dIn, sz := m.inOut(n.in[0])
	c := n.shape.C
	nc := chunks(nb)
	par(m.threads, nc, func(_, t int) {
		lo, hi := span(t, nb)
		s := n.partial[t]
		clear(s)
		if n.relu && !n.consumerMasks {
			maskReLU(n.grad[lo*sz:hi*sz], n.out[lo*sz:hi*sz])
		}
		for p := lo * sz; p < hi*sz; p += c {
			for ch, g := range n.grad[p : p+c] {
				s[ch] += float64(g)
				s[c+ch] += float64(g) * float64(n.xhat[p+ch])
			}
		}
	})
	sumG := make([]float32, c)
	sumGX := make([]float32, c)
	for ch := range c {
		var a, b float64
		for _, p := range n.partial[:nc] {
			a += p[ch]
			b += p[c+ch]
		}
		n.b.g[ch] = float32(a)
		n.w.g[ch] = float32(b)
		sumG[ch], sumGX[ch] = float32(a), float32(b)
	}
	if dIn == nil {
		return
	}
	inv := 1 / float32(nb*sz/c)
	gamma := n.w.v
	fresh := m.fresh(n.in[0])
	m.eachChunk(nb, func(lo, hi int) {
		if fresh {
			clear(dIn[lo*sz : hi*sz])
		}
		for p := lo * sz; p < hi*sz; p += c {
			for ch, g := range n.grad[p : p+c] {
				k := gamma[ch] * n.invStd[ch]
				dIn[p+ch] += k * (g - inv*sumG[ch] - n.xhat[p+ch]*inv*sumGX[ch])
			}
		}
	})
}
