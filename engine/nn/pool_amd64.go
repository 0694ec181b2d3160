//go:build amd64 && !purego

package nn

//go:noescape
func maxPool2Row(x, y *float32, arg *int32, c, iwc, ow, p0 int)

//go:noescape
func maxPool2BackRow(dx, dy *float32, arg *int32, y *float32, c, iwc, ow, p0, flags int)

// maxPool2Asm is maxPool2 with AVX2 (pool_amd64.s), eight channels at a
// time; it reports false, having done nothing, when c is not a multiple of 8
// or there is no AVX2. It gives maxPool2's results, but for the sign of a
// zero maximum (-0 or +0 when both are in the window) and the argmax of a
// window holding a NaN.
func maxPool2Asm(x, y []float32, arg []int32, iw, c, oh, ow int) bool {
	if !useAsm || c%8 != 0 || oh == 0 || ow == 0 {
		return false
	}
	iwc, owc := iw*c, ow*c
	_ = x[(2*oh-1)*iwc+2*owc-1]
	_ = y[oh*owc-1]
	_ = arg[oh*owc-1]
	for oy := range oh {
		maxPool2Row(&x[2*oy*iwc], &y[oy*owc], &arg[oy*owc], c, iwc, ow, 2*oy*iwc)
	}
	return true
}

// maxPool2BackAsm routes the gradients dy of maxPool2 to dx where arg says,
// as poolBackwardChunk does, gated (when gate is set) by the pool's output y
// rather than the input cell arg names: the two hold the same value, but
// for a NaN in the window. With fresh it writes every cell of the windows
// (the caller makes sure they cover dx), otherwise it adds. It reports
// false, having done nothing, where maxPool2Asm would.
func maxPool2BackAsm(dx, dy []float32, arg []int32, y []float32, iw, c, oh, ow int, fresh, gate bool) bool {
	if !useAsm || c%8 != 0 || oh == 0 || ow == 0 {
		return false
	}
	iwc, owc := iw*c, ow*c
	_ = dx[(2*oh-1)*iwc+2*owc-1]
	_ = y[oh*owc-1]
	_ = dy[oh*owc-1]
	_ = arg[oh*owc-1]
	flags := 0
	if fresh {
		flags |= 1
	}
	if gate {
		flags |= 2
	}
	for oy := range oh {
		maxPool2BackRow(&dx[2*oy*iwc], &dy[oy*owc], &arg[oy*owc], &y[oy*owc], c, iwc, ow, 2*oy*iwc, flags)
	}
	return true
}
