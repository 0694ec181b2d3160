package nn

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestRowKernelsMatchGo checks the batch-norm and bias row kernels against
// their Go forms bit for bit (they do the same operations in the same
// order), at channel counts that take the vector path (multiples of 8) and
// ones that fall back, with a NaN, infinities and signed zeros in the input.
func TestRowKernelsMatchGo(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	vec := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		return v
	}
	for _, c := range []int{8, 16, 24, 144, 10, 3} {
		const rows = 7
		x, g := vec(rows*c), vec(rows*c)
		x[1], x[2], x[3], x[4] = float32(math.NaN()), float32(math.Inf(1)), 0, float32(math.Copysign(0, -1))
		y := slices.Clone(x)
		for i := range y {
			y[i] = max(y[i], 0)
		}
		y[4] = x[4]
		scale, shift, mean, invStd, k, ab := vec(c), vec(c), vec(c), vec(c), vec(c), vec(2*c)
		for _, relu := range []bool{false, true} {
			for _, sc := range [][]float32{nil, scale} {
				got, want := make([]float32, len(x)), make([]float32, len(x))
				affine(got, x, sc, shift, relu)
				affineGo(want, x, sc, shift, relu)
				sameBits(t, "affine", c, got, want)
			}
		}
		s1, s2 := make([]float64, 2*c), make([]float64, 2*c)
		channelSums(s1, x[5*c:], c) // rows past the NaN and the infinity
		channelSumsGo(s2, x[5*c:], c)
		sameBits(t, "channelSums", c, s1, s2)
		clear(s1)
		clear(s2)
		normGradSums(s1, g, x, mean, invStd)
		normGradSumsGo(s2, g, x, mean, invStd)
		sameBits(t, "normGradSums", c, s1, s2)
		for _, add := range []bool{false, true} {
			d1, d2 := slices.Clone(g), slices.Clone(g)
			normDx(d1, g, x, k, ab, mean, invStd, add)
			normDxGo(d2, g, x, k, ab, mean, invStd, add)
			sameBits(t, "normDx", c, d1, d2)
		}
		m1, m2 := slices.Clone(g), slices.Clone(g)
		maskReLU(m1, y)
		maskReLUGo(m2, y)
		sameBits(t, "maskReLU", c, m1, m2)
		if m1[3] != 0 || m1[4] != 0 || m1[1] != g[1] {
			t.Errorf("c=%d: maskReLU keeps %v where the outputs are %v", c, m1[1:5], y[1:5])
		}
	}
}

// sameBits fails unless got and want are equal value for value, NaNs
// included (a zero's sign aside: max(-0, 0) may give either).
func sameBits[T float32 | float64](t *testing.T, what string, c int, got, want []T) {
	t.Helper()
	for i := range want {
		a, b := float64(got[i]), float64(want[i])
		if a != b && !(math.IsNaN(a) && math.IsNaN(b)) {
			t.Fatalf("%s, %d channels: [%d] = %g, want %g", what, c, i, got[i], want[i])
		}
	}
}
