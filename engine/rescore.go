package engine

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// UntrainedReason is the Error of a re-scored trial whose network now meets
// the hard constraints but was never trained (status Untrained); running the
// experiment trains it.
const UntrainedReason = "the network meets the constraints on this hardware but was never trained at this fidelity"

// Rescore re-scores the hardware of every stored trial of the latest run of
// experiment from on e's hardware (a changed platform, pool or precision)
// and stores the result as a run of e. Accuracy comes only from the
// accuracy cache: nothing is trained. A trial that now breaks a hard
// constraint is pruned; one that now meets them but has no cached accuracy
// is recorded as Untrained (a later Run trains it). A differentiable run's
// searches are not run again: the new run keeps the old one's epochs'
// reports (ArchHistory), the distributions its children were derived from.
func Rescore(ctx context.Context, e Experiment, from string, o Options) (*Outcome, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	if o.Store == nil {
		return nil, fmt.Errorf("rescore %q: no store", from)
	}
	if e.Hash == "" && e.Spec != "" {
		e.Hash = SpecHash(e.Spec)
	}
	old, err := Load(o.Store, from)
	if err != nil {
		return nil, fmt.Errorf("rescore: %w", err)
	}
	r := &runner{e: &e, o: o, nArch: len(e.Space.Decisions()), best: -1, searches: old.searches, history: old.ArchHistory}
	r.start = time.Now()
	if r.rec, err = o.Store.Experiment(e.Name, e.Spec, e.Hash, e.Seed); err != nil {
		return nil, err
	}
	if err := o.Store.SetMeta(r.rec.ID, encodeMeta(&e, 0, r.searches...)); err != nil {
		return nil, err
	}
	e.Evaluator = cacheOnly{name: e.Evaluator.Name()}
	for _, t := range old.Trials {
		if err := ctx.Err(); err != nil {
			return r.outcome(), fmt.Errorf("rescore %q stopped after %d trials: %w", from, len(r.trials), err)
		}
		nt, ok := r.trial(ctx, t.ID, t.Genome, 1)
		if !ok {
			return r.outcome(), fmt.Errorf("rescore %q stopped after %d trials: %w", from, len(r.trials), ctx.Err())
		}
		r.trials = append(r.trials, nt)
	}
	return r.outcome(), nil
}

// cacheOnly stands in for an evaluator when nothing may be trained: the
// engine asks it only on an accuracy cache miss, and it refuses.
type cacheOnly struct{ name string }

func (c cacheOnly) Name() string { return c.name }

func (c cacheOnly) Evaluate(context.Context, Request) (Evaluation, error) {
	return Evaluation{}, errUntrained
}

var errUntrained = errors.New(UntrainedReason)
