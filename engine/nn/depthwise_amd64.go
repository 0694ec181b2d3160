//go:build amd64 && !purego

package nn

//go:noescape
func vfma(dst, a, b *float32, n int)

// vmulAdd sets dst[i] += a[i]·b[i] for i < len(a); dst and b are at least as long.
func vmulAdd(dst, a, b []float32) {
	if len(a) < 8 || !useAsm {
		vmulAddGo(dst, a, b)
		return
	}
	_ = dst[len(a)-1]
	_ = b[len(a)-1]
	vfma(&dst[0], &a[0], &b[0], len(a))
}

//go:noescape
func dwTaps(out, x, w *float32, c, nky, kxn, xrow, wrow int)

// windowSum adds to out, c channels, the products of the window of nky rows
// of nkx positions in x (rows xrow values apart, from x[0]) with the taps in
// w (rows wrow apart), tap-major as depthwiseForward reads them. It reports
// false, having done nothing, where there is no such kernel (no AVX2, or c
// not a multiple of 8).
func windowSum(out, x, w []float32, c, nky, nkx, xrow, wrow int) bool {
	if !useAsm || c%8 != 0 || c == 0 || nky <= 0 || nkx <= 0 {
		return false
	}
	_ = out[c-1]
	_ = x[(nky-1)*xrow+nkx*c-1]
	_ = w[(nky-1)*wrow+nkx*c-1]
	dwTaps(&out[0], &x[0], &w[0], c, nky, nkx*c, xrow, wrow)
	return true
}

//go:noescape
func dwTapGrad(acc, x, dy *float32, c, rows, dyn, xrow, xstep, dyrow int)

// tapGrads adds one image's weight gradient to dwT (tap-major): for every
// tap, the sum over the output positions that see it of x·dy, kept in
// registers (dwTapGrad) and added in the order of the per-position loop. It
// reports false, having done nothing, where there is no such kernel.
func (n *node) tapGrads(x, dy, dwT []float32) bool {
	c, k, s := n.shape.C, n.k, n.stride
	if !useAsm || c%8 != 0 || c == 0 {
		return false
	}
	iw, ow := n.inShape.W, n.shape.W
	for ky := range k {
		oy0, oy1 := tapRange(ky, s, n.pad, n.inShape.H, n.shape.H)
		for kx := range k {
			ox0, ox1 := tapRange(kx, s, n.pad, iw, ow)
			if oy0 >= oy1 || ox0 >= ox1 {
				continue
			}
			iy0, ix0 := oy0*s-n.pad+ky, ox0*s-n.pad+kx
			iy1, ix1 := (oy1-1)*s-n.pad+ky, (ox1-1)*s-n.pad+kx
			t := (ky*k + kx) * c
			_ = dwT[t+c-1]
			_ = x[(iy1*iw+ix1)*c+c-1]
			_ = dy[((oy1-1)*ow+ox1-1)*c+c-1]
			dwTapGrad(&dwT[t], &x[(iy0*iw+ix0)*c], &dy[(oy0*ow+ox0)*c], c, oy1-oy0, (ox1-ox0)*c, s*iw*c, s*c, ow*c)
		}
	}
	return true
}
