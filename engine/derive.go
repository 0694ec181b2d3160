package engine

import (
	"cmp"
	"math"
	"slices"
)

// latencyOf is the table latency of the child that takes candidate
// choice[i] at every searched position, in ms: exact for a shared engine,
// the table's approximation otherwise (docs/lut.md).
func (mn *mixedNet) latencyOf(choice []int) float64 {
	l := mn.fixed
	for i, k := range choice {
		l += mn.pos[i].lat[k]
	}
	return l
}

// maxFront bounds the partial children mostLikelyWithin keeps per
// position: past it, of those whose latencies fall in one bin frontTol of
// the budget wide only the most likely is kept, so the child found may be
// a little less likely than the optimum, and is still within the limit.
const (
	maxFront = 1 << 14
	frontTol = 1.0 / maxFront
)

// partial is a child chosen up to some position: its latency so far (ms),
// the log-probability of its choices, the last choice and the rest.
type partial struct {
	lat, logp float64
	k         int
	prev      *partial
}

// mostLikelyWithin is the most likely child under the distribution p
// whose table latency is at most limit ms: argmax Σ log p_i(k_i) subject
// to Σ LAT_i(k_i) + fixed ≤ limit. Latencies add up over positions, so it
// is a multiple-choice knapsack, solved by dynamic programming over the
// positions on the Pareto front of (latency, log-probability): a partial
// child slower and no more likely than another is dropped, and so is one
// that cannot meet the limit even with the fastest candidates after it.
// ok is false when no child meets the limit.
func (mn *mixedNet) mostLikelyWithin(p [][]float64, limit float64) (choice []int, ok bool) {
	n := len(mn.pos)
	rest := make([]float64, n+1) // rest[i]: fastest latency of positions i…
	for i := n - 1; i >= 0; i-- {
		rest[i] = rest[i+1] + slices.Min(mn.pos[i].lat)
	}
	budget := limit - mn.fixed
	front := []*partial{{}}
	for i, pos := range mn.pos {
		var next []*partial
		for _, q := range front {
			for k, l := range pos.lat {
				if q.lat+l+rest[i+1] <= budget {
					next = append(next, &partial{lat: q.lat + l, logp: q.logp + math.Log(p[i][k]), k: k, prev: q})
				}
			}
		}
		front = paretoFront(next, 0)
		if len(front) > maxFront {
			front = paretoFront(front, budget*frontTol)
		}
	}
	if len(front) == 0 {
		return nil, false
	}
	best := front[len(front)-1] // the front grows more likely as it grows slower
	choice = make([]int, n)
	for q, i := best, n-1; i >= 0; q, i = q.prev, i-1 {
		choice[i] = q.k
	}
	return choice, true
}

// paretoFront keeps the partial children that no other is both at least
// as fast as and at least as likely as, sorted by latency. With tol > 0,
// of those whose latencies fall in one tol ms wide bin it keeps only the
// most likely.
func paretoFront(ps []*partial, tol float64) []*partial {
	slices.SortStableFunc(ps, func(a, b *partial) int {
		return cmp.Or(cmp.Compare(a.lat, b.lat), cmp.Compare(b.logp, a.logp))
	})
	bin := func(q *partial) float64 { return math.Floor(q.lat / tol) }
	var out []*partial
	for _, q := range ps {
		n := len(out)
		switch {
		case n > 0 && tol > 0 && bin(q) == bin(out[n-1]):
			if q.logp > out[n-1].logp {
				out[n-1] = q
			}
		case n == 0 || q.logp > out[n-1].logp:
			out = append(out, q)
		}
	}
	return out
}
