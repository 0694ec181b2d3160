//go:build amd64 && !purego

package nn

import "testing"

// TestPortableKernels runs the GEMM and gradient tests with the Go kernels
// that machines without AVX2+FMA use.
func TestPortableKernels(t *testing.T) {
	saved := useAsm
	useAsm = false
	defer func() { useAsm = saved }()
	t.Run("gemm", TestGemm)
	t.Run("gradients", TestGradients)
	t.Run("im2col", TestIm2colMatchesDefinition)
	t.Run("addRows", TestAddRows)
}
