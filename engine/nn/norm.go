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
	m.bnForwardPrep(n, nb, train)
	m.eachChunk(nb, func(lo, hi int) { m.bnForwardChunk(n, lo, hi) })
}

// bnForwardPrep sets n's statistics, batch ones when training and running
// ones otherwise, and the per-channel affine map they give.
func (m *model) bnForwardPrep(n *node, nb int, train bool) {
	in, _, sz := m.inOut(n.in[0])
	if train {
		m.bnBatchStats(n, in, nb, sz)
	} else {
		for ch := range n.shape.C {
			n.mean[ch] = n.runMean[ch]
			n.invStd[ch] = float32(1 / math.Sqrt(float64(n.runVar[ch])+bnEps))
		}
	}
	// y = γ·(x−μ)·σ⁻¹ + β = x·scale + shift; x̂ is recomputed in the backward
	// pass from x rather than stored.
	for ch := range n.shape.C {
		n.scale[ch] = n.w.v[ch] * n.invStd[ch]
		n.shift[ch] = n.b.v[ch] - n.mean[ch]*n.scale[ch]
	}
}

// bnForwardChunk normalises the images [lo, hi).
func (m *model) bnForwardChunk(n *node, lo, hi int) {
	in, _, sz := m.inOut(n.in[0])
	affine(n.out[lo*sz:hi*sz], in[lo*sz:hi*sz], n.scale, n.shift, n.relu)
}

// bnBatchStats sets n's batch mean and inverse standard deviation from the
// first nb images of in (sz values each) and updates its running statistics.
func (m *model) bnBatchStats(n *node, in []float32, nb, sz int) {
	c := n.shape.C
	nc := chunks(nb)
	par(m.threads, nc, func(_, t int) {
		lo, hi := span(t, nb)
		s := n.partial[t]
		clear(s)
		channelSums(s, in[lo*sz:hi*sz], c)
	})
	cnt := float64(nb * sz / c)
	for ch := range c {
		s, q := n.partialSums(ch, nc)
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
}

// partialSums adds up, in chunk order, the two per-chunk sums of channel ch
// over the first nc chunks.
func (n *node) partialSums(ch, nc int) (a, b float64) {
	c := n.shape.C
	for _, p := range n.partial[:nc] {
		a += p[ch]
		b += p[c+ch]
	}
	return a, b
}

// bnBackward uses the batch statistics of the last training forward:
// dx = invStd/N · (N·dy·γ − Σdy·γ − x̂·Σ(dy·γ·x̂)).
func (m *model) bnBackward(n *node, nb int) {
	in, dIn, sz := m.inOut(n.in[0])
	c := n.shape.C
	m.bnParamGrads(n, in, nb, sz)
	if dIn == nil {
		return
	}
	// dx = k·(g − a − x̂·b) with per-channel k = γ·σ⁻¹, a = Σg/N, b = Σg·x̂/N.
	inv := 1 / float32(nb*sz/c)
	k, a, b := n.scale, n.ab[:c], n.ab[c:]
	for ch := range c {
		k[ch] = n.w.v[ch] * n.invStd[ch]
		a[ch] = n.b.g[ch] * inv
		b[ch] = n.w.g[ch] * inv
	}
	add := !m.fresh(n.in[0])
	m.eachChunk(nb, func(lo, hi int) {
		normDx(dIn[lo*sz:hi*sz], n.grad[lo*sz:hi*sz], in[lo*sz:hi*sz], k, n.ab, n.mean, n.invStd, add)
	})
}

// bnParamGrads applies n's ReLU mask to its gradient and sets the gradients
// of its shift (Σg) and scale (Σg·x̂).
func (m *model) bnParamGrads(n *node, in []float32, nb, sz int) {
	c := n.shape.C
	nc := chunks(nb)
	par(m.threads, nc, func(_, t int) {
		lo, hi := span(t, nb)
		s := n.partial[t]
		clear(s)
		if n.relu && !n.consumerMasks {
			maskReLU(n.grad[lo*sz:hi*sz], n.out[lo*sz:hi*sz])
		}
		normGradSums(s, n.grad[lo*sz:hi*sz], in[lo*sz:hi*sz], n.mean[:c], n.invStd[:c])
	})
	for ch := range c {
		a, b := n.partialSums(ch, nc)
		n.b.g[ch] = float32(a)
		n.w.g[ch] = float32(b)
	}
}

// affineGo is affine in Go.
func affineGo(y, x, scale, shift []float32, relu bool) {
	c := len(shift)
	for p := 0; p+c <= len(x); p += c {
		xr, yr := x[p : p+c][:c], y[p : p+c][:c]
		switch {
		case scale == nil && relu:
			for ch, b := range shift {
				yr[ch] = max(xr[ch]+b, 0) // branch-free MAXSS; NaN stays NaN
			}
		case scale == nil:
			for ch, b := range shift {
				yr[ch] = xr[ch] + b
			}
		case relu:
			sc := scale[:c]
			for ch, b := range shift {
				yr[ch] = max(xr[ch]*sc[ch]+b, 0)
			}
		default:
			sc := scale[:c]
			for ch, b := range shift {
				yr[ch] = xr[ch]*sc[ch] + b
			}
		}
	}
}

// channelSumsGo is channelSums in Go.
func channelSumsGo(s []float64, x []float32, c int) {
	for p := 0; p+c <= len(x); p += c {
		for ch, v := range x[p : p+c] {
			s[ch] += float64(v)
			s[c+ch] += float64(v) * float64(v)
		}
	}
}

// normGradSumsGo is normGradSums in Go.
func normGradSumsGo(s []float64, g, x, mean, invStd []float32) {
	c := len(mean)
	for p := 0; p+c <= len(g); p += c {
		xr := x[p : p+c][:c]
		for ch, v := range g[p : p+c][:c] {
			xh := (xr[ch] - mean[ch]) * invStd[ch]
			s[ch] += float64(v)
			s[c+ch] += float64(v) * float64(xh)
		}
	}
}

// normDxGo is normDx in Go.
func normDxGo(d, g, x, k, ab, mean, invStd []float32, add bool) {
	c := len(k)
	a, b := ab[:c], ab[c:2*c]
	mean, invStd = mean[:c], invStd[:c]
	for p := 0; p+c <= len(g); p += c {
		xr, dr, gr := x[p : p+c][:c], d[p : p+c][:c], g[p : p+c][:c]
		if !add {
			for ch, kc := range k {
				dr[ch] = kc * (gr[ch] - a[ch] - (xr[ch]-mean[ch])*invStd[ch]*b[ch])
			}
			continue
		}
		for ch, kc := range k {
			dr[ch] += kc * (gr[ch] - a[ch] - (xr[ch]-mean[ch])*invStd[ch]*b[ch])
		}
	}
}
