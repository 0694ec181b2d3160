package search

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// Hypervolume returns the volume of objective space that the points dominate
// and that is bounded by the reference point ref.
//
// Reference-point convention: ref is given in the objectives' own units and
// senses; it is a worst acceptable value per objective (an upper bound for
// minimised objectives, a lower bound for maximised ones). Points that are
// not strictly better than ref in every objective add nothing and are
// dropped, as are points with a NaN. The value is in the product of the
// objectives' units, not normalised: callers comparing runs must use the same
// ref and record it beside the value (NadirRef gives a common choice).
//
// Exact algorithms: a sweep for 2 objectives (O(n log n)), slicing along the
// third for 3 (O(n² log n)), WFG (While, Bradstreet & Barone, IEEE TEVC 2012)
// for 4 or more.
func Hypervolume(points [][]float64, ref []float64, senses []Sense) (float64, error) {
	d := len(senses)
	if d == 0 {
		return 0, fmt.Errorf("hypervolume: no objectives")
	}
	if len(ref) != d {
		return 0, fmt.Errorf("hypervolume: reference point has %d values for %d objectives", len(ref), d)
	}
	r := make([]float64, d)
	for k, v := range ref {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("hypervolume: reference value %d is %v", k, v)
		}
		r[k] = v
		if senses[k] == Maximize {
			r[k] = -v
		}
	}
	var pts [][]float64
	for i, p := range points {
		if len(p) != d {
			return 0, fmt.Errorf("hypervolume: point %d has %d values for %d objectives", i, len(p), d)
		}
		q := make([]float64, d)
		inside := true
		for k, v := range p {
			if senses[k] == Maximize {
				v = -v
			}
			if !(v < r[k]) { // also drops NaN
				inside = false
				break
			}
			q[k] = v
		}
		if inside {
			pts = append(pts, q)
		}
	}
	if len(pts) == 0 {
		return 0, nil
	}
	return hvMin(pts, r), nil
}

// NadirRef returns a reference point just worse than the worst value of
// every objective over the points: worst + margin·(worst − best), or
// worst ± margin when all values are equal. NaN points are ignored; it
// returns nil for no usable points.
func NadirRef(points [][]float64, senses []Sense, margin float64) []float64 {
	var lo, hi []float64
	for _, p := range points {
		if len(p) != len(senses) || hasNaN(p) {
			continue
		}
		if lo == nil {
			lo, hi = slices.Clone(p), slices.Clone(p)
		}
		for k, v := range p {
			lo[k], hi[k] = math.Min(lo[k], v), math.Max(hi[k], v)
		}
	}
	if lo == nil {
		return nil
	}
	ref := make([]float64, len(senses))
	for k, s := range senses {
		span := hi[k] - lo[k]
		if span == 0 {
			span = 1
		}
		if s == Maximize {
			ref[k] = lo[k] - margin*span
		} else {
			ref[k] = hi[k] + margin*span
		}
	}
	return ref
}

// hvMin is the hypervolume of minimisation points all strictly below r.
func hvMin(pts [][]float64, r []float64) float64 {
	switch len(r) {
	case 1:
		m := pts[0][0]
		for _, p := range pts {
			m = math.Min(m, p[0])
		}
		return r[0] - m
	case 2:
		return hv2(pts, r)
	case 3:
		return hv3(pts, r)
	}
	return wfg(pts, r)
}

// hv2 sweeps the points in x order, adding the slab each front point adds.
func hv2(pts [][]float64, r []float64) float64 {
	ps := slices.Clone(pts)
	sort.Slice(ps, func(i, j int) bool {
		if ps[i][0] != ps[j][0] {
			return ps[i][0] < ps[j][0]
		}
		return ps[i][1] < ps[j][1]
	})
	vol, ymin := 0.0, r[1]
	for _, p := range ps {
		if p[1] >= ymin {
			continue
		}
		vol += (r[0] - p[0]) * (ymin - p[1])
		ymin = p[1]
	}
	return vol
}

// hv3 slices along z: between consecutive z values the cross-section is the
// 2-D hypervolume of the points at or below the slice.
func hv3(pts [][]float64, r []float64) float64 {
	ps := slices.Clone(pts)
	sort.Slice(ps, func(i, j int) bool { return ps[i][2] < ps[j][2] })
	vol := 0.0
	r2 := r[:2]
	for i := range ps {
		top := r[2]
		if i+1 < len(ps) {
			top = ps[i+1][2]
		}
		if top > ps[i][2] {
			vol += hv2(ps[:i+1], r2) * (top - ps[i][2])
		}
	}
	return vol
}

// wfg computes HV(S) = Σ_k exclHV(s_k), exclHV(s_k) = vol(s_k, r) −
// HV(nds({max(s_k, s_j) : j > k})), with points sorted worst-first on the
// last objective so the limit sets stay small (While et al. 2012).
func wfg(pts [][]float64, r []float64) float64 {
	d := len(r)
	if d <= 3 {
		return hvMin(pts, r)
	}
	if len(pts) == 1 {
		return box(pts[0], r)
	}
	ps := slices.Clone(pts)
	sort.Slice(ps, func(i, j int) bool { return ps[i][d-1] > ps[j][d-1] })
	vol := 0.0
	for k, p := range ps {
		limit := make([][]float64, 0, len(ps)-k-1)
		for _, q := range ps[k+1:] {
			m := make([]float64, d)
			for i := range m {
				m[i] = math.Max(p[i], q[i])
			}
			limit = append(limit, m)
		}
		vol += box(p, r)
		if nd := nondominatedMin(limit); len(nd) > 0 {
			vol -= wfg(nd, r)
		}
	}
	return vol
}

func box(p, r []float64) float64 {
	v := 1.0
	for i := range p {
		v *= r[i] - p[i]
	}
	return v
}

// nondominatedMin keeps the minimisation points no other point weakly
// dominates (one copy of equal points).
func nondominatedMin(pts [][]float64) [][]float64 {
	var out [][]float64
	for i, p := range pts {
		keep := true
		for j, q := range pts {
			if i == j {
				continue
			}
			le, lt := true, false
			for k := range p {
				if q[k] > p[k] {
					le = false
					break
				}
				if q[k] < p[k] {
					lt = true
				}
			}
			if le && (lt || j < i) { // q dominates p, or q equals p and comes first
				keep = false
				break
			}
		}
		if keep {
			out = append(out, p)
		}
	}
	return out
}
