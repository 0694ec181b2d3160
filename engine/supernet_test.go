package engine

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"syscall"
	"testing"

	"github.com/hwnas/hwnas/engine/data"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/internal/hwnastest"
	"github.com/hwnas/hwnas/metric"
)

func oneshotExperiment(name string, maxLat float64) Experiment {
	ev := &SupernetEvaluator{Data: &TrainEvaluator{Source: "mnist", Load: data.MNIST}, SpaceKey: SpaceKey(hwnastest.MobileSpace()), Epochs: 2, BNBatches: 3}
	return Experiment{Name: name, Space: hwnastest.MobileSpace(), Hardware: fakeHardware("PYNQ-Z1", 100), Evaluator: ev,
		Fidelity:    Fidelity{Dataset: "mnist", Train: 600, Val: 200, Test: 200, Epochs: 1, Batch: 32, LR: 0.01, Optimizer: "adam"},
		Objectives:  []Objective{{metric.Accuracy, true}},
		Constraints: []Constraint{{Metric: metric.LatencyMs, Op: "<=", Value: maxLat, Hard: true}},
		Strategy:    StrategySpec{Kind: "random"}, Budget: Budget{Trials: 12}, Retrain: 2, Seed: 4}
}

// TestSupernetSearch runs a one-shot search: the supernet is trained once
// (two epochs reported), children are inherited or pruned before scoring,
// the two best are retrained and make the front; a second experiment that
// changes only the constraint reuses the stored supernet, and --parallel
// changes nothing.
func TestSupernetSearch(t *testing.T) {
	st := hwnastest.OpenStore(t, t.TempDir())
	var epochs []string
	var last Event
	progress := func(ev Event) {
		if ev.Kind == SupernetEpoch {
			epochs = append(epochs, ev.Note)
		}
		last = ev
	}
	out, err := Run(context.Background(), oneshotExperiment("a", 0.6), Options{Store: st, Progress: progress, Cores: 2})
	if err != nil {
		t.Fatal(err)
	}
	if last.Done != 14 || last.Total != 14 { // the retrained count too, not "[14/12]"
		t.Errorf("last progress: %d of %d trials, want 14 of 14", last.Done, last.Total)
	}
	if last.BestTrial < 12 { // the front shows retrained children: so does the progress's best
		t.Errorf("last progress names trial %d as the best, an inherited one; want a retrained trial", last.BestTrial)
	}
	if len(epochs) != 2 {
		t.Fatalf("supernet epochs reported: %q, want 2", epochs)
	}
	if len(out.Trials) != 14 || out.Counts.Retrained != 2 || out.Counts.Inherited == 0 || out.Counts.Pruned == 0 {
		t.Fatalf("%d trials, counts %+v: want 12 searched (inherited and pruned) and 2 retrained", len(out.Trials), out.Counts)
	}
	best := -1.0
	for _, tr := range out.Trials[:12] {
		_, scored := tr.Metrics[metric.Accuracy]
		if tr.Status == store.Pruned && scored {
			t.Errorf("trial %d was pruned after scoring", tr.ID)
		}
		if tr.Status == store.Inherited && tr.Feasible {
			best = max(best, tr.Metrics[metric.Accuracy])
		}
	}
	if best < 0.2 { // chance is 0.1; 38 steps of a tiny supernet reach about 0.25
		t.Errorf("best inherited accuracy %.3f: the supernet learnt nothing", best)
	}
	for _, tr := range out.Trials[12:] {
		if tr.Status != store.Retrained || !tr.Feasible || tr.Metrics[metric.Accuracy] <= 0 {
			t.Errorf("trial %d: %s feasible %t accuracy %g, want a feasible retrained child", tr.ID, tr.Status, tr.Feasible, tr.Metrics[metric.Accuracy])
		}
	}
	for _, id := range out.Pareto {
		if id < 12 {
			t.Errorf("front holds search trial %d; with retrain it holds retrained trials only", id)
		}
	}
	epochs = nil
	out2, err := Run(context.Background(), oneshotExperiment("b", 0.45), Options{Store: st, Progress: progress, Cores: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(epochs) != 0 {
		t.Errorf("a new constraint retrained the supernet: %q", epochs)
	}
	if out2.Counts.Retrained != 2 {
		t.Errorf("second search counts %+v", out2.Counts)
	}
	e := oneshotExperiment("a", 0.6)
	e.Parallel = 3
	out3, err := Run(context.Background(), e, Options{Store: hwnastest.OpenStore(t, t.TempDir()), Cores: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i := range out.Trials {
		a, b := out.Trials[i], out3.Trials[i]
		if !slices.Equal(a.Genome, b.Genome) || a.Status != b.Status || !reflect.DeepEqual(a.Metrics[metric.Accuracy], b.Metrics[metric.Accuracy]) {
			t.Errorf("trial %d with parallel 3: %v %s %g, with 1: %v %s %g", i, b.Genome, b.Status, b.Metrics[metric.Accuracy], a.Genome, a.Status, a.Metrics[metric.Accuracy])
		}
	}
}

// TestSupernetResumesEpochs stops a run during supernet training after its
// first epoch: the next run trains only the second.
func TestSupernetResumesEpochs(t *testing.T) {
	st := hwnastest.OpenStore(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Run(ctx, oneshotExperiment("a", 0.6), Options{Store: st, Cores: 2, Progress: func(ev Event) {
		if ev.Kind == SupernetEpoch {
			cancel()
		}
	}})
	if err == nil {
		t.Fatal("a cancelled run finished")
	}
	var epochs []string
	if _, err := Run(context.Background(), oneshotExperiment("a", 0.6), Options{Store: st, Cores: 2, Progress: func(ev Event) {
		if ev.Kind == SupernetEpoch {
			epochs = append(epochs, ev.Note)
		}
	}}); err != nil {
		t.Fatal(err)
	}
	if len(epochs) != 1 || epochs[0][:17] != "supernet epoch 2/" {
		t.Errorf("resumed run trained %q, want epoch 2 only", epochs)
	}
}

// killedSupernetEpochs is the supernet training TestSupernetSurvivesSIGKILL
// kills: long enough that the kill lands while it trains.
const killedSupernetEpochs = 6

// supernetHelper trains the one-shot experiment's supernet on st, printing
// each finished epoch, until killed.
func supernetHelper(st *store.Store) int {
	e := oneshotExperiment("a", 0.6)
	e.Evaluator.(*SupernetEvaluator).Epochs = killedSupernetEpochs
	err := TrainSupernet(context.Background(), e, Options{Store: st, Cores: 2, Progress: func(ev Event) {
		if ev.Kind == SupernetEpoch {
			fmt.Println("epoch")
		}
	}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestSupernetSurvivesSIGKILL kills supernet training with SIGKILL after
// its first epoch: the store keeps every finished epoch, and the next run
// trains only the rest, ending with the same weights as an unbroken run.
func TestSupernetSurvivesSIGKILL(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HWNAS_RUN_HELPER="+dir, "HWNAS_RUN_SUPERNET=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	seen := 0
	for seen < 1 && sc.Scan() {
		seen++
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if seen < 1 {
		t.Fatal("the helper ended before its first epoch")
	}
	e := oneshotExperiment("a", 0.6)
	sv := e.Evaluator.(*SupernetEvaluator)
	sv.Epochs = killedSupernetEpochs
	f := e.Fidelity
	key := sv.key(f, e.Seed)
	st := hwnastest.OpenStore(t, dir)
	done, _, ok, err := st.Supernet(key)
	if err != nil || !ok || done < seen || done >= killedSupernetEpochs {
		t.Fatalf("after the kill the store has %d epochs (found %t, %v); %d were reported and %d asked", done, ok, err, seen, killedSupernetEpochs)
	}
	trained := 0
	count := Options{Store: st, Cores: 2, Progress: func(ev Event) {
		if ev.Kind == SupernetEpoch {
			trained++
		}
	}}
	if err := TrainSupernet(context.Background(), e, count); err != nil {
		t.Fatal(err)
	}
	if trained != killedSupernetEpochs-done {
		t.Errorf("resumed training ran %d epochs, want the %d left", trained, killedSupernetEpochs-done)
	}
	_, resumed, _, _ := st.Supernet(key)
	fresh := hwnastest.OpenStore(t, t.TempDir())
	if err := TrainSupernet(context.Background(), e, Options{Store: fresh, Cores: 2}); err != nil {
		t.Fatal(err)
	}
	_, unbroken, _, _ := fresh.Supernet(key)
	if !bytes.Equal(resumed, unbroken) {
		t.Error("a supernet resumed after SIGKILL differs from one trained without a break")
	}
}

// TestCandidateWeights checks SPOS's uniform rule over a slot's candidates:
// a choice of an mbconv with 2 expansions and 2 kernels or skip draws skip
// with probability 1/5, not 1/2.
func TestCandidateWeights(t *testing.T) {
	w := candidateWeights(hwnastest.MobileSpace().Decisions())
	want := [][]float64{{4, 1}, {1, 1}, {1, 1}, {4, 1}, {1, 1}, {1, 1}}
	if !reflect.DeepEqual(w, want) {
		t.Errorf("weights %v, want %v", w, want)
	}
}

// TestBestTrialPrefersRetrained: the progress's best is a retrained child
// once there is one, even below an inherited score (inherited accuracies
// are only a ranking), and otherwise the better figure.
func TestBestTrialPrefersRetrained(t *testing.T) {
	acc := Objective{Metric: metric.Accuracy, Maximize: true}
	trial := func(s store.Status, a float64) *Trial {
		return &Trial{Status: s, Metrics: Metrics{metric.Accuracy: a}}
	}
	for _, c := range []struct {
		t, b *Trial
		want bool
	}{
		{trial(store.Retrained, 0.8), trial(store.Inherited, 0.9), true},
		{trial(store.Inherited, 0.9), trial(store.Retrained, 0.8), false},
		{trial(store.Retrained, 0.9), trial(store.Retrained, 0.8), true},
		{trial(store.Inherited, 0.7), trial(store.Inherited, 0.8), false},
		{trial(store.Trained, 0.9), trial(store.Trained, 0.8), true},
	} {
		if got := betterTrial(acc, c.t, c.b); got != c.want {
			t.Errorf("%s %.1f better than %s %.1f: %t, want %t", c.t.Status, c.t.Metrics[metric.Accuracy], c.b.Status, c.b.Metrics[metric.Accuracy], got, c.want)
		}
	}
}
