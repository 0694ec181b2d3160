package nn

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

func naiveGemm(m, n, k int, a, b view, c []float32, ldc int, acc bool) {
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				s += float64(a.d[i*a.rs+p*a.cs]) * float64(b.d[p*b.rs+j*b.cs])
			}
			if acc {
				s += float64(c[i*ldc+j])
			}
			c[i*ldc+j] = float32(s)
		}
	}
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

func TestGemm(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		m, n, k    int
		ta, tb, ac bool
	}{
		{1, 1, 1, false, false, false}, {6, 16, 3, false, false, false}, {7, 17, 300, false, false, true},
		{100, 33, 9, true, false, false}, {13, 64, 600, false, true, true}, {200, 10, 257, true, true, false},
		{5, 3, 0, false, false, true}, {97, 40, 513, false, false, false}, {64, 288, 300, true, false, true},
	} {
		a := randSlice(r, c.m*c.k)
		b := randSlice(r, c.k*c.n)
		av, bv := view{a, c.k, 1}, view{b, c.n, 1}
		if c.ta {
			av = view{a, 1, c.m}
		}
		if c.tb {
			bv = view{b, 1, c.k}
		}
		ldc := c.n + 3
		got := randSlice(r, c.m*ldc)
		want := append([]float32(nil), got...)
		pb := packB(make([]float32, packedBSize(c.k, c.n)), c.k, c.n, bv)
		gemm(c.m, av, &pb, got, ldc, c.ac, make([]float32, gemmScratch))
		orig := append([]float32(nil), want...)
		naiveGemm(c.m, c.n, c.k, av, bv, want, ldc, c.ac)
		check := func(name string, got []float32) {
			for i := range c.m {
				for j := range ldc {
					g, w := got[i*ldc+j], want[i*ldc+j]
					if math.Abs(float64(g-w)) > 1e-3*math.Sqrt(float64(c.k+1)) {
						t.Fatalf("%s %+v: C[%d,%d] = %g, want %g", name, c, i, j, g, w)
					}
				}
			}
		}
		check("gemm", got)
		if !c.tb {
			got2 := append([]float32(nil), orig...)
			gemmRowB(c.m, c.n, c.k, av, bv, got2, ldc, c.ac, make([]float32, gemmScratch), make([]float32, packedBSize(c.k, c.n)))
			check("gemmRowB", got2)
		}
	}
}

func TestKernelAsmMatchesGo(t *testing.T) {
	if !useAsm {
		t.Skip("no AVX2+FMA")
	}
	r := rand.New(rand.NewPCG(3, 4))
	k := 37
	a, b := randSlice(r, k*mr), randSlice(r, k*nr)
	c1 := randSlice(r, 7*20)
	c2 := append([]float32(nil), c1...)
	kernel(k, a, b, c1, 20, true)
	kernelGo(k, a, b, c2, 20, true)
	kernel(k, a, b, c1[20:], 20, false)
	kernelGo(k, a, b, c2[20:], 20, false)
	for i := range c1 {
		if math.Abs(float64(c1[i]-c2[i])) > 1e-4 {
			t.Fatalf("C[%d]: asm %g, Go %g", i, c1[i], c2[i])
		}
	}
}

func BenchmarkGemm(b *testing.B) {
	// conv2 of the reference network, one image: 196×288 · 288×64.
	r := rand.New(rand.NewPCG(1, 2))
	m, n, k := 196, 64, 288
	a := randSlice(r, m*k)
	w := randSlice(r, k*n)
	c := make([]float32, m*n)
	pb := packB(make([]float32, packedBSize(k, n)), k, n, view{w, n, 1})
	s := make([]float32, gemmScratch)
	b.SetBytes(int64(2 * m * n * k)) // "MB/s" reads as MFLOP/s
	for b.Loop() {
		gemm(m, view{a, k, 1}, &pb, c, n, false, s)
	}
}

func TestAddToAndPackRows(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for n := range 70 {
		src := randSlice(r, n)
		dst := randSlice(r, n+3)
		want := append([]float32(nil), dst...)
		addToGo(want, src)
		addTo(dst, src)
		for i := range dst {
			if dst[i] != want[i] {
				t.Fatalf("n=%d: dst[%d] = %g, want %g", n, i, dst[i], want[i])
			}
		}
	}
	for _, rows := range []int{0, 1, 5} {
		src := randSlice(r, 40*rows+16)
		got, want := make([]float32, rows*nr), make([]float32, rows*nr)
		packRows(got, src, rows, 40)
		packRowsGo(want, src, rows, 40)
		if !slices.Equal(got, want) {
			t.Fatalf("rows=%d: packRows %v, want %v", rows, got, want)
		}
	}
}

// BenchmarkGonumSgemm is BenchmarkGemm's product with gonum's blas32, for
// comparison (the issue asked to measure it).
func BenchmarkGonumSgemm(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	m, n, k := 196, 64, 288
	a := blas32.General{Rows: m, Cols: k, Stride: k, Data: randSlice(r, m*k)}
	w := blas32.General{Rows: k, Cols: n, Stride: n, Data: randSlice(r, k*n)}
	c := blas32.General{Rows: m, Cols: n, Stride: n, Data: make([]float32, m*n)}
	b.SetBytes(int64(2 * m * n * k))
	for b.Loop() {
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, a, w, 0, c)
	}
}

// TestAddRows checks the row sums of the bias gradients against adding the
// rows one by one, bit for bit, for channel counts with and without 32- and
// 8-wide blocks.
func TestAddRows(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, c := range []int{8, 10, 32, 40, 64, 72} {
		for _, rows := range []int{0, 1, 5, 196} {
			x := randSlice(r, rows*c)
			want := randSlice(r, c)
			got := append([]float32(nil), want...)
			for i := 0; i < rows; i++ {
				for j := range c {
					want[j] += x[i*c+j]
				}
			}
			addRows(got, x, c)
			if !slices.Equal(got, want) {
				t.Fatalf("c %d, %d rows: sums differ", c, rows)
			}
		}
	}
}
