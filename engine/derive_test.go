package engine

import (
	"fmt"
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
	everyChild(mn, func(c []int) {
		if lp := logProb(p, c); mn.latencyOf(c) <= limit && (best == nil || lp > bestLogp) {
			best, bestLogp = slices.Clone(c), lp
		}
	})
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

// everyChild calls f with every child of mn's table, in order.
func everyChild(mn *mixedNet, f func(c []int)) {
	c := make([]int, len(mn.pos))
	var visit func(i int)
	visit = func(i int) {
		if i == len(c) {
			f(c)
			return
		}
		for k := range mn.pos[i].lat {
			c[i] = k
			visit(i + 1)
		}
	}
	visit(0)
}

// TestWithinSamplerIsConditional draws from a table whose latencies are
// whole steps (limit drawSteps ms), where the sampler is exact, and
// compares each child's frequency with its probability given the limit,
// and given a floor as well (which the sampler raises by a step a
// position).
func TestWithinSamplerIsConditional(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	mn := &mixedNet{}
	var p [][]float64
	for range 4 {
		lat, w := make([]float64, 3), make([]float64, 3)
		for k := range lat {
			lat[k], w[k] = float64(rng.IntN(2000)), rng.NormFloat64()
		}
		mn.pos, p = append(mn.pos, mixPos{lat: lat}), append(p, softmax(w, 1))
	}
	limit := float64(drawSteps)
	for _, floor := range []float64{0, 2500} {
		lo := floor + float64(len(mn.pos))*min(floor, 1)
		want, z := map[string]float64{}, 0.0
		everyChild(mn, func(c []int) {
			if l := mn.latencyOf(c); l <= limit && l >= lo {
				want[fmt.Sprint(c)] = math.Exp(logProb(p, c))
				z += want[fmt.Sprint(c)]
			}
		})
		if len(want) < 10 || len(want) > 70 {
			t.Fatalf("floor %g: %d of 81 children within the limit: the table does not test the condition", floor, len(want))
		}
		s, ok := mn.withinSampler(p, floor, limit)
		if !ok {
			t.Fatalf("floor %g: no child within the limit", floor)
		}
		const draws = 40000
		got := map[string]float64{}
		for range draws {
			got[fmt.Sprint(s.draw(rng))] += 1.0 / draws
		}
		for c, q := range want {
			if q /= z; math.Abs(got[c]-q) > 4*math.Sqrt(q*(1-q)/draws)+1e-3 {
				t.Errorf("floor %g: child %s: drawn %.4f of the time, its probability between the floor and the limit is %.4f", floor, c, got[c], q)
			}
		}
		for c := range got {
			if _, ok := want[c]; !ok {
				t.Errorf("floor %g: child %s drawn, outside the floor and the limit", floor, c)
			}
		}
	}
}

// TestMostLikelyBetween checks the sampler's most likely child against
// trying every child, on random tables with a random floor: its
// log-probability is the best of the children whose steps the sampler
// admits, and its latency is between the floor and the limit.
func TestMostLikelyBetween(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := range 300 {
		mn, p := randomTable(rng, 1+rng.IntN(6))
		limit := mn.fixed + rng.Float64()*float64(len(mn.pos))*0.7
		floor := mn.fixed + rng.Float64()*(limit-mn.fixed)
		s, ok := mn.withinSampler(p, floor, limit)
		if s == nil {
			continue // the limit is under the fixed part
		}
		bestLogp, admitted := math.Inf(-1), 0
		everyChild(mn, func(c []int) {
			var steps int
			for i, k := range c {
				steps += s.steps[i][k]
			}
			if steps >= s.lo && steps <= drawSteps {
				admitted++
				bestLogp = max(bestLogp, logProb(p, c))
			}
		})
		if ok != (admitted > 0) {
			t.Fatalf("table %d: ok %v, %d children admitted", trial, ok, admitted)
		}
		if !ok {
			continue
		}
		c := s.mostLikely()
		if l := mn.latencyOf(c); l < floor || l > limit {
			t.Fatalf("table %d: most likely %v at %g ms, outside %g to %g", trial, c, l, floor, limit)
		}
		if lp := logProb(p, c); math.Abs(lp-bestLogp) > 1e-9 {
			t.Fatalf("table %d: most likely %v has log-probability %g, the best admitted %g", trial, c, lp, bestLogp)
		}
	}
}

// TestWithinSamplerLimit: on random tables every child drawn is within the
// limit, and the sampler finds one where the knapsack does (to a step);
// on a distribution sure of a child over the limit, where drawing and
// dropping finds nothing, it still draws distinct children within it.
func TestWithinSamplerLimit(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 300 {
		mn, p := randomTable(rng, 1+rng.IntN(8))
		limit := mn.fixed + rng.Float64()*float64(len(mn.pos))*0.7
		_, within := mn.mostLikelyWithin(p, limit)
		floor := 0.0
		if trial%2 == 1 {
			floor = mn.fixed + rng.Float64()*(limit-mn.fixed)
		}
		s, ok := mn.withinSampler(p, floor, limit)
		if ok && !within {
			t.Fatalf("table %d: the sampler draws within %g ms, the knapsack finds no child", trial, limit)
		}
		if !ok {
			continue
		}
		for range 20 {
			if c := s.draw(rng); mn.latencyOf(c) > limit || mn.latencyOf(c) < floor {
				t.Fatalf("table %d: drew %v, %g ms, outside %g to %g", trial, c, mn.latencyOf(c), floor, limit)
			}
		}
	}
	// Twelve positions, each 0.999999 sure of its slow candidate.
	mn, p := &mixedNet{}, [][]float64{}
	for range 12 {
		mn.pos, p = append(mn.pos, mixPos{lat: []float64{1, 0.2, 0.3}}), append(p, []float64{0.999999, 0.0000005, 0.0000005})
	}
	s, ok := mn.withinSampler(p, 0, 3)
	if !ok {
		t.Fatal("no child within 3 ms")
	}
	seen := map[string]bool{}
	for range 50 {
		c := s.draw(rng)
		if mn.latencyOf(c) > 3 {
			t.Fatalf("drew %v, %g ms, over 3", c, mn.latencyOf(c))
		}
		seen[fmt.Sprint(c)] = true
	}
	if len(seen) < 10 {
		t.Errorf("50 draws gave %d distinct children within the limit", len(seen))
	}
	if _, ok := mn.withinSampler(p, 0, 0.2*12-0.01); ok {
		t.Errorf("a sampler within 2.39 ms, under the fastest child's 2.4")
	}
}
