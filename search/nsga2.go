package search

import (
	"math"
	"math/rand/v2"
	"sort"
)

// NSGA2 is NSGA-II (Deb et al., IEEE TEVC 2002) on categorical genes:
// fast non-dominated sorting under constrained domination (a feasible result
// beats an infeasible one; among infeasible ones the smaller violation
// wins), crowding distance, binary tournaments on (rank, crowding), uniform
// crossover, per-gene mutation to a different value, and elitist (μ+λ)
// survival.
//
// It works asynchronously: the first population genomes are random; later
// children are bred from the current parents (or, before the first survival,
// from whatever has been told). Survival runs each time population new
// results have been told since the last one. Failed results are dropped;
// pruned ones count as infeasible; an infeasible result without a positive
// Violation counts as violation 1.
type NSGA2 struct {
	book
	cards         []int
	senses        []Sense
	rng           *rand.Rand
	pop           int
	pc, swap, pm  float64
	retries       int
	parents, told []*indiv
	pool          []*indiv // ranked breeding pool
	dirty         bool
	randomIssued  int
}

type indiv struct {
	genome    []int
	obj       []float64 // minimisation form
	feasible  bool
	violation float64
	rank      int
	crowd     float64
}

func newNSGA2(c Config) *NSGA2 {
	pm := c.Params["mutation"]
	if pm == 0 {
		pm = 1 / float64(len(c.Cards))
	}
	return &NSGA2{book: newBook(), cards: c.Cards, senses: c.Senses, rng: newRand(c.Seed),
		pop: int(c.Params["population"]), pc: c.Params["crossover"], swap: c.Params["swap"], pm: pm,
		retries: int(c.Params["retries"])}
}

// Ask implements Strategy.
func (s *NSGA2) Ask(n int) []Candidate {
	out := make([]Candidate, 0, max(n, 0))
	for range n {
		var g []int
		pool := s.breedingPool()
		if s.randomIssued < s.pop || len(pool) == 0 {
			s.randomIssued++
			g = s.fresh(s.retries+1, func() []int { return randomGenome(s.rng, s.cards) })
		} else {
			g = s.fresh(s.retries+1, func() []int { return s.child(pool) })
		}
		out = append(out, s.issue(g))
	}
	return out
}

func (s *NSGA2) breedingPool() []*indiv {
	if !s.dirty {
		return s.pool
	}
	s.dirty = false
	if len(s.parents) > 0 {
		s.pool = s.parents
	} else {
		s.pool = append([]*indiv(nil), s.told...)
		for _, f := range sortFronts(s.pool) {
			crowding(s.pool, f)
		}
	}
	return s.pool
}

func (s *NSGA2) child(pool []*indiv) []int {
	a := s.tournament(pool)
	g := append([]int(nil), a.genome...)
	if s.rng.Float64() < s.pc {
		b := s.tournament(pool)
		for i := range g {
			if s.rng.Float64() < s.swap {
				g[i] = b.genome[i]
			}
		}
	}
	for i, c := range s.cards {
		if c > 1 && s.rng.Float64() < s.pm {
			v := s.rng.IntN(c - 1)
			if v >= g[i] {
				v++
			}
			g[i] = v
		}
	}
	return g
}

func (s *NSGA2) tournament(pool []*indiv) *indiv {
	a, b := pool[s.rng.IntN(len(pool))], pool[s.rng.IntN(len(pool))]
	if b.rank < a.rank || (b.rank == a.rank && b.crowd > a.crowd) {
		return b
	}
	return a
}

// Tell implements Strategy.
func (s *NSGA2) Tell(rs []Result) {
	for i := range rs {
		r := &rs[i]
		g, ok := s.take(r)
		if !ok || r.Failed {
			continue
		}
		in := &indiv{genome: g, feasible: r.Feasible && r.usable() && len(r.Objectives) >= len(s.senses), violation: r.Violation}
		if in.feasible {
			in.obj = make([]float64, len(s.senses))
			for k, sn := range s.senses {
				in.obj[k] = r.Objectives[k]
				if sn == Maximize {
					in.obj[k] = -in.obj[k]
				}
			}
			in.violation = 0
		} else if !(in.violation > 0) { // no measure given (0 or NaN)
			in.violation = 1
		}
		s.told = append(s.told, in)
		s.dirty = true
	}
	if len(s.told) >= s.pop {
		s.survive()
	}
}

// survive keeps the best pop of parents ∪ fresh by (rank, crowding).
func (s *NSGA2) survive() {
	all := append(append([]*indiv(nil), s.parents...), s.told...)
	s.told = nil
	s.dirty = true
	next := make([]*indiv, 0, s.pop)
	for _, f := range sortFronts(all) {
		crowding(all, f)
		if len(next)+len(f) <= s.pop {
			for _, i := range f {
				next = append(next, all[i])
			}
			continue
		}
		sort.SliceStable(f, func(a, b int) bool { return all[f[a]].crowd > all[f[b]].crowd })
		for _, i := range f[:s.pop-len(next)] {
			next = append(next, all[i])
		}
		break
	}
	s.parents = next
}

// cdominates is constrained domination.
func cdominates(a, b *indiv) bool {
	switch {
	case a.feasible && !b.feasible:
		return true
	case !a.feasible:
		return !b.feasible && a.violation < b.violation
	}
	better := false
	for k, x := range a.obj {
		if x > b.obj[k] {
			return false
		}
		if x < b.obj[k] {
			better = true
		}
	}
	return better
}

// sortFronts is the fast non-dominated sort: it sets every rank and returns
// the fronts as index lists, best first.
func sortFronts(p []*indiv) [][]int {
	n := len(p)
	count := make([]int, n)
	dom := make([][]int, n)
	var fronts [][]int
	var cur []int
	for i := range n {
		for j := i + 1; j < n; j++ {
			if cdominates(p[i], p[j]) {
				dom[i] = append(dom[i], j)
				count[j]++
			} else if cdominates(p[j], p[i]) {
				dom[j] = append(dom[j], i)
				count[i]++
			}
		}
	}
	for i := range n {
		if count[i] == 0 {
			cur = append(cur, i)
		}
	}
	for r := 0; len(cur) > 0; r++ {
		fronts = append(fronts, cur)
		var next []int
		for _, i := range cur {
			p[i].rank = r
			for _, j := range dom[i] {
				if count[j]--; count[j] == 0 {
					next = append(next, j)
				}
			}
		}
		cur = next
	}
	return fronts
}

// crowding sets the crowding distance of the members of one front. Boundary
// points get +Inf; infeasible fronts (no objectives) get 0.
func crowding(p []*indiv, front []int) {
	for _, i := range front {
		p[i].crowd = 0
	}
	if len(front) == 0 || !p[front[0]].feasible {
		return
	}
	idx := append([]int(nil), front...)
	for k := range p[front[0]].obj {
		sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]].obj[k] < p[idx[b]].obj[k] })
		lo, hi := p[idx[0]].obj[k], p[idx[len(idx)-1]].obj[k]
		p[idx[0]].crowd, p[idx[len(idx)-1]].crowd = math.Inf(1), math.Inf(1)
		if hi == lo {
			continue
		}
		for m := 1; m < len(idx)-1; m++ {
			p[idx[m]].crowd += (p[idx[m+1]].obj[k] - p[idx[m-1]].obj[k]) / (hi - lo)
		}
	}
}
