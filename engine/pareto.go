package engine

import (
	"slices"

	"github.com/hwnas/hwnas/engine/store"
)

// FrontObjectives are the objectives a front is drawn on: the experiment's,
// and for a single-objective search the metric of its first upper-bound
// constraint too (minimised), so that a search for the most accurate network
// under a latency spec reports accuracy against latency, as FNAS does.
func FrontObjectives(objs []Objective, cons []Constraint) []Objective {
	if len(objs) != 1 {
		return objs
	}
	for _, c := range cons {
		if (c.Op == "<=" || c.Op == "<") && c.Metric != objs[0].Metric {
			return []Objective{objs[0], {Metric: c.Metric}}
		}
	}
	return objs
}

// ParetoFront returns the ids of the feasible trials that no other feasible
// trial dominates on objs, in trial order. Of trials with equal objective
// values, the first of each network and design is kept (a search that
// revisits a network does not fill the front with copies).
//
// When some trials were retrained (a supernet search's best children
// trained from scratch), the front is drawn on those only: inherited
// accuracies rank children but are not what a child reaches alone.
func ParetoFront(trials []Trial, objs []Objective) []int {
	retrained := slices.ContainsFunc(trials, func(t Trial) bool { return t.Status == store.Retrained })
	var cand []int
	for i := range trials {
		if trials[i].Feasible && (!retrained || trials[i].Status == store.Retrained) {
			cand = append(cand, i)
		}
	}
	var front []int
	seen := map[string]bool{}
	for _, i := range cand {
		dominated := false
		for _, j := range cand {
			if i != j && dominates(trials[j].Metrics, trials[i].Metrics, objs) {
				dominated = true
				break
			}
		}
		key := trials[i].NetworkKey + "|" + trials[i].Design
		if !dominated && (trials[i].NetworkKey == "" || !seen[key]) {
			seen[key] = true
			front = append(front, trials[i].ID)
		}
	}
	return front
}

// dominates reports whether a is at least as good as b on every objective
// and better on one.
func dominates(a, b Metrics, objs []Objective) bool {
	strictly := false
	for _, o := range objs {
		x, y := a[o.Metric], b[o.Metric]
		if !o.Maximize {
			x, y = -x, -y
		}
		if x < y {
			return false
		}
		if x > y {
			strictly = true
		}
	}
	return strictly
}
