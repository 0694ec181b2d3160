package search

import (
	"math"
	"slices"
)

// paretoState is bananas's multi-objective mode: several objectives and no
// reward. One ensemble predicts each objective; a candidate's acquisition
// is the hypervolume its Thompson sample (one draw per objective from the
// ensemble's mean and spread) adds to the front of the feasible results told
// so far, and a batch is chosen greedily, each pick's sample joining the
// front before the next (Thompson sampling for hypervolume improvement, as
// TSEMO: Bradford, Schweidtmann & Lapkin, J. Global Optimization 2018).
type paretoState struct {
	senses   []Sense
	objs     [][]float64 // told objectives, as b.genomes
	feasible []bool
	nets     [][]*mlp // per objective
	mean     []float64
	std      []float64
}

// tell keeps r's objectives; false when r teaches nothing (pruned, a NaN or
// infinite objective, or the wrong number of them).
func (p *paretoState) tell(r Result) bool {
	if !r.usable() || len(r.Objectives) != len(p.senses) {
		return false
	}
	for _, v := range r.Objectives {
		if math.IsInf(v, 0) {
			return false
		}
	}
	p.objs = append(p.objs, slices.Clone(r.Objectives))
	p.feasible = append(p.feasible, r.Feasible)
	return true
}

// dominators counts, per told result, the feasible told results that
// dominate it; an infeasible one counts every feasible result besides.
func (p *paretoState) dominators() []int {
	out := make([]int, len(p.objs))
	nFeasible := 0
	for _, f := range p.feasible {
		if f {
			nFeasible++
		}
	}
	for i, a := range p.objs {
		if !p.feasible[i] {
			out[i] = nFeasible
		}
		for j, q := range p.objs {
			if p.feasible[j] && Dominates(q, a, p.senses) {
				out[i]++
			}
		}
	}
	return out
}

// front is the objectives of the feasible told results.
func (p *paretoState) front() [][]float64 {
	var out [][]float64
	for i, o := range p.objs {
		if p.feasible[i] {
			out = append(out, o)
		}
	}
	return out
}

// sub is p's told results at set (p itself when set is nil), without models.
func (p *paretoState) sub(set []int) *paretoState {
	if set == nil {
		return p
	}
	return &paretoState{senses: p.senses, objs: subset(p.objs, set), feasible: subset(p.feasible, set)}
}

// trainPareto fits one ensemble per objective on the told results at set
// (all when nil).
func (b *Bananas) trainPareto(set []int) {
	p := b.pareto
	p.nets, p.mean, p.std = p.nets[:0], p.mean[:0], p.std[:0]
	told, xs := p.sub(set), subset(b.xs, set)
	for k := range p.senses {
		ys := make([]float64, len(told.objs))
		for i, o := range told.objs {
			ys[i] = o[k]
		}
		nets, m, s := b.fitEnsemble(xs, ys)
		p.nets, p.mean, p.std = append(p.nets, nets), append(p.mean, m), append(p.std, s)
	}
}

// acquirePareto returns up to n pool candidates chosen greedily by the
// hypervolume their Thompson samples add to the front of fitSet's results,
// with the reference point just worse than every one of them (NadirRef,
// margin 0.1). A pick that adds nothing is the one whose sample the fewest
// front points dominate.
func (b *Bananas) acquirePareto(pool [][]int, n int) [][]int {
	p := b.pareto
	samples := make([][]float64, len(pool))
	for i, g := range pool {
		x := b.encode(g)
		s := make([]float64, len(p.senses))
		for k := range p.senses {
			mu, sd := ensemblePredict(p.nets[k], p.mean[k], p.std[k], x)
			s[k] = mu + sd*b.rng.NormFloat64()
		}
		samples[i] = s
	}
	told := p.sub(b.fitSet())
	ref := NadirRef(told.objs, p.senses, 0.1)
	front := told.front()
	var out [][]int
	taken := make([]bool, len(pool))
	for len(out) < min(n, len(pool)) {
		base, _ := Hypervolume(front, ref, p.senses)
		best, bestGain, bestDom := -1, 0.0, math.MaxInt
		for i, s := range samples {
			if taken[i] {
				continue
			}
			hv, _ := Hypervolume(append(front[:len(front):len(front)], s), ref, p.senses)
			gain, dom := hv-base, dominatedBy(front, s, p.senses)
			if best < 0 || gain > bestGain || gain == bestGain && dom < bestDom {
				best, bestGain, bestDom = i, gain, dom
			}
		}
		taken[best] = true
		front = append(front, samples[best])
		out = append(out, pool[best])
	}
	return out
}

// dominatedBy counts the points that dominate s.
func dominatedBy(points [][]float64, s []float64, senses []Sense) int {
	n := 0
	for _, q := range points {
		if Dominates(q, s, senses) {
			n++
		}
	}
	return n
}
