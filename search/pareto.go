package search

import (
	"fmt"
	"math"
)

// Dominates reports whether point a Pareto-dominates b: no worse in every
// objective and strictly better in at least one. Points with a NaN never
// dominate nor are dominated.
func Dominates(a, b []float64, senses []Sense) bool {
	better := false
	for i, s := range senses {
		x, y := a[i], b[i]
		if math.IsNaN(x) || math.IsNaN(y) {
			return false
		}
		if s == Maximize {
			x, y = -x, -y
		}
		if x > y {
			return false
		}
		if x < y {
			better = true
		}
	}
	return better
}

// NonDominated returns the indexes, in input order, of the points that no
// other point dominates. Points with a NaN objective or fewer values than
// senses are left out; equal points are all kept.
func NonDominated(points [][]float64, senses []Sense) []int {
	var out []int
	for i, p := range points {
		if hasNaN(p) || len(p) < len(senses) {
			continue
		}
		dominated := false
		for j, q := range points {
			if j != i && Dominates(q, p, senses) {
				dominated = true
				break
			}
		}
		if !dominated {
			out = append(out, i)
		}
	}
	return out
}

// Front returns the feasible evaluated results (not failed, pruned or
// infeasible) that no other such result dominates, in input order.
func Front(rs []Result, senses []Sense) ([]Result, error) {
	var pts [][]float64
	var idx []int
	for i := range rs {
		r := &rs[i]
		if !r.usable() || !r.Feasible {
			continue
		}
		if len(r.Objectives) != len(senses) {
			return nil, fmt.Errorf("pareto front: result %d has %d objectives, want %d", r.ID, len(r.Objectives), len(senses))
		}
		pts = append(pts, r.Objectives)
		idx = append(idx, i)
	}
	var out []Result
	for _, k := range NonDominated(pts, senses) {
		out = append(out, rs[idx[k]])
	}
	return out, nil
}

func hasNaN(p []float64) bool {
	for _, v := range p {
		if math.IsNaN(v) {
			return true
		}
	}
	return false
}
