package main

import (
	"strings"
	"testing"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/internal/golden"
	"github.com/hwnas/hwnas/metric"
)

func TestFidelityBenchRendering(t *testing.T) {
	a, b, c := 0.91, 0.93, 0.95
	fb := &fidelityBench{Spec: "latency_ms <= 3", Seed: 1, TimeS: 600, Schedule: engine.ASHA{MinEpochs: 1, MaxEpochs: 9, Eta: 3},
		Plain:    fidelityArm{Name: "fnas_evolution", Children: 12, Pruned: 8, Trained: 4, Full: 4, Epochs: 36, WallS: 601, Best: &a, BestAny: &a},
		ASHA:     fidelityArm{Name: "fnas_evolution_asha", Children: 60, Pruned: 40, Trained: 20, Full: 2, Epochs: 36, WallS: 603, Best: &b, BestAny: &c},
		Children: 5, LoadAverage: "1.00 1.00 1.00"}
	var sb strings.Builder
	writeFidelityBench(&sb, fb)
	golden.Check(t, "bench_fidelity.golden", sb.String())
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
	for _, args := range [][]string{{"--time", "0s"}, {"--time", "1s", "--eta", "1"}, {"--time", "1s", "--max-epochs", "1"}} {
		_, err := runCLI(t, append([]string{"bench", "fidelity"}, args...)...)
		if err == nil || !strings.Contains(err.Error(), "hwnas bench fidelity") {
			t.Errorf("%v: err = %v", args, err)
		}
	}
}
