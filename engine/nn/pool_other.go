//go:build !amd64 || purego

package nn

// Without the assembly max pooling is its Go form (pool.go).

func maxPool2Asm(x, y []float32, arg []int32, iw, c, oh, ow int) bool { return false }

func maxPool2BackAsm(dx, dy []float32, arg []int32, y []float32, iw, c, oh, ow int, fresh, gate bool) bool {
	return false
}
