//go:build !amd64 || purego

package nn

// vmulAdd sets dst[i] += a[i]·b[i] for i < len(a); dst and b are at least as long.
func vmulAdd(dst, a, b []float32) { vmulAddGo(dst, a, b) }

// windowSum has no portable form: depthwiseForward's loop is it.
func windowSum(out, x, w []float32, c, nky, nkx, xrow, wrow int) bool { return false }

// tapGrads has no portable form: depthwiseBackward's loop is it.
func (n *node) tapGrads(x, dy, dwT []float32) bool { return false }
