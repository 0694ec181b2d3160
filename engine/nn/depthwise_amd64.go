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
