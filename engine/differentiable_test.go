package engine

import (
	"bufio"
	"context"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine/data"
	"github.com/hwnas/hwnas/engine/nn"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/fpga"
	"github.com/hwnas/hwnas/fpga/lut"
	"github.com/hwnas/hwnas/internal/hwnastest"
	"github.com/hwnas/hwnas/metric"
	"github.com/hwnas/hwnas/search"
)

// diffExperiment is a differentiable search of mobileSpace on 600 MNIST
// images, against the PYNQ-Z1's latency table at int16.
func diffExperiment(t *testing.T, name string, s StrategySpec) Experiment {
	t.Helper()
	e, err := newDiffExperiment(name, s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func newDiffExperiment(name string, s StrategySpec) (Experiment, error) {
	sp := hwnastest.MobileSpace()
	dev, err := fpga.Lookup("PYNQ-Z1")
	if err != nil {
		return Experiment{}, err
	}
	o := fpga.Options{Precision: fpga.Int16}
	table, err := lut.Build(sp, dev, o)
	if err != nil {
		return Experiment{}, err
	}
	ev := &SupernetEvaluator{Data: &TrainEvaluator{Source: "mnist", Load: data.MNIST}, SpaceKey: SpaceKey(sp), Epochs: 1, BNBatches: 3}
	return Experiment{Name: name, Space: sp, Hardware: PlatformHardware(dev, o), Evaluator: ev, Table: table,
		Fidelity:   Fidelity{Dataset: "mnist", Train: 600, Val: 200, Test: 200, Epochs: 1, Batch: 32, LR: 0.01, Optimizer: "adam"},
		Objectives: []Objective{{metric.Accuracy, true}}, Strategy: s, Budget: Budget{Trials: 5}, Seed: 4}, nil
}

// tableLatency is the table's latency of a trial's child.
func tableLatency(t *testing.T, e Experiment, tr Trial) float64 {
	t.Helper()
	s, err := e.Table.Sum(tr.Genome)
	if err != nil {
		t.Fatal(err)
	}
	return s.LatencyMs
}

// TestDifferentiableLatencyTerm sweeps the latency term of both
// strategies: proxyless's add_linear loss with a tight and a loose target,
// fbnet's exponent β at 0 (latency ignored) and 4. The tight target and the
// large exponent must derive a faster child, each derived child is a trial
// scored on the platform with inherited weights (the slower well above
// chance), the second search reuses the first's warm-up, and
// every epoch reports the distribution.
func TestDifferentiableLatencyTerm(t *testing.T) {
	for _, c := range []struct {
		s          StrategySpec
		fast, slow int // trials
	}{
		{StrategySpec{Kind: "proxyless", Params: map[string]float64{"epochs": 4, "warmup": 1, "loss": 1, "lambda": 1, "arch_lr": 0.2, "prior": search.PriorUniform},
			Sweep: "target", SweepValues: []float64{0.02, 5}}, 0, 1},
		{StrategySpec{Kind: "fbnet", Params: map[string]float64{"epochs": 3, "warmup": 1, "arch_lr": 0.2, "prior": search.PriorUniform},
			Sweep: "beta", SweepValues: []float64{0, 4}}, 1, 0},
	} {
		t.Run(c.s.Kind, func(t *testing.T) {
			e := diffExperiment(t, c.s.Kind, c.s)
			var events []*ArchEpoch
			st := hwnastest.OpenStore(t, t.TempDir())
			out, err := Run(context.Background(), e, Options{Store: st, Cores: 2, Progress: func(ev Event) {
				if ev.Kind == DiffEpoch {
					events = append(events, ev.Arch)
				}
			}})
			if err != nil {
				t.Fatal(err)
			}
			// The second search starts from the first's warm-up.
			if ep, warm := int(c.s.Params["epochs"]), int(c.s.Params["warmup"]); len(out.Trials) != 2 || len(events) != 2*ep-warm {
				t.Fatalf("%d trials, %d epochs reported, want 2 and %d", len(out.Trials), len(events), 2*ep-warm)
			}
			for _, tr := range out.Trials {
				if tr.Status != store.Inherited || tr.Metrics[metric.Accuracy] <= 0 || tr.Metrics[metric.LatencyMs] <= 0 {
					t.Errorf("trial %d: %s, metrics %v: want an inherited child with an accuracy and a latency", tr.ID, tr.Status, tr.Metrics)
				}
			}
			if acc := out.Trials[c.slow].Metrics[metric.Accuracy]; acc < 0.2 { // chance is 0.1 (the fast child, all skips, is about there)
				t.Errorf("the slower child inherits accuracy %.3f: the supernet learnt nothing", acc)
			}
			fast, slow := tableLatency(t, e, out.Trials[c.fast]), tableLatency(t, e, out.Trials[c.slow])
			if !(fast < slow) {
				t.Errorf("%s %v: derived children of %.4f and %.4f ms; the stronger latency term must give the faster", c.s.Sweep, c.s.SweepValues, fast, slow)
			}
			last := events[len(events)-1]
			if last.Warmup || len(last.Positions) != 2 || len(last.Positions[0].Probs) != 5 || last.LatencyMs <= 0 {
				t.Errorf("last epoch reported %+v", last)
			}
			checkHistory(t, st, out, c.s, events)
		})
	}
}

// checkHistory checks the outcome's ArchHistory, as Run returns it and as
// Load reads it back: every epoch of every sweep value, numbered and
// labelled, the epochs trained equal to the events reported and the
// shared warm-up's repeated under the second value.
func checkHistory(t *testing.T, st *store.Store, out *Outcome, s StrategySpec, events []*ArchEpoch) {
	t.Helper()
	loaded, err := Load(st, out.Experiment)
	if err != nil {
		t.Fatal(err)
	}
	ep, warm := int(s.Params["epochs"]), int(s.Params["warmup"])
	for _, h := range [][]ArchEpoch{out.ArchHistory, loaded.ArchHistory} {
		if len(h) != 2*ep {
			t.Fatalf("history of %d epochs, want %d", len(h), 2*ep)
		}
		for i, ae := range h {
			label := fmt.Sprintf("%s=%g", s.Sweep, s.SweepValues[i/ep])
			if ae.Epoch != i%ep+1 || ae.Sweep != label || ae.Strategy != s.Kind || ae.Warmup != (ae.Epoch <= warm) {
				t.Errorf("history[%d]: %s %s epoch %d (warm-up %t), want %s %s epoch %d", i, ae.Strategy, ae.Sweep, ae.Epoch, ae.Warmup, s.Kind, label, i%ep+1)
			}
		}
		trained := slices.Concat(h[:ep], h[ep+warm:])
		for i, ev := range events {
			if !slices.Equal(ev.Positions[1].Probs, trained[i].Positions[1].Probs) || ev.LatencyMs != trained[i].LatencyMs {
				t.Errorf("history epoch %d differs from the event reported: %v against %v", i, trained[i].Positions[1].Probs, ev.Positions[1].Probs)
			}
		}
	}
}

// resumeStrategy is the fbnet search the resume tests stop.
var resumeStrategy = StrategySpec{Kind: "fbnet", Params: map[string]float64{"epochs": 3, "warmup": 1}}

// diffHelper runs resumeStrategy's search on st, printing each finished
// epoch, until killed (TestDifferentiableSurvivesSIGKILL).
func diffHelper(st *store.Store) int {
	e, err := newDiffExperiment("a", resumeStrategy)
	if err == nil {
		_, err = Run(context.Background(), e, Options{Store: st, Cores: 2, Progress: func(ev Event) {
			if ev.Kind == DiffEpoch {
				fmt.Println("epoch")
			}
		}})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestDifferentiableSurvivesSIGKILL kills an fbnet search with SIGKILL
// after its first epoch; the next run trains only the epochs left and
// derives the child an uninterrupted run derives, with the same inherited
// accuracy; a third run trains nothing.
func TestDifferentiableSurvivesSIGKILL(t *testing.T) {
	whole, err := Run(context.Background(), diffExperiment(t, "a", resumeStrategy), Options{Store: hwnastest.OpenStore(t, t.TempDir()), Cores: 2})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HWNAS_RUN_HELPER="+dir, "HWNAS_RUN_DIFF=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if !bufio.NewScanner(out).Scan() {
		t.Fatal("the helper ended before its first epoch")
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	st := hwnastest.OpenStore(t, dir)
	e := diffExperiment(t, "a", resumeStrategy)
	pts, err := diffPoints(&e)
	if err != nil {
		t.Fatal(err)
	}
	f := e.Fidelity
	f.Seed = e.Seed
	done, _, ok, err := st.Supernet(pts[0].key(e.Evaluator.(*SupernetEvaluator), e.Table, f, e.Seed))
	if err != nil || !ok || done < 1 || done >= 3 {
		t.Fatalf("after the kill the store has %d of 3 epochs (found %t, %v)", done, ok, err)
	}
	epochs := 0
	count := func(ev Event) {
		if ev.Kind == DiffEpoch {
			epochs++
		}
	}
	for run, want := range []int{3 - done, 0} {
		epochs = 0
		out, err := Run(context.Background(), diffExperiment(t, "a", resumeStrategy), Options{Store: st, Cores: 1, Progress: count})
		if err != nil {
			t.Fatal(err)
		}
		if epochs != want {
			t.Errorf("run %d trained %d epochs, want %d", run+2, epochs, want)
		}
		a, b := whole.Trials[0], out.Trials[0]
		if !slices.Equal(a.Genome, b.Genome) || a.Metrics[metric.Accuracy] != b.Metrics[metric.Accuracy] {
			t.Errorf("run %d derived %v (accuracy %g), an uninterrupted run %v (%g)", run+2, b.Genome, b.Metrics[metric.Accuracy], a.Genome, a.Metrics[metric.Accuracy])
		}
		sameHistory(t, fmt.Sprintf("run %d", run+2), out.ArchHistory, whole.ArchHistory)
	}
	loaded, err := Load(st, "a")
	if err != nil {
		t.Fatal(err)
	}
	sameHistory(t, "the run read back", loaded.ArchHistory, whole.ArchHistory)
}

// sameHistory checks that got has the epochs and probabilities of want.
func sameHistory(t *testing.T, what string, got, want []ArchEpoch) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: history of %d epochs, an uninterrupted run's %d", what, len(got), len(want))
	}
	for i := range got {
		for j, p := range got[i].Positions {
			if got[i].Epoch != want[i].Epoch || !slices.Equal(p.Probs, want[i].Positions[j].Probs) {
				t.Errorf("%s: epoch %d position %s: %v, an uninterrupted run's epoch %d: %v", what, got[i].Epoch, p.Name, p.Probs, want[i].Epoch, want[i].Positions[j].Probs)
			}
		}
	}
}

// TestDifferentiableNeeds refuses a differentiable search without a
// supernet evaluator or a latency table, and proxyless without a target.
func TestDifferentiableNeeds(t *testing.T) {
	noSupernet := diffExperiment(t, "a", StrategySpec{Kind: "fbnet"})
	noSupernet.Evaluator = &TrainEvaluator{Source: "mnist", Load: data.MNIST}
	noTable := diffExperiment(t, "b", StrategySpec{Kind: "fbnet"})
	noTable.Table = nil
	noTarget := diffExperiment(t, "c", StrategySpec{Kind: "proxyless"})
	onWorkers := diffExperiment(t, "d", StrategySpec{Kind: "fbnet"})
	onWorkers.Evaluator = &remote{Evaluator: onWorkers.Evaluator}
	for _, c := range []struct {
		e    Experiment
		want string
	}{
		{noSupernet, "strategy fbnet trains a supernet: it needs a supernet evaluator"},
		{noTable, "strategy fbnet needs a latency table: give the experiment a platform"},
		{noTarget, "strategy proxyless needs a latency target"},
		{onWorkers, "strategy fbnet trains its supernet and scores the children it derives in this process, not on workers"},
	} {
		_, err := Run(context.Background(), c.e, Options{Store: hwnastest.OpenStore(t, t.TempDir()), Cores: 1})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.e.Name, err, c.want)
		}
	}
}

// TestProxylessLoss checks every proxyless loss's gradients against finite
// differences, and mnas_hard's MnasNet hard constraint: no latency
// gradient at or below the target, a positive one above, the loss
// continuous at the target and equal to mul_log with β = 0 within it.
func TestProxylessLoss(t *testing.T) {
	const target, ce = 0.3, 0.7
	for loss, name := range []string{"mul_log", "add_linear", "mnas_hard"} {
		st := &diffState{pt: diffPoint{kind: "proxyless", targetMs: target,
			p: map[string]float64{"loss": float64(loss), "alpha": 1.5, "beta": 0.6, "lambda": 0.2}}}
		for _, e := range []float64{0.1, 0.29, 0.31, 0.9} {
			l, dCE, dLat := st.proxylessLoss(ce, e)
			const h = 1e-6
			up, _, _ := st.proxylessLoss(ce, e+h)
			down, _, _ := st.proxylessLoss(ce, e-h)
			upCE, _, _ := st.proxylessLoss(ce+h, e)
			if fd := (up - down) / (2 * h); math.Abs(fd-dLat) > 1e-4*max(1, math.Abs(fd)) {
				t.Errorf("%s at E %g ms: ∂L/∂E %g, finite difference %g", name, e, dLat, fd)
			}
			if fd := (upCE - l) / h; math.Abs(fd-dCE) > 1e-4*max(1, math.Abs(fd)) {
				t.Errorf("%s at E %g ms: ∂L/∂CE %g, finite difference %g", name, e, dCE, fd)
			}
			if name == "mnas_hard" && (e <= target) != (dLat == 0) {
				t.Errorf("mnas_hard at E %g ms, target %g: ∂L/∂E %g, want 0 exactly when E ≤ target", e, target, dLat)
			}
		}
	}
	hard := &diffState{pt: diffPoint{kind: "proxyless", targetMs: target, p: map[string]float64{"loss": 2, "alpha": 1.5}}}
	flat := &diffState{pt: diffPoint{kind: "proxyless", targetMs: target, p: map[string]float64{"loss": 0, "alpha": 1.5, "beta": 0}}}
	at, _, _ := hard.proxylessLoss(ce, target)
	above, _, _ := hard.proxylessLoss(ce, target*(1+1e-9))
	within, _, _ := hard.proxylessLoss(ce, 0.1)
	ref, _, _ := flat.proxylessLoss(ce, 0.1)
	if math.Abs(above-at) > 1e-6 || within != ref {
		t.Errorf("mnas_hard: L(T) %g, L(T+) %g (want continuous); L(0.1 ms) %g, mul_log with β 0 %g (want equal)", at, above, within, ref)
	}
}

// TestProxylessHardConstraint searches with mnas_hard twice: with a target
// above every child's latency it must run exactly as mul_log with β = 0
// (latency ignored: no pressure within the target), and with a target
// below every child's it must derive the fastest child of the table.
func TestProxylessHardConstraint(t *testing.T) {
	run := func(p map[string]float64) (Trial, *ArchEpoch, Experiment) {
		t.Helper()
		p = maps.Clone(p)
		p["epochs"], p["warmup"], p["arch_lr"] = 3, 1, 0.2
		e := diffExperiment(t, "hard", StrategySpec{Kind: "proxyless", Params: p})
		var last *ArchEpoch
		out, err := Run(context.Background(), e, Options{Store: hwnastest.OpenStore(t, t.TempDir()), Cores: 2, Progress: func(ev Event) {
			if ev.Kind == DiffEpoch {
				last = ev.Arch
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Trials[0], last, e
	}
	loose, lastLoose, _ := run(map[string]float64{"loss": 2, "target": 100})
	flat, lastFlat, _ := run(map[string]float64{"loss": 0, "beta": 0, "target": 100})
	if !slices.Equal(loose.Genome, flat.Genome) || !slices.Equal(lastLoose.Positions[0].Probs, lastFlat.Positions[0].Probs) {
		t.Errorf("mnas_hard with a loose target derived %v (probabilities %v), mul_log with β 0 %v (%v): want the same search",
			loose.Genome, lastLoose.Positions[0].Probs, flat.Genome, lastFlat.Positions[0].Probs)
	}
	tight, _, e := run(map[string]float64{"loss": 2, "target": 1e-3})
	mn, err := newMixedNet(e.Space, e.Table)
	if err != nil {
		t.Fatal(err)
	}
	fastest := mn.fixed
	for _, p := range mn.pos {
		fastest += slices.Min(p.lat)
	}
	if got := tableLatency(t, e, tight); math.Abs(got-fastest) > 1e-9 {
		t.Errorf("mnas_hard with a target below every child derived a %.4f ms child (%v); the fastest is %.4f ms", got, tight.Genome, fastest)
	}
}

// runCountingEpochs runs e on st and counts the search epochs it trains.
func runCountingEpochs(t *testing.T, e Experiment, st *store.Store) (*Outcome, int) {
	t.Helper()
	epochs := 0
	out, err := Run(context.Background(), e, Options{Store: st, Cores: 2, Progress: func(ev Event) {
		if ev.Kind == DiffEpoch {
			epochs++
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	return out, epochs
}

// TestDifferentiableSamples derives several children from one search
// (samples): the first is the child samples = 1 derives, the others are
// distinct and drawn from the seed alone, deriving them trains nothing
// again (samples is not part of the stored search's key), retrain trains
// them all, and a trial budget cuts them.
func TestDifferentiableSamples(t *testing.T) {
	spec := func(samples float64) StrategySpec {
		return StrategySpec{Kind: "proxyless", Params: map[string]float64{"epochs": 2, "warmup": 1, "arch_lr": 0.2, "target": 5, "samples": samples}}
	}
	run := func(st *store.Store, samples float64, trials, retrain int) (*Outcome, int) {
		t.Helper()
		e := diffExperiment(t, "samples", spec(samples))
		e.Budget.Trials, e.Retrain = trials, retrain
		return runCountingEpochs(t, e, st)
	}
	genomes := func(out *Outcome, status store.Status) [][]int {
		var g [][]int
		for _, tr := range out.Trials {
			if tr.Status == status {
				g = append(g, tr.Genome)
			}
		}
		return g
	}
	st := hwnastest.OpenStore(t, t.TempDir())
	one, epochs := run(st, 1, 5, 0)
	if epochs != 2 || len(one.Trials) != 1 {
		t.Fatalf("samples 1: %d epochs, %d trials; want 2 and 1", epochs, len(one.Trials))
	}
	four, epochs := run(st, 4, 10, 4)
	derived := genomes(four, store.Inherited)
	if epochs != 0 {
		t.Errorf("samples 4 after samples 1 trained %d epochs again; the search is the same", epochs)
	}
	if len(derived) != 4 || !slices.Equal(derived[0], one.Trials[0].Genome) {
		t.Fatalf("samples 4 derived %v; want 4 children, the first %v", derived, one.Trials[0].Genome)
	}
	for i := range derived {
		for j := range i {
			if slices.Equal(derived[i], derived[j]) {
				t.Errorf("children %d and %d are both %v", j, i, derived[i])
			}
		}
	}
	if re := genomes(four, store.Retrained); len(re) != 4 {
		t.Errorf("retrain 4 retrained %d children, want the 4 derived", len(re))
	}
	fresh, _ := run(hwnastest.OpenStore(t, t.TempDir()), 4, 10, 0)
	if got := genomes(fresh, store.Inherited); !slices.EqualFunc(got, derived, slices.Equal) {
		t.Errorf("a fresh store derived %v, the first %v: not the same seed's draws", got, derived)
	}
	cut, _ := run(st, 4, 2, 0)
	if got := genomes(cut, store.Inherited); !slices.EqualFunc(got, derived[:2], slices.Equal) {
		t.Errorf("budget 2 trials derived %v; want the first two of %v", got, derived)
	}
}

// TestRescoreKeepsArchHistory: re-scoring a differentiable run on another
// board runs no search, and the new run, as returned and as stored, keeps
// the distributions its children were derived from.
func TestRescoreKeepsArchHistory(t *testing.T) {
	st := hwnastest.OpenStore(t, t.TempDir())
	s := StrategySpec{Kind: "proxyless", Params: map[string]float64{"epochs": 2, "warmup": 1, "target": 5}}
	first, err := Run(context.Background(), diffExperiment(t, "px", s), Options{Store: st, Cores: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.ArchHistory) != 2 {
		t.Fatalf("the search reported %d epochs, want 2", len(first.ArchHistory))
	}
	e := diffExperiment(t, "px_zcu", s)
	dev, err := fpga.Lookup("ZCU102")
	if err != nil {
		t.Fatal(err)
	}
	e.Hardware = PlatformHardware(dev, fpga.Options{Precision: fpga.Int16})
	re, err := Rescore(context.Background(), e, "px", Options{Store: st, Cores: 2})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := Load(st, "px_zcu")
	if err != nil {
		t.Fatal(err)
	}
	for what, h := range map[string][]ArchEpoch{"returned": re.ArchHistory, "stored": stored.ArchHistory} {
		sameHistory(t, "re-scored run, "+what, h, first.ArchHistory)
	}
}

// TestDifferentiableDeriveWithinTarget derives fbnet's child under a
// latency limit its most likely child breaks: with derive = within_target
// the search is not trained again, and its child is the most likely one
// within the limit by the table, scored as a trial within the spec.
func TestDifferentiableDeriveWithinTarget(t *testing.T) {
	params := map[string]float64{"epochs": 2, "warmup": 1, "arch_lr": 0.2, "beta": 0, "prior": search.PriorUniform}
	st := hwnastest.OpenStore(t, t.TempDir())
	e := diffExperiment(t, "within", StrategySpec{Kind: "fbnet", Params: params})
	e.Budget.Trials = 1
	argmax, _ := runCountingEpochs(t, e, st)
	mn, err := newMixedNet(e.Space, e.Table)
	if err != nil {
		t.Fatal(err)
	}
	fastest := make([]int, len(mn.pos))
	for i, p := range mn.pos {
		fastest[i] = slices.Index(p.lat, slices.Min(p.lat))
	}
	limit := (tableLatency(t, e, argmax.Trials[0]) + mn.latencyOf(fastest)) / 2

	within := maps.Clone(params)
	within["derive"] = search.DeriveWithinTarget
	e.Strategy.Params = within
	e.Constraints = []Constraint{{Metric: metric.LatencyMs, Op: "<=", Value: limit, Hard: true}}
	out, epochs := runCountingEpochs(t, e, st)
	if epochs != 0 {
		t.Errorf("derive = within_target trained %d epochs again; the search is the same", epochs)
	}
	tr := out.Trials[0]
	if l := tableLatency(t, e, tr); l > limit || tr.Status != store.Inherited {
		t.Fatalf("derived child %v: table latency %g ms, status %s; want within %g ms, inherited", tr.Genome, l, tr.Status, limit)
	}
	last := out.ArchHistory[len(out.ArchHistory)-1]
	var p [][]float64
	for _, pos := range last.Positions {
		p = append(p, pos.Probs)
	}
	want, _ := mn.mostLikelyWithin(p, limit)
	if g := mn.genome(len(e.Space.Decisions()), want); !slices.Equal(tr.Genome, g) {
		t.Errorf("derived child %v, want the most likely within %g ms, %v", tr.Genome, limit, g)
	}

	// With samples, the draws are within the limit too: four distinct
	// children, the derived one first, none over it.
	within["samples"] = 4
	e.Budget.Trials = 4
	out, _ = runCountingEpochs(t, e, st)
	if len(out.Trials) != 4 || !slices.Equal(out.Trials[0].Genome, tr.Genome) {
		t.Fatalf("samples 4 within %g ms: %d children, the first %v; want 4, the first %v", limit, len(out.Trials), out.Trials[0].Genome, tr.Genome)
	}
	for i, c := range out.Trials {
		if l := tableLatency(t, e, c); l > limit || c.Status != store.Inherited && c.Status != store.Cached ||
			slices.ContainsFunc(out.Trials[:i], func(o Trial) bool { return slices.Equal(o.Genome, c.Genome) }) {
			t.Errorf("child %d %v: %g ms, %s; want distinct, within %g ms, scored by the supernet", i, c.Genome, l, c.Status, limit)
		}
	}
	if len(out.Underived) != 0 {
		t.Errorf("four children derived as asked, yet the outcome says %q", out.Underived)
	}

	// fill: the children are between fill·limit and the limit, the first
	// the most likely there (to a step); nothing is trained again.
	var lats []float64
	everyChild(mn, func(c []int) {
		if l := mn.latencyOf(c); l <= limit {
			lats = append(lats, l)
		}
	})
	slices.Sort(lats)
	if len(lats) < 5 {
		t.Fatalf("%d children within %g ms: the test wants 4 above the fastest", len(lats), limit)
	}
	floor := (lats[0] + lats[1]) / 2 // the children but the fastest
	within["fill"] = floor / limit
	out, epochs = runCountingEpochs(t, e, st)
	if epochs != 0 || len(out.Trials) != 4 || len(out.Underived) != 0 {
		t.Fatalf("fill %g: %d epochs trained, %d children, notes %q; want none, 4, none", floor/limit, epochs, len(out.Trials), out.Underived)
	}
	for i, c := range out.Trials {
		if l := tableLatency(t, e, c); l > limit || l < floor {
			t.Errorf("fill %g: child %d %v at %g ms, outside %g to %g", floor/limit, i, c.Genome, l, floor, limit)
		}
	}
	s, _ := mn.withinSampler(p, floor, limit)
	if g := mn.genome(len(e.Space.Decisions()), s.mostLikely()); !slices.Equal(out.Trials[0].Genome, g) {
		t.Errorf("fill %g: first child %v, want the most likely from %g to %g ms, %v", floor/limit, out.Trials[0].Genome, floor, limit, g)
	}
	// Over every child within the limit: derived within the limit alone,
	// as without fill, and the outcome says so.
	within["fill"] = (lats[len(lats)-1] + limit) / 2 / limit
	out, _ = runCountingEpochs(t, e, st)
	if len(out.Underived) != 1 || !strings.Contains(out.Underived[0], "found no child from") || !slices.Equal(out.Trials[0].Genome, tr.Genome) {
		t.Errorf("fill over every child: notes %q, first child %v; want the note, the child derived without fill %v", out.Underived, out.Trials[0].Genome, tr.Genome)
	}
	delete(within, "fill")

	// Just over the fastest child: fewer children within than asked, and
	// the outcome says so; under it, none, and it says that.
	tight := mn.latencyOf(fastest) * (1 + 1e-9)
	var nWithin int
	everyChild(mn, func(c []int) {
		if mn.latencyOf(c) <= tight {
			nWithin++
		}
	})
	if nWithin >= 4 {
		t.Fatalf("%d children within %g ms: the test wants fewer than 4", nWithin, tight)
	}
	e.Constraints[0].Value = tight
	out, _ = runCountingEpochs(t, e, st)
	note := fmt.Sprintf("fbnet search derived %d of the 4 children asked (samples = 4): its final distribution gave no other distinct child within %g ms in 400 draws", nWithin, tight)
	if len(out.Trials) != nWithin || !slices.Equal(out.Underived, []string{note}) || !slices.Contains(out.Notes(), note) {
		t.Errorf("within %g ms, where %d children are: %d derived, notes %q; want %q", tight, nWithin, len(out.Trials), out.Underived, note)
	}
	e.Constraints[0].Value = mn.latencyOf(fastest) * 0.99
	out, _ = runCountingEpochs(t, e, st)
	if len(out.Underived) != 1 || !strings.Contains(out.Underived[0], "found no child within") || out.Trials[0].Status != store.Pruned {
		t.Errorf("under the fastest child: notes %q, first child %s; want the note that none is within, the child pruned", out.Underived, out.Trials[0].Status)
	}
}

// TestDifferentiablePrior checks where θ starts: by default at the log of
// the space's prior, which is each candidate's share of all genomes (counted
// here over every genome of the space), so that a choice of an mbconv and
// skip skips half the time; with prior = uniform at 0, every candidate
// equally likely, under the key such a search had before prior existed.
func TestDifferentiablePrior(t *testing.T) {
	e := diffExperiment(t, "prior", StrategySpec{Kind: "proxyless", Params: map[string]float64{"epochs": 1}})
	mn, err := newMixedNet(e.Space, e.Table)
	if err != nil {
		t.Fatal(err)
	}
	card := arch.Cardinalities(e.Space)
	count := make([][]float64, len(mn.pos))
	for i, p := range mn.pos {
		count[i] = make([]float64, len(p.cands))
	}
	g, total := make([]int, len(card)), 0.0
	for {
		for i, p := range mn.pos {
			n := 0
			for k, genes := range p.genes {
				if holds(g, genes) {
					count[i][k]++
					n++
				}
			}
			if n != 1 {
				t.Fatalf("genome %v takes %d candidates at %s, want 1", g, n, p.name)
			}
		}
		total++
		if !nextGenome(g, card) {
			break
		}
	}
	for _, c := range []struct {
		prior float64
		want  func(i, k int) float64
	}{
		{0, func(i, k int) float64 { return count[i][k] / total }},
		{search.PriorUniform, func(i, k int) float64 { return 1 / float64(len(count[i])) }},
	} {
		pts, err := diffPoints(&Experiment{Strategy: StrategySpec{Kind: "proxyless", Params: map[string]float64{"prior": c.prior, "target": 1}}})
		if err != nil {
			t.Fatal(err)
		}
		st := newDiffState(mn, pts[0], nn.Config{}, 1)
		for i, p := range st.probs() {
			for k, v := range p {
				if math.Abs(v-c.want(i, k)) > 1e-12 {
					t.Errorf("prior %g: %s %s starts at %.4f, want %.4f", c.prior, mn.pos[i].name, mn.pos[i].cands[k], v, c.want(i, k))
				}
			}
		}
		if skip := slices.Index(mn.pos[0].cands, "skip"); c.prior == 0 && math.Abs(st.probs()[0][skip]-0.5) > 1e-12 {
			t.Errorf("skip starts at %.4f, want 0.5: the space chooses between an mbconv and skip", st.probs()[0][skip])
		}
		key := pts[0].key(e.Evaluator.(*SupernetEvaluator), e.Table, e.Fidelity, e.Seed)
		if strings.Contains(key, "prior=") != (c.prior == 0) {
			t.Errorf("prior %g: key %q; prior = uniform must keep the key of searches stored before prior", c.prior, key)
		}
	}
}

// holds reports whether genome g has every gene of genes.
func holds(g []int, genes map[int]int) bool {
	for j, v := range genes {
		if g[j] != v {
			return false
		}
	}
	return true
}

// nextGenome steps g to the next genome of a space with these
// cardinalities, in odometer order; false after the last.
func nextGenome(g, card []int) bool {
	for i := range g {
		if g[i]++; g[i] < card[i] {
			return true
		}
		g[i] = 0
	}
	return false
}
