//go:build amd64 && !purego

package nn

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// reluLike is a random map as a ReLU leaves it: a third of it zeros (some
// of them -0), and ties in some windows.
func reluLike(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		switch r.IntN(6) {
		case 0, 1:
		case 2:
			x[i] = float32(math.Copysign(0, -1))
		case 3:
			x[i] = 0.5
		default:
			x[i] = r.Float32()
		}
	}
	return x
}

// TestMaxPool2AsmMatchesGo checks the AVX2 max pool, forward and backward
// (written and added, gated by the input or not), against the Go loops on
// maps of even and odd sizes.
func TestMaxPool2AsmMatchesGo(t *testing.T) {
	if !useAsm {
		t.Skip("no AVX2")
	}
	r := rand.New(rand.NewPCG(3, 4))
	for _, sh := range []struct{ ih, iw, c int }{{4, 4, 8}, {28, 28, 32}, {7, 5, 16}, {14, 14, 64}} {
		oh, ow := sh.ih/2, sh.iw/2
		isz, osz := sh.ih*sh.iw*sh.c, oh*ow*sh.c
		x := reluLike(r, isz)
		y1, y2 := make([]float32, osz), make([]float32, osz)
		a1, a2 := make([]int32, osz), make([]int32, osz)
		maxPool2Go(x, y1, a1, sh.iw, sh.c, oh, ow)
		if !maxPool2Asm(x, y2, a2, sh.iw, sh.c, oh, ow) {
			t.Fatal("maxPool2Asm did nothing")
		}
		for i := range y1 {
			if y1[i] != y2[i] || a1[i] != a2[i] {
				t.Fatalf("%v: output %d: Go %g at %d, asm %g at %d", sh, i, y1[i], a1[i], y2[i], a2[i])
			}
		}
		dy := reluLike(r, osz)
		for _, gate := range []bool{false, true} {
			for _, fresh := range []bool{false, true} {
				if fresh && (sh.ih%2 != 0 || sh.iw%2 != 0) {
					continue
				}
				want := reluLike(r, isz)
				got := slices.Clone(want)
				if fresh {
					clear(want)
				}
				for i, a := range a1 {
					g := dy[i]
					if gate {
						g *= reluGate(x[a])
					}
					want[a] += g
				}
				maxPool2BackAsm(got, dy, a1, y1, sh.iw, sh.c, oh, ow, fresh, gate)
				for i := range want {
					if math.Float32bits(want[i]) != math.Float32bits(got[i]) {
						t.Fatalf("%v gate %v fresh %v: dx[%d] = %g, want %g", sh, gate, fresh, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestMaxPool2AsmNaN checks that a NaN in a window makes its maximum NaN,
// as Go's max does.
func TestMaxPool2AsmNaN(t *testing.T) {
	if !useAsm {
		t.Skip("no AVX2")
	}
	x := make([]float32, 2*2*8)
	x[8+3] = float32(math.NaN()) // the second cell, channel 3
	y, arg := make([]float32, 8), make([]int32, 8)
	maxPool2Asm(x, y, arg, 2, 8, 1, 1)
	for ch, v := range y {
		if isNaN := v != v; isNaN != (ch == 3) {
			t.Errorf("channel %d: max %g", ch, v)
		}
	}
}
