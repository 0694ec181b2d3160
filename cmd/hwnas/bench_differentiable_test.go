package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hwnas/hwnas/dsl"
	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/internal/golden"
	"github.com/hwnas/hwnas/metric"
	"github.com/hwnas/hwnas/search"
)

func TestDifferentiableSpecMatchesExample(t *testing.T) {
	b, err := os.ReadFile("../../examples/differentiable_mnist.hwnas")
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != differentiableSpec {
		t.Fatal("cmd/hwnas/demo/differentiable_mnist.hwnas differs from examples/differentiable_mnist.hwnas: copy the example over it")
	}
}

func TestDiffBenchRendering(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	b := &diffBench{Space: "mobile", Genomes: 629856, Platform: "PYNQ-Z1", Spec: "latency_ms <= 0.3", Seed: 1, Ratio: 3, BlackBoxTimeS: 180, Derive: "within_target",
		Results: []diffResult{
			{Strategy: "fbnet", Family: "differentiable", TargetMs: 0.3, LatencyMs: f(0.2812), Accuracy: f(0.91), InSpec: true, SearchS: 55.2, Trials: 1, Trained: 1, ActivationMB: f(384.06)},
			{Strategy: "proxyless", Family: "differentiable", TargetMs: 0.3, LatencyMs: f(0.3101), Accuracy: f(0.93), SearchS: 60, Trials: 1, Trained: 1, ActivationMB: f(87.5)},
			{Strategy: "reinforce", Family: "black-box", TargetMs: 0.3, LatencyMs: f(0.25), Accuracy: f(0.9), InSpec: true, SearchS: 180.4, Trials: 40, Trained: 20, Pruned: 15},
			{Strategy: "evolution", Family: "black-box", TargetMs: 0.3, SearchS: 180.1, Trials: 3, Pruned: 3},
		},
		FinalEpochs: 8, FinalSeeds: []int64{1001, 1002}, FinalGoalMet: new(bool),
		LoadAverage: "1.00 1.00 1.00"}
	b.Results[0].Final = &finalTraining{Accuracy: 0.93, TestAccuracy: 0.925, TestBySeed: []float64{0.92, 0.93}}
	b.Results[2].Final = &finalTraining{Accuracy: 0.94, TestAccuracy: 0.935, TestBySeed: []float64{0.93, 0.94}}
	var sb strings.Builder
	writeDiffBench(&sb, b)
	golden.Check(t, "bench_differentiable.golden", sb.String())
}

// A black box's child is its most accurate one within the spec, not its
// most accurate one; a differentiable search's is its retrained child, not
// the supernet's inherited scores.
func TestDiffResultOf(t *testing.T) {
	cons := []engine.Constraint{{Metric: metric.LatencyMs, Op: "<=", Value: 0.3, Hard: true}}
	tr := func(st engine.Status, acc, lat float64) engine.Trial {
		return engine.Trial{Status: store.Status(st), Feasible: lat <= 0.3, Metrics: engine.Metrics{metric.Accuracy: acc, metric.LatencyMs: lat}}
	}
	out := &engine.Outcome{Wall: 2 * time.Second, Trials: []engine.Trial{
		tr(engine.Trained, 0.95, 0.4), tr(engine.Trained, 0.9, 0.2), tr(engine.Cached, 0.92, 0.25),
		tr(engine.Inherited, 0.99, 0.1), tr(engine.Retrained, 0.5, 0.35),
	}}
	out.Trials = append(out.Trials, engine.Trial{Status: store.Status(engine.Pruned), Metrics: engine.Metrics{metric.LatencyMs: 1}})
	r := diffResultOf(engine.Experiment{Name: "evolution", Strategy: engine.StrategySpec{Kind: "evolution"}, Constraints: cons}, out)
	if r.Family != "black-box" || !r.InSpec || *r.Accuracy != 0.92 || *r.LatencyMs != 0.25 || r.SearchS != 2 || r.TargetMs != 0.3 || r.Trials != 6 {
		t.Errorf("black box: %+v", r)
	}
	r = diffResultOf(engine.Experiment{Name: "fbnet", Strategy: engine.StrategySpec{Kind: "fbnet"}, Constraints: cons}, out)
	if r.Family != "differentiable" || r.InSpec || *r.Accuracy != 0.5 || *r.LatencyMs != 0.35 {
		t.Errorf("differentiable: %+v", r)
	}
	pruned := &engine.Outcome{Trials: out.Trials[5:]}
	r = diffResultOf(engine.Experiment{Name: "fbnet", Strategy: engine.StrategySpec{Kind: "fbnet"}, Constraints: cons}, pruned)
	if r.Accuracy != nil || r.LatencyMs == nil || *r.LatencyMs != 1 || r.InSpec {
		t.Errorf("derived child pruned: %+v", r)
	}
	// Several children (samples), all pruned: the first derived, the most likely.
	samples := &engine.Outcome{Trials: append(slices.Clone(pruned.Trials), engine.Trial{Status: store.Status(engine.Pruned), Metrics: engine.Metrics{metric.LatencyMs: 0.5}})}
	r = diffResultOf(engine.Experiment{Name: "fbnet", Strategy: engine.StrategySpec{Kind: "fbnet"}, Constraints: cons}, samples)
	if r.LatencyMs == nil || *r.LatencyMs != 1 {
		t.Errorf("derived children all pruned: %+v, want the first's latency, 1 ms", r)
	}
	r = diffResultOf(engine.Experiment{Name: "evolution", Strategy: engine.StrategySpec{Kind: "evolution"}, Constraints: cons}, pruned)
	if r.Accuracy != nil || r.LatencyMs != nil || r.InSpec {
		t.Errorf("no child: %+v", r)
	}
}

func TestGoalMet(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	fb := diffResult{Family: "differentiable", Accuracy: f(0.9), InSpec: true}
	px := diffResult{Family: "differentiable", Accuracy: f(0.91), InSpec: true}
	bb := diffResult{Family: "black-box", Accuracy: f(0.9), InSpec: true}
	out := diffResult{Family: "black-box", Accuracy: f(0.99)} // out of spec: does not count
	for _, c := range []struct {
		rs        []diffResult
		slow, bbS float64
		want      bool
	}{
		{[]diffResult{fb, px, bb, out}, 10, 30, true},
		{[]diffResult{fb, px, bb}, 10, 29, false}, // more than a third of the time
		{[]diffResult{fb, px, {Family: "black-box", Accuracy: f(0.905), InSpec: true}}, 10, 30, false},
		{[]diffResult{fb, {Family: "differentiable", Accuracy: f(0.95)}, bb}, 10, 30, false}, // a child out of spec
		{[]diffResult{fb, px}, 10, 30, false},
		{[]diffResult{bb}, 0, 30, false},
	} {
		if got := goalMet(c.rs, c.slow, c.bbS, retrainedAccuracy); got != c.want {
			t.Errorf("goalMet(%+v, %g, %g) = %v", c.rs, c.slow, c.bbS, got)
		}
	}
	// By the final trainings: the black box's own figure is higher, its
	// final test accuracy lower; a child not trained again does not meet it.
	fin := func(r diffResult, test float64) diffResult { r.Final = &finalTraining{TestAccuracy: test}; return r }
	rs := []diffResult{fin(fb, 0.93), fin(px, 0.94), fin(bb, 0.92), out}
	rs[2].Accuracy = f(0.95)
	if !goalMet(rs, 10, 30, finalAccuracy) || goalMet(rs, 10, 30, retrainedAccuracy) {
		t.Errorf("final 0.93 and 0.94 against 0.92: want met by the final trainings only")
	}
	rs[0].Final = nil
	if goalMet(rs, 10, 30, finalAccuracy) {
		t.Errorf("a derived child without a final training meets the goal")
	}
}

// The final training of a child is the same for the same seeds, and its
// means are the means of its seeds.
func TestFinalTraining(t *testing.T) {
	if testing.Short() {
		t.Skip("trains networks")
	}
	spec, err := dsl.LoadSource("differentiable_mnist.hwnas", differentiableSpec, dsl.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"proxyless", "evolution"} { // a supernet's data and a train evaluator
		e, err := diffExperiment(spec, name, diffOptions{train: 64})
		if err != nil {
			t.Fatal(err)
		}
		g := make([]int, len(e.Space.Decisions()))
		a, err := finalTraining1(t.Context(), e, g, 2, []int64{1001, 1002})
		if err != nil {
			t.Fatal(err)
		}
		b, err := finalTraining1(t.Context(), e, g, 2, []int64{1001, 1002})
		if err != nil {
			t.Fatal(err)
		}
		if a.Accuracy != b.Accuracy || a.TestAccuracy != b.TestAccuracy || !slices.Equal(a.TestBySeed, b.TestBySeed) {
			t.Errorf("%s: %+v, then %+v for the same seeds", name, a, b)
		}
		if len(a.TestBySeed) != 2 || math.Abs(a.TestAccuracy-(a.TestBySeed[0]+a.TestBySeed[1])/2) > 1e-12 || a.Accuracy <= 0 || a.Accuracy > 1 {
			t.Errorf("%s: %+v", name, a)
		}
	}
}

func TestBenchDifferentiableBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--ratio", "0"}, "--ratio must be positive"},
		{[]string{"--epochs", "-1"}, "must not be negative"},
		{[]string{"--final-epochs", "-1"}, "must not be negative"},
		{[]string{"--samples", "-1"}, "must not be negative"},
		{[]string{"--final-seeds", "0"}, "--final-seeds must be at least 1"},
		{[]string{"--derive", "inside"}, `--derive is argmax or within_target, not "inside"`},
		{[]string{"--strategies", "reinforce"}, "no differentiable search to time the black-box ones by: give --time"},
		{[]string{"--strategies", "nope", "--time", "1s"}, `experiment "nope"`},
	} {
		_, err := runCLI(t, append([]string{"bench", "differentiable"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), "hwnas bench differentiable") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.args, err, c.want)
		}
	}
}

// TestBenchDifferentiableShort runs the benchmark on a few images and checks
// the JSON's shape and invariants, not its figures.
func TestBenchDifferentiableShort(t *testing.T) {
	if testing.Short() {
		t.Skip("trains networks")
	}
	out, err := runCLI(t, "bench", "differentiable", "--json", "--epochs", "3", "--train", "64", "--target", "0.25", "--ratio", "0.5")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var b diffBench
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &b); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if b.Platform != "PYNQ-Z1" || b.Spec != "latency_ms <= 0.25" || b.Ratio != 0.5 || len(b.Results) != 4 || b.GoalMet {
		t.Fatalf("bench %+v", b)
	}
	var slowest float64
	for i, r := range b.Results {
		family := []string{"differentiable", "differentiable", "black-box", "black-box"}[i]
		if r.Strategy != []string{"fbnet", "proxyless", "reinforce", "evolution"}[i] || r.Family != family || r.TargetMs != 0.25 || r.SearchS <= 0 {
			t.Errorf("result %+v", r)
		}
		if family == "differentiable" {
			slowest = max(slowest, r.SearchS)
			if r.Trials != 1 || r.LatencyMs == nil || len(r.Genome) == 0 || (r.Accuracy != nil) != (r.Trained == 1) {
				t.Errorf("derived child of %s: %+v", r.Strategy, r)
			}
		} else if r.SearchS < b.BlackBoxTimeS || r.Trained == 0 || r.Accuracy == nil {
			t.Errorf("black box %s: %+v", r.Strategy, r)
		}
		if r.Accuracy != nil && (*r.Accuracy < 0 || *r.Accuracy > 1) || r.LatencyMs != nil && r.InSpec != (*r.LatencyMs <= 0.25) {
			t.Errorf("child of %s: %+v", r.Strategy, r)
		}
	}
	// A proxyless step computes one or two paths per position, an fbnet
	// step every path: on the same space, proxyless holds less.
	if fb, px := b.Results[0].ActivationMB, b.Results[1].ActivationMB; fb == nil || px == nil || !(0 < *px && *px < *fb) {
		t.Errorf("activation memory of fbnet's steps %v MB, proxyless's %v MB: want proxyless's positive and below", fb, px)
	}
	for _, r := range b.Results[2:] {
		if r.ActivationMB != nil {
			t.Errorf("black box %s reports a supernet's activation memory", r.Strategy)
		}
	}
	if b.FinalEpochs != 8 || !slices.Equal(b.FinalSeeds, []int64{1001, 1002, 1003}) || b.FinalGoalMet == nil {
		t.Errorf("final trainings: %d epochs, seeds %v, goal %v", b.FinalEpochs, b.FinalSeeds, b.FinalGoalMet)
	}
	for _, r := range b.Results {
		if f := r.Final; (f != nil) != r.InSpec || f != nil && (len(f.TestBySeed) != 3 || f.TestAccuracy <= 0 || f.TestAccuracy > 1) {
			t.Errorf("final training of %s's child (in spec %v): %+v", r.Strategy, r.InSpec, f)
		}
	}
	if b.BlackBoxTimeS != 0.5*slowest {
		t.Errorf("black-box time %g s, want half of %g s", b.BlackBoxTimeS, slowest)
	}
}

// TestBenchDifferentiableEpochs: --epochs keeps each search's share of
// warm-up (rounded down), so that a short run still searches.
func TestBenchDifferentiableEpochs(t *testing.T) {
	spec, err := dsl.LoadSource("differentiable_mnist.hwnas", differentiableSpec, dsl.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"fbnet", "proxyless"} {
		full, err := diffExperiment(spec, name, diffOptions{})
		if err != nil {
			t.Fatal(err)
		}
		short, err := diffExperiment(spec, name, diffOptions{epochs: 5})
		if err != nil {
			t.Fatal(err)
		}
		ep, warm := full.Strategy.Params["epochs"], full.Strategy.Params["warmup"]
		got := short.Strategy.Params
		if got["epochs"] != 5 || got["warmup"] >= 5 || got["warmup"] != math.Floor(5*warm/ep) {
			t.Errorf("%s: --epochs 5 of %g epochs with %g warm-up gives %g epochs with %g warm-up", name, ep, warm, got["epochs"], got["warmup"])
		}
	}
}

// TestBenchDifferentiableSamples: --samples makes each differentiable
// search derive and retrain that many children, within its trial budget,
// --derive sets how, and both leave the black boxes alone.
func TestBenchDifferentiableSamples(t *testing.T) {
	spec, err := dsl.LoadSource("differentiable_mnist.hwnas", differentiableSpec, dsl.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"fbnet", "proxyless", "evolution"} {
		e, err := diffExperiment(spec, name, diffOptions{samples: 6, derive: "within_target"})
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(e.Strategy.Params["samples"], e.Budget.Trials, e.Retrain, e.Strategy.Params["derive"])
		want := fmt.Sprint(6, 6, 6, search.DeriveWithinTarget)
		if name == "evolution" {
			want = "0 0 0 0"
		}
		if got != want {
			t.Errorf("%s with --samples 6 --derive within_target: samples, trial budget, retrain, derive = %s; want %s", name, got, want)
		}
	}
}
