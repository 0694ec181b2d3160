package engine

import (
	"cmp"
	"math"
	"math/rand/v2"
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

// drawSteps is the number of steps the latency budget is cut into for
// drawing children within a limit: a candidate's latency is rounded up to
// whole steps, so a child drawn is within the limit, and a child within
// the limit by less than a step a position may be missed (at most
// positions/drawSteps of the budget).
const drawSteps = 1 << 12

// withinSampler draws children from a distribution over children
// conditioned on their table latency being within a limit, and at least a
// floor if one is given (derive = within_target, fill).
type withinSampler struct {
	p     [][]float64
	logp  [][]float64 // log p
	steps [][]int     // steps[i][k]: candidate k's latency at position i in steps, rounded up
	lo    int         // the fewest steps a child may take: its latency is then at least the floor
	mass  [][]float64 // mass[i][b]: the probability that positions i… take at most b steps, each row scaled to a maximum of 1
	best  [][]float64 // best[i][b]: the largest log-probability of positions i… taking exactly b steps, -Inf when none do
}

// withinSampler is a sampler of the children under the distribution p
// whose table latency is at most limit ms and at least floor ms (0: no
// floor); ok is false when none is (to a step). mass is a knapsack's table
// of sums where mostLikelyWithin's is one of maxima: mass[i][b] =
// Σ_k p_i(k)·mass[i+1][b − steps_i(k)]; best is the table of maxima on
// the steps, for mostLikely. As latencies are rounded up, a child's steps
// overstate its latency by less than a step a position, so the floor in
// steps is raised by one step a position: a child it admits is never under
// the floor.
func (mn *mixedNet) withinSampler(p [][]float64, floor, limit float64) (s *withinSampler, ok bool) {
	budget, n := limit-mn.fixed, len(mn.pos)
	if budget < 0 {
		return nil, false
	}
	step := budget / drawSteps
	s = &withinSampler{p: p, logp: make([][]float64, n), steps: make([][]int, n), mass: make([][]float64, n+1), best: make([][]float64, n+1)}
	if floor > mn.fixed && step > 0 {
		s.lo = min(int(math.Ceil((floor-mn.fixed)/step))+n, drawSteps+1)
	}
	s.mass[n], s.best[n] = make([]float64, drawSteps+1), make([]float64, drawSteps+1)
	for b := range s.mass[n] {
		s.mass[n][b], s.best[n][b] = 1, math.Inf(-1)
	}
	s.best[n][0] = 0
	for i := n - 1; i >= 0; i-- {
		for _, l := range mn.pos[i].lat {
			u := drawSteps + 1 // over any budget
			if step > 0 {
				u = int(min(max(math.Ceil(l/step), 0), drawSteps+1)) // table latencies are never negative; a slip must not index past the row
			} else if l <= 0 {
				u = 0
			}
			s.steps[i] = append(s.steps[i], u)
		}
		for _, pk := range p[i] {
			s.logp[i] = append(s.logp[i], math.Log(pk))
		}
		row, best := make([]float64, drawSteps+1), make([]float64, drawSteps+1)
		for b := range row {
			best[b] = math.Inf(-1)
			for k, u := range s.steps[i] {
				if u <= b {
					row[b] += p[i][k] * s.mass[i+1][b-u]
					best[b] = max(best[b], s.logp[i][k]+s.best[i+1][b-u])
				}
			}
		}
		if top := slices.Max(row); top > 0 {
			for b := range row {
				row[b] /= top
			}
		}
		s.mass[i], s.best[i] = row, best
	}
	return s, s.between(0, s.lo, drawSteps) > 0
}

// between is the (scaled) probability that positions i… take from lo to
// hi steps.
func (s *withinSampler) between(i, lo, hi int) float64 {
	if hi < 0 || lo > hi {
		return 0
	}
	m := s.mass[i][hi]
	if lo > 0 {
		m -= s.mass[i][lo-1]
	}
	return max(m, 0) // a difference of sums may round below zero
}

// draw is a child drawn from rng: position by position, candidate k with
// probability ∝ p_i(k) times the mass of the rest that keeps the child
// between the floor and the limit.
func (s *withinSampler) draw(rng *rand.Rand) []int {
	c, lo, hi := make([]int, len(s.p)), s.lo, drawSteps
	w := []float64{}
	for i, pi := range s.p {
		w = w[:0]
		for k, u := range s.steps[i] {
			w = append(w, pi[k]*s.between(i+1, lo-u, hi-u))
		}
		c[i] = draw(rng, w)
		lo, hi = lo-s.steps[i][c[i]], hi-s.steps[i][c[i]]
	}
	return c
}

// mostLikely is the most likely child that draw can give: of the totals
// of steps from the floor to the limit, the one with the largest best,
// then the candidates that reach it, position by position. It is exact to
// a step: mostLikelyWithin is exact, and serves when there is no floor.
func (s *withinSampler) mostLikely() []int {
	top := s.best[0][s.lo:]
	b := s.lo + slices.Index(top, slices.Max(top))
	c := make([]int, len(s.p))
	for i, lp := range s.logp {
		most := math.Inf(-1)
		for k, u := range s.steps[i] {
			if u <= b {
				if v := lp[k] + s.best[i+1][b-u]; v > most {
					c[i], most = k, v
				}
			}
		}
		b -= s.steps[i][c[i]]
	}
	return c
}
