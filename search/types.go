package search

import (
	"fmt"
	"math"
)

// Sense says whether an objective is minimised or maximised.
type Sense int8

// The two senses.
const (
	Minimize Sense = iota
	Maximize
)

func (s Sense) String() string {
	if s == Maximize {
		return "maximize"
	}
	return "minimize"
}

// ParseSense reads "min"/"minimize"/"minimise" or "max"/"maximize"/"maximise".
func ParseSense(s string) (Sense, error) {
	switch s {
	case "min", "minimize", "minimise":
		return Minimize, nil
	case "max", "maximize", "maximise":
		return Maximize, nil
	}
	return 0, fmt.Errorf("unknown objective sense %q (want minimize or maximize)", s)
}

// Candidate is a genome a strategy asks to be evaluated. IDs are unique per
// strategy and increase from 0 in ask order.
type Candidate struct {
	ID     int
	Genome []int
}

// Result is the outcome of evaluating a candidate, told back with its ID.
//
// The outcomes are exclusive: Failed (the evaluation errored; Objectives are
// meaningless), Pruned (a hard constraint was missed before training, as in
// FNAS; the network was never trained, so accuracy objectives are
// meaningless, hardware ones may be set), or evaluated, in which case
// Feasible says whether every hard constraint holds and Violation (≥ 0) how
// far they are missed, in the caller's normalised units (NSGA-II's
// constrained domination compares it).
//
// Fidelity is what the objectives were measured at under a multi-fidelity
// schedule (the epochs a child trained before it stopped or finished); 0
// means a single fidelity, as without a schedule. Rungs are the objectives
// the child had at the lower fidelities it passed on the way (a child
// trained 1, 3, then 9 epochs has those after 1 and 3), lowest first. Only
// bananas reads either.
type Result struct {
	ID         int
	Objectives []float64 // in the order of Config.Senses
	Feasible   bool
	Pruned     bool
	Failed     bool
	Violation  float64
	Fidelity   int
	Rungs      []Rung
}

// Rung is a result's objectives at a lower fidelity than its own.
type Rung struct {
	Fidelity   int
	Objectives []float64
}

// Status names the outcome of a result: "failed", "pruned", "feasible" or "infeasible".
func (r *Result) Status() string {
	switch {
	case r.Failed:
		return "failed"
	case r.Pruned:
		return "pruned"
	case r.Feasible:
		return "feasible"
	}
	return "infeasible"
}

// usable reports whether the objectives of r can be compared.
func (r *Result) usable() bool {
	if r.Failed || r.Pruned {
		return false
	}
	for _, v := range r.Objectives {
		if math.IsNaN(v) {
			return false
		}
	}
	return true
}

// Strategy proposes candidates and learns from their results.
//
// Ask returns up to n new candidates; it returns fewer only when the space is
// exhausted (grid, or random over a small space) or, for co-exploration, when
// no architecture with a feasible hardware design could be found. Tell
// accepts results of earlier asks in any order; results with unknown or
// already told IDs are ignored and counted in Counts.Ignored.
type Strategy interface {
	Ask(n int) []Candidate
	Tell(results []Result)
}

// Counts tallies the results a strategy has been told. HWPruned counts
// architectures co-exploration rejected inside Ask because no hardware design
// met the constraints (they never reach the caller) and HWChecks the calls of
// its hardware-only evaluation.
type Counts struct {
	Asked, Feasible, Infeasible, Pruned, Failed, Ignored int
	HWPruned, HWChecks                                   int
}

// Told is the number of results accepted.
func (c Counts) Told() int { return c.Feasible + c.Infeasible + c.Pruned + c.Failed }

func (c *Counts) add(r *Result) {
	switch {
	case r.Failed:
		c.Failed++
	case r.Pruned:
		c.Pruned++
	case r.Feasible:
		c.Feasible++
	default:
		c.Infeasible++
	}
}

// Counter is implemented by every strategy of this package.
type Counter interface{ Counts() Counts }
