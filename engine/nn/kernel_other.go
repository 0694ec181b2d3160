//go:build !amd64 || purego

package nn

// Without the assembly (not amd64, or built with the purego tag) every
// kernel is the portable Go one.
const useAsm = false

func packRows(dst, src []float32, rows, stride int) { packRowsGo(dst, src, rows, stride) }

func kernelDirect(k int, a []float32, lda int, b, c []float32, ldc int, acc bool, panels int) bool {
	return false
}

func addTo(dst, src []float32) { addToGo(dst, src) }

func kernelDirect8(k int, a []float32, lda int, b, c []float32, ldc int) bool { return false }

func kernelB(k int, a, b []float32, ldb int, c []float32, ldc int, acc bool, panels int) bool {
	return false
}

// kernel computes C[0:mr, 0:nr] = Ap·Bp over depth k ≥ 1, adding to C when acc.
func kernel(k int, a, b, c []float32, ldc int, acc bool) { kernelGo(k, a, b, c, ldc, acc) }

func copyRuns(dst []float32, dstStride int, src []float32, srcStride, n, rows int) {
	copyRunsGo(dst, dstStride, src, srcStride, n, rows)
}

func addRows(s, x []float32, c int) { addRowsGo(s, x, c) }

// kernelBs is never called without the assembly: gemmRowB packs then.
func kernelBs(k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, acc bool, panels int) {
	panic("nn: kernelBs without the assembly kernels")
}
