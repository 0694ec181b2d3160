package report_test

import (
	"log"
	"os"
	"time"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/metric"
	"github.com/hwnas/hwnas/report"
)

// A table of three trials of a hardware-aware search: one on the Pareto
// front (marked *), one it dominates and one pruned by its latency
// constraint before training. WriteSummary follows with the counts.
func ExampleWriteTable() {
	out := &engine.Outcome{Experiment: "fnas", Seed: 1, Wall: 12 * time.Second,
		Objectives:  []engine.Objective{{Metric: metric.Accuracy, Maximize: true}, {Metric: metric.LatencyMs}},
		Constraints: []engine.Constraint{{Metric: metric.LatencyMs, Op: "<=", Value: 8, Hard: true}},
		Trials: []engine.Trial{
			{ID: 0, Network: "4 layers, 4.9M MACs, 6.1K params", Status: store.Trained, Feasible: true,
				Metrics: engine.Metrics{metric.Accuracy: 0.9612, metric.LatencyMs: 4.8}},
			{ID: 1, Network: "4 layers, 9.0M MACs, 8.0K params", Status: store.Trained, Feasible: true,
				Metrics: engine.Metrics{metric.Accuracy: 0.9005, metric.LatencyMs: 5.2}},
			{ID: 2, Network: "6 layers, 1.79G MACs, 763K params", Status: store.Pruned,
				Error:   "latency_ms = 75.26 breaks latency_ms <= 8",
				Metrics: engine.Metrics{metric.LatencyMs: 75.264}},
		},
	}
	for i := range out.Trials {
		out.Counts.Add(&out.Trials[i])
	}
	out.Pareto = engine.ParetoFront(out.Trials, out.Objectives)
	if err := report.WriteTable(os.Stdout, out, out.Trials); err != nil {
		log.Fatal(err)
	}
	if err := report.WriteSummary(os.Stdout, out); err != nil {
		log.Fatal(err)
	}
	// Output:
	// id  status   accuracy  latency (ms)  network
	// 0*  trained  0.9612    4.8           4 layers, 4.9M MACs, 6.1K params
	// 1   trained  0.9005    5.2           4 layers, 9.0M MACs, 8.0K params
	// 2   pruned   -         75.26         6 layers, 1.79G MACs, 763K params
	// experiment fnas: 3 trials: 2 trained, 1 pruned, 0 failed, 0 cached in 12s
	// Pareto front (maximize accuracy, minimize latency_ms; subject to latency_ms <= 8): 1 of 3 trials
	// id  status   accuracy  latency (ms)  network
	// 0*  trained  0.9612    4.8           4 layers, 4.9M MACs, 6.1K params
}
