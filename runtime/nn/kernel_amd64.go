package nn

import "golang.org/x/sys/cpu"

// useAsm selects the AVX2+FMA micro-kernel when the processor has it.
var useAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kern6x16 is kernelGo in AVX2+FMA assembly (kernel_amd64.s).
//
//go:noescape
func kern6x16(k int, a, b, c *float32, ldc int)

func kernel(k int, a, b, c []float32, ldc int) {
	if useAsm {
		_ = a[k*mr-1]
		_ = b[k*nr-1]
		_ = c[5*ldc+nr-1]
		kern6x16(k, &a[0], &b[0], &c[0], ldc)
		return
	}
	kernelGo(k, a, b, c, ldc)
}
