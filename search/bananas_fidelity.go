package search

import (
	"maps"
	"math"
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
// As BOHB's D_b holds every configuration evaluated at budget b, including
// those promoted beyond it, a result's Rungs are observations of their own
// fidelities: a child trained 1, 3 and 9 epochs counts at all three.

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

// fitSet returns the indexes of the observations the model is fit on and
// parents are ranked in: those of the highest fidelity with at least
// fidelityFloor of them, else of the next fidelity down, with the pruned
// results. When the trained results have one fidelity it is nil (every
// observation); when none has enough, every result at the last fidelity its
// child reached (nil when no result has rungs).
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
	keep := func(i int) bool { return !b.rungs[i] }
	for _, f := range slices.Backward(slices.Sorted(maps.Keys(count))) {
		if count[f] >= b.fidelityFloor() {
			keep = func(i int) bool { return b.fids[i] == f || b.fids[i] == anyFidelity }
			break
		}
	}
	var idx []int
	for i := range b.fids {
		if keep(i) {
			idx = append(idx, i)
		}
	}
	if len(idx) == len(b.fids) {
		return nil
	}
	return idx
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

// setRewards are the rewards of the observations at set, in set's order.
// For every observation (set nil) they are those given when each was told.
// For one fidelity's they are those of a fresh copy of the reward told that
// fidelity's results in order, so that a reward with state (FNAS's accuracy
// baseline, the weighted sum's worst reward so far) judges a 9-epoch child
// against 9-epoch children only; as told when the reward's state is unknown
// (freshReward).
func (b *Bananas) setRewards(set []int) []float64 {
	ys := subset(b.ys, set)
	rw, ok := freshReward(b.reward)
	if set == nil || !ok {
		return ys
	}
	out := make([]float64, len(set))
	for k, i := range set {
		if out[k] = rw.Reward(b.told[i]); math.IsNaN(out[k]) || math.IsInf(out[k], 0) {
			out[k] = ys[k]
		}
	}
	return out
}
