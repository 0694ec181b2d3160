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
