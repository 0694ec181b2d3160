package engine

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomTable is a mixedNet with only what derivation reads: n positions
// of up to 6 candidates with random latencies, and their random
// probabilities.
func randomTable(rng *rand.Rand, n int) (*mixedNet, [][]float64) {
	mn := &mixedNet{fixed: rng.Float64()}
	var p [][]float64
	for range n {
		k := 2 + rng.IntN(5)
		lat, w := make([]float64, k), make([]float64, k)
		for j := range k {
			lat[j], w[j] = rng.Float64(), rng.ExpFloat64()
		}
		mn.pos = append(mn.pos, mixPos{lat: lat})
		p = append(p, softmax(w, 1))
	}
	return mn, p
}

// bruteWithin is mostLikelyWithin by trying every child.
func bruteWithin(mn *mixedNet, p [][]float64, limit float64) (best []int, bestLogp float64) {
	bestLogp = math.Inf(-1)
	c := make([]int, len(mn.pos))
	var visit func(i int)
	visit = func(i int) {
		if i == len(c) {
			if lp := logProb(p, c); mn.latencyOf(c) <= limit && (best == nil || lp > bestLogp) {
				best, bestLogp = slices.Clone(c), lp
			}
			return
		}
		for k := range mn.pos[i].lat {
			c[i] = k
			visit(i + 1)
		}
	}
	visit(0)
	return best, bestLogp
}

func logProb(p [][]float64, c []int) float64 {
	var lp float64
	for i, k := range c {
		lp += math.Log(p[i][k])
	}
	return lp
}

// TestMostLikelyWithinIsExact checks the knapsack against trying every
// child, on tables small enough to try.
func TestMostLikelyWithinIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		mn, p := randomTable(rng, 1+rng.IntN(6))
		limit := mn.fixed + rng.Float64()*float64(len(mn.pos))*0.7
		want, wantLogp := bruteWithin(mn, p, limit)
		got, ok := mn.mostLikelyWithin(p, limit)
		if ok != (want != nil) {
			t.Fatalf("table %d, limit %g: ok %v, but a child within it exists: %v", trial, limit, ok, want != nil)
		}
		if !ok {
			continue
		}
		if l := mn.latencyOf(got); l > limit {
			t.Fatalf("table %d: child %v takes %g ms, over the limit %g", trial, got, l, limit)
		}
		if lp := logProb(p, got); math.Abs(lp-wantLogp) > 1e-9 {
			t.Fatalf("table %d, limit %g: child %v has log-probability %g, the best within the limit %v has %g", trial, limit, got, lp, want, wantLogp)
		}
	}
}

// TestMostLikelyWithinLargeTable checks a table whose front outgrows
// maxFront: the child still meets the limit, and no child of many drawn
// at random within the limit is more likely than it by more than the
// binning allows.
func TestMostLikelyWithinLargeTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	mn, p := randomTable(rng, 40)
	limit := mn.fixed + 18
	got, ok := mn.mostLikelyWithin(p, limit)
	if !ok {
		t.Fatal("no child within the limit found")
	}
	if l := mn.latencyOf(got); l > limit {
		t.Fatalf("child takes %g ms, over the limit %g", l, limit)
	}
	best := logProb(p, got)
	c := make([]int, len(p))
	for range 20000 {
		for i := range c {
			c[i] = draw(rng, p[i])
		}
		if mn.latencyOf(c) <= limit && logProb(p, c) > best+1e-9 {
			t.Fatalf("drawn child %v is within the limit and more likely (%g) than the derived one (%g)", c, logProb(p, c), best)
		}
	}
}

// TestMostLikelyWithinNone reports no child when even the fastest is over
// the limit, and finds the fastest when the limit is exactly its latency.
func TestMostLikelyWithinNone(t *testing.T) {
	mn := &mixedNet{fixed: 1, pos: []mixPos{{lat: []float64{0.5, 0.25}}, {lat: []float64{0.25, 0.125}}}}
	p := [][]float64{{0.9, 0.1}, {0.8, 0.2}}
	if c, ok := mn.mostLikelyWithin(p, 1.37); ok {
		t.Fatalf("limit 1.37 ms under the fastest child's 1.375: got %v", c)
	}
	c, ok := mn.mostLikelyWithin(p, 1.375)
	if !ok || c[0] != 1 || c[1] != 1 {
		t.Fatalf("limit 1.375 ms: want the fastest child [1 1], got %v (ok %v)", c, ok)
	}
	if c, _ := mn.mostLikelyWithin(p, 1.5); c[0] != 1 || c[1] != 0 {
		t.Fatalf("limit 1.5 ms: want [1 0] (p 0.08, 1.5 ms) over [0 1] (0.18, 1.625 ms), got %v", c)
	}
	if c, _ := mn.mostLikelyWithin(p, 2); c[0] != 0 || c[1] != 0 {
		t.Fatalf("limit 2 ms over every child: want the most likely [0 0], got %v", c)
	}
}

// TestMostLikelyWithinBinned makes every candidate's log-probability
// grow with its latency, so that every partial child is on the front and
// the front outgrows maxFront: then the most likely child is the slowest
// within the limit, and the binned front must still come within 1 % of it.
func TestMostLikelyWithinBinned(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	mn, p := randomTable(rng, 40)
	for i := range p {
		w := make([]float64, len(mn.pos[i].lat))
		for k, l := range mn.pos[i].lat {
			w[k] = 3 * l
		}
		p[i] = softmax(w, 1)
	}
	limit := mn.fixed + 15
	got, ok := mn.mostLikelyWithin(p, limit)
	if !ok {
		t.Fatal("no child within the limit found")
	}
	if l := mn.latencyOf(got); l > limit || l < limit-0.01*(limit-mn.fixed) {
		t.Fatalf("child takes %g ms, want within 1 %% under the limit %g", l, limit)
	}
}
