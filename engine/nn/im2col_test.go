package nn

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// im2colNaive is im2col written from its definition, one value at a time.
func im2colNaive(in []float32, h, w, c, k, s, p, oh, ow int, cols []float32) {
	i := 0
	for oy := range oh {
		for ox := range ow {
			for ky := range k {
				for kx := range k {
					for ch := range c {
						iy, ix := oy*s-p+ky, ox*s-p+kx
						cols[i] = 0
						if iy >= 0 && iy < h && ix >= 0 && ix < w {
							cols[i] = in[(iy*w+ix)*c+ch]
						}
						i++
					}
				}
			}
		}
	}
}

// TestIm2colMatchesDefinition checks the patches of maps with and without
// padding, strides 1 and 2, windows wider than the map, and padding after
// that differs from before.
func TestIm2colMatchesDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, g := range []struct{ h, w, c, k, s, p, oh, ow int }{
		{28, 28, 1, 3, 1, 1, 28, 28}, {14, 14, 32, 3, 1, 1, 14, 14}, {7, 9, 3, 5, 2, 2, 4, 5},
		{6, 6, 2, 3, 2, 0, 2, 2}, {4, 4, 1, 7, 1, 3, 4, 4}, {5, 5, 4, 3, 1, 1, 6, 6}, {3, 3, 8, 1, 1, 0, 3, 3},
		{4, 5, 2, 14, 1, 6, 3, 4},
	} {
		in := randSlice(r, g.h*g.w*g.c)
		n := g.oh * g.ow * g.k * g.k * g.c
		want, got := make([]float32, n), randSlice(r, n)
		im2colNaive(in, g.h, g.w, g.c, g.k, g.s, g.p, g.oh, g.ow, want)
		im2col(in, g.h, g.w, g.c, g.k, g.s, g.p, g.oh, g.ow, got)
		if !slices.Equal(got, want) {
			t.Errorf("%+v: patches differ from the definition", g)
		}
	}
}
