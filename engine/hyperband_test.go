package engine

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/internal/hwnastest"
	"github.com/hwnas/hwnas/metric"
)

// Hyperband's brackets are suffixes of the rungs, and children go to them
// in Hyperband's proportions (9, 5 and 3 of every 17 for eta 3 and rungs
// 1, 3, 9), the most aggressive bracket first; plain ASHA has one bracket.
func TestHyperbandBrackets(t *testing.T) {
	hb := ASHA{MinEpochs: 1, MaxEpochs: 9, Eta: 3, Hyperband: true}
	if hb.Brackets() != 3 || !reflect.DeepEqual(hb.BracketRungs(2), []int{1, 3, 9}) ||
		!reflect.DeepEqual(hb.BracketRungs(1), []int{3, 9}) || !reflect.DeepEqual(hb.BracketRungs(0), []int{9}) {
		t.Errorf("brackets %d, rungs %v %v %v", hb.Brackets(), hb.BracketRungs(2), hb.BracketRungs(1), hb.BracketRungs(0))
	}
	count := map[int]int{}
	var seq []int
	for i := range 17 {
		b := hb.Bracket(i)
		count[b]++
		seq = append(seq, b)
		if hb.Bracket(i+17) != b || hb.Bracket(i+34) != b {
			t.Errorf("child %d: bracket %d, but child %d %d", i, b, i+17, hb.Bracket(i+17))
		}
	}
	if !reflect.DeepEqual(count, map[int]int{2: 9, 1: 5, 0: 3}) || seq[0] != 2 {
		t.Errorf("brackets of 17 children %v: counts %v, want 9, 5, 3 with bracket 2 first", seq, count)
	}
	if got := (ASHA{MinEpochs: 1, MaxEpochs: 4, Eta: 2, Hyperband: true}).Bracket(0); got != 2 {
		t.Errorf("eta 2, rungs 1 2 4: first child in bracket %d", got)
	}
	plain := ASHA{MinEpochs: 1, MaxEpochs: 9, Eta: 3}
	for i := range 5 {
		if plain.Brackets() != 1 || plain.Bracket(i) != 2 {
			t.Errorf("asha: %d brackets, child %d in %d", plain.Brackets(), i, plain.Bracket(i))
		}
	}
}

// rungsExperiment is ashaExperiment with the rungs 1, 2 and 4 epochs (eta
// 2), under Hyperband (three brackets) or not, searched by strategy and
// trained by the rungs command helper. Bananas uses its predictor from the
// fifth child on and fits it on the observations at 4 epochs once there are
// five (its fidelity floor: max(initial, genes+1)), at 2 epochs before.
func rungsExperiment(t *testing.T, strategy string, hyperband bool, parallel int) Experiment {
	t.Setenv("HWNAS_CMD_HELPER", "rungs")
	t.Setenv("HWNAS_RUNGS_MAX", "4")
	e := ashaExperiment(parallel)
	e.Name = "hyperband"
	e.ASHA = ASHA{MinEpochs: 1, MaxEpochs: 4, Eta: 2, Hyperband: hyperband}
	e.Evaluator = CommandEvaluator{Argv: []string{os.Args[0]}}
	e.Budget.Trials = 30
	e.Strategy = StrategySpec{Kind: strategy}
	if strategy == "bananas" {
		e.Strategy.Params = map[string]float64{"initial": 4, "ensemble": 2, "steps": 30}
	}
	return e
}

// A run under Hyperband: each child records its bracket, trains only that
// bracket's rungs, and goes on exactly when it is in the top 1/eta of the
// earlier batches' children of its own bracket (judged against every
// bracket, some decisions would differ); no checkpoint is left.
// The same holds with bananas proposing the children (BOHB).
func TestHyperbandRun(t *testing.T) {
	for _, strategy := range []string{"random", "bananas"} {
		t.Run(strategy, func(t *testing.T) {
			dir := t.TempDir()
			e := rungsExperiment(t, strategy, true, 2)
			out, err := Run(context.Background(), e, Options{Store: hwnastest.OpenStore(t, dir), Cores: 2})
			if err != nil {
				t.Fatal(err)
			}
			checkHyperband(t, e, out.Trials)
			if left, _ := filepath.Glob(filepath.Join(dir, "checkpoints", "*")); len(left) > 0 {
				t.Errorf("checkpoints left: %v", left)
			}
		})
	}
}

// checkHyperband checks trials (by ID, batches of e.Batch or 4) against
// Hyperband's rules.
func checkHyperband(t *testing.T, e Experiment, trials []Trial) {
	t.Helper()
	batch := cmp.Or(e.Batch, 4)
	brackets, differs := map[int]int{}, 0
	for i, tr := range trials {
		if tr.ID != i || tr.Status == store.Failed {
			t.Fatalf("trial %d: %s", i, trialLine(&tr))
		}
		b := e.ASHA.Bracket(tr.ID)
		brackets[b]++
		if got, ok := tr.Metrics[BracketMetric]; !ok || int(got) != b {
			t.Errorf("trial %d: bracket metric %v, want %d", i, got, b)
		}
		rungs := e.ASHA.BracketRungs(b)
		for _, ep := range e.ASHA.Rungs()[:e.ASHA.Brackets()-1-b] {
			if _, ok := tr.Metrics[RungMetric(ep)]; ok {
				t.Errorf("trial %d of bracket %d has a rung of %d epochs", i, b, ep)
			}
		}
		earlier := trials[:tr.ID/batch*batch]
		for k, ep := range rungs[:len(rungs)-1] {
			acc, ok := tr.Metrics[RungMetric(ep)]
			if !ok {
				break
			}
			_, went := tr.Metrics[RungMetric(rungs[k+1])]
			if want := goesOn(inBracket(earlier, b), RungMetric(ep), acc, e.ASHA.Eta); went != want {
				t.Errorf("trial %d of bracket %d at %d epochs (accuracy %v): went on %v, want %v", i, b, ep, acc, went, want)
			}
			if goesOn(earlier, RungMetric(ep), acc, e.ASHA.Eta) != went {
				differs++
			}
		}
		if ep := tr.Metrics[EpochsMetric]; tr.Metrics[RungMetric(int(ep))] != tr.Metrics[metric.Accuracy] {
			t.Errorf("trial %d: accuracy is not that of its last rung (%v epochs)", i, ep)
		}
	}
	if len(brackets) != 3 || differs == 0 {
		t.Errorf("children per bracket %v; %d decisions would differ judged against every bracket, want some", brackets, differs)
	}
}

// A run under a fidelity schedule interrupted while a child resumes its
// last rung, then run again: the finished trials are resumed, the
// interrupted child's earlier rungs come from the accuracy cache and its
// last rung resumes from the checkpoint the interruption left, and the
// trials are those of a run never interrupted, which are those of another
// such run. Random and bananas (BOHB) under Hyperband, bananas under ASHA.
func TestScheduleRerun(t *testing.T) {
	for _, c := range []struct {
		strategy  string
		hyperband bool
	}{{"random", true}, {"bananas", true}, {"bananas", false}} {
		t.Run(fmt.Sprintf("%s/hyperband=%v", c.strategy, c.hyperband), func(t *testing.T) {
			e := func() Experiment { return rungsExperiment(t, c.strategy, c.hyperband, 1) }
			scheduleRerun(t, e)
		})
	}
}

// scheduleRerun is TestScheduleRerun for the experiment e makes.
func scheduleRerun(t *testing.T, e func() Experiment) {
	want := scheduleTrials(t, e(), t.TempDir(), nil)
	if again := scheduleTrials(t, e(), t.TempDir(), nil); !reflect.DeepEqual(again, want) {
		t.Fatalf("two runs differ:\n%v\n%v", again, want)
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "requests.log")
	t.Setenv("HWNAS_RUNGS_LOG", log)
	t.Setenv("HWNAS_RUNGS_BLOCK", "4")
	scheduleTrials(t, e(), dir, func(cancel context.CancelFunc) {
		waitFor(t, log, "block")
		cancel()
	})
	if left, _ := filepath.Glob(filepath.Join(dir, "checkpoints", "*")); len(left) != 1 {
		t.Fatalf("checkpoints after the interruption: %v, want the interrupted child's", left)
	}
	os.Setenv("HWNAS_RUNGS_BLOCK", "") // t.Setenv restores it
	if err := os.Remove(log); err != nil {
		t.Fatal(err)
	}
	got := scheduleTrials(t, e(), dir, nil)
	b, _ := os.ReadFile(log)
	lines := strings.Split(string(b), "\n")
	if f := strings.Fields(lines[0]); len(f) < 2 || f[len(f)-2] != "4" || f[len(f)-1] == "0" {
		t.Errorf("the rerun's first request %q, want the interrupted child resuming its 4-epoch rung", lines[0])
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("interrupted and rerun:\n%v\nnever interrupted:\n%v", got, want)
	}
}

// scheduleTrials runs e in a store in dir and returns its trials' lines
// (resumed_from left out). With during set it calls during while the run
// goes on, with the run's cancel, and expects the run to end cancelled.
func scheduleTrials(t *testing.T, e Experiment, dir string, during func(context.CancelFunc)) []string {
	t.Helper()
	st := hwnastest.OpenStore(t, dir)
	defer st.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		out *Outcome
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := Run(ctx, e, Options{Store: st, Cores: 1})
		done <- result{out, err}
	}()
	if during != nil {
		during(cancel)
	}
	r := <-done
	if (r.err != nil) != (during != nil) {
		t.Fatalf("run: %v", r.err)
	}
	var lines []string
	for _, tr := range r.out.Trials {
		delete(tr.Metrics, "resumed_from")
		tr.Resumed = false
		lines = append(lines, trialLine(&tr))
	}
	return lines
}

// waitFor polls file until it holds s, failing after 30 s.
func waitFor(t *testing.T, file, s string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(file); err == nil && strings.Contains(string(b), s) {
			return
		}
	}
	t.Fatalf("%s never held %q", file, s)
}
