package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/metric"
)

// ASHA is a multi-fidelity schedule: asynchronous successive halving (Li et
// al., "A System for Massively Parallel Hyperparameter Tuning", MLSys 2020;
// successive halving and Hyperband: Li et al., JMLR 2018). A child trains
// MinEpochs, MinEpochs·Eta, MinEpochs·Eta², … epochs (the rungs), ending at
// MaxEpochs; after each rung but the last it goes on only if its accuracy is
// among the top 1/Eta of the accuracies that rung has seen, and otherwise
// stops there. The learning-rate schedule always spans MaxEpochs, and a child
// that goes on resumes from its checkpoint, so the child that reaches
// MaxEpochs is the network training MaxEpochs at once would give.
//
// A child is judged on arrival against the children of earlier batches
// (never its own batch's), so which children go on does not depend on
// Parallel. Unlike ASHA's promotion, a child stopped early is not resumed
// later: this is the stopping form of ASHA (as Ray Tune's ASHA scheduler).
// One schedule is one bracket of Hyperband; a sweep of MinEpochs gives the
// others.
type ASHA struct {
	MinEpochs int `json:"min_epochs"`
	MaxEpochs int `json:"max_epochs"`
	Eta       int `json:"eta"`
}

// On reports whether the schedule is set.
func (a ASHA) On() bool { return a != ASHA{} }

func (a ASHA) check(ev Evaluator) error {
	if !a.On() {
		return nil
	}
	if a.MinEpochs < 1 || a.MaxEpochs <= a.MinEpochs || a.Eta < 2 {
		return fmt.Errorf("fidelity asha: want 1 ≤ min_epochs < max_epochs and eta ≥ 2, have min_epochs %d, max_epochs %d, eta %d", a.MinEpochs, a.MaxEpochs, a.Eta)
	}
	switch ev.(type) {
	case nil, RungTrainer:
		return nil
	case TableEvaluator:
		return fmt.Errorf("fidelity asha needs accuracies after each rung's epochs, and the %s evaluator reads a table with only each network's final figures (NAS-Bench-201's 200 epochs), none per epoch", ev.Name())
	}
	return fmt.Errorf("fidelity asha needs an evaluator that trains a given number of epochs (train or command); %s cannot", ev.Name())
}

// RungTrainer is an evaluator that can train one rung of a fidelity
// schedule: when Request.Fidelity.Stop is set it stops after Stop epochs of a
// schedule spanning Fidelity.Epochs, and it may save its training state to
// Request.Checkpoint and resume from it at the next rung.
type RungTrainer interface {
	Evaluator
	TrainsRungs()
}

// TrainsRungs marks the train evaluator as a RungTrainer.
func (t *TrainEvaluator) TrainsRungs() {}

// TrainsRungs marks the command evaluator as a RungTrainer: its program is
// told the rung's epochs and a checkpoint path (CommandRequest).
func (CommandEvaluator) TrainsRungs() {}

// Rungs are the epochs a child is judged at: MinEpochs·Eta^k below
// MaxEpochs, then MaxEpochs.
func (a ASHA) Rungs() []int {
	var out []int
	for ep := a.MinEpochs; ep < a.MaxEpochs; ep *= a.Eta {
		out = append(out, ep)
	}
	return append(out, a.MaxEpochs)
}

// RungMetric is the trial metric that holds a child's accuracy after ep
// epochs of a fidelity schedule.
func RungMetric(ep int) string { return fmt.Sprintf("%s_e%d", metric.Accuracy, ep) }

// EpochsMetric is the trial metric that holds the epochs a child of a
// fidelity schedule trained: the fidelity it reached.
const EpochsMetric = "epochs"

// ladder trains t's network rung by rung (each rung from the accuracy cache
// when it is there), stopping when the child falls out of the top 1/Eta. The
// trial's accuracy is that of the last rung it reached.
func (r *runner) ladder(ctx context.Context, t *Trial, net *arch.Network, threads int) (EventKind, error) {
	e := r.e
	earlier := r.trials[:len(r.trials):len(r.trials)] // earlier batches: run changes r.trials only between batches
	rungs := e.ASHA.Rungs()
	ckpt := r.checkpoint(t.ID)
	fid := r.fidelity(t)
	fid.Epochs, fid.Seed = rungs[len(rungs)-1], e.Seed
	kind, charged := TrialCached, 0.0
	for k, ep := range rungs {
		fid.Stop = ep
		if k == len(rungs)-1 {
			fid.Stop = 0
		}
		akey := r.accuracyKey(net, t.Genome[:r.nArch], fid)
		am, _, ok, err := r.o.Store.Accuracy(akey)
		if err != nil {
			return "", err
		}
		if ok {
			t.Note = t.Metrics.mergeEvaluated(am)
		} else {
			if kind, err = r.evaluateAccuracy(ctx, t, net, akey, Request{Fidelity: fid, Threads: threads, Checkpoint: ckpt}); err != nil {
				if !errors.Is(err, errUnfinished) && ckpt != "" {
					os.Remove(ckpt)
				}
				return "", err
			}
			charged += t.EvalS
		}
		acc := t.Metrics[metric.Accuracy]
		t.Metrics[RungMetric(ep)], t.Metrics[EpochsMetric] = acc, float64(ep)
		if k < len(rungs)-1 && !goesOn(earlier, RungMetric(ep), acc, e.ASHA.Eta) {
			break
		}
	}
	if ckpt != "" {
		os.Remove(ckpt)
	}
	t.EvalS, t.Status = charged, store.Trained
	if kind == TrialCached {
		t.Status = store.Cached
	}
	return kind, nil
}

// goesOn reports whether acc is among the top ⌊n/eta⌋ of the n accuracies
// the rung has seen, earlier trials' and acc (ASHA's promotion rule, Li et
// al. 2020, Algorithm 2); a tie with the last place goes on.
func goesOn(earlier []Trial, rung string, acc float64, eta int) bool {
	seen := []float64{acc}
	for i := range earlier {
		if v, ok := earlier[i].Metrics[rung]; ok {
			seen = append(seen, v)
		}
	}
	top := len(seen) / eta
	if top == 0 {
		return false
	}
	slices.Sort(seen)
	return acc >= seen[len(seen)-top]
}

// checkpoint is the file trial seq's training state is kept in between
// rungs, in the store's folder; "" when the store has none. At most Parallel
// of them exist at once: each is removed when its trial finishes.
func (r *runner) checkpoint(seq int) string {
	dir := r.o.Store.Dir()
	if dir == "" {
		return ""
	}
	dir = filepath.Join(dir, "checkpoints")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "" // train every rung from the start: slower, the same result
	}
	return filepath.Join(dir, fmt.Sprintf("exp%d-trial%d.ckpt", r.rec.ID, seq))
}
