package search

import (
	"math"
	"testing"
)

// TestKendallTau checks τ-b on hand-counted cases, including SciPy's
// documented example (scipy.stats.kendalltau: x = [12, 2, 1, 12, 2],
// y = [1, 4, 7, 1, 0] gives τ = −0.47140452079103173).
func TestKendallTau(t *testing.T) {
	for _, c := range []struct {
		x, y []float64
		want float64
	}{
		{[]float64{1, 2, 3, 4}, []float64{10, 20, 30, 40}, 1},
		{[]float64{1, 2, 3, 4}, []float64{4, 3, 2, 1}, -1},
		{[]float64{1, 2, 3}, []float64{1, 3, 2}, 1.0 / 3},
		{[]float64{12, 2, 1, 12, 2}, []float64{1, 4, 7, 1, 0}, -0.47140452079103173},
	} {
		if got := KendallTau(c.x, c.y); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("τ(%v, %v) = %g, want %g", c.x, c.y, got, c.want)
		}
	}
	for _, c := range [][2][]float64{{{1}, {1}}, {{1, 2}, {1}}, {{1, 1, 1}, {1, 2, 3}}} {
		if got := KendallTau(c[0], c[1]); !math.IsNaN(got) {
			t.Errorf("τ(%v, %v) = %g, want NaN", c[0], c[1], got)
		}
	}
}
