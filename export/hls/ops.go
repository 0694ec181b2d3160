package hls

import (
	"fmt"
	"math"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine/nn"
)

// fold returns layer li's weights with its batch normalisation folded in
// (w·γ/√(var+eps), (b−mean)·γ/√(var+eps) + β), reordered from the engine's
// layouts to the C++ engine's: conv [M][N/groups][K][K], dense [out][in]
// with the input flattened channel-major.
func (q *QNet) fold(li int, lw *nn.LayerWeights) ([]float64, []float64, error) {
	l := &q.Net.Layers[li]
	in := q.Net.InShape(li)
	out := l.Out
	scale, shift := make([]float64, out), make([]float64, out)
	if len(lw.B) != out {
		return nil, nil, fmt.Errorf("%d biases for %d outputs", len(lw.B), out)
	}
	for o := range out {
		scale[o], shift[o] = 1, float64(lw.B[o])
		if l.BN {
			if len(lw.Gamma) != out || len(lw.Beta) != out || len(lw.Mean) != out || len(lw.Var) != out {
				return nil, nil, fmt.Errorf("batch normalisation has the wrong number of channels")
			}
			scale[o] = float64(lw.Gamma[o]) / math.Sqrt(float64(lw.Var[o])+nn.BNEps)
			shift[o] = (float64(lw.B[o])-float64(lw.Mean[o]))*scale[o] + float64(lw.Beta[o])
		}
	}
	w := make([]float64, len(lw.W))
	if l.Op == arch.Dense {
		if len(lw.W) != int(in.Size())*out {
			return nil, nil, fmt.Errorf("%d weights, want %d", len(lw.W), int(in.Size())*out)
		}
		for pos := range in.H * in.W {
			for c := range in.C {
				for o := range out {
					w[o*int(in.Size())+c*in.H*in.W+pos] = float64(lw.W[(pos*in.C+c)*out+o]) * scale[o]
				}
			}
		}
		return w, shift, nil
	}
	g := max(l.Groups, 1)
	ng, mg, k := in.C/g, out/g, l.Kernel
	if len(lw.W) != k*k*ng*out {
		return nil, nil, fmt.Errorf("%d weights, want %d", len(lw.W), k*k*ng*out)
	}
	for gi := range g {
		for ky := range k {
			for kx := range k {
				for n := range ng {
					for m := range mg {
						o := gi*mg + m
						w[((o*ng+n)*k+ky)*k+kx] = float64(lw.W[(((gi*k+ky)*k+kx)*ng+n)*mg+m]) * scale[o]
					}
				}
			}
		}
	}
	return w, shift, nil
}

// inF is the fraction bits of input k of layer li.
func (q *QNet) inF(li, k int) int {
	if j := q.Net.Layers[li].In[k]; j != arch.Input {
		return q.Layers[j].F
	}
	return q.FIn
}

// input is input k of layer li in run r.
func (q *QNet) input(r *run, li, k int) []int64 {
	if j := q.Net.Layers[li].In[k]; j != arch.Input {
		return r.out[j]
	}
	return r.in
}

// acc computes layer li exactly: its accumulator values (CHW) and their
// fraction bits, before rounding, saturation and ReLU.
func (q *QNet) acc(li int, r *run) ([]int64, int) {
	l := &q.Net.Layers[li]
	x := q.input(r, li, 0)
	switch l.Op {
	case arch.Conv:
		return q.conv(li, x), q.inF(li, 0) + q.Layers[li].FW
	case arch.Dense:
		ql := &q.Layers[li]
		out := make([]int64, l.Out)
		for o := range out {
			s := ql.B[o]
			for i, v := range x {
				s += v * ql.W[o*len(x)+i]
			}
			out[o] = s
		}
		return out, q.inF(li, 0) + ql.FW
	case arch.MaxPool, arch.AvgPool, arch.GlobalAvgPool:
		return q.pool(li, x), q.inF(li, 0)
	}
	// add and concat: every input brought to the largest fraction bits
	f := 0
	for k := range l.In {
		f = max(f, q.inF(li, k))
	}
	var out []int64
	for k := range l.In {
		for i, v := range q.input(r, li, k) {
			v <<= f - q.inF(li, k)
			if l.Op == arch.Add && k > 0 {
				out[i] += v
				continue
			}
			out = append(out, v)
		}
	}
	return out, f
}

// conv is the exact accumulator of conv layer li on x (CHW): each weight
// is applied to a whole output plane in turn (integer sums do not depend
// on their order).
func (q *QNet) conv(li int, x []int64) []int64 {
	l := &q.Net.Layers[li]
	ql := &q.Layers[li]
	in, sh := q.Net.InShape(li), l.Shape
	g := max(l.Groups, 1)
	ng, mg, k := in.C/g, l.Out/g, l.Kernel
	out := make([]int64, sh.Size())
	for m := range l.Out {
		plane := out[m*sh.H*sh.W : (m+1)*sh.H*sh.W]
		for i := range plane {
			plane[i] = ql.B[m]
		}
		for n := range ng {
			xin := x[(m/mg*ng+n)*in.H*in.W : (m/mg*ng+n+1)*in.H*in.W]
			for ky := range k {
				for kx := range k {
					if w := ql.W[((m*ng+n)*k+ky)*k+kx]; w != 0 {
						addShifted(plane, xin, w, in, sh, l.Stride, ky-l.Pad, kx-l.Pad)
					}
				}
			}
		}
	}
	return out
}

// addShifted adds w·x[oy·s+dy][ox·s+dx] to every output position whose
// input lies inside the map.
func addShifted(plane, xin []int64, w int64, in, sh arch.Shape, s, dy, dx int) {
	for oy := range sh.H {
		iy := oy*s + dy
		if iy < 0 || iy >= in.H {
			continue
		}
		row, orow := xin[iy*in.W:(iy+1)*in.W], plane[oy*sh.W:(oy+1)*sh.W]
		for ox := range orow {
			if ix := ox*s + dx; ix >= 0 && ix < in.W {
				orow[ox] += row[ix] * w
			}
		}
	}
}

// pool is max, average (rounded division by the window's elements inside
// the map) or global average pooling of x (CHW); a window wholly in the
// padding gives 0, as in the training engine.
func (q *QNet) pool(li int, x []int64) []int64 {
	l := &q.Net.Layers[li]
	in, sh := q.Net.InShape(li), l.Shape
	k, s, p := l.Kernel, max(l.Stride, 1), l.Pad
	if l.Op == arch.GlobalAvgPool {
		k, s, p = in.H, 1, 0 // one window over the whole map
	}
	out := make([]int64, sh.Size())
	for c := range sh.C {
		plane := x[c*in.H*in.W : (c+1)*in.H*in.W]
		for oy := range sh.H {
			y0, y1 := max(oy*s-p, 0), min(oy*s-p+k, in.H)
			for ox := range sh.W {
				x0, x1 := max(ox*s-p, 0), min(ox*s-p+k, in.W)
				if l.Op == arch.GlobalAvgPool {
					x0, x1 = 0, in.W
				}
				out[(c*sh.H+oy)*sh.W+ox] = window(plane, in.W, y0, y1, x0, x1, l.Op == arch.MaxPool)
			}
		}
	}
	return out
}

// window is the maximum or the rounded mean of plane over [y0,y1)×[x0,x1).
func window(plane []int64, w, y0, y1, x0, x1 int, isMax bool) int64 {
	if y0 >= y1 || x0 >= x1 {
		return 0
	}
	best, sum := plane[y0*w+x0], int64(0)
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			best = max(best, plane[y*w+x])
			sum += plane[y*w+x]
		}
	}
	if isMax {
		return best
	}
	return divRound(sum, int64((y1-y0)*(x1-x0)))
}
