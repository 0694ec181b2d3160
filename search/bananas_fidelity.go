package search

import (
	"maps"
	"slices"
)

// BOHB's rule for the model under a multi-fidelity schedule (Falkner, Klein
// & Hutter, "BOHB: Robust and Efficient Hyperparameter Optimization at
// Scale", ICML 2018, §4): the model is fit only on the observations of the
// largest budget that has enough of them, so that accuracies after one epoch
// and after nine are never one target, and as soon as the highest fidelity
// has enough results the model follows what it says.
//
// Bananas applies it to its ensemble and to the ranking of the parents it
// mutates (and, in Pareto mode, to the front its candidates are judged
// against). Results whose Fidelity are all equal (0 without a schedule) are
// all used, exactly as before.
//
// Unlike BOHB's D_b, which holds every configuration evaluated at budget b,
// a result carries only the fidelity its child last reached: the results of
// a lower fidelity are the children stopped there.

// fidelityFloor is how many results a fidelity needs for the model to be fit
// on it alone: BOHB's N_min is d+1 for d hyperparameters, the fewest points
// its d-dimensional kernel density estimate can be built from. An ensemble of
// neural networks has no such bound, so bananas asks for as many as it fits
// its first predictor on ("initial", 10 in BANANAS), and never fewer than
// BOHB's d+1 with the genes it mutates as the d.
func (b *Bananas) fidelityFloor() int {
	return max(b.initial, len(b.mutable)+1)
}

// anyFidelity is the fidelity bananas records for a pruned result: it was
// never trained, and the reward's penalty it teaches holds at every
// fidelity, so it joins whichever fidelity the model is fit on.
const anyFidelity = -1

// fidelityOf is the fidelity bananas records for r.
func fidelityOf(r *Result) int {
	if r.Pruned {
		return anyFidelity
	}
	return r.Fidelity
}

// fitSet returns the indexes of the told results the model is fit on and
// parents are ranked in: those of the highest fidelity with at least
// fidelityFloor results, else of the next fidelity down, with the pruned
// results; nil (every result) when the trained results have one fidelity or
// none has enough.
func (b *Bananas) fitSet() []int {
	count := map[int]int{}
	for _, f := range b.fids {
		if f != anyFidelity {
			count[f]++
		}
	}
	if len(count) < 2 {
		return nil
	}
	for _, f := range slices.Backward(slices.Sorted(maps.Keys(count))) {
		if count[f] >= b.fidelityFloor() {
			var idx []int
			for i, g := range b.fids {
				if g == f || g == anyFidelity {
					idx = append(idx, i)
				}
			}
			return idx
		}
	}
	return nil
}

// subset is xs at idx, or xs itself when idx is nil.
func subset[T any](xs []T, idx []int) []T {
	if idx == nil {
		return xs
	}
	out := make([]T, len(idx))
	for i, j := range idx {
		out[i] = xs[j]
	}
	return out
}
