//go:build amd64 && !purego

package nn

import "golang.org/x/sys/cpu"

// useAsm selects the AVX2+FMA micro-kernel when the processor has it.
var useAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kern6x16 is kernelGo in AVX2+FMA assembly (kernel_amd64.s).
//
//go:noescape
func kern6x16(k int, a, b, c *float32, ldc int, acc int)

//go:noescape
func copyRows16(dst, src *float32, rows, stride int)

// packRows copies rows runs of nr values, stride apart in src, into dst.
func packRows(dst, src []float32, rows, stride int) {
	if rows == 0 {
		return
	}
	_ = dst[rows*nr-1]
	_ = src[(rows-1)*stride+nr-1]
	if useAsm {
		copyRows16(&dst[0], &src[0], rows, stride)
		return
	}
	packRowsGo(dst, src, rows, stride)
}

//go:noescape
func kern6x16u(k int, a *float32, lda int, b, c *float32, ldc int, acc int, panels int)

// kernelDirect is kernel reading mr rows of a, lda apart, without packing,
// for panels tiles of mr rows down a and c against the same b; it reports
// false when there is no such kernel, and the caller packs.
func kernelDirect(k int, a []float32, lda int, b, c []float32, ldc int, acc bool, panels int) bool {
	if !useAsm {
		return false
	}
	_ = a[(mr*panels-1)*lda+k-1]
	_ = b[k*nr-1]
	_ = c[(mr*panels-1)*ldc+nr-1]
	f := 0
	if acc {
		f = 1
	}
	kern6x16u(k, &a[0], lda, &b[0], &c[0], ldc, f, panels)
	return true
}

//go:noescape
func vadd(dst, src *float32, n int)

// addTo adds src to dst element by element; dst is at least as long as src.
func addTo(dst, src []float32) {
	if len(src) < 8 || !useAsm {
		addToGo(dst, src)
		return
	}
	_ = dst[len(src)-1]
	vadd(&dst[0], &src[0], len(src))
}

//go:noescape
func kern6x8u(k int, a *float32, lda int, b, c *float32, ldc int)

// kernelDirect8 is kernelDirect for the first 8 columns of a panel, storing
// (never adding) into c; it halves the work of a panel with at most 8 columns.
func kernelDirect8(k int, a []float32, lda int, b, c []float32, ldc int) bool {
	if !useAsm {
		return false
	}
	_ = a[(mr-1)*lda+k-1]
	_ = b[k*nr-1]
	_ = c[5*ldc+7]
	kern6x8u(k, &a[0], lda, &b[0], &c[0], ldc)
	return true
}

//go:noescape
func kern6x16b(k int, a, b *float32, ldb int, c *float32, ldc int, acc int, panels int)

// kernelB is kernel reading B in place, k rows of nr values ldb apart, for
// panels tiles of mr rows down c, with a's packed panels one after another;
// it reports false when there is no such kernel, and the caller packs B.
func kernelB(k int, a, b []float32, ldb int, c []float32, ldc int, acc bool, panels int) bool {
	if !useAsm {
		return false
	}
	_ = a[panels*k*mr-1]
	_ = b[(k-1)*ldb+nr-1]
	_ = c[(mr*panels-1)*ldc+nr-1]
	f := 0
	if acc {
		f = 1
	}
	kern6x16b(k, &a[0], &b[0], ldb, &c[0], ldc, f, panels)
	return true
}

// kernel computes C[0:mr, 0:nr] = Ap·Bp over depth k ≥ 1, adding to C when acc.
func kernel(k int, a, b, c []float32, ldc int, acc bool) {
	if useAsm {
		_ = a[k*mr-1]
		_ = b[k*nr-1]
		_ = c[5*ldc+nr-1]
		f := 0
		if acc {
			f = 1
		}
		kern6x16(k, &a[0], &b[0], &c[0], ldc, f)
		return
	}
	kernelGo(k, a, b, c, ldc, acc)
}

//go:noescape
func copyStrided(dst *float32, dstStride int, src *float32, srcStride, n, rows int)

// copyRuns copies rows runs of n values, srcStride apart in src, to dst,
// dstStride apart.
func copyRuns(dst []float32, dstStride int, src []float32, srcStride, n, rows int) {
	if rows == 0 || n == 0 {
		return
	}
	_ = dst[(rows-1)*dstStride+n-1]
	_ = src[(rows-1)*srcStride+n-1]
	if useAsm {
		copyStrided(&dst[0], dstStride, &src[0], srcStride, n, rows)
		return
	}
	copyRunsGo(dst, dstStride, src, srcStride, n, rows)
}

//go:noescape
func sumRows(s, x *float32, c, rows int)

// addRows adds every row of x, c values each, to s, in order (a bias
// gradient); s holds c values.
func addRows(s, x []float32, c int) {
	rows := len(x) / c
	if !useAsm || c%8 != 0 || rows == 0 {
		addRowsGo(s, x, c)
		return
	}
	_ = s[c-1]
	_ = x[rows*c-1]
	sumRows(&s[0], &x[0], c, rows)
}

//go:noescape
func kern6x16bs(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, acc int, panels int)

// kernelBs is kernelB reading A in place as well, where A is stored
// transposed: step p's mr values of a tile are a[p*lda:], and a tile's next
// tile starts mr values on.
func kernelBs(k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, acc bool, panels int) {
	_ = a[(k-1)*lda+mr*panels-1]
	_ = b[(k-1)*ldb+nr-1]
	_ = c[(mr*panels-1)*ldc+nr-1]
	f := 0
	if acc {
		f = 1
	}
	kern6x16bs(k, &a[0], lda, &b[0], ldb, &c[0], ldc, f, panels)
}
