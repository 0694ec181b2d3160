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
//
// With Hyperband set, the schedule is Hyperband's brackets s = s_max … 0
// (Li et al. JMLR 2018, Algorithm 1), s_max+1 being the number of rungs:
// bracket s is the same successive halving over the last s+1 rungs, so it
// starts at MaxEpochs·Eta^-s, and a child is judged only against its own
// bracket's children. Children go to brackets by their sequence number in
// Hyperband's proportions (Bracket).
type ASHA struct {
	MinEpochs int  `json:"min_epochs"`
	MaxEpochs int  `json:"max_epochs"`
	Eta       int  `json:"eta"`
	Hyperband bool `json:"hyperband,omitempty"`
}

// On reports whether the schedule is set.
func (a ASHA) On() bool { return a != ASHA{} }

func (a ASHA) check(ev Evaluator) error {
	if !a.On() {
		return nil
	}
	if a.MinEpochs < 1 || a.MaxEpochs <= a.MinEpochs || a.Eta < 2 {
		return fmt.Errorf("fidelity %s: want 1 ≤ min_epochs < max_epochs and eta ≥ 2, have min_epochs %d, max_epochs %d, eta %d", a.kind(), a.MinEpochs, a.MaxEpochs, a.Eta)
	}
	switch ev.(type) {
	case nil, RungTrainer:
		return nil
	case TableEvaluator:
		return fmt.Errorf("fidelity %s needs accuracies after each rung's epochs, and the %s evaluator reads a table with only each network's final figures (NAS-Bench-201's 200 epochs), none per epoch", a.kind(), ev.Name())
	}
	return fmt.Errorf("fidelity %s needs an evaluator that trains a given number of epochs (train or command); %s cannot", a.kind(), ev.Name())
}

// kind is the schedule's name in the language: asha or hyperband.
func (a ASHA) kind() string {
	if a.Hyperband {
		return "hyperband"
	}
	return "asha"
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

// Brackets is s_max+1, the number of Hyperband's brackets: one per rung
// (bracket s starts at the rung s+1 from the end); 1 without Hyperband.
func (a ASHA) Brackets() int {
	if !a.Hyperband {
		return 1
	}
	return len(a.Rungs())
}

// BracketRungs are the rungs of bracket s: the last s+1 of Rungs.
func (a ASHA) BracketRungs(s int) []int {
	r := a.Rungs()
	return r[len(r)-1-s:]
}

// Bracket is the bracket of the child with sequence number seq: s_max for
// plain ASHA. Under Hyperband, bracket s receives n_s = ⌈(s_max+1)/(s+1)·Eta^s⌉
// of every Σn_s children (Hyperband's proportions, Li et al. JMLR 2018,
// Algorithm 1, which give each bracket about the same epochs), interleaved
// by smooth weighted round robin and the most aggressive bracket first,
// rather than asynchronous Hyperband's plain round robin over brackets (Li
// et al. MLSys 2020), which would train a third of the children (eta 3,
// three brackets) to max_epochs from the start.
func (a ASHA) Bracket(seq int) int {
	smax := len(a.Rungs()) - 1
	if !a.Hyperband {
		return smax
	}
	weight, total := make([]int, smax+1), 0
	for s := range weight {
		pow := 1
		for range s {
			pow *= a.Eta
		}
		weight[s] = (pow*(smax+1) + s) / (s + 1) // ⌈(s_max+1)·Eta^s/(s+1)⌉
		total += weight[s]
	}
	current, pick := make([]int, smax+1), smax
	for range seq%total + 1 {
		pick = smax
		for s := smax; s >= 0; s-- {
			current[s] += weight[s]
			if current[s] > current[pick] {
				pick = s
			}
		}
		current[pick] -= total
	}
	return pick
}

// BracketMetric is the trial metric that holds a child's Hyperband bracket s.
const BracketMetric = "bracket"

// RungMetric is the trial metric that holds a child's accuracy after ep
// epochs of a fidelity schedule.
func RungMetric(ep int) string { return fmt.Sprintf("%s_e%d", metric.Accuracy, ep) }

// EpochsMetric is the trial metric that holds the epochs a child of a
// fidelity schedule trained: the fidelity it reached.
const EpochsMetric = "epochs"

// ladder trains t's network rung by rung of its bracket (each rung from the
// accuracy cache when it is there), stopping when the child falls out of the
// top 1/Eta of its bracket. The trial's accuracy is that of the last rung it
// reached.
func (r *runner) ladder(ctx context.Context, t *Trial, net *arch.Network, threads int) (EventKind, error) {
	e := r.e
	earlier := r.trials[:len(r.trials):len(r.trials)] // earlier batches: run changes r.trials only between batches
	bracket := e.ASHA.Bracket(t.ID)
	if e.ASHA.Hyperband {
		earlier = inBracket(earlier, bracket)
		t.Metrics[BracketMetric] = float64(bracket)
	}
	rungs := e.ASHA.BracketRungs(bracket)
	ckpt := "" // a child of Hyperband's bracket 0 trains MaxEpochs at once: a plain request, here and on workers
	if len(rungs) > 1 {
		ckpt = r.checkpoint(t.ID)
	}
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

// inBracket are the trials of Hyperband's bracket s.
func inBracket(trials []Trial, s int) []Trial {
	var out []Trial
	for _, t := range trials {
		if b, ok := t.Metrics[BracketMetric]; ok && int(b) == s {
			out = append(out, t)
		}
	}
	return out
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
