package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/internal/hwnastest"
	"github.com/hwnas/hwnas/metric"

	"github.com/hwnas/hwnas/arch/nb201"
	"github.com/hwnas/hwnas/fpga"
)

// BenchmarkRunNB201 runs a 64-trial NAS-Bench-201 search with the table
// evaluator and the FPGA model on a ZCU102: the engine's own cost per trial
// (decode, hardware model and cache, store writes, strategy).
func BenchmarkRunNB201(b *testing.B) {
	p, err := fpga.Lookup("ZCU102")
	if err != nil {
		b.Fatal(err)
	}
	const trials = 64
	for b.Loop() {
		e := Experiment{Name: "bench", Space: nb201.Space{}, Evaluator: TableEvaluator{}, Hardware: PlatformHardware(p, fpga.Options{}),
			Objectives:  []Objective{{metric.Accuracy, true}, {metric.LatencyMs, false}},
			Constraints: []Constraint{{Metric: metric.DSP, Op: "<=", Value: 2000, Hard: true}},
			Strategy:    StrategySpec{Kind: "nsga2", Params: map[string]float64{"population": 16}},
			Budget:      Budget{Trials: trials}, Parallel: 2, Seed: 1}
		if _, err := Run(context.Background(), e, Options{Store: hwnastest.OpenStore(b, b.TempDir())}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*trials), "µs/trial")
}

func BenchmarkParetoFront(b *testing.B) {
	objs := []Objective{{metric.Accuracy, true}, {metric.LatencyMs, false}}
	trials := make([]Trial, 3000)
	for i := range trials {
		trials[i] = Trial{ID: i, NetworkKey: fmt.Sprint("net", i), Status: store.Trained, Feasible: i%7 != 0,
			Metrics: Metrics{metric.Accuracy: 0.9 + float64(i%97)/1000, metric.LatencyMs: 1 + float64(i%89)/10}}
	}
	for b.Loop() {
		ParetoFront(trials, objs)
	}
}
