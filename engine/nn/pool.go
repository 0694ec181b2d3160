package nn

import "math"

// Pools see only the input inside the map: padded positions are skipped by
// max pooling and not counted by average pooling (PyTorch's
// count_include_pad=False, as NAS-Bench-201's average pool uses).

func (m *model) poolForward(n *node, nb int) {
	par(m.threads, chunks(nb), func(_, c int) { m.poolForwardChunk(n, nb, c) })
}

// poolForwardChunk pools the images of task t.
func (m *model) poolForwardChunk(n *node, nb, t int) {
	in, _, isz := m.inOut(n.in[0])
	osz := n.shape.H * n.shape.W * n.inShape.C
	lo, hi := span(t, nb)
	for img := lo; img < hi; img++ {
		x := in[img*isz : (img+1)*isz]
		y := n.out[img*osz : (img+1)*osz]
		var arg []int32
		if n.kind == kMaxPool {
			arg = n.arg[img*osz : (img+1)*osz]
		}
		if n.isPool2() {
			maxPool2(x, y, arg, n.inShape.W, n.inShape.C, n.shape.H, n.shape.W)
			continue
		}
		n.poolImage(x, y, arg)
	}
}

// isPool2 reports a max pool over 2×2 windows with stride 2 and no padding.
func (n *node) isPool2() bool {
	return n.kind == kMaxPool && n.k == 2 && n.stride == 2 && n.pad == 0 && n.padAfter == 0
}

// poolImage pools one image x into y, any window, stride and padding; arg
// receives the argmax of a max pool (-1 for a window wholly in the padding).
func (n *node) poolImage(x, y []float32, arg []int32) {
	ih, iw, c := n.inShape.H, n.inShape.W, n.inShape.C
	oh, ow := n.shape.H, n.shape.W
	for oy := range oh {
		y0, y1 := max(oy*n.stride-n.pad, 0), min(oy*n.stride-n.pad+n.k, ih)
		for ox := range ow {
			x0, x1 := max(ox*n.stride-n.pad, 0), min(ox*n.stride-n.pad+n.k, iw)
			o := y[(oy*ow+ox)*c : (oy*ow+ox+1)*c]
			if y0 >= y1 || x0 >= x1 { // a window wholly in the padding sees nothing
				clear(o)
				if n.kind == kMaxPool {
					for i := range o {
						arg[(oy*ow+ox)*c+i] = -1
					}
				}
				continue
			}
			if n.kind == kMaxPool {
				maxWindow(x, o, arg[(oy*ow+ox)*c:(oy*ow+ox+1)*c], iw, y0, y1, x0, x1)
				continue
			}
			avgWindow(x, o, iw, y0, y1, x0, x1)
		}
	}
}

// maxWindow sets o to the per-channel maximum of the window [y0, y1)×[x0, x1)
// of the image x, iw wide with len(o) channels, and arg to where it is.
func maxWindow(x, o []float32, arg []int32, iw, y0, y1, x0, x1 int) {
	c := len(o)
	for ch := range o {
		first := int32((y0*iw+x0)*c + ch)
		best, a := x[first], first
		for iy := y0; iy < y1; iy++ {
			for ix := x0; ix < x1; ix++ {
				i := int32((iy*iw+ix)*c + ch)
				v := x[i]
				if v > best { // locals only: compiled to CMOV, no branch
					a = i
				}
				best = max(best, v)
			}
		}
		o[ch], arg[ch] = best, a
	}
}

// avgWindow sets o to the per-channel mean of the window [y0, y1)×[x0, x1)
// of the image x, iw wide with len(o) channels.
func avgWindow(x, o []float32, iw, y0, y1, x0, x1 int) {
	c := len(o)
	clear(o)
	for iy := y0; iy < y1; iy++ {
		for ix := x0; ix < x1; ix++ {
			base := (iy*iw + ix) * c
			for ch, v := range x[base : base+c] {
				o[ch] += v
			}
		}
	}
	inv := 1 / float32((y1-y0)*(x1-x0))
	for ch := range o {
		o[ch] *= inv
	}
}

// maxPool2 is max pooling over 2×2 windows with stride 2, the common case.
func maxPool2(x, y []float32, arg []int32, iw, c, oh, ow int) {
	if maxPool2Asm(x, y, arg, iw, c, oh, ow) {
		return
	}
	maxPool2Go(x, y, arg, iw, c, oh, ow)
}

// maxPool2Go is maxPool2 in Go.
func maxPool2Go(x, y []float32, arg []int32, iw, c, oh, ow int) {
	for oy := range oh {
		for ox := range ow {
			p0 := (2*oy*iw + 2*ox) * c
			p1, p2 := p0+c, p0+iw*c
			p3 := p2 + c
			a, b := x[p0:p0+c], x[p1:p1+c]
			d, e := x[p2 : p2+c][:len(a)], x[p3 : p3+c][:len(a)]
			b = b[:len(a)]
			o := y[(oy*ow+ox)*c : (oy*ow+ox+1)*c][:len(a)]
			g := arg[(oy*ow+ox)*c : (oy*ow+ox+1)*c][:len(a)]
			for ch, best := range a {
				i := int32(p0 + ch)
				if v := b[ch]; v > best { // locals only: CMOV, no branch
					i = int32(p1 + ch)
				}
				best = max(best, b[ch])
				if v := d[ch]; v > best {
					i = int32(p2 + ch)
				}
				best = max(best, d[ch])
				if v := e[ch]; v > best {
					i = int32(p3 + ch)
				}
				o[ch], g[ch] = max(best, e[ch]), i
			}
		}
	}
}

func (m *model) poolBackward(n *node, nb int) {
	par(m.threads, chunks(nb), func(_, c int) { m.poolBackwardChunk(n, nb, c) })
}

// poolBackwardChunk routes the gradients of task t's images to its input.
func (m *model) poolBackwardChunk(n *node, nb, t int) {
	in, dIn, isz := m.inOut(n.in[0])
	if dIn == nil {
		return
	}
	fresh := m.fresh(n.in[0])
	ih, iw, c := n.inShape.H, n.inShape.W, n.inShape.C
	oh, ow := n.shape.H, n.shape.W
	osz := oh * ow * c
	lo, hi := span(t, nb)
	for img := lo; img < hi; img++ {
		dx := dIn[img*isz : (img+1)*isz]
		dy := n.grad[img*osz : (img+1)*osz]
		if n.isPool2() && (!fresh || (ih == 2*oh && iw == 2*ow)) &&
			maxPool2BackAsm(dx, dy, n.arg[img*osz:(img+1)*osz], n.out[img*osz:(img+1)*osz], iw, c, oh, ow, fresh, n.maskIn) {
			continue
		}
		if fresh {
			clear(dx)
		}
		if n.kind == kMaxPool {
			arg := n.arg[img*osz : (img+1)*osz]
			if n.maskIn { // the input's ReLU: route nothing to a zero output
				x := in[img*isz : (img+1)*isz]
				for i, a := range arg {
					if a >= 0 { // -1: a window in the padding
						dx[a] += dy[i] * reluGate(x[a])
					}
				}
				continue
			}
			for i, a := range arg {
				if a >= 0 {
					dx[a] += dy[i]
				}
			}
			continue
		}
		for oy := range oh {
			y0, y1 := max(oy*n.stride-n.pad, 0), min(oy*n.stride-n.pad+n.k, ih)
			for ox := range ow {
				x0, x1 := max(ox*n.stride-n.pad, 0), min(ox*n.stride-n.pad+n.k, iw)
				if y0 >= y1 || x0 >= x1 {
					continue
				}
				inv := 1 / float32((y1-y0)*(x1-x0))
				g := dy[(oy*ow+ox)*c : (oy*ow+ox+1)*c]
				for iy := y0; iy < y1; iy++ {
					for ix := x0; ix < x1; ix++ {
						d := dx[(iy*iw+ix)*c : (iy*iw+ix+1)*c]
						for ch, v := range g {
							d[ch] += v * inv
						}
					}
				}
			}
		}
	}
}

func (m *model) gapForward(n *node, nb int) {
	par(m.threads, chunks(nb), func(_, c int) { m.gapForwardChunk(n, nb, c) })
}

// gapForwardChunk averages the maps of task t's images.
func (m *model) gapForwardChunk(n *node, nb, t int) {
	in, _, isz := m.inOut(n.in[0])
	c := n.shape.C
	inv := 1 / float32(isz/c)
	lo, hi := span(t, nb)
	for img := lo; img < hi; img++ {
		o := n.out[img*c : (img+1)*c]
		clear(o)
		x := in[img*isz : (img+1)*isz]
		for p := 0; p < isz; p += c {
			for ch, v := range x[p : p+c] {
				o[ch] += v
			}
		}
		for ch := range o {
			o[ch] *= inv
		}
	}
}

// reluGate is 1 where a ReLU output is positive and 0 where it is zero.
func reluGate(y float32) float32 {
	b := int32(math.Float32bits(y) & 0x7fffffff)
	return math.Float32frombits(uint32(-b>>31) & 0x3f800000)
}

func (m *model) gapBackward(n *node, nb int) {
	par(m.threads, chunks(nb), func(_, c int) { m.gapBackwardChunk(n, nb, c) })
}

// gapBackwardChunk spreads the gradients of task t's images over its input.
func (m *model) gapBackwardChunk(n *node, nb, t int) {
	_, dIn, isz := m.inOut(n.in[0])
	if dIn == nil {
		return
	}
	fresh := m.fresh(n.in[0])
	c := n.shape.C
	inv := 1 / float32(isz/c)
	lo, hi := span(t, nb)
	for img := lo; img < hi; img++ {
		g := n.grad[img*c : (img+1)*c]
		dx := dIn[img*isz : (img+1)*isz]
		if fresh {
			clear(dx)
		}
		for p := 0; p < isz; p += c {
			for ch, v := range g {
				dx[p+ch] += v * inv
			}
		}
	}
}
