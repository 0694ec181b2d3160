package engine

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine/data"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/internal/hwnastest"
	"github.com/hwnas/hwnas/metric"
	"github.com/hwnas/hwnas/search"
)

func TestASHARungs(t *testing.T) {
	for _, c := range []struct {
		a    ASHA
		want []int
	}{
		{ASHA{1, 9, 3, false}, []int{1, 3, 9}},
		{ASHA{1, 10, 3, false}, []int{1, 3, 9, 10}},
		{ASHA{2, 3, 2, false}, []int{2, 3}},
		{ASHA{1, 27, 3, false}, []int{1, 3, 9, 27}},
	} {
		if got := c.a.Rungs(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%+v: rungs %v, want %v", c.a, got, c.want)
		}
	}
	for _, a := range []ASHA{{0, 9, 3, false}, {3, 3, 3, false}, {1, 9, 1, true}} {
		if a.check(nil) == nil {
			t.Errorf("%+v: no error", a)
		}
	}
	if err := (ASHA{1, 9, 3, false}).check(TableEvaluator{}); err == nil || !strings.Contains(err.Error(), "with only each network's final figures") {
		t.Errorf("asha with a table evaluator: %v", err)
	}
	if err := (ASHA{1, 9, 3, false}).check(&SupernetEvaluator{Data: &TrainEvaluator{Source: "mnist"}}); err == nil || !strings.Contains(err.Error(), "(train or command)") {
		t.Errorf("asha with a supernet evaluator: %v", err)
	}
	if err := (ASHA{1, 9, 3, false}).check(CommandEvaluator{Argv: []string{"x"}}); err != nil {
		t.Errorf("asha with a command evaluator: %v", err)
	}
}

func TestGoesOn(t *testing.T) {
	rung := RungMetric(1)
	earlier := []Trial{{Metrics: Metrics{rung: 0.5}}, {Metrics: Metrics{rung: 0.7}}, {Metrics: Metrics{}}, {Metrics: Metrics{rung: 0.6}}}
	for _, c := range []struct {
		n    int
		acc  float64
		want bool
	}{
		{0, 0.9, false}, // alone: ⌊1/3⌋ = 0 go on
		{1, 0.9, false}, // 2 seen
		{2, 0.9, true},  // 3 seen: the top 1 goes on
		{2, 0.6, false},
		{4, 0.9, true}, // 4 seen (the trial without the rung does not count)
		{4, 0.7, true}, // a tie with the best goes on
		{4, 0.65, false},
	} {
		if got := goesOn(earlier[:c.n], rung, c.acc, 3); got != c.want {
			t.Errorf("%d earlier, accuracy %v: goes on %v, want %v", c.n, c.acc, got, c.want)
		}
	}
}

// ashaExperiment searches a 16-network MNIST space with the rungs 1 and 3 epochs.
func ashaExperiment(parallel int) Experiment {
	space := &arch.ChainSpace{SpaceName: "mini", Input: arch.Shape{H: 28, W: 28, C: 1},
		Blocks: []arch.ChainBlock{{MinRepeat: 2, MaxRepeat: 2, Layers: []arch.ChainLayer{{Alts: []arch.LayerAlt{{Kind: "conv", Params: []arch.Param{
			{Name: "kernel", Values: []int{3, 5}}, {Name: "filters", Values: []int{4, 8}}, {Name: "stride", Values: []int{2}}}}}}}}},
		Head: []arch.HeadLayer{{Kind: "gap"}, {Kind: "dense", Units: 10}}}
	return Experiment{Name: "asha", Spec: "experiment asha (test)", Space: space,
		Evaluator:  &TrainEvaluator{Source: "mnist", Load: data.MNIST},
		Fidelity:   Fidelity{Dataset: "mnist", Train: 600, Val: 200, Test: 200, Batch: 32, LR: 0.01, Optimizer: "adam"},
		ASHA:       ASHA{MinEpochs: 1, MaxEpochs: 3, Eta: 3},
		Objectives: []Objective{{metric.Accuracy, true}}, Strategy: StrategySpec{Kind: "random"},
		Budget: Budget{Trials: 12}, Parallel: parallel, Seed: 2}
}

// A run with a fidelity schedule: every trial records the rungs it reached,
// some stop at 1 epoch and some go on to 3, a child that reaches 3 epochs
// has the accuracy of training 3 epochs at once, no checkpoint is left, and
// the trials do not depend on Parallel.
func TestASHARun(t *testing.T) {
	var want []string
	for _, p := range []int{1, 2} {
		dir := t.TempDir()
		e := ashaExperiment(p)
		out, err := Run(context.Background(), e, Options{Store: hwnastest.OpenStore(t, dir), Cores: 2})
		if err != nil {
			t.Fatal(err)
		}
		reached := map[float64]int{}
		for _, tr := range out.Trials {
			ep := tr.Metrics[EpochsMetric]
			reached[ep]++
			if tr.Metrics[RungMetric(int(ep))] != tr.Metrics[metric.Accuracy] {
				t.Errorf("trial %s: accuracy is not that of its last rung", trialLine(&tr))
			}
			if ep == 3 && p == 1 {
				checkWhole(t, e, &tr)
			}
		}
		if reached[1] == 0 || reached[3] == 0 || reached[1]+reached[3] != len(out.Trials) {
			t.Errorf("parallel %d: epochs reached %v, want some 1 and some 3", p, reached)
		}
		if left, _ := filepath.Glob(filepath.Join(dir, "checkpoints", "*")); len(left) > 0 {
			t.Errorf("checkpoints left: %v", left)
		}
		for _, tr := range out.Trials {
			delete(tr.Metrics, "train_s") // wall time
		}
		if got := summary(out); want == nil {
			want = got
		} else if !reflect.DeepEqual(got, want) {
			t.Errorf("parallel %d differs from parallel 1:\n%v\n%v", p, got, want)
		}
	}
}

// checkWhole trains tr's network for the schedule's last rung at once.
func checkWhole(t *testing.T, e Experiment, tr *Trial) {
	t.Helper()
	net, err := e.Space.Decode(tr.Genome)
	if err != nil {
		t.Fatal(err)
	}
	f := e.Fidelity
	f.Epochs, f.Seed = 3, e.Seed
	ev, err := e.Evaluator.Evaluate(context.Background(), Request{Network: net, Fidelity: f, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Metrics[metric.Accuracy] != tr.Metrics[metric.Accuracy] {
		t.Errorf("trial %s: 3 epochs at once give accuracy %v", trialLine(tr), ev.Metrics[metric.Accuracy])
	}
}

// ASHA with a command evaluator: the program is told each rung's epochs,
// the schedule's and an absolute checkpoint path; a child that goes on
// resumes from what it saved at its previous rung, and no checkpoint is
// left.
func TestASHACommand(t *testing.T) {
	t.Setenv("HWNAS_CMD_HELPER", "rungs")
	t.Setenv("HWNAS_RUNGS_MAX", "3")
	dir := t.TempDir()
	e := ashaExperiment(2)
	e.Evaluator = CommandEvaluator{Argv: []string{os.Args[0]}}
	out, err := Run(context.Background(), e, Options{Store: hwnastest.OpenStore(t, dir), Cores: 2})
	if err != nil {
		t.Fatal(err)
	}
	reached := map[float64]int{}
	for _, tr := range out.Trials {
		if tr.Status == store.Failed {
			t.Fatalf("trial %s: %s", trialLine(&tr), tr.Error)
		}
		ep := tr.Metrics[EpochsMetric]
		reached[ep]++
		if resumed := tr.Metrics["resumed_from"]; ep == 3 && resumed != 1 && tr.Status != store.Cached {
			t.Errorf("trial %s reached 3 epochs resuming from epoch %v, want 1", trialLine(&tr), resumed)
		}
	}
	if reached[1] == 0 || reached[3] == 0 {
		t.Errorf("epochs reached %v, want some 1 and some 3", reached)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "checkpoints", "*")); len(left) > 0 {
		t.Errorf("checkpoints left: %v", left)
	}
}

// Under a fidelity schedule a trained trial's result tells the strategy the
// epochs it reached and its accuracy at the rungs it passed; a pruned
// trial's, or any trial's without a schedule (where "epochs" may be a
// command's own metric), tells fidelity 0 and no rungs.
func TestStrategyResultFidelity(t *testing.T) {
	passed := []search.Rung{{Fidelity: 1, Objectives: []float64{0.5}}}
	for _, c := range []struct {
		schedule bool
		status   store.Status
		want     int
		rungs    []search.Rung
	}{{true, store.Trained, 3, passed}, {true, store.Cached, 3, passed}, {true, store.Pruned, 0, nil}, {false, store.Trained, 0, nil}} {
		e := ashaExperiment(1)
		if !c.schedule {
			e.ASHA = ASHA{}
		}
		s, err := newStrategy(&e)
		if err != nil {
			t.Fatal(err)
		}
		tr := Trial{Status: c.status, Feasible: true, Metrics: Metrics{metric.Accuracy: 0.9, EpochsMetric: 3, RungMetric(1): 0.5, RungMetric(3): 0.9}}
		if r := s.result(0, &tr, nil); r.Fidelity != c.want || !reflect.DeepEqual(r.Rungs, c.rungs) {
			t.Errorf("schedule %v, %s trial: fidelity %d, rungs %v; want %d, %v", c.schedule, c.status, r.Fidelity, r.Rungs, c.want, c.rungs)
		}
	}
}
