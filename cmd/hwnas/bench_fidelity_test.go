package main

import (
	"context"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/internal/golden"
	"github.com/hwnas/hwnas/metric"
)

func TestFidelityBenchRendering(t *testing.T) {
	a, b, c, d := 0.91, 0.93, 0.95, 0.92
	fb := &fidelityBench{Spec: "latency_ms <= 3", TimeS: 600, Train: 1000, Val: 250, Test: 250,
		Schedule: engine.ASHA{MinEpochs: 1, MaxEpochs: 9, Eta: 3}, Schedules: []string{"asha", "hyperband"}, Strategy: "evolution",
		Runs: []fidelitySeed{{Seed: 1, Searches: []fidelityArm{
			{Name: "fnas_evolution", Children: 12, Pruned: 8, Trained: 4, Full: 4, Epochs: 36, WallS: 600, CPUS: 1150, Best: &a, BestAny: &a, BestTest: &a},
			{Name: "fnas_evolution_asha", Children: 60, Pruned: 40, Trained: 20, Full: 2, Epochs: 36, WallS: 600, Best: &b, BestAny: &c, BestTest: &d, ChildrenRatio: 5, TrainedRatio: 5},
			{Name: "fnas_evolution_hyperband", Children: 30, Pruned: 20, Trained: 10, Full: 3, Epochs: 36, WallS: 600, Best: &c, BestAny: &c, BestTest: &c, ChildrenRatio: 2.5, TrainedRatio: 2.5},
		}}, {Seed: 2, Searches: []fidelityArm{
			{Name: "fnas_evolution", Children: 10, Pruned: 8, Trained: 2, Full: 2, Epochs: 18, WallS: 600},
			{Name: "fnas_evolution_asha", Children: 40, Pruned: 20, Trained: 20, Full: 1, Epochs: 30, WallS: 600, Best: &c, BestAny: &c, BestTest: &c, ChildrenRatio: 4, TrainedRatio: 10},
			{Name: "fnas_evolution_hyperband", Children: 20, Pruned: 12, Trained: 8, Full: 2, Epochs: 30, WallS: 600, ChildrenRatio: 2, TrainedRatio: 4},
		}}},
		LoadAverage: "1.00 1.00 1.00", Interrupted: "interrupted during seed 3 (context canceled); 2 seeds finished"}
	fb.summarise([]string{"fnas_evolution", "fnas_evolution_asha", "fnas_evolution_hyperband"})
	plain, asha, hb := fb.Summary[0], fb.Summary[1], fb.Summary[2]
	if plain.Best.N != 1 || plain.Best.SE != nil || plain.ChildrenRatio != nil || asha.Best.N != 2 || math.Abs(*asha.Best.SE-0.01) > 1e-12 ||
		asha.ChildrenRatio.Mean != 4.5 || hb.ChildrenRatio.Mean != 2.25 || hb.Best.N != 1 ||
		plain.TrainedRatio != nil || asha.TrainedRatio.Mean != 7.5 || hb.TrainedRatio.Mean != 3.25 {
		t.Errorf("summary %+v %+v %+v", plain, asha, hb)
	}
	var sb strings.Builder
	writeFidelityBench(&sb, fb)
	if err := printJSON(&sb, fb); err != nil { // a single seed has no standard error, and JSON has no NaN
		t.Fatal(err)
	}
	golden.Check(t, "bench_fidelity.golden", sb.String())
}

// blockingEvaluator trains until its context ends: a child that outlasts
// any budget.
type blockingEvaluator struct{}

func (blockingEvaluator) Name() string { return "blocking" }

func (blockingEvaluator) Evaluate(ctx context.Context, _ engine.Request) (engine.Evaluation, error) {
	<-ctx.Done()
	return engine.Evaluation{}, ctx.Err()
}

// Each search ends on its wall time even when a child is still training
// (the engine checks its time budget only between children: a 6-minute
// bench used to run on for a whole 9-epoch child, and was killed before
// it printed anything), and an interrupt still returns the seeds that
// finished.
func TestBenchFidelityStopsOnTime(t *testing.T) {
	e, err := demoExperiment()
	if err != nil {
		t.Fatal(err)
	}
	budget := time.Second
	e.Evaluator, e.Budget, e.Batch = blockingEvaluator{}, engine.Budget{Time: budget}, 1
	a, err := fidelityRun(t.Context(), e, budget, io.Discard)
	if err != nil || a.Trained != 0 || a.WallS > 10 {
		t.Errorf("a search whose child never ends, budget %s: %+v, %v", budget, a, err)
	}
	o := fidelityOptions{budget: time.Minute, sched: engine.ASHA{MinEpochs: 1, MaxEpochs: 3, Eta: 3}, schedules: []string{"asha", "hyperband"}, strategy: "evolution", train: 100, seed: 1, seeds: 2}
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	b, err := benchFidelity(ctx, o, io.Discard)
	if err != nil || len(b.Runs) != 0 || !strings.Contains(b.Interrupted, "interrupted during seed 1") {
		t.Fatalf("interrupted bench: %+v, %v", b, err)
	}
	var sb strings.Builder
	if err := printJSON(&sb, b); err != nil || !strings.Contains(sb.String(), `"interrupted"`) {
		t.Errorf("JSON %q, %v", sb.String(), err)
	}
}

// A child without the epochs metric trained the full epochs; the best at
// full fidelity only counts children that reached max_epochs.
func TestFidelityArmOf(t *testing.T) {
	e := engine.Experiment{Name: "x", ASHA: engine.ASHA{MinEpochs: 1, MaxEpochs: 9, Eta: 3},
		Constraints: []engine.Constraint{{Metric: metric.LatencyMs, Op: "<=", Value: 3, Hard: true}}}
	out := &engine.Outcome{Trials: []engine.Trial{
		{Metrics: engine.Metrics{metric.Accuracy: 0.97, engine.EpochsMetric: 1, metric.LatencyMs: 2}},
		{Metrics: engine.Metrics{metric.Accuracy: 0.95, engine.EpochsMetric: 9, metric.LatencyMs: 2, metric.TestAccuracy: 0.94}},
		{Metrics: engine.Metrics{metric.Accuracy: 0.99, engine.EpochsMetric: 9, metric.LatencyMs: 4}},
		{Metrics: engine.Metrics{metric.LatencyMs: 5}}, // pruned
	}}
	a := fidelityArmOf(e, out)
	if a.Children != 4 || a.Trained != 3 || a.Full != 1 || a.Epochs != 19 || *a.Best != 0.95 || *a.BestAny != 0.97 || *a.BestTest != 0.94 {
		t.Errorf("arm %+v", a)
	}
	e.ASHA = engine.ASHA{}
	e.Fidelity.Epochs = 2
	out.Trials = out.Trials[3:]
	out.Trials = append(out.Trials, engine.Trial{Metrics: engine.Metrics{metric.Accuracy: 0.9, metric.LatencyMs: 1}})
	if a := fidelityArmOf(e, out); a.Full != 1 || a.Epochs != 2 || *a.Best != 0.9 {
		t.Errorf("plain arm %+v", a)
	}
}

func TestBenchFidelityBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--time", "0s"}, {"--time", "1s", "--seeds", "0"}, {"--time", "1s", "--eta", "1"}, {"--time", "1s", "--max-epochs", "1"},
		{"--time", "1s", "--schedules", "hyperbnd"}, {"--time", "1s", "--train", "0"}, {"--time", "1s", "--strategy", "nsga2"}} {
		_, err := runCLI(t, append([]string{"bench", "fidelity"}, args...)...)
		if err == nil || !strings.Contains(err.Error(), "hwnas bench fidelity") {
			t.Errorf("%v: err = %v", args, err)
		}
	}
}

// --strategy bananas runs plain bananas against bananas under each schedule
// (under hyperband: BOHB), every search named after it.
func TestFidelitySearchesStrategy(t *testing.T) {
	o := fidelityOptions{budget: time.Minute, sched: engine.ASHA{MinEpochs: 1, MaxEpochs: 9, Eta: 3}, schedules: []string{"hyperband"}, strategy: "bananas", train: 1000}
	exps, err := fidelitySearches(o)
	if err != nil {
		t.Fatal(err)
	}
	if len(exps) != 2 || exps[0].Name != "fnas_bananas" || exps[1].Name != "fnas_bananas_hyperband" || !exps[1].ASHA.Hyperband || exps[0].ASHA.On() {
		t.Fatalf("searches %+v", exps)
	}
	for _, e := range exps {
		if e.Strategy.Kind != "bananas" {
			t.Errorf("%s: strategy %q", e.Name, e.Strategy.Kind)
		}
	}
}
