package nn

// The depthwise fast path. A depthwise convolution (groups = input channels
// = output channels) is C independent K×K filters. In NHWC every tap of the
// window is then one element-wise multiply-add over the C channels of an
// input position, which vmulAdd does with AVX2 FMA: forward y += x·w[tap],
// backward dx += dy·w[tap] and dw[tap] += x·dy. The weights are kept in the
// layout of every grouped convolution, [c][ky][kx]; the tap-major copy
// [ky][kx][c] the loops read is made once per pass.

// isDepthwise reports a conv node with one input and one output channel per group.
func (n *node) isDepthwise() bool {
	return n.kind == kConv && n.groups > 1 && n.groups == n.inShape.C && n.groups == n.shape.C
}

// tapMajor writes the [c][tap] weights w into dst as [tap][c].
func tapMajor(dst, w []float32, c, taps int) {
	for ch := range c {
		for t, v := range w[ch*taps : (ch+1)*taps] {
			dst[t*c+ch] = v
		}
	}
}

// channelMajor writes the [tap][c] values src into dst as [c][tap].
func channelMajor(dst, src []float32, c, taps int) {
	for ch := range c {
		d := dst[ch*taps : (ch+1)*taps]
		for t := range d {
			d[t] = src[t*c+ch]
		}
	}
}

// dwWindow is the clipped window of output position (oy, ox): the valid ky
// and kx ranges and the input position of tap (0, 0).
func (n *node) dwWindow(oy, ox int) (ky0, ky1, kx0, kx1, iy0, ix0 int) {
	iy0, ix0 = oy*n.stride-n.pad, ox*n.stride-n.pad
	ky0, ky1 = max(0, -iy0), min(n.k, n.inShape.H-iy0)
	kx0, kx1 = max(0, -ix0), min(n.k, n.inShape.W-ix0)
	return
}

// depthwiseForward computes one image: y = bias + Σ taps x·wT (tap-major wT).
func depthwiseForward(n *node, wT, x, y []float32) {
	iw, c := n.inShape.W, n.shape.C
	for oy := range n.shape.H {
		for ox := range n.shape.W {
			out := y[(oy*n.shape.W+ox)*c : (oy*n.shape.W+ox+1)*c]
			copy(out, n.b.v)
			ky0, ky1, kx0, kx1, iy0, ix0 := n.dwWindow(oy, ox)
			if ky0 < ky1 && kx0 < kx1 && windowSum(out, x[((iy0+ky0)*iw+ix0+kx0)*c:], wT[(ky0*n.k+kx0)*c:], c, ky1-ky0, kx1-kx0, iw*c, n.k*c) {
				continue
			}
			for ky := ky0; ky < ky1; ky++ {
				for kx := kx0; kx < kx1; kx++ {
					p := ((iy0+ky)*iw + ix0 + kx) * c
					t := (ky*n.k + kx) * c
					vmulAdd(out, x[p:p+c], wT[t:t+c])
				}
			}
		}
	}
}

// depthwiseBackward adds one image's weight gradient to dwT (tap-major) and,
// when dx is not nil, its input gradient to dx.
func depthwiseBackward(n *node, wT, x, dy, dwT, dx []float32) {
	iw, c := n.inShape.W, n.shape.C
	done := n.tapGrads(x, dy, dwT) // the weight gradient, tap by tap
	if done && dx == nil {
		return
	}
	for oy := range n.shape.H {
		for ox := range n.shape.W {
			d := dy[(oy*n.shape.W+ox)*c : (oy*n.shape.W+ox+1)*c]
			ky0, ky1, kx0, kx1, iy0, ix0 := n.dwWindow(oy, ox)
			for ky := ky0; ky < ky1; ky++ {
				for kx := kx0; kx < kx1; kx++ {
					p := ((iy0+ky)*iw + ix0 + kx) * c
					t := (ky*n.k + kx) * c
					if !done {
						vmulAdd(dwT[t:t+c], x[p:p+c], d)
					}
					if dx != nil {
						vmulAdd(dx[p:p+c], d, wT[t:t+c])
					}
				}
			}
		}
	}
}

// tapRange is the outputs [lo, hi) of a map of on whose tap kk, stride s
// and padding pad before, falls inside an input of in.
func tapRange(kk, s, pad, in, on int) (lo, hi int) {
	if d := pad - kk; d > 0 {
		lo = (d + s - 1) / s
	}
	if last := in - 1 + pad - kk; last >= 0 {
		hi = min(on, last/s+1)
	}
	return lo, hi
}

// vmulAddGo is vmulAdd in Go: dst[i] += a[i]·b[i].
func vmulAddGo(dst, a, b []float32) {
	dst = dst[:len(a)]
	b = b[:len(a)]
	for i, v := range a {
		dst[i] += v * b[i]
	}
}
